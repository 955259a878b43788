//! Macros shared by every forward-mode number type (here and in `diffprog-hyperdual`).
//!
//! A forward number type implements two inherent methods,
//! `fn chain_unary(self, (value, derivative): (T, T)) -> Self` and
//! `fn chain_binary(self, other: Self, (value, d_self, d_other): (T, T, T)) -> Self`,
//! and [`scalar_elementary_functions!`] writes all of `Scalar`'s elementary functions from the rules
//! in [`rules`](crate::rules). The operator macros write the `f64`/`f32` right-hand-side operators.

/// Writes the elementary functions of `Scalar` for a forward number type whose primal part is the
/// field named by `$re` (a `T: Scalar<F>`), using [`rules`](crate::rules).
#[macro_export]
macro_rules! scalar_elementary_functions {
    ($re:ident) => {
        #[inline]
        fn recip(self) -> Self {
            self.chain_unary($crate::rules::recip(self.$re))
        }
        #[inline]
        fn sqrt(self) -> Self {
            self.chain_unary($crate::rules::sqrt(self.$re))
        }
        #[inline]
        fn cbrt(self) -> Self {
            self.chain_unary($crate::rules::cbrt(self.$re))
        }
        #[inline]
        fn powi(self, n: i32) -> Self {
            self.chain_unary($crate::rules::powi(self.$re, n))
        }
        #[inline]
        fn powf(self, p: F) -> Self {
            self.chain_unary($crate::rules::powf(self.$re, p))
        }
        #[inline]
        fn pow(self, p: Self) -> Self {
            self.chain_binary(p, $crate::rules::pow(self.$re, p.$re))
        }
        #[inline]
        fn exp(self) -> Self {
            self.chain_unary($crate::rules::exp(self.$re))
        }
        #[inline]
        fn exp2(self) -> Self {
            self.chain_unary($crate::rules::exp2(self.$re))
        }
        #[inline]
        fn exp_m1(self) -> Self {
            self.chain_unary($crate::rules::exp_m1(self.$re))
        }
        #[inline]
        fn ln(self) -> Self {
            self.chain_unary($crate::rules::ln(self.$re))
        }
        #[inline]
        fn ln_1p(self) -> Self {
            self.chain_unary($crate::rules::ln_1p(self.$re))
        }
        #[inline]
        fn log2(self) -> Self {
            self.chain_unary($crate::rules::log2(self.$re))
        }
        #[inline]
        fn log10(self) -> Self {
            self.chain_unary($crate::rules::log10(self.$re))
        }
        #[inline]
        fn log(self, base: F) -> Self {
            self.chain_unary($crate::rules::log(self.$re, base))
        }
        #[inline]
        fn sin(self) -> Self {
            self.chain_unary($crate::rules::sin(self.$re))
        }
        #[inline]
        fn cos(self) -> Self {
            self.chain_unary($crate::rules::cos(self.$re))
        }
        #[inline]
        fn tan(self) -> Self {
            self.chain_unary($crate::rules::tan(self.$re))
        }
        #[inline]
        fn sin_cos(self) -> (Self, Self) {
            let (s, c) = self.$re.sin_cos();
            (self.chain_unary((s, c)), self.chain_unary((c, -s)))
        }
        #[inline]
        fn asin(self) -> Self {
            self.chain_unary($crate::rules::asin(self.$re))
        }
        #[inline]
        fn acos(self) -> Self {
            self.chain_unary($crate::rules::acos(self.$re))
        }
        #[inline]
        fn atan(self) -> Self {
            self.chain_unary($crate::rules::atan(self.$re))
        }
        #[inline]
        fn atan2(self, other: Self) -> Self {
            self.chain_binary(other, $crate::rules::atan2(self.$re, other.$re))
        }
        #[inline]
        fn sinh(self) -> Self {
            self.chain_unary($crate::rules::sinh(self.$re))
        }
        #[inline]
        fn cosh(self) -> Self {
            self.chain_unary($crate::rules::cosh(self.$re))
        }
        #[inline]
        fn tanh(self) -> Self {
            self.chain_unary($crate::rules::tanh(self.$re))
        }
        #[inline]
        fn asinh(self) -> Self {
            self.chain_unary($crate::rules::asinh(self.$re))
        }
        #[inline]
        fn acosh(self) -> Self {
            self.chain_unary($crate::rules::acosh(self.$re))
        }
        #[inline]
        fn atanh(self) -> Self {
            self.chain_unary($crate::rules::atanh(self.$re))
        }
        #[inline]
        fn abs(self) -> Self {
            self.chain_unary($crate::rules::abs(self.$re))
        }
        #[inline]
        fn signum(self) -> Self {
            self.chain_unary($crate::rules::signum(self.$re))
        }
        #[inline]
        fn min(self, other: Self) -> Self {
            self.chain_binary(other, $crate::rules::min(self.$re, other.$re))
        }
        #[inline]
        fn max(self, other: Self) -> Self {
            self.chain_binary(other, $crate::rules::max(self.$re, other.$re))
        }
        #[inline]
        fn hypot(self, other: Self) -> Self {
            self.chain_binary(other, $crate::rules::hypot(self.$re, other.$re))
        }
        #[inline]
        fn mul_add(self, a: Self, b: Self) -> Self {
            self * a + b
        }
        #[inline]
        fn sigmoid(self) -> Self {
            self.chain_unary($crate::rules::sigmoid(self.$re))
        }
        #[inline]
        fn softplus(self) -> Self {
            self.chain_unary($crate::rules::softplus(self.$re))
        }
        #[inline]
        fn relu(self) -> Self {
            self.chain_unary($crate::rules::relu(self.$re))
        }
        #[inline]
        fn erf(self) -> Self {
            self.chain_unary($crate::rules::erf(self.$re))
        }
    };
}

/// Writes, for a generic number type `$ty<T, ...>` with primal field `$re`:
/// comparisons by primal value (with itself and with `F`), `Sum`/`Product`, the assignment operators
/// in terms of the binary ones, and `Default` (zero).
#[macro_export]
macro_rules! forward_number_boilerplate {
    ([$($gen:tt)*] [$($fgen:tt)*] $ty:ty, $re:ident) => {
        impl<$($gen)*> PartialEq for $ty {
            /// Compares primal values only (as `<` does).
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.$re == other.$re
            }
        }
        impl<$($gen)*> PartialOrd for $ty {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                self.$re.partial_cmp(&other.$re)
            }
        }
        impl<$($fgen)*> PartialEq<F> for $ty {
            #[inline]
            fn eq(&self, other: &F) -> bool {
                self.$re == *other
            }
        }
        impl<$($fgen)*> PartialOrd<F> for $ty {
            #[inline]
            fn partial_cmp(&self, other: &F) -> Option<std::cmp::Ordering> {
                self.$re.partial_cmp(other)
            }
        }
        impl<$($gen)*> Default for $ty {
            #[inline]
            fn default() -> Self {
                <Self as $crate::Number>::zero()
            }
        }
        impl<$($gen)*> std::iter::Sum for $ty {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold($crate::sum_start(), |a, b| a + b)
            }
        }
        impl<'a, $($gen)*> std::iter::Sum<&'a $ty> for $ty {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold($crate::sum_start(), |a, b| a + *b)
            }
        }
        impl<$($gen)*> std::iter::Product for $ty {
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as $crate::Number>::one(), |a, b| a * b)
            }
        }
        impl<'a, $($gen)*> std::iter::Product<&'a $ty> for $ty {
            fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(<Self as $crate::Number>::one(), |a, b| a * *b)
            }
        }
        // The assignment operators are forced inline, so that `s += t` costs what `s = s + t`
        // costs. With `#[inline]` alone, LLVM keeps `add_assign` out of line as soon as a crate
        // has a few `+=` sites on a number whose operation is large once inlined (a tape
        // `Var`'s merge and record push), and the call takes `self` through memory (see
        // benches/PERFORMANCE.md, "Compound assignment").
        impl<$($gen)*> std::ops::AddAssign for $ty {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }
        impl<$($gen)*> std::ops::SubAssign for $ty {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }
        impl<$($gen)*> std::ops::MulAssign for $ty {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }
        impl<$($gen)*> std::ops::DivAssign for $ty {
            #[inline(always)]
            fn div_assign(&mut self, rhs: Self) {
                *self = *self / rhs;
            }
        }
        impl<$($fgen)*> std::ops::AddAssign<F> for $ty {
            #[inline(always)]
            fn add_assign(&mut self, rhs: F) {
                *self = *self + rhs;
            }
        }
        impl<$($fgen)*> std::ops::SubAssign<F> for $ty {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: F) {
                *self = *self - rhs;
            }
        }
        impl<$($fgen)*> std::ops::MulAssign<F> for $ty {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: F) {
                *self = *self * rhs;
            }
        }
        impl<$($fgen)*> std::ops::DivAssign<F> for $ty {
            #[inline(always)]
            fn div_assign(&mut self, rhs: F) {
                *self = *self / rhs;
            }
        }
    };
}

/// The start of every number type's `Sum`: the zero that `f64`'s own `Sum` starts from (−0 in
/// current Rust, so that a sum of −0 values is −0; +0 before), so that `iter.sum()` of a number
/// type has the value `f64`'s gives, bit for bit.
#[doc(hidden)]
#[inline]
pub fn sum_start<T: crate::Number>() -> T {
    if std::iter::empty::<f64>().sum::<f64>().is_sign_negative() {
        -T::zero()
    } else {
        T::zero()
    }
}

/// Writes `f64 op X` and `f32 op X` (a plain float on the left) for a number type, in terms of the
/// right-hand forms: `c + x = x + c`, `c − x = −x + c`, `c · x = x · c`, and `c / x` as the
/// quotient of the constant `c` by `x` (so that its value is the plain `c / x`, bit-identical;
/// `x.recip() · c` rounds twice).
#[macro_export]
macro_rules! float_lhs_operators {
    ([$($gen:tt)*] $ty:ty, $f:ty) => {
        impl<$($gen)*> std::ops::Add<$ty> for $f {
            type Output = $ty;
            #[inline]
            fn add(self, rhs: $ty) -> $ty {
                rhs + self
            }
        }
        impl<$($gen)*> std::ops::Sub<$ty> for $f {
            type Output = $ty;
            #[inline]
            fn sub(self, rhs: $ty) -> $ty {
                -rhs + self
            }
        }
        impl<$($gen)*> std::ops::Mul<$ty> for $f {
            type Output = $ty;
            #[inline]
            fn mul(self, rhs: $ty) -> $ty {
                rhs * self
            }
        }
        impl<$($gen)*> std::ops::Div<$ty> for $f {
            type Output = $ty;
            #[inline]
            fn div(self, rhs: $ty) -> $ty {
                <$ty as $crate::Scalar<$f>>::constant(self) / rhs
            }
        }
    };
}

//! Macros shared by every forward-mode number type (here and in `diffprog-hyperdual`).
//!
//! A forward number type implements two inherent methods,
//! `fn chain_unary(self, (value, derivative): (T, T)) -> Self` and
//! `fn chain_binary(self, other: Self, (value, d_self, d_other): (T, T, T)) -> Self`,
//! and [`scalar_elementary_functions!`] writes all of `Scalar`'s elementary functions from the rules
//! in [`rules`](crate::rules) and the one list of them,
//! [`elementary_functions!`](crate::elementary_functions). The operator macros write the `f64`/`f32` right-hand-side operators.

/// Writes the elementary functions of `Scalar` for a forward number type whose primal part is the
/// field named by `$re` (a `T: Scalar<F>`), using [`rules`](crate::rules): the list of
/// [`elementary_functions!`](crate::elementary_functions), `sin_cos` and `mul_add`, and the
/// custom primitives' methods from their rules ([`custom`](crate::custom)).
#[macro_export]
macro_rules! scalar_elementary_functions {
    ($re:ident) => {
        $crate::elementary_functions!($crate::__forward_elementary_functions!($re));
        #[inline]
        fn sin_cos(self) -> (Self, Self) {
            let (s, c) = self.$re.sin_cos();
            (self.chain_unary((s, c)), self.chain_unary((c, -s)))
        }
        #[inline]
        fn custom_unary_derivative(
            self,
            primitive: &dyn $crate::custom::UnaryPrimitive<F>,
            order: usize,
            number_type: &'static str,
        ) -> Self {
            self.chain_unary($crate::custom::unary_rule(
                primitive,
                order,
                number_type,
                self.$re,
            ))
        }
        #[inline]
        fn custom_binary_partial(
            self,
            other: Self,
            primitive: &dyn $crate::custom::BinaryPrimitive<F>,
            orders: (usize, usize),
            number_type: &'static str,
        ) -> Self {
            self.chain_binary(
                other,
                $crate::custom::binary_rule(primitive, orders, number_type, self.$re, other.$re),
            )
        }
        #[inline]
        fn mul_add(self, a: Self, b: Self) -> Self {
            self * a + b
        }
    };
}

/// The callback of [`scalar_elementary_functions!`]: one method per listed function, applying
/// its rule with `chain_unary` / `chain_binary`.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_elementary_functions {
    (
        ($re:ident)
        unary: [$($unary:ident),*],
        binary: [$($binary:ident),*],
        parametric: [$($parametric:ident($arg:ident: $ty:ty)),*],
    ) => {
        $(
            #[inline]
            fn $unary(self) -> Self {
                self.chain_unary($crate::rules::$unary(self.$re))
            }
        )*
        $(
            #[inline]
            fn $binary(self, other: Self) -> Self {
                self.chain_binary(other, $crate::rules::$binary(self.$re, other.$re))
            }
        )*
        $(
            #[inline]
            fn $parametric(self, $arg: $ty) -> Self {
                self.chain_unary($crate::rules::$parametric(self.$re, $arg))
            }
        )*
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

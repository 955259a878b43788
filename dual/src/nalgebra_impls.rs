//! nalgebra support: [`impl_nalgebra_real_field!`](crate::impl_nalgebra_real_field) makes a number
//! type a simba/nalgebra `RealField` (and `ComplexField`), so `DMatrix<Dual<f64>>` solves, inverts
//! and factorises.
//!
//! The macro is written only in terms of [`Scalar`](crate::Scalar) and [`Number`](crate::Number),
//! so every diffprog number type (here `Dual` and `DualVec`; `HyperDual` and `Var` in their crates)
//! gets the same implementation, with the same derivative rules and edge conventions as the rest
//! of the library.

/// Implements nalgebra's `RealField` and `ComplexField` (through simba), with everything they
/// require, for a number type that implements [`Scalar`](crate::Scalar).
///
/// # Invocation
///
/// ```text
/// diffprog_dual::impl_nalgebra_real_field!([generic parameters with bounds] Type);
/// diffprog_dual::impl_nalgebra_real_field!([generic parameters with bounds] Type, Primal);
/// ```
///
/// The brackets hold the `impl` generics (empty for a concrete type), and the bounds must make
/// `Type: Scalar<Primal>` hold (`Primal` is `f64` in the first form). A number type generic over
/// its components names the primal float through [`Number::Primal`](crate::Number::Primal), so
/// one invocation covers the `f64`- and `f32`-based numbers alike. Examples:
///
/// ```text
/// impl_nalgebra_real_field!([T: Scalar<<T as Number>::Primal>] Dual<T>, <T as Number>::Primal);
/// impl_nalgebra_real_field!(
///     [T: TapeElement + Scalar<<T as Number>::Primal>] Var<T>,           // diffprog-reverse
///     <T as Number>::Primal
/// );
/// impl_nalgebra_real_field!([const N: usize] ArenaHyperDual<N>);          // f64 only
/// ```
///
/// Invoke it at module level in the crate that defines `Type` (the orphan rule); the invoking
/// crate needs `nalgebra`/`simba`, `num-traits` and `approx` only through this crate (the macro
/// names them as `$crate::__nalgebra_deps::…`). Because simba's `SimdValue` has two `unsafe fn`
/// methods (implemented here with safe bodies), a crate with `#![forbid(unsafe_code)]` may invoke
/// the macro (the lint does not fire in code expanded from another crate's macro); inside
/// `diffprog-dual` itself the invocations sit in an `#[allow(unsafe_code)]` module.
///
/// # What it writes
///
/// - simba: `SimdValue` (one lane), `Field`, `ComplexField` (real: imaginary part 0,
///   `RealField = Self`), `RealField`, `SubsetOf<Self>`, and `SubsetOf<Type>` for `f32` and `f64`
///   (hence `Type: SupersetOf<f32> + SupersetOf<f64>`: a plain float converts to a constant).
/// - num-traits: `Zero`, `One`, `Num`, `Signed`, `FromPrimitive`, and the operators `%` and `%=`
///   (`x % y = x − trunc(x/y)·y`, with the quotient a constant, which is the derivative almost
///   everywhere).
/// - approx: `AbsDiffEq`, `RelativeEq`, `UlpsEq` with `Epsilon = Self`, comparing primal values.
///
/// Every function goes through the `Scalar` method of the same name, so the derivative rules and
/// edge conventions are those of [`rules`](crate::rules). Comparisons (`Zero::is_zero`,
/// `is_positive`, the approx traits) look at primal values, as `==` and `<` do, so matrix
/// algorithms take the same pivots as on `f64`. `floor`, `ceil`, `round`, `trunc` return
/// constants (derivative 0, the value almost everywhere); `fract` is `x − floor(x)`; `clamp` picks
/// a bound (and its derivative, zero for constant bounds) when outside it, as `f64::clamp` does.
///
/// Note: with both `Scalar` and nalgebra's `ComplexField`/`RealField` in scope, a method call on a
/// concrete type (`x.sin()` on a `Dual<f64>`) is ambiguous, and `Scalar::sin(x)` disambiguates.
/// Generic code that needs both is written against [`RealScalar`](crate::RealScalar).
#[macro_export]
macro_rules! impl_nalgebra_real_field {
    ([$($gen:tt)*] $ty:ty) => {
        $crate::impl_nalgebra_real_field!([$($gen)*] $ty, f64);
    };
    ([$($gen:tt)*] $ty:ty, $f:ty) => {
        const _: () = {
            use $crate::__nalgebra_deps::{approx, num_traits, simba};

            // ---------------------------------------------------------------- num-traits
            impl<$($gen)*> num_traits::Zero for $ty {
                #[inline(always)]
                fn zero() -> Self {
                    <$ty as $crate::Number>::zero()
                }
                /// True when the primal value is zero (as `==` compares).
                #[inline(always)]
                fn is_zero(&self) -> bool {
                    <$ty as $crate::Scalar<$f>>::value(self) == <$f as num_traits::Zero>::zero()
                }
            }
            impl<$($gen)*> num_traits::One for $ty {
                #[inline(always)]
                fn one() -> Self {
                    <$ty as $crate::Number>::one()
                }
            }
            impl<$($gen)*> std::ops::Rem for $ty {
                type Output = Self;
                /// `x − trunc(x/y)·y`, the quotient taken as a constant.
                #[inline]
                fn rem(self, rhs: Self) -> Self {
                    let q = num_traits::Float::trunc(
                        <$ty as $crate::Scalar<$f>>::value(&self)
                            / <$ty as $crate::Scalar<$f>>::value(&rhs),
                    );
                    self - rhs * q
                }
            }
            impl<$($gen)*> std::ops::RemAssign for $ty {
                #[inline]
                fn rem_assign(&mut self, rhs: Self) {
                    *self = *self % rhs;
                }
            }
            impl<$($gen)*> num_traits::Num for $ty {
                type FromStrRadixErr = <$f as num_traits::Num>::FromStrRadixErr;
                fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                    <$f as num_traits::Num>::from_str_radix(s, radix)
                        .map(<$ty as $crate::Scalar<$f>>::constant)
                }
            }
            impl<$($gen)*> num_traits::Signed for $ty {
                #[inline]
                fn abs(&self) -> Self {
                    <$ty as $crate::Scalar<$f>>::abs(*self)
                }
                #[inline]
                fn abs_sub(&self, other: &Self) -> Self {
                    if *self <= *other {
                        <$ty as $crate::Number>::zero()
                    } else {
                        *self - *other
                    }
                }
                #[inline]
                fn signum(&self) -> Self {
                    <$ty as $crate::Scalar<$f>>::signum(*self)
                }
                #[inline]
                fn is_positive(&self) -> bool {
                    <$ty as $crate::Scalar<$f>>::value(self) > <$f as num_traits::Zero>::zero()
                }
                #[inline]
                fn is_negative(&self) -> bool {
                    <$ty as $crate::Scalar<$f>>::value(self) < <$f as num_traits::Zero>::zero()
                }
            }
            impl<$($gen)*> num_traits::FromPrimitive for $ty {
                #[inline]
                fn from_i64(n: i64) -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::from_f64(n as f64))
                }
                #[inline]
                fn from_u64(n: u64) -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::from_f64(n as f64))
                }
                #[inline]
                fn from_f32(n: f32) -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::from_f64(n as f64))
                }
                #[inline]
                fn from_f64(n: f64) -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::from_f64(n))
                }
            }

            // ---------------------------------------------------------------- approx
            impl<$($gen)*> approx::AbsDiffEq for $ty {
                type Epsilon = Self;
                #[inline]
                fn default_epsilon() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as approx::AbsDiffEq>::default_epsilon())
                }
                #[inline]
                fn abs_diff_eq(&self, other: &Self, epsilon: Self) -> bool {
                    <$f as approx::AbsDiffEq>::abs_diff_eq(
                        &<$ty as $crate::Scalar<$f>>::value(self),
                        &<$ty as $crate::Scalar<$f>>::value(other),
                        <$ty as $crate::Scalar<$f>>::value(&epsilon),
                    )
                }
            }
            impl<$($gen)*> approx::RelativeEq for $ty {
                #[inline]
                fn default_max_relative() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as approx::RelativeEq>::default_max_relative())
                }
                #[inline]
                fn relative_eq(&self, other: &Self, epsilon: Self, max_relative: Self) -> bool {
                    <$f as approx::RelativeEq>::relative_eq(
                        &<$ty as $crate::Scalar<$f>>::value(self),
                        &<$ty as $crate::Scalar<$f>>::value(other),
                        <$ty as $crate::Scalar<$f>>::value(&epsilon),
                        <$ty as $crate::Scalar<$f>>::value(&max_relative),
                    )
                }
            }
            impl<$($gen)*> approx::UlpsEq for $ty {
                #[inline]
                fn default_max_ulps() -> u32 {
                    <$f as approx::UlpsEq>::default_max_ulps()
                }
                #[inline]
                fn ulps_eq(&self, other: &Self, epsilon: Self, max_ulps: u32) -> bool {
                    <$f as approx::UlpsEq>::ulps_eq(
                        &<$ty as $crate::Scalar<$f>>::value(self),
                        &<$ty as $crate::Scalar<$f>>::value(other),
                        <$ty as $crate::Scalar<$f>>::value(&epsilon),
                        max_ulps,
                    )
                }
            }

            // ---------------------------------------------------------------- simba: subsets
            impl<$($gen)*> simba::scalar::SubsetOf<$ty> for $ty {
                #[inline(always)]
                fn to_superset(&self) -> Self {
                    *self
                }
                #[inline(always)]
                fn from_superset_unchecked(element: &Self) -> Self {
                    *element
                }
                #[inline(always)]
                fn is_in_subset(_: &Self) -> bool {
                    true
                }
            }
            impl<$($gen)*> simba::scalar::SubsetOf<$ty> for f64 {
                /// The constant with this value.
                #[inline(always)]
                fn to_superset(&self) -> $ty {
                    <$ty as $crate::Scalar<$f>>::from_f64(*self)
                }
                /// The primal value (derivative parts are dropped).
                #[inline(always)]
                fn from_superset_unchecked(element: &$ty) -> f64 {
                    $crate::Real::to_f64(<$ty as $crate::Scalar<$f>>::value(element))
                }
                #[inline(always)]
                fn is_in_subset(_: &$ty) -> bool {
                    true
                }
            }
            impl<$($gen)*> simba::scalar::SubsetOf<$ty> for f32 {
                /// The constant with this value.
                #[inline(always)]
                fn to_superset(&self) -> $ty {
                    <$ty as $crate::Scalar<$f>>::from_f64(*self as f64)
                }
                /// The primal value, rounded (derivative parts are dropped).
                #[inline(always)]
                fn from_superset_unchecked(element: &$ty) -> f32 {
                    $crate::Real::to_f64(<$ty as $crate::Scalar<$f>>::value(element)) as f32
                }
                #[inline(always)]
                fn is_in_subset(_: &$ty) -> bool {
                    true
                }
            }

            // ---------------------------------------------------------------- simba: one SIMD lane
            impl<$($gen)*> simba::simd::SimdValue for $ty {
                const LANES: usize = 1;
                type Element = Self;
                type SimdBool = bool;
                #[inline(always)]
                fn splat(val: Self) -> Self {
                    val
                }
                #[inline(always)]
                fn extract(&self, _: usize) -> Self {
                    *self
                }
                #[inline(always)]
                unsafe fn extract_unchecked(&self, _: usize) -> Self {
                    *self
                }
                #[inline(always)]
                fn replace(&mut self, _: usize, val: Self) {
                    *self = val
                }
                #[inline(always)]
                unsafe fn replace_unchecked(&mut self, _: usize, val: Self) {
                    *self = val
                }
                #[inline(always)]
                fn select(self, cond: bool, other: Self) -> Self {
                    if cond {
                        self
                    } else {
                        other
                    }
                }
            }
            impl<$($gen)*> simba::scalar::Field for $ty {}

            // ---------------------------------------------------------------- simba: ComplexField
            impl<$($gen)*> simba::scalar::ComplexField for $ty {
                type RealField = Self;
                #[inline(always)]
                fn from_real(re: Self) -> Self {
                    re
                }
                #[inline(always)]
                fn real(self) -> Self {
                    self
                }
                #[inline(always)]
                fn imaginary(self) -> Self {
                    <$ty as $crate::Number>::zero()
                }
                #[inline]
                fn modulus(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::abs(self)
                }
                #[inline]
                fn modulus_squared(self) -> Self {
                    self * self
                }
                #[inline]
                fn argument(self) -> Self {
                    // arg of a real number: 0 for x ≥ 0, π for x < 0 (a constant either way).
                    if <$ty as $crate::Scalar<$f>>::value(&self) < <$f as num_traits::Zero>::zero() {
                        <$ty as $crate::Scalar<$f>>::from_f64(std::f64::consts::PI)
                    } else {
                        <$ty as $crate::Number>::zero()
                    }
                }
                #[inline]
                fn norm1(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::abs(self)
                }
                #[inline(always)]
                fn scale(self, factor: Self) -> Self {
                    self * factor
                }
                #[inline(always)]
                fn unscale(self, factor: Self) -> Self {
                    self / factor
                }
                #[inline]
                fn floor(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(
                        num_traits::Float::floor(<$ty as $crate::Scalar<$f>>::value(&self)),
                    )
                }
                #[inline]
                fn ceil(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(
                        num_traits::Float::ceil(<$ty as $crate::Scalar<$f>>::value(&self)),
                    )
                }
                #[inline]
                fn round(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(
                        num_traits::Float::round(<$ty as $crate::Scalar<$f>>::value(&self)),
                    )
                }
                #[inline]
                fn trunc(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(
                        num_traits::Float::trunc(<$ty as $crate::Scalar<$f>>::value(&self)),
                    )
                }
                #[inline]
                fn fract(self) -> Self {
                    let fl = num_traits::Float::floor(<$ty as $crate::Scalar<$f>>::value(&self));
                    self - fl
                }
                #[inline]
                fn mul_add(self, a: Self, b: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::mul_add(self, a, b)
                }
                #[inline]
                fn abs(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::abs(self)
                }
                #[inline]
                fn hypot(self, other: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::hypot(self, other)
                }
                #[inline]
                fn recip(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::recip(self)
                }
                #[inline(always)]
                fn conjugate(self) -> Self {
                    self
                }
                #[inline]
                fn sin(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::sin(self)
                }
                #[inline]
                fn cos(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::cos(self)
                }
                #[inline]
                fn sin_cos(self) -> (Self, Self) {
                    <$ty as $crate::Scalar<$f>>::sin_cos(self)
                }
                #[inline]
                fn tan(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::tan(self)
                }
                #[inline]
                fn asin(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::asin(self)
                }
                #[inline]
                fn acos(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::acos(self)
                }
                #[inline]
                fn atan(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::atan(self)
                }
                #[inline]
                fn sinh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::sinh(self)
                }
                #[inline]
                fn cosh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::cosh(self)
                }
                #[inline]
                fn tanh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::tanh(self)
                }
                #[inline]
                fn asinh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::asinh(self)
                }
                #[inline]
                fn acosh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::acosh(self)
                }
                #[inline]
                fn atanh(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::atanh(self)
                }
                #[inline]
                fn log(self, base: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::ln(self) / <$ty as $crate::Scalar<$f>>::ln(base)
                }
                #[inline]
                fn log2(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::log2(self)
                }
                #[inline]
                fn log10(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::log10(self)
                }
                #[inline]
                fn ln(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::ln(self)
                }
                #[inline]
                fn ln_1p(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::ln_1p(self)
                }
                #[inline]
                fn sqrt(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::sqrt(self)
                }
                #[inline]
                fn exp(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::exp(self)
                }
                #[inline]
                fn exp2(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::exp2(self)
                }
                #[inline]
                fn exp_m1(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::exp_m1(self)
                }
                #[inline]
                fn powi(self, n: i32) -> Self {
                    <$ty as $crate::Scalar<$f>>::powi(self, n)
                }
                #[inline]
                fn powf(self, n: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::pow(self, n)
                }
                #[inline]
                fn powc(self, n: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::pow(self, n)
                }
                #[inline]
                fn cbrt(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::cbrt(self)
                }
                #[inline]
                fn is_finite(&self) -> bool {
                    num_traits::Float::is_finite(<$ty as $crate::Scalar<$f>>::value(self))
                }
                #[inline]
                fn try_sqrt(self) -> Option<Self> {
                    if <$ty as $crate::Scalar<$f>>::value(&self) >= <$f as num_traits::Zero>::zero() {
                        Some(<$ty as $crate::Scalar<$f>>::sqrt(self))
                    } else {
                        None
                    }
                }
                #[inline]
                fn signum(self) -> Self {
                    <$ty as $crate::Scalar<$f>>::signum(self)
                }
            }

            // ---------------------------------------------------------------- simba: RealField
            impl<$($gen)*> simba::scalar::RealField for $ty {
                #[inline]
                fn is_sign_positive(&self) -> bool {
                    num_traits::Float::is_sign_positive(<$ty as $crate::Scalar<$f>>::value(self))
                }
                #[inline]
                fn is_sign_negative(&self) -> bool {
                    num_traits::Float::is_sign_negative(<$ty as $crate::Scalar<$f>>::value(self))
                }
                #[inline]
                fn copysign(self, sign: Self) -> Self {
                    let a = <$ty as $crate::Scalar<$f>>::abs(self);
                    if num_traits::Float::is_sign_positive(<$ty as $crate::Scalar<$f>>::value(&sign)) {
                        a
                    } else {
                        -a
                    }
                }
                #[inline]
                fn max(self, other: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::max(self, other)
                }
                #[inline]
                fn min(self, other: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::min(self, other)
                }
                #[inline]
                fn clamp(self, min: Self, max: Self) -> Self {
                    if self < min {
                        min
                    } else if self > max {
                        max
                    } else {
                        self
                    }
                }
                #[inline]
                fn atan2(self, other: Self) -> Self {
                    <$ty as $crate::Scalar<$f>>::atan2(self, other)
                }
                #[inline]
                fn min_value() -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::Float>::min_value()))
                }
                #[inline]
                fn max_value() -> Option<Self> {
                    Some(<$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::Float>::max_value()))
                }
                #[inline]
                fn pi() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::PI())
                }
                #[inline]
                fn two_pi() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::TAU())
                }
                #[inline]
                fn frac_pi_2() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_PI_2())
                }
                #[inline]
                fn frac_pi_3() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_PI_3())
                }
                #[inline]
                fn frac_pi_4() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_PI_4())
                }
                #[inline]
                fn frac_pi_6() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_PI_6())
                }
                #[inline]
                fn frac_pi_8() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_PI_8())
                }
                #[inline]
                fn frac_1_pi() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_1_PI())
                }
                #[inline]
                fn frac_2_pi() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_2_PI())
                }
                #[inline]
                fn frac_2_sqrt_pi() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::FRAC_2_SQRT_PI())
                }
                #[inline]
                fn e() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::E())
                }
                #[inline]
                fn log2_e() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::LOG2_E())
                }
                #[inline]
                fn log10_e() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::LOG10_E())
                }
                #[inline]
                fn ln_2() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::LN_2())
                }
                #[inline]
                fn ln_10() -> Self {
                    <$ty as $crate::Scalar<$f>>::constant(<$f as num_traits::FloatConst>::LN_10())
                }
            }
        };
    };
}

#[allow(unsafe_code)] // simba's SimdValue has two `unsafe fn`s; the macro implements them safely.
mod impls {
    use crate::{Dual, DualVec, Scalar};

    use crate::Number;

    crate::impl_nalgebra_real_field!(
        [T: Scalar<<T as Number>::Primal>] Dual<T>,
        <T as Number>::Primal
    );
    crate::impl_nalgebra_real_field!(
        [T: Scalar<<T as Number>::Primal>, const N: usize] DualVec<T, N>,
        <T as Number>::Primal
    );
}

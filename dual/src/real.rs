//! The primal floating-point types a [`Scalar`](crate::Scalar) is built on: `f32` and `f64`.

use std::fmt::{Debug, Display, LowerExp};
use std::iter::{Product, Sum};

/// A primal floating-point type: `f64` or `f32`.
///
/// Every number type in diffprog has one: it is the type of its [`value`](crate::Scalar::value) and
/// the type of the plain constants it combines with (`x * 2.0`). The trait is sealed; only `f32` and
/// `f64` implement it.
pub trait Real:
    num_traits::Float
    + approx::AbsDiffEq<Epsilon = Self>
    + approx::RelativeEq
    + approx::UlpsEq
    + num_traits::FloatConst
    + num_traits::NumAssign
    + Debug
    + Display
    + LowerExp
    + Default
    + Send
    + Sync
    + Sum
    + Product
    + 'static
    + sealed::Sealed
{
    /// Converts an `f64` constant to this type (rounding for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact for both types).
    fn to_f64(self) -> f64;
    /// The error function (from `libm`).
    fn erf(self) -> Self;
    /// The complementary error function 1 − erf (from `libm`; accurate where erf is near 1).
    fn erfc(self) -> Self;
    /// `(eˣ, eˣ − 1)` for `x ≤ 0` (NaN for NaN): the vectorisable kernel of the slice rules
    /// ([`rules::sigmoid_slice`](crate::rules::sigmoid_slice), ...); not meant for `x > 0`.
    #[doc(hidden)]
    fn exp_and_exp_m1_nonpositive(self) -> (Self, Self);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl Real for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn erf(self) -> Self {
        libm::erf(self)
    }
    #[inline]
    fn erfc(self) -> Self {
        libm::erfc(self)
    }
    #[inline(always)]
    fn exp_and_exp_m1_nonpositive(self) -> (Self, Self) {
        crate::rules::slices::exp_kernel_f64(self)
    }
}

impl Real for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline]
    fn erf(self) -> Self {
        libm::erff(self)
    }
    #[inline]
    fn erfc(self) -> Self {
        libm::erfcf(self)
    }
    #[inline(always)]
    fn exp_and_exp_m1_nonpositive(self) -> (Self, Self) {
        crate::rules::slices::exp_kernel_f32(self)
    }
}

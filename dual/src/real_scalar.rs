//! [`RealScalar`]: the one bound for generic code that also calls nalgebra.

use crate::custom::{BinaryPrimitive, UnaryPrimitive};
use crate::{Real, Scalar};
use nalgebra::RealField;
use std::iter::{Product, Sum};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Sub, SubAssign};

/// A differentiable number that is also an nalgebra [`RealField`]: the bound for generic code that
/// factorises, solves or inverts matrices of its numbers (`cholesky()`, `lu()`, `qr()`,
/// `try_inverse()`, `determinant()`).
///
/// Every diffprog number type is both a [`Scalar`] and a `RealField` (`f64`, `f32`, [`Dual`],
/// [`DualVec`] and the number types of the other diffprog crates, `f32`-based ones included), and
/// every type that is both is a `RealScalar` (a blanket implementation). So a function written
/// against `T: RealScalar` runs in plain `f64` and differentiates in every mode, exactly as a
/// `T: Scalar` function does:
///
/// ```
/// use diffprog_dual::{gradient, RealScalar};
/// use nalgebra::DMatrix;
///
/// /// log det A of a symmetric positive definite A, through its Cholesky factor L:
/// /// log det A = 2 Σ log Lᵢᵢ.
/// fn log_det<T: RealScalar>(a: &DMatrix<T>) -> T {
///     let l = a.clone().cholesky().expect("A is positive definite").l();
///     l.diagonal().iter().map(|d| d.ln()).sum::<T>() * 2.0
/// }
///
/// /// A = [[x₀, 1], [1, x₁]]: log det A = ln(x₀x₁ − 1).
/// fn f<T: RealScalar>(x: &[T]) -> T {
///     log_det(&DMatrix::from_row_slice(2, 2, &[x[0], T::one(), T::one(), x[1]]))
/// }
///
/// assert!((f(&[2.0, 3.0]) - 5.0_f64.ln()).abs() < 1e-15); // plain f64
/// // gradient (x₁, x₀) / (x₀x₁ − 1)
/// let (value, grad) = gradient(f, &[2.0, 3.0]);
/// assert!((value - 5.0_f64.ln()).abs() < 1e-15);
/// assert!((grad[0] - 3.0 / 5.0).abs() < 1e-15 && (grad[1] - 2.0 / 5.0).abs() < 1e-15);
/// ```
///
/// # Why a second trait
///
/// `Scalar` and nalgebra's `ComplexField`/`RealField` both name the elementary functions
/// (`ln`, `sin`, `sqrt`, …), and num-traits' `Zero` and diffprog's `Number` both name `zero`. A
/// function bounded by both, `T: Scalar + RealField`, therefore cannot call `d.ln()` or
/// `T::zero()` — Rust reports the call as ambiguous (E0034):
///
/// ```compile_fail,E0034
/// use diffprog_dual::Scalar;
/// use nalgebra::RealField;
///
/// fn half_log<T: Scalar + RealField>(d: T) -> T {
///     d.ln() * 0.5 // error[E0034]: multiple applicable items in scope
/// }
/// ```
///
/// `RealScalar` has nalgebra's traits as its supertraits and adds only what they lack, under names
/// they do not use, so every method call is plain:
///
/// - the elementary functions, `zero`/`one`, `abs`, `min`/`max`, `atan2`, `powi`, the constants
///   (`T::pi()`) and the conversions come from nalgebra's `ComplexField`/`RealField` and
///   num-traits; they take and return `T`, so `x.powf(T::constant(2.5))` raises to a constant
///   power;
/// - [`constant`](RealScalarMethods::constant), [`value`](RealScalarMethods::value), the
///   activation functions ([`sigmoid`](RealScalarMethods::sigmoid),
///   [`relu`](RealScalarMethods::relu), …), [`erf`](RealScalarMethods::erf) and the wide
///   primitives ([`dot`](RealScalarMethods::dot), [`logsumexp`](RealScalarMethods::logsumexp),
///   [`sum_of`](RealScalarMethods::sum_of)) and the custom primitives
///   ([`custom_unary`](RealScalarMethods::custom_unary)) come from its supertrait [`RealScalarMethods`],
///   whose methods generic code calls without importing it;
/// - `+ - * /` with a plain float on the right (`x * 2.0`) and comparisons with one (`x > 0.0`), as
///   for `Scalar`.
///
/// Every function runs through the same derivative rules as the `Scalar` method of the same name.
///
/// # Calling `Scalar` code
///
/// A `RealScalar` function can call a function written against `Scalar`:
/// [`into_scalar`](RealScalarMethods::into_scalar) gives the same number as a `Scalar` (it is the
/// same type; the conversion is free) and [`from_scalar`](RealScalarMethods::from_scalar) takes it back.
///
/// ```
/// use diffprog_dual::{derivative, RealScalar, Scalar};
///
/// fn softsign<T: Scalar>(x: T) -> T {
///     x / (x.abs() + 1.0)
/// }
/// fn uses_both<T: RealScalar>(x: T) -> T {
///     T::from_scalar(softsign(x.into_scalar())) + x.sin()
/// }
/// let (value, slope) = derivative(uses_both, 1.0);
/// assert_eq!(value, 0.5 + 1.0_f64.sin());
/// assert!((slope - (0.25 + 1.0_f64.cos())).abs() < 1e-15);
/// ```
///
/// [`Dual`]: crate::Dual
/// [`DualVec`]: crate::DualVec
pub trait RealScalar<F: Real = f64>:
    RealField
    + Copy
    + PartialEq<F>
    + PartialOrd<F>
    + Add<F, Output = Self>
    + Sub<F, Output = Self>
    + Mul<F, Output = Self>
    + Div<F, Output = Self>
    + AddAssign<F>
    + SubAssign<F>
    + MulAssign<F>
    + DivAssign<F>
    + Sum
    + Product
    + RealScalarMethods<F>
{
}

impl<F: Real, T: Scalar<F> + RealField> RealScalar<F> for T {}

/// The methods [`RealScalar`] adds to nalgebra's traits, under names those do not use.
///
/// A separate trait so that importing `RealScalar` (for a bound) brings no method names into
/// scope: with `Scalar` imported too, `Dual::constant(1.0)` and `x.value()` on a concrete number
/// stay unambiguous. Generic code bounded by `RealScalar` calls these methods without importing
/// anything.
pub trait RealScalarMethods<F: Real = f64>: Sized {
    /// The same number seen as a [`Scalar`] (the type itself).
    type AsScalar: Scalar<F>;

    /// This number as a [`Scalar`], to pass to `Scalar`-generic code (no conversion happens).
    fn into_scalar(self) -> Self::AsScalar;
    /// The inverse of [`into_scalar`](RealScalarMethods::into_scalar).
    fn from_scalar(x: Self::AsScalar) -> Self;

    /// A constant: the given value with every derivative part zero ([`Scalar::constant`]).
    ///
    /// ```
    /// use diffprog_dual::{Dual, RealScalar};
    ///
    /// fn shifted<T: RealScalar>(x: T) -> T {
    ///     T::constant(1.5) - x
    /// }
    /// assert_eq!(shifted(Dual::new(1.0, 1.0)), Dual::new(0.5, -1.0));
    /// ```
    fn constant(value: F) -> Self;
    /// The primal value ([`Scalar::value`]).
    fn value(&self) -> F;
    /// The logistic function 1 / (1 + e⁻ˣ) ([`Scalar::sigmoid`]).
    fn sigmoid(self) -> Self;
    /// ln(1 + eˣ) ([`Scalar::softplus`]).
    fn softplus(self) -> Self;
    /// max(x, 0) ([`Scalar::relu`]).
    fn relu(self) -> Self;
    /// The error function ([`Scalar::erf`]).
    fn erf(self) -> Self;
    /// The complementary error function 1 − erf ([`Scalar::erfc`]).
    fn erfc(self) -> Self;
    /// The Gaussian error linear unit x·Φ(x) ([`Scalar::gelu`]).
    fn gelu(self) -> Self;
    /// Σ aᵢ bᵢ as one primitive where the number type has one ([`Scalar::dot`]).
    fn dot(a: &[Self], b: &[Self]) -> Self;
    /// ln Σ exp(xᵢ), overflow-free ([`Scalar::logsumexp`]).
    fn logsumexp(xs: &[Self]) -> Self;
    /// Σᵢ term(i) for i < n, as one primitive where the number type has one ([`Scalar::sum_of`]).
    fn sum_of(n: usize, term: impl FnMut(usize) -> Self) -> Self;
    /// A user-defined primitive of one variable ([`Scalar::custom_unary`]).
    fn custom_unary(self, primitive: &dyn UnaryPrimitive<F>) -> Self;
    /// A user-defined primitive of two variables ([`Scalar::custom_binary`]).
    fn custom_binary(self, primitive: &dyn BinaryPrimitive<F>, other: Self) -> Self;
}

impl<F: Real, T: Scalar<F>> RealScalarMethods<F> for T {
    type AsScalar = T;

    #[inline(always)]
    fn into_scalar(self) -> T {
        self
    }
    #[inline(always)]
    fn from_scalar(x: T) -> Self {
        x
    }
    #[inline(always)]
    fn constant(value: F) -> Self {
        <T as Scalar<F>>::constant(value)
    }
    #[inline(always)]
    fn value(&self) -> F {
        <T as Scalar<F>>::value(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        <T as Scalar<F>>::sigmoid(self)
    }
    #[inline(always)]
    fn softplus(self) -> Self {
        <T as Scalar<F>>::softplus(self)
    }
    #[inline(always)]
    fn relu(self) -> Self {
        <T as Scalar<F>>::relu(self)
    }
    #[inline(always)]
    fn erf(self) -> Self {
        <T as Scalar<F>>::erf(self)
    }
    #[inline(always)]
    fn erfc(self) -> Self {
        <T as Scalar<F>>::erfc(self)
    }
    #[inline(always)]
    fn gelu(self) -> Self {
        <T as Scalar<F>>::gelu(self)
    }
    #[inline(always)]
    fn dot(a: &[Self], b: &[Self]) -> Self {
        <T as Scalar<F>>::dot(a, b)
    }
    #[inline(always)]
    fn logsumexp(xs: &[Self]) -> Self {
        <T as Scalar<F>>::logsumexp(xs)
    }
    #[inline(always)]
    fn sum_of(n: usize, term: impl FnMut(usize) -> Self) -> Self {
        <T as Scalar<F>>::sum_of(n, term)
    }
    #[inline(always)]
    fn custom_unary(self, primitive: &dyn UnaryPrimitive<F>) -> Self {
        <T as Scalar<F>>::custom_unary(self, primitive)
    }
    #[inline(always)]
    fn custom_binary(self, primitive: &dyn BinaryPrimitive<F>, other: Self) -> Self {
        <T as Scalar<F>>::custom_binary(self, primitive, other)
    }
}

//! The [`Scalar`] trait: what generic numeric code is written against.

use crate::custom::{BinaryPrimitive, UnaryPrimitive};
use crate::Real;
use std::any::type_name;
use std::fmt::{Debug, Display};
use std::iter::{Product, Sum};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A number that generic, differentiable code is written against.
///
/// Write a function once as `fn f<T: Scalar>(x: &[T]) -> T` and every mode of automatic
/// differentiation can run it: `f64` evaluates it, [`Dual`](crate::Dual) and
/// [`DualVec`](crate::DualVec) differentiate it forward, and the other diffprog crates add
/// second-order numbers and a reverse-mode `Var`.
///
/// The parameter `F` is the primal float (`f64` by default, or `f32`): the type of
/// [`value`](Scalar::value) and of plain constants. Code for `f32` numbers is written against
/// `T: Scalar<f32>`.
///
/// What a `T: Scalar` offers, with no casts:
/// - `+ - * /` between two `T`s and with an `F` on the right (`x * 2.0 + 1.0`), the compound
///   assignments, unary `-`, [`Sum`] and [`Product`];
/// - [`zero`](Number::zero), [`one`](Number::one), [`constant`](Scalar::constant);
/// - comparisons `< > <= >=` and `==` by primal value, with another `T` or with an `F`, so branches
///   work as on floats and record the path taken;
/// - the elementary functions, each with an exact derivative rule (see [`rules`](crate::rules)).
///
/// **Constants on the left** (`2.0 * x`, `1.0 - x`, `d / x`) cannot compile for a generic `T`:
/// Rust would need `impl Mul<T> for f64` for every `T`, which a library cannot write for a type
/// parameter (the orphan rule). The concrete number types (`Dual<f64>`, `Var`, …) do accept them;
/// in generic code write the constant on the right, or lift it:
///
/// ```
/// use diffprog_dual::Scalar;
///
/// fn one_minus_twice<T: Scalar>(x: T) -> T {
///     // not `1.0 - 2.0 * x`:
///     -(x * 2.0) + 1.0 // the constant on the right
/// }
/// fn one_minus_twice_lifted<T: Scalar>(x: T) -> T {
///     T::from_f64(1.0) - T::from_f64(2.0) * x // or lifted to T
/// }
/// assert_eq!(one_minus_twice(0.25), 0.5);
/// assert_eq!(one_minus_twice_lifted(0.25), 0.5);
/// ```
///
/// ```
/// use diffprog_dual::{Scalar, derivative};
///
/// fn f<T: Scalar>(x: T) -> T {
///     let y = x * 2.0 + 1.0;
///     if y > 2.0 { y.sin() } else { y.exp() }
/// }
/// // plain evaluation
/// assert_eq!(f(1.0), 3.0_f64.sin());
/// // derivative: d/dx sin(2x + 1) = 2 cos(2x + 1)
/// let (value, slope) = derivative(f, 1.0);
/// assert_eq!(value, 3.0_f64.sin());
/// assert!((slope - 2.0 * 3.0_f64.cos()).abs() < 1e-15);
/// ```
pub trait Scalar<F: Real = f64>:
    Number
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
{
    /// A constant: the given value with every derivative part zero.
    fn constant(value: F) -> Self;
    /// The primal value (for nested numbers, the innermost value).
    fn value(&self) -> F;
    /// A constant given as an `f64` literal (rounded for `f32` numbers).
    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        Self::constant(F::from_f64(value))
    }

    /// 1/x.
    fn recip(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// x raised to an integer power.
    fn powi(self, n: i32) -> Self;
    /// x raised to a constant real power.
    fn powf(self, p: F) -> Self;
    /// x raised to a power that is itself a number (differentiated in both).
    fn pow(self, p: Self) -> Self;
    /// eˣ.
    fn exp(self) -> Self;
    /// 2ˣ.
    fn exp2(self) -> Self;
    /// eˣ − 1, accurate near 0.
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p(self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// Logarithm in a constant base.
    fn log(self, base: F) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Sine and cosine together.
    fn sin_cos(self) -> (Self, Self);
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self / other` (`self` is y).
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent.
    fn atanh(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Sign: −1, 0 or 1 (0 at ±0), NaN for NaN; derivative zero.
    fn signum(self) -> Self;
    /// The smaller of two numbers; NaN if either is NaN.
    fn min(self, other: Self) -> Self;
    /// The larger of two numbers; NaN if either is NaN.
    fn max(self, other: Self) -> Self;
    /// √(x² + y²) without overflow.
    fn hypot(self, other: Self) -> Self;
    /// `self * a + b`.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The logistic function 1 / (1 + e⁻ˣ), computed without overflow.
    fn sigmoid(self) -> Self;
    /// ln(1 + eˣ), computed without overflow.
    fn softplus(self) -> Self;
    /// max(x, 0), with derivative 0 at 0.
    fn relu(self) -> Self;
    /// The error function.
    fn erf(self) -> Self;
    /// The complementary error function 1 − erf x, accurate where erf x is near 1.
    fn erfc(self) -> Self;
    /// The GELU activation x·Φ(x) (Φ the standard normal distribution function), computed as
    /// ½·x·erfc(−x/√2); 0 at −∞.
    fn gelu(self) -> Self;

    /// A user-defined primitive of one variable, f(self), with f given by its value and
    /// derivatives on the plain float (see [`custom`](crate::custom)): one generic function
    /// differentiates in every mode.
    ///
    /// ```
    /// use diffprog_dual::custom::UnaryPrimitive;
    /// use diffprog_dual::{derivative, Scalar};
    ///
    /// /// eˣ, described by its derivatives (every order is eˣ).
    /// struct MyExp;
    /// impl UnaryPrimitive for MyExp {
    ///     fn name(&self) -> &str {
    ///         "my_exp"
    ///     }
    ///     fn derivative(&self, _order: usize, x: f64) -> Option<f64> {
    ///         Some(x.exp())
    ///     }
    /// }
    /// let (value, slope) = derivative(|x| x.custom_unary(&MyExp), 0.5);
    /// assert_eq!((value, slope), (0.5_f64.exp(), 0.5_f64.exp()));
    /// ```
    ///
    /// # Panics
    /// If the primitive lacks a derivative this number type needs (the message names it).
    #[inline]
    fn custom_unary(self, primitive: &dyn UnaryPrimitive<F>) -> Self {
        self.custom_unary_derivative(primitive, 0, type_name::<Self>())
    }
    /// A user-defined primitive of two variables, f(self, other), with f given by its value and
    /// partial derivatives on the plain float (see [`custom`](crate::custom)).
    ///
    /// ```
    /// use diffprog_dual::custom::BinaryPrimitive;
    /// use diffprog_dual::{gradient, Scalar};
    ///
    /// /// x·y, described by its partials: ∂ⁱ⁺ʲ(x·y)/∂xⁱ∂yʲ = ∂ⁱx/∂xⁱ · ∂ʲy/∂yʲ.
    /// struct Product;
    /// impl BinaryPrimitive for Product {
    ///     fn name(&self) -> &str {
    ///         "product"
    ///     }
    ///     fn partial(&self, i: usize, j: usize, x: f64, y: f64) -> Option<f64> {
    ///         // the k-th derivative of the identity at v
    ///         let identity = |k: usize, v: f64| [v, 1.0].get(k).copied().unwrap_or(0.0);
    ///         Some(identity(i, x) * identity(j, y))
    ///     }
    /// }
    /// let (value, grad) = gradient(|v: &[_]| v[0].custom_binary(&Product, v[1]), &[2.0, 3.0]);
    /// assert_eq!((value, grad), (6.0, vec![3.0, 2.0]));
    /// ```
    ///
    /// # Panics
    /// If the primitive lacks a partial derivative this number type needs (the message names
    /// it).
    #[inline]
    fn custom_binary(self, primitive: &dyn BinaryPrimitive<F>, other: Self) -> Self {
        self.custom_binary_partial(other, primitive, (0, 0), type_name::<Self>())
    }
    /// The derivative of order `order` of a unary primitive at `self`, as a number of this type
    /// (order 0 is [`custom_unary`](Self::custom_unary)); each number type implements it from its
    /// components' derivatives of the orders `order` and up. `number_type` is the type the
    /// primitive was called on, named in the message of a missing derivative. Call
    /// [`custom_unary`](Self::custom_unary) instead.
    fn custom_unary_derivative(
        self,
        primitive: &dyn UnaryPrimitive<F>,
        order: usize,
        number_type: &'static str,
    ) -> Self;
    /// The partial derivative ∂ⁱ⁺ʲf/∂xⁱ∂yʲ (`orders` = (i, j)) of a binary primitive at
    /// `(self, other)`, as a number of this type (see
    /// [`custom_unary_derivative`](Self::custom_unary_derivative)). Call
    /// [`custom_binary`](Self::custom_binary) instead.
    fn custom_binary_partial(
        self,
        other: Self,
        primitive: &dyn BinaryPrimitive<F>,
        orders: (usize, usize),
        number_type: &'static str,
    ) -> Self;

    /// True if the primal value is NaN.
    #[inline]
    fn is_nan(&self) -> bool {
        self.value().is_nan()
    }
    /// True if the primal value is finite.
    #[inline]
    fn is_finite(&self) -> bool {
        self.value().is_finite()
    }

    /// The dot product `Σ aᵢ·bᵢ` of two slices of equal length, summed in four interleaved partial
    /// sums (term `i` into sum `i mod 4`, each from zero, then `(s₀ + s₁) + (s₂ + s₃)`): four
    /// independent additions per step instead of one dependent chain, so that a plain `f64` dot
    /// product is not bound by the latency of its additions. Every number type sums in this
    /// order, so the value is the same in every mode.
    ///
    /// Every number type computes it with that loop except the reverse-mode `Var` of
    /// `diffprog-reverse`, which records the whole product as one primitive: its partials are
    /// the other operand's values, written to the tape three operand entries per record, where
    /// the loop writes about one record per term. Write inner products of vectors of variables
    /// with it (matrix–vector products, quadratic forms) where a tape is the bottleneck.
    ///
    /// ```
    /// use diffprog_dual::{gradient, Scalar};
    ///
    /// let f = |x: &[_]| Scalar::dot(&x[..2], &x[1..]);
    /// let (value, grad) = gradient(f, &[1.0, 2.0, 3.0]);
    /// assert_eq!(value, 1.0 * 2.0 + 2.0 * 3.0);
    /// assert_eq!(grad, vec![2.0, 1.0 + 3.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// If the slices differ in length.
    #[inline]
    fn dot(a: &[Self], b: &[Self]) -> Self {
        assert_eq!(a.len(), b.len(), "dot: the slices differ in length");
        let mut s = [Self::zero(); 4];
        let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
        let (ra, rb) = (a4.remainder(), b4.remainder());
        for (x, y) in a4.zip(b4) {
            for k in 0..4 {
                s[k] += x[k] * y[k];
            }
        }
        for (k, (&x, &y)) in ra.iter().zip(rb).enumerate() {
            s[k] += x * y;
        }
        (s[0] + s[1]) + (s[2] + s[3])
    }

    /// `ln Σ exp(xᵢ)`, computed without overflow: shifted by the largest value `m` as
    /// `ln Σ exp(xᵢ − m) + m` (the shift is a constant: the derivative, the softmax of `x`, does
    /// not depend on it). An empty slice gives −∞; if `m` is ±∞ the sum is not shifted.
    ///
    /// The reverse-mode `Var` of `diffprog-reverse` records it as one primitive (the softmax
    /// as its partials, three entries per record) instead of an exponential and a sum per
    /// element.
    ///
    /// ```
    /// use diffprog_dual::{gradient, Scalar};
    ///
    /// let (value, grad) = gradient(|x: &[_]| Scalar::logsumexp(x), &[0.0, 0.0]);
    /// assert_eq!(value, 2.0_f64.ln());
    /// assert_eq!(grad, vec![0.5, 0.5]);
    /// // no overflow where exp(1000) would
    /// assert_eq!(f64::logsumexp(&[1000.0, 1000.0]), 1000.0 + 2.0_f64.ln());
    /// ```
    #[inline]
    fn logsumexp(xs: &[Self]) -> Self {
        let m = xs
            .iter()
            .map(|x| x.value())
            .fold(F::neg_infinity(), |m, v| if v > m { v } else { m });
        let shift = if m.is_finite() { m } else { F::zero() };
        let mut s = Self::zero();
        for &x in xs {
            s += (x - shift).exp();
        }
        s.ln() + shift
    }

    /// `Σ term(i)` for `i` in `0..n`, summed in order from zero (the same value as the loop
    /// `s += term(i)`): a sum of many terms, such as a loss over the samples of a data set.
    ///
    /// Every number type computes it with that loop except the reverse-mode `Var` of
    /// `diffprog-reverse`, which differentiates each term as soon as it is recorded (a backward
    /// sweep over the term's records alone, into the records that existed before the call),
    /// discards the term's records and keeps one primitive for the whole sum. The tape then
    /// holds the records of one term at a time instead of all of them: a sum over a large data
    /// set fits in memory (and in cache) whatever its size. The contract, for `Var`: `term`
    /// returns its term and keeps no other value it computed (those values' records are
    /// discarded: a `Var` kept from inside `term` and used after it would refer to records
    /// that no longer exist), and it creates no new variables.
    ///
    /// ```
    /// use diffprog_dual::{gradient, Scalar};
    ///
    /// // Σᵢ (x₀·tᵢ − x₁)² over the data tᵢ = i
    /// fn loss<T: Scalar>(x: &[T]) -> T {
    ///     T::sum_of(4, |i| {
    ///         let r = x[0] * i as f64 - x[1];
    ///         r * r
    ///     })
    /// }
    /// let (value, grad) = gradient(loss, &[1.0, 1.0]);
    /// assert_eq!(value, 1.0 + 0.0 + 1.0 + 4.0);
    /// assert_eq!(grad, vec![2.0 * (0.0 + 0.0 + 2.0 + 6.0), -2.0 * (-1.0 + 0.0 + 1.0 + 2.0)]);
    /// ```
    #[inline]
    fn sum_of(n: usize, mut term: impl FnMut(usize) -> Self) -> Self {
        let mut s = Self::zero();
        for i in 0..n {
            s += term(i);
        }
        s
    }
}

/// The arithmetic core of every number type, independent of the primal float: what the number
/// types need of their components. Generic user code asks for [`Scalar`], which includes it.
pub trait Number:
    Copy
    + Debug
    + Display
    + Default
    + PartialEq
    + PartialOrd
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Product
{
    /// The innermost float the number is built on: `f64` for `Dual<f64>` and `Dual<Dual<f64>>`,
    /// `f32` for `Dual<f32>`; the number's [`Scalar`] primal is this type.
    type Primal: crate::Real;
    /// The constant 0.
    fn zero() -> Self;
    /// The constant 1.
    fn one() -> Self;
    /// True when the value and every derivative part are exactly zero.
    ///
    /// (`==` compares primal values only; this looks at everything.)
    fn is_identically_zero(&self) -> bool;
    /// True when every derivative part is exactly zero, whatever the value: the number does not
    /// depend, to any order, on a variable its driver seeded. (A tape number is constant only
    /// when it is not recorded.)
    ///
    /// ```
    /// use diffprog_dual::{Dual, Number};
    ///
    /// assert!(Dual::new(3.0, 0.0).derivative_parts_are_zero());
    /// assert!(!Dual::new(3.0, 1.0).derivative_parts_are_zero());
    /// ```
    fn derivative_parts_are_zero(&self) -> bool;

    /// The product of derivative arithmetic: `self · rhs` in which an exact zero — the whole
    /// number, or any of its parts — is a *strong zero*: its product with anything, ±∞ and NaN
    /// included, is exactly zero (IEEE gives NaN for `0 · ∞`). Every mode multiplies a local
    /// partial derivative into a tangent or an adjoint with it (through [`chain`](crate::chain)),
    /// so that a term through a zero partial, or from a variable a value does not depend on,
    /// contributes nothing (see "Non-finite values" in the crate docs). Elsewhere it is `*`.
    ///
    /// ```
    /// use diffprog_dual::{Dual, Number};
    ///
    /// assert_eq!(0.0.strong_zero_mul(f64::INFINITY), 0.0);
    /// assert!(f64::NAN.strong_zero_mul(2.0).is_nan());
    /// // every part of a nested number: (0 + 1ε)·(∞ + 1ε) = 0 + ∞ε
    /// let p = Dual::new(0.0, 1.0).strong_zero_mul(Dual::new(f64::INFINITY, 1.0));
    /// assert_eq!((p.re, p.eps), (0.0, f64::INFINITY));
    /// ```
    fn strong_zero_mul(self, rhs: Self) -> Self;

    /// True when the innermost primal value is finite and not zero. Then `self * y` and
    /// `self.strong_zero_mul(y)` are equal for every `y` (a number type's `*` is the IEEE
    /// product only at the innermost primal level, and already strong elsewhere), so the
    /// operators test a factor with this once and take the plain product.
    fn has_finite_nonzero_primal(&self) -> bool;
}

macro_rules! impl_scalar_for_float {
    ($f:ty) => {
        impl Number for $f {
            type Primal = $f;
            #[inline(always)]
            fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            fn one() -> Self {
                1.0
            }
            #[inline(always)]
            fn is_identically_zero(&self) -> bool {
                *self == 0.0
            }
            #[inline(always)]
            fn derivative_parts_are_zero(&self) -> bool {
                true
            }
            #[inline(always)]
            fn strong_zero_mul(self, rhs: Self) -> Self {
                let p = self * rhs;
                // Only `0 · ±∞` and `0 · NaN` differ from IEEE: the plain product otherwise
                // (signed zeros included). Branch-free (a mask of the bits), since it sits in
                // the inner loops of the mixed mode's tapes over dual numbers.
                let strong = p.is_nan() & ((self == 0.0) | (rhs == 0.0));
                let mask = if strong { 0 } else { !0 };
                <$f>::from_bits(p.to_bits() & mask)
            }
            #[inline(always)]
            fn has_finite_nonzero_primal(&self) -> bool {
                self.is_finite() && *self != 0.0
            }
        }
        impl Scalar<$f> for $f {
            #[inline(always)]
            fn constant(value: $f) -> Self {
                value
            }
            #[inline(always)]
            fn value(&self) -> $f {
                *self
            }
            #[inline(always)]
            fn recip(self) -> Self {
                1.0 / self
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$f>::sqrt(self)
            }
            #[inline(always)]
            fn cbrt(self) -> Self {
                <$f>::cbrt(self)
            }
            #[inline(always)]
            fn powi(self, n: i32) -> Self {
                <$f>::powi(self, n)
            }
            #[inline(always)]
            fn powf(self, p: $f) -> Self {
                <$f>::powf(self, p)
            }
            #[inline(always)]
            fn pow(self, p: Self) -> Self {
                <$f>::powf(self, p)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$f>::exp(self)
            }
            #[inline(always)]
            fn exp2(self) -> Self {
                <$f>::exp2(self)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                <$f>::exp_m1(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$f>::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$f>::ln_1p(self)
            }
            #[inline(always)]
            fn log2(self) -> Self {
                <$f>::log2(self)
            }
            #[inline(always)]
            fn log10(self) -> Self {
                <$f>::log10(self)
            }
            #[inline(always)]
            fn log(self, base: $f) -> Self {
                <$f>::ln(self) / <$f>::ln(base)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$f>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$f>::cos(self)
            }
            #[inline(always)]
            fn tan(self) -> Self {
                <$f>::tan(self)
            }
            #[inline(always)]
            fn sin_cos(self) -> (Self, Self) {
                <$f>::sin_cos(self)
            }
            #[inline(always)]
            fn asin(self) -> Self {
                <$f>::asin(self)
            }
            #[inline(always)]
            fn acos(self) -> Self {
                <$f>::acos(self)
            }
            #[inline(always)]
            fn atan(self) -> Self {
                <$f>::atan(self)
            }
            #[inline(always)]
            fn atan2(self, other: Self) -> Self {
                <$f>::atan2(self, other)
            }
            #[inline(always)]
            fn sinh(self) -> Self {
                <$f>::sinh(self)
            }
            #[inline(always)]
            fn cosh(self) -> Self {
                <$f>::cosh(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                <$f>::tanh(self)
            }
            #[inline(always)]
            fn asinh(self) -> Self {
                <$f>::asinh(self)
            }
            #[inline(always)]
            fn acosh(self) -> Self {
                <$f>::acosh(self)
            }
            #[inline(always)]
            fn atanh(self) -> Self {
                <$f>::atanh(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$f>::abs(self)
            }
            #[inline(always)]
            fn signum(self) -> Self {
                if self == 0.0 {
                    0.0
                } else {
                    <$f>::signum(self)
                }
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    <$f>::NAN
                } else if other < self {
                    other
                } else {
                    self
                }
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    <$f>::NAN
                } else if other > self {
                    other
                } else {
                    self
                }
            }
            #[inline(always)]
            fn hypot(self, other: Self) -> Self {
                <$f>::hypot(self, other)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                self * a + b
            }
            #[inline(always)]
            fn sigmoid(self) -> Self {
                if self >= 0.0 {
                    1.0 / (1.0 + <$f>::exp(-self))
                } else {
                    let e = <$f>::exp(self);
                    e / (1.0 + e)
                }
            }
            #[inline(always)]
            fn softplus(self) -> Self {
                // max(x, 0) + ln(1 + e^-|x|): no overflow for large |x|.
                if self.is_nan() {
                    return self;
                }
                <$f>::max(self, 0.0) + <$f>::ln_1p(<$f>::exp(-<$f>::abs(self)))
            }
            #[inline(always)]
            fn relu(self) -> Self {
                if self <= 0.0 {
                    0.0
                } else {
                    self
                }
            }
            #[inline(always)]
            fn erf(self) -> Self {
                <$f as Real>::erf(self)
            }
            #[inline(always)]
            fn erfc(self) -> Self {
                <$f as Real>::erfc(self)
            }
            #[inline(always)]
            fn gelu(self) -> Self {
                if self == <$f>::NEG_INFINITY {
                    // x·Φ(x) → 0 (from below) as x → −∞; the formula would give −∞·0.
                    return -0.0;
                }
                0.5 * self * <$f as Real>::erfc(-self * core::f64::consts::FRAC_1_SQRT_2 as $f)
            }
            #[inline]
            fn custom_unary_derivative(
                self,
                primitive: &dyn UnaryPrimitive<$f>,
                order: usize,
                number_type: &'static str,
            ) -> Self {
                crate::custom::unary_derivative(primitive, order, self, number_type)
            }
            #[inline]
            fn custom_binary_partial(
                self,
                other: Self,
                primitive: &dyn BinaryPrimitive<$f>,
                orders: (usize, usize),
                number_type: &'static str,
            ) -> Self {
                crate::custom::binary_partial(primitive, orders, self, other, number_type)
            }
        }
    };
}

impl_scalar_for_float!(f64);
impl_scalar_for_float!(f32);

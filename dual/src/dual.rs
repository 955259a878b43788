//! [`Dual`]: a value and one tangent.

use crate::{Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A dual number `re + eps·ε` with ε² = 0: a value and its derivative along one direction.
///
/// Evaluating a function on `Dual::variable(x)` yields `f(x) + f'(x)ε`. The components are any
/// [`Scalar`], so duals nest (`Dual<Dual<f64>>` carries second derivatives); `Dual<f32>` is an
/// `f32` number (`Scalar<f32>`).
///
/// ```
/// use diffprog_dual::{Dual, Scalar};
///
/// let x = Dual::variable(2.0);
/// let y = x * x + x.sin();
/// assert_eq!(y.re, 4.0 + 2.0_f64.sin());
/// assert_eq!(y.eps, 4.0 + 2.0_f64.cos());
/// assert_eq!(format!("{}", Dual::new(2.5, 1.0)), "2.5 + 1ε");
/// assert_eq!(format!("{}", Dual::new(2.5, -1.0)), "2.5 - 1ε");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// The tangent (derivative along the seeded direction).
    pub eps: T,
}

impl<T: Number> Dual<T> {
    /// A dual number with the given value and tangent.
    #[inline(always)]
    pub fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }
    /// The independent variable at `x`: tangent 1.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::new(x, T::one())
    }
    /// A constant at the inner level: tangent 0. This is how an outer number enters an inner
    /// differentiation (see the crate docs on nesting).
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        Self::new(x, T::zero())
    }

    /// Applies a unary rule `(f(x), f'(x))` from [`rules`](crate::rules): `eps ← f'(x)·eps`.
    #[inline(always)]
    pub fn chain_unary(self, (value, derivative): (T, T)) -> Self {
        Self::new(value, chain(derivative, self.eps))
    }

    /// Applies a binary rule `(f(x, y), ∂f/∂x, ∂f/∂y)` to `self = x`, `other = y`.
    #[inline(always)]
    pub fn chain_binary(self, other: Self, (value, d_self, d_other): (T, T, T)) -> Self {
        Self::new(value, chain(d_self, self.eps) + chain(d_other, other.eps))
    }
}

/// The chain rule's product `derivative · tangent` (or `adjoint · partial`), with exact zeros
/// strong: [`Number::strong_zero_mul`]. A tangent that is exactly zero (a direction the argument
/// does not depend on) stays exactly zero even where the derivative is ±∞ or NaN, and a zero
/// derivative (a flat function, a kink's zero side) stops an infinite or NaN tangent.
///
/// ```
/// use diffprog_dual::chain;
///
/// assert_eq!(chain(f64::INFINITY, 0.0), 0.0); // √ at 0 of a constant
/// assert_eq!(chain(0.0, f64::NAN), 0.0); // signum of a NaN-tangent argument
/// assert_eq!(chain(2.0, 3.0), 6.0);
/// ```
#[inline(always)]
pub fn chain<T: Number>(derivative: T, tangent: T) -> T {
    derivative.strong_zero_mul(tangent)
}

/// True when the primal value of `x` is NaN (`==` compares primal values). A number type's `*`
/// is IEEE only at the primal level and strong elsewhere, so a `0 · ∞` in a sum of plain
/// products shows up here: the operators multiply plainly and fall back to [`chain`] only then.
#[inline(always)]
#[allow(clippy::eq_op)] // x ≠ x is the test
pub(crate) fn has_nan_primal<T: Number>(x: T) -> bool {
    x != x
}

/// True when every component of `x` is finite, tested with `Number` operations only
/// (`x − x` is exactly zero unless some component is infinite or NaN).
#[inline(always)]
#[allow(clippy::eq_op)] // x − x is the test
pub fn is_finite_number<T: Number>(x: T) -> bool {
    (x - x).is_identically_zero()
}

impl<T: Number> fmt::Display for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if std::mem::size_of::<T>() <= 8 {
            if self.eps < T::zero() {
                write!(f, "{} - {}ε", self.re, -self.eps)
            } else {
                write!(f, "{} + {}ε", self.re, self.eps)
            }
        } else {
            write!(f, "({}) + ({})ε", self.re, self.eps)
        }
    }
}

impl<T: Number> Add for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::new(self.re + rhs.re, self.eps + rhs.eps)
    }
}
impl<T: Number> Sub for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.re - rhs.re, self.eps - rhs.eps)
    }
}
impl<T: Number> Mul for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let (a, b) = (self.re, rhs.re);
        // The partials are b and a. The plain products are the chain rule's unless one is a
        // `0 · ∞` at the primal level, whose NaN survives the sum: one test of the result.
        let eps = self.eps * b + a * rhs.eps;
        let eps = if has_nan_primal(eps) {
            chain(b, self.eps) + chain(a, rhs.eps)
        } else {
            eps
        };
        Self::new(a * b, eps)
    }
}
impl<T: Number> Div for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        // The value is the plain quotient (bit-identical to evaluating on T); `inv` is
        // computed alongside (two independent divisions) for the tangent.
        let inv = T::one() / rhs.re;
        let q = self.re / rhs.re;
        // The partials are 1/b and −q/b; with q and 1/b finite and non-zero the plain
        // products are the chain rule's.
        let eps = if q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal() {
            (self.eps - q * rhs.eps) * inv
        } else {
            chain(inv, self.eps) - chain(q * inv, rhs.eps)
        };
        Self::new(q, eps)
    }
}
impl<T: Number> Neg for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::new(-self.re, -self.eps)
    }
}
impl<F: Real, T: Scalar<F>> Add<F> for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: F) -> Self {
        Self::new(self.re + rhs, self.eps)
    }
}
impl<F: Real, T: Scalar<F>> Sub<F> for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: F) -> Self {
        Self::new(self.re - rhs, self.eps)
    }
}
impl<F: Real, T: Scalar<F>> Mul<F> for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: F) -> Self {
        let eps = if rhs.is_finite() && rhs != F::zero() {
            self.eps * rhs
        } else {
            chain(T::constant(rhs), self.eps)
        };
        Self::new(self.re * rhs, eps)
    }
}
impl<F: Real, T: Scalar<F>> Div<F> for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: F) -> Self {
        // The tangent scales by 1/c; the value is the plain quotient (bit-identical).
        let mut q = self * (F::one() / rhs);
        q.re = self.re / rhs;
        q
    }
}

crate::forward_number_boilerplate!([T: Number] [F: Real, T: Scalar<F>] Dual<T>, re);
crate::float_lhs_operators!([T: Scalar<f64>] Dual<T>, f64);
crate::float_lhs_operators!([T: Scalar<f32>] Dual<T>, f32);

impl<T: Number> Number for Dual<T> {
    type Primal = T::Primal;
    #[inline(always)]
    fn zero() -> Self {
        Self::new(T::zero(), T::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Self::new(T::one(), T::zero())
    }
    #[inline(always)]
    fn is_identically_zero(&self) -> bool {
        self.re.is_identically_zero() && self.eps.is_identically_zero()
    }
    #[inline]
    fn derivative_parts_are_zero(&self) -> bool {
        self.re.derivative_parts_are_zero() && self.eps.is_identically_zero()
    }
    #[inline(always)]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        Self::new(
            self.re.strong_zero_mul(rhs.re),
            self.re.strong_zero_mul(rhs.eps) + self.eps.strong_zero_mul(rhs.re),
        )
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.re.has_finite_nonzero_primal()
    }
}

impl<F: Real, T: Scalar<F>> Scalar<F> for Dual<T> {
    #[inline(always)]
    fn constant(value: F) -> Self {
        Self::new(T::constant(value), T::zero())
    }
    #[inline(always)]
    fn value(&self) -> F {
        self.re.value()
    }
    crate::scalar_elementary_functions!(re);
}

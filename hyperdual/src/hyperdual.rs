//! [`HyperDual`]: f + f₁ε₁ + f₂ε₂ + f₁₂ε₁ε₂, exact second partials.

use diffprog_dual::{chain, rules, Dual, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Sub};

/// A hyperdual number `re + eps1·ε₁ + eps2·ε₂ + eps12·ε₁ε₂` with ε₁² = ε₂² = 0 (and ε₁ε₂ ≠ 0).
///
/// Seed one input with `eps1 = 1` and another (or the same) with `eps2 = 1`: evaluating `f` yields
/// `f`, `∂f/∂xᵢ`, `∂f/∂xⱼ` and the mixed second partial `∂²f/∂xᵢ∂xⱼ` in `eps12` — exactly, with no
/// step size and no subtractive cancellation (unlike finite differences of any kind).
///
/// The components are any [`Scalar`], so `HyperDual<Dual<f64>>` carries third partials and
/// `Dual<HyperDual<f64>>` works too.
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::HyperDual;
///
/// // f(x, y) = x²·y + sin(x·y) at (1.5, 0.5): ∂²f/∂x∂y = 2x + cos(xy) − xy·sin(xy)
/// let x = HyperDual::new(1.5, 1.0, 0.0, 0.0); // seeded in ε₁
/// let y = HyperDual::new(0.5, 0.0, 1.0, 0.0); // seeded in ε₂
/// let f = x * x * y + (x * y).sin();
/// let (a, b) = (1.5_f64, 0.5_f64);
/// assert!((f.eps12 - (2.0 * a + (a * b).cos() - a * b * (a * b).sin())).abs() < 1e-15);
/// assert!((f.eps1 - (2.0 * a * b + b * (a * b).cos())).abs() < 1e-15);
/// assert!((f.eps2 - (a * a + a * (a * b).cos())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HyperDual<T> {
    /// The value f.
    pub re: T,
    /// The ε₁ part: the derivative along the first seeded direction.
    pub eps1: T,
    /// The ε₂ part: the derivative along the second seeded direction.
    pub eps2: T,
    /// The ε₁ε₂ part: the mixed second derivative along both directions.
    pub eps12: T,
}

impl<T: Number> HyperDual<T> {
    /// A hyperdual number from its four parts.
    #[inline(always)]
    pub fn new(re: T, eps1: T, eps2: T, eps12: T) -> Self {
        HyperDual {
            re,
            eps1,
            eps2,
            eps12,
        }
    }
    /// The variable at `x` seeded in both directions (`eps1 = eps2 = 1`): `f(x)` then carries
    /// `f'` in `eps1` and `eps2` and `f''` in `eps12`.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::new(x, T::one(), T::one(), T::zero())
    }
    /// A constant at this level (every derivative part zero): how an outer number enters an inner
    /// differentiation.
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        Self::new(x, T::zero(), T::zero(), T::zero())
    }

    /// Applies a unary rule evaluated on the dual number `re + eps1·ε`:
    /// the rule returns `(f + f'·eps1·ε, f' + f''·eps1·ε)`, from which
    /// `eps12 = f'·eps12 + f''·eps1·eps2`. Both first-order parts are `f'` times the tangent (not
    /// the value's own tangent), so they agree with `Dual` also at a kink, where a rule may return
    /// an argument as its value (`max` at a tie, with derivative ½).
    #[inline(always)]
    fn unary(self, rule: impl Fn(Dual<T>) -> (Dual<T>, Dual<T>)) -> Self {
        let (v, d) = rule(Dual::new(self.re, self.eps1));
        Self::new(
            v.re,
            chain(d.re, self.eps1),
            chain(d.re, self.eps2),
            chain(d.re, self.eps12) + chain(d.eps, self.eps2),
        )
    }

    /// Applies a binary rule evaluated on the duals `x.re + x.eps1·ε`, `y.re + y.eps1·ε`: the
    /// partials come back with their ε₁-directional derivatives, which carry exactly the second
    /// partials needed for `eps12` (one rule evaluation, no 2×2 Hessian of the rule).
    #[inline(always)]
    fn binary(
        self,
        other: Self,
        rule: impl Fn(Dual<T>, Dual<T>) -> (Dual<T>, Dual<T>, Dual<T>),
    ) -> Self {
        let (v, dx, dy) = rule(
            Dual::new(self.re, self.eps1),
            Dual::new(other.re, other.eps1),
        );
        Self::new(
            v.re,
            chain(dx.re, self.eps1) + chain(dy.re, other.eps1),
            chain(dx.re, self.eps2) + chain(dy.re, other.eps2),
            chain(dx.re, self.eps12)
                + chain(dy.re, other.eps12)
                + chain(dx.eps, self.eps2)
                + chain(dy.eps, other.eps2),
        )
    }
}

impl<T: Number> fmt::Display for HyperDual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if std::mem::size_of::<T>() <= 8 {
            write!(
                f,
                "{} + {}ε₁ + {}ε₂ + {}ε₁ε₂",
                self.re, self.eps1, self.eps2, self.eps12
            )
        } else {
            write!(
                f,
                "({}) + ({})ε₁ + ({})ε₂ + ({})ε₁ε₂",
                self.re, self.eps1, self.eps2, self.eps12
            )
        }
    }
}

impl<T: Number> Add for HyperDual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: Self) -> Self {
        Self::new(
            self.re + r.re,
            self.eps1 + r.eps1,
            self.eps2 + r.eps2,
            self.eps12 + r.eps12,
        )
    }
}
impl<T: Number> Sub for HyperDual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: Self) -> Self {
        Self::new(
            self.re - r.re,
            self.eps1 - r.eps1,
            self.eps2 - r.eps2,
            self.eps12 - r.eps12,
        )
    }
}
impl<T: Number> HyperDual<T> {
    /// The parts of `self · r` by Leibniz's rule, `times` multiplying the values into the parts
    /// (the plain product or [`chain`]) and the cross term `ε₁·ε₂` by [`chain`].
    #[inline(always)]
    fn leibniz(self, r: Self, re: T, times: impl Fn(T, T) -> T) -> Self {
        let (a, b) = (self.re, r.re);
        let cross = chain(self.eps1, r.eps2) + chain(self.eps2, r.eps1);
        Self::new(
            re,
            times(self.eps1, b) + times(a, r.eps1),
            times(self.eps2, b) + times(a, r.eps2),
            times(self.eps12, b) + cross + times(a, r.eps12),
        )
    }
}

impl<T: Number> Mul for HyperDual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: Self) -> Self {
        let re = self.re * r.re;
        // The values multiply into the parts by the strong-zero rule; when a·b is finite and
        // non-zero, so are a and b, and the plain products are the same.
        if re.has_finite_nonzero_primal() {
            self.leibniz(r, re, |p, q| p * q)
        } else {
            self.leibniz(r, re, chain)
        }
    }
}
impl<T: Number> Div for HyperDual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: Self) -> Self {
        // q = a / b  ⇔  a = q·b: solve for q's parts one order at a time.
        let inv = T::one() / r.re;
        let q = self.re / r.re; // the value rounds as the f64 division does
        if q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal() {
            // q and 1/b finite and non-zero: their plain products are the chain rule's.
            let q1 = (self.eps1 - q * r.eps1) * inv;
            let q2 = (self.eps2 - q * r.eps2) * inv;
            let cross = chain(q1, r.eps2) + chain(q2, r.eps1);
            let q12 = (self.eps12 - cross - q * r.eps12) * inv;
            Self::new(q, q1, q2, q12)
        } else {
            // The partials 1/b and −q/b times the parts, as `Dual` multiplies them.
            let qi = q * inv;
            let q1 = chain(inv, self.eps1) - chain(qi, r.eps1);
            let q2 = chain(inv, self.eps2) - chain(qi, r.eps2);
            let cross = chain(q1, r.eps2) + chain(q2, r.eps1);
            let q12 = chain(inv, self.eps12 - cross) - chain(qi, r.eps12);
            Self::new(q, q1, q2, q12)
        }
    }
}
crate::macros::fixed_parts_number!(HyperDual {
    re,
    eps1,
    eps2,
    eps12
});

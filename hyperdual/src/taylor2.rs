//! [`Taylor2`]: value, first and second derivative along one direction.

use diffprog_dual::{chain, rules, Dual, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Sub};

/// A second-order Taylor number: `(f, f', f'')` of a function of one variable along one
/// direction — the cheapest number for [`second_derivative`](crate::second_derivative).
///
/// It is a [`HyperDual`](crate::HyperDual) with both directions equal, stored without the
/// duplicate part: three components instead of four, and a product costs 6 multiplications
/// instead of 9. The parts are derivatives (not Taylor coefficients f''/2), so `d2` reads off
/// directly.
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::Taylor2;
///
/// let x = Taylor2::variable(0.7);
/// let y = x.sin() * x; // (x sin x)'' = 2 cos x − x sin x
/// assert_eq!(y.re, 0.7 * 0.7_f64.sin());
/// assert!((y.d2 - (2.0 * 0.7_f64.cos() - 0.7 * 0.7_f64.sin())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Taylor2<T> {
    /// The value f.
    pub re: T,
    /// The first derivative f'.
    pub d1: T,
    /// The second derivative f''.
    pub d2: T,
}

impl<T: Number> Taylor2<T> {
    /// A number from its value and first two derivatives.
    #[inline(always)]
    pub fn new(re: T, d1: T, d2: T) -> Self {
        Taylor2 { re, d1, d2 }
    }
    /// The independent variable at `x`: `(x, 1, 0)`.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::new(x, T::one(), T::zero())
    }
    /// A constant at this level: `(x, 0, 0)`.
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        Self::new(x, T::zero(), T::zero())
    }

    /// Applies a unary rule evaluated on the dual `re + d1·ε`, which returns
    /// `(f + f'·d1·ε, f' + f''·d1·ε)`; then `(f∘u)' = f'·u'` and `(f∘u)'' = f'·u'' + f''·u'²`
    /// (the first derivative from `f'`, as `Dual` computes it, also where a rule returns an
    /// argument as its value, like `max` at a tie).
    #[inline(always)]
    fn unary(self, rule: impl Fn(Dual<T>) -> (Dual<T>, Dual<T>)) -> Self {
        let (v, d) = rule(Dual::new(self.re, self.d1));
        Self::new(
            v.re,
            chain(d.re, self.d1),
            chain(d.re, self.d2) + chain(d.eps, self.d1),
        )
    }

    /// Applies a binary rule evaluated on the duals `x.re + x.d1·ε`, `y.re + y.d1·ε`.
    #[inline(always)]
    fn binary(
        self,
        other: Self,
        rule: impl Fn(Dual<T>, Dual<T>) -> (Dual<T>, Dual<T>, Dual<T>),
    ) -> Self {
        let (v, dx, dy) = rule(Dual::new(self.re, self.d1), Dual::new(other.re, other.d1));
        Self::new(
            v.re,
            chain(dx.re, self.d1) + chain(dy.re, other.d1),
            chain(dx.re, self.d2)
                + chain(dy.re, other.d2)
                + chain(dx.eps, self.d1)
                + chain(dy.eps, other.d1),
        )
    }
}

impl<T: Number> fmt::Display for Taylor2<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}; {}, {})", self.re, self.d1, self.d2)
    }
}

impl<T: Number> Add for Taylor2<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: Self) -> Self {
        Self::new(self.re + r.re, self.d1 + r.d1, self.d2 + r.d2)
    }
}
impl<T: Number> Sub for Taylor2<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: Self) -> Self {
        Self::new(self.re - r.re, self.d1 - r.d1, self.d2 - r.d2)
    }
}
impl<T: Number> Taylor2<T> {
    /// The parts of `self · r` by Leibniz's rule, `times` multiplying the values into the parts
    /// (the plain product or [`chain`]) and the cross term `f′·g′` by [`chain`].
    #[inline(always)]
    fn leibniz(self, r: Self, re: T, times: impl Fn(T, T) -> T) -> Self {
        let (a, b) = (self.re, r.re);
        let cross = chain(self.d1, r.d1);
        Self::new(
            re,
            times(self.d1, b) + times(a, r.d1),
            times(self.d2, b) + (cross + cross) + times(a, r.d2),
        )
    }
}

impl<T: Number> Mul for Taylor2<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: Self) -> Self {
        let re = self.re * r.re;
        // When a·b is finite and non-zero, so are a and b, and the plain products of the values
        // with the parts are the chain rule's.
        if re.has_finite_nonzero_primal() {
            self.leibniz(r, re, |p, q| p * q)
        } else {
            self.leibniz(r, re, chain)
        }
    }
}
impl<T: Number> Div for Taylor2<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: Self) -> Self {
        let inv = T::one() / r.re;
        let q = self.re / r.re; // the value rounds as the f64 division does
        if q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal() {
            // q and 1/b finite and non-zero: their plain products are the chain rule's.
            let q1 = (self.d1 - q * r.d1) * inv;
            let cross = chain(q1, r.d1);
            let q2 = (self.d2 - (cross + cross) - q * r.d2) * inv;
            Self::new(q, q1, q2)
        } else {
            // The partials 1/b and −q/b times the parts, as `Dual` multiplies them.
            let qi = q * inv;
            let q1 = chain(inv, self.d1) - chain(qi, r.d1);
            let cross = chain(q1, r.d1);
            let q2 = chain(inv, self.d2 - (cross + cross)) - chain(qi, r.d2);
            Self::new(q, q1, q2)
        }
    }
}
crate::macros::fixed_parts_number!(Taylor2 { re, d1, d2 });

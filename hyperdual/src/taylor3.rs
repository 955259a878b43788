//! [`Taylor3`]: value and first three derivatives along one direction.

use crate::Taylor2;
use diffprog_dual::{chain, rules, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Sub};

/// A third-order Taylor number `(f, f', f'', f''')` along one direction, for
/// [`third_derivative`](crate::third_derivative).
///
/// Elementary functions evaluate the rules of `diffprog_dual::rules` on a [`Taylor2`] (which in
/// turn evaluates them on a `Dual`), so `f'''` of every function comes from the same single table.
/// Mixed third partials ∂³f/∂xᵢ∂xⱼ∂xₖ come from nesting instead: see
/// [`third_partial`](crate::third_partial).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::Taylor3;
///
/// let x = Taylor3::variable(0.3);
/// let y = x.exp() * x; // (x eˣ)''' = (x + 3) eˣ
/// assert!((y.d3 - 3.3 * 0.3_f64.exp()).abs() < 1e-14);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Taylor3<T> {
    /// The value f.
    pub re: T,
    /// f'.
    pub d1: T,
    /// f''.
    pub d2: T,
    /// f'''.
    pub d3: T,
}

impl<T: Number> Taylor3<T> {
    /// A number from its value and first three derivatives.
    #[inline(always)]
    pub fn new(re: T, d1: T, d2: T, d3: T) -> Self {
        Taylor3 { re, d1, d2, d3 }
    }
    /// The independent variable at `x`: `(x, 1, 0, 0)`.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::new(x, T::one(), T::zero(), T::zero())
    }
    /// A constant at this level.
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        Self::new(x, T::zero(), T::zero(), T::zero())
    }

    /// Applies a unary rule evaluated on the second-order number `u = (re, d1, d2)`: the rule
    /// returns `f(u)` (giving `f, f', f''` of the composition) and `D = f'(u)` as a `Taylor2`
    /// `(D, D', D'')`; then `(f∘u)' = D·u'`, `(f∘u)'' = D'·u' + D·u''` and
    /// `(f∘u)''' = (D·u')'' = D''·u' + 2D'·u'' + D·u'''` (all from the derivative, as in `Dual`).
    #[inline(always)]
    fn unary(self, rule: impl Fn(Taylor2<T>) -> (Taylor2<T>, Taylor2<T>)) -> Self {
        let (v, d) = rule(Taylor2::new(self.re, self.d1, self.d2));
        let mid = chain(d.d1, self.d2);
        Self::new(
            v.re,
            chain(d.re, self.d1),
            chain(d.re, self.d2) + chain(d.d1, self.d1),
            chain(d.re, self.d3) + (mid + mid) + chain(d.d2, self.d1),
        )
    }

    /// The binary form of [`unary`](Self::unary), summing the terms of both arguments.
    #[inline(always)]
    fn binary(
        self,
        other: Self,
        rule: impl Fn(Taylor2<T>, Taylor2<T>) -> (Taylor2<T>, Taylor2<T>, Taylor2<T>),
    ) -> Self {
        let (v, dx, dy) = rule(
            Taylor2::new(self.re, self.d1, self.d2),
            Taylor2::new(other.re, other.d1, other.d2),
        );
        let mid = chain(dx.d1, self.d2) + chain(dy.d1, other.d2);
        Self::new(
            v.re,
            chain(dx.re, self.d1) + chain(dy.re, other.d1),
            chain(dx.re, self.d2)
                + chain(dy.re, other.d2)
                + chain(dx.d1, self.d1)
                + chain(dy.d1, other.d1),
            chain(dx.re, self.d3)
                + chain(dy.re, other.d3)
                + (mid + mid)
                + chain(dx.d2, self.d1)
                + chain(dy.d2, other.d1),
        )
    }
}

impl<T: Number> fmt::Display for Taylor3<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}; {}, {}, {})", self.re, self.d1, self.d2, self.d3)
    }
}

impl<T: Number> Add for Taylor3<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: Self) -> Self {
        Self::new(
            self.re + r.re,
            self.d1 + r.d1,
            self.d2 + r.d2,
            self.d3 + r.d3,
        )
    }
}
impl<T: Number> Sub for Taylor3<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: Self) -> Self {
        Self::new(
            self.re - r.re,
            self.d1 - r.d1,
            self.d2 - r.d2,
            self.d3 - r.d3,
        )
    }
}
impl<T: Number> Taylor3<T> {
    /// The parts of `self · r` by Leibniz's rule, (ab)‴ = a‴b + 3a″b′ + 3a′b″ + ab‴: `times`
    /// multiplies the values into the parts (the plain product or [`chain`]), the products of
    /// two parts are [`chain`]'s.
    #[inline(always)]
    fn leibniz(self, r: Self, re: T, times: impl Fn(T, T) -> T) -> Self {
        let (a, b) = (self.re, r.re);
        let c2 = chain(self.d1, r.d1);
        let c3 = chain(self.d2, r.d1) + chain(self.d1, r.d2);
        Self::new(
            re,
            times(self.d1, b) + times(a, r.d1),
            times(self.d2, b) + (c2 + c2) + times(a, r.d2),
            times(self.d3, b) + (c3 + c3 + c3) + times(a, r.d3),
        )
    }
}

impl<T: Number> Mul for Taylor3<T> {
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
impl<T: Number> Div for Taylor3<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: Self) -> Self {
        let inv = T::one() / r.re;
        let q = self.re / r.re; // the value rounds as the f64 division does

        // q and 1/b finite and non-zero: their plain products are the chain rule's; otherwise
        // the partials 1/b and −q/b multiply the parts as in `Dual`.
        let plain = q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal();
        let qi = q * inv;
        let part = |a: T, b: T| {
            if plain {
                (a - q * b) * inv
            } else {
                chain(inv, a) - chain(qi, b)
            }
        };
        let q1 = part(self.d1, r.d1);
        let c2 = chain(q1, r.d1);
        let q2 = part(self.d2 - (c2 + c2), r.d2);
        let c3 = chain(q2, r.d1) + chain(q1, r.d2);
        let q3 = part(self.d3 - (c3 + c3 + c3), r.d3);
        Self::new(q, q1, q2, q3)
    }
}
crate::macros::fixed_parts_number!(Taylor3 { re, d1, d2, d3 });

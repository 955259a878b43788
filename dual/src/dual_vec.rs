//! [`DualVec`]: a value and `N` tangents, stack-allocated.

use crate::dual::{chain, is_finite_number};
use crate::{Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A value and `N` tangents: `re + Σᵢ eps[i]·εᵢ` with every εᵢεⱼ = 0.
///
/// One evaluation on `DualVec`s carries `N` directional derivatives at once; this is how
/// [`gradient`](crate::gradient) and [`jacobian`](crate::jacobian) take ⌈n/N⌉ passes instead of
/// n. The tangents live in a plain array (`Copy`, no heap) and every operation is a fixed-size
/// loop over it, which LLVM unrolls and vectorises (packed `mulpd`/`vfmadd` on x86-64).
///
/// Like [`Dual`](crate::Dual), the components are any [`Scalar`], so `DualVec<Dual<f64>, N>` nests,
/// and `DualVec<f32, N>` is a `Scalar<f32>`.
///
/// ```
/// use diffprog_dual::{DualVec, Scalar};
///
/// // f(x, y) = x·y + sin x at (0.5, 4.2), both partials in one pass.
/// let x = DualVec::<f64, 2>::variable(0.5, 0);
/// let y = DualVec::<f64, 2>::variable(4.2, 1);
/// let z = x * y + x.sin();
/// assert_eq!(z.re, 0.5 * 4.2 + 0.5_f64.sin());
/// assert_eq!(z.eps, [4.2 + 0.5_f64.cos(), 0.5]);
/// assert_eq!(format!("{}", DualVec::new(2.5, [1.0, 0.0])), "2.5 + [1, 0]ε");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DualVec<T, const N: usize> {
    /// The value.
    pub re: T,
    /// The tangents (derivatives along the `N` seeded directions).
    pub eps: [T; N],
}

impl<T: Number, const N: usize> DualVec<T, N> {
    /// A number with the given value and tangents.
    #[inline(always)]
    pub fn new(re: T, eps: [T; N]) -> Self {
        DualVec { re, eps }
    }
    /// The `i`-th independent variable at `x`: the tangent is the unit vector `eᵢ`.
    ///
    /// # Panics
    /// If `i >= N`.
    #[inline(always)]
    pub fn variable(x: T, i: usize) -> Self {
        assert!(
            i < N,
            "DualVec::variable: direction index {i} is out of range for a DualVec with {N} tangents"
        );
        let mut eps = [T::zero(); N];
        eps[i] = T::one();
        Self::new(x, eps)
    }
    /// A constant at this level: every tangent zero. This is how an outer number enters an inner
    /// differentiation (see the crate docs on nesting).
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        Self::new(x, [T::zero(); N])
    }

    /// Applies a unary rule `(f(x), f'(x))`: `eps[i] ← f'(x)·eps[i]`, an identically zero tangent
    /// staying exactly zero (see [`chain`]).
    #[inline(always)]
    pub fn chain_unary(self, (value, derivative): (T, T)) -> Self {
        let mut eps = self.eps;
        if is_finite_number(derivative) {
            for e in eps.iter_mut() {
                *e = derivative * *e;
            }
        } else {
            for e in eps.iter_mut() {
                *e = chain(derivative, *e);
            }
        }
        Self::new(value, eps)
    }

    /// Applies a binary rule `(f(x, y), ∂f/∂x, ∂f/∂y)` to `self = x`, `other = y`.
    #[inline(always)]
    pub fn chain_binary(self, other: Self, (value, d_self, d_other): (T, T, T)) -> Self {
        let mut eps = self.eps;
        if is_finite_number(d_self) && is_finite_number(d_other) {
            for (e, o) in eps.iter_mut().zip(other.eps.iter()) {
                *e = d_self * *e + d_other * *o;
            }
        } else {
            for (e, o) in eps.iter_mut().zip(other.eps.iter()) {
                *e = chain(d_self, *e) + chain(d_other, *o);
            }
        }
        Self::new(value, eps)
    }
}

impl<T: Number, const N: usize> fmt::Display for DualVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nested = std::mem::size_of::<T>() > 8;
        if nested {
            write!(f, "({}) + [", self.re)?;
        } else {
            write!(f, "{} + [", self.re)?;
        }
        for (i, e) in self.eps.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            if nested {
                write!(f, "({e})")?;
            } else {
                write!(f, "{e}")?;
            }
        }
        write!(f, "]ε")
    }
}

impl<T: Number, const N: usize> Add for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        let mut eps = self.eps;
        for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
            *e += *r;
        }
        Self::new(self.re + rhs.re, eps)
    }
}
impl<T: Number, const N: usize> Sub for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        let mut eps = self.eps;
        for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
            *e -= *r;
        }
        Self::new(self.re - rhs.re, eps)
    }
}
impl<T: Number, const N: usize> Mul for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let (a, b) = (self.re, rhs.re);
        let re = a * b;
        let mut eps = self.eps;
        // a·b is finite only if a and b are (∞·0 is NaN): one test for both factors.
        if is_finite_number(re) {
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = *e * b + a * *r;
            }
        } else {
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = chain(b, *e) + chain(a, *r);
            }
        }
        Self::new(re, eps)
    }
}
impl<T: Number, const N: usize> Div for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        let inv = T::one() / rhs.re;
        let q = self.re * inv;
        let mut eps = self.eps;
        // q = a·(1/b) is finite only if 1/b is: one test.
        if is_finite_number(q) {
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = (*e - q * *r) * inv;
            }
        } else {
            let dq = q * inv;
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = chain(inv, *e) - chain(dq, *r);
            }
        }
        Self::new(q, eps)
    }
}
impl<T: Number, const N: usize> Neg for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        let mut eps = self.eps;
        for e in eps.iter_mut() {
            *e = -*e;
        }
        Self::new(-self.re, eps)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Add<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: F) -> Self {
        Self::new(self.re + rhs, self.eps)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Sub<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: F) -> Self {
        Self::new(self.re - rhs, self.eps)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Mul<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: F) -> Self {
        let mut eps = self.eps;
        if rhs.is_finite() {
            for e in eps.iter_mut() {
                *e *= rhs;
            }
        } else {
            let d = T::constant(rhs);
            for e in eps.iter_mut() {
                *e = chain(d, *e);
            }
        }
        Self::new(self.re * rhs, eps)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Div<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: F) -> Self {
        self * (F::one() / rhs)
    }
}

crate::forward_number_boilerplate!([T: Number, const N: usize] [F: Real, T: Scalar<F>, const N: usize] DualVec<T, N>, re);
crate::float_lhs_operators!([T: Scalar<f64>, const N: usize] DualVec<T, N>, f64);
crate::float_lhs_operators!([T: Scalar<f32>, const N: usize] DualVec<T, N>, f32);

impl<T: Number, const N: usize> Number for DualVec<T, N> {
    #[inline(always)]
    fn zero() -> Self {
        Self::lift(T::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Self::lift(T::one())
    }
    #[inline(always)]
    fn is_identically_zero(&self) -> bool {
        self.re.is_identically_zero() && self.eps.iter().all(|e| e.is_identically_zero())
    }
}

impl<F: Real, T: Scalar<F>, const N: usize> Scalar<F> for DualVec<T, N> {
    #[inline(always)]
    fn constant(value: F) -> Self {
        Self::lift(T::constant(value))
    }
    #[inline(always)]
    fn value(&self) -> F {
        self.re.value()
    }
    crate::scalar_elementary_functions!(re);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dual;

    #[test]
    fn arithmetic_matches_dual_per_direction() {
        let x = DualVec::<f64, 3>::new(1.3, [1.0, 0.0, 0.5]);
        let y = DualVec::<f64, 3>::new(-0.7, [0.0, 1.0, 2.0]);
        let f = |a: DualVec<f64, 3>, b: DualVec<f64, 3>| (a * b - a / b + a.sin() * b.exp()) * 2.0;
        let z = f(x, y);
        for k in 0..3 {
            let xd = Dual::new(x.re, x.eps[k]);
            let yd = Dual::new(y.re, y.eps[k]);
            let zd = (xd * yd - xd / yd + xd.sin() * yd.exp()) * 2.0;
            assert_eq!(z.re, zd.re);
            assert!((z.eps[k] - zd.eps).abs() <= 1e-15 * zd.eps.abs().max(1.0));
        }
    }

    #[test]
    fn zero_tangent_stays_zero_where_derivative_is_infinite() {
        // sqrt at 0 has derivative +inf; directions the argument does not depend on stay 0.
        let x = DualVec::<f64, 2>::variable(0.0, 0);
        let s = x.sqrt();
        assert_eq!(s.eps[0], f64::INFINITY);
        assert_eq!(s.eps[1], 0.0);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn variable_index_out_of_range_panics() {
        let _ = DualVec::<f64, 2>::variable(1.0, 2);
    }

    #[test]
    fn display() {
        let x = DualVec::<f64, 2>::new(2.5, [1.0, 0.0]);
        assert_eq!(x.to_string(), "2.5 + [1, 0]ε");
    }
}

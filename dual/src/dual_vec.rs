//! [`DualVec`]: a value and `N` tangents, stack-allocated.

use crate::dual::{chain, has_nan_primal};
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
/// **Activity.** A number also records (privately) whether its tangents may be non-zero. Constants
/// ([`lift`](Self::lift), [`constant`](Scalar::constant), literals) have none, and an operation
/// whose operands are all constants does no tangent work at all; with one constant operand it
/// only scales the other's tangents. In a pass of `gradient`, most intermediate values do not
/// depend on the pass's `N` inputs (Rosenbrock, n = 100, width 8: 9 of 99 terms do), so this
/// more than halves the time of a gradient (`benches/PERFORMANCE.md`, "`DualVec` activity"):
/// the code is at the SSE2 throughput limit for dense tangents, so skipping work is the lever. A
/// constant's tangents still occupy the number (it stays `Copy` and its `eps` readable), so the
/// size is 8 bytes more than the parts, e.g. 80 bytes for `DualVec<f64, 8>`. Results are the
/// same as the full formulas give (tested, including at ±∞, NaN and zero divisors), up to the
/// sign of a zero tangent.
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
/// assert_eq!(*z.eps(), [4.2 + 0.5_f64.cos(), 0.5]);
/// assert_eq!(format!("{}", DualVec::new(2.5, [1.0, 0.0])), "2.5 + [1, 0]ε");
/// ```
#[derive(Clone, Copy)]
pub struct DualVec<T, const N: usize> {
    /// The value.
    pub re: T,
    /// The tangents (derivatives along the `N` seeded directions); read them with
    /// [`eps`](Self::eps). Private so that no code can give a constant tangents behind the back of
    /// the activity flag below (operations skip the tangents of constants).
    eps: [T; N],
    /// 0 ⇒ every tangent is exactly zero (a constant of this level); 1 otherwise. A word, not a
    /// `bool`, so that the struct has no padding after it: copies of a `bool` and its padding
    /// compile to overlapping partial moves that stall the loads of the copy.
    active: u64,
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for DualVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DualVec")
            .field("re", &self.re)
            .field("eps", &self.eps)
            .finish()
    }
}

impl<T: Number, const N: usize> DualVec<T, N> {
    /// A number with the given value and tangents.
    #[inline(always)]
    pub fn new(re: T, eps: [T; N]) -> Self {
        let active = eps.iter().any(|e| !e.is_identically_zero());
        DualVec {
            re,
            eps,
            active: active as u64,
        }
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
        DualVec {
            re: x,
            eps,
            active: 1,
        }
    }
    /// A constant at this level: every tangent zero. This is how an outer number enters an inner
    /// differentiation (see the crate docs on nesting).
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        DualVec {
            re: x,
            eps: [T::zero(); N],
            active: 0,
        }
    }

    /// The tangents: the derivatives of this number along the `N` seeded directions.
    #[inline(always)]
    pub fn eps(&self) -> &[T; N] {
        &self.eps
    }

    /// Replaces the tangents (the number is marked as having tangents if any is non-zero).
    #[inline(always)]
    pub fn set_eps(&mut self, eps: [T; N]) {
        *self = Self::new(self.re, eps);
    }

    /// A result with tangents `eps` (`active`: they may be non-zero).
    #[inline(always)]
    fn raw(re: T, eps: [T; N], active: bool) -> Self {
        DualVec {
            re,
            eps,
            active: active as u64,
        }
    }

    /// False when the tangents are known to be exactly zero (then operations skip them).
    #[inline(always)]
    fn active(&self) -> bool {
        debug_assert!(
            self.active != 0 || self.eps.iter().all(|e| e.is_identically_zero()),
            "DualVec: the tangents of a constant were written directly; build numbers with \
             tangents with DualVec::new or DualVec::variable"
        );
        self.active != 0
    }

    /// The tangents times a factor `d` by the chain rule's product ([`chain`]): a plain product
    /// when `d`'s primal is finite and non-zero (one test); else a plain product checked for the
    /// NaN of a `0 · ∞`, and the strong product where one shows.
    #[inline(always)]
    fn scaled(eps: [T; N], d: T) -> [T; N] {
        let mut out = eps;
        for e in out.iter_mut() {
            *e = d * *e;
        }
        if !d.has_finite_nonzero_primal() && Self::any_nan(&out) {
            for (o, e) in out.iter_mut().zip(eps) {
                *o = chain(d, e);
            }
        }
        out
    }

    /// True if a component's primal is NaN (the trace of a `0 · ∞` among plain products).
    #[inline(always)]
    fn any_nan(eps: &[T; N]) -> bool {
        eps.iter().any(|&e| has_nan_primal(e))
    }

    /// Applies a unary rule `(f(x), f'(x))`: `eps[i] ← f'(x)·eps[i]`, an identically zero tangent
    /// staying exactly zero (see [`chain`]).
    #[inline(always)]
    pub fn chain_unary(self, (value, derivative): (T, T)) -> Self {
        if !self.active() {
            return Self::raw(value, self.eps, false);
        }
        Self::raw(value, Self::scaled(self.eps, derivative), true)
    }

    /// Applies a binary rule `(f(x, y), ∂f/∂x, ∂f/∂y)` to `self = x`, `other = y`.
    #[inline(always)]
    pub fn chain_binary(self, other: Self, (value, d_self, d_other): (T, T, T)) -> Self {
        match (self.active(), other.active()) {
            (false, false) => Self::raw(value, self.eps, false),
            (true, false) => Self::raw(value, Self::scaled(self.eps, d_self), true),
            (false, true) => Self::raw(value, Self::scaled(other.eps, d_other), true),
            (true, true) => {
                let mut eps = self.eps;
                for (e, o) in eps.iter_mut().zip(other.eps.iter()) {
                    *e = d_self * *e + d_other * *o;
                }
                let exact =
                    d_self.has_finite_nonzero_primal() && d_other.has_finite_nonzero_primal();
                if !exact && Self::any_nan(&eps) {
                    for ((e, s), o) in eps.iter_mut().zip(self.eps).zip(other.eps.iter()) {
                        *e = chain(d_self, s) + chain(d_other, *o);
                    }
                }
                Self::raw(value, eps, true)
            }
        }
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
        let re = self.re + rhs.re;
        match (self.active(), rhs.active()) {
            (_, false) => Self::raw(re, self.eps, self.active != 0),
            (false, true) => Self::raw(re, rhs.eps, true),
            (true, true) => {
                let mut eps = self.eps;
                for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                    *e += *r;
                }
                Self::raw(re, eps, true)
            }
        }
    }
}
impl<T: Number, const N: usize> Sub for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        let re = self.re - rhs.re;
        match (self.active(), rhs.active()) {
            (_, false) => Self::raw(re, self.eps, self.active != 0),
            (false, true) => {
                let mut eps = rhs.eps;
                for e in eps.iter_mut() {
                    *e = -*e;
                }
                Self::raw(re, eps, true)
            }
            (true, true) => {
                let mut eps = self.eps;
                for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                    *e -= *r;
                }
                Self::raw(re, eps, true)
            }
        }
    }
}
impl<T: Number, const N: usize> Mul for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let (a, b) = (self.re, rhs.re);
        let re = a * b;
        match (self.active(), rhs.active()) {
            (false, false) => Self::raw(re, self.eps, false),
            (true, false) => Self::raw(re, Self::scaled(self.eps, b), true),
            (false, true) => Self::raw(re, Self::scaled(rhs.eps, a), true),
            (true, true) => {
                let mut eps = self.eps;
                for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                    *e = *e * b + a * *r;
                }
                // The partials are b and a: when a·b is finite and non-zero, so are both, and
                // the plain products are exact; else a `0 · ∞` would show as a NaN.
                if !re.has_finite_nonzero_primal() && Self::any_nan(&eps) {
                    for ((e, s), r) in eps.iter_mut().zip(self.eps).zip(rhs.eps.iter()) {
                        *e = chain(b, s) + chain(a, *r);
                    }
                }
                Self::raw(re, eps, true)
            }
        }
    }
}
impl<T: Number, const N: usize> Div for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        // The value is the plain quotient (bit-identical to evaluating on T); `inv` is
        // computed alongside (two independent divisions) for the tangents.
        let inv = T::one() / rhs.re;
        let q = self.re / rhs.re;
        if !rhs.active() {
            // A constant divisor: the tangents scale by 1/b.
            return if self.active() {
                Self::raw(q, Self::scaled(self.eps, inv), true)
            } else {
                Self::raw(q, self.eps, false)
            };
        }
        let mut eps = self.eps;
        if q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal() {
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = (*e - q * *r) * inv;
            }
        } else {
            let dq = q * inv;
            for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                *e = chain(inv, *e) - chain(dq, *r);
            }
        }
        Self::raw(q, eps, true)
    }
}
impl<T: Number, const N: usize> Neg for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        let mut eps = self.eps;
        if self.active() {
            for e in eps.iter_mut() {
                *e = -*e;
            }
        }
        Self::raw(-self.re, eps, self.active != 0)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Add<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: F) -> Self {
        Self::raw(self.re + rhs, self.eps, self.active != 0)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Sub<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: F) -> Self {
        Self::raw(self.re - rhs, self.eps, self.active != 0)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Mul<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: F) -> Self {
        if !self.active() {
            return Self::raw(self.re * rhs, self.eps, false);
        }
        let mut eps = self.eps;
        if rhs.is_finite() && rhs != F::zero() {
            for e in eps.iter_mut() {
                *e *= rhs;
            }
        } else {
            let d = T::constant(rhs);
            for e in eps.iter_mut() {
                *e = chain(d, *e);
            }
        }
        Self::raw(self.re * rhs, eps, true)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize> Div<F> for DualVec<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: F) -> Self {
        // The tangents scale by 1/c; the value is the plain quotient (bit-identical).
        let mut q = self * (F::one() / rhs);
        q.re = self.re / rhs;
        q
    }
}

crate::forward_number_boilerplate!([T: Number, const N: usize] [F: Real, T: Scalar<F>, const N: usize] DualVec<T, N>, re);
crate::float_lhs_operators!([T: Scalar<f64>, const N: usize] DualVec<T, N>, f64);
crate::float_lhs_operators!([T: Scalar<f32>, const N: usize] DualVec<T, N>, f32);

impl<T: Number, const N: usize> Number for DualVec<T, N> {
    type Primal = T::Primal;
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
        self.re.is_identically_zero()
            && (!self.active() || self.eps.iter().all(|e| e.is_identically_zero()))
    }
    #[inline]
    fn derivative_parts_are_zero(&self) -> bool {
        self.re.derivative_parts_are_zero()
            && (!self.active() || self.eps.iter().all(|e| e.is_identically_zero()))
    }
    #[inline(always)]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        let re = self.re.strong_zero_mul(rhs.re);
        match (self.active(), rhs.active()) {
            (false, false) => Self::raw(re, self.eps, false),
            (true, false) => Self::raw(re, Self::scaled(self.eps, rhs.re), true),
            (false, true) => Self::raw(re, Self::scaled(rhs.eps, self.re), true),
            (true, true) => {
                let mut eps = self.eps;
                for (e, r) in eps.iter_mut().zip(rhs.eps.iter()) {
                    *e = chain(rhs.re, *e) + chain(self.re, *r);
                }
                Self::raw(re, eps, true)
            }
        }
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.re.has_finite_nonzero_primal()
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

    /// Equal values, both NaN, or zeros of either sign.
    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    /// The activity shortcut (a constant's tangents are skipped) gives what the full formulas give
    /// on the same numbers with their zero tangents marked active, for every operation, at
    /// ordinary and non-finite values (up to the sign of a zero).
    #[test]
    fn skipping_constant_tangents_changes_no_result() {
        type V = DualVec<f64, 3>;
        type Op = fn(V, V) -> V;
        let values = [
            1.5,
            -0.25,
            0.0,
            -0.0,
            1e300,
            -1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let ops: [(&str, Op); 12] = [
            ("+", |a, b| a + b),
            ("-", |a, b| a - b),
            ("*", |a, b| a * b),
            ("/", |a, b| a / b),
            ("neg", |a, _| -a),
            ("*c", |a, _| a * 2.5),
            ("*inf", |a, _| a * f64::INFINITY),
            ("+c", |a, _| a + 1.0),
            ("sqrt", |a, _| a.sqrt()),
            ("ln", |a, _| a.ln()),
            ("atan2", |a, b| a.atan2(b)),
            ("max", |a, b| a.max(b)),
        ];
        for &x in &values {
            for &y in &values {
                let active = V::variable(x, 1);
                for (name, op) in ops {
                    for (a, b) in [
                        (V::lift(x), V::lift(y)),
                        (active, V::lift(y)),
                        (V::lift(y), active),
                    ] {
                        // The same numbers with their zero tangents marked active: the full
                        // formulas.
                        let dense = |v: V| V::raw(v.re, v.eps, true);
                        let (got, want) = (op(a, b), op(dense(a), dense(b)));
                        assert!(same(got.re, want.re), "{name}({x}, {y}) value");
                        for k in 0..3 {
                            assert!(
                                same(got.eps[k], want.eps[k]),
                                "{name}({x}, {y}) tangent {k}: {} with the shortcut, {} without",
                                got.eps[k],
                                want.eps[k]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "written directly")]
    fn writing_the_tangents_of_a_constant_is_caught_in_debug_builds() {
        let mut c = DualVec::<f64, 2>::lift(1.0);
        c.eps[0] = 1.0;
        let _ = c * c;
    }

    #[test]
    fn new_marks_zero_tangents_inactive_and_others_active() {
        let z = DualVec::<f64, 2>::new(1.0, [0.0, -0.0]);
        assert!(z.active == 0);
        let t = DualVec::<f64, 2>::new(1.0, [0.0, 1e-300]);
        assert!(t.active != 0);
        assert_eq!((t * t).eps, [0.0, 2e-300]);
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

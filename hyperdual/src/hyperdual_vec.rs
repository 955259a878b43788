//! [`HyperDualVec`]: one N×M block of a Hessian per evaluation.

use crate::macros::{all_finite, chain, second_order_elementary_functions};
use diffprog_dual::{rules, Dual, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A chunked hyperdual number: `f + Σᵢ eps1[i]·ε₁ᵢ + Σⱼ eps2[j]·ε₂ⱼ + Σᵢⱼ eps12[i][j]·ε₁ᵢε₂ⱼ`, with every
/// product of two ε₁'s or two ε₂'s zero.
///
/// Seed a block `I` of `N` inputs in the ε₁ directions and a block `J` of `M` inputs in the ε₂
/// directions (the same block for a diagonal block of the Hessian): one evaluation yields the
/// gradient over `I` (`eps1`), over `J` (`eps2`) and the N×M block `∂²f/∂x_I∂x_J` (`eps12`).
/// [`hessian`](crate::hessian) covers the upper triangle of blocks, ⌈n/N⌉(⌈n/N⌉ + 1)/2 passes.
///
/// **Activity.** Each number also records whether its ε₁ and ε₂ parts may be non-zero (that is,
/// whether it depends on an input of block `I`, of block `J`). Operations skip the parts that are
/// known to be zero — a number that depends on neither block costs as much as an `f64`, one that
/// depends on only one block costs a gradient, and only numbers that depend on both pay for the
/// N×M block. Most functions depend on each input through few operations, so most of a pass is
/// cheap; this is what makes the chunked Hessian fast (see the crate docs for measurements). The
/// flags are private and always conservative: the public parts read back exact values.
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::HyperDualVec;
///
/// // f(x, y) = x²y: block I = {x, y} in ε₁ and J = {x, y} in ε₂ gives the whole Hessian.
/// let x = HyperDualVec::<f64, 2, 2>::variable(3.0, Some(0), Some(0));
/// let y = HyperDualVec::<f64, 2, 2>::variable(2.0, Some(1), Some(1));
/// let f = x * x * y;
/// assert_eq!(f.re(), 18.0);
/// assert_eq!(f.eps1(), &[12.0, 9.0]);
/// assert_eq!(f.eps12(), &[[4.0, 6.0], [6.0, 0.0]]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HyperDualVec<T, const N: usize, const M: usize> {
    re: T,
    eps1: [T; N],
    eps2: [T; M],
    eps12: [[T; M]; N],
    /// False ⇒ `eps1` and `eps12` are zero.
    act1: bool,
    /// False ⇒ `eps2` and `eps12` are zero.
    act2: bool,
}

#[inline(always)]
fn zeros<T: Number, const K: usize>() -> [T; K] {
    [T::zero(); K]
}

#[inline(always)]
fn map<T: Number, const K: usize>(a: &[T; K], f: impl Fn(T) -> T) -> [T; K] {
    let mut r = [T::zero(); K];
    for (r, &a) in r.iter_mut().zip(a) {
        *r = f(a);
    }
    r
}

#[inline(always)]
fn zip<T: Number, const K: usize>(a: &[T; K], b: &[T; K], f: impl Fn(T, T) -> T) -> [T; K] {
    let mut r = [T::zero(); K];
    for (r, (&a, &b)) in r.iter_mut().zip(a.iter().zip(b)) {
        *r = f(a, b);
    }
    r
}

impl<T: Number, const N: usize, const M: usize> HyperDualVec<T, N, M> {
    /// A number from its parts.
    #[inline]
    pub fn new(re: T, eps1: [T; N], eps2: [T; M], eps12: [[T; M]; N]) -> Self {
        let nz12 = eps12.iter().flatten().any(|e| !e.is_identically_zero());
        let act1 = nz12 || eps1.iter().any(|e| !e.is_identically_zero());
        let act2 = nz12 || eps2.iter().any(|e| !e.is_identically_zero());
        HyperDualVec {
            re,
            eps1,
            eps2,
            eps12,
            act1,
            act2,
        }
    }
    /// An input at `x`, seeded as ε₁-direction `i` and/or ε₂-direction `j` (`None`: not in that
    /// block). For a diagonal Hessian block, seed the same input in both.
    ///
    /// # Panics
    /// If `i >= N` or `j >= M`.
    #[inline]
    pub fn variable(x: T, i: Option<usize>, j: Option<usize>) -> Self {
        let mut r = Self::lift(x);
        if let Some(i) = i {
            assert!(
                i < N,
                "HyperDualVec::variable: ε₁ index {i} is out of range for N = {N} directions"
            );
            r.eps1[i] = T::one();
            r.act1 = true;
        }
        if let Some(j) = j {
            assert!(
                j < M,
                "HyperDualVec::variable: ε₂ index {j} is out of range for M = {M} directions"
            );
            r.eps2[j] = T::one();
            r.act2 = true;
        }
        r
    }
    /// A constant at this level: every derivative part zero.
    #[inline(always)]
    pub fn lift(x: T) -> Self {
        HyperDualVec {
            re: x,
            eps1: zeros(),
            eps2: zeros(),
            eps12: [zeros(); N],
            act1: false,
            act2: false,
        }
    }
    /// The value f.
    #[inline(always)]
    pub fn re(&self) -> T {
        self.re
    }
    /// The ε₁ part: ∂f/∂x over block I.
    #[inline(always)]
    pub fn eps1(&self) -> &[T; N] {
        &self.eps1
    }
    /// The ε₂ part: ∂f/∂x over block J.
    #[inline(always)]
    pub fn eps2(&self) -> &[T; M] {
        &self.eps2
    }
    /// The ε₁ε₂ part: `eps12[i][j] = ∂²f/∂x_{I,i}∂x_{J,j}`.
    #[inline(always)]
    pub fn eps12(&self) -> &[[T; M]; N] {
        &self.eps12
    }
    #[inline(always)]
    fn act12(&self) -> bool {
        self.act1 && self.act2
    }

    /// `f(self)` from `f`, `f'`, `f''`: the parts scale by `f'`, and the block gains
    /// `f''·eps1 ⊗ eps2`.
    #[inline(always)]
    fn chain2(self, f0: T, f1: T, f2: T) -> Self {
        let mut r = Self::lift(f0);
        r.act1 = self.act1;
        r.act2 = self.act2;
        if all_finite(f1) && all_finite(f2) {
            if self.act1 {
                r.eps1 = map(&self.eps1, |e| f1 * e);
            }
            if self.act2 {
                r.eps2 = map(&self.eps2, |e| f1 * e);
            }
            if self.act12() {
                for ((r, s), &a) in r.eps12.iter_mut().zip(&self.eps12).zip(&self.eps1) {
                    let fa = f2 * a;
                    *r = zip(s, &self.eps2, |s, b| f1 * s + fa * b);
                }
            }
        } else {
            // Infinite or NaN derivative: keep zero parts exactly zero (as `Dual` does).
            if self.act1 {
                r.eps1 = map(&self.eps1, |e| chain(f1, e));
            }
            if self.act2 {
                r.eps2 = map(&self.eps2, |e| chain(f1, e));
            }
            if self.act12() {
                for ((r, s), &a) in r.eps12.iter_mut().zip(&self.eps12).zip(&self.eps1) {
                    *r = zip(s, &self.eps2, |s, b| chain(f1, s) + chain(f2, a * b));
                }
            }
        }
        r
    }

    /// Applies a unary rule: evaluated on `Dual::variable(re)` it returns `(f + f'ε, f' + f''ε)`.
    #[inline(always)]
    fn unary(self, rule: impl Fn(Dual<T>) -> (Dual<T>, Dual<T>)) -> Self {
        if !self.act1 && !self.act2 {
            return Self::lift(rule(Dual::lift(self.re)).0.re);
        }
        let (v, d) = rule(Dual::variable(self.re));
        self.chain2(v.re, d.re, d.eps)
    }

    /// Applies a binary rule g(x, y); its 2×2 Hessian comes from two evaluations on duals.
    #[inline]
    fn binary(
        self,
        y: Self,
        rule: impl Fn(Dual<T>, Dual<T>) -> (Dual<T>, Dual<T>, Dual<T>),
    ) -> Self {
        let x = self;
        if !y.act1 && !y.act2 {
            return x.unary(|u| {
                let (v, d, _) = rule(u, Dual::lift(y.re));
                (v, d)
            });
        }
        if !x.act1 && !x.act2 {
            return y.unary(|u| {
                let (v, _, d) = rule(Dual::lift(x.re), u);
                (v, d)
            });
        }
        let (v, gx, gy) = rule(Dual::variable(x.re), Dual::lift(y.re));
        let (_, gxy, gyy) = rule(Dual::lift(x.re), Dual::variable(y.re));
        let (gx, gy, gxx, gyx, gxy, gyy) = (gx.re, gy.re, gx.eps, gy.eps, gxy.eps, gyy.eps);
        let mut r = Self::lift(v.re);
        r.act1 = x.act1 || y.act1;
        r.act2 = x.act2 || y.act2;
        r.eps1 = zip(&x.eps1, &y.eps1, |a, b| chain(gx, a) + chain(gy, b));
        r.eps2 = zip(&x.eps2, &y.eps2, |a, b| chain(gx, a) + chain(gy, b));
        if r.act12() {
            for i in 0..N {
                let (xi, yi) = (x.eps1[i], y.eps1[i]);
                for j in 0..M {
                    let (xj, yj) = (x.eps2[j], y.eps2[j]);
                    r.eps12[i][j] = chain(gx, x.eps12[i][j])
                        + chain(gy, y.eps12[i][j])
                        + chain(gxx, xi * xj)
                        + chain(gxy, xi * yj)
                        + chain(gyx, yi * xj)
                        + chain(gyy, yi * yj);
                }
            }
        }
        r
    }

    /// Combines the parts of two numbers elementwise — `both(x, y)` where both are active, `left(x)`
    /// or `right(y)` where one is, zero where neither is — with the value `re`: the linear part of
    /// `+ − × ÷`.
    #[inline(always)]
    fn combine(
        self,
        other: Self,
        re: T,
        both: impl Fn(T, T) -> T,
        left: impl Fn(T) -> T,
        right: impl Fn(T) -> T,
    ) -> Self {
        let mut r = Self::lift(re);
        r.act1 = self.act1 || other.act1;
        r.act2 = self.act2 || other.act2;
        r.eps1 = match (self.act1, other.act1) {
            (true, true) => zip(&self.eps1, &other.eps1, &both),
            (true, false) => map(&self.eps1, &left),
            (false, true) => map(&other.eps1, &right),
            (false, false) => zeros(),
        };
        r.eps2 = match (self.act2, other.act2) {
            (true, true) => zip(&self.eps2, &other.eps2, &both),
            (true, false) => map(&self.eps2, &left),
            (false, true) => map(&other.eps2, &right),
            (false, false) => zeros(),
        };
        match (self.act12(), other.act12()) {
            (true, true) => {
                for ((r, x), y) in r.eps12.iter_mut().zip(&self.eps12).zip(&other.eps12) {
                    *r = zip(x, y, &both);
                }
            }
            (true, false) => {
                for (r, x) in r.eps12.iter_mut().zip(&self.eps12) {
                    *r = map(x, &left);
                }
            }
            (false, true) => {
                for (r, y) in r.eps12.iter_mut().zip(&other.eps12) {
                    *r = map(y, &right);
                }
            }
            (false, false) => {}
        }
        r
    }

    /// Adds `u ⊗ v + w ⊗ z` to the block (the second-order cross terms of a product).
    #[inline(always)]
    fn add_cross(&mut self, u: &[T; N], v: &[T; M], w: &[T; N], z: &[T; M]) {
        for ((r, &ui), &wi) in self.eps12.iter_mut().zip(u).zip(w) {
            *r = zip(r, &zip(v, z, |vj, zj| ui * vj + wi * zj), |r, c| r + c);
        }
    }
}

impl<T: Number, const N: usize, const M: usize> fmt::Display for HyperDualVec<T, N, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} + {:?}ε₁ + {:?}ε₂ + {:?}ε₁ε₂",
            self.re, self.eps1, self.eps2, self.eps12
        )
    }
}

impl<T: Number, const N: usize, const M: usize> Add for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: Self) -> Self {
        self.combine(r, self.re + r.re, |x, y| x + y, |x| x, |y| y)
    }
}
impl<T: Number, const N: usize, const M: usize> Sub for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: Self) -> Self {
        self.combine(r, self.re - r.re, |x, y| x - y, |x| x, |y| -y)
    }
}
impl<T: Number, const N: usize, const M: usize> Mul for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: Self) -> Self {
        let (a, b) = (self.re, r.re);
        let mut out = self.combine(r, a * b, |x, y| x * b + a * y, |x| x * b, |y| a * y);
        if self.act1 && r.act2 || self.act2 && r.act1 {
            out.add_cross(&self.eps1, &r.eps2, &r.eps1, &self.eps2);
        }
        out
    }
}
impl<T: Number, const N: usize, const M: usize> Div for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: Self) -> Self {
        let inv = T::one() / r.re;
        let q = self.re * inv;
        if !r.act1 && !r.act2 {
            return self.combine(r, q, |x, _| x * inv, |x| x * inv, |_| T::zero());
        }
        // q = a/b ⇔ a = q·b: q' = (a' − q·b')/b, q'' = (a'' − (q₁⊗b₂ + b₁⊗q₂) − q·b'')/b.
        let mut out = self.combine(
            r,
            q,
            |x, y| (x - q * y) * inv,
            |x| x * inv,
            |y| -(q * y) * inv,
        );
        if out.act12() && (r.act1 && out.act2 || r.act2 && out.act1) {
            let (q1, q2) = (out.eps1, out.eps2);
            let minv = -inv;
            for ((o, &q1i), &b1i) in out.eps12.iter_mut().zip(&q1).zip(&r.eps1) {
                *o = zip(
                    o,
                    &zip(&r.eps2, &q2, |b2j, q2j| q1i * b2j + b1i * q2j),
                    |o, c| o + c * minv,
                );
            }
        }
        out
    }
}
impl<T: Number, const N: usize, const M: usize> Neg for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        let mut r = self;
        r.re = -self.re;
        if self.act1 {
            r.eps1 = map(&self.eps1, |x| -x);
        }
        if self.act2 {
            r.eps2 = map(&self.eps2, |x| -x);
        }
        if self.act12() {
            for (r, x) in r.eps12.iter_mut().zip(&self.eps12) {
                *r = map(x, |x| -x);
            }
        }
        r
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> Add<F> for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: F) -> Self {
        let mut s = self;
        s.re = self.re + r;
        s
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> Sub<F> for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: F) -> Self {
        let mut s = self;
        s.re = self.re - r;
        s
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> Mul<F> for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: F) -> Self {
        let mut s = self;
        s.re = self.re * r;
        if self.act1 {
            s.eps1 = map(&self.eps1, |x| x * r);
        }
        if self.act2 {
            s.eps2 = map(&self.eps2, |x| x * r);
        }
        if self.act12() {
            for (s, x) in s.eps12.iter_mut().zip(&self.eps12) {
                *s = map(x, |x| x * r);
            }
        }
        s
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> Div<F> for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: F) -> Self {
        self * (F::one() / r)
    }
}

diffprog_dual::forward_number_boilerplate!(
    [T: Number, const N: usize, const M: usize]
    [F: Real, T: Scalar<F>, const N: usize, const M: usize]
    HyperDualVec<T, N, M>, re
);
diffprog_dual::float_lhs_operators!([T: Scalar<f64>, const N: usize, const M: usize] HyperDualVec<T, N, M>, f64);
diffprog_dual::float_lhs_operators!([T: Scalar<f32>, const N: usize, const M: usize] HyperDualVec<T, N, M>, f32);

impl<T: Number, const N: usize, const M: usize> Number for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn zero() -> Self {
        Self::lift(T::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Self::lift(T::one())
    }
    #[inline]
    fn is_identically_zero(&self) -> bool {
        self.re.is_identically_zero()
            && self.eps1.iter().all(|e| e.is_identically_zero())
            && self.eps2.iter().all(|e| e.is_identically_zero())
            && self.eps12.iter().flatten().all(|e| e.is_identically_zero())
    }
}

impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> Scalar<F> for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn constant(value: F) -> Self {
        Self::lift(T::constant(value))
    }
    #[inline(always)]
    fn value(&self) -> F {
        self.re.value()
    }
    second_order_elementary_functions!();
}

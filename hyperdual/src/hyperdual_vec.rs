//! [`HyperDualVec`]: one N×M block of a Hessian per evaluation.

use crate::macros::second_order_elementary_functions;
use crate::products::{add_outer, all_finite};
use diffprog_dual::{chain, rules, Dual, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A chunked hyperdual number: `f + Σᵢ eps1[i]·ε₁ᵢ + Σⱼ eps2[j]·ε₂ⱼ + Σᵢⱼ eps12[i][j]·ε₁ᵢε₂ⱼ`, with every
/// product of two ε₁'s or two ε₂'s zero.
///
/// Seed a block `I` of `N` inputs in the ε₁ directions and a block `J` of `M` inputs in the ε₂
/// directions (the same block for a diagonal block of the Hessian): one evaluation yields the
/// gradient over `I` (`eps1`), over `J` (`eps2`) and the N×M block `∂²f/∂x_I∂x_J` (`eps12`).
/// [`hessian`](crate::hessian) covers the upper triangle of blocks, ⌈n/N⌉(⌈n/N⌉ + 1)/2 passes.
///
/// **Activity.** Each number also records which of its three parts may be non-zero: the ε₁ part
/// (it depends on an input of block `I`), the ε₂ part (block `J`) and the ε₁ε₂ block. Operations
/// skip the parts known to be zero and work in place: a number that depends on neither block
/// costs about as much as an `f64`, one that depends on one block costs a gradient, and only
/// numbers whose block is non-zero pay for the N×M part. Most functions couple each input with
/// few others, so most of a pass is cheap, which is what makes the chunked Hessian fast
/// (`benches/PERFORMANCE.md`, "Hyperdual blocks"). The flags are private and conservative: the parts always read back
/// exact values (inactive parts are stored as zeros).
///
/// Every product of derivative arithmetic follows the strong-zero rule of [`chain`] — also
/// inside active parts, element by element — so an element that is exactly zero stays zero
/// times ±∞ or NaN (`x·x` at +∞ has f″ = 2, as `Dual` gives). Each operation tests once
/// whether its plain products are the rule's (the values or derivatives it multiplies in finite
/// and non-zero, the parts that meet in the ε₁ε₂ cross terms finite) and then runs its formula
/// with plain products; otherwise the same formula runs out of line with every product strong.
/// Finite inputs pay a test, not a branch per element.
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
    /// False ⇒ `eps1` is zero.
    act1: bool,
    /// False ⇒ `eps2` is zero.
    act2: bool,
    /// False ⇒ `eps12` is zero.
    act12: bool,
}

/// `a[i] = f(a[i], b[i])`.
#[inline(always)]
fn update<T: Copy, const K: usize>(a: &mut [T; K], b: &[T; K], f: impl Fn(T, T) -> T) {
    for (a, &b) in a.iter_mut().zip(b) {
        *a = f(*a, b);
    }
}

/// `a[i] = f(a[i])`.
#[inline(always)]
fn update1<T: Copy>(a: &mut [T], f: impl Fn(T) -> T) {
    for a in a.iter_mut() {
        *a = f(*a);
    }
}

impl<T: Number, const N: usize, const M: usize> HyperDualVec<T, N, M> {
    /// A number from its parts.
    #[inline]
    pub fn new(re: T, eps1: [T; N], eps2: [T; M], eps12: [[T; M]; N]) -> Self {
        let nz = |e: &T| !e.is_identically_zero();
        HyperDualVec {
            re,
            act1: eps1.iter().any(nz),
            act2: eps2.iter().any(nz),
            act12: eps12.iter().flatten().any(nz),
            eps1,
            eps2,
            eps12,
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
            eps1: [T::zero(); N],
            eps2: [T::zero(); M],
            eps12: [[T::zero(); M]; N],
            act1: false,
            act2: false,
            act12: false,
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

    /// A number from its parts and activity flags (a `false` flag's part must be zero).
    #[inline(always)]
    pub(crate) fn from_raw(
        re: T,
        (eps1, eps2, eps12): ([T; N], [T; M], [[T; M]; N]),
        (act1, act2, act12): (bool, bool, bool),
    ) -> Self {
        HyperDualVec {
            re,
            eps1,
            eps2,
            eps12,
            act1,
            act2,
            act12,
        }
    }

    /// The activity flags `(ε₁, ε₂, ε₁ε₂)`: `false` means that part is exactly zero.
    #[inline(always)]
    pub(crate) fn activity(&self) -> (bool, bool, bool) {
        (self.act1, self.act2, self.act12)
    }

    /// True when no part depends on a seeded input.
    #[inline(always)]
    fn is_constant(&self) -> bool {
        !(self.act1 || self.act2 || self.act12)
    }

    /// In place: `f(self)` from `f`, `f'`, `f''` — the parts times `f'`, and the block gains
    /// `(f''·eps1) ⊗ eps2`.
    #[inline(always)]
    fn chain2(&mut self, f0: T, f1: T, f2: T) {
        self.re = f0;
        let cross = self.act1 && self.act2;
        // The plain products are the chain rule's when f' is finite and non-zero and, for the
        // block, f''·eps1 (computed plainly: not finite if it met 0·∞) and eps2 are finite.
        let w = if cross {
            self.eps1.map(|e| f2 * e)
        } else {
            self.eps1
        };
        if f1.has_finite_nonzero_primal() && (!cross || (all_finite(&w) && all_finite(&self.eps2)))
        {
            self.chain2_parts(f1, w, |p, q| p * q);
        } else {
            *self = Self::chain2_strong(*self, f1, f2);
        }
        self.act12 |= cross;
    }

    /// [`chain2_parts`](Self::chain2_parts) with every product by [`chain`], out of line.
    #[cold]
    #[inline(never)]
    fn chain2_strong(mut x: Self, f1: T, f2: T) -> Self {
        let w = x.eps1.map(|e| chain(f2, e));
        x.chain2_parts(f1, w, chain);
        x
    }

    /// The parts of `f(self)`, `w = f''·eps1`, every product by `times`.
    #[inline(always)]
    fn chain2_parts(&mut self, f1: T, w: [T; N], times: impl Fn(T, T) -> T + Copy) {
        if self.act12 {
            for row in self.eps12.iter_mut() {
                update1(row, |e| times(f1, e));
            }
        }
        if self.act1 && self.act2 {
            for (row, &wi) in self.eps12.iter_mut().zip(&w) {
                update(row, &self.eps2, |r, vj| r + times(wi, vj));
            }
        }
        if self.act1 {
            update1(&mut self.eps1, |e| times(f1, e));
        }
        if self.act2 {
            update1(&mut self.eps2, |e| times(f1, e));
        }
    }

    /// Applies a unary rule: evaluated on `Dual::variable(re)` it returns `(f + f'ε, f' + f''ε)`.
    #[inline(always)]
    pub(crate) fn unary(mut self, rule: impl Fn(Dual<T>) -> (Dual<T>, Dual<T>)) -> Self {
        if self.is_constant() {
            self.re = rule(Dual::lift(self.re)).0.re;
            return self;
        }
        let (v, d) = rule(Dual::variable(self.re));
        self.chain2(v.re, d.re, d.eps);
        self
    }

    /// Applies a binary rule g(x, y); its 2×2 Hessian comes from two evaluations on duals.
    ///
    /// A mixed term of the block, x's ε₁ part times y's ε₂ part, is multiplied by ∂(∂g/∂y)/∂x:
    /// the ε₁-derivative of the partial that multiplies y's ε₂ part, as `HyperDual` and a dual
    /// number over a dual number (ε₁ inner) compute it. Where g is smooth this is ∂²g/∂x∂y; at a
    /// singular point (`atan2` at the origin, `pow` at (0, 0)) the two orders of differentiation
    /// can give different infinities, and this choice keeps the second-order types consistent.
    #[inline]
    pub(crate) fn binary(
        self,
        y: Self,
        rule: impl Fn(Dual<T>, Dual<T>) -> (Dual<T>, Dual<T>, Dual<T>),
    ) -> Self {
        let x = self;
        if y.is_constant() {
            return x.unary(|u| {
                let (v, d, _) = rule(u, Dual::lift(y.re));
                (v, d)
            });
        }
        if x.is_constant() {
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
        r.act12 = x.act12 || y.act12 || (r.act1 && r.act2);
        for i in 0..N {
            r.eps1[i] = chain(gx, x.eps1[i]) + chain(gy, y.eps1[i]);
        }
        for j in 0..M {
            r.eps2[j] = chain(gx, x.eps2[j]) + chain(gy, y.eps2[j]);
        }
        if r.act12 {
            for i in 0..N {
                let (xi, yi) = (x.eps1[i], y.eps1[i]);
                for j in 0..M {
                    let (xj, yj) = (x.eps2[j], y.eps2[j]);
                    r.eps12[i][j] = chain(gx, x.eps12[i][j])
                        + chain(gy, y.eps12[i][j])
                        + chain(gxx, chain(xi, xj))
                        + chain(gyx, chain(xi, yj))
                        + chain(gxy, chain(yi, xj))
                        + chain(gyy, chain(yi, yj));
                }
            }
        }
        r
    }

    /// In place: `self.part = both(self.part, other.part)` where both are active, `= right(other)`
    /// where only `other` is, unchanged where only `self` is (so `left` must be the identity on
    /// the parts, as for `+` and `−`).
    #[inline(always)]
    fn merge(&mut self, other: &Self, both: impl Fn(T, T) -> T, right: impl Fn(T) -> T) {
        if other.act1 {
            if self.act1 {
                update(&mut self.eps1, &other.eps1, &both);
            } else {
                self.eps1 = other.eps1.map(&right);
            }
        }
        if other.act2 {
            if self.act2 {
                update(&mut self.eps2, &other.eps2, &both);
            } else {
                self.eps2 = other.eps2.map(&right);
            }
        }
        if other.act12 {
            if self.act12 {
                for (row, o) in self.eps12.iter_mut().zip(&other.eps12) {
                    update(row, o, &both);
                }
            } else {
                for (row, o) in self.eps12.iter_mut().zip(&other.eps12) {
                    *row = o.map(&right);
                }
            }
        }
        self.act1 |= other.act1;
        self.act2 |= other.act2;
        self.act12 |= other.act12;
    }

    /// In place: every active part times `k`.
    #[inline(always)]
    pub(crate) fn scale(&mut self, k: T) {
        // The plain products are the chain rule's when k is finite and non-zero.
        if k.has_finite_nonzero_primal() {
            self.scale_parts(k, |p, q| p * q);
        } else {
            *self = Self::scale_strong(*self, k);
        }
    }

    /// [`scale_parts`](Self::scale_parts) with every product by [`chain`], out of line.
    #[cold]
    #[inline(never)]
    fn scale_strong(mut x: Self, k: T) -> Self {
        x.scale_parts(k, chain);
        x
    }

    /// In place: every active part times `k`, by `times`.
    #[inline(always)]
    fn scale_parts(&mut self, k: T, times: impl Fn(T, T) -> T + Copy) {
        if self.act1 {
            update1(&mut self.eps1, |e| times(e, k));
        }
        if self.act2 {
            update1(&mut self.eps2, |e| times(e, k));
        }
        if self.act12 {
            for row in self.eps12.iter_mut() {
                update1(row, |e| times(e, k));
            }
        }
    }

    /// In place: `self = self · r`, the value by IEEE and the parts by the strong-zero rule.
    #[inline(always)]
    fn mul_in_place(&mut self, r: &Self) {
        let re = self.re * r.re;
        // The plain products are the chain rule's when a·b (so a and b) is finite and non-zero
        // and the parts that meet in the cross terms are finite: one test per operation.
        let cross_ab = self.act1 && r.act2;
        let cross_ba = r.act1 && self.act2;
        let finite = |u: &[T], v: &[T]| all_finite(u) && all_finite(v);
        if re.has_finite_nonzero_primal()
            && (!cross_ab || finite(&self.eps1, &r.eps2))
            && (!cross_ba || finite(&r.eps1, &self.eps2))
        {
            self.mul_parts(r, |p, q| p * q);
        } else {
            *self = Self::mul_parts_strong(*self, *r);
        }
        self.re = re;
    }

    /// [`mul_parts`](Self::mul_parts) with every product by [`chain`], out of line.
    #[cold]
    #[inline(never)]
    fn mul_parts_strong(mut x: Self, r: Self) -> Self {
        x.mul_parts(&r, chain);
        x
    }

    /// In place: the parts of `self · r` (Leibniz, with the cross terms `a₁⊗b₂ + b₁⊗a₂` in the
    /// block), every product by `times`; the value is left to the caller.
    #[inline(always)]
    fn mul_parts(&mut self, r: &Self, times: impl Fn(T, T) -> T + Copy) {
        let (a, b) = (self.re, r.re);
        // The block first: it needs the first-order parts of `self` before they are scaled.
        let cross_ab = self.act1 && r.act2;
        let cross_ba = r.act1 && self.act2;
        if self.act12 {
            for row in self.eps12.iter_mut() {
                update1(row, |e| times(e, b));
            }
        }
        if r.act12 {
            for (row, o) in self.eps12.iter_mut().zip(&r.eps12) {
                update(row, o, |s, o| s + times(a, o));
            }
        }
        if cross_ab {
            let u = self.eps1;
            for (row, &ui) in self.eps12.iter_mut().zip(&u) {
                update(row, &r.eps2, |r, vj| r + times(ui, vj));
            }
        }
        if cross_ba {
            let v = self.eps2;
            for (row, &ui) in self.eps12.iter_mut().zip(&r.eps1) {
                update(row, &v, |r, vj| r + times(ui, vj));
            }
        }
        self.act12 |= r.act12 || cross_ab || cross_ba;
        // First-order parts: a₁·b + a·b₁.
        match (self.act1, r.act1) {
            (true, true) => update(&mut self.eps1, &r.eps1, |s, o| times(s, b) + times(a, o)),
            (true, false) => update1(&mut self.eps1, |s| times(s, b)),
            (false, true) => self.eps1 = r.eps1.map(|o| times(a, o)),
            (false, false) => {}
        }
        match (self.act2, r.act2) {
            (true, true) => update(&mut self.eps2, &r.eps2, |s, o| times(s, b) + times(a, o)),
            (true, false) => update1(&mut self.eps2, |s| times(s, b)),
            (false, true) => self.eps2 = r.eps2.map(|o| times(a, o)),
            (false, false) => {}
        }
        self.act1 |= r.act1;
        self.act2 |= r.act2;
    }

    /// In place: `self = self / r`, solving `a = q·b` for q one order at a time.
    #[inline(always)]
    pub(crate) fn div_in_place(&mut self, r: &Self) {
        let inv = T::one() / r.re;
        let q = self.re / r.re; // the value rounds as the f64 division does
        self.re = q;
        if r.is_constant() {
            self.scale(inv);
            return;
        }
        if !(q.has_finite_nonzero_primal() && inv.has_finite_nonzero_primal()) {
            *self = Self::div_parts_strong(*self, *r, q, inv);
            return;
        }
        // q and 1/b finite and non-zero: their plain products are the chain rule's.
        // q₁ = (a₁ − q·b₁)/b, q₂ likewise.
        let nq = -q;
        self.merge(r, |s, o| s + nq * o, |o| nq * o);
        // The block: q₁₂ = (a₁₂ − q·b₁₂ − q₁⊗b₂ − b₁⊗q₂)/b, with q₁ = self.eps1·inv etc.; the
        // subtraction of q·b₁₂ happened in `merge`.
        // Only the active parts: an inactive part is exactly zero.
        if self.act1 {
            update1(&mut self.eps1, |e| e * inv);
        }
        if self.act2 {
            update1(&mut self.eps2, |e| e * inv);
        }
        let cross_qb = self.act1 && r.act2;
        let cross_bq = r.act1 && self.act2;
        if cross_qb {
            let u = self.eps1.map(|e| -e);
            add_outer(&mut self.eps12, &u, &r.eps2);
        }
        if cross_bq {
            let v = self.eps2.map(|e| -e);
            add_outer(&mut self.eps12, &r.eps1, &v);
        }
        self.act12 |= cross_qb || cross_bq;
        if self.act12 {
            update1(self.eps12.as_flattened_mut(), |e| e * inv);
        }
    }

    /// `x / r`'s parts where q or 1/b is zero or not finite, out of line: the partials 1/b and −q/b
    /// times the parts, as `Dual` multiplies them, every product by [`chain`]:
    /// q₁ = (1/b)·a₁ − (q/b)·b₁ (q₂ likewise) and q₁₂ = (1/b)·(a₁₂ − q₁⊗b₂ − b₁⊗q₂) − (q/b)·b₁₂.
    #[cold]
    #[inline(never)]
    fn div_parts_strong(mut x: Self, r: Self, q: T, inv: T) -> Self {
        let qi = q * inv;
        let quotient = |a: T, b: T| chain(inv, a) - chain(qi, b);
        let (act1, act2) = (x.act1 || r.act1, x.act2 || r.act2);
        if act1 {
            update(&mut x.eps1, &r.eps1, quotient);
        }
        if act2 {
            update(&mut x.eps2, &r.eps2, quotient);
        }
        let act12 = x.act12 || r.act12 || (act1 && r.act2) || (r.act1 && act2);
        if act12 {
            let mut cross = [[T::zero(); M]; N];
            add_outer(&mut cross, &x.eps1, &r.eps2);
            add_outer(&mut cross, &r.eps1, &x.eps2);
            for ((row, c), o) in x.eps12.iter_mut().zip(&cross).zip(&r.eps12) {
                for ((e, &c), &o) in row.iter_mut().zip(c).zip(o) {
                    *e = quotient(*e - c, o);
                }
            }
        }
        (x.act1, x.act2, x.act12) = (act1, act2, act12);
        x
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

impl<T: Number, const N: usize, const M: usize> AddAssign for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn add_assign(&mut self, r: Self) {
        self.re += r.re;
        self.merge(&r, |s, o| s + o, |o| o);
    }
}
impl<T: Number, const N: usize, const M: usize> SubAssign for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn sub_assign(&mut self, r: Self) {
        self.re -= r.re;
        self.merge(&r, |s, o| s - o, |o| -o);
    }
}
impl<T: Number, const N: usize, const M: usize> MulAssign for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn mul_assign(&mut self, r: Self) {
        self.mul_in_place(&r);
    }
}
impl<T: Number, const N: usize, const M: usize> DivAssign for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn div_assign(&mut self, r: Self) {
        self.div_in_place(&r);
    }
}

/// The binary operators in terms of the in-place ones (`self` is taken by value, so no copy).
macro_rules! by_value_ops {
    ($($tr:ident $m:ident $assign:ident;)*) => {$(
        impl<T: Number, const N: usize, const M: usize> $tr for HyperDualVec<T, N, M> {
            type Output = Self;
            #[inline(always)]
            fn $m(mut self, r: Self) -> Self {
                self.$assign(r);
                self
            }
        }
    )*};
}
by_value_ops! {
    Add add add_assign;
    Sub sub sub_assign;
    Mul mul mul_assign;
    Div div div_assign;
}

impl<T: Number, const N: usize, const M: usize> Neg for HyperDualVec<T, N, M> {
    type Output = Self;
    #[inline(always)]
    fn neg(mut self) -> Self {
        self.re = -self.re;
        self.scale(-T::one());
        self
    }
}

impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> AddAssign<F> for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn add_assign(&mut self, r: F) {
        self.re += r;
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> SubAssign<F> for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn sub_assign(&mut self, r: F) {
        self.re -= r;
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> MulAssign<F> for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn mul_assign(&mut self, r: F) {
        self.re *= r;
        self.scale(T::constant(r));
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> DivAssign<F> for HyperDualVec<T, N, M> {
    #[inline(always)]
    fn div_assign(&mut self, r: F) {
        // The parts scale by 1/c; the value is the plain quotient (bit-identical).
        let q = self.re / r;
        *self *= F::one() / r;
        self.re = q;
    }
}

/// The operators with a plain float on the right in terms of the in-place ones.
macro_rules! float_rhs_ops {
    ($($tr:ident $m:ident $assign:ident;)*) => {$(
        impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> $tr<F>
            for HyperDualVec<T, N, M>
        {
            type Output = Self;
            #[inline(always)]
            fn $m(mut self, r: F) -> Self {
                self.$assign(r);
                self
            }
        }
    )*};
}
float_rhs_ops! {
    Add add add_assign;
    Sub sub sub_assign;
    Mul mul mul_assign;
    Div div div_assign;
}

impl<T: Number, const N: usize, const M: usize> PartialEq for HyperDualVec<T, N, M> {
    /// Compares primal values only (as `<` does).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}
impl<T: Number, const N: usize, const M: usize> PartialOrd for HyperDualVec<T, N, M> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(&other.re)
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> PartialEq<F> for HyperDualVec<T, N, M> {
    #[inline]
    fn eq(&self, other: &F) -> bool {
        self.re == *other
    }
}
impl<F: Real, T: Scalar<F>, const N: usize, const M: usize> PartialOrd<F>
    for HyperDualVec<T, N, M>
{
    #[inline]
    fn partial_cmp(&self, other: &F) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(other)
    }
}
impl<T: Number, const N: usize, const M: usize> Default for HyperDualVec<T, N, M> {
    #[inline]
    fn default() -> Self {
        Self::lift(T::zero())
    }
}
impl<T: Number, const N: usize, const M: usize> std::iter::Sum for HyperDualVec<T, N, M> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + b)
    }
}
impl<'a, T: Number, const N: usize, const M: usize> std::iter::Sum<&'a Self>
    for HyperDualVec<T, N, M>
{
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + *b)
    }
}
impl<T: Number, const N: usize, const M: usize> std::iter::Product for HyperDualVec<T, N, M> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::lift(T::one()), |a, b| a * b)
    }
}
impl<'a, T: Number, const N: usize, const M: usize> std::iter::Product<&'a Self>
    for HyperDualVec<T, N, M>
{
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::lift(T::one()), |a, b| a * *b)
    }
}

diffprog_dual::float_lhs_operators!([T: Scalar<f64>, const N: usize, const M: usize] HyperDualVec<T, N, M>, f64);
diffprog_dual::float_lhs_operators!([T: Scalar<f32>, const N: usize, const M: usize] HyperDualVec<T, N, M>, f32);

impl<T: Number, const N: usize, const M: usize> Number for HyperDualVec<T, N, M> {
    type Primal = T::Primal;
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
        self.re.is_identically_zero() && self.derivative_parts_are_zero()
    }
    #[inline]
    fn derivative_parts_are_zero(&self) -> bool {
        self.re.derivative_parts_are_zero()
            && self.eps1.iter().all(|e| e.is_identically_zero())
            && self.eps2.iter().all(|e| e.is_identically_zero())
            && self.eps12.iter().flatten().all(|e| e.is_identically_zero())
    }
    /// The product `*` with the value's product strong as well (`*` already multiplies every
    /// part by the strong-zero rule).
    #[inline(always)]
    fn strong_zero_mul(mut self, rhs: Self) -> Self {
        let re = self.re.strong_zero_mul(rhs.re);
        self.mul_parts(&rhs, chain);
        self.re = re;
        self
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.re.has_finite_nonzero_primal()
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

//! [`ArenaHyperDual`]: the number of [`hessian`](crate::hessian), a 24-byte handle whose
//! derivative parts live in a per-pass arena.

use crate::arena::{self, Arena, Mode, Node, NONE};
use crate::macros::second_order_elementary_functions;
use crate::products::all_finite;
use crate::HyperDualVec;
use diffprog_dual::{rules, Dual, Number, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The primal float (the elementary-function macro names it `F`).
type F = f64;

/// A chunked hyperdual number — the same algebra as [`HyperDualVec<f64, N, N>`](HyperDualVec)
/// (value, ε₁ part over a block I of N inputs, ε₂ part over a block J, N×N ε₁ε₂ block) — whose
/// derivative parts are stored out of line, in a per-thread arena that lives for one pass of
/// [`hessian`](crate::hessian).
///
/// The number itself is the value, the index of a node in the arena that holds the offsets of
/// its three parts (or a marker for a constant), and the id of its pass: 24 bytes. A part that
/// is exactly zero is absent. So copying a number costs the same whatever N is; an operation on
/// numbers that depend on neither block costs an `f64` operation and a test; `x + c`, `x − c`
/// share `x`'s parts instead of copying them; only operations whose operands depend on a block
/// read and write parts, and only the parts that exist. In a diagonal pass (I = J) the ε₁ and ε₂
/// parts are equal and stored once, and the symmetric ε₁ε₂ block as its upper triangle.
///
/// Every operation computes what `HyperDualVec<f64, N, N>` computes (the same formulas in the
/// same order, with the same strong-zero rule; the elementary functions, `pow`, `atan2` etc., the
/// division, and the products and scalings whose plain products would not be the rule's run on
/// a `HyperDualVec` copy of the operands) — tested equal on random programs, non-finite inputs
/// included. In the structural pass of `hessian` the same handle carries the set of input
/// blocks the value depends on instead of derivatives. The numbers are only meaningful inside
/// the function being differentiated, during the driver call that created them: using one after
/// its pass has ended, or in another pass, panics.
///
/// Outside a pass, constants work as plain numbers:
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::ArenaHyperDual;
///
/// let c = ArenaHyperDual::<6>::constant(2.0);
/// assert_eq!((c * 3.0 + 1.0).sin().re(), 7.0_f64.sin());
/// assert_eq!((c * c).eps12(), [[0.0; 6]; 6]);
/// ```
#[derive(Clone, Copy)]
pub struct ArenaHyperDual<const N: usize> {
    re: f64,
    /// The index of the number's [`Node`] (the offsets of its parts) in the arena, or [`NONE`]
    /// for a constant.
    node: u32,
    /// The pass the node belongs to.
    pass: u64,
}

/// `[f(a₀), f(a₁), …]`.
#[inline(always)]
fn map<const K: usize>(a: &[f64; K], f: impl Fn(f64) -> f64) -> [f64; K] {
    std::array::from_fn(|i| f(a[i]))
}

/// `[f(a₀, b₀), f(a₁, b₁), …]`.
#[inline(always)]
fn zip<const K: usize>(a: &[f64; K], b: &[f64; K], f: impl Fn(f64, f64) -> f64) -> [f64; K] {
    std::array::from_fn(|i| f(a[i], b[i]))
}

impl<const N: usize> ArenaHyperDual<N> {
    /// A constant: every derivative part zero.
    #[inline(always)]
    pub fn lift(x: f64) -> Self {
        ArenaHyperDual {
            re: x,
            node: NONE,
            pass: 0,
        }
    }

    /// The value f.
    #[inline(always)]
    pub fn re(&self) -> f64 {
        self.re
    }

    /// The ε₁ part: ∂f/∂x over block I (read from the arena).
    ///
    /// # Panics
    /// If the number's pass has ended, or during the structural pass of
    /// [`hessian`](crate::hessian) (which tracks dependencies, not values).
    pub fn eps1(&self) -> [f64; N] {
        self.read(|a, n| a.part(n.e1))
    }

    /// The ε₂ part: ∂f/∂x over block J.
    ///
    /// # Panics
    /// As [`eps1`](Self::eps1).
    pub fn eps2(&self) -> [f64; N] {
        self.read(|a, n| a.part(n.e2))
    }

    /// The ε₁ε₂ part: `eps12()[i][j] = ∂²f/∂x_{I,i}∂x_{J,j}`.
    ///
    /// # Panics
    /// As [`eps1`](Self::eps1).
    pub fn eps12(&self) -> [[f64; N]; N] {
        self.read(|a, n| a.block(n.e12, a.mode == Mode::Diagonal))
    }

    /// Runs `f` on the arena and this number's node, after checking that its parts can be read.
    fn read<R: DefaultZero>(&self, f: impl FnOnce(&Arena, Node) -> R) -> R {
        if self.is_constant() {
            return R::default_zero();
        }
        arena::with(|a| {
            let n = a.node(self.node, self.pass);
            assert!(
                a.mode != Mode::Structural,
                "ArenaHyperDual: derivative parts cannot be read during the structural pass of \
                 `hessian` (it records which inputs interact, not derivative values)"
            );
            f(a, n)
        })
    }

    /// True when no part depends on a seeded input.
    #[inline(always)]
    fn is_constant(&self) -> bool {
        self.node == NONE
    }

    /// A number of the open pass with parts `n`.
    #[inline(always)]
    fn make(a: &mut Arena, re: f64, n: Node) -> Self {
        ArenaHyperDual {
            re,
            node: a.new_node(n),
            pass: a.id,
        }
    }

    /// An input at `x`, seeded as ε₁-direction `i` and/or ε₂-direction `j`: in a diagonal pass
    /// `i == j` (one unit vector for both parts), in an off-diagonal pass at most one is given.
    pub(crate) fn seed(x: f64, i: Option<usize>, j: Option<usize>) -> Self {
        arena::with(|a| {
            let diagonal = a.mode == Mode::Diagonal;
            let mut unit = |k: Option<usize>| match k {
                Some(k) => {
                    let mut u = [0.0; N];
                    u[k] = 1.0;
                    a.push(&u)
                }
                None => NONE,
            };
            let e1 = unit(i);
            let e2 = if diagonal {
                debug_assert_eq!(i, j);
                e1
            } else {
                debug_assert!(i.is_none() || j.is_none());
                unit(j)
            };
            Self::make(a, x, Node { e1, e2, e12: NONE })
        })
    }

    /// Structural pass: an input at `x` that depends on input block `block`.
    pub(crate) fn depending_on(x: f64, block: usize) -> Self {
        arena::with(|a| {
            debug_assert_eq!(a.mode, Mode::Structural);
            let e1 = a.singleton(block);
            Self::make(
                a,
                x,
                Node {
                    e1,
                    ..Node::CONSTANT
                },
            )
        })
    }

    /// The number as a `HyperDualVec` (exactly zero parts where this one has none; in a
    /// diagonal pass the block's lower triangle mirrors the upper).
    fn inline(re: f64, n: Node, a: &Arena) -> HyperDualVec<f64, N, N> {
        HyperDualVec::from_raw(
            re,
            (
                a.part(n.e1),
                a.part(n.e2),
                a.block(n.e12, a.mode == Mode::Diagonal),
            ),
            (n.e1 != NONE, n.e2 != NONE, n.e12 != NONE),
        )
    }

    /// Stores a `HyperDualVec`'s active parts (in a diagonal pass, ε₁ once and the upper
    /// triangle of the block).
    fn store(a: &mut Arena, v: &HyperDualVec<f64, N, N>) -> Self {
        let (act1, act2, act12) = v.activity();
        let diagonal = a.mode == Mode::Diagonal;
        let e1 = if act1 { a.push(v.eps1()) } else { NONE };
        let e2 = if diagonal {
            e1
        } else if act2 {
            a.push(v.eps2())
        } else {
            NONE
        };
        let e12 = if !act12 {
            NONE
        } else if diagonal {
            let o = a.data.len();
            for (i, row) in v.eps12().iter().enumerate() {
                a.data.extend_from_slice(&row[i..]);
            }
            arena::offset(o)
        } else {
            a.push(v.eps12().as_flattened())
        };
        Self::make(a, v.re(), Node { e1, e2, e12 })
    }

    /// `x · y` (values and nodes) by the strong-zero rule, on `HyperDualVec` copies, stored.
    #[cold]
    #[inline(never)]
    fn mul_on_copies(a: &mut Arena, (xre, x): (f64, Node), (yre, y): (f64, Node)) -> Self {
        let mut p = Self::inline(xre, x, a);
        p *= Self::inline(yre, y, a);
        Self::store(a, &p)
    }

    /// The length of the ε₁ε₂ part in the open pass's layout.
    #[inline(always)]
    fn block_len(mode: Mode) -> usize {
        if mode == Mode::Diagonal {
            N * (N + 1) / 2
        } else {
            N * N
        }
    }

    /// Every part times `k`, the value `re`.
    #[inline(never)]
    fn scale_parts(self, re: f64, k: f64) -> Self {
        // The plain products are the chain rule's when k is finite and non-zero.
        if !k.has_finite_nonzero_primal() {
            return self.scale_parts_strong(re, k);
        }
        arena::with(|a| {
            let x = a.node(self.node, self.pass);
            if a.mode == Mode::Structural {
                return Self { re, ..self };
            }
            let e1 = a.map_vec::<N>(x.e1, |e| e * k);
            let e2 = if a.mode == Mode::Diagonal {
                e1
            } else {
                a.map_vec::<N>(x.e2, |e| e * k)
            };
            let e12 = a.map_part(x.e12, Self::block_len(a.mode), |e| e * k);
            Self::make(a, re, Node { e1, e2, e12 })
        })
    }

    /// [`scale_parts`](Self::scale_parts) by the strong-zero rule, on a `HyperDualVec` copy.
    #[cold]
    #[inline(never)]
    fn scale_parts_strong(self, re: f64, k: f64) -> Self {
        arena::with(|a| {
            let x = a.node(self.node, self.pass);
            if a.mode == Mode::Structural {
                return Self { re, ..self };
            }
            let mut v = Self::inline(re, x, a);
            v.scale(k);
            Self::store(a, &v)
        })
    }

    /// `self ± r` where `r` has parts (and `self` has parts, or `sub`).
    #[inline(never)]
    fn add_active(self, r: Self, re: f64, sub: bool) -> Self {
        arena::with(|a| {
            let (x, y) = (a.node(self.node, self.pass), a.node(r.node, r.pass));
            if a.mode == Mode::Structural {
                let e1 = a.union(x.e1, y.e1);
                return Self::make(
                    a,
                    re,
                    Node {
                        e1,
                        ..Node::CONSTANT
                    },
                );
            }
            let e1 = a.add_vec::<N>(x.e1, y.e1, sub);
            let e2 = if a.mode == Mode::Diagonal {
                e1
            } else {
                a.add_vec::<N>(x.e2, y.e2, sub)
            };
            let e12 = a.add_parts(x.e12, y.e12, sub, Self::block_len(a.mode));
            Self::make(a, re, Node { e1, e2, e12 })
        })
    }

    /// `self · r` where both have parts.
    #[inline(never)]
    fn mul_active(self, r: Self) -> Self {
        arena::with(|ar| {
            let (x, y) = (ar.node(self.node, self.pass), ar.node(r.node, r.pass));
            let (a, b) = (self.re, r.re);
            if ar.mode == Mode::Structural {
                ar.interact(x.e1, y.e1);
                let e1 = ar.union(x.e1, y.e1);
                return Self::make(
                    ar,
                    a * b,
                    Node {
                        e1,
                        ..Node::CONSTANT
                    },
                );
            }
            // As `HyperDualVec`'s `mul_parts`: the block first, from the unscaled parts.
            let cross_ab = x.e1 != NONE && y.e2 != NONE;
            let cross_ba = y.e1 != NONE && x.e2 != NONE;
            // The plain products are the chain rule's when a·b (so a and b) is finite and
            // non-zero and the parts that meet in the cross terms are finite (as in
            // `HyperDualVec`); otherwise the product runs on `HyperDualVec` copies, out of line.
            // (In a diagonal pass ε₂ is ε₁: one test covers both cross terms.)
            let finite = |o: u32| all_finite(ar.get::<N>(o));
            let parts_finite = if ar.mode == Mode::Diagonal {
                !cross_ab || (finite(x.e1) && finite(y.e1))
            } else {
                (!cross_ab || (finite(x.e1) && finite(y.e2)))
                    && (!cross_ba || (finite(y.e1) && finite(x.e2)))
            };
            if !((a * b).has_finite_nonzero_primal() && parts_finite) {
                return Self::mul_on_copies(ar, (a, x), (b, y));
            }
            let block = x.e12 != NONE || y.e12 != NONE || cross_ab || cross_ba;
            let e12 = match ar.mode {
                _ if !block => NONE,
                Mode::Diagonal => {
                    // The upper triangle, row by row; ε₂ = ε₁, so both cross terms are present.
                    let mut buf = [[0.0; N]; N];
                    let m = &mut buf.as_flattened_mut()[..N * (N + 1) / 2];
                    if x.e12 != NONE {
                        let s = ar.slice(x.e12, m.len());
                        m.iter_mut().zip(s).for_each(|(m, &s)| *m = s * b);
                    }
                    if y.e12 != NONE {
                        let o = ar.slice(y.e12, m.len());
                        m.iter_mut().zip(o).for_each(|(m, &o)| *m += a * o);
                    }
                    if cross_ab {
                        add_outer_pair_upper(m, ar.get::<N>(x.e1), ar.get::<N>(y.e1));
                    }
                    ar.push(m)
                }
                // `Mode::Full` (the structural pass returned above).
                _ => {
                    let mut m = [[0.0; N]; N];
                    if x.e12 != NONE {
                        for (row, s) in m.iter_mut().zip(ar.get_block::<N>(x.e12)) {
                            *row = map(s, |s| s * b);
                        }
                    }
                    if y.e12 != NONE {
                        for (row, o) in m.iter_mut().zip(ar.get_block::<N>(y.e12)) {
                            *row = zip(row, o, |s, o| s + a * o);
                        }
                    }
                    if cross_ab {
                        add_outer(&mut m, ar.get::<N>(x.e1), ar.get::<N>(y.e2));
                    }
                    if cross_ba {
                        add_outer(&mut m, ar.get::<N>(y.e1), ar.get::<N>(x.e2));
                    }
                    ar.push(m.as_flattened())
                }
            };
            let e1 = ar.mul_parts::<N>(x.e1, y.e1, a, b);
            let e2 = if ar.mode == Mode::Diagonal {
                e1
            } else {
                ar.mul_parts::<N>(x.e2, y.e2, a, b)
            };
            Self::make(ar, a * b, Node { e1, e2, e12 })
        })
    }

    /// `self / r` where `r` has parts.
    #[inline(never)]
    fn div_active(self, r: Self) -> Self {
        arena::with(|a| {
            let (x, y) = (a.node(self.node, self.pass), a.node(r.node, r.pass));
            if a.mode == Mode::Structural {
                // q = x/y: every block of x or y meets every block of y.
                let d = a.union(x.e1, y.e1);
                a.interact(d, y.e1);
                return Self::make(
                    a,
                    self.re / r.re,
                    Node {
                        e1: d,
                        ..Node::CONSTANT
                    },
                );
            }
            let mut q = Self::inline(self.re, x, a);
            q.div_in_place(&Self::inline(r.re, y, a));
            Self::store(a, &q)
        })
    }

    /// Applies a unary rule (see `HyperDualVec::unary`).
    #[inline(always)]
    fn unary(self, rule: impl Fn(Dual<f64>) -> (Dual<f64>, Dual<f64>)) -> Self {
        if self.is_constant() {
            return Self::lift(rule(Dual::lift(self.re)).0.re);
        }
        self.unary_active(rule)
    }

    #[inline(never)]
    fn unary_active(self, rule: impl Fn(Dual<f64>) -> (Dual<f64>, Dual<f64>)) -> Self {
        arena::with(|a| {
            let x = a.node(self.node, self.pass);
            if a.mode == Mode::Structural {
                a.interact(x.e1, x.e1);
                let re = rule(Dual::lift(self.re)).0.re;
                return Self { re, ..self };
            }
            let v = Self::inline(self.re, x, a).unary(rule);
            Self::store(a, &v)
        })
    }

    /// Applies a binary rule (see `HyperDualVec::binary`).
    #[inline(always)]
    fn binary(
        self,
        y: Self,
        rule: impl Fn(Dual<f64>, Dual<f64>) -> (Dual<f64>, Dual<f64>, Dual<f64>),
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
        x.binary_active(y, rule)
    }

    #[inline(never)]
    fn binary_active(
        self,
        r: Self,
        rule: impl Fn(Dual<f64>, Dual<f64>) -> (Dual<f64>, Dual<f64>, Dual<f64>),
    ) -> Self {
        arena::with(|a| {
            let (x, y) = (a.node(self.node, self.pass), a.node(r.node, r.pass));
            if a.mode == Mode::Structural {
                let d = a.union(x.e1, y.e1);
                a.interact(d, d);
                let re = rule(Dual::lift(self.re), Dual::lift(r.re)).0.re;
                return Self::make(
                    a,
                    re,
                    Node {
                        e1: d,
                        ..Node::CONSTANT
                    },
                );
            }
            let v = Self::inline(self.re, x, a).binary(Self::inline(r.re, y, a), rule);
            Self::store(a, &v)
        })
    }
}

/// `m += u ⊗ v`, then `m += v ⊗ u`, on the packed upper triangle `m` (row i holds columns
/// i..N), in one sweep: each entry becomes `(m + uᵢvⱼ) + vᵢuⱼ`, as the two separate sweeps give
/// (plain products: the caller has checked that they are the chain rule's).
#[inline(always)]
fn add_outer_pair_upper<const N: usize>(m: &mut [f64], u: &[f64; N], v: &[f64; N]) {
    let mut rest = m;
    for i in 0..N {
        let (row, tail) = rest.split_at_mut(N - i);
        let (ui, vi) = (u[i], v[i]);
        for ((m, &uj), &vj) in row.iter_mut().zip(&u[i..]).zip(&v[i..]) {
            *m = (*m + ui * vj) + vi * uj;
        }
        rest = tail;
    }
}

/// `m += u ⊗ v` (plain products: the caller has checked that they are the chain rule's).
#[inline(always)]
fn add_outer<const N: usize>(m: &mut [[f64; N]; N], u: &[f64; N], v: &[f64; N]) {
    for (row, &ui) in m.iter_mut().zip(u) {
        *row = zip(row, v, |r, vj| r + ui * vj);
    }
}

/// The zero part of a constant, for the readers.
trait DefaultZero {
    fn default_zero() -> Self;
}
impl<const K: usize> DefaultZero for [f64; K] {
    fn default_zero() -> Self {
        [0.0; K]
    }
}
impl<const K: usize> DefaultZero for [[f64; K]; K] {
    fn default_zero() -> Self {
        [[0.0; K]; K]
    }
}

impl Arena {
    /// The part at `o` as an array (zeros for [`NONE`]).
    #[inline(always)]
    fn part<const K: usize>(&self, o: u32) -> [f64; K] {
        if o == NONE {
            [0.0; K]
        } else {
            *self.get::<K>(o)
        }
    }

    /// The `len` numbers at `o`.
    #[inline(always)]
    fn slice(&self, o: u32, len: usize) -> &[f64] {
        &self.data[o as usize..o as usize + len]
    }

    /// The block at `o` as an array (zeros for [`NONE`]); `packed`: stored as the upper
    /// triangle, mirrored into the lower.
    #[allow(clippy::needless_range_loop)] // writes m[i][j] and its mirror m[j][i]
    fn block<const K: usize>(&self, o: u32, packed: bool) -> [[f64; K]; K] {
        let mut m = [[0.0; K]; K];
        if o == NONE {
            return m;
        }
        if packed {
            let mut s = self.slice(o, K * (K + 1) / 2).iter();
            for i in 0..K {
                for j in i..K {
                    let v = *s.next().expect("a packed triangle of K(K + 1)/2 numbers");
                    m[i][j] = v;
                    m[j][i] = v;
                }
            }
        } else {
            for (row, s) in m.iter_mut().zip(self.get_block::<K>(o)) {
                *row = *s;
            }
        }
        m
    }

    /// The part of `len` numbers at `o` with `f` applied, stored anew.
    #[inline(always)]
    fn map_part(&mut self, o: u32, len: usize, f: impl Fn(f64) -> f64) -> u32 {
        if o == NONE {
            return NONE;
        }
        let d = self.data.len();
        self.data.extend_from_within(o as usize..o as usize + len);
        for e in &mut self.data[d..] {
            *e = f(*e);
        }
        arena::offset(d)
    }

    /// `x ± y` for parts of `len` numbers (`K` or `K²`): shares `x` when `y` is zero, and `y`
    /// when `x` is zero and it is a sum.
    #[inline(always)]
    fn add_parts(&mut self, x: u32, y: u32, sub: bool, len: usize) -> u32 {
        match (x != NONE, y != NONE) {
            (_, false) => x,
            (false, true) if !sub => y,
            (false, true) => {
                let o = self.data.len();
                let y = y as usize;
                self.data.extend_from_within(y..y + len);
                for e in &mut self.data[o..] {
                    *e = -*e;
                }
                arena::offset(o)
            }
            (true, true) => {
                let o = self.data.len();
                self.data.resize(o + len, 0.0);
                let (src, dst) = self.data.split_at_mut(o);
                let (x, y) = (x as usize, y as usize);
                let (xs, ys) = (&src[x..x + len], &src[y..y + len]);
                if sub {
                    for ((d, &s), &t) in dst.iter_mut().zip(xs).zip(ys) {
                        *d = s - t;
                    }
                } else {
                    for ((d, &s), &t) in dst.iter_mut().zip(xs).zip(ys) {
                        *d = s + t;
                    }
                }
                arena::offset(o)
            }
        }
    }

    /// [`map_part`](Self::map_part) for first-order parts (a length known at compile time).
    #[inline(always)]
    fn map_vec<const K: usize>(&mut self, o: u32, f: impl Fn(f64) -> f64) -> u32 {
        if o == NONE {
            return NONE;
        }
        let v = map(self.get::<K>(o), f);
        self.push(&v)
    }

    /// [`add_parts`](Self::add_parts) for first-order parts (a length known at compile time).
    #[inline(always)]
    fn add_vec<const K: usize>(&mut self, x: u32, y: u32, sub: bool) -> u32 {
        let v = match (x != NONE, y != NONE) {
            (_, false) => return x,
            (false, true) if !sub => return y,
            (false, true) => map(self.get::<K>(y), |t| -t),
            (true, true) if sub => zip(self.get::<K>(x), self.get::<K>(y), |s, t| s - t),
            (true, true) => zip(self.get::<K>(x), self.get::<K>(y), |s, t| s + t),
        };
        self.push(&v)
    }

    /// The first-order part of a product: `s·b + a·o` (plain products: the caller has checked
    /// that they are the chain rule's).
    #[inline(always)]
    fn mul_parts<const K: usize>(&mut self, s: u32, o: u32, a: f64, b: f64) -> u32 {
        let v = match (s != NONE, o != NONE) {
            (true, true) => zip(self.get::<K>(s), self.get::<K>(o), |s, o| s * b + a * o),
            (true, false) => map(self.get::<K>(s), |s| s * b),
            (false, true) => map(self.get::<K>(o), |o| a * o),
            (false, false) => return NONE,
        };
        self.push(&v)
    }
}

impl<const N: usize> fmt::Display for ArenaHyperDual<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let readable =
            self.is_constant() || arena::with(|a| a.id == self.pass && a.mode != Mode::Structural);
        if readable {
            write!(
                f,
                "{} + {:?}ε₁ + {:?}ε₂ + {:?}ε₁ε₂",
                self.re,
                self.eps1(),
                self.eps2(),
                self.eps12()
            )
        } else {
            write!(f, "{} + (parts not readable outside their pass)", self.re)
        }
    }
}

impl<const N: usize> fmt::Debug for ArenaHyperDual<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArenaHyperDual({self})")
    }
}

impl<const N: usize> Add for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: Self) -> Self {
        let re = self.re + r.re;
        if r.is_constant() {
            Self { re, ..self }
        } else if self.is_constant() {
            Self { re, ..r }
        } else {
            self.add_active(r, re, false)
        }
    }
}
impl<const N: usize> Sub for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: Self) -> Self {
        let re = self.re - r.re;
        if r.is_constant() {
            Self { re, ..self }
        } else {
            self.add_active(r, re, true)
        }
    }
}
impl<const N: usize> Mul for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: Self) -> Self {
        if r.is_constant() {
            self * r.re
        } else if self.is_constant() {
            r.scale_parts(self.re * r.re, self.re)
        } else {
            self.mul_active(r)
        }
    }
}
impl<const N: usize> Div for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: Self) -> Self {
        if r.is_constant() {
            // As `HyperDualVec`: the value divides, the parts scale by 1/b.
            let re = self.re / r.re;
            if self.is_constant() {
                Self::lift(re)
            } else {
                self.scale_parts(re, 1.0 / r.re)
            }
        } else {
            self.div_active(r)
        }
    }
}
impl<const N: usize> Neg for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        if self.is_constant() {
            Self::lift(-self.re)
        } else {
            self.scale_parts(-self.re, -1.0)
        }
    }
}
impl<const N: usize> Add<f64> for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, r: f64) -> Self {
        Self {
            re: self.re + r,
            ..self
        }
    }
}
impl<const N: usize> Sub<f64> for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, r: f64) -> Self {
        Self {
            re: self.re - r,
            ..self
        }
    }
}
impl<const N: usize> Mul<f64> for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, r: f64) -> Self {
        if self.is_constant() {
            Self::lift(self.re * r)
        } else {
            self.scale_parts(self.re * r, r)
        }
    }
}
impl<const N: usize> Div<f64> for ArenaHyperDual<N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, r: f64) -> Self {
        // The parts scale by 1/c; the value is the plain quotient (bit-identical).
        let re = self.re / r;
        if self.is_constant() {
            Self::lift(re)
        } else {
            self.scale_parts(re, 1.0 / r)
        }
    }
}

diffprog_dual::forward_number_boilerplate!([const N: usize] [const N: usize] ArenaHyperDual<N>, re);
diffprog_dual::float_lhs_operators!([const N: usize] ArenaHyperDual<N>, f64);

impl<const N: usize> Number for ArenaHyperDual<N> {
    type Primal = f64;
    #[inline(always)]
    fn zero() -> Self {
        Self::lift(0.0)
    }
    #[inline(always)]
    fn one() -> Self {
        Self::lift(1.0)
    }
    /// The product `*` with the value's product strong as well (`*` already multiplies every
    /// part by the strong-zero rule).
    #[inline(always)]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        Self {
            re: self.re.strong_zero_mul(rhs.re),
            ..self * rhs
        }
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.re.has_finite_nonzero_primal()
    }
    fn is_identically_zero(&self) -> bool {
        self.re == 0.0 && self.derivative_parts_are_zero()
    }
    fn derivative_parts_are_zero(&self) -> bool {
        if self.is_constant() {
            return true;
        }
        arena::with(|a| {
            let n = a.node(self.node, self.pass);
            match a.mode {
                // A structural number with parts depends on an input.
                Mode::Structural => false,
                mode => {
                    let zero =
                        |o: u32, len: usize| o == NONE || a.slice(o, len).iter().all(|&e| e == 0.0);
                    zero(n.e1, N) && zero(n.e2, N) && zero(n.e12, Self::block_len(mode))
                }
            }
        })
    }
}

impl<const N: usize> Scalar<f64> for ArenaHyperDual<N> {
    #[inline(always)]
    fn constant(value: f64) -> Self {
        Self::lift(value)
    }
    #[inline(always)]
    fn value(&self) -> f64 {
        self.re
    }
    second_order_elementary_functions!();
}

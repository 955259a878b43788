//! Broadcasting binary operations (`+ − × ÷`, NumPy rules), with a fast path for equal shapes
//! and for a trailing block (a bias row) repeated over the leading axes.

use super::Op;
use crate::element::add_scaled;
use crate::graph::{Grads, Vals};
use crate::shape::MAX_DIMS;
use crate::{Element, Graph, NodeId, Shape};
use diffprog_dual::{rules, Real, Scalar};

/// The binary operation of a broadcasting [`Graph::binary`] node.
///
/// The arithmetic operations have the partials the scalar number types record; `Maximum`,
/// `Minimum` and `Pow` take value and partials from [`diffprog_dual::rules`] (`max`, `min`,
/// `pow`), as every other mode does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// a + b.
    Add,
    /// a − b.
    Sub,
    /// a · b.
    Mul,
    /// a / b.
    Div,
    /// max(a, b) ([`rules::max`]: partials (1, 0) or (0, 1), (½, ½) at a tie as PyTorch's
    /// `maximum`; NaN if either is NaN).
    Maximum,
    /// min(a, b) ([`rules::min`]).
    Minimum,
    /// aᵇ ([`rules::pow`]: partials (b·aᵇ⁻¹, aᵇ·ln a)).
    Pow,
}

/// `(f(a, b), ∂f/∂a, ∂f/∂b)` of `Maximum`, `Minimum` and `Pow` from the rule table, for an
/// element type that is a `Scalar` of itself (the implementation of [`Element::binary_rule`];
/// `None` for the arithmetic operations, whose partials [`BinaryOp`] writes itself).
#[inline(always)]
pub(crate) fn rule<F: Real + Scalar<F>>(op: BinaryOp, a: F, b: F) -> Option<(F, F, F)> {
    match op {
        BinaryOp::Maximum => Some(rules::max::<F, F>(a, b)),
        BinaryOp::Minimum => Some(rules::min::<F, F>(a, b)),
        BinaryOp::Pow => Some(rules::pow::<F, F>(a, b)),
        _ => None,
    }
}

/// `f(a, b)` of `Maximum`, `Minimum` and `Pow` as the element's `Scalar` methods compute it.
#[inline(always)]
pub(crate) fn value<F: Real + Scalar<F>>(op: BinaryOp, a: F, b: F) -> F {
    match op {
        BinaryOp::Maximum => Scalar::max(a, b),
        BinaryOp::Minimum => Scalar::min(a, b),
        _ => Scalar::pow(a, b),
    }
}

impl BinaryOp {
    #[inline(always)]
    fn apply<F: Element>(self, a: F, b: F) -> F {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
            _ => F::binary_value(self, a, b),
        }
    }
    /// (∂/∂a, ∂/∂b), as the scalar number types record them: (1, ±1), (b, a), and for the
    /// quotient q = a/b, (1/b, −q · (1/b)).
    #[inline(always)]
    fn partials<F: Element>(self, a: F, b: F) -> (F, F) {
        match self {
            BinaryOp::Add => (F::one(), F::one()),
            BinaryOp::Sub => (F::one(), -F::one()),
            BinaryOp::Mul => (b, a),
            BinaryOp::Div => {
                let inv = F::one() / b;
                (inv, -((a / b) * inv))
            }
            _ => {
                let (_, da, db) = F::binary_rule(self, a, b).expect("a rule-table operation");
                (da, db)
            }
        }
    }
}

/// The broadcast shape of `a` and `b` (NumPy rules: align trailing axes; sizes equal or 1).
pub fn broadcast_shape(a: Shape, b: Shape) -> Shape {
    let n = a.ndim().max(b.ndim());
    let mut d = [1usize; MAX_DIMS];
    for i in 0..n {
        let da = if i < a.ndim() {
            a.dims()[a.ndim() - 1 - i]
        } else {
            1
        };
        let db = if i < b.ndim() {
            b.dims()[b.ndim() - 1 - i]
        } else {
            1
        };
        assert!(
            da == db || da == 1 || db == 1,
            "broadcast: shapes {a:?} and {b:?} are not compatible (axis sizes must be equal or 1)"
        );
        d[n - 1 - i] = da.max(db);
    }
    Shape::new(&d[..n])
}

/// Strides of `s` seen inside the broadcast shape `out` (0 along broadcast axes).
fn bstrides(s: Shape, out: Shape) -> [usize; MAX_DIMS] {
    let n = out.ndim();
    let off = n - s.ndim();
    let st = s.strides();
    let mut r = [0; MAX_DIMS];
    for i in 0..s.ndim() {
        if s.dims()[i] != 1 {
            r[off + i] = st[i];
        }
    }
    r
}

/// How the operands line up with the output.
enum Layout {
    /// Every operand element-aligned with the output (equal shapes).
    Same,
    /// b is a trailing block of `len` elements repeated (a has the output's shape).
    BRepeat(usize),
    /// a is a trailing block repeated (b has the output's shape).
    ARepeat(usize),
    General,
}

fn is_suffix(small: Shape, out: Shape) -> bool {
    let k = small.ndim();
    // leading 1s of `small` are fine; the rest must equal the output's trailing axes
    let d = small.dims();
    let first = d.iter().position(|&x| x != 1).unwrap_or(k);
    let tail = &d[first..];
    tail == &out.dims()[out.ndim() - tail.len()..]
}

fn layout(sa: Shape, sb: Shape, out: Shape) -> Layout {
    if sa == sb {
        Layout::Same
    } else if sa.numel() == out.numel() && is_suffix(sb, out) {
        Layout::BRepeat(sb.numel())
    } else if sb.numel() == out.numel() && is_suffix(sa, out) {
        Layout::ARepeat(sa.numel())
    } else {
        Layout::General
    }
}

/// Calls `f(out_index, a_index, b_index)` for every output element.
fn for_each_index(
    out: Shape,
    sa: [usize; MAX_DIMS],
    sb: [usize; MAX_DIMS],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = out.ndim();
    let total = out.numel();
    if n == 0 {
        if total == 1 {
            f(0, 0, 0);
        }
        return;
    }
    let dims = out.dims();
    let mut idx = [0usize; MAX_DIMS];
    let (mut ia, mut ib) = (0usize, 0usize);
    let last = n - 1;
    let (la, lb, ld) = (sa[last], sb[last], dims[last]);
    let mut o = 0;
    while o < total {
        for j in 0..ld {
            f(o + j, ia + j * la, ib + j * lb);
        }
        o += ld;
        // odometer over the leading axes
        let mut ax = last;
        while ax > 0 {
            ax -= 1;
            idx[ax] += 1;
            ia += sa[ax];
            ib += sb[ax];
            if idx[ax] < dims[ax] {
                break;
            }
            ia -= sa[ax] * dims[ax];
            ib -= sb[ax] * dims[ax];
            idx[ax] = 0;
        }
    }
}

impl<F: Element> Graph<F> {
    /// Broadcasting `a ∘ b` (NumPy rules).
    ///
    /// # Panics
    /// If the shapes are not broadcast-compatible.
    pub fn binary(&mut self, a: NodeId, b: NodeId, op: BinaryOp) -> NodeId {
        let (ai, bi) = (self.check(a), self.check(b));
        let (sa, sb) = (self.metas[ai as usize].shape, self.metas[bi as usize].shape);
        let out = broadcast_shape(sa, sb);
        let rg = self.rg(&[ai, bi]);
        let n = self.push(Op::Binary { a: ai, b: bi, op }, out, rg);
        let (v, y) = self.split(n);
        let (av, bv) = (v.get(ai), v.get(bi));
        match layout(sa, sb, out) {
            Layout::Same => {
                for ((o, &x), &z) in y.iter_mut().zip(av).zip(bv) {
                    *o = op.apply(x, z);
                }
            }
            Layout::BRepeat(1) => {
                let z = bv[0];
                for (o, &x) in y.iter_mut().zip(av) {
                    *o = op.apply(x, z);
                }
            }
            Layout::BRepeat(len) => {
                for (yc, ac) in y.chunks_exact_mut(len).zip(av.chunks_exact(len)) {
                    for ((o, &x), &z) in yc.iter_mut().zip(ac).zip(bv) {
                        *o = op.apply(x, z);
                    }
                }
            }
            Layout::ARepeat(len) => {
                for (yc, bc) in y.chunks_exact_mut(len).zip(bv.chunks_exact(len)) {
                    for ((o, &x), &z) in yc.iter_mut().zip(av).zip(bc) {
                        *o = op.apply(x, z);
                    }
                }
            }
            Layout::General => {
                for_each_index(out, bstrides(sa, out), bstrides(sb, out), |o, i, j| {
                    y[o] = op.apply(av[i], bv[j]);
                });
            }
        }
        self.id(n)
    }
    /// Broadcasting `a + b`.
    pub fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Add)
    }
    /// Broadcasting `a − b`.
    pub fn sub(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Sub)
    }
    /// Broadcasting `a · b` (elementwise).
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Mul)
    }
    /// Broadcasting `a / b` (elementwise).
    pub fn div(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Div)
    }
    /// Broadcasting elementwise maximum (PyTorch's `torch.maximum`): the gradient goes to the
    /// larger operand, half to each at a tie; NaN if either is NaN.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let a = g.leaf(&[1.0, 5.0, 2.0], &[3]);
    /// let b = g.leaf(&[2.0], &[1]);
    /// let m = g.maximum(a, b);
    /// assert_eq!(g.value(m), &[2.0, 5.0, 2.0]);
    /// let s = g.sum(m);
    /// g.backward(s);
    /// assert_eq!(g.grad(a).unwrap(), &[0.0, 1.0, 0.5]);
    /// assert_eq!(g.grad(b).unwrap(), &[1.5]);
    /// ```
    pub fn maximum(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Maximum)
    }
    /// Broadcasting elementwise minimum (PyTorch's `torch.minimum`), as
    /// [`maximum`](Self::maximum).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let a = g.input(&[1.0, 5.0, f64::NAN], &[3]);
    /// let b = g.input(&[2.0, 2.0, 0.0], &[3]);
    /// let m = g.minimum(a, b);
    /// assert_eq!(&g.value(m)[..2], &[1.0, 2.0]);
    /// assert!(g.value(m)[2].is_nan());
    /// ```
    pub fn minimum(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Minimum)
    }
    /// Broadcasting elementwise power `aᵇ` with a tensor exponent (PyTorch's `torch.pow(a, b)`);
    /// for a constant exponent see [`powf`](Self::powf).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let a = g.leaf(&[2.0, 3.0], &[2]);
    /// let b = g.leaf(&[3.0], &[1]);
    /// let p = g.pow(a, b);
    /// assert_eq!(g.value(p), &[8.0, 27.0]);
    /// let s = g.sum(p);
    /// g.backward(s);
    /// assert_eq!(g.grad(a).unwrap(), &[12.0, 27.0]); // b·aᵇ⁻¹
    /// let db = 8.0 * 2.0_f64.ln() + 27.0 * 3.0_f64.ln(); // Σ aᵇ·ln a
    /// assert!((g.grad(b).unwrap()[0] - db).abs() < 1e-12);
    /// ```
    pub fn pow(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, BinaryOp::Pow)
    }
}

/// ∂a += reduce(g ⊙ ∂f/∂a), ∂b += reduce(g ⊙ ∂f/∂b), summing over the broadcast axes; each
/// product is the chain rule's ([`Element::chain`]).
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    out: Shape,
    a: u32,
    b: u32,
    op: BinaryOp,
) {
    let (sa, sb) = (v.shape(a), v.shape(b));
    let (av, bv) = (v.get(a), v.get(b));
    let arithmetic = matches!(
        op,
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div
    );
    if arithmetic && sb.numel() == 1 && sa == out {
        backward_scalar_b(g, gout, a, b, av, bv[0], op);
        return;
    }
    let lay = layout(sa, sb, out);
    // index maps (out → a, out → b) for each layout
    let run = |want_a: bool, dst: &mut [F]| {
        let mut put = |o: usize, i: usize, j: usize| {
            let (da, db) = op.partials(av[i], bv[j]);
            if want_a {
                dst[i] += F::chain(da, gout[o]);
            } else {
                dst[j] += F::chain(db, gout[o]);
            }
        };
        match lay {
            Layout::Same => (0..out.numel()).for_each(|o| put(o, o, o)),
            Layout::BRepeat(len) => (0..out.numel()).for_each(|o| put(o, o, o % len)),
            Layout::ARepeat(len) => (0..out.numel()).for_each(|o| put(o, o % len, o)),
            Layout::General => for_each_index(out, bstrides(sa, out), bstrides(sb, out), put),
        }
    };
    if let Some(ga) = g.get(a) {
        run(true, ga);
    }
    if let Some(gb) = g.get(b) {
        run(false, gb);
    }
}

/// [`backward`] when `b` is one element broadcast over `a` (a scalar `Var` entering through
/// `Graph::mul_var` and friends, a learned temperature): the partials that depend on `b` alone are
/// computed once, and ∂b is one reduction.
///
/// ∂b of a product or quotient is first summed with plain products (`Σ g·a`, times `−1/b²`);
/// a NaN there may come from a `0 · ∞` the chain rule counts as 0, and then the sum is redone
/// term by term with the chain rule's products and partials (a `0 · ∞` NaN survives every IEEE
/// sum and product, so a result that is not NaN is the chain rule's).
fn backward_scalar_b<F: Element>(
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    b: u32,
    av: &[F],
    bv: F,
    op: BinaryOp,
) {
    if let Some(ga) = g.get(a) {
        match op {
            BinaryOp::Add => ga.iter_mut().zip(gout).for_each(|(d, &o)| *d += o),
            BinaryOp::Sub => ga.iter_mut().zip(gout).for_each(|(d, &o)| *d += o),
            BinaryOp::Mul => add_scaled(ga, gout, bv),
            BinaryOp::Div => add_scaled(ga, gout, F::one() / bv),
            _ => unreachable!("only the arithmetic operations take this path"),
        }
    }
    if let Some(gb) = g.get(b) {
        let sum_g = || gout.iter().fold(F::zero(), |acc, &o| acc + o);
        let dot = || {
            gout.iter()
                .zip(av)
                .fold(F::zero(), |acc, (&o, &x)| acc + o * x)
        };
        let chain_sum = || {
            gout.iter().zip(av).fold(F::zero(), |acc, (&o, &x)| {
                acc + F::chain(BinaryOp::partials(op, x, bv).1, o)
            })
        };
        gb[0] += match op {
            BinaryOp::Add => sum_g(),
            BinaryOp::Sub => -sum_g(),
            BinaryOp::Mul => {
                let s = dot();
                if s.is_nan() {
                    chain_sum()
                } else {
                    s
                }
            }
            BinaryOp::Div => {
                let r = F::one() / bv;
                let plain = r.is_finite() && r != F::zero() && bv.is_finite();
                let s = if plain { -dot() * r * r } else { F::nan() };
                if s.is_nan() {
                    chain_sum()
                } else {
                    s
                }
            }
            _ => unreachable!("only the arithmetic operations take this path"),
        };
    }
}

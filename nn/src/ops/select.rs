//! Elementwise selection: [`Graph::where_cond`] and [`Graph::masked_fill`] (a condition picks
//! each element from one of two tensors or a constant), and [`Graph::clamp`] (the rule table's
//! `max` then `min` with constant bounds).

use super::{BinaryOp, Op, NONE};
use crate::element::c;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId};

impl<F: Element> Graph<F> {
    /// `cond ? a : b` elementwise (PyTorch's `torch.where(cond, a, b)`), `a` and `b` of equal
    /// shape, `cond` one flag per element (row-major). The gradient of each output goes to the
    /// operand it was taken from; the other gets exactly 0.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let a = g.leaf(&[1.0, 2.0, 3.0], &[3]);
    /// let b = g.leaf(&[10.0, 20.0, 30.0], &[3]);
    /// let y = g.where_cond(&[true, false, true], a, b);
    /// assert_eq!(g.value(y), &[1.0, 20.0, 3.0]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.grad(b).unwrap(), &[0.0, 1.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes differ or `cond` does not have one flag per element.
    pub fn where_cond(&mut self, cond: &[bool], a: NodeId, b: NodeId) -> NodeId {
        let bi = self.check(b);
        let (sa, sb) = (self.shape(a), self.metas[bi as usize].shape);
        assert!(
            sa == sb,
            "where_cond: a and b must have the same shape, got {sa:?} and {sb:?}"
        );
        self.record_where(cond, false, a, bi, F::zero(), "where_cond")
    }

    /// `x` with the elements where `mask` is true replaced by `value` (PyTorch's
    /// `x.masked_fill(mask, value)`); those elements get no gradient.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 2.0, 3.0], &[3]);
    /// let y = g.masked_fill(x, &[false, true, false], f64::NEG_INFINITY);
    /// assert_eq!(g.value(y), &[1.0, f64::NEG_INFINITY, 3.0]);
    /// ```
    ///
    /// # Panics
    /// If `mask` does not have one flag per element.
    pub fn masked_fill(&mut self, x: NodeId, mask: &[bool], value: f64) -> NodeId {
        // where(!mask, x, value): the index buffer holds 1 where x is kept
        self.record_where(mask, true, x, NONE, c(value), "masked_fill")
    }

    /// Records `flag ? a : b` (or `fill` for `b = NONE`) with `flag = cond[i] != invert`.
    fn record_where(
        &mut self,
        cond: &[bool],
        invert: bool,
        a: NodeId,
        b: u32,
        fill: F,
        what: &str,
    ) -> NodeId {
        let ai = self.check(a);
        let sa = self.metas[ai as usize].shape;
        assert_eq!(
            cond.len(),
            sa.numel(),
            "{what}: {} flags for a tensor of shape {sa:?} ({} elements)",
            cond.len(),
            sa.numel()
        );
        let rg = self.rg(&[ai, b]);
        let n = self.push(Op::Where { a: ai, b }, sa, rg);
        let mut flags = std::mem::take(&mut self.idx[n as usize]);
        flags.clear();
        flags.extend(cond.iter().map(|&f| (f != invert) as usize));
        let (v, y) = self.split(n);
        let av = v.get(ai);
        for (i, o) in y.iter_mut().enumerate() {
            *o = if flags[i] == 1 {
                av[i]
            } else if b == NONE {
                fill
            } else {
                v.get(b)[i]
            };
        }
        self.idx[n as usize] = flags;
        self.id(n)
    }

    /// `x` clamped to `[lo, hi]` elementwise (PyTorch's `torch.clamp`): `min(max(x, lo), hi)`
    /// with the rule table's `max` and `min`, so the derivative is 1 inside, 0 outside, ½ at a
    /// bound (the rules' tie; PyTorch gives 1 there) and NaN at NaN. With `lo > hi` every
    /// element is `hi`, as in PyTorch.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[-2.0, 0.5, 1.0, 3.0], &[4]);
    /// let y = g.clamp(x, -1.0, 1.0);
    /// assert_eq!(g.value(y), &[-1.0, 0.5, 1.0, 1.0]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.grad(x).unwrap(), &[0.0, 1.0, 0.5, 0.0]);
    /// ```
    pub fn clamp(&mut self, x: NodeId, lo: f64, hi: f64) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let (lo, hi): (F, F) = (c(lo), c(hi));
        let rg = self.rg(&[a]);
        let n = self.push(Op::Clamp { a, lo, hi }, sa, rg);
        let (v, y) = self.split(n);
        for (o, &xv) in y.iter_mut().zip(v.get(a)) {
            let m = F::binary_value(BinaryOp::Maximum, xv, lo);
            *o = F::binary_value(BinaryOp::Minimum, m, hi);
        }
        self.id(n)
    }
}

/// ∂a += g where the flag is 1, ∂b += g where it is 0.
pub(crate) fn backward_where<F: Element>(
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    b: u32,
    flags: &[usize],
) {
    for (parent, pick) in [(a, 1), (b, 0)] {
        if let Some(gp) = g.get(parent) {
            for ((d, &s), &f) in gp.iter_mut().zip(gout).zip(flags) {
                if f == pick {
                    *d += s;
                }
            }
        }
    }
}

/// ∂x += max′ · (min′ · g): the chain rule through `min(max(x, lo), hi)` as the scalar tape
/// records it (each product the chain rule's).
pub(crate) fn backward_clamp<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    lo: F,
    hi: F,
) {
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        for ((d, &xv), &s) in ga.iter_mut().zip(x).zip(gout) {
            let (m, dmax, _) = F::binary_rule(BinaryOp::Maximum, xv, lo).expect("in the table");
            let (_, dmin, _) = F::binary_rule(BinaryOp::Minimum, m, hi).expect("in the table");
            *d += F::chain(dmax, F::chain(dmin, s));
        }
    }
}

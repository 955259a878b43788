//! Ops whose every output element is one input element picked by index — the maximum over an
//! axis ([`Graph::max_axis`]), max pooling (`pool.rs`) — and [`Graph::argmax`]. A `Pick`
//! record keeps the picked input offsets; its backward adds each upstream gradient into the
//! element it came from.
//!
//! The maximum is PyTorch's: the first largest element in scan order wins a tie, and a NaN wins
//! over every number (so a NaN input gives a NaN output whose gradient goes to the NaN).

use super::Op;
use crate::graph::Grads;
use crate::{Element, Graph, NodeId, Shape};

/// True if `v` replaces the running maximum `best` (PyTorch's test: larger, or NaN).
#[inline(always)]
pub(crate) fn beats<F: Element>(v: F, best: F) -> bool {
    v > best || v.is_nan()
}

/// The offset of the first largest element of `x[start + k · stride]`, `k < len` (a NaN wins;
/// among NaNs the first). `len` must be positive.
#[inline]
fn argmax_strided<F: Element>(x: &[F], start: usize, len: usize, stride: usize) -> usize {
    let mut best = start;
    for k in 1..len {
        let o = start + k * stride;
        if x[best].is_nan() {
            break;
        }
        if beats(x[o], x[best]) {
            best = o;
        }
    }
    best
}

impl<F: Element> Graph<F> {
    /// Records a `Pick` node of shape `out`: `pick(x, picks)` writes, for every output element
    /// in order, the offset of the input element it takes.
    pub(crate) fn record_pick(
        &mut self,
        x: NodeId,
        out: Shape,
        pick: impl FnOnce(&[F], &mut Vec<usize>),
    ) -> NodeId {
        let a = self.check(x);
        let rg = self.rg(&[a]);
        let n = self.push(Op::Pick { a }, out, rg);
        let mut picks = std::mem::take(&mut self.idx[n as usize]);
        picks.clear();
        let (v, y) = self.split(n);
        let av = v.get(a);
        pick(av, &mut picks);
        debug_assert_eq!(picks.len(), y.len());
        for (o, &i) in y.iter_mut().zip(picks.iter()) {
            *o = av[i];
        }
        self.idx[n as usize] = picks;
        self.id(n)
    }

    /// The maximum along `axis` (which disappears from the shape), differentiable: the gradient
    /// goes to the maximum's position (the first one at a tie, as [`argmax`](Self::argmax)
    /// picks it). A NaN is larger than every number.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 5.0, 5.0, 4.0, 2.0, 0.0], &[2, 3]);
    /// let m = g.max_axis(x, 1);
    /// assert_eq!(g.value(m), &[5.0, 4.0]);
    /// let s = g.sum(m);
    /// g.backward(s);
    /// assert_eq!(g.grad(x).unwrap(), &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If `axis` is out of range or has length 0.
    pub fn max_axis(&mut self, x: NodeId, axis: usize) -> NodeId {
        let sa = self.shape(x);
        check_axis("max_axis", sa, axis);
        self.record_pick(x, sa.without(axis), |xv, picks| {
            argmax_offsets(xv, sa, axis, picks)
        })
    }

    /// The index along `axis` of the largest element of each slice (the first at a tie; a NaN
    /// counts as largest), row-major over the other axes — PyTorch's `argmax(dim)`. Not recorded
    /// and not differentiable.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 5.0, 5.0, 4.0, 2.0, 0.0], &[2, 3]);
    /// assert_eq!(g.argmax(x, 1), vec![1, 0]);
    /// assert_eq!(g.argmax(x, 0), vec![1, 0, 0]);
    /// ```
    ///
    /// # Panics
    /// If `axis` is out of range or has length 0.
    pub fn argmax(&self, x: NodeId, axis: usize) -> Vec<usize> {
        let sa = self.shape(x);
        check_axis("argmax", sa, axis);
        let mut picks = Vec::new();
        argmax_offsets(self.value(x), sa, axis, &mut picks);
        let (_, len, inner) = sa.split_at_axis(axis);
        picks
            .iter()
            .map(|&off| (off / inner.max(1)) % len)
            .collect()
    }
}

fn check_axis(what: &str, sa: Shape, axis: usize) {
    assert!(
        axis < sa.ndim(),
        "{what}: axis {axis} out of range for a tensor of shape {sa:?}"
    );
    assert!(
        sa.dim(axis) > 0,
        "{what}: axis {axis} of shape {sa:?} is empty; it has no maximum"
    );
}

/// The flat offsets of the maxima of `x` (shape `sa`) along `axis`, appended to `picks`.
fn argmax_offsets<F: Element>(x: &[F], sa: Shape, axis: usize, picks: &mut Vec<usize>) {
    let (outer, len, inner) = sa.split_at_axis(axis);
    for o in 0..outer {
        for i in 0..inner {
            picks.push(argmax_strided(x, o * len * inner + i, len, inner));
        }
    }
}

/// ∂x[picks[o]] += g[o].
pub(crate) fn backward<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, picks: &[usize]) {
    if let Some(ga) = g.get(a) {
        for (&i, &s) in picks.iter().zip(gout) {
            ga[i] += s;
        }
    }
}

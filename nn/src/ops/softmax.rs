//! Softmax, log-softmax (stable: shifted by the row maximum), log-sum-exp along any axis and the
//! fused cross-entropy of logits with integer labels.
//!
//! Each op is, row by row, the scalar computation of
//! [`log_softmax_generic`](crate::layers::log_softmax_generic): `y = x − lse` with
//! `lse = m + ln Σ exp(x − m)` and m the row's largest element as a constant (0 if it is not
//! finite); softmax is `exp` of that, cross-entropy `−y[label]` averaged over the rows. The
//! backward kernels use the closed forms (`g − softmax · Σg`, ...) where every factor of a row is
//! finite; otherwise they go through the rows term by term as the scalar code's chain rule does,
//! with its strong zeros ([`Element::chain`]), so that e.g. an upstream gradient of 0 at an
//! element whose probability is NaN contributes 0.

use super::{Op, Unary};
use crate::element::c;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

/// The row's shift m: its largest element (NaN ignored), or 0 if that is not finite.
#[inline]
fn row_shift<F: Element>(row: &[F]) -> F {
    let m = row.iter().copied().fold(F::neg_infinity(), F::max);
    if m.is_finite() {
        m
    } else {
        F::zero()
    }
}

/// log Σ exp(row) and the row written as `row − logsumexp` into `out`.
#[inline]
fn log_softmax_row<F: Element>(row: &[F], out: &mut [F]) {
    let m = row_shift(row);
    let s: F = row.iter().map(|&x| (x - m).exp()).sum();
    let lse = m + s.ln();
    for (o, &x) in out.iter_mut().zip(row) {
        *o = x - lse;
    }
}

/// The chain rule through one row of `y = x − (m + ln s)`, `s = Σ exp(x − m)`, term by term as
/// the scalar code records it, for the upstream gradient `up(k)` of `y[k]` whose sum is `total`:
/// ∂x[k] += up(k) + e[k] · (ln′(s) · (−total)) with e[k] = exp(x[k] − m), ln′ from the rule
/// table, and the chain rule's products.
fn log_softmax_row_backward<F: Element>(x: &[F], up: impl Fn(usize) -> F, total: F, d: &mut [F]) {
    let m = row_shift(x);
    let s: F = x.iter().map(|&v| (v - m).exp()).sum();
    let adj_s = F::chain(Unary::Ln.value_and_derivative(s).1, -total);
    for (k, (dk, &xk)) in d.iter_mut().zip(x).enumerate() {
        let e = (xk - m).exp();
        *dk += up(k) + F::chain(e, adj_s);
    }
}

fn all_finite<F: Element>(v: &[F]) -> bool {
    v.iter().all(|x| x.is_finite())
}

fn last_axis(what: &str, s: Shape) -> usize {
    assert!(
        s.ndim() >= 1,
        "{what}: needs at least one axis, got a scalar"
    );
    s.dim(s.ndim() - 1)
}

impl<F: Element> Graph<F> {
    /// log-softmax along the last axis: `x − log Σ exp x`, computed stably.
    pub fn log_softmax(&mut self, x: NodeId) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let w = last_axis("log_softmax", sa);
        let rg = self.rg(&[a]);
        let n = self.push(Op::LogSoftmax { a }, sa, rg);
        let (v, y) = self.split(n);
        if w > 0 {
            for (row, out) in v.get(a).chunks_exact(w).zip(y.chunks_exact_mut(w)) {
                log_softmax_row(row, out);
            }
        }
        self.id(n)
    }
    /// softmax along the last axis.
    pub fn softmax(&mut self, x: NodeId) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let w = last_axis("softmax", sa);
        let rg = self.rg(&[a]);
        let n = self.push(Op::Softmax { a }, sa, rg);
        let (v, y) = self.split(n);
        if w > 0 {
            for (row, out) in v.get(a).chunks_exact(w).zip(y.chunks_exact_mut(w)) {
                log_softmax_row(row, out);
                out.iter_mut().for_each(|o| *o = o.exp());
            }
        }
        self.id(n)
    }
    /// The mean over rows of `−log softmax(logits)[label]`: cross-entropy from logits
    /// (`[batch, classes]`) with integer targets, stable (log-sum-exp), as one record.
    ///
    /// # Panics
    /// If `logits` is not 2-d, there is not one label per row, or a label is out of range.
    pub fn cross_entropy(&mut self, logits: NodeId, labels: &[usize]) -> NodeId {
        let a = self.check(logits);
        let sa = self.metas[a as usize].shape;
        assert!(
            sa.ndim() == 2,
            "cross_entropy: logits must be [batch, classes], got {sa:?}"
        );
        let (b, k) = (sa.dim(0), sa.dim(1));
        check_labels("cross_entropy", labels, b, k);
        let rg = self.rg(&[a]);
        let n = self.push(Op::CrossEntropy { a }, Shape::scalar(), rg);
        let mut probs = std::mem::take(&mut self.aux[n as usize]);
        let mut lab = std::mem::take(&mut self.idx[n as usize]);
        probs.clear();
        probs.resize(b * k, F::zero());
        lab.clear();
        lab.extend_from_slice(labels);
        let (v, y) = self.split(n);
        let mut total = F::zero();
        if k > 0 {
            for (i, (row, p)) in v
                .get(a)
                .chunks_exact(k)
                .zip(probs.chunks_exact_mut(k))
                .enumerate()
            {
                log_softmax_row(row, p);
                total -= p[labels[i]];
                p.iter_mut().for_each(|q| *q = q.exp());
            }
        }
        y[0] = total / c::<F>(b.max(1) as f64);
        self.aux[n as usize] = probs;
        self.idx[n as usize] = lab;
        self.id(n)
    }
}

impl<F: Element> Graph<F> {
    /// `log Σ exp x` along `axis` (which disappears from the shape), computed stably (shifted by
    /// the largest element): PyTorch's `torch.logsumexp(x, dim)`. Its gradient is the softmax
    /// along the axis times the upstream gradient.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1000.0, 1000.0, 0.0, 0.0], &[2, 2]);
    /// let y = g.logsumexp(x, 1);
    /// let ln2 = 2.0_f64.ln();
    /// assert_eq!(g.value(y), &[1000.0 + ln2, ln2]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.grad(x).unwrap(), &[0.5; 4]);
    /// ```
    ///
    /// # Panics
    /// If `axis` is out of range.
    pub fn logsumexp(&mut self, x: NodeId, axis: usize) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        assert!(
            axis < sa.ndim(),
            "logsumexp: axis {axis} out of range for a tensor of shape {sa:?}"
        );
        let rg = self.rg(&[a]);
        let n = self.push(
            Op::LogSumExp {
                a,
                axis: axis as u8,
            },
            sa.without(axis),
            rg,
        );
        let mut row = std::mem::take(&mut self.aux[n as usize]);
        let (outer, len, inner) = sa.split_at_axis(axis);
        row.resize(len, F::zero());
        let (v, y) = self.split(n);
        let av = v.get(a);
        for o in 0..outer {
            for i in 0..inner {
                for (l, r) in row.iter_mut().enumerate() {
                    *r = av[(o * len + l) * inner + i];
                }
                let m = row_shift(&row);
                let s: F = row.iter().map(|&v| (v - m).exp()).sum();
                y[o * inner + i] = m + s.ln();
            }
        }
        self.aux[n as usize] = row;
        self.id(n)
    }
}

/// y = log Σ exp x along an axis: ∂x += g · exp(x − m) / Σ exp(x − m) per slice (m the slice's
/// shift) where every factor is finite,
/// otherwise term by term as the scalar code's chain rule does. `scratch` holds a slice and its
/// gradient.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward_logsumexp<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    scratch: &mut Vec<F>,
    a: u32,
    axis: u8,
) {
    let sa = v.shape(a);
    let (outer, len, inner) = sa.split_at_axis(axis as usize);
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        scratch.resize(2 * len, F::zero());
        let (row, drow) = scratch.split_at_mut(len);
        for o in 0..outer {
            for i in 0..inner {
                let at = |l: usize| (o * len + l) * inner + i;
                let (gg, yy) = (gout[o * inner + i], y[o * inner + i]);
                for (l, r) in row.iter_mut().enumerate() {
                    *r = x[at(l)];
                }
                if gg.is_finite() && yy.is_finite() && all_finite(row) {
                    // exp(x − m) / s rather than exp(x − y): y rounds at the scale of m
                    let m = row_shift(row);
                    let s: F = row.iter().map(|&v| (v - m).exp()).sum();
                    for (l, &r) in row.iter().enumerate() {
                        ga[at(l)] += gg * ((r - m).exp() / s);
                    }
                } else {
                    drow.fill(F::zero());
                    log_softmax_row_backward(row, |_| F::zero(), -gg, drow);
                    for (l, &d) in drow.iter().enumerate() {
                        ga[at(l)] += d;
                    }
                }
            }
        }
    }
}

pub(crate) fn check_labels(what: &str, labels: &[usize], rows: usize, classes: usize) {
    assert_eq!(
        labels.len(),
        rows,
        "{what}: {} labels for {rows} rows; give one label per row",
        labels.len()
    );
    if let Some((i, &l)) = labels.iter().enumerate().find(|&(_, &l)| l >= classes) {
        panic!("{what}: label {l} (row {i}) out of range for {classes} classes");
    }
}

/// y = log softmax x: ∂x += g − softmax · Σ g (per row).
pub(crate) fn backward_log_softmax<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    a: u32,
) {
    let w = v.shape(a).dims().last().copied().unwrap_or(1);
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        if w == 0 {
            return;
        }
        for (((gr, yr), dr), xr) in gout
            .chunks_exact(w)
            .zip(y.chunks_exact(w))
            .zip(ga.chunks_exact_mut(w))
            .zip(x.chunks_exact(w))
        {
            let s: F = gr.iter().copied().sum();
            if s.is_finite() && all_finite(yr) {
                // every factor finite (y finite: so is x; Σg finite: so is every g)
                for ((d, &gg), &yy) in dr.iter_mut().zip(gr).zip(yr) {
                    *d += gg - yy.exp() * s;
                }
            } else {
                log_softmax_row_backward(xr, |k| gr[k], s, dr);
            }
        }
    }
}

/// y = softmax x: ∂x += y ⊙ (g − Σ g ⊙ y) (per row).
pub(crate) fn backward_softmax<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    a: u32,
) {
    let w = v.shape(a).dims().last().copied().unwrap_or(1);
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        if w == 0 {
            return;
        }
        for (((gr, yr), dr), xr) in gout
            .chunks_exact(w)
            .zip(y.chunks_exact(w))
            .zip(ga.chunks_exact_mut(w))
            .zip(x.chunks_exact(w))
        {
            let s: F = gr.iter().zip(yr).map(|(&gg, &yy)| gg * yy).sum();
            if s.is_finite() && all_finite(yr) {
                // every factor finite (a g that is ±∞ or NaN makes Σ g·y infinite or NaN)
                for ((d, &gg), &yy) in dr.iter_mut().zip(gr).zip(yr) {
                    *d += yy * (gg - s);
                }
            } else {
                // softmax = exp(log-softmax): the upstream gradient of log-softmax is exp′ · g
                let up = |k: usize| F::chain(yr[k], gr[k]);
                let total = (0..w).fold(F::zero(), |acc, k| acc + up(k));
                log_softmax_row_backward(xr, up, total, dr);
            }
        }
    }
}

/// mean cross-entropy: ∂logits += g · (softmax − onehot(label)) / batch.
pub(crate) fn backward_cross_entropy<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    probs: &[F],
    labels: &[usize],
) {
    let sa = v.shape(a);
    let (b, k) = (sa.dim(0), sa.dim(1));
    let s = gout[0] / c::<F>(b.max(1) as f64);
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        if k == 0 {
            return;
        }
        for (i, ((dr, pr), xr)) in ga
            .chunks_exact_mut(k)
            .zip(probs.chunks_exact(k))
            .zip(x.chunks_exact(k))
            .enumerate()
        {
            if s.is_finite() && all_finite(pr) {
                for (d, &p) in dr.iter_mut().zip(pr) {
                    *d += s * p;
                }
                dr[labels[i]] -= s;
            } else {
                // the row's loss is −log-softmax[label]: upstream −s at the label, 0 elsewhere
                let label = labels[i];
                let up = |j: usize| if j == label { -s } else { F::zero() };
                log_softmax_row_backward(xr, up, -s, dr);
            }
        }
    }
}

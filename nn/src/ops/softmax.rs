//! Softmax, log-softmax (stable: shifted by the row maximum) and the fused cross-entropy of
//! logits with integer labels.

use super::Op;
use crate::element::c;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

/// log Σ exp(row) and the row written as `row − logsumexp` into `out`.
#[inline]
fn log_softmax_row<F: Element>(row: &[F], out: &mut [F]) {
    let m = row.iter().copied().fold(F::neg_infinity(), F::max);
    let m = if m.is_finite() { m } else { F::zero() };
    let s: F = row.iter().map(|&x| (x - m).exp()).sum();
    let lse = m + s.ln();
    for (o, &x) in out.iter_mut().zip(row) {
        *o = x - lse;
    }
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

pub(crate) fn check_labels(what: &str, labels: &[usize], rows: usize, classes: usize) {
    assert_eq!(
        labels.len(),
        rows,
        "{what}: {} labels for {rows} rows; give one label per row",
        labels.len()
    );
    if let Some((i, &l)) = labels.iter().enumerate().find(|(_, &l)| l >= classes) {
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
    if let Some(ga) = g.get(a) {
        if w == 0 {
            return;
        }
        for ((gr, yr), dr) in gout
            .chunks_exact(w)
            .zip(y.chunks_exact(w))
            .zip(ga.chunks_exact_mut(w))
        {
            let s: F = gr.iter().copied().sum();
            for ((d, &gg), &yy) in dr.iter_mut().zip(gr).zip(yr) {
                *d += gg - yy.exp() * s;
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
    if let Some(ga) = g.get(a) {
        if w == 0 {
            return;
        }
        for ((gr, yr), dr) in gout
            .chunks_exact(w)
            .zip(y.chunks_exact(w))
            .zip(ga.chunks_exact_mut(w))
        {
            let s: F = gr.iter().zip(yr).map(|(&gg, &yy)| gg * yy).sum();
            for ((d, &gg), &yy) in dr.iter_mut().zip(gr).zip(yr) {
                *d += yy * (gg - s);
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
    if let Some(ga) = g.get(a) {
        if k == 0 {
            return;
        }
        for (i, (dr, pr)) in ga
            .chunks_exact_mut(k)
            .zip(probs.chunks_exact(k))
            .enumerate()
        {
            for (d, &p) in dr.iter_mut().zip(pr) {
                *d += s * p;
            }
            dr[labels[i]] -= s;
        }
    }
}

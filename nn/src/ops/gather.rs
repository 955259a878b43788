//! Gather by integer labels: `out[i] = x[i, labels[i]]` (NLL picks the log-probability of the
//! target with it).

use super::Op;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    /// `out[i] = x[i, labels[i]]` for `x` of shape `[rows, classes]`; the result has shape
    /// `[rows]`.
    ///
    /// # Panics
    /// If `x` is not 2-d, there is not one label per row, or a label is out of range.
    pub fn gather(&mut self, x: NodeId, labels: &[usize]) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        assert!(
            sa.ndim() == 2,
            "gather: x must be [rows, classes], got {sa:?}"
        );
        let (b, k) = (sa.dim(0), sa.dim(1));
        super::softmax::check_labels("gather", labels, b, k);
        let rg = self.rg(&[a]);
        let n = self.push(Op::Gather { a }, Shape::new(&[b]), rg);
        let mut lab = std::mem::take(&mut self.idx[n as usize]);
        lab.clear();
        lab.extend_from_slice(labels);
        let (v, y) = self.split(n);
        let av = v.get(a);
        for (i, o) in y.iter_mut().enumerate() {
            *o = av[i * k + labels[i]];
        }
        self.idx[n as usize] = lab;
        self.id(n)
    }
}

/// ∂x[i, labels[i]] += g[i].
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    labels: &[usize],
) {
    let k = v.shape(a).dim(1);
    if let Some(ga) = g.get(a) {
        for (i, &l) in labels.iter().enumerate() {
            ga[i * k + l] += gout[i];
        }
    }
}

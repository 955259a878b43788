//! Embedding lookup: rows of a weight matrix picked by integer indices, with a scatter-add
//! backward into the rows used.

use super::{Op, NONE};
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape, MAX_DIMS};

impl<F: Element> Graph<F> {
    /// `out[p, :] = weight[indices[p], :]`: the embedding of each index (PyTorch's
    /// `F.embedding`). `weight` has shape `[num, dim]`; `indices` (row-major) has shape
    /// `index_dims`, and the result has shape `index_dims ++ [dim]` (a `[T, B]` batch of
    /// token ids gives `[T, B, dim]`).
    ///
    /// The backward pass adds each output row's gradient into the weight row it was read from
    /// (a scatter-add over the rows used, no dense product). With `padding_idx = Some(p)`, row
    /// `p` is looked up as usual but receives no gradient (PyTorch's `padding_idx`).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let w = g.leaf(&[0.0, 0.0, 1.0, 2.0, 3.0, 4.0], &[3, 2]);
    /// let e = g.embedding(&[2, 0, 2, 1], &[2, 2], w, Some(0));
    /// assert_eq!(g.shape(e).dims(), &[2, 2, 2]);
    /// assert_eq!(g.value(e), &[3.0, 4.0, 0.0, 0.0, 3.0, 4.0, 1.0, 2.0]);
    /// let s = g.sum(e);
    /// g.backward(s);
    /// // row 2 is used twice, row 1 once, row 0 is the padding row
    /// assert_eq!(g.grad(w).unwrap(), &[0.0, 0.0, 1.0, 1.0, 2.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// If `weight` is not 2-d, `indices` does not have `index_dims`' size, `index_dims` has
    /// [`MAX_DIMS`] axes or more, an index is out of range (`≥ num`) or `padding_idx` is.
    pub fn embedding(
        &mut self,
        indices: &[usize],
        index_dims: &[usize],
        weight: NodeId,
        padding_idx: Option<usize>,
    ) -> NodeId {
        let wi = self.check(weight);
        let sw = self.metas[wi as usize].shape;
        assert!(
            sw.ndim() == 2,
            "embedding: the weight must be [num, dim], got {sw:?}"
        );
        let (num, dim) = (sw.dim(0), sw.dim(1));
        assert!(
            index_dims.len() < MAX_DIMS,
            "embedding: the indices have {} axes; at most {} fit (the result adds one)",
            index_dims.len(),
            MAX_DIMS - 1
        );
        let count: usize = index_dims.iter().product();
        assert_eq!(
            indices.len(),
            count,
            "embedding: {} indices given for index shape {index_dims:?} ({count} entries)",
            indices.len()
        );
        if let Some(&bad) = indices.iter().find(|&&i| i >= num) {
            let at = indices.iter().position(|&i| i == bad).unwrap_or(0);
            panic!(
                "embedding: index {bad} (at position {at}) is out of range for a weight with {num} rows"
            );
        }
        let padding = match padding_idx {
            Some(p) => {
                assert!(
                    p < num,
                    "embedding: padding_idx {p} is out of range for a weight with {num} rows"
                );
                p as u32
            }
            None => NONE,
        };
        let mut dims = index_dims.to_vec();
        dims.push(dim);
        let rg = self.rg(&[wi]);
        let n = self.push(
            Op::Embedding {
                weight: wi,
                padding,
            },
            Shape::new(&dims),
            rg,
        );
        let mut list = std::mem::take(&mut self.idx[n as usize]);
        list.clear();
        list.extend_from_slice(indices);
        let (v, y) = self.split(n);
        let wv = v.get(wi);
        for (row, &r) in y.chunks_exact_mut(dim.max(1)).zip(&list) {
            row.copy_from_slice(&wv[r * dim..(r + 1) * dim]);
        }
        self.idx[n as usize] = list;
        self.id(n)
    }
}

/// ∂weight[indices[p], :] += g[p, :] for every position whose index is not the padding row.
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    weight: u32,
    padding: u32,
    indices: &[usize],
) {
    let dim = v.shape(weight).dim(1);
    if dim == 0 {
        return;
    }
    if let Some(gw) = g.get(weight) {
        for (row, &r) in gout.chunks_exact(dim).zip(indices) {
            if padding != NONE && r == padding as usize {
                continue;
            }
            for (d, &s) in gw[r * dim..(r + 1) * dim].iter_mut().zip(row) {
                *d += s;
            }
        }
    }
}

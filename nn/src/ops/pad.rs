//! [`Graph::pad`]: constant padding of the trailing axes.

use super::Op;
use crate::element::c;
use crate::graph::{Grads, Vals};
use crate::shape::MAX_DIMS;
use crate::{Element, Graph, NodeId, Shape};

/// Calls `f(x_offset, y_offset, len)` for every row (last axis) of `x` (shape `sx`) placed in
/// `y` (shape `sy`) at the offsets `before` per axis.
fn for_each_row(sx: Shape, sy: Shape, before: &[usize], mut f: impl FnMut(usize, usize, usize)) {
    let nd = sx.ndim();
    if sx.numel() == 0 {
        return;
    }
    if nd == 0 {
        f(0, 0, 1);
        return;
    }
    let ys = sy.strides();
    let dims = sx.dims();
    let len = dims[nd - 1];
    let rows = sx.numel() / len;
    let mut idx = [0usize; MAX_DIMS];
    for r in 0..rows {
        let y_off: usize = (0..nd).map(|a| (idx[a] + before[a]) * ys[a]).sum();
        f(r * len, y_off, len);
        // odometer over the leading axes
        let mut ax = nd - 1;
        while ax > 0 {
            ax -= 1;
            idx[ax] += 1;
            if idx[ax] < dims[ax] {
                break;
            }
            idx[ax] = 0;
        }
    }
}

impl<F: Element> Graph<F> {
    /// `x` padded with the constant `value` (PyTorch's `F.pad(x, pad, value=value)`):
    /// `padding[i] = [before, after]` for the `i`-th of the last `padding.len()` axes, in axis
    /// order (PyTorch's `pad` lists the last axis first).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    /// let y = g.pad(x, &[[0, 1], [1, 0]], 0.0); // one row below, one column on the left
    /// assert_eq!(g.shape(y).dims(), &[3, 3]);
    /// assert_eq!(g.value(y), &[0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If `padding` has more entries than `x` has axes.
    pub fn pad(&mut self, x: NodeId, padding: &[[usize; 2]], value: f64) -> NodeId {
        let a = self.check(x);
        let sx = self.metas[a as usize].shape;
        let nd = sx.ndim();
        assert!(
            padding.len() <= nd,
            "pad: {} padded axes for a tensor of shape {sx:?}",
            padding.len()
        );
        let first = nd - padding.len();
        let mut dims = [0usize; MAX_DIMS];
        let mut before = [0usize; MAX_DIMS];
        for ax in 0..nd {
            let [b, e] = if ax >= first {
                padding[ax - first]
            } else {
                [0, 0]
            };
            dims[ax] = sx.dim(ax) + b + e;
            before[ax] = b;
        }
        let sy = Shape::new(&dims[..nd]);
        let rg = self.rg(&[a]);
        let n = self.push(Op::Pad { a }, sy, rg);
        let offs = &mut self.idx[n as usize];
        offs.clear();
        offs.extend_from_slice(&before[..nd]);
        let (v, y) = self.split(n);
        y.fill(c(value));
        let xv = v.get(a);
        for_each_row(sx, sy, &before[..nd], |xo, yo, len| {
            y[yo..yo + len].copy_from_slice(&xv[xo..xo + len]);
        });
        self.id(n)
    }
}

/// ∂x += g at the positions x was copied to.
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    out: Shape,
    a: u32,
    before: &[usize],
) {
    let sx = v.shape(a);
    if let Some(ga) = g.get(a) {
        for_each_row(sx, out, before, |xo, yo, len| {
            for (d, &s) in ga[xo..xo + len].iter_mut().zip(&gout[yo..yo + len]) {
                *d += s;
            }
        });
    }
}

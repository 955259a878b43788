//! Sums and means, of everything or along one axis.

use super::Op;
use crate::element::{add_scaled, c};
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    fn reduce(&mut self, x: NodeId, axis: Option<usize>, mean: bool) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let (out, len) = match axis {
            None => (Shape::scalar(), sa.numel()),
            Some(ax) => {
                assert!(
                    ax < sa.ndim(),
                    "sum/mean: axis {ax} out of range for a tensor of shape {sa:?}"
                );
                (sa.without(ax), sa.dim(ax))
            }
        };
        let scale: F = if mean {
            c(1.0 / len.max(1) as f64)
        } else {
            F::one()
        };
        let rg = self.rg(&[a]);
        let n = self.push(
            Op::Reduce {
                a,
                axis: axis.map(|x| x as u8),
                scale,
            },
            out,
            rg,
        );
        let (v, y) = self.split(n);
        let av = v.get(a);
        match axis {
            None => y[0] = av.iter().copied().sum::<F>() * scale,
            Some(ax) => {
                let (outer, len, inner) = sa.split_at_axis(ax);
                y.iter_mut().for_each(|o| *o = F::zero());
                for o in 0..outer {
                    let dst = &mut y[o * inner..(o + 1) * inner];
                    for l in 0..len {
                        let src = &av[(o * len + l) * inner..(o * len + l + 1) * inner];
                        for (d, &s) in dst.iter_mut().zip(src) {
                            *d += s;
                        }
                    }
                    dst.iter_mut().for_each(|d| *d *= scale);
                }
            }
        }
        self.id(n)
    }
    /// The sum of every element (a scalar node).
    pub fn sum(&mut self, x: NodeId) -> NodeId {
        self.reduce(x, None, false)
    }
    /// The mean of every element (a scalar node).
    pub fn mean(&mut self, x: NodeId) -> NodeId {
        self.reduce(x, None, true)
    }
    /// The sum along `axis` (which disappears from the shape).
    pub fn sum_axis(&mut self, x: NodeId, axis: usize) -> NodeId {
        self.reduce(x, Some(axis), false)
    }
    /// The mean along `axis` (which disappears from the shape).
    pub fn mean_axis(&mut self, x: NodeId, axis: usize) -> NodeId {
        self.reduce(x, Some(axis), true)
    }
}

/// ∂x += scale · g, broadcast back over the reduced axis (chain rule's products; `scale` is 1
/// or 1/len, finite and non-zero, so they are the plain ones).
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    axis: Option<u8>,
    scale: F,
) {
    let sa = v.shape(a);
    if let Some(ga) = g.get(a) {
        match axis {
            None => {
                let s = F::chain(scale, gout[0]);
                ga.iter_mut().for_each(|d| *d += s);
            }
            Some(ax) => {
                let (outer, len, inner) = sa.split_at_axis(ax as usize);
                for o in 0..outer {
                    let src = &gout[o * inner..(o + 1) * inner];
                    for l in 0..len {
                        let dst = &mut ga[(o * len + l) * inner..(o * len + l + 1) * inner];
                        add_scaled(dst, src, scale);
                    }
                }
            }
        }
    }
}

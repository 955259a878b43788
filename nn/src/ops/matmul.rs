//! Matrix product: forward and backward are GEMMs (`matrixmultiply` through nalgebra views; the
//! transposes in the backward pass are strides, not copies).

use super::Op;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    /// Matrix product `a · b`: `a` has shape `[.., k]` (leading axes are flattened into rows),
    /// `b` has shape `[k, n]`; the result has shape `[.., n]`.
    ///
    /// # Panics
    /// If the inner dimensions differ or `b` is not 2-d.
    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let (ai, bi) = (self.check(a), self.check(b));
        let (sa, sb) = (self.metas[ai as usize].shape, self.metas[bi as usize].shape);
        let (m, k, n, out) = matmul_shapes("matmul", sa, sb);
        let rg = self.rg(&[ai, bi]);
        let node = self.push(
            Op::MatMul {
                a: ai,
                b: bi,
                m: m as u32,
                k: k as u32,
                n: n as u32,
            },
            out,
            rg,
        );
        let (v, y) = self.split(node);
        F::gemm(
            m,
            k,
            n,
            F::one(),
            v.get(ai),
            false,
            v.get(bi),
            false,
            F::zero(),
            y,
        );
        self.id(node)
    }
}

/// (m, k, n, output shape) of `a · b` with `a: [.., k]` and `b: [k, n]`.
pub(crate) fn matmul_shapes(what: &str, sa: Shape, sb: Shape) -> (usize, usize, usize, Shape) {
    assert!(
        sa.ndim() >= 1 && sb.ndim() == 2,
        "{what}: needs a: [.., k] and b: [k, n], got {sa:?} and {sb:?}"
    );
    let k = sa.dim(sa.ndim() - 1);
    assert_eq!(
        k,
        sb.dim(0),
        "{what}: inner dimensions differ: a is {sa:?}, b is {sb:?} (a's last axis must equal b's first)"
    );
    let n = sb.dim(1);
    let m = sa.numel() / k.max(1);
    let out = sa.with_dim(sa.ndim() - 1, n);
    (m, k, n, out)
}

/// ∂a += g · bᵀ, ∂b += aᵀ · g.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    b: u32,
    m: u32,
    k: u32,
    n: u32,
) {
    let (m, k, n) = (m as usize, k as usize, n as usize);
    if let Some(ga) = g.get(a) {
        F::gemm(m, n, k, F::one(), gout, false, v.get(b), true, F::one(), ga);
    }
    if let Some(gb) = g.get(b) {
        F::gemm(k, m, n, F::one(), v.get(a), true, gout, false, F::one(), gb);
    }
}

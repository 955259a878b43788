//! Matrix product: forward and backward are GEMMs (`matrixmultiply` through nalgebra views; the
//! transposes in the backward pass are strides, not copies). The backward products are the chain
//! rule's: GEMMs when their operands are finite, an element loop with strong zeros otherwise
//! ([`gemm_chain`]).

use super::Op;
use crate::element::gemm_chain;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    /// Matrix product `a · b`.
    ///
    /// - `b` of shape `[k, n]`: `a` has shape `[.., k]` (leading axes are flattened into rows,
    ///   all sharing `b`); the result has shape `[.., n]`.
    /// - `b` of shape `[batch, k, n]` (a batched right-hand side): `a` has shape
    ///   `[batch, .., k]`, and block `i` of `a` (its rows flattened) multiplies `b[i]`; the result
    ///   has shape `[batch, .., n]`. One GEMM per block, forward and backward.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let a = g.leaf(&[1.0, 2.0, 3.0, 4.0], &[2, 1, 2]); // two 1×2 blocks
    /// let b = g.leaf(&[1.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 2.0], &[2, 2, 2]); // I and 2I
    /// let y = g.matmul(a, b);
    /// assert_eq!(g.shape(y).dims(), &[2, 1, 2]);
    /// assert_eq!(g.value(y), &[1.0, 2.0, 6.0, 8.0]);
    /// ```
    ///
    /// # Panics
    /// If the inner dimensions differ, `b` is neither 2-d nor 3-d, or (batched) `a`'s first axis
    /// is not `b`'s.
    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let (ai, bi) = (self.check(a), self.check(b));
        let (sa, sb) = (self.metas[ai as usize].shape, self.metas[bi as usize].shape);
        let (batch, m, k, n, out) = if sb.ndim() == 3 {
            batched_matmul_shapes(sa, sb)
        } else {
            let (m, k, n, out) = matmul_shapes("matmul", sa, sb);
            (1, m, k, n, out)
        };
        let rg = self.rg(&[ai, bi]);
        let node = self.push(
            Op::MatMul {
                a: ai,
                b: bi,
                batch: batch as u32,
                m: m as u32,
                k: k as u32,
                n: n as u32,
            },
            out,
            rg,
        );
        let (v, y) = self.split(node);
        let (av, bv) = (v.get(ai), v.get(bi));
        for i in 0..batch {
            F::gemm(
                m,
                k,
                n,
                F::one(),
                &av[i * m * k..(i + 1) * m * k],
                false,
                &bv[i * k * n..(i + 1) * k * n],
                false,
                F::zero(),
                &mut y[i * m * n..(i + 1) * m * n],
            );
        }
        self.id(node)
    }
}

/// (batch, m, k, n, output shape) of `a · b` with `a: [batch, .., k]` and `b: [batch, k, n]`.
fn batched_matmul_shapes(sa: Shape, sb: Shape) -> (usize, usize, usize, usize, Shape) {
    let (batch, k, n) = (sb.dim(0), sb.dim(1), sb.dim(2));
    assert!(
        sa.ndim() >= 2 && sa.dim(0) == batch,
        "matmul: a batched b of shape {sb:?} needs a of shape [{batch}, .., {k}], got {sa:?} \
         (the first axes must be equal)"
    );
    assert_eq!(
        sa.dim(sa.ndim() - 1),
        k,
        "matmul: inner dimensions differ: a is {sa:?}, b is {sb:?} (a's last axis must equal \
         b's second)"
    );
    let m = sa.dims()[1..sa.ndim() - 1].iter().product();
    (batch, m, k, n, sa.with_dim(sa.ndim() - 1, n))
}

/// (m, k, n, output shape) of `a · b` with `a: [.., k]` and `b: [k, n]`.
pub(crate) fn matmul_shapes(what: &str, sa: Shape, sb: Shape) -> (usize, usize, usize, Shape) {
    assert!(
        sa.ndim() >= 1 && sb.ndim() == 2,
        "{what}: needs a: [.., k] and b: [k, n] (or, for matmul, b: [batch, k, n]), got {sa:?} and {sb:?}"
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

/// ∂a += g · bᵀ, ∂b += aᵀ · g (per block when batched), with the chain rule's products.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    b: u32,
    batch: u32,
    m: u32,
    k: u32,
    n: u32,
) {
    let (batch, m, k, n) = (batch as usize, m as usize, k as usize, n as usize);
    let (sa, sb, so) = (m * k, k * n, m * n);
    if let Some(ga) = g.get(a) {
        let bv = v.get(b);
        for i in 0..batch {
            gemm_chain(
                m,
                n,
                k,
                &gout[i * so..(i + 1) * so],
                false,
                &bv[i * sb..(i + 1) * sb],
                true,
                &mut ga[i * sa..(i + 1) * sa],
            );
        }
    }
    if let Some(gb) = g.get(b) {
        let av = v.get(a);
        for i in 0..batch {
            gemm_chain(
                k,
                m,
                n,
                &av[i * sa..(i + 1) * sa],
                true,
                &gout[i * so..(i + 1) * so],
                false,
                &mut gb[i * sb..(i + 1) * sb],
            );
        }
    }
}

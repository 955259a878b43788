//! The fused dense layer `act(x · w + bias)`: one record, one GEMM forward, two backward.

use super::{Op, Unary, NONE};
use crate::element::gemm_chain;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId};

impl<F: Element> Graph<F> {
    /// `act(x · w + bias)` as one record: `x: [.., k]`, `w: [k, n]`, `bias: [n]` (optional),
    /// any activation.
    ///
    /// Equal to `unary(add(matmul(x, w), bias), act)` — values and gradients, with the same
    /// derivative rules — with fewer passes over memory. Where the activation's derivative is
    /// read exactly from its output (identity, ReLU, leaky ReLU with a positive slope, exp, neg:
    /// [`Unary::derivative_from_output_available`]) the record keeps only the output; otherwise
    /// (sigmoid, tanh, softplus, ...) it also keeps the pre-activation `x · w + bias`, from which
    /// the backward pass evaluates the rule.
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn linear(&mut self, x: NodeId, w: NodeId, bias: Option<NodeId>, act: Unary<F>) -> NodeId {
        let (xi, wi) = (self.check(x), self.check(w));
        let bi = bias.map(|b| self.check(b)).unwrap_or(NONE);
        let (sx, sw) = (self.metas[xi as usize].shape, self.metas[wi as usize].shape);
        let (m, k, n, out) = super::matmul::matmul_shapes("linear", sx, sw);
        if bi != NONE {
            let sb = self.metas[bi as usize].shape;
            assert!(
                sb.numel() == n,
                "linear: bias has shape {sb:?} but the layer has {n} outputs"
            );
        }
        let rg = self.rg(&[xi, wi, bi]);
        let node = self.push(
            Op::Linear {
                x: xi,
                w: wi,
                bias: bi,
                act,
                m: m as u32,
                k: k as u32,
                n: n as u32,
            },
            out,
            rg,
        );
        let (v, y) = self.split(node);
        let beta = if bi != NONE {
            let b = v.get(bi);
            for row in y.chunks_exact_mut(n) {
                row.copy_from_slice(b);
            }
            F::one()
        } else {
            F::zero()
        };
        F::gemm(
            m,
            k,
            n,
            F::one(),
            v.get(xi),
            false,
            v.get(wi),
            false,
            beta,
            y,
        );
        if !act.derivative_from_output_available() {
            // the pre-activation, for the backward pass (the node's side buffer, reused)
            let z = &mut self.aux[node as usize];
            z.clear();
            z.extend_from_slice(&self.vals[node as usize]);
        }
        act.apply_in_place(&mut self.vals[node as usize]);
        self.id(node)
    }
}

/// g_pre = g ⊙ act′ (chain rule's products); ∂x += g_pre · wᵀ, ∂w += xᵀ · g_pre,
/// ∂bias += column sums of g_pre. The products are GEMMs when their operands are finite
/// ([`gemm_chain`]). `side` holds the pre-activation (if the forward pass kept it) followed by
/// the scratch for g_pre.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    side: &mut Vec<F>,
    x: u32,
    w: u32,
    bias: u32,
    act: Unary<F>,
    m: u32,
    k: u32,
    n: u32,
) {
    let (m, k, n) = (m as usize, k as usize, n as usize);
    let zero = F::zero();
    let gpre: &[F] = if matches!(act, Unary::Identity) {
        gout
    } else if matches!(act, Unary::Relu) {
        // relu′ read from the output (the rule's mask exactly): g where y > 0, and
        // chain(0, g) = 0 where y ≤ 0 whatever g is; NaN where y is NaN (chain(NaN, g))
        side.clear();
        side.resize(m * n, zero);
        let mut nan = false;
        for ((s, &go), &yy) in side.iter_mut().zip(gout).zip(y) {
            *s = if yy > zero { go } else { zero };
            nan |= yy.is_nan();
        }
        if nan {
            for ((s, &go), &yy) in side.iter_mut().zip(gout).zip(y) {
                if yy.is_nan() {
                    *s = F::chain(yy, go);
                }
            }
        }
        side
    } else if act.derivative_from_output_available() {
        // f′ read from the output: exact for these activations (exp′ = exp, ...)
        side.clear();
        side.extend(
            gout.iter()
                .zip(y)
                .map(|(&go, &yy)| F::chain(act.derivative_from_output(yy), go)),
        );
        side
    } else {
        // f′ from the rule at the pre-activation kept by the forward pass
        let mn = m * n;
        side.resize(2 * mn, zero);
        let (z, scratch) = side.split_at_mut(mn);
        for ((s, &zz), &go) in scratch.iter_mut().zip(z.iter()).zip(gout) {
            *s = F::chain(act.value_and_derivative(zz).1, go);
        }
        scratch
    };
    if let Some(gb) = g.get(bias) {
        for row in gpre.chunks_exact(n) {
            for (b, &r) in gb.iter_mut().zip(row) {
                *b += r;
            }
        }
    }
    if let Some(gw) = g.get(w) {
        gemm_chain(k, m, n, v.get(x), true, gpre, false, gw);
    }
    if let Some(gx) = g.get(x) {
        gemm_chain(m, n, k, gpre, false, v.get(w), true, gx);
    }
}

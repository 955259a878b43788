//! Loss functions, recorded on a [`Graph`] from its ops (each returns a scalar node), plus
//! generic scalar versions for the every-mode forward.
//!
//! | loss | definition (mean over rows unless noted) |
//! |---|---|
//! | [`mse`] | Σ or mean of (pred − target)² ([`Reduction`]) |
//! | [`cross_entropy`] | −log softmax(logits)\[label\], stable log-sum-exp, one fused record |
//! | [`nll`] | −log_probs\[label\] (input already log-probabilities) |
//! | [`bce`] | −(t ln p + (1 − t) ln(1 − p)) on probabilities |
//! | [`bce_with_logits`] | softplus(x) − t·x, the stable form of `bce(sigmoid(x), t)` |
//! | [`hinge`] | max(0, 1 − t·s) with targets t = ±1 |
//! | [`kl_diag_gaussian`] | KL(N(μ, diag eˡᵒᵍᵛᵃʳ) ‖ N(0, I)) = ½ Σ (μ² + e^logvar − 1 − logvar), summed over the last axis, mean over rows |

use crate::{Element, Graph, NodeId};
use diffprog_dual::Scalar;

/// How [`mse`] reduces the squared errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// The sum.
    Sum,
    /// The mean over every element.
    Mean,
}

fn check_same(what: &str, g: &Graph<impl Element>, a: NodeId, b: NodeId) {
    assert_eq!(
        g.shape(a),
        g.shape(b),
        "{what}: prediction has shape {:?} but target has shape {:?}",
        g.shape(a),
        g.shape(b)
    );
}

/// Squared error, summed or averaged.
///
/// ```
/// use diffprog_nn::{Graph, loss::{mse, Reduction}};
/// let mut g = Graph::<f64>::new();
/// let p = g.leaf(&[1.0, 2.0], &[2]);
/// let t = g.input(&[0.0, 4.0], &[2]);
/// let l = mse(&mut g, p, t, Reduction::Mean);
/// assert_eq!(g.item(l), 2.5);
/// g.backward(l);
/// assert_eq!(g.grad(p).unwrap(), &[1.0, -2.0]);
/// ```
pub fn mse<F: Element>(
    g: &mut Graph<F>,
    pred: NodeId,
    target: NodeId,
    reduction: Reduction,
) -> NodeId {
    check_same("mse", g, pred, target);
    let d = g.sub(pred, target);
    let s = g.square(d);
    match reduction {
        Reduction::Sum => g.sum(s),
        Reduction::Mean => g.mean(s),
    }
}

/// Cross-entropy from logits `[batch, classes]` with integer targets, mean over the batch.
pub fn cross_entropy<F: Element>(g: &mut Graph<F>, logits: NodeId, labels: &[usize]) -> NodeId {
    g.cross_entropy(logits, labels)
}

/// Negative log-likelihood of log-probabilities `[batch, classes]`, mean over the batch.
pub fn nll<F: Element>(g: &mut Graph<F>, log_probs: NodeId, labels: &[usize]) -> NodeId {
    let p = g.gather(log_probs, labels);
    let m = g.mean(p);
    g.neg(m)
}

/// Binary cross-entropy of probabilities `p ∈ (0, 1)` against targets `t ∈ [0, 1]`, mean over
/// every element.
pub fn bce<F: Element>(g: &mut Graph<F>, probs: NodeId, targets: NodeId) -> NodeId {
    check_same("bce", g, probs, targets);
    let lp = g.ln(probs);
    let a = g.mul(targets, lp);
    let np = g.neg(probs);
    let one_m_p = g.add_scalar(np, 1.0);
    let lq = g.ln(one_m_p);
    let nt = g.neg(targets);
    let one_m_t = g.add_scalar(nt, 1.0);
    let b = g.mul(one_m_t, lq);
    let s = g.add(a, b);
    let m = g.mean(s);
    g.neg(m)
}

/// Binary cross-entropy from logits, `softplus(x) − t·x` (stable for any x), mean over every
/// element.
pub fn bce_with_logits<F: Element>(g: &mut Graph<F>, logits: NodeId, targets: NodeId) -> NodeId {
    check_same("bce_with_logits", g, logits, targets);
    let sp = g.softplus(logits);
    let tx = g.mul(targets, logits);
    let d = g.sub(sp, tx);
    g.mean(d)
}

/// Hinge loss `max(0, 1 − t·s)` for scores `s` and targets `t = ±1`, mean over every element.
pub fn hinge<F: Element>(g: &mut Graph<F>, scores: NodeId, targets: NodeId) -> NodeId {
    check_same("hinge", g, scores, targets);
    let ts = g.mul(targets, scores);
    let n = g.neg(ts);
    let m = g.add_scalar(n, 1.0);
    let r = g.relu(m);
    g.mean(r)
}

/// KL divergence of the diagonal Gaussian N(μ, diag(e^logvar)) to N(0, I):
/// ½ Σ (μ² + e^logvar − 1 − logvar) over the last axis, mean over the leading (batch) axes.
pub fn kl_diag_gaussian<F: Element>(g: &mut Graph<F>, mu: NodeId, logvar: NodeId) -> NodeId {
    check_same("kl_diag_gaussian", g, mu, logvar);
    let shape = g.shape(mu);
    let last = shape.dims().last().copied().unwrap_or(1).max(1);
    let m2 = g.square(mu);
    let ev = g.exp(logvar);
    let s = g.add(m2, ev);
    let s = g.sub(s, logvar);
    let s = g.add_scalar(s, -1.0);
    let total = g.sum(s);
    // ½ · (Σ over everything) / (number of rows)
    g.mul_scalar(total, 0.5 * last as f64 / shape.numel().max(1) as f64)
}

/// Losses on plain vectors in any number type (the generic forward's counterparts).
pub mod scalar {
    use super::*;
    use crate::layers::log_softmax_generic;

    /// Mean squared error.
    pub fn mse<F: Element, T: Scalar<F>>(pred: &[T], target: &[T]) -> T {
        assert_eq!(
            pred.len(),
            target.len(),
            "mse: {} predictions, {} targets",
            pred.len(),
            target.len()
        );
        let s: T = pred
            .iter()
            .zip(target)
            .map(|(&p, &t)| (p - t) * (p - t))
            .sum();
        s / F::from_f64(pred.len().max(1) as f64)
    }
    /// Cross-entropy of one row of logits with an integer label.
    pub fn cross_entropy<F: Element, T: Scalar<F>>(logits: &[T], label: usize) -> T {
        assert!(
            label < logits.len(),
            "cross_entropy: label {label} out of range for {} classes",
            logits.len()
        );
        -log_softmax_generic(logits)[label]
    }
}

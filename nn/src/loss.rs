//! Loss functions, recorded on a [`Graph`] from its ops (each returns a scalar node), plus
//! generic scalar versions for the every-mode forward.
//!
//! | loss | definition (mean over rows unless noted) |
//! |---|---|
//! | [`mse`] | Σ or mean of (pred − target)² ([`Reduction`]) |
//! | [`mae`] | mean of \|pred − target\| |
//! | [`huber`] | mean of ½r² for \|r\| ≤ δ, δ(\|r\| − ½δ) beyond, r = pred − target |
//! | [`cross_entropy`] | −log softmax(logits)\[label\], stable log-sum-exp, one fused record |
//! | [`nll`] | −log_probs\[label\] (input already log-probabilities) |
//! | [`bce`] | −(t ln p + (1 − t) ln(1 − p)) on probabilities |
//! | [`bce_with_logits`] | softplus(x) − t·x, the stable form of `bce(sigmoid(x), t)` |
//! | [`hinge`] | max(0, 1 − t·s) with targets t = ±1 |
//! | [`kl_diag_gaussian`] | KL(N(μ, diag eˡᵒᵍᵛᵃʳ) ‖ N(0, I)) = ½ Σ (μ² + e^logvar − 1 − logvar), summed over the last axis, mean over rows |
//!
//! [`Loss`] names the supervised ones for the training loop
//! ([`Trainer::loss`](crate::train::Trainer::loss)) and evaluation, and records one on a batch
//! against its [`Target`]: labels for the classification losses, float targets for the others.

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

/// Mean absolute error, mean of `|pred − target|` over every element.
///
/// ```
/// use diffprog_nn::{Graph, loss::mae};
/// let mut g = Graph::<f64>::new();
/// let p = g.leaf(&[1.0, 2.0], &[2]);
/// let t = g.input(&[0.0, 4.0], &[2]);
/// let l = mae(&mut g, p, t);
/// assert_eq!(g.item(l), 1.5);
/// g.backward(l);
/// assert_eq!(g.grad(p).unwrap(), &[0.5, -0.5]);
/// ```
pub fn mae<F: Element>(g: &mut Graph<F>, pred: NodeId, target: NodeId) -> NodeId {
    check_same("mae", g, pred, target);
    let d = g.sub(pred, target);
    let a = g.abs(d);
    g.mean(a)
}

/// Huber loss with threshold `delta > 0`, mean over every element: ½r² where `|r| ≤ delta`,
/// `delta·(|r| − ½delta)` beyond (r = pred − target). Quadratic near 0 like [`mse`], linear in
/// the tails like [`mae`]; the gradient is `r` clipped to `[−delta, delta]`. Written as
/// `q·(|r| − ½q)` with `q = min(|r|, delta)`.
///
/// ```
/// use diffprog_nn::{Graph, loss::huber};
/// let mut g = Graph::<f64>::new();
/// let p = g.leaf(&[0.5, 3.0], &[2]);
/// let t = g.input(&[0.0, 0.0], &[2]);
/// let l = huber(&mut g, p, t, 1.0);
/// assert_eq!(g.item(l), (0.125 + 2.5) / 2.0);
/// g.backward(l);
/// assert_eq!(g.grad(p).unwrap(), &[0.25, 0.5]);
/// ```
///
/// # Panics
/// If `delta` is not positive, or the shapes differ.
pub fn huber<F: Element>(g: &mut Graph<F>, pred: NodeId, target: NodeId, delta: f64) -> NodeId {
    check_same("huber", g, pred, target);
    assert!(
        delta > 0.0,
        "huber: the threshold delta must be positive, got {delta}"
    );
    let r = g.sub(pred, target);
    let a = g.abs(r);
    // q = min(a, delta) = delta − relu(delta − a)
    let na = g.neg(a);
    let t = g.add_scalar(na, delta);
    let rt = g.relu(t);
    let nq = g.add_scalar(rt, -delta);
    let q = g.neg(nq);
    let half_q = g.mul_scalar(q, 0.5);
    let inner = g.sub(a, half_q);
    let h = g.mul(q, inner);
    g.mean(h)
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

/// What a batch's model output is compared with: class labels (one per row) or float targets
/// (row-major, as many per row as the model has outputs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target<'a, F> {
    /// One class per row.
    Labels(&'a [usize]),
    /// Row-major float targets, the shape of the output.
    Values(&'a [F]),
}

/// A supervised loss, for [`Trainer`](crate::train::Trainer) and
/// [`evaluate_with`](crate::train::evaluate_with). The classification losses take labels
/// ([`needs_labels`](Loss::needs_labels)), the others float targets of the output's shape
/// ([`Dataset::with_targets`](crate::data::Dataset::with_targets)).
///
/// ```
/// use diffprog_nn::{Graph, loss::{Loss, Target}};
/// let mut g = Graph::<f64>::new();
/// let y = g.leaf(&[1.0, 2.0], &[2, 1]);
/// let l = Loss::MeanSquaredError.record(&mut g, y, Target::Values(&[0.0, 4.0]));
/// assert_eq!(g.item(l), 2.5);
/// let logits = g.leaf(&[0.0, 0.0], &[1, 2]);
/// let l = Loss::CrossEntropy.record(&mut g, logits, Target::Labels(&[1]));
/// assert!((g.item(l) - 2f64.ln()).abs() < 1e-15);
/// assert!(Loss::CrossEntropy.needs_labels() && !Loss::Huber(1.0).needs_labels());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Loss {
    /// [`cross_entropy`] of logits against labels: multi-class classification (the default).
    #[default]
    CrossEntropy,
    /// [`nll`] of log-probabilities (a model ending in `LogSoftmax`) against labels.
    Nll,
    /// [`mse`] (mean) against float targets: regression.
    MeanSquaredError,
    /// [`mae`] against float targets.
    MeanAbsoluteError,
    /// [`huber`] with this threshold δ against float targets.
    Huber(f64),
    /// [`bce`] of probabilities (a model ending in a sigmoid) against targets in `[0, 1]`.
    BinaryCrossEntropy,
    /// [`bce_with_logits`] of logits against targets in `[0, 1]`: binary (or multi-label)
    /// classification.
    BinaryCrossEntropyWithLogits,
    /// [`hinge`] of scores against targets ±1.
    Hinge,
}

impl Loss {
    /// True for the losses that compare with class labels ([`CrossEntropy`](Loss::CrossEntropy),
    /// [`Nll`](Loss::Nll)); the others take float targets.
    pub fn needs_labels(self) -> bool {
        matches!(self, Loss::CrossEntropy | Loss::Nll)
    }

    /// True for the losses of a classifier, whose outputs have an accuracy: the label losses
    /// (argmax of each row) and the binary ones (each output thresholded).
    pub fn is_classification(self) -> bool {
        !matches!(
            self,
            Loss::MeanSquaredError | Loss::MeanAbsoluteError | Loss::Huber(_)
        )
    }

    /// A short name, e.g. `"cross-entropy"`, `"mse"`.
    pub fn name(self) -> &'static str {
        match self {
            Loss::CrossEntropy => "cross-entropy",
            Loss::Nll => "nll",
            Loss::MeanSquaredError => "mse",
            Loss::MeanAbsoluteError => "mae",
            Loss::Huber(_) => "huber",
            Loss::BinaryCrossEntropy => "bce",
            Loss::BinaryCrossEntropyWithLogits => "bce-with-logits",
            Loss::Hinge => "hinge",
        }
    }

    /// Records the loss of `output` against `target` (a scalar node, the mean over the batch).
    ///
    /// # Panics
    /// If the target is of the wrong kind (labels for a loss on float targets or the reverse),
    /// or its shape does not match the output.
    pub fn record<F: Element>(
        self,
        g: &mut Graph<F>,
        output: NodeId,
        target: Target<'_, F>,
    ) -> NodeId {
        match (self, target) {
            (Loss::CrossEntropy, Target::Labels(l)) => g.cross_entropy(output, l),
            (Loss::Nll, Target::Labels(l)) => nll(g, output, l),
            (Loss::CrossEntropy | Loss::Nll, Target::Values(_)) => panic!(
                "loss {}: needs class labels, but the targets are floats (use a data set built by \
                 Dataset::new, or a loss on float targets)",
                self.name()
            ),
            (_, Target::Labels(_)) => panic!(
                "loss {}: needs float targets, but the targets are class labels (use a data set \
                 built by Dataset::with_targets, or Loss::CrossEntropy)",
                self.name()
            ),
            (_, Target::Values(v)) => {
                let shape = g.shape(output);
                let t = g.input(v, &target_dims(shape.dims(), v.len()));
                match self {
                    Loss::MeanSquaredError => mse(g, output, t, Reduction::Mean),
                    Loss::MeanAbsoluteError => mae(g, output, t),
                    Loss::Huber(delta) => huber(g, output, t, delta),
                    Loss::BinaryCrossEntropy => bce(g, output, t),
                    Loss::BinaryCrossEntropyWithLogits => bce_with_logits(g, output, t),
                    Loss::Hinge => hinge(g, output, t),
                    Loss::CrossEntropy | Loss::Nll => unreachable!(),
                }
            }
        }
    }

    /// `(correct, counted)` for the outputs of a batch (row-major, `width` per row): for the
    /// label losses the rows whose argmax is the label, for the binary losses the outputs on the
    /// target's side of the threshold (probability 0.5, logit 0, score 0; target 0.5, or 0 for
    /// the hinge loss's ±1); `None` for the regression losses.
    pub fn count_correct<F: Element>(
        self,
        outputs: &[F],
        width: usize,
        target: Target<'_, F>,
    ) -> Option<(usize, usize)> {
        let (cut_out, cut_target) = match self {
            Loss::CrossEntropy | Loss::Nll => {
                let Target::Labels(l) = target else {
                    return None;
                };
                return Some((crate::metrics::count_correct(outputs, width, l), l.len()));
            }
            Loss::MeanSquaredError | Loss::MeanAbsoluteError | Loss::Huber(_) => return None,
            Loss::BinaryCrossEntropy => (0.5, 0.5),
            Loss::BinaryCrossEntropyWithLogits => (0.0, 0.5),
            Loss::Hinge => (0.0, 0.0),
        };
        let Target::Values(t) = target else {
            return None;
        };
        let (co, ct) = (F::from_f64(cut_out), F::from_f64(cut_target));
        let correct = outputs
            .iter()
            .zip(t)
            .filter(|&(&o, &t)| (o > co) == (t > ct))
            .count();
        Some((correct, t.len()))
    }
}

/// `[rows, values / rows]` when the output has rows and the values fill them, else the values as
/// one axis (and the loss's shape check names both shapes).
fn target_dims(output: &[usize], values: usize) -> Vec<usize> {
    match output {
        [rows, ..] if output.len() >= 2 && *rows > 0 && values.is_multiple_of(*rows) => {
            vec![*rows, values / rows]
        }
        _ => vec![values],
    }
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

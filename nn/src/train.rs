//! The training helper: epochs of mini-batch steps for a classifier, evaluation with the usual
//! metrics, an end-of-epoch callback, a progress bar that stays quiet off-terminal.
//!
//! The hot path is [`train_step`]: reset the graph (buffers kept), record input → model → fused
//! cross-entropy, zero the gradients, backward, optimiser step. After the first step nothing is
//! allocated. [`fit`] returns the run's [`History`], one [`EpochRecord`] per epoch.

use crate::data::{DataLoader, Dataset};
use crate::layers::Sequential;
use crate::metrics::{count_correct, top_k_accuracy, ConfusionMatrix};
use crate::optim::{Optimizer, Schedule};
use crate::progress::Progress;
use crate::{Element, Graph, NodeId};
use serde::{Deserialize, Serialize};

/// A model that can be recorded on a [`Graph`].
pub trait Module<F: Element> {
    /// Records the model on a batch.
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId;
}

impl<F: Element> Module<F> for Sequential<F> {
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        Sequential::forward(self, g, x)
    }
}

/// One optimisation step of a classifier on a batch (`features` row-major `[labels.len(),
/// feature_len]`) with the mean cross-entropy loss. Returns the loss and the number of rows the
/// model got right (from the same forward pass).
pub fn train_step<F: Element, M: Module<F>, O: Optimizer<F>>(
    g: &mut Graph<F>,
    model: &M,
    opt: &mut O,
    features: &[F],
    labels: &[usize],
    feature_len: usize,
) -> (F, usize) {
    g.reset();
    let x = g.input(features, &[labels.len(), feature_len]);
    let logits = model.forward(g, x);
    let loss = g.cross_entropy(logits, labels);
    g.params_mut().zero_grad();
    g.backward(loss);
    opt.step(g.params_mut());
    let k = g.shape(logits).dims().last().copied().unwrap_or(1);
    let correct = count_correct(g.value(logits), k, labels);
    (g.item(loss), correct)
}

/// The model's outputs on a data set, with the metrics computed from them.
#[derive(Clone, Debug)]
pub struct Evaluation<F> {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Row-major logits `[len, n_classes]`.
    pub logits: Vec<F>,
    /// The true labels.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub n_classes: usize,
}

impl<F: Element> Evaluation<F> {
    /// Top-1 accuracy.
    pub fn accuracy(&self) -> f64 {
        self.top_k(1)
    }
    /// Top-k accuracy.
    pub fn top_k(&self, k: usize) -> f64 {
        top_k_accuracy(&self.logits, self.n_classes, &self.labels, k)
    }
    /// The confusion matrix.
    pub fn confusion(&self) -> ConfusionMatrix {
        ConfusionMatrix::from_logits(&self.logits, self.n_classes, &self.labels)
    }
    /// Accuracy per true class (`None` for a class absent from the data).
    pub fn per_class_accuracy(&self) -> Vec<Option<f64>> {
        self.confusion().per_class_accuracy()
    }
}

/// Runs the model over a data set in eval mode without gradients, in batches.
pub fn evaluate<F: Element, M: Module<F>>(
    g: &mut Graph<F>,
    model: &M,
    data: &Dataset<F>,
    batch_size: usize,
) -> Evaluation<F> {
    let was_training = g.is_training();
    g.set_training(false);
    let mut logits = Vec::new();
    let mut loss_sum = 0.0;
    let mut loader = DataLoader::new(data, batch_size.max(1));
    while let Some(b) = loader.next_batch() {
        g.reset();
        let (l, out) = g.no_grad(|g| {
            let x = g.input(b.features, &[b.len(), b.feature_len]);
            let y = model.forward(g, x);
            let l = g.cross_entropy(y, b.labels);
            (l, y)
        });
        loss_sum += diffprog_dual::Real::to_f64(g.item(l)) * b.len() as f64;
        logits.extend_from_slice(g.value(out));
    }
    g.set_training(was_training);
    Evaluation {
        loss: loss_sum / data.len().max(1) as f64,
        logits,
        labels: data.labels().to_vec(),
        n_classes: data.n_classes(),
    }
}

/// Settings of [`fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    /// Number of epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Seed of the per-epoch shuffle.
    pub shuffle_seed: u64,
    /// Drop the last incomplete batch of an epoch.
    pub drop_last: bool,
    /// Never draw the progress bar (it is also hidden whenever stderr is not a terminal).
    pub quiet: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            epochs: 10,
            batch_size: 32,
            shuffle_seed: 0,
            drop_last: false,
            quiet: false,
        }
    }
}

/// What the end-of-epoch callback may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// Trains a classifier with cross-entropy for `options.epochs` epochs; after each, evaluates on
/// `test` (if given), advances the learning-rate `schedule` (if given), records an
/// [`EpochRecord`] and calls `on_epoch` with it.
#[allow(clippy::too_many_arguments)]
pub fn fit<F: Element, M: Module<F>, O: Optimizer<F>>(
    g: &mut Graph<F>,
    model: &M,
    opt: &mut O,
    train: &Dataset<F>,
    test: Option<&Dataset<F>>,
    options: &FitOptions,
    mut schedule: Option<&mut Schedule>,
    mut on_epoch: impl FnMut(&EpochRecord, &mut Graph<F>) -> Control,
) -> History {
    let mut history = History::new();
    let mut loader = DataLoader::new(train, options.batch_size)
        .shuffle(options.shuffle_seed)
        .drop_last(options.drop_last);
    let bar = Progress::new(options.epochs as u64, "train", options.quiet);
    for epoch in 1..=options.epochs {
        g.set_training(true);
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0usize, 0usize);
        while let Some(b) = loader.next_batch() {
            let (l, c) = train_step(g, model, opt, b.features, b.labels, b.feature_len);
            loss_sum += diffprog_dual::Real::to_f64(l) * b.len() as f64;
            correct += c;
            seen += b.len();
        }
        let (test_loss, test_accuracy) = match test {
            Some(t) => {
                let e = evaluate(g, model, t, 256);
                (Some(e.loss), Some(e.accuracy()))
            }
            None => (None, None),
        };
        if let Some(s) = schedule.as_deref_mut() {
            s.step(opt);
        }
        let rec = EpochRecord {
            epoch,
            train_loss: loss_sum / seen.max(1) as f64,
            train_accuracy: Some(correct as f64 / seen.max(1) as f64),
            test_loss,
            test_accuracy,
        };
        bar.set_message(format!(
            "loss {:.4}{}",
            rec.train_loss,
            rec.test_accuracy
                .map(|a| format!(" test acc {:.2}%", 100.0 * a))
                .unwrap_or_default()
        ));
        bar.inc(1);
        let control = on_epoch(&rec, g);
        history.push(rec);
        if control == Control::Stop {
            break;
        }
    }
    bar.finish_and_clear();
    history
}

fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// What one epoch of training produced. Fields not measured stay `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch. (JSON has no NaN: a non-finite loss is written as
    /// `null` and read back as NaN.)
    #[serde(deserialize_with = "nan_if_null")]
    pub train_loss: f64,
    /// Training accuracy in `[0, 1]`.
    pub train_accuracy: Option<f64>,
    /// Loss on the held-out set (a non-finite value is written to JSON as `null`, read back as
    /// `None`).
    pub test_loss: Option<f64>,
    /// Accuracy on the held-out set, in `[0, 1]`.
    pub test_accuracy: Option<f64>,
}

/// The per-epoch record of a training run, in epoch order.
///
/// ```
/// use diffprog_nn::train::{EpochRecord, History};
///
/// let mut h = History::default();
/// h.push(EpochRecord { epoch: 1, train_loss: 2.0, test_accuracy: Some(0.5), ..Default::default() });
/// h.push(EpochRecord { epoch: 2, train_loss: 1.0, test_accuracy: Some(0.8), ..Default::default() });
/// assert_eq!(h.best_test_accuracy(), Some((2, 0.8)));
/// let back = History::from_json(&h.to_json()).unwrap();
/// assert_eq!(back, h);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch.
    pub epochs: Vec<EpochRecord>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an epoch.
    pub fn push(&mut self, record: EpochRecord) {
        self.epochs.push(record);
    }

    /// Number of epochs recorded.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// True before the first epoch.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// The latest epoch.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// `(epoch, accuracy)` of the best test accuracy (the first on ties), if any was recorded.
    pub fn best_test_accuracy(&self) -> Option<(usize, f64)> {
        self.epochs
            .iter()
            .filter_map(|r| r.test_accuracy.map(|a| (r.epoch, a)))
            .fold(None, |best: Option<(usize, f64)>, (e, a)| match best {
                Some((_, b)) if b >= a => best,
                _ => Some((e, a)),
            })
    }

    /// The history as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a History always serialises")
    }

    /// Parses JSON written by [`to_json`](Self::to_json).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

//! The training loop: [`Trainer`], configured builder-style (any [`Loss`], epochs, batch size,
//! shuffle seed, validation set, schedule, end-of-epoch callback, a progress bar that stays quiet
//! off-terminal) and run by [`Trainer::fit`], which returns the run's [`History`], one
//! [`EpochRecord`] per epoch; [`evaluate`] / [`evaluate_with`] with the metrics that suit the loss
//! (accuracy, top-k and confusion for a classifier; MAE, RMSE and R² for a regression). Predicting
//! is [`Sequential::predict`](crate::layers::Sequential::predict) and its siblings.
//!
//! Classification, in full:
//!
//! ```
//! use diffprog_nn::data::{digits, Standardizer};
//! use diffprog_nn::layers::{seeded_rng, Init, Sequential};
//! use diffprog_nn::optim::Adam;
//! use diffprog_nn::train::{Control, Trainer};
//! use diffprog_nn::{Graph, Unary};
//!
//! let (mut train, mut test) = digits().split(0, 600);
//! let scaler = Standardizer::fit(&train);
//! scaler.apply(&mut train);
//! scaler.apply(&mut test);
//! let mut g = Graph::<f32>::new();
//! let model = Sequential::mlp(g.params_mut(), &[64, 32, 10], Unary::Relu, Init::KaimingUniform, &mut seeded_rng(0));
//! let mut opt = Adam::new(1e-2);
//! let history = Trainer::new(&mut g, &model, &mut opt) // cross-entropy by default
//!     .epochs(20)
//!     .batch_size(32)
//!     .seed(1)
//!     .validation(&test)
//!     .progress(false)
//!     .on_epoch(|r, _| if r.test_accuracy > Some(0.95) { Control::Stop } else { Control::Continue })
//!     .fit(&train);
//! assert!(history.best_test_accuracy().unwrap().1 > 0.9);
//! let classes = model.predict_classes(&mut g, test.features());
//! assert_eq!(classes.len(), test.len());
//! ```
//!
//! The hot path of a cross-entropy classifier is also [`train_step`]: reset the graph (buffers
//! kept), record input → model → fused cross-entropy, zero the gradients, backward, optimiser
//! step. After the first step nothing is allocated.

use crate::data::{Batch, DataLoader, Dataset};
use crate::layers::Sequential;
use crate::loss::{Loss, Target};
use crate::metrics::{count_correct, top_k_accuracy, ConfusionMatrix};
use crate::optim::{Optimizer, Schedule};
use crate::progress::Progress;
use crate::{Element, Graph, NodeId, ParamId, Params};
use serde::{Deserialize, Serialize};

/// A model that can be recorded on a [`Graph`] (PyTorch's `nn.Module`). A user-defined module
/// composes layers and other modules in its own `forward` and lists them in
/// [`children`](Self::children), from which its parameters are collected; the parameters'
/// hierarchical names (`features.conv1.weight`) are the names they were registered under in the
/// store. Train/eval mode is the graph's ([`Graph::set_training`]), so it reaches every child.
///
/// ```
/// use diffprog_nn::layers::{seeded_rng, Init, Linear};
/// use diffprog_nn::train::Module;
/// use diffprog_nn::{Graph, NodeId, Unary};
///
/// struct Mlp { hidden: Linear, out: Linear }
///
/// impl Module<f32> for Mlp {
///     fn forward(&self, g: &mut Graph<f32>, x: NodeId) -> NodeId {
///         let h = self.hidden.forward(g, x, Unary::Relu);
///         self.out.forward(g, h, Unary::Identity)
///     }
///     fn children(&self) -> Vec<&dyn Module<f32>> {
///         vec![&self.hidden, &self.out]
///     }
/// }
///
/// let mut g = Graph::<f32>::new();
/// let mut rng = seeded_rng(0);
/// let p = g.params_mut();
/// let mlp = Mlp {
///     hidden: Linear::new(p, "hidden", 4, 8, true, Init::TorchDefault, &mut rng),
///     out: Linear::new(p, "out", 8, 2, true, Init::TorchDefault, &mut rng),
/// };
/// let names: Vec<&str> = mlp.named_params(g.params()).into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]);
/// mlp.set_frozen(g.params_mut(), true); // every child's parameters
/// assert_eq!(g.params().trainable_ids().count(), 0);
/// ```
pub trait Module<F: Element> {
    /// Records the model on a batch.
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId;
    /// The modules this one composes, in order (PyTorch registers them on assignment; here a
    /// module lists them once). [`param_ids`](Self::param_ids), [`named_params`](Self::named_params)
    /// and [`set_frozen`](Self::set_frozen) collect through them. By default none.
    fn children(&self) -> Vec<&dyn Module<F>> {
        Vec::new()
    }
    /// The module's parameters, its children's included, in order (buffers such as batch-norm
    /// running statistics excluded). By default the children's, in the order of
    /// [`children`](Self::children); a layer with parameters of its own overrides it.
    fn param_ids(&self) -> Vec<ParamId> {
        self.children()
            .into_iter()
            .flat_map(|c| c.param_ids())
            .collect()
    }
    /// The parameters with their names in `params`.
    fn named_params<'a>(&self, params: &'a Params<F>) -> Vec<(&'a str, ParamId)> {
        self.param_ids()
            .into_iter()
            .map(|id| (params.name(id), id))
            .collect()
    }
    /// Freezes (`true`) or unfreezes every parameter of the module: a frozen parameter gets no
    /// gradient and optimisers skip it ([`Params::set_trainable`]) — PyTorch's
    /// `requires_grad = False` for transfer learning.
    fn set_frozen(&self, params: &mut Params<F>, frozen: bool) {
        for id in self.param_ids() {
            params.set_trainable(id, !frozen);
        }
    }
}

impl<F: Element> Module<F> for Sequential<F> {
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        Sequential::forward(self, g, x)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        Sequential::param_ids(self)
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
    /// The loss the outputs were measured with.
    pub loss_fn: Loss,
    /// Mean loss over the data set.
    pub loss: f64,
    /// Row-major outputs `[len, output_len]` (logits for a cross-entropy classifier).
    pub outputs: Vec<F>,
    /// Numbers per output row.
    pub output_len: usize,
    /// The true labels (empty for a data set of float targets).
    pub labels: Vec<usize>,
    /// The float targets, row-major (empty for a classification set).
    pub targets: Vec<F>,
    /// Number of classes (0 for a data set of float targets).
    pub n_classes: usize,
}

impl<F: Element> Evaluation<F> {
    fn labels_only(&self, what: &str) {
        assert!(
            self.loss_fn.needs_labels(),
            "Evaluation::{what}: needs class labels, but this is an evaluation with the {} loss \
             on float targets",
            self.loss_fn.name()
        );
    }
    fn targets_only(&self, what: &str) {
        assert!(
            !self.loss_fn.needs_labels(),
            "Evaluation::{what}: needs float targets, but this is an evaluation with the {} loss \
             on class labels",
            self.loss_fn.name()
        );
    }
    /// Accuracy: top-1 for a loss on labels, the fraction of outputs on the right side of the
    /// threshold for a binary loss (see [`Loss::count_correct`]).
    ///
    /// # Panics
    /// For a regression loss (MSE, MAE, Huber), which has no accuracy.
    pub fn accuracy(&self) -> f64 {
        let target = if self.loss_fn.needs_labels() {
            Target::Labels(&self.labels)
        } else {
            Target::Values(&self.targets)
        };
        match self
            .loss_fn
            .count_correct(&self.outputs, self.output_len, target)
        {
            Some((c, n)) => c as f64 / n.max(1) as f64,
            None => panic!(
                "Evaluation::accuracy: the {} loss is a regression loss, without accuracy (see \
                 mean_absolute_error, root_mean_squared_error, r2)",
                self.loss_fn.name()
            ),
        }
    }
    /// Top-k accuracy (a loss on labels only).
    pub fn top_k(&self, k: usize) -> f64 {
        self.labels_only("top_k");
        top_k_accuracy(&self.outputs, self.n_classes, &self.labels, k)
    }
    /// The confusion matrix (a loss on labels only).
    pub fn confusion(&self) -> ConfusionMatrix {
        self.labels_only("confusion");
        ConfusionMatrix::from_logits(&self.outputs, self.n_classes, &self.labels)
    }
    /// Accuracy per true class (`None` for a class absent from the data; a loss on labels only).
    pub fn per_class_accuracy(&self) -> Vec<Option<f64>> {
        self.confusion().per_class_accuracy()
    }
    fn residuals(&self, what: &str) -> impl Iterator<Item = f64> + use<'_, F> {
        self.targets_only(what);
        self.outputs
            .iter()
            .zip(&self.targets)
            .map(|(&o, &t)| o.to_f64() - t.to_f64())
    }
    /// Mean of `|output − target|` over every output (float targets only).
    pub fn mean_absolute_error(&self) -> f64 {
        let n = self.targets.len().max(1) as f64;
        self.residuals("mean_absolute_error")
            .map(f64::abs)
            .sum::<f64>()
            / n
    }
    /// Square root of the mean of `(output − target)²` (float targets only).
    pub fn root_mean_squared_error(&self) -> f64 {
        let n = self.targets.len().max(1) as f64;
        (self
            .residuals("root_mean_squared_error")
            .map(|r| r * r)
            .sum::<f64>()
            / n)
            .sqrt()
    }
    /// The coefficient of determination R² = 1 − Σ(output − target)² / Σ(target − mean)², per
    /// output column, averaged over the columns (scikit-learn's `r2_score`, uniform average);
    /// float targets only. 1 is a perfect fit, 0 no better than each column's mean. A constant
    /// column counts 1 if it is fitted exactly and 0 otherwise.
    pub fn r2(&self) -> f64 {
        self.targets_only("r2");
        let w = self.output_len.max(1);
        let rows = self.targets.len() / w;
        let mut total = 0.0;
        for c in 0..w {
            let col = |v: &[F], r: usize| v[r * w + c].to_f64();
            let mean = (0..rows).map(|r| col(&self.targets, r)).sum::<f64>() / rows.max(1) as f64;
            let (mut ss_res, mut ss_tot) = (0.0, 0.0);
            for r in 0..rows {
                let t = col(&self.targets, r);
                ss_res += (col(&self.outputs, r) - t).powi(2);
                ss_tot += (t - mean).powi(2);
            }
            total += if ss_tot > 0.0 {
                1.0 - ss_res / ss_tot
            } else if ss_res == 0.0 {
                1.0
            } else {
                0.0
            };
        }
        total / w as f64
    }
}

/// Runs a classifier over a data set in eval mode without gradients, in batches, with the
/// cross-entropy loss: [`evaluate_with`] for [`Loss::CrossEntropy`].
pub fn evaluate<F: Element, M: Module<F>>(
    g: &mut Graph<F>,
    model: &M,
    data: &Dataset<F>,
    batch_size: usize,
) -> Evaluation<F> {
    evaluate_with(g, model, data, Loss::CrossEntropy, batch_size)
}

/// Runs the model over a data set in eval mode without gradients, in batches, measuring `loss`
/// (labels or float targets, as the loss needs). The graph's train/eval mode is restored after.
///
/// # Panics
/// If the data set's kind does not suit the loss (labels for a loss on float targets or the
/// reverse).
pub fn evaluate_with<F: Element, M: Module<F>>(
    g: &mut Graph<F>,
    model: &M,
    data: &Dataset<F>,
    loss: Loss,
    batch_size: usize,
) -> Evaluation<F> {
    check_kind("evaluate_with", data, loss);
    let was_training = g.is_training();
    g.set_training(false);
    let mut outputs = Vec::new();
    let mut output_len = 0;
    let mut loss_sum = 0.0;
    let mut loader = DataLoader::new(data, batch_size.max(1));
    while let Some(b) = loader.next_batch() {
        g.reset();
        let (l, out) = g.no_grad(|g| {
            let x = g.input(b.features, &[b.len(), b.feature_len]);
            let y = model.forward(g, x);
            let l = loss.record(g, y, batch_target(&b));
            (l, y)
        });
        loss_sum += diffprog_dual::Real::to_f64(g.item(l)) * b.len() as f64;
        output_len = g.shape(out).dims().last().copied().unwrap_or(1);
        outputs.extend_from_slice(g.value(out));
    }
    g.set_training(was_training);
    Evaluation {
        loss_fn: loss,
        loss: loss_sum / data.len().max(1) as f64,
        outputs,
        output_len,
        labels: data.labels().to_vec(),
        targets: data.targets().to_vec(),
        n_classes: data.n_classes(),
    }
}

fn batch_target<'a, F>(b: &Batch<'a, F>) -> Target<'a, F> {
    if b.target_len == 0 {
        Target::Labels(b.labels)
    } else {
        Target::Values(b.targets)
    }
}

fn check_kind<F: Element>(what: &str, data: &Dataset<F>, loss: Loss) {
    if loss.needs_labels() && !data.is_classification() {
        panic!(
            "{what}: the {} loss needs class labels, but the data set has float targets \
             (Dataset::with_targets); use a loss on float targets such as \
             Loss::MeanSquaredError",
            loss.name()
        );
    }
    if !loss.needs_labels() && data.is_classification() {
        panic!(
            "{what}: the {} loss needs float targets, but the data set has class labels; build it \
             with Dataset::with_targets, or use Loss::CrossEntropy",
            loss.name()
        );
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

type EpochCallback<'a, F> = Box<dyn FnMut(&EpochRecord, &mut Graph<F>) -> Control + 'a>;

/// The training loop, configured builder-style and run by [`fit`](Trainer::fit): epochs of
/// shuffled mini-batch steps with any [`Loss`], then per epoch an evaluation on the validation
/// set (if given), a learning-rate [`Schedule`] step (if given), an [`EpochRecord`] and the
/// callback (if given), which may stop the run.
///
/// | setting | default |
/// |---|---|
/// | [`loss`](Self::loss) | [`Loss::CrossEntropy`] |
/// | [`epochs`](Self::epochs) | 10 |
/// | [`batch_size`](Self::batch_size) | 32 |
/// | [`seed`](Self::seed) (of the per-epoch shuffle) | 0 |
/// | [`drop_last`](Self::drop_last) | false |
/// | [`progress`](Self::progress) (bar on stderr, only on a terminal) | true |
/// | [`validation`](Self::validation), [`schedule`](Self::schedule), [`on_epoch`](Self::on_epoch) | none |
///
/// Regression: a network fitted to y = x² on [−1, 1] with the mean squared error.
///
/// ```
/// use diffprog_nn::data::Dataset;
/// use diffprog_nn::layers::{seeded_rng, Init, Sequential};
/// use diffprog_nn::loss::Loss;
/// use diffprog_nn::optim::Adam;
/// use diffprog_nn::train::Trainer;
/// use diffprog_nn::{Graph, Unary};
///
/// let x: Vec<f64> = (0..64).map(|i| -1.0 + 2.0 * i as f64 / 63.0).collect();
/// let y: Vec<f64> = x.iter().map(|x| x * x).collect();
/// let data = Dataset::with_targets(x, y, 1, 1);
///
/// let mut g = Graph::<f64>::new();
/// let model = Sequential::mlp(g.params_mut(), &[1, 16, 1], Unary::Tanh, Init::XavierUniform, &mut seeded_rng(0));
/// let mut opt = Adam::new(1e-2);
/// let history = Trainer::new(&mut g, &model, &mut opt)
///     .loss(Loss::MeanSquaredError)
///     .epochs(300)
///     .batch_size(16)
///     .progress(false)
///     .fit(&data);
/// let last = history.last().unwrap();
/// assert!(last.train_loss < 2e-3, "mse {}", last.train_loss);
/// assert_eq!(last.train_accuracy, None); // no accuracy for a regression loss
///
/// let pred = model.predict(&mut g, &[0.5]);
/// assert!((pred.data()[0] - 0.25).abs() < 0.05);
/// ```
pub struct Trainer<'a, F: Element, M, O> {
    graph: &'a mut Graph<F>,
    model: &'a M,
    opt: &'a mut O,
    loss: Loss,
    epochs: usize,
    batch_size: usize,
    eval_batch_size: usize,
    seed: u64,
    drop_last: bool,
    progress: bool,
    validation: Option<&'a Dataset<F>>,
    schedule: Option<&'a mut Schedule>,
    on_epoch: Option<EpochCallback<'a, F>>,
}

impl<'a, F: Element, M: Module<F>, O: Optimizer<F>> Trainer<'a, F, M, O> {
    /// A trainer of `model`, whose parameters live in `graph`, stepped by `opt`; every setting at
    /// its default (see the [type docs](Self)).
    pub fn new(graph: &'a mut Graph<F>, model: &'a M, opt: &'a mut O) -> Self {
        Trainer {
            graph,
            model,
            opt,
            loss: Loss::CrossEntropy,
            epochs: 10,
            batch_size: 32,
            eval_batch_size: 256,
            seed: 0,
            drop_last: false,
            progress: true,
            validation: None,
            schedule: None,
            on_epoch: None,
        }
    }

    /// The loss to minimise (default [`Loss::CrossEntropy`]). Its kind must suit the data: labels
    /// for the classification losses, float targets for the others.
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Number of epochs (default 10).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Mini-batch size (default 32).
    ///
    /// # Panics
    /// If `batch_size` is zero.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        assert!(batch_size > 0, "Trainer::batch_size must be positive");
        self.batch_size = batch_size;
        self
    }

    /// Batch size of the per-epoch evaluation on the validation set (default 256).
    ///
    /// # Panics
    /// If `batch_size` is zero.
    pub fn eval_batch_size(mut self, batch_size: usize) -> Self {
        assert!(batch_size > 0, "Trainer::eval_batch_size must be positive");
        self.eval_batch_size = batch_size;
        self
    }

    /// Seed of the per-epoch shuffle (default 0): the same seed, model and data give the same run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Skip the last batch of an epoch when it is short (default false).
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// Draw a progress bar on stderr (default true; it is hidden anyway when stderr is not a
    /// terminal).
    pub fn progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// A held-out set evaluated after every epoch (its loss and, for a classifier, accuracy go
    /// into the [`EpochRecord`]'s `test_loss` and `test_accuracy`).
    pub fn validation(mut self, data: &'a Dataset<F>) -> Self {
        self.validation = Some(data);
        self
    }

    /// A learning-rate schedule stepped after every epoch.
    pub fn schedule(mut self, schedule: &'a mut Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Called after every epoch with its record and the graph (to save a checkpoint, log, ...);
    /// returning [`Control::Stop`] ends the run after that epoch.
    pub fn on_epoch(
        mut self,
        callback: impl FnMut(&EpochRecord, &mut Graph<F>) -> Control + 'a,
    ) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// Trains on `train` and returns the [`History`], one record per epoch run.
    ///
    /// # Panics
    /// If the training or validation set's kind does not suit the loss (labels for a loss on
    /// float targets or the reverse), or the targets' width differs from the model's outputs.
    pub fn fit(self, train: &Dataset<F>) -> History {
        let Trainer {
            graph: g,
            model,
            opt,
            loss,
            epochs,
            batch_size,
            eval_batch_size,
            seed,
            drop_last,
            progress,
            validation,
            mut schedule,
            mut on_epoch,
        } = self;
        check_kind("Trainer::fit (training set)", train, loss);
        if let Some(v) = validation {
            check_kind("Trainer::fit (validation set)", v, loss);
        }
        let mut history = History::new();
        let mut loader = DataLoader::new(train, batch_size)
            .shuffle(seed)
            .drop_last(drop_last);
        let bar = Progress::new(epochs as u64, "train", !progress);
        for epoch in 1..=epochs {
            g.set_training(true);
            let (mut loss_sum, mut seen) = (0.0, 0usize);
            let mut correct: Option<(usize, usize)> = None;
            while let Some(b) = loader.next_batch() {
                let target = batch_target(&b);
                g.reset();
                let x = g.input(b.features, &[b.len(), b.feature_len]);
                let y = model.forward(g, x);
                let l = loss.record(g, y, target);
                g.params_mut().zero_grad();
                g.backward(l);
                opt.step(g.params_mut());
                let width = g.shape(y).dims().last().copied().unwrap_or(1);
                if let Some((c, n)) = loss.count_correct(g.value(y), width, target) {
                    let (c0, n0) = correct.unwrap_or((0, 0));
                    correct = Some((c0 + c, n0 + n));
                }
                loss_sum += diffprog_dual::Real::to_f64(g.item(l)) * b.len() as f64;
                seen += b.len();
            }
            let (test_loss, test_accuracy) = match validation {
                Some(t) => {
                    let e = evaluate_with(g, model, t, loss, eval_batch_size);
                    (Some(e.loss), loss.is_classification().then(|| e.accuracy()))
                }
                None => (None, None),
            };
            if let Some(s) = schedule.as_deref_mut() {
                s.step(opt);
            }
            let rec = EpochRecord {
                epoch,
                train_loss: loss_sum / seen.max(1) as f64,
                train_accuracy: correct.map(|(c, n)| c as f64 / n.max(1) as f64),
                test_loss,
                test_accuracy,
            };
            bar.set_message(format!(
                "{} {:.4}{}{}",
                loss.name(),
                rec.train_loss,
                rec.test_loss
                    .map(|l| format!(" val {l:.4}"))
                    .unwrap_or_default(),
                rec.test_accuracy
                    .map(|a| format!(" val acc {:.2}%", 100.0 * a))
                    .unwrap_or_default()
            ));
            bar.inc(1);
            let control = match on_epoch.as_mut() {
                Some(f) => f(&rec, g),
                None => Control::Continue,
            };
            history.push(rec);
            if control == Control::Stop {
                break;
            }
        }
        bar.finish_and_clear();
        history
    }
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

    /// `(epoch, loss)` of the lowest test (validation) loss (the first on ties), if any was
    /// recorded: the usual choice for a regression.
    ///
    /// ```
    /// use diffprog_nn::train::{EpochRecord, History};
    ///
    /// let mut h = History::new();
    /// h.push(EpochRecord { epoch: 1, test_loss: Some(0.5), ..Default::default() });
    /// h.push(EpochRecord { epoch: 2, test_loss: Some(0.2), ..Default::default() });
    /// h.push(EpochRecord { epoch: 3, test_loss: Some(0.3), ..Default::default() });
    /// assert_eq!(h.best_test_loss(), Some((2, 0.2)));
    /// ```
    pub fn best_test_loss(&self) -> Option<(usize, f64)> {
        self.epochs
            .iter()
            .filter_map(|r| r.test_loss.map(|l| (r.epoch, l)))
            .fold(None, |best: Option<(usize, f64)>, (e, l)| match best {
                Some((_, b)) if b <= l || l.is_nan() => best,
                _ => Some((e, l)),
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

//! [`DataLoader`]: batches of a [`Dataset`], optionally shuffled with a seed, reusing its buffers.

use super::Dataset;
use diffprog_dual::Real;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One mini-batch, borrowed from the [`DataLoader`]'s buffers.
///
/// `features` is row-major `len × feature_len`; for a classification set `labels[i]` is the class
/// of row `i`, for a set of float targets `targets` is row-major `len × target_len`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Batch<'a, F = f32> {
    /// Row-major features, `len() × feature_len`.
    pub features: &'a [F],
    /// One label per row (empty for a set of float targets).
    pub labels: &'a [usize],
    /// Row-major float targets, `len() × target_len` (empty for a classification set).
    pub targets: &'a [F],
    /// Numbers per row.
    pub feature_len: usize,
    /// Numbers per target row (0 for a classification set).
    pub target_len: usize,
}

impl<F> Batch<'_, F> {
    /// Number of samples in the batch (the last one of an epoch may be smaller than the batch size).
    pub fn len(&self) -> usize {
        self.features.len() / self.feature_len.max(1)
    }

    /// True for a batch without samples (never yielded by a [`DataLoader`]).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The features of row `i` of the batch.
    pub fn row(&self, i: usize) -> &[F] {
        &self.features[i * self.feature_len..(i + 1) * self.feature_len]
    }
}

/// Cuts a [`Dataset`] into mini-batches, epoch after epoch.
///
/// * `batch_size` samples per batch; the last batch of an epoch holds the remainder unless
///   [`drop_last`](Self::drop_last) is set, in which case a short final batch is skipped.
/// * [`shuffle(seed)`](Self::shuffle) draws a new order at the start of every epoch from a ChaCha8
///   generator seeded once, so a run is reproducible: the same seed gives the same sequence of
///   epochs. Without it the order is the data set's.
/// * [`next_batch`](Self::next_batch) copies the samples into two buffers owned by the loader and
///   lends them out, so after the first batch no allocation happens. It returns `None` once at the
///   end of each epoch; the call after that starts the next epoch. The usual loop is therefore
///
/// ```
/// use diffprog_nn::data::{DataLoader, Dataset};
///
/// let data = Dataset::new((0..20).map(|x| x as f32).collect(), (0..10).map(|i| i % 3).collect(), 2);
/// let mut loader = DataLoader::new(&data, 4).shuffle(42);
/// assert_eq!(loader.batches_per_epoch(), 3); // 4 + 4 + 2
/// for _epoch in 0..2 {
///     let mut seen = 0;
///     while let Some(batch) = loader.next_batch() {
///         assert_eq!(batch.features.len(), batch.len() * 2);
///         seen += batch.len();
///     }
///     assert_eq!(seen, 10);
/// }
/// ```
#[derive(Debug)]
pub struct DataLoader<'a, F: Real = f32> {
    dataset: &'a Dataset<F>,
    batch_size: usize,
    drop_last: bool,
    rng: Option<ChaCha8Rng>,
    order: Vec<usize>,
    /// Position in `order` of the next sample; `None` when the next call must start an epoch.
    pos: Option<usize>,
    epoch: usize,
    features: Vec<F>,
    labels: Vec<usize>,
    targets: Vec<F>,
}

impl<'a, F: Real> DataLoader<'a, F> {
    /// A loader yielding batches of `batch_size` samples in the data set's order.
    ///
    /// # Panics
    /// If `batch_size` is zero.
    pub fn new(dataset: &'a Dataset<F>, batch_size: usize) -> Self {
        assert!(batch_size > 0, "DataLoader: batch_size must be positive");
        DataLoader {
            dataset,
            batch_size,
            drop_last: false,
            rng: None,
            order: (0..dataset.len()).collect(),
            pos: None,
            epoch: 0,
            features: Vec::with_capacity(batch_size * dataset.feature_len()),
            labels: Vec::with_capacity(batch_size),
            targets: Vec::with_capacity(batch_size * dataset.target_len()),
        }
    }

    /// Shuffles the samples at the start of every epoch, reproducibly from `seed`.
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.rng = Some(ChaCha8Rng::seed_from_u64(seed));
        self
    }

    /// Whether to skip the final batch of an epoch when it is shorter than `batch_size`.
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// The data set being batched.
    pub fn dataset(&self) -> &'a Dataset<F> {
        self.dataset
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Number of epochs started so far (0 before the first batch).
    pub fn epochs_started(&self) -> usize {
        self.epoch
    }

    /// Number of batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// Number of samples seen in one epoch (all of them, unless `drop_last` drops a remainder).
    pub fn samples_per_epoch(&self) -> usize {
        if self.drop_last {
            self.dataset.len() / self.batch_size * self.batch_size
        } else {
            self.dataset.len()
        }
    }

    /// Abandons the current epoch: the next call to [`next_batch`](Self::next_batch) starts a new
    /// one (with a fresh shuffle).
    pub fn restart(&mut self) {
        self.pos = None;
    }

    /// The next batch of the current epoch, or `None` at its end (after which the next call starts
    /// a new epoch, reshuffled if [`shuffle`](Self::shuffle) was set). An empty data set yields no
    /// batches.
    pub fn next_batch(&mut self) -> Option<Batch<'_, F>> {
        let pos = match self.pos {
            Some(p) => p,
            None => {
                if let Some(rng) = &mut self.rng {
                    self.order.shuffle(rng);
                }
                self.epoch += 1;
                0
            }
        };
        let n = self.order.len();
        let remaining = n - pos;
        if remaining == 0 || (self.drop_last && remaining < self.batch_size) {
            self.pos = None;
            return None;
        }
        let end = pos + remaining.min(self.batch_size);
        self.features.clear();
        self.labels.clear();
        self.targets.clear();
        let d = self.dataset;
        for &i in &self.order[pos..end] {
            self.features.extend_from_slice(d.row(i));
            if d.is_classification() {
                self.labels.push(d.labels()[i]);
            } else {
                self.targets.extend_from_slice(d.target(i));
            }
        }
        self.pos = Some(end);
        Some(Batch {
            features: &self.features,
            labels: &self.labels,
            targets: &self.targets,
            feature_len: d.feature_len(),
            target_len: d.target_len(),
        })
    }

    /// Runs `f` on every batch of one epoch (starting a new epoch first if one is under way).
    pub fn for_each_batch(&mut self, mut f: impl FnMut(Batch<'_, F>)) {
        self.restart();
        while let Some(b) = self.next_batch() {
            f(b);
        }
    }

    /// The sample indices of the current epoch's order (the data set order until the first shuffle).
    pub fn order(&self) -> &[usize] {
        &self.order
    }
}

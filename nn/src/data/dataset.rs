//! [`Dataset`]: labelled samples held as plain row-major arrays.

use super::classes::Classes;
use super::{DataError, DEFAULT_MAX_CLASSES};
use diffprog_dual::Real;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A data set in memory: `len()` samples of `feature_len()` numbers each, stored row-major in one
/// `Vec`, and for each sample either one class label (a classification set, built by
/// [`new`](Dataset::new)) or `target_len()` numbers (a regression set, or float targets for a
/// binary loss, built by [`with_targets`](Dataset::with_targets)).
///
/// It holds no tensors and knows nothing of the tape: a training loop copies a batch's features
/// into whatever input it needs (see [`DataLoader`](super::DataLoader)). `F` is `f32` (the default)
/// or `f64`; [`convert`](Dataset::convert) switches between them.
///
/// Invariants, checked by every constructor: `features.len() == len() * feature_len()`,
/// `feature_len() > 0`; for a classification set every label is below
/// [`n_classes`](Dataset::n_classes), and
/// `n_classes()` is at most the maximum number of classes in force when the set was built
/// ([`DEFAULT_MAX_CLASSES`] unless raised with [`try_new`](Dataset::try_new)). The labels are
/// judged by the same check as the file readers'. [`new`](Dataset::new) and
/// [`with_classes`](Dataset::with_classes) panic on data that breaks them (they are for data a
/// program builds itself); [`try_new`](Dataset::try_new) returns the error instead.
///
/// ```
/// use diffprog_nn::data::Dataset;
///
/// // Three samples of two features, classes 0 and 1.
/// let d = Dataset::new(vec![0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], vec![0, 1, 1], 2);
/// assert_eq!(d.len(), 3);
/// assert_eq!(d.n_classes(), 2);
/// assert_eq!(d.sample(1), (&[2.0f32, 3.0][..], 1));
///
/// // A reproducible shuffled split: 2 training samples, the rest for testing.
/// let (train, test) = d.split(7, 2);
/// assert_eq!((train.len(), test.len()), (2, 1));
/// ```
///
/// A regression set holds `target_len()` numbers per sample instead of a label; it has no labels
/// and `n_classes()` is 0:
///
/// ```
/// use diffprog_nn::data::Dataset;
///
/// // y = 2x + 1 at three points: one feature, one target each.
/// let d = Dataset::with_targets(vec![0.0f64, 1.0, 2.0], vec![1.0, 3.0, 5.0], 1, 1);
/// assert_eq!((d.len(), d.target_len(), d.n_classes()), (3, 1, 0));
/// assert_eq!(d.target(2), [5.0]);
/// assert!(d.labels().is_empty() && !d.is_classification());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<F: Real = f32> {
    features: Vec<F>,
    labels: Vec<usize>,
    targets: Vec<F>,
    feature_len: usize,
    /// 0 for a classification set.
    target_len: usize,
    n_classes: usize,
}

impl<F: Real> Dataset<F> {
    /// Builds a data set from row-major `features` (`labels.len() × feature_len`) and `labels`;
    /// the number of classes is the largest label plus one.
    ///
    /// # Panics
    /// If `feature_len` is zero, `features.len() != labels.len() * feature_len`, or a label is not
    /// below [`DEFAULT_MAX_CLASSES`]. [`try_new`](Self::try_new) returns these as errors and
    /// takes another maximum.
    pub fn new(features: Vec<F>, labels: Vec<usize>, feature_len: usize) -> Self {
        Self::try_new(features, labels, feature_len, None, DEFAULT_MAX_CLASSES)
            .unwrap_or_else(|e| panic!("Dataset::new: {e} (Dataset::try_new returns a Result)"))
    }

    /// Like [`new`](Self::new) but with the number of classes given, for data sets in which some
    /// class happens not to occur.
    ///
    /// # Panics
    /// As [`new`](Self::new), if a label is `>= n_classes`, and if `n_classes` exceeds
    /// [`DEFAULT_MAX_CLASSES`].
    pub fn with_classes(
        features: Vec<F>,
        labels: Vec<usize>,
        feature_len: usize,
        n_classes: usize,
    ) -> Self {
        Self::try_new(
            features,
            labels,
            feature_len,
            Some(n_classes),
            DEFAULT_MAX_CLASSES,
        )
        .unwrap_or_else(|e| {
            panic!("Dataset::with_classes: {e} (Dataset::try_new returns a Result)")
        })
    }

    /// Builds a data set, checking everything and returning an error rather than panicking.
    ///
    /// `features` is row-major, `labels.len() × feature_len` with `feature_len > 0`
    /// (else [`DataError::BadShape`]). `n_classes` is the number of classes, or `None` for the
    /// largest label plus one. Every label must be below `n_classes` if given, else below
    /// `max_classes`, and a given `n_classes` must not exceed `max_classes`
    /// ([`DataError::LabelOutOfRange`] naming the sample as record `i + 1`, or
    /// [`DataError::TooManyClasses`]). This is the check the file readers apply.
    ///
    /// ```
    /// use diffprog_nn::data::{DataError, Dataset, DEFAULT_MAX_CLASSES};
    ///
    /// let d = Dataset::try_new(vec![0.5f32, 1.5], vec![2, 0], 1, None, DEFAULT_MAX_CLASSES).unwrap();
    /// assert_eq!(d.n_classes(), 3);
    ///
    /// // One stray label would mean 4 294 967 297 classes: refused.
    /// let err = Dataset::try_new(vec![0.5f32], vec![1 << 32], 1, None, DEFAULT_MAX_CLASSES);
    /// assert!(matches!(err, Err(DataError::LabelOutOfRange { line: 1, limit: 65536, .. })));
    /// // ... unless the maximum is raised on purpose.
    /// let d = Dataset::try_new(vec![0.5f32], vec![1 << 20], 1, None, 1 << 21).unwrap();
    /// assert_eq!(d.n_classes(), (1 << 20) + 1);
    /// ```
    pub fn try_new(
        features: Vec<F>,
        labels: Vec<usize>,
        feature_len: usize,
        n_classes: Option<usize>,
        max_classes: usize,
    ) -> Result<Self, DataError> {
        if feature_len == 0 {
            return Err(DataError::BadShape(
                "feature_len must be positive (each sample needs at least one feature)".to_string(),
            ));
        }
        if labels.len().checked_mul(feature_len) != Some(features.len()) {
            return Err(DataError::BadShape(format!(
                "features.len() ({}) must equal labels.len() ({}) × feature_len ({}); \
                 features are row-major, one row per label",
                features.len(),
                labels.len(),
                feature_len
            )));
        }
        let n_classes = Classes::new(n_classes, max_classes)?.check_all(&labels)?;
        Ok(Dataset {
            features,
            labels,
            targets: Vec::new(),
            feature_len,
            target_len: 0,
            n_classes,
        })
    }

    /// A regression data set (or float targets for a binary loss): row-major `features`
    /// (`n × feature_len`) and row-major `targets` (`n × target_len`), for the same `n`.
    ///
    /// # Panics
    /// If `feature_len` or `target_len` is zero or the lengths do not describe the same number of
    /// samples; [`try_with_targets`](Self::try_with_targets) returns these as errors.
    pub fn with_targets(
        features: Vec<F>,
        targets: Vec<F>,
        feature_len: usize,
        target_len: usize,
    ) -> Self {
        Self::try_with_targets(features, targets, feature_len, target_len).unwrap_or_else(|e| {
            panic!("Dataset::with_targets: {e} (Dataset::try_with_targets returns a Result)")
        })
    }

    /// Like [`with_targets`](Self::with_targets), returning [`DataError::BadShape`] instead of
    /// panicking.
    ///
    /// ```
    /// use diffprog_nn::data::{DataError, Dataset};
    ///
    /// // Two samples of features but three targets.
    /// let err = Dataset::try_with_targets(vec![1.0f32, 2.0], vec![1.0, 2.0, 3.0], 1, 1);
    /// assert!(matches!(err, Err(DataError::BadShape(_))));
    /// ```
    pub fn try_with_targets(
        features: Vec<F>,
        targets: Vec<F>,
        feature_len: usize,
        target_len: usize,
    ) -> Result<Self, DataError> {
        if feature_len == 0 || target_len == 0 {
            return Err(DataError::BadShape(format!(
                "feature_len ({feature_len}) and target_len ({target_len}) must be positive"
            )));
        }
        let n = features.len() / feature_len;
        if !features.len().is_multiple_of(feature_len)
            || n.checked_mul(target_len) != Some(targets.len())
        {
            return Err(DataError::BadShape(format!(
                "features.len() ({}) / feature_len ({feature_len}) and targets.len() ({}) / \
                 target_len ({target_len}) must be the same whole number of samples",
                features.len(),
                targets.len()
            )));
        }
        Ok(Dataset {
            features,
            labels: Vec::new(),
            targets,
            feature_len,
            target_len,
            n_classes: 0,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.features.len() / self.feature_len
    }

    /// True if there are no samples.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// True for a classification set (one label per sample), false for a set of float targets.
    pub fn is_classification(&self) -> bool {
        self.target_len == 0
    }

    /// Numbers per target of a set built by [`with_targets`](Self::with_targets); 0 for a
    /// classification set.
    pub fn target_len(&self) -> usize {
        self.target_len
    }

    /// All float targets, row-major `len() × target_len()` (empty for a classification set).
    pub fn targets(&self) -> &[F] {
        &self.targets
    }

    /// The float targets of sample `i` (empty for a classification set).
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn target(&self, i: usize) -> &[F] {
        assert!(
            i < self.len(),
            "Dataset::target: index {i} out of range for {} samples",
            self.len()
        );
        &self.targets[i * self.target_len..(i + 1) * self.target_len]
    }

    /// Numbers per sample (64 for the 8×8 digits, 784 for MNIST).
    pub fn feature_len(&self) -> usize {
        self.feature_len
    }

    /// Number of classes: labels are in `0..n_classes()` (0 for a set of float targets).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// All features, row-major: sample `i` is `features()[i * feature_len() .. (i + 1) * feature_len()]`.
    pub fn features(&self) -> &[F] {
        &self.features
    }

    /// Mutable access to the features (e.g. to normalise them in place); the shape cannot change.
    pub fn features_mut(&mut self) -> &mut [F] {
        &mut self.features
    }

    /// All labels, one per sample (empty for a set of float targets).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The features of sample `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn row(&self, i: usize) -> &[F] {
        assert!(
            i < self.len(),
            "Dataset::row: index {i} out of range for {} samples",
            self.len()
        );
        &self.features[i * self.feature_len..(i + 1) * self.feature_len]
    }

    /// Features and label of sample `i`.
    ///
    /// # Panics
    /// If `i >= len()`, or for a set of float targets (use [`row`](Self::row) and
    /// [`target`](Self::target)).
    pub fn sample(&self, i: usize) -> (&[F], usize) {
        assert!(
            self.is_classification(),
            "Dataset::sample: this data set has float targets, not labels; use row(i) and target(i)"
        );
        (self.row(i), self.labels[i])
    }

    /// Takes the data set apart: `(features, labels, feature_len, n_classes)` (the float targets
    /// of a regression set are dropped: read them with [`targets`](Self::targets) first).
    pub fn into_parts(self) -> (Vec<F>, Vec<usize>, usize, usize) {
        (self.features, self.labels, self.feature_len, self.n_classes)
    }

    /// The samples at `indices`, in that order (repetitions allowed), keeping `n_classes`.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn subset(&self, indices: &[usize]) -> Self {
        let mut features = Vec::with_capacity(indices.len() * self.feature_len);
        let mut labels = Vec::new();
        let mut targets = Vec::new();
        for &i in indices {
            features.extend_from_slice(self.row(i));
            if self.is_classification() {
                labels.push(self.labels[i]);
            } else {
                targets.extend_from_slice(self.target(i));
            }
        }
        Dataset {
            features,
            labels,
            targets,
            feature_len: self.feature_len,
            target_len: self.target_len,
            n_classes: self.n_classes,
        }
    }

    /// Splits into `(train, test)` after a seeded shuffle: `n_train` samples go to `train`, the
    /// remaining `len() - n_train` to `test`. The same seed always gives the same split. Both parts
    /// keep this set's `n_classes`.
    ///
    /// # Panics
    /// If `n_train > len()`.
    pub fn split(&self, seed: u64, n_train: usize) -> (Self, Self) {
        assert!(
            n_train <= self.len(),
            "Dataset::split: n_train ({n_train}) exceeds the number of samples ({})",
            self.len()
        );
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (a, b) = order.split_at(n_train);
        (self.subset(a), self.subset(b))
    }

    /// Splits with a fraction: `train` gets `round(fraction × len())` samples (see [`split`](Self::split)).
    ///
    /// # Panics
    /// If `fraction` is not in `[0, 1]`.
    pub fn split_fraction(&self, seed: u64, fraction: f64) -> (Self, Self) {
        assert!(
            (0.0..=1.0).contains(&fraction),
            "Dataset::split_fraction: fraction {fraction} must be in [0, 1]"
        );
        let n_train = ((self.len() as f64) * fraction).round() as usize;
        self.split(seed, n_train.min(self.len()))
    }

    /// The same data with features (and float targets) converted to another float type.
    pub fn convert<G: Real>(&self) -> Dataset<G> {
        let cv = |v: &[F]| v.iter().map(|&x| G::from_f64(x.to_f64())).collect();
        Dataset {
            features: cv(&self.features),
            labels: self.labels.clone(),
            targets: cv(&self.targets),
            feature_len: self.feature_len,
            target_len: self.target_len,
            n_classes: self.n_classes,
        }
    }

    /// Multiplies every feature by `factor` (e.g. `1/255` for raw MNIST pixels).
    pub fn scale(&mut self, factor: F) {
        for x in &mut self.features {
            *x *= factor;
        }
    }

    /// The labels as one-hot rows, row-major `len() × n_classes()`.
    ///
    /// Its size is bounded by the class check every constructor applies: `n_classes()` is at
    /// most the maximum number of classes in force when the set was built.
    ///
    /// # Panics
    /// If `len() × n_classes()` overflows `usize` (only possible with a maximum raised that far).
    pub fn one_hot(&self) -> Vec<F> {
        let size = self.len().checked_mul(self.n_classes).unwrap_or_else(|| {
            panic!(
                "Dataset::one_hot: {} samples × {} classes overflows usize",
                self.len(),
                self.n_classes
            )
        });
        let mut out = vec![F::zero(); size];
        for (i, &l) in self.labels.iter().enumerate() {
            out[i * self.n_classes + l] = F::one();
        }
        out
    }

    /// How many samples each class has (`n_classes()` entries).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes];
        for &l in &self.labels {
            counts[l] += 1;
        }
        counts
    }
}

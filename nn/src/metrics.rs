//! Classification metrics on plain arrays.
//!
//! Everything takes slices: class predictions as `&[usize]`, network outputs as row-major logits
//! `&[F]` (`n_samples × n_classes`, `F` = `f32` or `f64`; any monotone transformation such as
//! probabilities works the same), true labels as `&[usize]`.
//!
//! * [`argmax`], [`predictions`]: the predicted class of each row (ties go to the lowest index;
//!   NaN scores never win unless a row is all NaN).
//! * [`accuracy`], [`accuracy_from_logits`], [`count_correct`] (to sum over batches),
//!   [`top_k_accuracy`], [`per_class_accuracy`].
//! * [`ConfusionMatrix`]: counts of (true, predicted) pairs, with accuracy, per-class recall and
//!   precision, and a readable [`Display`](std::fmt::Display) table.
//! * [`RunningMean`]: a sample-weighted mean to average batch losses over an epoch.
//! * [`History`] / [`EpochRecord`] (defined in [`train`](crate::train), re-exported here): what
//!   the training loop fills, epoch by epoch, for
//!   [`plot_training_curves`](crate::plot::plot_training_curves) or JSON.
//!
//! Mismatched lengths panic with a message naming both lengths (they are programming errors, not
//! data errors).
//!
//! ```
//! use diffprog_nn::metrics::{accuracy_from_logits, top_k_accuracy, ConfusionMatrix};
//!
//! // Three samples, three classes.
//! let logits = [2.0f32, 1.0, 0.0, /**/ 0.0, 1.0, 3.0, /**/ 1.0, 0.5, 0.0];
//! let labels = [0, 2, 1];
//! assert_eq!(accuracy_from_logits(&logits, 3, &labels), 2.0 / 3.0);
//! assert_eq!(top_k_accuracy(&logits, 3, &labels, 2), 1.0);
//! let cm = ConfusionMatrix::from_logits(&logits, 3, &labels);
//! assert_eq!(cm.get(1, 0), 1); // one true 1 predicted as 0
//! ```

pub use crate::train::{EpochRecord, History};

use diffprog_dual::Real;
use serde::{Deserialize, Serialize};
use std::fmt;

fn check_logits<F>(logits: &[F], n_classes: usize, n_labels: usize, what: &str) {
    assert!(n_classes > 0, "{what}: n_classes must be positive");
    assert_eq!(
        logits.len(),
        n_labels * n_classes,
        "{what}: logits.len() ({}) must equal labels.len() ({n_labels}) × n_classes ({n_classes}); \
         logits are row-major, one row per sample",
        logits.len()
    );
}

/// Index of the largest entry of `row` (the first one on ties; NaN never wins unless all are NaN,
/// then 0).
///
/// # Panics
/// If `row` is empty.
pub fn argmax<F: Real>(row: &[F]) -> usize {
    assert!(!row.is_empty(), "argmax: empty row");
    let mut best = 0;
    for (i, &x) in row.iter().enumerate().skip(1) {
        if x > row[best] || (row[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best
}

/// The predicted class ([`argmax`]) of every row of the row-major `logits` (`n × n_classes`).
///
/// # Panics
/// If `n_classes` is zero or does not divide `logits.len()`.
pub fn predictions<F: Real>(logits: &[F], n_classes: usize) -> Vec<usize> {
    assert!(n_classes > 0, "predictions: n_classes must be positive");
    assert_eq!(
        logits.len() % n_classes,
        0,
        "predictions: logits.len() ({}) is not a multiple of n_classes ({n_classes})",
        logits.len()
    );
    logits.chunks_exact(n_classes).map(argmax).collect()
}

/// Fraction of `predicted` equal to `labels` (0 for empty input).
///
/// # Panics
/// If the lengths differ.
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f64 {
    assert_eq!(
        predicted.len(),
        labels.len(),
        "accuracy: predicted.len() ({}) != labels.len() ({})",
        predicted.len(),
        labels.len()
    );
    if labels.is_empty() {
        return 0.0;
    }
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    correct as f64 / labels.len() as f64
}

/// Accuracy of the argmax of each row of `logits` (`labels.len() × n_classes`, row-major).
///
/// # Panics
/// If `logits.len() != labels.len() * n_classes`.
pub fn accuracy_from_logits<F: Real>(logits: &[F], n_classes: usize, labels: &[usize]) -> f64 {
    check_logits(logits, n_classes, labels.len(), "accuracy_from_logits");
    accuracy(&predictions(logits, n_classes), labels)
}

/// Number of rows of `logits` (`labels.len() × n_classes`, row-major) whose [`argmax`] equals
/// the label: sum it over batches and divide by the sample count for an epoch's accuracy.
///
/// # Panics
/// If `logits.len() != labels.len() * n_classes`.
pub fn count_correct<F: Real>(logits: &[F], n_classes: usize, labels: &[usize]) -> usize {
    check_logits(logits, n_classes, labels.len(), "count_correct");
    logits
        .chunks_exact(n_classes)
        .zip(labels)
        .filter(|&(row, &l)| argmax(row) == l)
        .count()
}

/// Fraction of samples whose true class is among the `k` highest scores of its row.
///
/// Ties are counted in the sample's favour: the sample counts as correct when fewer than `k`
/// classes score strictly higher than the true class. A NaN score for the true class is never
/// correct. `k >= n_classes` gives 1 (for rows without NaN). Empty input gives 0.
///
/// # Panics
/// If `k` is zero, a label is `>= n_classes`, or `logits.len() != labels.len() * n_classes`.
pub fn top_k_accuracy<F: Real>(logits: &[F], n_classes: usize, labels: &[usize], k: usize) -> f64 {
    check_logits(logits, n_classes, labels.len(), "top_k_accuracy");
    assert!(k > 0, "top_k_accuracy: k must be at least 1");
    if labels.is_empty() {
        return 0.0;
    }
    let mut correct = 0usize;
    for (row, &label) in logits.chunks_exact(n_classes).zip(labels) {
        assert!(
            label < n_classes,
            "top_k_accuracy: label {label} is not below n_classes ({n_classes})"
        );
        let t = row[label];
        if t.is_nan() {
            continue;
        }
        let higher = row.iter().filter(|&&x| x > t).count();
        if higher < k {
            correct += 1;
        }
    }
    correct as f64 / labels.len() as f64
}

/// Accuracy within each class: entry `c` is the fraction of samples of true class `c` predicted
/// as `c` (the recall of `c`), or `None` if class `c` has no samples.
///
/// # Panics
/// If the lengths differ or a label or prediction is `>= n_classes`.
pub fn per_class_accuracy(
    predicted: &[usize],
    labels: &[usize],
    n_classes: usize,
) -> Vec<Option<f64>> {
    ConfusionMatrix::from_predictions(predicted, labels, n_classes).per_class_accuracy()
}

/// Counts of (true class, predicted class) pairs.
///
/// Row = true class, column = predicted class. [`Display`](fmt::Display) prints the table with
/// per-class recall:
///
/// ```
/// use diffprog_nn::metrics::ConfusionMatrix;
///
/// let cm = ConfusionMatrix::from_predictions(&[0, 1, 1, 1], &[0, 1, 0, 1], 2);
/// assert_eq!(cm.total(), 4);
/// assert_eq!(cm.accuracy(), 0.75);
/// assert_eq!(cm.per_class_accuracy(), [Some(0.5), Some(1.0)]);
/// assert_eq!(cm.precision(1), Some(2.0 / 3.0));
/// print!("{cm}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    n_classes: usize,
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// An all-zero matrix for `n_classes` classes.
    pub fn new(n_classes: usize) -> Self {
        ConfusionMatrix {
            n_classes,
            counts: vec![0; n_classes * n_classes],
        }
    }

    /// Counts every (label, prediction) pair.
    ///
    /// # Panics
    /// If the lengths differ or a class is `>= n_classes`.
    pub fn from_predictions(predicted: &[usize], labels: &[usize], n_classes: usize) -> Self {
        assert_eq!(
            predicted.len(),
            labels.len(),
            "ConfusionMatrix: predicted.len() ({}) != labels.len() ({})",
            predicted.len(),
            labels.len()
        );
        let mut cm = Self::new(n_classes);
        for (&p, &l) in predicted.iter().zip(labels) {
            cm.add(l, p);
        }
        cm
    }

    /// From row-major logits (`labels.len() × n_classes`), predicting each row's [`argmax`].
    pub fn from_logits<F: Real>(logits: &[F], n_classes: usize, labels: &[usize]) -> Self {
        check_logits(
            logits,
            n_classes,
            labels.len(),
            "ConfusionMatrix::from_logits",
        );
        Self::from_predictions(&predictions(logits, n_classes), labels, n_classes)
    }

    /// Records a batch of row-major logits (`labels.len() × n_classes`), predicting each row's
    /// [`argmax`].
    ///
    /// # Panics
    /// If the lengths do not match or a label is out of range.
    pub fn add_logits<F: Real>(&mut self, logits: &[F], labels: &[usize]) {
        check_logits(
            logits,
            self.n_classes,
            labels.len(),
            "ConfusionMatrix::add_logits",
        );
        for (row, &l) in logits.chunks_exact(self.n_classes).zip(labels) {
            self.add(l, argmax(row));
        }
    }

    /// Records one sample of true class `label` predicted as `predicted`.
    ///
    /// # Panics
    /// If either is `>= n_classes`.
    pub fn add(&mut self, label: usize, predicted: usize) {
        assert!(
            label < self.n_classes && predicted < self.n_classes,
            "ConfusionMatrix::add: label {label} or prediction {predicted} is not below n_classes ({})",
            self.n_classes
        );
        self.counts[label * self.n_classes + predicted] += 1;
    }

    /// Adds another matrix's counts (e.g. from another batch).
    ///
    /// # Panics
    /// If the class counts differ.
    pub fn merge(&mut self, other: &ConfusionMatrix) {
        assert_eq!(
            self.n_classes, other.n_classes,
            "ConfusionMatrix::merge: {} classes vs {}",
            self.n_classes, other.n_classes
        );
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Samples of true class `label` predicted as `predicted`.
    pub fn get(&self, label: usize, predicted: usize) -> usize {
        assert!(
            label < self.n_classes && predicted < self.n_classes,
            "ConfusionMatrix::get: ({label}, {predicted}) out of range for {} classes",
            self.n_classes
        );
        self.counts[label * self.n_classes + predicted]
    }

    /// The counts, row-major (`row = true class`).
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// Total number of samples.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Fraction on the diagonal (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        let diag: usize = (0..self.n_classes).map(|c| self.get(c, c)).sum();
        diag as f64 / total as f64
    }

    /// Recall of each class (correct / samples of that class), `None` for absent classes.
    pub fn per_class_accuracy(&self) -> Vec<Option<f64>> {
        (0..self.n_classes)
            .map(|c| {
                let row: usize = self.counts[c * self.n_classes..(c + 1) * self.n_classes]
                    .iter()
                    .sum();
                (row > 0).then(|| self.get(c, c) as f64 / row as f64)
            })
            .collect()
    }

    /// Precision of class `c` (correct / predicted as `c`), `None` if nothing was predicted as `c`.
    pub fn precision(&self, c: usize) -> Option<f64> {
        let col: usize = (0..self.n_classes).map(|l| self.get(l, c)).sum();
        (col > 0).then(|| self.get(c, c) as f64 / col as f64)
    }
}

impl fmt::Display for ConfusionMatrix {
    /// A table: one row per true class, one column per predicted class, then the row's recall.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.n_classes;
        let width = self
            .counts
            .iter()
            .map(|c| c.to_string().len())
            .chain([n.saturating_sub(1).to_string().len(), 3])
            .max()
            .unwrap_or(3);
        let label_w = "true\\pred".len();
        write!(f, "{:>label_w$}", "true\\pred")?;
        for p in 0..n {
            write!(f, " {p:>width$}")?;
        }
        writeln!(f, "  recall")?;
        let recall = self.per_class_accuracy();
        for (t, r) in recall.iter().enumerate() {
            write!(f, "{t:>label_w$}")?;
            for p in 0..n {
                write!(f, " {:>width$}", self.get(t, p))?;
            }
            match r {
                Some(r) => writeln!(f, "  {:5.1}%", 100.0 * r)?,
                None => writeln!(f, "       -")?,
            }
        }
        writeln!(
            f,
            "accuracy {:.2}% of {} samples",
            100.0 * self.accuracy(),
            self.total()
        )
    }
}

/// A weighted running mean, e.g. of batch losses weighted by batch size.
///
/// ```
/// use diffprog_nn::metrics::RunningMean;
///
/// let mut m = RunningMean::default();
/// m.add(1.0, 3); // a batch of 3 with mean loss 1
/// m.add(3.0, 1); // a batch of 1 with loss 3
/// assert_eq!(m.mean(), Some(1.5));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunningMean {
    sum: f64,
    weight: usize,
}

impl RunningMean {
    /// Adds `value` (the mean over `weight` samples).
    pub fn add(&mut self, value: f64, weight: usize) {
        self.sum += value * weight as f64;
        self.weight += weight;
    }

    /// The mean so far, `None` before anything was added.
    pub fn mean(&self) -> Option<f64> {
        (self.weight > 0).then(|| self.sum / self.weight as f64)
    }

    /// Total weight added.
    pub fn count(&self) -> usize {
        self.weight
    }
}

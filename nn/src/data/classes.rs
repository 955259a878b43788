//! The one check every class label passes, wherever it comes from: [`DEFAULT_MAX_CLASSES`] and
//! the crate-internal [`Classes`].

use super::DataError;

/// How many classes a data set may have unless told otherwise: 65 536.
///
/// Every class costs memory wherever something is kept per class: a one-hot row per sample
/// ([`Dataset::one_hot`](super::Dataset::one_hot)), a count per class
/// ([`Dataset::class_counts`](super::Dataset::class_counts)), an output per class in a
/// classifier. A label read from a file is a single number and easily wrong; without a bound, one
/// stray `4294967296` asks for four billion classes. Data with more classes raises the bound:
/// [`CsvOptions::max_classes`](super::CsvOptions::max_classes) for the CSV reader, the
/// `max_classes` argument of [`Dataset::try_new`](super::Dataset::try_new) in memory.
pub const DEFAULT_MAX_CLASSES: usize = 1 << 16;

/// Which bound a label broke: see [`DataError::LabelOutOfRange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelBound {
    /// The number of classes the caller declared (e.g. [`CsvOptions::n_classes`](super::CsvOptions::n_classes)).
    NClasses,
    /// The maximum number of classes, which applies when none is declared
    /// ([`DEFAULT_MAX_CLASSES`] unless raised).
    MaxClasses,
}

/// The class rule of one data set: labels are below the declared number of classes if there is
/// one, else below the maximum; a declared number above the maximum is refused outright.
///
/// Every path that puts labels into a [`Dataset`](super::Dataset) — the CSV reader, MNIST's
/// [`mnist_dataset`](super::mnist_dataset), and [`Dataset::try_new`](super::Dataset::try_new)
/// behind the panicking constructors — goes through [`check`](Self::check), so a label is judged
/// the same way wherever it comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Classes {
    declared: Option<usize>,
    max: usize,
}

impl Classes {
    /// The rule for `declared` classes (or as many as the labels need) and at most `max`.
    pub(crate) fn new(declared: Option<usize>, max: usize) -> Result<Self, DataError> {
        match declared {
            Some(n) if n > max => Err(DataError::TooManyClasses {
                n_classes: n,
                max_classes: max,
            }),
            _ => Ok(Classes { declared, max }),
        }
    }

    /// The label check: `label` (of 1-based record `line`, written as `text()`) as an index, or
    /// the error naming the record, the label and the bound it breaks.
    pub(crate) fn check(
        &self,
        line: usize,
        label: u64,
        text: impl FnOnce() -> String,
    ) -> Result<usize, DataError> {
        let (limit, bound) = match self.declared {
            Some(n) => (n, LabelBound::NClasses),
            None => (self.max, LabelBound::MaxClasses),
        };
        match usize::try_from(label) {
            Ok(l) if l < limit => Ok(l),
            _ => Err(DataError::LabelOutOfRange {
                line,
                text: text(),
                limit,
                bound,
            }),
        }
    }

    /// The number of classes of a data set whose largest checked label is `largest`: the declared
    /// number, else `largest + 1` (which cannot overflow: `largest < max`).
    pub(crate) fn count(&self, largest: Option<usize>) -> usize {
        self.declared
            .unwrap_or_else(|| largest.map_or(0, |m| m + 1))
    }

    /// Checks every label (record numbers from 1) and returns the number of classes.
    pub(crate) fn check_all(&self, labels: &[usize]) -> Result<usize, DataError> {
        let mut largest = None;
        for (i, &l) in labels.iter().enumerate() {
            let l = self.check(i + 1, u64::try_from(l).unwrap_or(u64::MAX), || {
                l.to_string()
            })?;
            largest = largest.max(Some(l));
        }
        Ok(self.count(largest))
    }
}

//! [`Standardizer`]: per-feature centring and scaling, fitted on one set and applied to others.

use super::{DataError, Dataset};
use diffprog_dual::Real;

/// Per-feature mean and standard deviation, to map features to mean 0 and variance 1.
///
/// Fit it on the training set only and apply the same transformation to the test set, so no
/// information leaks from the test data. Features that are constant in the fitting set (standard
/// deviation 0, like the always-blank corner pixels of the digits) are only centred. Save it with
/// the model ([`Sequential::save`](crate::layers::Sequential::save),
/// [`Checkpoint::set_standardizer`](crate::checkpoint::Checkpoint::set_standardizer)) so that the
/// loaded model applies it to raw inputs by itself.
///
/// ```
/// use diffprog_nn::data::{Dataset, Standardizer};
///
/// let mut train = Dataset::new(vec![1.0f64, 10.0, 3.0, 10.0], vec![0, 1], 2);
/// let s = Standardizer::fit(&train);
/// assert_eq!(s.mean(), [2.0, 10.0]);
/// s.apply(&mut train);
/// assert_eq!(train.features(), [-1.0, 0.0, 1.0, 0.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<F: Real = f32> {
    mean: Vec<F>,
    std: Vec<F>,
}

impl<F: Real> Standardizer<F> {
    /// The mean and (population) standard deviation of every feature of `data`, accumulated in
    /// `f64`. An empty data set gives mean 0 and standard deviation 0 (the identity map).
    pub fn fit(data: &Dataset<F>) -> Self {
        let d = data.feature_len();
        let n = data.len();
        let mut sum = vec![0.0f64; d];
        for row in data.features().chunks_exact(d) {
            for (s, &x) in sum.iter_mut().zip(row) {
                *s += x.to_f64();
            }
        }
        let mean: Vec<f64> = sum
            .iter()
            .map(|s| if n > 0 { s / n as f64 } else { 0.0 })
            .collect();
        let mut var = vec![0.0f64; d];
        for row in data.features().chunks_exact(d) {
            for ((v, &x), m) in var.iter_mut().zip(row).zip(&mean) {
                let e = x.to_f64() - m;
                *v += e * e;
            }
        }
        Standardizer {
            mean: mean.iter().map(|&m| F::from_f64(m)).collect(),
            std: var
                .iter()
                .map(|&v| F::from_f64(if n > 0 { (v / n as f64).sqrt() } else { 0.0 }))
                .collect(),
        }
    }

    /// Per-feature means.
    pub fn mean(&self) -> &[F] {
        &self.mean
    }

    /// Per-feature standard deviations.
    pub fn std(&self) -> &[F] {
        &self.std
    }

    /// Number of features it was fitted on.
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// A standardizer from its per-feature means and standard deviations (e.g. read back from a
    /// checkpoint, see [`Checkpoint::set_standardizer`](crate::checkpoint::Checkpoint::set_standardizer)).
    ///
    /// Refused with [`DataError::BadShape`] if the two lengths differ or a standard deviation is
    /// negative (a NaN one, as [`fit`](Self::fit) gives for a feature with a NaN value, only
    /// centres that feature, like 0).
    ///
    /// ```
    /// use diffprog_nn::data::Standardizer;
    ///
    /// let s = Standardizer::from_parts(vec![1.0f32, 2.0], vec![2.0, 0.0]).unwrap();
    /// let mut row = [3.0f32, 5.0];
    /// s.apply_rows(&mut row);
    /// assert_eq!(row, [1.0, 3.0]);
    /// assert!(Standardizer::from_parts(vec![0.0f32], vec![-1.0]).is_err());
    /// ```
    pub fn from_parts(mean: Vec<F>, std: Vec<F>) -> Result<Self, DataError> {
        if mean.len() != std.len() {
            return Err(DataError::BadShape(format!(
                "Standardizer: {} means but {} standard deviations",
                mean.len(),
                std.len()
            )));
        }
        if let Some(i) = std.iter().position(|&s| s < F::zero()) {
            return Err(DataError::BadShape(format!(
                "Standardizer: the standard deviation of feature {i} is negative ({})",
                std[i].to_f64()
            )));
        }
        Ok(Standardizer { mean, std })
    }

    /// Replaces every feature `x` by `(x - mean) / std` (or `x - mean` where `std` is 0).
    ///
    /// # Panics
    /// If `data.feature_len()` differs from the fitted set's.
    pub fn apply(&self, data: &mut Dataset<F>) {
        assert_eq!(
            data.feature_len(),
            self.mean.len(),
            "Standardizer::apply: the data has {} features but the standardizer was fitted on {}",
            data.feature_len(),
            self.mean.len()
        );
        self.apply_rows(data.features_mut());
    }

    /// [`apply`](Self::apply) on raw row-major features (`n × n_features()`), e.g. new inputs to
    /// predict on.
    ///
    /// # Panics
    /// If `features.len()` is not a multiple of [`n_features`](Self::n_features).
    pub fn apply_rows(&self, features: &mut [F]) {
        let d = self.mean.len();
        assert!(
            (d == 0 && features.is_empty()) || (d > 0 && features.len().is_multiple_of(d)),
            "Standardizer::apply_rows: {} values are not whole rows of the {d} features it was fitted on",
            features.len()
        );
        if d == 0 {
            return;
        }
        for row in features.chunks_exact_mut(d) {
            for ((x, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x -= m;
                if s > F::zero() {
                    *x /= s;
                }
            }
        }
    }
}

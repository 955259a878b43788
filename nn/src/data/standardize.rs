//! [`Standardizer`]: per-feature centring and scaling, fitted on one set and applied to others.

use super::Dataset;
use diffprog_dual::Real;

/// Per-feature mean and standard deviation, to map features to mean 0 and variance 1.
///
/// Fit it on the training set only and apply the same transformation to the test set, so no
/// information leaks from the test data. Features that are constant in the fitting set (standard
/// deviation 0, like the always-blank corner pixels of the digits) are only centred.
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
        let d = self.mean.len();
        for row in data.features_mut().chunks_exact_mut(d) {
            for ((x, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x -= m;
                if s > F::zero() {
                    *x /= s;
                }
            }
        }
    }
}

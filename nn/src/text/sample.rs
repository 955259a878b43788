//! Sampling a token from logits with a temperature.

use crate::Element;
use rand::Rng;

/// Draws an index from `softmax(logits / temperature)` (computed in `f64`, shifted by the
/// maximum so that no exponential overflows). Low temperatures sharpen the distribution towards
/// the most likely token, high ones flatten it.
///
/// ```
/// use diffprog_nn::text::sample_with_temperature;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let logits = [0.0f32, 5.0, 1.0];
/// // at a low temperature the most likely token is (all but) certain
/// assert!((0..100).all(|_| sample_with_temperature(&logits, 0.05, &mut rng) == 1));
/// ```
///
/// # Panics
/// If `logits` is empty, the temperature is not positive and finite, or a logit is NaN.
pub fn sample_with_temperature<F: Element>(
    logits: &[F],
    temperature: f64,
    rng: &mut impl Rng,
) -> usize {
    assert!(!logits.is_empty(), "sample_with_temperature: no logits");
    assert!(
        temperature > 0.0 && temperature.is_finite(),
        "sample_with_temperature: the temperature must be positive and finite, got {temperature}"
    );
    assert!(
        logits.iter().all(|l| !l.is_nan()),
        "sample_with_temperature: a logit is NaN"
    );
    let z: Vec<f64> = logits
        .iter()
        .map(|&l| diffprog_dual::Real::to_f64(l) / temperature)
        .collect();
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // the maximum's weight is 1 also when it is infinite (then the others' are 0, or all are
    // equal when every logit is −∞)
    let w: Vec<f64> = z
        .iter()
        .map(|&v| if v == max { 1.0 } else { (v - max).exp() })
        .collect();
    let total: f64 = w.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, &p) in w.iter().enumerate() {
        if u < p {
            return i;
        }
        u -= p;
    }
    // rounding left u ≥ the last weight: the last token with positive weight
    w.iter().rposition(|&p| p > 0.0).unwrap_or(0)
}

//! Shared by the profiling programs (`src/bin/prof-*.rs`, `tape-interpreter-bound`): the point
//! they differentiate at and a timing loop that interleaves two measurements, so that a noisy
//! neighbour on a shared machine slows both alike. What they measured is in `PERFORMANCE.md`.

use std::time::Instant;

/// The point of the profiling programs: `xᵢ = 0.5 + 0.01·(i mod 7)`, n inputs.
pub fn point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 + 0.01 * (i % 7) as f64).collect()
}

/// The best time per call, in seconds, of `a` and of `b` over 15 interleaved rounds (`reps_a`
/// calls of `a`, then `reps_b` calls of `b`, per round), and the sum of their results (print it,
/// so that no call is optimised away).
pub fn best_of_interleaved(
    reps_a: usize,
    mut a: impl FnMut() -> f64,
    reps_b: usize,
    mut b: impl FnMut() -> f64,
) -> (f64, f64, f64) {
    let (mut ta, mut tb, mut acc) = (f64::INFINITY, f64::INFINITY, 0.0);
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..reps_a {
            acc += a();
        }
        ta = ta.min(t.elapsed().as_secs_f64() / reps_a as f64);
        let t = Instant::now();
        for _ in 0..reps_b {
            acc += b();
        }
        tb = tb.min(t.elapsed().as_secs_f64() / reps_b as f64);
    }
    (ta, tb, acc)
}

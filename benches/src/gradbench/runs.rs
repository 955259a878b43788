//! The `min_runs` / `min_seconds` loop: one timing per run, covering only the computation.

use serde_json::Value;
use std::time::{Duration, Instant};

/// How often to run a function: at least `min_runs` times **and** until `min_seconds` have
/// passed, whichever is longer (GradBench's rule; the reference C++ and Python harnesses loop
/// `while runs < min_runs || elapsed < min_seconds`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Runs {
    /// The least number of runs.
    pub min_runs: u64,
    /// The least total time of the runs, in seconds.
    pub min_seconds: f64,
}

impl Default for Runs {
    /// One run, no minimum time: what an input without the fields (hello's bare number) asks.
    fn default() -> Self {
        Runs {
            min_runs: 1,
            min_seconds: 0.0,
        }
    }
}

impl Runs {
    /// Reads `min_runs` and `min_seconds` from an eval's input object. Missing fields keep the
    /// defaults (one run, no minimum time); both accept integers and floats (`min_seconds`
    /// arrives as `1` at the evals' default sizes and as `0.1` when given on their command line).
    pub fn from_input(input: &Value) -> Result<Runs, String> {
        let mut runs = Runs::default();
        let Some(object) = input.as_object() else {
            return Ok(runs);
        };
        if let Some(v) = object.get("min_runs") {
            let r = v
                .as_f64()
                .filter(|r| r.is_finite() && *r >= 0.0 && r.fract() == 0.0)
                .ok_or_else(|| format!("min_runs must be a non-negative integer, got {v}"))?;
            runs.min_runs = r as u64;
        }
        if let Some(v) = object.get("min_seconds") {
            runs.min_seconds = v
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| format!("min_seconds must be a non-negative number, got {v}"))?;
        }
        Ok(runs)
    }

    /// Runs `run` as often as `self` asks (at least once) and returns the duration of each run.
    ///
    /// Only the call of `run` is timed: building the problem's data before and writing the output
    /// after stay outside.
    pub fn time(&self, mut run: impl FnMut()) -> Vec<Duration> {
        let mut timings = Vec::new();
        let mut elapsed = Duration::ZERO;
        let min_time = Duration::from_secs_f64(self.min_seconds);
        while timings.is_empty() || (timings.len() as u64) < self.min_runs || elapsed < min_time {
            let start = Instant::now();
            run();
            let took = start.elapsed();
            elapsed += took;
            timings.push(took);
        }
        timings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_integers_and_floats() {
        let runs = Runs::from_input(&json!({"min_runs": 3, "min_seconds": 1})).unwrap();
        assert_eq!(
            runs,
            Runs {
                min_runs: 3,
                min_seconds: 1.0
            }
        );
        let runs = Runs::from_input(&json!({"min_runs": 2.0, "min_seconds": 0.5})).unwrap();
        assert_eq!(
            runs,
            Runs {
                min_runs: 2,
                min_seconds: 0.5
            }
        );
        assert_eq!(Runs::from_input(&json!(1.0)).unwrap(), Runs::default());
    }

    #[test]
    fn rejects_nonsense() {
        assert!(Runs::from_input(&json!({"min_runs": -1})).is_err());
        assert!(Runs::from_input(&json!({"min_runs": 1.5})).is_err());
        assert!(Runs::from_input(&json!({"min_seconds": "1"})).is_err());
    }

    #[test]
    fn runs_at_least_min_runs_and_min_seconds() {
        let mut count = 0;
        let timings = Runs {
            min_runs: 5,
            min_seconds: 0.0,
        }
        .time(|| count += 1);
        assert_eq!((count, timings.len()), (5, 5));
        let timings = Runs {
            min_runs: 1,
            min_seconds: 0.02,
        }
        .time(|| {
            std::thread::sleep(Duration::from_millis(5));
        });
        assert!(timings.len() >= 4, "{} runs", timings.len());
        assert!(timings.iter().sum::<Duration>() >= Duration::from_millis(20));
        let timings = Runs {
            min_runs: 0,
            min_seconds: 0.0,
        }
        .time(|| {});
        assert_eq!(
            timings.len(),
            1,
            "a function is always run once, to have an output"
        );
    }
}

//! A simple adaptive timing loop (`std::time::Instant`), for compare-modes.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The mean time of one call of `f`, in seconds: calls `f` once to warm up, then repeats it in
/// batches, doubling the batch until one batch takes at least `min_total`; returns that batch's
/// time per call. A call slower than `min_total` is timed once.
pub fn time_per_call<R>(mut f: impl FnMut() -> R, min_total: Duration) -> f64 {
    let start = Instant::now();
    black_box(f());
    let first = start.elapsed();
    if first >= min_total {
        return first.as_secs_f64();
    }
    let guess = (min_total.as_secs_f64() / first.as_secs_f64().max(1e-9) / 4.0) as u64;
    let mut reps = guess.clamp(1, 1 << 30);
    loop {
        let start = Instant::now();
        for _ in 0..reps {
            black_box(f());
        }
        let elapsed = start.elapsed();
        if elapsed >= min_total {
            return elapsed.as_secs_f64() / reps as f64;
        }
        reps *= 2;
    }
}

/// A time in seconds, human-readable with three significant digits ("1.23 µs").
pub fn format_time(seconds: f64) -> String {
    let (v, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    if v >= 100.0 {
        format!("{v:.0} {unit}")
    } else if v >= 10.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.2} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(format_time(1.234e-6), "1.23 µs");
        assert_eq!(format_time(0.0456), "45.6 ms");
        assert_eq!(format_time(250e-9), "250 ns");
        assert_eq!(format_time(2.0), "2.00 s");
    }

    #[test]
    fn times_a_call() {
        let mut calls = 0u64;
        let t = time_per_call(
            || {
                calls += 1;
                calls
            },
            Duration::from_millis(2),
        );
        assert!(t > 0.0 && calls > 1);
    }
}

//! Profiling driver (not part of the public examples): repeated Rosenbrock gradients.
//!
//! `cargo run --release -p diffprog-reverse --example prof_gradient [n] [reps]`: gradient time /
//! plain evaluation time. With a third argument `hvp`: Hessian–vector product time / gradient
//! time (issue target: ≤ 3). With `sweep`: the time of one backward sweep over a recorded
//! Rosenbrock (through `Recording::backward`, which also copies the adjoints) / plain evaluation.
use diffprog_dual::Scalar;
use diffprog_reverse::{gradient_into, hessian_vector_product, Recording};
use std::hint::black_box;

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// The best time per call of `a` and of `b` over 15 interleaved rounds (`reps` calls of `a`,
/// `reps_b` of `b` each), so a noisy neighbour affects both alike.
fn best_of_interleaved(
    reps: usize,
    mut a: impl FnMut() -> f64,
    reps_b: usize,
    mut b: impl FnMut() -> f64,
) -> (f64, f64, f64) {
    let (mut ta, mut tb, mut acc) = (f64::INFINITY, f64::INFINITY, 0.0);
    for _ in 0..15 {
        let t = std::time::Instant::now();
        for _ in 0..reps {
            acc += a();
        }
        ta = ta.min(t.elapsed().as_secs_f64() / reps as f64);
        let t = std::time::Instant::now();
        for _ in 0..reps_b {
            acc += b();
        }
        tb = tb.min(t.elapsed().as_secs_f64() / reps_b as f64);
    }
    (ta, tb, acc)
}

/// Prints the two times (seconds, shown in µs) and their ratio.
fn report(n: usize, (a, ta): (&str, f64), (b, tb): (&str, f64), acc: f64) {
    let (ta_us, tb_us) = (ta * 1e6, tb * 1e6);
    println!(
        "n={n}: {a} {ta_us:.3} us, {b} {tb_us:.3} us, ratio {:.2} ({acc})",
        ta / tb
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1000, |s| s.parse().unwrap());
    let reps: usize = args.next().map_or(2000, |s| s.parse().unwrap());
    let mode = args.next();
    let hvp = mode.as_deref() == Some("hvp");
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * (i % 7) as f64).collect();
    let mut g = vec![0.0; n];
    if mode.as_deref() == Some("sweep") {
        let rec = Recording::<f64>::new();
        let y = rosenbrock(&rec.variables(&x));
        let (ts, tp, acc) = best_of_interleaved(
            reps,
            || rec.backward(black_box(y)).wrt(black_box(y)),
            reps * 10,
            || rosenbrock(black_box(&x[..])),
        );
        report(n, ("sweep", ts), ("plain", tp), acc);
    } else if hvp {
        let v: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let (th, tg, acc) = best_of_interleaved(
            reps,
            || hessian_vector_product(rosenbrock, black_box(&x), &v).2[n / 2],
            reps,
            || gradient_into(rosenbrock, black_box(&x), &mut g),
        );
        report(n, ("hvp", th), ("gradient", tg), acc);
    } else {
        let (tg, tp, acc) = best_of_interleaved(
            reps,
            || gradient_into(rosenbrock, black_box(&x), &mut g),
            reps * 10,
            || rosenbrock(black_box(&x[..])),
        );
        report(n, ("gradient", tg), ("plain", tp), acc);
    }
}

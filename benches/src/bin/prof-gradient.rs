//! Profiling program: repeated Rosenbrock gradients on the reverse tape (see
//! `benches/PERFORMANCE.md`).
//!
//! `cargo run --release -p diffprog-benches --bin prof-gradient [-- n [reps [hvp|sweep]]]`:
//! gradient time / plain evaluation time, best of 15 interleaved rounds (n = 1000 and 2000 reps
//! by default). With a third argument `hvp`: Hessian–vector product time / gradient time. With
//! `sweep`: the time of one backward sweep over a recorded Rosenbrock (through
//! `Recording::backward`, which also copies the adjoints) / plain evaluation.
use diffprog_benches::problems::rosenbrock;
use diffprog_benches::profiling::{best_of_interleaved, point};
use diffprog_reverse::{gradient_into, hessian_vector_product, Recording};
use std::hint::black_box;

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
    let x = point(n);
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

//! Hessian time versus chunk size (Rosenbrock, n = 10 and 100), the measurement behind
//! `DEFAULT_CHUNK`: `cargo run --release -p diffprog-hyperdual --example chunk_sizes`.
//! Wall-clock means over many calls; run it on an idle machine and compare within one run.

use diffprog_dual::Scalar;
use diffprog_hyperdual::hessian_with_chunk;
use std::hint::black_box;
use std::time::Instant;

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

macro_rules! probe {
    ($n:expr, $($c:expr),*) => {$(
        let x: Vec<f64> = (0..$n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
        let reps = if $n > 50 { 50 } else { 2000 };
        let t = Instant::now();
        for _ in 0..reps { black_box(hessian_with_chunk::<$c>(rosenbrock, black_box(&x))); }
        println!("n = {:3} chunk {:2}: {:9.1} µs", $n, $c, t.elapsed().as_secs_f64() / reps as f64 * 1e6);
    )*};
}

fn main() {
    if std::env::var("CHUNK_ONLY").is_ok() {
        probe!(100, 6);
        probe!(10, 6);
        return;
    }
    probe!(10, 4, 5, 6, 8, 10);
    probe!(100, 4, 5, 6, 8, 10);
}

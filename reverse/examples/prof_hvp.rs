//! Profiling driver (not part of the public examples): Hessian–vector product time / gradient
//! time on Rosenbrock (issue target: ≤ 3).
//!
//! `cargo run --release -p diffprog-reverse --example prof_hvp [n] [reps]`
use diffprog_dual::Scalar;
use diffprog_reverse::{gradient_into, hessian_vector_product};
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

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1000, |s| s.parse().unwrap());
    let reps: usize = std::env::args().nth(2).map_or(500, |s| s.parse().unwrap());
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * (i % 7) as f64).collect();
    let v: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
    let mut g = vec![0.0; n];
    let mut acc = 0.0;
    // Best of 15 rounds of each, interleaved, so a noisy neighbour affects both alike.
    let (mut dh, mut dg) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..15 {
        let t = std::time::Instant::now();
        for _ in 0..reps {
            acc += hessian_vector_product(rosenbrock, black_box(&x), &v).2[n / 2];
        }
        dh = dh.min(t.elapsed().as_secs_f64() / reps as f64);
        let t = std::time::Instant::now();
        for _ in 0..reps {
            acc += gradient_into(rosenbrock, black_box(&x), &mut g);
        }
        dg = dg.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    println!(
        "n={n}: hvp {:.3} us, gradient {:.3} us, ratio {:.2} ({acc})",
        dh * 1e6,
        dg * 1e6,
        dh / dg
    );
}

//! Profiling driver (not part of the public examples): repeated Rosenbrock Hessians in mixed mode.
use diffprog_dual::Scalar;
use diffprog_reverse::hessian;

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
    let n: usize = std::env::args().nth(1).map_or(100, |s| s.parse().unwrap());
    let reps: usize = std::env::args().nth(2).map_or(200, |s| s.parse().unwrap());
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * (i % 7) as f64).collect();
    let mut acc = 0.0;
    let t = std::time::Instant::now();
    for _ in 0..reps {
        acc += hessian(rosenbrock, &x).2[(1, 1)];
    }
    let dt = t.elapsed().as_secs_f64() / reps as f64;
    let t = std::time::Instant::now();
    for _ in 0..reps * 100 {
        acc += rosenbrock(std::hint::black_box(&x[..]));
    }
    let dp = t.elapsed().as_secs_f64() / (reps * 100) as f64;
    println!(
        "n={n}: hessian {:.3} us, plain {:.3} us, ratio {:.0} ({acc})",
        dt * 1e6,
        dp * 1e6,
        dt / dp
    );
}

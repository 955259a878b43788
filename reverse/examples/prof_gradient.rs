//! Profiling driver (not part of the public examples): repeated Rosenbrock gradients.
use diffprog_dual::Scalar;
use diffprog_reverse::gradient_into;

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
    let reps: usize = std::env::args().nth(2).map_or(2000, |s| s.parse().unwrap());
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * (i % 7) as f64).collect();
    let mut g = vec![0.0; n];
    let mut acc = 0.0;
    // Best of 15 rounds of each, interleaved, so a noisy neighbour affects both alike.
    let (mut dt, mut dp) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..15 {
        let t = std::time::Instant::now();
        for _ in 0..reps {
            acc += gradient_into(rosenbrock, &x, &mut g);
        }
        dt = dt.min(t.elapsed().as_secs_f64() / reps as f64);
        let t = std::time::Instant::now();
        for _ in 0..reps * 10 {
            acc += rosenbrock(std::hint::black_box(&x[..]));
        }
        dp = dp.min(t.elapsed().as_secs_f64() / (reps * 10) as f64);
    }
    println!(
        "n={n}: gradient {:.3} us, plain {:.3} us, ratio {:.1} ({acc})",
        dt * 1e6,
        dp * 1e6,
        dt / dp
    );
}

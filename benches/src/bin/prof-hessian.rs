//! Profiling program: repeated Rosenbrock Hessians of the mixed-mode `diffprog_reverse::hessian`
//! (see `benches/PERFORMANCE.md`).
//!
//! `cargo run --release -p diffprog-benches --bin prof-hessian [-- n [reps]]`: Hessian time and
//! plain evaluation time (n = 100 and 200 reps by default).
use diffprog_benches::problems::rosenbrock;
use diffprog_benches::profiling::point;
use diffprog_reverse::hessian;

fn main() {
    let n: usize = std::env::args().nth(1).map_or(100, |s| s.parse().unwrap());
    let reps: usize = std::env::args().nth(2).map_or(200, |s| s.parse().unwrap());
    let x = point(n);
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

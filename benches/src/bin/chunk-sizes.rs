//! Profiling program: hyperdual Hessian time versus block size (Rosenbrock, n = 10 and 100), the
//! measurement behind `diffprog_hyperdual::HESSIAN_BLOCK` and `PARTIAL_HESSIAN_BLOCK` (see
//! `benches/PERFORMANCE.md`):
//! `cargo run --release -p diffprog-benches --bin chunk-sizes`.
//!
//! For each chunk size, the best of 7 rounds of many calls (the minimum is the least disturbed
//! by other load on a shared machine), for `hessian_with_arena_chunk` (the numbers of `hessian`)
//! and `hessian_with_chunk` (inline `HyperDualVec` numbers). Compare within one run.

use diffprog_benches::problems::rosenbrock;
use diffprog_hyperdual::{hessian_with_arena_chunk, hessian_with_chunk};
use std::hint::black_box;
use std::time::Instant;

/// Best time per call of `f` in µs over 7 rounds of `reps` calls.
fn best(reps: usize, f: impl Fn()) -> f64 {
    (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64 * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

macro_rules! probe {
    ($n:expr, $($c:expr),*) => {$(
        let x: Vec<f64> = (0..$n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
        let reps = if $n > 50 { 40 } else { 1000 };
        let arena = best(reps, || { black_box(hessian_with_arena_chunk::<$c>(rosenbrock, black_box(&x))); });
        let inline = best(reps / 4 + 1, || { black_box(hessian_with_chunk::<$c>(rosenbrock, black_box(&x))); });
        println!("n = {:3} chunk {:2}: arena {:9.1} µs   inline {:9.1} µs", $n, $c, arena, inline);
    )*};
}

fn main() {
    probe!(10, 2, 3, 4, 5, 6, 8, 10);
    probe!(100, 2, 3, 4, 5, 6, 8, 10, 12, 16);
}

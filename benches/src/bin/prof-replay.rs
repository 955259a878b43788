//! Profiling program: the Rosenbrock gradient and Hessian–vector product by replaying a recorded
//! program (`diffprog_reverse::replay`), against the plain f64 evaluation, a fresh recording
//! (`reverse::gradient`) and, with the feature `peers`, echidna's bytecode tape replayed
//! (recorded once, `gradient_with_buf` / `hvp_with_buf` at the point); then the parallel
//! batches' speed-up over sequential calls. Best of 15 interleaved rounds each. See
//! `benches/PERFORMANCE.md`, "Replayed programs".
//!
//! `cargo run --release -p diffprog-benches [--features peers] --bin prof-replay [-- n [reps]]`
//! (without `n`: n = 1000 and 10 000).

use diffprog_benches::problems::rosenbrock;
use diffprog_benches::profiling::{best_of_interleaved, point};
use diffprog_reverse::replay::record;
use std::hint::black_box;
use std::time::Instant;

fn line(n: usize, what: &str, t: f64, plain: f64, extra: &str) {
    println!(
        "n = {n:>6}: {what:<34} {:>9.2} us  {:>6.2}× plain{extra}",
        t * 1e6,
        t / plain
    );
}

fn single(n: usize, reps: usize) {
    let x = point(n);
    let v: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
    let mut g = vec![0.0; n];
    let mut program = record(rosenbrock, &x);
    println!("{}", program.to_string().lines().next().unwrap_or(""));
    let plain_reps = reps * 10;
    let plain = || rosenbrock(black_box(&x[..]));

    let (tr, tp, _) = best_of_interleaved(
        reps,
        || program.gradient_into(black_box(&x), &mut g).unwrap(),
        plain_reps,
        plain,
    );
    line(n, "replayed gradient", tr, tp, "");
    let mut g2 = vec![0.0; n];
    let (tf, tp2, _) = best_of_interleaved(
        reps,
        || diffprog_reverse::gradient_into(rosenbrock, black_box(&x), &mut g2),
        plain_reps,
        plain,
    );
    line(n, "recorded gradient (Var)", tf, tp2, "");
    let mut twin = program.clone();
    let (mut hv_grad, mut hv) = (vec![0.0; n], vec![0.0; n]);
    let (th, tg, _) = best_of_interleaved(
        reps,
        || {
            program
                .hessian_vector_product_into(black_box(&x), &v, &mut hv_grad, &mut hv)
                .unwrap()
        },
        reps,
        || twin.gradient_into(black_box(&x), &mut g).unwrap(),
    );
    line(
        n,
        "replayed Hessian·v",
        th,
        tp,
        &format!("  ({:.2}× the replayed gradient)", th / tg),
    );
    peers(n, reps, &x, &v, tr, th, tp);
}

#[cfg(feature = "peers")]
fn peers(n: usize, reps: usize, x: &[f64], v: &[f64], ours: f64, ours_hvp: f64, plain: f64) {
    use diffprog_benches::problems::{Rosenbrock, ScalarProblem};
    let p = Rosenbrock { n };
    let (mut tape, _) = echidna::record(|a: &[echidna::BReverse<f64>]| p.eval_ec(a), x);
    let mut buf = Vec::new();
    let (te, tp, _) = best_of_interleaved(
        reps,
        || tape.gradient_with_buf(black_box(x), &mut buf)[n / 2],
        reps * 10,
        || rosenbrock(black_box(x)),
    );
    line(
        n,
        "echidna bytecode replayed gradient",
        te,
        tp,
        &format!(
            "  (ours {:.2}× faster, plain {:.2} us)",
            te / ours,
            plain * 1e6
        ),
    );
    let (mut dv, mut adj) = (Vec::new(), Vec::new());
    let (teh, tp, _) = best_of_interleaved(
        reps,
        || tape.hvp_with_buf(black_box(x), v, &mut dv, &mut adj).1[n / 2],
        reps * 10,
        || rosenbrock(black_box(x)),
    );
    line(
        n,
        "echidna bytecode replayed Hessian·v",
        teh,
        tp,
        &format!("  (ours {:.2}× faster)", teh / ours_hvp),
    );
}

#[cfg(not(feature = "peers"))]
fn peers(_: usize, _: usize, _: &[f64], _: &[f64], _: f64, _: f64, _: f64) {
    println!("(echidna's replay: build with --features peers)");
}

/// The batches against sequential calls on the same points.
fn batches(n: usize, points: usize) {
    let pts: Vec<Vec<f64>> = (0..points)
        .map(|k| point(n).iter().map(|v| v + 1e-3 * k as f64).collect())
        .collect();
    let mut program = record(rosenbrock, &pts[0]);
    let threads = rayon::current_num_threads();
    let time = |f: &mut dyn FnMut() -> f64| {
        let mut best = f64::INFINITY;
        for _ in 0..7 {
            let t = Instant::now();
            black_box(f());
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    };
    let seq = time(&mut || pts.iter().map(|x| program.gradient(x).unwrap().1[0]).sum());
    let par = time(&mut || {
        program
            .gradient_batch(&pts)
            .iter()
            .map(|r| r.as_ref().unwrap().1[0])
            .sum()
    });
    println!(
        "{points} points, n = {n}: replayed gradients sequential {:.2} ms, gradient_batch {:.2} ms on {threads} threads: speed-up {:.2}",
        seq * 1e3,
        par * 1e3,
        seq / par
    );
    let seq = time(&mut || {
        pts.iter()
            .map(|x| diffprog_reverse::gradient(rosenbrock, x).1[0])
            .sum()
    });
    let par = time(&mut || {
        diffprog_reverse::gradient_batch(rosenbrock, &pts)
            .iter()
            .map(|r| r.1[0])
            .sum()
    });
    println!(
        "{points} points, n = {n}: recorded gradients sequential {:.2} ms, reverse::gradient_batch {:.2} ms: speed-up {:.2}",
        seq * 1e3,
        par * 1e3,
        seq / par
    );
    let small: Vec<Vec<f64>> = pts.iter().map(|x| x[..100].to_vec()).collect();
    let mut p100 = record(rosenbrock, &small[0]);
    let seq = time(&mut || small.iter().map(|x| p100.hessian(x).unwrap().0).sum());
    let par = time(&mut || {
        p100.hessian_batch(&small)
            .iter()
            .map(|r| r.as_ref().unwrap().0)
            .sum()
    });
    println!(
        "{points} points, n = 100: replayed Hessians sequential {:.2} ms, hessian_batch {:.2} ms: speed-up {:.2}",
        seq * 1e3,
        par * 1e3,
        seq / par
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: Option<usize> = args.next().map(|s| s.parse().expect("n"));
    let reps: usize = args.next().map_or(2000, |s| s.parse().expect("reps"));
    match n {
        Some(n) => single(n, reps),
        None => {
            single(1000, reps);
            single(10_000, reps / 10);
            batches(1000, 256);
        }
    }
}

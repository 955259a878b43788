//! Profiling program: sparse Hessians and Jacobians (`diffprog_reverse::sparse`). Rosenbrock's
//! sparse Hessian at n = 1000 and 10 000 against the replayed and the recorded gradient (the
//! ratio, and its growth with n), and a bundle-adjustment Jacobian (each residual pair reads one
//! camera's 11 parameters and one point's 3 coordinates, GradBench's `ba` projection) at two
//! sizes against the plain evaluation of the residuals; with the feature `peers`, echidna's
//! sparse Hessian and Jacobian on its bytecode tape, recorded once, in the same run (pattern and
//! colouring reused: `sparse_hessian_with_pattern` / `sparse_jacobian_with_pattern`, one `Dual`
//! pass per colour; and its `DualVec` variants, which detect the pattern at every call). Best of
//! 15 interleaved rounds each; the one-off preparation (record, detect, colour) timed
//! separately. See `benches/PERFORMANCE.md`, "Sparse Jacobians and Hessians".
//!
//! `cargo run --release -p diffprog-benches [--features peers] --bin prof-sparse`

use diffprog_benches::gradbench::evals::ba::reprojection_error;
use diffprog_benches::problems::rosenbrock;
use diffprog_benches::profiling::{best_of_interleaved, point};
use diffprog_dual::Scalar;
use diffprog_reverse::replay::{record, record_vector};
use diffprog_reverse::sparse::{column_coloring, jacobian_pattern, SparseHessian, SparseJacobian};
use std::hint::black_box;
use std::time::Instant;

/// The best of `reps` one-off calls, in seconds.
fn once<R>(reps: usize, mut f: impl FnMut() -> R) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Rosenbrock's sparse Hessian at `n`; returns its time.
fn hessian(n: usize, reps: usize) -> f64 {
    let x = point(n);
    let setup = once(5, || SparseHessian::new(rosenbrock, &x));
    let mut h = SparseHessian::new(rosenbrock, &x);
    let mut program = record(rosenbrock, &x);
    let (mut g, mut values) = (vec![0.0; n], vec![0.0; h.pattern().nnz()]);
    let mut g2 = vec![0.0; n];
    let (th, tg, _) = best_of_interleaved(
        reps,
        || h.evaluate_into(black_box(&x), &mut g, &mut values).unwrap(),
        reps,
        || program.gradient_into(black_box(&x), &mut g2).unwrap(),
    );
    let (th2, tv, _) = best_of_interleaved(
        reps,
        || h.evaluate_into(black_box(&x), &mut g, &mut values).unwrap(),
        reps,
        || diffprog_reverse::gradient_into(rosenbrock, black_box(&x), &mut g2),
    );
    let th = th.min(th2);
    println!(
        "n = {n:>6}: Rosenbrock sparse Hessian ({} colours, {} pass, {} entries) {:>9.2} us = \
         {:.2}× the replayed gradient ({:.2} us), {:.2}× the recorded gradient ({:.2} us); \
         preparation (record, detect, colour) {:.2} us",
        h.coloring().count(),
        h.sweeps(),
        h.pattern().nnz(),
        th * 1e6,
        th / tg,
        tg * 1e6,
        th / tv,
        tv * 1e6,
        setup * 1e6,
    );
    hessian_peer(n, reps, &x, th, setup);
    th
}

#[cfg(feature = "peers")]
fn hessian_peer(n: usize, reps: usize, x: &[f64], ours: f64, our_setup: f64) {
    use diffprog_benches::problems::{Rosenbrock, ScalarProblem};
    let p = Rosenbrock { n };
    let prepare = || {
        let (tape, _) = echidna::record(|a: &[echidna::BReverse<f64>]| p.eval_ec(a), x);
        let pattern = tape.detect_sparsity();
        let (colors, k) = echidna::sparse::greedy_coloring(&pattern);
        (tape, pattern, colors, k)
    };
    let setup = once(5, prepare);
    let (tape, pattern, colors, k) = prepare();
    let mut h = SparseHessian::new(rosenbrock, x);
    let (mut g, mut values) = (vec![0.0; n], vec![0.0; h.pattern().nnz()]);
    let (te, to, _) = best_of_interleaved(
        reps,
        || {
            tape.sparse_hessian_with_pattern(black_box(x), &pattern, &colors, k)
                .2[0]
        },
        reps,
        || h.evaluate_into(black_box(x), &mut g, &mut values).unwrap(),
    );
    println!(
        "n = {n:>6}: echidna sparse_hessian_with_pattern ({k} colours, lower triangle) {:>9.2} \
         us: ours {:.2}× faster (ours {:.2} us here, {:.2} us before); echidna's preparation \
         {:.2} us, ours {:.2}× faster",
        te * 1e6,
        te / to,
        to * 1e6,
        ours * 1e6,
        setup * 1e6,
        setup / our_setup,
    );
    let (tv, to, _) = best_of_interleaved(
        reps.div_ceil(4),
        || tape.sparse_hessian_vec::<4>(black_box(x)).3[0],
        reps,
        || h.evaluate_into(black_box(x), &mut g, &mut values).unwrap(),
    );
    println!(
        "n = {n:>6}: echidna sparse_hessian_vec::<4> (detects and colours at each call) \
         {:>9.2} us: ours {:.2}× faster",
        tv * 1e6,
        tv / to,
    );
}

#[cfg(not(feature = "peers"))]
fn hessian_peer(_: usize, _: usize, _: &[f64], _: f64, _: f64) {
    println!("(echidna's sparse Hessian: build with --features peers)");
}

/// GradBench's `ba` camera: 11 parameters.
const CAMERA: usize = 11;

/// A bundle-adjustment problem: `cameras` cameras, `points` points, two observations of each
/// point (cameras `p mod cameras` and the next), features from [`noise`].
#[derive(Clone)]
struct Bundle {
    cameras: usize,
    observations: Vec<(usize, usize, [f64; 2])>,
    x: Vec<f64>,
}

impl Bundle {
    fn new(cameras: usize, points: usize) -> Bundle {
        use diffprog_benches::problems::noise;
        let mut x = Vec::new();
        for c in 0..cameras as u64 {
            let r = |k: u64| noise(100 * c + k);
            x.extend([0.1 + 0.05 * r(0), 0.2 + 0.05 * r(1), 0.15 + 0.05 * r(2)]);
            x.extend([0.1 * r(3), 0.1 * r(4), -5.0 + 0.5 * r(5)]);
            x.extend([
                1.0 + 0.1 * r(6),
                0.01 * r(7),
                0.01 * r(8),
                0.01 * r(9),
                0.001 * r(10),
            ]);
        }
        for p in 0..points as u64 {
            x.extend((0..3).map(|k| noise(1_000_000 + 3 * p + k)));
        }
        let observations = (0..points)
            .flat_map(|p| {
                [p % cameras, (p + 1) % cameras].map(|c| {
                    let f = [
                        noise(7 * p as u64 + c as u64),
                        noise(11 * p as u64 + c as u64),
                    ];
                    (c, p, f)
                })
            })
            .collect();
        Bundle {
            cameras,
            observations,
            x,
        }
    }

    fn residuals<T: Scalar>(&self, x: &[T]) -> Vec<T> {
        let points = &x[CAMERA * self.cameras..];
        let mut r = Vec::with_capacity(2 * self.observations.len());
        for &(c, p, ref f) in &self.observations {
            let cam = &x[CAMERA * c..CAMERA * (c + 1)];
            r.extend(reprojection_error(
                cam,
                &points[3 * p..3 * p + 3],
                T::one(),
                f,
            ));
        }
        r
    }
}

fn jacobian(cameras: usize, points: usize, reps: usize) {
    let b = Bundle::new(cameras, points);
    let x = &b.x;
    let setup = once(3, || SparseJacobian::new(|v| b.residuals(v), x));
    let mut jac = SparseJacobian::new(|v| b.residuals(v), x);
    let (mut y, mut values) = (
        vec![0.0; jac.pattern().major_dim()],
        vec![0.0; jac.pattern().nnz()],
    );
    let (tj, tp, _) = best_of_interleaved(
        reps,
        || {
            jac.evaluate_into(black_box(x), &mut y, &mut values)
                .unwrap();
            values[0]
        },
        reps * 10,
        || b.residuals(black_box(&x[..]))[0],
    );
    println!(
        "{cameras} cameras, {points} points ({} residuals, {} inputs): bundle-adjustment \
         sparse Jacobian ({:?}, {} colours, {} passes, {} entries) {:>9.2} us = {:.2}× the plain \
         residuals ({:.2} us); preparation {:.2} us",
        jac.pattern().major_dim(),
        x.len(),
        jac.mode(),
        jac.coloring().count(),
        jac.sweeps(),
        jac.pattern().nnz(),
        tj * 1e6,
        tj / tp,
        tp * 1e6,
        setup * 1e6,
    );
    let tr = once(3, || record_vector(|v| b.residuals(v), x));
    let program = record_vector(|v| b.residuals(v), x);
    let tpat = once(3, || jacobian_pattern(&program));
    let pattern = jacobian_pattern(&program);
    let tcol = once(3, || column_coloring(&pattern));
    println!(
        "  preparation: record {:.2} us ({} instructions), detect {:.2} us, colour columns {:.2} us",
        tr * 1e6,
        program.len(),
        tpat * 1e6,
        tcol * 1e6
    );
    jacobian_peer(&b, reps, tj, setup);
}

#[cfg(feature = "peers")]
fn jacobian_peer(b: &Bundle, reps: usize, ours: f64, our_setup: f64) {
    let x = &b.x[..];
    let prepare = || {
        let (mut tape, _) =
            echidna::record_multi(|a: &[echidna::BReverse<f64>]| ec::residuals(b, a), x);
        tape.forward(x);
        let pattern = tape.detect_jacobian_sparsity();
        let (colors, k) = echidna::sparse::column_coloring(&pattern);
        (tape, pattern, colors, k)
    };
    let setup = once(3, prepare);
    let (mut tape, pattern, colors, k) = prepare();
    let mut jac = SparseJacobian::new(|v| b.residuals(v), x);
    let (mut y, mut values) = (
        vec![0.0; jac.pattern().major_dim()],
        vec![0.0; jac.pattern().nnz()],
    );
    let (te, to, _) = best_of_interleaved(
        reps,
        || {
            tape.sparse_jacobian_with_pattern(black_box(x), &pattern, &colors, k, true)
                .1[0]
        },
        reps,
        || {
            jac.evaluate_into(black_box(x), &mut y, &mut values)
                .unwrap();
            values[0]
        },
    );
    println!(
        "  echidna sparse_jacobian_with_pattern ({k} colours, forward) {:>9.2} us: ours {:.2}× \
         faster (ours {:.2} us here, {:.2} us before); echidna's preparation {:.2} us, ours \
         {:.2}× faster",
        te * 1e6,
        te / to,
        to * 1e6,
        ours * 1e6,
        setup * 1e6,
        setup / our_setup,
    );
    let (tv, to, _) = best_of_interleaved(
        reps.div_ceil(4),
        || tape.sparse_jacobian_vec::<8>(black_box(x)).2[0],
        reps,
        || {
            jac.evaluate_into(black_box(x), &mut y, &mut values)
                .unwrap();
            values[0]
        },
    );
    println!(
        "  echidna sparse_jacobian_vec::<8> (detects and colours at each call) {:>9.2} us: ours \
         {:.2}× faster",
        tv * 1e6,
        tv / to,
    );
}

#[cfg(not(feature = "peers"))]
fn jacobian_peer(_: &Bundle, _: usize, _: f64, _: f64) {
    println!("  (echidna's sparse Jacobian: build with --features peers)");
}

/// GradBench's `ba` projection on `num_traits::Float` numbers (echidna), the same operations in
/// the same order.
#[cfg(feature = "peers")]
mod ec {
    use super::{Bundle, CAMERA};
    use num_traits::Float;

    fn cross<T: Float>(a: &[T; 3], b: &[T; 3]) -> [T; 3] {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    }

    fn project<T: Float>(cam: &[T], x: &[T]) -> [T; 2] {
        let pt = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
        let rot = &cam[0..3];
        let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
        let theta = sqtheta.sqrt();
        let (sintheta, costheta) = theta.sin_cos();
        let inv = theta.recip();
        let w = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
        let w_cross_pt = cross(&w, &pt);
        let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (T::one() - costheta);
        let xcam: Vec<T> = (0..3)
            .map(|i| pt[i] * costheta + w_cross_pt[i] * sintheta + w[i] * tmp)
            .collect();
        let p = [xcam[0] / xcam[2], xcam[1] / xcam[2]];
        let rsq = p[0] * p[0] + p[1] * p[1];
        let distortion = T::one() + cam[9] * rsq + cam[10] * rsq * rsq;
        [
            p[0] * distortion * cam[6] + cam[7],
            p[1] * distortion * cam[6] + cam[8],
        ]
    }

    pub(super) fn residuals<T: Float>(b: &Bundle, x: &[T]) -> Vec<T> {
        let points = &x[CAMERA * b.cameras..];
        let mut r = Vec::with_capacity(2 * b.observations.len());
        for &(c, p, f) in &b.observations {
            let proj = project(&x[CAMERA * c..CAMERA * (c + 1)], &points[3 * p..3 * p + 3]);
            let feat = |k: usize| T::from(f[k]).unwrap();
            r.push(T::one() * (proj[0] - feat(0)));
            r.push(T::one() * (proj[1] - feat(1)));
        }
        r
    }
}

fn main() {
    let t1 = hessian(1000, 400);
    let t2 = hessian(10_000, 40);
    println!(
        "Rosenbrock sparse Hessian: n = 10 000 takes {:.2}× the time of n = 1000 (O(n): 10)",
        t2 / t1
    );
    jacobian(10, 1000, 40);
    jacobian(20, 10_000, 4);
}

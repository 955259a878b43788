//! Large problems: a sparse Hessian found by colouring and used by Newton's method on 10 000
//! variables, the second-order minimisers of `reverse::optim` on the same problem, and a
//! gradient through 100 000 time steps with binomial checkpointing.
//!
//! 1. **Denoising a signal** (total variation, smoothed): minimise
//!    f(x) = Σ (xᵢ − yᵢ)² + λ Σ √((xᵢ₊₁ − xᵢ)² + ε) for a noisy step signal y. The Hessian is
//!    tridiagonal and positive definite (2I plus a convex term). `SparseHessian` records f once,
//!    finds the pattern (3n − 2 entries) and a star colouring (3 colours), and evaluates the
//!    Hessian in one forward-over-reverse pass at each Newton iterate; a sparse Cholesky
//!    factorisation (`nalgebra-sparse`) solves the Newton system. The gradient norm falls
//!    quadratically. Trust-region Newton–CG (Hessian–vector products only) and L-BFGS reach the
//!    same minimum; their iterations and evaluations are printed.
//! 2. **A gradient through a long simulation**: a damped pendulum integrated for 100 000 steps
//!    of explicit Euler; the gradient of its final energy with respect to the initial state and
//!    the two parameters, by `checkpoint::checkpointed_gradient` with ⌈√steps⌉ snapshots,
//!    against the same gradient from one tape of every step.
//!
//! `cargo run --release --example 18_large_problems` (`-- --quick`: 1000 variables, 2000
//! steps). The last line states the asserted figure; the program exits non-zero if a check
//! fails.

use diffprog::prelude::*;
use diffprog::reverse::checkpoint::{checkpointed_gradient, Snapshots, TimeStep};
use diffprog::reverse::optim::{lbfgs, trust_region_newton_cg, Minimum, Objective, Options};
use diffprog::reverse::replay::ReplayVar;
use diffprog::reverse::sparse::nalgebra_sparse::factorization::CscCholesky;
use diffprog::reverse::sparse::{CscMatrix, SparseHessian};
use std::time::Instant;

/// The smoothed total-variation denoising objective.
struct Denoise {
    /// The noisy signal.
    y: Vec<f64>,
    /// The weight of the variation term.
    lambda: f64,
    /// The smoothing of |xᵢ₊₁ − xᵢ|.
    eps: f64,
}

impl Objective for Denoise {
    fn value<T: Scalar>(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for (&xi, &yi) in x.iter().zip(&self.y) {
            let d = xi - yi;
            s += d * d;
        }
        for w in x.windows(2) {
            let d = w[1] - w[0];
            s += (d * d + self.eps).sqrt() * self.lambda;
        }
        s
    }
}

impl Denoise {
    /// A step signal (levels 0, 1, −0.5, 0.5 over four equal pieces) with deterministic
    /// pseudo-random noise of amplitude 0.3.
    fn noisy_steps(n: usize) -> Self {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let y = (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let noise = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                let level = [0.0, 1.0, -0.5, 0.5][4 * i / n];
                level + 0.6 * noise
            })
            .collect();
        Denoise {
            y,
            lambda: 0.5,
            eps: 1e-2,
        }
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Newton's method on the sparse Hessian, with a backtracking line search; returns the
/// minimiser and the gradient norm at each iterate.
fn sparse_newton(problem: &Denoise, x0: &[f64], report: &mut Report) -> (Vec<f64>, Vec<f64>) {
    let mut hessian = SparseHessian::new(|x: &[ReplayVar]| problem.value(x), x0);
    report.colours = hessian.coloring().count();
    report.entries = hessian.pattern().nnz();
    let mut x = x0.to_vec();
    let mut norms = Vec::new();
    for _ in 0..50 {
        let (f, g, h) = hessian.evaluate(&x).expect("the objective has no branches");
        norms.push(norm(&g));
        if norm(&g) <= 1e-8 {
            break;
        }
        let cholesky = CscCholesky::factor(&CscMatrix::from(&h))
            .expect("2I plus a convex term is positive definite");
        let step = cholesky.solve(&nalgebra::DVector::from_column_slice(&g));
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = x.iter().zip(step.iter()).map(|(a, p)| a - t * p).collect();
            if problem.value(&trial) <= f || t < 1e-12 {
                x = trial;
                break;
            }
            t *= 0.5;
        }
    }
    (x, norms)
}

/// Explicit Euler for a damped pendulum θ'' = −a·sin θ − b·θ', with parameters p = [a, b].
struct DampedPendulum {
    dt: f64,
}

impl TimeStep for DampedPendulum {
    fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
        let acceleration = -(p[0] * x[0].sin()) - p[1] * x[1];
        vec![x[0] + x[1] * self.dt, x[1] + acceleration * self.dt]
    }
}

/// The figures the example prints and checks.
#[derive(Debug, Default)]
pub struct Report {
    pub variables: usize,
    pub colours: usize,
    pub entries: usize,
    pub newton_iterations: usize,
    pub final_gradient_norm: f64,
    /// The largest difference between the sparse-Newton minimiser and the other methods'.
    pub methods_disagree_by: f64,
    pub steps: usize,
    pub peak_snapshots: usize,
    /// The largest relative difference between the checkpointed gradient and the full tape's.
    pub checkpointed_vs_full_tape: f64,
}

fn describe(name: &str, m: &Minimum, seconds: f64) {
    println!(
        "  {name:<28} {:>5} iterations, {:>5} gradients, {:>6} Hessian–vector products, \
         |∇f| = {:.1e}, {:.3} s ({:?})",
        m.iterations,
        m.evaluations.gradients,
        m.evaluations.hessian_vector_products,
        m.gradient_norm,
        seconds,
        m.termination
    );
}

/// Runs both parts; `quick` uses 1000 variables and 2000 steps.
pub fn run(quick: bool) -> Report {
    let mut report = Report {
        variables: if quick { 1000 } else { 10_000 },
        steps: if quick { 2000 } else { 100_000 },
        ..Report::default()
    };
    let n = report.variables;
    println!("1. Total-variation denoising of {n} samples");
    let problem = Denoise::noisy_steps(n);
    let x0 = problem.y.clone();
    let start = Instant::now();
    let (x_newton, norms) = sparse_newton(&problem, &x0, &mut report);
    let newton_seconds = start.elapsed().as_secs_f64();
    println!(
        "  Hessian pattern: {} entries (3n − 2 = {}), {} colours, one pass per Hessian",
        report.entries,
        3 * n - 2,
        report.colours
    );
    for (k, g) in norms.iter().enumerate() {
        println!("  Newton iterate {k:>2}: |∇f| = {g:.3e}");
    }
    report.newton_iterations = norms.len() - 1;
    report.final_gradient_norm = *norms.last().unwrap();
    println!(
        "  sparse Newton: {} iterations, {newton_seconds:.3} s",
        report.newton_iterations
    );
    let options = Options {
        gradient_tolerance: 1e-6,
        ..Options::default()
    };
    for (name, method) in [
        (
            "trust-region Newton–CG",
            trust_region_newton_cg::<Denoise> as fn(&Denoise, &[f64], &Options) -> Minimum,
        ),
        ("L-BFGS (memory 10)", lbfgs::<Denoise>),
    ] {
        let start = Instant::now();
        let m = method(&problem, &x0, &options);
        describe(name, &m, start.elapsed().as_secs_f64());
        let gap =
            m.x.iter()
                .zip(&x_newton)
                .fold(0.0_f64, |d, (a, b)| d.max((a - b).abs()));
        report.methods_disagree_by = report.methods_disagree_by.max(gap);
    }
    println!(
        "  the three minimisers agree within {:.1e}",
        report.methods_disagree_by
    );

    let steps = report.steps;
    println!("2. The gradient of a damped pendulum's final energy after {steps} Euler steps");
    let pendulum = DampedPendulum { dt: 1e-4 };
    let energy = |x: &[Var]| x[1] * x[1] * 0.5 + (1.0 - x[0].cos()) * 9.81;
    let (x0, params) = ([1.0, 0.0], [9.81, 0.1]);
    let start = Instant::now();
    let r = checkpointed_gradient(&pendulum, energy, x0, params, steps, Snapshots::SqrtSteps);
    let checkpointed_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let (full_loss, full) = diffprog::reverse::gradient(
        |v: &[Var]| {
            let mut x = v[..2].to_vec();
            for _ in 0..steps {
                x = pendulum.step(&x, &v[2..]);
            }
            energy(&x)
        },
        [x0[0], x0[1], params[0], params[1]],
    );
    let full_seconds = start.elapsed().as_secs_f64();
    let ours: Vec<f64> = r
        .gradient
        .iter()
        .chain(&r.parameter_gradient)
        .copied()
        .collect();
    report.peak_snapshots = r.peak_snapshots;
    report.checkpointed_vs_full_tape = ours.iter().zip(&full).fold(0.0_f64, |d, (a, b)| {
        d.max((a - b).abs() / b.abs().max(1e-300))
    });
    println!(
        "  final energy {:.6} (full tape {full_loss:.6}); ∂E/∂(θ₀, ω₀, a, b) = {ours:.6?}",
        r.loss
    );
    println!(
        "  checkpointed: {} snapshots at most, a tape of {} records at most, {} forward steps \
         ({:.2} per step), {checkpointed_seconds:.3} s",
        r.peak_snapshots,
        r.peak_tape_records,
        r.forward_steps,
        r.forward_steps as f64 / steps as f64
    );
    println!("  one tape of all {steps} steps: {full_seconds:.3} s");
    println!(
        "  largest relative difference from the full tape's gradient: {:.1e}",
        report.checkpointed_vs_full_tape
    );
    report
}

/// The checks the example asserts: a failed one is described.
pub fn failures(r: &Report) -> Vec<String> {
    let mut failed = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            failed.push(what);
        }
    };
    let n = r.variables;
    check(
        r.entries == 3 * n - 2,
        format!("pattern: {} entries", r.entries),
    );
    check(r.colours == 3, format!("{} colours", r.colours));
    check(
        r.final_gradient_norm <= 1e-8 && r.newton_iterations <= 20,
        format!(
            "Newton: |∇f| {} after {}",
            r.final_gradient_norm, r.newton_iterations
        ),
    );
    check(
        r.methods_disagree_by <= 1e-6,
        format!("methods differ by {}", r.methods_disagree_by),
    );
    check(
        r.peak_snapshots <= (r.steps as f64).sqrt().ceil() as usize,
        format!("{} snapshots", r.peak_snapshots),
    );
    check(
        r.checkpointed_vs_full_tape <= 1e-10,
        format!(
            "checkpointed gradient off by {}",
            r.checkpointed_vs_full_tape
        ),
    );
    failed
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let report = run(quick);
    let failed = failures(&report);
    for f in &failed {
        eprintln!("check failed: {f}");
    }
    println!(
        "sparse Newton |∇f|: {:.1e} in {} iterations on {} variables",
        report.final_gradient_norm, report.newton_iterations, report.variables
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

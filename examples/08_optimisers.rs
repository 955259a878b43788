//! Lab 3: optimisers — nn's `Sgd` (plain and with momentum), `Adagrad` and `Adam` on nn
//! parameters, driven by the tape's gradients.
//!
//! 1. (x₀ − 5)² + x₁² + (x₂ − 1)² from [2, 1, 10], SGD lr 0.001, 5000 steps, reaches [5, 0, 1].
//!    Each step multiplies every coordinate's error by exactly 1 − 2·lr = 0.998, so after 5000
//!    steps 0.998⁵⁰⁰⁰ ≈ 4.5e-5 of the initial error [−3, 1, 9] is left: at most 4.05e-4 (on x₂).
//!    Asserted: the iterate equals that closed form (within 1e-12) and lies within 5e-4 of
//!    [5, 0, 1] in every coordinate.
//! 2. Himmelblau's function (x² + y − 11)² + (x + y² − 7)² from (0, 0), 50 steps of SGD and of
//!    SGD with momentum (PyTorch's heavy ball), lr 0.01, momentum 0.9, drawn over a log-scaled
//!    contour plot (`08_himmelblau.svg`); each end point is reported against the four minima.
//!    Asserted: SGD ends within 1e-5 of the minimum (3, 2); momentum overshoots that basin and
//!    ends nearest (3.584428, −1.848126) with f < 0.5.
//! 3. Rastrigin's function 20 + Σ (xᵢ² − 10 cos 2πxᵢ) in 2-D from (5, 4), 300 steps each of SGD
//!    (lr 0.001), SGD with momentum (lr 0.001, 0.9), Adagrad (lr 1) and Adam (lr 0.5); end points
//!    and values reported, trajectories drawn (`08_rastrigin.svg`). Asserted: every run ends at
//!    a local minimum (gradient norm ≤ 1e-3) no higher than the start; the small steps of SGD and
//!    momentum stay in the start's basin, Adagrad's and Adam's large ones reach lower ones.
//! 4. A soft-margin linear SVM: two Gaussian blobs (means ±(1.25, 1.25), unit variance, 512
//!    points each) for training and 1024 fresh points for testing, mean hinge loss of
//!    s = w·x + b against ±1, batch 32, SGD lr 0.1 with weight decay 0.01 (the ½λ‖θ‖² term of
//!    the SVM objective), 50 epochs. Asserted: the test accuracy is at least the Bayes rule's
//!    (sign(x₀ + x₁), the best any classifier does in expectation) on the same test points
//!    minus 0.01. The points, decision line and margins go to `08_svm.svg`.
//!
//! Every trajectory of parts 1–3 is also computed by a reference written here — each
//! optimiser's update rule as PyTorch documents it, on gradients from forward mode
//! (`diffprog::dual::gradient`) — and must agree with nn's within 1e-9; the tape's gradients are
//! checked against forward mode (1e-12) and central differences (`grad_check`, 1e-6) at the
//! start point and at each run's second iterate (at a minimum the gradient is too small for a
//! relative comparison).
//!
//! `--quick` (what `tests/lab_examples_a.rs` runs) draws the contours on a coarser grid and
//! trains the SVM for 15 epochs; it asserts the same figures.
//!
//! Run: `cargo run --release --example 08_optimisers [-- --quick] [--out DIR]` (default output
//! directory `target/examples-out/`).

use diffprog::nn::optim::{Adagrad, Adam, Momentum, Optimizer, Sgd};
use diffprog::nn::plot::{plot_contour_with_trajectories, ContourOptions, Trajectory};
use diffprog::nn::{grad_check, Graph, NodeId, Tensor};
use diffprog::prelude::Scalar;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

// Part 4, the SVM (the path works both for the example and when a test includes this file)
#[path = "08_optimisers/svm.rs"]
mod svm;

/// The checks of a run: what was asserted and whether it held.
#[derive(Clone, Debug, Default)]
pub struct Checks(pub Vec<(String, bool)>);

impl Checks {
    fn check(&mut self, what: String, ok: bool) {
        println!("  [{}] {what}", if ok { "ok" } else { "FAILED" });
        self.0.push((what, ok));
    }
    /// The checks that failed.
    pub fn failures(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(w, _)| w.as_str())
            .collect()
    }
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Every assertion made.
    pub checks: Checks,
    /// The SVM's test accuracy.
    pub svm_accuracy: f64,
    /// Its asserted lower bound (the Bayes rule's test accuracy − 0.01).
    pub svm_bound: f64,
}

/// The four minima of Himmelblau's function (value 0).
pub const HIMMELBLAU_MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805118, 3.131312],
    [-3.779310, -3.283186],
    [3.584428, -1.848126],
];

/// Himmelblau's function, generic (forward mode, plain f64).
fn himmelblau<T: Scalar>(x: &[T]) -> T {
    let a = x[0] * x[0] + x[1] - 11.0;
    let b = x[0] + x[1] * x[1] - 7.0;
    a * a + b * b
}

/// Rastrigin's function in any dimension, generic.
fn rastrigin<T: Scalar>(x: &[T]) -> T {
    let mut s = T::from_f64(10.0 * x.len() as f64);
    for &v in x {
        s += v * v - (v * (2.0 * PI)).cos() * 10.0;
    }
    s
}

/// Himmelblau's function of a `[2]` node, on the tape.
fn himmelblau_tape(g: &mut Graph<f64>, x: NodeId) -> NodeId {
    let x0 = g.slice(x, 0, 0, 1);
    let x1 = g.slice(x, 0, 1, 1);
    let x0s = g.square(x0);
    let x1s = g.square(x1);
    let a = g.add(x0s, x1);
    let a = g.add_scalar(a, -11.0);
    let b = g.add(x0, x1s);
    let b = g.add_scalar(b, -7.0);
    let a2 = g.square(a);
    let b2 = g.square(b);
    let s = g.add(a2, b2);
    g.sum(s)
}

/// Rastrigin's function of a node, on the tape.
fn rastrigin_tape(g: &mut Graph<f64>, x: NodeId) -> NodeId {
    let n = g.shape(x).numel();
    let sq = g.square(x);
    let angle = g.mul_scalar(x, 2.0 * PI);
    let c = g.cos(angle);
    let c10 = g.mul_scalar(c, 10.0);
    let terms = g.sub(sq, c10);
    let s = g.sum(terms);
    g.add_scalar(s, 10.0 * n as f64)
}

/// The quadratic of part 1, on the tape: Σ (xᵢ − cᵢ)², c = [5, 0, 1].
fn quadratic_tape(g: &mut Graph<f64>, x: NodeId) -> NodeId {
    let c = g.input(&QUADRATIC_MIN, &[3]);
    let d = g.sub(x, c);
    let s = g.square(d);
    g.sum(s)
}

const QUADRATIC_MIN: [f64; 3] = [5.0, 0.0, 1.0];

fn quadratic<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for (&v, &c) in x.iter().zip(&QUADRATIC_MIN) {
        let d = v - c;
        s += d * d;
    }
    s
}

/// An optimiser of the lab, as nn's type and as its documented update rule.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Sgd(f64),
    Momentum(f64, f64),
    Adagrad(f64),
    Adam(f64),
}

impl Rule {
    fn name(self) -> String {
        match self {
            Rule::Sgd(lr) => format!("SGD lr {lr}"),
            Rule::Momentum(lr, mu) => format!("SGD lr {lr} momentum {mu}"),
            Rule::Adagrad(lr) => format!("Adagrad lr {lr}"),
            Rule::Adam(lr) => format!("Adam lr {lr}"),
        }
    }

    fn optimiser(self) -> Box<dyn Optimizer<f64>> {
        match self {
            Rule::Sgd(lr) => Box::new(Sgd::new(lr, Momentum::None)),
            Rule::Momentum(lr, mu) => Box::new(Sgd::new(lr, Momentum::Torch(mu))),
            Rule::Adagrad(lr) => Box::new(Adagrad::new(lr)),
            Rule::Adam(lr) => Box::new(Adam::new(lr)),
        }
    }

    /// The trajectory by the update rule as PyTorch documents it, gradients by forward mode.
    fn reference(
        self,
        grad: impl Fn(&[f64]) -> Vec<f64>,
        start: &[f64],
        steps: usize,
    ) -> Vec<Vec<f64>> {
        let n = start.len();
        let mut x = start.to_vec();
        let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
        let mut path = vec![x.clone()];
        for t in 1..=steps {
            let g = grad(&x);
            for i in 0..n {
                match self {
                    Rule::Sgd(lr) => x[i] -= lr * g[i],
                    Rule::Momentum(lr, mu) => {
                        m[i] = mu * m[i] + g[i];
                        x[i] -= lr * m[i];
                    }
                    Rule::Adagrad(lr) => {
                        v[i] += g[i] * g[i];
                        x[i] -= lr * g[i] / (v[i].sqrt() + 1e-10);
                    }
                    Rule::Adam(lr) => {
                        m[i] = 0.9 * m[i] + 0.1 * g[i];
                        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                        let m_hat = m[i] / (1.0 - 0.9f64.powi(t as i32));
                        let v_hat = v[i] / (1.0 - 0.999f64.powi(t as i32));
                        x[i] -= lr * m_hat / (v_hat.sqrt() + 1e-8);
                    }
                }
            }
            path.push(x.clone());
        }
        path
    }
}

/// Minimises the tape function `f` from `start` with `rule`'s nn optimiser; the iterates.
fn descend(
    f: fn(&mut Graph<f64>, NodeId) -> NodeId,
    start: &[f64],
    rule: Rule,
    steps: usize,
) -> Vec<Vec<f64>> {
    let mut g = Graph::<f64>::new();
    let x = g
        .params_mut()
        .add("x", Tensor::from_vec(start.to_vec(), &[start.len()]));
    let mut opt = rule.optimiser();
    let mut path = vec![start.to_vec()];
    for _ in 0..steps {
        g.reset();
        let xn = g.param(x);
        let l = f(&mut g, xn);
        g.params_mut().zero_grad();
        g.backward(l);
        opt.step(g.params_mut());
        path.push(g.params().value(x).to_vec());
    }
    path
}

fn max_dev(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(p, q)| p.iter().zip(q).map(|(u, v)| (u - v).abs()))
        .fold(0.0, f64::max)
}

/// The tape's gradient of `f` at `x` against forward mode (relative 1e-12) and central
/// differences (1e-6).
fn check_tape_gradient(
    what: &str,
    f_tape: fn(&mut Graph<f64>, NodeId) -> NodeId,
    forward: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    checks: &mut Checks,
) {
    let mut g = Graph::<f64>::new();
    let xn = g.leaf(x, &[x.len()]);
    let l = f_tape(&mut g, xn);
    g.backward(l);
    let tape = g.grad(xn).unwrap().to_vec();
    let fwd = forward(x);
    let scale = fwd.iter().fold(1.0f64, |a, v| a.max(v.abs()));
    let dev = tape
        .iter()
        .zip(&fwd)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / scale;
    let fd = grad_check(f_tape, &Tensor::from_vec(x.to_vec(), &[x.len()]));
    checks.check(
        format!(
            "{what} gradient at {x:.4?}: tape vs forward mode {dev:.1e} (≤ 1e-12), vs central differences {:.1e} (≤ 1e-6)",
            fd.worst()
        ),
        dev <= 1e-12 && fd.passes(1e-6),
    );
}

fn nearest_minimum(p: &[f64]) -> (usize, f64) {
    HIMMELBLAU_MINIMA
        .iter()
        .enumerate()
        .map(|(i, m)| (i, ((p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2)).sqrt()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("four minima")
}

fn to_points(path: &[Vec<f64>]) -> Vec<[f64; 2]> {
    path.iter().map(|p| [p[0], p[1]]).collect()
}

fn part1_quadratic(checks: &mut Checks) {
    println!("\n== 1. (x₀ − 5)² + x₁² + (x₂ − 1)² from [2, 1, 10], SGD lr 0.001, 5000 steps ==");
    let (start, lr, steps) = ([2.0, 1.0, 10.0], 0.001, 5000);
    let path = descend(quadratic_tape, &start, Rule::Sgd(lr), steps);
    let end = path.last().unwrap();
    let reference =
        Rule::Sgd(lr).reference(|x| diffprog::dual::gradient(quadratic, x).1, &start, steps);
    let factor = (1.0 - 2.0 * lr).powi(steps as i32);
    let closed: Vec<f64> = (0..3)
        .map(|i| QUADRATIC_MIN[i] + (start[i] - QUADRATIC_MIN[i]) * factor)
        .collect();
    println!("end point {end:.6?}; closed form c + (x₀ − c)·0.998⁵⁰⁰⁰ = {closed:.6?}");
    let dev_closed = end
        .iter()
        .zip(&closed)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let err = end
        .iter()
        .zip(&QUADRATIC_MIN)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    checks.check(
        format!("the iterate equals its closed form within 1e-12 ({dev_closed:.1e}) and the forward-mode reference ({:.1e})", max_dev(&path, &reference)),
        dev_closed <= 1e-12 && max_dev(&path, &reference) <= 1e-12,
    );
    checks.check(
        format!("end point within 5e-4 of [5, 0, 1]: max error {err:.2e}"),
        err <= 5e-4,
    );
    check_tape_gradient(
        "quadratic",
        quadratic_tape,
        |x| diffprog::dual::gradient(quadratic, x).1,
        &start,
        checks,
    );
}

fn part2_himmelblau(quick: bool, out: &Path, checks: &mut Checks) {
    println!("\n== 2. Himmelblau's function from (0, 0), 50 steps, lr 0.01 ==");
    let start = [0.0, 0.0];
    let rules = [Rule::Sgd(0.01), Rule::Momentum(0.01, 0.9)];
    let mut paths = Vec::new();
    for rule in rules {
        let path = descend(himmelblau_tape, &start, rule, 50);
        let reference = rule.reference(|x| diffprog::dual::gradient(himmelblau, x).1, &start, 50);
        let end = path.last().unwrap().clone();
        let (k, d) = nearest_minimum(&end);
        let m = HIMMELBLAU_MINIMA[k];
        println!(
            "{:<26} end ({:.6}, {:.6}), f = {:.3e}; nearest minimum ({}, {}) at distance {d:.2e}",
            rule.name(),
            end[0],
            end[1],
            himmelblau(&end),
            m[0],
            m[1]
        );
        let distances: Vec<String> = HIMMELBLAU_MINIMA
            .iter()
            .map(|m| {
                format!(
                    "({}, {}): {:.3}",
                    m[0],
                    m[1],
                    (end[0] - m[0]).hypot(end[1] - m[1])
                )
            })
            .collect();
        println!(
            "{:<26} distances to the four minima: {}",
            "",
            distances.join(", ")
        );
        let dev = max_dev(&path, &reference);
        checks.check(
            format!(
                "{}: nn's trajectory vs the reference rule {dev:.1e} (≤ 1e-9)",
                rule.name()
            ),
            dev <= 1e-9,
        );
        check_tape_gradient(
            "Himmelblau",
            himmelblau_tape,
            |x| diffprog::dual::gradient(himmelblau, x).1,
            &path[2],
            checks,
        );
        paths.push((rule, path));
    }
    let sgd_end = paths[0].1.last().unwrap();
    let (k, d) = nearest_minimum(sgd_end);
    checks.check(
        format!("SGD ends within 1e-5 of the minimum (3, 2): distance {d:.2e}"),
        k == 0 && d <= 1e-5,
    );
    let mom_end = paths[1].1.last().unwrap();
    let (k, _) = nearest_minimum(mom_end);
    let f = himmelblau(mom_end);
    checks.check(
        format!("momentum ends nearest (3.584428, −1.848126) with f = {f:.3} < 0.5"),
        k == 3 && f < 0.5,
    );
    check_tape_gradient(
        "Himmelblau",
        himmelblau_tape,
        |x| diffprog::dual::gradient(himmelblau, x).1,
        &start,
        checks,
    );
    let points: Vec<(String, Vec<[f64; 2]>)> = paths
        .iter()
        .map(|(r, p)| (r.name(), to_points(p)))
        .collect();
    let trajectories: Vec<Trajectory> = points
        .iter()
        .map(|(n, p)| Trajectory {
            label: n,
            points: p,
        })
        .collect();
    let options = ContourOptions {
        markers: &HIMMELBLAU_MINIMA,
        resolution: if quick { 60 } else { 200 },
        ..ContourOptions::new(
            "Himmelblau's function (log-scaled levels)",
            (-5.0, 5.0),
            (-5.0, 5.0),
        )
    };
    draw(out.join("08_himmelblau.svg"), checks, |file| {
        plot_contour_with_trajectories(file, |x, y| himmelblau(&[x, y]), &options, &trajectories)
    });
}

fn part3_rastrigin(quick: bool, out: &Path, checks: &mut Checks) {
    println!("\n== 3. Rastrigin's function from (5, 4), 300 steps ==");
    let start = [5.0, 4.0];
    let f0 = rastrigin(&start);
    println!("start value f(5, 4) = {f0:.4}");
    let rules = [
        Rule::Sgd(0.001),
        Rule::Momentum(0.001, 0.9),
        Rule::Adagrad(1.0),
        Rule::Adam(0.5),
    ];
    check_tape_gradient(
        "Rastrigin",
        rastrigin_tape,
        |x| diffprog::dual::gradient(rastrigin, x).1,
        &start,
        checks,
    );
    let mut points = Vec::new();
    for rule in rules {
        let path = descend(rastrigin_tape, &start, rule, 300);
        let reference = rule.reference(|x| diffprog::dual::gradient(rastrigin, x).1, &start, 300);
        let end = path.last().unwrap().clone();
        let (f, grad) = diffprog::dual::gradient(rastrigin, &end);
        let gnorm = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        println!(
            "{:<26} end ({:.6}, {:.6}), f = {f:.4}, ‖∇f‖ = {gnorm:.1e}",
            rule.name(),
            end[0],
            end[1]
        );
        let dev = max_dev(&path, &reference);
        checks.check(
            format!("{}: ends at a local minimum no higher than the start (‖∇f‖ = {gnorm:.1e} ≤ 1e-3, f = {f:.4} ≤ {f0:.4}); vs the reference rule {dev:.1e} (≤ 1e-9)", rule.name()),
            gnorm <= 1e-3 && f <= f0 && dev <= 1e-9,
        );
        check_tape_gradient(
            "Rastrigin",
            rastrigin_tape,
            |x| diffprog::dual::gradient(rastrigin, x).1,
            &path[2],
            checks,
        );
        points.push((rule.name(), to_points(&path)));
    }
    let trajectories: Vec<Trajectory> = points
        .iter()
        .map(|(n, p)| Trajectory {
            label: n,
            points: p,
        })
        .collect();
    let options = ContourOptions {
        markers: &[[0.0, 0.0]],
        resolution: if quick { 80 } else { 240 },
        levels: 16,
        ..ContourOptions::new(
            "Rastrigin's function (log-scaled levels)",
            (-1.0, 6.0),
            (-1.0, 5.5),
        )
    };
    draw(out.join("08_rastrigin.svg"), checks, |file| {
        plot_contour_with_trajectories(file, |x, y| rastrigin(&[x, y]), &options, &trajectories)
    });
}

/// Draws a figure; a failure to write it is a failed check.
fn draw(
    file: PathBuf,
    checks: &mut Checks,
    plot: impl FnOnce(&Path) -> Result<(), diffprog::nn::plot::PlotError>,
) {
    match plot(&file) {
        Ok(()) => println!("figure written to {}", file.display()),
        Err(e) => checks.check(format!("drawing {}: {e}", file.display()), false),
    }
}

/// Runs the lab; SVGs go to `out` (created if needed).
pub fn run(quick: bool, out: &Path) -> Result<Outcome, String> {
    std::fs::create_dir_all(out)
        .map_err(|e| format!("cannot create the output directory {}: {e}", out.display()))?;
    let mut checks = Checks::default();
    part1_quadratic(&mut checks);
    part2_himmelblau(quick, out, &mut checks);
    part3_rastrigin(quick, out, &mut checks);
    let (svm_accuracy, svm_bound) = svm::part4_svm(quick, out, &mut checks);
    Ok(Outcome {
        checks,
        svm_accuracy,
        svm_bound,
    })
}

/// `--quick` and `--out DIR` (default `target/examples-out`).
pub fn parse_args() -> (bool, PathBuf) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("target/examples-out"), PathBuf::from);
    (quick, out)
}

#[allow(dead_code)]
fn main() {
    let (quick, out) = parse_args();
    let o = match run(quick, &out) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let failures = o.checks.failures();
    println!(
        "\n{} of {} checks hold",
        o.checks.0.len() - failures.len(),
        o.checks.0.len()
    );
    for f in &failures {
        eprintln!("FAILED: {f}");
    }
    println!("SVM test accuracy: {:.4}", o.svm_accuracy);
    if !failures.is_empty() || o.svm_accuracy < o.svm_bound {
        std::process::exit(1);
    }
}

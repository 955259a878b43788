//! `gmm`: the log-posterior of a Gaussian mixture model with a Wishart prior on the precision
//! matrices (ADBench's GMM with its three bugs fixed), and its gradient.
//!
//! The parameters are `alpha[k]` (log-weights), `mu[k][d]` (means), `q[k][d]` (the log-diagonal
//! of each component's precision factor Q) and `l[k][d(d−1)/2]` (Q's strictly lower triangle, column by
//! column: `Q[j][i] = l[i·d − i(i+1)/2 + j − i − 1]` for `i < j`). The objective, over the data
//! points `x[n][d]`, is
//!
//! ```text
//! −nd/2·ln 2π + Σᵢ logsumexpₖ(αₖ + Σⱼ qₖⱼ − ½‖Qₖ(xᵢ − μₖ)‖²) − n·logsumexp(α)
//!   + Σₖ (−½γ²(‖exp qₖ‖² + ‖lₖ‖²) + m Σⱼ qₖⱼ) + k·C(d, m, γ)
//! ```
//!
//! with the constant `C = n′d(ln γ − ½ ln 2) − ln Γ_d(n′/2)`, `n′ = d + m + 1` (not
//! differentiated: it does not depend on the parameters).
//!
//! The objective is written once, generic over [`Scalar`], with the library's
//! [`Scalar::sum_of`] over the data points, [`Scalar::dot`] for each row of `Qₖ(xᵢ − μₖ)` and
//! its squared norm, and [`Scalar::logsumexp`]: plain loops for `f64` and forward mode, and in
//! reverse mode primitives that keep the tape to one data point's records (the gradient has up
//! to 214 500 components, so reverse mode is the default; forward mode is listed for comparing
//! the modes on small workloads: it needs one pass per ten parameters).

use crate::gradbench::json::{self, finite, finite_list, finite_rows};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// The eval: reverse mode by default, forward mode for comparison on small workloads.
pub const EVAL: Eval = Eval {
    name: "gmm",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["objective", "jacobian"],
    workloads,
    prepare,
};

/// The data of one input: sizes, data points, the Wishart prior's parameters, and the
/// parameters at which to evaluate (flattened: `alpha`, `mu`, `q`, `l`).
#[derive(Clone, Debug)]
pub struct Problem {
    /// Dimension of the data points.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of data points.
    pub n: usize,
    /// The data points, row-major `n × d`.
    pub x: Vec<f64>,
    /// The Wishart prior's extra degrees of freedom.
    pub m: f64,
    /// The Wishart prior's precision.
    pub gamma: f64,
    /// The parameters: `alpha[k]`, `mu[k·d]`, `q[k·d]`, `l[k·d(d−1)/2]`.
    pub theta: Vec<f64>,
}

impl Problem {
    /// Reads an input of the eval.
    pub fn from_json(input: &Value) -> Result<Problem, String> {
        let (d, k, n) = (
            json::count(input, "d")?,
            json::count(input, "k")?,
            json::count(input, "n")?,
        );
        let ld = d * d.saturating_sub(1) / 2;
        let (x, xc) = json::matrix(input, "x")?;
        let alpha = json::vector(input, "alpha")?;
        let (mu, muc) = json::matrix(input, "mu")?;
        let (q, qc) = json::matrix(input, "q")?;
        let (l, lc) = json::matrix(input, "l")?;
        let shape = |what: &str, len: usize, cols: usize, rows: usize, want: usize| {
            if len == rows * want && (cols == want || len == 0) {
                Ok(())
            } else {
                Err(format!(
                    "`{what}` must be {rows} × {want} for d = {d}, k = {k}, n = {n}"
                ))
            }
        };
        shape("x", x.len(), xc, n, d)?;
        shape("mu", mu.len(), muc, k, d)?;
        shape("q", q.len(), qc, k, d)?;
        shape("l", l.len(), lc, k, ld)?;
        if alpha.len() != k {
            return Err(format!("`alpha` must have k = {k} numbers"));
        }
        let theta = [alpha, mu, q, l].concat();
        Ok(Problem {
            d,
            k,
            n,
            x,
            m: json::number(input, "m")?,
            gamma: json::number(input, "gamma")?,
            theta,
        })
    }

    /// The number of parameters, `k(1 + 2d + d(d−1)/2)`.
    pub fn parameters(&self) -> usize {
        self.k * (1 + 2 * self.d + self.d * (self.d - 1) / 2)
    }
}

/// ln Γ_p(a), the multivariate gamma function's logarithm: `p(p−1)/4·ln π + Σⱼ ln Γ(a + (1−j)/2)`.
fn log_multigamma(a: f64, p: usize) -> f64 {
    let pf = p as f64;
    0.25 * pf * (pf - 1.0) * std::f64::consts::PI.ln()
        + (1..=p)
            .map(|j| libm::lgamma(a + 0.5 * (1.0 - j as f64)))
            .sum::<f64>()
}

/// The log-posterior at the parameters `theta` (`alpha`, `mu`, `q`, `l` flattened), written once
/// for every number type.
pub fn objective<T: Scalar>(p: &Problem, theta: &[T]) -> T {
    let (d, k, n) = (p.d, p.k, p.n);
    let ld = d * d.saturating_sub(1) / 2;
    let (alpha, rest) = theta.split_at(k);
    let (mu, rest) = rest.split_at(k * d);
    let (q, l) = rest.split_at(k * d);

    // Per component: Q's rows, row j = [Q[j][0], …, Q[j][j−1], exp q[j]] (the diagonal last, so
    // that row j times (x − μ)[0..=j] is (Q(x − μ))[j]), and Σⱼ qⱼ.
    let mut rows: Vec<Vec<Vec<T>>> = Vec::with_capacity(k);
    let mut sum_q = Vec::with_capacity(k);
    for c in 0..k {
        let (qc, lc) = (&q[c * d..(c + 1) * d], &l[c * ld..(c + 1) * ld]);
        let mut qrows: Vec<Vec<T>> = (0..d).map(|j| Vec::with_capacity(j + 1)).collect();
        let mut index = 0;
        for i in 0..d {
            for row in qrows.iter_mut().skip(i + 1) {
                row.push(lc[index]);
                index += 1;
            }
        }
        for (row, &qj) in qrows.iter_mut().zip(qc) {
            row.push(qj.exp());
        }
        rows.push(qrows);
        sum_q.push(qc.iter().fold(T::zero(), |s, &v| s + v));
    }

    // Qₖμₖ, once per component: Qₖ(xᵢ − μₖ) = Qₖxᵢ − Qₖμₖ, where the data xᵢ are constants.
    let q_mu: Vec<Vec<T>> = (0..k)
        .map(|c| {
            let m = &mu[c * d..(c + 1) * d];
            (0..d).map(|j| T::dot(&rows[c][j], &m[..=j])).collect()
        })
        .collect();

    // Σᵢ logsumexpₖ(αₖ + Σqₖ − ½‖Qₖ(xᵢ − μₖ)‖²), one data point per term.
    let (mut x, mut qx, mut main) = (vec![T::zero(); d], vec![T::zero(); d], vec![T::zero(); k]);
    let data = T::sum_of(n, |i| {
        for (v, &xi) in x.iter_mut().zip(&p.x[i * d..(i + 1) * d]) {
            *v = T::constant(xi);
        }
        for c in 0..k {
            for (j, out) in qx.iter_mut().enumerate() {
                *out = T::dot(&rows[c][j], &x[..=j]) - q_mu[c][j];
            }
            main[c] = alpha[c] + sum_q[c] - T::dot(&qx, &qx) * 0.5;
        }
        T::logsumexp(&main)
    });

    // The Wishart prior.
    let dof = d as f64 + p.m + 1.0;
    let c = dof * d as f64 * (p.gamma.ln() - 0.5 * 2f64.ln()) - log_multigamma(0.5 * dof, d);
    let mut prior = T::zero();
    for comp in 0..k {
        let qd: Vec<T> = q[comp * d..(comp + 1) * d]
            .iter()
            .map(|v| v.exp())
            .collect();
        let lc = &l[comp * ld..(comp + 1) * ld];
        let frobenius = T::dot(&qd, &qd) + T::dot(lc, lc);
        prior += frobenius * (0.5 * p.gamma * p.gamma) - sum_q[comp] * p.m;
    }
    let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    data - T::logsumexp(alpha) * n as f64 - prior + (constant + k as f64 * c)
}

/// The gradient of [`objective`] in `mode` (flattened as the parameters).
pub fn gradient(p: &Problem, mode: Mode) -> Vec<f64> {
    match mode {
        Mode::Forward => diffprog_dual::gradient(|t| objective(p, t), &p.theta).1,
        _ => diffprog_reverse::gradient(|t| objective(p, t), &p.theta).1,
    }
}

struct Gmm {
    problem: Problem,
    jacobian: bool,
    mode: Mode,
    value: f64,
    grad: Vec<f64>,
}

impl Workload for Gmm {
    fn run(&mut self) {
        let p = std::hint::black_box(&self.problem);
        if self.jacobian {
            self.grad = gradient(p, self.mode);
        } else {
            self.value = objective(p, &p.theta);
        }
    }

    fn output(&self) -> Result<Value, String> {
        if !self.jacobian {
            return finite(self.value, "the objective");
        }
        let (d, k) = (self.problem.d, self.problem.k);
        let ld = d * d.saturating_sub(1) / 2;
        let g = &self.grad;
        let (alpha, rest) = g.split_at(k);
        let (mu, rest) = rest.split_at(k * d);
        let (q, l) = rest.split_at(k * d);
        let rows = |xs: &[f64], cols: usize, what: &str| {
            if cols == 0 {
                Ok(Value::Array(vec![Value::Array(Vec::new()); k]))
            } else {
                finite_rows(xs, cols, what)
            }
        };
        Ok(json::object([
            ("alpha", finite_list(alpha, "alpha")?),
            ("mu", rows(mu, d, "mu")?),
            ("q", rows(q, d, "q")?),
            ("l", rows(l, ld, "l")?),
        ]))
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let jacobian = match function {
        "objective" => false,
        "jacobian" => true,
        other => return Err(unknown_function("gmm", other, EVAL.functions)),
    };
    Ok(Box::new(Gmm {
        problem: Problem::from_json(input)?,
        jacobian,
        mode,
        value: f64::NAN,
        grad: Vec::new(),
    }))
}

/// A standard normal sample (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// An input of the eval's shape (`generate` of its `run.py`: x, q, l, alpha standard normal,
/// mu uniform on [0, 1), m = 0, γ = 1), from a seeded generator.
pub fn input(d: usize, k: usize, n: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = |count: usize, len: usize, uniform: bool| -> Vec<Vec<f64>> {
        (0..count)
            .map(|_| {
                (0..len)
                    .map(|_| {
                        if uniform {
                            rng.random::<f64>()
                        } else {
                            normal(&mut rng)
                        }
                    })
                    .collect()
            })
            .collect()
    };
    let x = rows(n, d, false);
    let mu = rows(k, d, true);
    let q = rows(k, d, false);
    let l = rows(k, d * (d - 1) / 2, false);
    let alpha = rows(1, k, false).remove(0);
    serde_json::json!({
        "d": d, "k": k, "n": n, "x": x, "m": 0, "gamma": 1.0,
        "mu": mu, "q": q, "l": l, "alpha": alpha,
    })
}

/// The eval's default workloads: d ∈ {2, 10, 20, 32, 64} × k ∈ {5, 10, 25, 50, 100}, n = 1000,
/// ordered by d·k as the eval orders them.
fn workloads() -> Vec<(String, Value)> {
    let mut pairs: Vec<(usize, usize)> = [2, 10, 20, 32, 64]
        .into_iter()
        .flat_map(|d| [5, 10, 25, 50, 100].into_iter().map(move |k| (d, k)))
        .collect();
    pairs.sort_by_key(|&(d, k)| d * k);
    pairs
        .into_iter()
        .map(|(d, k)| (format!("d={d} k={k} n=1000"), input(d, k, 1000, 31337)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Problem {
        let mut p = Problem::from_json(&input(4, 3, 20, 7)).unwrap();
        p.m = 2.0;
        p.gamma = 0.7;
        p
    }

    #[test]
    fn reverse_matches_forward_and_central_differences() {
        let p = small();
        assert_eq!(p.theta.len(), p.parameters());
        let reverse = gradient(&p, Mode::Reverse);
        let forward = gradient(&p, Mode::Forward);
        for (i, (&r, &f)) in reverse.iter().zip(&forward).enumerate() {
            assert!(
                (r - f).abs() <= 1e-9 * (1.0 + f.abs()),
                "{i}: reverse {r}, forward {f}"
            );
            let h = 1e-6;
            let (mut up, mut down) = (p.theta.clone(), p.theta.clone());
            up[i] += h;
            down[i] -= h;
            let central = (objective(&p, &up) - objective(&p, &down)) / (2.0 * h);
            assert!(
                (r - central).abs() <= 1e-5 * (1.0 + r.abs()),
                "{i}: {r} vs central {central}"
            );
        }
    }

    #[test]
    fn the_objective_is_the_log_posterior() {
        // d = 1, k = 1: a normal log-density with precision exp(2q) and a Wishart (gamma
        // distribution) prior on the precision, written directly.
        let (x, mu, q, alpha) = ([0.3, -1.1, 0.8], 0.2, 0.4_f64, 0.9);
        let input = serde_json::json!({"d": 1, "k": 1, "n": 3, "x": [[x[0]], [x[1]], [x[2]]],
            "m": 0, "gamma": 1.0, "alpha": [alpha], "mu": [[mu]], "q": [[q]], "l": [[]]});
        let p = Problem::from_json(&input).unwrap();
        let s = q.exp();
        let likelihood: f64 = x
            .iter()
            .map(|xi| -0.5 * (2.0 * std::f64::consts::PI).ln() + q - 0.5 * (s * (xi - mu)).powi(2))
            .sum();
        // Wishart with p = 1, n′ = 2, V = 1: density of Λ = s² is exp(−Λ/2) / (2·Γ(1)).
        let prior = -0.5 * s * s - 2f64.ln();
        let value = objective(&p, &p.theta);
        assert!(
            (value - (likelihood + prior)).abs() < 1e-12,
            "{value} vs {}",
            likelihood + prior
        );
    }
}

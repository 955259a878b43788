//! `kmeans`: the k-means cost Σᵢ minⱼ ‖Cⱼ − Pᵢ‖² of n points for k centroids in d dimensions
//! (`cost`), and one Newton step's direction `dir` = ∇f ⊘ diag(∇²f) with respect to the
//! centroids (k × d): a second-order derivative.
//!
//! The cost is a sum over points of the squared distance to the nearest centroid, so each
//! centroid coordinate appears only in squares of its own: the Hessian is diagonal, and H·1 (the
//! Hessian times the all-ones vector) is its diagonal. The derivative is therefore the gradient
//! and one Hessian–vector product with v = 1, in one mode of the library:
//!
//! - `mixed` (default): forward over reverse, `diffprog_reverse::hessian_vector_product`, one
//!   recording on a tape of dual numbers gives ∇f and H·1 together;
//! - `reverse`: reverse over reverse, the gradient of 1ᵀ∇f (= H·1, H being symmetric), the inner
//!   gradient by `diffprog_reverse::gradient_at` on a tape of `Var`s;
//! - `forward`: forward over forward, `diffprog_dual::gradient_at` on `Dual` numbers seeded
//!   with the direction 1: ⌈kd / 10⌉ passes, so slow at the large sizes (a comparison, not a
//!   contender).
//!
//! The unit tests check that H·1 is the diagonal here with the exact
//! `diffprog_reverse::hessian_diagonal`.
//!
//! The nearest centroid of each point is a discrete choice: the objective finds it on the
//! centroids' values (comparisons carry no derivative, as `min` would not either, its
//! derivative being that of the selected term) and then adds that centroid's squared distance
//! in the number type `T`. The derivative is that of Σᵢ minⱼ (ties aside, where `min` splits
//! its derivative and the search takes the first), and the differentiated work is the n·d
//! operations of the selected terms rather than all n·k·d.

use crate::gradbench::json::{finite, finite_rows, matrix};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::{Dual, Scalar};
use diffprog_reverse::Var;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// The eval.
pub const EVAL: Eval = Eval {
    name: "kmeans",
    modes: &[Mode::Mixed, Mode::Reverse, Mode::Forward],
    functions: &["cost", "dir"],
    workloads,
    prepare,
};

/// The eval's default sizes, k ∈ {10, 100, 1000} × n ∈ {1000, 10000} × d ∈ {8, 16}, in its
/// order; points uniform in [0, 1) (seeded), the centroids the last k points (as the eval: no
/// cluster is empty).
fn workloads() -> Vec<(String, Value)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31337);
    let mut out = Vec::new();
    for k in [10, 100, 1000] {
        for n in [1000, 10000] {
            for d in [8, 16] {
                let points: Vec<Vec<f64>> = (0..n)
                    .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
                    .collect();
                let centroids = points[n - k..].to_vec();
                out.push((
                    format!("k={k},n={n},d={d}"),
                    serde_json::json!({"points": points, "centroids": centroids}),
                ));
            }
        }
    }
    out
}

/// The k-means cost: for each of the points (n × d, row-major) the squared distance to the
/// nearest of the centroids (k × d, row-major), summed.
///
/// The nearest centroid is found on the centroids' values, with the coordinates transposed so
/// that one point's k distances are accumulated side by side (the loop over centroids
/// vectorises); each distance is summed over the coordinates in order, as the plain formula
/// does. Ties go to the first centroid.
pub fn cost<T: Scalar>(points: &[f64], centroids: &[T], d: usize) -> T {
    let k = centroids.len() / d;
    // transposed[l·k + j] = coordinate l of centroid j
    let mut transposed = vec![0.0; k * d];
    for (j, c) in centroids.chunks_exact(d).enumerate() {
        for (l, x) in c.iter().enumerate() {
            transposed[l * k + j] = x.value();
        }
    }
    let mut distances = vec![0.0; k];
    let mut total = T::zero();
    for p in points.chunks_exact(d) {
        distances.fill(0.0);
        for (&pl, column) in p.iter().zip(transposed.chunks_exact(k)) {
            for (s, &c) in distances.iter_mut().zip(column) {
                let t = c - pl;
                *s += t * t;
            }
        }
        let mut nearest = 0;
        for (j, &s) in distances.iter().enumerate() {
            if s < distances[nearest] {
                nearest = j;
            }
        }
        let c = &centroids[nearest * d..(nearest + 1) * d];
        let mut s = T::zero();
        for (&cl, &pl) in c.iter().zip(p) {
            let t = cl - pl;
            s += t * t;
        }
        total += s;
    }
    total
}

/// The gradient ∇f and H·1 (the Hessian's diagonal, the Hessian being diagonal) of the cost in
/// the centroids, in `mode`.
pub fn gradient_and_hessian_ones(
    points: &[f64],
    centroids: &[f64],
    d: usize,
    mode: Mode,
) -> (Vec<f64>, Vec<f64>) {
    let n = centroids.len();
    match mode {
        Mode::Forward => {
            let seeded: Vec<Dual<f64>> = centroids.iter().map(|&c| Dual::new(c, 1.0)).collect();
            let (_, g) =
                diffprog_dual::gradient_at::<Dual<f64>, 10>(|c| cost(points, c, d), &seeded);
            (
                g.iter().map(|x| x.re).collect(),
                g.iter().map(|x| x.eps).collect(),
            )
        }
        Mode::Reverse => {
            let mut grad = vec![0.0; n];
            let (_, hv) = diffprog_reverse::gradient(
                |c: &[Var]| {
                    let (_, g) =
                        diffprog_reverse::gradient_at(|c: &[Var<Var>]| cost(points, c, d), c);
                    for (out, gi) in grad.iter_mut().zip(&g) {
                        *out = gi.value();
                    }
                    g.into_iter().sum::<Var>()
                },
                centroids,
            );
            (grad, hv)
        }
        Mode::Hyperdual => unreachable!("kmeans has no hyperdual form (prepare refuses it)"),
        Mode::Mixed => {
            let ones = vec![1.0; n];
            let (_, g, hv) =
                diffprog_reverse::hessian_vector_product(|c| cost(points, c, d), centroids, &ones);
            (g, hv)
        }
    }
}

/// `dir`: the gradient divided elementwise by the Hessian's diagonal (k × d, row-major).
pub fn dir(points: &[f64], centroids: &[f64], d: usize, mode: Mode) -> Vec<f64> {
    let (g, h) = gradient_and_hessian_ones(points, centroids, d, mode);
    g.iter().zip(&h).map(|(g, h)| g / h).collect()
}

struct Kmeans {
    points: Vec<f64>,
    centroids: Vec<f64>,
    d: usize,
    derivative: bool,
    mode: Mode,
    cost: f64,
    dir: Vec<f64>,
}

impl Workload for Kmeans {
    fn run(&mut self) {
        let (points, centroids) = (std::hint::black_box(&self.points), &self.centroids);
        if self.derivative {
            self.dir = dir(points, centroids, self.d, self.mode);
        } else {
            self.cost = cost(points, centroids, self.d);
        }
    }
    fn output(&self) -> Result<Value, String> {
        if self.derivative {
            finite_rows(&self.dir, self.d, "dir")
        } else {
            finite(self.cost, "the cost")
        }
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    if !EVAL.modes.contains(&mode) {
        return Err(EVAL.mode(Some(mode)).unwrap_err());
    }
    let derivative = match function {
        "cost" => false,
        "dir" => true,
        other => return Err(unknown_function("kmeans", other, EVAL.functions)),
    };
    let (points, d) = matrix(input, "points")?;
    let (centroids, dc) = matrix(input, "centroids")?;
    if centroids.is_empty() || d == 0 || dc != d {
        return Err(format!(
            "kmeans needs at least one centroid and points and centroids of the same positive \
             dimension, got {d} and {dc}"
        ));
    }
    Ok(Box::new(Kmeans {
        points,
        centroids,
        d,
        derivative,
        mode,
        cost: f64::NAN,
        dir: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small problem: n points, the centroids the last k of them.
    fn problem(n: usize, k: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let points: Vec<f64> = (0..n * d).map(|_| rng.random::<f64>()).collect();
        let centroids = points[(n - k) * d..].to_vec();
        (points, centroids)
    }

    /// The cost as the plain formula: Σᵢ minⱼ over every distance, in T.
    fn plain_cost<T: Scalar>(points: &[f64], centroids: &[T], d: usize) -> T {
        let mut total = T::zero();
        for p in points.chunks_exact(d) {
            let mut best: Option<T> = None;
            for c in centroids.chunks_exact(d) {
                let s: T = c
                    .iter()
                    .zip(p)
                    .map(|(&cl, &pl)| (cl - pl) * (cl - pl))
                    .sum();
                best = Some(best.map_or(s, |b| b.min(s)));
            }
            total += best.unwrap();
        }
        total
    }

    #[test]
    fn cost_is_the_plain_formula() {
        let (points, centroids) = problem(60, 5, 3);
        let ours = cost(&points, &centroids, 3);
        let plain = plain_cost(&points, &centroids, 3);
        assert!((ours - plain).abs() < 1e-12 * plain, "{ours} vs {plain}");
        let (_, g_plain) = diffprog_reverse::gradient(|c| plain_cost(&points, c, 3), &centroids);
        let (_, g) = diffprog_reverse::gradient(|c| cost(&points, c, 3), &centroids);
        for (a, b) in g.iter().zip(&g_plain) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    /// Every mode gives the same gradient and H·1; H·1 is the exact Hessian diagonal
    /// (`hessian_diagonal`), the Hessian is diagonal (forward over forward), and both match
    /// central differences.
    #[test]
    fn modes_agree_with_the_exact_diagonal_and_central_differences() {
        let (points, centroids) = problem(50, 4, 3);
        let (g, h) = gradient_and_hessian_ones(&points, &centroids, 3, Mode::Mixed);
        for mode in [Mode::Reverse, Mode::Forward] {
            let (g2, h2) = gradient_and_hessian_ones(&points, &centroids, 3, mode);
            for i in 0..g.len() {
                assert!((g[i] - g2[i]).abs() < 1e-12, "{mode} gradient {i}");
                assert!((h[i] - h2[i]).abs() < 1e-12, "{mode} H·1 {i}");
            }
        }
        let (_, _, diag) = diffprog_reverse::hessian_diagonal(|c| cost(&points, c, 3), &centroids);
        let (_, _, full) = diffprog_hyperdual::hessian(|c| cost(&points, c, 3), &centroids);
        for i in 0..g.len() {
            assert!((h[i] - diag[i]).abs() < 1e-12, "H·1 is the diagonal at {i}");
            for j in (0..g.len()).filter(|&j| j != i) {
                assert_eq!(full[(i, j)], 0.0, "the Hessian is diagonal");
            }
        }
        // Central differences (the cost is quadratic between changes of assignment, which a
        // small step does not cross).
        let step = 1e-6;
        let at = |i: usize, t: f64| {
            let mut c = centroids.clone();
            c[i] += t;
            c
        };
        for i in 0..g.len() {
            let fd =
                (cost(&points, &at(i, step), 3) - cost(&points, &at(i, -step), 3)) / (2.0 * step);
            assert!(
                (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "gradient {i}: {} vs {fd}",
                g[i]
            );
            let grad_at = |t| diffprog_reverse::gradient(|c| cost(&points, c, 3), at(i, t)).1[i];
            let fd2 = (grad_at(step) - grad_at(-step)) / (2.0 * step);
            assert!(
                (h[i] - fd2).abs() < 1e-6 * (1.0 + fd2.abs()),
                "H {i}: {} vs {fd2}",
                h[i]
            );
        }
    }
}

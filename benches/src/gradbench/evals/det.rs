//! `det`: the determinant of an ℓ × ℓ matrix by expansion by minors (cmpad's `det_of_minor`,
//! O(ℓ!) work) (`primal`) and its gradient with respect to the ℓ² entries (`gradient`).

use crate::gradbench::json::{count, vector};
use crate::gradbench::scalar_workload::ScalarWorkload;
use crate::gradbench::{Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// The eval: reverse mode (one recording) by default, forward mode (ℓ² directions in chunks) for
/// comparison.
pub const EVAL: Eval = Eval {
    name: "det",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["primal", "gradient"],
    workloads,
    prepare,
};

/// The eval's default sizes: ℓ = 5…11, entries uniform in [0, 1).
fn workloads() -> Vec<(String, Value)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31337);
    (5..=11)
        .map(|ell: usize| {
            let a: Vec<f64> = (0..ell * ell).map(|_| rng.random::<f64>()).collect();
            (format!("ell={ell}"), json!({ "A": a, "ell": ell }))
        })
        .collect()
}

/// The determinant of the `m × m` minor of the `n × n` row-major matrix `a` whose rows are
/// `r[n], r[r[n]], …` and columns `c[n], c[c[n]], …` (linked lists through `r` and `c`, so that
/// removing a row or column is one assignment), expanded along its first row.
fn det_of_minor<T: Scalar>(a: &[T], n: usize, m: usize, r: &mut [usize], c: &mut [usize]) -> T {
    let row = r[n];
    let mut column = c[n];
    if m == 1 {
        return a[row * n + column];
    }
    // The sub-minors leave out this row.
    r[n] = r[row];
    let mut det = T::zero();
    let mut previous = n;
    for j in 0..m {
        // Leave out this column, expand, put it back.
        c[previous] = c[column];
        let sub = det_of_minor(a, n, m - 1, r, c);
        c[previous] = column;
        let term = a[row * n + column] * sub;
        if j % 2 == 0 {
            det += term;
        } else {
            det -= term;
        }
        previous = column;
        column = c[column];
    }
    r[n] = row;
    det
}

/// The determinant of the `ell × ell` row-major matrix `a` by expansion by minors. Written once
/// for every number type.
///
/// # Panics
/// If `a.len() != ell * ell` or `ell == 0`.
pub fn det<T: Scalar>(a: &[T], ell: usize) -> T {
    assert_eq!(a.len(), ell * ell, "det: A must hold ell² entries");
    assert!(ell > 0, "det: the matrix must not be empty");
    let mut r: Vec<usize> = (1..=ell).chain([0]).collect();
    let mut c = r.clone();
    det_of_minor(a, ell, ell, &mut r, &mut c)
}

/// The gradient of [`det`] with respect to the entries, in `mode`, written into `grad`; returns
/// the determinant.
pub fn gradient(a: &[f64], ell: usize, mode: Mode, grad: &mut [f64]) -> f64 {
    match mode {
        Mode::Reverse => diffprog_reverse::gradient_into(|v| det(v, ell), a, grad),
        Mode::Forward => {
            let (value, g) = diffprog_dual::gradient(|v| det(v, ell), a);
            grad.copy_from_slice(&g);
            value
        }
        other => unreachable!("det has no {other} form"),
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let a = vector(input, "A")?;
    let ell = count(input, "ell")?;
    if ell == 0 || a.len() != ell * ell {
        return Err(format!(
            "`A` must hold ell² = {} entries (ell ≥ 1), it holds {}",
            ell * ell,
            a.len()
        ));
    }
    let n = a.len();
    ScalarWorkload::prepare(
        "det",
        EVAL.functions,
        function,
        (a, ell),
        n,
        mode,
        |(a, ell)| det(a, *ell),
        |(a, ell), mode, grad| gradient(a, *ell, mode, grad),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ell: usize) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        (0..ell * ell)
            .map(|_| rng.random::<f64>() * 2.0 - 1.0)
            .collect()
    }

    #[test]
    fn small_determinants() {
        assert_eq!(det(&[3.0], 1), 3.0);
        assert_eq!(det(&[1.0, 2.0, 3.0, 4.0], 2), -2.0);
        let a = [2.0, 0.0, 1.0, 1.0, 3.0, 2.0, 1.0, 1.0, 1.0];
        assert_eq!(det(&a, 3), 2.0 * 1.0 - 0.0 + 1.0 * (1.0 - 3.0));
    }

    #[test]
    fn modes_agree_with_each_other_the_cofactors_and_central_differences() {
        let ell = 5;
        let a = sample(ell);
        let mut reverse = vec![0.0; a.len()];
        let mut forward = vec![0.0; a.len()];
        let vr = gradient(&a, ell, Mode::Reverse, &mut reverse);
        let vf = gradient(&a, ell, Mode::Forward, &mut forward);
        assert_eq!(vf, det(&a, ell));
        assert!((vr - vf).abs() < 1e-14);
        let h = 1e-6;
        for k in 0..a.len() {
            assert!((reverse[k] - forward[k]).abs() < 1e-13, "A[{k}]");
            let (mut up, mut down) = (a.clone(), a.clone());
            up[k] += h;
            down[k] -= h;
            let fd = (det(&up, ell) - det(&down, ell)) / (2.0 * h);
            assert!(
                (reverse[k] - fd).abs() < 1e-8,
                "A[{k}]: {} vs {fd}",
                reverse[k]
            );
        }
        // ∂det/∂A = det(A)·A⁻ᵀ: Σₖ A[i][k]·∂det/∂A[j][k] = det·δᵢⱼ.
        for i in 0..ell {
            for j in 0..ell {
                let s: f64 = (0..ell)
                    .map(|k| a[i * ell + k] * reverse[j * ell + k])
                    .sum();
                let want = if i == j { vr } else { 0.0 };
                assert!((s - want).abs() < 1e-12, "({i}, {j})");
            }
        }
    }
}

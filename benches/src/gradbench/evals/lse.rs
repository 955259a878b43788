//! `lse`: log-sum-exp, `log Σᵢ exp xᵢ`, computed stably with the max trick (`primal`), and its
//! gradient, the softmax of `x` (`gradient`). The eval asks that it be built from primitives
//! (max, exp, sum, log), not taken from a library's `logsumexp`; [`lse`] is written so.

use crate::gradbench::json::vector;
use crate::gradbench::scalar_workload::ScalarWorkload;
use crate::gradbench::{Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// The eval: reverse mode (one sweep for the n-long gradient) by default; forward mode in chunks
/// also answers (n passes of [`GRADIENT_CHUNK`](diffprog_dual::GRADIENT_CHUNK) tangents: only for
/// comparison, it is quadratic in n).
pub const EVAL: Eval = Eval {
    name: "lse",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["primal", "gradient"],
    workloads,
    prepare,
};

/// The eval's default sizes: n = 2500·2ᵏ, k = 0…9, x uniform in [0, 1).
fn workloads() -> Vec<(String, Value)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31337);
    (0..10)
        .map(|k| {
            let n = 2500usize << k;
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
            (format!("n={n}"), json!({ "x": x }))
        })
        .collect()
}

/// log Σᵢ exp xᵢ by the max trick: `A + log Σᵢ exp(xᵢ − A)` with `A = maxᵢ xᵢ`, so that no
/// exponential overflows. Written once for every number type.
///
/// # Panics
/// If `x` is empty.
pub fn lse<T: Scalar>(x: &[T]) -> T {
    let mut a = x[0];
    for &xi in &x[1..] {
        a = a.max(xi);
    }
    let mut s = T::zero();
    for &xi in x {
        s += (xi - a).exp();
    }
    s.ln() + a
}

/// The gradient of [`lse`] at `x` in `mode`, written into `grad`; returns the value.
pub fn gradient(x: &[f64], mode: Mode, grad: &mut [f64]) -> f64 {
    match mode {
        Mode::Reverse => diffprog_reverse::gradient_into(lse, x, grad),
        Mode::Forward => {
            let (value, g) = diffprog_dual::gradient(lse, x);
            grad.copy_from_slice(&g);
            value
        }
        other => unreachable!("lse has no {other} form"),
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let x = vector(input, "x")?;
    if x.is_empty() {
        return Err("`x` must hold at least one number".into());
    }
    let n = x.len();
    ScalarWorkload::prepare(
        "lse",
        EVAL.functions,
        function,
        x,
        n,
        mode,
        |x| lse(x),
        |x, mode, grad| gradient(x, mode, grad),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        (0..n).map(|_| rng.random::<f64>() * 4.0 - 2.0).collect()
    }

    #[test]
    fn the_gradient_is_the_softmax_in_every_mode() {
        let x = sample(37);
        let z: f64 = x.iter().map(|v| v.exp()).sum();
        for &mode in EVAL.modes {
            let mut g = vec![0.0; x.len()];
            let value = gradient(&x, mode, &mut g);
            assert!((value - z.ln()).abs() < 1e-14, "{mode}");
            for (gi, xi) in g.iter().zip(&x) {
                assert!((gi - xi.exp() / z).abs() < 1e-15, "{mode}");
            }
        }
    }

    #[test]
    fn modes_agree_with_central_differences() {
        let x = sample(12);
        let mut g = vec![0.0; x.len()];
        gradient(&x, Mode::Reverse, &mut g);
        let h = 1e-6;
        for i in 0..x.len() {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (lse(&up) - lse(&down)) / (2.0 * h);
            assert!((g[i] - fd).abs() < 1e-8, "x[{i}]: {} vs {fd}", g[i]);
        }
    }

    #[test]
    fn large_values_do_not_overflow() {
        let x = [1000.0, 999.0, -1000.0];
        let mut g = [0.0; 3];
        let value = gradient(&x, Mode::Reverse, &mut g);
        assert!((value - (1000.0 + (1.0 + (-1.0f64).exp()).ln())).abs() < 1e-12);
        assert!(g.iter().all(|v| v.is_finite()));
        assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
}

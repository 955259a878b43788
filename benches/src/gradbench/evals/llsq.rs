//! `llsq`: the linear least-squares objective of cmpad,
//! `y(x) = ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)²` with `tᵢ = −1 + 2i/(n − 1)` and `sᵢ = sign(tᵢ)` (`primal`),
//! and its gradient with respect to the m coefficients `x` (`gradient`).

use crate::gradbench::json::{count, vector};
use crate::gradbench::scalar_workload::ScalarWorkload;
use crate::gradbench::{Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// The eval: reverse mode (one sweep for the m = 128 coefficients) by default, forward mode (the
/// m directions in chunks) for comparison.
pub const EVAL: Eval = Eval {
    name: "llsq",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["primal", "gradient"],
    workloads,
    prepare,
};

/// The eval's default sizes: m = 128 and n from 16 to 16 392, x uniform in [0, 1).
fn workloads() -> Vec<(String, Value)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31337);
    let m = 128;
    [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8196, 16392]
        .into_iter()
        .map(|n| {
            let x: Vec<f64> = (0..m).map(|_| rng.random::<f64>()).collect();
            (format!("n={n},m={m}"), json!({ "x": x, "n": n }))
        })
        .collect()
}

/// The i-th of n sample points, evenly spaced on [−1, 1].
fn t(i: usize, n: usize) -> f64 {
    -1.0 + i as f64 * 2.0 / (n as f64 - 1.0)
}

/// The least-squares objective for the polynomial with coefficients `x` fitted to the sign
/// function at `n` points of [−1, 1] (the powers tᵢʲ by the recurrence tᵢʲ⁺¹ = tᵢʲ·tᵢ).
/// Written once for every number type.
pub fn llsq<T: Scalar>(x: &[T], n: usize) -> T {
    let mut sum = T::zero();
    for i in 0..n {
        let ti = t(i, n);
        // sign(tᵢ), 0 at tᵢ = 0.
        let si = if ti > 0.0 {
            1.0
        } else if ti < 0.0 {
            -1.0
        } else {
            0.0
        };
        let mut residual = T::constant(si);
        let mut power = 1.0;
        for &xj in x {
            residual -= xj * power;
            power *= ti;
        }
        sum += residual * residual;
    }
    sum / 2.0
}

/// The gradient of [`llsq`] with respect to `x` in `mode`, written into `grad`; returns the
/// value.
pub fn gradient(x: &[f64], n: usize, mode: Mode, grad: &mut [f64]) -> f64 {
    match mode {
        Mode::Reverse => diffprog_reverse::gradient_into(|v| llsq(v, n), x, grad),
        Mode::Forward => {
            let (value, g) = diffprog_dual::gradient(|v| llsq(v, n), x);
            grad.copy_from_slice(&g);
            value
        }
        other => unreachable!("llsq has no {other} form"),
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let x = vector(input, "x")?;
    let n = count(input, "n")?;
    let m = x.len();
    ScalarWorkload::prepare(
        "llsq",
        EVAL.functions,
        function,
        (x, n),
        m,
        mode,
        |(x, n)| llsq(x, *n),
        |(x, n), mode, grad| gradient(x, *n, mode, grad),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(m: usize) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        (0..m).map(|_| rng.random::<f64>()).collect()
    }

    #[test]
    fn modes_agree_with_each_other_and_central_differences() {
        let (x, n) = (sample(9), 13);
        let mut reverse = vec![0.0; x.len()];
        let mut forward = vec![0.0; x.len()];
        let vr = gradient(&x, n, Mode::Reverse, &mut reverse);
        let vf = gradient(&x, n, Mode::Forward, &mut forward);
        assert_eq!(vr, llsq(&x, n));
        assert_eq!(vf, llsq(&x, n));
        let h = 1e-6;
        for j in 0..x.len() {
            let scale = reverse[j].abs().max(1.0);
            assert!((reverse[j] - forward[j]).abs() < 1e-12 * scale, "x[{j}]");
            let (mut up, mut down) = (x.clone(), x.clone());
            up[j] += h;
            down[j] -= h;
            let fd = (llsq(&up, n) - llsq(&down, n)) / (2.0 * h);
            assert!(
                (reverse[j] - fd).abs() < 1e-6 * scale,
                "x[{j}]: {} vs {fd}",
                reverse[j]
            );
        }
    }

    #[test]
    fn sign_is_zero_at_the_middle_point() {
        // n odd: t = 0 at i = (n − 1)/2, where the target is 0 and x = 0 fits it exactly.
        assert_eq!(t(1, 3), 0.0);
        assert_eq!(llsq(&[0.0], 3), 1.0);
        assert_eq!(llsq(&[0.0], 2), 1.0);
    }
}

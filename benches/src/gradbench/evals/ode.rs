//! `ode`: cmpad's `an_ode`, the system `y₀′ = x₀`, `yᵢ′ = xᵢ·yᵢ₋₁` from `y(0) = 0`, solved to
//! `t_f = 2` by `s` classical Runge–Kutta steps: the whole `y(t_f)` (`primal`), and the gradient
//! of its last component with respect to `x` (`gradient`).

use crate::gradbench::json::{count, finite_list, vector};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// The eval: reverse mode (one sweep for the n-long gradient) by default; forward mode in chunks
/// also answers (n / [`GRADIENT_CHUNK`](diffprog_dual::GRADIENT_CHUNK) passes: for comparison on
/// small inputs only).
pub const EVAL: Eval = Eval {
    name: "ode",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["primal", "gradient"],
    workloads,
    prepare,
};

/// The eval's default sizes: n ∈ {1000, 10 000, 100 000} × s ∈ {1, 10, 100}, ordered by n·s,
/// x uniform in [0, 1).
fn workloads() -> Vec<(String, Value)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31337);
    let mut sizes: Vec<(usize, usize)> = [1000, 10_000, 100_000]
        .into_iter()
        .flat_map(|n| [1, 10, 100].map(|s| (n, s)))
        .collect();
    sizes.sort_by_key(|&(n, s)| n * s);
    sizes
        .into_iter()
        .map(|(n, s)| {
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
            (format!("n={n},s={s}"), json!({ "x": x, "s": s }))
        })
        .collect()
}

/// The right-hand side `z = f(y)`: `z₀ = x₀`, `zᵢ = xᵢ·yᵢ₋₁`.
fn rhs<T: Scalar>(x: &[T], y: &[T], z: &mut [T]) {
    z[0] = x[0];
    for i in 1..x.len() {
        z[i] = x[i] * y[i - 1];
    }
}

/// `y(2)` for the system with coefficients `x`, by `s` Runge–Kutta steps of size `2/s` from
/// `y(0) = 0`, written into `y` (of the length of `x`). Written once for every number type.
///
/// # Panics
/// If `s == 0`, `x` is empty or `y.len() != x.len()`.
pub fn ode<T: Scalar>(x: &[T], s: usize, y: &mut [T]) {
    let n = x.len();
    assert!(
        s > 0 && n > 0 && y.len() == n,
        "ode: s ≥ 1, x non-empty, y as long as x"
    );
    let h = 2.0 / s as f64;
    let [mut k1, mut k2, mut k3, mut k4, mut mid] = std::array::from_fn(|_| vec![T::zero(); n]);
    y.fill(T::zero());
    for _ in 0..s {
        rhs(x, y, &mut k1);
        for i in 0..n {
            mid[i] = y[i] + k1[i] * h / 2.0;
        }
        rhs(x, &mid, &mut k2);
        for i in 0..n {
            mid[i] = y[i] + k2[i] * h / 2.0;
        }
        rhs(x, &mid, &mut k3);
        for i in 0..n {
            mid[i] = y[i] + k3[i] * h;
        }
        rhs(x, &mid, &mut k4);
        for i in 0..n {
            y[i] += (k1[i] + k2[i] * 2.0 + k3[i] * 2.0 + k4[i]) * h / 6.0;
        }
    }
}

/// The last component of [`ode`]'s solution.
pub fn last<T: Scalar>(x: &[T], s: usize) -> T {
    let mut y = vec![T::zero(); x.len()];
    ode(x, s, &mut y);
    y[x.len() - 1]
}

/// The gradient of the last component of [`ode`]'s solution with respect to `x`, in `mode`,
/// written into `grad`; returns that component.
pub fn gradient(x: &[f64], s: usize, mode: Mode, grad: &mut [f64]) -> f64 {
    match mode {
        Mode::Reverse => diffprog_reverse::gradient_into(|v| last(v, s), x, grad),
        Mode::Forward => {
            let (value, g) = diffprog_dual::gradient(|v| last(v, s), x);
            grad.copy_from_slice(&g);
            value
        }
        other => unreachable!("ode has no {other} form"),
    }
}

struct Ode {
    x: Vec<f64>,
    s: usize,
    mode: Mode,
    derivative: bool,
    /// The solution (`primal`) or the gradient (`gradient`).
    result: Vec<f64>,
}

impl Workload for Ode {
    fn run(&mut self) {
        let x = std::hint::black_box(&self.x);
        if self.derivative {
            gradient(x, self.s, self.mode, &mut self.result);
        } else {
            ode(x, self.s, &mut self.result);
        }
    }
    fn output(&self) -> Result<Value, String> {
        let what = if self.derivative {
            "the gradient"
        } else {
            "y(t_f)"
        };
        finite_list(&self.result, what)
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let derivative = match function {
        "primal" => false,
        "gradient" => true,
        other => return Err(unknown_function("ode", other, EVAL.functions)),
    };
    let x = vector(input, "x")?;
    let s = count(input, "s")?;
    if x.is_empty() || s == 0 {
        return Err("`x` must hold at least one number and `s` must be at least 1".into());
    }
    Ok(Box::new(Ode {
        result: vec![0.0; x.len()],
        x,
        s,
        mode,
        derivative,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        (0..n).map(|_| rng.random::<f64>() + 0.5).collect()
    }

    #[test]
    fn close_to_the_exact_solution() {
        // yᵢ(t) = x₀⋯xᵢ · tⁱ⁺¹ / (i + 1)!
        let x = [0.7, 1.3, 0.9];
        let mut y = [0.0; 3];
        ode(&x, 200, &mut y);
        let exact = [
            0.7 * 2.0,
            0.7 * 1.3 * 4.0 / 2.0,
            0.7 * 1.3 * 0.9 * 8.0 / 6.0,
        ];
        for (a, b) in y.iter().zip(exact) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn modes_agree_with_each_other_and_central_differences() {
        // n ≤ 4s: the last component depends on every x.
        let (x, s) = (sample(7), 2);
        let mut reverse = vec![0.0; x.len()];
        let mut forward = vec![0.0; x.len()];
        let vr = gradient(&x, s, Mode::Reverse, &mut reverse);
        let vf = gradient(&x, s, Mode::Forward, &mut forward);
        assert_eq!(vr, last(&x, s));
        assert_eq!(vf, last(&x, s));
        let h = 1e-6;
        for i in 0..x.len() {
            assert!(reverse[i] != 0.0, "x[{i}]");
            assert!((reverse[i] - forward[i]).abs() < 1e-13, "x[{i}]");
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (last(&up, s) - last(&down, s)) / (2.0 * h);
            assert!(
                (reverse[i] - fd).abs() < 1e-8,
                "x[{i}]: {} vs {fd}",
                reverse[i]
            );
        }
    }
}

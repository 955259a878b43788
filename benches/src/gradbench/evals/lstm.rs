//! `lstm`: ADBench's LSTM loss — a stack of `l` LSTM layers with diagonal weights run over a
//! sequence of `c` characters of `b` bits each, the next character's bits scored against the
//! log-softmax-like normalisation of the prediction — and its gradient with respect to the
//! layers' parameters and the input/output weights.
//!
//! The input is `{main_params[2l][4b], extra_params[3][b], state[2l][b], sequence[c][b]}`; `l`,
//! `b` and `c` are read from the shapes (the eval's text gives b = 14). Layer `i`'s parameters
//! are rows `2i` (weights) and `2i + 1` (biases) of `main_params`, each the forget, input,
//! output and change gates' `b` values in turn; `extra_params` holds the input weights, the
//! output weights and the output biases; `state` rows `2i` and `2i + 1` are layer `i`'s initial
//! hidden and cell state (data, not differentiated). The jacobian is the gradient with respect
//! to `main_params` then `extra_params`, row-major, flat.
//!
//! The objective is written once, generic over [`Scalar`]. Its loop is sequential (each
//! character's state depends on the previous one), so reverse mode records the whole loop:
//! about five records per cell update, the rest carried inline by preaccumulation. Reverse mode
//! is the default; forward mode (one pass per ten of the `8lb + 3b` parameters) is listed for
//! comparison.

use crate::gradbench::json;
use crate::gradbench::scalar_workload::ScalarWorkload;
use crate::gradbench::{Eval, Mode, Workload};
use diffprog_dual::Scalar;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// The eval: reverse mode by default, forward mode for comparison.
pub const EVAL: Eval = Eval {
    name: "lstm",
    modes: &[Mode::Reverse, Mode::Forward],
    functions: &["objective", "jacobian"],
    workloads,
    prepare,
};

/// One input: sizes, the parameters (`main_params` then `extra_params`, flattened), the initial
/// state and the sequence.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Number of layers.
    pub l: usize,
    /// Bits per character (the width of every layer).
    pub b: usize,
    /// Number of characters.
    pub c: usize,
    /// `main_params` (`2l × 4b`) then `extra_params` (`3 × b`), row-major.
    pub theta: Vec<f64>,
    /// The initial state, `2l × b` row-major.
    pub state: Vec<f64>,
    /// The sequence, `c × b` row-major.
    pub sequence: Vec<f64>,
}

impl Problem {
    /// Reads an input of the eval.
    pub fn from_json(input: &Value) -> Result<Problem, String> {
        let (main, main_cols) = json::matrix(input, "main_params")?;
        let (extra, extra_cols) = json::matrix(input, "extra_params")?;
        let (state, state_cols) = json::matrix(input, "state")?;
        let (sequence, b) = json::matrix(input, "sequence")?;
        let rows = |len: usize, cols: usize| len.checked_div(cols).unwrap_or(0);
        let (l2, c) = (rows(main.len(), main_cols), rows(sequence.len(), b));
        if b == 0 || l2 == 0 || l2 % 2 != 0 || main_cols != 4 * b {
            return Err(format!(
                "`main_params` must be 2l × 4b with b = {b} (the width of `sequence`'s rows), l ≥ 1"
            ));
        }
        if extra_cols != b || rows(extra.len(), extra_cols) != 3 {
            return Err(format!("`extra_params` must be 3 × {b}"));
        }
        if state_cols != b || rows(state.len(), state_cols) != l2 {
            return Err(format!("`state` must be {l2} × {b}"));
        }
        Ok(Problem {
            l: l2 / 2,
            b,
            c,
            theta: [main, extra].concat(),
            state,
            sequence,
        })
    }
}

/// ADBench's normalisation: `ln(Σ exp(yᵢ) + 2)` (the `+ 2` is the benchmark's).
fn log_sum_exp_plus_two<T: Scalar>(y: &[T]) -> T {
    let mut s = T::zero();
    for &v in y {
        s += v.exp();
    }
    (s + 2.0).ln()
}

/// The loss at the parameters `theta` (`main_params` then `extra_params`, flattened), written
/// once for every number type.
pub fn objective<T: Scalar>(p: &Problem, theta: &[T]) -> T {
    let (l, b) = (p.l, p.b);
    let (main, extra) = theta.split_at(8 * l * b);
    let (in_weight, rest) = extra.split_at(b);
    let (out_weight, out_bias) = rest.split_at(b);
    let mut state: Vec<T> = p.state.iter().map(|&s| T::constant(s)).collect();
    let mut layer_input = vec![T::zero(); b];
    let mut prediction = vec![T::zero(); b];
    let mut total = T::zero();
    for t in 0..p.c.saturating_sub(1) {
        let x = &p.sequence[t * b..(t + 1) * b];
        for i in 0..b {
            layer_input[i] = in_weight[i] * x[i];
        }
        for layer in 0..l {
            let params = &main[8 * b * layer..8 * b * (layer + 1)];
            let (weight, bias) = params.split_at(4 * b);
            let (hidden, cell) = state[2 * b * layer..2 * b * (layer + 1)].split_at_mut(b);
            for i in 0..b {
                let forget = (layer_input[i] * weight[i] + bias[i]).sigmoid();
                let ingate = (hidden[i] * weight[b + i] + bias[b + i]).sigmoid();
                let outgate = (layer_input[i] * weight[2 * b + i] + bias[2 * b + i]).sigmoid();
                let change = (hidden[i] * weight[3 * b + i] + bias[3 * b + i]).tanh();
                cell[i] = cell[i] * forget + ingate * change;
                hidden[i] = outgate * cell[i].tanh();
            }
            layer_input.copy_from_slice(hidden);
        }
        for i in 0..b {
            prediction[i] = layer_input[i] * out_weight[i] + out_bias[i];
        }
        let lse = log_sum_exp_plus_two(&prediction);
        let gold = &p.sequence[(t + 1) * b..(t + 2) * b];
        for (&y, &g) in prediction.iter().zip(gold) {
            total += (y - lse) * g;
        }
    }
    let count = (p.c.saturating_sub(1) * b) as f64;
    -total / count
}

/// The gradient of [`objective`] in `mode`.
pub fn gradient(p: &Problem, mode: Mode) -> Vec<f64> {
    match mode {
        Mode::Forward => diffprog_dual::gradient(|t| objective(p, t), &p.theta).1,
        _ => diffprog_reverse::gradient(|t| objective(p, t), &p.theta).1,
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let problem = Problem::from_json(input)?;
    let n = problem.theta.len();
    ScalarWorkload::prepare(
        "lstm",
        EVAL.functions,
        function,
        problem,
        n,
        mode,
        |p| objective(p, &p.theta),
        |p, mode, grad| {
            grad.copy_from_slice(&gradient(p, mode));
            f64::NAN
        },
    )
}

/// An input of the eval's shape: parameters and state uniform on [0, 1) (as the eval draws
/// them), and a sequence of `c` characters of `b` bits (most significant first), mostly
/// printable ASCII with some higher code points, from a seeded generator (the eval reads its
/// text from a data file that is not at hand here).
pub fn input(l: usize, c: usize, b: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = |rows: usize, cols: usize| -> Vec<Vec<f64>> {
        (0..rows)
            .map(|_| (0..cols).map(|_| rng.random::<f64>()).collect())
            .collect()
    };
    let main = uniform(2 * l, 4 * b);
    let extra = uniform(3, b);
    let state = uniform(2 * l, b);
    let top = 1u32 << b;
    let sequence: Vec<Vec<f64>> = (0..c)
        .map(|_| {
            let code = if rng.random::<f64>() < 0.97 {
                rng.random_range(32..127u32)
            } else {
                rng.random_range(127..top.max(128))
            } % top;
            (0..b).map(|k| ((code >> (b - 1 - k)) & 1) as f64).collect()
        })
        .collect();
    serde_json::json!({
        "main_params": main, "extra_params": extra, "state": state, "sequence": sequence,
    })
}

/// The eval's default workloads: l ∈ {2, 4, 6} × c ∈ {1024, 4096, 8192}, b = 14.
fn workloads() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for l in [2, 4, 6] {
        for c in [1024, 4096, 8192] {
            out.push((format!("l={l} c={c} b=14"), input(l, c, 14, 31337)));
        }
    }
    out.sort_by_key(|(d, _)| {
        let n: Vec<usize> = d
            .split(|ch: char| !ch.is_ascii_digit())
            .filter_map(|s| s.parse().ok())
            .collect();
        n[0] * n[1]
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_matches_forward_and_central_differences() {
        let p = Problem::from_json(&input(2, 12, 5, 3)).unwrap();
        assert_eq!(p.theta.len(), 8 * p.l * p.b + 3 * p.b);
        let reverse = gradient(&p, Mode::Reverse);
        let forward = gradient(&p, Mode::Forward);
        for (i, (&r, &f)) in reverse.iter().zip(&forward).enumerate() {
            assert!(
                (r - f).abs() <= 1e-12 * (1.0 + f.abs()),
                "{i}: reverse {r}, forward {f}"
            );
            let h = 1e-5;
            let (mut up, mut down) = (p.theta.clone(), p.theta.clone());
            up[i] += h;
            down[i] -= h;
            let central = (objective(&p, &up) - objective(&p, &down)) / (2.0 * h);
            assert!(
                (r - central).abs() <= 1e-7 * (1.0 + r.abs()),
                "{i}: {r} vs central {central}"
            );
        }
    }

    #[test]
    fn shapes_are_read_from_the_input() {
        let p = Problem::from_json(&input(3, 7, 4, 1)).unwrap();
        assert_eq!((p.l, p.b, p.c), (3, 4, 7));
        let mut bad = input(1, 3, 4, 1);
        bad["state"] = serde_json::json!([[0.5, 0.5, 0.5, 0.5]]);
        assert!(Problem::from_json(&bad).unwrap_err().contains("state"));
    }
}

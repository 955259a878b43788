//! Lab 1: regression and gradient checking.
//!
//! 1. Linear regression on the diabetes data (442 patients, ten standardised baseline
//!    variables and an intercept): least squares by a pseudo-inverse built from the SVD,
//!    `A⁺ = V Σ⁺ Uᵀ`, checked against nalgebra's `pseudo_inverse` (within 1e-6) and by the
//!    normal equations; then by full-batch gradient descent on the mean squared error (nn's
//!    `Sgd`, step 1/λ_max of the Hessian), whose iterates on this quadratic are known in closed
//!    form, `θₖ − θ* = (I − ηH)ᵏ (θ₀ − θ*)`: the tape's run must follow them.
//! 2. Logistic regression: the gradient of the mean binary cross-entropy at θ = 0 for X = [[1]],
//!    y = [[0]] is σ(0) − 0 = 0.5.
//! 3. Softmax regression, loss summed over the samples: at Θ = I₂, X = I₂, y = [0, 1] the loss is
//!    2 ln(1 + e⁻¹) = 0.6265 and every element of ∂L/∂Θ has magnitude σ(−1) = 0.2689.
//! 4. Softmax regression on the 8×8 digits (pixels in [0, 1], a 1500/297 split): mini-batch SGD,
//!    lr 0.1, batch 32, 30 epochs, Θ zero at the start. The lab's figure is "about 90 %"; the
//!    run reaches 0.956 here and asserts a test accuracy of at least 0.94 (five of the 297 test
//!    images of room: the run is seeded, only the order of floating-point sums may differ
//!    between machines).
//!
//! Every hand-derived gradient (Aᵀ-formulas for each model) is compared with the tape's and
//! with central differences (nn's `check_gradient` / `grad_check`, relative error ≤ 1e-6).
//! The digits run's loss and accuracy curves go to `07_softmax_digits.svg` in the output
//! directory.
//!
//! Gradient descent runs 20 000 steps and must end with a mean squared error within 1e-12
//! (relative, rounding level) of the least-squares one: the slowest direction of the Hessian
//! (condition number 470) contracts by 1 − λ_min/λ_max per step, which leaves e⁻⁸⁵ of the
//! initial excess.
//!
//! `--quick` (what `tests/lab_examples_a.rs` runs) runs 3 000 descent steps, after which the
//! closed form predicts an excess of 2.2e-8 of the optimum, and asserts 1e-7 (the closed-form
//! trajectory is asserted in both modes) and trains the digits for 4 epochs with a
//! test-accuracy bound of 0.90 (it reaches 0.9125).
//!
//! Run: `cargo run --release --example 07_regression_gradcheck [-- --quick] [--out DIR]`
//! (default output directory `target/examples-out/`).

use diffprog::nn::data::{diabetes_from, digits_with, DataLoader, Dataset, PixelScale};
use diffprog::nn::loss::{mse, Reduction};
use diffprog::nn::optim::{Momentum, Optimizer, Sgd};
use diffprog::nn::plot::plot_training_curves;
use diffprog::nn::train::{EpochRecord, History};
use diffprog::nn::{check_gradient, grad_check_with, GradCheckOptions, Graph, NodeId, Tensor};
use nalgebra::{DMatrix, DVector};
use std::path::{Path, PathBuf};

/// The diabetes data and target (scikit-learn's raw files, see `data/README.md`), embedded.
const DIABETES_DATA: &[u8] = include_bytes!("../data/diabetes/diabetes_data_raw.csv.gz");
const DIABETES_TARGET: &[u8] = include_bytes!("../data/diabetes/diabetes_target.csv.gz");

/// The largest relative error a checked gradient component may have against central
/// differences (f64, step ε^(1/3): the differences themselves are good to about 1e-10).
const GRAD_TOLERANCE: f64 = 1e-6;

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
    /// Softmax regression's test accuracy on the digits.
    pub digits_accuracy: f64,
    /// Its asserted lower bound.
    pub digits_bound: f64,
}

/// `A⁺ = V Σ⁺ Uᵀ` from the thin SVD, singular values at most `eps` treated as zero (the rule of
/// nalgebra's `pseudo_inverse(eps)`).
pub fn pseudo_inverse_from_svd(a: &DMatrix<f64>, eps: f64) -> DMatrix<f64> {
    let svd = a.clone().svd(true, true);
    let u = svd.u.as_ref().expect("U was requested");
    let v_t = svd.v_t.as_ref().expect("Vᵀ was requested");
    let sigma_plus =
        DMatrix::from_diagonal(
            &svd.singular_values
                .map(|s| if s > eps { 1.0 / s } else { 0.0 }),
        );
    v_t.transpose() * sigma_plus * u.transpose()
}

/// The diabetes design matrix — the ten variables standardised (mean 0, standard deviation 1)
/// and a column of ones — and the target.
fn diabetes_design() -> Result<(DMatrix<f64>, DVector<f64>), String> {
    let d: Dataset<f64> = diabetes_from(DIABETES_DATA, DIABETES_TARGET)
        .map_err(|e| format!("the embedded diabetes data: {e}"))?;
    let (n, p) = (d.len(), d.feature_len());
    let x = DMatrix::from_row_slice(n, p, d.features());
    let mut a = DMatrix::from_element(n, p + 1, 1.0);
    for j in 0..p {
        let col = x.column(j);
        let mean = col.mean();
        let sd = col.map(|v| (v - mean) * (v - mean)).mean().sqrt();
        for i in 0..n {
            a[(i, j)] = (x[(i, j)] - mean) / sd;
        }
    }
    Ok((a, DVector::from_column_slice(d.targets())))
}

fn max_abs(m: impl IntoIterator<Item = f64>) -> f64 {
    m.into_iter().fold(0.0, |a, v| a.max(v.abs()))
}

/// Part 1: least squares by the pseudo-inverse and by gradient descent.
fn linear_regression(quick: bool, checks: &mut Checks) -> Result<(), String> {
    println!("\n== 1. Linear regression on the diabetes data ==");
    let (a, y) = diabetes_design()?;
    let (n, p) = a.shape();
    println!(
        "{n} patients, {} standardised variables and an intercept",
        p - 1
    );
    let eps = 1e-10;
    let pinv = pseudo_inverse_from_svd(&a, eps);
    let reference = a.clone().pseudo_inverse(eps).map_err(|e| e.to_string())?;
    let diff = max_abs((&pinv - &reference).iter().copied());
    checks.check(
        format!(
            "pseudo-inverse from the SVD vs nalgebra's pseudo_inverse: max |Δ| = {diff:.2e} ≤ 1e-6"
        ),
        diff <= 1e-6,
    );
    let theta_star = &pinv * &y;
    let residual = &a * &theta_star - &y;
    let normal = a.transpose() * &residual;
    let normal_rel = normal.norm() / (a.norm() * y.norm());
    checks.check(
        format!("normal equations ‖Aᵀ(Aθ* − y)‖ / (‖A‖‖y‖) = {normal_rel:.2e} ≤ 1e-12"),
        normal_rel <= 1e-12,
    );
    let mse_star = residual.norm_squared() / n as f64;
    let y_mean = y.mean();
    let r2 = 1.0 - residual.norm_squared() / y.map(|v| (v - y_mean).powi(2)).sum();
    println!("θ* = {:.3?}", theta_star.as_slice());
    println!("least squares: mean squared error {mse_star:.3}, R² = {r2:.4}");

    // The Hessian of the mean squared error is H = (2/n) AᵀA, eigenvalues 2σᵢ²/n.
    let svd = a.clone().svd(false, true);
    let v = svd.v_t.as_ref().expect("Vᵀ was requested").transpose();
    let lambda: Vec<f64> = svd
        .singular_values
        .iter()
        .map(|s| 2.0 * s * s / n as f64)
        .collect();
    let (l_max, l_min) = (
        lambda.iter().cloned().fold(0.0, f64::max),
        lambda.iter().cloned().fold(f64::INFINITY, f64::min),
    );
    let lr = 1.0 / l_max;
    let steps = if quick { 3_000 } else { 20_000 };
    println!(
        "gradient descent: Hessian eigenvalues in [{l_min:.4}, {l_max:.4}] (condition {:.0}), step 1/λ_max = {lr:.4}, {steps} steps",
        l_max / l_min
    );
    let mut g = Graph::<f64>::new();
    let theta = g.params_mut().add("theta", Tensor::zeros(&[p, 1]));
    let mut opt = Sgd::<f64>::new(lr, Momentum::None);
    let a_rows: Vec<f64> = a.transpose().as_slice().to_vec(); // row-major A
    let mse_of = |g: &mut Graph<f64>, th: NodeId| {
        let x = g.input(&a_rows, &[n, p]);
        let t = g.input(y.as_slice(), &[n, 1]);
        let pred = g.matmul(x, th);
        mse(g, pred, t, Reduction::Mean)
    };
    // the tape's gradient at θ = 0 against the hand-derived (2/n) Aᵀ(Aθ − y) and central differences
    let hand = |th: &[f64]| -> Vec<f64> {
        let r = &a * DVector::from_column_slice(th) - &y;
        (a.transpose() * r * (2.0 / n as f64)).as_slice().to_vec()
    };
    let loss_f64 =
        |th: &[f64]| (&a * DVector::from_column_slice(th) - &y).norm_squared() / n as f64;
    gradient_checks(
        "linear regression (mean squared error)",
        &Tensor::from_vec(vec![0.5; p], &[p, 1]),
        mse_of,
        hand,
        loss_f64,
        checks,
    );

    let mut mse_gd = f64::NAN;
    for _ in 0..steps {
        g.reset();
        let th = g.param(theta);
        let l = mse_of(&mut g, th);
        mse_gd = g.item(l);
        g.params_mut().zero_grad();
        g.backward(l);
        opt.step(g.params_mut());
    }
    let theta_gd = DVector::from_column_slice(g.params().value(theta));
    // closed form: θₖ = θ* + V (I − ηΛ)ᵏ Vᵀ (θ₀ − θ*), θ₀ = 0
    let contraction = DMatrix::from_diagonal(&DVector::from_iterator(
        p,
        lambda.iter().map(|l| (1.0 - lr * l).powi(steps)),
    ));
    let predicted = &theta_star - &v * contraction * v.transpose() * &theta_star;
    let dev = (&theta_gd - &predicted).norm() / theta_star.norm();
    checks.check(
        format!("gradient descent follows its closed-form iterates: ‖θ_k − θ_k(closed form)‖ / ‖θ*‖ = {dev:.2e} ≤ 1e-9"),
        dev <= 1e-9,
    );
    let mse_final = (&a * &theta_gd - &y).norm_squared() / n as f64;
    let excess = (mse_final - mse_star) / mse_star;
    // MSE(θ) − MSE* = ‖A(θ − θ*)‖²/n exactly (the optimal residual is orthogonal to A's columns)
    let predicted_excess = (&a * (&predicted - &theta_star)).norm_squared() / n as f64 / mse_star;
    println!("closed form's excess mean squared error after {steps} steps: {predicted_excess:.2e} of MSE*");
    let bound = if quick { 1e-7 } else { 1e-12 };
    println!("after {steps} steps: mean squared error {mse_final:.6} (loss at the last step {mse_gd:.6}), ‖θ − θ*‖/‖θ*‖ = {:.2e}", (&theta_gd - &theta_star).norm() / theta_star.norm());
    checks.check(
        format!("gradient descent's excess mean squared error (MSE − MSE*)/MSE* = {excess:.2e} ≤ {bound:.0e}"),
        (0.0..=bound).contains(&excess),
    );
    Ok(())
}

/// Checks a hand-derived gradient three ways at `x`: the tape's gradient (`tape_loss`) against
/// central differences (`grad_check`), the hand formula against central differences
/// (`check_gradient` on `loss`), and the two against each other.
fn gradient_checks(
    what: &str,
    x: &Tensor<f64>,
    tape_loss: impl FnMut(&mut Graph<f64>, NodeId) -> NodeId,
    hand: impl Fn(&[f64]) -> Vec<f64>,
    loss: impl Fn(&[f64]) -> f64,
    checks: &mut Checks,
) {
    let options = GradCheckOptions {
        checks: 20,
        ..GradCheckOptions::default()
    };
    let mut tape_loss = tape_loss;
    let tape = grad_check_with(&mut tape_loss, x, options);
    let hand_grad = hand(x.data());
    let by_hand = check_gradient(&loss, x.data(), &hand_grad, options);
    let mut g = Graph::<f64>::new();
    let xn = g.leaf(x.data(), x.dims());
    let l = tape_loss(&mut g, xn);
    g.backward(l);
    let tape_grad = g.grad(xn).expect("the loss depends on its argument");
    let scale = max_abs(hand_grad.iter().copied()).max(1e-300);
    let agree = max_abs(tape_grad.iter().zip(&hand_grad).map(|(a, b)| a - b)) / scale;
    checks.check(
        format!(
            "{what}: gradient check worst relative error, tape {:.1e}, hand-derived {:.1e} (≤ {GRAD_TOLERANCE:.0e}); tape vs hand {agree:.1e} (≤ 1e-12)",
            tape.worst(),
            by_hand.worst()
        ),
        tape.passes(GRAD_TOLERANCE) && by_hand.passes(GRAD_TOLERANCE) && agree <= 1e-12,
    );
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Part 2: logistic regression, mean binary cross-entropy of σ(Xθ) against y.
fn logistic_regression(checks: &mut Checks) {
    println!("\n== 2. Logistic regression ==");
    let tape = |x: &'static [f64], y: &'static [f64], n: usize, d: usize| {
        move |g: &mut Graph<f64>, th: NodeId| {
            let xn = g.input(x, &[n, d]);
            let yn = g.input(y, &[n, 1]);
            let z = g.matmul(xn, th);
            diffprog::nn::loss::bce_with_logits(g, z, yn)
        }
    };
    // hand-derived: ∇θ = Xᵀ(σ(Xθ) − y) / n
    let hand = |x: &'static [f64], y: &'static [f64], n: usize, d: usize| {
        move |th: &[f64]| -> Vec<f64> {
            let mut grad = vec![0.0; d];
            for i in 0..n {
                let z: f64 = (0..d).map(|j| x[i * d + j] * th[j]).sum();
                let r = sigmoid(z) - y[i];
                for j in 0..d {
                    grad[j] += x[i * d + j] * r / n as f64;
                }
            }
            grad
        }
    };
    let loss = |x: &'static [f64], y: &'static [f64], n: usize, d: usize| {
        move |th: &[f64]| -> f64 {
            (0..n)
                .map(|i| {
                    let z: f64 = (0..d).map(|j| x[i * d + j] * th[j]).sum();
                    let p = sigmoid(z);
                    -(y[i] * p.ln() + (1.0 - y[i]) * (1.0 - p).ln())
                })
                .sum::<f64>()
                / n as f64
        }
    };
    let mut g = Graph::<f64>::new();
    let th = g.leaf(&[0.0], &[1, 1]);
    let l = tape(&[1.0], &[0.0], 1, 1)(&mut g, th);
    g.backward(l);
    let grad = g.grad(th).unwrap()[0];
    let by_hand = hand(&[1.0], &[0.0], 1, 1)(&[0.0])[0];
    println!("θ = 0, X = [[1]], y = [[0]]: loss {:.4} (ln 2), ∂L/∂θ = {grad} (tape), {by_hand} (by hand)", g.item(l));
    checks.check(
        format!(
            "logistic regression gradient at θ = 0, X = [[1]], y = [[0]]: {grad} = σ(0) − 0 = 0.5"
        ),
        grad == 0.5 && by_hand == 0.5,
    );
    // a problem with some substance: 6 samples, 3 features (the last a constant), θ ≠ 0
    const X: [f64; 18] = [
        0.5, -1.2, 1.0, 1.5, 0.3, 1.0, -0.7, 2.2, 1.0, 0.1, -0.4, 1.0, -2.0, -1.1, 1.0, 0.9, 0.8,
        1.0,
    ];
    const Y: [f64; 6] = [0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let theta = Tensor::from_vec(vec![0.3, -0.8, 0.1], &[3, 1]);
    gradient_checks(
        "logistic regression (6 × 3)",
        &theta,
        tape(&X, &Y, 6, 3),
        hand(&X, &Y, 6, 3),
        loss(&X, &Y, 6, 3),
        checks,
    );
}

/// The softmax-regression loss summed over the rows of `x` (`[n, d]`) for labels `y`, on the tape.
fn softmax_loss_tape<'a>(
    x: &'a [f64],
    y: &'a [usize],
    d: usize,
) -> impl FnMut(&mut Graph<f64>, NodeId) -> NodeId + 'a {
    move |g: &mut Graph<f64>, th: NodeId| {
        let n = y.len();
        let xn = g.input(x, &[n, d]);
        let z = g.matmul(xn, th);
        let mean = g.cross_entropy(z, y);
        g.mul_scalar(mean, n as f64)
    }
}

/// Row-wise softmax of `x·Θ` (`x`: `[n, d]`, Θ: `[d, k]`, row-major).
fn softmax_rows(x: &[f64], th: &[f64], d: usize, k: usize) -> Vec<f64> {
    let n = x.len() / d;
    let mut p = vec![0.0; n * k];
    for i in 0..n {
        let z: Vec<f64> = (0..k)
            .map(|c| (0..d).map(|j| x[i * d + j] * th[j * k + c]).sum())
            .collect();
        let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
        for c in 0..k {
            p[i * k + c] = (z[c] - m).exp() / s;
        }
    }
    p
}

/// The hand-derived gradient of the summed softmax-regression loss: Xᵀ(P − Y).
fn softmax_grad_hand(x: &[f64], y: &[usize], th: &[f64], d: usize, k: usize) -> Vec<f64> {
    let p = softmax_rows(x, th, d, k);
    let mut grad = vec![0.0; d * k];
    for (i, &yi) in y.iter().enumerate() {
        for c in 0..k {
            let r = p[i * k + c] - if c == yi { 1.0 } else { 0.0 };
            for j in 0..d {
                grad[j * k + c] += x[i * d + j] * r;
            }
        }
    }
    grad
}

fn softmax_loss_f64(x: &[f64], y: &[usize], th: &[f64], d: usize, k: usize) -> f64 {
    let p = softmax_rows(x, th, d, k);
    y.iter()
        .enumerate()
        .map(|(i, &yi)| -p[i * k + yi].ln())
        .sum()
}

/// Part 3: softmax regression on the lab's 2 × 2 case.
fn softmax_regression_small(checks: &mut Checks) {
    println!("\n== 3. Softmax regression, Θ = I₂, X = I₂, y = [0, 1] ==");
    let x = [1.0, 0.0, 0.0, 1.0];
    let y = [0usize, 1];
    let theta = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0], &[2, 2]);
    let mut g = Graph::<f64>::new();
    let th = g.leaf(theta.data(), &[2, 2]);
    let l = softmax_loss_tape(&x, &y, 2)(&mut g, th);
    g.backward(l);
    let loss = g.item(l);
    let grad = g.grad(th).unwrap().to_vec();
    let want_loss = 2.0 * (-1.0f64).exp().ln_1p();
    let want_grad = sigmoid(-1.0);
    println!("loss {loss:.4}, ∂L/∂Θ = {:.4?}", grad);
    checks.check(
        format!(
            "softmax regression loss {loss:.4} = 2 ln(1 + e⁻¹) = {want_loss:.4} (within 1e-12)"
        ),
        (loss - want_loss).abs() <= 1e-12,
    );
    let worst = max_abs(grad.iter().map(|v| v.abs() - want_grad));
    let signs = grad[0] < 0.0 && grad[1] > 0.0 && grad[2] > 0.0 && grad[3] < 0.0;
    checks.check(
        format!("every |∂L/∂Θᵢⱼ| = σ(−1) = {want_grad:.4} (within 1e-12: {worst:.1e}), signs [[−, +], [+, −]]"),
        worst <= 1e-12 && signs,
    );
    gradient_checks(
        "softmax regression (2 × 2)",
        &theta,
        softmax_loss_tape(&x, &y, 2),
        |t: &[f64]| softmax_grad_hand(&x, &y, t, 2, 2),
        |t: &[f64]| softmax_loss_f64(&x, &y, t, 2, 2),
        checks,
    );
}

/// Pixels with a constant 1 appended (the intercept), row-major `[n, 65]`.
fn with_intercept(d: &Dataset<f64>) -> Vec<f64> {
    d.features()
        .chunks(d.feature_len())
        .flat_map(|row| row.iter().copied().chain(std::iter::once(1.0)))
        .collect()
}

fn accuracy(x: &[f64], y: &[usize], th: &[f64], d: usize, k: usize) -> f64 {
    let p = softmax_rows(x, th, d, k);
    let correct = y
        .iter()
        .enumerate()
        .filter(|&(i, &yi)| {
            (0..k).max_by(|&a, &b| p[i * k + a].total_cmp(&p[i * k + b])) == Some(yi)
        })
        .count();
    correct as f64 / y.len() as f64
}

/// Part 4: softmax regression on the digits; returns the test accuracy and its bound.
fn softmax_regression_digits(quick: bool, out: &Path, checks: &mut Checks) -> (f64, f64) {
    println!("\n== 4. Softmax regression on the 8×8 digits ==");
    let (train, test) = digits_with::<f64>(PixelScale::Unit).split(0, 1500);
    let (d, k) = (65, 10);
    let (x_test, x_train) = (with_intercept(&test), with_intercept(&train));
    let epochs = if quick { 4 } else { 30 };
    let bound = if quick { 0.90 } else { 0.94 };
    let mut g = Graph::<f64>::new();
    let theta = g.params_mut().add("theta", Tensor::zeros(&[d, k]));
    let mut opt = Sgd::<f64>::new(0.1, Momentum::None);
    let batch = 32;
    let mut loader = DataLoader::new(&train, batch).shuffle(1);
    let mut xb = Vec::with_capacity(batch * d);
    let mut history = History::new();
    println!("{} training and {} test images; Θ is 65 × 10 (64 pixels and an intercept), zero at the start", train.len(), test.len());
    for epoch in 1..=epochs {
        let (mut loss_sum, mut seen) = (0.0, 0);
        while let Some(b) = loader.next_batch() {
            xb.clear();
            for row in b.features.chunks(64) {
                xb.extend_from_slice(row);
                xb.push(1.0);
            }
            g.reset();
            let th = g.param(theta);
            let xn = g.input(&xb, &[b.labels.len(), d]);
            let z = g.matmul(xn, th);
            let l = g.cross_entropy(z, b.labels);
            loss_sum += g.item(l) * b.labels.len() as f64;
            seen += b.labels.len();
            g.params_mut().zero_grad();
            g.backward(l);
            opt.step(g.params_mut());
        }
        let th = g.params().value(theta);
        let (train_acc, test_acc) = (
            accuracy(&x_train, train.labels(), th, d, k),
            accuracy(&x_test, test.labels(), th, d, k),
        );
        let test_loss = softmax_loss_f64(&x_test, test.labels(), th, d, k) / test.len() as f64;
        println!(
            "epoch {epoch:2}: train loss {:.4}, train accuracy {:.2}%, test loss {test_loss:.4}, test accuracy {:.2}%",
            loss_sum / seen as f64,
            100.0 * train_acc,
            100.0 * test_acc
        );
        history.push(EpochRecord {
            epoch,
            train_loss: loss_sum / seen as f64,
            train_accuracy: Some(train_acc),
            test_loss: Some(test_loss),
            test_accuracy: Some(test_acc),
        });
    }
    let th = g.params().value(theta).to_vec();
    // the hand-derived gradient at the trained Θ, on the first 50 training images
    let x50 = &x_train[..50 * d];
    let y50 = &train.labels()[..50];
    gradient_checks(
        "softmax regression on 50 digits at the trained Θ",
        &Tensor::from_vec(th.clone(), &[d, k]),
        softmax_loss_tape(x50, y50, d),
        |t: &[f64]| softmax_grad_hand(x50, y50, t, d, k),
        |t: &[f64]| softmax_loss_f64(x50, y50, t, d, k),
        checks,
    );
    let acc = accuracy(&x_test, test.labels(), &th, d, k);
    let file = out.join("07_softmax_digits.svg");
    match plot_training_curves(&file, &history) {
        Ok(()) => println!("training curves written to {}", file.display()),
        Err(e) => checks.check(format!("writing the training curves: {e}"), false),
    }
    checks.check(
        format!("digits softmax regression test accuracy {acc:.4} ≥ {bound}"),
        acc >= bound,
    );
    (acc, bound)
}

/// Runs the lab; SVGs go to `out` (created if needed).
pub fn run(quick: bool, out: &Path) -> Result<Outcome, String> {
    std::fs::create_dir_all(out)
        .map_err(|e| format!("cannot create the output directory {}: {e}", out.display()))?;
    let mut checks = Checks::default();
    linear_regression(quick, &mut checks)?;
    logistic_regression(&mut checks);
    softmax_regression_small(&mut checks);
    let (digits_accuracy, digits_bound) = softmax_regression_digits(quick, out, &mut checks);
    Ok(Outcome {
        checks,
        digits_accuracy,
        digits_bound,
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
    println!("test accuracy: {:.4}", o.digits_accuracy);
    if !failures.is_empty() || o.digits_accuracy < o.digits_bound {
        std::process::exit(1);
    }
}

//! Generic nalgebra code, differentiated in every mode: fitting a Gaussian process's
//! hyperparameters by Newton's method with exact Hessians.
//!
//! The negative log marginal likelihood of data y under a Gaussian process with a squared
//! exponential kernel is
//!
//!   nll(θ) = ½ yᵀ K⁻¹ y + ½ log det K + (n/2) log 2π,
//!   K_ij = σ² exp(−(tᵢ − tⱼ)² / (2ℓ²)) + s² δᵢⱼ,   θ = (log σ, log ℓ, log s).
//!
//! It is written once, generic over `T: RealScalar` — the bound for code that calls nalgebra's
//! factorisations — with one Cholesky factorisation giving both the solve and the determinant.
//! The same function then runs on plain `f64`, forward mode (`dual::gradient`), reverse mode
//! (`reverse::gradient`), second-order forward mode (`hyperdual::hessian`) and the mixed mode
//! (`reverse::hessian`), and Newton's method fits θ with the exact Hessian.
//!
//! Run: `cargo run --release --example 16_nalgebra_generic`

use diffprog::prelude::*;
use nalgebra::{DMatrix, DVector};

/// Observation times and values: a noisy smooth curve.
fn data() -> (Vec<f64>, Vec<f64>) {
    let t: Vec<f64> = (0..20).map(|i| i as f64 * 0.5).collect();
    let y = t
        .iter()
        .enumerate()
        .map(|(i, &t)| (0.8 * t).sin() + 0.3 * (0.3 * t).cos() + 0.05 * ((i * 7 % 5) as f64 - 2.0))
        .collect();
    (t, y)
}

/// The negative log marginal likelihood, for any number type.
fn negative_log_likelihood<T: RealScalar>(theta: &[T], t: &[f64], y: &[f64]) -> T {
    let (signal, length, noise) = (theta[0].exp(), theta[1].exp(), theta[2].exp());
    let n = t.len();
    let k = DMatrix::from_fn(n, n, |i, j| {
        let r = t[i] - t[j];
        let mut kij = signal * signal * (-(length * length).recip() * (r * r * 0.5)).exp();
        if i == j {
            kij += noise * noise;
        }
        kij
    });
    let cholesky = k.cholesky().expect("K is positive definite");
    let y = DVector::from_iterator(n, y.iter().map(|&v| T::constant(v)));
    let alpha = cholesky.solve(&y);
    let log_det: T = cholesky.l().diagonal().iter().map(|d| d.ln()).sum::<T>() * 2.0;
    (y.dot(&alpha) + log_det) * 0.5 + (n as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln()
}

fn main() {
    let (t, y) = data();
    let mut theta = vec![0.0, 0.0, -1.0];

    // One function, every mode.
    let plain = negative_log_likelihood(&theta, &t, &y);
    let (_, g_forward) = diffprog::dual::gradient(|x| negative_log_likelihood(x, &t, &y), &theta);
    let (_, g_reverse) =
        diffprog::reverse::gradient(|x| negative_log_likelihood(x, &t, &y), &theta);
    let (_, _, h_forward) =
        diffprog::hyperdual::hessian(|x| negative_log_likelihood(x, &t, &y), &theta);
    let (_, _, h_mixed) =
        diffprog::reverse::hessian(|x| negative_log_likelihood(x, &t, &y), &theta);
    println!("nll(θ₀) = {plain:.6}");
    println!("gradient, forward mode: {g_forward:.6?}");
    println!("gradient, reverse mode: {g_reverse:.6?}");
    let gradient_gap = g_forward
        .iter()
        .zip(&g_reverse)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let hessian_gap = (&h_forward - &h_mixed).abs().max();
    println!("Hessian (hyperdual):{h_forward:.6}");
    println!(
        "largest difference between modes: gradient {gradient_gap:.1e}, Hessian {hessian_gap:.1e}"
    );

    // Newton's method with a backtracking line search (a gradient step where the Hessian is not
    // positive definite). Near the minimum a step changes nll by less than its rounding error, so
    // a step that does not raise nll beyond that is accepted.
    let nll = |x: &[f64]| negative_log_likelihood(x, &t, &y);
    for iteration in 1..=12 {
        let (value, gradient, hessian) =
            diffprog::reverse::hessian(|x| negative_log_likelihood(x, &t, &y), &theta);
        let g = DVector::from_vec(gradient);
        let direction = match hessian.cholesky() {
            Some(c) => -c.solve(&g),
            None => -g.clone(),
        };
        let mut step = 1.0;
        let mut next: Vec<f64> = theta.clone();
        while step > 1e-8 {
            next = theta
                .iter()
                .zip(direction.iter())
                .map(|(x, d)| x + step * d)
                .collect();
            if nll(&next) <= value + 1e-12 * value.abs() {
                break;
            }
            step *= 0.5;
        }
        theta = next;
        println!(
            "Newton {iteration:2}: nll = {value:.10}, |∇nll| = {:.2e}, step {step:.3}",
            g.norm()
        );
        if g.norm() < 1e-9 {
            break;
        }
    }
    let (value, gradient) =
        diffprog::reverse::gradient(|x| negative_log_likelihood(x, &t, &y), &theta);
    let gradient_norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    println!(
        "fitted: σ = {:.4}, ℓ = {:.4}, s = {:.4}; nll = {value:.6}",
        theta[0].exp(),
        theta[1].exp(),
        theta[2].exp()
    );
    println!("gradient norm at the fit: {gradient_norm:.2e}");
    assert!(gradient_gap < 1e-10 && hessian_gap < 1e-8, "modes disagree");
    assert!(gradient_norm < 1e-9, "Newton's method did not converge");
}

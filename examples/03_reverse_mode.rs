//! Reverse mode and the mixed-mode Hessian.
//!
//! `cargo run --release --example 03_reverse_mode`
//!
//! - a gradient by one recording and one backward sweep;
//! - a multi-output recording with several adjoints (PyTorch's `backward(weights)`);
//! - a user-defined primitive recorded as one node;
//! - a Hessian–vector product and a Hessian (forward-over-reverse), checked against
//!   diffprog-hyperdual.

use diffprog::dual::Scalar;
use diffprog::reverse::{gradient, hessian, hessian_vector_product, vjp, Recording, Var};

/// The course's Rosenbrock function, written once for every number type.
fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// A user-defined primitive: the Gauss error function's complement from a plain-`f64` formula,
/// with its derivative −(2/√π)·e^(−x²), recorded as a single tape node.
fn erfc(x: Var) -> Var {
    let v = x.primal();
    let value = 1.0 - Scalar::erf(v);
    let slope = -std::f64::consts::FRAC_2_SQRT_PI * (-v * v).exp();
    Var::custom(value, &[(x, slope)])
}

fn main() {
    // 1. Gradient of the course's f(x, y) = x·y + sin x and of Rosenbrock.
    let (value, grad) = gradient(|v: &[Var]| v[0] * v[1] + v[0].sin(), [0.5, 4.2]);
    println!("f(0.5, 4.2) = x·y + sin x = {value:.6}, ∇f = {grad:.6?}");
    println!(
        "  expected ∇f = [y + cos x, x] = [{:.6}, 0.5]",
        4.2 + 0.5_f64.cos()
    );

    let x: Vec<f64> = (0..6).map(|i| 0.5 + 0.1 * i as f64).collect();
    let (value, grad) = gradient(rosenbrock, &x);
    println!("rosenbrock(x) = {value:.6}, ∇ = {grad:.4?}");

    // 2. One recording, several adjoints: z = 2x + sin x, v = 4x + cos x at x = 1.
    let rec = Recording::<f64>::new();
    let x1 = rec.variable(1.0);
    let z = x1 * 2.0 + x1.sin();
    let v = x1 * 4.0 + x1.cos();
    let dz = rec.backward(z).wrt(x1);
    let dv = rec.backward(v).wrt(x1);
    let both = rec.backward_weighted(&[z, v], &[1.0, 1.0]).wrt(x1);
    // Each of z and v depends on x alone: it carries its partial on x's record (preaccumulation),
    // so the tape holds only the input's record.
    let records = rec.len();
    println!(
        "z = 2x + sin x, v = 4x + cos x at x = 1 ({records} record{} on the tape):",
        if records == 1 { "" } else { "s" }
    );
    println!("  dz/dx = {dz:.6} (2 + cos 1 = {:.6})", 2.0 + 1.0_f64.cos());
    println!("  dv/dx = {dv:.6} (4 − sin 1 = {:.6})", 4.0 - 1.0_f64.sin());
    println!("  backward(weights = [1, 1]) = {both:.6}");
    drop(rec);
    let (_, wj) = vjp(
        |x: &[Var]| vec![x[0] * 2.0 + x[0].sin(), x[0] * 4.0 + x[0].cos()],
        [1.0],
        [1.0, 1.0],
    );
    println!("  the same as a vjp: {wj:.6?}");

    // 3. A user-defined primitive inside a recorded function.
    let (value, grad) = gradient(|v: &[Var]| erfc(v[0] * v[1]) * v[1], [0.3, 2.0]);
    let p: f64 = 0.6;
    let d = -std::f64::consts::FRAC_2_SQRT_PI * (-p * p).exp();
    println!("erfc(x·y)·y at (0.3, 2) = {value:.6}, ∇ = {grad:.6?}");
    println!(
        "  expected ∇ = [{:.6}, {:.6}]",
        d * 2.0 * 2.0,
        d * 0.3 * 2.0 + (1.0 - Scalar::erf(p))
    );

    // 4. Mixed mode: Hessian–vector product (one sweep over a tape of Dual numbers) and the
    //    Hessian (one recording with second-order records, then ⌈n/8⌉ forward-tangent and
    //    second-order-adjoint sweeps over it), against diffprog-hyperdual.
    let x: Vec<f64> = (0..6).map(|i| 0.5 + 0.1 * i as f64).collect();
    let dir: Vec<f64> = (0..6)
        .map(|i| if i % 2 == 0 { 1.0 } else { -0.5 })
        .collect();
    let (_, _, hv) = hessian_vector_product(rosenbrock, &x, &dir);
    let (_, _, h) = hessian(rosenbrock, &x);
    let (_, _, h_ref) = diffprog::hyperdual::hessian(rosenbrock, &x);
    println!("∇²f·v = {hv:.4?}");
    println!(
        "H·v   = {:.4?}",
        (&h * nalgebra::DVector::from_column_slice(&dir)).as_slice()
    );
    println!(
        "max |H_mixed − H_hyperdual| = {:.2e}; H symmetric: {}",
        (&h - &h_ref).abs().max(),
        h == h.transpose()
    );
}

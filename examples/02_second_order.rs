//! Second order in forward mode: second and third derivatives, Hessians, and Newton's method.
//!
//! `cargo run --release --example 02_second_order`

use diffprog::hyperdual::{hessian, second_derivative, third_derivative};
use diffprog::Scalar;
use nalgebra::{DMatrix, DVector};

/// A scalar function, written once for any number type.
fn g<T: Scalar>(x: T) -> T {
    (x.sin().exp() * x.powi(3)) / (x * x + 1.0) + (T::one() + (x * 0.5).tanh()).ln()
}

fn quadratic<T: Scalar>(x: &[T]) -> T {
    let a = x[0] - 5.0;
    let c = x[2] - 1.0;
    a * a + x[1] * x[1] + c * c
}

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// Newton's method: x ← x − H⁻¹∇f (with H + μI where H is not positive definite), with the
/// value, gradient and Hessian from `fgh`. Returns the point and the number of steps taken.
fn newton(
    fgh: impl Fn(&[f64]) -> (f64, Vec<f64>, DMatrix<f64>),
    x0: &[f64],
    max_steps: usize,
) -> (Vec<f64>, usize) {
    let mut x = x0.to_vec();
    for step in 0..max_steps {
        let (_, g, h) = fgh(&x);
        if g.iter().map(|v| v * v).sum::<f64>().sqrt() < 1e-10 {
            return (x, step);
        }
        let g = DVector::from_vec(g);
        let n = x.len();
        let mut mu = 0.0;
        let d = loop {
            if let Some(c) = (&h + DMatrix::identity(n, n) * mu).cholesky() {
                break c.solve(&g);
            }
            mu = if mu == 0.0 {
                1e-3 * (1.0 + h.amax())
            } else {
                10.0 * mu
            };
        };
        for (xi, di) in x.iter_mut().zip(d.iter()) {
            *xi -= di;
        }
    }
    (x, max_steps)
}

fn main() {
    // f, f', f'' and f''' of a scalar function, exact to rounding.
    let x = 0.7;
    let (f, d1, d2) = second_derivative(g, x);
    let (_, _, _, d3) = third_derivative(g, x);
    println!("g(x) = exp(sin x)·x³/(x² + 1) + ln(1 + tanh(x/2)) at x = {x}");
    println!("  g = {f:.15}\n  g' = {d1:.15}\n  g'' = {d2:.15}\n  g''' = {d3:.15}");

    // A Hessian: Rosenbrock at the classic start.
    let (v, grad, h) = hessian(rosenbrock, [-1.2, 1.0]);
    println!("\nRosenbrock at (−1.2, 1): f = {v}, ∇f = {grad:?}, ∇²f = {h}");

    // Newton's method: one step on a quadratic…
    let x0 = [-3.0, 7.5, 0.25];
    let (x1, steps) = newton(|x| hessian(quadratic, x), &x0, 10);
    println!(
        "Newton on (x₀ − 5)² + x₁² + (x₂ − 1)² from {x0:?}: {x1:?} — ∇f = 0 after {steps} step"
    );

    // …and Rosenbrock n = 10 from (−1.2, 1, …, 1).
    let mut x0 = vec![1.0; 10];
    x0[0] = -1.2;
    let (x, steps) = newton(|x| hessian(rosenbrock, x), &x0, 100);
    println!(
        "Newton on Rosenbrock n = 10 from (−1.2, 1, …): {steps} steps to f = {:.6} at x₀ = {:.6} \
         (the local minimum near (−0.99, 1, …); the global one is at (1, …, 1))",
        rosenbrock(&x),
        x[0]
    );
    let (x, steps) = newton(|x| hessian(rosenbrock, x), &[0.2; 10], 100);
    println!(
        "Newton on Rosenbrock n = 10 from (0.2, …): {steps} steps to f = {:.3e}, max |xᵢ − 1| = {:.1e}",
        rosenbrock(&x),
        x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max)
    );
}

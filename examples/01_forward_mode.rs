//! A tour of forward-mode differentiation: derivatives, gradients, Jacobians, nesting, and
//! derivatives through a matrix factorisation.
//!
//! ```text
//! cargo run --release --example 01_forward_mode
//! ```

use diffprog::dual::{
    derivative, derivative_at, gradient, gradient_with_chunk, jacobian, jvp, Dual, GradientNumber,
    Scalar,
};
use nalgebra::DMatrix;

/// Any numeric function written once, generic over `Scalar`.
fn bump<T: Scalar>(x: T) -> T {
    x.sin().exp() * x.powi(3) / (x * x + 1.0) + (x * 0.5).tanh().ln_1p()
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

/// Spherical to Cartesian coordinates: R³ → R³.
fn spherical<T: Scalar>(p: &[T]) -> Vec<T> {
    let (r, theta, phi) = (p[0], p[1], p[2]);
    vec![
        r * theta.sin() * phi.cos(),
        r * theta.sin() * phi.sin(),
        r * theta.cos(),
    ]
}

fn main() {
    println!("== dual numbers");
    let x = Dual::variable(2.5);
    println!("x = {x}, x² = {}, sin x = {}", x * x, x.sin());

    println!("\n== derivative of a scalar function");
    for x in [0.0, 0.5, 1.0] {
        let (v, d) = derivative(bump, x);
        println!("f({x}) = {v:.6}, f'({x}) = {d:.6}");
    }
    // a branch differentiates the path taken
    let step = |a: Dual<f64>| if a > 0.5 { Dual::lift(0.0) } else { a * 2.0 };
    println!(
        "branch: d/da at 0.3 = {}, at 0.7 = {}",
        derivative(step, 0.3).1,
        derivative(step, 0.7).1
    );

    println!("\n== gradient (chunks of 10 directions per pass)");
    let x = [-1.2, 1.0, 0.8, 1.5];
    let (v, g) = gradient(rosenbrock, x);
    println!("rosenbrock({x:?}) = {v}");
    println!("  gradient          = {g:?}");
    let (_, g2) = gradient_with_chunk::<2>(rosenbrock, &x);
    println!("  with chunk width 2 = {g2:?}");
    // closures capturing data work the same way
    let data = [(1.0, 2.1), (2.0, 3.9), (3.0, 6.2)];
    let (loss, dl) = gradient(
        |p| {
            data.iter()
                .map(|&(t, y)| {
                    let r = p[0] * t + p[1] - y;
                    r * r
                })
                .sum::<GradientNumber>()
        },
        [1.5, 0.0],
    );
    println!(
        "least squares: loss = {loss:.4}, d loss/d(a, b) = ({:.4}, {:.4})",
        dl[0], dl[1]
    );

    println!("\n== Jacobian and Jacobian-vector product");
    let p = [2.0, 0.6, 1.1];
    let (xyz, j) = jacobian(spherical, p);
    println!("spherical{p:?} = {xyz:.4?}");
    println!("Jacobian:{j:.4}");
    println!(
        "det J = {:.6} (r² sin θ = {:.6})",
        j.determinant(),
        p[0] * p[0] * p[1].sin()
    );
    let (_, jv) = jvp(spherical, p, [1.0, 0.0, 0.0]);
    println!("J·e_r = {jv:.4?} (the first column)");

    println!("\n== nested derivatives without perturbation confusion");
    // d/dx [x · d/dy (x + y)] at x = 1: the inner derivative runs at the outer number type.
    let (_, d) = derivative(
        |x: Dual<f64>| x * derivative_at(|y| Dual::lift(x) + y, Dual::constant(1.0)).1,
        1.0,
    );
    println!("d/dx [x · d/dy (x + y)] = {d} (1 is right; a confused implementation gives 2)");
    let (f1, f2) = derivative(|x: Dual<f64>| derivative_at(bump, x).1, 0.5);
    println!("f'(0.5) = {f1:.6}, f''(0.5) = {f2:.6}");

    println!("\n== through nalgebra: d/dt log det(A + tB) = trace(A⁻¹B)");
    let a = DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0]);
    let b = DMatrix::from_row_slice(3, 3, &[0.3, -0.1, 0.7, 0.2, 0.5, -0.4, 0.9, 0.1, -0.6]);
    let (_, d) = derivative(
        |t| {
            DMatrix::from_fn(3, 3, |i, j| t * b[(i, j)] + a[(i, j)])
                .determinant()
                .ln()
        },
        0.0,
    );
    let trace = (a.clone().try_inverse().expect("invertible") * &b).trace();
    println!("forward mode: {d:.12}, trace(A⁻¹B): {trace:.12}");
}

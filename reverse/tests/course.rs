//! Reference values from the course, checked against their analytic derivatives.

use diffprog_dual::Scalar;
use diffprog_reverse::{gradient, vjp, Recording, Var};

/// Relative comparison at the level of a few rounding errors.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn xy_plus_sin_x() {
    fn f<T: Scalar>(v: &[T]) -> T {
        v[0] * v[1] + v[0].sin()
    }
    for &(x, y) in &[(0.5, 4.2), (2.0, -1.0), (-3.0, 0.25)] {
        let (value, g) = gradient(f, [x, y]);
        assert_eq!(value, x * y + f64::sin(x));
        assert_eq!(g[0], y + f64::cos(x));
        assert_eq!(g[1], x);
    }
}

/// A loop whose trip count depends on the value: y doubles until it exceeds 10, then a branch.
/// The tape records the path taken, so the derivative is the product along that path.
#[test]
fn loop_with_data_dependent_trip_count() {
    fn f<T: Scalar>(v: &[T]) -> T {
        let x = v[0];
        let mut y = x;
        while y < 10.0 {
            y = y * 2.0 + x * x;
        }
        if y > 15.0 {
            y.ln()
        } else {
            y * x
        }
    }
    for &x in &[0.3, 1.0, 1.7, 2.9] {
        // the same recursion on (value, derivative) pairs
        let (mut y, mut dy) = (x, 1.0);
        while y < 10.0 {
            dy = dy * 2.0 + 2.0 * x;
            y = y * 2.0 + x * x;
        }
        let (value, slope) = if y > 15.0 {
            (y.ln(), dy / y)
        } else {
            (y * x, dy * x + y)
        };
        let (v, g) = gradient(f, [x]);
        assert_eq!(v, value);
        assert!(close(g[0], slope, 1e-14), "x = {x}: {} vs {slope}", g[0]);
    }
}

/// The course lab: z = 2x + sin x and v = 4x + cos x at x = 1; dz/dx = 2 + cos 1,
/// dv/dx = 4 − sin 1, and backward with weights (1, 1) gives their sum.
#[test]
fn multi_output_backward_with_weights() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(1.0);
    let z = x * 2.0 + x.sin();
    let v = x * 4.0 + x.cos();
    assert_eq!(rec.backward(z).wrt(x), 2.0 + 1.0_f64.cos());
    assert_eq!(rec.backward(v).wrt(x), 4.0 - 1.0_f64.sin());
    let both = rec.backward_weighted(&[z, v], &[1.0, 1.0]);
    assert!(close(
        both.wrt(x),
        6.0 + 1.0_f64.cos() - 1.0_f64.sin(),
        1e-15
    ));
    // intermediate adjoints (kept on request, as PyTorch's retain_grad): ∂z/∂z = 1, ∂z/∂v = 0
    let (z, v) = (z.retain_adjoint(), v.retain_adjoint());
    let dz = rec.backward(z);
    assert_eq!(dz.wrt(z), 1.0);
    assert_eq!(dz.wrt(v), 0.0);
    assert_eq!(dz.wrt(x), 2.0 + 1.0_f64.cos());
    drop(rec);

    let (values, wj) = vjp(
        |x: &[Var]| vec![x[0] * 2.0 + x[0].sin(), x[0] * 4.0 + x[0].cos()],
        [1.0],
        [1.0, 1.0],
    );
    assert_eq!(values, vec![2.0 + 1.0_f64.sin(), 4.0 + 1.0_f64.cos()]);
    assert!(close(wj[0], 6.0 + 1.0_f64.cos() - 1.0_f64.sin(), 1e-15));
}

/// Gradient descent on x₀² + x₁² + x₂² from (2, 1, 10) with learning rate 0.1: each step
/// multiplies x by 1 − 2·0.1 = 0.8.
#[test]
fn gradient_descent_shrinks_by_0_8() {
    fn f<T: Scalar>(x: &[T]) -> T {
        x[0] * x[0] + x[1] * x[1] + x[2] * x[2]
    }
    let mut x = vec![2.0, 1.0, 10.0];
    for _ in 0..50 {
        let (_, g) = gradient(f, &x);
        let next: Vec<f64> = x.iter().zip(&g).map(|(xi, gi)| xi - 0.1 * gi).collect();
        for (a, b) in next.iter().zip(&x) {
            assert!(close(*a, 0.8 * b, 1e-14), "{a} vs 0.8 · {b}");
        }
        x = next;
    }
    assert!(x
        .iter()
        .all(|xi| xi.abs() < 10.0 * 0.8f64.powi(50) * 1.0000001));
}

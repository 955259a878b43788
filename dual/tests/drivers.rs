//! The forward drivers: course reference values, Rosenbrock and a 3-output Jacobian against
//! hand-derived answers, closures and generic fn items, chunk widths, length checks, nesting.

use diffprog_dual::{
    derivative, derivative_at, gradient, gradient_at, gradient_with_chunk, jacobian,
    jacobian_with_chunk, jvp, Dual, DualVec, GradientNumber, Scalar,
};

// ------------------------------------------------------------------ course reference values

#[test]
fn course_xy_plus_sin_x() {
    // z = x·y + sin x at (0.5, 4.2)
    fn z<T: Scalar>(p: &[T]) -> T {
        p[0] * p[1] + p[0].sin()
    }
    let (v, g) = gradient(z, [0.5, 4.2]);
    assert!((v - 2.579425538604203).abs() < 1e-15);
    assert!((g[0] - 5.077582561890373).abs() < 1e-15);
    assert!((g[1] - 0.5).abs() < 1e-15);
}

#[test]
fn course_loop() {
    // z = 1; for i in 0..2 { z = (z + i)·x·x } at x = 0.5: z = 0.3125, dz/dx = 1.5
    fn f<T: Scalar>(x: T) -> T {
        let mut z = T::one();
        for i in 0..2 {
            z = (z + i as f64) * x * x;
        }
        z
    }
    assert_eq!(derivative(f, 0.5), (0.3125, 1.5));
}

#[test]
fn course_branch() {
    // if a > 0.5 { 0 } else { 2a }: derivative 0 or 2
    fn f<T: Scalar>(a: T) -> T {
        if a > 0.5 {
            T::zero()
        } else {
            a * 2.0
        }
    }
    assert_eq!(derivative(f, 0.7), (0.0, 0.0));
    assert_eq!(derivative(f, 0.3), (0.6, 2.0));
}

#[test]
fn course_repeated_update() {
    // b = 1; 3 times { b = b + b·a }: b = (1 + a)³, derivative 3(1 + a)²
    fn f<T: Scalar>(a: T) -> T {
        let mut b = T::one();
        for _ in 0..3 {
            b = b + b * a;
        }
        b
    }
    for a in [-0.5, 0.0, 0.3, 2.0] {
        let (v, d) = derivative(f, a);
        assert!((v - (1.0 + a).powi(3)).abs() < 1e-15);
        assert!((d - 3.0 * (1.0 + a) * (1.0 + a)).abs() < 1e-14);
    }
}

// ------------------------------------------------------------------ gradient and Jacobian

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// ∂/∂xᵢ = −400 xᵢ (xᵢ₊₁ − xᵢ²) − 2(1 − xᵢ) + 200 (xᵢ − xᵢ₋₁²), by hand.
fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let mut g = 0.0;
            if i + 1 < n {
                g += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
            }
            if i > 0 {
                g += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
            }
            g
        })
        .collect()
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.3 + 0.9 * ((i as f64) * 1.3).sin())
        .collect()
}

fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "component {i}: {x} vs {y}"
        );
    }
}

#[test]
fn rosenbrock_gradient_against_hand_derivation() {
    for n in [2, 3, 7, 8, 9, 17, 50] {
        let x = point(n);
        let (v, g) = gradient(rosenbrock, &x);
        assert_eq!(v, rosenbrock(&x));
        assert_close(&g, &rosenbrock_gradient(&x), 1e-14);
        // every chunk width gives the same gradient
        assert_close(&gradient_with_chunk::<1>(rosenbrock, &x).1, &g, 1e-15);
        assert_close(&gradient_with_chunk::<3>(rosenbrock, &x).1, &g, 1e-15);
        assert_close(&gradient_with_chunk::<16>(rosenbrock, &x).1, &g, 1e-15);
    }
}

#[test]
fn closures_capturing_data_are_accepted() {
    let data = [1.0, 2.0, 3.0];
    let model = |p: &[GradientNumber], data: &[f64]| -> GradientNumber {
        data.iter()
            .map(|&d| (p[0] * d + p[1] - d * d) * (p[0] * d + p[1] - d * d))
            .sum()
    };
    let (v, g) = gradient(|p| model(p, &data), [0.5, -1.0]);
    let r: Vec<f64> = data.iter().map(|d| 0.5 * d - 1.0 - d * d).collect();
    assert_eq!(v, r.iter().map(|r| r * r).sum::<f64>());
    assert_close(
        &g,
        &[
            data.iter().zip(&r).map(|(d, r)| 2.0 * r * d).sum(),
            r.iter().map(|r| 2.0 * r).sum(),
        ],
        1e-15,
    );
}

/// f(x, y, z) = (x·y·z, sin x + y², e^z / x)
fn three_outputs<T: Scalar>(p: &[T]) -> Vec<T> {
    vec![
        p[0] * p[1] * p[2],
        p[0].sin() + p[1] * p[1],
        p[2].exp() / p[0],
    ]
}

#[test]
fn jacobian_against_hand_derivation() {
    let (x, y, z) = (0.7, -1.3, 0.4);
    let expected = [
        [y * z, x * z, x * y],
        [x.cos(), 2.0 * y, 0.0],
        [-z.exp() / (x * x), 0.0, z.exp() / x],
    ];
    let (v, j) = jacobian(three_outputs, [x, y, z]);
    assert_close(&v, &three_outputs(&[x, y, z]), 0.0);
    assert_eq!(j.shape(), (3, 3));
    for r in 0..3 {
        for c in 0..3 {
            assert!((j[(r, c)] - expected[r][c]).abs() < 1e-15, "J[{r}, {c}]");
        }
    }
    let (_, j2) = jacobian_with_chunk::<2>(three_outputs, &[x, y, z]);
    assert_eq!(j, j2);
    // J·v by jvp equals the matrix product
    let dir = [0.3, -0.2, 1.1];
    let (v3, jv) = jvp(three_outputs, [x, y, z], dir);
    assert_eq!(v3, v);
    for r in 0..3 {
        let want: f64 = (0..3).map(|c| expected[r][c] * dir[c]).sum();
        assert!((jv[r] - want).abs() < 1e-15);
    }
}

#[test]
fn non_square_jacobian_and_empty_input() {
    let (v, j) = jacobian(|p| vec![p[0] + p[1]; 4], [1.0, 2.0]);
    assert_eq!((v.len(), j.shape()), (4, (4, 2)));
    let (v, g) = gradient(|_| DualVec::lift(5.0), []);
    assert_eq!((v, g.len()), (5.0, 0));
}

#[test]
#[should_panic(expected = "x has 2 components but the direction v has 3")]
fn jvp_length_mismatch_panics() {
    let _ = jvp(|p| p.to_vec(), [1.0, 2.0], [1.0, 0.0, 0.0]);
}

#[test]
#[should_panic(expected = "returned 1 outputs in one pass and 2 in the first")]
fn jacobian_changing_output_count_panics() {
    let _ = jacobian_with_chunk::<1>(
        |p| {
            if p[0].eps()[0] == 1.0 {
                vec![p[0], p[1]]
            } else {
                vec![p[0]]
            }
        },
        &[1.0, 2.0],
    );
}

#[test]
fn f32_gradient() {
    fn f<T: Scalar<f32>>(p: &[T]) -> T {
        p[0] * p[0] * 3.0 + p[1].sin()
    }
    let (v, g) = gradient_at::<f32, 2>(f, &[1.5, 0.5]);
    assert_eq!(v, 6.75 + 0.5f32.sin());
    assert_eq!(g, vec![9.0, 0.5f32.cos()]);
}

// ------------------------------------------------------------------ nesting

#[test]
fn nested_derivative_has_no_perturbation_confusion() {
    // d/dx [x · d/dy (x + y)]|_{x=1} = 1 (a confused implementation gives 2)
    let (_, d) = derivative(
        |x: Dual<f64>| {
            let (_, inner) = derivative_at(|y| Dual::lift(x) + y, Dual::constant(1.0));
            x * inner
        },
        1.0,
    );
    assert_eq!(d, 1.0);
}

#[test]
fn second_derivative_by_nesting_drivers() {
    // f'' by a derivative of a derivative: d/dx (d/dy sin(y))|_{y=x} = −sin x.
    fn f<T: Scalar>(y: T) -> T {
        y.sin() * y
    }
    let x = 0.8;
    let (d1, d2) = derivative(|x: Dual<f64>| derivative_at(f, x).1, x);
    assert!((d1 - (x.cos() * x + x.sin())).abs() < 1e-15);
    assert!((d2 - (-x.sin() * x + 2.0 * x.cos())).abs() < 1e-15);
    // the gradient of a gradient component is a Hessian row (nested gradient at the outer type)
    let (_, h) = gradient(
        |p| {
            let (_, g) = gradient_at::<GradientNumber, 4>(rosenbrock, p);
            g[0]
        },
        [0.5, 0.2],
    );
    assert_close(
        &h,
        &[1200.0 * 0.25 - 400.0 * 0.2 + 2.0, -400.0 * 0.5],
        1e-13,
    );
}

#[test]
fn generic_fn_items_and_closures_both_work() {
    fn cube<T: Scalar>(x: T) -> T {
        x * x * x
    }
    assert_eq!(derivative(cube, 2.0), (8.0, 12.0));
    assert_eq!(derivative(|x| cube(x) + 1.0, 2.0), (9.0, 12.0));
    let (_, g) = gradient(rosenbrock, [1.0, 1.0]);
    let (_, g2) = gradient(|p| rosenbrock(p) * 1.0, [1.0, 1.0]);
    assert_eq!(g, g2);
}

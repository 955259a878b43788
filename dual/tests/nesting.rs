//! Nested drivers at the same number type: what cannot confuse runs (and is correct), what can
//! is rejected.

use diffprog_dual::{
    derivative, derivative_at, gradient, jacobian, jacobian_array, jvp, ColoredJacobian, Dual,
    DualVec, Scalar,
};
use std::cell::Cell;

/// √a by Newton's method, with the iteration's derivative taken by `derivative` inside: a library
/// function that differentiates internally.
fn newton_sqrt(a: f64) -> f64 {
    let mut y = a.max(1.0);
    for _ in 0..60 {
        let (r, slope) = derivative(|y| y * y - a, y);
        y -= r / slope;
    }
    y
}

#[test]
fn an_inner_derivative_that_depends_on_no_outer_number_runs() {
    // The example: d/dx [x · d/dy (2y)] at 1 = 2.
    let (value, slope) = derivative(|x| x * derivative(|y| y * 2.0, 1.0).1, 1.0);
    assert_eq!((value, slope), (2.0, 2.0));
    // A library that calls `derivative` internally, used inside a differentiated function.
    let (value, slope) = derivative(|x| x.sin() * newton_sqrt(2.0), 0.5);
    assert!((value - 0.5_f64.sin() * 2.0_f64.sqrt()).abs() < 1e-15);
    assert!((slope - 0.5_f64.cos() * 2.0_f64.sqrt()).abs() < 1e-15);
    // ... and inside a gradient, a Jacobian and a JVP at other types
    let (_, g) = gradient(|p| p[0] * p[1] * newton_sqrt(4.0), [3.0, 5.0]);
    assert_eq!(g, vec![10.0, 6.0]);
}

#[test]
fn same_type_inner_drivers_of_every_forward_kind_run_when_independent() {
    // gradient in gradient
    let (_, g) = gradient(
        |p| {
            let (_, inner) = gradient(|q| q[0] * q[0] * q[1], [2.0, 3.0]);
            p[0] * inner[0] + p[1] * inner[1]
        },
        [1.0, 1.0],
    );
    assert_eq!(g, vec![12.0, 4.0]);
    // jacobian in jacobian
    let (_, j) = jacobian(
        |p| {
            let (_, inner) = jacobian(|q| vec![q[0] * q[1]], [2.0, 3.0]);
            vec![p[0] * inner[(0, 0)], p[1] * inner[(0, 1)]]
        },
        [1.0, 1.0],
    );
    assert_eq!((j[(0, 0)], j[(1, 1)], j[(0, 1)]), (3.0, 2.0, 0.0));
    // jvp in jvp
    let (_, jv) = jvp(
        |p| {
            let (_, inner) = jvp(|q| [q[0] * q[0]], [3.0], [1.0]);
            [p[0] * inner[0]]
        },
        [2.0],
        [1.0],
    );
    assert_eq!(jv, vec![6.0]);
    // jacobian_array in jacobian_array
    let (_, j) = jacobian_array(
        |p: &[DualVec<f64, 1>; 1]| {
            let (_, inner) = jacobian_array(|q: &[DualVec<f64, 1>; 1]| [q[0] * 5.0], &[1.0]);
            [p[0] * inner[0][0]]
        },
        &[2.0],
    );
    assert_eq!(j, [[5.0]]);
    // a coloured Jacobian in a coloured Jacobian
    let mut outer = ColoredJacobian::<2>::new(vec![0, 1]);
    let (_, compressed) = outer.compute(
        |p, out| {
            let mut inner = ColoredJacobian::<2>::new(vec![0]);
            let (_, c) = inner.compute(|q, o| *o = vec![q[0] * 7.0], [1.0]);
            let c = c[0];
            *out = vec![p[0] * c, p[1]];
        },
        [1.0, 1.0],
    );
    assert_eq!(compressed.to_vec(), vec![7.0, 0.0, 0.0, 1.0]);
}

#[test]
#[should_panic(
    expected = "with the same number type `diffprog_dual::dual::Dual<f64>`, and the inner function depends on a number of the outer level"
)]
fn an_inner_derivative_capturing_an_outer_number_is_rejected() {
    // d/dx [x · d/dy (x + y)] at 1 is 1; a confused implementation returns 2.
    let _ = derivative(
        |x: Dual<f64>| {
            let (_, inner) = derivative(|y| x + y, 1.0);
            x * inner
        },
        1.0,
    );
}

#[test]
#[should_panic(expected = "depends on a number of the outer level")]
fn an_inner_gradient_capturing_an_outer_number_is_rejected() {
    let _ = gradient(
        |p| {
            let (_, g) = gradient(|q| q[0] * p[1], [1.0]);
            p[0] * g[0]
        },
        [1.0, 2.0],
    );
}

#[test]
#[should_panic(expected = "depends on a number of the outer level")]
fn an_inner_jvp_capturing_an_outer_number_is_rejected() {
    let _ = jvp(
        |p| {
            let (_, inner) = jvp(|q| [q[0] * p[0]], [3.0], [1.0]);
            [p[0] * inner[0]]
        },
        [2.0],
        [1.0],
    );
}

#[test]
fn capturing_an_outer_number_whose_tangent_is_zero_cannot_confuse_and_runs() {
    // In the gradient's only pass both inputs are seeded, but `c` is a constant of the outer
    // level: the inner derivative depends on it only through its value.
    let (_, g) = gradient(
        |p| {
            let c = DualVec::lift(3.0);
            let (_, inner) = gradient(|q| q[0] * c, [1.0]);
            p[0] * inner[0]
        },
        [1.0],
    );
    assert_eq!(g, vec![3.0]);
}

#[test]
fn the_correct_nesting_is_unaffected() {
    // d/dx [x · d/dy (x + y)] = 1, by running the inner driver at the outer number type.
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
fn a_top_level_driver_evaluates_its_function_once_and_accepts_fnmut() {
    let mut calls = 0;
    let (_, d) = derivative(
        |x| {
            calls += 1;
            x.sin()
        },
        0.0,
    );
    assert_eq!((calls, d), (1, 1.0));
    // nested at the same type, the probe adds one evaluation
    let inner_calls = Cell::new(0);
    let _ = derivative(
        |x| {
            let (_, s) = derivative(
                |y| {
                    inner_calls.set(inner_calls.get() + 1);
                    y * 3.0
                },
                1.0,
            );
            x * s
        },
        1.0,
    );
    assert_eq!(inner_calls.get(), 2);
}

#[test]
fn a_rejected_nesting_leaves_the_thread_usable() {
    let rejected = std::panic::catch_unwind(|| {
        derivative(
            |x: Dual<f64>| {
                let (_, inner) = derivative(|y| x * y, 1.0);
                x * inner
            },
            1.0,
        )
    });
    assert!(rejected.is_err());
    assert_eq!(derivative(|x| x * x, 3.0), (9.0, 6.0));
}

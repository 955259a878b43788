//! The drivers lend their inputs from a buffer reused across calls, rewriting only the values and
//! the recording id when the previous call left `Var`s of the same records: every call must still
//! see inputs with its own values, on records 1..=n, and get its own derivatives.

use diffprog_dual::Scalar;
use diffprog_reverse::{gradient, hessian_vector_product, jacobian, vjp, Recording, Var};

/// f(x) = Σ (k + 1)·xₖ² + x₀·xₙ₋₁, checking on the way that the inputs are fresh.
fn weighted_squares(expected: &[f64]) -> impl Fn(&[Var]) -> Var + '_ {
    move |x: &[Var]| {
        assert_eq!(x.len(), expected.len(), "one input per value");
        for (k, (v, &e)) in x.iter().zip(expected).enumerate() {
            assert_eq!(v.primal(), e, "input {k} has this call's value");
            assert_eq!(v.tape_index(), Some(k + 1), "input {k} is record {}", k + 1);
        }
        let mut s = x[0] * x[x.len() - 1];
        for (k, &v) in x.iter().enumerate() {
            s += v * v * (k as f64 + 1.0);
        }
        s
    }
}

fn weighted_squares_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g: Vec<f64> = (0..n).map(|k| 2.0 * (k as f64 + 1.0) * x[k]).collect();
    g[0] += x[n - 1];
    g[n - 1] += x[0];
    g
}

#[test]
fn consecutive_gradients_of_varying_length_see_their_own_inputs() {
    for (call, &n) in [4, 4, 2, 7, 7, 1, 3, 7].iter().enumerate() {
        let x: Vec<f64> = (0..n)
            .map(|k| 0.25 * k as f64 - 0.1 * call as f64)
            .collect();
        let (value, g) = gradient(weighted_squares(&x), &x);
        let expected_value: f64 =
            x[0] * x[n - 1] + (0..n).map(|k| (k as f64 + 1.0) * x[k] * x[k]).sum::<f64>();
        assert!((value - expected_value).abs() < 1e-14, "call {call}");
        let expected = weighted_squares_gradient(&x);
        for k in 0..n {
            assert!(
                (g[k] - expected[k]).abs() < 1e-14,
                "call {call}, component {k}"
            );
        }
    }
}

#[test]
fn drivers_of_both_element_types_interleaved_with_an_explicit_recording() {
    for round in 0..3 {
        let shift = round as f64;
        let x = [0.5 + shift, -1.5, 2.0];
        let (_, g) = gradient(weighted_squares(&x), x);
        assert_eq!(g, weighted_squares_gradient(&x));

        // An explicit recording does not use the buffer; the next driver call must not be fooled.
        let rec = Recording::<f64>::new();
        let v = rec.variables(&[3.0, 4.0]);
        let y = v[0] * v[1];
        assert_eq!(rec.backward(y).wrt(v[0]), 4.0);
        drop(rec);

        // vjp and jacobian reuse the same buffer with other lengths.
        let short = [1.0 + shift, 2.0];
        let (values, wj) = vjp(|x: &[Var]| vec![x[0] * x[1], x[0].sin()], short, [1.0, 2.0]);
        assert_eq!(values, vec![short[0] * short[1], short[0].sin()]);
        assert_eq!(wj, vec![short[1] + 2.0 * short[0].cos(), short[0]]);
        let long = [0.1, 0.2, 0.3, 0.4 + shift];
        let (_, jac) = jacobian(|x: &[Var]| vec![x[0] * x[3], x[1] + x[2]], long);
        assert_eq!(jac[(0, 0)], long[3]);
        assert_eq!(jac[(0, 3)], long[0]);
        assert_eq!(jac[(1, 1)], 1.0);
        assert_eq!(jac[(0, 1)], 0.0);

        // The mixed mode's element type has its own buffer.
        let (_, grad, hv) = hessian_vector_product(
            |x: &[Var<_>]| x[0] * x[0] * x[1],
            [2.0 + shift, 3.0],
            [1.0, 0.0],
        );
        assert_eq!(
            grad,
            vec![2.0 * (2.0 + shift) * 3.0, (2.0 + shift) * (2.0 + shift)]
        );
        assert_eq!(hv, vec![6.0, 2.0 * (2.0 + shift)]);
    }
}

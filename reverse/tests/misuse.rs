//! Misuse is caught with a clear panic; threads record independently; nesting is correct or
//! rejected.

use diffprog_dual::{derivative_at, Dual, Number, Scalar};
use diffprog_reverse::{gradient, hessian_vector_product, Recording, Var};
use std::cell::Cell;

/// An input `Var` smuggled out of a finished `gradient` call.
fn var_of_an_earlier_gradient_call() -> Var {
    let kept = Cell::new(None);
    let _ = gradient(
        |x: &[Var]| {
            kept.set(Some(x[0]));
            x[0] * x[0]
        },
        [1.0],
    );
    kept.get().unwrap()
}

#[test]
#[should_panic(expected = "from another recording")]
fn var_from_an_earlier_gradient_call_panics() {
    let old = var_of_an_earlier_gradient_call();
    let _ = gradient(|x: &[Var]| x[0] * old, [2.0]);
}

#[test]
#[should_panic(expected = "after its recording ended")]
fn var_used_after_its_recording_ended_panics() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(3.0);
    drop(rec);
    let _ = x * x;
}

#[test]
#[should_panic(expected = "from another recording")]
fn var_of_an_ended_recording_as_the_output_of_a_new_one_panics() {
    let old = var_of_an_earlier_gradient_call();
    // Only the old Var and constants: its first operation in the new recording panics.
    let _ = gradient(|_: &[Var]| (old * 3.0).sin(), [2.0]);
}

#[test]
#[should_panic(expected = "from another recording")]
fn custom_primitive_with_parents_of_two_recordings_panics() {
    let old = var_of_an_earlier_gradient_call();
    let _ = gradient(
        |x: &[Var]| Var::custom(1.0, &[(x[0], 2.0), (old, 3.0)]),
        [2.0],
    );
}

#[test]
#[should_panic(expected = "from another recording")]
fn adjoint_of_a_foreign_var_panics() {
    let first = Recording::<f64>::new();
    let a = first.variable(1.0);
    let ya = a * a;
    let adj = first.backward(ya);
    drop(first);
    let second = Recording::<f64>::new();
    let b = second.variable(1.0);
    let _ = b;
    // `b` is not part of the recording `adj` came from
    let _ = adj.wrt(b);
}

#[test]
fn var_from_another_thread_panics_there() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(2.0);
    let result = std::thread::spawn(move || {
        let inner = Recording::<f64>::new();
        let y = inner.variable(1.0);
        y * x // x belongs to the main thread's recording
    })
    .join();
    let err = result.expect_err("using another thread's Var must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("from another recording"), "{msg}");
    // the main thread's recording is unaffected
    let y = x * x;
    assert_eq!(rec.backward(y).wrt(x), 4.0);
}

#[test]
fn threads_differentiate_independently() {
    let handles: Vec<_> = (0..4)
        .map(|k| {
            std::thread::spawn(move || {
                let c = k as f64 + 1.0;
                for step in 0..200 {
                    let x = [0.1 * step as f64, c];
                    // f = c·x₀² + sin(x₀·x₁): a different function per thread
                    let (v, g) = gradient(|v: &[Var]| v[0] * v[0] * c + (v[0] * v[1]).sin(), x);
                    let p = x[0] * x[1];
                    assert_eq!(v, x[0] * x[0] * c + p.sin());
                    assert!((g[0] - (2.0 * c * x[0] + p.cos() * x[1])).abs() < 1e-13);
                    assert!((g[1] - p.cos() * x[0]).abs() < 1e-13);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
#[should_panic(expected = "already active")]
fn gradient_inside_gradient_at_the_same_type_is_rejected() {
    let _ = gradient(
        |x: &[Var]| {
            let (_, inner) = gradient(|y: &[Var]| y[0] * y[0], [x[0].value()]);
            x[0] * inner[0]
        },
        [1.0],
    );
}

#[test]
#[should_panic(expected = "already active")]
fn two_recordings_of_one_type_on_one_thread_are_rejected() {
    let _a = Recording::<f64>::new();
    let _b = Recording::<f64>::new();
}

/// Nesting at different number types is correct: reverse over forward. f(x) = d/dt sin(t·x) at
/// t = 1 = x cos x, so f'(x) = cos x − x sin x.
#[test]
fn reverse_over_forward_nesting_is_correct() {
    for &x in &[0.3, 1.2, -2.0] {
        let (v, g) = gradient(
            |v: &[Var]| {
                let (_, d) = derivative_at(
                    |t: Dual<Var>| (t * Dual::lift(v[0])).sin(),
                    <Var as Number>::one(),
                );
                d
            },
            [x],
        );
        assert!((v - x * x.cos()).abs() < 1e-15);
        assert!((g[0] - (x.cos() - x * x.sin())).abs() < 1e-14);
    }
}

/// Perturbation confusion at the mixed level: a forward derivative at `Dual<f64>` around a
/// Hessian–vector product (which also uses `Dual<f64>`) is rejected rather than confused.
#[test]
#[should_panic(expected = "same number type")]
fn forward_derivative_around_hvp_at_the_same_dual_type_is_rejected() {
    let _ = diffprog_dual::derivative(
        |x: Dual<f64>| {
            let (_, g, _) = hessian_vector_product(|y| y[0] * y[0], [x.re], [1.0]);
            x * g[0]
        },
        1.0,
    );
}

#[test]
#[should_panic(expected = "from another `hessian` call")]
fn hessian_var_from_an_earlier_hessian_call_panics() {
    use diffprog_reverse::{hessian, HessianVar};
    let kept = Cell::new(None);
    let _ = hessian(
        |x: &[HessianVar]| {
            kept.set(Some(x[0]));
            x[0] * x[0]
        },
        [1.0],
    );
    let old = kept.get().unwrap();
    let _ = hessian(|x: &[HessianVar]| x[0] * old, [2.0]);
}

#[test]
#[should_panic(expected = "after its `hessian` call ended")]
fn hessian_var_used_after_the_call_panics() {
    use diffprog_reverse::{hessian, HessianVar};
    let kept = Cell::new(None);
    let _ = hessian(
        |x: &[HessianVar]| {
            kept.set(Some(x[0]));
            x[0].sin()
        },
        [1.0],
    );
    let old = kept.get().unwrap();
    let _ = old * old;
}

#[test]
#[should_panic(expected = "inside another `hessian`")]
fn hessian_inside_hessian_is_rejected() {
    use diffprog_reverse::{hessian, HessianVar};
    let _ = hessian(
        |x: &[HessianVar]| {
            let (_, _, inner) = hessian(|y: &[HessianVar]| y[0] * y[0], [x[0].value()]);
            x[0] * inner[(0, 0)]
        },
        [1.0],
    );
}

#[test]
fn hessian_after_a_panicking_function_works() {
    use diffprog_reverse::{hessian, HessianVar};
    let caught = std::panic::catch_unwind(|| {
        hessian(
            |_: &[HessianVar]| -> HessianVar { panic!("user code failed") },
            [1.0],
        )
    });
    assert!(caught.is_err());
    let (v, g, h) = hessian(|x: &[HessianVar]| x[0] * x[0] * x[1], [3.0, 2.0]);
    assert_eq!((v, g), (18.0, vec![12.0, 9.0]));
    assert_eq!((h[(0, 0)], h[(0, 1)], h[(1, 1)]), (4.0, 6.0, 0.0));
}

#[test]
fn threads_compute_hessians_independently() {
    use diffprog_reverse::{hessian, HessianVar};
    let handles: Vec<_> = (0..4)
        .map(|k| {
            std::thread::spawn(move || {
                let c = k as f64 + 1.0;
                let mut last = None;
                for _ in 0..50 {
                    last = Some(hessian(
                        |x: &[HessianVar]| (x[0] * c).sin() * x[1] * x[1],
                        [0.3, 1.5],
                    ));
                }
                (c, last.unwrap())
            })
        })
        .collect();
    for h in handles {
        let (c, (_, _, hess)) = h.join().unwrap();
        // ∂²/∂x₀² = −c² sin(c x₀) x₁², ∂²/∂x₀∂x₁ = 2 c cos(c x₀) x₁, ∂²/∂x₁² = 2 sin(c x₀)
        let (x0, x1) = (0.3, 1.5);
        assert!((hess[(0, 0)] + c * c * (c * x0).sin() * x1 * x1).abs() < 1e-12);
        assert!((hess[(0, 1)] - 2.0 * c * (c * x0).cos() * x1).abs() < 1e-12);
        assert!((hess[(1, 1)] - 2.0 * (c * x0).sin()).abs() < 1e-12);
    }
}

#[test]
#[should_panic(expected = "retain_adjoint")]
fn adjoint_of_a_folded_intermediate_panics() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(0.5);
    let s = x.sin() * 3.0; // carries ∂s/∂x inline: no record of its own
    let adj = rec.backward(s * s);
    let _ = adj.wrt(s);
}

#[test]
fn retained_intermediates_have_adjoints() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(0.5);
    let y = rec.variable(2.0);
    let s = (x.sin() * y).retain_adjoint();
    let out = s * s + x;
    let adj = rec.backward(out);
    assert_eq!(adj.wrt(s), 2.0 * s.primal());
    let expected_x = 2.0 * s.primal() * 0.5_f64.cos() * 2.0 + 1.0;
    assert!((adj.wrt(x) - expected_x).abs() < 1e-15);
    assert_eq!(s.tape_index(), Some(3)); // sink 0, inputs 1 and 2, then s
    assert_eq!((x.sin() * y).tape_index(), None);
}

#[test]
#[should_panic(expected = "after its recording ended")]
fn retain_adjoint_after_the_recording_ended_panics() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(3.0);
    let y = x.sin() * x; // two entries, no record
    drop(rec);
    let _ = y.retain_adjoint(); // would write a record: refused
}

#[test]
#[should_panic(expected = "from another recording")]
fn a_record_from_values_of_an_earlier_recording_is_refused() {
    let first = Recording::<f64>::new();
    let (a, b, c) = (
        first.variable(1.0),
        first.variable(2.0),
        first.variable(3.0),
    );
    let ab = a * b; // two entries, no record
    drop(first);
    let _second = Recording::<f64>::new();
    let _ = ab * c; // would meet three records of the ended recording
}

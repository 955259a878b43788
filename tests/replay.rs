//! Replayed programs (`diffprog::reverse::replay`) against fresh recordings: random programs
//! replayed at new points, guards on piecewise functions, input-dependent loops and `max`-based
//! functions, re-recording, the record optimisations, misuse, and the parallel batches.
//!
//! A replay must give what a fresh recording at the new point gives (values bit for bit,
//! derivatives to the cross-mode suite's exact tolerance), or refuse with a guard failure
//! exactly where the function's control flow differs from the recorded one. The fresh
//! recordings are themselves checked against forward mode and central differences by the
//! cross-mode suite; the hand-written functions here are also checked against central
//! differences directly.

use diffprog::prelude::*;
use diffprog::reverse::replay::{
    record, record_vector, GuardFailure, Program, ReplayVar, Rerecording,
};
use diffprog_testkit::fd;
use diffprog_testkit::programs::eval::{self, outputs, scalar};
use diffprog_testkit::programs::program::{
    case, Binary, Case, Expr, Node, Step, Unary, MAX_INPUTS, MAX_NODES,
};
use diffprog_testkit::programs::tolerance::{exact_agree, MAX_MAGNITUDE};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Random programs

/// True if the program applies a custom primitive somewhere (a program recorded for replay
/// cannot hold one).
fn uses_custom(case: &Case) -> bool {
    let expr = |e: &Expr<usize>| {
        matches!(
            e,
            Expr::Unary {
                op: Unary::Custom,
                ..
            } | Expr::Binary {
                op: Binary::Custom,
                ..
            }
        )
    };
    case.program.nodes.iter().any(|node| match node {
        Node::Expr(e) => expr(e),
        Node::Branch { then, els, .. } => expr(then) || expr(els),
        Node::Loop { body, .. } => body.iter().any(|s| {
            matches!(
                s,
                Step::Unary {
                    op: Unary::Custom,
                    ..
                } | Step::Binary {
                    op: Binary::Custom,
                    ..
                }
            )
        }),
        _ => false,
    })
}

/// True if the program has a loop: its trip count is computed from `.value()` (a plain `f64`),
/// which no guard sees, so replays are compared only where the path is the recorded one.
fn has_loop(case: &Case) -> bool {
    case.program
        .nodes
        .iter()
        .any(|n| matches!(n, Node::Loop { .. }))
}

struct Compare<'a> {
    what: String,
    values: f64,
    singular_distance: f64,
    case: &'a Case,
}

impl Compare<'_> {
    /// Every component of `replayed` agrees with `fresh` as exact results.
    fn all(&self, name: &str, replayed: &[f64], fresh: &[f64]) -> Result<(), TestCaseError> {
        let scale = fresh.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for (i, (&a, &b)) in replayed.iter().zip(fresh).enumerate() {
            prop_assert!(
                exact_agree(a, b, scale, self.values, self.singular_distance),
                "{name}[{i}] {}: replayed {a} vs fresh {b}\n{}",
                self.what,
                self.case
            );
        }
        Ok(())
    }
}

/// Replays `program` at `x` and compares value, gradient, Hessian–vector product, Hessian,
/// values, VJP and Jacobian with fresh recordings there; `Err(failure)` if a guard refused.
fn compare_at(
    case: &Case,
    program: &mut Program,
    vector: &mut Program,
    x: &[f64],
    what: &str,
) -> Result<Result<(), GuardFailure>, TestCaseError> {
    let p = &case.program;
    let (_, trace) = eval::eval::<f64>(p, x);
    let c = Compare {
        what: format!("{what} at {x:?}"),
        values: trace.max_abs,
        singular_distance: trace.singular_distance,
        case,
    };
    let (value, grad) = match program.gradient(x) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    prop_assert_eq!(
        value.to_bits(),
        scalar::<f64>(p, x).to_bits(),
        "value {}",
        c.what
    );
    let (_, fresh) = diffprog::reverse::gradient(|v| scalar(p, v), x);
    c.all("gradient", &grad, &fresh)?;

    let (hv_value, hv_grad, hv) = program
        .hessian_vector_product(x, &case.v)
        .expect("guards held");
    prop_assert_eq!(hv_value.to_bits(), value.to_bits());
    prop_assert_eq!(
        &hv_grad,
        &grad,
        "the HVP's gradient part is the gradient's arithmetic"
    );
    let (mut into_grad, mut into_hv) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    let into_value = program
        .hessian_vector_product_into(x, &case.v, &mut into_grad, &mut into_hv)
        .expect("guards held");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    prop_assert_eq!(into_value.to_bits(), value.to_bits());
    prop_assert_eq!(bits(&into_grad), bits(&hv_grad));
    prop_assert_eq!(bits(&into_hv), bits(&hv));
    let (_, _, fresh_hv) = diffprog::reverse::hessian_vector_product(|v| scalar(p, v), x, &case.v);
    c.all("H·v", &hv, &fresh_hv)?;

    let (_, _, h) = program.hessian(x).expect("guards held");
    let (_, _, fresh_h) = diffprog::reverse::hessian(|v| scalar(p, v), x);
    c.all("Hessian", h.as_slice(), fresh_h.as_slice())?;

    let (y, j) = vector.jacobian(x).expect("guards held");
    let (fresh_y, fresh_j) = diffprog::reverse::jacobian(|v| outputs(p, v), x);
    prop_assert_eq!(&y, &fresh_y);
    c.all("Jacobian", j.as_slice(), fresh_j.as_slice())?;
    let (_, wj) = vector.vjp(x, &case.w).expect("guards held");
    let (_, fresh_wj) = diffprog::reverse::vjp(|v| outputs(p, v), x, &case.w);
    c.all("wᵀJ", &wj, &fresh_wj)?;
    Ok(Ok(()))
}

/// Random programs recorded at one point and replayed there and at points along the case's
/// direction: equal to fresh recordings wherever the guards hold; a guard refuses only where the
/// path (branch outcomes, loop trips, signs at decisions) differs from the recorded one.
#[test]
fn random_programs_replay_like_fresh_recordings() {
    use std::cell::Cell;
    let (recorded, replayed, refused) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let strategy = (
        case(MAX_INPUTS, MAX_NODES),
        prop::sample::select(vec![1e-3, 0.1, 0.7, 2.0]),
    );
    let config = proptest::test_runner::Config {
        failure_persistence: None,
        ..diffprog_testkit::config(256)
    };
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let result = runner.run(&strategy, |(case, step)| {
        if uses_custom(&case) {
            return Ok(());
        }
        let p = &case.program;
        let x = &case.x[..];
        let (_, t0) = eval::eval::<f64>(p, x);
        if !(t0.finite() && t0.max_abs <= MAX_MAGNITUDE && !t0.singular) {
            return Ok(());
        }
        recorded.set(recorded.get() + 1);
        let mut program = record(|v| scalar(p, v), x);
        let mut vector = record_vector(|v| outputs(p, v), x);
        prop_assert!(
            compare_at(&case, &mut program, &mut vector, x, "the recording point")?.is_ok()
        );

        let x2 = fd::offset(x, &case.v, step);
        let (_, t2) = eval::eval::<f64>(p, &x2);
        if !(t2.finite() && t2.max_abs <= MAX_MAGNITUDE && !t2.singular) {
            return Ok(());
        }
        let same_path = t2.path == t0.path;
        if has_loop(&case) && !same_path {
            return Ok(()); // a trip count read through `.value()`: outside the guards' reach
        }
        match compare_at(&case, &mut program, &mut vector, &x2, "a new point")? {
            Ok(()) => replayed.set(replayed.get() + 1),
            Err(failure) => {
                refused.set(refused.get() + 1);
                prop_assert!(
                    !same_path,
                    "a guard refused on the recorded path: {failure}"
                );
                prop_assert_eq!(failure.input(), &x2[..]);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (recorded, replayed, refused) = (recorded.get(), replayed.get(), refused.get());
    println!("{recorded} programs recorded; at new points {replayed} replayed, {refused} refused");
    assert!(
        recorded >= 100 && replayed >= 80 && refused >= 2,
        "too few cases exercised: {recorded} recorded, {replayed} replayed, {refused} refused"
    );
}

/// Array code whose instructions the interpreter runs as loops over slices (every slice kind,
/// contiguous and repeated operands) and running sums, against fresh recordings and central
/// differences.
#[test]
fn loops_over_slices_replay_like_fresh_recordings() {
    fn arrays<T: Scalar>(x: &[T]) -> T {
        let n = x.len();
        let mut s = T::zero();
        for i in 0..n - 1 {
            s += x[i] * x[i + 1] - x[i] * 0.5; // Mul (1, 1), MulConst, Sub
        }
        let mut t = x[0];
        for &xi in &x[1..] {
            t += xi * x[0]; // Mul with a repeated operand, a running sum
        }
        let mut u = T::one();
        for &xi in x {
            u += -xi + (T::one() - xi) * (xi + 2.0); // Neg, ConstSub, AddConst
        }
        let w: T = x.iter().map(|&xi| (xi - x[n - 1]) * (xi - x[n - 1])).sum(); // Sub (1, 0)
        let mut squares = T::zero();
        for i in 0..n - 1 {
            let d = x[i] - x[i + 1];
            squares += d * d * 3.0; // Mul of a slice by itself
        }
        s * t + u.sin() + w + squares
    }
    let n = 23;
    let x0: Vec<f64> = (0..n).map(|i| 0.3 + 0.05 * i as f64).collect();
    let mut program = record(arrays, &x0);
    let listing = program.to_string();
    let header = listing.lines().next().unwrap();
    assert!(!header.contains("(0 over slices"), "{header}");
    assert!(!header.contains(", 0 running sums"), "{header}");
    for k in 0..5 {
        let x: Vec<f64> = x0
            .iter()
            .enumerate()
            .map(|(i, v)| v + 0.1 * k as f64 * ((i % 3) as f64 - 1.0))
            .collect();
        let r = program.gradient(&x).unwrap();
        check_gradient_at(r, arrays, arrays::<f64>, &x, true);
        let v: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).cos()).collect();
        let (_, _, hv) = program.hessian_vector_product(&x, &v).unwrap();
        let (_, _, fresh) = diffprog::reverse::hessian_vector_product(arrays, &x, &v);
        let scale = fresh.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
        for (a, b) in hv.iter().zip(&fresh) {
            assert!((a - b).abs() <= 1e-13 * scale, "H·v: {a} vs {b}");
        }
        let (_, _, h) = program.hessian(&x).unwrap();
        let (_, _, fresh) = diffprog::reverse::hessian(arrays, &x);
        for (a, b) in h.iter().zip(fresh.iter()) {
            assert!((a - b).abs() <= 1e-13 * scale, "Hessian: {a} vs {b}");
        }
    }
}

/// A slice run of products writing its operands' adjoints first (they have no other reader),
/// with infinite adjoints meeting zero operands (√ at 0): the replay redoes the run by the
/// strong-zero rule, and the gradient is finite, as a fresh recording's.
#[test]
fn first_writing_products_keep_the_strong_zero_at_infinite_adjoints() {
    fn f<T: Scalar>(x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            s += ((x[i] + 1.0) * (x[i + 1] - 2.0)).sqrt() + x[i];
        }
        s
    }
    let x0: Vec<f64> = (0..9).map(|i| 3.0 + i as f64).collect();
    let mut program = record(f, &x0);
    assert!(!program.to_string().contains("(0 over slices"));
    // Term 2 is √(0 · 0); every other product is positive.
    let x = [-3.0, -4.0, -1.0, 2.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    let (value, grad) = program.gradient(x).unwrap();
    let (fresh_value, fresh) = diffprog::reverse::gradient(f, x);
    assert_eq!(value.to_bits(), fresh_value.to_bits());
    for (i, (a, b)) in grad.iter().zip(&fresh).enumerate() {
        assert!(
            b.is_finite() && (a - b).abs() <= 1e-14 * b.abs(),
            "∂/∂x{i}: {a} vs {b}"
        );
    }
}

/// Slice runs whose forward products meet `0 · ∞` in the tangents (a zero direction times an
/// infinite value): the replayed Hessian–vector product takes the strong-zero products there,
/// bit for bit as a fresh recording does.
#[test]
fn slice_products_of_zero_tangents_and_infinite_values_replay_like_fresh_recordings() {
    // pᵢ = xᵢ / x_{h+i} is a slice of products; at x_{h+1} = 0 with v₁ = v_{h+1} = 0, p₁ = ∞
    // and its tangent 0 · ∞ + x₁ · 0 is 0 by the strong rule (NaN by IEEE), which reaches
    // (H·v)₂ through the product p₁ · x₂.
    fn f<T: Scalar>(x: &[T]) -> T {
        let h = x.len() / 2;
        let mut s = T::zero();
        for i in 0..h {
            s += x[i] * x[i + h].recip() * x[i + 1];
        }
        s
    }
    let x0: Vec<f64> = (0..12).map(|i| 1.0 + 0.5 * i as f64).collect();
    let mut program = record(f, &x0);
    assert!(!program.to_string().contains("(0 over slices"));
    let x = [1.0, 2.0, 3.0, 1.0, 1.0, 1.0, 1.0, 0.0, 2.0, 3.0, 0.5, 5.0];
    let v = [1.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.5, 0.0, 0.0, 1.0, 1.0, 0.0];
    let (value, grad, hv) = program.hessian_vector_product(x, v).unwrap();
    let (fresh_value, fresh_grad, fresh_hv) = diffprog::reverse::hessian_vector_product(f, x, v);
    // Infinities and NaNs where the recording has them; finite values to rounding (the replay
    // sums a slot's contributions in its own order).
    let same = |a: f64, b: f64| {
        a.to_bits() == b.to_bits()
            || (a.is_nan() && b.is_nan())
            || (a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-14 * a.abs().max(b.abs()))
    };
    assert!(same(value, fresh_value), "value {value} vs {fresh_value}");
    assert!(!hv[2].is_nan(), "(H·v)₂ = {}", hv[2]);
    for (name, replayed, fresh) in [("∇f", grad, fresh_grad), ("H·v", hv, fresh_hv)] {
        for (i, (a, b)) in replayed.iter().zip(&fresh).enumerate() {
            assert!(same(*a, *b), "{name}[{i}]: replayed {a} vs fresh {b}");
        }
    }
}

/// Jacobians of programs with fewer inputs than outputs (forward tangent passes of 2, 4 and 8
/// lanes, and more than one pass) and with more (adjoint sweeps), against fresh recordings; a
/// guard refuses in both.
#[test]
fn jacobians_by_tangents_and_by_sweeps_replay_like_fresh_recordings() {
    fn wide<T: Scalar>(x: &[T], m: usize) -> Vec<T> {
        (0..m)
            .map(|k| {
                let mut s = T::zero();
                for (j, &xj) in x.iter().enumerate() {
                    s += xj * ((k * 7 + j * 3) % 11) as f64 * 0.1;
                }
                let y = s.tanh() * x[k % x.len()];
                if x[0] > 0.0 {
                    y
                } else {
                    y.sin()
                }
            })
            .collect()
    }
    for (n, m) in [
        (1, 5),
        (2, 30),
        (3, 30),
        (4, 40),
        (7, 40),
        (11, 40),
        (20, 3),
    ] {
        let f = move |x: &[Var]| wide(x, m);
        let x0: Vec<f64> = (0..n).map(|i| 0.3 + 0.1 * i as f64).collect();
        let mut program = record_vector(|x| wide(x, m), &x0);
        assert_eq!(program.guards(), m, "one comparison per output");
        let x: Vec<f64> = x0.iter().map(|v| v * 1.7 + 0.05).collect();
        let (y, j) = program.jacobian(&x).unwrap();
        let (fresh_y, fresh_j) = diffprog::reverse::jacobian(f, &x);
        assert_eq!(y, fresh_y, "values, n = {n}, m = {m}");
        assert_eq!(j.shape(), (m, n));
        for (a, b) in j.iter().zip(fresh_j.iter()) {
            assert!(
                (a - b).abs() <= 1e-14 * b.abs().max(1e-300),
                "n = {n}, m = {m}: {a} vs {b}"
            );
        }
        let mut refused = x.clone();
        refused[0] = -1.0;
        assert!(program.jacobian(&refused).is_err(), "n = {n}, m = {m}");
    }
}

/// A running sum whose partial sums are outputs themselves: their adjoints are the weights, not
/// zero, and each reaches every earlier term.
#[test]
fn running_sums_whose_partial_sums_are_outputs_replay_like_fresh_recordings() {
    fn cumulative<T: Scalar>(x: &[T]) -> Vec<T> {
        let mut sums = vec![x[0] * x[0]];
        for &xi in &x[1..] {
            let last = sums[sums.len() - 1];
            sums.push(last + xi);
        }
        sums
    }
    let x0: Vec<f64> = (0..12).map(|i| 0.5 + 0.1 * i as f64).collect();
    let mut program = record_vector(cumulative, &x0);
    assert!(program.to_string().contains(", 1 running sums"));
    let x: Vec<f64> = x0.iter().map(|v| v * 1.5 - 0.2).collect();
    let w: Vec<f64> = (0..12).map(|i| 1.0 + (i as f64).sin()).collect();
    let (y, wj) = program.vjp(&x, &w).unwrap();
    let (fresh_y, fresh_wj) = diffprog::reverse::vjp(cumulative, &x, &w);
    assert_eq!(y, fresh_y);
    for (a, b) in wj.iter().zip(&fresh_wj) {
        assert!((a - b).abs() <= 1e-14 * b.abs(), "wᵀJ: {a} vs {b}");
    }
    let (_, j) = program.jacobian(&x).unwrap();
    let (_, fresh_j) = diffprog::reverse::jacobian(cumulative, &x);
    assert_eq!(j, fresh_j);
}

#[test]
fn loops_over_slices_keep_the_strong_zero_at_non_finite_adjoints() {
    // √(x_i · x_{i+1}) at a zero product has an infinite adjoint; the slice run of the products
    // must pass it on as the tape does: ∞ times a zero partial is exactly zero, not NaN.
    fn f<T: Scalar>(x: &[T]) -> T {
        let n = x.len();
        let mut s = T::zero();
        for i in 0..n - 1 {
            s += (x[i] * x[i + 1]).sqrt() + x[i] * 2.0;
        }
        s
    }
    let x0: Vec<f64> = (0..9).map(|i| 1.0 + 0.25 * i as f64).collect();
    let mut program = record(f, &x0);
    assert!(!program
        .to_string()
        .lines()
        .next()
        .unwrap()
        .contains("(0 over slices"));
    let points = [
        vec![0.0, 0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 4.0],
        vec![0.0, 5.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0],
        vec![1.0, 2.0, 3.0, 4.0, 0.0, 6.0, 7.0, 0.0, 9.0],
    ];
    for x in &points {
        let (value, grad) = program.gradient(x).unwrap();
        let (fresh_value, fresh) = diffprog::reverse::gradient(f, x);
        assert_eq!(value.to_bits(), fresh_value.to_bits(), "value at {x:?}");
        for (i, (a, b)) in grad.iter().zip(&fresh).enumerate() {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "∂/∂x{i} at {x:?}: replayed {a} vs fresh {b}"
            );
        }
        assert!(grad.iter().any(|g| g.is_infinite()), "{grad:?} at {x:?}");
        let v: Vec<f64> = (0..x.len()).map(|i| 1.0 - 0.3 * i as f64).collect();
        let (_, hv_grad, hv) = program.hessian_vector_product(x, &v).unwrap();
        let (_, fresh_grad, fresh_hv) = diffprog::reverse::hessian_vector_product(f, x, &v);
        for (name, replayed, fresh) in [("∇f", hv_grad, fresh_grad), ("H·v", hv, fresh_hv)] {
            for (i, (a, b)) in replayed.iter().zip(&fresh).enumerate() {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{name}[{i}] at {x:?}: replayed {a} vs fresh {b}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written control flow

/// Compares a replayed gradient with a fresh recording and with central differences.
/// (Central differences only where `plain` is smooth within the step, `smooth`.)
fn check_gradient_at<F: Fn(&[Var]) -> Var>(
    replayed: (f64, Vec<f64>),
    fresh: F,
    plain: impl Fn(&[f64]) -> f64,
    x: &[f64],
    smooth: bool,
) {
    let (value, grad) = replayed;
    assert_eq!(value.to_bits(), plain(x).to_bits(), "value at {x:?}");
    let (_, g) = diffprog::reverse::gradient(fresh, x);
    for i in 0..x.len() {
        assert!(
            (grad[i] - g[i]).abs() <= 1e-14 * g[i].abs().max(1.0),
            "∂/∂x{i} at {x:?}: replayed {} vs fresh {}",
            grad[i],
            g[i]
        );
        if !smooth {
            continue;
        }
        let h = 1e-6 * x[i].abs().max(1.0);
        let fd = fd::partial(&plain, x, i, h);
        assert!(
            (grad[i] - fd).abs() <= 1e-6 * fd.abs().max(1.0),
            "∂/∂x{i} at {x:?}: replayed {} vs central difference {fd}",
            grad[i]
        );
    }
}

fn piecewise<T: Scalar>(x: &[T]) -> T {
    // Three pieces, with kinks at x₀ = −1 and x₀ = 2.
    if x[0] < -1.0 {
        x[0] * x[1] + 3.0
    } else if x[0] <= 2.0 {
        x[0] * x[0] * x[1]
    } else {
        (x[0] * x[1]).sin() + x[1]
    }
}

/// The piece of `piecewise` that `x₀` falls in.
fn piece(x0: f64) -> u8 {
    if x0 < -1.0 {
        0
    } else if x0 <= 2.0 {
        1
    } else {
        2
    }
}

#[test]
fn piecewise_functions_replay_within_their_piece_and_refuse_across_kinks() {
    for recorded_at in [-3.0, 0.5, 4.0] {
        let mut program = record(piecewise, [recorded_at, 1.5]);
        for k in -40..=40 {
            // The grid hits the kinks −1 and 2 exactly (k = −10, 20).
            let x = [k as f64 * 0.1, 1.5 - k as f64 * 0.01];
            match program.gradient(x) {
                Ok(r) => {
                    assert_eq!(
                        piece(x[0]),
                        piece(recorded_at),
                        "replayed across a kink at {x:?}"
                    );
                    let smooth = (x[0] + 1.0).abs() > 1e-3 && (x[0] - 2.0).abs() > 1e-3;
                    check_gradient_at(r, piecewise, piecewise::<f64>, &x, smooth);
                }
                Err(e) => {
                    assert_ne!(
                        piece(x[0]),
                        piece(recorded_at),
                        "refused inside the piece: {e}"
                    );
                    assert_eq!(e.input(), &x);
                }
            }
        }
    }
}

#[test]
fn a_guard_failure_names_the_comparison_its_source_line_and_the_input() {
    let mut program = record(piecewise, [0.5, 1.5]);
    assert_eq!(program.guards(), 2);
    let e = program.value([-2.0, 1.5]).unwrap_err();
    assert_eq!(e.guard(), 0);
    assert_eq!(e.location().file(), file!());
    let message = e.to_string();
    assert!(message.contains("`<`"), "{message}");
    assert!(message.contains("input 0 and the constant -1"), "{message}");
    assert!(
        message.contains("was false when recorded and is true"),
        "{message}"
    );
    assert!(message.contains("[-2, 1.5]"), "{message}");
    // The second comparison is the one that fails above the upper kink.
    let e = program.value([2.5, 1.5]).unwrap_err();
    assert_eq!(e.guard(), 1);
    assert!(e.to_string().contains("`<=`"));
}

/// Newton's iteration for √a, to a tolerance: the trip count depends on the input.
fn newton_sqrt<T: Scalar>(x: &[T]) -> T {
    let a = x[0];
    let mut y = a;
    let mut trips = 0;
    while (y * y - a).abs() > a.abs().max(T::one()) * 1e-12 {
        y = (y + a / y) * 0.5;
        trips += 1;
        assert!(trips < 100);
    }
    y * x[1]
}

/// The trip count of `newton_sqrt` at `a`.
fn trips(a: f64) -> usize {
    let mut y = a;
    let mut trips = 0;
    while (y * y - a).abs() > 1e-12 * a.abs().max(1.0) {
        y = (y + a / y) * 0.5;
        trips += 1;
    }
    trips
}

#[test]
fn loops_whose_trip_count_depends_on_the_input_replay_only_with_that_count() {
    let mut program = record(newton_sqrt, [9.0, 2.0]);
    let (mut replayed, mut refused) = (0, 0);
    for k in 1..=200 {
        let x = [k as f64 * 0.1, 2.0 - k as f64 * 0.003];
        match program.gradient(x) {
            Ok(r) => {
                replayed += 1;
                assert_eq!(
                    trips(x[0]),
                    trips(9.0),
                    "replayed with another trip count at {x:?}"
                );
                check_gradient_at(r, newton_sqrt, newton_sqrt::<f64>, &x, true);
            }
            Err(_) => {
                refused += 1;
                // The refusal is right: a fresh recording there takes another path (its
                // program has another number of guards or another outcome).
                let fresh = record(newton_sqrt, x);
                assert!(
                    trips(x[0]) != trips(9.0) || fresh.guards() != program.guards(),
                    "refused at {x:?} with the recorded trip count"
                );
            }
        }
    }
    assert!(
        replayed > 10 && refused > 10,
        "{replayed} replayed, {refused} refused"
    );
}

/// A function of maxima and absolute values (kinks inside elementary functions).
fn hinge<T: Scalar>(x: &[T]) -> T {
    let m = x[0].max(x[1]).max(T::zero());
    m * x[2] + (x[0] - x[1]).abs() + x[2].relu() * x[0].min(x[2])
}

#[test]
fn max_based_functions_replay_across_their_kinks_without_guards() {
    let mut program = record(hinge, [0.3, -0.2, 1.1]);
    assert_eq!(
        program.guards(),
        0,
        "kinks inside elementary functions need no guard"
    );
    for k in -30..=30 {
        let t = k as f64 * 0.1;
        let x = [t, 0.5 - t * 0.7, 1.1 - t * 0.3];
        // Away from ties (where the central difference straddles a kink).
        let away = [x[0] - x[1], x[0], x[1], x[2], x[0] - x[2]]
            .iter()
            .all(|d| d.abs() > 1e-3);
        let r = program.gradient(x).expect("no guards");
        check_gradient_at(r, hinge, hinge::<f64>, &x, away);
        let (_, _, hv) = program.hessian_vector_product(x, [1.0, -1.0, 0.5]).unwrap();
        let (_, _, fresh) = diffprog::reverse::hessian_vector_product(hinge, x, [1.0, -1.0, 0.5]);
        assert_eq!(hv, fresh, "H·v at {x:?}");
    }
    // Exactly at a tie of `max` the rule's partials (½, ½) hold, as in a fresh recording.
    let (_, g) = program.gradient([0.5, 0.5, 1.0]).unwrap();
    let (_, fresh) = diffprog::reverse::gradient(hinge, [0.5, 0.5, 1.0]);
    assert_eq!(g, fresh);
}

#[test]
fn rerecording_records_again_where_a_guard_fails_and_counts_it() {
    let mut f = Rerecording::new(piecewise, [0.5, 1.5]);
    let points = [
        [0.0, 1.0],
        [1.0, 2.0],
        [-3.0, 1.0],
        [-2.0, 0.5],
        [3.0, 1.0],
        [0.1, 0.1],
    ];
    for x in points {
        let (value, grad) = f.gradient(x);
        let (fresh_value, fresh) = diffprog::reverse::gradient(piecewise, x);
        assert_eq!(value, fresh_value);
        for (a, b) in grad.iter().zip(&fresh) {
            assert!(
                (a - b).abs() <= 1e-15 * b.abs().max(1.0),
                "{a} vs {b} at {x:?}"
            );
        }
    }
    // Pieces visited: 1, 1, 0 (re-record), 0, 2 (re-record), 1 (re-record).
    assert_eq!(f.rerecordings(), 3);
    let (_, _, h) = f.hessian([-2.0, 0.5]);
    assert_eq!(f.rerecordings(), 4);
    assert_eq!(h[(0, 1)], 1.0);
    assert_eq!(f.value([-2.5, 0.5]), -2.5 * 0.5 + 3.0);
    assert_eq!(f.rerecordings(), 4);
}

#[test]
fn comparisons_inside_called_code_and_nan_tests_are_guarded() {
    fn f<T: Scalar>(x: &[T]) -> T {
        let y = x[0].ln();
        if y.is_nan() {
            x[1]
        } else {
            y * x[1]
        }
    }
    let mut p = record(f, [2.0, 3.0]);
    assert_eq!(p.guards(), 1);
    assert_eq!(p.gradient([4.0, 3.0]).unwrap().1, vec![0.75, 4.0_f64.ln()]);
    let e = p.gradient([-1.0, 3.0]).unwrap_err();
    assert!(e.to_string().contains("`is_nan`"), "{e}");
    // `partial_cmp` and `==` (through `sort_by` and `if`).
    fn g<T: Scalar>(x: &[T]) -> T {
        let mut v = x.to_vec();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if v[0] == v[1] {
            v[0]
        } else {
            v[0] * 2.0 + v[1]
        }
    }
    let mut p = record(g, [3.0, 1.0]);
    assert!(p.guards() >= 2);
    assert_eq!(p.gradient([5.0, 2.0]).unwrap(), (9.0, vec![1.0, 2.0]));
    assert!(p.gradient([1.0, 2.0]).is_err(), "the order changed");
    assert!(p.gradient([2.0, 2.0]).is_err(), "the equality changed");
}

// ---------------------------------------------------------------------------------------------
// Record optimisations, misuse

#[test]
fn constants_are_folded_and_unused_values_dropped() {
    fn f<T: Scalar>(x: &[T]) -> T {
        let c = (T::from_f64(2.0) * 3.0).exp(); // constant: no instruction
        let _unused = x[0].sin() * x[1]; // reaches no output: dropped
        let also_unused = x[1].cos();
        if also_unused > 2.0 {
            unreachable!() // cos ≤ 1; the guard keeps `also_unused` (it must be evaluated)
        }
        x[0] * c + x[1]
    }
    let mut p = record(f, [1.0, 2.0]);
    // x₀·c, + x₁, and cos x₁ for the guard.
    assert_eq!(p.len(), 3);
    let (v, g) = p.gradient([0.5, 1.0]).unwrap();
    assert_eq!(v, 0.5 * 6.0_f64.exp() + 1.0);
    assert_eq!(g, vec![6.0_f64.exp(), 1.0]);
    // Outputs that are inputs or constants.
    let mut q = record_vector(|x| vec![x[1], ReplayVar::constant(4.0)], [1.0, 2.0]);
    assert!(q.is_empty());
    let (y, j) = q.jacobian([5.0, 6.0]).unwrap();
    assert_eq!(y, vec![6.0, 4.0]);
    assert_eq!(j.as_slice(), &[0.0, 0.0, 1.0, 0.0]); // column-major: J = [[0, 1], [0, 0]]
}

#[test]
#[should_panic(expected = "used after its recording ended")]
fn a_replay_var_outside_its_recording_panics() {
    let mut kept = None;
    let _ = record(
        |x| {
            kept = Some(x[0]);
            x[0] * 2.0
        },
        [1.0],
    );
    let _ = kept.unwrap() + ReplayVar::constant(1.0) * kept.unwrap();
}

#[test]
#[should_panic(expected = "cannot hold custom primitives")]
fn a_custom_primitive_on_a_recorded_value_panics() {
    let primitive = diffprog_testkit::programs::primitives::ImplicitExp { a: 1.0 };
    let _ = record(|x| x[0].custom_unary(&primitive), [0.5]);
}

#[test]
#[should_panic(expected = "the product buffer has length 2 but x has length 3")]
fn a_product_buffer_of_another_length_panics() {
    let mut program = record(|x| x[0] * x[1] * x[2], [1.0, 2.0, 3.0]);
    let (mut g, mut hv) = ([0.0; 3], [0.0; 2]);
    let _ = program.hessian_vector_product_into([1.0; 3], [1.0; 3], &mut g, &mut hv);
}

#[test]
#[should_panic(expected = "recorded with 2 inputs")]
fn a_point_of_another_length_panics() {
    let mut p = record(|x| x[0] * x[1], [1.0, 2.0]);
    let _ = p.gradient([1.0]);
}

// ---------------------------------------------------------------------------------------------
// Parallel batches

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

fn points(count: usize, n: usize) -> Vec<Vec<f64>> {
    (0..count)
        .map(|k| {
            (0..n)
                .map(|i| ((k * 7 + i * 3) % 11) as f64 * 0.2 - 1.0)
                .collect()
        })
        .collect()
}

#[test]
fn batches_equal_the_sequential_calls_in_order() {
    let pts = points(37, 6);
    let mut program = record(rosenbrock, &pts[0]);
    let batch = program.gradient_batch(&pts);
    let hessians = program.hessian_batch(&pts);
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = pts
        .iter()
        .map(|x| (x.clone(), x.iter().map(|v| v * 0.5 + 1.0).collect()))
        .collect();
    let hvps = program.hessian_vector_product_batch(&pairs);
    for (k, x) in pts.iter().enumerate() {
        assert_eq!(batch[k], program.gradient(x), "point {k}");
        assert_eq!(hessians[k], program.hessian(x), "point {k}");
        assert_eq!(
            hvps[k],
            program.hessian_vector_product(x, &pairs[k].1),
            "point {k}"
        );
    }
    let recorded = diffprog::reverse::gradient_batch(rosenbrock, &pts);
    let recorded_h = diffprog::reverse::hessian_batch(rosenbrock, &pts);
    for (k, x) in pts.iter().enumerate() {
        assert_eq!(
            recorded[k],
            diffprog::reverse::gradient(rosenbrock, x),
            "point {k}"
        );
        assert_eq!(
            recorded_h[k],
            diffprog::reverse::hessian(rosenbrock, x),
            "point {k}"
        );
    }
    let vector = |x: &[Var]| vec![x[0] * x[1], x[2].sin(), x[3] / x[4]];
    let recorded_j = diffprog::reverse::jacobian_batch(vector, &pts);
    let mut vp = record_vector(
        |x: &[ReplayVar]| vec![x[0] * x[1], x[2].sin(), x[3] / x[4]],
        &pts[0],
    );
    let replayed_j = vp.jacobian_batch(&pts);
    for (k, x) in pts.iter().enumerate() {
        assert_eq!(
            recorded_j[k],
            diffprog::reverse::jacobian(vector, x),
            "point {k}"
        );
        assert_eq!(replayed_j[k], vp.jacobian(x), "point {k}");
    }
}

#[test]
fn a_batch_reports_guard_failures_per_point() {
    let program = record(piecewise, [0.5, 1.0]);
    let pts = vec![[0.0, 1.0], [-3.0, 1.0], [1.0, 1.0], [5.0, 1.0]];
    let results = program.gradient_batch(&pts);
    let refused: Vec<bool> = results.iter().map(|r| r.is_err()).collect();
    assert_eq!(refused, vec![false, true, false, true]);
    assert_eq!(results[3].as_ref().unwrap_err().input(), &[5.0, 1.0]);
}

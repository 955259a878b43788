//! A `Var` kept past its recording is caught on every use that could mix it into a derivative,
//! however many recordings later; a lost `Recording` does not lock the tape for good.
//!
//! Its own test binary: it moves the process-wide recording-id counter.

use diffprog_dual::Scalar;
use diffprog_reverse::tape::skip_recording_ids;
use diffprog_reverse::{gradient, HessianVar, Recording, Var};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The message of a panic, or `None` if `f` returned.
fn panic_message<R>(f: impl FnOnce() -> R) -> Option<String> {
    let err = catch_unwind(AssertUnwindSafe(f)).err()?;
    Some(
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    )
}

/// A `Var` of a recording that has ended: the second input of a `gradient` call.
fn stale_var() -> Var {
    let kept = Cell::new(None);
    let _ = gradient(
        |x: &[Var]| {
            kept.set(Some(x[1]));
            x[0] * x[1]
        },
        [2.0, 3.0],
    );
    kept.get().unwrap()
}

/// Ids are never reused: after 2³² − 1 more recordings (a minute of short gradients) the next
/// recording's id is not the kept `Var`'s, so using that `Var` panics instead of aliasing the
/// new recording's records (with 32-bit ids it returned ∇(x₀·x₁·s) = (49, 10) at (5, 7)).
#[test]
fn a_stale_var_never_aliases_a_later_recording() {
    let s = stale_var();
    skip_recording_ids((1 << 32) - 1);
    let message = panic_message(|| gradient(|x: &[Var]| x[0] * x[1] * s, [5.0, 7.0]));
    let message = message.expect("a Var of an ended recording must not be accepted");
    assert!(message.contains("from another recording"), "{message}");
}

/// The same for the mixed mode's second-order tape.
#[test]
fn a_stale_hessian_var_never_aliases_a_later_recording() {
    let kept = Cell::new(None);
    let _ = diffprog_reverse::hessian(
        |x: &[HessianVar]| {
            kept.set(Some(x[1]));
            x[0] * x[1]
        },
        [2.0, 3.0],
    );
    let s = kept.get().unwrap();
    skip_recording_ids((1 << 32) - 1);
    let message =
        panic_message(|| diffprog_reverse::hessian(|x: &[HessianVar]| x[0] * x[1] * s, [5.0, 7.0]));
    let message = message.expect("a HessianVar of an ended recording must not be accepted");
    assert!(message.contains("from another `hessian` call"), "{message}");
}

/// Every operation that takes a stale `Var` panics, those that keep its records unchanged
/// (`v + c`, `v − c`, `c + v`) included.
#[test]
fn every_operation_on_a_stale_var_panics() {
    type Op = fn(Var, Var) -> Var;
    let ops: [(&str, Op); 16] = [
        ("v + 1.0", |v, _| v + 1.0),
        ("v - 1.0", |v, _| v - 1.0),
        ("1.0 + v", |v, _| 1.0 + v),
        ("1.0 - v", |v, _| 1.0 - v),
        ("v * 2.0", |v, _| v * 2.0),
        ("2.0 * v", |v, _| 2.0 * v),
        ("v / 2.0", |v, _| v / 2.0),
        ("2.0 / v", |v, _| 2.0 / v),
        ("-v", |v, _| -v),
        ("v + x", |v, x| v + x),
        ("x - v", |v, x| x - v),
        ("v.sin()", |v, _| v.sin()),
        ("v.powi(3)", |v, _| v.powi(3)),
        ("v.max(x)", |v, x| v.max(x)),
        ("v += 1.0", |mut v, _| {
            v += 1.0;
            v
        }),
        ("sum", |v, x| [v, x].into_iter().sum()),
    ];
    let s = stale_var();
    for (name, op) in ops {
        // With no recording active, and inside a new one.
        let ended = panic_message(|| op(s, Var::lift(1.0)));
        assert!(
            ended.as_deref().is_some_and(|m| m.contains("recording")),
            "{name} on a stale Var with no recording active: {ended:?}"
        );
        let inside = panic_message(|| gradient(|x: &[Var]| op(s, x[0]), [1.5]));
        assert!(
            inside.as_deref().is_some_and(|m| m.contains("recording")),
            "{name} on a stale Var inside a new recording: {inside:?}"
        );
    }
}

/// A `Recording` that is forgotten (`mem::forget`) never ends; the next recording of its type
/// on the thread reports what happened and how to recover, and recovering works.
#[test]
fn a_forgotten_recording_is_reported_and_recoverable() {
    std::thread::spawn(|| {
        let rec = Recording::<f64>::new();
        let _x = rec.variable(1.0);
        std::mem::forget(rec);
        let message = panic_message(|| gradient(|x: &[Var]| x[0] * x[0], [3.0]))
            .expect("a recording is still active");
        assert!(message.contains("forgotten"), "{message}");
        assert!(message.contains("end_forgotten_recording"), "{message}");
        Recording::<f64>::end_forgotten_recording();
        assert_eq!(gradient(|x: &[Var]| x[0] * x[0], [3.0]), (9.0, vec![6.0]));
        // Its Vars are stale now.
        assert!(panic_message(|| _x * 2.0).is_some());
    })
    .join()
    .unwrap();
}

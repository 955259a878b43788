//! Guarding nested differentiation against perturbation confusion.
//!
//! Nested derivatives compose by nesting number types: the derivative of a function that itself
//! takes a derivative runs the inner driver on `Dual<Dual<f64>>`. Confusion (Siskind & Pearlmutter)
//! arises only when an inner driver runs at the *same* number type as an enclosing one, so that
//! the inner closure can capture an outer number and mix its tangent with the inner one:
//!
//! ```should_panic
//! use diffprog_dual::{derivative, Dual};
//! // d/dx [x · d/dy (x + y)] at x = 1 is 1; a confused implementation returns 2.
//! let _ = derivative(
//!     |x: Dual<f64>| {
//!         // WRONG: the inner derivative also runs at Dual<f64> and captures x.
//!         let (_, inner) = derivative(|y: Dual<f64>| x + y, 1.0);
//!         x * inner
//!     },
//!     1.0,
//! ); // panics: nested driver at the same number type
//! ```
//!
//! Every driver in diffprog enters a [`DriverLevel`] for its number type; entering a level whose type
//! is already active on this thread panics with a message saying how to nest correctly: run the
//! inner driver at the outer number type (`derivative_at`, lifting captured numbers with
//! `Dual::lift`), which makes the inner numbers `Dual<Dual<f64>>`, a different type that cannot be
//! confused with the outer one.

use std::any::{type_name, TypeId};
use std::cell::RefCell;

thread_local! {
    static ACTIVE: RefCell<Vec<(TypeId, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// A driver's claim on its number type for the duration of one call; released on drop (also when the
/// user's function panics).
#[must_use = "the level is released when the guard is dropped"]
pub struct DriverLevel {
    id: TypeId,
}

impl DriverLevel {
    /// Enters a differentiation level whose numbers are of type `N`.
    ///
    /// # Panics
    /// If a driver with the same number type `N` is already running on this thread (a nested call at
    /// the same type, which could confuse perturbations).
    pub fn enter<N: 'static>(driver: &'static str) -> DriverLevel {
        let id = TypeId::of::<N>();
        ACTIVE.with(|active| {
            let mut active = active.borrow_mut();
            if let Some((_, outer)) = active.iter().find(|(t, _)| *t == id) {
                panic!(
                    "diffprog: `{driver}` was called inside `{outer}` with the same number type `{}`. \
                     An inner derivative at the outer number type can confuse the two levels' \
                     perturbations and return a wrong value. Run the inner driver at the outer \
                     number type instead (e.g. `derivative_at(|y| ..., Dual::lift(x))`, lifting \
                     captured numbers with `Dual::lift`), or compute the inner derivative outside.",
                    type_name::<N>()
                );
            }
            active.push((id, driver));
        });
        DriverLevel { id }
    }
}

impl Drop for DriverLevel {
    fn drop(&mut self) {
        ACTIVE.with(|active| {
            let mut active = active.borrow_mut();
            if let Some(pos) = active.iter().rposition(|(t, _)| *t == self.id) {
                active.remove(pos);
            }
        });
    }
}

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
//! Every driver in diffprog enters a [`DriverLevel`] for its number type. A driver entered while
//! another driver of the same number type is active on this thread runs only if it cannot confuse
//! the two levels: the forward drivers first evaluate the inner function once more with every seed
//! zero ([`DriverLevel::probe_nested`]). Tangent propagation is linear in the seeds, so that
//! evaluation's derivative parts are exactly what the outer level's perturbations contribute to
//! the inner result; when they are all zero — the inner function depends on no outer number, as
//! in `x * derivative(|y| y * 2.0, 1.0).1` — the inner result is the inner derivative and the call
//! proceeds. Otherwise it panics, with a message saying how to nest correctly: run the inner
//! driver at the outer number type (`derivative_at`, lifting captured numbers with `Dual::lift`),
//! which makes the inner numbers `Dual<Dual<f64>>`, a different type that cannot be confused with
//! the outer one.
//!
//! ```
//! use diffprog_dual::derivative;
//! // A helper that differentiates internally, used inside a differentiated function: the inner
//! // call depends on no outer number, so it cannot confuse, and it runs.
//! fn slope_of_double(at: f64) -> f64 {
//!     derivative(|y| y * 2.0, at).1
//! }
//! let (_, d) = derivative(|x| x * slope_of_double(1.0), 1.0);
//! assert_eq!(d, 2.0);
//! ```
//!
//! Drivers whose inner function cannot be evaluated a second time cheaply (the mixed-mode
//! drivers of `diffprog-reverse`) keep rejecting every same-type nesting ([`DriverLevel::enter`]).

use std::any::{type_name, TypeId};
use std::cell::Cell;
use std::marker::PhantomData;

/// The most driver levels that can be active at once on one thread (nesting deeper than this is
/// reported, not silently unguarded).
const MAX_LEVELS: usize = 32;

type Level = Option<(TypeId, &'static str)>;

// The active levels of one thread: a fixed-capacity stack. Plain `Cell`s with `const`
// initialisers and no destructors, so a thread-local access compiles to a fixed offset from the
// thread pointer (no lazy-initialisation check). The fast path (no driver active, or LIFO release)
// touches only `DEPTH` and the top slot in small inlined closures; scanning for a same-type level
// happens out of line, only when another driver is active.
// Measured: `cargo bench -p diffprog-dual --bench forward -- guard`.
thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static STACK: [Cell<Level>; MAX_LEVELS] = const { [const { Cell::new(None) }; MAX_LEVELS] };
}

/// A driver's claim on its number type `N` for the duration of one call; released on drop (also
/// when the user's function panics).
#[must_use = "the level is released when the guard is dropped"]
pub struct DriverLevel<N: 'static> {
    /// Set when a driver at the same number type encloses this one (only with
    /// [`DriverLevel::enter_probed`]): the enclosing driver's name and this one's.
    nested: Option<(&'static str, &'static str)>,
    number: PhantomData<fn() -> N>,
}

impl<N: 'static> DriverLevel<N> {
    /// Enters a differentiation level whose numbers are of type `N`.
    ///
    /// # Panics
    /// If a driver with the same number type `N` is already running on this thread (a nested call at
    /// the same type, which could confuse perturbations), or if more than 32 driver levels are
    /// nested.
    #[inline]
    pub fn enter(driver: &'static str) -> Self {
        let level = Self::enter_probed(driver);
        if let Some((outer, driver)) = level.nested {
            confusion_panic(driver, outer, type_name::<N>(), None);
        }
        level
    }

    /// Enters a differentiation level whose numbers are of type `N`, also inside a driver of the
    /// same type; the driver then calls [`probe_nested`](DriverLevel::probe_nested) before it
    /// evaluates its function.
    ///
    /// # Panics
    /// If more than 32 driver levels are nested.
    #[inline]
    pub fn enter_probed(driver: &'static str) -> Self {
        let id = TypeId::of::<N>();
        let depth = DEPTH.with(Cell::get);
        let nested = if depth != 0 {
            check_nested(id, driver, depth).map(|outer| (outer, driver))
        } else {
            None
        };
        STACK.with(|stack| stack[depth].set(Some((id, driver))));
        DEPTH.with(|d| d.set(depth + 1));
        DriverLevel {
            nested,
            number: PhantomData,
        }
    }

    /// True when a driver with the same number type encloses this one.
    #[inline]
    pub fn is_nested_in_same_type(&self) -> bool {
        self.nested.is_some()
    }

    /// Where this level is nested inside a driver of the same number type, runs `seedless`
    /// — the driver's function evaluated with every seed zero, answering whether all of its
    /// outputs' derivative parts are zero ([`Number::derivative_parts_are_zero`]) — and panics if
    /// they are not: the function then depends on a number of the outer level, and its result
    /// would mix the two levels' perturbations. Does nothing (and does not call `seedless`)
    /// otherwise.
    ///
    /// [`Number::derivative_parts_are_zero`]: crate::Number::derivative_parts_are_zero
    #[inline]
    pub fn probe_nested(&self, seedless: impl FnOnce() -> bool) {
        if let Some((outer, driver)) = self.nested
            && !seedless()
        {
            confusion_panic(
                driver,
                outer,
                type_name::<N>(),
                Some("the inner function depends on a number of the outer level"),
            );
        }
    }
}

#[cold]
#[inline(never)]
fn confusion_panic(driver: &str, outer: &str, type_name: &str, reason: Option<&str>) -> ! {
    let reason = reason.map_or(String::new(), |r| format!(", and {r}"));
    panic!(
        "diffprog: `{driver}` was called inside `{outer}` with the same number type \
         `{type_name}`{reason}. An inner derivative at the outer number type can confuse the two \
         levels' perturbations and return a wrong value. Run the inner driver at the outer \
         number type instead (e.g. `derivative_at(|y| ..., Dual::lift(x))`, lifting captured \
         numbers with `Dual::lift`), or compute the inner derivative outside."
    );
}

/// The enclosing driver at type `id` among the `depth` active levels, if any; panics if the
/// stack is full.
#[inline(never)]
fn check_nested(id: TypeId, driver: &str, depth: usize) -> Option<&'static str> {
    if depth == MAX_LEVELS {
        panic!(
            "diffprog: `{driver}` would be differentiation level {} on this thread; at most \
             {MAX_LEVELS} nested driver calls are supported",
            MAX_LEVELS + 1
        );
    }
    STACK.with(|stack| {
        stack[..depth].iter().find_map(|l| match l.get() {
            Some((t, outer)) if t == id => Some(outer),
            _ => None,
        })
    })
}

/// Removes the level `id` that is not on top of the stack (a guard dropped out of order).
#[inline(never)]
fn release_out_of_order(id: TypeId, depth: usize) {
    STACK.with(|stack| {
        if let Some(pos) = stack[..depth]
            .iter()
            .rposition(|l| matches!(l.get(), Some((t, _)) if t == id))
        {
            for i in pos..depth - 1 {
                stack[i].set(stack[i + 1].get());
            }
            DEPTH.with(|d| d.set(depth - 1));
        }
    });
}

impl<N: 'static> Drop for DriverLevel<N> {
    #[inline]
    fn drop(&mut self) {
        let id = TypeId::of::<N>();
        let depth = DEPTH.with(Cell::get);
        let on_top = depth > 0
            && STACK.with(|stack| matches!(stack[depth - 1].get(), Some((t, _)) if t == id));
        if on_top {
            DEPTH.with(|d| d.set(depth - 1));
        } else {
            release_out_of_order(id, depth);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_of_different_types_nest_and_release() {
        let a = DriverLevel::<f64>::enter("a");
        let b = DriverLevel::<f32>::enter("b");
        drop(a); // out of order
        let a2 = DriverLevel::<f64>::enter("a again");
        drop(b);
        drop(a2);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    #[test]
    #[should_panic(expected = "same number type")]
    fn same_type_panics() {
        let _a = DriverLevel::<f64>::enter("outer");
        let _b = DriverLevel::<f64>::enter("inner");
    }

    #[test]
    fn released_after_panic_in_user_code() {
        let r = std::panic::catch_unwind(|| {
            let _a = DriverLevel::<u8>::enter("outer");
            panic!("user code");
        });
        assert!(r.is_err());
        let _again = DriverLevel::<u8>::enter("outer");
    }
}

//! The tape's element types: the [`tape_element!`](crate::tape_element) macro, which implements
//! [`TapeElement`](crate::TapeElement) for a number type on top of its own thread-local tape and
//! the operations of [`crate::preaccumulate`], and its invocations for the element types this
//! crate provides.

use crate::Var;
use diffprog_dual::{Dual, DualVec};

/// Implements [`TapeElement`](crate::TapeElement) for concrete number types, each with its own thread-local tape.
///
/// ```ignore
/// diffprog_reverse::tape_element!(my_crate::MyNumber);
/// ```
#[macro_export]
macro_rules! tape_element {
    // Small element types (f64, f32, Dual): the preaccumulation merge is inlined into every
    // operation. (Hidden: inlining it for large types makes generic code very slow to compile.)
    (@inline $($t:ty),* $(,)?) => {
        $( $crate::tape_element!(@impl $t, inline(always)); )*
    };
    (@impl $t:ty, $merge:meta) => {
        impl $crate::TapeElement for $t {
            #[inline(always)]
            fn with_tape<R>(f: impl FnOnce(&mut $crate::TapeStore<Self>) -> R) -> R {
                // `TapeStore` has no drop glue, so this thread-local has no destructor to
                // register and its accessor no registration path (see `TapeStore`).
                ::std::thread_local! {
                    static TAPE: ::std::cell::RefCell<$crate::TapeStore<$t>> =
                        const { ::std::cell::RefCell::new($crate::TapeStore::new()) };
                }
                match TAPE.try_with(|tape| f(&mut tape.borrow_mut())) {
                    Ok(r) => r,
                    Err(_) => $crate::tape::tape_destroyed(),
                }
            }

            fn free_at_thread_exit() {
                ::std::thread_local! {
                    static GUARD: $crate::tape::FreeAtExit<$t> =
                        const { $crate::tape::FreeAtExit(::std::marker::PhantomData) };
                }
                GUARD.with(|_| ());
            }

            #[$merge]
            fn record(parents: [u64; 2], d0: Self, d1: Self, d2: Self, d3: Self) -> u32 {
                Self::with_tape(|t| t.push_record(parents, [d0, d1, d2, d3]))
            }

            #[inline(always)]
            fn active_recording() -> u64 {
                Self::active_cell().get()
            }

            #[inline(always)]
            fn active_cell() -> &'static ::std::thread::LocalKey<::std::cell::Cell<u64>> {
                // A copy of the store's recording id outside its `RefCell`, read by every
                // operation (see `preaccumulate`).
                ::std::thread_local! {
                    static ACTIVE: ::std::cell::Cell<u64> = const { ::std::cell::Cell::new(0) };
                }
                &ACTIVE
            }

            #[$merge]
            fn unary(x: $crate::Var<Self>, value: Self, d: Self) -> $crate::Var<Self> {
                $crate::preaccumulate::unary(x, value, d)
            }

            #[$merge]
            fn binary(
                a: $crate::Var<Self>,
                b: $crate::Var<Self>,
                value: Self,
                pa: Self,
                pb: Self,
            ) -> $crate::Var<Self> {
                use $crate::preaccumulate::Times;
                $crate::preaccumulate::merge(a, b, value, Times(pa), Times(pb))
            }

            #[$merge]
            fn add_variables(
                a: $crate::Var<Self>,
                b: $crate::Var<Self>,
                value: Self,
            ) -> $crate::Var<Self> {
                use $crate::preaccumulate::One;
                $crate::preaccumulate::merge(a, b, value, One, One)
            }

            #[$merge]
            fn subtract_variables(
                a: $crate::Var<Self>,
                b: $crate::Var<Self>,
                value: Self,
            ) -> $crate::Var<Self> {
                use $crate::preaccumulate::{MinusOne, One};
                $crate::preaccumulate::merge(a, b, value, One, MinusOne)
            }
        }
    };
    ($($t:ty),* $(,)?) => {
        $( $crate::tape_element!(@impl $t, inline(never)); )*
    };
}

tape_element!(@inline f64, f32, Dual<f64>, Dual<f32>);
tape_element!(
    DualVec<f64, 1>,
    DualVec<f64, 2>,
    DualVec<f64, 4>,
    DualVec<f64, 8>,
    DualVec<f64, 10>,
    DualVec<f64, 12>,
    DualVec<f64, 16>,
    // f32 forward over reverse: `hessian_diagonal`, `hessian_chunked::<8, _>` and `hessian_f32`.
    DualVec<f32, 8>
);

// Reverse over reverse: a tape whose values and partials are the outer recording's `Var<f64>`s
// (see `gradient_at`).
tape_element!(Var<f64>);

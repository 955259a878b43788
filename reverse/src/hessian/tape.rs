//! The second-order tape of the [`hessian`](crate::hessian) driver: one record per operation on
//! a variable, holding its parents, its first partials and its second partials, in a
//! thread-local store whose memory is kept between calls.

use crate::tape::{next_gen, tape_destroyed, SINK};
use diffprog_dual::nesting::DriverLevel;
use std::cell::RefCell;

/// One record: parents, first partials and second partials `[h₀₀, h₀₁, h₁₁]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node2 {
    pub(crate) parents: [u32; 2],
    pub(crate) d: [f64; 2],
    pub(crate) h: [f64; 3],
}

/// The thread's second-order tape (reused between calls).
pub(crate) struct SecondOrderTape {
    /// The active recording's id, 0 when none is active.
    pub(crate) generation: u64,
    /// The records; record 0 is the sink, records 1..=n the inputs.
    pub(crate) nodes: Vec<Node2>,
}

thread_local! {
    static TAPE: RefCell<SecondOrderTape> = const {
        RefCell::new(SecondOrderTape {
            generation: 0,
            nodes: Vec::new(),
        })
    };
}

/// Runs `f` with this thread's second-order tape.
pub(crate) fn with_tape<R>(f: impl FnOnce(&mut SecondOrderTape) -> R) -> R {
    match TAPE.try_with(|t| f(&mut t.borrow_mut())) {
        Ok(r) => r,
        Err(_) => tape_destroyed(),
    }
}

/// Appends a record to the active recording after checking that both operands (`gens`) belong
/// to it; returns the record's index and the recording id.
#[inline(never)]
pub(crate) fn record(parents: [u32; 2], gens: [u64; 2], d: [f64; 2], h: [f64; 3]) -> (u32, u64) {
    with_tape(|t| {
        let generation = t.generation;
        if (gens[0] ^ generation) | (gens[1] ^ generation) != 0 {
            misuse(
                generation,
                if gens[0] != generation {
                    gens[0]
                } else {
                    gens[1]
                },
            );
        }
        let index = t.nodes.len();
        if index >= u32::MAX as usize {
            panic!("diffprog-reverse: the Hessian tape is full (2³² − 1 records); split the computation")
        }
        t.nodes.push(Node2 { parents, d, h });
        (index as u32, generation)
    })
}

#[cold]
#[inline(never)]
pub(crate) fn misuse(active: u64, found: u64) -> ! {
    if active == 0 {
        panic!(
            "diffprog-reverse: a `HessianVar` was used after its `hessian` call ended (or on \
             another thread). It is only valid inside the closure passed to `hessian`; read its \
             value with `.value()`"
        )
    } else {
        panic!(
            "diffprog-reverse: a `HessianVar` from another `hessian` call (recording id {found}) \
             was used in the active one (id {active}); pass values between calls as plain numbers \
             (`.value()`)"
        )
    }
}

/// Panics if a recording is active on this thread's second-order tape (a `hessian` inside a
/// `hessian`).
pub(crate) fn assert_idle() {
    if with_tape(|t| t.generation != 0) {
        panic!(
            "diffprog-reverse: `hessian` was called inside another `hessian` on this thread; \
             nested Hessians at the same number type are not supported (compute the inner one \
             outside, or use forward mode for it)"
        );
    }
}

/// An active recording on this thread's second-order tape; dropping it ends the recording (also
/// when the user function panics), keeping the memory, and then leaves the driver level.
pub(crate) struct Recording2 {
    pub(crate) generation: u64,
    _level: DriverLevel<crate::HessianVar>,
}

impl Drop for Recording2 {
    fn drop(&mut self) {
        with_tape(|t| {
            if t.generation == self.generation {
                t.generation = 0;
            }
        });
    }
}

/// Starts a recording with `inputs` input records (records 1..=inputs, after the sink), held
/// together with the driver's `level`.
pub(crate) fn start(inputs: usize, level: DriverLevel<crate::HessianVar>) -> Recording2 {
    let generation = next_gen();
    with_tape(|t| {
        t.generation = generation;
        t.nodes.clear();
        // Record 0: the sink (parent of leaves, second parent of unary records).
        let blank = Node2 {
            parents: [SINK, SINK],
            d: [0.0; 2],
            h: [0.0; 3],
        };
        t.nodes.push(blank);
        t.nodes.extend(std::iter::repeat_n(blank, inputs));
    });
    Recording2 {
        generation,
        _level: level,
    }
}

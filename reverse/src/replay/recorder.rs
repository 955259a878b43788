//! The thread-local recorder that [`ReplayVar`] operations append to while [`record`]
//! (crate::replay::record) runs: the instructions, the guards, and the id of the recording.

use super::guards::{Comparison, Guard, Operand};
use super::ops::{Op, Slot};
use super::ReplayVar;
use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a recording collects.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) n_inputs: u32,
    pub(crate) ops: Vec<Op>,
    pub(crate) guards: Vec<Guard>,
}

thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
    /// The id of the active recording on this thread, 0 if none.
    static ACTIVE: Cell<u64> = const { Cell::new(0) };
}

/// Recording ids, unique in the process (0 is "none").
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The id of the active recording on this thread (0 if none).
#[inline]
pub(crate) fn active() -> u64 {
    ACTIVE.with(Cell::get)
}

/// Starts a recording with `n_inputs` inputs; returns its id.
pub(crate) fn start(n_inputs: usize) -> u64 {
    assert!(
        n_inputs < u32::MAX as usize / 2,
        "diffprog-reverse: record: {n_inputs} inputs are more than a program can hold"
    );
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.n_inputs = n_inputs as u32;
        r.ops.clear();
        r.guards.clear();
    });
    ACTIVE.with(|a| a.set(id));
    id
}

/// Ends the active recording and returns what it collected.
pub(crate) fn finish() -> Recorder {
    ACTIVE.with(|a| a.set(0));
    RECORDER.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// Ends the active recording, discarding it (the function panicked).
pub(crate) struct EndOnDrop;

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.set(0));
    }
}

/// Appends an instruction whose operands have been checked; returns the variable holding its
/// value.
#[inline]
pub(crate) fn push(op: Op, value: f64, id: u64) -> ReplayVar {
    let slot = RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        let slot = r.n_inputs as usize + r.ops.len();
        assert!(
            slot < u32::MAX as usize - 1,
            "diffprog-reverse: the recorded program is full (2³² − 2 slots)"
        );
        r.ops.push(op);
        slot as Slot
    });
    ReplayVar {
        value,
        slot,
        recording: id,
    }
}

/// Appends a guard: `comparison` of `lhs` and `rhs` gave `outcome` at the recording point.
pub(crate) fn guard(
    comparison: Comparison,
    lhs: Operand,
    rhs: Operand,
    outcome: i8,
    location: &'static Location<'static>,
) {
    RECORDER.with(|r| {
        r.borrow_mut().guards.push(Guard {
            comparison,
            lhs,
            rhs,
            outcome,
            location,
        })
    });
}

/// A variable of another recording (or of an ended one) met the active recording.
#[cold]
#[inline(never)]
pub(crate) fn misuse(active: u64, found: u64) -> ! {
    if active == 0 {
        panic!(
            "diffprog-reverse: a `ReplayVar` was used after its recording ended (or on another \
             thread). A ReplayVar is only valid inside the `record` call that created it: read \
             its value with `.value()`"
        )
    } else {
        panic!(
            "diffprog-reverse: a `ReplayVar` from another recording (id {found}) was used in the \
             active recording (id {active}); pass values between recordings as plain numbers"
        )
    }
}

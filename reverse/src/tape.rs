//! The tape: a per-thread, per-element-type Wengert list, and the backward sweep.
//!
//! Record `i` holds the indices of (at most) [`PARENTS`] parent records and the partial
//! derivative of record `i`'s value with respect to each. Record 0 is a *sink*: unused parent
//! slots point at it (input records have no parents at all), and the backward sweep skips them.
//! A record is written only when a value depends on more records than a [`Var`] can carry
//! inline (see [`crate::preaccumulate`]); inputs are records with no parents. The sink and the
//! inputs created before the first operation record (all of a driver's inputs) are not stored
//! at all: they are the first `base` indices, and the sweep stops there.

use crate::Var;
use diffprog_dual::Number;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, Ordering};

/// Index of the sink record (marks an unused parent slot).
pub(crate) const SINK: u32 = 0;

/// Parent slots per record: a record merges two `Var`s of (at most) two entries each.
#[doc(hidden)]
pub const PARENTS: usize = 4;

/// Packs two record indices into a `Var`'s `nodes` or half of a record's parents (one 8-byte
/// store, one compare for "same records").
#[inline(always)]
pub(crate) const fn pack(first: u32, second: u32) -> u64 {
    first as u64 | (second as u64) << 32
}

/// The two record indices of a packed pair (see [`pack`]).
#[inline(always)]
pub(crate) const fn unpack(nodes: u64) -> [u32; 2] {
    [nodes as u32, (nodes >> 32) as u32]
}

/// A number type that can be the element of a tape: the values and partials of [`Var<T>`].
///
/// Each element type has its own thread-local tape. Rust has no generic statics, so the trait is
/// implemented by the [`tape_element!`](crate::tape_element) macro, once per concrete type, each
/// with its own `thread_local!`. This crate implements it for `f64`, `f32`, `Dual<f64>`,
/// `Dual<f32>` and `DualVec<f64, N>` for `N` = 1, 2, 4, 8, 10, 12, 16 (the mixed mode's element
/// types, and 10, the width of the forward [`gradient`](diffprog_dual::gradient)), and for
/// `Var<f64>` (reverse over reverse, see [`gradient_at`](crate::gradient_at)); a crate with its
/// own number type invokes the macro for it.
pub trait TapeElement: Number {
    /// Runs `f` with this thread's tape for the element type (one `RefCell` borrow).
    #[doc(hidden)]
    fn with_tape<R>(f: impl FnOnce(&mut TapeStore<Self>) -> R) -> R;

    /// Makes sure this thread's tape memory is freed when the thread exits (registers a
    /// destructor the first time; called when a recording starts).
    #[doc(hidden)]
    fn free_at_thread_exit();

    /// Appends one record with parents `parents` (record indices packed in pairs by [`pack`],
    /// [`SINK`] for none; parents fill the slots from the first) and
    /// partials `d0`…`d3` to the active recording, to which the caller has checked that the
    /// parents belong (the operations check their operands' recording ids once, see
    /// [`crate::preaccumulate`]); returns the new record's index. Only operations that meet
    /// more than two records make it (see
    /// [`crate::preaccumulate`]). Inlined for `f64`, `f32` and `Dual` (an out-of-line call is
    /// measurably slower: `benches/PERFORMANCE.md`, "The forward pass"), one out-of-line copy
    /// for other element types, as [`binary`](Self::binary).
    #[doc(hidden)]
    fn record(parents: [u64; 2], d0: Self, d1: Self, d2: Self, d3: Self) -> u32;

    /// The id of the active recording of this element type on this thread (0 if none).
    #[doc(hidden)]
    fn active_recording() -> u64;

    /// The thread-local holding [`active_recording`](Self::active_recording) (set when a
    /// recording starts and ends).
    #[doc(hidden)]
    fn active_cell() -> &'static std::thread::LocalKey<std::cell::Cell<u64>>;

    /// A unary operation on a variable (see [`crate::preaccumulate`]); inlined as
    /// [`binary`](Self::binary) is.
    #[doc(hidden)]
    fn unary(x: Var<Self>, value: Self, d: Self) -> Var<Self>;

    /// A binary operation on two variables (see [`crate::preaccumulate`]): inlined into every
    /// operation for `f64`, `f32` and `Dual`, one out-of-line copy for other element types
    /// (inlining the partials' arithmetic on 80-byte `DualVec`s into every operation makes
    /// generic code such as an nalgebra LU on `Var<DualVec<f64, 8>>` very slow to compile).
    #[doc(hidden)]
    fn binary(a: Var<Self>, b: Var<Self>, value: Self, pa: Self, pb: Self) -> Var<Self>;

    /// `a + b` on two variables: [`binary`](Self::binary) with local partials exactly 1 (no
    /// multiplications, see [`crate::preaccumulate::LocalPartial`]).
    #[doc(hidden)]
    fn add_variables(a: Var<Self>, b: Var<Self>, value: Self) -> Var<Self>;

    /// `a − b` on two variables: local partials exactly 1 and −1.
    #[doc(hidden)]
    fn subtract_variables(a: Var<Self>, b: Var<Self>, value: Self) -> Var<Self>;
}

/// Recording ids are unique across threads and recordings, so a `Var` from another thread's or an
/// earlier recording is recognised. 0 means "constant" / "no active recording".
///
/// The ids are 64-bit and never reused: at one recording per nanosecond the counter would take
/// three centuries to reach [`LAST_RECORDING_ID`], after which starting a recording panics
/// rather than wrap (a 32-bit id wrapped after a minute of short recordings, and a kept `Var`
/// then aliased a record of a new recording).
static NEXT_GEN: AtomicU64 = AtomicU64::new(1);

/// The largest recording id handed out (half the range: the counter cannot wrap even if every
/// thread keeps asking after it is reached).
const LAST_RECORDING_ID: u64 = u64::MAX / 2;

pub(crate) fn next_gen() -> u64 {
    let g = NEXT_GEN.fetch_add(1, Ordering::Relaxed);
    if g > LAST_RECORDING_ID {
        ids_exhausted();
    }
    g
}

#[cold]
#[inline(never)]
fn ids_exhausted() -> ! {
    panic!("diffprog-reverse: 2⁶³ recordings were made in this process; recording ids are never reused, so no more can start")
}

/// The storage of one thread's tape for one element type (see [`TapeElement`]). Public only so
/// that [`tape_element!`](crate::tape_element) can name it; its contents are private.
///
/// The buffers are `ManuallyDrop`, so the store has no drop glue and the thread-local holding it
/// needs no destructor: its accessor, which every recorded operation calls, then has no
/// registration path, whose call forces the compiler to spill the arguments of every record
/// (`benches/PERFORMANCE.md`, "The forward pass"). The memory is freed at thread exit by
/// [`FreeAtExit`], a separate thread-local with a destructor, registered when a recording starts.
#[doc(hidden)]
pub struct TapeStore<T> {
    /// The active recording's id, 0 when none is active.
    generation: u64,
    /// The records from index `base` on: `nodes[j]` is record `base + j`.
    nodes: ManuallyDrop<Vec<Node<T>>>,
    /// Records `0..base` (the sink and the inputs created before the first operation record)
    /// have no parents and are not stored: creating an input is a counter increment, and the
    /// backward sweep does not visit them.
    base: u32,
    /// Adjoint buffer, reused by every sweep.
    adjoints: ManuallyDrop<Vec<T>>,
    /// Buffer of input `Var`s lent to the drivers' user function (reused).
    pub(crate) inputs: ManuallyDrop<Vec<Var<T>>>,
    /// The record index of `inputs[0]` when the buffer was filled at the start of a recording
    /// (0 if it was not): see [`take_inputs`](Self::take_inputs).
    inputs_first: u32,
    /// The open [`Scalar::sum_of`](diffprog_dual::Scalar::sum_of) section, if any.
    local: Option<Local>,
}

/// An open [`Scalar::sum_of`](diffprog_dual::Scalar::sum_of) section (see
/// [`TapeStore::local_begin`]): the tape's length and `base` when it began.
#[derive(Clone, Copy)]
struct Local {
    mark: u32,
    base: u32,
}

impl<T> TapeStore<T> {
    /// An empty tape (no allocation).
    pub const fn new() -> Self {
        TapeStore {
            generation: 0,
            nodes: ManuallyDrop::new(Vec::new()),
            base: 1,
            adjoints: ManuallyDrop::new(Vec::new()),
            inputs: ManuallyDrop::new(Vec::new()),
            inputs_first: 0,
            local: None,
        }
    }

    /// Frees the buffers (the store stays usable; it starts empty again).
    fn free(&mut self) {
        drop(std::mem::take(&mut *self.nodes));
        drop(std::mem::take(&mut *self.adjoints));
        drop(std::mem::take(&mut *self.inputs));
    }
}

/// A thread-local whose destructor frees the thread's tape of element type `T` (see
/// [`TapeStore`]).
#[doc(hidden)]
pub struct FreeAtExit<T: TapeElement>(pub std::marker::PhantomData<T>);

impl<T: TapeElement> Drop for FreeAtExit<T> {
    fn drop(&mut self) {
        T::with_tape(|t| t.free());
    }
}

impl<T> Default for TapeStore<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: TapeElement> TapeStore<T> {
    /// Starts a recording: new id, empty tape (capacity kept) but for the sink record.
    pub(crate) fn start(&mut self) -> u64 {
        assert!(
            self.generation == 0,
            "diffprog-reverse: a recording of element type `{}` is already active on this thread; \
             end it (drop the `Recording`) before starting another",
            std::any::type_name::<T>()
        );
        T::free_at_thread_exit();
        self.generation = next_gen();
        T::active_cell().set(self.generation);
        self.nodes.clear();
        self.base = 1;
        self.local = None;
        self.generation
    }

    /// True while a recording is active.
    pub(crate) fn is_active(&self) -> bool {
        self.generation != 0
    }

    /// Ends the recording `gen` (if it is the active one); memory is kept for the next one.
    pub(crate) fn end(&mut self, generation: u64) {
        if self.generation == generation {
            self.generation = 0;
            T::active_cell().set(0);
            self.nodes.clear();
            self.base = 1;
            self.local = None;
        }
    }

    /// Ends the active recording, whichever it is (see `Recording::end_forgotten_recording`);
    /// returns whether one was active.
    pub(crate) fn end_active(&mut self) -> bool {
        let active = self.generation != 0;
        self.end(self.generation);
        active
    }

    /// Number of records (including the sink).
    pub(crate) fn len(&self) -> usize {
        self.base as usize + self.nodes.len()
    }

    #[inline(always)]
    fn push(&mut self, parents: [u64; 2], partials: [T; PARENTS]) -> u32 {
        debug_assert!(
            {
                let [p0, p1] = unpack(parents[0]);
                let [p2, p3] = unpack(parents[1]);
                let used = [p0 != SINK, p1 != SINK, p2 != SINK, p3 != SINK];
                used.windows(2).all(|w| w[0] || !w[1])
            },
            "a record's parents fill its slots from the first (the sweep relies on it)"
        );
        debug_assert!(
            {
                let [p0, p1] = unpack(parents[0]);
                let [p2, p3] = unpack(parents[1]);
                let below = (self.base as usize + self.nodes.len()).wrapping_sub(1) as u32;
                [p0, p1, p2, p3].iter().filter(|&&p| p == below).count() <= 1
            },
            "the record just below is at most one of a record's parents (the sweep relies on it)"
        );
        let len = self.nodes.len();
        if len == self.nodes.capacity() {
            // The whole push happens out of line, so nothing is live across a call on the fast
            // path (no spills of the partials).
            return self.grow_and_push(Node { parents, partials });
        }
        self.nodes.push(Node { parents, partials });
        // No overflow: `grow_and_push` and `reserve_unstored` keep `base + capacity` within `u32`.
        self.base + len as u32
    }

    /// Records an input (a leaf with no parents).
    #[inline]
    pub(crate) fn leaf(&mut self, value: T) -> Var<T> {
        if self.generation == 0 {
            no_recording::<T>();
        }
        let index = if self.nodes.is_empty() {
            // Before the first operation record: not stored (see `base`).
            self.reserve_unstored(1);
            self.base += 1;
            self.base - 1
        } else {
            self.push([0; 2], [T::zero(); PARENTS])
        };
        Var::node(value, index, self.generation)
    }

    /// Checks that `count` more unstored inputs keep every record index within `u32`: the fast
    /// path of [`push`](Self::push) computes `base + len` without a check, relying on
    /// `base + capacity ≤ u32::MAX` (the capacity is kept from earlier recordings).
    fn reserve_unstored(&self, count: usize) {
        if self.base as usize + count + self.nodes.capacity() > u32::MAX as usize {
            too_long();
        }
    }

    /// Records the inputs `values` and appends them to `out`: like [`leaf`](Self::leaf) for each,
    /// in one step while no operation has been recorded (a driver's inputs).
    pub(crate) fn leaves(
        &mut self,
        values: impl ExactSizeIterator<Item = T>,
        out: &mut Vec<Var<T>>,
    ) {
        if self.generation == 0 {
            no_recording::<T>();
        }
        if !self.nodes.is_empty() {
            out.extend(values.map(|x| self.leaf(x)));
            return;
        }
        let (first, generation) = (self.base, self.generation);
        let count = values.len();
        self.reserve_unstored(count);
        self.base += count as u32;
        // `zip` with the index range bounds the count even if `len` was wrong.
        out.extend(
            (first..first + count as u32)
                .zip(values)
                .map(|(i, x)| Var::node(x, i, generation)),
        );
        // An iterator that yields fewer values than its `len` leaves unused indices: harmless.
    }

    /// The input buffer, taken out of the store and filled with new variables of values
    /// `values` (as [`leaves`](Self::leaves) would), for a driver's user function; the driver
    /// gives it back through `inputs`.
    ///
    /// A driver's inputs are records `base, base + 1, …` with partial 1, so when the buffer was
    /// last filled at the start of a recording with the same `base` (every driver call starts
    /// at 1), each of its `Var`s differs from the new one only in its value and recording id:
    /// those two fields are rewritten and the rest kept. That halves the stores per input
    /// (`benches/PERFORMANCE.md`, "The driver's own work").
    pub(crate) fn take_inputs(
        &mut self,
        mut values: impl ExactSizeIterator<Item = T>,
    ) -> Vec<Var<T>> {
        let mut buf = std::mem::take(&mut *self.inputs);
        if self.generation == 0 {
            no_recording::<T>();
        }
        if self.nodes.is_empty() && self.base == self.inputs_first {
            // Nothing else writes the buffer: it is lent to the user function as `&[Var]`.
            buf.truncate(values.len());
            let mut written = 0;
            for (v, x) in buf.iter_mut().zip(&mut values) {
                v.value = x;
                v.generation = self.generation;
                written += 1;
            }
            // An iterator shorter than its `len` leaves no stale `Var` behind.
            buf.truncate(written);
            self.reserve_unstored(written);
            self.base += written as u32;
        } else {
            buf.clear();
            self.inputs_first = if self.nodes.is_empty() { self.base } else { 0 };
        }
        // The inputs the buffer did not hold yet (all of them if it was not reused).
        self.leaves(values, &mut buf);
        buf
    }

    /// Appends a record whose parents the caller has checked belong to the active recording
    /// (see [`TapeElement::record`]); it does not compare again (`benches/PERFORMANCE.md`, "The
    /// forward pass").
    #[inline(always)]
    pub fn push_record(&mut self, parents: [u64; 2], partials: [T; PARENTS]) -> u32 {
        debug_assert!(
            self.generation != 0,
            "a record pushed while no recording is active"
        );
        self.push(parents, partials)
    }

    /// Checks that `v` can be read in the active recording: constant, or recorded in it.
    #[inline]
    pub(crate) fn check(&self, v: &Var<T>) {
        if v.generation != 0 && v.generation != self.generation {
            misuse::<T>(self.generation, v.generation);
        }
    }

    /// One backward sweep: zeroes the adjoints, adds each `(output, weight)` seed, and propagates
    /// from the last record to the first. Records whose adjoint is exactly zero are skipped, so a
    /// record that does not reach the seeded outputs never contributes (not even `0 · ∞ = NaN`).
    pub(crate) fn sweep(&mut self, seeds: impl IntoIterator<Item = (Var<T>, T)>) {
        let n = self.len();
        self.adjoints.clear();
        self.adjoints.resize(n, T::zero());
        for (v, w) in seeds {
            self.check(&v);
            for (node, partial) in v.entries() {
                self.adjoints[node as usize] += w.strong_zero_mul(partial);
            }
        }
        if self.local.is_some() {
            local_misuse();
        }
        let base = self.base as usize;
        propagate(&self.nodes[..n - base], &mut self.adjoints[..n]);
    }

    /// The adjoint buffer after a sweep.
    pub(crate) fn adjoints(&self) -> &[T] {
        &self.adjoints
    }

    /// Opens a [`Scalar::sum_of`](diffprog_dual::Scalar::sum_of) section at the current end of
    /// the tape, the *mark*: the adjoint buffer becomes the accumulator of the terms' gradients
    /// with respect to the records below the mark. Returns false, opening nothing, while no
    /// recording is active or a section is already open (a sum inside a term is recorded as
    /// plain operations, which the outer section differentiates).
    pub(crate) fn local_begin(&mut self) -> bool {
        if self.generation == 0 || self.local.is_some() {
            return false;
        }
        let mark = self.len();
        self.local = Some(Local {
            mark: mark as u32,
            base: self.base,
        });
        self.adjoints.clear();
        self.adjoints.resize(mark, T::zero());
        true
    }

    /// Differentiates one term of the open section: seeds its entries with 1, propagates over
    /// the records written since the mark, adding into the accumulator below the mark, and
    /// discards those records.
    pub(crate) fn local_term(&mut self, term: &Var<T>) {
        let Some(Local { mark, base }) = self.local else {
            unreachable!("a sum_of term outside a section")
        };
        if self.base != base {
            local_misuse();
        }
        self.check(term);
        let (n, mark, base) = (self.len(), mark as usize, base as usize);
        self.adjoints.resize(n, T::zero());
        for (node, partial) in term.entries() {
            self.adjoints[node as usize] += partial;
        }
        propagate(&self.nodes[mark - base..], &mut self.adjoints[..n]);
        self.nodes.truncate(mark - base);
        self.adjoints.truncate(mark);
    }

    /// Closes the open section: the sum, with value `value`, depends on every record below the
    /// mark with a non-zero accumulated adjoint, with that adjoint as its partial (written as
    /// [`Chain`] records).
    pub(crate) fn local_end(&mut self, value: T) -> Var<T> {
        let Some(Local { mark, .. }) = self.local.take() else {
            unreachable!("a sum_of section closed twice")
        };
        let adj = std::mem::take(&mut *self.adjoints);
        let mut chain = Chain::new();
        for (i, &d) in adj[..mark as usize].iter().enumerate().skip(1) {
            if !d.is_identically_zero() {
                chain.add(self, i as u32, d);
            }
        }
        *self.adjoints = adj;
        self.adjoints.clear();
        chain.finish(self, value)
    }
}

/// A sum of `sum_of` misuse: a backward sweep or a new variable inside a term.
#[cold]
#[inline(never)]
fn local_misuse() -> ! {
    panic!(
        "diffprog-reverse: a backward sweep or a new variable inside a `Scalar::sum_of` term: a \
         term may only compute with existing variables and return its value"
    )
}

/// The records of a primitive with any number of parents (a dot product, a log-sum-exp, a
/// `sum_of`): its entries (parent record, partial) are written three per record, each record
/// after the first having the previous one as a parent with partial 1 (in the third slot, the
/// sweep's common shape "the record just below"), so that the last record's adjoint reaches
/// every entry. The first record takes four entries. Entries on the same parent within one
/// record are added (a record's parents are distinct); across records they may repeat. At most
/// two entries in all are carried inline by the result, with no record.
pub(crate) struct Chain<T> {
    slots: [(u32, T); PARENTS],
    len: usize,
    /// The last record written, [`SINK`] before the first.
    last: u32,
}

impl<T: TapeElement> Chain<T> {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Chain {
            slots: [(SINK, T::zero()); PARENTS],
            len: 0,
            last: SINK,
        }
    }

    /// Adds the entry `(node, d)` (`node` an existing record of the active recording, older
    /// than the chain's records).
    #[inline(always)]
    pub(crate) fn add(&mut self, tape: &mut TapeStore<T>, node: u32, d: T) {
        if self.last == SINK {
            // Only the first record can have the record just below it among its entries (later
            // ones have the link there), and the sweep needs that parent once: entries on the
            // same parent are added. Later records may repeat a parent (see `push`).
            for slot in &mut self.slots[..self.len] {
                if slot.0 == node {
                    slot.1 += d;
                    return;
                }
            }
        }
        let capacity = if self.last == SINK {
            PARENTS
        } else {
            PARENTS - 1
        };
        if self.len == capacity {
            self.last = self.flush(tape);
        }
        self.slots[self.len] = (node, d);
        self.len += 1;
    }

    /// Writes the pending entries (and the link to the previous record) as one record.
    #[inline(always)]
    fn flush(&mut self, tape: &mut TapeStore<T>) -> u32 {
        let s = &self.slots;
        let one = T::one();
        let (nodes, partials) = match (self.last == SINK, self.len) {
            (true, _) => {
                let n = |k: usize| if k < self.len { s[k].0 } else { SINK };
                let d = |k: usize| if k < self.len { s[k].1 } else { T::zero() };
                ([n(0), n(1), n(2), n(3)], [d(0), d(1), d(2), d(3)])
            }
            (false, 1) => (
                [s[0].0, self.last, SINK, SINK],
                [s[0].1, one, T::zero(), T::zero()],
            ),
            (false, 2) => (
                [s[0].0, s[1].0, self.last, SINK],
                [s[0].1, s[1].1, one, T::zero()],
            ),
            (false, _) => (
                [s[0].0, s[1].0, self.last, s[2].0],
                [s[0].1, s[1].1, one, s[2].1],
            ),
        };
        self.len = 0;
        let parents = [pack(nodes[0], nodes[1]), pack(nodes[2], nodes[3])];
        tape.push_record(parents, partials)
    }

    /// The primitive's result with value `value`: the last record, or the entries inline if
    /// there are at most two (a constant if there are none).
    #[inline(always)]
    pub(crate) fn finish(mut self, tape: &mut TapeStore<T>, value: T) -> Var<T> {
        if self.last == SINK && self.len <= 2 {
            if self.len == 0 {
                return Var::lift(value);
            }
            let second = if self.len == 2 {
                self.slots[1]
            } else {
                (SINK, T::zero())
            };
            return Var {
                value,
                nodes: pack(self.slots[0].0, second.0),
                partials: [self.slots[0].1, second.1],
                generation: tape.generation,
            };
        }
        if self.len > 0 {
            self.last = self.flush(tape);
        }
        Var::node(value, self.last, tape.generation)
    }
}

impl<T: TapeElement> TapeStore<T> {
    /// Grows the record buffer (doubling), refusing to pass the `u32` index range, and pushes `node`.
    #[cold]
    #[inline(never)]
    fn grow_and_push(&mut self, node: Node<T>) -> u32 {
        let len = self.len();
        if len >= u32::MAX as usize {
            too_long();
        }
        let extra = len.max(1024).min(u32::MAX as usize - len);
        self.nodes.reserve_exact(extra);
        // `reserve_exact` may in principle give more: the index bound must hold for all of it.
        if self.base as usize + self.nodes.capacity() > u32::MAX as usize {
            too_long();
        }
        self.nodes.push(node);
        len as u32
    }
}

/// One tape record: the parents' indices, packed in pairs ([`pack`]), and the
/// partials ([`SINK`] in unused slots). Packed pairs because the merge holds its operands'
/// records as packed pairs: building a `[u32; 4]` from them goes through the stack, two narrow
/// stores then one wide load, which the CPU cannot forward (`benches/PERFORMANCE.md`, "The
/// forward pass").
#[derive(Clone, Copy)]
struct Node<T> {
    parents: [u64; 2],
    partials: [T; PARENTS],
}

/// The backward propagation over the records `nodes`, the last records of the tape (record
/// `adj.len() − 1` is the last of them, record `adj.len() − nodes.len()` the first): each
/// record's adjoint, multiplied by its partials, is added into its parents' adjoints. The
/// adjoints of the records below `nodes` receive their contributions and are not visited.
#[inline(always)]
fn propagate<T: TapeElement>(nodes: &[Node<T>], adj: &mut [T]) {
    let n = adj.len();
    let first = n - nodes.len();
    // The records in reverse, with a counted index: fewer instructions per record than
    // indexing `nodes` (a bounds check) or `enumerate().rev()` (which recomputes the index by
    // a division). Parents always precede their record, so the index checks never fail.
    // (Measurements of each point below: benches/PERFORMANCE.md, "The backward sweep".)
    //
    // - Unused slots (the sink) are skipped rather than accumulated into: `adj[0] += a·0`
    //   would make one long chain of dependent loads and stores through `adj[0]`. A
    //   record's parents fill its slots from the first (see `preaccumulate::merge`), so the
    //   first unused slot ends it.
    // - The contribution to record i − 1 (a running sum's previous record, typically) is
    //   kept in a register, `carry`, instead of going through memory: the next iteration
    //   would otherwise wait for that store to be forwarded to its load. At most one of a
    //   record's parents is i − 1 (debug-asserted at every push; other parents may repeat,
    //   each adding its own contribution), and its contribution is assigned, not added: the chain through the carry is then one
    //   multiplication and one addition per record, not two additions and one
    //   multiplication. Without a contribution the carry is −0, which `adj[i] + carry`
    //   leaves exactly unchanged (+0 would turn an adjoint of −0 into +0).
    // - The common shape is tested first: three or four parents of which the third is i − 1
    //   (a running sum's previous record: `merge` puts a single-entry operand's record
    //   after a two-entry operand's); the other parents then need no comparison.
    // - A record whose adjoint is exactly zero is skipped, so a record that does not reach
    //   the seeded outputs never contributes (not even `0 · ∞ = NaN`). A non-zero adjoint
    //   whose primal is finite multiplies the partials plainly; an infinite or NaN one (or
    //   one with a zero primal, in nested elements) by the chain rule's product, where a
    //   zero partial contributes exactly zero (the strong-zero rule of `diffprog_dual`).
    let mut carry = -T::zero();
    let mut i = n;
    for &Node { parents, partials } in nodes.iter().rev() {
        i -= 1;
        let a = adj[i] + carry;
        carry = -T::zero();
        // Stored even when zero: `adj[i]` is read after the sweep for inputs and retained
        // values (a found bug: a carry cancelling the stored part left the stale sum).
        adj[i] = a;
        if a.is_identically_zero() {
            continue;
        }
        let below = (i - 1) as u32;
        let [p0, p1] = unpack(parents[0]);
        let [p2, p3] = unpack(parents[1]);
        let plain = a.has_finite_nonzero_primal();
        let times = |d: T| if plain { a * d } else { a.strong_zero_mul(d) };
        let mut add = |p: u32, d: T| {
            if p == below {
                carry = times(d);
            } else {
                adj[p as usize] += times(d);
            }
        };
        if p2 != SINK && p2 == below {
            // The common shape (see above). No other parent is i − 1.
            carry = times(partials[2]);
            adj[p0 as usize] += times(partials[0]);
            adj[p1 as usize] += times(partials[1]);
            if p3 != SINK {
                adj[p3 as usize] += times(partials[3]);
            }
            continue;
        }
        if p0 == SINK {
            continue; // an input created after the first operation record
        }
        add(p0, partials[0]);
        if p1 == SINK {
            continue;
        }
        add(p1, partials[1]);
        if p2 == SINK {
            continue;
        }
        add(p2, partials[2]);
        if p3 != SINK {
            add(p3, partials[3]);
        }
    }
    adj[first - 1] += carry;
}

#[doc(hidden)]
#[cold]
#[inline(never)]
pub fn tape_destroyed() -> ! {
    panic!("diffprog-reverse: the thread's tape was used during thread shutdown (after its destruction)")
}

#[cold]
#[inline(never)]
fn too_long() -> ! {
    panic!("diffprog-reverse: the tape is full (2³² − 1 records); split the computation")
}

#[cold]
#[inline(never)]
fn no_recording<T>() -> ! {
    panic!(
        "diffprog-reverse: no recording of element type `{}` is active on this thread; create \
         variables through a driver (`gradient`, `vjp`, `jacobian`, ...) or a `Recording`",
        std::any::type_name::<T>()
    )
}

#[cold]
#[inline(never)]
pub(crate) fn misuse<T>(active: u64, found: u64) -> ! {
    let ty = std::any::type_name::<T>();
    if active == 0 {
        panic!(
            "diffprog-reverse: a `Var<{ty}>` was used after its recording ended (no recording of \
             `{ty}` is active on this thread; the Var may also come from another thread). A Var \
             is only valid inside the driver call or `Recording` that created it: read its value \
             with `.primal()` / `.value()` and start a new recording"
        )
    } else {
        panic!(
            "diffprog-reverse: a `Var<{ty}>` from another recording (id {found}) was used in the \
             active recording (id {active}): it comes from an earlier or enclosing driver call, \
             or from another thread. Pass values between recordings as plain numbers \
             (`.primal()` / `.value()`), or create the variable in this recording"
        )
    }
}

/// Advances the recording-id counter as if `count` recordings had started and ended (for the
/// tests that check that ids never alias, however many recordings a process makes).
#[doc(hidden)]
pub fn skip_recording_ids(count: u64) {
    NEXT_GEN.fetch_add(count, Ordering::Relaxed);
}

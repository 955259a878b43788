//! Reverse-mode automatic differentiation for diffprog: a tape of [`Var`]s, the drivers
//! [`gradient`], [`vjp`], [`jacobian`], an explicit [`Recording`] API, user-defined primitives
//! ([`Var::custom`]) and the mixed (forward-over-reverse) drivers [`hessian_vector_product`] and
//! [`hessian`].
//!
//! # The model
//!
//! A function is written once, generic over [`Scalar`](diffprog_dual::Scalar). Run on [`Var`]s it
//! is *recorded*: every operation computes its local partial derivatives at record time by the
//! same rule table [`diffprog_dual::rules`] that forward mode uses, and chains them into its
//! operands'. A `Var` carries its value and its partials with respect to at most two tape
//! records (*preaccumulation*, see [`preaccumulate`]): unary operations and operations whose
//! operands together depend on at most two records write nothing; an operation that meets
//! three or four records writes one record (a Wengert-list entry: up to four parent indices and
//! the partials) and the result is that record. Inputs are records with no parents (those
//! created before the first operation record — all of a driver's inputs — are not even stored:
//! they are the tape's first indices, below the records the sweep visits). Constants
//! never record, and loops and branches simply record the path taken (comparisons look at
//! values). The backward sweep is one loop from the last record to the first, accumulating
//! adjoints `adj[parent] += adj[i] · partial`; records whose adjoint is exactly zero are
//! skipped, so a record that does not reach the output cannot turn a finite adjoint into NaN
//! through a `0 · ∞` partial.
//!
//! Preaccumulation is the chain rule applied in another order, so the gradients are those of a
//! one-record-per-operation tape up to rounding (tested against forward mode and central
//! differences on random programs with shared intermediates, and branch by branch). Adjoints exist for records: inputs, and intermediates passed through
//! [`Var::retain_adjoint`] (PyTorch's `retain_grad`) — [`Adjoints::wrt`] panics with that advice
//! for any other intermediate.
//!
//! # Where the tape lives
//!
//! `Var<T>` is `Copy + 'static` — its value, two packed `u32` record indices, two partials and a
//! `u32` recording id (40 bytes for `T = f64`) — so nalgebra matrices, closures and
//! argument-less constructors (`T::zero()`) accept it. The tape is therefore not reachable from
//! a `Var`: it is a thread-local, one per element type `T` (the [`TapeElement`] trait,
//! implemented by the [`tape_element!`] macro with its own `thread_local!` per type, since Rust
//! has no generic statics). A record is one array element (`Node { parents: [u64; 2],
//! partials: [T; 4] }`, 48 bytes for `f64`; the four `u32` parent indices packed in pairs, the
//! form in which the operands carry them). Unused parent slots hold a sink index; a record's
//! parents fill its slots from the first, and the backward loop stops at the first unused one
//! (accumulating `adj[sink] += a · 0` instead made one long chain of dependent loads and
//! stores). The backward loop keeps the contribution to the record just below the current one
//! (a running sum's previous record) in a register rather than in memory, so the next
//! iteration does not wait for a store to be forwarded to its load; a record's parents being
//! distinct (debug-asserted), that contribution is assigned rather than added, which leaves one
//! multiplication and one addition on the chain from record to record (the sweep alone,
//! `prof_gradient -- 1000 2000 sweep`: 3.6 → 3.3 plain evaluations). The tape's buffers are
//! `ManuallyDrop`, so the thread-local has
//! no destructor and its accessor no registration branch (a second thread-local frees the
//! memory at thread exit, tested). The memory (records, adjoints, the input buffer) is kept
//! between recordings: after a warm-up call, [`gradient_into`] allocates nothing (tested with a
//! counting global allocator).
//!
//! Cost, measured on the Rosenbrock gradient at n = 1000 (`cargo run --release -p
//! diffprog-reverse --example prof_gradient`, best of 15 rounds, 2-core VM), in plain
//! evaluations: a one-record-per-operation tape with the record call out of line, ≈ 59;
//! inlining the record call, 42; skipping the sink in the backward loop, 34; preaccumulation
//! (one record per term instead of eight), ≈ 20; then parent indices stored as the packed pairs
//! the operands carry (building a `[u32; 4]` went through the stack with a store-forwarding
//! stall), inputs not stored, the register carry in the backward loop, and sums, differences
//! and scalings without multiplications by constants: ≈ 13 (n = 10 000 likewise; ≈ 228
//! instructions per term, `valgrind --tool=callgrind`, against ≈ 18 for the plain evaluation).
//! Both passes are bound by instruction throughput, not by a dependency chain: `llvm-mca`
//! (`-mcpu=znver3`, this VM's core) on the path one term executes (read off a callgrind
//! profile) predicts 26 cycles for the forward pass's 153 instructions, 37 of them branches
//! (dispatch-bound; ≈ 28 measured at ≈ 3 GHz), and 8.6 cycles for the sweep's 50 instructions
//! per record (≈ 10 measured). Checking recording ids only where derivatives are recorded or
//! read (14 instructions per term fewer) measured ≈ 4 % faster (12.4–12.6× against 12.9–13.2×,
//! ten interleaved runs each); every operation still checks, so that misuse panics where it
//! happens. Marking the all-constant paths of the checks cold, so that the compiler tests
//! "variable of the active recording" first, took 12 instructions per term off the forward
//! pass (153 → 141) and measured ≈ 3 % faster in `prof_gradient` (12.6–12.9× against
//! 13.0–13.4×, interleaved), within the noise in criterion and `prof_shapes`. Testing the
//! sweep's common record shape first (three or four parents, the third the record just below:
//! a running sum's) took the sweep from 50 to 43 instructions per record and the gradient
//! from 12.6–13.0× to 11.6–12.1× (ten interleaved runs each; 212 instructions per term, 141
//! of them the forward pass). On top of it the lazy id checks above took only 3 instructions
//! per term off and measured no faster. Bounds checks in the sweep replaced by masks on a
//! power-of-two adjoint buffer (−6 instructions per record) were not faster either, and made
//! [`Recording::backward`] ≈ 3× slower at n ≥ 700, the extra time in the `memmove` that copies
//! the adjoints out (`perf record -e cpu-clock`; the buffers' placement, not the sweep).
//! What all the safety checks cost together, measured as an upper bound on a throw-away build
//! (not adopted: it is unsound): the tape in an `UnsafeCell` instead of a `RefCell`, pushes and
//! adjoint reads and writes unchecked, and no recording-id comparisons at all ran 190
//! instead of 213 instructions per term and was no faster (best of ten interleaved runs:
//! 11.74× safe, 11.78× without the `RefCell` and bounds checks, 11.93× without the id checks
//! too). Skipping the multiplication on the sweep's carry when the partial is exactly 1 (a
//! running sum's), which halves the chain from record to record, was no faster either (the
//! sweep alone 3.08–3.36 against 2.73–3.19 plain evaluations, eight interleaved runs). The
//! time left is neither the checks nor the sweep's dependency chain, nor the record pushes: a
//! throw-away build whose push stores nothing (its gradients are wrong) ran at 9.1–9.4×
//! against 11.8–12.1× (eight interleaved runs), the difference being about the sweep's own
//! time (2.7–2.9 plain evaluations), so the operations on `Var`s — values, partials, merges —
//! are about 8.5 of the 12 plain evaluations. Rosenbrock's operations with the terms summed as
//! plain numbers — no records, no sweep — cost 7.1× (`prof_shapes`' `rosen-terms`, 12.9× for
//! its gradient in the same run), and `Σ xᵢxᵢ₊₁`, one product and one record per term, 11.8×.
//!
//! `s += t` must cost what `s = s + t` costs. With `#[inline]` alone, LLVM kept `add_assign`
//! — which holds the whole merge and record push — out of line as soon as a crate had a few
//! `+=` sites (`prof_gradient` has one; `prof_shapes`, the benchmarks and most user code have
//! more), and the call took `self` through memory; the compound assignments of every number
//! type are now `#[inline(always)]` (diffprog-dual's operator macro). In a crate with two `+=`
//! sites the Rosenbrock gradient at n = 1000 went from 15.1× to 12.0× and `Σ xᵢxᵢ₊₁` from 13.1× to 11.2×
//! (fastest of eight interleaved runs each); compare-modes' Rosenbrock gradient at n = 1000
//! from 14.4× (15.3 µs) to 12.0–12.4× (13.7–14.3 µs, three runs). The binary elementary
//! functions (`max`, `min`, `atan2`, `pow`, `hypot`) and `mul_add` hold a merge too and went out
//! of line the same way (three `max` sites in a crate: a `call` of `Var::max`); forced inline,
//! `Σ max(xᵢ, xᵢ₊₁)·xᵢ` went from 16.0× to 13.5× and a `max`/`mul_add` sum from 11.6× to 10.2×
//! (fastest of eight interleaved runs each, n = 1000).
//!
//! The driver's own work — starting the recording, writing the inputs, zeroing the adjoints,
//! copying the gradient out — was measured with a function that returns `x[0]`: at n = 1000 it
//! cost 1.14 plain Rosenbrock evaluations, most of it writing the 1000 input `Var`s (four
//! stores each into a 40 KB buffer). The drivers reuse that buffer, and when the previous call
//! left `Var`s of the same records (every driver call starts at record 1) they rewrite only
//! each input's value and recording id: 0.97–1.02 plain evaluations, and the Rosenbrock
//! gradient 12.0–12.5× → 11.4–11.6× (one run alternating the old and new builds), compare-modes
//! 12.2–12.6× → 11.4–11.8× at n = 1000 (three runs before, seven after).
//!
//! What the operator interface costs, measured as a bound: the same gradient with each term's
//! value and two partials computed as plain numbers and written as one record (what a
//! compile-time, expression-template tool would emit; a throw-away example using crate
//! internals) ran at 6.1–6.5× at n = 1000 against 11.9–12.3× for the operators in the same
//! runs (the code before the input-buffer change; 5.6–5.9× in later runs), so about half of the gradient is the run-time bookkeeping of the operations
//! (recording ids and the merge's decisions on which records two operands share). Of that,
//! comparing recording ids only with each other (checking the active recording only where a
//! record is written or adjoints are read) together with a one-test path for two single-entry
//! operands measured 3 % faster in compare-modes (n = 1000: 11.0–11.5× against 11.5–11.8×,
//! three interleaved runs each) and 7–10 % in `prof_gradient`-style loops; not adopted, because
//! a `Var` of an ended recording would then panic only where it reaches a derivative rather
//! than at its first operation, and it does not reach the 10× target either.
//!
//! Fewer records through wider `Var`s — three entries and six-parent records, one record per
//! two Rosenbrock terms — was built and measured: the sweep got cheaper (3.3 → 2.3 plain
//! evaluations), every operation dearer (more registers per `Var`, longer decision trees), and
//! the gradient went from 13.3× to 15.3× (interleaved runs), so `Var`s keep two entries.
//! Criterion (`benches/reverse.rs`, seven runs over three sessions) gives 12.4–18× at
//! n = 100…10 000, with echidna's `grad` 7–11× slower than ours and ad_trait's `ReverseAD` 12–14×
//! slower (one run); the VM's slow periods hurt the tape more than the plain evaluation, hence
//! the spread. The record push is inlined for `f64`, `f32` and `Dual` tapes and out
//! of line for larger element types (inlining it, and the merge, for `DualVec` made generic
//! code minutes slower to compile).
//!
//! Preaccumulation is not free everywhere: `cargo run --release -p diffprog-reverse --example
//! prof_shapes` measures the shapes below (and the two above). Measured with the one-record-per-operation tape (before
//! the later improvements above): local chains gained (Rosenbrock 35× → 21×, sin·exp chains
//! 3.5× → 3.1×), a running product was unchanged (13×), but an intermediate of two inputs reused
//! by every term (`t = x₀x₁; Σ t·xᵢ`) cost 25× instead of 13× and a dense double sum 17×
//! instead of 11×: there each use copies the intermediate's two entries into a three- or
//! four-parent record, so the record count does not drop while each record costs more. With the
//! current tape (one run in a quiet period): Rosenbrock 12.9×, sin·exp 2.5×, product 7.1×,
//! shared intermediate 14.0× (12.6× with [`Var::retain_adjoint`]), dense 10.6×. Writing each
//! Rosenbrock term as one [`Var::custom`] primitive with hand-derived partials
//! (`rosen-custom`: the same records) cost 16.5× while `Var::custom` chained its parents one
//! by one from the slice, a loop the compiler kept; with one or two parents it is now exactly a
//! unary or binary operation (the slice's length is known once inlined): 10.4–11.4× against
//! 15.8–18.7× (three runs alternating the two builds), so a hot term whose partials the user
//! supplies costs less than the operations it replaces (Rosenbrock's 11.8–12.7× in the same
//! runs).
//!
//! # Misuse is caught
//!
//! Each recording has an id, unique across threads, stored in its `Var`s and compared on every
//! recorded operation and every adjoint read. A `Var` used after its recording ended, in another
//! recording (an earlier driver call) or on another thread panics with a message saying so —
//! never a silently wrong gradient. Each thread records and differentiates independently.
//! A reverse driver (or [`Recording`]) at element type `T` inside another at the same `T` is
//! rejected with a clear panic by the [`DriverLevel`](diffprog_dual::nesting::DriverLevel) guard;
//! nesting at different element types (e.g. a `Var<f64>` gradient inside a forward derivative)
//! works.
//!
//! # Mixed mode and Hessians
//!
//! The tape is generic over its element type. Over `Dual<f64>` (values and partials are dual
//! numbers) one recording and one backward sweep give the gradient and a Hessian–vector product
//! ([`hessian_vector_product`]); over `DualVec<f64, N>`, N Hessian columns per recording
//! ([`hessian_chunked`]). Sums and differences chain their operands' dual partials without
//! multiplying them by the dual constant 1, `x · c` scales them by the primal `c`, and `x · x`
//! on a one-record `x` skips the meaningless second slot; with that a Rosenbrock
//! Hessian–vector product costs 2.1–2.5 gradients at n = 100…10 000 (`cargo run --release -p
//! diffprog-reverse --example prof_gradient -- 1000 500 hvp`, interleaved rounds; 3.1–3.4
//! before).
//!
//! [`hessian`] records once, on [`HessianVar`]s, whose records also hold each operation's second
//! partials (the same rules evaluated on dual numbers), and then runs forward-tangent and
//! second-order-adjoint sweeps over the stored tape, [`HESSIAN_CHUNK`] columns at a time, skipping
//! records that do not depend on the block's inputs, computing only the tangents that a curved
//! record reads (directly or through other needed tangents), and ending a block's sweeps past
//! the last such reader of its active records. A block therefore costs what its inputs touch:
//! Rosenbrock's tridiagonal Hessian at n = 100 costs ≈ 280–320 plain evaluations in criterion
//! (`benches/reverse.rs`: 32–37 µs, echidna's bytecode `hessian` 37–49× slower, num-dual's
//! 280–295×, ad_trait's forward-over-reverse and forward-over-forward Hessians 1 200–1 400×);
//! `cargo run --release -p diffprog-reverse --example prof_hessian` gives 51–57 µs against
//! 66–73 µs before the last two bounds, alternating the two builds (−35 % instructions,
//! `valgrind --tool=callgrind`).
//!
//! # The tape's public API (for other crates)
//!
//! - [`Recording`]: start a recording, create variables, take any number of backward sweeps
//!   ([`Recording::backward`], [`Recording::backward_weighted`]) and read the adjoint of any
//!   input or retained `Var` ([`Adjoints::wrt`], [`Var::retain_adjoint`]).
//! - [`Var::custom`]: a value with arbitrary parents and partials (a user-defined primitive, or
//!   a block computed by other code, e.g. a tensor kernel).
//!
//! ```
//! use diffprog_dual::Scalar;
//! use diffprog_reverse::{gradient, Var};
//!
//! fn rosenbrock<T: Scalar>(x: &[T]) -> T {
//!     let mut s = T::zero();
//!     for i in 0..x.len() - 1 {
//!         let a = x[i + 1] - x[i] * x[i];
//!         let b = T::one() - x[i];
//!         s += a * a * 100.0 + b * b;
//!     }
//!     s
//! }
//! let (value, grad) = gradient(rosenbrock, &[1.0, 1.0, 1.0]);
//! assert_eq!(value, 0.0);
//! assert_eq!(grad, vec![0.0, 0.0, 0.0]);
//! let (_, grad) = gradient(rosenbrock::<Var>, &[0.0, 0.0]);
//! assert_eq!(grad, vec![-2.0, 0.0]);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod drivers;
mod hessian;
mod hessian_var;
mod mixed;
mod nalgebra_impls;
pub mod preaccumulate;
mod recording;
#[doc(hidden)]
pub mod tape;
mod var;

pub use drivers::{gradient, gradient_into, jacobian, vjp};
pub use hessian::{hessian, HESSIAN_CHUNK};
pub use hessian_var::HessianVar;
pub use mixed::{hessian_chunked, hessian_vector_product};
pub use recording::{Adjoints, Recording};
pub use tape::{TapeElement, TapeStore};
pub use var::Var;

//! Reverse-mode automatic differentiation for diffprog: a tape of [`Var`]s, the drivers
//! [`gradient`], [`vjp`], [`jacobian`], the generic [`gradient_at`] (nested derivatives), an
//! explicit [`Recording`] API, user-defined primitives ([`Var::custom`]) and the mixed
//! (forward-over-reverse) drivers [`hessian_vector_product`], [`hessian_diagonal`] and
//! [`hessian`]; [`replay`]: a function recorded once as a [`Program`](replay::Program) and
//! differentiated at new inputs without calling it again, with branch guards; and parallel
//! batches of the drivers over many points ([`gradient_batch`], [`jacobian_batch`],
//! [`hessian_batch`]); [`sparse`]: sparse Jacobians and Hessians (sparsity detected on a
//! recorded program, colouring, compressed passes, `nalgebra-sparse` CSR results), built once
//! and evaluated at many points; [`checkpoint`]: gradients through long time-stepping loops
//! with binomial (revolve) checkpointing, memory bounded by a snapshot budget; and [`optim`]:
//! second-order minimisers built on these derivatives (Newton with a line search, trust-region
//! Newton–CG on Hessian–vector products, L-BFGS).
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
//! differences on random programs with shared intermediates, and branch by branch). Adjoints
//! exist for records: inputs, and intermediates passed through [`Var::retain_adjoint`]
//! (PyTorch's `retain_grad`) — [`Adjoints::wrt`] panics with that advice for any other
//! intermediate.
//!
//! # Where the tape lives
//!
//! `Var<T>` is `Copy + 'static` — its value, two packed `u32` record indices, two partials and a
//! `u64` recording id (40 bytes for `T = f64`) — so nalgebra matrices, closures and
//! argument-less constructors (`T::zero()`) accept it. The tape is therefore not reachable from
//! a `Var`: it is a thread-local, one per element type `T` (the [`TapeElement`] trait,
//! implemented by the [`tape_element!`] macro with its own `thread_local!` per type, since Rust
//! has no generic statics). A record is one array element (`Node { parents: [u64; 2],
//! partials: [T; 4] }`, 48 bytes for `f64`; the four `u32` parent indices packed in pairs, the
//! form in which the operands carry them). The tape's buffers are `ManuallyDrop`, so the
//! thread-local has no destructor and its accessor no registration branch (a second
//! thread-local frees the memory at thread exit, tested). The memory (records, adjoints, the
//! input buffer) is kept between recordings: after a warm-up call, [`gradient_into`] allocates
//! nothing (tested with a counting global allocator).
//!
//! # Cost
//!
//! A gradient costs one recording of the function and one backward sweep: a small constant
//! number of plain `f64` evaluations of the same function, whatever n (`cargo run --release -p
//! diffprog-benches --bin compare-modes` measures it against forward mode and the peers); a
//! Hessian–vector product costs about two gradients. Most of it is the price of recording an
//! unchanged generic function operation by operation (chaining partials through every operation,
//! and deciding which records two operands share). A hot expression whose partials you know can
//! be recorded as one [`Var::custom`] primitive, which with one or two parents costs one
//! operation. Where the time goes, each step that made it faster and the variants measured and
//! not adopted: `benches/PERFORMANCE.md`, "Reverse tape: recording and sweep".
//!
//! # Misuse is caught
//!
//! Each recording has an id, unique across threads and never reused in a process (64 bits),
//! stored in its `Var`s and compared on every operation — `x + c` included — and every adjoint
//! read. A `Var` used after its recording ended, in another recording (an earlier driver call)
//! or on another thread panics with a message saying so — never a silently wrong gradient. Only
//! reading a `Var`'s value (`primal`, `value`, comparisons, formatting) is allowed on a stale
//! `Var`: a value carries no derivative. Each thread records and differentiates independently;
//! a `Recording` that is never dropped is reported by the next one, and
//! [`Recording::end_forgotten_recording`] ends it.
//! A reverse driver (or [`Recording`]) at element type `T` inside another at the same `T` is
//! rejected with a clear panic by the [`DriverLevel`](diffprog_dual::nesting::DriverLevel) guard;
//! nesting at different element types (e.g. a `Var<f64>` gradient inside a forward derivative)
//! works.
//!
//! # Nested derivatives
//!
//! A derivative of a function that itself takes a gradient runs the inner driver at the outer
//! level's number type ([`gradient_at`]), every pair of modes: reverse inside forward on a tape
//! of `Dual<f64>` elements, reverse inside reverse on a tape of `Var<f64>` elements (the inner
//! backward sweep is recorded on the outer tape and differentiated by the outer sweep), forward
//! inside reverse on `Dual<Var>` numbers (`diffprog_dual::derivative_at` / `gradient_at` at
//! `T = Var`). Captured outer numbers enter the inner level through [`Var::lift`] (or
//! `Dual::lift`); the levels are different types, so they cannot be confused.
//!
//! # Mixed mode and Hessians
//!
//! The tape is generic over its element type. Over `Dual<f64>` (values and partials are dual
//! numbers) one recording and one backward sweep give the gradient and a Hessian–vector product
//! ([`hessian_vector_product`]); over `DualVec<f64, N>`, N Hessian columns per recording
//! ([`hessian_chunked`]). Sums and differences chain their operands' dual partials without
//! multiplying them by the dual constant 1, `x · c` scales them by the primal `c`, and `x · x`
//! on a one-record `x` skips the meaningless second slot.
//!
//! [`hessian`] records once, on [`HessianVar`]s, whose records also hold each operation's second
//! partials (the same rules evaluated on dual numbers), and then runs forward-tangent and
//! second-order-adjoint sweeps over the stored tape, [`HESSIAN_COLUMNS_PER_SWEEP`] columns at a time, skipping
//! records that do not depend on the block's inputs, computing only the tangents that a curved
//! record reads (directly or through other needed tangents), and ending a block's sweeps past
//! the last such reader of its active records. A block therefore costs what its inputs touch
//! (Rosenbrock's tridiagonal Hessian: a few records per block; measurements in
//! `benches/PERFORMANCE.md`, "Mixed mode and Hessians").
//!
//! # What the drivers take, and `f32`
//!
//! Every driver takes its point (and direction or weights) as any `impl AsRef<[F]>`: a slice,
//! an array, a `Vec`, nalgebra's `DVector` or `SVector`, by value or by reference, read through
//! `as_ref()` (the components are not copied). [`vjp`] and [`jacobian`] accept functions
//! returning any `impl AsRef<[Var<F>]>`: `Vec`, `[Var<F>; M]`, `DVector`, `SVector`.
//!
//! [`gradient`], [`gradient_into`], [`vjp`], [`jacobian`], [`hessian_vector_product`],
//! [`hessian_diagonal`] and [`hessian_chunked`] are generic over the primal float `F`, inferred
//! from the point: an `f32` point records on the `f32` tape (`Var<f32>`, `Var<Dual<f32>>`,
//! `Var<DualVec<f32, 8>>`). [`HessianVar`] records `f64` values, so [`hessian`] is `f64` only;
//! its `f32` twin [`hessian_f32`] takes the Hessian by forward over reverse on `DualVec<f32, 8>`
//! tapes, also exact. A point written only with literals (`&[1.0, 2.0]`) with a closure that
//! names no type gets Rust's default float, `f64`, at the end of type checking; call methods on
//! the results after naming the type (`&[1.0_f64, 2.0]`).
//!
//! # The tape's public API (for other crates)
//!
//! - [`Recording`]: start a recording, create variables, take any number of backward sweeps
//!   ([`Recording::backward`], [`Recording::backward_weighted`]) and read the adjoint of any
//!   input or retained `Var` ([`Adjoints::wrt`], [`Var::retain_adjoint`]).
//! - [`Var::custom`]: a value with arbitrary parents and partials (a user-defined primitive, or
//!   a block computed by other code, e.g. a tensor kernel). A primitive meant for every mode,
//!   not only this tape, is described once by its derivatives instead
//!   ([`diffprog_dual::custom`], `x.custom_unary(&primitive)`), which a `Var` records as one
//!   operation.
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

mod batch;
pub mod checkpoint;
mod drivers;
mod elements;
mod hessian;
mod mixed;
mod nalgebra_impls;
pub mod optim;
pub mod preaccumulate;
mod recording;
pub mod replay;
pub mod sparse;
#[doc(hidden)]
pub mod tape;
mod var;
mod wide;

pub use batch::{gradient_batch, hessian_batch, jacobian_batch};
pub use drivers::{gradient, gradient_at, gradient_into, jacobian, vjp};
pub use hessian::{hessian, hessian_f32, HessianVar, HESSIAN_COLUMNS_PER_SWEEP};
#[doc(hidden)]
pub use hessian::{second_order_tape, SecondOrderRecord};
pub use mixed::{hessian_chunked, hessian_diagonal, hessian_vector_product};
pub use recording::{Adjoints, Recording};
pub use tape::{TapeElement, TapeStore};
pub use var::Var;

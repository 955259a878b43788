//! Reverse-mode automatic differentiation for diffprog: a tape of [`Var`]s, the drivers
//! [`gradient`], [`vjp`], [`jacobian`], an explicit [`Recording`] API, user-defined primitives
//! ([`Var::custom`]) and the mixed (forward-over-reverse) drivers [`hessian_vector_product`] and
//! [`hessian`].
//!
//! # The model
//!
//! A function is written once, generic over [`Scalar`](diffprog_dual::Scalar). Run on [`Var`]s it
//! is *recorded*: every operation on a variable appends one record to a Wengert list (the tape) —
//! the indices of its (at most two) parents and its local partial derivatives, computed at record
//! time by the same rule table [`diffprog_dual::rules`] that forward mode uses. Constants record
//! nothing, `x ± c` shares `x`'s record, and loops and branches simply record the path taken
//! (comparisons look at values). The backward sweep is one loop from the last record to the first,
//! accumulating adjoints `adj[parent] += adj[i] · partial`; records whose adjoint is exactly zero
//! are skipped, so a record that does not reach the output cannot turn a finite adjoint into NaN
//! through a `0 · ∞` partial.
//!
//! # Where the tape lives
//!
//! `Var<T>` is `Copy + 'static` — its value, a `u32` record index and a `u32` recording id — so
//! nalgebra matrices, closures and argument-less constructors (`T::zero()`) accept it. The tape is
//! therefore not reachable from a `Var`: it is a thread-local, one per element type `T` (the
//! [`TapeElement`] trait, implemented by the [`tape_element!`] macro with its own `thread_local!`
//! per type, since Rust has no generic statics). A record is one array element holding both
//! parent indices and both partials (`Node { parents: [u32; 2], partials: [T; 2] }`, 24 bytes for
//! `f64`): measured against the structure-of-arrays layout (`Vec<[u32; 2]>` + `Vec<[T; 2]>`) it
//! needs one capacity check and one length update per record instead of two, and the backward
//! loop reads one stream (callgrind: ~4 % fewer instructions per Rosenbrock gradient). Unary
//! records point their second parent at a sink record with partial 0, so all records have one
//! shape and the backward loop has no per-record dispatch. Each recorded operation makes one
//! out-of-line call per element type (`TapeElement::record`): parent indices, recording ids and
//! partials travel in registers, and the thread-local access, the `RefCell` flag, the recording
//! check and the push are inlined into it. The tape's buffers are `ManuallyDrop`, so the
//! thread-local has no destructor and its accessor no registration branch (a second
//! thread-local frees the memory at thread exit, tested), and growing the buffer is an
//! out-of-line cold path that also does the push (the record call went from ≈ 45 to ≈ 30
//! instructions and from six saved registers to three; it still spills its two partials). The
//! memory (records, adjoints, the input buffer) is kept between recordings: after a
//! warm-up call, [`gradient_into`] allocates nothing (tested with a counting global allocator).
//!
//! Cost: a recorded operation is dominated by that call (`LocalKey::with`, the thread-local
//! accessor, is not inlined into user code by LLVM, so every record pays a call: ≈ 30
//! instructions), the backward loop by the adjoint updates through memory (≈ 20 instructions per
//! record). A Rosenbrock gradient costs ≈ 60–65 plain evaluations at n = 1000 and 10 000
//! (echidna's `grad`: ≈ 100–115; `benches/reverse.rs`). For scale,
//! `examples/tape_interpreter_bound.rs` replays a hand-built tape of the same function with no
//! recording at all and takes ≈ 40–50 plain evaluations on the same machine: the cost is the
//! tape's memory traffic, and the target of ≤ 10× is not reachable by a tape.
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
//! ([`hessian_chunked`]).
//!
//! [`hessian`] records once, on [`HessianVar`]s, whose records also hold each operation's second
//! partials (the same rules evaluated on dual numbers), and then runs forward-tangent and
//! second-order-adjoint sweeps over the stored tape, [`HESSIAN_CHUNK`] columns at a time, skipping
//! records that do not depend on the block's inputs. A block therefore costs what depends on its
//! inputs: Rosenbrock's tridiagonal Hessian at n = 100 costs ≈ 280 plain evaluations (≈ 25×
//! faster than echidna's bytecode `hessian`, ≈ 260× faster than num-dual's; `benches/reverse.rs`).
//!
//! # The tape's public API (for other crates)
//!
//! - [`Recording`]: start a recording, create variables, take any number of backward sweeps
//!   ([`Recording::backward`], [`Recording::backward_weighted`]) and read the adjoint of any
//!   recorded `Var` ([`Adjoints::wrt`]).
//! - [`Var::custom`]: a node with arbitrary parents and partials (a user-defined primitive, or a
//!   block computed by other code, e.g. a tensor kernel).
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

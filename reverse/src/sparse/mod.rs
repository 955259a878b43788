//! Sparse Jacobians and Hessians: sparsity detection on a recorded program, graph colouring,
//! and compressed evaluation into [`nalgebra_sparse`] CSR matrices, reusable across points.
//!
//! # The three steps
//!
//! 1. **Detection.** A function recorded as a replayable [`Program`](crate::replay::Program)
//!    is a list of instructions; index sets propagated through it give the Jacobian pattern
//!    ([`jacobian_pattern`]: which inputs each output depends on) and the Hessian pattern
//!    ([`hessian_pattern`]: which inputs meet in a nonlinear instruction). Both are structural
//!    supersets of the nonzeros on the recorded path.
//! 2. **Colouring.** Columns that share no row ([`column_coloring`]) or rows that share no
//!    column ([`row_coloring`]) are compressed into one; for Hessians a star colouring
//!    ([`star_coloring`]) lets every entry be read directly from one compressed column, with
//!    far fewer colours than a distance-2 colouring where one variable meets many (an
//!    arrowhead: 2 colours instead of n).
//! 3. **Compressed evaluation.** [`SparseJacobian`] runs forward passes with one `DualVec` lane
//!    per column colour (8 per pass), or adjoint sweeps per row colour; [`SparseHessian`] runs
//!    forward-over-reverse passes (Hessian–vector products along each colour's seed vector, 8
//!    per pass). The results are [`CsrMatrix`] values in the detected pattern.
//!
//! Steps 1 and 2 run once, when the `SparseJacobian` / `SparseHessian` is built; each
//! `evaluate(x)` replays the recorded program at the new point. A point where the function
//! takes another branch than at the recording is refused with a
//! [`GuardFailure`](crate::replay::GuardFailure) (see [`replay`](crate::replay)): build the
//! driver again there.
//!
//! ```
//! use diffprog_reverse::sparse::SparseHessian;
//! use diffprog_dual::Scalar;
//!
//! // An arrowhead Hessian: x₀ meets every variable, the others only themselves.
//! fn arrow<T: Scalar>(x: &[T]) -> T {
//!     let mut s = T::zero();
//!     for i in 1..x.len() {
//!         s += (x[0] * x[i]).sin() + x[i] * x[i];
//!     }
//!     s
//! }
//! let n = 1000;
//! let mut h = SparseHessian::new(arrow, vec![0.5; n]);
//! assert_eq!(h.coloring().count(), 2);
//! assert_eq!(h.sweeps(), 1);
//! let (_, _, hessian) = h.evaluate(vec![0.25; n]).unwrap();
//! assert_eq!(hessian.nnz(), 3 * n - 2);
//! let h0i = hessian.get_entry(0, 7).unwrap().into_value();
//! // ∂²/∂x₀∂xᵢ sin(x₀xᵢ) = cos(x₀xᵢ) − x₀xᵢ sin(x₀xᵢ)
//! let t: f64 = 0.25 * 0.25;
//! assert!((h0i - (t.cos() - t * t.sin())).abs() < 1e-15);
//! ```

mod coloring;
mod compressed;
mod hessian;
mod jacobian;
mod pattern;
mod tangents;

pub use coloring::{column_coloring, row_coloring, star_coloring, Coloring};
pub use hessian::SparseHessian;
pub use jacobian::{JacobianMode, SparseJacobian};
pub use nalgebra_sparse;
pub use nalgebra_sparse::pattern::SparsityPattern;
pub use nalgebra_sparse::{CscMatrix, CsrMatrix};
pub use pattern::{hessian_pattern, jacobian_pattern};

//! # diffprog
//!
//! Differentiable programming: write a numeric function once, generic over [`Scalar`], and get
//! its exact derivatives in every mode of automatic differentiation.
//!
//! ```
//! use diffprog::prelude::*;
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
//!
//! let x = [-1.2, 1.0, 0.5];
//! let (f_fwd, g_fwd) = diffprog::dual::gradient(rosenbrock, &x); // forward, DualVec chunks
//! let (f_rev, g_rev) = diffprog::reverse::gradient(rosenbrock, &x); // reverse, one tape sweep
//! let (_, _, h_fwd) = diffprog::hyperdual::hessian(rosenbrock, &x); // forward over forward
//! let (_, _, h_mix) = diffprog::reverse::hessian(rosenbrock, &x); // forward over reverse
//! assert_eq!(f_fwd, f_rev);
//! for i in 0..3 {
//!     assert!((g_fwd[i] - g_rev[i]).abs() <= 1e-12 * g_rev[i].abs().max(1.0));
//!     for j in 0..3 {
//!         assert!((h_fwd[(i, j)] - h_mix[(i, j)]).abs() <= 1e-12 * h_mix[(i, j)].abs().max(1.0));
//!     }
//! }
//! ```
//!
//! The family, one crate per mode, each re-exported here as a module:
//! - [`dual`] — forward mode: the [`Scalar`] trait, [`Dual`] and [`DualVec`] numbers, the
//!   derivative rules and their edge conventions, and the drivers `derivative`, `gradient`,
//!   `jacobian`, `jvp`.
//! - [`hyperdual`] — second and third order forward mode: [`HyperDual`], [`Taylor2`],
//!   [`Taylor3`], [`HyperDualVec`], [`ArenaHyperDual`] (the number `hyperdual::hessian` runs
//!   on); `second_derivative`, `third_derivative`, `hessian`, `partial_hessian`.
//! - [`reverse`] — reverse mode: the tape, [`Var`], [`Recording`]; `gradient`, `vjp`, `jacobian`,
//!   and the mixed mode (forward over reverse) `hessian_vector_product` and `hessian` (on
//!   [`HessianVar`]); record once and replay at new points with branch guards
//!   (`reverse::replay::record`, a `Program`); parallel batches over many points
//!   (`reverse::gradient_batch`, `Program::gradient_batch`, …).
//! - [`nn`] — tensors on a tape, layers, losses, optimisers, data, training.
//!
//! Which driver answers which question:
//!
//! | question | forward (`dual`) | second order (`hyperdual`) | reverse (`reverse`) | mixed (`reverse`) |
//! |---|---|---|---|---|
//! | f′(x) | `derivative` | | | |
//! | ∇f | `gradient` (⌈n/10⌉ passes) | | `gradient` (one sweep) | |
//! | J | `jacobian` | | `jacobian` (m sweeps) | |
//! | J·v / wᵀJ | `jvp` | | `vjp` | |
//! | f″, f‴ | | `second_derivative`, `third_derivative` | | |
//! | ∇²f | | `hessian` (`f32`: `hessian_f32`) | | `hessian` (`f32`: `hessian_f32`), `hessian_diagonal` |
//! | ∇²f·v | | | | `hessian_vector_product` |
//! | ∂²f/∂x∂y | | `partial_hessian` | | |
//!
//! Every driver takes its point (and direction or weights) as a slice, an array, a `Vec`, or
//! nalgebra's `DVector` or `SVector`, by value or by reference (`gradient(f, &x)`, `gradient(f, x)`);
//! `jacobian`, `jvp` and `vjp` accept functions returning a `Vec`, an array `[T; M]`, a `DVector`
//! or an `SVector`. The drivers are generic over the primal float, inferred from the point: an
//! `f32` point (`&[1.0_f32, 2.0]`) differentiates `f32` code, except the two `hessian`s, whose
//! `f32` forms are `hessian_f32`.
//!
//! Generic code that calls nalgebra's factorisations is written against [`RealScalar`] — every
//! number type is both a [`Scalar`] and an nalgebra `RealField` — with plain method calls:
//!
//! ```
//! use diffprog::prelude::*;
//! use nalgebra::DMatrix;
//!
//! /// log det A of a positive definite A, through its Cholesky factor.
//! fn log_det<T: RealScalar>(a: DMatrix<T>) -> T {
//!     let l = a.cholesky().expect("A is positive definite").l();
//!     l.diagonal().iter().map(|d| d.ln()).sum::<T>() * 2.0
//! }
//! fn f<T: RealScalar>(x: &[T]) -> T {
//!     log_det(DMatrix::from_row_slice(2, 2, &[x[0], T::one(), T::one(), x[1]]))
//! }
//!
//! // log det = ln(x₀x₁ − 1): gradient (x₁, x₀) / (x₀x₁ − 1), in forward and reverse mode
//! let (_, g_fwd) = diffprog::dual::gradient(f, &[2.0, 3.0]);
//! let (_, g_rev) = diffprog::reverse::gradient(f, &[2.0, 3.0]);
//! let (_, _, h) = diffprog::reverse::hessian(f, &[2.0, 3.0]);
//! for (g, expected) in [(g_fwd[0], 0.6), (g_fwd[1], 0.4), (g_rev[0], 0.6), (g_rev[1], 0.4)] {
//!     assert!((g - expected).abs() < 1e-15);
//! }
//! // ∂²/∂x₀² = −x₁² / (x₀x₁ − 1)²
//! assert!((h[(0, 0)] + 9.0 / 25.0).abs() < 1e-15);
//! ```
//!
//! Every mode stays callable by name, because comparing modes is part of the job: see the
//! numbered examples in `examples/` and the `compare-modes` program of the benches crate.
//!
//! # Features
//!
//! Forward mode (`dual`) is always there. The other modes are features, all on by default:
//!
//! | feature | module | brings in |
//! |---|---|---|
//! | `hyperdual` | [`hyperdual`] | nothing beyond `dual` |
//! | `reverse` | [`reverse`] | nothing beyond `dual` |
//! | `nn` (implies `reverse`) | [`nn`] | `matrixmultiply`, `rand`, `serde`/`serde_json`, `flate2`, `plotters`, `indicatif` |
//!
//! A forward-mode user who wants nothing else writes
//! `diffprog = { version = "0.1", default-features = false }`; add `features = ["reverse"]` for
//! the tape.
#![forbid(unsafe_code)]

pub use diffprog_dual as dual;
#[cfg(feature = "hyperdual")]
pub use diffprog_hyperdual as hyperdual;
#[cfg(feature = "nn")]
pub use diffprog_nn as nn;
#[cfg(feature = "reverse")]
pub use diffprog_reverse as reverse;

pub use diffprog_dual::{Dual, DualVec, Number, Real, RealScalar, Scalar};
#[cfg(feature = "hyperdual")]
pub use diffprog_hyperdual::{ArenaHyperDual, HyperDual, HyperDualVec, Taylor2, Taylor3};
#[cfg(feature = "reverse")]
pub use diffprog_reverse::{HessianVar, Recording, Var};

/// The traits and number types most programs need: `use diffprog::prelude::*;`.
///
/// Drivers are not in the prelude, because several modes answer the same question under the same
/// name (`dual::gradient`, `reverse::gradient`): call them through their mode's module.
pub mod prelude {
    pub use diffprog_dual::{Dual, DualVec, Number, Real, RealScalar, Scalar};
    #[cfg(feature = "hyperdual")]
    pub use diffprog_hyperdual::{ArenaHyperDual, HyperDual, HyperDualVec, Taylor2, Taylor3};
    #[cfg(feature = "reverse")]
    pub use diffprog_reverse::{HessianVar, Recording, Var};
}

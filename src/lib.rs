//! # diffprog
//!
//! Differentiable programming: write a numeric function once, generic over [`Scalar`], and
//! differentiate it in every mode of automatic differentiation.
//!
//! - [`dual`] — forward mode: the [`Scalar`] trait, [`Dual`] numbers and forward drivers.
//! - [`hyperdual`] — second (and third) order forward mode, Hessians.
//! - [`reverse`] — reverse mode (a tape) and forward-over-reverse Hessians.
//! - [`nn`] — tensors on the tape, layers, losses, optimisers, data and training.
#![forbid(unsafe_code)]

pub use diffprog_dual as dual;
pub use diffprog_hyperdual as hyperdual;
pub use diffprog_nn as nn;
pub use diffprog_reverse as reverse;

pub use diffprog_dual::{Dual, Number, Real, Scalar};

/// The traits and number types most programs need: `use diffprog::prelude::*;`.
pub mod prelude {
    pub use diffprog_dual::{Dual, Number, Real, Scalar};
}

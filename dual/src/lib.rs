//! Forward-mode automatic differentiation: the [`Scalar`] trait, [`Dual`] and [`DualVec`].
#![forbid(unsafe_code)]

mod dual;
mod forward_macros;
pub mod nesting;
mod real;
pub mod rules;
mod scalar;

pub use dual::Dual;
pub use real::Real;
pub use scalar::{Number, Scalar};

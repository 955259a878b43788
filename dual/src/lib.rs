//! Forward-mode automatic differentiation: the [`Scalar`] trait, [`Dual`] and [`DualVec`].
#![forbid(unsafe_code)]

mod drivers;
mod dual;
mod dual_vec;
mod forward_macros;
pub mod nesting;
mod real;
pub mod rules;
mod scalar;

pub use drivers::{
    derivative, derivative_at, gradient, gradient_at, gradient_with_chunk, jacobian,
    jacobian_with_chunk, jvp, DEFAULT_CHUNK,
};
pub use dual::{chain, Dual};
pub use dual_vec::DualVec;
pub use real::Real;
pub use scalar::{Number, Scalar};

//! Second- and third-order forward-mode automatic differentiation.
#![forbid(unsafe_code)]

mod drivers;
mod hyperdual;
mod hyperdual_vec;
mod macros;
mod nalgebra;
mod taylor2;
mod third;

pub use drivers::{
    hessian, hessian_at, hessian_with_chunk, partial_hessian, partial_hessian_at,
    partial_hessian_with_chunk, second_derivative, third_derivative, third_partial, HessianNumber,
    DEFAULT_CHUNK,
};
pub use hyperdual::HyperDual;
pub use hyperdual_vec::HyperDualVec;
pub use taylor2::Taylor2;
pub use third::Taylor3;

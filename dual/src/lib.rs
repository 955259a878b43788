//! Forward-mode automatic differentiation: the [`Scalar`] trait, [`Dual`] and [`DualVec`].
// `deny`, not `forbid`: simba's `SimdValue` trait has two `unsafe fn` methods, which the nalgebra
// impls (module `nalgebra_impls`, the only `allow`) implement with safe bodies.
#![deny(unsafe_code)]

mod drivers;
mod dual;
mod dual_vec;
mod forward_macros;
mod nalgebra_impls;
pub mod nesting;
mod real;
pub mod rules;
mod scalar;

pub use drivers::{
    derivative, derivative_at, gradient, gradient_at, gradient_with_chunk, jacobian,
    jacobian_with_chunk, jvp, DEFAULT_CHUNK,
};
pub use dual::{chain, is_finite_number, Dual};
pub use dual_vec::DualVec;
pub use real::Real;
pub use scalar::{Number, Scalar};

/// Re-exports used by [`impl_nalgebra_real_field!`], so invoking crates need no direct dependency
/// on simba, num-traits or approx.
#[doc(hidden)]
pub mod __nalgebra_deps {
    pub use approx;
    pub use num_traits;
    pub use simba;
}

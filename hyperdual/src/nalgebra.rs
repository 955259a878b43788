//! nalgebra support: every number type of this crate is a simba/nalgebra `RealField` and
//! `ComplexField` (`f32`-based numbers included, as in `diffprog_dual`), through `diffprog_dual`'s shared
//! [`impl_nalgebra_real_field!`](diffprog_dual::impl_nalgebra_real_field), so
//! `DMatrix<HyperDual<f64>>` solves, inverts and factorises with exact second derivatives.
//!
//! ```
//! use diffprog_hyperdual::HyperDual;
//! use nalgebra::{Matrix2, Vector2};
//!
//! // Solve A(t)·x = b with A = [[2 + t, 1], [1, 3]] and read d²x/dt² at t = 0.
//! let t = HyperDual::new(0.0_f64, 1.0, 1.0, 0.0);
//! let one = HyperDual::new(1.0, 0.0, 0.0, 0.0);
//! let a = Matrix2::new(one * 2.0 + t, one, one, one * 3.0);
//! let b = Vector2::new(one, one);
//! let x = a.lu().solve(&b).unwrap();
//! // x₀(t) = 2/(5 + 3t): x₀'' = 2·18/(5 + 3t)³
//! assert!((x[0].re - 0.4).abs() < 1e-15);
//! assert!((x[0].eps12 - 36.0 / 125.0).abs() < 1e-14);
//! ```

use crate::{ArenaHyperDual, HyperDual, HyperDualVec, Taylor2, Taylor3};
use diffprog_dual::{impl_nalgebra_real_field, Number, Scalar};

impl_nalgebra_real_field!([T: Scalar<<T as Number>::Primal>] HyperDual<T>, <T as Number>::Primal);
impl_nalgebra_real_field!([T: Scalar<<T as Number>::Primal>] Taylor2<T>, <T as Number>::Primal);
impl_nalgebra_real_field!([T: Scalar<<T as Number>::Primal>] Taylor3<T>, <T as Number>::Primal);
impl_nalgebra_real_field!(
    [T: Scalar<<T as Number>::Primal>, const N: usize, const M: usize] HyperDualVec<T, N, M>,
    <T as Number>::Primal
);
impl_nalgebra_real_field!([const N: usize] ArenaHyperDual<N>);

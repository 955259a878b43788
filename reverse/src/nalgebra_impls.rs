//! nalgebra support: `Var<T>` is a `RealField`/`ComplexField`, so `DMatrix<Var>` factorises,
//! solves, inverts and takes determinants, recording every scalar operation on the tape.
//!
//! ```
//! use diffprog_reverse::{gradient, Var};
//! use nalgebra::DMatrix;
//!
//! // d det(A) / dA = det(A) · A⁻ᵀ
//! let a = [2.0, 1.0, 0.5, 3.0];
//! let (det, g) = gradient(|x: &[Var]| DMatrix::from_row_slice(2, 2, x).determinant(), &a);
//! assert!((det - 5.5).abs() < 1e-14);
//! // cofactors of [[2, 1], [0.5, 3]]: [[3, -0.5], [-1, 2]]
//! for (gi, ci) in g.iter().zip([3.0, -0.5, -1.0, 2.0]) {
//!     assert!((gi - ci).abs() < 1e-14);
//! }
//! ```

use crate::tape::TapeElement;
use crate::Var;
use diffprog_dual::{Number, Scalar};

diffprog_dual::impl_nalgebra_real_field!(
    [T: TapeElement + Scalar<<T as Number>::Primal>] Var<T>,
    <T as Number>::Primal
);

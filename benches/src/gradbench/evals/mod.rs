//! One module per GradBench eval; [`ALL`] lists the evals this tool implements.
//!
//! Each module has a `pub const EVAL: Eval`, the objective written once generic over
//! [`Scalar`](diffprog_dual::Scalar), and the derivatives by the library's drivers.

pub mod hello;
pub mod kmeans;
pub mod nested;
pub mod particle;
pub mod saddle;

use super::Eval;

/// Every eval this tool implements.
pub const ALL: &[Eval] = &[hello::EVAL, kmeans::EVAL, particle::EVAL, saddle::EVAL];

//! One module per GradBench eval; [`ALL`] lists the evals this tool implements.
//!
//! Each module has a `pub const EVAL: Eval`, the objective written once generic over
//! [`Scalar`](diffprog_dual::Scalar), and the derivatives by the library's drivers.

pub mod ba;
pub mod hello;
pub mod ht;

use super::Eval;

/// Every eval this tool implements.
pub const ALL: &[Eval] = &[hello::EVAL, ba::EVAL, ht::EVAL];

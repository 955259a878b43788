//! One module per GradBench eval; [`ALL`] lists the evals this tool implements.
//!
//! Each module has a `pub const EVAL: Eval`, the objective written once generic over
//! [`Scalar`](diffprog_dual::Scalar), and the derivatives by the library's drivers.

pub mod ba;
pub mod det;
pub mod gmm;
pub mod hello;
pub mod ht;
pub mod kmeans;
pub mod llsq;
pub mod lse;
pub mod lstm;
pub mod nested;
pub mod ode;
pub mod particle;
pub mod saddle;

use super::Eval;

/// Every eval this tool implements.
pub const ALL: &[Eval] = &[
    hello::EVAL,
    gmm::EVAL,
    ba::EVAL,
    lstm::EVAL,
    ht::EVAL,
    kmeans::EVAL,
    det::EVAL,
    llsq::EVAL,
    lse::EVAL,
    ode::EVAL,
    particle::EVAL,
    saddle::EVAL,
];

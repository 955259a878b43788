//! Benchmarks of diffprog's modes of automatic differentiation against each other and against
//! the peers num-dual, echidna and ad_trait.
//!
//! The question "which mode should I use?" depends on the shape of the problem: a gradient of
//! f: Rⁿ → R costs forward mode ⌈n/10⌉ evaluations (on 11-component numbers) and reverse mode one
//! recording and one backward sweep; a Jacobian of f: Rⁿ → Rᵐ costs forward ⌈n/10⌉ passes and
//! reverse m sweeps; a Hessian costs the hyperdual numbers at most ⌈n/8⌉(⌈n/8⌉+1)/2 passes (only
//! the block pairs that interact) and
//! forward-over-reverse ⌈n/8⌉ sweeps. This crate measures where the crossovers lie.
//!
//! - [`problems`]: the reference problems (Rosenbrock, a dense quadratic form, a vector function
//!   with m outputs, a small MLP loss), each written once for every number type;
//! - [`modes`]: every mode that answers a question, as a uniform list (also the peers);
//! - `peers` (feature `peers`): the peers' modes, and ad_trait behind its `FunctionEngine`;
//! - [`timing`]: the adaptive timing loop of `compare-modes`;
//! - [`report`]: the tables, recommendations and plots of `compare-modes`;
//! - [`training`]: the neural-network training workloads (criterion group `training` and the
//!   `train-cpu-time` program);
//! - [`profiling`]: shared by the profiling programs;
//! - [`gradbench`]: diffprog as a GradBench tool (the binary `gradbench`).
//!
//! Run `cargo run --release -p diffprog-benches --bin compare-modes` for the table and plots,
//! `cargo bench -p diffprog-benches` for the criterion groups (one per question, and training).
//! The profiling programs `prof-gradient`, `prof-shapes`, `prof-hessian`,
//! `tape-interpreter-bound`, `chunk-sizes` and `train-cpu-time` (`cargo run --release -p
//! diffprog-benches --bin NAME`) measure what `PERFORMANCE.md` reports: what was tried, measured,
//! adopted or not.
#![forbid(unsafe_code)]

pub mod gradbench;
pub mod modes;
#[cfg(feature = "peers")]
pub mod peers;
pub mod problems;
pub mod profiling;
pub mod report;
pub mod timing;
pub mod training;

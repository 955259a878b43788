//! The random programs of the cross-mode suite, and the comparisons that run them in every mode
//! (the feature `programs`).
//!
//! - [`program`]: the [`Program`](program::Program) type, its readable `Display`, the proptest
//!   strategies [`case`](program::case) and [`nonfinite_case`](program::nonfinite_case);
//! - [`bytes`]: a total decoder from bytes to a case ([`Case::from_bytes`](program::Case::from_bytes))
//!   and its inverse, for the fuzz target and its seed corpus;
//! - [`eval`]: the one generic evaluator;
//! - [`tolerance`]: every tolerance, stated once, with its derivation;
//! - [`checks`]: the comparisons, one function per question (gradient, Jacobian, Hessian, and the
//!   NaN/∞ patterns at non-finite inputs and singular points);
//! - [`flow`]: the chain rule's sums of a program, term by term, to find the ones whose order of
//!   summation decides a NaN/∞ pattern (which the pattern comparisons then leave out);
//! - [`primitives`]: the custom primitives the programs apply (implicit functions by Newton's
//!   method), also used by the root crate's `tests/custom_primitive.rs`.
//!
//! The proptest driver is the root crate's `tests/cross_mode/main.rs`; the fuzz target
//! `fuzz/fuzz_targets/programs.rs` runs the same checks on decoded bytes.

pub mod bytes;
pub mod checks;
pub mod eval;
pub mod flow;
pub mod primitives;
pub mod program;
pub mod tolerance;

//! Neural networks on the diffprog tape.
#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod data;
pub mod metrics;
pub mod plot;
pub mod progress;

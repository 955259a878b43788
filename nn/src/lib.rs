//! Neural networks on the diffprog tape.
#![forbid(unsafe_code)]

mod bridge;
pub mod checkpoint;
pub mod data;
mod element;
mod graph;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod ops;
pub mod optim;
mod params;
mod persist;
pub mod plot;
pub mod progress;
mod shape;
mod tensor;
pub mod train;

pub use element::Element;
pub use graph::{Graph, NodeId};
pub use ops::{BinaryOp, Unary};
pub use params::{ParamId, Params, ParamsMismatch};
pub use rand;
pub use rand_chacha;
pub use shape::{Shape, MAX_DIMS};
pub use tensor::Tensor;

//! Neural networks on the diffprog tape: tensors whose operations are recorded as whole-array
//! kernels, dense layers, losses, optimisers, data and a training loop.
//!
//! # The model
//!
//! A [`Graph<F>`](Graph) (`F` = `f32` or `f64`) is the tensor tape: an arena of records, one per
//! *whole-array* operation ([`matmul`](Graph::matmul), broadcasting [`add`](Graph::add)/
//! [`mul`](Graph::mul), activations, [`sum_axis`](Graph::sum_axis), [`reshape`](Graph::reshape)/
//! [`permute`](Graph::permute), [`slice`](Graph::slice)/[`concat`](Graph::concat)/
//! [`index_select`](Graph::index_select), [`log_softmax`](Graph::log_softmax),
//! [`gather`](Graph::gather), the fused [`linear`](Graph::linear) and
//! [`cross_entropy`](Graph::cross_entropy), ...). Each op has a forward kernel and a hand-written
//! backward kernel; the table sending each record to its backward rule is in `graph.rs`
//! (`backward_node`), the rules themselves in [`ops`]. Tensors are N-d (up to [`MAX_DIMS`] axes),
//! row-major and contiguous; matrix products are GEMMs (`matrixmultiply`'s `sgemm`/`dgemm` via
//! nalgebra strided views, so the transposes of the backward pass are strides, not copies).
//! A [`NodeId`] names a recorded tensor; [`Tensor`] is an owned array for data.
//!
//! The graph owns the model's [`Params`]: named arrays that request gradients. A step is
//! [`reset`](Graph::reset) → record the forward pass → [`backward`](Graph::backward) (which
//! *adds* ∂loss/∂θ into each parameter's gradient, as PyTorch does) → an optimiser step. `reset`
//! keeps every value, gradient and side buffer, so a training loop that records the same ops each
//! step allocates nothing after the first step and its memory stays flat (tested over 10 000
//! steps). [`Graph::no_grad`] and [`Graph::detach`] stop gradients; [`Graph::grad`] reads any
//! node's gradient, [`Params::grad`] a parameter's.
//!
//! ```
//! use diffprog_nn::{Graph, Tensor, optim::{Adam, Optimizer}};
//! let mut g = Graph::<f64>::new();
//! let w = g.params_mut().add("w", Tensor::from_vec(vec![0.0, 0.0], &[2, 1]));
//! let mut opt = Adam::new(0.1);
//! for _ in 0..200 {
//!     g.reset();
//!     let x = g.input(&[1.0, 2.0, 3.0, 1.0], &[2, 2]);
//!     let t = g.input(&[5.0, 5.0], &[2, 1]);
//!     let p = g.param(w);
//!     let y = g.matmul(x, p);
//!     let l = diffprog_nn::loss::mse(&mut g, y, t, diffprog_nn::loss::Reduction::Mean);
//!     g.params_mut().zero_grad();
//!     g.backward(l);
//!     opt.step(g.params_mut());
//! }
//! // solves x·w = t: w = (1, 2)
//! assert!((g.params().value(w)[0] - 1.0).abs() < 1e-2);
//! ```
//!
//! # Tensor code and scalar code
//!
//! The tensor tape and the scalar tape of `diffprog_reverse` are separate arenas (the scalar
//! `Var` tape records one node per scalar operation, far too fine for a GEMM). They meet through a
//! vector–Jacobian product: [`Graph::to_vars`] puts a node's elements on an active
//! `diffprog_reverse::Recording` as variables; any scalar code (a custom loss) runs on them; the
//! scalar backward sweep gives their adjoints; [`Graph::backward_from_vars`] (or
//! [`Graph::backward_with_grad`]) seeds the tensor backward with them and carries the gradient into
//! the parameters. This is tested against the same loss written with tensor ops. What this does
//! not do: interleave — a tensor op cannot consume a `Var`, so scalar code sits at the end (or
//! start) of the tensor computation, not in the middle.
//!
//! # Every mode through a network
//!
//! Layers also have a generic forward for one sample in any number type `T: Scalar<F>`:
//! [`Sequential::forward_generic`](layers::Sequential::forward_generic) (parameters as constants)
//! and [`Sequential::forward_with_theta`](layers::Sequential::forward_with_theta) (parameters from a
//! flat vector θ of `T`s). So the network that trains on the tape is also evaluated with `f64`,
//! with `Dual`/`DualVec` (input Jacobians), with hyperdual numbers (input Hessians, the Laplacian
//! of a physics-informed loss) and with `Var<Dual<f64>>` (Hessian-vector products of a loss in the
//! parameters); tests check each against the others, the tensor tape and finite differences
//! (`examples/04_network_derivatives.rs` shows all four). The generic forward is a plain loop, meant
//! for small networks and derivative questions, not for training throughput.
//!
//! # The rest
//!
//! [`layers`] (`Linear`, activations, dropout, `Sequential`, Kaiming/Xavier init),
//! [`loss`], [`optim`] (SGD with PyTorch and lecture momentum, Nesterov, RMSprop, Adagrad, Adam,
//! AdamW, schedules), [`train`] (train step, evaluation, `fit` with callback and progress bar),
//! [`data`], [`metrics`], [`checkpoint`] (with [`Params::save`]/[`Params::load`]) and [`plot`].
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

//! Neural networks on the diffprog tape: tensors whose operations are recorded as whole-array
//! kernels, dense layers, losses, optimisers, data and a training loop.
//!
//! # The model
//!
//! A [`Graph<F>`](Graph) (`F` = `f32` or `f64`) is the tensor tape: an arena of records, one per
//! *whole-array* operation ([`matmul`](Graph::matmul), also with a batched right-hand side,
//! broadcasting [`add`](Graph::add)/[`mul`](Graph::mul), activations,
//! [`sum_axis`](Graph::sum_axis), [`reshape`](Graph::reshape)/[`permute`](Graph::permute),
//! [`slice`](Graph::slice)/[`concat`](Graph::concat)/
//! [`index_select`](Graph::index_select), [`log_softmax`](Graph::log_softmax),
//! [`gather`](Graph::gather), the fused [`linear`](Graph::linear) and
//! [`cross_entropy`](Graph::cross_entropy), convolutions ([`conv2d`](Graph::conv2d),
//! [`conv1d`](Graph::conv1d), [`conv_transpose2d`](Graph::conv_transpose2d) with
//! [`ConvOptions`]), pooling ([`max_pool2d`](Graph::max_pool2d), [`avg_pool2d`](Graph::avg_pool2d),
//! [`adaptive_avg_pool2d`](Graph::adaptive_avg_pool2d), [`max_axis`](Graph::max_axis)),
//! normalisation ([`batch_norm`](Graph::batch_norm), [`layer_norm`](Graph::layer_norm)), ...),
//! with PyTorch's semantics. Each op has a forward kernel and a hand-written
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
//! # Derivatives: one rule table, one rule for non-finite values
//!
//! The elementwise functions ([`Unary`]) take their values and derivatives from
//! [`diffprog_dual::rules`], the table every mode of diffprog uses, evaluated on the element type:
//! σ′, tanh′, √′ at ±0, ReLU′ at 0, ... are the same numbers as for a `Dual` or a `Var` (tested
//! bit for bit, edges included, and σ′(30), tanh′(20) to full accuracy). The fused
//! [`linear`](Graph::linear) reads an activation's derivative from its output only where that is
//! exact (ReLU's mask, exp′ = exp) and otherwise keeps the pre-activation.
//!
//! Every backward kernel multiplies by the chain rule's product of `diffprog_dual`
//! ([`diffprog_dual::chain`]; crate docs there, "Non-finite values"): an exact zero factor is a
//! strong zero, `0 · ∞ = 0 · NaN = 0`, every other product IEEE; values stay IEEE. A zero
//! upstream gradient, a dropped element, ReLU′ = 0 or a zero weight contributes exactly 0 to a
//! gradient even where the other factor is ±∞ or NaN. Fast paths keep plain arithmetic where it
//! provably equals the rule: matrix products are GEMMs when both operands are finite (an element
//! loop with strong zeros otherwise), softmax rows use their closed forms when every factor is
//! finite, and a plain sum that is not NaN contains no `0 · ∞`. So the tensor tape gives the
//! NaN/∞ pattern of the same computation written with scalar `Var`s or differentiated in forward
//! mode (tested at inputs, parameters and upstream gradients from 0, −0, 1, −2.5, ±∞, NaN).
//! Convolutions follow the rule too (their GEMMs fall back to the element loop when an operand
//! is not finite; a padding tap contributes exactly 0 to a gradient), and so do the fused
//! normalisations ([`batch_norm`](Graph::batch_norm), [`layer_norm`](Graph::layer_norm)), whose
//! closed-form backward gives way to the scalar computation term by term when a factor is ±∞
//! or NaN.
//! Where an infinite factor meets a sum of finite terms of both signs, the order decides
//! (`−∞ · (−2.5 + 1) = +∞`, `−∞ · (−2.5) + (−∞) · 1 = NaN`): the tensor tape sums a node's
//! adjoint before multiplying it by a partial, as the scalar reverse tape does, where forward
//! mode carries an infinite tangent into each term. Conversely, with an infinite adjoint, an input
//! that reaches the output along two paths within one scalar expression (`softplus(x) − t·x`)
//! meets the sum of the paths' partials on the scalar tape (which merges them into one record)
//! but each path's partial on the tensor tape (one kernel per op).
//!
//! # Tensor code and scalar code
//!
//! The tensor tape and the scalar tape of `diffprog_reverse` are separate arenas (the scalar
//! `Var` tape records one node per scalar operation, far too fine for a GEMM); values cross
//! between them in both directions, any number of times, and one call differentiates the whole
//! program:
//!
//! - tensor → scalar: [`Graph::to_vars`] puts a node's elements on the active
//!   `diffprog_reverse::Recording` as new variables (a loss written with scalar ops);
//! - scalar → tensor: [`Graph::from_vars`] makes a tensor leaf of `Var`s, and
//!   [`Graph::mul_var`]/[`div_var`](Graph::div_var)/[`add_var`](Graph::add_var)/
//!   [`sub_var`](Graph::sub_var) broadcast one `Var` over a tensor (a learned temperature
//!   `logits / t`, a scalar gain computed by scalar code);
//! - [`Graph::backward_mixed`] (loss a `Var`) or [`Graph::backward_mixed_node`] (loss a node)
//!   adds ∂loss/∂θ into the parameters and returns the scalar adjoints (∂loss/∂v for every `Var`).
//!
//! The graph logs each crossing. The combined pass walks the log backwards: the tensor sweep is
//! cut at the leaves made from `Var`s (every node's backward rule still runs once), and the
//! scalar tape is swept again, with all seeds so far (by linearity of the adjoint), only when
//! new seeds from the tensor side are needed to read the adjoints of a tensor → scalar crossing.
//! Cost: one tensor backward pass plus one whole-recording scalar sweep per alternation met on the
//! way back, plus one (a learned temperature: two scalar sweeps). The module `bridge.rs` explains
//! why each quantity is final when read. A graph that consumed `Var`s refuses the tensor-only
//! [`backward`](Graph::backward), which would drop their gradients; `Var`s of an ended or another
//! recording panic. Tested against the same programs written entirely with scalar `Var`s and
//! against central differences (random interleavings), and on a learned softmax temperature
//! (`examples/06_mixing_tensors_and_scalars.rs`).
//!
//! ```
//! use diffprog_nn::Graph;
//! use diffprog_reverse::Recording;
//! use diffprog_dual::Scalar;
//!
//! let mut g = Graph::<f64>::new();
//! let rec = Recording::<f64>::new();
//! let tau = rec.variable(0.0); // scalar code: temperature t = exp(τ)
//! let logits = g.leaf(&[2.0, 0.5, -1.0], &[1, 3]); // tensor code
//! let z = g.div_var(logits, tau.exp()); // the Var enters a tensor op
//! let ce = g.cross_entropy(z, &[0]);
//! let loss = g.to_vars(&rec, ce)[0] + tau * tau; // back to scalar code
//! let adj = g.backward_mixed(&rec, loss); // one call for both sides
//! // at t = 1: ∂loss/∂τ = −Σ ∂loss/∂zᵢ · zᵢ, and ∂loss/∂z = ∂loss/∂logits
//! let dz = g.grad(logits).unwrap();
//! let expected: f64 = -dz.iter().zip([2.0, 0.5, -1.0]).map(|(g, z)| g * z).sum::<f64>();
//! assert!((adj.wrt(tau) - expected).abs() < 1e-12);
//! ```
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
//! # Sequences
//!
//! [`embedding`](Graph::embedding) looks up rows of a weight matrix (scatter-add backward, an
//! optional padding row without gradient). The recurrent cells of PyTorch —
//! [`rnn_cell`](Graph::rnn_cell) (tanh or ReLU), [`lstm_cell`](Graph::lstm_cell),
//! [`gru_cell`](Graph::gru_cell), with PyTorch's weight shapes and gate order — are one fused
//! record per step with a hand-written backward; [`recurrent`](Graph::recurrent) (and
//! [`lstm`](Graph::lstm), [`gru`](Graph::gru), [`rnn`](Graph::rnn)) runs them over a sequence:
//! several layers, bidirectional, time-major or batch-first, optional initial states, dropout
//! between layers, and padded batches with lengths (`pack_padded_sequence` semantics).
//! [`layers::Embedding`] and [`layers::Recurrent`] hold the parameters with PyTorch's names,
//! shapes and initialisation (`lstm.weight_ih_l0`, ... under a hierarchical prefix of the
//! user's choice); they are [`Module`](train::Module)s and [`Layer`](layers::Layer)s of a
//! [`Sequential`](layers::Sequential) — the embedding reads token ids from its input node, the
//! recurrent network returns every step's output or its final state
//! ([`layers::RecurrentOutput`]), so Embedding → LSTM → Linear on the last step is one
//! `Sequential` — with train/eval mode, freezing and checkpoints like every other layer.
//! The cells evaluate σ, tanh and their derivatives once per step, with the rule table's
//! vectorised slice forms ([`diffprog_dual::rules::sigmoid_slice`],
//! [`diffprog_dual::rules::tanh_slice`]), and keep them for the backward pass.
//! [`optim::clip_grad_norm`] clips gradients by their global norm; [`text`] has character and
//! word vocabularies, next-token windows, padded batches with lengths and sampling with a
//! temperature.
//!
//! # The rest
//!
//! [`layers`] (`Linear`, `Conv1d`/`Conv2d`/`ConvTranspose2d`, max/average/adaptive pooling,
//! `BatchNorm` with running statistics as [`Params`] buffers, `LayerNorm`, `Flatten`, activations,
//! dropout, `Sequential`, Kaiming/Xavier and PyTorch's default init; user-defined modules through
//! [`train::Module`], with frozen parameters), [`grad_check`] (the course's gradient checker),
//! [`loss`], [`optim`] (SGD with PyTorch and lecture momentum, Nesterov, RMSprop, Adagrad, Adam,
//! AdamW, schedules), [`train`] (the builder-style [`Trainer`](train::Trainer) for any
//! [`Loss`](loss::Loss), classification or regression, with validation, schedule, callback and
//! progress bar; evaluation), prediction ([`Sequential::predict`](layers::Sequential::predict),
//! `predict_proba`, `predict_classes`), [`data`], [`metrics`], [`checkpoint`] (a network with its
//! preprocessing saved by [`Sequential::save`](layers::Sequential::save) and rebuilt without a
//! random generator by [`Sequential::load`](layers::Sequential::load) as a [`TrainedModel`]; a bare
//! parameter store by [`Params::save`]/[`Params::load`]) and [`plot`].
#![forbid(unsafe_code)]

mod bridge;
pub mod checkpoint;
mod crossings;
pub mod data;
mod element;
mod grad_check;
mod graph;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod ops;
pub mod optim;
mod params;
mod persist;
mod persist_recurrent;
pub mod plot;
mod predict;
pub mod progress;
mod shape;
mod tensor;
pub mod text;
pub mod train;

pub use element::Element;
pub use grad_check::{
    check_gradient, grad_check, grad_check_in, grad_check_with, ComponentCheck, GradCheckOptions,
    GradCheckReport,
};
pub use graph::{Graph, NodeId};
pub use ops::{BinaryOp, ConvOptions, Unary};
pub use params::{ParamId, Params, ParamsMismatch};
pub use persist::TrainedModel;
pub use rand;
pub use rand_chacha;
pub use shape::{Shape, MAX_DIMS};
pub use tensor::Tensor;

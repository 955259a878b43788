//! The tensor operations: one file per family, each with its forward kernel (a method on
//! [`Graph`](crate::Graph)) and its backward rule (a function `backward_*`). The table that sends
//! every recorded op to its backward rule is `Op` plus `Graph::backward_node` in `graph.rs`:
//! read those two to see every rule in one place.
//!
//! The families: elementwise functions (`unary.rs`; `select.rs`: where, masked fill, clamp),
//! broadcasting binary operations (`broadcast.rs`), matrix products (`matmul.rs`, `linear.rs`),
//! reductions (`reduce.rs`; `pick.rs`: maximum and argmax; `softmax.rs`: softmax, log-softmax,
//! log-sum-exp, cross-entropy), data movement (`shape_ops.rs`, `gather.rs`, `pad.rs`),
//! convolutions (`conv.rs`, `conv_transpose.rs`, over `im2col.rs`; `conv_options.rs`), pooling
//! (`pool.rs`; `pool_tiles.rs`: max pooling by non-overlapping windows), normalisation
//! (`norm.rs`), sequences (`embedding.rs`; `recurrent.rs`: the fused RNN/LSTM/GRU cells;
//! `sequence.rs`, `collect.rs`: cells over time) and user-defined primitives (`custom.rs`).

pub(crate) mod broadcast;
pub(crate) mod conv;
mod conv_options;
mod conv_transpose;
pub(crate) mod custom;
pub(crate) mod gather;
mod im2col;
pub(crate) mod linear;
pub(crate) mod matmul;
pub(crate) mod norm;
pub(crate) mod pad;
pub(crate) mod pick;
pub(crate) mod pool;
pub(crate) mod pool_tiles;
pub(crate) mod reduce;
pub(crate) mod select;
pub(crate) mod shape_ops;
pub(crate) mod softmax;
pub(crate) mod unary;

// sequences: embeddings and recurrent cells
mod cell_kernels;
pub(crate) mod collect;
pub(crate) mod embedding;
pub(crate) mod recurrent;
mod sequence;

pub use broadcast::BinaryOp;
pub use conv_options::ConvOptions;
pub use unary::Unary;

pub use recurrent::{CellKind, CellWeights, Nonlinearity};
pub use sequence::{SequenceOptions, SequenceOutput};

/// A recorded operation: which kernel made the node and from which parents (node indices).
/// Variable-length data (labels, index lists, concatenated parents, masks) lives in the node's
/// reusable side buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op<F> {
    /// Data with no gradient.
    Input,
    /// Data whose gradient is wanted (read with `Graph::grad`).
    Leaf,
    /// A parameter array (value read from the store, gradient added into it).
    Param(u32),
    /// A copy of a value through which no gradient flows.
    Detach,
    /// `a · b`, `a` viewed as `m × k`, `b` as `k × n`; with `batch` > 1, `batch` such
    /// products of consecutive blocks (`a`: `[batch, .., k]`, `b`: `[batch, k, n]`).
    MatMul {
        a: u32,
        b: u32,
        batch: u32,
        m: u32,
        k: u32,
        n: u32,
    },
    /// `act(x · w + bias)` in one record.
    Linear {
        x: u32,
        w: u32,
        bias: u32,
        act: Unary<F>,
        m: u32,
        k: u32,
        n: u32,
    },
    /// Broadcasting `a ∘ b`.
    Binary { a: u32, b: u32, op: BinaryOp },
    /// `a + c` for a constant c.
    AddScalar { a: u32 },
    /// `a · c` for a constant c.
    MulScalar { a: u32, c: F },
    /// An elementwise function.
    Unary { a: u32, f: Unary<F> },
    /// Sum along an axis (or of everything when `axis` is `None`), scaled by `scale`
    /// (1 for a sum, 1/len for a mean).
    Reduce { a: u32, axis: Option<u8>, scale: F },
    /// The same data with another shape.
    Reshape { a: u32 },
    /// Axes permuted: output axis i is input axis `perm[i]`.
    Permute {
        a: u32,
        perm: [u8; crate::shape::MAX_DIMS],
    },
    /// `a[.., start..start + len, ..]` along `axis`.
    Slice { a: u32, axis: u8, start: u32 },
    /// The parents (in the node's index buffer) joined along `axis`.
    Concat { axis: u8 },
    /// Rows of `a` (first axis) picked by the node's index buffer.
    IndexSelect { a: u32 },
    /// log-softmax along the last axis.
    LogSoftmax { a: u32 },
    /// softmax along the last axis.
    Softmax { a: u32 },
    /// `out[i] = a[i, labels[i]]` for `a` of shape `[b, c]`.
    Gather { a: u32 },
    /// Rows of `weight` picked by the indices in the index buffer; the row `padding` (or `NONE`)
    /// gets no gradient.
    Embedding { weight: u32, padding: u32 },
    /// One step of a recurrent cell; parents, offsets, sizes and row mask in the index buffer,
    /// the gate pre-activations in the float side buffer.
    RecurrentCell { kind: recurrent::CellKind },
    /// `parts` blocks of `len` values of other nodes, stacked (parents and offsets in the index
    /// buffer); with `width` > 0, rows of `width` whose flag (after them) is 0 are zero.
    Collect { parts: u32, len: u32, width: u32 },
    /// Mean cross-entropy of logits `a` (`[b, c]`) against integer labels (side buffer), with the
    /// softmax kept in the float side buffer for the backward pass.
    CrossEntropy { a: u32 },
    /// `a · mask` with the (already scaled) mask in the float side buffer.
    Dropout { a: u32 },
    /// A custom primitive elementwise, with f′ in the float side buffer.
    CustomUnary { a: u32 },
    /// A custom primitive of two variables elementwise, with ∂f/∂a and ∂f/∂b (one after the
    /// other) in the float side buffer.
    CustomBinary { a: u32, b: u32 },
    /// A convolution of `x` with `w` (plus `bias`), or with `transposed` its adjoint in the
    /// input; the geometry in the index buffer, one sample's columns in the float side buffer.
    Conv {
        x: u32,
        w: u32,
        bias: u32,
        transposed: bool,
    },
    /// `out[o] = a[picks[o]]` with the picked offsets in the index buffer (max pooling, the
    /// maximum along an axis).
    Pick { a: u32 },
    /// Max pooling of `a` (images of `h × w`) by non-overlapping `kh × kw` tiles; the picked
    /// offsets in the index buffer (`pool_tiles.rs`).
    MaxPoolTiles {
        a: u32,
        h: u32,
        w: u32,
        kh: u32,
        kw: u32,
    },
    /// Average pooling of `a`'s trailing two axes; the windows in the index buffer.
    AvgPool { a: u32 },
    /// Batch norm (`per_channel`, statistics over axis 1's groups) or layer norm (statistics per
    /// row of the trailing axes), with the affine `w`, `b` (or `NONE`); `batch_stats` is false
    /// for batch norm in eval mode (fixed running statistics). The statistics in the float side
    /// buffer.
    Norm {
        x: u32,
        w: u32,
        b: u32,
        batch_stats: bool,
        per_channel: bool,
    },
    /// `flag ? a : b` per element with the flags (0/1) in the index buffer; `b = NONE`: a
    /// constant instead.
    Where { a: u32, b: u32 },
    /// `min(max(a, lo), hi)` elementwise.
    Clamp { a: u32, lo: F, hi: F },
    /// `a` padded with a constant; the leading offsets per axis in the index buffer.
    Pad { a: u32 },
    /// log Σ exp along `axis`; a slice's scratch in the float side buffer.
    LogSumExp { a: u32, axis: u8 },
}

/// Marks "no parent" (e.g. a `Linear` without bias).
pub(crate) const NONE: u32 = u32::MAX;

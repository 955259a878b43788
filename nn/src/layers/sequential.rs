//! [`Sequential`]: layers applied in order, on the tape or generically on one sample.

use super::{
    apply_generic, flatten, log_softmax_generic, softmax_generic, unflatten, BatchNorm, Conv1d,
    Conv2d, ConvTranspose2d, Embedding, Init, LayerNorm, Linear, Pool2d, Recurrent,
};
use crate::{Element, Graph, NodeId, ParamId, Params, Unary};
use diffprog_dual::Scalar;
use rand::Rng;

/// One stage of a [`Sequential`] network.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer<F> {
    /// A dense layer.
    Linear(Linear),
    /// An elementwise activation (ReLU, leaky ReLU, sigmoid, tanh, softplus, ...).
    Activation(Unary<F>),
    /// softmax along the last axis.
    Softmax,
    /// log-softmax along the last axis.
    LogSoftmax,
    /// Inverted dropout with this drop probability: active in train mode only
    /// (see [`Graph::set_training`]); the generic forward is the eval-mode network.
    Dropout(f64),
    /// A 1-d convolution, `[n, c_in, l]` → `[n, c_out, lo]`.
    Conv1d(Conv1d),
    /// A 2-d convolution, `[n, c_in, h, w]` → `[n, c_out, ho, wo]`.
    Conv2d(Conv2d),
    /// A transposed 2-d convolution, `[n, c_in, h, w]` → `[n, c_out, ho, wo]`.
    ConvTranspose2d(ConvTranspose2d),
    /// 2-d max pooling of `[n, c, h, w]`.
    MaxPool2d(Pool2d),
    /// 2-d average pooling of `[n, c, h, w]` (the padding counted).
    AvgPool2d(Pool2d),
    /// Adaptive 2-d average pooling of `[n, c, h, w]` to `[n, c, out[0], out[1]]`.
    AdaptiveAvgPool2d([usize; 2]),
    /// Batch normalisation of `[n, c]` or `[n, c, l]`.
    BatchNorm1d(BatchNorm),
    /// Batch normalisation of `[n, c, h, w]`.
    BatchNorm2d(BatchNorm),
    /// Layer normalisation over the trailing axes.
    LayerNorm(LayerNorm),
    /// `[n, d1, d2, ..]` → `[n, d1·d2·..]` (PyTorch's `nn.Flatten()`).
    Flatten,
    /// `[n, d]` → `[n] ++ shape` (PyTorch's `nn.Unflatten(1, shape)`): put first, it lets a
    /// convolutional network take flat rows (a dataset's features, [`Sequential::predict`]).
    Unflatten(Vec<usize>),
    /// An embedding table: the input holds token ids (whole numbers, any shape `dims`), the
    /// output is `dims ++ [dim]` ([`Embedding::forward_ids`]).
    Embedding(Embedding),
    /// A recurrent network (RNN, LSTM, GRU; layers, directions, dropout between layers):
    /// `[T, B, I]` (or `[B, T, I]` batch-first) to every step's output or the final state, as
    /// its [`output`](Recurrent::output) says ([`Recurrent::forward_output`]).
    Recurrent(Recurrent),
}

impl<F> Layer<F> {
    /// The layer's trained parameters (not the batch-norm running statistics), in order.
    pub fn param_ids(&self) -> Vec<ParamId> {
        let (w, b) = match self {
            Layer::Embedding(e) => return vec![e.weight],
            Layer::Recurrent(r) => return r.param_ids(),
            Layer::Linear(l) => (Some(l.weight), l.bias),
            Layer::Conv1d(l) => (Some(l.weight), l.bias),
            Layer::Conv2d(l) => (Some(l.weight), l.bias),
            Layer::ConvTranspose2d(l) => (Some(l.weight), l.bias),
            Layer::BatchNorm1d(l) | Layer::BatchNorm2d(l) => (l.weight, l.bias),
            Layer::LayerNorm(l) => (l.weight, l.bias),
            _ => (None, None),
        };
        w.into_iter().chain(b).collect()
    }
    /// The layer's buffers: the batch-norm running mean and variance.
    pub fn buffer_ids(&self) -> Vec<ParamId> {
        match self {
            Layer::BatchNorm1d(l) | Layer::BatchNorm2d(l) => vec![l.running_mean, l.running_var],
            _ => Vec::new(),
        }
    }
}

/// Layers applied in order.
///
/// The same network runs in two ways:
/// - [`forward`](Sequential::forward) records a batch `[batch, in]` on a [`Graph`] (tensor ops,
///   a dense layer and the activation after it fused into one record), for training;
/// - [`forward_generic`](Sequential::forward_generic) and
///   [`forward_with_theta`](Sequential::forward_with_theta) evaluate one sample in any number type
///   `T: Scalar<F>` — `f64` for inference, `Dual`/`DualVec` for input Jacobians, hyperdual
///   numbers for input Hessians and Laplacians, `Var<Dual<f64>>` for Hessian-vector products in the
///   parameters.
///
/// ```
/// use diffprog_nn::{layers::{Init, Sequential}, Graph, Unary};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let mut g = Graph::<f64>::new();
/// let net = Sequential::mlp(g.params_mut(), &[2, 3, 1], Unary::Tanh, Init::XavierUniform, &mut rng);
/// let x = g.input(&[0.5, -1.0], &[1, 2]);
/// let y = net.forward(&mut g, x);
/// // the tape and the generic forward agree
/// let y2 = net.forward_generic(g.params(), &[0.5, -1.0]);
/// assert!((g.value(y)[0] - y2[0]).abs() < 1e-14);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequential<F> {
    /// The layers, in order.
    pub layers: Vec<Layer<F>>,
}

impl<F: Element> Sequential<F> {
    /// An empty network.
    pub fn new() -> Self {
        Sequential { layers: Vec::new() }
    }
    /// Appends a layer (builder style).
    pub fn push(mut self, layer: Layer<F>) -> Self {
        self.layers.push(layer);
        self
    }
    /// A multi-layer perceptron: dense layers of the given widths (`sizes[0]` inputs, the last
    /// entry outputs) with `act` between them and no activation after the last. Parameters are
    /// named `fc{i}.weight` / `fc{i}.bias`.
    pub fn mlp(
        params: &mut Params<F>,
        sizes: &[usize],
        act: Unary<F>,
        init: Init,
        rng: &mut impl Rng,
    ) -> Self {
        assert!(
            sizes.len() >= 2,
            "Sequential::mlp: needs at least an input and an output width"
        );
        let mut s = Self::new();
        for i in 0..sizes.len() - 1 {
            let name = params.fresh_name("fc");
            s.layers.push(Layer::Linear(Linear::new(
                params,
                &name,
                sizes[i],
                sizes[i + 1],
                true,
                init,
                rng,
            )));
            if i + 2 < sizes.len() {
                s.layers.push(Layer::Activation(act));
            }
        }
        s
    }
    /// The parameters of every layer, in order.
    pub fn param_ids(&self) -> Vec<ParamId> {
        self.layers.iter().flat_map(Layer::param_ids).collect()
    }
    /// Input width: of the first dense layer, or the product of a leading
    /// [`Unflatten`](Layer::Unflatten)'s shape; `None` if a layer that fixes no width (a
    /// convolution, a pooling, ...) comes first.
    pub fn in_dim(&self) -> Option<usize> {
        for l in &self.layers {
            match l {
                Layer::Linear(lin) => return Some(lin.in_dim),
                Layer::Unflatten(s) => return Some(s.iter().product()),
                Layer::Activation(_) | Layer::Dropout(_) => {}
                _ => return None,
            }
        }
        None
    }

    /// Records the network on a batch `x: [.., in]`. A dense layer followed by an activation is
    /// one fused record ([`Graph::linear`]).
    pub fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let mut h = x;
        let mut i = 0;
        while i < self.layers.len() {
            if let (Layer::Linear(lin), Some(Layer::Activation(a))) =
                (&self.layers[i], self.layers.get(i + 1))
            {
                h = lin.forward(g, h, *a);
                i += 2;
                continue;
            }
            h = Self::layer_forward(&self.layers[i], g, h);
            i += 1;
        }
        h
    }

    /// Records the network like [`forward`](Self::forward) but returns every layer's output in
    /// order, the last being the network's (no fusion, so a dense layer's output before its
    /// activation is there too): the feature maps of a CNN, for plots.
    ///
    /// ```
    /// use diffprog_nn::{layers::{seeded_rng, Init, Sequential}, Graph, Unary};
    /// let mut g = Graph::<f64>::new();
    /// let net = Sequential::mlp(g.params_mut(), &[2, 3, 1], Unary::Relu, Init::TorchDefault, &mut seeded_rng(0));
    /// let x = g.input(&[0.5, -1.0], &[1, 2]);
    /// let acts = net.forward_activations(&mut g, x);
    /// assert_eq!(acts.len(), 3); // linear, relu, linear
    /// assert!(g.value(acts[1]).iter().all(|&v| v >= 0.0));
    /// let y = net.forward(&mut g, x);
    /// assert_eq!(g.value(acts[2]), g.value(y));
    /// ```
    pub fn forward_activations(&self, g: &mut Graph<F>, x: NodeId) -> Vec<NodeId> {
        let mut h = x;
        self.layers
            .iter()
            .map(|l| {
                h = Self::layer_forward(l, g, h);
                h
            })
            .collect()
    }

    fn layer_forward(layer: &Layer<F>, g: &mut Graph<F>, h: NodeId) -> NodeId {
        match layer {
            Layer::Linear(lin) => lin.forward(g, h, Unary::Identity),
            Layer::Activation(a) => g.unary(h, *a),
            Layer::Softmax => g.softmax(h),
            Layer::LogSoftmax => g.log_softmax(h),
            Layer::Dropout(p) => g.dropout(h, *p),
            Layer::Conv1d(c) => c.forward(g, h),
            Layer::Conv2d(c) => c.forward(g, h),
            Layer::ConvTranspose2d(c) => c.forward(g, h),
            Layer::MaxPool2d(p) => p.forward_max(g, h),
            Layer::AvgPool2d(p) => p.forward_avg(g, h),
            Layer::AdaptiveAvgPool2d(out) => g.adaptive_avg_pool2d(h, *out),
            Layer::BatchNorm1d(bn) => {
                let nd = g.shape(h).ndim();
                assert!(
                    nd == 2 || nd == 3,
                    "BatchNorm1d: takes [n, c] or [n, c, l], got shape {:?}",
                    g.shape(h)
                );
                bn.forward(g, h)
            }
            Layer::BatchNorm2d(bn) => {
                assert!(
                    g.shape(h).ndim() == 4,
                    "BatchNorm2d: takes [n, c, h, w], got shape {:?}",
                    g.shape(h)
                );
                bn.forward(g, h)
            }
            Layer::LayerNorm(ln) => ln.forward(g, h),
            Layer::Flatten => flatten(g, h),
            Layer::Unflatten(s) => unflatten(g, h, s),
            Layer::Embedding(e) => e.forward_ids(g, h),
            Layer::Recurrent(r) => r.forward_output(g, h),
        }
    }

    /// The network on one sample in any number type, with the parameters' current values as
    /// constants: derivatives are with respect to the input only.
    ///
    /// # Panics
    /// If the network has a convolution, pooling or normalisation layer (the generic forward
    /// covers dense networks; those layers run on the tape only).
    pub fn forward_generic<T: Scalar<F>>(&self, params: &Params<F>, x: &[T]) -> Vec<T> {
        self.run_generic(&|p: ParamId, i: usize| T::constant(params.value(p)[i]), x)
    }

    /// The network on one sample with the parameters taken from `theta`, the flat vector in the
    /// store's order ([`Params::flatten`]): derivatives are with respect to `theta` (and `x`).
    ///
    /// # Panics
    /// If `theta.len()` is not the number of parameters.
    pub fn forward_with_theta<T: Scalar<F>>(
        &self,
        params: &Params<F>,
        theta: &[T],
        x: &[T],
    ) -> Vec<T> {
        assert_eq!(
            theta.len(),
            params.numel(),
            "Sequential::forward_with_theta: theta has {} values but the store has {} parameters",
            theta.len(),
            params.numel()
        );
        let off = params.offsets();
        self.run_generic(&|p: ParamId, i: usize| theta[off[p.index()] + i], x)
    }

    fn run_generic<T: Scalar<F>>(&self, weight: &impl Fn(ParamId, usize) -> T, x: &[T]) -> Vec<T> {
        let mut h = x.to_vec();
        for l in &self.layers {
            h = match l {
                Layer::Linear(lin) => lin.forward_generic(weight, &h),
                Layer::Activation(a) => h.into_iter().map(|v| apply_generic(*a, v)).collect(),
                Layer::Softmax => softmax_generic(&h),
                Layer::LogSoftmax => log_softmax_generic(&h),
                Layer::Dropout(_) | Layer::Flatten | Layer::Unflatten(_) => h,
                other => panic!(
                    "Sequential: the generic forward covers dense layers, activations, softmax, \
                     dropout and (un)flattening; {other:?} has none (use the tape)"
                ),
            };
        }
        h
    }
}

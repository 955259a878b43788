//! [`Sequential`]: layers applied in order, on the tape or generically on one sample.

use super::{apply_generic, log_softmax_generic, softmax_generic, Init, Linear};
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
        let mut v = Vec::new();
        for l in &self.layers {
            if let Layer::Linear(lin) = l {
                v.push(lin.weight);
                v.extend(lin.bias);
            }
        }
        v
    }
    /// Input width (of the first dense layer).
    pub fn in_dim(&self) -> Option<usize> {
        self.layers.iter().find_map(|l| match l {
            Layer::Linear(lin) => Some(lin.in_dim),
            _ => None,
        })
    }

    /// Records the network on a batch `x: [.., in]`. A dense layer followed by an activation is
    /// one fused record ([`Graph::linear`]).
    pub fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let mut h = x;
        let mut i = 0;
        while i < self.layers.len() {
            match &self.layers[i] {
                Layer::Linear(lin) => {
                    if let Some(Layer::Activation(a)) = self.layers.get(i + 1) {
                        h = lin.forward(g, h, *a);
                        i += 2;
                        continue;
                    }
                    h = lin.forward(g, h, Unary::Identity);
                }
                Layer::Activation(a) => h = g.unary(h, *a),
                Layer::Softmax => h = g.softmax(h),
                Layer::LogSoftmax => h = g.log_softmax(h),
                Layer::Dropout(p) => h = g.dropout(h, *p),
            }
            i += 1;
        }
        h
    }

    /// The network on one sample in any number type, with the parameters' current values as
    /// constants: derivatives are with respect to the input only.
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
                Layer::Dropout(_) => h,
            };
        }
        h
    }
}

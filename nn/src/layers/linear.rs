//! [`Linear`]: a dense layer `y = x · W + b`, `W: [in, out]`.

use super::Init;
use crate::{Element, Graph, NodeId, ParamId, Params, Unary};
use diffprog_dual::Scalar;
use rand::Rng;

/// A dense layer `y = x · W + b` with `W` of shape `[in, out]` and `b` of shape `[out]`.
///
/// The layer holds handles to its parameters in a [`Params`] store; the values live there.
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    /// The weight matrix `[in, out]`.
    pub weight: ParamId,
    /// The bias `[out]`, if any.
    pub bias: Option<ParamId>,
    /// Input width.
    pub in_dim: usize,
    /// Output width.
    pub out_dim: usize,
}

impl Linear {
    /// Registers a new layer's parameters (named `{name}.weight`, `{name}.bias`).
    pub fn new<F: Element>(
        params: &mut Params<F>,
        name: &str,
        in_dim: usize,
        out_dim: usize,
        bias: bool,
        init: Init,
        rng: &mut impl Rng,
    ) -> Self {
        let w = init.weights(in_dim, out_dim, rng);
        let weight = params.add(format!("{name}.weight"), w);
        let bias =
            bias.then(|| params.add(format!("{name}.bias"), init.bias(in_dim, out_dim, rng)));
        Linear {
            weight,
            bias,
            in_dim,
            out_dim,
        }
    }
    /// Records `act(x · W + b)` as one fused node (`x: [.., in]`).
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId, act: Unary<F>) -> NodeId {
        let w = g.param(self.weight);
        let b = self.bias.map(|b| g.param(b));
        g.linear(x, w, b, act)
    }
    /// `x · W + b` for one sample in any number type, reading parameter `p`'s element `i` as
    /// `weight(p, i)`.
    pub fn forward_generic<F: Element, T: Scalar<F>>(
        &self,
        weight: &impl Fn(ParamId, usize) -> T,
        x: &[T],
    ) -> Vec<T> {
        assert_eq!(
            x.len(),
            self.in_dim,
            "Linear::forward_generic: input has {} values but the layer takes {}",
            x.len(),
            self.in_dim
        );
        (0..self.out_dim)
            .map(|j| {
                let mut s = match self.bias {
                    Some(b) => weight(b, j),
                    None => T::zero(),
                };
                for (i, &xi) in x.iter().enumerate() {
                    s += xi * weight(self.weight, i * self.out_dim + j);
                }
                s
            })
            .collect()
    }
}

//! The layers as [`Module`]s: a user-defined module (PyTorch's `nn.Module`) composes them —
//! and other modules, [`Sequential`](super::Sequential) included — in its own `forward`, and
//! lists their parameters for freezing and optimiser groups.

use super::{BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Embedding, LayerNorm, Linear, Recurrent};
use crate::train::Module;
use crate::{Element, Graph, NodeId, ParamId, Unary};

impl<F: Element> Module<F> for Linear {
    /// `x · W + b` (no activation).
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        Linear::forward(self, g, x, Unary::Identity)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        std::iter::once(self.weight).chain(self.bias).collect()
    }
}

macro_rules! conv_module {
    ($t:ty) => {
        impl<F: Element> Module<F> for $t {
            fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
                <$t>::forward(self, g, x)
            }
            fn param_ids(&self) -> Vec<ParamId> {
                std::iter::once(self.weight).chain(self.bias).collect()
            }
        }
    };
}
conv_module!(Conv1d);
conv_module!(Conv2d);
conv_module!(ConvTranspose2d);

impl<F: Element> Module<F> for BatchNorm {
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        BatchNorm::forward(self, g, x)
    }
    /// γ and β; the running statistics are buffers, not parameters.
    fn param_ids(&self) -> Vec<ParamId> {
        self.weight.into_iter().chain(self.bias).collect()
    }
}

impl<F: Element> Module<F> for LayerNorm {
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        LayerNorm::forward(self, g, x)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        self.weight.into_iter().chain(self.bias).collect()
    }
}

impl<F: Element> Module<F> for Embedding {
    /// The embeddings of the token ids in `x` ([`Embedding::forward_ids`]).
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        self.forward_ids(g, x)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.weight]
    }
}

impl<F: Element> Module<F> for Recurrent {
    /// The network on `x` with zero initial states, returning what
    /// [`output`](Recurrent::output) says ([`Recurrent::forward_output`]).
    fn forward(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        self.forward_output(g, x)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        Recurrent::param_ids(self)
    }
}

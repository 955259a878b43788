//! [`Embedding`] and [`Recurrent`] (PyTorch's `nn.Embedding`, `nn.RNN`, `nn.LSTM`, `nn.GRU`):
//! parameters registered with PyTorch's names, shapes and initialisation, and a forward that
//! records the sequence ops ([`Graph::embedding`], [`Graph::recurrent`]).

use super::init::standard_normal;
use crate::ops::{CellKind, CellWeights, SequenceOptions, SequenceOutput};
use crate::{Element, Graph, NodeId, ParamId, Params, Tensor};
use rand::Rng;

/// An embedding table (PyTorch's `nn.Embedding`): `weight` `[num, dim]` drawn from N(0, 1), the
/// padding row (if any) zero; the padding row gets no gradient.
///
/// ```
/// use diffprog_nn::{layers::{seeded_rng, Embedding}, Graph};
/// let mut g = Graph::<f32>::new();
/// let emb = Embedding::new(g.params_mut(), 10, 4, Some(0), &mut seeded_rng(0));
/// assert_eq!(g.params().name(emb.weight), "embedding0.weight");
/// let e = emb.forward(&mut g, &[3, 0, 7], &[3]);
/// assert_eq!(g.shape(e).dims(), &[3, 4]);
/// assert!(g.value(e)[4..8].iter().all(|&v| v == 0.0)); // the padding row
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedding {
    /// The table, `[num, dim]`.
    pub weight: ParamId,
    /// The row that is looked up as given but never trained.
    pub padding_idx: Option<usize>,
}

impl Embedding {
    /// Registers the table as `embedding{i}.weight`.
    ///
    /// # Panics
    /// If `padding_idx` is not below `num`.
    pub fn new<F: Element>(
        params: &mut Params<F>,
        num: usize,
        dim: usize,
        padding_idx: Option<usize>,
        rng: &mut impl Rng,
    ) -> Self {
        if let Some(p) = padding_idx {
            assert!(
                p < num,
                "Embedding: padding_idx {p} is out of range for {num} rows"
            );
        }
        let mut w: Tensor<F> = Tensor::from_vec(
            (0..num * dim)
                .map(|_| <F as diffprog_dual::Real>::from_f64(standard_normal(rng)))
                .collect(),
            &[num, dim],
        );
        if let Some(p) = padding_idx {
            w.data_mut()[p * dim..(p + 1) * dim].fill(F::zero());
        }
        let name = params.fresh_name("embedding");
        let weight = params.add(format!("{name}.weight"), w);
        Embedding {
            weight,
            padding_idx,
        }
    }
    /// The embeddings of `indices` (shape `index_dims`): `index_dims ++ [dim]`.
    pub fn forward<F: Element>(
        &self,
        g: &mut Graph<F>,
        indices: &[usize],
        index_dims: &[usize],
    ) -> NodeId {
        let w = g.param(self.weight);
        g.embedding(indices, index_dims, w, self.padding_idx)
    }
}

/// A multi-layer recurrent network (PyTorch's `nn.RNN`, `nn.LSTM`, `nn.GRU`): for each layer `l`
/// and direction, `weight_ih_l{l}` `[G·H, I_l]`, `weight_hh_l{l}` `[G·H, H]` and (with `bias`)
/// `bias_ih_l{l}`, `bias_hh_l{l}` `[G·H]`, the backward direction's with the suffix
/// `_reverse`, all drawn from U(−1/√H, 1/√H) as PyTorch does: PyTorch's `state_dict` arrays
/// map one to one onto these (names prefixed with the layer's name, same shapes and layout).
///
/// ```
/// use diffprog_nn::{layers::{seeded_rng, Recurrent}, ops::CellKind, Graph};
/// let mut g = Graph::<f32>::new();
/// let lstm = Recurrent::new(g.params_mut(), CellKind::Lstm, 8, 16, 2, true, true, &mut seeded_rng(0));
/// let names: Vec<&str> = lstm.weights[1].iter().map(|&id| g.params().name(id)).collect();
/// assert_eq!(names, ["lstm0.weight_ih_l0_reverse", "lstm0.weight_hh_l0_reverse",
///                    "lstm0.bias_ih_l0_reverse", "lstm0.bias_hh_l0_reverse"]);
/// assert_eq!(g.params().shape(lstm.weights[2][0]).dims(), &[64, 32]); // layer 1: input 2·16
/// let x = g.input(&vec![0.5; 5 * 3 * 8], &[5, 3, 8]); // [T, B, I]
/// let out = lstm.forward(&mut g, x, None, None, None);
/// assert_eq!(g.shape(out.output).dims(), &[5, 3, 32]);
/// assert_eq!(g.shape(out.c_n.unwrap()).dims(), &[4, 3, 16]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Recurrent {
    /// The cell.
    pub kind: CellKind,
    /// The input features `I`.
    pub input_size: usize,
    /// The hidden units `H`.
    pub hidden_size: usize,
    /// The number of layers `L`.
    pub num_layers: usize,
    /// Two directions per layer.
    pub bidirectional: bool,
    /// Input and output `[B, T, ·]` instead of `[T, B, ·]` (default false, as PyTorch).
    pub batch_first: bool,
    /// Dropout probability between layers (train mode only; default 0).
    pub dropout: f64,
    /// Per layer and direction (`l·D + d`): `w_ih`, `w_hh` and, with biases, `b_ih`, `b_hh`.
    pub weights: Vec<Vec<ParamId>>,
}

impl Recurrent {
    /// Registers the parameters under the name `rnn{i}`, `lstm{i}` or `gru{i}`.
    #[allow(clippy::too_many_arguments)]
    pub fn new<F: Element>(
        params: &mut Params<F>,
        kind: CellKind,
        input_size: usize,
        hidden_size: usize,
        num_layers: usize,
        bidirectional: bool,
        bias: bool,
        rng: &mut impl Rng,
    ) -> Self {
        assert!(
            num_layers > 0 && hidden_size > 0,
            "Recurrent: needs at least one layer and one hidden unit"
        );
        let prefix = match kind {
            CellKind::Rnn(_) => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        };
        let name = params.fresh_name(prefix);
        let dirs = if bidirectional { 2 } else { 1 };
        let gh = kind.gates() * hidden_size;
        let k = 1.0 / (hidden_size as f64).sqrt();
        let mut weights = Vec::with_capacity(num_layers * dirs);
        for l in 0..num_layers {
            let inp = if l == 0 {
                input_size
            } else {
                dirs * hidden_size
            };
            for d in 0..dirs {
                let suffix = if d == 1 { "_reverse" } else { "" };
                let mut add = |what: &str, dims: &[usize]| {
                    params.add(
                        format!("{name}.{what}_l{l}{suffix}"),
                        Tensor::uniform(dims, -k, k, rng),
                    )
                };
                let mut ids = vec![
                    add("weight_ih", &[gh, inp]),
                    add("weight_hh", &[gh, hidden_size]),
                ];
                if bias {
                    ids.push(add("bias_ih", &[gh]));
                    ids.push(add("bias_hh", &[gh]));
                }
                weights.push(ids);
            }
        }
        Recurrent {
            kind,
            input_size,
            hidden_size,
            num_layers,
            bidirectional,
            batch_first: false,
            dropout: 0.0,
            weights,
        }
    }

    /// The network over `x` (`[T, B, I]`, or `[B, T, I]` batch-first) with optional initial
    /// states `h0`, `c0` (`[L·D, B, H]`) and sequence lengths (see [`Graph::recurrent`]).
    pub fn forward<F: Element>(
        &self,
        g: &mut Graph<F>,
        x: NodeId,
        h0: Option<NodeId>,
        c0: Option<NodeId>,
        lengths: Option<&[usize]>,
    ) -> SequenceOutput {
        let weights: Vec<CellWeights> = self
            .weights
            .iter()
            .map(|ids| CellWeights {
                w_ih: g.param(ids[0]),
                w_hh: g.param(ids[1]),
                b_ih: ids.get(2).map(|&b| g.param(b)),
                b_hh: ids.get(3).map(|&b| g.param(b)),
            })
            .collect();
        let options = SequenceOptions {
            batch_first: self.batch_first,
            bidirectional: self.bidirectional,
            dropout: self.dropout,
            lengths,
        };
        g.recurrent(self.kind, x, h0, c0, &weights, &options)
    }
}

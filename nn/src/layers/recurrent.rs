//! [`Embedding`] and [`Recurrent`] (PyTorch's `nn.Embedding`, `nn.RNN`, `nn.LSTM`, `nn.GRU`):
//! parameters registered with PyTorch's names, shapes and initialisation, and a forward that
//! records the sequence ops ([`Graph::embedding`], [`Graph::recurrent`]). Both are also
//! [`Module`](crate::train::Module)s and [`Layer`](super::Layer)s of a
//! [`Sequential`](super::Sequential): the embedding then reads its token ids from the input
//! node, and the recurrent network returns what its [`RecurrentOutput`] says.

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
    /// The number of rows `num` (the vocabulary size).
    pub num_embeddings: usize,
    /// The width `dim` of an embedding.
    pub embedding_dim: usize,
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
        let name = params.fresh_name("embedding");
        Self::named(params, &name, num, dim, padding_idx, rng)
    }

    /// Registers the table as `{name}.weight` (a hierarchical name such as `encoder.embed`
    /// inside a user-defined module).
    ///
    /// ```
    /// use diffprog_nn::{layers::{seeded_rng, Embedding}, Graph};
    /// let mut g = Graph::<f32>::new();
    /// let emb = Embedding::named(g.params_mut(), "encoder.embed", 10, 4, None, &mut seeded_rng(0));
    /// assert_eq!(g.params().name(emb.weight), "encoder.embed.weight");
    /// ```
    ///
    /// # Panics
    /// If `padding_idx` is not below `num`, or the name is taken.
    pub fn named<F: Element>(
        params: &mut Params<F>,
        name: &str,
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
        let weight = params.add(format!("{name}.weight"), w);
        Embedding {
            weight,
            num_embeddings: num,
            embedding_dim: dim,
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

    /// The embeddings of the token ids held by node `ids` (whole numbers stored as `F`, any
    /// shape `dims`): `dims ++ [dim]`. This is the forward of the embedding as a
    /// [`Module`](crate::train::Module) or a [`Layer`](super::Layer): a `[T, B]` (or `[B, T]`)
    /// batch of ids becomes `[T, B, dim]` (`[B, T, dim]`). The ids get no gradient.
    ///
    /// ```
    /// use diffprog_nn::{layers::{seeded_rng, Embedding}, Graph};
    /// let mut g = Graph::<f64>::new();
    /// let emb = Embedding::new(g.params_mut(), 5, 2, None, &mut seeded_rng(0));
    /// let ids = g.input(&[4.0, 0.0, 1.0], &[3]);
    /// let e = emb.forward_ids(&mut g, ids);
    /// let w = g.params().value(emb.weight);
    /// let rows: Vec<f64> = [4, 0, 1].iter().flat_map(|&r| w[2 * r..2 * r + 2].to_vec()).collect();
    /// assert_eq!(g.shape(e).dims(), &[3, 2]);
    /// assert_eq!(g.value(e), &rows[..]);
    /// ```
    ///
    /// # Panics
    /// If a value is not a whole number in `0..num` (NaN, negative, fractional, too large).
    pub fn forward_ids<F: Element>(&self, g: &mut Graph<F>, ids: NodeId) -> NodeId {
        let num = self.num_embeddings;
        let values = g.value(ids);
        let indices: Vec<usize> = values
            .iter()
            .enumerate()
            .map(|(p, &v)| {
                let f = <F as diffprog_dual::Real>::to_f64(v);
                if f >= 0.0 && f.fract() == 0.0 && f < num as f64 {
                    f as usize
                } else {
                    panic!(
                        "Embedding: input value {f} at position {p} is not a token id (a whole \
                         number in 0..{num}); feed the ids themselves, not one-hot rows or \
                         features"
                    )
                }
            })
            .collect();
        let dims = g.shape(ids);
        self.forward(g, &indices, dims.dims())
    }
}

/// What a [`Recurrent`] network returns as a [`Module`](crate::train::Module) or a
/// [`Layer`](super::Layer) of a [`Sequential`](super::Sequential).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecurrentOutput {
    /// The last layer's `h` at every step, `[T, B, D·H]` (`[B, T, D·H]` batch-first): PyTorch's
    /// `output`, for a sequence-to-sequence model or a head applied to every step.
    #[default]
    AllSteps,
    /// The last layer's final `h`, `[B, D·H]`: PyTorch's `h_n[-1]` (with two directions,
    /// `cat(h_n[-2], h_n[-1])`, forward then backward). With one direction it is the output at
    /// the last step, so Embedding → LSTM → Linear on the last step is one `Sequential`.
    FinalState,
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
    /// What the network returns as a module or a layer (default: every step's output).
    pub output: RecurrentOutput,
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
        let prefix = match kind {
            CellKind::Rnn(_) => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        };
        let name = params.fresh_name(prefix);
        Self::named(
            params,
            &name,
            kind,
            input_size,
            hidden_size,
            num_layers,
            bidirectional,
            bias,
            rng,
        )
    }

    /// Registers the parameters under `{name}.weight_ih_l0`, ... (a hierarchical name such as
    /// `encoder.lstm` inside a user-defined module, as PyTorch names a child's parameters).
    ///
    /// ```
    /// use diffprog_nn::{layers::{seeded_rng, Recurrent}, ops::CellKind, Graph};
    /// let mut g = Graph::<f32>::new();
    /// let gru = Recurrent::named(g.params_mut(), "encoder.gru", CellKind::Gru, 3, 4, 1, false, true, &mut seeded_rng(0));
    /// assert_eq!(g.params().name(gru.weights[0][0]), "encoder.gru.weight_ih_l0");
    /// ```
    ///
    /// # Panics
    /// If there is no layer or no hidden unit, or a name is taken.
    #[allow(clippy::too_many_arguments)]
    pub fn named<F: Element>(
        params: &mut Params<F>,
        name: &str,
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
            output: RecurrentOutput::AllSteps,
            weights,
        }
    }

    /// Sets [`batch_first`](Self::batch_first) (builder style).
    pub fn with_batch_first(mut self, batch_first: bool) -> Self {
        self.batch_first = batch_first;
        self
    }

    /// Sets the [`dropout`](Self::dropout) probability between layers (builder style).
    ///
    /// # Panics
    /// If `p` is not in `[0, 1)`.
    pub fn with_dropout(mut self, p: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&p),
            "Recurrent: the dropout probability must be in [0, 1), got {p}"
        );
        self.dropout = p;
        self
    }

    /// Sets what the network returns as a module or a layer (builder style).
    ///
    /// ```
    /// use diffprog_nn::layers::{seeded_rng, Init, Layer, Linear, Recurrent, RecurrentOutput, Sequential};
    /// use diffprog_nn::{ops::CellKind, Graph};
    /// let mut g = Graph::<f32>::new();
    /// let mut rng = seeded_rng(0);
    /// let gru = Recurrent::new(g.params_mut(), CellKind::Gru, 3, 8, 1, true, true, &mut rng)
    ///     .with_batch_first(true)
    ///     .with_output(RecurrentOutput::FinalState);
    /// let head = Linear::new(g.params_mut(), "head", 16, 2, true, Init::TorchDefault, &mut rng);
    /// let net = Sequential::new().push(Layer::Recurrent(gru)).push(Layer::Linear(head));
    /// let x = g.input(&[0.1; 5 * 7 * 3], &[5, 7, 3]); // [B, T, I]
    /// let y = net.forward(&mut g, x);
    /// assert_eq!(g.shape(y).dims(), &[5, 2]);
    /// ```
    pub fn with_output(mut self, output: RecurrentOutput) -> Self {
        self.output = output;
        self
    }

    /// The number of directions `D` (1 or 2).
    pub fn directions(&self) -> usize {
        if self.bidirectional {
            2
        } else {
            1
        }
    }

    /// True if the cells have biases.
    pub fn has_bias(&self) -> bool {
        self.weights.first().is_some_and(|w| w.len() == 4)
    }

    /// Every parameter, layer by layer and direction by direction (`w_ih`, `w_hh`, `b_ih`,
    /// `b_hh`).
    pub fn param_ids(&self) -> Vec<ParamId> {
        self.weights.iter().flatten().copied().collect()
    }

    /// The network on `x` as a module: no initial state, every sequence full length, and the
    /// result [`output`](Self::output) chooses.
    pub fn forward_output<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let out = self.forward(g, x, None, None, None);
        match self.output {
            RecurrentOutput::AllSteps => out.output,
            RecurrentOutput::FinalState => {
                let (l, d) = (self.num_layers, self.directions());
                let s = g.shape(out.h_n);
                let (b, h) = (s.dim(1), s.dim(2));
                let last = g.slice(out.h_n, 0, (l - 1) * d, d); // [D, B, H]
                let last = if d == 2 {
                    g.permute(last, &[1, 0, 2])
                } else {
                    last
                };
                g.reshape(last, &[b, d * h])
            }
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

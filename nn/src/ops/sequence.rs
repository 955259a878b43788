//! Recurrent layers over whole sequences (PyTorch's `nn.RNN`, `nn.LSTM`, `nn.GRU` as
//! functions): multi-layer, bidirectional, time-major or batch-first, optional initial states,
//! variable-length batches. Built from one fused cell record per step and direction
//! ([`Graph::rnn_cell`] and friends) plus one record collecting each direction's outputs.

use super::recurrent::{CellKind, CellWeights, Nonlinearity, Slot};
use crate::{Element, Graph, NodeId};

/// How [`Graph::recurrent`] reads its input (PyTorch's constructor and `forward` arguments).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SequenceOptions<'a> {
    /// Input and output are `[B, T, ·]` instead of `[T, B, ·]`.
    pub batch_first: bool,
    /// Two directions per layer; the weights alternate forward, backward, and the output has
    /// `2·H` features (forward then backward).
    pub bidirectional: bool,
    /// Dropout probability on every layer's output except the last (train mode only).
    pub dropout: f64,
    /// Each sequence's length (`B` entries, each in `1..=T`), for a padded batch: the semantics
    /// of `pack_padded_sequence` (any order). Steps at or past a sequence's length do not touch
    /// its state, their outputs are zero, and the final state is the one at the sequence's own
    /// last step (for the backward direction, the state after its first step). With the
    /// lengths sorted longest first (as `pack_padded_sequence` wants them), the rows whose
    /// sequence has ended are left out of each step's GEMMs; in any other order they are
    /// computed and discarded.
    pub lengths: Option<&'a [usize]>,
}

/// The results of [`Graph::recurrent`]: PyTorch's `(output, h_n)` or `(output, (h_n, c_n))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceOutput {
    /// The last layer's `h` at every step: `[T, B, D·H]` (`[B, T, D·H]` batch-first), D = 2 if
    /// bidirectional.
    pub output: NodeId,
    /// The final `h` of every layer and direction: `[L·D, B, H]` (layer-major).
    pub h_n: NodeId,
    /// The final `c` (LSTM only), `[L·D, B, H]`.
    pub c_n: Option<NodeId>,
}

impl<F: Element> Graph<F> {
    /// A multi-layer recurrent network over a sequence (PyTorch's `nn.RNN`/`nn.LSTM`/`nn.GRU`
    /// forward). `x` is `[T, B, I]` (`[B, T, I]` with `batch_first`); `weights` holds one
    /// [`CellWeights`] per layer and direction, layer-major (`l·D + d`), with PyTorch's shapes
    /// (`W_ih` of layer `l > 0` has `D·H` columns); `h0` and `c0` (LSTM only) are `[L·D, B, H]`
    /// (zeros when `None`).
    ///
    /// Each step of each direction is one fused cell record; each direction's outputs are
    /// collected by one more record; bidirectional layers concatenate the two directions.
    ///
    /// ```
    /// use diffprog_nn::{Graph, ops::{CellKind, CellWeights, SequenceOptions}};
    /// let mut g = Graph::<f64>::new();
    /// // a 1-unit GRU on 1 input, batch 2, three steps; the second sequence has length 2
    /// let w = CellWeights {
    ///     w_ih: g.leaf(&[0.5, -0.5, 1.0], &[3, 1]),
    ///     w_hh: g.leaf(&[0.2, 0.1, -0.3], &[3, 1]),
    ///     b_ih: None,
    ///     b_hh: None,
    /// };
    /// let x = g.input(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3, 1]);
    /// let opts = SequenceOptions { batch_first: true, lengths: Some(&[3, 2]), ..Default::default() };
    /// let out = g.recurrent(CellKind::Gru, x, None, None, &[w], &opts);
    /// assert_eq!(g.shape(out.output).dims(), &[2, 3, 1]);
    /// // the padded step's output is zero, and h_n is the output at each sequence's last step
    /// let (o, h) = (g.value(out.output).to_vec(), g.value(out.h_n).to_vec());
    /// assert_eq!(o[5], 0.0);
    /// assert_eq!(h, vec![o[2], o[4]]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit, `weights` is empty or not a multiple of D, a length is out of
    /// `1..=T`, `c0` is given to a cell without one, or `dropout` is not in `[0, 1)`.
    pub fn recurrent(
        &mut self,
        kind: CellKind,
        x: NodeId,
        h0: Option<NodeId>,
        c0: Option<NodeId>,
        weights: &[CellWeights],
        options: &SequenceOptions,
    ) -> SequenceOutput {
        let dirs = if options.bidirectional { 2 } else { 1 };
        assert!(
            !weights.is_empty() && weights.len().is_multiple_of(dirs),
            "recurrent: {} cell weights given; one per layer and direction ({dirs} directions) needed",
            weights.len()
        );
        assert!(
            c0.is_none() || kind.has_cell_state(),
            "recurrent: c0 given to a {kind:?} network, which has no cell state"
        );
        assert!(
            (0.0..1.0).contains(&options.dropout),
            "recurrent: the dropout probability must be in [0, 1), got {}",
            options.dropout
        );
        let layers = weights.len() / dirs;
        let sx = self.shape(x);
        assert!(
            sx.ndim() == 3,
            "recurrent: x must be [T, B, I] (or [B, T, I] batch-first), got {sx:?}"
        );
        let xt = if options.batch_first {
            self.permute(x, &[1, 0, 2])
        } else {
            x
        };
        let st = self.shape(xt);
        let (t_len, b, i0) = (st.dim(0), st.dim(1), st.dim(2));
        assert!(t_len > 0, "recurrent: the sequence is empty (T = 0)");
        let (hid, _) = self.cell_sizes(kind, &weights[0]);
        for (k, w) in weights.iter().enumerate() {
            let (h, i) = self.cell_sizes(kind, w);
            let want = if k < dirs { i0 } else { dirs * hid };
            assert!(
                h == hid && i == want,
                "recurrent: the weights of layer {}, direction {} are for hidden size {h} and \
                 input size {i}; expected {hid} and {want}",
                k / dirs,
                k % dirs
            );
        }
        for (name, s) in [("h0", h0), ("c0", c0)] {
            if let Some(s) = s {
                let ss = self.shape(s);
                assert!(
                    ss.dims() == [layers * dirs, b, hid],
                    "recurrent: {name} must be [{}, {b}, {hid}] (layers·directions, batch, \
                     hidden), got {ss:?}",
                    layers * dirs
                );
            }
        }
        // per-step row masks, only when some sequence is shorter than T
        let masks: Option<Vec<bool>> = options.lengths.and_then(|lengths| {
            assert_eq!(
                lengths.len(),
                b,
                "recurrent: {} lengths given for a batch of {b}",
                lengths.len()
            );
            if let Some(bad) = lengths.iter().find(|&&l| l == 0 || l > t_len) {
                panic!("recurrent: length {bad} is out of 1..={t_len} (T = {t_len})");
            }
            lengths.iter().any(|&l| l < t_len).then(|| {
                (0..t_len)
                    .flat_map(|t| lengths.iter().map(move |&l| t < l))
                    .collect()
            })
        });
        let h0i = h0.map(|h| self.check(h));
        let c0i = c0.map(|c| self.check(c));
        let block = b * hid;
        let mut input = xt;
        let mut in_size = i0;
        let mut finals_h: Vec<(u32, usize)> = Vec::with_capacity(layers * dirs);
        let mut finals_c: Vec<(u32, usize)> = Vec::with_capacity(layers * dirs);
        let mut steps: Vec<(u32, usize)> = vec![(0, 0); t_len];
        for l in 0..layers {
            let mut outs: Vec<NodeId> = Vec::with_capacity(dirs);
            let xi = self.check(input);
            for d in 0..dirs {
                let w = &weights[l * dirs + d];
                let k = l * dirs + d;
                let mut h = h0i.map(|node| Slot {
                    node,
                    offset: k * block,
                });
                let mut c = c0i.map(|node| Slot {
                    node,
                    offset: k * block,
                });
                for s in 0..t_len {
                    let t = if d == 0 { s } else { t_len - 1 - s };
                    let xs = Slot {
                        node: xi,
                        offset: t * b * in_size,
                    };
                    let mask = masks.as_ref().map(|m| &m[t * b..(t + 1) * b]);
                    let node = self.cell_step(kind, xs, b, h, c, w, mask).index;
                    h = Some(Slot { node, offset: 0 });
                    if kind.has_cell_state() {
                        c = Some(Slot {
                            node,
                            offset: block,
                        });
                    }
                    steps[t] = (node, 0);
                }
                let flags = masks.as_deref().map(|m| (m, hid));
                outs.push(self.collect(&steps, block, &[t_len, b, hid], flags));
                let h = h.expect("T > 0 steps were recorded");
                finals_h.push((h.node, h.offset));
                if let Some(c) = c {
                    finals_c.push((c.node, c.offset));
                }
            }
            let out = if dirs == 2 {
                self.concat(&outs, 2)
            } else {
                outs[0]
            };
            input = if l + 1 < layers {
                self.dropout(out, options.dropout)
            } else {
                out
            };
            in_size = dirs * hid;
        }
        let output = if options.batch_first {
            self.permute(input, &[1, 0, 2])
        } else {
            input
        };
        let h_n = self.collect(&finals_h, block, &[layers * dirs, b, hid], None);
        let c_n = kind
            .has_cell_state()
            .then(|| self.collect(&finals_c, block, &[layers * dirs, b, hid], None));
        SequenceOutput { output, h_n, c_n }
    }

    /// [`recurrent`](Self::recurrent) with LSTM cells; `state` is `(h0, c0)`.
    pub fn lstm(
        &mut self,
        x: NodeId,
        state: Option<(NodeId, NodeId)>,
        weights: &[CellWeights],
        options: &SequenceOptions,
    ) -> SequenceOutput {
        let (h0, c0) = state.unzip();
        self.recurrent(CellKind::Lstm, x, h0, c0, weights, options)
    }

    /// [`recurrent`](Self::recurrent) with GRU cells.
    pub fn gru(
        &mut self,
        x: NodeId,
        h0: Option<NodeId>,
        weights: &[CellWeights],
        options: &SequenceOptions,
    ) -> SequenceOutput {
        self.recurrent(CellKind::Gru, x, h0, None, weights, options)
    }

    /// [`recurrent`](Self::recurrent) with Elman cells (tanh or ReLU).
    pub fn rnn(
        &mut self,
        x: NodeId,
        h0: Option<NodeId>,
        weights: &[CellWeights],
        nonlinearity: Nonlinearity,
        options: &SequenceOptions,
    ) -> SequenceOutput {
        self.recurrent(CellKind::Rnn(nonlinearity), x, h0, None, weights, options)
    }
}

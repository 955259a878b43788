//! Fused recurrent cells with PyTorch's gate layout and formulas (`RNNCell`, `LSTMCell`,
//! `GRUCell`): one record per step, gate pre-activations by GEMM, a hand-written backward.
//!
//! With input `x` (`[B, I]`), state `h` (`[B, H]`, and `c` for the LSTM), weights `W_ih`
//! (`[G·H, I]`), `W_hh` (`[G·H, H]`) and optional biases `b_ih`, `b_hh` (`[G·H]`), the cell
//! computes the gate pre-activations `gi = x·W_ihᵀ + b_ih` and `gh = h·W_hhᵀ + b_hh`
//! (blocks of `H` columns, in PyTorch's order) and then:
//!
//! - RNN (G = 1): `h' = act(gi + gh)`, act = tanh or ReLU;
//! - LSTM (G = 4, gates i, f, g, o): `i = σ(·)`, `f = σ(·)`, `g = tanh(·)`, `o = σ(·)` of the
//!   blocks of `gi + gh`; `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')`;
//! - GRU (G = 3, gates r, z, n): `r = σ(gi_r + gh_r)`, `z = σ(gi_z + gh_z)`,
//!   `n = tanh(gi_n + r⊙gh_n)`, `h' = (1 − z)⊙n + z⊙h`.
//!
//! σ, tanh and their derivatives come from the rule table's slice forms
//! ([`rules::sigmoid_slice`](diffprog_dual::rules::sigmoid_slice),
//! [`rules::tanh_slice`](diffprog_dual::rules::tanh_slice): σ′ and tanh′ in their
//! non-cancelling forms, not `y(1 − y)` or `1 − y²`), ReLU from the scalar rule, each evaluated
//! once per step in the forward pass, which keeps values and derivatives for the backward pass;
//! `1 − z` is σ(−a) (a the pre-activation), which does not cancel as z → 1. Every product of a
//! partial with a gradient is the chain rule's ([`Element::chain`]).
//!
//! A step may carry a row mask (used by the sequence functions for variable-length batches):
//! an inactive row copies its state through (`h' = h`, `c' = c`) and contributes nothing to the
//! input's or the weights' gradients; its state's gradient passes through unchanged.

use super::cell_kernels;
pub(crate) use super::cell_kernels::backward;
use super::{Op, NONE};
use crate::{Element, Graph, NodeId, Shape};

/// The activation of a plain (Elman) RNN cell: PyTorch's `nonlinearity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nonlinearity {
    /// tanh (PyTorch's default).
    Tanh,
    /// max(x, 0).
    Relu,
}

/// A recurrent cell: which formulas a step applies, with PyTorch's gate layout.
///
/// With `gi = x·W_ihᵀ + b_ih` and `gh = h·W_hhᵀ + b_hh` (blocks of `H` columns, in the order
/// below): RNN `h' = act(gi + gh)`; LSTM (gates i, f, g, o of `gi + gh`) `c' = σ(f)⊙c +
/// σ(i)⊙tanh(g)`, `h' = σ(o)⊙tanh(c')`; GRU `r = σ(gi_r + gh_r)`, `z = σ(gi_z + gh_z)`,
/// `n = tanh(gi_n + r⊙gh_n)`, `h' = (1 − z)⊙n + z⊙h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// `h' = act(W_ih x + b_ih + W_hh h + b_hh)`.
    Rnn(Nonlinearity),
    /// Long short-term memory, gates i, f, g, o.
    Lstm,
    /// Gated recurrent unit, gates r, z, n.
    Gru,
}

impl CellKind {
    /// The number of gate blocks `G`: the weights have `G·H` rows (1, 4 and 3).
    ///
    /// ```
    /// use diffprog_nn::ops::CellKind;
    /// assert_eq!(CellKind::Lstm.gates(), 4);
    /// assert_eq!(CellKind::Gru.gates(), 3);
    /// ```
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn(_) => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }
    /// True for the LSTM, whose state is `(h, c)`.
    pub fn has_cell_state(self) -> bool {
        self == CellKind::Lstm
    }
}

/// The arrays of one cell as nodes, with PyTorch's names and shapes: `w_ih` `[G·H, I]`, `w_hh`
/// `[G·H, H]`, `b_ih` and `b_hh` `[G·H]` (both optional, PyTorch's `bias=False`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellWeights {
    /// Input-to-hidden weights, `[G·H, I]`.
    pub w_ih: NodeId,
    /// Hidden-to-hidden weights, `[G·H, H]`.
    pub w_hh: NodeId,
    /// Input-to-hidden bias, `[G·H]`.
    pub b_ih: Option<NodeId>,
    /// Hidden-to-hidden bias, `[G·H]`.
    pub b_hh: Option<NodeId>,
}

/// A block of a node's values starting at `offset` (a step of a time-major sequence, one state
/// of a stacked state tensor).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) node: u32,
    pub(crate) offset: usize,
}

// The layout of a cell record's index buffer.
const X: usize = 0;
const X_OFF: usize = 1;
const H: usize = 2;
const H_OFF: usize = 3;
const C: usize = 4;
const C_OFF: usize = 5;
const W_IH: usize = 6;
const W_HH: usize = 7;
const B_IH: usize = 8;
const B_HH: usize = 9;
const BATCH: usize = 10;
const INPUT: usize = 11;
const HIDDEN: usize = 12;
/// 1 if a row mask follows (one flag per row), 0 otherwise.
const MASKED: usize = 13;
const FLAGS: usize = 14;

/// The geometry of a recorded step, read from its index buffer.
pub(super) struct Step<'a> {
    pub(super) x: u32,
    pub(super) x_off: usize,
    pub(super) h: u32,
    pub(super) h_off: usize,
    pub(super) c: u32,
    pub(super) c_off: usize,
    pub(super) w_ih: u32,
    pub(super) w_hh: u32,
    pub(super) b_ih: u32,
    pub(super) b_hh: u32,
    pub(super) b: usize,
    pub(super) i: usize,
    pub(super) hid: usize,
    pub(super) mask: Option<&'a [usize]>,
}

impl<'a> Step<'a> {
    pub(super) fn read(list: &'a [usize]) -> Self {
        let b = list[BATCH];
        Step {
            x: list[X] as u32,
            x_off: list[X_OFF],
            h: list[H] as u32,
            h_off: list[H_OFF],
            c: list[C] as u32,
            c_off: list[C_OFF],
            w_ih: list[W_IH] as u32,
            w_hh: list[W_HH] as u32,
            b_ih: list[B_IH] as u32,
            b_hh: list[B_HH] as u32,
            b,
            i: list[INPUT],
            hid: list[HIDDEN],
            mask: (list[MASKED] == 1).then(|| &list[FLAGS..FLAGS + b]),
        }
    }
    #[inline]
    pub(super) fn active(&self, row: usize) -> bool {
        self.mask.is_none_or(|m| m[row] != 0)
    }
}

impl<F: Element> Graph<F> {
    /// One step of an Elman RNN cell (PyTorch's `RNNCell`): `h' = act(x·W_ihᵀ + b_ih +
    /// h·W_hhᵀ + b_hh)`, `x: [B, I]`, `h: [B, H]` (zeros when `None`), one record.
    ///
    /// ```
    /// use diffprog_nn::{Graph, ops::{CellWeights, Nonlinearity}};
    /// let mut g = Graph::<f64>::new();
    /// let w = CellWeights {
    ///     w_ih: g.leaf(&[1.0, 0.0, 0.0, 1.0], &[2, 2]),
    ///     w_hh: g.leaf(&[0.5, 0.0, 0.0, 0.5], &[2, 2]),
    ///     b_ih: None,
    ///     b_hh: Some(g.leaf(&[0.0, -1.0], &[2])),
    /// };
    /// let x = g.input(&[1.0, 2.0], &[1, 2]);
    /// let h = g.input(&[2.0, 2.0], &[1, 2]);
    /// let h1 = g.rnn_cell(x, Some(h), &w, Nonlinearity::Relu);
    /// assert_eq!(g.value(h1), &[2.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn rnn_cell(
        &mut self,
        x: NodeId,
        h: Option<NodeId>,
        w: &CellWeights,
        nonlinearity: Nonlinearity,
    ) -> NodeId {
        let kind = CellKind::Rnn(nonlinearity);
        let (xs, b) = self.cell_input(kind, x, w);
        let hs = h.map(|h| self.cell_state(kind, "h", h, b, w));
        self.cell_step(kind, xs, b, hs, None, w, None)
    }

    /// One step of an LSTM cell (PyTorch's `LSTMCell`; gates i, f, g, o): returns `(h', c')`,
    /// each `[B, H]`, with `x: [B, I]` and `state = (h, c)` (zeros when `None`).
    ///
    /// The step is one record with output `[2, B, H]` (`h'` then `c'`); the two returned nodes
    /// are copies of its halves.
    ///
    /// ```
    /// use diffprog_nn::{Graph, ops::CellWeights};
    /// let mut g = Graph::<f64>::new();
    /// // H = 1, I = 1: gates i, f, g, o from x alone
    /// let w = CellWeights {
    ///     w_ih: g.leaf(&[0.0, 0.0, 1.0, 0.0], &[4, 1]),
    ///     w_hh: g.leaf(&[0.0; 4], &[4, 1]),
    ///     b_ih: None,
    ///     b_hh: None,
    /// };
    /// let x = g.input(&[0.5], &[1, 1]);
    /// let (h, c) = g.lstm_cell(x, None, &w);
    /// // i = f = o = σ(0) = ½, g = tanh(½): c' = ½·tanh(½), h' = ½·tanh(c')
    /// let c1 = 0.5 * 0.5f64.tanh();
    /// assert!((g.value(c)[0] - c1).abs() < 1e-15);
    /// assert!((g.value(h)[0] - 0.5 * c1.tanh()).abs() < 1e-15);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn lstm_cell(
        &mut self,
        x: NodeId,
        state: Option<(NodeId, NodeId)>,
        w: &CellWeights,
    ) -> (NodeId, NodeId) {
        let kind = CellKind::Lstm;
        let (xs, b) = self.cell_input(kind, x, w);
        let (hs, cs) = match state {
            Some((h, c)) => (
                Some(self.cell_state(kind, "h", h, b, w)),
                Some(self.cell_state(kind, "c", c, b, w)),
            ),
            None => (None, None),
        };
        let step = self.cell_step(kind, xs, b, hs, cs, w, None);
        let hid = self.shape(step).dim(2);
        let s = self.check(step);
        let block = b * hid;
        let h1 = self.collect(&[(s, 0)], block, &[b, hid], None);
        let c1 = self.collect(&[(s, block)], block, &[b, hid], None);
        (h1, c1)
    }

    /// One step of a GRU cell (PyTorch's `GRUCell`; gates r, z, n): `h'` (`[B, H]`) from
    /// `x: [B, I]` and `h: [B, H]` (zeros when `None`), one record.
    ///
    /// ```
    /// use diffprog_nn::{Graph, ops::CellWeights};
    /// let mut g = Graph::<f64>::new();
    /// let w = CellWeights {
    ///     w_ih: g.leaf(&[0.0, 0.0, 1.0], &[3, 1]),
    ///     w_hh: g.leaf(&[0.0; 3], &[3, 1]),
    ///     b_ih: None,
    ///     b_hh: None,
    /// };
    /// let x = g.input(&[0.5], &[1, 1]);
    /// let h = g.input(&[2.0], &[1, 1]);
    /// let h1 = g.gru_cell(x, Some(h), &w);
    /// // r = z = ½, n = tanh(½): h' = ½·n + ½·2
    /// assert!((g.value(h1)[0] - (0.5 * 0.5f64.tanh() + 1.0)).abs() < 1e-15);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn gru_cell(&mut self, x: NodeId, h: Option<NodeId>, w: &CellWeights) -> NodeId {
        let kind = CellKind::Gru;
        let (xs, b) = self.cell_input(kind, x, w);
        let hs = h.map(|h| self.cell_state(kind, "h", h, b, w));
        self.cell_step(kind, xs, b, hs, None, w, None)
    }

    /// Checks a cell's `x: [B, I]`; returns its slot and B.
    fn cell_input(&mut self, kind: CellKind, x: NodeId, w: &CellWeights) -> (Slot, usize) {
        let xi = self.check(x);
        let sx = self.metas[xi as usize].shape;
        let (_, i) = self.cell_sizes(kind, w);
        assert!(
            sx.ndim() == 2 && sx.dim(1) == i,
            "{kind:?} cell: x must be [batch, {i}] (W_ih has {i} columns), got {sx:?}"
        );
        (
            Slot {
                node: xi,
                offset: 0,
            },
            sx.dim(0),
        )
    }

    /// Checks a cell's state `[B, H]`.
    fn cell_state(
        &mut self,
        kind: CellKind,
        what: &str,
        s: NodeId,
        b: usize,
        w: &CellWeights,
    ) -> Slot {
        let si = self.check(s);
        let ss = self.metas[si as usize].shape;
        let (hid, _) = self.cell_sizes(kind, w);
        assert!(
            ss.dims() == [b, hid],
            "{kind:?} cell: the state {what} must be [{b}, {hid}] (batch, hidden), got {ss:?}"
        );
        Slot {
            node: si,
            offset: 0,
        }
    }

    /// (H, I) of a cell's weights, checked against each other.
    pub(crate) fn cell_sizes(&self, kind: CellKind, w: &CellWeights) -> (usize, usize) {
        let (sih, shh) = (self.shape(w.w_ih), self.shape(w.w_hh));
        let gates = kind.gates();
        assert!(
            shh.ndim() == 2 && shh.dim(0) == gates * shh.dim(1),
            "{kind:?} cell: W_hh must be [{gates}·H, H], got {shh:?}"
        );
        let hid = shh.dim(1);
        assert!(
            sih.ndim() == 2 && sih.dim(0) == gates * hid,
            "{kind:?} cell: W_ih must be [{}, input] ({gates}·H with H = {hid} from W_hh), got {sih:?}",
            gates * hid
        );
        for (name, bias) in [("b_ih", w.b_ih), ("b_hh", w.b_hh)] {
            if let Some(bias) = bias {
                let sb = self.shape(bias);
                assert!(
                    sb.numel() == gates * hid,
                    "{kind:?} cell: {name} must have {} elements ({gates}·H), got {sb:?}",
                    gates * hid
                );
            }
        }
        (hid, sih.dim(1))
    }

    /// Records one step of a cell on `batch` rows: `x` (`batch × I` values from its slot),
    /// the states `h` and `c` (`batch × H` each; zeros when `None`) and the weights, with an
    /// optional row mask (inactive rows carry their state through). The output is `[B, H]`, or
    /// `[2, B, H]` (`h'` then `c'`) for the LSTM.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cell_step(
        &mut self,
        kind: CellKind,
        x: Slot,
        batch: usize,
        h: Option<Slot>,
        c: Option<Slot>,
        w: &CellWeights,
        mask: Option<&[bool]>,
    ) -> NodeId {
        let (hid, inp) = self.cell_sizes(kind, w);
        let fits = |g: &Self, s: Slot, len: usize| {
            s.offset + len <= g.metas[s.node as usize].shape.numel()
        };
        assert!(fits(self, x, batch * inp), "{kind:?} cell: x too small");
        for s in [h, c].into_iter().flatten() {
            assert!(fits(self, s, batch * hid), "{kind:?} cell: state too small");
        }
        if let Some(m) = mask {
            assert_eq!(m.len(), batch, "{kind:?} cell: one mask flag per row");
        }
        let w_ih = self.check(w.w_ih);
        let w_hh = self.check(w.w_hh);
        let b_ih = w.b_ih.map(|b| self.check(b)).unwrap_or(NONE);
        let b_hh = w.b_hh.map(|b| self.check(b)).unwrap_or(NONE);
        let (h_node, h_off) = h.map(|s| (s.node, s.offset)).unwrap_or((NONE, 0));
        let (c_node, c_off) = c.map(|s| (s.node, s.offset)).unwrap_or((NONE, 0));
        let rg = self.rg(&[x.node, h_node, c_node, w_ih, w_hh, b_ih, b_hh]);
        let shape = if kind == CellKind::Lstm {
            Shape::new(&[2, batch, hid])
        } else {
            Shape::new(&[batch, hid])
        };
        let n = self.push(Op::RecurrentCell { kind }, shape, rg);
        let mut list = std::mem::take(&mut self.idx[n as usize]);
        list.clear();
        list.extend_from_slice(&[
            x.node as usize,
            x.offset,
            h_node as usize,
            h_off,
            c_node as usize,
            c_off,
            w_ih as usize,
            w_hh as usize,
            b_ih as usize,
            b_hh as usize,
            batch,
            inp,
            hid,
            mask.is_some() as usize,
        ]);
        if let Some(m) = mask {
            list.extend(m.iter().map(|&a| a as usize));
        }
        let gh = kind.gates() * hid;
        // the kernels overwrite what they read; a buffer kept from an earlier step (with the
        // backward pass's scratch after the forward part) is reused without clearing
        let mut side = std::mem::take(&mut self.aux[n as usize]);
        let len = cell_kernels::forward_len(kind, batch, hid);
        if side.len() < len {
            side.resize(len, F::zero());
        }
        let (v, y) = self.split(n);
        let st = Step::read(&list);
        cell_kernels::cell_forward(&v, y, &mut side[..len], &st, kind, gh);
        self.idx[n as usize] = list;
        self.aux[n as usize] = side;
        self.id(n)
    }
}

//! The log of the crossings between one recording of a tensor graph and the scalar tape of
//! `diffprog_reverse`, which the graph keeps and the bridge (`bridge.rs`) writes and walks.

use crate::Element;
use diffprog_reverse::{TapeElement, Var};

/// One crossing between the tensor graph and the scalar tape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Crossing {
    /// Node `node`'s elements became the variables `vars[start..start + len]`.
    ToVars { node: u32, start: u32, len: u32 },
    /// The variables `vars[start..start + len]` became the leaf `node`.
    FromVars { node: u32, start: u32, len: u32 },
}

/// The crossings of one recording of a graph, in program order, with the `Var`s involved.
pub(crate) struct Crossings<F> {
    pub(crate) log: Vec<Crossing>,
    pub(crate) vars: Vec<Var<F>>,
    /// A `Var` of the recording the crossings belong to (checked at every crossing).
    marker: Option<Var<F>>,
    /// True once a `Var` has entered the graph (then plain `backward` would lose its gradient).
    pub(crate) consumes_vars: bool,
}

impl<F> Crossings<F> {
    pub(crate) const fn new() -> Self {
        Crossings {
            log: Vec::new(),
            vars: Vec::new(),
            marker: None,
            consumes_vars: false,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.log.clear();
        self.vars.clear();
        self.marker = None;
        self.consumes_vars = false;
    }

    /// Panics if a plain (tensor-only) backward pass would drop gradients owed to `Var`s.
    #[track_caller]
    pub(crate) fn forbid_plain_backward(&self) {
        assert!(
            !self.consumes_vars,
            "Graph::backward: this recording consumed scalar Vars (from_vars, mul_var, div_var, \
             add_var, sub_var), whose gradients a tensor-only backward pass would drop; call \
             Graph::backward_mixed(&rec, loss) (loss a Var) or Graph::backward_mixed_node(&rec, \
             loss) (loss a node) instead"
        );
    }

    pub(crate) fn range(start: u32, len: u32) -> std::ops::Range<usize> {
        start as usize..(start + len) as usize
    }
}

impl<F: Element + TapeElement> Crossings<F> {
    /// Checks that `v` and the recording earlier crossings used (`marker`) are the active
    /// scalar recording (the scalar tape's check panics if not), or makes `v` the marker.
    pub(crate) fn check_recording(&mut self, v: Var<F>) {
        v.assert_in_active_recording();
        match self.marker {
            Some(m) => m.assert_in_active_recording(),
            None => self.marker = Some(v),
        }
    }
}

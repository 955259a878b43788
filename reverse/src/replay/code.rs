//! A recorded program's code: the instructions after the record optimisations, the slots they
//! read, the outputs and the guards. Plain data, shared read-only by every evaluation.

use super::first_writes::{self, FirstWrites};
use super::guards::{Guard, Operand};
use super::ops::{Op, Slot, NO_SLOT};
use super::recorder::Recorder;
use super::runs::{self, Run};

/// The code of a [`Program`](super::Program).
#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub(crate) n_inputs: usize,
    pub(crate) ops: Vec<Op>,
    /// The slots instruction `k` reads (its operands; an unused one repeats the first, and a
    /// `Const` reads slot 0, so the forward pass reads without testing).
    pub(crate) reads: Vec<[Slot; 2]>,
    /// The slots instruction `k` passes adjoints to ([`NO_SLOT`] for none).
    pub(crate) parents: Vec<[Slot; 2]>,
    pub(crate) outputs: Vec<Operand>,
    pub(crate) guards: Vec<Guard>,
    /// The schedule (see [`runs`]).
    pub(crate) runs: Vec<Run>,
    /// The adjoint sweep's first writes (see [`first_writes`]).
    pub(crate) first_writes: FirstWrites,
}

impl Code {
    /// The code of a recording with outputs `outputs`, optimised: instructions whose value
    /// reaches neither an output nor a guard are dropped, and the rest reordered into runs (see
    /// [`runs`]) and renumbered. (Constants are folded while recording: an operation on
    /// constants records nothing.)
    pub(crate) fn new(recorder: Recorder, outputs: Vec<Operand>) -> Code {
        let Recorder {
            n_inputs,
            ops,
            guards,
        } = recorder;
        let n = n_inputs as usize;
        let mut live = vec![false; ops.len()];
        let mark = |slot: Slot, live: &mut [bool]| {
            if slot != NO_SLOT && slot as usize >= n {
                live[slot as usize - n] = true;
            }
        };
        for o in outputs
            .iter()
            .chain(guards.iter().flat_map(|g| [&g.lhs, &g.rhs]))
        {
            if let Operand::Slot(s) = *o {
                mark(s, &mut live);
            }
        }
        for k in (0..ops.len()).rev() {
            if live[k] {
                for s in ops[k].operands() {
                    mark(s, &mut live);
                }
            }
        }
        // New slot of each old one.
        let mut new_slot = vec![NO_SLOT; ops.len()];
        let mut kept = Vec::with_capacity(ops.len());
        for (k, op) in ops.iter().enumerate() {
            if live[k] {
                new_slot[k] = (n + kept.len()) as Slot;
                kept.push(*op);
            }
        }
        let kept_slot = |s: Slot| {
            if s == NO_SLOT || (s as usize) < n {
                s
            } else {
                new_slot[s as usize - n]
            }
        };
        let ops: Vec<Op> = kept.into_iter().map(|op| op.remapped(kept_slot)).collect();
        let (ops, order) = runs::reorder(n, ops);
        let map = |s: Slot| {
            let s = kept_slot(s);
            if s == NO_SLOT || (s as usize) < n {
                s
            } else {
                order[s as usize - n]
            }
        };
        let outputs: Vec<Operand> = outputs.into_iter().map(|o| o.remapped(map)).collect();
        let guards = guards
            .into_iter()
            .map(|g| Guard {
                lhs: g.lhs.remapped(map),
                rhs: g.rhs.remapped(map),
                ..g
            })
            .collect();
        let parents: Vec<[Slot; 2]> = ops.iter().map(|op| op.operands()).collect();
        let reads = parents
            .iter()
            .map(|&[a, b]| match (a, b) {
                (NO_SLOT, _) => [0, 0],
                (a, NO_SLOT) => [a, a],
                (a, b) => [a, b],
            })
            .collect();
        let runs = runs::runs(n, &ops);
        let first_writes = first_writes::plan(&runs, &parents, &outputs, n + ops.len());
        Code {
            runs,
            first_writes,
            n_inputs: n,
            ops,
            reads,
            parents,
            outputs,
            guards,
        }
    }

    /// Slots in the value buffer.
    pub(crate) fn slots(&self) -> usize {
        self.n_inputs + self.ops.len()
    }
}

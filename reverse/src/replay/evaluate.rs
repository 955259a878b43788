//! The interpreter: a forward pass over the instructions computing every value (and, for
//! derivatives, every instruction's local partials) at new inputs, and the adjoint sweep over
//! the stored partials. Generic over the numbers: `f64` for values, gradients, VJPs and
//! Jacobians, `Dual<f64>` for Hessian–vector products (forward over reverse: the tangent and the
//! second-order adjoint ride on the dual parts), `DualVec<f64, N>` for N Hessian columns.

use super::code::Code;
use super::guards::{Guard, GuardFailure, Operand};
use super::ops::NO_SLOT;
use diffprog_dual::Scalar;

/// An evaluation's buffers, reused between calls (one per thread in the batch drivers).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch<T> {
    pub(crate) values: Vec<T>,
    pub(crate) partials: Vec<[T; 2]>,
    pub(crate) adjoints: Vec<T>,
}

impl<T: Scalar<f64>> Scratch<T> {
    /// Evaluates the program at the inputs `input(i)`, with each instruction's partials if
    /// `with_partials`, then checks the guards (`point` is the input as given, for the error).
    pub(crate) fn forward(
        &mut self,
        code: &Code,
        input: impl Fn(usize) -> T,
        point: &[f64],
        with_partials: bool,
    ) -> Result<(), GuardFailure> {
        let n = code.n_inputs;
        self.values.clear();
        self.values.extend((0..n).map(input));
        self.values.resize(code.slots(), T::zero());
        let values = &mut self.values[..];
        if with_partials {
            self.partials.clear();
            self.partials.resize(code.ops.len(), [T::zero(); 2]);
            for (k, ((op, &[a, b]), d)) in code
                .ops
                .iter()
                .zip(&code.reads)
                .zip(self.partials.iter_mut())
                .enumerate()
            {
                let (v, d0, d1) = op.evaluate(values[a as usize], values[b as usize]);
                values[n + k] = v;
                *d = [d0, d1];
            }
        } else {
            for (k, (op, &[a, b])) in code.ops.iter().zip(&code.reads).enumerate() {
                values[n + k] = op.evaluate(values[a as usize], values[b as usize]).0;
            }
        }
        match Guard::first_failing(&code.guards, values) {
            None => Ok(()),
            Some(failing) => Err(GuardFailure::new(&code.guards, failing, n, point)),
        }
    }

    /// The value of output `j` after [`forward`](Self::forward).
    pub(crate) fn output(&self, code: &Code, j: usize) -> T {
        match code.outputs[j] {
            Operand::Slot(s) => self.values[s as usize],
            Operand::Constant(c) => T::constant(c),
        }
    }

    /// The adjoint sweep after a forward pass with partials, seeded with `weight(j)` on output
    /// `j`; the inputs' adjoints are then `self.adjoints[..n]`.
    pub(crate) fn reverse(&mut self, code: &Code, weight: impl Fn(usize) -> T) {
        let n = code.n_inputs;
        self.adjoints.clear();
        self.adjoints.resize(code.slots(), T::zero());
        for (j, o) in code.outputs.iter().enumerate() {
            if let Operand::Slot(s) = *o {
                self.adjoints[s as usize] += weight(j);
            }
        }
        let adj = &mut self.adjoints[..];
        for (k, (&[p0, p1], &[d0, d1])) in code
            .parents
            .iter()
            .zip(&self.partials)
            .enumerate()
            .rev()
        {
            let a = adj[n + k];
            if a.is_identically_zero() || p0 == NO_SLOT {
                continue;
            }
            // The strong-zero rule (as the tape's sweep): a zero partial contributes exactly
            // zero, also to an infinite or NaN adjoint.
            let plain = a.has_finite_nonzero_primal();
            let times = |d: T| if plain { a * d } else { a.strong_zero_mul(d) };
            adj[p0 as usize] += times(d0);
            if p1 != NO_SLOT {
                adj[p1 as usize] += times(d1);
            }
        }
    }
}

/// Guard checks read primal values.
impl Guard {
    #[inline]
    pub(crate) fn first_failing<T: Scalar<f64>>(
        guards: &[Guard],
        values: &[T],
    ) -> Option<(usize, f64, f64)> {
        for (i, g) in guards.iter().enumerate() {
            let value = |o: Operand| match o {
                Operand::Slot(s) => values[s as usize].value(),
                Operand::Constant(c) => c,
            };
            let (a, b) = (value(g.lhs), value(g.rhs));
            if g.comparison.outcome(a, b) != g.outcome {
                return Some((i, a, b));
            }
        }
        None
    }
}

//! The adjoint sweep's first writes: which slice-run scatters are the first to reach every slot
//! of their target range, so that they assign `0 + c` instead of adding `c` to a zero, and which
//! slots must be zeroed before the sweep (the rest). Most of a program's slots are written
//! first by a slice loop, so the sweep zeroes a few ranges instead of the whole adjoint buffer.
//!
//! The plan follows the sweep's order exactly: runs from last to first, a binary slice run's
//! two scatters in one loop where [`one_loop`] says so and one after the other otherwise, a
//! running sum's range before its first operand. Assigning `0 + c` gives the bits adding `c` to
//! a zeroed slot gives (a `−0` contribution becomes `+0` either way).

use super::guards::Operand;
use super::ops::{Slot, NO_SLOT};
use super::runs::{Run, Shape};

/// True if a binary slice run with both steps 1 scatters into its two operands' adjoints in one
/// loop: the targets are the same slots (`x·x`) or do not overlap, so that every slot receives
/// the same contributions in the same order as from two loops one after the other.
#[inline(always)]
pub(crate) fn one_loop(a: usize, b: usize, len: usize) -> bool {
    a == b || a.abs_diff(b) >= len
}

/// The plan of [`plan`].
#[derive(Clone, Debug, Default)]
pub(crate) struct FirstWrites {
    /// Per run: whether its scatter into operand `a` (for a running sum: into its terms `b..`)
    /// and into operand `b` assigns.
    pub(crate) assign: Vec<[bool; 2]>,
    /// The slot ranges `start..end` to zero before the sweep.
    pub(crate) zeroed: Vec<(usize, usize)>,
}

/// The first writes of the sweep over `runs` (instruction `k` passing adjoints to the slots
/// `parents[k]`) seeded on `outputs`, with `slots` slots in all.
pub(crate) fn plan(
    runs: &[Run],
    parents: &[[Slot; 2]],
    outputs: &[Operand],
    slots: usize,
) -> FirstWrites {
    let mut touched = vec![false; slots];
    let mut assigned = vec![false; slots];
    for o in outputs {
        if let Operand::Slot(s) = *o {
            touched[s as usize] = true;
        }
    }
    // A step-1 scatter over `start..start + len`: it assigns if no slot of it was written yet.
    let mut range = |start: Slot, len: usize, touched: &mut [bool]| {
        let range = start as usize..start as usize + len;
        let first = !touched[range.clone()].iter().any(|&t| t);
        touched[range.clone()].fill(true);
        if first {
            assigned[range].fill(true);
        }
        first
    };
    let mut assign = vec![[false; 2]; runs.len()];
    for (r, run) in runs.iter().enumerate().rev() {
        let (start, len) = (run.start as usize, run.len as usize);
        match run.shape {
            Shape::Each => {
                for &p in parents[start..start + len].iter().flatten() {
                    if p != NO_SLOT {
                        touched[p as usize] = true;
                    }
                }
            }
            Shape::Slices {
                kind,
                a,
                a_step,
                b,
                b_step,
            } => {
                let binary = kind.is_binary();
                if binary && (a_step, b_step) == (1, 1) && one_loop(a as usize, b as usize, len) {
                    let first_a = range(a, len, &mut touched);
                    let first_b = if a == b {
                        first_a
                    } else {
                        range(b, len, &mut touched)
                    };
                    assign[r] = [first_a, first_b];
                    continue;
                }
                let operands: &[(Slot, u32)] = if binary {
                    &[(a, a_step), (b, b_step)]
                } else {
                    &[(a, a_step)]
                };
                for (i, &(s, step)) in operands.iter().enumerate() {
                    if step == 1 {
                        assign[r][i] = range(s, len, &mut touched);
                    } else {
                        touched[s as usize] = true;
                    }
                }
            }
            Shape::Scan { a, b } => {
                assign[r][0] = range(b, len, &mut touched);
                touched[a as usize] = true;
            }
        }
    }
    let mut zeroed = Vec::new();
    let mut s = 0;
    while s < slots {
        if assigned[s] {
            s += 1;
            continue;
        }
        let end = (s..slots).find(|&e| assigned[e]).unwrap_or(slots);
        zeroed.push((s, end));
        s = end;
    }
    FirstWrites { assign, zeroed }
}

#[cfg(test)]
mod tests {
    use crate::replay::record;
    use diffprog_dual::Scalar;

    fn rosenbrock<T: Scalar>(x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s += a * a * 100.0 + b * b;
        }
        s
    }

    #[test]
    fn the_slice_loops_write_most_adjoints_first_and_the_rest_is_zeroed() {
        let n = 50;
        let program = record(rosenbrock, vec![0.5; n]);
        let code = &program.code;
        let zeroed: usize = code.first_writes.zeroed.iter().map(|(a, b)| b - a).sum();
        // Every instruction's slot but the running sum's partial sums (nothing writes them)
        // and the inputs (written by several runs) is written first by one slice loop.
        assert!(
            zeroed <= 2 * n + 2,
            "{zeroed} of {} slots zeroed",
            code.slots()
        );
        assert!(code.first_writes.zeroed.iter().all(|(a, b)| a < b));
        // The output slot is seeded by an addition, so it is zeroed.
        let crate::replay::guards::Operand::Slot(out) = code.outputs[0] else {
            panic!("a constant output")
        };
        let out = out as usize;
        assert!(code
            .first_writes
            .zeroed
            .iter()
            .any(|&(a, b)| (a..b).contains(&out)));
    }
}

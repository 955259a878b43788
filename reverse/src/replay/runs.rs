//! The schedule the interpreter runs: the instructions reordered into *runs* — consecutive
//! instructions of one kind, each at its earliest level of the data flow — and the runs whose
//! operands lie in contiguous (or repeated) slots executed as loops over slices, with no
//! dispatch per instruction (Rosenbrock's terms: eight loops over n elements instead of 8n
//! dispatched instructions). A running sum (`s = s + u` in a loop) is a *scan* run. The other
//! instructions are interpreted one by one, consecutive ones forming one run.

use super::ops::{Op, Slot, NO_SLOT};

/// How a run executes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Shape {
    /// Instruction by instruction (with stored partials).
    Each,
    /// A loop over slices: instruction `k` reads slots `a + k·a_step` and `b + k·b_step`
    /// (steps 0 or 1), all below the run, and every instruction has the same kind and constant.
    Slices {
        kind: SliceKind,
        a: Slot,
        a_step: u32,
        b: Slot,
        b_step: u32,
    },
    /// A running sum: instruction 0 is `a + b`, instruction `k` is `(output k − 1) + (b + k)`.
    Scan { a: Slot, b: Slot },
}

/// The kinds a [`Shape::Slices`] run computes (the constant, where there is one).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SliceKind {
    Add,
    Sub,
    Mul,
    AddConst(f64),
    ConstSub(f64),
    MulConst(f64),
    Neg,
}

impl SliceKind {
    fn of(op: Op) -> Option<(SliceKind, Slot, Slot)> {
        Some(match op {
            Op::Add(a, b) => (SliceKind::Add, a, b),
            Op::Sub(a, b) => (SliceKind::Sub, a, b),
            Op::Mul(a, b) => (SliceKind::Mul, a, b),
            Op::AddConst(a, c) => (SliceKind::AddConst(c), a, a),
            Op::ConstSub(c, a) => (SliceKind::ConstSub(c), a, a),
            Op::MulConst(a, c) => (SliceKind::MulConst(c), a, a),
            Op::Neg(a) => (SliceKind::Neg, a, a),
            _ => return None,
        })
    }

    /// True for the kinds with two operands (`Add`, `Sub`, `Mul`); the others read `a` only.
    pub(crate) fn is_binary(self) -> bool {
        matches!(self, SliceKind::Add | SliceKind::Sub | SliceKind::Mul)
    }

    /// Same kind and the same constant, bit for bit.
    fn same(self, other: SliceKind) -> bool {
        use SliceKind::*;
        match (self, other) {
            (AddConst(x), AddConst(y))
            | (ConstSub(x), ConstSub(y))
            | (MulConst(x), MulConst(y)) => x.to_bits() == y.to_bits(),
            (x, y) => x == y,
        }
    }
}

/// A run: instructions `start..start + len` of the program.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub(crate) start: u32,
    pub(crate) len: u32,
    pub(crate) shape: Shape,
}

/// Reorders `ops` (inputs in slots `0..n`) level by level, kinds grouped within a level and in
/// recording order within a kind; returns the reordered instructions (operands renumbered) and
/// the new slot of each old instruction slot.
///
/// A running sum — additions each adding to the previous one, whose partial sums have no other
/// reader — is kept together, at the level of its last addition, so that it becomes one scan
/// run even where several sums run side by side.
pub(crate) fn reorder(n: usize, ops: Vec<Op>) -> (Vec<Op>, Vec<Slot>) {
    let op_index = |s: Slot| (s != NO_SLOT && s as usize >= n).then(|| s as usize - n);
    let mut uses = vec![0u32; ops.len()];
    for op in &ops {
        for s in op.operands() {
            if let Some(p) = op_index(s) {
                uses[p] += 1;
            }
        }
    }
    // The sum each addition belongs to (its first addition), and the levels.
    let mut group: Vec<usize> = (0..ops.len()).collect();
    let mut level = vec![0u32; ops.len()];
    for (k, op) in ops.iter().enumerate() {
        let of = |s: Slot| op_index(s).map_or(0, |p| level[p] + 1);
        if let Op::Add(a, b) = *op
            && let Some(p) = op_index(a)
            && matches!(ops[p], Op::Add(..))
            && uses[p] == 1
        {
            let g = group[p];
            group[k] = g;
            level[g] = level[g].max(of(b));
            level[k] = level[g];
            continue;
        }
        let [a, b] = op.operands();
        level[k] = of(a).max(of(b));
    }
    // Every addition of a sum at the sum's final level.
    for k in 0..ops.len() {
        level[k] = level[group[k]].max(level[k]);
    }
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&k| (level[k], kind_key(ops[k]), group[k], k));
    let mut new_slot = vec![0 as Slot; ops.len()];
    for (position, &k) in order.iter().enumerate() {
        new_slot[k] = (n + position) as Slot;
    }
    let map = |s: Slot| {
        if s == NO_SLOT || (s as usize) < n {
            s
        } else {
            new_slot[s as usize - n]
        }
    };
    let ops = order.iter().map(|&k| ops[k].remapped(map)).collect();
    (ops, new_slot)
}

/// A key that groups instructions of one kind (and one constant, for the slice kinds).
fn kind_key(op: Op) -> (u8, u64) {
    match op {
        Op::Add(..) => (0, 0),
        Op::Sub(..) => (1, 0),
        Op::Mul(..) => (2, 0),
        Op::Div(..) => (3, 0),
        Op::AddConst(_, c) => (4, c.to_bits()),
        Op::ConstSub(c, _) => (5, c.to_bits()),
        Op::MulConst(_, c) => (6, c.to_bits()),
        Op::DivConst(_, c) => (7, c.to_bits()),
        Op::ConstDiv(c, _) => (8, c.to_bits()),
        Op::Neg(_) => (9, 0),
        Op::Unary(f, _) => (10, f as u64),
        Op::Binary(f, ..) => (11, f as u64),
        Op::Powi(_, p) => (12, p as u64),
        Op::Powf(_, p) => (13, p.to_bits()),
        Op::Log(_, b) => (14, b.to_bits()),
        Op::Const(_) => (15, 0),
    }
}

/// Splits reordered instructions into runs.
pub(crate) fn runs(n: usize, ops: &[Op]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        let (len, shape) = longest_run(n, ops, k);
        // Consecutive instructions interpreted one by one form one run.
        if let (Shape::Each, Some(last)) = (shape, runs.last_mut())
            && last.shape == Shape::Each
        {
            last.len += len as u32;
            k += len;
            continue;
        }
        runs.push(Run {
            start: k as u32,
            len: len as u32,
            shape,
        });
        k += len;
    }
    runs
}

/// The longest run starting at instruction `k`: a scan, slices, or a single instruction.
fn longest_run(n: usize, ops: &[Op], k: usize) -> (usize, Shape) {
    let Some((kind, a, b)) = SliceKind::of(ops[k]) else {
        return (1, Shape::Each);
    };
    let slot = |j: usize| (n + j) as Slot;
    // A scan: additions chaining their previous result.
    if kind == SliceKind::Add {
        let mut len = 1;
        while let Some(Op::Add(x, y)) = ops.get(k + len) {
            if *x != slot(k + len - 1) || *y != b + len as Slot || *y >= slot(k) {
                break;
            }
            len += 1;
        }
        if len >= 4 && a < slot(k) && b < slot(k) {
            return (len, Shape::Scan { a, b });
        }
    }
    if a >= slot(k) || b >= slot(k) {
        return (1, Shape::Each);
    }
    let next = match ops.get(k + 1).and_then(|&op| SliceKind::of(op)) {
        Some((kind1, a1, b1)) if kind1.same(kind) => (a1, b1),
        _ => return (1, Shape::Each),
    };
    let step = |from: Slot, to: Slot| match to.wrapping_sub(from) {
        0 => Some(0),
        1 => Some(1),
        _ => None,
    };
    let (Some(a_step), Some(b_step)) = (step(a, next.0), step(b, next.1)) else {
        return (1, Shape::Each);
    };
    let mut len = 1;
    while let Some((kind_j, a_j, b_j)) = ops.get(k + len).and_then(|&op| SliceKind::of(op)) {
        let j = len as Slot;
        if !kind_j.same(kind)
            || a_j != a + j * a_step
            || b_j != b + j * b_step
            || a_j >= slot(k)
            || b_j >= slot(k)
        {
            break;
        }
        len += 1;
    }
    if len < 4 {
        return (1, Shape::Each);
    }
    (
        len,
        Shape::Slices {
            kind,
            a,
            a_step,
            b,
            b_step,
        },
    )
}

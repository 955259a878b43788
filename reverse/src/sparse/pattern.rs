//! Sparsity detection on a recorded [`Program`]: index sets propagated through its instruction
//! list. The Jacobian pattern carries, forward, the set of inputs each value depends on; the
//! Hessian pattern adds, at every nonlinear instruction, the *nonlinear interaction sets* of
//! its operands' inputs (the forward method of A. Walther, "Computing sparse Hessians with
//! automatic differentiation", ACM TOMS 34(1), 2008).
//!
//! Both patterns are structural, so they are supersets of the nonzeros at every point on the
//! recorded path: a value that cancels (`x − x`) keeps its dependencies, and a `0 · y` product
//! counts as nonlinear. Piecewise-linear functions (`abs`, `relu`, `min`, `max`) count as
//! linear and `signum` as constant, as their derivative rules make them.

use crate::replay::{BinaryFn, Op, Operand, Program, UnaryFn, NO_SLOT};
use nalgebra_sparse::pattern::SparsityPattern;

/// How an instruction's value depends on its operands, for the index sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dependence {
    /// A constant (no inputs): `Const`, `signum`.
    Constant,
    /// Linear in its operands (or piecewise linear): sums, scalings, `abs`, `max`…
    Linear,
    /// `a · b`: each operand's inputs interact with the other's (not with themselves).
    Bilinear,
    /// `a / b`: `a`'s inputs interact with `b`'s, `b`'s with themselves.
    Quotient,
    /// Nonlinear in everything it reads: all its inputs interact with each other.
    Nonlinear,
}

fn dependence(op: Op) -> Dependence {
    use Dependence::*;
    match op {
        Op::Const(_) => Constant,
        Op::Add(..)
        | Op::Sub(..)
        | Op::AddConst(..)
        | Op::ConstSub(..)
        | Op::MulConst(..)
        | Op::DivConst(..)
        | Op::Neg(_) => Linear,
        Op::Mul(..) => Bilinear,
        Op::Div(..) => Quotient,
        Op::Unary(UnaryFn::signum, _) => Constant,
        Op::Unary(UnaryFn::abs | UnaryFn::relu, _) => Linear,
        Op::Binary(BinaryFn::min | BinaryFn::max, ..) => Linear,
        Op::Powi(_, 1) => Linear,
        Op::Powf(_, 1.0) => Linear,
        Op::Unary(..)
        | Op::Binary(..)
        | Op::Powi(..)
        | Op::Powf(..)
        | Op::Log(..)
        | Op::ConstDiv(..) => Nonlinear,
    }
}

/// The union of two sorted sets of indices.
fn union(mut a: Vec<u32>, b: &[u32]) -> Vec<u32> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b.to_vec();
    }
    // A long set growing by a few indices (a running sum): insert in place.
    if b.len() * 16 < a.len() {
        for &e in b {
            if let Err(at) = a.binary_search(&e) {
                a.insert(at, e);
            }
        }
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The dependency sets of the slots flagged in `wanted` (inputs are `{i}`), computed in one
/// forward pass over the instructions; `visit(k, sets)` runs before instruction `k`'s own set
/// is formed, with its operands' sets available. A set is freed after its last reader.
fn propagate(
    program: &Program,
    wanted: &[bool],
    mut keep: impl FnMut(u32) -> bool,
    mut visit: impl FnMut(usize, &[Vec<u32>]),
) -> Vec<Vec<u32>> {
    let code = &program.code;
    let n = code.n_inputs;
    let mut sets: Vec<Vec<u32>> = vec![Vec::new(); code.slots()];
    for (i, set) in sets[..n].iter_mut().enumerate() {
        *set = vec![i as u32];
    }
    // Readers left per slot: the wanted instructions reading it, and one more if it is kept.
    let mut readers = vec![0u32; code.slots()];
    for (k, op) in code.ops.iter().enumerate() {
        if wanted[n + k] {
            for s in distinct(op.operands()) {
                readers[s as usize] += 1;
            }
        }
    }
    for (s, r) in readers.iter_mut().enumerate() {
        if keep(s as u32) {
            *r += 1;
        }
    }
    for (k, op) in code.ops.iter().enumerate() {
        visit(k, &sets);
        if !wanted[n + k] {
            continue;
        }
        let constant = dependence(*op) == Dependence::Constant;
        let mut set = Vec::new();
        for (i, s) in distinct(op.operands()).enumerate() {
            if constant {
                release(&mut sets, &mut readers, s);
            } else if i == 0 {
                set = take_or_copy(&mut sets, &mut readers, s);
            } else {
                set = union(set, &sets[s as usize]);
                release(&mut sets, &mut readers, s);
            }
        }
        sets[n + k] = set;
    }
    sets
}

/// The distinct operand slots of an instruction.
fn distinct([a, b]: [u32; 2]) -> impl Iterator<Item = u32> {
    [a, if b == a { NO_SLOT } else { b }]
        .into_iter()
        .filter(|&s| s != NO_SLOT)
}

/// Slot `s`'s set, moved out if this is its last reader.
fn take_or_copy(sets: &mut [Vec<u32>], readers: &mut [u32], s: u32) -> Vec<u32> {
    let r = &mut readers[s as usize];
    *r -= 1;
    if *r == 0 {
        std::mem::take(&mut sets[s as usize])
    } else {
        sets[s as usize].clone()
    }
}

fn release(sets: &mut [Vec<u32>], readers: &mut [u32], s: u32) {
    let r = &mut readers[s as usize];
    *r -= 1;
    if *r == 0 {
        sets[s as usize] = Vec::new();
    }
}

/// Which instructions' values reach an output (not only a guard).
fn reaching_outputs(program: &Program) -> Vec<bool> {
    let code = &program.code;
    let n = code.n_inputs;
    let mut live = vec![false; code.slots()];
    for o in &code.outputs {
        if let Operand::Slot(s) = *o {
            live[s as usize] = true;
        }
    }
    for k in (0..code.ops.len()).rev() {
        if live[n + k] && dependence(code.ops[k]) != Dependence::Constant {
            for s in distinct(code.ops[k].operands()) {
                live[s as usize] = true;
            }
        }
    }
    live
}

/// A pattern in CSR form from its rows (sorted, distinct indices).
fn from_rows(rows: Vec<Vec<u32>>, columns: usize) -> SparsityPattern {
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    offsets.push(0);
    let mut indices = Vec::with_capacity(rows.iter().map(Vec::len).sum());
    for row in &rows {
        indices.extend(row.iter().map(|&j| j as usize));
        offsets.push(indices.len());
    }
    SparsityPattern::try_from_offsets_and_indices(rows.len(), columns, offsets, indices)
        .expect("diffprog-reverse: sparse pattern rows are sorted and in range")
}

/// The sparsity pattern of the Jacobian (m × n, rows the outputs) of a recorded program: entry
/// `(i, j)` is in the pattern if output `i` depends on input `j` through the recorded
/// instructions. A superset of the nonzeros of the Jacobian at every point where the program's
/// guards hold.
///
/// ```
/// use diffprog_reverse::replay::record_vector;
/// use diffprog_reverse::sparse::jacobian_pattern;
/// use diffprog_dual::Scalar;
///
/// let program = record_vector(|x| vec![x[0] * x[1], x[2].sin(), x[1] + 1.0], &[1.0; 4]);
/// let pattern = jacobian_pattern(&program);
/// assert_eq!(pattern.lane(0), &[0, 1]);
/// assert_eq!(pattern.lane(1), &[2]);
/// assert_eq!(pattern.lane(2), &[1]);
/// assert_eq!(pattern.nnz(), 4); // input 3 is unused
/// ```
pub fn jacobian_pattern(program: &Program) -> SparsityPattern {
    let code = &program.code;
    let output_slot: Vec<bool> = {
        let mut o = vec![false; code.slots()];
        for op in &code.outputs {
            if let Operand::Slot(s) = *op {
                o[s as usize] = true;
            }
        }
        o
    };
    let wanted = reaching_outputs(program);
    let sets = propagate(program, &wanted, |s| output_slot[s as usize], |_, _| {});
    let rows = code
        .outputs
        .iter()
        .map(|o| match *o {
            Operand::Slot(s) => sets[s as usize].clone(),
            Operand::Constant(_) => Vec::new(),
        })
        .collect();
    from_rows(rows, code.n_inputs)
}

/// The sparsity pattern of the Hessian (n × n, symmetric) of a recorded scalar program: entry
/// `(i, j)` is in the pattern if inputs `i` and `j` meet in a nonlinear instruction whose value
/// reaches the output (for `a · b`, an input of `a` with one of `b`; for `a / b`, also two of
/// `b`; for other nonlinear functions, any two of their inputs). A superset of the Hessian's
/// nonzeros at every point where the program's guards hold.
///
/// ```
/// use diffprog_reverse::replay::record;
/// use diffprog_reverse::sparse::hessian_pattern;
/// use diffprog_dual::Scalar;
///
/// // x₀² + x₁·x₂ + sin(x₃): the diagonal at 0 and 3, the pair (1, 2).
/// let program = record(|x| x[0] * x[0] + x[1] * x[2] + x[3].sin(), &[1.0; 4]);
/// let pattern = hessian_pattern(&program);
/// assert_eq!(pattern.lane(0), &[0]);
/// assert_eq!(pattern.lane(1), &[2]);
/// assert_eq!(pattern.lane(2), &[1]);
/// assert_eq!(pattern.lane(3), &[3]);
/// ```
///
/// # Panics
/// If the program has several outputs (record it with [`record`](crate::replay::record)).
pub fn hessian_pattern(program: &Program) -> SparsityPattern {
    program.check_scalar("hessian_pattern (diffprog_reverse::sparse)");
    let code = &program.code;
    let n = code.n_inputs;
    let live = reaching_outputs(program);
    // Sets are needed for the operands of live nonlinear instructions, and for what those
    // operands are computed from.
    let mut wanted = vec![false; code.slots()];
    let nonlinear = |op: Op| {
        matches!(
            dependence(op),
            Dependence::Bilinear | Dependence::Quotient | Dependence::Nonlinear
        )
    };
    // The operands of the live nonlinear instructions (their sets are read by the visits).
    let mut visited = vec![false; code.slots()];
    for k in (0..code.ops.len()).rev() {
        let op = code.ops[k];
        let reads = live[n + k] && nonlinear(op);
        if reads || wanted[n + k] {
            for s in distinct(op.operands()) {
                wanted[s as usize] = true;
                visited[s as usize] |= reads;
            }
        }
    }
    let mut interactions: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut compacted = vec![0usize; n];
    let mut add = |i: u32, set: &[u32]| {
        let list = &mut interactions[i as usize];
        list.extend_from_slice(set);
        if list.len() > 2 * compacted[i as usize] + 64 {
            list.sort_unstable();
            list.dedup();
            compacted[i as usize] = list.len();
        }
    };
    let mut visit = |k: usize, sets: &[Vec<u32>]| {
        let op = code.ops[k];
        if !(live[n + k] && nonlinear(op)) {
            return;
        }
        let [a, b] = op.operands();
        let empty = Vec::new();
        let set_of = |s: u32| {
            if s == NO_SLOT {
                &empty
            } else {
                &sets[s as usize]
            }
        };
        let (sa, sb) = (set_of(a), set_of(b));
        match dependence(op) {
            Dependence::Bilinear => {
                for &i in sa {
                    add(i, sb);
                }
                for &i in sb {
                    add(i, sa);
                }
            }
            Dependence::Quotient => {
                for &i in sa {
                    add(i, sb);
                }
                for &i in sb {
                    add(i, sa);
                    add(i, sb);
                }
            }
            _ => {
                let all = union(sa.clone(), sb);
                for &i in &all {
                    add(i, &all);
                }
            }
        }
    };
    // The visited operands' sets are kept (never freed before a visit reads them).
    propagate(program, &wanted, |s| visited[s as usize], &mut visit);
    let rows = interactions
        .into_iter()
        .map(|mut list| {
            list.sort_unstable();
            list.dedup();
            list
        })
        .collect();
    from_rows(rows, n)
}

//! The interpreter: a forward pass over the instructions computing every value (and, for
//! derivatives, every instruction's local partials) at new inputs, and the adjoint sweep over
//! the stored partials. Generic over the numbers: `f64` for values, gradients, VJPs and
//! Jacobians, `DualVec<f64, N>` for N Hessian columns (forward over reverse: the tangents and
//! the second-order adjoints ride on the dual parts) and N Jacobian columns by tangents.
//! Hessian–vector products run on [`DualPlanes`](super::dual_planes), the same schedule with
//! the duals stored as two planes of `f64`.

use super::code::Code;
use super::first_writes::one_loop;
use super::guards::{Guard, GuardFailure, Operand};
use super::ops::{Slot, NO_SLOT};
use super::runs::{Shape, SliceKind};
use super::slice_number::SliceNumber;
use diffprog_dual::{is_finite_number, Number, Scalar};

/// An evaluation's buffers, reused between calls (one per thread in the batch drivers).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch<T> {
    pub(crate) values: Vec<T>,
    pub(crate) partials: Vec<[T; 2]>,
    pub(crate) adjoints: Vec<T>,
}

/// Adds `e` into slot `at + k` (`step` 1) or into slot `at` (`step` 0) for each adjoint `g[k]`
/// of a run, with `x` bound to slot `src + k·src_step` of `values` (a macro, so that the
/// expression is compiled into the loops: each of the four step combinations is a loop over
/// exact sub-slices, which the compiler vectorises). With `assign` (step 1 only: the run writes
/// these slots first, see [`first_writes`](super::first_writes)) it stores `0 + e` instead.
macro_rules! scatter {
    ($assign:expr, $adj:expr, $at:expr, $step:expr, $g:expr, |$gk:ident| $e:expr) => {{
        let (at, g) = ($at as usize, $g);
        if $step == 1 {
            let dst = $adj[at..at + g.len()].iter_mut().zip(g);
            if $assign {
                for (dst, &$gk) in dst {
                    *dst = T::zero() + $e;
                }
            } else {
                for (dst, &$gk) in dst {
                    *dst += $e;
                }
            }
        } else {
            let mut sum = $adj[at];
            for &$gk in g {
                sum += $e;
            }
            $adj[at] = sum;
        }
    }};
    ($assign:expr, $adj:expr, $at:expr, $step:expr, $g:expr, $values:expr, $src:expr,
     $src_step:expr, |$gk:ident, $x:ident| $e:expr) => {{
        let (at, g, src, assign) = ($at as usize, $g, $src as usize, $assign);
        let len = g.len();
        match ($step, $src_step) {
            (1, 1) => {
                let dst = $adj[at..at + len].iter_mut();
                let dst = dst.zip(g).zip(&$values[src..src + len]);
                if assign {
                    for ((dst, &$gk), &$x) in dst {
                        *dst = T::zero() + $e;
                    }
                } else {
                    for ((dst, &$gk), &$x) in dst {
                        *dst += $e;
                    }
                }
            }
            (1, _) => {
                let $x = $values[src];
                let dst = $adj[at..at + len].iter_mut().zip(g);
                if assign {
                    for (dst, &$gk) in dst {
                        *dst = T::zero() + $e;
                    }
                } else {
                    for (dst, &$gk) in dst {
                        *dst += $e;
                    }
                }
            }
            (_, 1) => {
                let mut sum = $adj[at];
                for (&$gk, &$x) in g.iter().zip(&$values[src..src + len]) {
                    sum += $e;
                }
                $adj[at] = sum;
            }
            _ => {
                let $x = $values[src];
                let mut sum = $adj[at];
                for &$gk in g {
                    sum += $e;
                }
                $adj[at] = sum;
            }
        }
    }};
}

/// What a scatter adds its contribution to: the slot's adjoint, or zero where the scatter
/// writes the slot first (`assign`).
#[inline(always)]
pub(crate) fn first<T: Number>(adjoint: T, assign: bool) -> T {
    if assign {
        T::zero()
    } else {
        adjoint
    }
}

impl<T: SliceNumber> Scratch<T> {
    /// Evaluates the program at the inputs `input(i)`, with the partials of the instructions
    /// interpreted one by one if `with_partials` (the slice and scan runs need none: their
    /// adjoints read the values), then checks the guards (`point` is the input as given, for
    /// the error).
    pub(crate) fn forward(
        &mut self,
        code: &Code,
        input: impl Fn(usize) -> T,
        point: &[f64],
        with_partials: bool,
    ) -> Result<(), GuardFailure> {
        let n = code.n_inputs;
        // Every slot is written before it is read: no zero-filling once the buffer has its size.
        self.values.resize(code.slots(), T::zero());
        for (i, v) in self.values[..n].iter_mut().enumerate() {
            *v = input(i);
        }
        if with_partials {
            self.partials.resize(code.ops.len(), [T::zero(); 2]);
        }
        let values = &mut self.values[..];
        for run in &code.runs {
            let (start, len) = (run.start as usize, run.len as usize);
            let (head, tail) = values.split_at_mut(n + start);
            let out = &mut tail[..len];
            match run.shape {
                Shape::Each => {
                    for k in start..start + len {
                        let [a, b] = code.reads[k];
                        let (a, b) = (
                            value_at(head, out, n + start, a),
                            value_at(head, out, n + start, b),
                        );
                        let (v, d0, d1) = code.ops[k].evaluate(a, b);
                        out[k - start] = v;
                        if with_partials {
                            self.partials[k] = [d0, d1];
                        }
                    }
                }
                Shape::Slices {
                    kind,
                    a,
                    a_step,
                    b,
                    b_step,
                } => slices_forward(kind, head, (a, a_step), (b, b_step), out),
                Shape::Scan { a, b } => {
                    let mut acc = head[a as usize];
                    for (o, &y) in out.iter_mut().zip(&head[b as usize..b as usize + len]) {
                        acc += y;
                        *o = acc;
                    }
                }
            }
        }
        match Guard::first_failing(&code.guards, &self.values) {
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
        // Only the slots no slice loop writes first need zeros (see `first_writes`).
        self.adjoints.resize(code.slots(), T::zero());
        for &(from, to) in &code.first_writes.zeroed {
            self.adjoints[from..to].fill(T::zero());
        }
        for (j, o) in code.outputs.iter().enumerate() {
            if let Operand::Slot(s) = *o {
                self.adjoints[s as usize] += weight(j);
            }
        }
        let adj = &mut self.adjoints[..];
        for (run, &[assign_a, assign_b]) in code.runs.iter().zip(&code.first_writes.assign).rev() {
            let (start, len) = (run.start as usize, run.len as usize);
            let assign = (assign_a, assign_b);
            match run.shape {
                Shape::Each => {
                    for k in (start..start + len).rev() {
                        let g = adj[n + k];
                        let [p0, p1] = code.parents[k];
                        if g.is_identically_zero() || p0 == NO_SLOT {
                            continue;
                        }
                        let [d0, d1] = self.partials[k];
                        adj[p0 as usize] += contribution(g, d0);
                        if p1 != NO_SLOT {
                            adj[p1 as usize] += contribution(g, d1);
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
                    let (head, tail) = adj.split_at_mut(n + start);
                    let g = &tail[..len];
                    // The strong-zero product adds what `contribution` adds (a zero adjoint
                    // gives a zero, of either sign, and no slot's sum is ever −0). Where it is
                    // branch-free (`f64`, `Dual<f64>`) the loops vectorise with it; for the
                    // other numbers one test per run finds the common case (every adjoint's
                    // primal finite and non-zero) in which it is the plain product.
                    let plain = !T::BRANCH_FREE
                        && g.iter()
                            .fold(true, |all, x| all & x.has_finite_nonzero_primal());
                    let v = &self.values[..];
                    // Both scatters of an `Add` or `Sub` run (contributions from the adjoint
                    // alone), in one loop where `scatter_both` can.
                    macro_rules! adjoints_only {
                        (|$ga:ident| $ea:expr, |$gb:ident| $eb:expr) => {{
                            let both = (a_step, b_step) == (1, 1)
                                && scatter_both(
                                    head,
                                    (a, b),
                                    assign,
                                    g,
                                    (g, g),
                                    |$ga, _| $ea,
                                    |$gb, _| $eb,
                                );
                            if !both {
                                scatter!(assign_a, head, a, a_step, g, |$ga| $ea);
                                scatter!(assign_b, head, b, b_step, g, |$gb| $eb);
                            }
                        }};
                    }
                    match kind {
                        SliceKind::Add => adjoints_only!(|gk| gk, |gk| gk),
                        SliceKind::Sub => adjoints_only!(|gk| gk, |gk| -gk),
                        SliceKind::Mul => {
                            let (va, vb) = (&v[a as usize..], &v[b as usize..]);
                            let slices = (a_step, b_step) == (1, 1);
                            // Both scatters of the run with the product `$p`, in one loop where
                            // `scatter_both` can.
                            macro_rules! products {
                                ($p:expr) => {{
                                    let p = $p;
                                    let both = (a, b);
                                    if !(slices
                                        && scatter_both(head, both, assign, g, (va, vb), p, p))
                                    {
                                        scatter!(
                                            assign_a,
                                            head,
                                            a,
                                            a_step,
                                            g,
                                            v,
                                            b,
                                            b_step,
                                            |gk, x| { p(gk, x) }
                                        );
                                        scatter!(
                                            assign_b,
                                            head,
                                            b,
                                            b_step,
                                            g,
                                            v,
                                            a,
                                            a_step,
                                            |gk, x| { p(gk, x) }
                                        );
                                    }
                                }};
                            }
                            // Where the run writes its targets first, the plain products go
                            // first, and the run is redone by the strong-zero rule only if an
                            // adjoint came out non-finite (the two rules differ only at 0 · ∞).
                            let first_writes = slices && assign_a && (a == b || assign_b);
                            let product = |gk: T, x: T| gk * x;
                            let done = !plain
                                && first_writes
                                && scatter_both(
                                    head,
                                    (a, b),
                                    assign,
                                    g,
                                    (va, vb),
                                    product,
                                    product,
                                )
                                && !any_non_finite(head, a, b, len);
                            if done {
                                // The plain products were the strong-zero ones.
                            } else if plain {
                                products!(|gk: T, x: T| gk * x)
                            } else {
                                products!(|gk: T, x: T| gk.strong_product(x))
                            }
                        }
                        SliceKind::AddConst(_) => scatter!(assign_a, head, a, a_step, g, |gk| gk),
                        SliceKind::ConstSub(_) | SliceKind::Neg => {
                            scatter!(assign_a, head, a, a_step, g, |gk| -gk)
                        }
                        SliceKind::MulConst(c) => {
                            let c = T::constant(c);
                            if plain {
                                scatter!(assign_a, head, a, a_step, g, |gk| gk * c)
                            } else {
                                scatter!(assign_a, head, a, a_step, g, |gk| gk.strong_product(c))
                            }
                        }
                    }
                }
                Shape::Scan { a, b } => {
                    // Output k's adjoint reaches output k − 1 (partial 1) and slot b + k.
                    let (head, tail) = adj.split_at_mut(n + start);
                    let (partial_sums, last) = tail[..len].split_at(len - 1);
                    if partial_sums
                        .iter()
                        .fold(true, |all, g| all & g.is_identically_zero())
                    {
                        // The partial sums have no adjoint of their own (the common case: no
                        // other instruction reads them), so every output's adjoint is the
                        // last one's: `0 + g` is `g` bit for bit after the first addition (no
                        // slot's sum is −0). One vectorised loop instead of a chain of
                        // dependent additions.
                        let g = last[0] + T::zero();
                        let terms = &mut head[b as usize..b as usize + len];
                        if assign_a {
                            terms.fill(T::zero() + g);
                        } else {
                            terms.iter_mut().for_each(|dst| *dst += g);
                        }
                        head[a as usize] += g;
                        continue;
                    }
                    let mut carry = T::zero();
                    for k in (0..len).rev() {
                        let g = tail[k] + carry;
                        tail[k] = g;
                        let dst = &mut head[b as usize + k];
                        *dst = first(*dst, assign_a) + g;
                        carry = g;
                    }
                    head[a as usize] += carry;
                }
            }
        }
    }
}

/// Adds `ca(g[k], vb[k])` into slot `a + k` and `cb(g[k], va[k])` into slot `b + k` of `adj`
/// in one loop — the two scatters of a run whose operands are both slices — where that gives
/// what the two loops one after the other give: the targets are the same slots (`a == b`, `x·x`;
/// each slot adds `ca` then `cb`) or do not overlap. Returns false, having done nothing,
/// otherwise.
#[inline(always)]
fn scatter_both<T: Number>(
    adj: &mut [T],
    (a, b): (Slot, Slot),
    assign: (bool, bool),
    g: &[T],
    values: (&[T], &[T]),
    ca: impl Fn(T, T) -> T,
    cb: impl Fn(T, T) -> T,
) -> bool {
    let (a, b, len) = (a as usize, b as usize, g.len());
    if !one_loop(a, b, len) {
        return false;
    }
    let (ca, cb) = (&ca, &cb);
    match assign {
        (false, false) => one_loop_scatter::<T, false, false>(adj, (a, b), g, values, ca, cb),
        (true, false) => one_loop_scatter::<T, true, false>(adj, (a, b), g, values, ca, cb),
        (false, true) => one_loop_scatter::<T, false, true>(adj, (a, b), g, values, ca, cb),
        (true, true) => one_loop_scatter::<T, true, true>(adj, (a, b), g, values, ca, cb),
    }
    true
}

/// [`scatter_both`]'s loop, storing `0 + c` into the targets the run writes first.
#[inline(always)]
fn one_loop_scatter<T: Number, const ASSIGN_A: bool, const ASSIGN_B: bool>(
    adj: &mut [T],
    (a, b): (usize, usize),
    g: &[T],
    (va, vb): (&[T], &[T]),
    ca: &impl Fn(T, T) -> T,
    cb: &impl Fn(T, T) -> T,
) {
    let len = g.len();
    let (va, vb) = (&va[..len], &vb[..len]);
    if a == b {
        // One operand (`x·x`): one value for both partials, so that equal contributions are
        // computed once.
        for ((dst, &gk), &x) in adj[a..a + len].iter_mut().zip(g).zip(va) {
            *dst = first(*dst, ASSIGN_A) + ca(gk, x) + cb(gk, x);
        }
        return;
    }
    let (da, db) = two_ranges(adj, a, b, len);
    for ((((da, db), &gk), &xa), &xb) in da.iter_mut().zip(db).zip(g).zip(va).zip(vb) {
        *da = first(*da, ASSIGN_A) + ca(gk, xb);
        *db = first(*db, ASSIGN_B) + cb(gk, xa);
    }
}

/// True if an adjoint in slots `a..a + len` or `b..b + len` has a part that is not finite
/// (every NaN among them, and infinities too, for which a run is redone needlessly but rarely).
#[inline(always)]
fn any_non_finite<T: Number>(adj: &[T], a: Slot, b: Slot, len: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    let non_finite = |slots: &[T]| slots.iter().fold(false, |n, &x| n | !is_finite_number(x));
    non_finite(&adj[a..a + len]) || non_finite(&adj[b..b + len])
}

/// Slots `a..a + len` and `b..b + len` of `slots`, which do not overlap.
#[inline(always)]
pub(crate) fn two_ranges<T>(
    slots: &mut [T],
    a: usize,
    b: usize,
    len: usize,
) -> (&mut [T], &mut [T]) {
    let (low, high) = slots.split_at_mut(a.max(b));
    let (low, high) = (&mut low[a.min(b)..a.min(b) + len], &mut high[..len]);
    if a < b {
        (low, high)
    } else {
        (high, low)
    }
}

/// The value of `slot`, in `head` (below the run, which starts at slot `first`) or in the
/// run's own outputs `out`.
#[inline(always)]
fn value_at<T: Copy>(head: &[T], out: &[T], first: usize, slot: Slot) -> T {
    let s = slot as usize;
    if s < first {
        head[s]
    } else {
        out[s - first]
    }
}

/// An adjoint `g` times a partial `d` by the strong-zero rule (as the tape's sweep): a zero
/// adjoint contributes nothing, and a zero partial contributes exactly zero also to an infinite
/// or NaN adjoint.
#[inline(always)]
pub(crate) fn contribution<T: Number>(g: T, d: T) -> T {
    if g.is_identically_zero() {
        T::zero()
    } else if g.has_finite_nonzero_primal() {
        g * d
    } else {
        g.strong_zero_mul(d)
    }
}

/// A [`Shape::Slices`] run's values: `out[k] = kind(a + k·a_step, b + k·b_step)`.
#[inline(always)]
fn slices_forward<T: SliceNumber>(
    kind: SliceKind,
    head: &[T],
    a: (Slot, u32),
    b: (Slot, u32),
    out: &mut [T],
) {
    match kind {
        SliceKind::Add => binary(head, a, b, out, |x, y| x + y),
        SliceKind::Sub => binary(head, a, b, out, |x, y| x - y),
        SliceKind::Mul => binary(head, a, b, out, |x, y| x.product(y)),
        SliceKind::AddConst(c) => unary(head, a, out, |x| x + c),
        SliceKind::ConstSub(c) => unary(head, a, out, |x| -x + c),
        SliceKind::MulConst(c) => unary(head, a, out, |x| x * c),
        SliceKind::Neg => unary(head, a, out, |x| -x),
    }
}

#[inline(always)]
fn binary<T: Copy>(
    head: &[T],
    (a, sa): (Slot, u32),
    (b, sb): (Slot, u32),
    out: &mut [T],
    f: impl Fn(T, T) -> T,
) {
    let (a, b, len) = (a as usize, b as usize, out.len());
    match (sa, sb) {
        (1, 1) => {
            for ((o, &x), &y) in out.iter_mut().zip(&head[a..a + len]).zip(&head[b..b + len]) {
                *o = f(x, y);
            }
        }
        (1, _) => {
            let y = head[b];
            for (o, &x) in out.iter_mut().zip(&head[a..a + len]) {
                *o = f(x, y);
            }
        }
        (_, 1) => {
            let x = head[a];
            for (o, &y) in out.iter_mut().zip(&head[b..b + len]) {
                *o = f(x, y);
            }
        }
        _ => {
            let (x, y) = (head[a], head[b]);
            for o in out.iter_mut() {
                *o = f(x, y);
            }
        }
    }
}

#[inline(always)]
fn unary<T: Copy>(head: &[T], (a, sa): (Slot, u32), out: &mut [T], f: impl Fn(T) -> T) {
    let (a, len) = (a as usize, out.len());
    if sa == 1 {
        for (o, &x) in out.iter_mut().zip(&head[a..a + len]) {
            *o = f(x);
        }
    } else {
        let x = head[a];
        for o in out.iter_mut() {
            *o = f(x);
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

//! [`DualPlanes`]: the interpreter on dual numbers `x + ẋε` for Hessian–vector products, with
//! every buffer of duals stored as two planes of `f64` — values and tangents, adjoints and
//! their tangents — instead of one slice of `Dual<f64>`.
//!
//! The arithmetic is `Dual<f64>`'s, bit for bit, and the schedule is [`Scratch`]'s: instructions
//! interpreted one by one read and write their duals through the planes, and the slice and scan
//! runs are loops over the planes. In that layout a loop over a slice of duals is a loop over
//! slices of `f64` that the compiler vectorises like the gradient's (a slice of `Dual<f64>`
//! interleaves the two parts, and its products do not vectorise).
//!
//! [`Scratch`]: super::evaluate::Scratch

use super::code::Code;
use super::evaluate::{contribution, first, two_ranges};
use super::first_writes::one_loop;
use super::guards::{Guard, GuardFailure, Operand};
use super::ops::{Slot, NO_SLOT};
use super::runs::{Shape, SliceKind};
use super::slice_number::SliceNumber;
use diffprog_dual::{Dual, Number, Scalar};

/// The Hessian–vector product's buffers, reused between calls.
#[derive(Clone, Debug, Default)]
pub(crate) struct DualPlanes {
    values: Vec<f64>,
    tangents: Vec<f64>,
    partials: Vec<[Dual<f64>; 2]>,
    adjoints: Vec<f64>,
    adjoint_tangents: Vec<f64>,
}

/// Two planes of duals, read as duals.
#[derive(Clone, Copy)]
struct Pair<'a> {
    re: &'a [f64],
    eps: &'a [f64],
}

impl<'a> Pair<'a> {
    #[inline(always)]
    fn at(&self, i: usize) -> Dual<f64> {
        Dual::new(self.re[i], self.eps[i])
    }

    /// Slots `s..s + len` of both planes.
    #[inline(always)]
    fn range(self, s: usize, len: usize) -> Pair<'a> {
        Pair {
            re: &self.re[s..s + len],
            eps: &self.eps[s..s + len],
        }
    }
}

impl DualPlanes {
    /// Evaluates the program at the duals `x + vε` with the partials of the instructions
    /// interpreted one by one, then checks the guards.
    pub(crate) fn forward(
        &mut self,
        code: &Code,
        x: &[f64],
        v: &[f64],
    ) -> Result<(), GuardFailure> {
        let n = code.n_inputs;
        // Every slot is written before it is read: no zero-filling once the buffers have their
        // size.
        self.values.resize(code.slots(), 0.0);
        self.tangents.resize(code.slots(), 0.0);
        self.values[..n].copy_from_slice(x);
        self.tangents[..n].copy_from_slice(v);
        self.partials.resize(code.ops.len(), [Dual::zero(); 2]);
        for run in &code.runs {
            let (start, len) = (run.start as usize, run.len as usize);
            let (re, re_out) = self.values.split_at_mut(n + start);
            let (eps, eps_out) = self.tangents.split_at_mut(n + start);
            let (re_out, eps_out) = (&mut re_out[..len], &mut eps_out[..len]);
            let head = Pair { re, eps };
            match run.shape {
                Shape::Each => {
                    for k in start..start + len {
                        let first = n + start;
                        let at = |s: Slot| {
                            let s = s as usize;
                            if s < first {
                                head.at(s)
                            } else {
                                Dual::new(re_out[s - first], eps_out[s - first])
                            }
                        };
                        let [a, b] = code.reads[k];
                        let (value, d0, d1) = code.ops[k].evaluate(at(a), at(b));
                        (re_out[k - start], eps_out[k - start]) = (value.re, value.eps);
                        self.partials[k] = [d0, d1];
                    }
                }
                Shape::Slices {
                    kind,
                    a,
                    a_step,
                    b,
                    b_step,
                } => {
                    let operands = ((a as usize, a_step), (b as usize, b_step));
                    slices_forward(kind, head, operands, (re_out, eps_out));
                }
                Shape::Scan { a, b } => {
                    let (a, b) = (a as usize, b as usize);
                    let (mut sum_re, mut sum_eps) = (re[a], eps[a]);
                    let terms = re[b..b + len].iter().zip(&eps[b..b + len]);
                    let out = re_out.iter_mut().zip(eps_out.iter_mut());
                    for ((o_re, o_eps), (&t_re, &t_eps)) in out.zip(terms) {
                        sum_re += t_re;
                        sum_eps += t_eps;
                        (*o_re, *o_eps) = (sum_re, sum_eps);
                    }
                }
            }
        }
        match Guard::first_failing(&code.guards, &self.values) {
            None => Ok(()),
            Some(failing) => Err(GuardFailure::new(&code.guards, failing, n, x)),
        }
    }

    /// The value of output `j` after [`forward`](Self::forward).
    pub(crate) fn output(&self, code: &Code, j: usize) -> Dual<f64> {
        match code.outputs[j] {
            Operand::Slot(s) => Dual::new(self.values[s as usize], self.tangents[s as usize]),
            Operand::Constant(c) => Dual::constant(c),
        }
    }

    /// The adjoint sweep seeded with `1 + 0ε` on the (single) output; the inputs' adjoints are
    /// then the gradient and their tangents `∇²f·v`.
    pub(crate) fn reverse(&mut self, code: &Code) -> (&[f64], &[f64]) {
        let n = code.n_inputs;
        // Only the slots no slice loop writes first need zeros (see `first_writes`).
        for plane in [&mut self.adjoints, &mut self.adjoint_tangents] {
            plane.resize(code.slots(), 0.0);
            for &(from, to) in &code.first_writes.zeroed {
                plane[from..to].fill(0.0);
            }
        }
        for o in &code.outputs {
            if let Operand::Slot(s) = *o {
                self.adjoints[s as usize] += 1.0;
                self.adjoint_tangents[s as usize] += 0.0;
            }
        }
        let values = Pair {
            re: &self.values,
            eps: &self.tangents,
        };
        for (run, &[assign_a, assign_b]) in code.runs.iter().zip(&code.first_writes.assign).rev() {
            let (start, len) = (run.start as usize, run.len as usize);
            let (re, re_g) = self.adjoints.split_at_mut(n + start);
            let (eps, eps_g) = self.adjoint_tangents.split_at_mut(n + start);
            let g = Pair {
                re: &re_g[..len],
                eps: &eps_g[..len],
            };
            match run.shape {
                Shape::Each => {
                    for k in (start..start + len).rev() {
                        let first = n + start;
                        let g = Dual::new(re_g[k - start], eps_g[k - start]);
                        let [p0, p1] = code.parents[k];
                        if g.is_identically_zero() || p0 == NO_SLOT {
                            continue;
                        }
                        let [d0, d1] = self.partials[k];
                        for (p, d) in [(p0, d0), (p1, d1)] {
                            if p == NO_SLOT {
                                continue;
                            }
                            let c = contribution(g, d);
                            let p = p as usize;
                            if p < first {
                                (re[p], eps[p]) = (re[p] + c.re, eps[p] + c.eps);
                            } else {
                                re_g[p - first] += c.re;
                                eps_g[p - first] += c.eps;
                            }
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
                    let targets = (
                        (a as usize, a_step, assign_a),
                        (b as usize, b_step, assign_b),
                    );
                    slices_reverse(kind, (re, eps), g, values, targets);
                }
                Shape::Scan { a, b } => {
                    let (a, b) = (a as usize, b as usize);
                    let partial_sums_zero =
                        (0..len - 1).fold(true, |all, k| all & g.at(k).is_identically_zero());
                    if partial_sums_zero {
                        // As `Scratch`'s: every output's adjoint is the last one's.
                        let last = g.at(len - 1) + Dual::zero();
                        let terms = [
                            (&mut re[b..b + len], last.re),
                            (&mut eps[b..b + len], last.eps),
                        ];
                        for (plane, add) in terms {
                            if assign_a {
                                plane.fill(0.0 + add);
                            } else {
                                plane.iter_mut().for_each(|dst| *dst += add);
                            }
                        }
                        (re[a], eps[a]) = (re[a] + last.re, eps[a] + last.eps);
                    } else {
                        let mut carry = Dual::zero();
                        for k in (0..len).rev() {
                            let gk = g.at(k) + carry;
                            let t = b + k;
                            re[t] = first(re[t], assign_a) + gk.re;
                            eps[t] = first(eps[t], assign_a) + gk.eps;
                            carry = gk;
                        }
                        (re[a], eps[a]) = (re[a] + carry.re, eps[a] + carry.eps);
                    }
                }
            }
        }
        (&self.adjoints[..n], &self.adjoint_tangents[..n])
    }
}

/// A slice run's operands: the first slot and the step (0 or 1) of each.
type Operands = ((usize, u32), (usize, u32));

/// A slice run's scatter targets: the operands' first slots, steps, and whether the run writes
/// them first (see `first_writes`).
type Targets = ((usize, u32, bool), (usize, u32, bool));

/// A slice run's duals, `out[k] = kind(a + k·a_step, b + k·b_step)`.
#[inline(always)]
fn slices_forward(kind: SliceKind, head: Pair, operands: Operands, out: (&mut [f64], &mut [f64])) {
    match kind {
        SliceKind::Add => binary_forward(head, operands, out, |x, y| x + y),
        SliceKind::Sub => binary_forward(head, operands, out, |x, y| x - y),
        SliceKind::Mul => {
            let (re_out, eps_out) = out;
            if !plain_products(head, operands, (re_out, eps_out)) {
                binary_forward(head, operands, (re_out, eps_out), |x, y| x.product(y));
            }
        }
        SliceKind::AddConst(c) => unary_forward(head, operands.0, out, |x| x + c),
        SliceKind::ConstSub(c) => unary_forward(head, operands.0, out, |x| -x + c),
        SliceKind::MulConst(c) => unary_forward(head, operands.0, out, |x| x * c),
        SliceKind::Neg => unary_forward(head, operands.0, out, |x| -x),
    }
}

/// The products of a `Mul` run with both steps 1 by the plain rule, `Dual`'s `*` wherever the
/// tangent `ε₁·b + a·ε₂` is not NaN: true if none is (and the run is done), false to take the
/// strong-zero products instead (other steps, or a `0 · ∞` somewhere in the run).
#[inline(always)]
fn plain_products(
    head: Pair,
    ((a, a_step), (b, b_step)): Operands,
    (re_out, eps_out): (&mut [f64], &mut [f64]),
) -> bool {
    let len = re_out.len();
    if (a_step, b_step) != (1, 1) {
        return false;
    }
    let (x, y) = (head.range(a, len), head.range(b, len));
    let (re_out, eps_out) = (&mut re_out[..len], &mut eps_out[..len]);
    let mut nan = false;
    for k in 0..len {
        let eps = x.eps[k] * y.re[k] + x.re[k] * y.eps[k];
        re_out[k] = x.re[k] * y.re[k];
        eps_out[k] = eps;
        nan |= eps.is_nan();
    }
    !nan
}

/// `out[k] = f(a + k·a_step, b + k·b_step)`: a loop over the planes with both steps 1, else
/// one dual at a time.
#[inline(always)]
fn binary_forward(
    head: Pair,
    ((a, a_step), (b, b_step)): Operands,
    (re_out, eps_out): (&mut [f64], &mut [f64]),
    f: impl Fn(Dual<f64>, Dual<f64>) -> Dual<f64>,
) {
    let len = re_out.len();
    if (a_step, b_step) == (1, 1) {
        let (x, y) = (head.range(a, len), head.range(b, len));
        let (re_out, eps_out) = (&mut re_out[..len], &mut eps_out[..len]);
        for k in 0..len {
            let z = f(x.at(k), y.at(k));
            (re_out[k], eps_out[k]) = (z.re, z.eps);
        }
    } else {
        for k in 0..len {
            let (i, j) = (a + k * a_step as usize, b + k * b_step as usize);
            let z = f(head.at(i), head.at(j));
            (re_out[k], eps_out[k]) = (z.re, z.eps);
        }
    }
}

/// `out[k] = f(a + k·a_step)`.
#[inline(always)]
fn unary_forward(
    head: Pair,
    (a, a_step): (usize, u32),
    (re_out, eps_out): (&mut [f64], &mut [f64]),
    f: impl Fn(Dual<f64>) -> Dual<f64>,
) {
    let len = re_out.len();
    if a_step == 1 {
        let x = head.range(a, len);
        let (re_out, eps_out) = (&mut re_out[..len], &mut eps_out[..len]);
        for k in 0..len {
            let z = f(x.at(k));
            (re_out[k], eps_out[k]) = (z.re, z.eps);
        }
    } else {
        let z = f(head.at(a));
        re_out.fill(z.re);
        eps_out.fill(z.eps);
    }
}

/// A slice run's adjoint sweep: each output's adjoint `g[k]` times its partials into the
/// adjoints of its operands, in `Scratch`'s order (every contribution to operand `a`, then
/// every one to `b`; the two in one loop where that adds the same numbers in the same order
/// per slot).
#[inline(always)]
fn slices_reverse(
    kind: SliceKind,
    adjoints: (&mut [f64], &mut [f64]),
    g: Pair,
    values: Pair,
    targets: Targets,
) {
    match kind {
        SliceKind::Add => binary_reverse(adjoints, g, values, targets, |g, _| g, |g, _| g),
        SliceKind::Sub => binary_reverse(adjoints, g, values, targets, |g, _| g, |g, _| -g),
        SliceKind::Mul => binary_reverse(
            adjoints,
            g,
            values,
            targets,
            |g, x| g.strong_product(x),
            |g, x| g.strong_product(x),
        ),
        SliceKind::AddConst(_) => unary_reverse(adjoints, g, targets.0, |g| g),
        SliceKind::ConstSub(_) | SliceKind::Neg => unary_reverse(adjoints, g, targets.0, |g| -g),
        SliceKind::MulConst(c) => {
            let c = Dual::constant(c);
            unary_reverse(adjoints, g, targets.0, |g| g.strong_product(c))
        }
    }
}

/// Adds `ca(g[k], value b + k·b_step)` into slot `a + k·a_step` for every k, then
/// `cb(g[k], value a + k·a_step)` into slot `b + k·b_step`: in one loop over the planes where
/// [`scatter_pair`] can, else one dual at a time.
#[inline(always)]
fn binary_reverse(
    (re, eps): (&mut [f64], &mut [f64]),
    g: Pair,
    values: Pair,
    ((a, a_step, assign_a), (b, b_step, assign_b)): Targets,
    ca: impl Fn(Dual<f64>, Dual<f64>) -> Dual<f64>,
    cb: impl Fn(Dual<f64>, Dual<f64>) -> Dual<f64>,
) {
    let len = g.re.len();
    if (a_step, b_step) == (1, 1) && one_loop(a, b, len) {
        let (va, vb) = (values.range(a, len), values.range(b, len));
        let planes = (re, eps);
        match (assign_a, assign_b) {
            (false, false) => scatter_pair::<false, false>(planes, (a, b), g, (va, vb), &ca, &cb),
            (true, false) => scatter_pair::<true, false>(planes, (a, b), g, (va, vb), &ca, &cb),
            (false, true) => scatter_pair::<false, true>(planes, (a, b), g, (va, vb), &ca, &cb),
            (true, true) => scatter_pair::<true, true>(planes, (a, b), g, (va, vb), &ca, &cb),
        }
        return;
    }
    let (a_step, b_step) = (a_step as usize, b_step as usize);
    for k in 0..len {
        let c = ca(g.at(k), values.at(b + k * b_step));
        let t = a + k * a_step;
        re[t] = first(re[t], assign_a) + c.re;
        eps[t] = first(eps[t], assign_a) + c.eps;
    }
    for k in 0..len {
        let c = cb(g.at(k), values.at(a + k * a_step));
        let t = b + k * b_step;
        re[t] = first(re[t], assign_b) + c.re;
        eps[t] = first(eps[t], assign_b) + c.eps;
    }
}

/// Adds `c(g[k])` into slot `a + k·a_step` for every k.
#[inline(always)]
fn unary_reverse(
    (re, eps): (&mut [f64], &mut [f64]),
    g: Pair,
    (a, a_step, assign): (usize, u32, bool),
    c: impl Fn(Dual<f64>) -> Dual<f64>,
) {
    let len = g.re.len();
    if a_step == 1 {
        let planes = (&mut re[a..a + len], &mut eps[a..a + len]);
        if assign {
            unary_loop::<true>(planes, g, c);
        } else {
            unary_loop::<false>(planes, g, c);
        }
    } else {
        let mut sum = Dual::new(re[a], eps[a]);
        for k in 0..len {
            sum += c(g.at(k));
        }
        (re[a], eps[a]) = (sum.re, sum.eps);
    }
}

/// Adds (with `ASSIGN`: stores `0 +`) `c(g[k])` into slot `k` of the planes.
#[inline(always)]
fn unary_loop<const ASSIGN: bool>(
    (re, eps): (&mut [f64], &mut [f64]),
    g: Pair,
    c: impl Fn(Dual<f64>) -> Dual<f64>,
) {
    let len = g.re.len();
    let (re, eps) = (&mut re[..len], &mut eps[..len]);
    for k in 0..len {
        let d = c(g.at(k));
        re[k] = first(re[k], ASSIGN) + d.re;
        eps[k] = first(eps[k], ASSIGN) + d.eps;
    }
}

/// `Scratch`'s `scatter_both` on planes: both operands' contributions in one loop, for targets
/// that are the same slots or disjoint ([`one_loop`]).
#[inline(always)]
fn scatter_pair<const ASSIGN_A: bool, const ASSIGN_B: bool>(
    (re, eps): (&mut [f64], &mut [f64]),
    (a, b): (usize, usize),
    g: Pair,
    (va, vb): (Pair, Pair),
    ca: &impl Fn(Dual<f64>, Dual<f64>) -> Dual<f64>,
    cb: &impl Fn(Dual<f64>, Dual<f64>) -> Dual<f64>,
) {
    let len = g.re.len();
    if a == b {
        // One operand (`x·x`): one value for both partials, so that equal contributions are
        // computed once.
        let (dst_re, dst_eps) = (&mut re[a..a + len], &mut eps[a..a + len]);
        for k in 0..len {
            let (gk, v) = (g.at(k), va.at(k));
            let (x, y) = (ca(gk, v), cb(gk, v));
            dst_re[k] = first(dst_re[k], ASSIGN_A) + x.re + y.re;
            dst_eps[k] = first(dst_eps[k], ASSIGN_A) + x.eps + y.eps;
        }
        return;
    }
    let ((a_re, b_re), (a_eps, b_eps)) = (two_ranges(re, a, b, len), two_ranges(eps, a, b, len));
    for k in 0..len {
        let gk = g.at(k);
        let (x, y) = (ca(gk, vb.at(k)), cb(gk, va.at(k)));
        a_re[k] = first(a_re[k], ASSIGN_A) + x.re;
        a_eps[k] = first(a_eps[k], ASSIGN_A) + x.eps;
        b_re[k] = first(b_re[k], ASSIGN_B) + y.re;
        b_eps[k] = first(b_eps[k], ASSIGN_B) + y.eps;
    }
}

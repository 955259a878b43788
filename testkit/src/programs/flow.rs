//! The chain rule's flow through a program, term by term, to find the sums whose order decides
//! a NaN/∞ pattern.
//!
//! Every mode sums the chain rule's terms (path products of local partials) in its own order:
//! forward mode per operation over its operands, reverse mode per operation over its users, the
//! tape's preaccumulation in between, and the second-order modes in theirs. With the strong-zero
//! rule the modes agree on which derivatives are finite, ±∞ or NaN, except at a sum of finite
//! coefficients of both signs in front of a common infinite or NaN factor X: grouped, the sum
//! comes first (a cancelled 0 times X is 0 by the rule; a non-zero sum times ∞ is ±∞), while
//! distributed, X multiplies each term (∞ − ∞ = NaN). See `diffprog::dual`'s crate docs,
//! "Non-finite values".
//!
//! [`flow`] takes the program's elementary operations from the mixed mode's second-order tape
//! (`diffprog::reverse::second_order_tape`: one record per operation, with its first and second
//! partials from the rule table) and runs the first- and second-order sums forward (as forward
//! mode and the hyperdual numbers do) and backward (as reverse and forward-over-reverse do) with
//! the strong-zero product, in lockstep on the tape as recorded and on its *shadow*, in which
//! every infinite or NaN partial is replaced by ±1 and the part of every quantity that came
//! through such a partial is kept apart from the rest. A sum is ambiguous when the parts of its
//! terms that came through infinite or NaN values (those that can share a factor X) have both
//! signs: either order can be the one that groups them. (The other orders meet the same sums:
//! a cancelled sum met by an infinity later in one direction shows up in the other direction as
//! infinite terms of both signs.) A sum of finite terms that cancels to rounding noise leaves
//! only the class of the result comparable.
//!
//! But for one arrangement, which neither direction sees: an infinite or NaN partial `X` on an
//! edge `u → v` between two sums that cancel to exactly zero, one on each side. A derivative
//! `∂y/∂x` through that edge is `T·X·A`, where `T = Σₐ tₐ` sums the paths from x to u and
//! `A = Σ_b a_b` the paths from v to y. With `T = 0` and `A = 0` by cancellation (terms of
//! both signs), forward mode groups `T` first (`0·X = 0` by the strong-zero rule: every later
//! tangent is 0) and reverse mode groups `A` first (`X·0 = 0`: every earlier adjoint is 0), so
//! both sweeps followed here meet only strong zeros, not terms of both signs. The tape's
//! preaccumulation distributes on both sides: it multiplies `X` into each entry of u's
//! operation (`tₐ·X`) and adds the entries of v's users on the same record (`X·a₁ + X·a₂`),
//! so it sums `Σₐ Σ_b tₐ·X·a_b`, which is NaN (`∞ − ∞`, or NaN itself). (`tanh(x − (0·∞ + x))`
//! used twice as `t − t`, at x = 0: forward mode 0, reverse mode NaN.) Each quantity therefore
//! notes whether it is such a zero, and [`between`] looks for an infinite or NaN partial with
//! one on each side.

use super::eval::{eval, outputs, scalar};
use super::program::Program;
use diffprog::reverse::{second_order_tape, SecondOrderRecord};
use diffprog::Number;

/// Terms beyond this magnitude may overflow in one order of multiplication and not in another
/// (`f″·(u₁·u₂)` against `(f″·u₁)·u₂`): derivatives summed from them are not compared.
///
/// A rule's partial can itself be beyond `f64::MAX` while its exact value, and the products the
/// other modes form, are finite: the quotient `q = a/d` stores `∂q/∂d = −q·(1/d)` on the tapes
/// (reverse mode, `reverse::hessian`), which overflows for `|q| > f64::MAX·|d|`, while forward
/// mode and the hyper-dual numbers form `(q·ḋ)·(1/d)`. The tape then carries ±∞ where the
/// exact term is finite (at `a = −1.09·10³⁰⁸`, `d = 0.74`: reverse mode +∞, forward mode
/// 8.4·10³⁰⁷, and after a ∛ of the quotient +∞ against 10¹⁰²), and the sums followed here see
/// that ±∞ as a genuine infinity. Such a partial is a term beyond this range that the sums do
/// not show: the evaluator notes it (`eval::Trace::quotient_overflow`, by order), and the
/// derivatives of that order are not compared either.
const OVERFLOW_RANGE: f64 = 1e150;

/// The mirror image: a product of two non-zero finite factors below this magnitude (the smallest
/// normal number) has lost digits or underflowed to zero, and may do so in one order of
/// multiplication and not in another (`u₁·u₂` underflows to 0, so `f″·(u₁·u₂)` is 0 by the
/// strong-zero rule where `f″` is infinite, while `(f″·u₁)·u₂` is ∞): derivatives of the order
/// whose sums have such a product are not compared.
const UNDERFLOW_RANGE: f64 = f64::MIN_POSITIVE;

/// A sum of finite terms whose result is below this fraction of the terms' magnitudes has
/// cancelled to rounding noise. (Far above rounding, to catch the cancellations that one order
/// rounds to exactly zero and another to a few ulps.)
const CANCELLED: f64 = 1e-8;

/// What the sums of one derivative allow comparing across modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Comparable {
    /// Class and value.
    #[default]
    Fully,
    /// The class only: a finite sum cancelled, so the value is rounding noise.
    Class,
    /// Nothing, between two ways of evaluating the rules' second partials: where a tangent is
    /// infinite (see [`Flow::second_order_across_seedings`]), or where a rule's mixed partial
    /// depends on the order of differentiation (see [`Flow::second_order_across_orders`]).
    OtherSeeding,
    /// Nothing: an ambiguous sum met an infinity or a NaN (see the module docs).
    No,
}

/// What [`flow`] found, per derivative.
#[derive(Clone, Debug, Default)]
pub struct Flow {
    /// Per input: the worst of the forward tangent sums along it.
    pub input: Vec<Comparable>,
    /// Per output: the worst of the adjoint sums of its backward sweep.
    pub output: Vec<Comparable>,
    /// The worst of the adjoint sums of the backward sweep of the outputs' sum.
    pub sum: Comparable,
    /// The worst of the second-order sums.
    pub second: Comparable,
    /// Some local partial, tangent or adjoint, of first or second order, is infinite or NaN.
    pub nonfinite: bool,
    /// Some first-order tangent is infinite or NaN (see
    /// [`Flow::second_order_across_seedings`]).
    pub nonfinite_tangent: bool,
    /// Some operation has finite first partials and an infinite or NaN second partial: its
    /// second partials overflowed inside the rule (see [`Flow::second_order_across_seedings`]).
    pub rule_overflow: bool,
    /// The largest finite term of a first-order sum: the scale of the rounding of any
    /// first-order derivative, whatever its own magnitude after cancellations.
    pub first_terms: f64,
    /// The largest finite term of a second-order sum.
    pub second_terms: f64,
    /// Some product of a first-order sum underflowed (see [`UNDERFLOW_RANGE`]).
    pub first_underflow: bool,
    /// Some product of a second-order sum underflowed.
    pub second_underflow: bool,
    /// Per output, per input: `No` where an infinite or NaN partial sits between a tangent and
    /// an adjoint that both cancelled to zero (see the module docs and [`between`]).
    pub between: Vec<Vec<Comparable>>,
    /// Per input: the same for the backward sweep of the outputs' sum.
    pub between_sum: Vec<Comparable>,
    /// `[first order, second order]`: some quotient's partial of that order overflowed as the
    /// tapes store it, although its exact value is finite (see [`OVERFLOW_RANGE`]).
    pub quotient_overflow: [bool; 2],
    /// Some rule's mixed second partial differs in class between the two orders of
    /// differentiation (see [`Flow::second_order_across_orders`]).
    pub mixed_order: bool,
}

impl Flow {
    /// `No` where terms reach the overflow range, or a product underflowed or a partial
    /// overflowed (`out_of_range`).
    fn range(terms: f64, out_of_range: bool) -> Comparable {
        if terms > OVERFLOW_RANGE || out_of_range {
            Comparable::No
        } else {
            Comparable::Fully
        }
    }
    /// ∂(output sum)/∂xᵢ.
    pub fn gradient(&self, i: usize) -> Comparable {
        self.input[i]
            .max(self.sum)
            .max(self.between_sum[i])
            .max(self.first_range())
    }
    /// ∂yⱼ/∂xᵢ.
    pub fn jacobian(&self, j: usize, i: usize) -> Comparable {
        self.input[i]
            .max(self.output[j])
            .max(self.between[j][i])
            .max(self.first_range())
    }
    /// Every first-order derivative (for sums of them, such as `wᵀJ`).
    pub fn first_order(&self) -> Comparable {
        let worst = |v: &[Comparable]| v.iter().copied().max().unwrap_or_default();
        worst(&self.input)
            .max(worst(&self.output))
            .max(self.sum)
            .max(worst(&self.between_sum))
            .max(
                self.between
                    .iter()
                    .map(|b| worst(b))
                    .max()
                    .unwrap_or_default(),
            )
            .max(self.first_range())
    }
    /// Every second derivative.
    pub fn second_order(&self) -> Comparable {
        self.first_order().max(self.second).max(Self::range(
            self.second_terms,
            self.second_underflow || self.quotient_overflow[1],
        ))
    }
    /// [`Flow::range`] of the first-order sums.
    fn first_range(&self) -> Comparable {
        Self::range(
            self.first_terms,
            self.first_underflow || self.quotient_overflow[0],
        )
    }
    /// Every second derivative, between a mode that evaluates each rule's second partials at
    /// unit tangents and multiplies them by the tangents afterwards (`reverse::hessian`'s tape,
    /// the hyperdual drivers' `HyperDualVec`/`ArenaHyperDual`) and one that evaluates the rule
    /// on the tangents themselves (forward over reverse: `hessian_chunked`, the HVP). Where a
    /// tangent is infinite, a rule whose own derivative sums terms that cancel (hypot's
    /// ∂(y/h)/∂y = (h − y·y/h)/h², zero at x = 0) gives 0 · ∞ = 0 in the first way and
    /// ∞ − ∞ = NaN in the second: the rule's inside is a sum this analysis does not see. The
    /// same holds where a rule's second partials overflow although its first partials are
    /// finite (hypot at a subnormal distance from the origin: `h²` underflows, so the rule's
    /// derivative meets 0/0 or ∞ inside, and what comes out depends on the tangents it is
    /// evaluated with).
    ///
    /// And where a rule's mixed partial depends on the order of differentiation (see
    /// [`Flow::second_order_across_orders`]): forward over reverse takes one order per column
    /// (the HVP) or averages both (`hessian_chunked`).
    pub fn second_order_across_seedings(&self) -> Comparable {
        if self.nonfinite_tangent || self.rule_overflow || self.mixed_order {
            Comparable::OtherSeeding.max(self.second_order())
        } else {
            self.second_order()
        }
    }
    /// Every second derivative, between the second-order tape (`reverse::hessian`) and the
    /// hyper-dual drivers. Both take a rule's second partials at unit tangents, but not its mixed
    /// partial in the same order of differentiation: the tape stores one, `∂(∂g/∂a)/∂b`, for
    /// both orders of the inputs (`h₀₁`), while the hyper-dual numbers multiply the product of
    /// a's ε₁ part and b's ε₂ part by `∂(∂g/∂b)/∂a` (and the other product by the other order), so
    /// which one an entry `H[i, j]` gets depends on which argument depends on the lower index.
    /// Where g is smooth the two are equal. Where the rule's second partials overflow or meet
    /// `0/0` inside it they can differ in class (atan2 at y = 1.9·10⁻³¹³, x = 0: `+∞` one way,
    /// NaN the other; the exact value `1/y²` is beyond `f64::MAX`), and the evaluator notes that
    /// (`eval::Trace::mixed_order`): there these two are not compared.
    pub fn second_order_across_orders(&self) -> Comparable {
        if self.mixed_order {
            Comparable::OtherSeeding.max(self.second_order())
        } else {
            self.second_order()
        }
    }
}

/// A sum of terms, and whether it is ambiguous (see the module docs): finite terms that cancel
/// to (nearly) zero, or +∞ and −∞ among the terms. (For sums that `flow` does not see, such as
/// a test's own sum over a Jacobian's rows.)
pub fn sum_terms(terms: &[f64]) -> (f64, bool) {
    let (mut sum, mut magnitude, mut nonzero) = (0.0, 0.0, 0);
    let (mut plus_infinity, mut minus_infinity) = (false, false);
    for &t in terms {
        sum += t;
        plus_infinity |= t == f64::INFINITY;
        minus_infinity |= t == f64::NEG_INFINITY;
        if t != 0.0 {
            magnitude += t.abs();
            nonzero += 1;
        }
    }
    let cancelled = (nonzero >= 2 && magnitude.is_finite() && sum.abs() <= CANCELLED * magnitude)
        || (plus_infinity && minus_infinity);
    (sum, cancelled)
}

/// A quantity of the sums (a partial, a tangent, an adjoint, a term): its value as recorded, and
/// its shadow split in two: `shared`, the part that comes through an infinite or NaN value
/// (which the other orders may factor out), and `finite`, the rest; whether a product on its
/// way underflowed (see [`UNDERFLOW_RANGE`]); and whether it is a *cancelled zero*: exactly 0
/// as summed here, but a sum of non-zero terms of both signs in another order (a sum of finite
/// terms of both signs that cancelled exactly, or such a zero times non-zero factors, finite or
/// not: the strong-zero product hides `0·X`, the distributed order does not).
#[derive(Clone, Copy, Debug, Default)]
struct Term {
    real: f64,
    shared: f64,
    finite: f64,
    underflow: bool,
    cancelled: bool,
}

impl Term {
    /// A local partial: its shadow is ±1 (1 for NaN) in `shared` where it is infinite or NaN.
    fn partial(v: f64) -> Term {
        if v.is_finite() {
            Term {
                real: v,
                shared: 0.0,
                finite: v,
                underflow: false,
                cancelled: false,
            }
        } else {
            let stand_in = if v.is_nan() { 1.0 } else { v.signum() };
            Term {
                real: v,
                shared: stand_in,
                finite: 0.0,
                underflow: false,
                cancelled: false,
            }
        }
    }
    /// A seed (an input's tangent or an output's adjoint): 1.
    fn one() -> Term {
        Term::partial(1.0)
    }
    /// A non-finite value whose shadow has no shared part came from overflow: all of it is
    /// shared. An infinite value's shared part has its sign (a sum whose infinite term decides
    /// its sign, `∞ + (−5)`, may have a shadow of the other sign, `1 + (−5)`).
    fn faithful(self) -> Term {
        let mut t = self;
        if !t.real.is_finite() && t.shared == 0.0 {
            t.shared = if t.finite != 0.0 { t.finite } else { 1.0 };
            t.finite = 0.0;
        }
        if t.real.is_infinite() && t.real.signum() != t.shared.signum() {
            t.shared = t.real.signum() * t.shared.abs().max(1.0);
        }
        t
    }
}

/// The largest finite magnitude among the recorded values of `terms`.
fn largest(terms: &[Term]) -> f64 {
    terms
        .iter()
        .map(|t| t.real)
        .filter(|v| v.is_finite())
        .fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// The sum of `terms`, and how far it lets its result be compared: not at all where the shared
/// parts of its terms have both signs (an infinite or NaN factor the terms may share, which
/// another order factors out), the class only where finite terms cancel to rounding noise.
fn judge(terms: &[Term]) -> (Term, Comparable) {
    let real: Vec<f64> = terms.iter().map(|t| t.real).collect();
    let (sum, _) = sum_terms(&real);
    let positive = terms.iter().any(|t| t.shared > 0.0);
    let negative = terms.iter().any(|t| t.shared < 0.0);
    let nonfinite = real.iter().any(|v| !v.is_finite());
    let (mut magnitude, mut nonzero) = (0.0, 0);
    for &v in &real {
        if v != 0.0 {
            magnitude += v.abs();
            nonzero += 1;
        }
    }
    let how = if positive && negative {
        Comparable::No
    } else if !nonfinite && nonzero >= 2 && sum.abs() <= CANCELLED * magnitude {
        Comparable::Class
    } else {
        Comparable::Fully
    };
    let both_signs = real.iter().any(|&v| v.is_finite() && v > 0.0)
        && real.iter().any(|&v| v.is_finite() && v < 0.0);
    let total = Term {
        real: sum,
        shared: terms.iter().map(|t| t.shared).sum(),
        finite: terms.iter().map(|t| t.finite).sum(),
        underflow: underflowed(terms),
        cancelled: sum == 0.0 && (both_signs || terms.iter().any(|t| t.cancelled)),
    };
    (total.faithful(), how)
}

/// The chain rule's product (strong zeros): a shared part times anything stays shared.
fn product(a: Term, b: Term) -> Term {
    let s = |x: f64, y: f64| x.strong_zero_mul(y);
    let tiny = |x: f64, y: f64| {
        x != 0.0 && y != 0.0 && x.is_finite() && y.is_finite() && (x * y).abs() < UNDERFLOW_RANGE
    };
    let real = s(a.real, b.real);
    Term {
        real,
        shared: s(a.shared, b.shared) + s(a.shared, b.finite) + s(a.finite, b.shared),
        finite: s(a.finite, b.finite),
        underflow: a.underflow || b.underflow || tiny(a.real, b.real),
        cancelled: real == 0.0
            && ((a.cancelled && b.real != 0.0) || (b.cancelled && a.real != 0.0)),
    }
    .faithful()
}

/// True if a product on the way to one of `terms` underflowed.
fn underflowed(terms: &[Term]) -> bool {
    terms.iter().any(|t| t.underflow)
}

/// The used parent slots of a record: `(slot, parent)`.
fn parents(r: &SecondOrderRecord) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..2)
        .filter(move |&k| r.parents[k] != 0)
        .map(move |k| (k, r.parents[k] as usize))
}

/// ∂/∂(slot a) of a record.
fn first(r: &SecondOrderRecord, a: usize) -> Term {
    Term::partial(r.d[a])
}

/// ∂²/∂(slot a)∂(slot b) of a record.
fn second(r: &SecondOrderRecord, a: usize, b: usize) -> Term {
    Term::partial(r.h[a + b])
}

/// Whether ∂²/∂(slot a)∂(slot b) of a record is rounding noise around an exact zero: non-zero,
/// but below [`CANCELLED`] times the record's largest finite second partial (atan2's
/// ∂²/∂y∂x = (x² − y²)/(x² + y²)², zero where |y| = |x|, comes out of the rule as a few ulps of
/// either sign). Its sign, and whether it is exactly zero, depend on how the rule is evaluated
/// (on unit tangents, on the tangents themselves, on hyper-dual numbers): multiplied by an
/// infinite or NaN factor it gives +∞, −∞ or (by the strong-zero rule) 0 depending on the mode.
fn rounding_noise(r: &SecondOrderRecord, a: usize, b: usize) -> bool {
    let h = r.h[a + b];
    let scale =
        r.h.iter()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
    h != 0.0 && h.is_finite() && h.abs() <= CANCELLED * scale
}

/// Whether a factor is infinite or NaN, or came through such a value.
fn nonfinite(t: Term) -> bool {
    !t.real.is_finite() || t.shared != 0.0
}

/// Follows the chain rule's sums of `p` at `x` (see the module docs).
pub fn flow(p: &Program, x: &[f64]) -> Flow {
    let n = x.len();
    let m = p.outputs.len();
    let mut result = Flow {
        input: vec![Comparable::Fully; n],
        output: vec![Comparable::Fully; m],
        between: vec![vec![Comparable::Fully; n]; m],
        between_sum: vec![Comparable::Fully; n],
        ..Flow::default()
    };
    let (_, trace) = eval::<f64>(p, x);
    result.quotient_overflow = trace.quotient_overflow;
    result.mixed_order = trace.mixed_order;
    let (tape, output) = second_order_tape(|v| scalar(p, v), x);
    let mut tangent = Vec::new();
    if let Some(output) = output {
        result.nonfinite = tape
            .iter()
            .any(|r| r.d.iter().chain(&r.h).any(|v| !v.is_finite()));
        result.rule_overflow = tape
            .iter()
            .any(|r| r.d.iter().all(|v| v.is_finite()) && r.h.iter().any(|v| !v.is_finite()));
        tangent = forward(&tape, n, &mut result);
        let (adjoint, how, terms) = backward(&tape, output, &mut result);
        result.sum = how;
        result.between_sum = between(&tape, &tangent, &adjoint);
        result.first_terms = result.first_terms.max(terms);
        second_order(&tape, n, &tangent, &adjoint, &mut result);
    }
    for j in 0..m {
        let (tape, output) = second_order_tape(|v| outputs(p, v)[j], x);
        if let Some(output) = output {
            let (adjoint, how, terms) = backward(&tape, output, &mut result);
            result.output[j] = how;
            // This tape is the program's, as the outputs' sum's is, without the sum's records:
            // the tangents followed on that one are this one's too.
            result.between[j] = if tangent.len() >= tape.len() {
                between(&tape, &tangent[..tape.len()], &adjoint)
            } else {
                let mut scratch = Flow {
                    input: vec![Comparable::Fully; n],
                    ..Flow::default()
                };
                between(&tape, &forward(&tape, n, &mut scratch), &adjoint)
            };
            result.first_terms = result.first_terms.max(terms);
        }
    }
    result
}

/// The tangents of every record along every input (records 1..=n are the inputs).
#[allow(clippy::needless_range_loop)] // `i` names an input in `tangent` and in `result` alike
fn forward(tape: &[SecondOrderRecord], n: usize, result: &mut Flow) -> Vec<Vec<Term>> {
    let mut tangent = vec![vec![Term::default(); n]; tape.len()];
    for (i, t) in tangent.iter_mut().skip(1).take(n).enumerate() {
        t[i] = Term::one();
    }
    for k in n + 1..tape.len() {
        for i in 0..n {
            let terms: Vec<Term> = parents(&tape[k])
                .map(|(a, q)| product(first(&tape[k], a), tangent[q][i]))
                .collect();
            let (t, how) = judge(&terms);
            result.first_terms = result.first_terms.max(largest(&terms));
            result.first_underflow |= underflowed(&terms);
            tangent[k][i] = t;
            result.input[i] = result.input[i].max(how);
            result.nonfinite |= !t.real.is_finite();
            result.nonfinite_tangent |= !t.real.is_finite();
        }
    }
    tangent
}

/// Per input: `No` where an infinite or NaN partial of a record `k` on its parent `q` has a
/// cancelled zero on each side, the tangent of `q` along the input and the adjoint of `k` (see
/// the module docs). Every order of summation agrees on the terms `tₐ·X·a_b` of the derivative
/// through that edge; forward mode sums `Σₐ tₐ = 0` first and gets `0·X·A = 0`, reverse mode
/// sums `Σ_b a_b = 0` first and gets `T·X·0 = 0`, and the preaccumulating tape sums the products
/// and gets `X·(t₁a₁ + t₁a₂ + t₂a₁ + t₂a₂)` with the `X` distributed: with `X = ±∞` those terms
/// are infinities of both signs, with `X` NaN they are NaN, and the sum is NaN where the other
/// orders have 0. (Where only one side is a cancelled zero, the sweep from that side carries the
/// other side's terms through `X` as shared parts of both signs, and [`judge`] sees them.)
fn between(tape: &[SecondOrderRecord], tangent: &[Vec<Term>], adjoint: &[Term]) -> Vec<Comparable> {
    let n = tangent.first().map_or(0, Vec::len);
    let mut how = vec![Comparable::Fully; n];
    for (k, r) in tape.iter().enumerate().skip(1) {
        if !adjoint[k].cancelled {
            continue;
        }
        for (a, q) in parents(r) {
            if r.d[a].is_finite() {
                continue;
            }
            for (i, t) in tangent[q].iter().enumerate() {
                if t.cancelled {
                    how[i] = Comparable::No;
                }
            }
        }
    }
    how
}

/// The adjoints of every record with respect to record `output`, the worst of the sums, and
/// the largest finite term (noting in `result` what is not finite and what underflowed).
fn backward(
    tape: &[SecondOrderRecord],
    output: usize,
    result: &mut Flow,
) -> (Vec<Term>, Comparable, f64) {
    let mut contributions: Vec<Vec<Term>> = vec![Vec::new(); tape.len()];
    contributions[output].push(Term::one());
    let mut adjoint = vec![Term::default(); tape.len()];
    let (mut worst, mut terms) = (Comparable::Fully, 0.0_f64);
    for k in (1..tape.len()).rev() {
        let (a, how) = judge(&contributions[k]);
        terms = terms.max(largest(&contributions[k]));
        result.first_underflow |= underflowed(&contributions[k]);
        adjoint[k] = a;
        worst = worst.max(how);
        result.nonfinite |= !a.real.is_finite();
        if a.real == 0.0 && a.shared == 0.0 && a.finite == 0.0 && !a.cancelled {
            continue;
        }
        for (slot, q) in parents(&tape[k]) {
            contributions[q].push(product(a, first(&tape[k], slot)));
        }
    }
    (adjoint, worst, terms)
}

/// The second-order sums: forward over forward (∂²v/∂xᵢ∂xⱼ record by record, as the hyperdual
/// numbers sum them) and the second-order adjoints of forward over reverse along each input (as
/// the mixed-mode sweeps sum them).
#[allow(clippy::needless_range_loop)] // `j` names an input direction
fn second_order(
    tape: &[SecondOrderRecord],
    n: usize,
    tangent: &[Vec<Term>],
    adjoint: &[Term],
    result: &mut Flow,
) {
    let len = tape.len();
    let mut t2 = vec![vec![vec![Term::default(); n]; n]; len];
    for k in n + 1..len {
        let r = &tape[k];
        for i in 0..n {
            for j in 0..n {
                let mut terms: Vec<Term> = parents(r)
                    .map(|(a, q)| product(first(r, a), t2[q][i][j]))
                    .collect();
                for (a, qa) in parents(r) {
                    for (b, qb) in parents(r) {
                        let tt = product(tangent[qa][i], tangent[qb][j]);
                        if rounding_noise(r, a, b) && nonfinite(tt) {
                            result.second = Comparable::No;
                        }
                        terms.push(product(second(r, a, b), tt));
                    }
                }
                let (v, how) = judge(&terms);
                result.second_terms = result.second_terms.max(largest(&terms));
                result.second_underflow |= underflowed(&terms);
                t2[k][i][j] = v;
                result.second = result.second.max(how);
                result.nonfinite |= !v.real.is_finite();
            }
        }
    }
    // ȧ(u) = Σ over users v of [∂v/∂u · ȧ(v) + ā(v) · Σ_w ∂²v/∂u∂w · ṫ(w)].
    for j in 0..n {
        let mut contributions: Vec<Vec<Term>> = vec![Vec::new(); len];
        for k in (1..len).rev() {
            let (a2, how) = judge(&contributions[k]);
            result.second_terms = result.second_terms.max(largest(&contributions[k]));
            result.second_underflow |= underflowed(&contributions[k]);
            result.second = result.second.max(how);
            result.nonfinite |= !a2.real.is_finite();
            let r = &tape[k];
            for (a, qa) in parents(r) {
                contributions[qa].push(product(first(r, a), a2));
                for (b, qb) in parents(r) {
                    if rounding_noise(r, a, b)
                        && (nonfinite(adjoint[k]) || nonfinite(tangent[qb][j]))
                    {
                        result.second = Comparable::No;
                    }
                    let curvature = product(second(r, a, b), tangent[qb][j]);
                    contributions[qa].push(product(adjoint[k], curvature));
                }
            }
        }
    }
}

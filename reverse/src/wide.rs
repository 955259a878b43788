//! Primitives with many operands: the `Var` forms of [`Scalar::dot`],
//! [`Scalar::logsumexp`] and [`Scalar::sum_of`].
//!
//! Written with plain operations, a dot product of `n` terms costs about one record per term
//! (each partial sum meets three or four records) and a log-sum-exp an exponential and a record
//! per element. As primitives they compute their values exactly as the generic loops do
//! (bit-identical), and write their partials as a chain of records, three operand entries per
//! record ([`Chain`]), in one tight loop with no per-operation bookkeeping.
//!
//! [`Scalar::sum_of`] keeps the tape short instead: each term is differentiated as soon as it is
//! recorded (a sweep over the term's own records, accumulating into the records that existed
//! before the sum), its records are discarded, and the sum is one chained primitive over the
//! records its terms reached. The gradient is the same as recording every term — the chain rule
//! applied in another order — while the tape holds one term at a time.
//!
//! [`Scalar::dot`]: diffprog_dual::Scalar::dot
//! [`Scalar::logsumexp`]: diffprog_dual::Scalar::logsumexp
//! [`Scalar::sum_of`]: diffprog_dual::Scalar::sum_of

use crate::tape::{misuse, unpack, Chain, TapeElement, SINK};
use crate::Var;
use diffprog_dual::{Number, Real, Scalar};

/// `p · v` as the chain rule multiplies a partial: plainly for `f64` and `f32`, recomputed with
/// the strong zero (`0 · ∞ = 0`) where the plain product is NaN; with the strong zero directly
/// for wider elements (the dual numbers of the mixed mode), as [`crate::preaccumulate`] does.
#[inline(always)]
fn chain_mul<T: TapeElement>(p: T, v: T) -> T {
    if std::mem::size_of::<T>() > std::mem::size_of::<f64>() {
        return v.strong_zero_mul(p);
    }
    let d = p * v;
    if d.partial_cmp(&d).is_none() {
        v.strong_zero_mul(p)
    } else {
        d
    }
}

/// Panics unless `v` is a constant or a variable of the active recording `active`.
#[inline(always)]
fn check<T: TapeElement>(v: &Var<T>, active: u64) {
    if v.generation != active && v.generation != 0 {
        misuse::<T>(active, v.generation);
    }
}

/// Adds `v`'s entries, each partial multiplied by `scale`, to the chain.
#[inline(always)]
fn add_entries<T: TapeElement>(
    chain: &mut Chain<T>,
    tape: &mut crate::TapeStore<T>,
    v: &Var<T>,
    scale: T,
) {
    let [n0, n1] = unpack(v.nodes);
    if n0 != SINK {
        chain.add(tape, n0, chain_mul(v.partials[0], scale));
        if n1 != SINK {
            chain.add(tape, n1, chain_mul(v.partials[1], scale));
        }
    }
}

impl<T: TapeElement> Var<T> {
    /// [`Scalar::dot`] on `Var`s: one primitive whose partials are the other operand's values.
    pub(crate) fn dot_primitive(a: &[Self], b: &[Self]) -> Self {
        assert_eq!(a.len(), b.len(), "dot: the slices differ in length");
        // The value in the order of the generic `dot`: four interleaved partial sums.
        let mut s = [T::zero(); 4];
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            s[i % 4] += x.value * y.value;
        }
        let value = (s[0] + s[1]) + (s[2] + s[3]);
        let active = T::active_recording();
        T::with_tape(|tape| {
            let mut chain = Chain::new();
            for (x, y) in a.iter().zip(b) {
                check(x, active);
                check(y, active);
                add_entries(&mut chain, tape, x, y.value);
                add_entries(&mut chain, tape, y, x.value);
            }
            chain.finish(tape, value)
        })
    }

    /// [`Scalar::logsumexp`] on `Var`s: one primitive whose partials are the softmax.
    pub(crate) fn logsumexp_primitive<F: Real>(xs: &[Self]) -> Self
    where
        T: Scalar<F>,
    {
        let m = xs
            .iter()
            .map(|x| x.value.value())
            .fold(F::neg_infinity(), |m, v| if v > m { v } else { m });
        let shift = if m.is_finite() { m } else { F::zero() };
        let mut s = T::zero();
        for x in xs {
            s += (x.value - shift).exp();
        }
        let value = s.ln() + shift;
        if xs.iter().all(|v| v.generation == 0) {
            return Var::lift(value);
        }
        let active = T::active_recording();
        let inv = T::one() / s;
        T::with_tape(|tape| {
            let mut chain = Chain::new();
            for x in xs {
                check(x, active);
                if x.generation != 0 {
                    let softmax = chain_mul((x.value - shift).exp(), inv);
                    add_entries(&mut chain, tape, x, softmax);
                }
            }
            chain.finish(tape, value)
        })
    }

    /// [`Scalar::sum_of`] on `Var`s: each term differentiated and discarded as it is recorded
    /// (see the module documentation); the plain loop while no recording is active or inside
    /// another `sum_of`'s term.
    pub(crate) fn sum_of_primitive(n: usize, mut term: impl FnMut(usize) -> Self) -> Self {
        if !T::with_tape(|t| t.local_begin()) {
            let mut s = Self::zero();
            for i in 0..n {
                s += term(i);
            }
            return s;
        }
        let mut value = T::zero();
        for i in 0..n {
            let v = term(i);
            value += v.value;
            T::with_tape(|t| t.local_term(&v));
        }
        T::with_tape(|t| t.local_end(value))
    }
}

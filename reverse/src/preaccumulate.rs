//! Preaccumulation: how a [`Var`] carries its local partials until a record is needed.
//!
//! A `Var` holds its value and the partial derivatives of that value with respect to at most
//! two tape records (its *entries*). An operation computes its local partials from the single
//! rule table and chains them into its operands' entries instead of appending a record:
//!
//! - a unary operation (`sin x`, `c·x`, `c − x`, `x²`, ...) multiplies both entries by `f'(x)`;
//!   `x ± c` keeps them. No record.
//! - a binary operation `g(a, b)` with local partials `(pa, pb)` has the candidate entries
//!   `pa·(a's entries)` and `pb·(b's entries)`; entries on the same record are added. If at
//!   most two records remain the result carries them (no record); otherwise the result is
//!   *flushed*: one record with the three or four parents and their partials, and the result is
//!   that record with partial 1.
//! - a binary elementary function whose local partial on one operand is exactly zero (`max` and
//!   `min` away from a tie) is a unary operation on the other: a running maximum writes nothing.
//!
//! So a chain of local work — Rosenbrock's `100 (x₁ − x₀²)² + (1 − x₀)²` depends on two inputs
//! only — costs no records at all, and the running sum `s += term` costs one record of three
//! parents per term where a one-record-per-operation tape writes eight. This is statement-level
//! preaccumulation (as in expression-template tools), decided at run time: the forward pass
//! does a few more comparisons per operation, the tape is shorter and the backward sweep does
//! far less. By the chain rule the adjoints are the same as with one record per operation; the
//! sums are accumulated in a different order, so the last bits can differ.
//!
//! It loses where an intermediate with two entries is reused by many operations
//! (`t = x₀·x₁; Σ t·xᵢ` flushes at every use; [`Var::retain_adjoint`](crate::Var::retain_adjoint)
//! on `t` makes it one record). Measurements by program shape: `benches/PERFORMANCE.md`,
//! "Preaccumulation".
//!
//! The entries are ordered: slot 1 is used only when slot 0 is, and a constant has neither
//! (`nodes == 0`). The partial in an unused slot is meaningless (it may be anything, even NaN):
//! every reader checks the slot's record index against the sink (record 0) first.

use crate::tape::{pack, unpack, TapeElement, SINK};
use crate::Var;

/// The result of a unary operation with value `value` and local partial `d` on the variable `x`,
/// which the caller has checked belongs to the active recording. Called through
/// [`TapeElement::unary`], which decides whether it is inlined.
///
/// The partials are multiplied by the chain rule's product: plainly and checked once for NaN
/// (see [`merge`]), or directly for elements that [`multiply_strongly`].
#[doc(hidden)]
#[inline(always)]
pub fn unary<T: TapeElement>(x: Var<T>, value: T, d: T) -> Var<T> {
    if multiply_strongly::<T>() {
        return unary_strong(x, value, d);
    }
    let partials = [x.partials[0] * d, x.partials[1] * d];
    if has_nan(partials[0], partials[1]) {
        return unary_strong_out_of_line(x, value, d);
    }
    Var {
        value,
        nodes: x.nodes,
        partials,
        generation: x.generation,
    }
}

/// [`unary_strong`] out of line: the rare path of [`unary`] for `f64` and `f32` elements.
#[cold]
#[inline(never)]
fn unary_strong_out_of_line<T: TapeElement>(x: Var<T>, value: T, d: T) -> Var<T> {
    unary_strong(x, value, d)
}

/// [`unary`] with the chain rule's product (exact zeros strong).
#[inline(always)]
fn unary_strong<T: TapeElement>(x: Var<T>, value: T, d: T) -> Var<T> {
    Var {
        value,
        nodes: x.nodes,
        partials: [
            d.strong_zero_mul(x.partials[0]),
            d.strong_zero_mul(x.partials[1]),
        ],
        generation: x.generation,
    }
}

/// True if the primal of `a` or of `b` is NaN: one unordered comparison (`ucomisd` for `f64`).
/// A number type's `*` is IEEE only at the primal level (and strong in the other parts), so a
/// `0 · ∞` anywhere in a sum of plain products shows up here.
#[inline(always)]
fn has_nan<T: TapeElement>(a: T, b: T) -> bool {
    a.partial_cmp(&b).is_none()
}

/// A local partial derivative, as [`merge`] multiplies it into an operand's partials: a general
/// value ([`Times`]), or exactly 1 or −1 (sums and differences), which need no multiplication.
/// For `f64` the compiler removes `p · 1` itself; for dual-number elements (the mixed mode) it
/// cannot (`1·p` is `(p.re, p.eps + 0·p.re)`, and `0·p.re` is not 0 for an infinite `p.re`).
#[doc(hidden)]
pub trait LocalPartial<T>: Copy {
    /// True if the results of [`times`](Self::times) need no NaN check: it never multiplies
    /// (±1), or multiplies with the chain rule's product.
    const EXACT: bool;
    /// The same partial multiplied by the chain rule's product (exact zeros strong).
    type Strong: LocalPartial<T>;
    /// `self · p`.
    fn times(self, p: T) -> T;
    /// The same partial, multiplying with the chain rule's product.
    fn strong(self) -> Self::Strong;
}

/// True for element types wider than `f64` — the dual numbers of the mixed mode — which
/// multiply partials with the chain rule's product directly. For them, plain products checked
/// for NaN, with the recomputation out of line, cost more: the operands, several times wider,
/// stay live across the rare call (`benches/PERFORMANCE.md`, "The strong-zero rule's cost").
/// `f64` and `f32` multiply plainly and check.
const fn multiply_strongly<T>() -> bool {
    std::mem::size_of::<T>() > std::mem::size_of::<f64>()
}

/// A general local partial derivative (see [`LocalPartial`]): for `f64` and `f32` multiplied
/// plainly, [`merge`] checking the results and recomputing with [`StrongTimes`] where a product
/// gave NaN; for wider elements multiplied by the chain rule's product directly (see
/// [`multiply_strongly`]).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Times<T>(pub T);

/// A general local partial derivative multiplied by the chain rule's product
/// ([`diffprog_dual::chain`]: an exact zero is strong, `0 · ∞ = 0`).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct StrongTimes<T>(pub T);

/// The local partial derivative 1 (see [`LocalPartial`]).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct One;

/// The local partial derivative −1 (see [`LocalPartial`]).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct MinusOne;

impl<T: TapeElement> LocalPartial<T> for Times<T> {
    const EXACT: bool = multiply_strongly::<T>();
    type Strong = StrongTimes<T>;
    #[inline(always)]
    fn times(self, p: T) -> T {
        if multiply_strongly::<T>() {
            self.0.strong_zero_mul(p)
        } else {
            self.0 * p
        }
    }
    #[inline(always)]
    fn strong(self) -> StrongTimes<T> {
        StrongTimes(self.0)
    }
}

impl<T: TapeElement> LocalPartial<T> for StrongTimes<T> {
    const EXACT: bool = true;
    type Strong = Self;
    #[inline(always)]
    fn times(self, p: T) -> T {
        self.0.strong_zero_mul(p)
    }
    #[inline(always)]
    fn strong(self) -> Self {
        self
    }
}

impl<T: TapeElement> LocalPartial<T> for One {
    const EXACT: bool = true;
    type Strong = Self;
    #[inline(always)]
    fn times(self, p: T) -> T {
        p
    }
    #[inline(always)]
    fn strong(self) -> Self {
        self
    }
}

impl<T: TapeElement> LocalPartial<T> for MinusOne {
    const EXACT: bool = true;
    type Strong = Self;
    #[inline(always)]
    fn times(self, p: T) -> T {
        -p
    }
    #[inline(always)]
    fn strong(self) -> Self {
        self
    }
}

/// The result of a binary operation with value `value` and local partials `pa`, `pb` on two
/// variables that the caller has checked both belong to the active recording (or are both
/// constants while none is: then the result is a constant): a decision tree on the operands'
/// records. Called through [`TapeElement::binary`], [`TapeElement::add_variables`] and
/// [`TapeElement::subtract_variables`], which decide whether it is inlined.
///
/// The local partials multiply the operands' partials plainly; where that can meet `0 · ∞`
/// (a general partial, not ±1) the resulting partials are checked for NaN, one unordered
/// comparison per pair (a `0 · ∞` NaN survives the sums of the tree), and a NaN recomputes the
/// merge out of line with the chain rule's product, in which an exact zero is strong (the rule
/// of `diffprog_dual`'s "Non-finite values"). A NaN that is really there (a NaN partial) comes
/// out of the recomputation unchanged. (Checking the four products once, before the tree, makes
/// the compiler keep the operands on the stack across the whole tree: `benches/PERFORMANCE.md`,
/// "The strong-zero rule's cost".)
#[doc(hidden)]
#[inline(always)]
pub fn merge<T: TapeElement, A: LocalPartial<T>, B: LocalPartial<T>>(
    a: Var<T>,
    b: Var<T>,
    value: T,
    pa: A,
    pb: B,
) -> Var<T> {
    let generation = a.generation;
    let checked = !(A::EXACT && B::EXACT);
    let inline = |n0: u32, n1: u32, d0: T, d1: T| {
        if checked && has_nan(d0, d1) {
            return merge_strong(a, b, value, pa, pb);
        }
        Var {
            value,
            nodes: pack(n0, n1),
            partials: [d0, d1],
            generation,
        }
    };
    let zero = T::zero();
    let [a0, a1] = unpack(a.nodes);
    let [b0, b1] = unpack(b.nodes);
    let (da0, da1) = (pa.times(a.partials[0]), pa.times(a.partials[1]));
    let (db0, db1) = (pb.times(b.partials[0]), pb.times(b.partials[1]));

    // A decision tree on the record indices, cheapest checks for the common shapes first. The
    // branches that need a record only choose its parents; the one push below is shared: an
    // inlined push per branch makes generic code (an nalgebra LU on `Var`s) very slow to
    // compile, and an out-of-line push is slow to run (benches/PERFORMANCE.md, "The forward
    // pass").
    let (parents, partials) = if a.nodes == b.nodes {
        // x·x, (x − y)², a + a: same records. With one record (x·x on an input) the second
        // slot's partials are meaningless; for elements wider than `f64` (dual numbers: mixed
        // mode) they are not computed, which saves two products, while for `f64` the test costs
        // more than the paired product. The size test is a constant for each element type.
        let d1 = if std::mem::size_of::<T>() > std::mem::size_of::<f64>() && a1 == SINK {
            zero
        } else {
            da1 + db1
        };
        return inline(a0, a1, da0 + db0, d1);
    } else if b1 == SINK {
        if b0 == a0 {
            return inline(a0, a1, da0 + db0, da1);
        }
        if b0 == a1 {
            return inline(a0, a1, da0, da1 + db0);
        }
        if a1 == SINK {
            return inline(a0, b0, da0, db0);
        }
        ([a.nodes, b0 as u64], [da0, da1, db0, zero])
    } else if a1 == SINK {
        if a0 == b0 {
            return inline(b0, b1, db0 + da0, db1);
        }
        if a0 == b1 {
            return inline(b0, b1, db0, db1 + da0);
        }
        ([b.nodes, a0 as u64], [db0, db1, da0, zero])
    } else if a0 == b1 && a1 == b0 {
        // Both have two entries, on the same records.
        return inline(a0, a1, da0 + db1, da1 + db0);
    } else if b0 == a0 {
        ([a.nodes, b1 as u64], [da0 + db0, da1, db1, zero])
    } else if b0 == a1 {
        ([a.nodes, b1 as u64], [da0, da1 + db0, db1, zero])
    } else if b1 == a0 {
        ([a.nodes, b0 as u64], [da0 + db1, da1, db0, zero])
    } else if b1 == a1 {
        ([a.nodes, b0 as u64], [da0, da1 + db1, db0, zero])
    } else {
        ([a.nodes, b.nodes], [da0, da1, db0, db1])
    };
    let [d0, d1, d2, d3] = partials;
    if checked && (has_nan(d0, d1) || has_nan(d2, d3)) {
        return merge_strong(a, b, value, pa, pb);
    }
    Var::node(value, T::record(parents, d0, d1, d2, d3), generation)
}

/// [`merge`] with the chain rule's product, out of line: the rare path, where a plain product
/// gave NaN.
#[cold]
#[inline(never)]
fn merge_strong<T: TapeElement, A: LocalPartial<T>, B: LocalPartial<T>>(
    a: Var<T>,
    b: Var<T>,
    value: T,
    pa: A,
    pb: B,
) -> Var<T> {
    merge(a, b, value, pa.strong(), pb.strong())
}

#[cfg(test)]
mod tests {
    //! White-box tests of the decision tree: every branch, against the entries it must produce.
    use crate::{Recording, Var};
    use diffprog_dual::Scalar;
    use std::collections::BTreeMap;

    /// A Var's entries as a map record → partial (for order-independent comparison).
    fn entries(v: &Var) -> BTreeMap<u32, f64> {
        let mut m = BTreeMap::new();
        for (n, d) in v.entries() {
            *m.entry(n).or_insert(0.0) += d;
        }
        m
    }

    /// The expected entries of `pa·a + pb·b` (merged by record).
    fn combined(a: &Var, pa: f64, b: &Var, pb: f64) -> BTreeMap<u32, f64> {
        let mut m = BTreeMap::new();
        for (n, d) in a.entries() {
            *m.entry(n).or_insert(0.0) += pa * d;
        }
        for (n, d) in b.entries() {
            *m.entry(n).or_insert(0.0) += pb * d;
        }
        m
    }

    /// Checks `a * b` (partials b, a): inline when at most two records, else one new record
    /// whose parents and partials are the combination.
    fn check_product(rec: &Recording, a: Var, b: Var, expect_record: bool) {
        let len = rec.len();
        let p = a * b;
        assert_eq!(p.primal(), a.primal() * b.primal());
        let want = combined(&a, b.primal(), &b, a.primal());
        if expect_record {
            assert_eq!(rec.len(), len + 1, "a record was expected");
            let index = p.tape_index().expect("a flushed result is a record");
            let adj = rec.backward(p);
            // The record's parents receive exactly the combined partials.
            for (&n, &d) in &want {
                assert_eq!(
                    adj.wrt(Var::node(0.0, n, p.generation)),
                    d,
                    "parent {n} of record {index}"
                );
            }
        } else {
            assert_eq!(rec.len(), len, "no record was expected");
            assert_eq!(entries(&p), want);
        }
    }

    #[test]
    fn every_branch_of_the_merge() {
        let rec = Recording::<f64>::new();
        let x = rec.variable(1.5);
        let y = rec.variable(-0.7);
        let z = rec.variable(2.25);
        let w = rec.variable(0.4);
        let xy = x * y; // {x, y}
        let yx = y.sin() * x.exp(); // {y, x}: same records, other order
        let xz = x * z; // {x, z}
        let zw = z * w; // {z, w}
        let yz = y + z; // {y, z}
                        // same records (a·a, and two Vars on {x, y} in the same order)
        check_product(&rec, x, x, false);
        check_product(&rec, xy, xy * 2.0, false);
        // b single: on a's first, on a's second, a single and different, a double and different
        check_product(&rec, xy, x, false);
        check_product(&rec, xy, y, false);
        check_product(&rec, x, y, false);
        check_product(&rec, xy, z, true);
        // a single: on b's first, on b's second, different
        check_product(&rec, x, xy, false);
        check_product(&rec, x, yx, false);
        check_product(&rec, z, xy, true);
        // both double: same records swapped; one shared in each of the four positions; none
        check_product(&rec, xy, yx, false);
        check_product(&rec, xy, xz, true); // b0 == a0
        check_product(&rec, yx, xz, true); // b0 == a1
        check_product(&rec, xy, yz, true); // b0 == a1
        check_product(&rec, xz, yx, true); // b1 == a0
        check_product(&rec, xz, yz, true); // b1 == a1
        check_product(&rec, xy, zw, true); // disjoint: four parents
    }

    #[test]
    fn unary_operations_and_constants_record_nothing() {
        let rec = Recording::<f64>::new();
        let x = rec.variable(0.3);
        let len = rec.len();
        let v = ((x.sin() * 3.0 - 1.0).exp() + 2.0).ln() / 4.0;
        let c = Var::lift(2.0) * Var::lift(5.0);
        let w = c * v + c;
        assert_eq!(rec.len(), len);
        assert!(c.is_constant());
        let adj = rec.backward(w);
        let u = (0.3_f64.sin() * 3.0 - 1.0).exp();
        let expected = 10.0 * (u / (u + 2.0)) * 3.0 * 0.3_f64.cos() / 4.0;
        assert!((adj.wrt(x) - expected).abs() < 1e-15 * expected.abs());
    }
}

//! The guards under which the plain products of derivative arithmetic are those of the
//! strong-zero rule ([`chain`]: `0 · ∞ = 0 · NaN = 0`; see "Non-finite values" in
//! `diffprog_dual`'s crate docs), for the numbers whose parts are arrays.
//!
//! - A *factor* (a value or a partial derivative) times parts: the plain products are the
//!   strong ones when the factor's primal is finite and non-zero
//!   ([`Number::has_finite_nonzero_primal`]), as in `Dual`.
//! - Parts times parts (the outer products `u ⊗ v` of the ε₁ε₂ block): when every component of
//!   both is finite ([`all_finite`]) — then no product meets `0 · ∞`.
//!
//! An operation of `HyperDualVec` or `ArenaHyperDual` tests its guards once and then runs its
//! formula with plain products, inline, or with [`chain`] for every product, out of line. The
//! out-of-line code gets copies of the numbers and returns its result by value: a pointer into a
//! `HyperDualVec` passed to code that is not inlined keeps LLVM from holding the number in
//! registers, and every operation then copies it whole.

use diffprog_dual::{chain, Number};

/// True when every component of every element of `a` is finite.
#[inline(always)]
pub(crate) fn all_finite<T: Number>(a: &[T]) -> bool {
    // `e − e` is exactly zero unless `e` has an infinite or NaN component, and then it has a NaN
    // one: the sum of them is identically zero iff every element is finite. No branches.
    #[allow(clippy::eq_op)]
    let nan_if_not_finite = a.iter().fold(T::zero(), |s, &e| s + (e - e));
    nan_if_not_finite.is_identically_zero()
}

/// `m ← m + u ⊗ v` (`m[i][j] += u[i] ⊙ v[j]`): plain products when `u` and `v` are finite,
/// else [`chain`]'s, out of line.
#[inline(always)]
pub(crate) fn add_outer<T: Number, const N: usize, const M: usize>(
    m: &mut [[T; M]; N],
    u: &[T; N],
    v: &[T; M],
) {
    if all_finite(u) && all_finite(v) {
        add_outer_with(m, u, v, |p, q| p * q);
    } else {
        *m = add_outer_strong(*m, *u, *v);
    }
}

/// [`add_outer`] with every product by [`chain`], on copies.
#[cold]
#[inline(never)]
fn add_outer_strong<T: Number, const N: usize, const M: usize>(
    mut m: [[T; M]; N],
    u: [T; N],
    v: [T; M],
) -> [[T; M]; N] {
    add_outer_with(&mut m, &u, &v, chain);
    m
}

/// `m ← m + u ⊗ v`, the products by `times`.
#[inline(always)]
fn add_outer_with<T: Number, const N: usize, const M: usize>(
    m: &mut [[T; M]; N],
    u: &[T; N],
    v: &[T; M],
    times: impl Fn(T, T) -> T,
) {
    for (row, &ui) in m.iter_mut().zip(u) {
        for (r, &vj) in row.iter_mut().zip(v) {
            *r += times(ui, vj);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    #[test]
    fn outer_products_are_strong_on_either_path() {
        let mut m = [[1.0; 2]; 2];
        add_outer(&mut m, &[0.0, 2.0], &[INF, 1.0]);
        assert_eq!(m, [[1.0, 1.0], [INF, 3.0]]);
        let mut m = [[1.0; 2]; 2];
        add_outer(&mut m, &[0.5, 2.0], &[4.0, 1.0]);
        assert_eq!(m, [[3.0, 1.5], [9.0, 3.0]]);
        assert!(all_finite(&[1.0, -0.0, 1e308]));
        assert!(!all_finite(&[1.0, INF]) && !all_finite(&[f64::NAN, 0.0]));
    }
}

//! [`SliceNumber`]: the numbers the interpreter's slice loops run on, with their products
//! written so that the loops vectorise.

use diffprog_dual::{Dual, DualVec, Number, Scalar};

/// A number the interpreter evaluates a program on (`f64` for values and gradients, `Dual<f64>`
/// for Hessian–vector products, `DualVec<f64, N>` for Hessian columns and sparse sweeps), with
/// the two products of the slice loops.
///
/// Both products equal the number type's own operations bit for bit; they differ only in being
/// free of branches where the type allows it, so that a loop over a slice of them compiles to
/// packed instructions. (The operators test their result for a NaN and take a slower path
/// then; the branch-free forms compute the strong-zero products unconditionally, which give the
/// same numbers on both paths.)
pub(crate) trait SliceNumber: Scalar<f64> {
    /// True if [`strong_product`](Self::strong_product) is branch-free: the reverse loops use it
    /// unconditionally. Otherwise they first test whether every adjoint of a run has a finite
    /// non-zero primal, in which case the plain `*` is the strong-zero product.
    const BRANCH_FREE: bool;

    /// `self * rhs`.
    #[inline(always)]
    fn product(self, rhs: Self) -> Self {
        self * rhs
    }

    /// `self.strong_zero_mul(rhs)`.
    #[inline(always)]
    fn strong_product(self, rhs: Self) -> Self {
        self.strong_zero_mul(rhs)
    }
}

impl SliceNumber for f64 {
    const BRANCH_FREE: bool = true;
}

impl SliceNumber for Dual<f64> {
    const BRANCH_FREE: bool = true;

    /// `Dual`'s `*` takes the plain tangent `ε₁·b + a·ε₂` unless it is NaN, and the strong-zero
    /// products `chain(b, ε₁) + chain(a, ε₂)` then; where the plain sum is not NaN neither
    /// product is, and the strong-zero products equal the plain ones — so the strong-zero form
    /// is the operator's result on both paths.
    #[inline(always)]
    fn product(self, rhs: Self) -> Self {
        let (a, b) = (self.re, rhs.re);
        Dual::new(
            a * b,
            self.eps.strong_zero_mul(b) + a.strong_zero_mul(rhs.eps),
        )
    }

    #[inline(always)]
    fn strong_product(self, rhs: Self) -> Self {
        let (a, b) = (self.re, rhs.re);
        Dual::new(
            a.strong_zero_mul(b),
            a.strong_zero_mul(rhs.eps) + self.eps.strong_zero_mul(b),
        )
    }
}

impl<const N: usize> SliceNumber for DualVec<f64, N> {
    const BRANCH_FREE: bool = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [f64; 9] = [
        0.0,
        -0.0,
        1.5,
        -2.0,
        1e-310,
        1e308,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];

    fn same(x: Dual<f64>, y: Dual<f64>) -> bool {
        let bits = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        bits(x.re, y.re) && bits(x.eps, y.eps)
    }

    #[test]
    fn the_dual_products_equal_the_operators_bit_for_bit_at_every_edge_value() {
        for &a in &EDGES {
            for &ae in &EDGES {
                for &b in &EDGES {
                    for &be in &EDGES {
                        let (x, y) = (Dual::new(a, ae), Dual::new(b, be));
                        assert!(same(x.product(y), x * y), "{x:?} · {y:?}");
                        assert!(
                            same(x.strong_product(y), x.strong_zero_mul(y)),
                            "strong {x:?} · {y:?}"
                        );
                    }
                }
            }
        }
    }
}

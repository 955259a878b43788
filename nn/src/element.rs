//! [`Element`]: the float types tensors hold (`f32`, `f64`), with their GEMM and their access to
//! the scalar rule table.

use crate::ops::broadcast::{self, BinaryOp};
use crate::ops::unary::{self, Unary};
use diffprog_dual::Real;
use nalgebra::{DMatrixView, DMatrixViewMut};

/// A tensor element: `f32` or `f64`.
///
/// Adds to [`Real`] the one kernel that must be fast, a general matrix product, which goes to
/// `matrixmultiply`'s `sgemm`/`dgemm` (through nalgebra's strided views, so transposed operands
/// cost no copy), and the element's instances of `diffprog_dual`'s derivative arithmetic: the
/// chain rule's product [`diffprog_dual::chain`] and the rules of [`diffprog_dual::rules`] for
/// the elementwise functions of [`Unary`]. (Both element types are `diffprog_dual::Scalar`s of
/// themselves; the trait reaches those implementations through these functions rather than a
/// `Scalar` bound, whose method names would collide with `Real`'s in generic code.) Elements
/// are `Send + Sync` so that kernels can split a batch across threads (feature `threads`).
pub trait Element: Real + Copy + Send + Sync {
    /// `c ← alpha · op(a) · op(b) + beta · c`, every matrix row-major and contiguous.
    ///
    /// `op(a)` is `m × k`: `a` holds it directly (`m × k`) or, with `ta`, its transpose
    /// (`k × m`). Likewise `op(b)` is `k × n` (`b` is `n × k` with `tb`). `c` is `m × n`. With
    /// `beta = 0`, `c` is not read.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: &[Self],
        ta: bool,
        b: &[Self],
        tb: bool,
        beta: Self,
        c: &mut [Self],
    );

    /// The chain rule's product `derivative · gradient` of every backward kernel:
    /// [`diffprog_dual::chain`], the IEEE product except that an exact zero factor is a strong
    /// zero (`0 · ∞ = 0 · NaN = 0`).
    #[doc(hidden)]
    fn chain(derivative: Self, gradient: Self) -> Self;

    /// `(f(x), f′(x))` from [`diffprog_dual::rules`] (see [`Unary::value_and_derivative`]).
    #[doc(hidden)]
    fn unary_rule(f: Unary<Self>, x: Self) -> (Self, Self);

    /// `f(x)` as the element's `Scalar` implementation computes it (see [`Unary::apply`]).
    #[doc(hidden)]
    fn unary_value(f: Unary<Self>, x: Self) -> Self;

    /// `(f(a, b), ∂f/∂a, ∂f/∂b)` from [`diffprog_dual::rules`] for the [`BinaryOp`]s the rule
    /// table defines (`Maximum`, `Minimum`, `Pow`; `None` for the others).
    #[doc(hidden)]
    fn binary_rule(op: BinaryOp, a: Self, b: Self) -> Option<(Self, Self, Self)>;

    /// `f(a, b)` of those operations as the element's `Scalar` implementation computes it.
    #[doc(hidden)]
    fn binary_value(op: BinaryOp, a: Self, b: Self) -> Self;
}

macro_rules! impl_element {
    ($f:ty) => {
        impl Element for $f {
            #[inline]
            fn gemm(
                m: usize,
                k: usize,
                n: usize,
                alpha: Self,
                a: &[Self],
                ta: bool,
                b: &[Self],
                tb: bool,
                beta: Self,
                c: &mut [Self],
            ) {
                gemm_impl(m, k, n, alpha, a, ta, b, tb, beta, c)
            }
            #[inline(always)]
            fn chain(derivative: Self, gradient: Self) -> Self {
                diffprog_dual::chain(derivative, gradient)
            }
            #[inline(always)]
            fn unary_rule(f: Unary<Self>, x: Self) -> (Self, Self) {
                unary::rule(f, x)
            }
            #[inline(always)]
            fn unary_value(f: Unary<Self>, x: Self) -> Self {
                unary::value(f, x)
            }
            #[inline(always)]
            fn binary_rule(op: BinaryOp, a: Self, b: Self) -> Option<(Self, Self, Self)> {
                broadcast::rule(op, a, b)
            }
            #[inline(always)]
            fn binary_value(op: BinaryOp, a: Self, b: Self) -> Self {
                broadcast::value(op, a, b)
            }
        }
    };
}
impl_element!(f32);
impl_element!(f64);

#[allow(clippy::too_many_arguments)]
fn gemm_impl<F: Element + nalgebra::RealField>(
    m: usize,
    k: usize,
    n: usize,
    alpha: F,
    a: &[F],
    ta: bool,
    b: &[F],
    tb: bool,
    beta: F,
    c: &mut [F],
) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm: buffers too small for a {m}×{k} by {k}×{n} product"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for x in c[..m * n].iter_mut() {
            *x = if beta == F::zero() {
                F::zero()
            } else {
                *x * beta
            };
        }
        return;
    }
    if m <= 5 || n <= 5 || k <= 5 {
        // nalgebra hands only larger products to matrixmultiply (its small-size fallback does not
        // handle arbitrary strides); small ones take this loop.
        small_gemm(m, k, n, alpha, a, ta, b, tb, beta, c);
        return;
    }
    // Row-major m × k: element (i, j) at i·k + j, i.e. row stride k, column stride 1.
    let (ars, acs) = if ta { (1, m) } else { (k, 1) };
    let (brs, bcs) = if tb { (1, k) } else { (n, 1) };
    let av = DMatrixView::from_slice_with_strides(&a[..m * k], m, k, ars, acs);
    let bv = DMatrixView::from_slice_with_strides(&b[..k * n], k, n, brs, bcs);
    let mut cv = DMatrixViewMut::from_slice_with_strides_mut(&mut c[..m * n], m, n, n, 1);
    cv.gemm(alpha, &av, &bv, beta);
}

#[allow(clippy::too_many_arguments)]
fn small_gemm<F: Element>(
    m: usize,
    k: usize,
    n: usize,
    alpha: F,
    a: &[F],
    ta: bool,
    b: &[F],
    tb: bool,
    beta: F,
    c: &mut [F],
) {
    for i in 0..m {
        let row = &mut c[i * n..(i + 1) * n];
        if beta == F::zero() {
            row.iter_mut().for_each(|x| *x = F::zero());
        } else if beta != F::one() {
            row.iter_mut().for_each(|x| *x *= beta);
        }
        for l in 0..k {
            let ail = alpha * if ta { a[l * m + i] } else { a[i * k + l] };
            if tb {
                for (j, x) in row.iter_mut().enumerate() {
                    *x += ail * b[j * k + l];
                }
            } else {
                for (x, &blj) in row.iter_mut().zip(&b[l * n..(l + 1) * n]) {
                    *x += ail * blj;
                }
            }
        }
    }
}

/// True if every element of `v` is finite. (`x − x` is 0 for a finite `x` and NaN for ±∞ and
/// NaN; eight running sums keep the loop vectorisable.)
#[allow(clippy::eq_op)] // x − x is the test
pub(crate) fn all_finite<F: Element>(v: &[F]) -> bool {
    let mut acc = [F::zero(); 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x - x;
        }
    }
    acc.iter().all(|a| *a == F::zero()) && rest.iter().all(|x| x.is_finite())
}

/// `c += op(a) · op(b)` (the layout of [`Element::gemm`], `alpha = beta = 1`) where every
/// product is the chain rule's ([`Element::chain`]): a backward kernel's matrix product.
///
/// When every element of `a` and `b` is finite, the plain products are the chain rule's and the
/// GEMM computes them; otherwise an element loop multiplies with [`Element::chain`] (a zero
/// times an infinite or NaN factor contributes 0, where the GEMM would give NaN).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_chain<F: Element>(
    m: usize,
    k: usize,
    n: usize,
    a: &[F],
    ta: bool,
    b: &[F],
    tb: bool,
    c: &mut [F],
) {
    let (a, b) = (&a[..m * k], &b[..k * n]);
    let finite = all_finite(a) && all_finite(b);
    gemm_chain_known(finite, m, k, n, a, ta, b, tb, c);
}

/// [`gemm_chain`] with the finiteness of its operands known: `finite` must be true only if
/// every element of `a[..m·k]` and `b[..k·n]` is finite (for a caller that scans an operand
/// once for several products).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_chain_known<F: Element>(
    finite: bool,
    m: usize,
    k: usize,
    n: usize,
    a: &[F],
    ta: bool,
    b: &[F],
    tb: bool,
    c: &mut [F],
) {
    let (a, b) = (&a[..m * k], &b[..k * n]);
    if finite {
        F::gemm(m, k, n, F::one(), a, ta, b, tb, F::one(), c);
        return;
    }
    for i in 0..m {
        for j in 0..n {
            let mut s = F::zero();
            for l in 0..k {
                let ail = if ta { a[l * m + i] } else { a[i * k + l] };
                let blj = if tb { b[j * k + l] } else { b[l * n + j] };
                s += F::chain(ail, blj);
            }
            c[i * n + j] += s;
        }
    }
}

/// `dst += chain(c, src)` elementwise for one factor `c`: the plain product when `c` is finite
/// and non-zero (then it is the chain rule's for every `src`).
pub(crate) fn add_scaled<F: Element>(dst: &mut [F], src: &[F], c: F) {
    if c.is_finite() && c != F::zero() {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d += s * c;
        }
    } else {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d += F::chain(c, s);
        }
    }
}

/// An `f64` constant in the element type.
#[inline(always)]
pub(crate) fn c<F: Element>(x: f64) -> F {
    <F as Real>::from_f64(x)
}

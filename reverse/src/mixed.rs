//! Mixed mode (forward-over-reverse): a tape whose values and partials are dual numbers.
//!
//! Recording `f` on `Var<Dual<f64>>` inputs `xᵢ + vᵢε` evaluates the partials of every operation
//! as dual numbers, i.e. together with their directional derivatives along `v`. One backward
//! sweep seeded with 1 then yields adjoints `∂f/∂xᵢ + (∇²f·v)ᵢ ε`: the gradient and the
//! Hessian–vector product together. With `DualVec<f64, N>` elements seeded with N unit vectors,
//! one sweep yields N Hessian columns.

use crate::drivers::gradient_with;
use crate::{TapeElement, Var};
use diffprog_dual::nesting::DriverLevel;
use diffprog_dual::{Dual, DualVec, Number, Real, Scalar};
use nalgebra::DMatrix;

/// The value, gradient and Hessian–vector product `∇²f(x)·v` of `f: Rⁿ → R`, in one forward
/// (recording) and one backward sweep over a tape of `Dual<F>` values.
///
/// The point and the direction are any `impl AsRef<[F]>` (slices, arrays, `Vec`s, `DVector`s,
/// `SVector`s), of `f64` or `f32`: an `f32` point records on the `Dual<f32>` tape.
///
/// ```
/// use diffprog_reverse::hessian_vector_product;
/// use diffprog_dual::Scalar;
///
/// // f = x²y + sin y; ∇²f = [[2y, 2x], [2x, −sin y]]
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].sin()
/// }
/// let (value, grad, hv) = hessian_vector_product(f, &[1.5, 0.5], &[1.0, 2.0]);
/// assert_eq!(value, 1.5 * 1.5 * 0.5 + 0.5_f64.sin());
/// assert_eq!(grad, vec![2.0 * 1.5 * 0.5, 1.5 * 1.5 + 0.5_f64.cos()]);
/// assert!((hv[0] - (2.0 * 0.5 * 1.0 + 2.0 * 1.5 * 2.0)).abs() < 1e-15);
/// assert!((hv[1] - (2.0 * 1.5 * 1.0 - 0.5_f64.sin() * 2.0)).abs() < 1e-15);
///
/// // f32
/// let (_, _, hv) = hessian_vector_product(|x| x[0] * x[0] * x[1], [1.5_f32, 0.5], [1.0_f32, 0.0]);
/// assert_eq!(hv, vec![1.0_f32, 3.0]);
/// ```
///
/// # Panics
/// If `v.len() != x.len()`; if called inside a driver with `Dual<F>` or `Var<Dual<F>>`
/// numbers on the same thread (nesting at the same type is rejected).
pub fn hessian_vector_product<F: Real + Scalar<F>>(
    f: impl FnOnce(&[Var<Dual<F>>]) -> Var<Dual<F>>,
    x: impl AsRef<[F]>,
    v: impl AsRef<[F]>,
) -> (F, Vec<F>, Vec<F>)
where
    Dual<F>: TapeElement,
{
    let (x, v) = (x.as_ref(), v.as_ref());
    assert_eq!(
        x.len(),
        v.len(),
        "hessian_vector_product: x has length {} but the direction v has length {}; they must \
         match",
        x.len(),
        v.len()
    );
    let _level = DriverLevel::<Dual<F>>::enter("reverse::hessian_vector_product");
    let n = x.len();
    let (mut grad, mut hv) = (
        vec![<F as Number>::zero(); n],
        vec![<F as Number>::zero(); n],
    );
    let inputs = x.iter().zip(v).map(|(&xi, &vi)| Dual::new(xi, vi));
    let value = gradient_with(
        "reverse::hessian_vector_product",
        inputs,
        f,
        |i, a| {
            grad[i] = a.re;
            hv[i] = a.eps;
        },
        |y| y.re,
    );
    (value, grad, hv)
}

/// The value, gradient and the diagonal of the Hessian of `f: Rⁿ → R`, exact for every `f`:
/// ⌈n / 8⌉ recordings and backward sweeps over a tape of `DualVec<F, 8>` values (`F` = `f64` or
/// `f32`, the point's float; the point is any `impl AsRef<[F]>`), each seeded
/// with 8 unit directions and yielding the 8 diagonal entries of its block (∂²f/∂xᵢ², read off
/// the adjoint of xᵢ along eᵢ). Memory is O(n) (no Hessian is formed).
///
/// The cost grows with n. When the Hessian is known to be diagonal — f a sum of terms that each
/// depend on one input, or whose inputs never meet in a nonlinear operation, as the k-means cost
/// in the centroid coordinates — one [`hessian_vector_product`] with v = (1, …, 1) gives the
/// same diagonal in one recording, since then H·1 = diag H (what JAX users write as
/// `jvp(grad(f), ones)`). For a Hessian that is not diagonal, H·1 holds row sums, not the
/// diagonal: this function is the one that is always right.
///
/// ```
/// use diffprog_reverse::{hessian_diagonal, hessian_vector_product};
/// use diffprog_dual::Scalar;
///
/// // f = x²y + sin y: ∇²f = [[2y, 2x], [2x, −sin y]], not diagonal.
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].sin()
/// }
/// let (value, grad, diag) = hessian_diagonal(f, &[1.5, 0.5]);
/// assert_eq!(value, 1.5 * 1.5 * 0.5 + 0.5_f64.sin());
/// assert_eq!(grad, vec![1.5, 1.5 * 1.5 + 0.5_f64.cos()]);
/// assert_eq!(diag, vec![1.0, -0.5_f64.sin()]);
/// // H·1 gives row sums here, not the diagonal:
/// let (_, _, row_sums) = hessian_vector_product(f, &[1.5, 0.5], &[1.0, 1.0]);
/// assert_eq!(row_sums[0], 1.0 + 3.0);
/// ```
///
/// # Panics
/// If called inside a driver with `DualVec<F, 8>` or `Var<DualVec<F, 8>>` numbers on the same
/// thread.
pub fn hessian_diagonal<F: Real + Scalar<F>>(
    mut f: impl FnMut(&[Var<DualVec<F, 8>>]) -> Var<DualVec<F, 8>>,
    x: impl AsRef<[F]>,
) -> (F, Vec<F>, Vec<F>)
where
    DualVec<F, 8>: TapeElement,
{
    const N: usize = 8;
    let x = x.as_ref();
    let _level = DriverLevel::<DualVec<F, N>>::enter("reverse::hessian_diagonal");
    let n = x.len();
    let (mut grad, mut diag) = (
        vec![<F as Number>::zero(); n],
        vec![<F as Number>::zero(); n],
    );
    let mut value = <F as Real>::from_f64(f64::NAN);
    if n == 0 {
        value = gradient_with(
            "reverse::hessian_diagonal",
            std::iter::empty(),
            &mut f,
            |_, _| {},
            |y| y.re,
        );
    }
    for start in (0..n).step_by(N) {
        let block = start..(start + N).min(n);
        let inputs = x.iter().enumerate().map(|(i, &xi)| {
            if block.contains(&i) {
                DualVec::variable(xi, i - start)
            } else {
                DualVec::lift(xi)
            }
        });
        value = gradient_with(
            "reverse::hessian_diagonal",
            inputs,
            &mut f,
            |i, a| {
                grad[i] = a.re;
                if block.contains(&i) {
                    diag[i] = a.eps()[i - start];
                }
            },
            |y| y.re,
        );
    }
    (value, grad, diag)
}

/// The value, gradient and Hessian of `f: Rⁿ → R` by re-recording: ⌈n / N⌉ recordings and
/// backward sweeps over a tape of `DualVec<F, N>` values (for `F = f64`, `N` = 1, 2, 4, 8, 10,
/// 12 or 16; for `F = f32`, `N` = 8: the `DualVec` types with a tape), each sweep yielding N
/// Hessian columns. The result is exactly symmetric: the two computed values of each off-diagonal
/// pair are averaged. The point is any `impl AsRef<[F]>`; `F` is inferred from it
/// (`hessian_chunked::<2, _>(f, &x)`).
///
/// [`hessian`](crate::hessian) records once and sweeps the stored tape instead, which is much
/// faster; this variant evaluates the same mathematics through a different path (every partial
/// is a `DualVec` computed by the rules), so the two check each other.
///
/// ```
/// use diffprog_reverse::hessian_chunked;
/// use diffprog_dual::Scalar;
///
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].sin()
/// }
/// let (value, grad, h) = hessian_chunked::<2, _>(f, &[1.5, 0.5]);
/// assert_eq!(value, 1.5 * 1.5 * 0.5 + 0.5_f64.sin());
/// assert_eq!(grad[0], 1.5);
/// assert_eq!(h[(0, 1)], 3.0);
/// assert_eq!(h[(1, 1)], -0.5_f64.sin());
/// ```
///
/// # Panics
/// If called inside a driver with the same number types on the same thread.
pub fn hessian_chunked<const N: usize, F: Real + Scalar<F>>(
    mut f: impl FnMut(&[Var<DualVec<F, N>>]) -> Var<DualVec<F, N>>,
    x: impl AsRef<[F]>,
) -> (F, Vec<F>, DMatrix<F>)
where
    DualVec<F, N>: TapeElement,
{
    let x = x.as_ref();
    let _level = DriverLevel::<DualVec<F, N>>::enter("reverse::hessian");
    let n = x.len();
    let mut grad = vec![<F as Number>::zero(); n];
    let mut h = DMatrix::from_element(n, n, <F as Number>::zero());
    let mut value = <F as Real>::from_f64(f64::NAN);
    if n == 0 {
        value = gradient_with(
            "reverse::hessian",
            std::iter::empty(),
            &mut f,
            |_, _| {},
            |y| y.re,
        );
    }
    for start in (0..n).step_by(N) {
        let inputs = x.iter().enumerate().map(|(i, &xi)| {
            if (start..start + N).contains(&i) {
                DualVec::variable(xi, i - start)
            } else {
                DualVec::lift(xi)
            }
        });
        value = gradient_with(
            "reverse::hessian",
            inputs,
            &mut f,
            |i, a| {
                grad[i] = a.re;
                for (k, e) in a.eps().iter().enumerate() {
                    if start + k < n {
                        h[(i, start + k)] = *e;
                    }
                }
            },
            |y| y.re,
        );
    }
    // Exact symmetry: average the two computed values of each pair.
    crate::hessian::symmetrize(&mut h);
    (value, grad, h)
}

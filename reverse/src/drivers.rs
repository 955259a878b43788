//! Reverse-mode drivers: [`gradient`], [`gradient_into`], the generic [`gradient_at`] (nesting,
//! other element types), [`vjp`], [`jacobian`].
//!
//! Points and weights are any `impl AsRef<[F]>` (slices, arrays, `Vec`s, nalgebra's `DVector` and
//! `SVector`, by value or by reference), read through `as_ref()`; vector functions return any
//! `impl AsRef<[Var<F>]>`. The primal float `F` (`f64` or `f32`) is the point's.

use crate::tape::TapeElement;
use crate::{Recording, Var};
use diffprog_dual::{Number, Real};
use nalgebra::DMatrix;

/// Records `f` on fresh variables with values `x` (records 1..=n), sweeps back from its scalar
/// output and passes each input's adjoint to `out`. Returns the output's value. The tape memory
/// and the input buffer are reused: after warm-up this allocates nothing.
pub(crate) fn gradient_with<T: TapeElement, R>(
    driver: &'static str,
    x: impl ExactSizeIterator<Item = T>,
    f: impl FnOnce(&[Var<T>]) -> Var<T>,
    mut out: impl FnMut(usize, T),
    value: impl FnOnce(T) -> R,
) -> R {
    let n = x.len();
    let rec = Recording::<T>::start(driver);
    let y = rec.with_variables(x, f);
    T::with_tape(|t| {
        t.sweep([(y, T::one())]);
        let adj = t.adjoints();
        for (i, &a) in adj[1..=n].iter().enumerate() {
            out(i, a);
        }
    });
    drop(rec);
    value(y.value)
}

/// The value and gradient of `f: Rⁿ → R` at `x`, by one recording and one backward sweep.
///
/// `f` is a closure or a generic function written against [`Scalar`](diffprog_dual::Scalar)
/// (pass `rosenbrock` for `fn rosenbrock<T: Scalar>(x: &[T]) -> T`). The point is a slice, an
/// array, a `Vec`, a `DVector` or an `SVector`, by value or by reference, of `f64` or `f32`: the
/// tape is the point's float's (`Var<f32>` numbers for an `f32` point).
///
/// ```
/// use diffprog_reverse::gradient;
/// use diffprog_dual::Scalar;
///
/// // the course example: f(x, y) = x·y + sin x at (0.5, 4.2)
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[1] + v[0].sin()
/// }
/// let (value, grad) = gradient(f, &[0.5, 4.2]);
/// assert_eq!(value, 0.5 * 4.2 + 0.5_f64.sin());
/// assert_eq!(grad, vec![4.2 + 0.5_f64.cos(), 0.5]);
///
/// // closures with an untyped argument, f32 points
/// let (value, grad) = gradient(|x| x[0] * x[1], vec![2.0_f32, 5.0]);
/// assert_eq!((value, grad), (10.0_f32, vec![5.0_f32, 2.0]));
/// ```
///
/// # Panics
/// If called inside another reverse-mode driver or [`Recording`] at `F` on the same thread (a
/// gradient inside a gradient at the same type is rejected, see [`nesting`](diffprog_dual::nesting)),
/// or if `f` returns a `Var` from another recording.
pub fn gradient<F: Real + TapeElement>(
    f: impl FnOnce(&[Var<F>]) -> Var<F>,
    x: impl AsRef<[F]>,
) -> (F, Vec<F>) {
    let x = x.as_ref();
    let mut grad = vec![<F as Number>::zero(); x.len()];
    let value = gradient_into(f, x, &mut grad);
    (value, grad)
}

/// Like [`gradient`], writing the gradient into `grad`: after the first call on a thread (which
/// sizes the tape), repeated calls allocate nothing.
///
/// ```
/// use diffprog_reverse::gradient_into;
/// let mut g = [0.0; 2];
/// let v = gradient_into(|x| x[0] * x[0] * x[1], &[3.0, 2.0], &mut g);
/// assert_eq!((v, g), (18.0, [12.0, 9.0]));
/// ```
///
/// # Panics
/// If `grad.len() != x.len()`, and as [`gradient`].
pub fn gradient_into<F: Real + TapeElement>(
    f: impl FnOnce(&[Var<F>]) -> Var<F>,
    x: impl AsRef<[F]>,
    grad: &mut [F],
) -> F {
    let x = x.as_ref();
    assert_eq!(
        grad.len(),
        x.len(),
        "gradient_into: the gradient buffer has length {} but x has length {}; pass a buffer of \
         length x.len()",
        grad.len(),
        x.len()
    );
    gradient_with(
        "reverse::gradient",
        x.iter().copied(),
        f,
        |i, a| grad[i] = a,
        |v| v,
    )
}

/// The generic reverse gradient driver: the value and gradient of `f` at a point whose
/// components are any tape element type `T`, by one recording on the tape for `T` and one
/// backward sweep. [`gradient`] is this driver at a primal float (`T = f64` or `f32`).
///
/// This is how reverse mode nests. An inner gradient inside a function that is itself being
/// differentiated runs at the outer level's number type: inside a forward derivative on
/// `Dual<f64>` the inner tape holds `Dual<f64>` values and partials (forward over reverse), and
/// inside a reverse gradient on `Var<f64>` the inner tape holds `Var<f64>`s (reverse over
/// reverse: the inner backward sweep is itself recorded on the outer `f64` tape, so the outer
/// sweep differentiates through it). Numbers of the outer level that the inner function captures
/// enter as constants of the inner tape, with [`Var::lift`]; the two levels live on different
/// tapes (one per element type), so their derivatives cannot be confused, and a Var of one level
/// used in the other does not compile. The element types with a tape are those of
/// [`TapeElement`].
///
/// ```
/// use diffprog_dual::{derivative, Dual, Scalar};
/// use diffprog_reverse::{gradient, gradient_at, Var};
///
/// // f(y; x) = x·y², ∂f/∂y = 2xy; the outer function g(x) = x · ∂f/∂y(y = x) = 2x³, g′(x) = 6x².
/// // Forward over reverse: the inner tape holds Dual<f64> numbers.
/// let (_, d) = derivative(
///     |x: Dual<f64>| {
///         let (_, inner) = gradient_at(|y: &[Var<Dual<f64>>]| Var::lift(x) * y[0] * y[0], &[x]);
///         x * inner[0]
///     },
///     2.0,
/// );
/// assert_eq!(d, 24.0);
///
/// // Reverse over reverse: the inner tape holds Var<f64> numbers of the outer recording.
/// let (_, g) = gradient(
///     |x: &[Var]| {
///         let (_, inner) = gradient_at(|y: &[Var<Var>]| Var::lift(x[0]) * y[0] * y[0], &[x[0]]);
///         x[0] * inner[0]
///     },
///     &[2.0],
/// );
/// assert_eq!(g, vec![24.0]);
/// ```
///
/// # Panics
/// If a recording of element type `T` is already active on this thread (a gradient inside a
/// gradient at the same element type, which could confuse the two levels), or if `f` returns a
/// `Var` from another recording.
pub fn gradient_at<T: TapeElement>(
    f: impl FnOnce(&[Var<T>]) -> Var<T>,
    x: impl AsRef<[T]>,
) -> (T, Vec<T>) {
    let x = x.as_ref();
    let mut grad = vec![T::zero(); x.len()];
    let value = gradient_with(
        "reverse::gradient_at",
        x.iter().copied(),
        f,
        |i, a| grad[i] = a,
        |v| v,
    );
    (value, grad)
}

/// The values of `f: Rⁿ → Rᵐ` at `x` and the vector–Jacobian product `wᵀJ` (length n), by one
/// recording and one backward sweep seeded with `w`.
///
/// ```
/// use diffprog_reverse::vjp;
/// use diffprog_dual::Scalar;
///
/// // the course lab: z = 2x + sin x, v = 4x + cos x at x = 1, backward with weights (1, 1)
/// let (values, wj) = vjp(|x| vec![x[0] * 2.0 + x[0].sin(), x[0] * 4.0 + x[0].cos()], &[1.0], &[1.0, 1.0]);
/// assert_eq!(values, vec![2.0 + 1.0_f64.sin(), 4.0 + 1.0_f64.cos()]);
/// assert!((wj[0] - (6.0 + 1.0_f64.cos() - 1.0_f64.sin())).abs() < 1e-15);
///
/// // an array of outputs, at an f32 point
/// let (values, wj) = vjp(|x| [x[0] * x[1], x[1]], [2.0_f32, 3.0], [1.0_f32, 10.0]);
/// assert_eq!((values, wj), (vec![6.0_f32, 3.0], vec![3.0_f32, 12.0]));
/// ```
///
/// `f` returns its outputs as a `Vec`, an array `[Var<F>; M]`, a `DVector` or an `SVector`
/// (any `impl AsRef<[Var<F>]>`).
///
/// # Panics
/// If `w.len()` differs from the number of outputs, and as [`gradient`].
pub fn vjp<F: Real + TapeElement, Y: AsRef<[Var<F>]>>(
    f: impl FnOnce(&[Var<F>]) -> Y,
    x: impl AsRef<[F]>,
    w: impl AsRef<[F]>,
) -> (Vec<F>, Vec<F>) {
    let (x, w) = (x.as_ref(), w.as_ref());
    let rec = Recording::<F>::start("reverse::vjp");
    let ys = rec.with_variables(x.iter().copied(), f);
    let ys = ys.as_ref();
    assert_eq!(
        ys.len(),
        w.len(),
        "vjp: f returned {} outputs but the weight vector w has length {}; give one weight per \
         output",
        ys.len(),
        w.len()
    );
    let wj = F::with_tape(|t| {
        t.sweep(ys.iter().copied().zip(w.iter().copied()));
        t.adjoints()[1..=x.len()].to_vec()
    });
    (ys.iter().map(|y| y.value).collect(), wj)
}

/// The values of `f: Rⁿ → Rᵐ` at `x` and its m × n Jacobian, by one recording and m backward
/// sweeps (one per output). Prefer forward mode when n is much smaller than m. `f` returns its
/// outputs as any `impl AsRef<[Var<F>]>` (a `Vec`, an array, a `DVector`, an `SVector`).
///
/// ```
/// use diffprog_reverse::jacobian;
/// use diffprog_dual::Scalar;
///
/// let (values, j) = jacobian(|x| vec![x[0] * x[1], x[0].exp()], &[2.0, 3.0]);
/// assert_eq!(values, vec![6.0, 2.0_f64.exp()]);
/// assert_eq!(j[(0, 0)], 3.0);
/// assert_eq!(j[(0, 1)], 2.0);
/// assert_eq!(j[(1, 0)], 2.0_f64.exp());
/// assert_eq!(j[(1, 1)], 0.0);
///
/// // a DVector of outputs, at an f32 point
/// let (values, j) = jacobian(|x| nalgebra::DVector::from_vec(vec![x[0] * x[1]]), [2.0_f32, 3.0]);
/// assert_eq!(values, vec![6.0_f32]);
/// assert_eq!((j[(0, 0)], j[(0, 1)]), (3.0_f32, 2.0_f32));
/// ```
///
/// # Panics
/// As [`gradient`].
pub fn jacobian<F: Real + TapeElement, Y: AsRef<[Var<F>]>>(
    f: impl FnOnce(&[Var<F>]) -> Y,
    x: impl AsRef<[F]>,
) -> (Vec<F>, DMatrix<F>) {
    let x = x.as_ref();
    let n = x.len();
    let rec = Recording::<F>::start("reverse::jacobian");
    let ys = rec.with_variables(x.iter().copied(), f);
    let ys = ys.as_ref();
    let mut jac = DMatrix::from_element(ys.len(), n, <F as Number>::zero());
    F::with_tape(|t| {
        for (k, &y) in ys.iter().enumerate() {
            t.sweep([(y, <F as Number>::one())]);
            for (i, &a) in t.adjoints()[1..=n].iter().enumerate() {
                jac[(k, i)] = a;
            }
        }
    });
    (ys.iter().map(|y| y.value).collect(), jac)
}

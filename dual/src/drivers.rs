//! Forward-mode drivers: [`derivative`], [`gradient`], [`jacobian`], [`jvp`], the Jacobians of
//! structured functions [`jacobian_array`] (one small block) and [`jacobian_colored`] (sparse, by
//! column colouring), and the generic forms [`derivative_at`] and [`gradient_at`] used for nesting
//! and `f32`.
//!
//! Every driver holds a [`DriverLevel`] for its number type during the call. An inner driver
//! called at the same number type as an enclosing one first evaluates its function with every
//! seed zero; it runs if that evaluation depends on no outer number (a helper that differentiates
//! internally, used inside a differentiated function) and panics instead of confusing the two
//! levels' perturbations otherwise (see [`nesting`](crate::nesting)).
//!
//! # What the drivers take
//!
//! A point (and a direction) is anything that lends its components as a slice, `impl
//! AsRef<[F]>`: a slice, an array, a `Vec`, nalgebra's `DVector` and `SVector`, by value or by
//! reference (`gradient(f, &x)` and `gradient(f, x)` both work). The drivers read it through
//! `as_ref()`, so no copy is made. A vector function given to [`jacobian`], [`jacobian_at`] or
//! [`jvp`] may return any `impl AsRef<[T]>` of its number type: a `Vec`, an array `[T; M]`, a
//! `DVector` or an `SVector`.
//!
//! # `f32`
//!
//! [`derivative`], [`gradient`], [`jacobian`] and [`jvp`] are generic over the primal float `F`
//! (`f64` or `f32`), inferred from the point: `gradient(f, &[1.0_f32, 2.0])` evaluates `f` on
//! `DualVec<f32, GRADIENT_CHUNK>`. The drivers with an explicit chunk width
//! (`gradient_with_chunk::<N>`, `jacobian_with_chunk::<N>`, [`jacobian_colored`]) take `f64`
//! points; their generic forms are [`gradient_at`] and [`jacobian_at`].
//!
//! A point written only with literals (`&[1.0, 2.0]`) and a closure that names no type leave the
//! float to Rust's default, `f64`, which is applied at the end of type checking: the results
//! compare and compute with `f64`s, but a method called on them directly (`g[0].abs()`) needs the
//! type named first, e.g. `&[1.0_f64, 2.0]`. A point of type `[f64; N]`, `Vec<f64>` or
//! `DVector<f64>`, or a generic `fn f<T: Scalar>` (which names `f64`), fixes it.

use crate::nesting::DriverLevel;
use crate::{Dual, DualVec, Number, Real, Scalar};
use nalgebra::DMatrix;

/// The tangent width [`gradient`] and [`jacobian`] use: each pass evaluates the function once on
/// [`DualVec`]s carrying this many directions, so an n-input function takes ⌈n / 10⌉ passes.
///
/// Chosen by measurement over widths 1 to 16 on Rosenbrock (`benches/PERFORMANCE.md`, "Forward
/// mode"): since [`DualVec`] skips the tangents of constants, a pass costs mostly what depends
/// on its inputs, so wider chunks gain at large n and narrower ones at small n. 10 is five SSE2
/// registers per number and takes small problems (n ≤ 10) in one pass. Large problems can ask
/// for `gradient_with_chunk::<12>`. Closures that name the number type can use
/// [`GradientNumber`].
pub const GRADIENT_CHUNK: usize = 10;

/// The number type [`gradient`] and [`jacobian`] evaluate the user's function on, for the primal
/// float `F` (`f64` unless named: `GradientNumber<f32>`).
pub type GradientNumber<F = f64> = DualVec<F, GRADIENT_CHUNK>;

/// The value and derivative of a scalar function at `x`, in one evaluation on [`Dual`] numbers.
///
/// `f` may be a closure or a generic `fn` item (`derivative(f, 1.0)` with
/// `fn f<T: Scalar>(x: T) -> T`).
///
/// ```
/// use diffprog_dual::{derivative, Scalar};
///
/// fn f<T: Scalar>(x: T) -> T {
///     x.sin() * x
/// }
/// let (value, slope) = derivative(f, 2.0);
/// assert_eq!(value, 2.0_f64.sin() * 2.0);
/// assert!((slope - (2.0_f64.cos() * 2.0 + 2.0_f64.sin())).abs() < 1e-15);
///
/// // closures too
/// let (_, d) = derivative(|x| x * x * 3.0, 2.0);
/// assert_eq!(d, 12.0);
///
/// // f32: the float is the point's
/// let (v, d) = derivative(|x| x * x * 3.0, 2.0_f32);
/// assert_eq!((v, d), (12.0_f32, 12.0_f32));
/// ```
///
/// # Panics
/// If called (directly or through `f`) inside another driver that uses `Dual<F>` and `f` depends
/// on a number of that driver: see [`derivative_at`] for nested derivatives.
#[inline]
pub fn derivative<F: Real + Scalar<F>>(f: impl FnMut(Dual<F>) -> Dual<F>, x: F) -> (F, F) {
    derivative_at(f, x)
}

/// The value and derivative of a scalar function at a point of any number type `T`: evaluates
/// `f` on `Dual<T>` and returns `(f(x), f'(x))` as `T`s.
///
/// This is the generic driver: at `T = f32` it differentiates `f32` code, and inside another
/// driver it nests correctly. To differentiate inside a function that is itself being
/// differentiated at `Dual<f64>`, run the inner derivative at `T = Dual<f64>`: its numbers are
/// `Dual<Dual<f64>>`, captured outer numbers enter through [`Dual::lift`], and the two levels'
/// tangents cannot be confused.
///
/// ```
/// use diffprog_dual::{derivative, derivative_at, Dual, Scalar};
///
/// // d/dx [x · d/dy (x + y)] at x = 1, y = 1: the inner derivative is 1, so the answer is 1.
/// let (_, d) = derivative(
///     |x: Dual<f64>| {
///         let (_, inner) = derivative_at(|y| Dual::lift(x) + y, Dual::constant(1.0));
///         x * inner
///     },
///     1.0,
/// );
/// assert_eq!(d, 1.0);
///
/// // f32 code
/// let (v, d) = derivative_at(|x: Dual<f32>| x * x, 3.0_f32);
/// assert_eq!((v, d), (9.0, 6.0));
/// ```
///
/// # Panics
/// If a driver with number type `Dual<T>` is already running on this thread and `f` depends on one
/// of its numbers (see [`nesting`](crate::nesting)).
#[inline]
pub fn derivative_at<T: Number>(mut f: impl FnMut(Dual<T>) -> Dual<T>, x: T) -> (T, T) {
    let level = DriverLevel::<Dual<T>>::enter_probed("derivative");
    level.probe_nested(|| f(Dual::lift(x)).derivative_parts_are_zero());
    let y = f(Dual::variable(x));
    (y.re, y.eps)
}

/// The value and gradient of `f: Rⁿ → R` at `x`, by forward mode in ⌈n / [`GRADIENT_CHUNK`]⌉
/// passes over [`DualVec`]`<F, GRADIENT_CHUNK>` numbers.
///
/// `f` may be a closure (`gradient(|p| model(p, &data), &x)`) or a generic `fn` item
/// (`gradient(rosenbrock, &x)`). The point `x` is a slice, an array, a `Vec`, a `DVector` or an
/// `SVector` (by value or by reference), of `f64` or `f32`: the primal float `F` is the point's.
/// Forward mode costs about n / [`GRADIENT_CHUNK`] evaluations of `f`; for large n reverse mode
/// (one sweep) is cheaper.
///
/// ```
/// use diffprog_dual::{gradient, Scalar};
///
/// fn rosenbrock<T: Scalar>(x: &[T]) -> T {
///     let mut s = T::zero();
///     for i in 0..x.len() - 1 {
///         let a = x[i + 1] - x[i] * x[i];
///         let b = T::one() - x[i];
///         s += a * a * 100.0 + b * b;
///     }
///     s
/// }
/// let (value, grad) = gradient(rosenbrock, &[1.0, 1.0, 1.0]);
/// assert_eq!(value, 0.0);
/// assert_eq!(grad, vec![0.0, 0.0, 0.0]);
/// let (_, grad) = gradient(rosenbrock, vec![0.0, 0.0]);
/// assert_eq!(grad, vec![-2.0, 0.0]);
///
/// // closures with an untyped argument, and nalgebra vectors
/// let x = nalgebra::DVector::from_vec(vec![2.0, 5.0]);
/// let (v, g) = gradient(|x| x[0] * x[1], &x);
/// assert_eq!((v, g), (10.0, vec![5.0, 2.0]));
///
/// // f32 code: f is generic over T: Scalar<F>, the point is f32
/// fn norm2<F: diffprog_dual::Real, T: Scalar<F>>(x: &[T]) -> T {
///     x.iter().map(|&xi| xi * xi).sum()
/// }
/// let (v, g) = gradient(norm2, &[1.0_f32, 2.0]);
/// assert_eq!((v, g), (5.0_f32, vec![2.0_f32, 4.0]));
/// ```
///
/// # Panics
/// If called inside another driver that uses `DualVec<F, GRADIENT_CHUNK>` when `f` depends on its
/// numbers.
#[inline]
pub fn gradient<F: Real + Scalar<F>>(
    f: impl Fn(&[DualVec<F, GRADIENT_CHUNK>]) -> DualVec<F, GRADIENT_CHUNK>,
    x: impl AsRef<[F]>,
) -> (F, Vec<F>) {
    gradient_at::<F, GRADIENT_CHUNK>(f, x)
}

/// [`gradient`] with an explicit tangent width `N` (⌈n / N⌉ passes), at an `f64` point:
/// `gradient_with_chunk::<4>(f, &x)`. [`gradient_at`] is the same for any number type.
///
/// ```
/// use diffprog_dual::gradient_with_chunk;
///
/// let (v, g) = gradient_with_chunk::<2>(|x| x[0] * x[1] * x[2], &[2.0, 3.0, 4.0]);
/// assert_eq!(v, 24.0);
/// assert_eq!(g, vec![12.0, 8.0, 6.0]);
/// ```
#[inline]
pub fn gradient_with_chunk<const N: usize>(
    f: impl Fn(&[DualVec<f64, N>]) -> DualVec<f64, N>,
    x: impl AsRef<[f64]>,
) -> (f64, Vec<f64>) {
    gradient_at::<f64, N>(f, x)
}

/// The generic gradient driver: value and gradient of `f` at a point whose components are any
/// number type `T` (`f32`, or an outer level's `Dual<f64>` for nested use), in ⌈n / N⌉ passes
/// over `DualVec<T, N>`.
///
/// ```
/// use diffprog_dual::gradient_at;
///
/// let (v, g) = gradient_at::<f32, 4>(|x| x[0] * x[1], &[2.0_f32, 5.0]);
/// assert_eq!((v, g), (10.0, vec![5.0, 2.0]));
/// ```
///
/// # Panics
/// If `N == 0`, or a driver with number type `DualVec<T, N>` is already running on this thread
/// and `f` depends on one of its numbers.
pub fn gradient_at<T: Number, const N: usize>(
    f: impl Fn(&[DualVec<T, N>]) -> DualVec<T, N>,
    x: impl AsRef<[T]>,
) -> (T, Vec<T>) {
    assert!(N > 0, "gradient: the chunk width N must be at least 1");
    let x = x.as_ref();
    let level = DriverLevel::<DualVec<T, N>>::enter_probed("gradient");
    let n = x.len();
    let mut args: Vec<DualVec<T, N>> = x.iter().map(|&xi| DualVec::lift(xi)).collect();
    level.probe_nested(|| f(&args).derivative_parts_are_zero());
    let mut grad = vec![T::zero(); n];
    if n == 0 {
        return (f(&args).re, grad);
    }
    let mut value = T::zero();
    for start in (0..n).step_by(N) {
        let end = (start + N).min(n);
        for (j, (a, &xi)) in args[start..end].iter_mut().zip(&x[start..end]).enumerate() {
            *a = DualVec::variable(xi, j);
        }
        let y = f(&args);
        if start == 0 {
            value = y.re;
        }
        grad[start..end].copy_from_slice(&y.eps()[..end - start]);
        for (a, &xi) in args[start..end].iter_mut().zip(&x[start..end]) {
            *a = DualVec::lift(xi);
        }
    }
    (value, grad)
}

/// The value and Jacobian (m × n, row i = ∇fᵢ) of `f: Rⁿ → Rᵐ` at `x`, in ⌈n / N⌉ passes over
/// [`DualVec`]`<F, GRADIENT_CHUNK>`.
///
/// `f` returns its m outputs as a `Vec`, an array `[T; M]`, a `DVector` or an `SVector` (any
/// `impl AsRef<[T]>`). The point is any `impl AsRef<[F]>`, of `f64` or `f32`.
///
/// ```
/// use diffprog_dual::{jacobian, Scalar};
///
/// fn polar<T: Scalar>(p: &[T]) -> Vec<T> {
///     vec![p[0] * p[1].cos(), p[0] * p[1].sin()]
/// }
/// let (value, j) = jacobian(polar, &[2.0, 0.0]);
/// assert_eq!(value, vec![2.0, 0.0]);
/// assert_eq!(j[(0, 0)], 1.0); // ∂(r cos θ)/∂r
/// assert_eq!(j[(1, 1)], 2.0); // ∂(r sin θ)/∂θ
///
/// // an array of outputs, at an f32 point
/// let (value, j) = jacobian(|p| [p[0] * p[1], p[0] + p[1]], [2.0_f32, 3.0]);
/// assert_eq!(value, vec![6.0_f32, 5.0]);
/// assert_eq!(j[(0, 1)], 2.0_f32);
/// ```
///
/// # Panics
/// If the number of outputs changes between passes, or inside another driver that uses
/// `DualVec<F, GRADIENT_CHUNK>` when `f` depends on its numbers.
#[inline]
pub fn jacobian<F: Real + Scalar<F>, Y: AsRef<[DualVec<F, GRADIENT_CHUNK>]>>(
    f: impl Fn(&[DualVec<F, GRADIENT_CHUNK>]) -> Y,
    x: impl AsRef<[F]>,
) -> (Vec<F>, DMatrix<F>) {
    jacobian_at::<F, GRADIENT_CHUNK, Y>(f, x)
}

/// [`jacobian`] with an explicit tangent width `N`, at an `f64` point, for a function returning
/// a `Vec`: `jacobian_with_chunk::<4>(f, &x)`. [`jacobian_at`] is the same for any number type and
/// any kind of output.
///
/// # Panics
/// As [`jacobian`]; also if `N == 0`.
#[inline]
pub fn jacobian_with_chunk<const N: usize>(
    f: impl Fn(&[DualVec<f64, N>]) -> Vec<DualVec<f64, N>>,
    x: impl AsRef<[f64]>,
) -> (Vec<f64>, DMatrix<f64>) {
    jacobian_at::<f64, N, _>(f, x)
}

/// The generic Jacobian driver: the value and Jacobian of `f` at a point whose components are any
/// number type `T`, in ⌈n / N⌉ passes over `DualVec<T, N>`; `f` returns any `impl AsRef<[_]>` of
/// its outputs (a `Vec`, an array, a `DVector`, an `SVector`).
///
/// ```
/// use diffprog_dual::jacobian_at;
/// use nalgebra::SVector;
///
/// let (value, j) = jacobian_at::<f32, 2, _>(
///     |p| SVector::<_, 2>::new(p[0] * p[2], p[1]),
///     &[2.0_f32, 3.0, 4.0],
/// );
/// assert_eq!(value, vec![8.0, 3.0]);
/// assert_eq!(j[(0, 2)], 2.0);
/// assert_eq!(j[(1, 1)], 1.0);
/// ```
///
/// # Panics
/// If `N == 0`, if the number of outputs changes between passes, or inside another driver that
/// uses `DualVec<T, N>`.
pub fn jacobian_at<T: Number, const N: usize, Y: AsRef<[DualVec<T, N>]>>(
    f: impl Fn(&[DualVec<T, N>]) -> Y,
    x: impl AsRef<[T]>,
) -> (Vec<T>, DMatrix<T>) {
    assert!(N > 0, "jacobian: the chunk width N must be at least 1");
    let x = x.as_ref();
    let level = DriverLevel::<DualVec<T, N>>::enter_probed("jacobian");
    let n = x.len();
    let mut args: Vec<DualVec<T, N>> = x.iter().map(|&xi| DualVec::lift(xi)).collect();
    level.probe_nested(|| all_constant(f(&args).as_ref()));
    if n == 0 {
        let y = f(&args);
        let y = y.as_ref();
        return (
            y.iter().map(|v| v.re).collect(),
            DMatrix::from_element(y.len(), 0, T::zero()),
        );
    }
    let mut value = Vec::new();
    let mut jac = DMatrix::from_element(0, n, T::zero());
    for start in (0..n).step_by(N) {
        let end = (start + N).min(n);
        for (j, (a, &xi)) in args[start..end].iter_mut().zip(&x[start..end]).enumerate() {
            *a = DualVec::variable(xi, j);
        }
        let y = f(&args);
        let y = y.as_ref();
        if start == 0 {
            value = y.iter().map(|v| v.re).collect();
            jac = DMatrix::from_element(y.len(), n, T::zero());
        } else {
            assert_eq!(
                y.len(),
                value.len(),
                "jacobian: the function returned {} outputs in one pass and {} in the first; \
                 it must return the same number of outputs for every evaluation",
                y.len(),
                value.len()
            );
        }
        for (i, yi) in y.iter().enumerate() {
            for col in start..end {
                jac[(i, col)] = yi.eps()[col - start];
            }
        }
        for (a, &xi) in args[start..end].iter_mut().zip(&x[start..end]) {
            *a = DualVec::lift(xi);
        }
    }
    (value, jac)
}

/// The value f(x) and the Jacobian-vector product J(x)·v of `f: Rⁿ → Rᵐ`, in one evaluation on
/// [`Dual`] numbers seeded with the direction `v`.
///
/// The point and the direction are any `impl AsRef<[F]>` (`f64` or `f32`), and `f` returns any
/// `impl AsRef<[Dual<F>]>` (a `Vec`, an array, a `DVector`, an `SVector`).
///
/// ```
/// use diffprog_dual::jvp;
///
/// let (y, jv) = jvp(|p| vec![p[0] * p[1], p[0] + p[1]], &[2.0, 3.0], &[1.0, -1.0]);
/// assert_eq!(y, vec![6.0, 5.0]);
/// assert_eq!(jv, vec![3.0 - 2.0, 0.0]);
///
/// let (y, jv) = jvp(|p| [p[0] * p[0]], vec![3.0_f32], [1.0_f32]);
/// assert_eq!((y, jv), (vec![9.0_f32], vec![6.0_f32]));
/// ```
///
/// # Panics
/// If `x` and `v` have different lengths, or inside another driver that uses `Dual<F>` when `f`
/// depends on its numbers.
pub fn jvp<F: Real + Scalar<F>, Y: AsRef<[Dual<F>]>>(
    mut f: impl FnMut(&[Dual<F>]) -> Y,
    x: impl AsRef<[F]>,
    v: impl AsRef<[F]>,
) -> (Vec<F>, Vec<F>) {
    let (x, v) = (x.as_ref(), v.as_ref());
    assert_eq!(
        x.len(),
        v.len(),
        "jvp: the point x has {} components but the direction v has {}; they must have the same length",
        x.len(),
        v.len()
    );
    let level = DriverLevel::<Dual<F>>::enter_probed("jvp");
    level.probe_nested(|| {
        let constants: Vec<Dual<F>> = x.iter().map(|&a| Dual::lift(a)).collect();
        all_constant(f(&constants).as_ref())
    });
    let args: Vec<Dual<F>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, b)).collect();
    let y = f(&args);
    let y = y.as_ref();
    (
        y.iter().map(|d| d.re).collect(),
        y.iter().map(|d| d.eps).collect(),
    )
}

/// The value and Jacobian (`M` × `K`, row i = ∇fᵢ) of a small function with a fixed number of
/// inputs `K` and outputs `M`, in one forward pass over [`DualVec`]`<f64, K>`, on the stack.
///
/// This is the driver for a Jacobian with a known block structure: a large function made of many
/// small pieces, each reading a few inputs (bundle adjustment's reprojection error of one
/// observation reads 11 camera parameters, 3 point coordinates and a weight). Each piece's block
/// is one call: the `K` inputs are seeded with the `K` unit directions, `f` runs once, and the
/// result comes back in arrays, with no heap allocation, so calling it per block in a loop costs
/// one evaluation of the piece on `K` tangents.
///
/// ```
/// use diffprog_dual::{jacobian_array, Scalar};
///
/// // The projection of a point (x, y, z) onto the image plane: (x/z, y/z).
/// fn project<T: Scalar>(p: &[T; 3]) -> [T; 2] {
///     [p[0] / p[2], p[1] / p[2]]
/// }
/// let (value, j) = jacobian_array(project, &[1.0, 2.0, 4.0]);
/// assert_eq!(value, [0.25, 0.5]);
/// assert_eq!(j, [[0.25, 0.0, -1.0 / 16.0], [0.0, 0.25, -2.0 / 16.0]]);
/// ```
///
/// # Panics
/// Inside another driver that uses `DualVec<f64, K>` when `f` depends on its numbers.
#[inline]
pub fn jacobian_array<const K: usize, const M: usize>(
    mut f: impl FnMut(&[DualVec<f64, K>; K]) -> [DualVec<f64, K>; M],
    x: &[f64; K],
) -> ([f64; M], [[f64; K]; M]) {
    let level = DriverLevel::<DualVec<f64, K>>::enter_probed("jacobian_array");
    level.probe_nested(|| all_constant(&f(&x.map(DualVec::lift))));
    let mut args = [DualVec::lift(0.0); K];
    for (i, (a, &xi)) in args.iter_mut().zip(x).enumerate() {
        *a = DualVec::variable(xi, i);
    }
    let y = f(&args);
    (y.map(|v| v.re), y.map(|v| *v.eps()))
}

/// The value and the *compressed* Jacobian of a function `f: Rⁿ → Rᵐ` with a sparse Jacobian,
/// by forward mode with a column colouring: inputs of the same colour share one tangent
/// direction, so the Jacobian takes ⌈c / N⌉ passes over [`DualVec`]`<f64, N>` for `c` colours
/// instead of ⌈n / N⌉.
///
/// `colors[j]` is the colour of input `j` (colours are `0..c`, `c` = the largest colour + 1).
/// The colouring must be *structurally orthogonal*: no output depends on two inputs of the same
/// colour. Then each output's tangent along a colour is its partial derivative with respect to
/// the one input of that colour it depends on, and the result is exact (Curtis, Powell and Reid's
/// compression). A colouring that is not orthogonal gives sums of partials: the driver cannot
/// detect it.
///
/// Returns `f(x)` and the compressed Jacobian, row-major `m × c`: the partial ∂fᵢ/∂xⱼ, for an
/// input `j` that output `i` depends on, is at `[i · c + colors[j]]`. Typical use: a function of
/// shared parameters and of per-item parameters where item `i`'s outputs read only item `i`'s
/// parameters; colour the shared ones `0..s` and the k-th parameter of every item `s + k`, and
/// the m × (s + k·items) Jacobian comes back as m × (s + k).
///
/// ```
/// use diffprog_dual::{jacobian_colored, Scalar};
///
/// // fᵢ = a · uᵢ²: every output reads the shared a and its own uᵢ.
/// fn f<T: Scalar>(x: &[T]) -> Vec<T> {
///     x[1..].iter().map(|&u| x[0] * u * u).collect()
/// }
/// let x = [3.0, 1.0, 2.0, 5.0];
/// let colors = [0, 1, 1, 1]; // a alone; every uᵢ in one colour
/// let (value, compressed) = jacobian_colored::<2>(f, &x, &colors);
/// assert_eq!(value, vec![3.0, 12.0, 75.0]);
/// // rows: [∂fᵢ/∂a, ∂fᵢ/∂uᵢ] = [uᵢ², 2·a·uᵢ]
/// assert_eq!(compressed, vec![1.0, 6.0, 4.0, 12.0, 25.0, 30.0]);
/// ```
///
/// # Panics
/// If `colors` and `x` have different lengths, if `N == 0`, if the number of outputs changes
/// between passes, or inside another driver that uses `DualVec<f64, N>` when `f` depends on its
/// numbers.
pub fn jacobian_colored<const N: usize>(
    f: impl Fn(&[DualVec<f64, N>]) -> Vec<DualVec<f64, N>>,
    x: impl AsRef<[f64]>,
    colors: &[usize],
) -> (Vec<f64>, Vec<f64>) {
    assert!(
        N > 0,
        "jacobian_colored: the chunk width N must be at least 1"
    );
    let mut workspace = ColoredJacobian::<N>::new(colors.to_vec());
    workspace.compute(|args, out| *out = f(args), x);
    (workspace.value, workspace.compressed)
}

/// [`jacobian_colored`] with its buffers kept between calls: for computing the compressed
/// Jacobian of the same function many times (an optimiser's iterations, a benchmark's runs), with
/// the function writing its outputs into a vector the workspace owns.
///
/// The inputs' dual numbers, the outputs' dual numbers and the compressed Jacobian are each one
/// large allocation per call in [`jacobian_colored`]; here they are made on the first call and
/// reused, so later calls neither allocate nor touch fresh memory.
///
/// ```
/// use diffprog_dual::{ColoredJacobian, Scalar};
///
/// // fᵢ = a · uᵢ², written into the output vector.
/// fn f<T: Scalar>(x: &[T], out: &mut Vec<T>) {
///     out.clear();
///     out.extend(x[1..].iter().map(|&u| x[0] * u * u));
/// }
/// let mut jac = ColoredJacobian::<2>::new(vec![0, 1, 1, 1]);
/// for a in [3.0, 4.0] {
///     let (value, compressed) = jac.compute(f, &[a, 1.0, 2.0, 5.0]);
///     assert_eq!(value[2], a * 25.0);
///     assert_eq!(compressed[4..], [25.0, 2.0 * a * 5.0]); // row 2: [∂f₂/∂a, ∂f₂/∂u₂]
/// }
/// ```
pub struct ColoredJacobian<const N: usize> {
    colors: Vec<usize>,
    c: usize,
    args: Vec<DualVec<f64, N>>,
    outputs: Vec<DualVec<f64, N>>,
    value: Vec<f64>,
    compressed: Vec<f64>,
}

impl<const N: usize> ColoredJacobian<N> {
    /// A workspace for inputs coloured `colors` (see [`jacobian_colored`]: no output may depend
    /// on two inputs of the same colour).
    ///
    /// # Panics
    /// If `N == 0`.
    pub fn new(colors: Vec<usize>) -> Self {
        assert!(
            N > 0,
            "ColoredJacobian: the chunk width N must be at least 1"
        );
        let c = colors.iter().map(|&k| k + 1).max().unwrap_or(0);
        ColoredJacobian {
            colors,
            c,
            args: Vec::new(),
            outputs: Vec::new(),
            value: Vec::new(),
            compressed: Vec::new(),
        }
    }

    /// The number of colours, the compressed Jacobian's row length.
    pub fn colors(&self) -> usize {
        self.c
    }

    /// The last [`compute`](Self::compute)'s value and compressed Jacobian (empty before the
    /// first).
    pub fn last(&self) -> (&[f64], &[f64]) {
        (&self.value, &self.compressed)
    }

    /// `f(x)` and the compressed Jacobian (row-major, m × [`colors`](Self::colors)), as
    /// [`jacobian_colored`] returns them; `f` writes its outputs into the vector it is given
    /// (which holds the previous pass's outputs: clear it first).
    ///
    /// # Panics
    /// If `x` does not have one component per colour given to [`new`](Self::new), if the number
    /// of outputs changes between passes, or inside another driver that uses `DualVec<f64, N>`
    /// when `f` depends on its numbers.
    pub fn compute(
        &mut self,
        f: impl Fn(&[DualVec<f64, N>], &mut Vec<DualVec<f64, N>>),
        x: impl AsRef<[f64]>,
    ) -> (&[f64], &[f64]) {
        let x = x.as_ref();
        assert_eq!(
            x.len(),
            self.colors.len(),
            "jacobian_colored: the point has {} components but there are {} colours; give one colour per input",
            x.len(),
            self.colors.len()
        );
        let level = DriverLevel::<DualVec<f64, N>>::enter_probed("jacobian_colored");
        let c = self.c;
        self.args.clear();
        self.args.extend(x.iter().map(|&xi| DualVec::lift(xi)));
        level.probe_nested(|| {
            f(&self.args, &mut self.outputs);
            all_constant(&self.outputs)
        });
        if c == 0 {
            f(&self.args, &mut self.outputs);
            self.value.clear();
            self.value.extend(self.outputs.iter().map(|v| v.re));
            self.compressed.clear();
            return (&self.value, &self.compressed);
        }
        for start in (0..c).step_by(N) {
            let width = N.min(c - start);
            for ((a, &xi), &k) in self.args.iter_mut().zip(x).zip(&self.colors) {
                *a = if (start..start + width).contains(&k) {
                    DualVec::variable(xi, k - start)
                } else {
                    DualVec::lift(xi)
                };
            }
            f(&self.args, &mut self.outputs);
            let y = &self.outputs;
            if start == 0 {
                self.value.clear();
                self.value.extend(y.iter().map(|v| v.re));
                self.compressed.resize(y.len() * c, 0.0);
            } else {
                assert_eq!(
                    y.len(),
                    self.value.len(),
                    "jacobian_colored: the function returned {} outputs in one pass and {} in the \
                     first; it must return the same number of outputs for every evaluation",
                    y.len(),
                    self.value.len()
                );
            }
            for (row, yi) in self.compressed.chunks_exact_mut(c).zip(y) {
                row[start..start + width].copy_from_slice(&yi.eps()[..width]);
            }
        }
        (&self.value, &self.compressed)
    }
}

/// True when no output has a nonzero derivative part (the nesting probe's question).
fn all_constant<N: Number>(outputs: &[N]) -> bool {
    outputs.iter().all(Number::derivative_parts_are_zero)
}

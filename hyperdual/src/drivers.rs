//! Drivers: second and third derivatives, Hessians, partial Hessians, third partials.

use crate::arena::{Mode, Pass};
use crate::{ArenaHyperDual, HyperDual, HyperDualVec, Taylor2, Taylor3};
use diffprog_dual::nesting::DriverLevel;
use diffprog_dual::{Dual, Number, Real, Scalar};
use nalgebra::DMatrix;

/// The block size of [`partial_hessian`] (inline [`HyperDualVec`] numbers): blocks of 6 inputs,
/// numbers of 1 + 6 + 6 + 36 components (400 bytes).
///
/// Chosen by measurement for inline numbers (`benches/PERFORMANCE.md`, "Hyperdual blocks"): the
/// cost of a pass grows with the size of the numbers, which every operation copies, so the total
/// is roughly independent of the block size in theory, and in practice 6 was the fastest.
pub const PARTIAL_HESSIAN_BLOCK: usize = 6;

/// The block size of [`hessian`] (numbers [`ArenaHyperDual`]`<HESSIAN_BLOCK>`): blocks of 8.
///
/// Chosen by measurement (`cargo run --release -p diffprog-benches --bin chunk-sizes`; figures
/// in `benches/PERFORMANCE.md`, "Hyperdual blocks"): with the parts out of line, a number that
/// does not depend on a pass's blocks costs the same for any N, so larger blocks (fewer passes)
/// pay off until the N² block work dominates; 8 was the fastest at n = 100 and within the noise
/// of the best at n = 10. See the crate docs.
pub const HESSIAN_BLOCK: usize = 8;

/// The number type [`hessian`] evaluates the function at.
pub type HessianNumber = ArenaHyperDual<HESSIAN_BLOCK>;

/// The number type [`hessian_f32`] evaluates the function at: inline hyperdual numbers over
/// blocks of [`PARTIAL_HESSIAN_BLOCK`] inputs (the block size measured best for inline numbers).
pub type HessianNumberF32 = HyperDualVec<f32, PARTIAL_HESSIAN_BLOCK, PARTIAL_HESSIAN_BLOCK>;

/// The number type [`partial_hessian`] evaluates the function at.
pub type PartialHessianNumber = HyperDualVec<f64, PARTIAL_HESSIAN_BLOCK, PARTIAL_HESSIAN_BLOCK>;

/// `(f(x), f'(x), f''(x))` of a scalar function, in one pass on [`Taylor2`] numbers.
///
/// Accepts closures and generic functions alike:
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::second_derivative;
///
/// fn f<T: Scalar>(x: T) -> T {
///     x.powi(3) + x.sin()
/// }
/// let (v, d1, d2) = second_derivative(f, 2.0);
/// assert_eq!(v, 8.0 + 2.0_f64.sin());
/// assert!((d1 - (12.0 + 2.0_f64.cos())).abs() < 1e-14);
/// assert!((d2 - (12.0 - 2.0_f64.sin())).abs() < 1e-14);
/// let (_, _, c) = second_derivative(|x| x * x * 3.0, 5.0);
/// assert_eq!(c, 6.0);
/// ```
pub fn second_derivative<F: Real + Scalar<F>, G>(f: G, x: F) -> (F, F, F)
where
    G: Fn(Taylor2<F>) -> Taylor2<F>,
{
    let level = DriverLevel::<Taylor2<F>>::enter_probed("second_derivative");
    level.probe_nested(|| f(Taylor2::constant(x)).derivative_parts_are_zero());
    let y = f(Taylor2::variable(x));
    (y.re, y.d1, y.d2)
}

/// `(f, f', f'', f''')` of a scalar function at `x`, in one pass on [`Taylor3`] numbers.
///
/// ```
/// use diffprog_hyperdual::third_derivative;
/// use diffprog_dual::Scalar;
///
/// let (_, _, _, d3) = third_derivative(|x| x.sin(), 0.5);
/// assert!((d3 + 0.5_f64.cos()).abs() < 1e-15);
/// ```
pub fn third_derivative<F: Real + Scalar<F>, G>(f: G, x: F) -> (F, F, F, F)
where
    G: Fn(Taylor3<F>) -> Taylor3<F>,
{
    let level = DriverLevel::<Taylor3<F>>::enter_probed("third_derivative");
    level.probe_nested(|| f(Taylor3::constant(x)).derivative_parts_are_zero());
    let y = f(Taylor3::variable(x));
    (y.re, y.d1, y.d2, y.d3)
}

/// `(f(x), ∇f(x), ∇²f(x))` by forward-over-forward chunked hyperdual numbers, skipping the
/// blocks of the Hessian that are structurally zero.
///
/// The inputs are split into blocks of [`HESSIAN_BLOCK`]. A first, *structural* pass evaluates
/// `f` once recording which pairs of input blocks meet in a nonlinear operation; then, for every
/// pair of blocks I ≤ J that do (and every diagonal block), a pass seeds block I in the ε₁
/// directions and block J in the ε₂ directions of an [`ArenaHyperDual`] and reads the block
/// `∂²f/∂x_I∂x_J`. A dense Hessian takes ⌈n/8⌉(⌈n/8⌉ + 1)/2 passes, plus the structural one
/// when there are three blocks or more; a banded one, such as Rosenbrock's, about 2⌈n/8⌉
/// (n = 100: 1 + 25 instead of 91). The skipped blocks are exactly
/// zero, as a pass over them would have found (the structural pass over-approximates). Only
/// the upper triangle is computed; the lower is its mirror, so the result is exactly symmetric.
///
/// `f` must compute the same thing in every pass (it does, unless it keeps state between calls
/// or is random): branches on values take the same path in every pass, as the values are equal.
/// See [`hessian_with_arena_chunk`] to choose the block size and [`hessian_with_chunk`] for the
/// same computation on inline [`HyperDualVec`] numbers (no structural pass).
///
/// The point is a slice, an array, a `Vec`, a `DVector` or an `SVector` of `f64` (any
/// `impl AsRef<[f64]>`, by value or by reference); for `f32` code use [`hessian_f32`].
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_hyperdual::hessian;
///
/// fn f<T: Scalar>(x: &[T]) -> T {
///     x[0] * x[0] * x[1] + x[1].exp()
/// }
/// let (v, g, h) = hessian(f, &[2.0, 0.0]);
/// assert_eq!(v, 1.0);
/// assert_eq!(g, vec![0.0, 5.0]);
/// assert_eq!(h[(0, 0)], 0.0);
/// assert_eq!(h[(0, 1)], 4.0);
/// assert_eq!(h[(1, 0)], 4.0);
/// assert_eq!(h[(1, 1)], 1.0);
/// ```
pub fn hessian(
    f: impl Fn(&[HessianNumber]) -> HessianNumber,
    x: impl AsRef<[f64]>,
) -> (f64, Vec<f64>, DMatrix<f64>) {
    hessian_with_arena_chunk::<HESSIAN_BLOCK>(f, x)
}

/// [`hessian`] at an `f32` point: the value, gradient and Hessian of `f32` code, on inline
/// [`HessianNumberF32`] numbers (`HyperDualVec<f32, 6, 6>`), by [`hessian_at`]: every pair of
/// blocks of 6 inputs is evaluated, ⌈n/6⌉(⌈n/6⌉ + 1)/2 passes.
///
/// [`hessian`]'s numbers keep their parts in an `f64` arena, so its closure type cannot serve
/// both floats; this is its `f32` twin, with the same results up to `f32` rounding (tested
/// against the `f64` Hessian and central differences).
///
/// ```
/// use diffprog_dual::{Real, Scalar};
/// use diffprog_hyperdual::hessian_f32;
///
/// fn f<F: Real, T: Scalar<F>>(x: &[T]) -> T {
///     x[0] * x[0] * x[1] + x[1].exp()
/// }
/// let (v, g, h) = hessian_f32(f, &[2.0_f32, 0.0]);
/// assert_eq!(v, 1.0);
/// assert_eq!(g, vec![0.0, 5.0]);
/// assert_eq!((h[(0, 1)], h[(1, 0)], h[(1, 1)]), (4.0, 4.0, 1.0));
/// ```
///
/// # Panics
/// As every driver, when called inside another driver at the same number type.
pub fn hessian_f32(
    f: impl Fn(&[HessianNumberF32]) -> HessianNumberF32,
    x: impl AsRef<[f32]>,
) -> (f32, Vec<f32>, DMatrix<f32>) {
    hessian_at::<f32, PARTIAL_HESSIAN_BLOCK>(f, x)
}

/// [`hessian`] with blocks of `N` inputs: one structural pass, then one pass per diagonal block
/// and per pair of blocks that interact, on [`ArenaHyperDual`]`<N>` numbers.
///
/// ```
/// use diffprog_hyperdual::hessian_with_arena_chunk;
///
/// // x₀·x₁ + x₂²: blocks {x₀}, {x₁}, {x₂}; the pair ({x₀}, {x₂}) is never evaluated.
/// let (_, _, h) = hessian_with_arena_chunk::<1>(|x| x[0] * x[1] + x[2] * x[2], &[1.0, 2.0, 3.0]);
/// assert_eq!(h[(0, 1)], 1.0);
/// assert_eq!(h[(2, 2)], 2.0);
/// assert_eq!(h[(0, 2)], 0.0);
/// ```
///
/// # Panics
/// If `N` is 0, or when called inside another driver at the same number type (the arena holds
/// one pass at a time, so this driver does not nest at its own type even when `f` could).
pub fn hessian_with_arena_chunk<const N: usize>(
    f: impl Fn(&[ArenaHyperDual<N>]) -> ArenaHyperDual<N>,
    x: impl AsRef<[f64]>,
) -> (f64, Vec<f64>, DMatrix<f64>) {
    let x = x.as_ref();
    assert!(
        N > 0,
        "hessian_with_arena_chunk: the chunk size N must be at least 1"
    );
    let _level = DriverLevel::<ArenaHyperDual<N>>::enter("hessian");
    let n = x.len();
    let blocks = n.div_ceil(N);
    let lifted: Vec<ArenaHyperDual<N>> = x.iter().map(|&v| ArenaHyperDual::lift(v)).collect();
    let mut grad = vec![0.0; n];
    let mut h = DMatrix::zeros(n, n);
    // The structural pass: which pairs of blocks interact. With one or two blocks it could save
    // at most one pass, so it is not run (every pair is evaluated).
    let structural = blocks > 2;
    let (pairs, words, mut value) = if structural {
        let pass = Pass::open(Mode::Structural, blocks);
        let inputs: Vec<ArenaHyperDual<N>> = x
            .iter()
            .enumerate()
            .map(|(k, &v)| ArenaHyperDual::depending_on(v, k / N))
            .collect();
        let y = f(&inputs);
        let (pairs, words) = pass.pairs();
        (pairs, words, y.re())
    } else if n == 0 {
        (Vec::new(), 0, f(&lifted).re())
    } else {
        (Vec::new(), 0, 0.0)
    };
    let interact =
        |bi: usize, bj: usize| !structural || pairs[bi * words + bj / 64] >> (bj % 64) & 1 == 1;
    let mut inputs = lifted.clone();
    for bi in 0..blocks {
        let ri = bi * N..((bi + 1) * N).min(n);
        for bj in bi..blocks {
            if bj != bi && !interact(bi, bj) {
                continue;
            }
            let rj = bj * N..((bj + 1) * N).min(n);
            let mode = if bi == bj { Mode::Diagonal } else { Mode::Full };
            let pass = Pass::open(mode, 0);
            for k in ri.start.min(rj.start)..ri.end.max(rj.end) {
                let i = ri.contains(&k).then(|| k - ri.start);
                let j = rj.contains(&k).then(|| k - rj.start);
                if i.is_some() || j.is_some() {
                    inputs[k] = ArenaHyperDual::seed(x[k], i, j);
                }
            }
            let y = f(&inputs);
            value = y.re();
            let block = y.eps12();
            if bi == bj {
                let g = y.eps1();
                grad[ri.clone()].copy_from_slice(&g[..ri.len()]);
            }
            drop(pass);
            for k in ri.clone().chain(rj.clone()) {
                inputs[k] = lifted[k];
            }
            for (a, i) in ri.clone().enumerate() {
                for (b, j) in rj.clone().enumerate() {
                    // Diagonal blocks: the upper triangle, mirrored below.
                    if bi != bj || j >= i {
                        let v = block[a][b];
                        h[(i, j)] = v;
                        h[(j, i)] = v;
                    }
                }
            }
        }
    }
    (value, grad, h)
}

/// The Hessian on inline [`HyperDualVec`]`<f64, N, N>` numbers: every pair of blocks I ≤ J is
/// evaluated, ⌈n/N⌉(⌈n/N⌉ + 1)/2 passes (no structural pass) on numbers of `1 + 2N + N²`
/// components. Same results as [`hessian`] (tested); the generic form of the algorithm, also for
/// `f32` ([`hessian_at`]) and for functions written against `HyperDualVec`. `N` is a trade-off: larger blocks mean fewer passes but bigger
/// numbers; the crate docs give measurements. A function of `N = n` inputs takes one pass.
///
/// ```
/// use diffprog_hyperdual::hessian_with_chunk;
///
/// let (_, _, h) = hessian_with_chunk::<2>(|x| x[0] * x[1] * x[2], &[1.0, 2.0, 3.0]);
/// assert_eq!(h[(0, 1)], 3.0);
/// assert_eq!(h[(2, 1)], 1.0);
/// ```
pub fn hessian_with_chunk<const N: usize>(
    f: impl Fn(&[HyperDualVec<f64, N, N>]) -> HyperDualVec<f64, N, N>,
    x: impl AsRef<[f64]>,
) -> (f64, Vec<f64>, DMatrix<f64>) {
    hessian_at::<f64, N>(f, x)
}

/// [`hessian_with_chunk`] for any primal float (`f32` or `f64`).
///
/// ```
/// use diffprog_hyperdual::hessian_at;
///
/// let (_, _, h) = hessian_at::<f32, 2>(|x| x[0] * x[1] * x[2], &[1.0_f32, 2.0, 3.0]);
/// assert_eq!(h[(0, 1)], 3.0);
/// ```
pub fn hessian_at<F: Real + Scalar<F>, const N: usize>(
    f: impl Fn(&[HyperDualVec<F, N, N>]) -> HyperDualVec<F, N, N>,
    x: impl AsRef<[F]>,
) -> (F, Vec<F>, DMatrix<F>) {
    let x = x.as_ref();
    assert!(
        N > 0,
        "hessian_with_chunk: the chunk size N must be at least 1"
    );
    let level = DriverLevel::<HyperDualVec<F, N, N>>::enter_probed("hessian");
    let n = x.len();
    let mut inputs: Vec<HyperDualVec<F, N, N>> = x.iter().map(|&v| HyperDualVec::lift(v)).collect();
    level.probe_nested(|| f(&inputs).derivative_parts_are_zero());
    let mut value = <F as Number>::zero();
    let mut grad = vec![<F as Number>::zero(); n];
    let mut h = DMatrix::zeros(n, n);
    if n == 0 {
        value = f(&inputs).re();
    }
    let blocks = n.div_ceil(N);
    for bi in 0..blocks {
        let ri = bi * N..((bi + 1) * N).min(n);
        for bj in bi..blocks {
            let rj = bj * N..((bj + 1) * N).min(n);
            seed(&mut inputs, x, &ri, &rj);
            let y = f(&inputs);
            unseed(&mut inputs, x, &ri, &rj);
            value = y.re();
            for (a, i) in ri.clone().enumerate() {
                if bi == bj {
                    grad[i] = y.eps1()[a];
                }
                for (b, j) in rj.clone().enumerate() {
                    // Diagonal blocks: the upper triangle, mirrored below.
                    if bi != bj || j >= i {
                        let v = y.eps12()[a][b];
                        h[(i, j)] = v;
                        h[(j, i)] = v;
                    }
                }
            }
        }
    }
    (value, grad, h)
}

type Range = std::ops::Range<usize>;

fn seed<F: Real + Scalar<F>, const N: usize, const M: usize>(
    inputs: &mut [HyperDualVec<F, N, M>],
    x: &[F],
    ri: &Range,
    rj: &Range,
) {
    for k in ri.start.min(rj.start)..ri.end.max(rj.end) {
        let i = ri.contains(&k).then(|| k - ri.start);
        let j = rj.contains(&k).then(|| k - rj.start);
        if i.is_some() || j.is_some() {
            inputs[k] = HyperDualVec::variable(x[k], i, j);
        }
    }
}

fn unseed<F: Real + Scalar<F>, const N: usize, const M: usize>(
    inputs: &mut [HyperDualVec<F, N, M>],
    x: &[F],
    ri: &Range,
    rj: &Range,
) {
    for k in ri.clone().chain(rj.clone()) {
        inputs[k] = HyperDualVec::lift(x[k]);
    }
}

fn seed_two<F: Real + Scalar<F>, const N: usize, const M: usize>(
    xs: &mut [HyperDualVec<F, N, M>],
    ys: &mut [HyperDualVec<F, N, M>],
    x: &[F],
    y: &[F],
    ri: &Range,
    rj: &Range,
    on: bool,
) {
    for k in ri.clone() {
        xs[k] = if on {
            HyperDualVec::variable(x[k], Some(k - ri.start), None)
        } else {
            HyperDualVec::lift(x[k])
        };
    }
    for k in rj.clone() {
        ys[k] = if on {
            HyperDualVec::variable(y[k], None, Some(k - rj.start))
        } else {
            HyperDualVec::lift(y[k])
        };
    }
}

/// The value, both gradients and the mixed block `∂²f/∂x∂y` (an `x.len() × y.len()` matrix) of a
/// function of two groups of inputs, `f(x, y)`.
///
/// Seeds blocks of `x` in the ε₁ directions and blocks of `y` in the ε₂ directions:
/// ⌈nx/6⌉·⌈ny/6⌉ passes, none spent on the `x`–`x` or `y`–`y` blocks.
///
/// ```
/// use diffprog_hyperdual::partial_hessian;
/// use diffprog_dual::Scalar;
///
/// // f(x, y) = y₀ / |x|: ∂²f/∂xᵢ∂y₀ = −xᵢ/|x|³.
/// fn f<T: Scalar>(x: &[T], y: &[T]) -> T {
///     y[0] / (x[0] * x[0] + x[1] * x[1]).sqrt()
/// }
/// let (v, gx, gy, hxy) = partial_hessian(f, &[4.0, 3.0], &[5.0]);
/// assert_eq!(v, 1.0);
/// assert_eq!(gy, vec![0.2]);
/// assert!((gx[0] + 0.16).abs() < 1e-15);
/// assert!((hxy[(0, 0)] + 0.032).abs() < 1e-15);
/// assert!((hxy[(1, 0)] + 0.024).abs() < 1e-15);
/// ```
#[allow(clippy::type_complexity)]
pub fn partial_hessian(
    f: impl Fn(&[PartialHessianNumber], &[PartialHessianNumber]) -> PartialHessianNumber,
    x: impl AsRef<[f64]>,
    y: impl AsRef<[f64]>,
) -> (f64, Vec<f64>, Vec<f64>, DMatrix<f64>) {
    partial_hessian_at::<f64, PARTIAL_HESSIAN_BLOCK, PARTIAL_HESSIAN_BLOCK>(f, x, y)
}

/// [`partial_hessian`] with blocks of `N` inputs of `x` and `M` inputs of `y` per pass.
#[allow(clippy::type_complexity)]
pub fn partial_hessian_with_chunk<const N: usize, const M: usize>(
    f: impl Fn(&[HyperDualVec<f64, N, M>], &[HyperDualVec<f64, N, M>]) -> HyperDualVec<f64, N, M>,
    x: impl AsRef<[f64]>,
    y: impl AsRef<[f64]>,
) -> (f64, Vec<f64>, Vec<f64>, DMatrix<f64>) {
    partial_hessian_at::<f64, N, M>(f, x, y)
}

/// [`partial_hessian_with_chunk`] for any primal float (`f32` or `f64`).
#[allow(clippy::type_complexity)]
pub fn partial_hessian_at<F: Real + Scalar<F>, const N: usize, const M: usize>(
    f: impl Fn(&[HyperDualVec<F, N, M>], &[HyperDualVec<F, N, M>]) -> HyperDualVec<F, N, M>,
    x: impl AsRef<[F]>,
    y: impl AsRef<[F]>,
) -> (F, Vec<F>, Vec<F>, DMatrix<F>) {
    let (x, y) = (x.as_ref(), y.as_ref());
    assert!(
        N > 0 && M > 0,
        "partial_hessian_with_chunk: the chunk sizes N and M must be at least 1"
    );
    let level = DriverLevel::<HyperDualVec<F, N, M>>::enter_probed("partial_hessian");
    let (nx, ny) = (x.len(), y.len());
    let mut xs: Vec<HyperDualVec<F, N, M>> = x.iter().map(|&v| HyperDualVec::lift(v)).collect();
    let mut ys: Vec<HyperDualVec<F, N, M>> = y.iter().map(|&v| HyperDualVec::lift(v)).collect();
    level.probe_nested(|| f(&xs, &ys).derivative_parts_are_zero());
    let mut value = <F as Number>::zero();
    let (mut gx, mut gy) = (
        vec![<F as Number>::zero(); nx],
        vec![<F as Number>::zero(); ny],
    );
    let mut h = DMatrix::zeros(nx, ny);
    // At least one pass in each direction, so both gradients are filled when one group is empty.
    for bi in 0..nx.div_ceil(N).max(1) {
        let ri = (bi * N).min(nx)..((bi + 1) * N).min(nx);
        for bj in 0..ny.div_ceil(M).max(1) {
            let rj = (bj * M).min(ny)..((bj + 1) * M).min(ny);
            seed_two(&mut xs, &mut ys, x, y, &ri, &rj, true);
            let r = f(&xs, &ys);
            seed_two(&mut xs, &mut ys, x, y, &ri, &rj, false);
            value = r.re();
            for (a, i) in ri.clone().enumerate() {
                if bj == 0 {
                    gx[i] = r.eps1()[a];
                }
                for (b, j) in rj.clone().enumerate() {
                    h[(i, j)] = r.eps12()[a][b];
                }
            }
            if bi == 0 {
                for (b, j) in rj.clone().enumerate() {
                    gy[j] = r.eps2()[b];
                }
            }
        }
    }
    (value, gx, gy, h)
}

/// The mixed third partial `∂³f/∂xᵢ∂xⱼ∂xₖ` at `x`, in one pass on `HyperDual<Dual<F>>` (a
/// hyperdual number whose parts are dual numbers: ε₁ seeds `i`, ε₂ seeds `j`, the inner ε seeds
/// `k`; the indices may repeat). Also returns the value.
///
/// ```
/// use diffprog_hyperdual::third_partial;
/// use diffprog_dual::Scalar;
///
/// // f = x²·y·sin z: ∂³f/∂x∂y∂z = 2x·cos z; ∂³f/∂x²∂z = 2y·cos z.
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] * v[2].sin()
/// }
/// let (_, d) = third_partial(f, &[1.5, 2.0, 0.3], (0, 1, 2));
/// assert!((d - 3.0 * 0.3_f64.cos()).abs() < 1e-14);
/// let (_, d) = third_partial(f, &[1.5, 2.0, 0.3], (0, 0, 2));
/// assert!((d - 4.0 * 0.3_f64.cos()).abs() < 1e-14);
/// ```
///
/// # Panics
/// If an index is out of range for `x`.
pub fn third_partial<F: Real + Scalar<F>, G>(
    f: G,
    x: impl AsRef<[F]>,
    (i, j, k): (usize, usize, usize),
) -> (F, F)
where
    G: Fn(&[HyperDual<Dual<F>>]) -> HyperDual<Dual<F>>,
{
    let x = x.as_ref();
    let n = x.len();
    for (name, idx) in [("i", i), ("j", j), ("k", k)] {
        assert!(
            idx < n,
            "third_partial: index {name} = {idx} is out of range for {n} inputs"
        );
    }
    let level = DriverLevel::<HyperDual<Dual<F>>>::enter_probed("third_partial");
    level.probe_nested(|| {
        let constants: Vec<HyperDual<Dual<F>>> =
            x.iter().map(|&v| HyperDual::constant(v)).collect();
        f(&constants).derivative_parts_are_zero()
    });
    let one = |b: bool| {
        if b {
            <F as Number>::one()
        } else {
            <F as Number>::zero()
        }
    };
    let inputs: Vec<_> = x
        .iter()
        .enumerate()
        .map(|(m, &v)| {
            HyperDual::new(
                Dual::new(v, one(m == k)),
                Dual::new(one(m == i), <F as Number>::zero()),
                Dual::new(one(m == j), <F as Number>::zero()),
                Dual::new(<F as Number>::zero(), <F as Number>::zero()),
            )
        })
        .collect();
    let y = f(&inputs);
    (y.re.re, y.eps12.eps)
}

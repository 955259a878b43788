//! The [`hessian`] driver: one recording with second-order records, then forward-over-reverse
//! sweeps over the stored tape, [`HESSIAN_COLUMNS_PER_SWEEP`] Hessian columns at a time.
//!
//! For a record `v = φ(p₀, p₁)` the tape holds `dₖ = ∂φ/∂pₖ` and `hₖₗ = ∂²φ/∂pₖ∂pₗ`. One plain
//! backward sweep gives the adjoints `ā` (the gradient). Then, for each block of columns with
//! seed directions `ṫ(xⱼ) = eⱼ`:
//! - a forward *tangent* sweep: `ṫᵢ = d₀ ṫ_{p₀} + d₁ ṫ_{p₁}` (C-wide vectors), skipped for records
//!   that depend on no seeded input (an activity flag per record) and for records whose tangent
//!   no curved record reads (a running sum's), and ended past the last reader of the active
//!   records;
//! - a backward *second-order adjoint* sweep:
//!   `ȧ_{pₖ} += dₖ ȧᵢ + āᵢ (hₖ₀ ṫ_{p₀} + hₖ₁ ṫ_{p₁})`, skipped where both terms vanish;
//! - then `ȧ(xⱼ)` is column block of ∇²f.
//!
//! This is the second-order adjoint (forward-over-reverse) model evaluated on one tape instead of
//! re-recording the function on `Var<DualVec>` once per block ([`hessian_chunked`](crate::hessian_chunked)),
//! and the activity flags make a block cost only what depends on its inputs (Rosenbrock's Hessian
//! is tridiagonal: a block touches ~8 of the n terms).

mod sweep;
mod tape;
mod var;

pub(crate) use sweep::symmetrize;
pub use sweep::HESSIAN_COLUMNS_PER_SWEEP;
pub use var::HessianVar;

use diffprog_dual::nesting::DriverLevel;
use diffprog_dual::DualVec;
use nalgebra::DMatrix;
use std::cell::RefCell;
use sweep::SweepBuffers;

/// The driver's buffers, kept between calls: the input variables lent to the user function and
/// the sweeps' buffers.
struct Workspace {
    inputs: Vec<HessianVar>,
    sweep: SweepBuffers,
}

thread_local! {
    static WORKSPACE: RefCell<Workspace> = const {
        RefCell::new(Workspace {
            inputs: Vec::new(),
            sweep: SweepBuffers::new(),
        })
    };
}

/// Runs `f` with this thread's workspace.
fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    match WORKSPACE.try_with(|w| f(&mut w.borrow_mut())) {
        Ok(r) => r,
        Err(_) => crate::tape::tape_destroyed(),
    }
}

/// Starts a recording on this thread's second-order tape and runs `f` on variables with the
/// values `x` (records 1..=n, lent from a reused buffer). Returns the recording and `f`'s output.
fn record_function(
    x: &[f64],
    f: impl FnOnce(&[HessianVar]) -> HessianVar,
) -> (tape::Recording2, HessianVar) {
    tape::assert_idle();
    let level = DriverLevel::<HessianVar>::enter("reverse::hessian");
    let rec = tape::start(x.len(), level);
    let generation = rec.generation;
    let mut inputs = with_workspace(|w| std::mem::take(&mut w.inputs));
    inputs.clear();
    inputs.extend(x.iter().enumerate().map(|(i, &value)| HessianVar {
        value,
        index: i as u32 + 1,
        generation,
    }));
    let y = f(&inputs);
    with_workspace(|w| w.inputs = inputs);
    if y.generation != 0 && y.generation != generation {
        tape::misuse(generation, y.generation);
    }
    (rec, y)
}

/// The value, gradient and Hessian of `f: Rⁿ → R`: one recording on [`HessianVar`]s, one
/// backward sweep for the gradient, then ⌈n / [`HESSIAN_COLUMNS_PER_SWEEP`]⌉ forward-tangent and
/// second-order-adjoint sweeps over the stored tape. The result is exactly symmetric (the two
/// computed values of each off-diagonal pair are averaged).
///
/// `f` is a closure or a generic function written against [`Scalar`](diffprog_dual::Scalar).
/// The point is any `impl AsRef<[f64]>` (a slice, an array, a `Vec`, a `DVector`, an `SVector`,
/// by value or by reference). `HessianVar` records `f64` values; for `f32` code use
/// [`hessian_f32`].
///
/// ```
/// use diffprog_reverse::hessian;
/// use diffprog_dual::Scalar;
///
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].sin()
/// }
/// let (value, grad, h) = hessian(f, &[1.5, 0.5]);
/// assert_eq!(value, 1.5 * 1.5 * 0.5 + 0.5_f64.sin());
/// assert_eq!(grad[0], 1.5);
/// assert_eq!(h[(0, 0)], 1.0);
/// assert_eq!(h[(0, 1)], 3.0);
/// assert_eq!(h[(1, 0)], 3.0);
/// assert_eq!(h[(1, 1)], -0.5_f64.sin());
/// ```
///
/// # Panics
/// If called inside another `hessian` on the same thread, or if `f` returns a `HessianVar` from
/// another call.
pub fn hessian<F>(f: F, x: impl AsRef<[f64]>) -> (f64, Vec<f64>, DMatrix<f64>)
where
    F: FnOnce(&[HessianVar]) -> HessianVar,
{
    let x = x.as_ref();
    let n = x.len();
    let (rec, y) = record_function(x, f);
    let mut grad = vec![0.0; n];
    let mut h = DMatrix::zeros(n, n);
    if y.generation != 0 {
        tape::with_tape(|t| {
            with_workspace(|w| {
                sweep::gradient_and_hessian(
                    &t.nodes,
                    &mut w.sweep,
                    n,
                    y.index as usize,
                    &mut grad,
                    &mut h,
                )
            })
        });
    }
    drop(rec);
    (y.value, grad, h)
}

/// [`hessian`] at an `f32` point: the value, gradient and Hessian of `f32` code, by forward over
/// reverse on a tape of `DualVec<f32, 8>` values ([`hessian_chunked`](crate::hessian_chunked)
/// at `N = 8`): ⌈n / 8⌉ recordings of `f` and backward sweeps, each yielding 8 Hessian columns.
/// The result is exactly symmetric (each off-diagonal pair averaged).
///
/// [`HessianVar`] records `f64` values, so `hessian`'s closure type cannot serve `f32`; this is
/// its `f32` twin, exact as `hessian` is (tested against the `f64` Hessian and central
/// differences). `f` is called once per block of 8 inputs, so it is `FnMut`, not `FnOnce`.
///
/// ```
/// use diffprog_dual::{Real, Scalar};
/// use diffprog_reverse::hessian_f32;
///
/// fn f<F: Real, T: Scalar<F>>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].sin()
/// }
/// let (value, grad, h) = hessian_f32(f, [1.5_f32, 0.5]);
/// assert_eq!(value, 1.5 * 1.5 * 0.5 + 0.5_f32.sin());
/// assert_eq!(grad[0], 1.5);
/// assert_eq!((h[(0, 0)], h[(0, 1)], h[(1, 0)]), (1.0, 3.0, 3.0));
/// assert_eq!(h[(1, 1)], -0.5_f32.sin());
/// ```
///
/// # Panics
/// If called inside a driver with `DualVec<f32, 8>` or `Var<DualVec<f32, 8>>` numbers on the
/// same thread.
pub fn hessian_f32(
    f: impl FnMut(&[crate::Var<DualVec<f32, 8>>]) -> crate::Var<DualVec<f32, 8>>,
    x: impl AsRef<[f32]>,
) -> (f32, Vec<f32>, DMatrix<f32>) {
    crate::hessian_chunked::<8, f32>(f, x)
}

/// One record of the second-order tape: its parents (record 0 is the sink, an unused slot), its
/// first partials and its second partials `[h₀₀, h₀₁, h₁₁]`.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct SecondOrderRecord {
    /// The parent records (0: none).
    pub parents: [u32; 2],
    /// ∂/∂parent.
    pub d: [f64; 2],
    /// ∂²/∂parent∂parent: `[h₀₀, h₀₁, h₁₁]`.
    pub h: [f64; 3],
}

/// The second-order tape that [`hessian`] records for `f` at `x` — one record per elementary
/// operation, records 1..=n the inputs — and the output's record (`None` for a constant
/// output). For tests that follow the chain rule's sums operation by operation (the cross-mode
/// suite's cancellation analysis); not a stable interface.
#[doc(hidden)]
pub fn second_order_tape<F>(f: F, x: impl AsRef<[f64]>) -> (Vec<SecondOrderRecord>, Option<usize>)
where
    F: FnOnce(&[HessianVar]) -> HessianVar,
{
    let (rec, y) = record_function(x.as_ref(), f);
    let records = tape::with_tape(|t| {
        t.nodes
            .iter()
            .map(|node| SecondOrderRecord {
                parents: node.parents,
                d: node.d,
                h: node.h,
            })
            .collect()
    });
    drop(rec);
    (records, (y.generation != 0).then_some(y.index as usize))
}

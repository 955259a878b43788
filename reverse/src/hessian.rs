//! The [`hessian`] driver: one recording with second-order records, then forward-over-reverse
//! sweeps over the stored tape, [`HESSIAN_CHUNK`] Hessian columns at a time.
//!
//! For a record `v = φ(p₀, p₁)` the tape holds `dₖ = ∂φ/∂pₖ` and `hₖₗ = ∂²φ/∂pₖ∂pₗ`. One plain
//! backward sweep gives the adjoints `ā` (the gradient). Then, for each block of columns with
//! seed directions `ṫ(xⱼ) = eⱼ`:
//! - a forward *tangent* sweep: `ṫᵢ = d₀ ṫ_{p₀} + d₁ ṫ_{p₁}` (C-wide vectors), skipped for records
//!   that depend on no seeded input (an activity flag per record);
//! - a backward *second-order adjoint* sweep:
//!   `ȧ_{pₖ} += dₖ ȧᵢ + āᵢ (hₖ₀ ṫ_{p₀} + hₖ₁ ṫ_{p₁})`, skipped where both terms vanish;
//! - then `ȧ(xⱼ)` is column block of ∇²f.
//!
//! This is the second-order adjoint (forward-over-reverse) model evaluated on one tape instead of
//! re-recording the function on `Var<DualVec>` once per block ([`hessian_chunked`](crate::hessian_chunked)),
//! and the activity flags make a block cost only what depends on its inputs (Rosenbrock's Hessian
//! is tridiagonal: a block touches ~8 of the n terms).

use crate::hessian_var::{self, HessianVar, Node2};
use nalgebra::DMatrix;

/// The number of Hessian columns per tangent/adjoint sweep pair in [`hessian`].
pub const HESSIAN_CHUNK: usize = 8;

const C: usize = HESSIAN_CHUNK;

/// Sweep buffers, kept in the thread's second-order tape between calls.
pub(crate) struct SweepBuffers {
    adjoint: Vec<f64>,
    tangent: Vec<[f64; C]>,
    active: Vec<bool>,
    second: Vec<[f64; C]>,
    touched: Vec<bool>,
}

impl SweepBuffers {
    pub(crate) const fn new() -> Self {
        SweepBuffers {
            adjoint: Vec::new(),
            tangent: Vec::new(),
            active: Vec::new(),
            second: Vec::new(),
            touched: Vec::new(),
        }
    }
}

/// `d · t`, except that a zero `t` stays zero even when `d` is infinite or NaN (the convention of
/// the forward types, where a zero tangent means "does not depend").
#[inline(always)]
fn scale_into(acc: &mut [f64; C], d: f64, t: &[f64; C]) {
    if d.is_finite() {
        for (a, &ti) in acc.iter_mut().zip(t) {
            *a += d * ti;
        }
    } else {
        for (a, &ti) in acc.iter_mut().zip(t) {
            if ti != 0.0 {
                *a += d * ti;
            }
        }
    }
}

/// The value, gradient and Hessian of `f: Rⁿ → R`: one recording on [`HessianVar`]s, one
/// backward sweep for the gradient, then ⌈n / [`HESSIAN_CHUNK`]⌉ forward-tangent and
/// second-order-adjoint sweeps over the stored tape. The result is exactly symmetric (the two
/// computed values of each off-diagonal pair are averaged).
///
/// `f` is a closure or a generic function written against [`Scalar`](diffprog_dual::Scalar).
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
pub fn hessian<F>(f: F, x: &[f64]) -> (f64, Vec<f64>, DMatrix<f64>)
where
    F: FnOnce(&[HessianVar]) -> HessianVar,
{
    let n = x.len();
    let (rec, y) = hessian_var::record_function(x, f);
    let mut grad = vec![0.0; n];
    let mut h = DMatrix::zeros(n, n);
    if y.gen != 0 {
        hessian_var::with_tape(|t| {
            sweeps(
                &t.nodes,
                &mut t.work,
                n,
                y.index as usize,
                &mut grad,
                &mut h,
            )
        });
    }
    drop(rec);
    // Exact symmetry: average the two computed values of each pair.
    for i in 0..n {
        for j in 0..i {
            let s = 0.5 * (h[(i, j)] + h[(j, i)]);
            h[(i, j)] = s;
            h[(j, i)] = s;
        }
    }
    (y.value, grad, h)
}

/// The gradient sweep and the column-block sweeps (see the module docs).
fn sweeps(
    nodes: &[Node2],
    work: &mut SweepBuffers,
    n: usize,
    output: usize,
    grad: &mut [f64],
    h: &mut DMatrix<f64>,
) {
    let len = nodes.len();
    let SweepBuffers {
        adjoint,
        tangent,
        active,
        second,
        touched,
    } = work;

    // First order: ā, skipping records whose adjoint is exactly zero (as the `Var` sweep does).
    adjoint.clear();
    adjoint.resize(len, 0.0);
    adjoint[output] = 1.0;
    for i in (1..len).rev() {
        let a = adjoint[i];
        if a == 0.0 {
            continue;
        }
        let Node2 { parents, d, .. } = nodes[i];
        adjoint[parents[0] as usize] += a * d[0];
        adjoint[parents[1] as usize] += a * d[1];
    }
    grad.copy_from_slice(&adjoint[1..=n]);

    tangent.resize(len, [0.0; C]);
    second.resize(len, [0.0; C]);
    active.clear();
    active.resize(len, false);
    touched.clear();
    touched.resize(len, false);

    for start in (0..n).step_by(C) {
        let width = C.min(n - start);
        // Forward tangent sweep. Leaves (records 1..=n): unit seeds for the block's inputs.
        active.fill(false);
        for j in 0..n {
            let seeded = (start..start + width).contains(&j);
            active[j + 1] = seeded;
            if seeded {
                let mut e = [0.0; C];
                e[j - start] = 1.0;
                tangent[j + 1] = e;
            }
        }
        for i in n + 1..len {
            let Node2 { parents, d, .. } = nodes[i];
            let (p0, p1) = (parents[0] as usize, parents[1] as usize);
            let (a0, a1) = (active[p0], active[p1]);
            if !(a0 || a1) {
                continue;
            }
            let mut t = [0.0; C];
            if a0 {
                scale_into(&mut t, d[0], &tangent[p0]);
            }
            if a1 {
                scale_into(&mut t, d[1], &tangent[p1]);
            }
            tangent[i] = t;
            active[i] = true;
        }

        // Backward second-order adjoint sweep.
        touched.fill(false);
        for i in (n + 1..len).rev() {
            let Node2 { parents, d, h: hh } = nodes[i];
            let (p0, p1) = (parents[0] as usize, parents[1] as usize);
            let ab = adjoint[i];
            let nonlinear = ab != 0.0 && hh != [0.0; 3] && (active[p0] || active[p1]);
            if !touched[i] && !nonlinear {
                continue;
            }
            let here = touched[i].then(|| second[i]);
            for (k, p) in [(0, p0), (1, p1)] {
                let mut c = [0.0; C];
                let mut any = false;
                if let Some(s) = &here {
                    if d[k] != 0.0 {
                        scale_into(&mut c, d[k], s);
                        any = true;
                    }
                }
                if nonlinear {
                    // ∂²φ/∂pₖ∂p₀ and ∂²φ/∂pₖ∂p₁
                    let (hk0, hk1) = if k == 0 {
                        (hh[0], hh[1])
                    } else {
                        (hh[1], hh[2])
                    };
                    let mut w = [0.0; C];
                    let mut wany = false;
                    if active[p0] && hk0 != 0.0 {
                        scale_into(&mut w, hk0, &tangent[p0]);
                        wany = true;
                    }
                    if active[p1] && hk1 != 0.0 {
                        scale_into(&mut w, hk1, &tangent[p1]);
                        wany = true;
                    }
                    if wany {
                        scale_into(&mut c, ab, &w);
                        any = true;
                    }
                }
                if any {
                    if touched[p] {
                        for (s, ci) in second[p].iter_mut().zip(c) {
                            *s += ci;
                        }
                    } else {
                        second[p] = c;
                        touched[p] = true;
                    }
                }
            }
        }
        for j in 0..n {
            if touched[j + 1] {
                for k in 0..width {
                    h[(j, start + k)] = second[j + 1][k];
                }
            }
        }
    }
}

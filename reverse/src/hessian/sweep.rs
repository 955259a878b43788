//! The sweeps of the [`hessian`](crate::hessian) driver over a recorded second-order tape: one
//! backward sweep for the gradient, then per block of columns a forward tangent sweep and a
//! backward second-order adjoint sweep (the model: the parent module's docs).

use super::tape::Node2;
use diffprog_dual::Number;
use nalgebra::DMatrix;

/// The number of Hessian columns per tangent/adjoint sweep pair in [`hessian`](crate::hessian).
pub const HESSIAN_COLUMNS_PER_SWEEP: usize = 8;

const C: usize = HESSIAN_COLUMNS_PER_SWEEP;

/// Sweep buffers, kept in the driver's thread-local workspace between calls.
pub(crate) struct SweepBuffers {
    /// ā per record.
    adjoint: Vec<f64>,
    /// The records' parents, copied out of the records for the scans (8 bytes per record
    /// instead of 48).
    parents: Vec<[u32; 2]>,
    /// Per record: ā ≠ 0 and some second partial ≠ 0 (independent of the block).
    nonlinear: Vec<bool>,
    /// ṫ per record (valid where `active`).
    tangent: Vec<[f64; C]>,
    /// ṫ may be non-zero (the record depends on a seeded input).
    active: Vec<bool>,
    /// ȧ per record (valid where `touched`).
    second: Vec<[f64; C]>,
    /// ȧ has been written in this block.
    touched: Vec<bool>,
    /// Per input j: the index of the first record that reads it (len if none).
    first_use: Vec<usize>,
    /// Per record: its tangent ṫ is read by a record that matters, i.e. a curved one or one
    /// whose own tangent is needed (independent of the block).
    tangent_needed: Vec<bool>,
    /// Per record: the last record that reads it and is curved or needs its own tangent (0 if
    /// none): a block's tangent sweep ends past the last reader of its active records.
    last_reader: Vec<u32>,
    /// The Hessian entries (row, column) the column sweeps wrote.
    written: Vec<(u32, u32)>,
}

impl SweepBuffers {
    pub(crate) const fn new() -> Self {
        SweepBuffers {
            adjoint: Vec::new(),
            parents: Vec::new(),
            nonlinear: Vec::new(),
            tangent: Vec::new(),
            active: Vec::new(),
            second: Vec::new(),
            touched: Vec::new(),
            first_use: Vec::new(),
            tangent_needed: Vec::new(),
            last_reader: Vec::new(),
            written: Vec::new(),
        }
    }
}

/// `acc += d · t` by the chain rule's product ([`diffprog_dual::chain`]): an exact zero, in `d`
/// or in a component of `t`, contributes exactly zero even against ±∞ or NaN (the strong-zero
/// rule every mode follows). One test of `d` keeps the plain loop for a finite non-zero `d`.
#[inline(always)]
fn scale_into(acc: &mut [f64; C], d: f64, t: &[f64; C]) {
    if d.has_finite_nonzero_primal() {
        for (a, &ti) in acc.iter_mut().zip(t) {
            *a += d * ti;
        }
    } else if d != 0.0 {
        for (a, &ti) in acc.iter_mut().zip(t) {
            *a += d.strong_zero_mul(ti);
        }
    }
}

/// Exact symmetry: replaces each off-diagonal pair by the mean of its two computed values.
pub(crate) fn symmetrize<F: diffprog_dual::Real>(h: &mut DMatrix<F>) {
    let n = h.nrows();
    let half = F::from_f64(0.5);
    let data = h.as_mut_slice(); // column-major: (i, j) at j·n + i
    for j in 0..n {
        for i in j + 1..n {
            let s = half * (data[j * n + i] + data[i * n + j]);
            data[j * n + i] = s;
            data[i * n + j] = s;
        }
    }
}

/// [`symmetrize`] for a matrix whose only non-zero entries are among `written`: the same result,
/// visiting only those pairs (a sparse Hessian such as Rosenbrock's writes O(n) of the n²
/// entries; `benches/PERFORMANCE.md`, "The Hessian driver"). A pair already equal is left alone,
/// so visiting it from both sides averages it once.
fn symmetrize_written(h: &mut DMatrix<f64>, written: &[(u32, u32)]) {
    for &(i, j) in written {
        let (i, j) = (i as usize, j as usize);
        let (a, b) = (h[(i, j)], h[(j, i)]);
        if i != j && a.to_bits() != b.to_bits() {
            let s = 0.5 * (a + b);
            h[(i, j)] = s;
            h[(j, i)] = s;
        }
    }
}

/// The gradient (into `grad`) and the exactly symmetric Hessian (into `h`, all zeros on entry)
/// of the recorded tape `nodes`, whose inputs are records 1..=n, at the record `output`: the
/// gradient sweep and the column-block sweeps (see the parent module's docs).
pub(crate) fn gradient_and_hessian(
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
        parents,
        nonlinear,
        tangent,
        active,
        second,
        touched,
        first_use,
        tangent_needed,
        last_reader,
        written,
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
        adjoint[parents[0] as usize] += a.strong_zero_mul(d[0]);
        // A unary record's second slot is the sink (0): skipping it avoids a chain of
        // dependent loads and stores through `adjoint[0]` (as in the `Var` sweep).
        if parents[1] != 0 {
            adjoint[parents[1] as usize] += a.strong_zero_mul(d[1]);
        }
    }
    grad.copy_from_slice(&adjoint[1..=n]);

    parents.clear();
    parents.extend(nodes.iter().map(|node| node.parents));
    nonlinear.clear();
    nonlinear.extend(
        nodes
            .iter()
            .zip(adjoint.iter())
            .map(|(node, &a)| a != 0.0 && node.h.iter().any(|&x| x != 0.0)),
    );
    // Tangents that matter: a curved record reads its parents' tangents, and so does a record
    // whose own tangent is needed. Others (Rosenbrock's running sum) are never computed.
    tangent_needed.clear();
    tangent_needed.resize(len, false);
    last_reader.clear();
    last_reader.resize(len, 0);
    for i in (1..len).rev() {
        if tangent_needed[i] || nonlinear[i] {
            for p in parents[i] {
                tangent_needed[p as usize] = true;
                if last_reader[p as usize] == 0 {
                    last_reader[p as usize] = i as u32; // the first seen going down is the last
                }
            }
        }
    }
    let (tangent_needed, last_reader) = (&tangent_needed[..len], &last_reader[..len]);
    written.clear();
    tangent.resize(len, [0.0; C]);
    second.resize(len, [0.0; C]);
    active.clear();
    active.resize(len, false);
    touched.clear();
    touched.resize(len, false);
    let (parents, nonlinear) = (&parents[..len], &nonlinear[..len]);
    let (tangent, active) = (&mut tangent[..len], &mut active[..len]);
    let (second, touched) = (&mut second[..len], &mut touched[..len]);

    // The first record reading each input: a block's sweeps start there.
    first_use.clear();
    first_use.resize(n + 1, len);
    for (i, &[p0, p1]) in parents.iter().enumerate().skip(n + 1) {
        for p in [p0 as usize, p1 as usize] {
            if (1..=n).contains(&p) && first_use[p] == len {
                first_use[p] = i;
            }
        }
    }

    for start in (0..n).step_by(C) {
        let width = C.min(n - start);
        // Forward tangent sweep. Leaves (records 1..=n): unit seeds for the block's inputs.
        // Records before the first reader of a seeded input cannot depend on one.
        let first = first_use[start + 1..=start + width]
            .iter()
            .copied()
            .min()
            .unwrap_or(len);
        active.fill(false);
        // Past the last reader of every active record nothing can become active.
        let mut horizon = 0;
        for k in 0..width {
            let mut e = [0.0; C];
            e[k] = 1.0;
            tangent[start + k + 1] = e;
            active[start + k + 1] = true;
            horizon = horizon.max(last_reader[start + k + 1] as usize);
        }
        // The last record where ā·h·ṫ contributes: the backward sweep starts there.
        let mut last_curved = 0;
        for i in first..len {
            if i > horizon {
                break;
            }
            let needed = tangent_needed[i];
            if !needed && !nonlinear[i] {
                continue;
            }
            let [p0, p1] = parents[i];
            let (p0, p1) = (p0 as usize, p1 as usize);
            let (a0, a1) = (active[p0], active[p1]);
            if !(a0 || a1) {
                continue;
            }
            if nonlinear[i] {
                last_curved = i;
            }
            if !needed {
                // Curved, but nothing reads its tangent (its parents' are what the backward
                // sweep needs); `active[i]` is only read by records that need it.
                continue;
            }
            let d = nodes[i].d;
            let mut t = [0.0; C];
            if a0 {
                scale_into(&mut t, d[0], &tangent[p0]);
            }
            if a1 {
                scale_into(&mut t, d[1], &tangent[p1]);
            }
            tangent[i] = t;
            active[i] = true;
            horizon = horizon.max(last_reader[i] as usize);
        }

        // Backward second-order adjoint sweep, from the last curved record down to the first
        // active one, then on only while records below are touched.
        touched.fill(false);
        let mut lowest_touched = len;
        let mut i = last_curved;
        while i > n {
            if i < first && i < lowest_touched {
                break;
            }
            let [p0, p1] = parents[i];
            let (p0, p1) = (p0 as usize, p1 as usize);
            let here = touched[i];
            let curved = nonlinear[i] && (active[p0] || active[p1]);
            if !here && !curved {
                i -= 1;
                continue;
            }
            let Node2 { d, h: hh, .. } = nodes[i];
            let ab = adjoint[i];
            let s_i = second[i];
            for (k, p) in [(0, p0), (1, p1)] {
                let mut c = [0.0; C];
                let mut any = false;
                if here && d[k] != 0.0 {
                    scale_into(&mut c, d[k], &s_i);
                    any = true;
                }
                if curved {
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
                        if p > n {
                            lowest_touched = lowest_touched.min(p);
                        }
                    }
                }
            }
            i -= 1;
        }
        for j in 0..n {
            if touched[j + 1] {
                let column_entries = &second[j + 1][..width];
                for (k, &v) in column_entries.iter().enumerate() {
                    h[(j, start + k)] = v;
                    written.push((j as u32, (start + k) as u32));
                }
            }
        }
    }
    symmetrize_written(h, written);
}

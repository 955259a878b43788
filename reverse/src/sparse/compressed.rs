//! Compressed sweeps over a recorded program, each colour one lane seeded with 1 on that
//! colour's inputs: for Hessian columns, forward over reverse on `DualVec` numbers (tangents,
//! then second-order adjoints), up to [`MAX_LANES`] colours per pass, the lane width the
//! smallest of 2, 4 and 8 that holds the block; for Jacobian columns, one `f64` forward pass with
//! partials and tangent sweeps of up to [`TANGENT_LANES`] lanes over it; for Jacobian rows, one
//! adjoint sweep per row colour. The compressed matrix is written row-major, one row per
//! Hessian row or Jacobian row (forward), or one row per row colour (reverse).

use super::tangents;
use crate::replay::{Code, GuardFailure, Operand, Program, Scratch};
use diffprog_dual::{DualVec, Number};

/// The most colours one forward-over-reverse pass carries.
pub(crate) const MAX_LANES: usize = 8;

/// The most colours one tangent sweep carries.
pub(crate) const TANGENT_LANES: usize = 16;

/// The interpreter's buffers at each lane width, kept between evaluations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lanes {
    two: Scratch<DualVec<f64, 2>>,
    four: Scratch<DualVec<f64, 4>>,
    eight: Scratch<DualVec<f64, 8>>,
    plain: Scratch<f64>,
    t4: Vec<[f64; 4]>,
    t8: Vec<[f64; 8]>,
    t16: Vec<[f64; 16]>,
}

/// The seed of input `i` for the colours `first..first + N`.
#[inline]
fn seed<const N: usize>(x: f64, color: u32, first: usize) -> DualVec<f64, N> {
    let mut eps = [0.0; N];
    let c = color as usize;
    if (first..first + N).contains(&c) {
        eps[c - first] = 1.0;
    }
    DualVec::new(x, eps)
}

/// Copies lanes `0..width` of `rows` into columns `first..first + width` of the row-major
/// `compressed` (`count` columns).
fn scatter<const N: usize>(
    rows: impl Iterator<Item = DualVec<f64, N>>,
    compressed: &mut [f64],
    count: usize,
    first: usize,
) {
    if count == 0 {
        return;
    }
    let width = (count - first).min(N);
    for (dst, v) in compressed.chunks_exact_mut(count).zip(rows) {
        dst[first..first + width].copy_from_slice(&v.eps()[..width]);
    }
}

/// One forward-over-reverse pass with colours `first..first + N` seeded: the Hessian's
/// compressed columns, the value and the gradient.
fn hessian_pass<const N: usize>(
    program: &Program,
    s: &mut Scratch<DualVec<f64, N>>,
    (x, colors, first, count): (&[f64], &[u32], usize, usize),
    gradient: &mut [f64],
    compressed: &mut [f64],
) -> Result<f64, GuardFailure> {
    let code = &program.code;
    s.forward(code, |i| seed(x[i], colors[i], first), x, true)?;
    s.reverse(code, |_| DualVec::one());
    let adj = &s.adjoints[..code.n_inputs];
    for (g, a) in gradient.iter_mut().zip(adj) {
        *g = a.re;
    }
    scatter(adj.iter().copied(), compressed, count, first);
    Ok(s.output(code, 0).re)
}

/// The tangent lanes of one sweep with colours `first..first + W` seeded, after the forward
/// pass with partials in `s`: the Jacobian's compressed columns (rows the outputs).
fn jacobian_lanes<const W: usize>(
    code: &Code,
    s: &Scratch<f64>,
    t: &mut Vec<[f64; W]>,
    (colors, first, count): (&[u32], usize, usize),
    compressed: &mut [f64],
) {
    tangents::sweep(
        code,
        s,
        |i| {
            let mut lanes = [0.0; W];
            let c = colors[i] as usize;
            if (first..first + W).contains(&c) {
                lanes[c - first] = 1.0;
            }
            lanes
        },
        t,
    );
    let width = (count - first).min(W);
    for (dst, o) in compressed.chunks_exact_mut(count).zip(&code.outputs) {
        let lanes = match *o {
            Operand::Slot(slot) => t[slot as usize],
            Operand::Constant(_) => [0.0; W],
        };
        dst[first..first + width].copy_from_slice(&lanes[..width]);
    }
}

impl Lanes {
    /// The compressed Hessian `H·S` (n × `count`, row-major; `S` has column `c` the indicator
    /// of colour `c`) into `compressed`, the gradient into `gradient`; returns the value.
    pub(crate) fn hessian(
        &mut self,
        program: &Program,
        x: &[f64],
        (colors, count): (&[u32], usize),
        gradient: &mut [f64],
        compressed: &mut [f64],
    ) -> Result<f64, GuardFailure> {
        let mut value = 0.0;
        // At least one pass, for the value and gradient.
        for first in (0..count.max(1)).step_by(MAX_LANES) {
            let at = (x, colors, first, count);
            value = match count.saturating_sub(first) {
                0..=2 => hessian_pass(program, &mut self.two, at, gradient, compressed)?,
                3..=4 => hessian_pass(program, &mut self.four, at, gradient, compressed)?,
                _ => hessian_pass(program, &mut self.eight, at, gradient, compressed)?,
            };
        }
        Ok(value)
    }

    /// The compressed Jacobian `J·S` (m × `count`, row-major) into `compressed`, the outputs
    /// into `y`: one `f64` forward pass with partials, then tangent sweeps of up to
    /// [`TANGENT_LANES`] colours each.
    pub(crate) fn jacobian_forward(
        &mut self,
        program: &Program,
        x: &[f64],
        (colors, count): (&[u32], usize),
        y: &mut [f64],
        compressed: &mut [f64],
    ) -> Result<(), GuardFailure> {
        let code = &program.code;
        let s = &mut self.plain;
        s.forward(code, |i| x[i], x, true)?;
        for (j, yj) in y.iter_mut().enumerate() {
            *yj = s.output(code, j);
        }
        if count == 0 {
            return Ok(());
        }
        for first in (0..count).step_by(TANGENT_LANES) {
            let at = (colors, first, count);
            match count - first {
                0..=4 => jacobian_lanes(code, s, &mut self.t4, at, compressed),
                5..=8 => jacobian_lanes(code, s, &mut self.t8, at, compressed),
                _ => jacobian_lanes(code, s, &mut self.t16, at, compressed),
            }
        }
        Ok(())
    }

    /// The compressed Jacobian `Wᵀ·J` (`count` × n, row-major; `W` has column `c` the
    /// indicator of row colour `c`) into `compressed`, the outputs into `y`: one forward pass
    /// with partials and one adjoint sweep per row colour.
    pub(crate) fn jacobian_reverse(
        &mut self,
        program: &Program,
        x: &[f64],
        (row_colors, count): (&[u32], usize),
        y: &mut [f64],
        compressed: &mut [f64],
    ) -> Result<(), GuardFailure> {
        let code = &program.code;
        let n = code.n_inputs;
        let s = &mut self.plain;
        s.forward(code, |i| x[i], x, true)?;
        for (j, yj) in y.iter_mut().enumerate() {
            *yj = s.output(code, j);
        }
        for c in 0..count {
            s.reverse(code, |j| {
                if row_colors[j] as usize == c {
                    1.0
                } else {
                    0.0
                }
            });
            compressed[c * n..(c + 1) * n].copy_from_slice(&s.adjoints[..n]);
        }
        Ok(())
    }
}

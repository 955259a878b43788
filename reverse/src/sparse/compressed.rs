//! Compressed sweeps over a recorded program: a block of up to [`MAX_LANES`] colours per pass,
//! each colour one lane of a `DualVec` seeded with 1 on that colour's inputs — forward tangents
//! for Jacobian columns, forward over reverse (tangents, then second-order adjoints) for
//! Hessian columns — or one adjoint sweep per row colour. The lane width is the smallest of 2,
//! 4 and 8 that holds the block. The compressed matrix is written row-major, one row per
//! Hessian row or Jacobian row (forward), or one row per row colour (reverse).

use crate::replay::{GuardFailure, Program, Scratch};
use diffprog_dual::{DualVec, Number};

/// The most colours one pass carries.
pub(crate) const MAX_LANES: usize = 8;

/// The interpreter's buffers at each lane width, kept between evaluations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lanes {
    two: Scratch<DualVec<f64, 2>>,
    four: Scratch<DualVec<f64, 4>>,
    eight: Scratch<DualVec<f64, 8>>,
    plain: Scratch<f64>,
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

/// One forward pass with colours `first..first + N` seeded: the Jacobian's compressed columns
/// (rows the outputs) and the outputs.
fn jacobian_pass<const N: usize>(
    program: &Program,
    s: &mut Scratch<DualVec<f64, N>>,
    (x, colors, first, count): (&[f64], &[u32], usize, usize),
    y: &mut [f64],
    compressed: &mut [f64],
) -> Result<(), GuardFailure> {
    let code = &program.code;
    s.forward(code, |i| seed(x[i], colors[i], first), x, false)?;
    for (j, yj) in y.iter_mut().enumerate() {
        *yj = s.output(code, j).re;
    }
    let s = &*s;
    scatter(
        (0..y.len()).map(|j| s.output(code, j)),
        compressed,
        count,
        first,
    );
    Ok(())
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
    /// into `y`: forward passes, [`MAX_LANES`] colours at a time.
    pub(crate) fn jacobian_forward(
        &mut self,
        program: &Program,
        x: &[f64],
        (colors, count): (&[u32], usize),
        y: &mut [f64],
        compressed: &mut [f64],
    ) -> Result<(), GuardFailure> {
        for first in (0..count.max(1)).step_by(MAX_LANES) {
            let at = (x, colors, first, count);
            match count.saturating_sub(first) {
                0..=2 => jacobian_pass(program, &mut self.two, at, y, compressed)?,
                3..=4 => jacobian_pass(program, &mut self.four, at, y, compressed)?,
                _ => jacobian_pass(program, &mut self.eight, at, y, compressed)?,
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

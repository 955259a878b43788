//! [`SparseJacobian`]: a function's Jacobian pattern, colouring and recorded program, built
//! once; compressed forward passes (column colours) or adjoint sweeps (row colours) at every
//! new point.

use super::coloring::{column_coloring, lower_bounds, row_coloring, Coloring};
use super::compressed::{Lanes, TANGENT_LANES};
use super::pattern::jacobian_pattern;
use crate::replay::{record_vector, GuardFailure, Program, ReplayVar};
use nalgebra_sparse::pattern::SparsityPattern;
use nalgebra_sparse::CsrMatrix;

/// How a [`SparseJacobian`] compresses the Jacobian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JacobianMode {
    /// Columns that share no row are coloured alike; one forward pass computes the values and
    /// local partials, then tangent sweeps over the instructions carry up to 16 colours each
    /// (forward mode, ⌈column colours / 16⌉ sweeps). Suits many rows, each touching few inputs
    /// (residuals).
    Forward,
    /// Rows that share no column are coloured alike; one forward pass with partials, then one
    /// adjoint sweep per row colour. Suits few rows, or rows that are sparse while columns are
    /// dense.
    Reverse,
}

/// The sparse Jacobian of a function `f: Rⁿ → Rᵐ`, for evaluation at many points.
///
/// Built once from the function and a point ([`new`](Self::new)) or a recorded program
/// ([`from_program`](Self::from_program)): the function is recorded as a replayable
/// [`Program`], its Jacobian pattern detected from the instructions
/// ([`jacobian_pattern`](super::jacobian_pattern)), and the columns or rows coloured
/// ([`column_coloring`](super::column_coloring), [`row_coloring`](super::row_coloring)); the
/// mode with fewer colours is used ([`Forward`](JacobianMode::Forward) on a tie; a side whose
/// longest column or row already rules it out is not coloured), unless chosen with
/// [`with_mode`](Self::with_mode). Each [`evaluate`](Self::evaluate) replays the program —
/// no new recording, detection or colouring — and reads every entry directly from the
/// compressed Jacobian. For residuals that each depend on a few inputs (bundle adjustment: one
/// camera and one point), the number of colours, and so of passes, does not grow with the
/// number of residuals.
///
/// A replay whose branch guards fail at the new point returns the [`GuardFailure`].
///
/// ```
/// use diffprog_reverse::sparse::{JacobianMode, SparseJacobian};
/// use diffprog_dual::Scalar;
///
/// // Residuals of a chain: rᵢ = xᵢ₊₁ − xᵢ² (a bidiagonal Jacobian).
/// fn residuals<T: Scalar>(x: &[T]) -> Vec<T> {
///     (0..x.len() - 1).map(|i| x[i + 1] - x[i] * x[i]).collect()
/// }
/// let n = 100;
/// let mut jac = SparseJacobian::new(residuals, vec![1.0; n]);
/// assert_eq!(jac.mode(), JacobianMode::Forward);
/// assert_eq!(jac.coloring().count(), 2);
/// assert_eq!(jac.sweeps(), 2); // a forward pass, one tangent sweep
///
/// let x: Vec<f64> = (0..n).map(|i| 0.01 * i as f64).collect();
/// let (y, j) = jac.evaluate(&x).unwrap();
/// assert_eq!(y, residuals(&x));
/// assert_eq!(j.nnz(), 2 * (n - 1));
/// assert_eq!(j.get_entry(3, 3).unwrap().into_value(), -2.0 * x[3]);
/// assert_eq!(j.get_entry(3, 4).unwrap().into_value(), 1.0);
/// ```
#[derive(Clone, Debug)]
pub struct SparseJacobian {
    program: Program,
    pattern: SparsityPattern,
    mode: JacobianMode,
    coloring: Coloring,
    /// Per pattern entry (CSR order), its place in the compressed matrix.
    sources: Vec<usize>,
    lanes: Lanes,
    compressed: Vec<f64>,
}

impl SparseJacobian {
    /// Records `f` at `x0` and prepares its sparse Jacobian (pattern, colourings, the mode with
    /// fewer colours).
    ///
    /// # Panics
    /// As [`record_vector`](crate::replay::record_vector).
    pub fn new<V: AsRef<[ReplayVar]>>(
        f: impl FnOnce(&[ReplayVar]) -> V,
        x0: impl AsRef<[f64]>,
    ) -> Self {
        Self::from_program(record_vector(f, x0))
    }

    /// Prepares the sparse Jacobian of a recorded program, in the mode with fewer colours.
    ///
    /// ```
    /// use diffprog_reverse::replay::record_vector;
    /// use diffprog_reverse::sparse::{JacobianMode, SparseJacobian};
    /// // One dense row and a diagonal: two row colours, but n column colours.
    /// let program = record_vector(
    ///     |x| {
    ///         let mut v = vec![x.iter().fold(x[0] * 0.0, |s, &xi| s + xi * xi)];
    ///         v.extend(x.iter().map(|&xi| xi * 3.0));
    ///         v
    ///     },
    ///     &[1.0; 10],
    /// );
    /// let jac = SparseJacobian::from_program(program);
    /// assert_eq!(jac.mode(), JacobianMode::Reverse);
    /// assert_eq!(jac.coloring().count(), 2);
    /// ```
    pub fn from_program(program: Program) -> Self {
        let pattern = jacobian_pattern(&program);
        // Colour the side whose lower bound is smaller first, and the other only if it can
        // still win (a row colouring of residuals that share a camera is large and costly).
        let (columns_at_least, rows_at_least) = lower_bounds(&pattern);
        if columns_at_least <= rows_at_least {
            let columns = column_coloring(&pattern);
            if columns.count() > rows_at_least {
                let rows = row_coloring(&pattern);
                if rows.count() < columns.count() {
                    return Self::prepared(program, pattern, JacobianMode::Reverse, rows);
                }
            }
            Self::prepared(program, pattern, JacobianMode::Forward, columns)
        } else {
            let rows = row_coloring(&pattern);
            if rows.count() >= columns_at_least {
                let columns = column_coloring(&pattern);
                if columns.count() <= rows.count() {
                    return Self::prepared(program, pattern, JacobianMode::Forward, columns);
                }
            }
            Self::prepared(program, pattern, JacobianMode::Reverse, rows)
        }
    }

    /// Prepares the sparse Jacobian of a recorded program in the given mode.
    ///
    /// ```
    /// use diffprog_reverse::replay::record_vector;
    /// use diffprog_reverse::sparse::{JacobianMode, SparseJacobian};
    /// use diffprog_dual::Scalar;
    /// let program = record_vector(|x| vec![x[0].sin(), x[1] * x[2]], &[1.0; 3]);
    /// let mut jac = SparseJacobian::with_mode(program, JacobianMode::Reverse);
    /// let (_, j) = jac.evaluate(&[0.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(j.get_entry(0, 0).unwrap().into_value(), 1.0);
    /// assert_eq!(j.get_entry(1, 2).unwrap().into_value(), 2.0);
    /// assert_eq!(jac.coloring().count(), 1); // the two rows share no input
    /// assert_eq!(jac.sweeps(), 2); // one forward pass, one adjoint sweep
    /// ```
    pub fn with_mode(program: Program, mode: JacobianMode) -> Self {
        let pattern = jacobian_pattern(&program);
        let coloring = match mode {
            JacobianMode::Forward => column_coloring(&pattern),
            JacobianMode::Reverse => row_coloring(&pattern),
        };
        Self::prepared(program, pattern, mode, coloring)
    }

    fn prepared(
        program: Program,
        pattern: SparsityPattern,
        mode: JacobianMode,
        coloring: Coloring,
    ) -> Self {
        let (m, n, count) = (pattern.major_dim(), pattern.minor_dim(), coloring.count());
        let mut sources = Vec::with_capacity(pattern.nnz());
        for r in 0..m {
            for &j in pattern.lane(r) {
                sources.push(match mode {
                    // Row r of J·S, the column's colour.
                    JacobianMode::Forward => r * count + coloring.color(j),
                    // Row colour(r) of Wᵀ·J, column j.
                    JacobianMode::Reverse => coloring.color(r) * n + j,
                });
            }
        }
        let compressed = vec![
            0.0;
            match mode {
                JacobianMode::Forward => m * count,
                JacobianMode::Reverse => count * n,
            }
        ];
        SparseJacobian {
            program,
            pattern,
            mode,
            coloring,
            sources,
            lanes: Lanes::default(),
            compressed,
        }
    }

    /// The Jacobian's sparsity pattern (CSR, m × n).
    pub fn pattern(&self) -> &SparsityPattern {
        &self.pattern
    }

    /// The compression in use.
    pub fn mode(&self) -> JacobianMode {
        self.mode
    }

    /// The colouring in use: of the columns ([`JacobianMode::Forward`]) or of the rows
    /// ([`JacobianMode::Reverse`]).
    pub fn coloring(&self) -> &Coloring {
        &self.coloring
    }

    /// The recorded program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The passes over the program per evaluation: one forward pass with partials, then
    /// ⌈colours / 16⌉ tangent sweeps or one adjoint sweep per row colour.
    pub fn sweeps(&self) -> usize {
        match self.mode {
            JacobianMode::Forward => 1 + self.coloring.count().div_ceil(TANGENT_LANES),
            JacobianMode::Reverse => 1 + self.coloring.count(),
        }
    }

    /// The outputs and the Jacobian (CSR, in [`pattern`](Self::pattern)) at `x`. A CSC matrix
    /// is `CscMatrix::from(&jacobian)`.
    ///
    /// # Errors
    /// A [`GuardFailure`] if a comparison made while recording has another outcome at `x`.
    ///
    /// # Panics
    /// If `x` has another length than the recording point.
    pub fn evaluate(
        &mut self,
        x: impl AsRef<[f64]>,
    ) -> Result<(Vec<f64>, CsrMatrix<f64>), GuardFailure> {
        let mut y = vec![0.0; self.pattern.major_dim()];
        let mut values = vec![0.0; self.pattern.nnz()];
        self.evaluate_into(x, &mut y, &mut values)?;
        let jacobian = CsrMatrix::try_from_pattern_and_values(self.pattern.clone(), values)
            .expect("diffprog-reverse: one value per pattern entry");
        Ok((y, jacobian))
    }

    /// Like [`evaluate`](Self::evaluate), writing the outputs into `y` and the Jacobian's
    /// entries, in the pattern's (CSR) order, into `values`. Allocation-free after the first
    /// call. On a guard failure the buffers are unspecified.
    ///
    /// ```
    /// use diffprog_reverse::sparse::SparseJacobian;
    /// let mut jac = SparseJacobian::new(|x| [x[0] * x[1], x[2] * 2.0], &[1.0; 3]);
    /// let (mut y, mut v) = (vec![0.0; 2], vec![0.0; jac.pattern().nnz()]);
    /// jac.evaluate_into(&[2.0, 3.0, 4.0], &mut y, &mut v).unwrap();
    /// assert_eq!((y, v), (vec![6.0, 8.0], vec![3.0, 2.0, 2.0]));
    /// ```
    ///
    /// # Panics
    /// If `x` has another length than the recording point, `y` than the outputs, or `values`
    /// than the pattern's entries.
    pub fn evaluate_into(
        &mut self,
        x: impl AsRef<[f64]>,
        y: &mut [f64],
        values: &mut [f64],
    ) -> Result<(), GuardFailure> {
        let x = x.as_ref();
        self.program
            .check_input("sparse Jacobian (SparseJacobian::evaluate)", x);
        assert_eq!(
            y.len(),
            self.pattern.major_dim(),
            "diffprog-reverse: SparseJacobian::evaluate_into: the output buffer has length {} \
             but the function has {} outputs",
            y.len(),
            self.pattern.major_dim()
        );
        assert_eq!(
            values.len(),
            self.pattern.nnz(),
            "diffprog-reverse: SparseJacobian::evaluate_into: the values buffer has length {} \
             but the pattern has {} entries; pass a buffer of length pattern().nnz()",
            values.len(),
            self.pattern.nnz()
        );
        let coloring = (self.coloring.colors(), self.coloring.count());
        let (p, c) = (&self.program, &mut self.compressed);
        match self.mode {
            JacobianMode::Forward => self.lanes.jacobian_forward(p, x, coloring, y, c)?,
            JacobianMode::Reverse => self.lanes.jacobian_reverse(p, x, coloring, y, c)?,
        }
        for (v, &s) in values.iter_mut().zip(&self.sources) {
            *v = self.compressed[s];
        }
        Ok(())
    }
}

//! [`SparseHessian`]: a scalar function's Hessian pattern, star colouring and recorded program,
//! built once; compressed forward-over-reverse passes at every new point.

use super::coloring::{star_coloring, Coloring};
use super::compressed::{Lanes, MAX_LANES};
use super::pattern::hessian_pattern;
use crate::replay::{record, GuardFailure, Program, ReplayVar};
use nalgebra_sparse::pattern::SparsityPattern;
use nalgebra_sparse::CsrMatrix;

/// The sparse Hessian of a scalar function `f: Rⁿ → R`, for evaluation at many points.
///
/// Built once from the function and a point ([`new`](Self::new)) or a recorded program
/// ([`from_program`](Self::from_program)): the function is recorded as a replayable
/// [`Program`], its Hessian pattern detected from the instructions
/// ([`hessian_pattern`](super::hessian_pattern)) and star-coloured
/// ([`star_coloring`](super::star_coloring)). Each [`evaluate`](Self::evaluate) then replays the
/// program — no new recording, detection or colouring — in ⌈colours / 8⌉ forward-over-reverse
/// passes, every colour one lane of a `DualVec` seed (a Hessian–vector product along the sum of
/// that colour's unit vectors), and reads each entry directly from one compressed column. The
/// cost is a handful of gradients whatever n for a banded Hessian (Rosenbrock's tridiagonal
/// one: three colours, one pass).
///
/// The result is exactly symmetric (entries `(i, j)` and `(j, i)` are read from the same
/// place). A replay whose branch guards fail at the new point returns the [`GuardFailure`]:
/// the pattern holds on the recorded path only; build a new `SparseHessian` there.
///
/// ```
/// use diffprog_reverse::sparse::SparseHessian;
/// use diffprog_dual::Scalar;
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
/// let n = 50;
/// let mut h = SparseHessian::new(rosenbrock, vec![0.5; n]);
/// assert_eq!(h.coloring().count(), 3); // tridiagonal
/// assert_eq!(h.pattern().nnz(), 3 * n - 2);
///
/// let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64).collect();
/// let (value, gradient, hessian) = h.evaluate(&x).unwrap();
/// assert_eq!(value, rosenbrock(&x));
/// let (_, _, dense) = diffprog_reverse::hessian(rosenbrock, &x);
/// for (i, j, &v) in hessian.triplet_iter() {
///     assert!((v - dense[(i, j)]).abs() <= 1e-12 * dense[(i, j)].abs().max(1.0));
/// }
/// # let _ = gradient;
/// ```
#[derive(Clone, Debug)]
pub struct SparseHessian {
    program: Program,
    pattern: SparsityPattern,
    coloring: Coloring,
    /// Per pattern entry (CSR order), its place in the compressed matrix: row · colours +
    /// colour.
    sources: Vec<usize>,
    lanes: Lanes,
    compressed: Vec<f64>,
}

impl SparseHessian {
    /// Records `f` at `x0` and prepares its sparse Hessian (pattern, colouring).
    ///
    /// # Panics
    /// As [`record`](crate::replay::record).
    pub fn new(f: impl FnOnce(&[ReplayVar]) -> ReplayVar, x0: impl AsRef<[f64]>) -> Self {
        Self::from_program(record(f, x0))
    }

    /// Prepares the sparse Hessian of a recorded scalar program.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// use diffprog_reverse::sparse::SparseHessian;
    /// let program = record(|x| x[0] * x[1] + x[2] * x[2], &[1.0; 3]);
    /// let mut h = SparseHessian::from_program(program);
    /// let (_, _, m) = h.evaluate(&[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(m.get_entry(0, 1).unwrap().into_value(), 1.0);
    /// assert_eq!(m.get_entry(2, 2).unwrap().into_value(), 2.0);
    /// assert_eq!(m.nnz(), 3);
    /// ```
    ///
    /// # Panics
    /// If the program has several outputs.
    pub fn from_program(program: Program) -> Self {
        program.check_scalar("SparseHessian::from_program");
        let pattern = hessian_pattern(&program);
        let coloring = star_coloring(&pattern);
        let sources = direct_recovery(&pattern, &coloring);
        let compressed = vec![0.0; program.n_inputs() * coloring.count()];
        SparseHessian {
            program,
            pattern,
            coloring,
            sources,
            lanes: Lanes::default(),
            compressed,
        }
    }

    /// The Hessian's sparsity pattern (CSR, symmetric).
    pub fn pattern(&self) -> &SparsityPattern {
        &self.pattern
    }

    /// The star colouring of the variables: one compressed Hessian column per colour.
    pub fn coloring(&self) -> &Coloring {
        &self.coloring
    }

    /// The recorded program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The forward-over-reverse passes per evaluation: ⌈colours / 8⌉ (at least 1).
    pub fn sweeps(&self) -> usize {
        self.coloring.count().div_ceil(MAX_LANES).max(1)
    }

    /// The value, gradient and Hessian (CSR, in [`pattern`](Self::pattern)) at `x`. A CSC
    /// matrix is `CscMatrix::from(&hessian)`; a dense one `DMatrix::from(&hessian)`.
    ///
    /// # Errors
    /// A [`GuardFailure`] if a comparison made while recording has another outcome at `x`.
    ///
    /// # Panics
    /// If `x` has another length than the recording point.
    pub fn evaluate(
        &mut self,
        x: impl AsRef<[f64]>,
    ) -> Result<(f64, Vec<f64>, CsrMatrix<f64>), GuardFailure> {
        let x = x.as_ref();
        let mut gradient = vec![0.0; x.len()];
        let mut values = vec![0.0; self.pattern.nnz()];
        let value = self.evaluate_into(x, &mut gradient, &mut values)?;
        let hessian = CsrMatrix::try_from_pattern_and_values(self.pattern.clone(), values)
            .expect("diffprog-reverse: one value per pattern entry");
        Ok((value, gradient, hessian))
    }

    /// Like [`evaluate`](Self::evaluate), writing the gradient into `gradient` and the
    /// Hessian's entries, in the pattern's (CSR) order, into `values`; returns the value.
    /// Allocation-free after the first call. On a guard failure the buffers are unspecified.
    ///
    /// ```
    /// use diffprog_reverse::sparse::SparseHessian;
    /// let mut h = SparseHessian::new(|x| x[0] * x[0] * x[1], &[1.0, 1.0]);
    /// let (mut g, mut v) = (vec![0.0; 2], vec![0.0; h.pattern().nnz()]);
    /// assert_eq!(h.evaluate_into(&[3.0, 2.0], &mut g, &mut v), Ok(18.0));
    /// assert_eq!(g, [12.0, 9.0]);
    /// assert_eq!(v, [4.0, 6.0, 6.0]); // (0, 0), (0, 1), (1, 0); ∂²/∂x₁² = 0 is not in the pattern
    /// ```
    ///
    /// # Panics
    /// If `x` or `gradient` has another length than the recording point, or `values` than the
    /// pattern's entries.
    pub fn evaluate_into(
        &mut self,
        x: impl AsRef<[f64]>,
        gradient: &mut [f64],
        values: &mut [f64],
    ) -> Result<f64, GuardFailure> {
        let x = x.as_ref();
        self.program
            .check_input("sparse Hessian (SparseHessian::evaluate)", x);
        assert_eq!(
            gradient.len(),
            x.len(),
            "diffprog-reverse: SparseHessian::evaluate_into: the gradient buffer has length {} \
             but x has length {}",
            gradient.len(),
            x.len()
        );
        assert_eq!(
            values.len(),
            self.pattern.nnz(),
            "diffprog-reverse: SparseHessian::evaluate_into: the values buffer has length {} \
             but the pattern has {} entries; pass a buffer of length pattern().nnz()",
            values.len(),
            self.pattern.nnz()
        );
        let coloring = (self.coloring.colors(), self.coloring.count());
        let value =
            self.lanes
                .hessian(&self.program, x, coloring, gradient, &mut self.compressed)?;
        for (v, &s) in values.iter_mut().zip(&self.sources) {
            *v = self.compressed[s];
        }
        Ok(value)
    }
}

/// Where each entry of the symmetric `pattern` is read in the compressed Hessian (n × colours,
/// row-major) under a star colouring: entry `(i, j)`, with `a = min(i, j)`, `b = max(i, j)`,
/// from row `a`, colour of `b` if no other variable of that colour meets `a`, else from row
/// `b`, colour of `a` (the star colouring guarantees one of the two). Both `(i, j)` and
/// `(j, i)` read the same place.
fn direct_recovery(pattern: &SparsityPattern, coloring: &Coloring) -> Vec<usize> {
    let count = coloring.count();
    let n = pattern.major_dim();
    // The colours met more than once in each row.
    let mut seen = vec![usize::MAX; count];
    let shared: Vec<Vec<u32>> = (0..n)
        .map(|r| {
            let mut twice = Vec::new();
            for &j in pattern.lane(r) {
                let c = coloring.color(j);
                if seen[c] == r {
                    twice.push(c as u32);
                } else {
                    seen[c] = r;
                }
            }
            twice
        })
        .collect();
    let unique = |row: usize, c: usize| !shared[row].contains(&(c as u32));
    let mut sources = Vec::with_capacity(pattern.nnz());
    for i in 0..n {
        for &j in pattern.lane(i) {
            let (a, b) = (i.min(j), i.max(j));
            let source = if unique(a, coloring.color(b)) {
                a * count + coloring.color(b)
            } else if unique(b, coloring.color(a)) {
                b * count + coloring.color(a)
            } else {
                panic!(
                    "diffprog-reverse: internal error: the colouring does not separate Hessian \
                     entry ({a}, {b}); please report it with the function"
                )
            };
            sources.push(source);
        }
    }
    sources
}

//! [`Rerecording`]: a replayed function that records itself again where a guard fails.

use super::guards::GuardFailure;
use super::{record, Program, ReplayVar};

/// A function kept with its recorded [`Program`]: every call replays the program, and where a
/// guard fails (the function branches differently at the new input) records the function again
/// at that input and answers from the new program. [`rerecordings`](Self::rerecordings) counts
/// the recordings after the first.
///
/// ```
/// use diffprog_reverse::replay::Rerecording;
/// use diffprog_dual::Scalar;
///
/// fn piecewise<T: Scalar>(x: &[T]) -> T {
///     if x[0] < 0.0 { -x[0] * x[1] } else { x[0] * x[0] * x[1] }
/// }
/// let mut f = Rerecording::new(piecewise, &[1.0, 1.0]);
/// assert_eq!(f.gradient(&[2.0, 3.0]), (12.0, vec![12.0, 4.0]));
/// assert_eq!(f.rerecordings(), 0);
/// assert_eq!(f.gradient(&[-2.0, 3.0]), (6.0, vec![-3.0, 2.0]));
/// assert_eq!(f.rerecordings(), 1);
/// ```
pub struct Rerecording<F> {
    f: F,
    program: Program,
    rerecordings: usize,
}

impl<F: Fn(&[ReplayVar]) -> ReplayVar> Rerecording<F> {
    /// Records `f` at `x0`.
    pub fn new(f: F, x0: impl AsRef<[f64]>) -> Self {
        let program = record(&f, x0);
        Rerecording {
            f,
            program,
            rerecordings: 0,
        }
    }

    /// How many times a guard failed and the function was recorded again.
    pub fn rerecordings(&self) -> usize {
        self.rerecordings
    }

    /// The current program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Runs `run` on the program, recording again at `x` if a guard fails.
    fn replay<R>(&mut self, x: &[f64], run: impl Fn(&mut Program) -> Result<R, GuardFailure>) -> R {
        match run(&mut self.program) {
            Ok(r) => r,
            Err(_) => {
                self.program = record(&self.f, x);
                self.rerecordings += 1;
                run(&mut self.program).unwrap_or_else(|e| {
                    panic!(
                        "diffprog-reverse: a program failed its own guard at its recording \
                         point (the function's comparisons are not deterministic): {e}"
                    )
                })
            }
        }
    }

    /// The value at `x` ([`Program::value`]).
    pub fn value(&mut self, x: impl AsRef<[f64]>) -> f64 {
        let x = x.as_ref();
        self.replay(x, |p| p.value(x))
    }

    /// The value and gradient at `x` ([`Program::gradient`]).
    pub fn gradient(&mut self, x: impl AsRef<[f64]>) -> (f64, Vec<f64>) {
        let x = x.as_ref();
        self.replay(x, |p| p.gradient(x))
    }

    /// The value, gradient and `∇²f(x)·v` ([`Program::hessian_vector_product`]).
    pub fn hessian_vector_product(
        &mut self,
        x: impl AsRef<[f64]>,
        v: impl AsRef<[f64]>,
    ) -> (f64, Vec<f64>, Vec<f64>) {
        let (x, v) = (x.as_ref(), v.as_ref());
        self.replay(x, |p| p.hessian_vector_product(x, v))
    }

    /// The value, gradient and Hessian at `x` ([`Program::hessian`]).
    pub fn hessian(&mut self, x: impl AsRef<[f64]>) -> (f64, Vec<f64>, nalgebra::DMatrix<f64>) {
        let x = x.as_ref();
        self.replay(x, |p| p.hessian(x))
    }
}

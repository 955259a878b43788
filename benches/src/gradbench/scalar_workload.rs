//! The workload of an eval whose two functions are a scalar objective and its gradient (det,
//! llsq, lse: `primal` and `gradient`; lstm: `objective` and `jacobian`): one problem type, two
//! function pointers, the output as the evals expect it.

use super::json::{finite, finite_list};
use super::{unknown_function, Mode, Workload};
use serde_json::Value;

/// The objective of a problem `P`.
pub type Objective<P> = fn(&P) -> f64;

/// The gradient of a problem `P`'s objective in a mode, written into the slice; returns the value.
pub type Gradient<P> = fn(&P, Mode, &mut [f64]) -> f64;

/// `primal` or `gradient` of a problem with `n` inputs, ready to run.
pub struct ScalarWorkload<P> {
    problem: P,
    objective: Objective<P>,
    gradient: Option<(Mode, Gradient<P>)>,
    value: f64,
    grad: Vec<f64>,
}

impl<P: 'static> ScalarWorkload<P> {
    /// The workload of `function` (`functions[0]`, the objective, or `functions[1]`, its gradient;
    /// an error naming `eval` otherwise) on `problem`, whose objective has `n` inputs.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare(
        eval: &str,
        functions: &[&str],
        function: &str,
        problem: P,
        n: usize,
        mode: Mode,
        objective: Objective<P>,
        gradient: Gradient<P>,
    ) -> Result<Box<dyn Workload>, String> {
        let gradient = match functions.iter().position(|f| *f == function) {
            Some(0) => None,
            Some(1) => Some((mode, gradient)),
            _ => return Err(unknown_function(eval, function, functions)),
        };
        Ok(Box::new(ScalarWorkload {
            problem,
            objective,
            gradient,
            value: f64::NAN,
            grad: vec![0.0; n],
        }))
    }
}

impl<P> Workload for ScalarWorkload<P> {
    fn run(&mut self) {
        let problem = std::hint::black_box(&self.problem);
        self.value = match self.gradient {
            Some((mode, gradient)) => gradient(problem, mode, &mut self.grad),
            None => (self.objective)(problem),
        };
    }

    fn output(&self) -> Result<Value, String> {
        match self.gradient {
            Some(_) => finite_list(&self.grad, "the gradient"),
            None => finite(self.value, "the objective"),
        }
    }
}

//! The workload of an eval whose two functions are a scalar objective `primal` and its
//! `gradient` (det, llsq, lse): one problem type, two function pointers, the output as the evals
//! expect it.

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
    /// The workload of `function` (`"primal"` or `"gradient"`, an error naming `eval` otherwise)
    /// on `problem`, whose objective has `n` inputs.
    pub fn prepare(
        eval: &str,
        function: &str,
        problem: P,
        n: usize,
        mode: Mode,
        objective: Objective<P>,
        gradient: Gradient<P>,
    ) -> Result<Box<dyn Workload>, String> {
        let gradient = match function {
            "primal" => None,
            "gradient" => Some((mode, gradient)),
            other => return Err(unknown_function(eval, other, &["primal", "gradient"])),
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

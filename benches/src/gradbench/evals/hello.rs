//! `hello`: f(x) = x² (`square`) and its derivative (`double`), GradBench's smoke test.

use crate::gradbench::json::finite;
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::Scalar;
use serde_json::Value;

/// The eval: every mode gives the derivative.
pub const EVAL: Eval = Eval {
    name: "hello",
    modes: &[Mode::Forward, Mode::Reverse, Mode::Hyperdual, Mode::Mixed],
    functions: &["square", "double"],
    workloads: || vec![("x=1".into(), serde_json::json!(1.0))],
    prepare,
};

/// The objective, written once for every number type.
pub fn square<T: Scalar>(x: T) -> T {
    x * x
}

struct Hello {
    function: fn(f64, Mode) -> f64,
    x: f64,
    mode: Mode,
    result: f64,
}

impl Workload for Hello {
    fn run(&mut self) {
        self.result = (self.function)(std::hint::black_box(self.x), self.mode);
    }
    fn output(&self) -> Result<Value, String> {
        finite(self.result, "the result")
    }
}

/// The derivative of [`square`] in `mode`.
pub fn double(x: f64, mode: Mode) -> f64 {
    match mode {
        Mode::Forward => diffprog_dual::derivative(square, x).1,
        Mode::Reverse => diffprog_reverse::gradient(|v| square(v[0]), [x]).1[0],
        Mode::Hyperdual => diffprog_hyperdual::second_derivative(square, x).1,
        Mode::Mixed => diffprog_reverse::hessian_vector_product(|v| square(v[0]), [x], [1.0]).1[0],
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let x = input
        .as_f64()
        .ok_or_else(|| format!("hello's input must be a number, got {input}"))?;
    let function: fn(f64, Mode) -> f64 = match function {
        "square" => |x, _| square(x),
        "double" => double,
        other => return Err(unknown_function("hello", other, &["square", "double"])),
    };
    Ok(Box::new(Hello {
        function,
        x,
        mode,
        result: f64::NAN,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_doubles() {
        for mode in EVAL.modes {
            assert_eq!(double(1.5, *mode), 3.0, "{mode}");
            assert_eq!(double(-2.0, *mode), -4.0, "{mode}");
        }
    }
}

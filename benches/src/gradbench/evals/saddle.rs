//! `saddle`: the saddle point of f(x, y) = (x₁² + x₂²) − (y₁² + y₂²) by nested gradient
//! descent (Siskind and Pearlmutter): x minimises max_y f(x, y), where each evaluation of the max
//! runs an inner gradient *ascent* in y from the start point, and the outer descent
//! differentiates through that whole inner loop; then y maximises f(x, ·) from the start. The
//! output is [x; y]. (The eval's README writes f as (x₁² + y₁²) − (x₂² + y₂²) with (x₁, y₁) the
//! first point's coordinates and (x₂, y₂) the second's, as `cpp/gradbench/evals/saddle.hpp`
//! takes them: the same function.)
//!
//! The four functions name the modes: the first letter the outer derivative's (`f`:
//! `diffprog_dual::gradient_with_chunk::<2>` on `DualVec<f64, 2>`; `r`:
//! `diffprog_reverse::gradient` on `Var<f64>`), the second the inner gradient's (see
//! [`nested`](super::nested)), which also drives the final ascent in y (as GradBench's C++
//! tools do). f is written once, generic over [`Scalar`].

use super::nested::{argmax, argmin, Forward, Inner, InnerMode, Reverse};
use crate::gradbench::json::{finite_list, vector};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::{DualVec, Scalar};
use diffprog_reverse::Var;
use serde_json::Value;

/// The eval. The mode pair is in each function's name: every mode is accepted (so that a tool
/// run with a selected mode answers this eval too) and runs the same four functions.
pub const EVAL: Eval = Eval {
    name: "saddle",
    modes: &[Mode::Reverse, Mode::Forward, Mode::Mixed, Mode::Hyperdual],
    functions: &["rr", "ff", "fr", "rf"],
    workloads: || vec![("w=0".into(), serde_json::json!({"start": [1.0, 1.0]}))],
    prepare,
};

/// The function whose saddle point is sought.
pub fn payoff<S: Scalar>(x: &[S], y: &[S]) -> S {
    (x[0] * x[0] + x[1] * x[1]) - (y[0] * y[0] + y[1] * y[1])
}

/// f(x, ·) as the inner function of y, its parameter x.
struct Given<T> {
    x: [T; 2],
}

impl<T: Scalar> Inner<T> for Given<T> {
    fn eval<S: Scalar>(&self, y: &[S], lift: &dyn Fn(T) -> S) -> S {
        payoff(&self.x.map(lift), y)
    }
}

/// The y maximising f(x, ·) by gradient ascent from `start`, the gradient by the mode `M`.
fn best_response<T: Scalar, M: InnerMode<T>>(x: &[T], start: &[f64]) -> Vec<T> {
    let given = Given { x: [x[0], x[1]] };
    let start: Vec<T> = start.iter().map(|&s| T::constant(s)).collect();
    argmax(
        |y| given.eval(y, &|t| t),
        |y| M::gradient(&given, y),
        &start,
    )
}

/// The outer objective: max over y of f(x, y), by the inner ascent from `start`.
pub fn max_payoff<T: Scalar, M: InnerMode<T>>(x: &[T], start: &[f64]) -> T {
    let y = best_response::<T, M>(x, start);
    payoff(x, &y)
}

/// [x; y] from `start`: x by descent on [`max_payoff`] with the inner mode `M` and the outer
/// derivative `outer`, then y by ascent on f(x, ·) with `M`.
fn solve<M: InnerMode<f64>>(start: &[f64], outer: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let x = argmin(|x| max_payoff::<f64, M>(x, start), outer, start);
    let y = best_response::<f64, M>(&x, start);
    [x, y].concat()
}

/// Forward over forward.
pub fn ff(start: &[f64]) -> Vec<f64> {
    solve::<Forward>(start, |x| {
        diffprog_dual::gradient_with_chunk::<2>(
            |x| max_payoff::<DualVec<f64, 2>, Forward>(x, start),
            x,
        )
        .1
    })
}

/// Forward outer, reverse inner.
pub fn fr(start: &[f64]) -> Vec<f64> {
    solve::<Reverse>(start, |x| {
        diffprog_dual::gradient_with_chunk::<2>(
            |x| max_payoff::<DualVec<f64, 2>, Reverse>(x, start),
            x,
        )
        .1
    })
}

/// Reverse outer, forward inner.
pub fn rf(start: &[f64]) -> Vec<f64> {
    solve::<Forward>(start, |x| {
        diffprog_reverse::gradient(|x: &[Var]| max_payoff::<Var, Forward>(x, start), x).1
    })
}

/// Reverse over reverse.
pub fn rr(start: &[f64]) -> Vec<f64> {
    solve::<Reverse>(start, |x| {
        diffprog_reverse::gradient(|x: &[Var]| max_payoff::<Var, Reverse>(x, start), x).1
    })
}

struct Saddle {
    function: fn(&[f64]) -> Vec<f64>,
    start: Vec<f64>,
    result: Vec<f64>,
}

impl Workload for Saddle {
    fn run(&mut self) {
        self.result = (self.function)(std::hint::black_box(&self.start));
    }
    fn output(&self) -> Result<Value, String> {
        finite_list(&self.result, "the saddle point")
    }
}

fn prepare(function: &str, input: &Value, _mode: Mode) -> Result<Box<dyn Workload>, String> {
    let function: fn(&[f64]) -> Vec<f64> = match function {
        "ff" => ff,
        "fr" => fr,
        "rf" => rf,
        "rr" => rr,
        other => return Err(unknown_function("saddle", other, EVAL.functions)),
    };
    let start = vector(input, "start")?;
    if start.len() != 2 {
        return Err(format!("`start` must have 2 numbers, got {}", start.len()));
    }
    Ok(Box::new(Saddle {
        function,
        start,
        result: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: f64 = 8.246324826140356e-06;

    #[test]
    fn every_pair_of_modes_finds_the_known_answer() {
        for (name, f) in [
            ("ff", ff as fn(&[f64]) -> Vec<f64>),
            ("fr", fr),
            ("rf", rf),
            ("rr", rr),
        ] {
            let start = std::time::Instant::now();
            let r = f(&[1.0, 1.0]);
            eprintln!("saddle {name}: {r:?} in {:?}", start.elapsed());
            assert_eq!(r.len(), 4);
            for v in r {
                assert!((v - EXPECTED).abs() <= 1e-4, "{name}: {v}");
            }
        }
    }

    /// The outer gradient (through the inner ascent loop) in every pair of modes against the
    /// others and central differences.
    #[test]
    fn outer_gradients_agree() {
        let (x, s) = ([0.3, -0.2], [1.0, 1.0]);
        let ff = diffprog_dual::gradient_with_chunk::<2>(
            |x| max_payoff::<DualVec<f64, 2>, Forward>(x, &s),
            &x,
        )
        .1;
        let fr = diffprog_dual::gradient_with_chunk::<2>(
            |x| max_payoff::<DualVec<f64, 2>, Reverse>(x, &s),
            &x,
        )
        .1;
        let rf = diffprog_reverse::gradient(|x: &[Var]| max_payoff::<Var, Forward>(x, &s), x).1;
        let rr = diffprog_reverse::gradient(|x: &[Var]| max_payoff::<Var, Reverse>(x, &s), x).1;
        for (name, g) in [("fr", &fr), ("rf", &rf), ("rr", &rr)] {
            for i in 0..2 {
                assert!(
                    (g[i] - ff[i]).abs() <= 1e-10 * (1.0 + ff[i].abs()),
                    "{name}[{i}]: {g:?} vs {ff:?}"
                );
            }
        }
        let h = 1e-6;
        for i in 0..2 {
            let mut p = x;
            p[i] += h;
            let mut m = x;
            m[i] -= h;
            let fd = (max_payoff::<f64, Reverse>(&p, &s) - max_payoff::<f64, Reverse>(&m, &s))
                / (2.0 * h);
            assert!(
                (ff[i] - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
                "{i}: {} vs {fd}",
                ff[i]
            );
        }
    }
}

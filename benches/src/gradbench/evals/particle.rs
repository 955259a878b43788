//! `particle`: Siskind and Pearlmutter's charged particle, a nested derivative. A particle starts
//! at (0, 8) with velocity (0.75, 0) in the potential p(x) = Σ 1/‖x − c‖ of two charges at
//! (10, 10 − w) and (10, 0); Euler steps of Δt = 0.1 with acceleration −∇ₓp (the *inner*
//! gradient) run until it crosses y = 0, and the objective is the squared x at the crossing. The
//! answer is the w that minimises it, by GradBench's gradient descent with the derivative of the
//! objective in w (the *outer* derivative, through the unbounded Euler loop and every inner
//! gradient).
//!
//! The four functions name the modes: the first letter the outer one (`f`: `diffprog_dual`'s
//! `derivative` on `Dual<f64>`; `r`: `diffprog_reverse::gradient` on `Var<f64>`), the second the
//! inner one (see [`nested`](super::nested)): ff is `DualVec<Dual<f64>, 2>`, fr a tape of
//! `Dual<f64>`, rf `DualVec<Var<f64>, 2>`, rr a tape of `Var<f64>` (reverse over reverse). The
//! objective and potential are each written once, generic over [`Scalar`].

use super::nested::{argmin, Forward, Inner, InnerMode, Reverse};
use crate::gradbench::json::{finite, number};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::{Dual, Scalar};
use diffprog_reverse::Var;
use serde_json::Value;

/// The eval. The mode pair is in each function's name: every mode is accepted (so that a tool
/// run with a selected mode answers this eval too) and runs the same four functions.
pub const EVAL: Eval = Eval {
    name: "particle",
    modes: &[Mode::Reverse, Mode::Forward, Mode::Mixed, Mode::Hyperdual],
    functions: &["rr", "ff", "fr", "rf"],
    workloads: || vec![("w=0".into(), serde_json::json!({"w": 0.0}))],
    prepare,
};

/// The potential of the charges at the point x: Σ 1/‖x − c‖.
pub fn potential<S: Scalar>(x: &[S], charges: &[[S; 2]]) -> S {
    let mut p = S::zero();
    for c in charges {
        let (dx, dy) = (c[0] - x[0], c[1] - x[1]);
        p += S::one() / (dx * dx + dy * dy).sqrt();
    }
    p
}

/// The potential of the two charges as the inner function of x, its parameters the charges.
struct Field<T> {
    charges: [[T; 2]; 2],
}

impl<T: Scalar> Inner<T> for Field<T> {
    fn eval<S: Scalar>(&self, x: &[S], lift: &dyn Fn(T) -> S) -> S {
        potential(x, &self.charges.map(|c| c.map(lift)))
    }
}

/// The objective: the squared x-coordinate where the particle, steered by the charges at
/// (10, 10 − w) and (10, 0), crosses y = 0; the force −∇ₓp by the inner mode `M`.
pub fn naive_euler<T: Scalar, M: InnerMode<T>>(w: T) -> T {
    let c = T::constant;
    let field = Field {
        charges: [[c(10.0), c(10.0) - w], [c(10.0), c(0.0)]],
    };
    let mut x = [c(0.0), c(8.0)];
    let mut xdot = [c(0.75), c(0.0)];
    let dt = 0.1;
    loop {
        let gradient = M::gradient(&field, &x);
        let xddot = [-gradient[0], -gradient[1]];
        x = [x[0] + xdot[0] * dt, x[1] + xdot[1] * dt];
        if x[1] <= 0.0 {
            let dt_f = -x[1] / xdot[1];
            let x_t_f = x[0] + dt_f * xdot[0];
            return x_t_f * x_t_f;
        }
        xdot = [xdot[0] + xddot[0] * dt, xdot[1] + xddot[1] * dt];
    }
}

/// The minimising w from `w0`, the objective's inner gradient by `M` and its derivative by
/// `outer`.
fn solve<M: InnerMode<f64>>(w0: f64, outer: impl Fn(f64) -> f64) -> f64 {
    argmin(
        |w| naive_euler::<f64, M>(w[0]),
        |w| vec![outer(w[0])],
        &[w0],
    )[0]
}

/// Forward over forward.
pub fn ff(w0: f64) -> f64 {
    solve::<Forward>(w0, |w| {
        diffprog_dual::derivative(naive_euler::<Dual<f64>, Forward>, w).1
    })
}

/// Forward outer, reverse inner.
pub fn fr(w0: f64) -> f64 {
    solve::<Reverse>(w0, |w| {
        diffprog_dual::derivative(naive_euler::<Dual<f64>, Reverse>, w).1
    })
}

/// Reverse outer, forward inner.
pub fn rf(w0: f64) -> f64 {
    solve::<Forward>(w0, |w| {
        diffprog_reverse::gradient(|w: &[Var]| naive_euler::<Var, Forward>(w[0]), [w]).1[0]
    })
}

/// Reverse over reverse.
pub fn rr(w0: f64) -> f64 {
    solve::<Reverse>(w0, |w| {
        diffprog_reverse::gradient(|w: &[Var]| naive_euler::<Var, Reverse>(w[0]), [w]).1[0]
    })
}

struct Particle {
    function: fn(f64) -> f64,
    w0: f64,
    result: f64,
}

impl Workload for Particle {
    fn run(&mut self) {
        self.result = (self.function)(std::hint::black_box(self.w0));
    }
    fn output(&self) -> Result<Value, String> {
        finite(self.result, "w")
    }
}

fn prepare(function: &str, input: &Value, _mode: Mode) -> Result<Box<dyn Workload>, String> {
    let function: fn(f64) -> f64 = match function {
        "ff" => ff,
        "fr" => fr,
        "rf" => rf,
        "rr" => rr,
        other => return Err(unknown_function("particle", other, EVAL.functions)),
    };
    Ok(Box::new(Particle {
        function,
        w0: number(input, "w")?,
        result: f64::NAN,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: f64 = 0.2071918746486116;

    #[test]
    fn every_pair_of_modes_finds_the_known_answer() {
        for (name, f) in [
            ("ff", ff as fn(f64) -> f64),
            ("fr", fr),
            ("rf", rf),
            ("rr", rr),
        ] {
            let start = std::time::Instant::now();
            let w = f(0.0);
            eprintln!("particle {name}: {w} in {:?}", start.elapsed());
            assert!((w - EXPECTED).abs() <= 1e-4, "{name}: {w}");
        }
    }

    /// The outer derivative in every pair of modes against the others and central differences
    /// of the objective (whose inner gradient both modes give).
    #[test]
    fn outer_derivatives_agree() {
        let w = 0.1;
        let ff = diffprog_dual::derivative(naive_euler::<Dual<f64>, Forward>, w).1;
        let fr = diffprog_dual::derivative(naive_euler::<Dual<f64>, Reverse>, w).1;
        let rf =
            diffprog_reverse::gradient(|w: &[Var]| naive_euler::<Var, Forward>(w[0]), [w]).1[0];
        let rr =
            diffprog_reverse::gradient(|w: &[Var]| naive_euler::<Var, Reverse>(w[0]), [w]).1[0];
        let h = 1e-6;
        let fd =
            (naive_euler::<f64, Reverse>(w + h) - naive_euler::<f64, Reverse>(w - h)) / (2.0 * h);
        for (name, d) in [("fr", fr), ("rf", rf), ("rr", rr)] {
            assert!(
                (d - ff).abs() <= 1e-10 * (1.0 + ff.abs()),
                "{name}: {d} vs ff {ff}"
            );
        }
        assert!(
            (ff - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
            "ff {ff} vs central {fd}"
        );
        let (a, b) = (
            naive_euler::<f64, Forward>(w),
            naive_euler::<f64, Reverse>(w),
        );
        assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
    }
}

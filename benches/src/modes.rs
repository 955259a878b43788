//! Every mode that answers a question, as a uniform list of runnable [`Mode`]s: diffprog's modes
//! and, with the feature `peers`, the peers (num-dual, echidna, ad_trait; see `peers`).
//! compare-modes times them and compares their results; the criterion benches run the same list.

use crate::problems::{ScalarProblem, VectorProblem};
use diffprog_dual::Dual;
use diffprog_reverse::replay::{self, Program};
use nalgebra::DVector;
use std::cell::RefCell;
use std::hint::black_box;

/// The questions the benchmarks ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// ∇f of f: Rⁿ → R.
    Gradient,
    /// J of f: Rⁿ → Rᵐ.
    Jacobian,
    /// ∇²f of f: Rⁿ → R.
    Hessian,
    /// ∇²f·v.
    Hvp,
}

impl Question {
    /// Lower-case name ("gradient").
    pub fn name(self) -> &'static str {
        match self {
            Question::Gradient => "gradient",
            Question::Jacobian => "jacobian",
            Question::Hessian => "hessian",
            Question::Hvp => "hvp",
        }
    }
}

/// A runnable way to answer a question at a fixed point: `run` returns the answer flattened
/// (gradient, Jacobian row-major, Hessian row-major, H·v).
pub struct Mode {
    /// The mode's name in tables and plots.
    pub name: &'static str,
    /// True for the peers (other libraries).
    pub peer: bool,
    /// Computes the answer.
    pub run: Box<dyn Fn() -> Vec<f64>>,
}

impl Mode {
    pub(crate) fn new(
        name: &'static str,
        peer: bool,
        run: impl Fn() -> Vec<f64> + 'static,
    ) -> Mode {
        Mode {
            name,
            peer,
            run: Box::new(run),
        }
    }
}

/// The largest n at which modes costing O(n) evaluations per call are run (forward Dual with one
/// direction per pass, num-dual's dynamically sized gradient).
pub const MAX_N_LINEAR_PASSES: usize = 1000;
/// The largest n for the dense Hessian modes of the peers (num-dual's dynamic second-order
/// numbers cost O(n²) per operation; ad_trait's Hessians take tens of milliseconds at n = 100).
pub const MAX_N_PEER_HESSIAN: usize = 100;

/// The plain `f64` evaluation of a scalar problem: the baseline of every ratio.
pub fn baseline_scalar<P: ScalarProblem>(p: &P) -> Mode {
    let (p, x) = (p.clone(), p.point());
    Mode::new("f64 evaluation", false, move || {
        vec![p.eval::<f64>(black_box(&x))]
    })
}

/// The plain `f64` evaluation of a vector problem.
pub fn baseline_vector<P: VectorProblem>(p: &P) -> Mode {
    let (p, x) = (p.clone(), p.point());
    Mode::new("f64 evaluation", false, move || {
        p.eval::<f64>(black_box(&x))
    })
}

/// The problem recorded for replay at `x` (`diffprog_reverse::replay`), once, when the modes are
/// listed; the modes replay it at the point on every call.
fn recorded<P: ScalarProblem>(p: &P, x: &[f64]) -> RefCell<Program> {
    RefCell::new(replay::record(|v| p.eval(v), x))
}

/// The benchmark problems have no comparisons of their own, and a program replayed at its
/// recording point holds every guard.
const GUARDS_HOLD: &str = "a program replayed at its recording point holds its guards";

/// Gradient modes; the first is the reference (reverse).
pub fn gradient_modes<P: ScalarProblem>(p: &P) -> Vec<Mode> {
    let n = p.n();
    let x = p.point();
    let mut modes = Vec::new();
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("reverse Var", false, move || {
            diffprog_reverse::gradient(|v| p.eval(v), &x).1
        }));
    }
    {
        let program = recorded(p, &x);
        let x = x.clone();
        modes.push(Mode::new(
            "reverse replay (recorded once)",
            false,
            move || program.borrow_mut().gradient(&x).expect(GUARDS_HOLD).1,
        ));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("forward DualVec<10>", false, move || {
            diffprog_dual::gradient(|v| p.eval(v), &x).1
        }));
    }
    if n <= MAX_N_LINEAR_PASSES {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("forward Dual (n passes)", false, move || {
            let mut args: Vec<Dual<f64>> = x.iter().map(|&xi| Dual::lift(xi)).collect();
            let mut g = vec![0.0; x.len()];
            for i in 0..x.len() {
                args[i].eps = 1.0;
                g[i] = p.eval(&args).eps;
                args[i].eps = 0.0;
            }
            g
        }));
    }
    #[cfg(feature = "peers")]
    crate::peers::gradient_modes(&mut modes, p, &x);
    modes
}

/// Jacobian modes; the first is the reference (reverse).
pub fn jacobian_modes<P: VectorProblem>(p: &P) -> Vec<Mode> {
    let x = p.point();
    let mut modes = Vec::new();
    let flatten = |j: nalgebra::DMatrix<f64>| -> Vec<f64> { j.transpose().as_slice().to_vec() };
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("reverse (m sweeps)", false, move || {
            flatten(diffprog_reverse::jacobian(|v| p.eval(v), &x).1)
        }));
    }
    {
        let program = RefCell::new(replay::record_vector(|v| p.eval(v), &x));
        let x = x.clone();
        let name = if x.len() < p.m() {
            "replay (tangent passes, n < m)"
        } else {
            "reverse replay (m sweeps)"
        };
        modes.push(Mode::new(name, false, move || {
            flatten(program.borrow_mut().jacobian(&x).expect(GUARDS_HOLD).1)
        }));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("forward DualVec<10>", false, move || {
            flatten(diffprog_dual::jacobian(|v| p.eval(v), &x).1)
        }));
    }
    #[cfg(feature = "peers")]
    crate::peers::jacobian_modes(&mut modes, p, &x);
    modes
}

/// Hessian modes; the first is the reference (forward-over-reverse).
pub fn hessian_modes<P: ScalarProblem>(p: &P) -> Vec<Mode> {
    let x = p.point();
    let mut modes = Vec::new();
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("forward-over-reverse", false, move || {
            diffprog_reverse::hessian(|v| p.eval(v), &x)
                .2
                .as_slice()
                .to_vec()
        }));
    }
    {
        let program = recorded(p, &x);
        let x = x.clone();
        modes.push(Mode::new(
            "replay, forward-over-reverse<8>",
            false,
            move || {
                let h = program.borrow_mut().hessian(&x).expect(GUARDS_HOLD).2;
                h.as_slice().to_vec()
            },
        ));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("hyperdual (8×8 blocks)", false, move || {
            diffprog_hyperdual::hessian(|v| p.eval(v), &x)
                .2
                .as_slice()
                .to_vec()
        }));
    }
    #[cfg(feature = "peers")]
    crate::peers::hessian_modes(&mut modes, p, &x);
    modes
}

/// The re-recording forward-over-reverse Hessian, `diffprog_reverse::hessian_chunked::<8>`
/// (⌈n/8⌉ recordings and sweeps on `Var<DualVec<f64, 8>>`). The criterion `hessian` group runs
/// it next to [`hessian_modes`]; compare-modes leaves it out, since the stored-tape `hessian`
/// answers the same question through the same model.
pub fn hessian_rerecording<P: ScalarProblem>(p: &P) -> Mode {
    let (p, x) = (p.clone(), p.point());
    Mode::new("forward-over-reverse, re-recording<8>", false, move || {
        diffprog_reverse::hessian_chunked::<8, _>(|v| p.eval(v), &x)
            .2
            .as_slice()
            .to_vec()
    })
}

/// The direction of the Hessian–vector products.
pub fn hvp_direction(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| crate::problems::noise(9_000_001 + i as u64))
        .collect()
}

/// Hessian–vector product modes; the first is the reference (forward-over-reverse).
pub fn hvp_modes<P: ScalarProblem>(p: &P) -> Vec<Mode> {
    let n = p.n();
    let x = p.point();
    let v = hvp_direction(n);
    let mut modes = Vec::new();
    {
        let (p, x, v) = (p.clone(), x.clone(), v.clone());
        modes.push(Mode::new("forward-over-reverse", false, move || {
            diffprog_reverse::hessian_vector_product(|a| p.eval(a), &x, &v).2
        }));
    }
    {
        let program = recorded(p, &x);
        let (x, v) = (x.clone(), v.clone());
        modes.push(Mode::new(
            "replay, forward-over-reverse",
            false,
            move || {
                let mut program = program.borrow_mut();
                program.hessian_vector_product(&x, &v).expect(GUARDS_HOLD).2
            },
        ));
    }
    if n <= MAX_N_LINEAR_PASSES {
        // ∇(f(x + εv)) by forward DualVec over Dual: ⌈n/8⌉ passes.
        let (p, x, v) = (p.clone(), x.clone(), v.clone());
        modes.push(Mode::new("forward-over-forward", false, move || {
            let xd: Vec<Dual<f64>> = x.iter().zip(&v).map(|(&a, &b)| Dual::new(a, b)).collect();
            let (_, g) = diffprog_dual::gradient_at::<Dual<f64>, 8>(|a| p.eval(a), &xd);
            g.iter().map(|d| d.eps).collect()
        }));
    }
    if n <= 300 {
        let (p, x, v) = (p.clone(), x.clone(), v.clone());
        modes.push(Mode::new("hyperdual Hessian × v", false, move || {
            let h = diffprog_hyperdual::hessian(|a| p.eval(a), &x).2;
            (h * DVector::from_vec(v.clone())).as_slice().to_vec()
        }));
    }
    #[cfg(feature = "peers")]
    crate::peers::hvp_modes(&mut modes, p, &x, &v);
    modes
}

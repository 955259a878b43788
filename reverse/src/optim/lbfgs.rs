//! L-BFGS: the limited-memory BFGS method, two-loop recursion and strong-Wolfe line search.

use super::line_search::strong_wolfe;
use super::{dot, norm, Counted, Minimum, Objective, Options, Termination};
use std::collections::VecDeque;

/// Minimises `objective` from `x0` by L-BFGS: the direction `−H∇f` with `H` the BFGS inverse
/// Hessian built from the last [`Options::lbfgs_memory`] pairs `(s, y)` of steps and gradient
/// changes, applied by the two-loop recursion (Nocedal & Wright's Algorithm 7.4) with the initial
/// scaling `γ = s·y / y·y`, and a strong-Wolfe line search (`c₁ = 10⁻⁴`, `c₂ = 0.9`) from the
/// unit step (the first step from `min(1, 1/‖∇f‖)`). A pair with `s·y ≤ 10⁻¹⁰·‖s‖‖y‖` is skipped.
/// Only gradients are evaluated ([`gradient`](crate::gradient)): memory O(m·n).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::optim::{lbfgs, Objective, Options, Termination};
///
/// struct Rosenbrock;
/// impl Objective for Rosenbrock {
///     fn value<T: Scalar>(&self, x: &[T]) -> T {
///         let (a, b) = (x[1] - x[0] * x[0], -x[0] + 1.0);
///         a * a * 100.0 + b * b
///     }
/// }
/// let m = lbfgs(&Rosenbrock, &[-1.2, 1.0], &Options::default());
/// assert_eq!(m.termination, Termination::GradientNorm);
/// assert!((m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8);
/// assert_eq!((m.evaluations.hessians, m.evaluations.hessian_vector_products), (0, 0));
/// ```
///
/// # Panics
/// If `x0` is empty or has a non-finite component, the objective is not finite at `x0`, or
/// `options.lbfgs_memory` is 0.
pub fn lbfgs<O: Objective + ?Sized>(objective: &O, x0: &[f64], options: &Options) -> Minimum {
    let memory = options.lbfgs_memory;
    assert!(
        memory >= 1,
        "optim::lbfgs: Options::lbfgs_memory is 0; keep at least one correction pair (10 is usual)"
    );
    let mut counted = Counted::start("lbfgs", objective, x0);
    let mut x = x0.to_vec();
    let (mut f, mut g) = counted.gradient(&x);
    // (s, y, 1/(s·y)), oldest first.
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(memory);
    let mut iterations = 0;
    let termination = loop {
        let gnorm = norm(&g);
        if gnorm <= options.gradient_tolerance {
            break Termination::GradientNorm;
        }
        if iterations == options.max_iterations {
            break Termination::MaxIterations;
        }
        iterations += 1;
        let mut p = two_loop(&pairs, &g);
        let mut slope = dot(&g, &p);
        if slope >= 0.0 || slope.is_nan() {
            // Not a descent direction (rounding in a stale memory): restart from −∇f.
            pairs.clear();
            p = g.iter().map(|v| -v).collect();
            slope = -gnorm * gnorm;
        }
        let first = if pairs.is_empty() {
            (1.0 / gnorm).min(1.0)
        } else {
            1.0
        };
        let Some((alpha, f_next, g_next)) = strong_wolfe(&mut counted, &x, f, slope, &p, first)
        else {
            break Termination::LineSearchFailed;
        };
        let s: Vec<f64> = p.iter().map(|v| alpha * v).collect();
        let y: Vec<f64> = g_next.iter().zip(&g).map(|(a, b)| a - b).collect();
        for (xi, si) in x.iter_mut().zip(&s) {
            *xi += si;
        }
        let (sy, snorm) = (dot(&s, &y), norm(&s));
        if sy > 1e-10 * snorm * norm(&y) {
            if pairs.len() == memory {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        (f, g) = (f_next, g_next);
        if snorm <= options.step_tolerance * (1.0 + norm(&x)) {
            break Termination::StepSize;
        }
    };
    counted.finish(x, f, &g, iterations, termination)
}

/// `−H·g` by the two-loop recursion over the stored pairs.
fn two_loop(pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>, g: &[f64]) -> Vec<f64> {
    let mut q: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, &q);
        for (qi, yi) in q.iter_mut().zip(y) {
            *qi -= a * yi;
        }
        alphas.push(a);
    }
    if let Some((s, y, _)) = pairs.back() {
        let gamma = dot(s, y) / dot(y, y);
        for qi in &mut q {
            *qi *= gamma;
        }
    }
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        for (qi, si) in q.iter_mut().zip(s) {
            *qi += (a - b) * si;
        }
    }
    q
}

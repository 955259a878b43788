//! Newton's method with exact Hessians, a Cholesky-based modification where the Hessian is not
//! positive definite, and Armijo backtracking.

use super::line_search::backtracking;
use super::{dot, norm, Counted, Minimum, Objective, Options, Termination};
use nalgebra::{DMatrix, DVector};

/// Minimises `objective` from `x0` by Newton's method: at each iterate the exact value,
/// gradient and Hessian ([`hessian`](crate::hessian), one recording), the step `p` solving
/// `(∇²f + τI) p = −∇f` by Cholesky with the least `τ` of the sequence 0, β, 2β, 4β, ... that
/// makes the matrix positive definite (Nocedal & Wright's Algorithm 3.3, `β = 10⁻³·max|∇²fᵢᵢ|`,
/// at least 10⁻⁸), then Armijo backtracking from the full step. Near a minimum with a positive
/// definite Hessian, `τ = 0` and the full step: quadratic convergence. Each iteration stores
/// and factors the dense `n × n` Hessian: for large `n` prefer
/// [`trust_region_newton_cg`](super::trust_region_newton_cg) or [`lbfgs`](super::lbfgs).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::optim::{newton, Objective, Options, Termination};
///
/// struct Rosenbrock;
/// impl Objective for Rosenbrock {
///     fn value<T: Scalar>(&self, x: &[T]) -> T {
///         let (a, b) = (x[1] - x[0] * x[0], -x[0] + 1.0);
///         a * a * 100.0 + b * b
///     }
/// }
/// let m = newton(&Rosenbrock, &[-1.2, 1.0], &Options::default());
/// assert_eq!(m.termination, Termination::GradientNorm);
/// assert!((m.x[0] - 1.0).abs() < 1e-10 && (m.x[1] - 1.0).abs() < 1e-10);
/// assert_eq!(m.evaluations.hessians, m.iterations + 1);
/// ```
///
/// # Panics
/// If `x0` is empty or has a non-finite component, or the objective is not finite at `x0`.
pub fn newton<O: Objective + ?Sized>(objective: &O, x0: &[f64], options: &Options) -> Minimum {
    let mut counted = Counted::start("newton", objective, x0);
    let mut x = x0.to_vec();
    let (mut f, mut g, mut h) = counted.hessian(&x);
    let mut iterations = 0;
    let termination = loop {
        if norm(&g) <= options.gradient_tolerance {
            break Termination::GradientNorm;
        }
        if iterations == options.max_iterations {
            break Termination::MaxIterations;
        }
        iterations += 1;
        let p = modified_newton_step(h, &g);
        let slope = dot(&g, &p);
        let Some((alpha, _)) = backtracking(&mut counted, &x, f, slope, &p) else {
            break Termination::LineSearchFailed;
        };
        let step = alpha * norm(&p);
        for (xi, pi) in x.iter_mut().zip(&p) {
            *xi += alpha * pi;
        }
        (f, g, h) = counted.hessian(&x);
        if step <= options.step_tolerance * (1.0 + norm(&x)) {
            break Termination::StepSize;
        }
    };
    counted.finish(x, f, &g, iterations, termination)
}

/// The solution `p` of `(H + τI) p = −g` with the least `τ ∈ {0, β, 2β, 4β, ...}` for which the
/// Cholesky factorisation succeeds: a descent direction whatever the curvature of `H`. (If no
/// shift works, as with a non-finite `H`, the steepest-descent direction `−g`.)
fn modified_newton_step(h: DMatrix<f64>, g: &[f64]) -> Vec<f64> {
    let n = g.len();
    let rhs = -DVector::from_column_slice(g);
    let max_diagonal = h.diagonal().iter().fold(0.0_f64, |m, d| m.max(d.abs()));
    let beta = (1e-3 * max_diagonal).max(1e-8);
    let min_diagonal = h.diagonal().iter().fold(f64::INFINITY, |m, &d| m.min(d));
    let mut tau = if min_diagonal > 0.0 {
        0.0
    } else {
        beta - min_diagonal
    };
    for _ in 0..200 {
        let mut shifted = h.clone();
        for i in 0..n {
            shifted[(i, i)] += tau;
        }
        if let Some(cholesky) = shifted.cholesky() {
            let p = cholesky.solve(&rhs);
            if p.iter().all(|v| v.is_finite()) {
                return p.as_slice().to_vec();
            }
        }
        tau = (2.0 * tau).max(beta);
    }
    g.iter().map(|v| -v).collect()
}

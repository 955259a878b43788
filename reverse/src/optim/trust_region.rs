//! The trust-region Newton–CG method (Steihaug–Toint): the quadratic model minimised by
//! truncated conjugate gradients on Hessian–vector products.

use super::{dot, norm, offset, Counted, Minimum, Objective, Options, Termination};

/// The largest trust radius.
const MAX_RADIUS: f64 = 1e10;
/// A step is accepted when the actual reduction is at least this fraction of the predicted one.
const ACCEPT: f64 = 1e-4;

/// Minimises `objective` from `x0` by the trust-region Newton–CG method: at each iterate the
/// model `m(p) = f + ∇f·p + ½ p·∇²f·p` is minimised within `‖p‖ ≤ Δ` by Steihaug's conjugate
/// gradients, which stop at the boundary, at negative curvature (following it to the
/// boundary) or when the residual is below `min(½, √‖∇f‖)·‖∇f‖` (superlinear convergence).
/// The Hessian enters only through products `∇²f·d` ([`hessian_vector_product`](crate::hessian_vector_product),
/// one recording on `Dual` numbers each): memory O(n), each CG iteration about the cost of two
/// gradients. The radius (initially `‖∇f‖` clamped to [10⁻³, 1]) shrinks to a quarter of the step
/// when the reduction ratio is below ¼ and doubles, up to 10¹⁰, when it exceeds ¾ on the
/// boundary (Nocedal & Wright's Algorithms 4.1 and 7.2).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::optim::{trust_region_newton_cg, Objective, Options, Termination};
///
/// /// Chained Rosenbrock, minimum at all ones.
/// struct Rosenbrock;
/// impl Objective for Rosenbrock {
///     fn value<T: Scalar>(&self, x: &[T]) -> T {
///         let mut s = T::zero();
///         for i in 0..x.len() - 1 {
///             let (a, b) = (x[i + 1] - x[i] * x[i], -x[i] + 1.0);
///             s += a * a * 100.0 + b * b;
///         }
///         s
///     }
/// }
/// let m = trust_region_newton_cg(&Rosenbrock, &[0.5; 4], &Options::default());
/// assert_eq!(m.termination, Termination::GradientNorm);
/// assert!(m.x.iter().all(|v| (v - 1.0).abs() < 1e-8));
/// assert_eq!(m.evaluations.hessians, 0);
/// ```
///
/// # Panics
/// If `x0` is empty or has a non-finite component, or the objective is not finite at `x0`.
pub fn trust_region_newton_cg<O: Objective + ?Sized>(
    objective: &O,
    x0: &[f64],
    options: &Options,
) -> Minimum {
    let mut counted = Counted::start("trust_region_newton_cg", objective, x0);
    let mut x = x0.to_vec();
    let (mut f, mut g) = counted.gradient(&x);
    let mut radius = norm(&g).clamp(1e-3, 1.0);
    let mut iterations = 0;
    let termination = loop {
        let gnorm = norm(&g);
        if gnorm <= options.gradient_tolerance {
            break Termination::GradientNorm;
        }
        if iterations == options.max_iterations {
            break Termination::MaxIterations;
        }
        if radius <= options.step_tolerance * (1.0 + norm(&x)) {
            break Termination::StepSize;
        }
        iterations += 1;
        let (p, hp, on_boundary) = steihaug(&mut counted, &x, &g, radius);
        let predicted = -(dot(&g, &p) + 0.5 * dot(&p, &hp));
        let trial = offset(&x, 1.0, &p);
        let trial_value = counted.value(&trial);
        let actual = f - trial_value;
        let ratio = if predicted > 0.0 && trial_value.is_finite() {
            actual / predicted
        } else {
            -1.0
        };
        let step = norm(&p);
        if ratio < 0.25 {
            radius = 0.25 * step.min(radius);
        } else if ratio > 0.75 && on_boundary {
            radius = (2.0 * radius).min(MAX_RADIUS);
        }
        if ratio > ACCEPT {
            x = trial;
            (f, g) = counted.gradient(&x);
        }
    };
    counted.finish(x, f, &g, iterations, termination)
}

/// Steihaug's truncated CG for `min g·p + ½ p·Hp` within `‖p‖ ≤ radius`: the step, `H·p`
/// (accumulated from the products, for the predicted reduction) and whether it stopped on the
/// boundary.
fn steihaug<O: Objective + ?Sized>(
    counted: &mut Counted<'_, O>,
    x: &[f64],
    g: &[f64],
    radius: f64,
) -> (Vec<f64>, Vec<f64>, bool) {
    let n = g.len();
    let gnorm = norm(g);
    let tolerance = gnorm.sqrt().min(0.5) * gnorm;
    let mut z = vec![0.0; n];
    let mut hz = vec![0.0; n];
    let mut r = g.to_vec();
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut rr = dot(&r, &r);
    for _ in 0..2 * n.max(1) {
        let hd = counted.hessian_vector_product(x, &d);
        let curvature = dot(&d, &hd);
        if curvature <= 0.0 || !curvature.is_finite() {
            let tau = to_boundary(&z, &d, radius);
            return (offset(&z, tau, &d), offset(&hz, tau, &hd), true);
        }
        let alpha = rr / curvature;
        let z_next = offset(&z, alpha, &d);
        if norm(&z_next) >= radius {
            let tau = to_boundary(&z, &d, radius);
            return (offset(&z, tau, &d), offset(&hz, tau, &hd), true);
        }
        z = z_next;
        hz = offset(&hz, alpha, &hd);
        r = offset(&r, alpha, &hd);
        let rr_next = dot(&r, &r);
        if rr_next.sqrt() < tolerance {
            break;
        }
        let beta = rr_next / rr;
        rr = rr_next;
        for (di, ri) in d.iter_mut().zip(&r) {
            *di = beta * *di - ri;
        }
    }
    (z, hz, false)
}

/// The `τ ≥ 0` with `‖z + τd‖ = radius` (for `‖z‖ < radius`).
fn to_boundary(z: &[f64], d: &[f64], radius: f64) -> f64 {
    let (a, b, c) = (dot(d, d), 2.0 * dot(z, d), dot(z, z) - radius * radius);
    let root = (b * b - 4.0 * a * c).max(0.0).sqrt();
    // The positive root, in the form free of cancellation.
    if b >= 0.0 {
        -2.0 * c / (b + root)
    } else {
        (root - b) / (2.0 * a)
    }
}

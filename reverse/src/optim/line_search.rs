//! Line searches along a descent direction `p` from `x`: Armijo backtracking (values only) for
//! Newton, and a strong-Wolfe search (values and slopes, Nocedal & Wright's Algorithms 3.5 and
//! 3.6 with safeguarded cubic interpolation) for L-BFGS.

use super::{dot, offset, Counted, Objective};

/// The sufficient-decrease constant `c₁` of both searches.
const ARMIJO: f64 = 1e-4;
/// The curvature constant `c₂` of the strong-Wolfe search (the usual one for quasi-Newton).
const CURVATURE: f64 = 0.9;
/// Trials before a search gives up.
const MAX_TRIALS: usize = 60;

/// The first step `α` of the sequence 1, ρ, ρ², ... (ρ = ½, or a safeguarded quadratic
/// interpolation of the last trial) with `f(x + αp) ≤ f + c₁ α ∇f·p`, and the value there;
/// `None` after [`MAX_TRIALS`] trials. Non-finite trial values count as too large.
pub(crate) fn backtracking<O: Objective + ?Sized>(
    counted: &mut Counted<'_, O>,
    x: &[f64],
    f: f64,
    slope: f64,
    p: &[f64],
) -> Option<(f64, f64)> {
    let mut alpha = 1.0;
    for _ in 0..MAX_TRIALS {
        let trial = counted.value(&offset(x, alpha, p));
        if trial.is_finite() && trial <= f + ARMIJO * alpha * slope {
            return Some((alpha, trial));
        }
        // The minimiser of the quadratic through f, the slope and the trial, kept in
        // [α/10, α/2].
        let quadratic = if trial.is_finite() {
            -slope * alpha * alpha / (2.0 * (trial - f - slope * alpha))
        } else {
            0.0
        };
        alpha = quadratic.clamp(0.1 * alpha, 0.5 * alpha);
    }
    None
}

/// A point along `p` satisfying the strong Wolfe conditions `f(x + αp) ≤ f + c₁α∇f·p` and
/// `|∇f(x + αp)·p| ≤ c₂|∇f·p|`, starting from `alpha`: the step, the value and the gradient there,
/// or `None` if none was found within [`MAX_TRIALS`] evaluations.
pub(crate) fn strong_wolfe<O: Objective + ?Sized>(
    counted: &mut Counted<'_, O>,
    x: &[f64],
    f: f64,
    slope: f64,
    p: &[f64],
    alpha: f64,
) -> Option<(f64, f64, Vec<f64>)> {
    let mut evaluate = |alpha: f64| {
        let (value, g) = counted.gradient(&offset(x, alpha, p));
        let s = dot(&g, p);
        Trial {
            alpha,
            value,
            slope: s,
            gradient: g,
        }
    };
    let wolfe =
        |t: &Trial| t.value <= f + ARMIJO * t.alpha * slope && t.slope.abs() <= -CURVATURE * slope;
    let mut previous = Trial {
        alpha: 0.0,
        value: f,
        slope,
        gradient: Vec::new(),
    };
    let mut alpha = alpha;
    for i in 0..MAX_TRIALS {
        let t = evaluate(alpha);
        if !t.value.is_finite() || !t.slope.is_finite() {
            // Stepped out of the domain: shorten.
            alpha = 0.5 * (previous.alpha + alpha);
            continue;
        }
        if t.value > f + ARMIJO * t.alpha * slope || (i > 0 && t.value >= previous.value) {
            return zoom(&mut evaluate, &wolfe, f, slope, previous, t);
        }
        if wolfe(&t) {
            return Some((t.alpha, t.value, t.gradient));
        }
        if t.slope >= 0.0 {
            return zoom(&mut evaluate, &wolfe, f, slope, t, previous);
        }
        alpha = 2.0 * t.alpha;
        previous = t;
    }
    None
}

struct Trial {
    alpha: f64,
    value: f64,
    slope: f64,
    gradient: Vec<f64>,
}

/// Algorithm 3.6: `lo` satisfies sufficient decrease with the least value so far, and the
/// interval between `lo` and `hi` contains strong-Wolfe points.
fn zoom(
    evaluate: &mut impl FnMut(f64) -> Trial,
    wolfe: &impl Fn(&Trial) -> bool,
    f: f64,
    slope: f64,
    mut lo: Trial,
    mut hi: Trial,
) -> Option<(f64, f64, Vec<f64>)> {
    for _ in 0..MAX_TRIALS {
        let (a, b) = (lo.alpha.min(hi.alpha), lo.alpha.max(hi.alpha));
        if b - a <= f64::EPSILON * b {
            break;
        }
        let alpha = cubic_minimiser(&lo, &hi)
            .filter(|&c| c >= a + 0.1 * (b - a) && c <= b - 0.1 * (b - a))
            .unwrap_or(0.5 * (a + b));
        let t = evaluate(alpha);
        if !t.value.is_finite() || t.value > f + ARMIJO * alpha * slope || t.value >= lo.value {
            hi = t;
        } else {
            if wolfe(&t) {
                return Some((t.alpha, t.value, t.gradient));
            }
            if t.slope * (hi.alpha - lo.alpha) >= 0.0 {
                hi = lo;
            }
            lo = t;
        }
    }
    // The interval collapsed: accept the best point with sufficient decrease, if it moved.
    (lo.alpha > 0.0).then_some((lo.alpha, lo.value, lo.gradient))
}

/// The minimiser of the cubic matching the values and slopes at both ends (Nocedal & Wright,
/// (3.59)), if it exists.
fn cubic_minimiser(a: &Trial, b: &Trial) -> Option<f64> {
    let d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.alpha - b.alpha);
    let radicand = d1 * d1 - a.slope * b.slope;
    if radicand < 0.0 || radicand.is_nan() || !b.slope.is_finite() {
        return None;
    }
    let d2 = (b.alpha - a.alpha).signum() * radicand.sqrt();
    let c = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
    c.is_finite().then_some(c)
}

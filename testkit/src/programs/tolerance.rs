//! Every tolerance of the cross-mode suite, stated once.
//!
//! Two kinds of comparison:
//!
//! - **Exact vs exact** (two AD modes, or an AD result against a product of AD results): both
//!   sides are exact derivatives up to floating-point rounding, differing only in the order of the
//!   operations (tangents forward vs adjoints backward, chunked vs one direction at a time). They
//!   must agree to [`EXACT_REL`] relative to the magnitude of the whole object compared (the
//!   largest component of the gradient, Jacobian or Hessian), since a component that is a sum of
//!   cancelling terms carries the rounding of those terms, not of its own small value. For the
//!   same reason a floor of [`VALUE_FLOOR`] times the program's largest intermediate value
//!   applies: a derivative that cancels down to far below the values it is computed from
//!   (inputs are O(1)) keeps an absolute rounding error of the size of those values' rounding
//!   (values taken as at least 1, the size of the inputs).
//!   Finally `exp` and `pow` amplify a one-ulp difference of their argument by the size of the
//!   exponent, ≈ ln of their result, so the tolerance is multiplied by `max(1, ln S)` for a
//!   program whose largest intermediate value is `S` (1 for values below e, 14 at 10⁶, 620 at
//!   10²⁷⁰). Near a singular point at distance `d` (∛ at 0, atan2 and hypot at the origin)
//!   derivatives are sums of terms of size up to `1/d²` that cancel, so the tolerance is also
//!   multiplied by `max(1, 1/d²)`.
//!   Second derivatives are also sums of second-order terms — a node's second partials times
//!   products of its arguments' first derivatives, its first partials times their second
//!   derivatives — which may be far larger than the Hessian they add up to. So the Hessian
//!   comparisons have a floor of [`VALUE_FLOOR`] times the largest `(∂v/∂xᵢ)²` and `|∂²v/∂xᵢ²|`
//!   over the program's nodes `v` (computed on hyper-dual numbers). (The deep run found
//!   `atan2(v, v)`, a constant, with `|∂v/∂x| ≈ 2.3·10⁴` and `|∂²v/∂x²| ≈ 4.6·10⁸`: its
//!   second-order terms cancel exactly in mathematics, and the `HessianVar` engine's `H[0,0]`
//!   was 1.7·10⁻⁷ from the exact 66.53144995528235 (mpmath) — 0.3 ulp of the terms — against
//!   the tolerance of 4.7·10⁻⁹ that the Hessian's own size gave.)
//!
//! Mode-vs-mode comparisons skip (and count) the cases whose intermediate values exceed
//! [`MAX_MAGNITUDE`]: there derivative products overflow or cancel catastrophically in one
//! mode's order of operations and not in another's (the deep run found, e.g., a loop of `s⁵`
//! reaching 10¹³ where forward and reverse differ in the fourth digit, and a tangent that
//! overflowed to NaN in forward mode at values near 10²⁰⁰).
//!
//! - **AD vs central differences** with the step `h = FD_STEP·max(1, |xᵢ|)`. The central difference
//!   `D(h) = (f(x+h) − f(x−h))/2h` has truncation error ≈ `h²·f'''/6` and rounding error ≈
//!   `ε·S/h`, where `S` is the magnitude of the intermediate values. We do not know `f'''`, so the
//!   truncation is estimated from the data: with `D(2h)` too, `D(h) − D(2h) ≈ −3·(h²f'''/6)`, and
//!   the Richardson value `D(h) + (D(h) − D(2h))/3` is accurate to O(h⁴). The AD value must lie
//!   within `FD_SAFETY·(|D(h) − D(2h)| + ROUND·ε·S/h)` of it. Where that error bound is itself
//!   large (more than [`FD_INCONCLUSIVE`] relative), finite differences cannot judge the
//!   component: it is counted as inconclusive, not compared.
//!   Near a singular point at distance `d` the rounding of the differenced function is larger:
//!   a difference quotient of order `k` (of `f` for a gradient, of `∇f` for a Hessian, of
//!   `d²f/dt²` for a third derivative) differences a derivative of order `k − 1`, which carries
//!   the rounding errors of the intermediate values (≈ `ε·S`) multiplied by the derivatives of
//!   order `k` of the operations near the singular point, of size up to `1/dᵏ` (atan2; less for
//!   hypot and ∛). So `S` is multiplied by `max(1, 1/dᵏ)` ([`fd_rounding_scale`]). (The deep
//!   run found `d³f/dt³` through `atan2` at distance 0.034 from the origin, whose arguments came
//!   from a cancellation `x − ln(1 + 0.9·tanh x) ≈ 0.016`: the difference quotient was 1.1·10⁻⁶
//!   from the exact 5.2433319121067 (mpmath), outside the bound 8·10⁻⁷ computed without the
//!   factor, while the Taylor3 value was within 8·10⁻¹¹ relative of it.)
//!   A Hessian column differences the gradient, which carries the rounding of each value `v`
//!   (≈ `ε·|v|`) multiplied by that value's derivative `∂v/∂xᵢ` (through the second partials of
//!   the operations that read `v`): its `S` is at least the largest `|v·∂v/∂xᵢ|` over the nodes.
//!   (The deep run found `cos(s)` of `s ≈ 1053` from a loop of `s⁵`, with `∂s/∂x ≈ 10⁴`: the
//!   central difference for `H[1,0]` was 8.7·10⁻⁶ from the exact −9.5079319354314 (mpmath),
//!   outside the bound 6.5·10⁻⁶ computed from the values alone. The extra term makes 4 % of
//!   the Hessian components of CI's fixed set inconclusive, 249 989 → 239 768 compared; the
//!   modes are still compared with each other there.)
//!
//! Cases are skipped (and counted) by the finite-difference checks when the primal path changes
//! within [`FD_MARGIN`] steps (a branch, loop count or kink switches, or the sign of a zero that a
//! decision turns on), when an argument comes within [`NEAR_SINGULAR`] of a singular point, or
//! when an intermediate value exceeds [`MAX_MAGNITUDE`]. Mode-vs-mode comparisons run on every
//! case with finite values, kinks included: all modes follow the same edge conventions, so they
//! must agree there too.

/// Relative agreement of two exact modes. Chosen from the deep run: programs whose loops iterate
/// powers (`s ← 0.6·s + s³`, four times) amplify one-ulp differences between the modes' orders of
/// operations to ~6·10⁻¹² relative; the genuine disagreements the suite found (see
/// `tests/known_issues.rs`) were 10⁻⁴ relative or more, or NaN against a number.
pub const EXACT_REL: f64 = 1e-11;

/// The fraction of the largest intermediate |value| below which exact results are compared
/// absolutely (see the module docs).
pub const VALUE_FLOOR: f64 = 1e-2;

/// The relative finite-difference step: `h = FD_STEP·max(1, |xᵢ|)`. Near the optimum
/// `(ε/|f'''|)^(1/3)` for well-scaled functions, a little larger to keep the rounding term small.
pub const FD_STEP: f64 = 1e-5;

/// The safety factor on the estimated finite-difference error.
pub const FD_SAFETY: f64 = 10.0;

/// The rounding constant: the rounding error of one evaluation is taken as `ROUND·ε·S`, `S` the
/// largest intermediate magnitude (a program has up to a few dozen operations on the path to each
/// output).
pub const ROUND: f64 = 64.0;

/// When the estimated finite-difference error exceeds this fraction of `max(1, |derivative|)`,
/// the difference quotient cannot judge the derivative; the component is not compared.
pub const FD_INCONCLUSIVE: f64 = 1e-4;

/// Finite differences must resolve the function: where the derivative times the stencil width
/// `4h` exceeds this, f changes by more than ~1 across the stencil — more than the period-scale of
/// `sin`/`cos`/`tan` downstream — and the difference quotient (and its Richardson error estimate)
/// can alias. Such components are counted as inconclusive. (The suite found `cos(s)` after a loop
/// of `s⁵` with ∂s/∂x ≈ 5·10⁶, where D(h) and D(2h) agreed by chance on a wrong value.) The same
/// holds for every intermediate value, not only the output: the test takes the largest rate of
/// change of any node along the stencil (dual numbers). (A deep run found `sin s`, `cos s` of
/// `s ≈ 10⁴` with `∂s/∂x ≈ 3·10⁴` under an `atan2` that flattened the output: derivative
/// 6.4·10⁻⁴, central difference 5.9·10⁻³. Looking at the intermediate values costs 21 of the
/// 46 309 gradient components of CI's fixed set and 202 of the 230 267 Jacobian ones.)
pub const FD_RESOLUTION: f64 = 1.0;

/// The path must stay the same within this many steps of the point (in each axis and along the
/// direction `v`).
pub const FD_MARGIN: f64 = 4.0;

/// Distance to a singular point (∛ at 0, atan2 and hypot at the origin) under which finite
/// differences are not trusted.
pub const NEAR_SINGULAR: f64 = 0.02;

/// Cases where some intermediate |value| exceeds this are not compared (see the module docs).
pub const MAX_MAGNITUDE: f64 = 1e6;

/// The magnitude to take for the rounding of a function whose derivative of order `order` is
/// estimated by central differences, given the magnitude `s` of the intermediate values and the
/// distance `singular_distance` to the nearest singular point (see the module docs).
pub fn fd_rounding_scale(s: f64, singular_distance: f64, order: i32) -> f64 {
    s * singular_distance.powi(-order).max(1.0)
}

/// The finite-difference step for a coordinate of magnitude `x`.
pub fn step(x: f64) -> f64 {
    FD_STEP * x.abs().max(1.0)
}

/// Allowed difference between two exact results `a` and `b`, components of an object whose
/// largest component has magnitude `scale`, computed by a program whose largest intermediate
/// |value| is `values`.
pub fn exact_tol(a: f64, b: f64, scale: f64, values: f64, singular_distance: f64) -> f64 {
    let conditioning = values.ln().max(1.0) * singular_distance.powi(-2).max(1.0);
    EXACT_REL
        * conditioning
        * a.abs()
            .max(b.abs())
            .max(scale)
            .max(VALUE_FLOOR * values.max(1.0))
}

/// True if `a` and `b` agree as exact results (equal, both NaN, or within [`exact_tol`]).
pub fn exact_agree(a: f64, b: f64, scale: f64, values: f64, singular_distance: f64) -> bool {
    a == b
        || (a.is_nan() && b.is_nan())
        || (a - b).abs() <= exact_tol(a, b, scale, values, singular_distance)
}

/// A finite-difference estimate of a derivative, with its error bound.
#[derive(Clone, Copy, Debug)]
pub struct FdEstimate {
    /// The Richardson-extrapolated central difference.
    pub value: f64,
    /// The bound `FD_SAFETY·(|D(h) − D(2h)| + ROUND·ε·S/h)` on its error.
    pub err: f64,
    /// The step.
    pub h: f64,
    /// The largest rate of change of an intermediate value along the stencil's direction.
    pub speed: f64,
}

impl FdEstimate {
    /// From the four function values `f(x−2h), f(x−h), f(x+h), f(x+2h)`, the magnitude `s` of
    /// the intermediate values and the largest rate of change `speed` of an intermediate value
    /// along the stencil.
    pub fn new([m2, m1, p1, p2]: [f64; 4], h: f64, s: f64, speed: f64) -> FdEstimate {
        let (d1, d2) = crate::fd::two_steps([m2, m1, p1, p2], h);
        let round = ROUND * f64::EPSILON * s.max(1.0) / h;
        FdEstimate {
            value: d1 + (d1 - d2) / 3.0,
            err: FD_SAFETY * ((d1 - d2).abs() + round),
            h,
            speed,
        }
    }

    /// True if the estimate is precise enough to judge the derivative `ad`: its error bound is
    /// small, and the stencil resolves the function and every intermediate value (see
    /// [`FD_RESOLUTION`]).
    pub fn conclusive(&self, ad: f64) -> bool {
        self.err <= FD_INCONCLUSIVE * self.value.abs().max(1.0)
            && ad.abs().max(self.value.abs()).max(self.speed) * 4.0 * self.h <= FD_RESOLUTION
    }

    /// True if the exact derivative `ad` is consistent with this estimate.
    pub fn agrees(&self, ad: f64) -> bool {
        (ad - self.value).abs() <= self.err + EXACT_REL * ad.abs()
    }
}

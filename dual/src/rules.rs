//! Every derivative rule in diffprog, in one place.
//!
//! Each function takes the argument(s) of an elementary function and returns its value together with
//! its partial derivative(s): `sin(x) -> (sin x, cos x)`, `atan2(y, x) -> (atan2(y, x), ∂/∂y, ∂/∂x)`.
//! The rules are generic over any [`Scalar`], so one table serves every mode: [`Dual`](crate::Dual)
//! and [`DualVec`](crate::DualVec) multiply the partial into their tangents, the reverse-mode tape
//! records it, and the second-order numbers evaluate the same rule on dual numbers to obtain the
//! second derivative.
//!
//! The edge conventions (what a derivative is at a kink or a domain edge) are decided here and
//! listed in the crate documentation; see the table there.
//!
//! σ and tanh also have slice forms for tensor code ([`sigmoid_slice`],
//! [`sigmoid_slice_with_complement`], [`tanh_slice`]): value and derivative of a whole slice,
//! in the same non-cancelling forms, from one vectorised exponential per element.

use crate::{Real, Scalar};

pub(crate) mod slices;
pub use slices::{sigmoid_slice, sigmoid_slice_with_complement, tanh_slice};

#[inline(always)]
fn k<F: Real, T: Scalar<F>>(x: f64) -> T {
    T::from_f64(x)
}

#[inline(always)]
fn nan<F: Real, T: Scalar<F>>(like: T) -> T {
    // NaN in every part that `like` depends on, so higher derivatives are NaN too (a constant NaN
    // would claim a zero second derivative).
    like * F::nan()
}

/// NaN in every part that `x` or `y` depends on: `nan(x) + nan(y)`, not `nan(x + y)`, whose
/// parts would be zero where the tangents of x and y cancel (y = c − x).
#[inline(always)]
fn nan2<F: Real, T: Scalar<F>>(x: T, y: T) -> T {
    nan(x) + nan(y)
}

/// 1/x → −1/x².
#[inline(always)]
pub fn recip<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let r = x.recip();
    (r, -(r * r))
}

/// √x → 1/(2√x); +∞ at ±0.
#[inline(always)]
pub fn sqrt<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let s = x.sqrt();
    // `s + 0` turns √(−0) = −0 into +0: the derivative at ±0 is +∞ (and its derivative −∞).
    (s, ((s + F::zero()) * 2.0_f64.into_real::<F>()).recip())
}

/// ∛x → 1/(3∛x²); +∞ at ±0.
#[inline(always)]
pub fn cbrt<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let c = x.cbrt();
    (c, (c * c * 3.0_f64.into_real::<F>()).recip())
}

/// xⁿ → n·xⁿ⁻¹; exactly 0 for n = 0.
#[inline(always)]
pub fn powi<F: Real, T: Scalar<F>>(x: T, n: i32) -> (T, T) {
    let d = match n {
        0 => T::zero(),
        1 => T::one(),
        2 => x * 2.0_f64.into_real::<F>(),
        _ => x.powi(n - 1) * F::from_f64(n as f64),
    };
    (x.powi(n), d)
}

/// xᵖ (constant p) → p·xᵖ⁻¹; exactly 0 for p = 0.
#[inline(always)]
pub fn powf<F: Real, T: Scalar<F>>(x: T, p: F) -> (T, T) {
    let d = if p == F::zero() {
        T::zero()
    } else {
        x.powf(p - F::one()) * p
    };
    (x.powf(p), d)
}

/// xʸ → (y·xʸ⁻¹, xʸ·ln x). ∂/∂x is exactly 0 at y = 0 (x ↦ x⁰ is constant), also at x = 0
/// and x = NaN; ∂/∂y is 0 at x = 0 for y > 0 (the limit), NaN for x < 0.
///
/// Both products are strong-zero products ([`Number::strong_zero_mul`](crate::Number)): a zero
/// factor (y = 0, or xʸ = 0) makes the partial exactly 0 where the other factor is infinite,
/// and for nested numbers the parts keep their derivatives. The rule's second partials are
/// symmetric (∂(∂/∂x)/∂y = ∂(∂/∂y)/∂x) also at its edges: at x = ±0, y = 0 both are +∞ (at
/// −0, xʸ⁻¹ is taken at +0, the side `ln`'s derivative takes), and for x < 0 the NaN of ∂/∂y is
/// `ln|x| + NaN`, whose own x-derivative is 1/x, as the y-derivative of y·xʸ⁻¹ is where the
/// strong zero y = 0 stops the NaN.
#[inline(always)]
pub fn pow<F: Real, T: Scalar<F>>(x: T, y: T) -> (T, T, T) {
    let v = x.pow(y);
    let dx = y.strong_zero_mul((x + F::zero()).pow(y - F::one()));
    let ln_x = if x < F::zero() {
        x.abs().ln() + F::nan()
    } else {
        x.ln()
    };
    let dy = v.strong_zero_mul(ln_x);
    (v, dx, dy)
}

/// eˣ → eˣ.
#[inline(always)]
pub fn exp<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let e = x.exp();
    (e, e)
}

/// 2ˣ → 2ˣ·ln 2.
#[inline(always)]
pub fn exp2<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let e = x.exp2();
    (e, e * F::LN_2())
}

/// eˣ − 1 → eˣ: `(eˣ − 1) + 1` for x > −½ (no cancellation there: |eˣ − 1| < 0.4), else
/// `exp x` (at x = −20, `(eˣ − 1) + 1` kept 8 of 16 digits; at x = −40 it is 0).
#[inline(always)]
pub fn exp_m1<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let e = x.exp_m1();
    let d = if x.value() > (-0.5_f64).into_real::<F>() {
        e + F::one()
    } else {
        x.exp()
    };
    (e, d)
}

/// A logarithm's derivative `scale / x`, NaN where the logarithm is NaN, +∞ at ±0.
#[inline(always)]
fn log_derivative<F: Real, T: Scalar<F>>(value: T, x: T, scale: F) -> T {
    if value.is_nan() {
        nan(x)
    } else {
        // `x + 0` turns −0 into +0, so the derivative at ±0 is the limit from the right,
        // +∞ · sign(scale) (scale < 0 for a base below 1), and its own derivative −∞ · scale.
        (x + F::zero()).recip() * scale
    }
}

/// ln x → 1/x; +∞ at ±0, NaN below 0.
#[inline(always)]
pub fn ln<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let v = x.ln();
    (v, log_derivative(v, x, F::one()))
}

/// ln(1 + x) → 1/(1 + x); +∞ at −1, NaN below −1.
#[inline(always)]
pub fn ln_1p<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let v = x.ln_1p();
    (v, log_derivative(v, x + F::one(), F::one()))
}

/// log₂ x → 1/(x ln 2).
#[inline(always)]
pub fn log2<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let v = x.log2();
    (v, log_derivative(v, x, F::LOG2_E()))
}

/// log₁₀ x → 1/(x ln 10).
#[inline(always)]
pub fn log10<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let v = x.log10();
    (v, log_derivative(v, x, F::LOG10_E()))
}

/// log_b x → 1/(x ln b).
#[inline(always)]
pub fn log<F: Real, T: Scalar<F>>(x: T, base: F) -> (T, T) {
    let v = x.log(base);
    (v, log_derivative(v, x, base.ln().recip()))
}

/// sin x → cos x.
#[inline(always)]
pub fn sin<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    x.sin_cos()
}

/// cos x → −sin x.
#[inline(always)]
pub fn cos<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let (s, c) = x.sin_cos();
    (c, -s)
}

/// tan x → 1 + tan² x.
#[inline(always)]
pub fn tan<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let t = x.tan();
    (t, t * t + F::one())
}

/// asin x → 1/√(1 − x²); +∞ at ±1, NaN outside [−1, 1].
#[inline(always)]
pub fn asin<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.asin(), ((-x).mul_add(x, T::one())).sqrt().recip())
}

/// acos x → −1/√(1 − x²); −∞ at ±1, NaN outside [−1, 1].
#[inline(always)]
pub fn acos<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.acos(), -((-x).mul_add(x, T::one())).sqrt().recip())
}

/// atan x → 1/(1 + x²).
#[inline(always)]
pub fn atan<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.atan(), (x.mul_add(x, T::one())).recip())
}

/// atan2(y, x) → (x/(x² + y²), −y/(x² + y²)); NaN at the origin (in every part, so higher
/// derivatives are NaN there too); (0, 0) where x or y is infinite (the limit: the angle stops
/// changing).
#[inline(always)]
pub fn atan2<F: Real, T: Scalar<F>>(y: T, x: T) -> (T, T, T) {
    let r = y.hypot(x);
    if r.value().is_infinite() && !y.is_nan() && !x.is_nan() {
        return (y.atan2(x), T::zero(), T::zero());
    }
    let v = y.atan2(x);
    if r == F::zero() || v.is_nan() {
        let n = nan2(y, x);
        return (v, n, n);
    }
    let (sy, sx) = (y / r, x / r);
    (y.atan2(x), sx / r, -sy / r)
}

/// sinh x → cosh x.
#[inline(always)]
pub fn sinh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.sinh(), x.cosh())
}

/// cosh x → sinh x.
#[inline(always)]
pub fn cosh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.cosh(), x.sinh())
}

/// tanh x → 1 − tanh² x = 4e/(1 + e)² with e = e^(∓2x).
///
/// `1 − tanh² x` is used for |x| < ½ only: beyond, tanh x nears ±1 and the difference loses
/// digits (at x = 15, tanh x = 1 − 1.3·10⁻¹³ and the derivative kept 3 of 16; a Taylor3 third
/// derivative through it was 4·10⁻⁴ off, found by a deep cross-mode run). `4e/(1 + e)²` with
/// e = e^(−2x) for x > 0 and e^(2x) for x < 0 — each an exact expression of tanh′ for every x, so
/// derivatives of any order through it are right — has no cancellation and no overflow (e
/// underflows to 0); it costs one more `exp`. (Not e^(−2|x|): the kink of |x| would spoil the
/// higher derivatives at 0.)
#[inline(always)]
pub fn tanh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let t = x.tanh();
    let half = 0.5_f64.into_real::<F>();
    if x.value().abs() < half {
        return (t, (-t).mul_add(t, T::one()));
    }
    let e = if x.value() > F::zero() {
        (x * k::<F, T>(-2.0)).exp()
    } else {
        (x * k::<F, T>(2.0)).exp()
    };
    let p = e + T::one();
    (t, e * k::<F, T>(4.0) / (p * p))
}

/// asinh x → 1/√(x² + 1).
#[inline(always)]
pub fn asinh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.asinh(), x.hypot(T::one()).recip())
}

/// acosh x → 1/√(x² − 1); +∞ at 1, NaN below 1.
#[inline(always)]
pub fn acosh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let d = ((x - F::one()).sqrt() * (x + F::one()).sqrt()).recip();
    (x.acosh(), d)
}

/// atanh x → 1/(1 − x²); +∞ at ±1, NaN outside [−1, 1].
#[inline(always)]
pub fn atanh<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let v = x.atanh();
    let d = if v.is_nan() {
        nan(x)
    } else {
        ((-x).mul_add(x, T::one())).recip()
    };
    (v, d)
}

/// |x| → sign x, and 0 at ±0 (the midpoint of the subgradient).
#[inline(always)]
pub fn abs<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.abs(), x.signum())
}

/// sign x → 0 (NaN for NaN).
#[inline(always)]
pub fn signum<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let d = if x.is_nan() { nan(x) } else { T::zero() };
    (x.signum(), d)
}

/// The value at a tie of `max`/`min`: the common primal value exactly, with the average of the
/// two arguments' higher-order parts (so second derivatives through a tie agree with the
/// partials (½, ½) in every mode).
///
/// It is `x/2 + y/2` wherever halving is exact (infinities, zeros, normal numbers whose half is
/// normal): each argument's parts are halved and added, with no term that could cancel another
/// (`x + (y − x)/2` gives ∞ − ∞ = NaN for the parts where x's are infinite, as ∛ at 0 makes them).
/// A tie of zeros keeps x's sign, as `f64`'s `min`/`max` do (−0 + (+0) would be +0, so the
/// mirrored form `−((−x)/2 + (−y)/2)` is used for −0). Only a subnormal tie, whose half would
/// round, is `x + (y − x)/2`.
#[inline(always)]
fn tie_average<F: Real, T: Scalar<F>>(x: T, y: T) -> T {
    let half = 0.5_f64.into_real::<F>();
    let v = x.value();
    if v == F::zero() && v.is_sign_negative() {
        -((-x) * half + (-y) * half)
    } else if v == F::zero() || !v.is_finite() || (v * half).is_normal() {
        x * half + y * half
    } else {
        x + (y - x) * half
    }
}

/// max(x, y) → (1, 0) where x > y, (0, 1) where y > x, (½, ½) at a tie; NaN if either is NaN.
#[inline(always)]
pub fn max<F: Real, T: Scalar<F>>(x: T, y: T) -> (T, T, T) {
    if x.is_nan() || y.is_nan() {
        let n = nan2(x, y);
        (n, n, n)
    } else if x > y {
        (x, T::one(), T::zero())
    } else if y > x {
        (y, T::zero(), T::one())
    } else {
        // At a tie the value is the average of the two (same primal, averaged higher-order parts),
        // consistent with the partials (½, ½) at every order.
        (tie_average(x, y), k(0.5), k(0.5))
    }
}

/// min(x, y) → (1, 0) where x < y, (0, 1) where y < x, (½, ½) at a tie; NaN if either is NaN.
#[inline(always)]
pub fn min<F: Real, T: Scalar<F>>(x: T, y: T) -> (T, T, T) {
    if x.is_nan() || y.is_nan() {
        let n = nan2(x, y);
        (n, n, n)
    } else if x < y {
        (x, T::one(), T::zero())
    } else if y < x {
        (y, T::zero(), T::one())
    } else {
        // At a tie the value is the average of the two (same primal, averaged higher-order parts),
        // consistent with the partials (½, ½) at every order.
        (tie_average(x, y), k(0.5), k(0.5))
    }
}

/// hypot(x, y) → (x/h, y/h); (0, 0) at the origin (the minimum-norm subgradient, as for `abs`);
/// where an argument is infinite, the limit of x/h and y/h: (±1, 0) if only x is infinite,
/// (0, ±1) if only y is, (±1/√2, ±1/√2) if both are.
#[inline(always)]
pub fn hypot<F: Real, T: Scalar<F>>(x: T, y: T) -> (T, T, T) {
    let h = x.hypot(y);
    if h == F::zero() {
        (h, T::zero(), T::zero())
    } else if h.value().is_infinite() && (x.value().is_infinite() || y.value().is_infinite()) {
        let (xi, yi) = (x.value().is_infinite(), y.value().is_infinite());
        let w = if xi && yi {
            F::FRAC_1_SQRT_2()
        } else {
            F::one()
        };
        let part = |inf: bool, v: T| {
            if inf {
                T::constant(w * v.value().signum())
            } else {
                T::zero()
            }
        };
        (h, part(xi, x), part(yi, y))
    } else {
        (h, x / h, y / h)
    }
}

/// σ(x) = 1/(1 + e⁻ˣ) → σ(x)(1 − σ(x)) = e/(1 + e)² with e = e^(∓x).
///
/// Not `σ(1 − σ)`: for large x, 1 − σ(x) cancels (σ(30) = 1 − 9.4·10⁻¹⁴ leaves 3 digits of the
/// derivative). `e/(1 + e)²` with e = e⁻ˣ for x ≥ 0 and eˣ below (exact expressions of σ′ for
/// every x, as in `tanh`'s rule) is accurate everywhere and never overflows.
#[inline(always)]
pub fn sigmoid<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let e = if x.value() >= F::zero() {
        (-x).exp()
    } else {
        x.exp()
    };
    let p = e + T::one();
    (x.sigmoid(), e / (p * p))
}

/// softplus x = ln(1 + eˣ) → σ(x).
#[inline(always)]
pub fn softplus<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.softplus(), x.sigmoid())
}

/// relu x = max(x, 0) → 1 for x > 0, 0 for x ≤ 0 (0 at the kink, as PyTorch), NaN for NaN.
#[inline(always)]
pub fn relu<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let d = if x > F::zero() {
        T::one()
    } else if x.is_nan() {
        nan(x)
    } else {
        T::zero()
    };
    (x.relu(), d)
}

/// erf x → (2/√π)·e^(−x²).
#[inline(always)]
pub fn erf<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.erf(), (-(x * x)).exp() * F::FRAC_2_SQRT_PI())
}

/// erfc x = 1 − erf x → −(2/√π)·e^(−x²).
#[inline(always)]
pub fn erfc<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    (x.erfc(), -((-(x * x)).exp() * F::FRAC_2_SQRT_PI()))
}

/// GELU x = x·Φ(x) = ½·x·erfc(−x/√2) → Φ(x) + x·φ(x), with φ(x) = e^(−x²/2)/√(2π).
///
/// Φ is `erfc` of −x/√2 (no cancellation for x < 0, where 1 + erf would lose every digit). At
/// ±∞ the derivative is the limit Φ(±∞) (0 or 1): x·φ(x) would be ∞·0 there.
#[inline(always)]
pub fn gelu<F: Real, T: Scalar<F>>(x: T) -> (T, T) {
    let half = 0.5_f64.into_real::<F>();
    let phi_cdf = (x * -F::FRAC_1_SQRT_2()).erfc() * half;
    let d = if x.value().is_infinite() {
        phi_cdf
    } else {
        let density = (x * x * -half).exp() * (F::FRAC_2_SQRT_PI() * F::FRAC_1_SQRT_2() * half);
        phi_cdf + x * density
    };
    (x.gelu(), d)
}

/// Conversion of `f64` literals into a generic [`Real`] inside the rules.
trait IntoReal {
    fn into_real<F: Real>(self) -> F;
}

impl IntoReal for f64 {
    #[inline(always)]
    fn into_real<F: Real>(self) -> F {
        F::from_f64(self)
    }
}

//! The edge-convention table of the crate docs, tested at ±0, ±∞, NaN, 1e±300 and the domain
//! edges of every elementary function, on Dual, DualVec (a zero lane must stay exactly zero),
//! the zero-tangent rule, f32, and the binary operations.

mod common;

use common::{analytic, apply, same, Op, ALL};
use diffprog_dual::{derivative, derivative_at, Dual, DualVec, Scalar};
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_2, LN_2};
const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

const ONE_UP: f64 = 1.0000000000000002;

const POINTS: [f64; 19] = [
    0.0, -0.0, INF, -INF, NAN, 1e300, -1e300, 1e-300, -1e-300, 1.0, -1.0, ONE_UP, -ONE_UP, 2.0,
    -2.0, 0.5, -0.5, 3.0, -3.0,
];

/// The derivative the table prescribes (the analytic derivative, taken as its limit where it
/// overflows, plus the conventions at kinks and domain edges).
fn table_derivative(op: Op, x: f64) -> f64 {
    if x.is_nan() {
        // NaN propagates, except where the derivative is identically zero by the rule (n = 0, p = 0).
        return if matches!(op, Op::Powi0 | Op::Powf0) {
            0.0
        } else {
            NAN
        };
    }
    match op {
        // √ and ∛ at ±0: +∞ (one-sided limit, also at −0).
        Op::Sqrt | Op::Cbrt if x == 0.0 => INF,
        // logarithms: +∞ at the edge of the domain (also at −0), NaN below it.
        Op::Ln | Op::Log2 | Op::Log10 | Op::Log3 if x == 0.0 => INF,
        Op::Ln | Op::Log2 | Op::Log10 | Op::Log3 if x < 0.0 => NAN,
        Op::Ln1p if x == -1.0 => INF,
        Op::Ln1p if x < -1.0 => NAN,
        // atanh: +∞ at ±1, NaN outside [−1, 1].
        Op::Atanh if x.abs() > 1.0 => NAN,
        // the limit form where x² overflows: 1/√(x² ± 1) = 1/hypot, 1/(√(x−1)√(x+1)).
        Op::Asinh => 1.0 / x.hypot(1.0),
        Op::Acosh => 1.0 / ((x - 1.0).sqrt() * (x + 1.0).sqrt()),
        // |x|' = 0 at ±0 (midpoint of the subgradient).
        Op::Abs if x == 0.0 => 0.0,
        // relu'(0) = 0; 1 for x > 0.
        Op::Relu => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        // GELU′ at ±∞: the limits Φ(±∞) = 1, 0 (x·φ(x) is ∞·0 there).
        Op::Gelu if x.is_infinite() => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        // tan' = 1 + tan² (equal to 1/cos² where that is finite).
        Op::Tan => 1.0 + x.tan() * x.tan(),
        _ => analytic(op, x),
    }
}

#[test]
fn every_function_follows_the_table() {
    for op in ALL {
        for x in POINTS {
            let (v, d) = derivative(|x| apply(op, x), x);
            let fv = apply(op, x);
            assert!(same(v, fv, 0.0), "{op:?}({x}): value {v}, f64 gives {fv}");
            let want = table_derivative(op, x);
            assert!(
                same(d, want, 1e-13),
                "{op:?}'({x}) = {d}, table says {want}"
            );
            // no NaN derivative where the function has a finite value and is differentiable
            if fv.is_finite() && !want.is_nan() {
                assert!(!d.is_nan(), "{op:?}'({x}) is NaN at a finite value");
            }
        }
    }
}

#[test]
fn zero_tangent_stays_exactly_zero() {
    // A constant (identically zero tangent) has derivative exactly 0 everywhere, even where f' is
    // ±∞ or NaN (sqrt at 0, ln below 0, anything at NaN).
    for op in ALL {
        for x in POINTS {
            let y = apply(op, Dual::lift(x));
            assert_eq!(y.eps, 0.0, "{op:?} of a constant {x}");
            let z = apply(op, DualVec::<f64, 2>::variable(x, 0));
            assert_eq!(
                z.eps()[1],
                0.0,
                "{op:?} at {x}: lane 1 does not depend on x"
            );
            assert!(
                same(z.eps()[0], table_derivative(op, x), 1e-13),
                "{op:?} DualVec lane 0 at {x}"
            );
        }
    }
}

#[test]
fn f32_follows_the_table_at_special_points() {
    let points32: [f32; 13] = [
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        1.0,
        -1.0,
        2.0,
        -2.0,
        0.5,
        -0.5,
        1e-30,
        -1e-30,
    ];
    for op in ALL {
        for x in points32 {
            let (v, d) = derivative_at(|x: Dual<f32>| apply(op, x), x);
            assert!(
                same(v as f64, apply(op, x) as f64, 0.0),
                "{op:?}({x}) f32 value"
            );
            let want = table_derivative(op, x as f64);
            // f32 rounding: relative 1e-6 (a few ulps); overflow to ±∞ or underflow to (sub)normal
            // tiny values where f64 is beyond f32's range
            let ok = same(d as f64, want, 1e-6)
                || (want.abs() > f32::MAX as f64
                    && d.is_infinite()
                    && d.signum() as f64 == want.signum())
                || (want.abs() < f32::MIN_POSITIVE as f64 && d.abs() < f32::MIN_POSITIVE);
            assert!(ok, "{op:?}'({x}) = {d} in f32, table says {want}");
        }
    }
}

// ------------------------------------------------------------------ binary operations

fn partials(
    f: impl Fn(DualVec<f64, 2>, DualVec<f64, 2>) -> DualVec<f64, 2>,
    x: f64,
    y: f64,
) -> (f64, f64, f64) {
    let r = f(DualVec::variable(x, 0), DualVec::variable(y, 1));
    (r.re, r.eps()[0], r.eps()[1])
}

fn check(name: &str, got: (f64, f64, f64), want: (f64, f64, f64)) {
    assert!(
        same(got.0, want.0, 1e-15) && same(got.1, want.1, 1e-15) && same(got.2, want.2, 1e-15),
        "{name}: got {got:?}, table says {want:?}"
    );
}

#[test]
fn max_min_ties_split_and_nan_propagates() {
    let max = |a: DualVec<f64, 2>, b: DualVec<f64, 2>| a.max(b);
    let min = |a: DualVec<f64, 2>, b: DualVec<f64, 2>| a.min(b);
    check("max tie", partials(max, 1.0, 1.0), (1.0, 0.5, 0.5));
    check("min tie", partials(min, 1.0, 1.0), (1.0, 0.5, 0.5));
    check("max tie at 0", partials(max, 0.0, -0.0), (0.0, 0.5, 0.5));
    check("max", partials(max, 2.0, 1.0), (2.0, 1.0, 0.0));
    check("min", partials(min, 2.0, 1.0), (1.0, 0.0, 1.0));
    check("max inf", partials(max, INF, 1.0), (INF, 1.0, 0.0));
    check("max inf tie", partials(max, INF, INF), (INF, 0.5, 0.5));
    check("max NaN", partials(max, NAN, 1.0), (NAN, NAN, NAN));
    check("min NaN", partials(min, 1.0, NAN), (NAN, NAN, NAN));
    // relu and abs at the kink, through max of a constant
    let (_, d) = derivative(|x| x.relu(), 0.0);
    assert_eq!(d, 0.0);
    let (_, d) = derivative(|x| x.abs(), -0.0);
    assert_eq!(d, 0.0);
}

#[test]
fn hypot_edges() {
    let h = |a: DualVec<f64, 2>, b: DualVec<f64, 2>| a.hypot(b);
    check("hypot origin", partials(h, 0.0, 0.0), (0.0, 0.0, 0.0));
    check("hypot -0", partials(h, -0.0, 0.0), (0.0, 0.0, 0.0));
    check("hypot (inf, 1)", partials(h, INF, 1.0), (INF, 1.0, 0.0));
    check("hypot (-inf, 1)", partials(h, -INF, 1.0), (INF, -1.0, 0.0));
    check("hypot (1, -inf)", partials(h, 1.0, -INF), (INF, 0.0, -1.0));
    check(
        "hypot (inf, inf)",
        partials(h, INF, INF),
        (INF, FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    );
    check(
        "hypot big",
        partials(h, 1e300, 1e300),
        (1e300 * 2f64.sqrt(), FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    );
    check("hypot tiny", partials(h, 1e-300, 0.0), (1e-300, 1.0, 0.0));
    check("hypot NaN", partials(h, NAN, 1.0), (NAN, NAN, NAN));
}

#[test]
fn atan2_edges() {
    let a = |y: DualVec<f64, 2>, x: DualVec<f64, 2>| y.atan2(x);
    check("atan2 origin", partials(a, 0.0, 0.0), (0.0, NAN, NAN));
    check(
        "atan2 (inf, 1)",
        partials(a, INF, 1.0),
        (FRAC_PI_2, 0.0, 0.0),
    );
    check(
        "atan2 (1, -inf)",
        partials(a, 1.0, -INF),
        (std::f64::consts::PI, 0.0, 0.0),
    );
    check(
        "atan2 (1e300, 1)",
        partials(a, 1e300, 1.0),
        (FRAC_PI_2, 0.0, -1e-300),
    );
    check("atan2 (0, 1)", partials(a, 0.0, 1.0), (0.0, 1.0, 0.0));
    check("atan2 NaN", partials(a, NAN, 1.0), (NAN, NAN, NAN));
    // a constant at the origin keeps a zero tangent
    assert_eq!(Dual::lift(0.0).atan2(Dual::lift(0.0)).eps, 0.0);
}

#[test]
fn pow_edges() {
    let p = |x: DualVec<f64, 2>, y: DualVec<f64, 2>| x.pow(y);
    check("pow 0^2", partials(p, 0.0, 2.0), (0.0, 0.0, 0.0));
    check("pow 0^0.5", partials(p, 0.0, 0.5), (0.0, INF, 0.0));
    check("pow 0^0", partials(p, 0.0, 0.0), (1.0, 0.0, -INF));
    check("pow 2^0", partials(p, 2.0, 0.0), (1.0, 0.0, LN_2));
    check("pow (-2)^3", partials(p, -2.0, 3.0), (-8.0, 12.0, NAN));
    // with a constant exponent, the NaN ∂/∂y does not leak
    let r = DualVec::<f64, 2>::variable(-2.0, 0).pow(DualVec::lift(3.0));
    assert_eq!((r.re, *r.eps()), (-8.0, [12.0, 0.0]));
    // powf with p = 0: derivative exactly 0, even at 0 and NaN
    for x in [0.0, -0.0, NAN, INF] {
        assert_eq!(derivative(|t| t.powf(0.0), x).1, 0.0);
    }
}

#[test]
fn arithmetic_with_non_finite_factors_keeps_zero_tangents() {
    // variable / 0 → +∞ (1/0), as reverse mode gives; a constant / 0 keeps a zero tangent.
    let (v, d) = derivative(|x| x / Dual::lift(0.0), 1.0);
    assert_eq!((v, d), (INF, INF));
    let (v, d) = derivative(|x| x / 0.0, 1.0);
    assert_eq!((v, d), (INF, INF));
    let z = DualVec::<f64, 2>::variable(1.0, 0) / DualVec::lift(0.0);
    assert_eq!(*z.eps(), [INF, 0.0]);
    let c = Dual::lift(1.0) / Dual::lift(0.0);
    assert_eq!((c.re, c.eps), (INF, 0.0));
    // constant × ∞: derivative c · ∞, other lanes stay zero
    let e = DualVec::<f64, 2>::variable(1000.0, 0).exp() * DualVec::lift(2.0);
    assert_eq!((e.re, *e.eps()), (INF, [INF, 0.0]));
    let e = DualVec::<f64, 2>::variable(1.0, 0) * INF;
    assert_eq!((e.re, *e.eps()), (INF, [INF, 0.0]));
    // finite factors: the plain product rule
    let (v, d) = derivative(|x| x * x / (x + 1.0), 2.0);
    assert_eq!(v, 4.0 / 3.0);
    assert!((d - (2.0 * 2.0 * 3.0 - 4.0) / 9.0).abs() < 1e-15);
}

#[test]
fn logarithm_in_a_base_below_one_and_fractional_powers_at_zero() {
    assert_eq!(derivative(|x| x.log(0.5), 0.0), (INF, -INF));
    assert_eq!(derivative(|x| x.log(2.0), 0.0), (-INF, INF));
    assert_eq!(derivative(|x| x.powf(0.5), 0.0), (0.0, INF));
    assert!(derivative(|x| x.powf(0.5), -1.0).1.is_nan());
}

#[test]
fn set_eps_gives_a_constant_tangents_that_operations_use() {
    let mut x = DualVec::<f64, 2>::lift(3.0);
    x.set_eps([1.0, 0.0]);
    let y = x * x + x.sin();
    assert_eq!(*y.eps(), [6.0 + 3.0_f64.cos(), 0.0]);
    // and back to a constant
    x.set_eps([0.0, 0.0]);
    assert_eq!(*(x * x).eps(), [0.0, 0.0]);
}

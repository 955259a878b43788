//! The edge-convention table of `diffprog_dual` (kinks, domain edges, NaN and ±∞), extended to
//! second and third derivatives: every second-order type gives the same (f, f', f'') as a dual
//! number over a dual number (the same rules differentiated twice), and the values are those
//! listed in the crate documentation.

use diffprog_dual::{Dual, Scalar};
use diffprog_hyperdual::{hessian_with_chunk, HyperDual, HyperDualVec, Taylor2, Taylor3};

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

macro_rules! case {
    ($name:expr, $x:expr, |$v:ident| $body:expr) => {
        (
            $name,
            $x,
            (|$v: Taylor2<f64>| $body) as fn(Taylor2<f64>) -> Taylor2<f64>,
            (|$v: HyperDual<f64>| $body) as fn(HyperDual<f64>) -> HyperDual<f64>,
            (|$v: Dual<Dual<f64>>| $body) as fn(Dual<Dual<f64>>) -> Dual<Dual<f64>>,
            (|$v: Taylor3<f64>| $body) as fn(Taylor3<f64>) -> Taylor3<f64>,
            (|$v: HyperDualVec<f64, 1, 1>| $body)
                as fn(HyperDualVec<f64, 1, 1>) -> HyperDualVec<f64, 1, 1>,
        )
    };
}

#[allow(clippy::type_complexity)]
fn cases() -> Vec<(
    &'static str,
    f64,
    fn(Taylor2<f64>) -> Taylor2<f64>,
    fn(HyperDual<f64>) -> HyperDual<f64>,
    fn(Dual<Dual<f64>>) -> Dual<Dual<f64>>,
    fn(Taylor3<f64>) -> Taylor3<f64>,
    fn(HyperDualVec<f64, 1, 1>) -> HyperDualVec<f64, 1, 1>,
)> {
    vec![
        case!("abs(x) at 0", 0.0, |x| x.abs()),
        case!("relu(x) at 0", 0.0, |x| x.relu()),
        case!("signum(x) at 0", 0.0, |x| x.signum()),
        case!("max(x, 0) at 0", 0.0, |x| x.max(x * 0.0)),
        case!("min(x, 0) at 0", 0.0, |x| x.min(x * 0.0)),
        case!("max(x, x) at 1", 1.0, |x| x.max(x)),
        case!("max(x², 2x−1) at 1", 1.0, |x| (x * x).max(x * 2.0 - 1.0)),
        case!("sqrt(x) at 0", 0.0, |x| x.sqrt()),
        case!("cbrt(x) at 0", 0.0, |x| x.cbrt()),
        case!("ln(x) at 0", 0.0, |x| x.ln()),
        case!("ln(x) at −1", -1.0, |x| x.ln()),
        case!("powf(x, 0.5) at 0", 0.0, |x| x.powf(0.5)),
        case!("powf(x, 2) at 0", 0.0, |x| x.powf(2.0)),
        case!("powf(x, 3) at 0", 0.0, |x| x.powf(3.0)),
        case!("powf(x, 0) at 0", 0.0, |x| x.powf(0.0)),
        case!("powi(x, 2) at 0", 0.0, |x| x.powi(2)),
        case!("powi(x, 0) at 0", 0.0, |x| x.powi(0)),
        case!("hypot(x, 0) at 0", 0.0, |x| x.hypot(x * 0.0)),
        case!("asin(x) at 1", 1.0, |x| x.asin()),
        case!("atanh(x) at 1", 1.0, |x| x.atanh()),
        case!("acosh(x) at 1", 1.0, |x| x.acosh()),
        case!("sin(x) at NaN", f64::NAN, |x| x.sin()),
        case!("x·x at +∞", f64::INFINITY, |x| x * x),
        case!("exp(x) at −∞", f64::NEG_INFINITY, |x| x.exp()),
        case!("sigmoid(x) at 800", 800.0, |x| x.sigmoid()),
        case!("softplus(x) at −800", -800.0, |x| x.softplus()),
        case!("sqrt(x² + 1) at 0", 0.0, |x| (x * x + 1.0).sqrt()),
        case!("x + sqrt(0·x) at 1", 1.0, |x| x + (x * 0.0).sqrt()),
    ]
}

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

/// The table: (case, f, f', f''). Where `f'` is infinite the rules of `diffprog_dual` compute
/// `f'` by a formula (then `f''` is its signed limit, or 0 where the formula's derivative
/// multiplies a zero into ∞ — the strong-zero rule) or as a constant (then `f''` is 0); the crate
/// docs list these rows.
fn expected(name: &str) -> (f64, f64, f64) {
    match name {
        "abs(x) at 0" | "relu(x) at 0" | "signum(x) at 0" | "hypot(x, 0) at 0" => (0.0, 0.0, 0.0),
        "max(x, 0) at 0" | "min(x, 0) at 0" => (0.0, 0.5, 0.0),
        "max(x, x) at 1" => (1.0, 1.0, 0.0),
        "max(x², 2x−1) at 1" => (1.0, 2.0, 1.0),
        "sqrt(x) at 0" => (0.0, INF, -INF),
        // f'' is the derivative of 1/(3∛x²): (∛x)² has derivative 2∛x·∛'(x) = 0·∞ = 0 by the
        // strong-zero rule, so f'' = 0 (the one-sided limits are ±∞).
        "cbrt(x) at 0" => (0.0, INF, 0.0),
        "ln(x) at 0" => (-INF, INF, -INF),
        "ln(x) at −1" => (NAN, NAN, NAN),
        "powf(x, 0.5) at 0" => (0.0, INF, -INF),
        "powf(x, 2) at 0" | "powi(x, 2) at 0" => (0.0, 0.0, 2.0),
        "powf(x, 3) at 0" => (0.0, 0.0, 0.0),
        "powf(x, 0) at 0" | "powi(x, 0) at 0" => (1.0, 0.0, 0.0),
        "asin(x) at 1" => (std::f64::consts::FRAC_PI_2, INF, INF),
        "atanh(x) at 1" => (INF, INF, INF),
        "acosh(x) at 1" => (0.0, INF, -INF),
        "sin(x) at NaN" => (NAN, NAN, NAN),
        "x·x at +∞" => (INF, INF, 2.0),
        "exp(x) at −∞" => (0.0, 0.0, 0.0),
        "sigmoid(x) at 800" => (1.0, 0.0, 0.0),
        "softplus(x) at −800" => (0.0, 0.0, 0.0),
        "sqrt(x² + 1) at 0" => (1.0, 0.0, 1.0),
        "x + sqrt(0·x) at 1" => (1.0, 1.0, 0.0),
        _ => panic!("no expected row for {name}"),
    }
}

fn same3(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
    same(a.0, b.0) && same(a.1, b.1) && same(a.2, b.2)
}

#[test]
fn the_second_order_edge_table() {
    for (name, x, t2, hd, dd, t3, hv) in cases() {
        let want = expected(name);
        let a = t2(Taylor2::variable(x));
        let h = hd(HyperDual::variable(x));
        let t = t3(Taylor3::variable(x));
        let (_, g, hm) = hessian_with_chunk::<1>(|v| hv(v[0]), &[x]);
        for (what, got) in [
            ("Taylor2", (a.re, a.d1, a.d2)),
            ("HyperDual", (h.re, h.eps1, h.eps12)),
            ("HyperDual ε₂", (h.re, h.eps2, h.eps12)),
            ("Taylor3", (t.re, t.d1, t.d2)),
            ("HyperDualVec", (a.re, g[0], hm[(0, 0)])),
        ] {
            assert!(
                same3(got, want),
                "{name}: {what} gives {got:?}, the table says {want:?}"
            );
        }
        // A dual over a dual runs the same rules, with the strong-zero rule at both levels.
        let d = dd(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
        let nested = (d.re.re, d.eps.re, d.eps.eps);
        assert!(
            same3(nested, want),
            "{name}: Dual<Dual> gives {nested:?}, table {want:?}"
        );
    }
}

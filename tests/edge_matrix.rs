//! The edge-value matrix: every elementary function × every mode at ±0, ±∞, NaN, ±1e±300 and
//! the domain edges returns the value and the derivative that the rule table
//! (`diffprog::dual::rules`, the single source of the edge conventions) promises.
//!
//! Three parts:
//! - `documented_conventions`: the rule table itself keeps the promises written in its docs (the
//!   derivative of `abs`, `max`, `min`, `relu` at the kink, `sqrt`/`cbrt` at 0, `ln` at 0 and
//!   below, `powf` at 0, the domain edges of `asin`/`acos`/`atanh`/`acosh`, ...);
//! - `unary_matrix` / `binary_matrix`: every mode returns exactly the rule's value and partials
//!   (equal, or both NaN) at every edge point, and a direction that does not depend on the
//!   argument stays exactly zero;
//! - `no_nan_where_smooth`: at points where a function is smooth and finite, no mode's derivative
//!   is NaN.

use diffprog::dual::{self, rules, Dual, DualVec};
use diffprog::hyperdual::{self, HyperDual};
use diffprog::reverse;
use diffprog::Scalar;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// The edge points: signed zeros, infinities, NaN, huge and tiny magnitudes, and the domain
/// edges ±1, ±0.5, ±2.
const POINTS: &[f64] = &[
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, INF, -INF, NAN, 1e300, -1e300, 1e-300, -1e-300,
];

/// Unary elementary functions (with their constant parameters).
#[derive(Clone, Copy, Debug)]
enum U {
    Recip,
    Sqrt,
    Cbrt,
    Powi(i32),
    Powf(f64),
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Ln1p,
    Log2,
    Log10,
    Log(f64),
    Sin,
    Cos,
    Tan,
    SinOfSinCos,
    CosOfSinCos,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Abs,
    Signum,
    Sigmoid,
    Softplus,
    Relu,
    Erf,
    Erfc,
    Gelu,
}

const UNARY: &[U] = &[
    U::Recip,
    U::Sqrt,
    U::Cbrt,
    U::Powi(0),
    U::Powi(1),
    U::Powi(2),
    U::Powi(3),
    U::Powi(-1),
    U::Powi(-2),
    U::Powf(0.0),
    U::Powf(0.5),
    U::Powf(2.0),
    U::Powf(-1.5),
    U::Powf(3.0),
    U::Exp,
    U::Exp2,
    U::ExpM1,
    U::Ln,
    U::Ln1p,
    U::Log2,
    U::Log10,
    U::Log(3.0),
    U::Log(0.5),
    U::Sin,
    U::Cos,
    U::Tan,
    U::SinOfSinCos,
    U::CosOfSinCos,
    U::Asin,
    U::Acos,
    U::Atan,
    U::Sinh,
    U::Cosh,
    U::Tanh,
    U::Asinh,
    U::Acosh,
    U::Atanh,
    U::Abs,
    U::Signum,
    U::Sigmoid,
    U::Softplus,
    U::Relu,
    U::Erf,
    U::Erfc,
    U::Gelu,
];

fn apply<T: Scalar>(u: U, x: T) -> T {
    match u {
        U::Recip => x.recip(),
        U::Sqrt => x.sqrt(),
        U::Cbrt => x.cbrt(),
        U::Powi(n) => x.powi(n),
        U::Powf(p) => x.powf(p),
        U::Exp => x.exp(),
        U::Exp2 => x.exp2(),
        U::ExpM1 => x.exp_m1(),
        U::Ln => x.ln(),
        U::Ln1p => x.ln_1p(),
        U::Log2 => x.log2(),
        U::Log10 => x.log10(),
        U::Log(b) => x.log(b),
        U::Sin => x.sin(),
        U::Cos => x.cos(),
        U::Tan => x.tan(),
        U::SinOfSinCos => x.sin_cos().0,
        U::CosOfSinCos => x.sin_cos().1,
        U::Asin => x.asin(),
        U::Acos => x.acos(),
        U::Atan => x.atan(),
        U::Sinh => x.sinh(),
        U::Cosh => x.cosh(),
        U::Tanh => x.tanh(),
        U::Asinh => x.asinh(),
        U::Acosh => x.acosh(),
        U::Atanh => x.atanh(),
        U::Abs => x.abs(),
        U::Signum => x.signum(),
        U::Sigmoid => x.sigmoid(),
        U::Softplus => x.softplus(),
        U::Relu => x.relu(),
        U::Erf => x.erf(),
        U::Erfc => x.erfc(),
        U::Gelu => x.gelu(),
    }
}

/// The rule table's (value, derivative).
fn rule(u: U, x: f64) -> (f64, f64) {
    match u {
        U::Recip => rules::recip::<f64, f64>(x),
        U::Sqrt => rules::sqrt::<f64, f64>(x),
        U::Cbrt => rules::cbrt::<f64, f64>(x),
        U::Powi(n) => rules::powi::<f64, f64>(x, n),
        U::Powf(p) => rules::powf::<f64, f64>(x, p),
        U::Exp => rules::exp::<f64, f64>(x),
        U::Exp2 => rules::exp2::<f64, f64>(x),
        U::ExpM1 => rules::exp_m1::<f64, f64>(x),
        U::Ln => rules::ln::<f64, f64>(x),
        U::Ln1p => rules::ln_1p::<f64, f64>(x),
        U::Log2 => rules::log2::<f64, f64>(x),
        U::Log10 => rules::log10::<f64, f64>(x),
        U::Log(b) => rules::log::<f64, f64>(x, b),
        U::Sin | U::SinOfSinCos => rules::sin::<f64, f64>(x),
        U::Cos | U::CosOfSinCos => rules::cos::<f64, f64>(x),
        U::Tan => rules::tan::<f64, f64>(x),
        U::Asin => rules::asin::<f64, f64>(x),
        U::Acos => rules::acos::<f64, f64>(x),
        U::Atan => rules::atan::<f64, f64>(x),
        U::Sinh => rules::sinh::<f64, f64>(x),
        U::Cosh => rules::cosh::<f64, f64>(x),
        U::Tanh => rules::tanh::<f64, f64>(x),
        U::Asinh => rules::asinh::<f64, f64>(x),
        U::Acosh => rules::acosh::<f64, f64>(x),
        U::Atanh => rules::atanh::<f64, f64>(x),
        U::Abs => rules::abs::<f64, f64>(x),
        U::Signum => rules::signum::<f64, f64>(x),
        U::Sigmoid => rules::sigmoid::<f64, f64>(x),
        U::Softplus => rules::softplus::<f64, f64>(x),
        U::Relu => rules::relu::<f64, f64>(x),
        U::Erf => rules::erf::<f64, f64>(x),
        U::Erfc => rules::erfc::<f64, f64>(x),
        U::Gelu => rules::gelu::<f64, f64>(x),
    }
}

/// The `Scalar` method a unary case tests.
fn unary_method(u: U) -> &'static str {
    match u {
        U::Recip => "recip",
        U::Sqrt => "sqrt",
        U::Cbrt => "cbrt",
        U::Powi(_) => "powi",
        U::Powf(_) => "powf",
        U::Exp => "exp",
        U::Exp2 => "exp2",
        U::ExpM1 => "exp_m1",
        U::Ln => "ln",
        U::Ln1p => "ln_1p",
        U::Log2 => "log2",
        U::Log10 => "log10",
        U::Log(_) => "log",
        U::Sin => "sin",
        U::Cos => "cos",
        U::Tan => "tan",
        U::SinOfSinCos => "sin_cos",
        U::CosOfSinCos => "sin_cos",
        U::Asin => "asin",
        U::Acos => "acos",
        U::Atan => "atan",
        U::Sinh => "sinh",
        U::Cosh => "cosh",
        U::Tanh => "tanh",
        U::Asinh => "asinh",
        U::Acosh => "acosh",
        U::Atanh => "atanh",
        U::Abs => "abs",
        U::Signum => "signum",
        U::Sigmoid => "sigmoid",
        U::Softplus => "softplus",
        U::Relu => "relu",
        U::Erf => "erf",
        U::Erfc => "erfc",
        U::Gelu => "gelu",
    }
}

/// The `Scalar` method a binary case tests.
fn binary_method(b: B) -> &'static str {
    match b {
        B::Atan2 => "atan2",
        B::Min => "min",
        B::Max => "max",
        B::Hypot => "hypot",
        B::Pow => "pow",
    }
}

/// Every elementary function of the list is in the matrix (a new entry fails this until it is).
#[test]
fn the_matrix_covers_every_elementary_function() {
    use diffprog::dual::elementary;
    let unary = UNARY.iter().map(|&u| unary_method(u));
    diffprog_testkit::assert_covers("tests/edge_matrix.rs (U)", elementary::UNARY, unary.clone());
    diffprog_testkit::assert_covers("tests/edge_matrix.rs (U)", elementary::PARAMETRIC, unary);
    let binary = BINARY.iter().map(|&b| binary_method(b));
    diffprog_testkit::assert_covers("tests/edge_matrix.rs (B)", elementary::BINARY, binary);
}

/// Binary elementary functions.
#[derive(Clone, Copy, Debug)]
enum B {
    Atan2,
    Min,
    Max,
    Hypot,
    Pow,
}

const BINARY: &[B] = &[B::Atan2, B::Min, B::Max, B::Hypot, B::Pow];

fn apply2<T: Scalar>(b: B, x: T, y: T) -> T {
    match b {
        B::Atan2 => x.atan2(y),
        B::Min => x.min(y),
        B::Max => x.max(y),
        B::Hypot => x.hypot(y),
        B::Pow => x.pow(y),
    }
}

fn rule2(b: B, x: f64, y: f64) -> (f64, f64, f64) {
    match b {
        B::Atan2 => rules::atan2::<f64, f64>(x, y),
        B::Min => rules::min::<f64, f64>(x, y),
        B::Max => rules::max::<f64, f64>(x, y),
        B::Hypot => rules::hypot::<f64, f64>(x, y),
        B::Pow => rules::pow::<f64, f64>(x, y),
    }
}

/// Equal, or both NaN (so +0 and −0 count as equal). Exact: the nested modes evaluate a rule's
/// partials on dual numbers, whose arithmetic rounds as `f64`'s does (their division once
/// multiplied by the reciprocal, and this comparison allowed four ulps for it). Every convention
/// (which value is NaN, ±∞ or exactly 0) must match exactly.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Every mode's (value, derivative) of a unary function at `x`.
fn unary_modes(u: U, x: f64) -> Vec<(&'static str, f64, f64)> {
    let mut out = Vec::new();
    let (v, d) = dual::derivative(|t| apply(u, t), x);
    out.push(("Dual (derivative)", v, d));
    let y: DualVec<f64, 3> = apply(u, DualVec::variable(x, 1));
    out.push(("DualVec<3> lane 1", y.re, y.eps()[1]));
    let (v, g) = reverse::gradient(|a| apply(u, a[0]), [x]);
    out.push(("reverse Var", v, g[0]));
    let (v, d1, _) = hyperdual::second_derivative(|t| apply(u, t), x);
    out.push(("Taylor2 (second_derivative)", v, d1));
    let (v, d1, _, _) = hyperdual::third_derivative(|t| apply(u, t), x);
    out.push(("Taylor3 (third_derivative)", v, d1));
    let h: HyperDual<f64> = apply(u, HyperDual::variable(x));
    out.push(("HyperDual eps1", h.re, h.eps1));
    out.push(("HyperDual eps2", h.re, h.eps2));
    let (v, g, _) = hyperdual::hessian(|a| apply(u, a[0]), [x]);
    out.push(("HyperDualVec (hessian)", v, g[0]));
    let (v, g, _) = reverse::hessian_vector_product(|a| apply(u, a[0]), [x], [1.0]);
    out.push(("Var<Dual> (hessian_vector_product)", v, g[0]));
    let (v, g, _) = reverse::hessian(|a| apply(u, a[0]), [x]);
    out.push(("Var<DualVec> (reverse hessian)", v, g[0]));
    let (v, d) = dual::derivative_at(|t: Dual<Dual<f64>>| apply(u, t), Dual::lift(x));
    out.push(("Dual<Dual> (nested derivative_at)", v.re, d.re));
    out
}

#[test]
fn unary_matrix() {
    let mut failures = Vec::new();
    for &u in UNARY {
        for &x in POINTS {
            let (rv, rd) = rule(u, x);
            assert!(same(rv, apply(u, x)), "{u:?}({x:e}): rule value vs f64");
            for (mode, v, d) in unary_modes(u, x) {
                if !same(v, rv) || !same(d, rd) {
                    failures.push(format!(
                        "{u:?} at {x:e}, {mode}: ({v:e}, {d:e}), the rule table says ({rv:e}, {rd:e})"
                    ));
                }
            }
            // a direction the argument does not depend on stays exactly zero
            let y: DualVec<f64, 3> = apply(u, DualVec::variable(x, 1));
            if y.eps()[0] != 0.0 || y.eps()[2] != 0.0 {
                failures.push(format!(
                    "{u:?} at {x:e}: DualVec untouched lanes {:e}, {:e}",
                    y.eps()[0],
                    y.eps()[2]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every mode's (value, ∂/∂x, ∂/∂y) of a binary function at `(x, y)`.
fn binary_modes(b: B, x: f64, y: f64) -> Vec<(&'static str, f64, f64, f64)> {
    let mut out = Vec::new();
    let (v, g) = dual::gradient_with_chunk::<2>(|a| apply2(b, a[0], a[1]), &[x, y]);
    out.push(("DualVec<2>", v, g[0], g[1]));
    let (v, g) = dual::gradient_with_chunk::<1>(|a| apply2(b, a[0], a[1]), &[x, y]);
    out.push(("DualVec<1> (two passes)", v, g[0], g[1]));
    let (_, dx) = dual::jvp(|a| vec![apply2(b, a[0], a[1])], [x, y], [1.0, 0.0]);
    let (vs, dy) = dual::jvp(|a| vec![apply2(b, a[0], a[1])], [x, y], [0.0, 1.0]);
    out.push(("Dual (jvp per direction)", vs[0], dx[0], dy[0]));
    let (v, g) = reverse::gradient(|a| apply2(b, a[0], a[1]), [x, y]);
    out.push(("reverse Var", v, g[0], g[1]));
    let (v, g, _) = hyperdual::hessian(|a| apply2(b, a[0], a[1]), [x, y]);
    out.push(("HyperDualVec (hessian)", v, g[0], g[1]));
    let (v, g, _) = reverse::hessian_vector_product(|a| apply2(b, a[0], a[1]), [x, y], [1.0, -1.0]);
    out.push(("Var<Dual> (hessian_vector_product)", v, g[0], g[1]));
    let (v, g, _) = reverse::hessian(|a| apply2(b, a[0], a[1]), [x, y]);
    out.push(("Var<DualVec> (reverse hessian)", v, g[0], g[1]));
    out
}

#[test]
fn binary_matrix() {
    let mut failures = Vec::new();
    for &b in BINARY {
        for &x in POINTS {
            for &y in POINTS {
                let (rv, rx, ry) = rule2(b, x, y);
                assert!(
                    same(rv, apply2(b, x, y)),
                    "{b:?}({x:e}, {y:e}): rule vs f64"
                );
                for (mode, v, dx, dy) in binary_modes(b, x, y) {
                    if !same(v, rv) || !same(dx, rx) || !same(dy, ry) {
                        failures.push(format!(
                            "{b:?}({x:e}, {y:e}), {mode}: ({v:e}, {dx:e}, {dy:e}), the rule \
                             table says ({rv:e}, {rx:e}, {ry:e})"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The promises of the edge-convention table, checked on the rule table (the matrices above
/// check that every mode returns the rule's values).
#[test]
fn documented_conventions() {
    let unary: &[(&str, U, f64, f64, f64)] = &[
        ("|x| at +0: derivative 0", U::Abs, 0.0, 0.0, 0.0),
        ("|x| at −0: derivative 0", U::Abs, -0.0, 0.0, 0.0),
        ("|x| below 0: derivative −1", U::Abs, -2.0, 2.0, -1.0),
        ("relu at 0: derivative 0", U::Relu, 0.0, 0.0, 0.0),
        ("relu above 0: derivative 1", U::Relu, 0.5, 0.5, 1.0),
        ("relu(NaN) = NaN, derivative NaN", U::Relu, NAN, NAN, NAN),
        ("sqrt at 0: derivative +∞", U::Sqrt, 0.0, 0.0, INF),
        ("sqrt at −0: derivative +∞", U::Sqrt, -0.0, 0.0, INF),
        ("sqrt below 0: NaN", U::Sqrt, -1.0, NAN, NAN),
        ("cbrt at 0: derivative +∞", U::Cbrt, 0.0, 0.0, INF),
        ("cbrt below 0: defined", U::Cbrt, -8.0, -2.0, 1.0 / 12.0),
        ("ln at 0: −∞, derivative +∞", U::Ln, 0.0, -INF, INF),
        ("ln at −0: −∞, derivative +∞", U::Ln, -0.0, -INF, INF),
        ("ln below 0: NaN, derivative NaN", U::Ln, -1.0, NAN, NAN),
        ("ln at +∞: derivative 0", U::Ln, INF, INF, 0.0),
        ("ln_1p at −1: −∞, derivative +∞", U::Ln1p, -1.0, -INF, INF),
        ("ln_1p below −1: NaN", U::Ln1p, -2.0, NAN, NAN),
        ("log2 at 0: derivative +∞", U::Log2, 0.0, -INF, INF),
        (
            "powf(0, 0): 1, derivative exactly 0",
            U::Powf(0.0),
            0.0,
            1.0,
            0.0,
        ),
        ("powf(0, 2): derivative 0", U::Powf(2.0), 0.0, 0.0, 0.0),
        ("powf(0, 0.5): derivative +∞", U::Powf(0.5), 0.0, 0.0, INF),
        (
            "powi(x, 0) at NaN: 1, derivative 0",
            U::Powi(0),
            NAN,
            1.0,
            0.0,
        ),
        (
            "powi(0, −1): +∞, derivative −∞",
            U::Powi(-1),
            0.0,
            INF,
            -INF,
        ),
        (
            "asin at 1: derivative +∞",
            U::Asin,
            1.0,
            std::f64::consts::FRAC_PI_2,
            INF,
        ),
        (
            "asin at −1: derivative +∞",
            U::Asin,
            -1.0,
            -std::f64::consts::FRAC_PI_2,
            INF,
        ),
        ("asin outside [−1, 1]: NaN", U::Asin, 2.0, NAN, NAN),
        ("acos at 1: derivative −∞", U::Acos, 1.0, 0.0, -INF),
        (
            "acos at −1: derivative −∞",
            U::Acos,
            -1.0,
            std::f64::consts::PI,
            -INF,
        ),
        ("atanh at 1: +∞, derivative +∞", U::Atanh, 1.0, INF, INF),
        ("atanh outside [−1, 1]: NaN", U::Atanh, 2.0, NAN, NAN),
        ("acosh at 1: 0, derivative +∞", U::Acosh, 1.0, 0.0, INF),
        ("acosh below 1: NaN", U::Acosh, 0.5, NAN, NAN),
        ("signum: derivative 0", U::Signum, 2.0, 1.0, 0.0),
        ("signum at 0: 0, derivative 0", U::Signum, 0.0, 0.0, 0.0),
        ("signum(NaN): NaN, derivative NaN", U::Signum, NAN, NAN, NAN),
        ("exp at −∞: 0, derivative 0", U::Exp, -INF, 0.0, 0.0),
        ("exp at +∞: +∞, derivative +∞", U::Exp, INF, INF, INF),
        ("tanh at +∞: 1, derivative 0", U::Tanh, INF, 1.0, 0.0),
        (
            "atan at +∞: π/2, derivative 0",
            U::Atan,
            INF,
            std::f64::consts::FRAC_PI_2,
            0.0,
        ),
        ("sigmoid at −∞: 0, derivative 0", U::Sigmoid, -INF, 0.0, 0.0),
        ("sigmoid at +∞: 1, derivative 0", U::Sigmoid, INF, 1.0, 0.0),
        (
            "softplus at +∞: +∞, derivative 1",
            U::Softplus,
            INF,
            INF,
            1.0,
        ),
        (
            "softplus at −∞: 0, derivative 0",
            U::Softplus,
            -INF,
            0.0,
            0.0,
        ),
        (
            "softplus at 1e300: no overflow",
            U::Softplus,
            1e300,
            1e300,
            1.0,
        ),
        ("erf at +∞: 1, derivative 0", U::Erf, INF, 1.0, 0.0),
        ("erfc at −∞: 2, derivative 0", U::Erfc, -INF, 2.0, 0.0),
        (
            "erfc at 30: underflows to 0, derivative 0",
            U::Erfc,
            30.0,
            0.0,
            0.0,
        ),
        ("gelu at −∞: 0, derivative 0", U::Gelu, -INF, 0.0, 0.0),
        ("gelu at +∞: +∞, derivative 1", U::Gelu, INF, INF, 1.0),
        ("gelu at 0: 0, derivative ½", U::Gelu, 0.0, 0.0, 0.5),
        ("gelu at −40: −0, derivative 0", U::Gelu, -40.0, 0.0, 0.0),
        ("sqrt at +∞: derivative 0", U::Sqrt, INF, INF, 0.0),
        ("recip at +∞: 0, derivative −0", U::Recip, INF, 0.0, 0.0),
        ("sin(NaN): NaN, derivative NaN", U::Sin, NAN, NAN, NAN),
        ("exp(NaN): NaN, derivative NaN", U::Exp, NAN, NAN, NAN),
    ];
    let mut failures = Vec::new();
    for &(what, u, x, v, d) in unary {
        let (rv, rd) = rule(u, x);
        if !same(rv, v) || !same(rd, d) {
            failures.push(format!("{what}: the rule gives ({rv:e}, {rd:e})"));
        }
    }
    let binary: &[(&str, B, f64, f64, f64, f64, f64)] = &[
        ("max at a tie: (½, ½)", B::Max, 1.0, 1.0, 1.0, 0.5, 0.5),
        ("max: (1, 0) where x > y", B::Max, 2.0, 1.0, 2.0, 1.0, 0.0),
        ("max: (0, 1) where y > x", B::Max, 1.0, 2.0, 2.0, 0.0, 1.0),
        ("min at a tie: (½, ½)", B::Min, -1.0, -1.0, -1.0, 0.5, 0.5),
        ("min: (0, 1) where y < x", B::Min, 2.0, 1.0, 1.0, 0.0, 1.0),
        ("max with NaN: NaN", B::Max, NAN, 1.0, NAN, NAN, NAN),
        ("min with NaN: NaN", B::Min, 1.0, NAN, NAN, NAN, NAN),
        (
            "hypot at the origin: (0, 0)",
            B::Hypot,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ),
        (
            "atan2 at the origin: NaN partials",
            B::Atan2,
            0.0,
            0.0,
            0.0,
            NAN,
            NAN,
        ),
        ("pow(0, y > 0): ∂/∂y = 0", B::Pow, 0.0, 2.0, 0.0, 0.0, 0.0),
        (
            "pow(0, 0): 1, ∂/∂x = 0, ∂/∂y = −∞",
            B::Pow,
            0.0,
            0.0,
            1.0,
            0.0,
            -INF,
        ),
        ("pow(x < 0, y): ∂/∂y NaN", B::Pow, -2.0, 2.0, 4.0, -4.0, NAN),
    ];
    for &(what, b, x, y, v, dx, dy) in binary {
        let (rv, rx, ry) = rule2(b, x, y);
        if !same(rv, v) || !same(rx, dx) || !same(ry, dy) {
            failures.push(format!("{what}: the rule gives ({rv:e}, {rx:e}, {ry:e})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where a function is smooth and its value finite, no mode's derivative is NaN (huge and tiny
/// magnitudes included).
#[test]
fn no_nan_where_smooth() {
    let smooth_points = [0.5, -0.5, 2.0, -2.0, 1e300, -1e300, 1e-300, -1e-300, 1e-10];
    let mut failures = Vec::new();
    for &u in UNARY {
        for &x in &smooth_points {
            // skip the kinks and the domain edges (none of these points is one, except as noted)
            let v = apply(u, x);
            if !v.is_finite() {
                continue;
            }
            for (mode, _, d) in unary_modes(u, x) {
                if d.is_nan() {
                    failures.push(format!(
                        "{u:?} at {x:e}, {mode}: value {v:e}, derivative NaN"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

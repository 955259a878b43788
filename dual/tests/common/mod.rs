//! The elementary functions as data, shared by the test files: apply one generically to any
//! `Scalar`, and its analytic derivative in `f64`.
#![allow(dead_code)]

use diffprog_dual::{Real, Scalar};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Recip,
    Sqrt,
    Cbrt,
    Powi3,
    PowiM2,
    Powi0,
    Powf25,
    PowfM05,
    Powf0,
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Ln1p,
    Log2,
    Log10,
    Log3,
    Sin,
    Cos,
    SinCosS,
    SinCosC,
    Tan,
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

pub const ALL: [Op; 39] = [
    Op::Recip,
    Op::Sqrt,
    Op::Cbrt,
    Op::Powi3,
    Op::PowiM2,
    Op::Powi0,
    Op::Powf25,
    Op::PowfM05,
    Op::Powf0,
    Op::Exp,
    Op::Exp2,
    Op::ExpM1,
    Op::Ln,
    Op::Ln1p,
    Op::Log2,
    Op::Log10,
    Op::Log3,
    Op::Sin,
    Op::Cos,
    Op::SinCosS,
    Op::SinCosC,
    Op::Tan,
    Op::Asin,
    Op::Acos,
    Op::Atan,
    Op::Sinh,
    Op::Cosh,
    Op::Tanh,
    Op::Asinh,
    Op::Acosh,
    Op::Atanh,
    Op::Abs,
    Op::Signum,
    Op::Sigmoid,
    Op::Softplus,
    Op::Relu,
    Op::Erf,
    Op::Erfc,
    Op::Gelu,
];

/// The `Scalar` method an operation tests (the coverage check against the list of elementary
/// functions).
pub fn method(op: Op) -> &'static str {
    match op {
        Op::Recip => "recip",
        Op::Sqrt => "sqrt",
        Op::Cbrt => "cbrt",
        Op::Powi3 => "powi",
        Op::PowiM2 => "powi",
        Op::Powi0 => "powi",
        Op::Powf25 => "powf",
        Op::PowfM05 => "powf",
        Op::Powf0 => "powf",
        Op::Exp => "exp",
        Op::Exp2 => "exp2",
        Op::ExpM1 => "exp_m1",
        Op::Ln => "ln",
        Op::Ln1p => "ln_1p",
        Op::Log2 => "log2",
        Op::Log10 => "log10",
        Op::Log3 => "log",
        Op::Sin => "sin",
        Op::Cos => "cos",
        Op::SinCosS => "sin_cos",
        Op::SinCosC => "sin_cos",
        Op::Tan => "tan",
        Op::Asin => "asin",
        Op::Acos => "acos",
        Op::Atan => "atan",
        Op::Sinh => "sinh",
        Op::Cosh => "cosh",
        Op::Tanh => "tanh",
        Op::Asinh => "asinh",
        Op::Acosh => "acosh",
        Op::Atanh => "atanh",
        Op::Abs => "abs",
        Op::Signum => "signum",
        Op::Sigmoid => "sigmoid",
        Op::Softplus => "softplus",
        Op::Relu => "relu",
        Op::Erf => "erf",
        Op::Erfc => "erfc",
        Op::Gelu => "gelu",
    }
}

/// The operation on any number type.
pub fn apply<F: Real, T: Scalar<F>>(op: Op, x: T) -> T {
    let c = F::from_f64;
    match op {
        Op::Recip => x.recip(),
        Op::Sqrt => x.sqrt(),
        Op::Cbrt => x.cbrt(),
        Op::Powi3 => x.powi(3),
        Op::PowiM2 => x.powi(-2),
        Op::Powi0 => x.powi(0),
        Op::Powf25 => x.powf(c(2.5)),
        Op::PowfM05 => x.powf(c(-0.5)),
        Op::Powf0 => x.powf(c(0.0)),
        Op::Exp => x.exp(),
        Op::Exp2 => x.exp2(),
        Op::ExpM1 => x.exp_m1(),
        Op::Ln => x.ln(),
        Op::Ln1p => x.ln_1p(),
        Op::Log2 => x.log2(),
        Op::Log10 => x.log10(),
        Op::Log3 => x.log(c(3.0)),
        Op::Sin => x.sin(),
        Op::Cos => x.cos(),
        Op::SinCosS => x.sin_cos().0,
        Op::SinCosC => x.sin_cos().1,
        Op::Tan => x.tan(),
        Op::Asin => x.asin(),
        Op::Acos => x.acos(),
        Op::Atan => x.atan(),
        Op::Sinh => x.sinh(),
        Op::Cosh => x.cosh(),
        Op::Tanh => x.tanh(),
        Op::Asinh => x.asinh(),
        Op::Acosh => x.acosh(),
        Op::Atanh => x.atanh(),
        Op::Abs => x.abs(),
        Op::Signum => x.signum(),
        Op::Sigmoid => x.sigmoid(),
        Op::Softplus => x.softplus(),
        Op::Relu => x.relu(),
        Op::Erf => x.erf(),
        Op::Erfc => x.erfc(),
        Op::Gelu => x.gelu(),
    }
}

/// The analytic derivative, written from the textbook formula (not from `rules`).
pub fn analytic(op: Op, x: f64) -> f64 {
    use std::f64::consts::{LN_10, LN_2, PI};
    match op {
        Op::Recip => -1.0 / (x * x),
        Op::Sqrt => 0.5 / x.sqrt(),
        Op::Cbrt => 1.0 / (3.0 * x.cbrt() * x.cbrt()),
        Op::Powi3 => 3.0 * x * x,
        Op::PowiM2 => -2.0 / (x * x * x),
        Op::Powi0 | Op::Powf0 | Op::Signum => 0.0,
        Op::Powf25 => 2.5 * x.powf(1.5),
        Op::PowfM05 => -0.5 * x.powf(-1.5),
        Op::Exp | Op::ExpM1 => x.exp(),
        Op::Exp2 => x.exp2() * LN_2,
        Op::Ln => 1.0 / x,
        Op::Ln1p => 1.0 / (1.0 + x),
        Op::Log2 => 1.0 / (x * LN_2),
        Op::Log10 => 1.0 / (x * LN_10),
        Op::Log3 => 1.0 / (x * 3.0_f64.ln()),
        Op::Sin | Op::SinCosS => x.cos(),
        Op::Cos | Op::SinCosC => -x.sin(),
        Op::Tan => 1.0 / (x.cos() * x.cos()),
        Op::Asin => 1.0 / (1.0 - x * x).sqrt(),
        Op::Acos => -1.0 / (1.0 - x * x).sqrt(),
        Op::Atan => 1.0 / (1.0 + x * x),
        Op::Sinh => x.cosh(),
        Op::Cosh => x.sinh(),
        Op::Tanh => 1.0 / (x.cosh() * x.cosh()),
        Op::Asinh => 1.0 / (x * x + 1.0).sqrt(),
        Op::Acosh => 1.0 / (x * x - 1.0).sqrt(),
        Op::Atanh => 1.0 / (1.0 - x * x),
        Op::Abs => x.signum(),
        // σ' = σ(1 − σ) = 1/(4 cosh²(x/2)), the form without cancellation in the tails.
        Op::Sigmoid => 0.25 / ((0.5 * x).cosh() * (0.5 * x).cosh()),
        Op::Softplus => 1.0 / (1.0 + (-x).exp()),
        Op::Relu => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Op::Erf => 2.0 / PI.sqrt() * (-x * x).exp(),
        Op::Erfc => -2.0 / PI.sqrt() * (-x * x).exp(),
        // Φ(x) + x·φ(x), Φ from libm's erfc (independent of the rule's arithmetic).
        Op::Gelu => {
            0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
                + x * (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
        }
    }
}

/// A range of smooth points (for finite differences), and a half-width around a kink to avoid.
pub fn domain(op: Op) -> (f64, f64) {
    match op {
        Op::Recip | Op::PowiM2 => (0.2, 5.0),
        Op::Sqrt | Op::Ln | Op::Log2 | Op::Log10 | Op::Log3 => (0.1, 10.0),
        Op::Powf25 | Op::PowfM05 | Op::Powf0 => (0.1, 5.0),
        Op::Cbrt => (0.1, 10.0),
        Op::Ln1p => (-0.9, 10.0),
        Op::Tan => (-1.2, 1.2),
        Op::Asin | Op::Acos | Op::Atanh => (-0.9, 0.9),
        Op::Acosh => (1.1, 10.0),
        Op::Sinh | Op::Cosh | Op::Tanh | Op::Powi3 | Op::Powi0 | Op::Erf | Op::Erfc => (-3.0, 3.0),
        Op::Gelu => (-6.0, 6.0),
        Op::Sigmoid | Op::Softplus => (-10.0, 10.0),
        _ => (-5.0, 5.0),
    }
}

/// Points closer than this to 0 are skipped in finite-difference checks (a kink at 0).
pub fn kink_gap(op: Op) -> f64 {
    match op {
        Op::Abs | Op::Signum | Op::Relu => 1e-3,
        _ => 0.0,
    }
}

/// `a` and `b` agree: both NaN, equal (infinities included, sign of zero ignored), or within a
/// relative `tol`.
pub fn same(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan())
        || a == b
        || (a.is_finite() && b.is_finite() && (a - b).abs() <= tol * a.abs().max(b.abs()))
}

//! Every elementary function's second (and third) derivative, in every second-order number type,
//! against the analytic derivatives and against central differences of the analytic lower
//! derivative.

use diffprog_dual::{Dual, Scalar};
use diffprog_hyperdual::{
    hessian_with_chunk, second_derivative, third_derivative, HyperDual, HyperDualVec, Taylor2,
};
use std::f64::consts::{LN_10, LN_2, PI};

#[derive(Clone, Copy, Debug)]
enum Op {
    Recip,
    Sqrt,
    Cbrt,
    Powi3,
    PowiM2,
    Powf,
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

use Op::*;

const ALL: [Op; 34] = [
    Recip, Sqrt, Cbrt, Powi3, PowiM2, Powf, Exp, Exp2, ExpM1, Ln, Ln1p, Log2, Log10, Log3, Sin,
    Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Abs, Signum, Sigmoid,
    Softplus, Relu, Erf, Erfc, Gelu,
];

/// The `Scalar` method an operation tests.
fn method(op: Op) -> &'static str {
    match op {
        Recip => "recip",
        Sqrt => "sqrt",
        Cbrt => "cbrt",
        Powi3 => "powi",
        PowiM2 => "powi",
        Powf => "powf",
        Exp => "exp",
        Exp2 => "exp2",
        ExpM1 => "exp_m1",
        Ln => "ln",
        Ln1p => "ln_1p",
        Log2 => "log2",
        Log10 => "log10",
        Log3 => "log",
        Sin => "sin",
        Cos => "cos",
        Tan => "tan",
        Asin => "asin",
        Acos => "acos",
        Atan => "atan",
        Sinh => "sinh",
        Cosh => "cosh",
        Tanh => "tanh",
        Asinh => "asinh",
        Acosh => "acosh",
        Atanh => "atanh",
        Abs => "abs",
        Signum => "signum",
        Sigmoid => "sigmoid",
        Softplus => "softplus",
        Relu => "relu",
        Erf => "erf",
        Erfc => "erfc",
        Gelu => "gelu",
    }
}

/// Every one-argument function of the list is tested here (a new entry fails this until it is).
#[test]
fn the_suite_covers_every_unary_function() {
    diffprog_testkit::assert_covers(
        "hyperdual/tests/elementary.rs (Op)",
        diffprog_dual::elementary::UNARY,
        ALL.iter().map(|&op| method(op)),
    );
}

fn apply<T: Scalar>(op: Op, x: T) -> T {
    match op {
        Recip => x.recip(),
        Sqrt => x.sqrt(),
        Cbrt => x.cbrt(),
        Powi3 => x.powi(3),
        PowiM2 => x.powi(-2),
        Powf => x.powf(2.5),
        Exp => x.exp(),
        Exp2 => x.exp2(),
        ExpM1 => x.exp_m1(),
        Ln => x.ln(),
        Ln1p => x.ln_1p(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Log3 => x.log(3.0),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Asinh => x.asinh(),
        Acosh => x.acosh(),
        Atanh => x.atanh(),
        Abs => x.abs(),
        Signum => x.signum(),
        Sigmoid => x.sigmoid(),
        Softplus => x.softplus(),
        Relu => x.relu(),
        Erf => x.erf(),
        Erfc => x.erfc(),
        Gelu => x.gelu(),
    }
}

fn sig(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Analytic (f', f'').
fn analytic(op: Op, x: f64) -> (f64, f64) {
    let sq = 1.0 - x * x;
    match op {
        Recip => (-1.0 / (x * x), 2.0 / (x * x * x)),
        Sqrt => (0.5 / x.sqrt(), -0.25 / (x * x.sqrt())),
        Cbrt => (x.cbrt().powi(-2) / 3.0, -2.0 / 9.0 * x.cbrt().powi(-5)),
        Powi3 => (3.0 * x * x, 6.0 * x),
        PowiM2 => (-2.0 / x.powi(3), 6.0 / x.powi(4)),
        Powf => (2.5 * x.powf(1.5), 3.75 * x.powf(0.5)),
        Exp | ExpM1 => (x.exp(), x.exp()),
        Exp2 => (x.exp2() * LN_2, x.exp2() * LN_2 * LN_2),
        Ln => (1.0 / x, -1.0 / (x * x)),
        Ln1p => (1.0 / (1.0 + x), -1.0 / ((1.0 + x) * (1.0 + x))),
        Log2 => (1.0 / (x * LN_2), -1.0 / (x * x * LN_2)),
        Log10 => (1.0 / (x * LN_10), -1.0 / (x * x * LN_10)),
        Log3 => (1.0 / (x * 3f64.ln()), -1.0 / (x * x * 3f64.ln())),
        Sin => (x.cos(), -x.sin()),
        Cos => (-x.sin(), -x.cos()),
        Tan => {
            let t = x.tan();
            (1.0 + t * t, 2.0 * t * (1.0 + t * t))
        }
        Asin => (1.0 / sq.sqrt(), x / sq.powf(1.5)),
        Acos => (-1.0 / sq.sqrt(), -x / sq.powf(1.5)),
        Atan => (1.0 / (1.0 + x * x), -2.0 * x / (1.0 + x * x).powi(2)),
        Sinh => (x.cosh(), x.sinh()),
        Cosh => (x.sinh(), x.cosh()),
        Tanh => {
            let t = x.tanh();
            (1.0 - t * t, -2.0 * t * (1.0 - t * t))
        }
        Asinh => (1.0 / (x * x + 1.0).sqrt(), -x / (x * x + 1.0).powf(1.5)),
        Acosh => (1.0 / (x * x - 1.0).sqrt(), -x / (x * x - 1.0).powf(1.5)),
        Atanh => (1.0 / sq, 2.0 * x / (sq * sq)),
        Abs => (x.signum(), 0.0),
        Signum => (0.0, 0.0),
        Sigmoid => {
            let s = sig(x);
            (s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s))
        }
        Softplus => {
            let s = sig(x);
            (s, s * (1.0 - s))
        }
        Relu => (if x > 0.0 { 1.0 } else { 0.0 }, 0.0),
        Erf => {
            let k = 2.0 / PI.sqrt() * (-x * x).exp();
            (k, -2.0 * x * k)
        }
        Erfc => {
            let k = -2.0 / PI.sqrt() * (-x * x).exp();
            (k, -2.0 * x * k)
        }
        // GELU′ = Φ + xφ, GELU″ = (2 − x²)·φ
        Gelu => {
            let density = (-0.5 * x * x).exp() / (2.0 * PI).sqrt();
            (
                0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) + x * density,
                (2.0 - x * x) * density,
            )
        }
    }
}

/// Smooth points inside each function's domain.
fn points(op: Op) -> Vec<f64> {
    match op {
        Sqrt | Ln | Log2 | Log10 | Log3 | Powf => vec![0.3, 1.0, 2.7, 9.5],
        Recip | Cbrt | PowiM2 => vec![-2.3, -0.4, 0.3, 1.7],
        Asin | Acos | Atanh => vec![-0.8, -0.3, 0.1, 0.6],
        Acosh => vec![1.2, 2.0, 5.5],
        Ln1p => vec![-0.6, 0.0, 0.8, 4.0],
        Tan => vec![-1.2, -0.2, 0.4, 1.1],
        _ => vec![-2.1, -0.7, 0.3, 1.4, 3.2],
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Central difference of `f` at `x` with a step scaled to `x`.
fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    diffprog_testkit::fd::central(f, x, 1e-5 * (1.0 + x.abs()))
}

#[test]
fn second_derivatives_match_analytic_and_central_differences() {
    for op in ALL {
        for x in points(op) {
            let (d1, d2) = analytic(op, x);
            let fd = central(|t| analytic(op, t).0, x);
            assert!(
                close(d2, fd, 1e-6),
                "{op:?} at {x}: analytic f'' {d2} vs differences {fd}"
            );

            let (v, t1, t2) = second_derivative(|t| apply(op, t), x);
            assert_eq!(v, apply(op, x), "{op:?} value at {x}");
            assert!(
                close(t1, d1, 1e-13),
                "{op:?} Taylor2 f' at {x}: {t1} vs {d1}"
            );
            assert!(
                close(t2, d2, 1e-12),
                "{op:?} Taylor2 f'' at {x}: {t2} vs {d2}"
            );

            let h = apply(op, HyperDual::new(x, 1.0, 1.0, 0.0));
            assert_eq!(h.re, v);
            assert_eq!((h.eps1, h.eps2), (t1, t1), "{op:?} HyperDual f' at {x}");
            assert!(
                close(h.eps12, d2, 1e-12),
                "{op:?} HyperDual f'' at {x}: {} vs {d2}",
                h.eps12
            );

            let (hv, g, hm) = hessian_with_chunk::<1>(|v| apply(op, v[0]), &[x]);
            assert_eq!((hv, g[0]), (v, t1), "{op:?} HyperDualVec f, f' at {x}");
            assert!(
                close(hm[(0, 0)], d2, 1e-12),
                "{op:?} HyperDualVec f'' at {x}"
            );

            // Dual over dual: the same rules, differentiated twice by the first-order type.
            let dd = apply(op, Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
            assert!(close(dd.eps.eps, d2, 1e-12), "{op:?} Dual<Dual> f'' at {x}");
        }
    }
}

#[test]
fn third_derivatives_match_central_differences_of_the_analytic_second() {
    for op in ALL {
        for x in points(op) {
            let (d1, d2) = analytic(op, x);
            let fd3 = central(|t| analytic(op, t).1, x);
            let (v, t1, t2, t3) = third_derivative(|t| apply(op, t), x);
            assert_eq!(v, apply(op, x));
            assert!(close(t1, d1, 1e-13), "{op:?} Taylor3 f' at {x}");
            assert!(close(t2, d2, 1e-12), "{op:?} Taylor3 f'' at {x}");
            assert!(
                close(t3, fd3, 1e-5),
                "{op:?} Taylor3 f''' at {x}: {t3} vs differences {fd3}"
            );
            // The same from a second-order number over a dual (nesting).
            let n = apply(
                op,
                Taylor2::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0), Dual::new(0.0, 0.0)),
            );
            assert!(
                close(n.d2.eps, t3, 1e-12),
                "{op:?} Taylor2<Dual> f''' at {x}"
            );
        }
    }
}

/// Binary functions: the 2×2 Hessian against central differences of the analytic gradient.
#[test]
fn binary_functions_second_partials() {
    type Grad = fn(f64, f64) -> (f64, f64);
    type Fun = fn(&[HyperDualVec<f64, 2, 2>]) -> HyperDualVec<f64, 2, 2>;
    let cases: [(&str, Fun, Grad, (f64, f64)); 5] = [
        (
            "pow",
            |v| v[0].pow(v[1]),
            |x, y| (y * x.powf(y - 1.0), x.powf(y) * x.ln()),
            (1.7, 2.3),
        ),
        (
            "atan2",
            |v| v[0].atan2(v[1]),
            |y, x| (x / (x * x + y * y), -y / (x * x + y * y)),
            (0.8, -1.9),
        ),
        (
            "hypot",
            |v| v[0].hypot(v[1]),
            |x, y| (x / x.hypot(y), y / x.hypot(y)),
            (-1.1, 2.4),
        ),
        (
            "min",
            |v| v[0].min(v[1]) * v[0],
            |x, y| if x < y { (2.0 * x, 0.0) } else { (y, x) },
            (0.5, 1.5),
        ),
        (
            "max",
            |v| v[0].max(v[1]) * v[1],
            |x, y| if x > y { (y, x) } else { (0.0, 2.0 * y) },
            (0.5, 1.5),
        ),
    ];
    for (name, f, grad, (x, y)) in cases {
        let (_, g, h) = hessian_with_chunk::<2>(f, &[x, y]);
        let (gx, gy) = grad(x, y);
        assert!(
            close(g[0], gx, 1e-13) && close(g[1], gy, 1e-13),
            "{name} gradient {g:?}"
        );
        let hxx = central(|t| grad(t, y).0, x);
        let hxy = central(|t| grad(x, t).0, y);
        let hyy = central(|t| grad(x, t).1, y);
        assert!(
            close(h[(0, 0)], hxx, 1e-6),
            "{name} ∂xx {} vs {hxx}",
            h[(0, 0)]
        );
        assert!(
            close(h[(0, 1)], hxy, 1e-6),
            "{name} ∂xy {} vs {hxy}",
            h[(0, 1)]
        );
        assert!(
            close(h[(1, 1)], hyy, 1e-6),
            "{name} ∂yy {} vs {hyy}",
            h[(1, 1)]
        );
        // HyperDual, one entry per pass, must agree to rounding.
        for (i, j) in [(0, 0), (0, 1), (1, 1)] {
            let s = |k: usize| {
                HyperDual::new([x, y][k], (k == i) as u8 as f64, (k == j) as u8 as f64, 0.0)
            };
            let hd = f_hd(name, s(0), s(1));
            assert!(
                close(hd.eps12, h[(i, j)], 1e-13),
                "{name} HyperDual ({i},{j})"
            );
        }
    }
}

fn f_hd(name: &str, x: HyperDual<f64>, y: HyperDual<f64>) -> HyperDual<f64> {
    match name {
        "pow" => x.pow(y),
        "atan2" => x.atan2(y),
        "hypot" => x.hypot(y),
        "min" => x.min(y) * x,
        _ => x.max(y) * y,
    }
}

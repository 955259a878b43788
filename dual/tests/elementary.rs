//! Every elementary function: the derivative against the analytic formula, against central finite
//! differences (proptest), on DualVec lanes, in f32, and nested (second derivatives).

mod common;

use common::{analytic, apply, domain, kink_gap, same, Op, ALL};
use diffprog_dual::{derivative, derivative_at, Dual, DualVec, Scalar};
use diffprog_testkit::fd;
use proptest::prelude::*;

/// Evenly spread smooth points of an operation's domain.
fn points(op: Op) -> Vec<f64> {
    let (lo, hi) = domain(op);
    (0..41)
        .map(|i| lo + (hi - lo) * (i as f64 + 0.5) / 41.0)
        .filter(|x| x.abs() > kink_gap(op))
        .collect()
}

#[test]
fn derivative_matches_analytic_formula() {
    // The rules and the textbook formulas are different expressions of the same derivative
    // (e.g. tanh' = 4e/(1 + e)² vs 1/cosh²), each a few roundings: 8 ulps relative. (This was
    // 1e-12 while tanh', σ' and expm1' were computed with a cancellation: 1 − tanh², σ(1 − σ),
    // (eˣ − 1) + 1; the worst now is 3.2 ulps, σ'.)
    for op in ALL {
        for x in points(op) {
            let (v, d) = derivative(|x| apply(op, x), x);
            assert_eq!(v.to_bits(), apply(op, x).to_bits(), "{op:?} value at {x}");
            let a = analytic(op, x);
            assert!(
                same(d, a, 8.0 * f64::EPSILON),
                "{op:?}'({x}) = {d}, analytic {a}"
            );
        }
    }
}

/// Central difference with step h = ε^(1/3)·max(1, |x|) ≈ 6e-6·max(1, |x|): truncation error
/// h²/6·|f'''| and rounding error ε·|f|/h, both below 1e-7·(1 + |f| + |f'| + |f''|) for the smooth
/// domains used here (|f'''| is bounded there by a small multiple of those terms).
fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> (f64, f64) {
    let h = 6e-6 * x.abs().max(1.0);
    let d = fd::central(&f, x, h);
    let scale = 1.0 + f(x).abs() + d.abs() + ((f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h)).abs();
    (d, 1e-7 * scale)
}

proptest! {
    #[test]
    fn derivative_matches_central_difference(k in 0usize..ALL.len(), u in 0.0f64..1.0) {
        let op = ALL[k];
        let (lo, hi) = domain(op);
        let x = lo + (hi - lo) * u;
        prop_assume!(x.abs() > 2.0 * kink_gap(op));
        let (_, d) = derivative(|x| apply(op, x), x);
        let (fd, tol) = central_difference(|x| apply(op, x), x);
        prop_assert!((d - fd).abs() <= tol, "{:?}'({}) = {}, finite difference {}", op, x, d, fd);
    }

    #[test]
    fn second_derivative_matches_difference_of_first(k in 0usize..ALL.len(), u in 0.0f64..1.0) {
        // Dual<Dual<f64>> seeded in both levels: eps.eps is f''.
        let op = ALL[k];
        let (lo, hi) = domain(op);
        let x = lo + (hi - lo) * u;
        prop_assume!(x.abs() > 2.0 * kink_gap(op));
        let y = apply(op, Dual::new(Dual::variable(x), Dual::new(1.0, 0.0)));
        // the two first-derivative parts agree
        prop_assert!(same(y.eps.re, y.re.eps, 0.0));
        let (fd, tol) = central_difference(|x| analytic(op, x), x);
        prop_assert!((y.eps.eps - fd).abs() <= tol, "{:?}''({}) = {}, difference {}", op, x, y.eps.eps, fd);
    }
}

#[test]
fn dualvec_lanes_match_dual() {
    for op in ALL {
        for x in points(op) {
            let y = apply(op, DualVec::<f64, 3>::new(x, [1.0, 0.0, -2.0]));
            let d = apply(op, Dual::variable(x));
            assert_eq!(y.re.to_bits(), d.re.to_bits());
            assert!(same(y.eps()[0], d.eps, 0.0), "{op:?} at {x}");
            assert_eq!(y.eps()[1], 0.0, "{op:?} at {x}: a zero lane stays zero");
            assert!(same(y.eps()[2], -2.0 * d.eps, 1e-15), "{op:?} at {x}");
        }
    }
}

#[test]
fn f32_derivatives() {
    // f32 code is written against Scalar<f32>: Dual<f32> through the generic driver. Compared with
    // the f64 analytic derivative at the same (f32) point: f32 rounding (ε = 1.2e-7) times the
    // cancellation in the rules (≤ ~100 here) bounds the error by ~1.2e-5 relative.
    for op in ALL {
        for x in points(op) {
            let xf = x as f32;
            let (v, d) = derivative_at(|x: Dual<f32>| apply(op, x), xf);
            assert_eq!(
                v.to_bits(),
                apply(op, xf).to_bits(),
                "{op:?} f32 value at {x}"
            );
            let a = analytic(op, xf as f64);
            assert!(
                same(d as f64, a, 2e-5) || (d as f64 - a).abs() < 1e-6,
                "{op:?}'({xf}) = {d} in f32, analytic {a}"
            );
        }
    }
}

// ------------------------------------------------------------------ binary operations

/// (value, ∂/∂x, ∂/∂y) of a binary operation at (x, y), by DualVec<f64, 2>.
fn partials(
    f: impl Fn(DualVec<f64, 2>, DualVec<f64, 2>) -> DualVec<f64, 2>,
    x: f64,
    y: f64,
) -> (f64, f64, f64) {
    let r = f(DualVec::variable(x, 0), DualVec::variable(y, 1));
    (r.re, r.eps()[0], r.eps()[1])
}

type Binary = (
    &'static str,
    fn(DualVec<f64, 2>, DualVec<f64, 2>) -> DualVec<f64, 2>,
    fn(f64, f64) -> f64,
    fn(f64, f64) -> (f64, f64),
);

fn binaries() -> Vec<Binary> {
    vec![
        ("add", |x, y| x + y, |x, y| x + y, |_, _| (1.0, 1.0)),
        ("sub", |x, y| x - y, |x, y| x - y, |_, _| (1.0, -1.0)),
        ("mul", |x, y| x * y, |x, y| x * y, |x, y| (y, x)),
        (
            "div",
            |x, y| x / y,
            |x, y| x / y,
            |x, y| (1.0 / y, -x / (y * y)),
        ),
        (
            "atan2",
            |x, y| x.atan2(y),
            |x, y| x.atan2(y),
            |x, y| (y / (x * x + y * y), -x / (x * x + y * y)),
        ),
        (
            "hypot",
            |x, y| x.hypot(y),
            |x, y| x.hypot(y),
            |x, y| (x / x.hypot(y), y / x.hypot(y)),
        ),
        (
            "pow",
            |x, y| x.pow(y),
            |x, y| x.powf(y),
            |x, y| (y * x.powf(y - 1.0), x.ln() * x.powf(y)),
        ),
        (
            "max",
            |x, y| x.max(y),
            |x, y| x.max(y),
            |x, y| if x > y { (1.0, 0.0) } else { (0.0, 1.0) },
        ),
        (
            "min",
            |x, y| x.min(y),
            |x, y| x.min(y),
            |x, y| if x < y { (1.0, 0.0) } else { (0.0, 1.0) },
        ),
        (
            "mul_add",
            |x, y| x.mul_add(y, x),
            |x, y| x * y + x,
            |x, y| (y + 1.0, x),
        ),
    ]
}

proptest! {
    #[test]
    fn binary_partials_match_analytic_and_differences(k in 0usize..10, x in 0.2f64..3.0, y in -3.0f64..3.0) {
        let (name, f, f64f, grad) = binaries()[k];
        prop_assume!(name != "div" || y.abs() > 0.2);
        prop_assume!(!(name == "max" || name == "min") || (x - y).abs() > 1e-3);
        let (v, dx, dy) = partials(f, x, y);
        prop_assert!(same(v, f64f(x, y), 1e-15), "{} value", name);
        let (ax, ay) = grad(x, y);
        prop_assert!(same(dx, ax, 1e-13) && same(dy, ay, 1e-13), "{}: ({}, {}) vs ({}, {})", name, dx, dy, ax, ay);
        let (fx, tx) = central_difference(|t| f64f(t, y), x);
        let (fy, ty) = central_difference(|t| f64f(x, t), y);
        prop_assert!((dx - fx).abs() <= tx && (dy - fy).abs() <= ty, "{}: ({}, {}) vs differences ({}, {})", name, dx, dy, fx, fy);
    }
}

#[test]
fn pow_with_dual_exponent() {
    // d/dx x^y = y·x^(y−1), d/dy x^y = ln x · x^y (course reference)
    let (x, y) = (1.7, 2.3);
    let (v, dx, dy) = partials(|a, b| a.pow(b), x, y);
    assert_eq!(v, x.powf(y));
    assert!((dx - y * x.powf(y - 1.0)).abs() < 1e-14);
    assert!((dy - x.ln() * x.powf(y)).abs() < 1e-14);
}

#[test]
fn operators_with_float_constants() {
    let f = |x: Dual<f64>| (x * 2.0 + 1.0) / 4.0 - 0.5;
    let g = |x: Dual<f64>| 3.0 - x + 2.0 * x + 1.0 / x;
    let (v, d) = derivative(f, 1.5);
    assert_eq!((v, d), ((1.5 * 2.0 + 1.0) / 4.0 - 0.5, 0.5));
    let (v, d) = derivative(g, 2.0);
    assert_eq!((v, d), (3.0 - 2.0 + 4.0 + 0.5, -1.0 + 2.0 - 0.25));
    let (_, d) = derivative(
        |x: Dual<f64>| {
            let mut y = x;
            y += 1.0;
            y *= x;
            y -= x;
            y /= 2.0;
            y
        },
        3.0,
    );
    assert_eq!(d, 3.0); // y = x²/2
    let (v, d) = derivative(|x: Dual<f64>| [x, x * x, -x].iter().sum::<Dual<f64>>(), 2.0);
    assert_eq!((v, d), (4.0, 4.0));
    let (v, d) = derivative(
        |x: Dual<f64>| [x, x, x].into_iter().product::<Dual<f64>>(),
        2.0,
    );
    assert_eq!((v, d), (8.0, 12.0));
}

/// tanh, σ and eˣ − 1 keep their relative accuracy in the tails, first and second derivatives
/// (nested duals), where their textbook derivative forms `1 − tanh²`, `σ(1 − σ)` and
/// `(eˣ − 1) + 1` cancel: against cosh/sinh forms that do not (`1/cosh² x`,
/// `1/(4 cosh²(x/2))`, `eˣ`), 16 ulps. (With the cancelling forms tanh'(15) was 2·10⁻³ off in
/// relative terms, σ'(30) 6·10⁻³, and expm1'(−40) was 0.)
#[test]
fn tails_keep_their_relative_accuracy() {
    type D2 = Dual<Dual<f64>>;
    /// (name, the function, its analytic (f′, f″), the range of x).
    type Case = (&'static str, fn(D2) -> D2, fn(f64) -> (f64, f64), f64, f64);
    let second = |f: fn(D2) -> D2, x: f64| {
        let y = f(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
        (y.eps.re, y.eps.eps)
    };
    let cases: [Case; 3] = [
        (
            "tanh",
            |x| x.tanh(),
            |x| {
                let c = x.cosh();
                (1.0 / (c * c), -2.0 * x.sinh() / (c * c * c))
            },
            -300.0,
            300.0,
        ),
        (
            "sigmoid",
            |x| x.sigmoid(),
            |x| {
                let c = (0.5 * x).cosh();
                (0.25 / (c * c), -0.25 * (0.5 * x).sinh() / (c * c * c))
            },
            -600.0,
            600.0,
        ),
        (
            "exp_m1",
            |x| x.exp_m1(),
            |x| (x.exp(), x.exp()),
            -700.0,
            2.0,
        ),
    ];
    for (name, f, analytic, lo, hi) in cases {
        for i in 0..=400 {
            let x = lo + (hi - lo) * i as f64 / 400.0;
            let (d1, d2) = second(f, x);
            let (a1, a2) = analytic(x);
            let tol = 16.0 * f64::EPSILON;
            assert!(same(d1, a1, tol), "{name}'({x}) = {d1:e}, analytic {a1:e}");
            // f'' crosses 0 at the centre (tanh, σ); there the relative test is meaningless.
            if a2.abs() > 1e-3 * a1.abs() {
                assert!(same(d2, a2, tol), "{name}''({x}) = {d2:e}, analytic {a2:e}");
            }
        }
    }
}

/// Every one-argument function of the list is tested here (a new entry fails this until it is).
#[test]
fn the_suite_covers_every_unary_function() {
    diffprog_testkit::assert_covers(
        "dual/tests/common (Op)",
        diffprog_dual::elementary::UNARY,
        common::ALL.iter().map(|&op| common::method(op)),
    );
}

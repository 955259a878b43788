//! One NaN/∞ convention in every mode: at inputs that are ±0, ±∞ or NaN, every driver returns
//! the same pattern of finite, +∞, −∞ and NaN derivatives (and the same finite values), following
//! the strong-zero rule of the edge-convention table (`diffprog::dual`'s crate docs, "Non-finite
//! values"): in derivative arithmetic an exact zero factor times anything, ±∞ and NaN included,
//! is exactly zero.
//!
//! Every function below is run at every point of `VALUES³` through every driver that answers its
//! question; gradients are compared across the forward, reverse, mixed and second-order drivers,
//! Hessians across the hyperdual, forward-over-reverse and second-order-tape drivers, and
//! Hessian–vector products with the Hessians' columns. (Random whole programs at non-finite
//! inputs are the cross-mode suite's part.)

use diffprog::dual::{self, DualVec};
use diffprog::hyperdual;
use diffprog::reverse;
use diffprog::Scalar;
use nalgebra::DMatrix;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// The input values: signed zeros, a finite pair, the infinities and NaN.
const VALUES: [f64; 7] = [0.0, -0.0, 1.0, -2.5, INF, -INF, NAN];

/// The functions: each one makes a partial or a value infinite, zero or NaN at some of the
/// points (a kink, a singular point, a zero factor), and none sums derivative terms that cancel
/// exactly (where the order of operations decides between 0 and NaN; see the docs).
macro_rules! functions {
    ($($name:ident: |$x:ident| $body:expr;)*) => {
        $(
            fn $name<T: Scalar>($x: &[T]) -> T {
                $body
            }
        )*
        /// Runs `$check` on every function: `$check!(name, function)`.
        macro_rules! for_each_function {
            ($check:ident) => {
                $( $check!(stringify!($name), $name); )*
            };
        }
    };
}

functions! {
    max_times: |x| x[0].max(x[1]) * x[2];
    cbrt_of_relu: |x| x[0].relu().cbrt() + x[1] * x[2];
    signum_cos_cbrt: |x| x[0].cbrt().cos().signum() * x[1] + x[2];
    sqrt_times: |x| x[0].sqrt() * x[1] + x[2].exp();
    ln_sin: |x| x[0].ln() * x[1].sin() + x[2] * x[2];
    atan2_hypot: |x| x[0].atan2(x[1]) + x[1].hypot(x[2]);
    tanh_abs: |x| (x[0] * x[1]).tanh() + x[2].abs();
    pow_plus: |x| x[0].pow(x[1]) + x[2];
    quotients: |x| x[0] / x[1] + x[2].recip();
    sqrt_of_product: |x| (x[0] * x[1] * x[2]).sqrt();
    branch: |x| if x[0] < x[1] { x[0] * x[2] } else { x[1].exp() * x[2] };
    sigmoid_sums: |x| (x[0] * x[1]).sigmoid() + (x[1] * x[2]).softplus() + (x[0] * x[2]).erf();
    long_product: |x| x[0] * x[1] * x[2] * x[0].sin() * (x[1] * 2.0).cos();
    min_chain: |x| x[0].min(x[1]).min(x[2]) * x[0] - x[2] * 3.0;
}

/// The class of a number: finite, +∞, −∞ or NaN.
fn class(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v == INF {
        "+∞"
    } else if v == -INF {
        "−∞"
    } else {
        "finite"
    }
}

/// True if `a` and `b` are the same class and, if finite, equal up to rounding relative to
/// `scale` (the largest finite magnitude among the compared numbers).
fn agree(a: f64, b: f64, scale: f64) -> bool {
    if class(a) != class(b) {
        return false;
    }
    if !a.is_finite() {
        return true;
    }
    (a - b).abs() <= 1e-12 * scale
}

/// The largest finite magnitude in `a` and `b`.
fn finite_scale(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .chain(b)
        .filter(|v| v.is_finite())
        .fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// Collects disagreements of one function at one point.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
}

impl Report {
    fn vectors(&mut self, what: &str, a: &[f64], b: &[f64]) {
        self.vectors_at_scale(what, a, b, 0.0);
    }
    /// As `vectors`, with rounding judged relative to at least `scale` (a column against the
    /// magnitude of its whole matrix).
    fn vectors_at_scale(&mut self, what: &str, a: &[f64], b: &[f64], scale: f64) {
        let scale = finite_scale(a, b).max(scale);
        if a.len() != b.len() || a.iter().zip(b).any(|(&p, &q)| !agree(p, q, scale)) {
            self.lines.push(format!("{what}: {a:?} vs {b:?}"));
        }
    }
    fn matrices(&mut self, what: &str, a: &DMatrix<f64>, b: &DMatrix<f64>) {
        self.vectors(what, a.as_slice(), b.as_slice());
    }
}

/// Every gradient driver, every Hessian driver and the HVP of `f` at `x`, compared.
macro_rules! compare_modes {
    ($name:expr, $f:ident, $x:expr, $report:expr) => {{
        let x: &[f64] = $x;
        let report: &mut Report = $report;
        let n = x.len();
        let (_, g_forward) = dual::gradient($f, x);
        let (_, g_forward_1) = dual::gradient_with_chunk::<1>($f, x);
        let (_, j_forward) = dual::jacobian(|v: &[DualVec<f64, 10>]| vec![$f(v)], x);
        let (_, g_reverse) = reverse::gradient($f, x);
        let (_, g_vjp) = reverse::vjp(|v| vec![$f(v)], x, &[1.0]);
        let (_, j_reverse) = reverse::jacobian(|v| vec![$f(v)], x);
        let (_, g_hyper, h_hyper) = hyperdual::hessian($f, x);
        let (_, g_hyper_vec, h_hyper_vec) = hyperdual::hessian_with_chunk::<2>($f, x);
        let (_, g_mixed, h_mixed) = reverse::hessian($f, x);
        let (_, g_chunked, h_chunked) = reverse::hessian_chunked::<2, _>($f, x);
        let (_, g_diagonal, diagonal) = reverse::hessian_diagonal($f, x);
        report.vectors("forward vs forward (chunk 1)", &g_forward, &g_forward_1);
        report.vectors(
            "forward vs forward Jacobian",
            &g_forward,
            j_forward.as_slice(),
        );
        report.vectors("forward vs reverse", &g_forward, &g_reverse);
        report.vectors("forward vs vjp", &g_forward, &g_vjp);
        report.vectors(
            "forward vs reverse Jacobian",
            &g_forward,
            j_reverse.as_slice(),
        );
        report.vectors("forward vs hyperdual", &g_forward, &g_hyper);
        report.vectors(
            "forward vs hyperdual (HyperDualVec)",
            &g_forward,
            &g_hyper_vec,
        );
        report.vectors("forward vs reverse::hessian", &g_forward, &g_mixed);
        report.vectors("forward vs hessian_chunked", &g_forward, &g_chunked);
        report.matrices("hyperdual vs HyperDualVec Hessian", &h_hyper, &h_hyper_vec);
        report.matrices("hyperdual vs reverse::hessian", &h_hyper, &h_mixed);
        report.matrices("hyperdual vs hessian_chunked", &h_hyper, &h_chunked);
        report.matrices("reverse::hessian vs hessian_chunked", &h_mixed, &h_chunked);
        report.vectors("forward vs hessian_diagonal", &g_forward, &g_diagonal);
        let chunked_diagonal: Vec<f64> = (0..n).map(|i| h_chunked[(i, i)]).collect();
        report.vectors(
            "hessian_chunked vs hessian_diagonal",
            &chunked_diagonal,
            &diagonal,
        );
        for k in 0..n {
            let mut e = vec![0.0; n];
            e[k] = 1.0;
            let (_, g_hvp, hv) = reverse::hessian_vector_product($f, x, &e);
            report.vectors(
                &format!("forward vs HVP gradient (e{k})"),
                &g_forward,
                &g_hvp,
            );
            let column: Vec<f64> = h_hyper.column(k).iter().copied().collect();
            let scale = finite_scale(h_hyper.as_slice(), &[]);
            report.vectors_at_scale(&format!("hyperdual column {k} vs HVP"), &column, &hv, scale);
            let column: Vec<f64> = h_chunked.column(k).iter().copied().collect();
            let scale = finite_scale(h_chunked.as_slice(), &[]);
            let what = format!("hessian_chunked column {k} vs HVP");
            report.vectors_at_scale(&what, &column, &hv, scale);
        }
    }};
}

#[test]
fn every_mode_has_the_same_nonfinite_pattern() {
    let mut failures = Vec::new();
    // (function, comparison) → number of points where it failed
    let mut counts = std::collections::BTreeMap::<(String, String), usize>::new();
    let mut points = 0;
    macro_rules! check {
        ($name:expr, $f:ident) => {
            for &a in &VALUES {
                for &b in &VALUES {
                    for &c in &VALUES {
                        let x = [a, b, c];
                        let mut report = Report::default();
                        compare_modes!($name, $f, &x, &mut report);
                        points += 1;
                        for line in &report.lines {
                            let what = line.split(':').next().unwrap_or("").to_string();
                            *counts.entry(($name.to_string(), what)).or_default() += 1;
                        }
                        if !report.lines.is_empty() {
                            failures.push(format!(
                                "{} at {x:?}:\n  {}",
                                $name,
                                report.lines.join("\n  ")
                            ));
                        }
                    }
                }
            }
        };
    }
    for_each_function!(check);
    let histogram: Vec<String> = counts
        .iter()
        .map(|((f, what), k)| format!("{f}: {what}: {k}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {points} function-point pairs disagree; by function and comparison:\n{}\nthe \
         first ones:\n{}",
        failures.len(),
        histogram.join("\n"),
        failures
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The rule's two promises at a glance: a variable that does not influence the result gets an
/// exact 0 (x₁ below: the maximum picks x₀), and an input that does gets its derivative even
/// when another input is infinite.
#[test]
fn a_variable_that_does_not_influence_the_result_gets_an_exact_zero() {
    let x = [1.0, 0.0, INF];
    let want = [INF, 0.0, 1.0];
    let (_, forward) = dual::gradient(max_times, x);
    let (_, reverse) = reverse::gradient(max_times, x);
    let (_, hyper, _) = hyperdual::hessian(max_times, x);
    let (_, mixed, _) = reverse::hessian(max_times, x);
    for (mode, g) in [
        ("forward", &forward),
        ("reverse", &reverse),
        ("hyperdual", &hyper),
        ("reverse::hessian", &mixed),
    ] {
        assert_eq!(g, &want, "{mode}");
    }
}

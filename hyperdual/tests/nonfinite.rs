//! The strong-zero rule of `diffprog_dual` ("Non-finite values" in its crate docs) in every
//! second- and third-order number: at every point of `VALUES³`, where inputs are ±0, ±∞ or NaN,
//! the gradients of the Hessian drivers equal forward mode's, their Hessians equal each other's
//! and nested forward mode's (a dual number over a dual number), and `second_derivative` and
//! `third_derivative` along lines equal nested forward mode's — in the pattern of finite, +∞, −∞
//! and NaN entries and in the finite values.
//!
//! Forward mode (`Dual`, `DualVec` and their nestings) is the reference: it applies the rule,
//! and a nested dual number computes second and third derivatives by the same rules applied
//! again, with no formula of its own.

use diffprog_dual::{derivative, derivative_at, gradient, Dual, Scalar};
use diffprog_hyperdual::{
    hessian, hessian_with_arena_chunk, hessian_with_chunk, second_derivative, third_derivative,
    HyperDual,
};
use nalgebra::DMatrix;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// The input values: signed zeros, a finite pair, the infinities and NaN.
const VALUES: [f64; 7] = [0.0, -0.0, 1.0, -2.5, INF, -INF, NAN];

/// Line directions for the scalar drivers (non-negative, so that `x − t·w` at t = 0 keeps the
/// sign of a zero `x`).
const DIRECTIONS: [[f64; 3]; 5] = [
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [1.0, 1.0, 1.0],
    [0.5, 1.0, 2.0],
];

/// The functions: each one makes a partial or a value infinite, zero or NaN at some of the
/// points (a kink, a singular point, a zero factor), and none sums derivative terms that cancel
/// exactly (where the order of operations decides between 0 and NaN; see `diffprog_dual`'s docs).
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

/// True if `a` and `b` are the same class and, if finite, equal up to rounding.
fn agree(a: f64, b: f64) -> bool {
    if class(a) != class(b) {
        return false;
    }
    if !a.is_finite() {
        return true;
    }
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) + 1e-300
}

/// Collects the disagreements of one function at one point.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
}

impl Report {
    fn vectors(&mut self, what: &str, got: &[f64], want: &[f64]) {
        if got.len() != want.len() || got.iter().zip(want).any(|(&p, &q)| !agree(p, q)) {
            self.lines.push(format!("{what}: {got:?}, want {want:?}"));
        }
    }
    fn matrices(&mut self, what: &str, got: &DMatrix<f64>, want: &DMatrix<f64>) {
        self.vectors(what, got.as_slice(), want.as_slice());
    }
}

/// Runs `check(name, f, x, report)` at every point of `VALUES³` for every function and fails
/// with the number of function-point pairs that disagree and the first of them.
macro_rules! check_every_point {
    ($check:ident) => {{
        let mut failures = Vec::new();
        let mut pairs = 0;
        macro_rules! run {
            ($name:expr, $f:ident) => {
                for &a in &VALUES {
                    for &b in &VALUES {
                        for &c in &VALUES {
                            let x = [a, b, c];
                            let mut report = Report::default();
                            $check!($f, &x, &mut report);
                            pairs += 1;
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
        for_each_function!(run);
        assert!(
            failures.is_empty(),
            "{} of {pairs} function-point pairs disagree; the first ones:\n{}",
            failures.len(),
            failures
                .iter()
                .take(12)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }};
}

/// A number over a dual number seeded for the entry (i, j) of the Hessian: the inner tangent
/// along xᵢ (the ε₁ direction of the hyperdual drivers, rows), the outer along xⱼ (ε₂, columns).
fn nested_input(x: &[f64], i: usize, j: usize) -> Vec<Dual<Dual<f64>>> {
    let unit = |k: usize, m: usize| if k == m { 1.0 } else { 0.0 };
    x.iter()
        .enumerate()
        .map(|(k, &v)| Dual::new(Dual::new(v, unit(k, i)), Dual::new(unit(k, j), 0.0)))
        .collect()
}

/// The Hessian by forward over forward mode, one entry per evaluation on `Dual<Dual<f64>>`.
/// The hyperdual drivers compute the upper triangle (xᵢ in ε₁, xⱼ in ε₂, i ≤ j) and mirror it;
/// so does this.
fn nested_hessian(f: impl Fn(&[Dual<Dual<f64>>]) -> Dual<Dual<f64>>, x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    DMatrix::from_fn(n, n, |i, j| f(&nested_input(x, i.min(j), i.max(j))).eps.eps)
}

/// The Hessian from `HyperDual<f64>` numbers, one entry per evaluation (xᵢ in ε₁, xⱼ in ε₂).
fn hyperdual_hessian(f: impl Fn(&[HyperDual<f64>]) -> HyperDual<f64>, x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    DMatrix::from_fn(n, n, |i, j| {
        let (r, c) = (i.min(j), i.max(j));
        let unit = |k: usize, m: usize| if k == m { 1.0 } else { 0.0 };
        let v: Vec<_> = x
            .iter()
            .enumerate()
            .map(|(k, &v)| HyperDual::new(v, unit(k, r), unit(k, c), 0.0))
            .collect();
        f(&v).eps12
    })
}

macro_rules! gradients {
    ($f:ident, $x:expr, $report:expr) => {{
        let x: &[f64] = $x;
        let report: &mut Report = $report;
        let (_, want) = gradient($f, x);
        report.vectors("hessian", &hessian($f, x).1, &want);
        report.vectors(
            "hessian_with_chunk::<2>",
            &hessian_with_chunk::<2>($f, x).1,
            &want,
        );
        report.vectors(
            "hessian_with_arena_chunk::<1>",
            &hessian_with_arena_chunk::<1>($f, x).1,
            &want,
        );
    }};
}

#[test]
fn the_gradients_of_the_hessian_drivers_equal_forward_mode() {
    check_every_point!(gradients);
}

macro_rules! hessians {
    ($f:ident, $x:expr, $report:expr) => {{
        let x: &[f64] = $x;
        let report: &mut Report = $report;
        let arena = hessian($f, x).2;
        let (want, reference) = (nested_hessian($f, x), "nested forward");
        report.matrices(&format!("hessian vs {reference}"), &arena, &want);
        report.matrices(
            &format!("hessian_with_chunk::<2> vs {reference}"),
            &hessian_with_chunk::<2>($f, x).2,
            &want,
        );
        report.matrices(
            &format!("hessian_with_arena_chunk::<1> vs {reference}"),
            &hessian_with_arena_chunk::<1>($f, x).2,
            &want,
        );
        report.matrices(
            &format!("HyperDual entries vs {reference}"),
            &hyperdual_hessian($f, x),
            &want,
        );
        report.matrices(
            "hessian_with_chunk::<3> vs hessian",
            &hessian_with_chunk::<3>($f, x).2,
            &arena,
        );
    }};
}

#[test]
fn the_hessians_of_every_driver_equal_nested_forward_mode() {
    check_every_point!(hessians);
}

/// `f` on the line `x − t·w` (written `−(t·w) + x`, so that at t = 0 a zero `x` keeps its sign).
fn on_line<T: Scalar>(f: fn(&[T]) -> T, x: &[f64; 3], w: &[f64; 3], t: T) -> T {
    let at = |k: usize| -(t * w[k]) + x[k];
    f(&[at(0), at(1), at(2)])
}

macro_rules! along_lines {
    ($f:ident, $x:expr, $report:expr) => {{
        let x: &[f64; 3] = $x;
        let report: &mut Report = $report;
        for w in &DIRECTIONS {
            let (_, d1, d2) = second_derivative(|t| on_line($f, x, w, t), 0.0);
            let (_, e1, e2, e3) = third_derivative(|t| on_line($f, x, w, t), 0.0);
            // Nested forward mode: f', f'' and f''' by `derivative` over `derivative_at`.
            let first = derivative(|t| on_line($f, x, w, t), 0.0).1;
            let second = derivative(|s| derivative_at(|t| on_line($f, x, w, t), s).1, 0.0).1;
            let third = derivative(
                |r| derivative_at(|s| derivative_at(|t| on_line($f, x, w, t), s).1, r).1,
                0.0,
            )
            .1;
            report.vectors(
                &format!("second_derivative along {w:?}"),
                &[d1, d2],
                &[first, second],
            );
            report.vectors(
                &format!("third_derivative along {w:?}"),
                &[e1, e2, e3],
                &[first, second, third],
            );
        }
    }};
}

#[test]
fn second_and_third_derivatives_along_lines_equal_nested_forward_mode() {
    check_every_point!(along_lines);
}

/// The rule's two promises at a glance: a variable that does not influence the result gets an
/// exact 0 (x₁ below: the maximum picks x₀), and an input that does gets its derivative even
/// when another input is infinite.
#[test]
fn a_variable_that_does_not_influence_the_result_gets_an_exact_zero() {
    let x = [1.0, 0.0, INF];
    let want = [INF, 0.0, 1.0];
    for (driver, g) in [
        ("hessian", hessian(max_times, x).1),
        (
            "hessian_with_chunk::<2>",
            hessian_with_chunk::<2>(max_times, &x).1,
        ),
        (
            "hessian_with_arena_chunk::<1>",
            hessian_with_arena_chunk::<1>(max_times, &x).1,
        ),
        ("forward", gradient(max_times, x).1),
    ] {
        assert_eq!(g, want, "{driver}");
    }
    // HyperDual, one partial per pass (and its mixed partial with x₁ exactly 0 as well).
    for (k, &want_k) in want.iter().enumerate() {
        let unit = |m: usize| if m == k { 1.0 } else { 0.0 };
        let v: Vec<_> = (0..3)
            .map(|m| HyperDual::new(x[m], unit(m), unit(m), 0.0))
            .collect();
        let y = max_times(&v);
        assert_eq!((y.eps1, y.eps2), (want_k, want_k), "HyperDual ∂/∂x{k}");
    }
    // The row and column of x₁ in the Hessian are exact zeros in every driver.
    for (driver, h) in [
        ("hessian", hessian(max_times, x).2),
        (
            "hessian_with_chunk::<2>",
            hessian_with_chunk::<2>(max_times, &x).2,
        ),
        (
            "hessian_with_arena_chunk::<1>",
            hessian_with_arena_chunk::<1>(max_times, &x).2,
        ),
    ] {
        for k in 0..3 {
            assert_eq!((h[(1, k)], h[(k, 1)]), (0.0, 0.0), "{driver} H[1, {k}]");
        }
    }
}

/// `Number::strong_zero_mul` of the second-order numbers (what a dual number over them
/// multiplies with): the product `*` with the value's product strong too, so `0 · ∞` is 0 in the
/// value as in every part, and `has_finite_nonzero_primal` looks at the value.
#[test]
fn strong_zero_mul_is_the_product_with_the_value_strong_too() {
    use diffprog_dual::Number;
    use diffprog_hyperdual::{HyperDualVec, Taylor2, Taylor3};

    let (x, y) = (
        HyperDual::new(0.0, 1.0, 0.0, 2.0),
        HyperDual::new(INF, 0.0, 1.0, 0.0),
    );
    let (p, q) = (x.strong_zero_mul(y), x * y);
    assert!(q.re.is_nan());
    // ε₁: 1·∞ + 0·0; ε₂: 0·∞ + 0·1; ε₁ε₂: 2·∞ + (1·1 + 0·0) + 0·0.
    assert_eq!((p.re, p.eps1, p.eps2, p.eps12), (0.0, INF, 0.0, INF));
    assert_eq!((q.eps1, q.eps2, q.eps12), (INF, 0.0, INF));

    let (x, y) = (Taylor2::new(0.0, 1.0, 0.0), Taylor2::new(INF, 0.0, 0.0));
    let p = x.strong_zero_mul(y);
    assert_eq!((p.re, p.d1, p.d2), (0.0, INF, 0.0));
    let (x, y) = (
        Taylor3::new(0.0, 0.0, 1.0, 0.0),
        Taylor3::new(INF, 1.0, 0.0, 0.0),
    );
    let p = x.strong_zero_mul(y);
    // (xy)‴ = x‴y + 3x″y′ + 3x′y″ + xy‴ = 0·∞ + 3·1·1 + 0 + 0.
    assert_eq!((p.re, p.d1, p.d2, p.d3), (0.0, 0.0, INF, 3.0));

    let x = HyperDualVec::<f64, 1, 1>::variable(0.0, Some(0), None);
    let y = HyperDualVec::<f64, 1, 1>::variable(INF, None, Some(0));
    let p = x.strong_zero_mul(y);
    assert_eq!(p.re(), 0.0);
    assert_eq!((p.eps1(), p.eps2(), p.eps12()), (&[INF], &[0.0], &[[1.0]]));

    assert!(HyperDual::new(2.0, NAN, NAN, NAN).has_finite_nonzero_primal());
    assert!(!Taylor2::new(0.0, 1.0, 1.0).has_finite_nonzero_primal());
    assert!(!HyperDualVec::<f64, 1, 1>::lift(INF).has_finite_nonzero_primal());
}

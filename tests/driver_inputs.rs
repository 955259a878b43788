//! The drivers take what users hold and differentiate `f32` code (issue 23):
//!
//! - every driver accepts its point (and direction, weights, second group) as a slice, an array,
//!   a `Vec`, a `DVector` or an `SVector`, by value or by reference, with the same result;
//! - the Jacobian drivers accept functions returning `Vec`, `[T; M]`, `DVector` or `SVector`;
//! - every driver runs at an `f32` point, agreeing with the `f64` result to `f32` accuracy and
//!   with central differences;
//! - closures with an untyped argument infer `f64`, written exactly as users write them.

use diffprog::dual::{self, ColoredJacobian};
use diffprog::{hyperdual, reverse, Real, Scalar};
use diffprog_testkit::fd;
use nalgebra::{DMatrix, DVector, SVector};

/// f(x) = x₀²·x₁ + sin(x₁)·x₂ + exp(x₀·x₂/4): every pair of inputs meets in a nonlinear
/// operation, so no Hessian entry is structurally zero.
fn f<F: Real, T: Scalar<F>>(x: &[T]) -> T {
    x[0] * x[0] * x[1] + x[1].sin() * x[2] + (x[0] * x[2] / T::from_f64(4.0)).exp()
}

/// g: R³ → R², as an array.
fn g<F: Real, T: Scalar<F>>(x: &[T]) -> [T; 2] {
    [x[0] * x[1].cos() + x[2], x[1] * x[2].exp() - x[0] * x[0]]
}

/// A function of two groups of inputs, for `partial_hessian`.
fn two_groups<F: Real, T: Scalar<F>>(x: &[T], y: &[T]) -> T {
    x[0] * y[0] * y[1] + (x[1] * y[1]).sin() + x[2] * x[2] * y[0]
}

const X: [f64; 3] = [0.7, -0.4, 1.3];
const V: [f64; 3] = [0.3, -1.1, 0.6];
const W: [f64; 2] = [1.5, -0.5];
const Y: [f64; 2] = [0.9, -0.2];

/// Evaluates `$body` with `$x` bound to the values `$v` (`$n` of them) in every form a driver
/// accepts — slice, array by value and by reference, `Vec` by value and by reference, `DVector`
/// and `SVector` by value and by reference — and asserts that every form gives the slice's
/// result. Returns that result.
macro_rules! in_every_form {
    ($v:expr, $n:literal, |$x:ident| $body:expr) => {{
        let base: Vec<_> = $v.to_vec();
        let arr: [_; $n] = base.clone().try_into().unwrap();
        let dv = DVector::from_vec(base.clone());
        let sv = SVector::<_, $n>::from(arr);
        let reference = {
            let $x = &base[..];
            $body
        };
        let others = [
            ("array", {
                let $x = arr;
                $body
            }),
            ("&array", {
                let $x = &arr;
                $body
            }),
            ("Vec", {
                let $x = base.clone();
                $body
            }),
            ("&Vec", {
                let $x = &base;
                $body
            }),
            ("DVector", {
                let $x = dv.clone();
                $body
            }),
            ("&DVector", {
                let $x = &dv;
                $body
            }),
            ("SVector", {
                let $x = sv;
                $body
            }),
            ("&SVector", {
                let $x = &sv;
                $body
            }),
        ];
        for (form, result) in others {
            assert_eq!(result, reference, "{} input", form);
        }
        reference
    }};
}

/// Relative closeness with the scale floored at 1.
fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol * expected.abs().max(1.0),
        "{what}: {actual} against {expected} (tolerance {tol})"
    );
}

fn assert_all_close(actual: &[f64], expected: &[f64], tol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert_close(a, e, tol, &format!("{what}[{i}]"));
    }
}

/// An `f32` Jacobian driver's result: the values and the Jacobian.
type Jacobian32 = (Vec<f32>, DMatrix<f32>);
/// An `f32` Hessian driver's result: the value, the gradient and the Hessian.
type Hessian32 = (f32, Vec<f32>, DMatrix<f32>);

fn widen(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&a| a as f64).collect()
}

fn widen_matrix(m: &DMatrix<f32>) -> Vec<f64> {
    widen(m.as_slice())
}

// ------------------------------------------------------------------ every input form

#[test]
fn forward_drivers_take_every_input_form() {
    let (value, grad) = in_every_form!(X, 3, |x| dual::gradient(f, x));
    assert_eq!(value, f(&X));
    assert_eq!(
        in_every_form!(X, 3, |x| dual::gradient_with_chunk::<2>(f, x)),
        (value, grad.clone())
    );
    assert_eq!(
        in_every_form!(X, 3, |x| dual::gradient_at::<f64, 2>(f, x)),
        (value, grad.clone())
    );
    let (gv, jac) = in_every_form!(X, 3, |x| dual::jacobian(g, x));
    assert_eq!(gv, g(&X).to_vec());
    assert_eq!(
        in_every_form!(X, 3, |x| dual::jacobian_with_chunk::<2>(
            |p| g(p).to_vec(),
            x
        )),
        (gv.clone(), jac.clone())
    );
    assert_eq!(
        in_every_form!(X, 3, |x| dual::jacobian_at::<f64, 2, _>(g, x)),
        (gv.clone(), jac.clone())
    );
    // jvp: the point in every form, then the direction.
    let (jv_value, jv) = in_every_form!(X, 3, |x| dual::jvp(g, x, V));
    assert_eq!(jv_value, gv);
    assert_all_close(
        &jv,
        (&jac * SVector::from(V)).as_slice(),
        1e-15,
        "jvp = J·v",
    );
    let (_, v_as_input) = in_every_form!(V, 3, |v| dual::jvp(g, X, v));
    assert_eq!(v_as_input, jv);
    // The coloured Jacobian with one colour per input is the dense one, row-major.
    let (cv, compressed) = in_every_form!(X, 3, |x| dual::jacobian_colored::<2>(
        |p| g(p).to_vec(),
        x,
        &[0, 1, 2]
    ));
    assert_eq!(cv, gv);
    assert_eq!(compressed, jac.transpose().as_slice().to_vec());
    let mut workspace = ColoredJacobian::<2>::new(vec![0, 1, 2]);
    let via_workspace = in_every_form!(X, 3, |x| {
        let (v, c) = workspace.compute(
            |p, out| {
                out.clear();
                out.extend(g(p));
            },
            x,
        );
        (v.to_vec(), c.to_vec())
    });
    assert_eq!(via_workspace, (cv, compressed));
}

#[test]
fn second_order_drivers_take_every_input_form() {
    let (value, grad, h) = in_every_form!(X, 3, |x| hyperdual::hessian(f, x));
    assert_eq!(value, f(&X));
    let expected = (value, grad.clone(), h.clone());
    assert_eq!(
        in_every_form!(X, 3, |x| hyperdual::hessian_with_arena_chunk::<1>(f, x)),
        expected
    );
    let inline = in_every_form!(X, 3, |x| hyperdual::hessian_with_chunk::<2>(f, x));
    let inline_at = in_every_form!(X, 3, |x| hyperdual::hessian_at::<f64, 2>(f, x));
    assert_eq!(inline, inline_at);
    assert_all_close(&inline.1, &grad, 1e-15, "inline gradient");
    assert_all_close(inline.2.as_slice(), h.as_slice(), 1e-14, "inline Hessian");
    let h32 = in_every_form!(X.map(|v| v as f32), 3, |x| hyperdual::hessian_f32(f, x));
    assert_eq!(h32.0, f(&X.map(|v| v as f32)));

    // partial_hessian: x in every form, y in every form.
    let partial = in_every_form!(X, 3, |x| hyperdual::partial_hessian(two_groups, x, Y));
    assert_eq!(
        in_every_form!(Y, 2, |y| hyperdual::partial_hessian(two_groups, X, y)),
        partial
    );
    assert_eq!(
        in_every_form!(X, 3, |x| hyperdual::partial_hessian_with_chunk::<2, 1>(
            two_groups, x, &Y
        )),
        partial
    );
    assert_eq!(
        in_every_form!(X, 3, |x| hyperdual::partial_hessian_at::<f64, 2, 2>(
            two_groups,
            x,
            DVector::from_row_slice(&Y)
        )),
        partial
    );
    let third = in_every_form!(X, 3, |x| hyperdual::third_partial(f, x, (0, 0, 2)));
    // ∂³f/∂x₀²∂x₂ of exp(x₀x₂/4): (x₂/4)²·(x₀/4)·e + 2·(x₂/4)·(1/4)·e, e = exp(x₀x₂/4).
    let e = (X[0] * X[2] / 4.0).exp();
    let q = X[2] / 4.0;
    assert_close(
        third.1,
        q * q * (X[0] / 4.0) * e + 2.0 * q * 0.25 * e,
        1e-14,
        "third partial",
    );
}

#[test]
fn reverse_drivers_take_every_input_form() {
    let (value, grad) = in_every_form!(X, 3, |x| reverse::gradient(f, x));
    assert_eq!(value, f(&X));
    assert_eq!(
        in_every_form!(X, 3, |x| {
            let mut into = [0.0; 3];
            let v = reverse::gradient_into(f, x, &mut into);
            (v, into.to_vec())
        }),
        (value, grad.clone())
    );
    assert_eq!(
        in_every_form!(X, 3, |x| reverse::gradient_at(f, x)),
        (value, grad.clone())
    );
    let (gv, jac) = in_every_form!(X, 3, |x| reverse::jacobian(g, x));
    assert_eq!(gv, g(&X).to_vec());
    let (vjp_value, wj) = in_every_form!(X, 3, |x| reverse::vjp(g, x, W));
    assert_eq!(vjp_value, gv);
    assert_eq!(in_every_form!(W, 2, |w| reverse::vjp(g, X, w)).1, wj);
    assert_all_close(
        &wj,
        (jac.transpose() * SVector::from(W)).as_slice(),
        1e-15,
        "wᵀJ",
    );

    let (hv_value, hv_grad, hv) =
        in_every_form!(X, 3, |x| reverse::hessian_vector_product(f, x, V));
    assert_eq!(hv_value, value);
    assert_all_close(&hv_grad, &grad, 1e-15, "hessian_vector_product gradient");
    assert_eq!(
        in_every_form!(V, 3, |v| reverse::hessian_vector_product(f, X, v)).2,
        hv
    );
    let (hvalue, hgrad, h) = in_every_form!(X, 3, |x| reverse::hessian(f, x));
    assert_eq!(hvalue, value);
    assert_all_close(&hgrad, &grad, 1e-15, "hessian gradient");
    assert_all_close(&hv, (&h * SVector::from(V)).as_slice(), 1e-14, "H·v");
    let (_, _, diag) = in_every_form!(X, 3, |x| reverse::hessian_diagonal(f, x));
    assert_all_close(&diag, h.diagonal().as_slice(), 1e-14, "Hessian diagonal");
    let (_, _, chunked) = in_every_form!(X, 3, |x| reverse::hessian_chunked::<2, _>(f, x));
    assert_all_close(chunked.as_slice(), h.as_slice(), 1e-14, "hessian_chunked");
    let (v32, _, _) = in_every_form!(X.map(|v| v as f32), 3, |x| reverse::hessian_f32(f, x));
    assert_eq!(v32, f(&X.map(|v| v as f32)));
    let (records, output) = in_every_form!(X, 3, |x| {
        let (records, output) = reverse::second_order_tape(f, x);
        (records.len(), output)
    });
    assert!(output.is_some() && records > 3);
}

// ------------------------------------------------------------------ every output form

#[test]
fn jacobians_from_every_output_form() {
    let (value, jac) = dual::jacobian(|x| g(x).to_vec(), X);
    let forms = [
        ("[T; M]", dual::jacobian(g, X)),
        (
            "DVector",
            dual::jacobian(|x| DVector::from_row_slice(&g(x)), X),
        ),
        (
            "SVector",
            dual::jacobian(|x| SVector::<_, 2>::from(g(x)), X),
        ),
        ("jacobian_at, [T; M]", dual::jacobian_at::<f64, 1, _>(g, X)),
        (
            "jacobian_at, DVector",
            dual::jacobian_at::<f64, 2, _>(|x| DVector::from_row_slice(&g(x)), X),
        ),
        ("reverse, Vec", reverse::jacobian(|x| g(x).to_vec(), X)),
        ("reverse, [T; M]", reverse::jacobian(g, X)),
        (
            "reverse, DVector",
            reverse::jacobian(|x| DVector::from_row_slice(&g(x)), X),
        ),
        (
            "reverse, SVector",
            reverse::jacobian(|x| SVector::<_, 2>::from(g(x)), X),
        ),
    ];
    for (form, (v, j)) in forms {
        assert_eq!(v, value, "{form}: value");
        assert_all_close(j.as_slice(), jac.as_slice(), 1e-15, form);
    }
    let jv = (&jac * SVector::from(V)).as_slice().to_vec();
    let jvps = [
        ("Vec", dual::jvp(|x| g(x).to_vec(), X, V)),
        ("[T; M]", dual::jvp(g, X, V)),
        (
            "DVector",
            dual::jvp(|x| DVector::from_row_slice(&g(x)), X, V),
        ),
        ("SVector", dual::jvp(|x| SVector::<_, 2>::from(g(x)), X, V)),
    ];
    for (form, (v, d)) in jvps {
        assert_eq!(v, value, "jvp {form}: value");
        assert_all_close(&d, &jv, 1e-15, &format!("jvp {form}"));
    }
    let wj = (jac.transpose() * SVector::from(W)).as_slice().to_vec();
    let vjps = [
        ("Vec", reverse::vjp(|x| g(x).to_vec(), X, W)),
        ("[T; M]", reverse::vjp(g, X, W)),
        (
            "DVector",
            reverse::vjp(|x| DVector::from_row_slice(&g(x)), X, W),
        ),
        (
            "SVector",
            reverse::vjp(|x| SVector::<_, 2>::from(g(x)), X, W),
        ),
    ];
    for (form, (v, d)) in vjps {
        assert_eq!(v, value, "vjp {form}: value");
        assert_all_close(&d, &wj, 1e-15, &format!("vjp {form}"));
    }
}

// ------------------------------------------------------------------ f32

/// The `f32` point and the same point in `f64` (exactly), so that `f32` and `f64` results differ
/// by the `f32` arithmetic only.
fn points() -> ([f32; 3], [f64; 3]) {
    let x32 = X.map(|v| v as f32);
    (x32, x32.map(|v| v as f64))
}

/// The tolerance of an `f32` result against the `f64` one and against central differences,
/// relative to the scale (floored at 1): 8 ulps of `f32` (2⁻²³ ≈ 1.2e-7). These functions take a
/// handful of operations per derivative and nothing cancels at this point: every comparison
/// passes at 2e-7 (under 2 ulps) and some fail at 2e-8 (the rounding of `f32` is seen).
const F32_TOL: f64 = 1e-6;
/// The tolerance of an `f64` result against central differences with step `H` (truncation
/// h²·f‴/6 ≈ 1e-11 for these functions, rounding ε/h ≈ 2e-11).
const FD_TOL: f64 = 1e-8;
const H: f64 = 1e-5;

/// Central differences of `f` (the gradient), in `f64`.
fn fd_gradient(x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| fd::partial(f, x, i, H)).collect()
}

/// Central differences of the exact gradient (the Hessian, column by column), column-major.
fn fd_hessian(x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .flat_map(|i| fd::partials(|p| reverse::gradient(f, p).1, x, i, H))
        .collect()
}

/// Central differences of `g` (the Jacobian), column-major.
fn fd_jacobian(x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .flat_map(|i| fd::partials(|p| g(p).to_vec(), x, i, H))
        .collect()
}

#[test]
fn f32_gradients_match_f64_and_central_differences() {
    let (x32, x64) = points();
    let fd = fd_gradient(&x64);
    let (v64, g64) = dual::gradient(f, x64);
    assert_all_close(&g64, &fd, FD_TOL, "dual::gradient f64 against differences");
    let mut into = [0.0_f32; 3];
    let into_value = reverse::gradient_into(f, x32, &mut into);
    let x32_vec: Vec<f32> = x32.to_vec();
    let cases: [(&str, (f32, Vec<f32>)); 6] = [
        ("dual::gradient", dual::gradient(f, x32)),
        ("dual::gradient_at", dual::gradient_at::<f32, 2>(f, &x32)),
        (
            "reverse::gradient",
            reverse::gradient(f, SVector::from(x32)),
        ),
        ("reverse::gradient_into", (into_value, into.to_vec())),
        ("reverse::gradient_at", reverse::gradient_at(f, x32_vec)),
        ("reverse::hessian_vector_product", {
            let (v, grad, _) = reverse::hessian_vector_product(f, x32, [0.0_f32; 3]);
            (v, grad)
        }),
    ];
    for (driver, (v, grad)) in cases {
        assert_close(v as f64, v64, F32_TOL, &format!("{driver} value"));
        assert_eq!(
            v,
            f(&x32),
            "{driver}: the value is the plain f32 evaluation"
        );
        assert_all_close(
            &widen(&grad),
            &g64,
            F32_TOL,
            &format!("{driver} against f64"),
        );
        assert_all_close(
            &widen(&grad),
            &fd,
            F32_TOL,
            &format!("{driver} against differences"),
        );
    }
    let (_, d32) = dual::derivative(|t| t.sin() * t, 0.7_f32);
    let (_, d64) = dual::derivative(|t| t.sin() * t, 0.7_f32 as f64);
    assert_close(d32 as f64, d64, F32_TOL, "dual::derivative");
    let fd = fd::central(|t| t.sin() * t, 0.7_f32 as f64, H);
    assert_close(d64, fd, FD_TOL, "dual::derivative f64 against differences");
    assert_close(
        d32 as f64,
        fd,
        F32_TOL,
        "dual::derivative f32 against differences",
    );
}

#[test]
fn f32_jacobians_match_f64_and_central_differences() {
    let (x32, x64) = points();
    let v32 = V.map(|v| v as f32);
    let w32 = W.map(|v| v as f32);
    let fd = fd_jacobian(&x64);
    let (_, j64) = reverse::jacobian(g, x64);
    assert_all_close(
        j64.as_slice(),
        &fd,
        FD_TOL,
        "reverse::jacobian f64 against differences",
    );
    let jacobians: [(&str, Jacobian32); 3] = [
        ("dual::jacobian", dual::jacobian(g, x32)),
        ("dual::jacobian_at", dual::jacobian_at::<f32, 2, _>(g, &x32)),
        (
            "reverse::jacobian",
            reverse::jacobian(g, DVector::from_row_slice(&x32)),
        ),
    ];
    for (driver, (value, j)) in jacobians {
        assert_eq!(value, g(&x32).to_vec(), "{driver} value");
        assert_all_close(
            &widen_matrix(&j),
            j64.as_slice(),
            F32_TOL,
            &format!("{driver} against f64"),
        );
        assert_all_close(
            &widen_matrix(&j),
            &fd,
            F32_TOL,
            &format!("{driver} against differences"),
        );
    }
    // J·v and wᵀJ against the same products of the differenced Jacobian.
    let fd_j = DMatrix::from_column_slice(2, 3, &fd);
    let fd_jv = fd_j.clone() * SVector::from(V.map(|v| v as f32 as f64));
    let fd_wj = fd_j.transpose() * SVector::from(W.map(|v| v as f32 as f64));
    let (_, jv64) = dual::jvp(g, x64, V.map(|v| v as f32 as f64));
    assert_all_close(
        &jv64,
        fd_jv.as_slice(),
        FD_TOL,
        "dual::jvp f64 against differences",
    );
    let (value, jv) = dual::jvp(g, x32, v32);
    assert_eq!(value, g(&x32).to_vec());
    assert_all_close(&widen(&jv), &jv64, F32_TOL, "dual::jvp f32 against f64");
    assert_all_close(
        &widen(&jv),
        fd_jv.as_slice(),
        F32_TOL,
        "dual::jvp f32 against differences",
    );
    let (_, wj64) = reverse::vjp(g, x64, W.map(|v| v as f32 as f64));
    assert_all_close(
        &wj64,
        fd_wj.as_slice(),
        FD_TOL,
        "reverse::vjp f64 against differences",
    );
    let (value, wj) = reverse::vjp(g, x32, w32);
    assert_eq!(value, g(&x32).to_vec());
    assert_all_close(&widen(&wj), &wj64, F32_TOL, "reverse::vjp f32 against f64");
    assert_all_close(
        &widen(&wj),
        fd_wj.as_slice(),
        F32_TOL,
        "reverse::vjp f32 against differences",
    );
}

#[test]
fn f32_hessians_match_f64_and_central_differences() {
    let (x32, x64) = points();
    let fd = fd_hessian(&x64);
    let (v64, g64, h64) = reverse::hessian(f, x64);
    assert_all_close(
        h64.as_slice(),
        &fd,
        FD_TOL,
        "reverse::hessian f64 against differences",
    );
    let x32_vec: Vec<f32> = x32.to_vec();
    let hessians: [(&str, Hessian32); 4] = [
        ("hyperdual::hessian_f32", hyperdual::hessian_f32(f, x32)),
        (
            "hyperdual::hessian_at",
            hyperdual::hessian_at::<f32, 2>(f, &x32),
        ),
        ("reverse::hessian_f32", reverse::hessian_f32(f, x32)),
        (
            "reverse::hessian_chunked",
            reverse::hessian_chunked::<8, _>(f, x32_vec),
        ),
    ];
    for (driver, (v, grad, h)) in hessians {
        assert_eq!(v, f(&x32), "{driver} value");
        assert_close(
            v as f64,
            v64,
            F32_TOL,
            &format!("{driver} value against f64"),
        );
        assert_all_close(&widen(&grad), &g64, F32_TOL, &format!("{driver} gradient"));
        assert_all_close(
            &widen_matrix(&h),
            h64.as_slice(),
            F32_TOL,
            &format!("{driver} against f64"),
        );
        assert_all_close(
            &widen_matrix(&h),
            &fd,
            F32_TOL,
            &format!("{driver} against differences"),
        );
        assert_eq!(h, h.transpose(), "{driver}: exactly symmetric");
    }
    // H·v and the diagonal.
    let v = V.map(|v| v as f32);
    let fd_hv = DMatrix::from_column_slice(3, 3, &fd) * SVector::from(v.map(|a| a as f64));
    let (_, _, hv64) = reverse::hessian_vector_product(f, x64, v.map(|a| a as f64));
    assert_all_close(
        &hv64,
        fd_hv.as_slice(),
        FD_TOL,
        "hessian_vector_product f64 against differences",
    );
    let (value, _, hv) = reverse::hessian_vector_product(f, x32, v);
    assert_eq!(value, f(&x32));
    assert_all_close(
        &widen(&hv),
        &hv64,
        F32_TOL,
        "hessian_vector_product f32 against f64",
    );
    assert_all_close(
        &widen(&hv),
        fd_hv.as_slice(),
        F32_TOL,
        "hessian_vector_product f32 against differences",
    );
    let fd_diag: Vec<f64> = (0..3).map(|i| fd[i * 3 + i]).collect();
    let (_, _, diag64) = reverse::hessian_diagonal(f, x64);
    assert_all_close(
        &diag64,
        &fd_diag,
        FD_TOL,
        "hessian_diagonal f64 against differences",
    );
    let (value, _, diag) = reverse::hessian_diagonal(f, x32);
    assert_eq!(value, f(&x32));
    assert_all_close(
        &widen(&diag),
        &diag64,
        F32_TOL,
        "hessian_diagonal f32 against f64",
    );
    assert_all_close(
        &widen(&diag),
        &fd_diag,
        F32_TOL,
        "hessian_diagonal f32 against differences",
    );
}

// ------------------------------------------------------------------ inference for f64

/// Written exactly as a user writes them: untyped closure arguments, literal points. The float
/// is inferred as `f64`.
#[test]
fn untyped_closures_at_literal_points_infer_f64() {
    let (v, grad) = dual::gradient(|x| x[0] * x[1], [1.0, 2.0]);
    assert_eq!((v, grad), (2.0, vec![2.0, 1.0]));
    let (v, grad) = reverse::gradient(|x| x[0] * x[1] + x[0].sin(), [0.5, 4.2]);
    assert_eq!(v, 0.5 * 4.2 + 0.5_f64.sin());
    assert_eq!(grad, vec![4.2 + 0.5_f64.cos(), 0.5]);
    let x = [3.0, 4.0];
    let (value, j) = dual::jacobian(|p| vec![p[0] * p[1], p[0] * 2.0], x);
    assert_eq!(value, vec![12.0, 6.0]);
    assert_eq!(j[(0, 0)], 4.0);
    let (value, jv) = dual::jvp(|p| [p[0] * p[0]], [3.0], [1.0]);
    assert_eq!((value, jv), (vec![9.0], vec![6.0]));
    let (values, wj) = reverse::vjp(|p| vec![p[0] * p[1]], x, [1.0]);
    assert_eq!((values, wj), (vec![12.0], vec![4.0, 3.0]));
    let (_, j) = reverse::jacobian(|p| [p[0] * p[1]], vec![3.0, 4.0]);
    assert_eq!(j[(0, 1)], 3.0);
    let (_, _, hv) =
        reverse::hessian_vector_product(|x| x[0] * x[0] * x[1], [2.0, 3.0], [1.0, 0.0]);
    assert_eq!(hv, vec![6.0, 4.0]);
    let (_, _, h) = hyperdual::hessian(|x| x[0] * x[1] + x[2] * x[2], [1.0, 2.0, 3.0]);
    assert_eq!(h[(0, 1)], 1.0);
    let (_, _, h) = reverse::hessian(|x| x[0] * x[1] * x[1], [1.0, 2.0]);
    assert_eq!(h[(1, 1)], 2.0);
    let (_, d) = dual::derivative(|x| x * x * 3.0, 2.0);
    assert_eq!(d, 12.0);
    // Methods on the results need the float named when nothing else names it.
    let (_, grad) = dual::gradient(|x| x[0] * x[1], [1.0_f64, 2.0]);
    assert!((grad[0] - 2.0).abs() < 1e-15);
    fn product<T: Scalar>(x: &[T]) -> T {
        x[0] * x[1]
    }
    let x = vec![1.0, 2.0];
    // A generic fn written against `Scalar` (whose float is `f64` by default) names it.
    let (_, grad) = dual::gradient(product, &x);
    assert!((grad[0] - 2.0).abs() < 1e-15);
    let (_, grad) = reverse::gradient(product, &x);
    assert!((grad[1] - 1.0).abs() < 1e-15);
}

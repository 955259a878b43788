//! Custom primitives (`diffprog::dual::custom`) in every mode: one description of a function by
//! its value and derivatives on `f64`, differentiated by the forward numbers, the second- and
//! third-order numbers, the reverse-mode tapes (first and second order, and mixed) and nn's
//! tensor ops.
//!
//! The real example is an implicit function solved by Newton's method, whose derivatives come
//! from the implicit-function theorem ([`ImplicitExp`], and [`ImplicitProduct`] of two
//! variables): checked against central differences and across the modes. A primitive with an
//! elementary equivalent (eˣ by its derivatives) must give the elementary function's results bit
//! for bit in every mode; a missing derivative panics naming it.

use diffprog::dual::custom::{BinaryPrimitive, UnaryPrimitive};
use diffprog::nn::Graph;
use diffprog::{
    dual, hyperdual, reverse, Dual, HessianVar, HyperDual, Real, Scalar, Taylor2, Taylor3, Var,
};
use diffprog_testkit::fd;
use diffprog_testkit::programs::primitives::{ImplicitExp, ImplicitProduct};
use nalgebra::DMatrix;
use proptest::prelude::*;

/// eˣ by its derivatives: every order is eˣ.
struct ExpByDerivatives;

impl<F: Real> UnaryPrimitive<F> for ExpByDerivatives {
    fn name(&self) -> &str {
        "exp_by_derivatives"
    }
    fn derivative(&self, _order: usize, x: F) -> Option<F> {
        Some(x.exp())
    }
}

/// x·eʸ by its partials: ∂ⁱ⁺ʲ/∂xⁱ∂yʲ is x·eʸ for i = 0, eʸ for i = 1, 0 above.
struct ScaledExp;

impl BinaryPrimitive for ScaledExp {
    fn name(&self) -> &str {
        "scaled_exp"
    }
    fn partial(&self, i: usize, _j: usize, x: f64, y: f64) -> Option<f64> {
        Some(match i {
            0 => x * y.exp(),
            1 => y.exp(),
            _ => 0.0,
        })
    }
}

/// √x by its first derivative only: 1/(2√x), +∞ at 0.
struct SqrtFirstOrder;

impl UnaryPrimitive for SqrtFirstOrder {
    fn name(&self) -> &str {
        "sqrt_first_order"
    }
    fn derivative(&self, order: usize, x: f64) -> Option<f64> {
        match order {
            0 => Some(x.sqrt()),
            1 => Some(0.5 / x.sqrt()),
            _ => None,
        }
    }
}

/// A binary primitive with its value and ∂/∂x only.
struct NoPartialInY;

impl BinaryPrimitive for NoPartialInY {
    fn name(&self) -> &str {
        "no_partial_in_y"
    }
    fn partial(&self, i: usize, j: usize, x: f64, y: f64) -> Option<f64> {
        match (i, j) {
            (0, 0) => Some(x * y),
            (1, 0) => Some(y),
            _ => None,
        }
    }
}

/// A dual number over a dual number: second derivatives by nested forward mode.
type Dual2 = Dual<Dual<f64>>;

const IMPLICIT: ImplicitExp<f64> = ImplicitExp { a: 1.0 };
const IMPLICIT_SCALED: ImplicitExp<f64> = ImplicitExp { a: 2.5 };

/// A function of three variables through [`ExpByDerivatives`].
fn with_custom_exp<T: Scalar>(x: &[T]) -> T {
    let e = ExpByDerivatives;
    (x[0] * x[1]).custom_unary(&e) + x[2] * x[0].custom_unary(&e) - (x[2] / x[1]).custom_unary(&e)
}

/// The same function with `exp`.
fn with_exp<T: Scalar>(x: &[T]) -> T {
    (x[0] * x[1]).exp() + x[2] * x[0].exp() - (x[2] / x[1]).exp()
}

/// A function of three variables through both implicit primitives.
fn implicit_program<T: Scalar>(x: &[T]) -> T {
    let y = (x[0] * x[1] + x[2]).custom_unary(&IMPLICIT);
    let z = x[2].custom_binary(&ImplicitProduct, y - x[0]);
    z * x[1] + (x[0] * x[0]).custom_unary(&IMPLICIT_SCALED) * y
}

/// The same with [`ImplicitProduct`] written as `ImplicitExp` of the product.
fn implicit_program_composed<T: Scalar>(x: &[T]) -> T {
    let y = (x[0] * x[1] + x[2]).custom_unary(&IMPLICIT);
    let z = (x[2] * (y - x[0])).custom_unary(&IMPLICIT);
    z * x[1] + (x[0] * x[0]).custom_unary(&IMPLICIT_SCALED) * y
}

fn line<T: Scalar>(x: &[f64], v: &[f64], t: T) -> Vec<T> {
    x.iter().zip(v).map(|(&a, &b)| t * b + a).collect()
}

/// `|a − b| ≤ tol·max(1, |a|, |b|)`, with a message.
fn close(what: &str, a: f64, b: f64, tol: f64) {
    let scale = 1.0_f64.max(a.abs()).max(b.abs());
    assert!(
        (a - b).abs() <= tol * scale,
        "{what}: {a} vs {b} (difference {:e}, tolerance {:e})",
        (a - b).abs(),
        tol * scale
    );
}

fn close_all(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (&p, &q)) in a.iter().zip(b).enumerate() {
        close(&format!("{what}[{i}]"), p, q, tol);
    }
}

fn close_matrix(what: &str, a: &DMatrix<f64>, b: &DMatrix<f64>, tol: f64) {
    close_all(what, a.as_slice(), b.as_slice(), tol);
}

/// The message of a panic in `f`.
fn panic_message(f: impl FnOnce()) -> String {
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Every mode's value and derivatives of [`with_custom_exp`] equal those of [`with_exp`], bit for
/// bit.
fn assert_exp_modes_identical(x: &[f64]) {
    let v = [0.3, -0.7, 1.1];
    assert_eq!(
        with_custom_exp(x).to_bits(),
        with_exp(x).to_bits(),
        "plain f64"
    );
    assert_eq!(
        dual::gradient(with_custom_exp, x),
        dual::gradient(with_exp, x),
        "DualVec gradient"
    );
    assert_eq!(
        dual::gradient_with_chunk::<2>(with_custom_exp, x),
        dual::gradient_with_chunk::<2>(with_exp, x),
        "DualVec gradient, chunk 2"
    );
    assert_eq!(
        dual::jvp(|t| vec![with_custom_exp(t)], x, v),
        dual::jvp(|t| vec![with_exp(t)], x, v),
        "Dual jvp"
    );
    assert_eq!(
        hyperdual::hessian(with_custom_exp, x),
        hyperdual::hessian(with_exp, x),
        "arena hyperdual Hessian"
    );
    assert_eq!(
        hyperdual::hessian_with_chunk::<2>(with_custom_exp, x),
        hyperdual::hessian_with_chunk::<2>(with_exp, x),
        "HyperDualVec Hessian"
    );
    assert_eq!(
        hyperdual::second_derivative(|t| with_custom_exp(&line(x, &v, t)), 0.0),
        hyperdual::second_derivative(|t| with_exp(&line(x, &v, t)), 0.0),
        "Taylor2"
    );
    assert_eq!(
        hyperdual::third_derivative(|t| with_custom_exp(&line(x, &v, t)), 0.0),
        hyperdual::third_derivative(|t| with_exp(&line(x, &v, t)), 0.0),
        "Taylor3"
    );
    assert_eq!(
        hyperdual::third_partial(with_custom_exp, x, (0, 1, 2)),
        hyperdual::third_partial(with_exp, x, (0, 1, 2)),
        "HyperDual<Dual<f64>> third partial"
    );
    assert_eq!(
        reverse::gradient(with_custom_exp, x),
        reverse::gradient(with_exp, x),
        "reverse gradient"
    );
    assert_eq!(
        reverse::hessian(with_custom_exp, x),
        reverse::hessian(with_exp, x),
        "second-order tape Hessian"
    );
    assert_eq!(
        reverse::hessian_vector_product(with_custom_exp, x, v),
        reverse::hessian_vector_product(with_exp, x, v),
        "forward-over-reverse Hessian-vector product"
    );
    assert_eq!(
        reverse::hessian_chunked::<2, _>(with_custom_exp, x),
        reverse::hessian_chunked::<2, _>(with_exp, x),
        "forward-over-reverse Hessian"
    );
    // Dual<Dual<f64>>: the second derivative along v by nested forward mode
    let nested = |f: fn(&[Dual2]) -> Dual2| {
        let y = f(&line(x, &v, Dual::variable(Dual::variable(0.0))));
        [y.re.re, y.re.eps, y.eps.re, y.eps.eps]
    };
    assert_eq!(nested(with_custom_exp), nested(with_exp), "Dual<Dual<f64>>");
}

#[test]
fn exp_by_its_derivatives_is_exp_bit_for_bit_in_every_mode() {
    assert_exp_modes_identical(&[0.4, -1.3, 2.0]);
    assert_exp_modes_identical(&[-3.0, 0.25, -0.5]);
    // the tensor op against nn's own exp
    let x = [-2.0, -0.5, 0.0, 0.75, 3.0];
    let mut g = Graph::<f64>::new();
    let leaf = g.leaf(&x, &[5]);
    let y = g.custom_unary(leaf, &ExpByDerivatives);
    let z = g.exp(leaf);
    let w = g.leaf(&[1.0, -2.0, 0.5, 3.0, -1.0], &[5]);
    let (yw, zw) = (g.mul(y, w), g.mul(z, w));
    let (sy, sz) = (g.sum(yw), g.sum(zw));
    assert_eq!(g.value(y), g.value(z));
    g.backward(sy);
    let grad_custom = g.grad(leaf).unwrap().to_vec();
    g.backward(sz);
    assert_eq!(grad_custom, g.grad(leaf).unwrap());
}

#[test]
fn binary_primitive_matches_its_elementary_form() {
    fn custom<T: Scalar>(x: &[T]) -> T {
        x[0].custom_binary(&ScaledExp, x[1] * x[2]) + (x[1] - x[0]).custom_binary(&ScaledExp, x[0])
    }
    fn elementary<T: Scalar>(x: &[T]) -> T {
        x[0] * (x[1] * x[2]).exp() + (x[1] - x[0]) * x[0].exp()
    }
    let x = [0.6, -1.2, 0.9];
    let v = [1.0, 0.5, -2.0];
    let tol = 1e-14;
    assert_eq!(custom(&x), elementary(&x));
    let (a, b) = (dual::gradient(custom, x), dual::gradient(elementary, x));
    close("value", a.0, b.0, tol);
    close_all("DualVec gradient", &a.1, &b.1, tol);
    let (a, b) = (
        reverse::gradient(custom, x),
        reverse::gradient(elementary, x),
    );
    close_all("reverse gradient", &a.1, &b.1, tol);
    let (a, b) = (
        hyperdual::hessian(custom, x),
        hyperdual::hessian(elementary, x),
    );
    close_matrix("hyperdual Hessian", &a.2, &b.2, tol);
    let (a, b) = (reverse::hessian(custom, x), reverse::hessian(elementary, x));
    close_matrix("second-order tape Hessian", &a.2, &b.2, tol);
    let (a, b) = (
        reverse::hessian_vector_product(custom, x, v),
        reverse::hessian_vector_product(elementary, x, v),
    );
    close_all("Hessian-vector product", &a.2, &b.2, tol);
    let a = hyperdual::third_derivative(|t| custom(&line(&x, &v, t)), 0.0);
    let b = hyperdual::third_derivative(|t| elementary(&line(&x, &v, t)), 0.0);
    close_all("Taylor3", &[a.1, a.2, a.3], &[b.1, b.2, b.3], tol);
    let (a, b) = (
        hyperdual::third_partial(custom, x, (0, 1, 2)),
        hyperdual::third_partial(elementary, x, (0, 1, 2)),
    );
    close("third partial", a.1, b.1, tol);
}

#[test]
fn the_implicit_function_solves_its_equation_and_matches_finite_differences() {
    for p in [IMPLICIT, IMPLICIT_SCALED] {
        for &x in &[-30.0, -4.0, -1.0, -0.1, 0.0, 0.3, 1.0, 2.5, 7.0, 40.0, 1e6] {
            let y = x.custom_unary(&p);
            let residual = y + p.a * y.exp() - x;
            assert!(
                residual.abs() <= 4.0 * f64::EPSILON * x.abs().max(1.0),
                "a = {}, x = {x}: residual {residual:e}",
                p.a
            );
            // derivatives of orders 1, 2, 3 against central differences of the order below,
            // each computed in its own mode
            let h = 1e-5 * x.abs().max(1.0);
            let (_, d1) = dual::derivative(|t| t.custom_unary(&p), x);
            let fd1 = fd::central(|t| t.custom_unary(&p), x, h);
            close(&format!("y′({x})"), d1, fd1, 1e-8);
            let (_, d1_t2, d2) = hyperdual::second_derivative(|t| t.custom_unary(&p), x);
            assert_eq!(d1_t2, d1, "Taylor2's first derivative is Dual's");
            let fd2 = fd::central(|t| dual::derivative(|u| u.custom_unary(&p), t).1, x, h);
            close(&format!("y″({x})"), d2, fd2, 1e-8);
            let (_, _, d2_t3, d3) = hyperdual::third_derivative(|t| t.custom_unary(&p), x);
            assert_eq!(d2_t3, d2, "Taylor3's second derivative is Taylor2's");
            let fd3 = fd::central(
                |t| hyperdual::second_derivative(|u| u.custom_unary(&p), t).2,
                x,
                h,
            );
            close(&format!("y‴({x})"), d3, fd3, 1e-8);
            // the analytic first derivative from the implicit-function theorem
            close(
                &format!("y′({x}) analytic"),
                d1,
                1.0 / (1.0 + p.a * y.exp()),
                1e-15,
            );
        }
    }
}

/// Every mode's derivatives of [`implicit_program`] at `x`: against each other, against the
/// same program with [`ImplicitProduct`] composed from [`ImplicitExp`], and against central
/// differences.
fn check_implicit_program(x: &[f64], v: &[f64]) {
    let tol = 1e-12;
    let f = implicit_program::<f64>;
    let value = f(x);
    // gradients
    let (vf, gf) = dual::gradient(implicit_program, x);
    let (vr, gr) = reverse::gradient(implicit_program, x);
    assert_eq!(vf, value, "DualVec value");
    assert_eq!(vr, value, "reverse value");
    close_all("DualVec vs reverse gradient", &gf, &gr, tol);
    let (_, gc) = dual::gradient(implicit_program_composed, x);
    close_all("gradient vs composed", &gf, &gc, tol);
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        close(
            &format!("∂f/∂x{i} vs central difference"),
            gf[i],
            fd::partial(f, x, i, h),
            1e-7,
        );
    }
    // Hessians
    let (vh, gh, hh) = hyperdual::hessian(implicit_program, x);
    let (_, _, hc) = hyperdual::hessian_with_chunk::<2>(implicit_program, x);
    let (vs, gs, hs) = reverse::hessian(implicit_program, x);
    let (_, _, hm) = reverse::hessian_chunked::<2, _>(implicit_program, x);
    let (_, _, hcomp) = reverse::hessian(implicit_program_composed, x);
    assert_eq!((vh, vs), (value, value), "Hessian drivers' values");
    close_all("hyperdual gradient", &gh, &gf, tol);
    close_all("second-order tape gradient", &gs, &gf, tol);
    close_matrix("arena vs HyperDualVec Hessian", &hh, &hc, tol);
    close_matrix("hyperdual vs second-order tape Hessian", &hh, &hs, tol);
    close_matrix("hyperdual vs forward-over-reverse Hessian", &hh, &hm, tol);
    close_matrix("Hessian vs composed", &hh, &hcomp, tol);
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        let column = fd::partials(|y| reverse::gradient(implicit_program, y).1, x, i, h);
        for (k, &c) in column.iter().enumerate() {
            close(
                &format!("∂²f/∂x{k}∂x{i} vs central difference"),
                hh[(k, i)],
                c,
                1e-6,
            );
        }
    }
    let (_, _, hv) = reverse::hessian_vector_product(implicit_program, x, v);
    let hv_exact: Vec<f64> = (&hh * DMatrix::from_column_slice(v.len(), 1, v))
        .iter()
        .copied()
        .collect();
    close_all("Hessian-vector product vs H·v", &hv, &hv_exact, tol);
    // third order: along v (Taylor3) and one mixed partial (HyperDual<Dual<f64>>)
    let (_, t1, t2, t3) = hyperdual::third_derivative(|t| implicit_program(&line(x, v, t)), 0.0);
    let (_, c1, c2, c3) =
        hyperdual::third_derivative(|t| implicit_program_composed(&line(x, v, t)), 0.0);
    close_all("Taylor3 vs composed", &[t1, t2, t3], &[c1, c2, c3], tol);
    let vhv: f64 = hv.iter().zip(v).map(|(a, b)| a * b).sum();
    close("Taylor3 f″ vs vᵀHv", t2, vhv, tol);
    let h = 1e-5;
    let fd3 = fd::central(
        |t| hyperdual::second_derivative(|u| implicit_program(&line(x, v, u)), t).2,
        0.0,
        h,
    );
    close("Taylor3 f‴ vs central difference", t3, fd3, 1e-6);
    let (_, d012) = hyperdual::third_partial(implicit_program, x, (0, 1, 2));
    let (_, c012) = hyperdual::third_partial(implicit_program_composed, x, (0, 1, 2));
    close("third partial vs composed", d012, c012, tol);
    let hx = 1e-5 * x[2].abs().max(1.0);
    let fd012 = fd::partial(
        |y| reverse::hessian(implicit_program, y).2[(0, 1)],
        x,
        2,
        hx,
    );
    close("third partial vs central difference", d012, fd012, 1e-6);
}

#[test]
fn implicit_primitives_agree_across_modes_and_with_finite_differences() {
    check_implicit_program(&[0.7, -1.1, 0.4], &[1.0, -0.5, 2.0]);
    check_implicit_program(&[-2.0, 0.3, 3.5], &[0.2, 1.0, -1.0]);
    check_implicit_program(&[1.5, 2.0, -0.8], &[-1.0, 0.5, 0.25]);
}

#[test]
fn nested_forward_numbers_take_every_order_from_the_primitive() {
    // Dual<Dual<Dual<f64>>> at a variable seeded at every level: the third derivative.
    let x = 0.8;
    let t = Dual::variable(Dual::variable(Dual::variable(x)));
    let y = t.custom_unary(&IMPLICIT);
    let [d0, d1, d2, d3, _] = IMPLICIT.derivatives(x);
    assert_eq!(y.re.re.re, d0);
    assert_eq!(y.eps.eps.eps, d3);
    assert_eq!((y.re.eps.re, y.eps.re.re, y.re.re.eps), (d1, d1, d1));
    assert_eq!((y.eps.eps.re, y.eps.re.eps, y.re.eps.eps), (d2, d2, d2));
    // Taylor3<Dual<f64>> needs the 4th derivative, which ImplicitExp provides
    let d4 = Taylor3::variable(Dual::variable(x))
        .custom_unary(&IMPLICIT)
        .d3
        .eps;
    assert_eq!(d4, IMPLICIT.derivatives(x)[4]);
    let h = 1e-4;
    let fd4 = fd::central(
        |u| hyperdual::third_derivative(|v| v.custom_unary(&IMPLICIT), u).3,
        x,
        h,
    );
    close("y⁗ vs central difference", d4, fd4, 1e-7);
    // the binary primitive on DualVec<Dual<f64>> (a gradient of a derivative)
    let (_, grad_of_slope) = dual::gradient_at::<Dual<f64>, 2>(
        |v| v[0].custom_binary(&ImplicitProduct, v[1]),
        &[Dual::variable(0.5), Dual::lift(1.5)],
    );
    let d11 = ImplicitProduct.partial(1, 1, 0.5, 1.5).unwrap();
    let d20 = ImplicitProduct.partial(2, 0, 0.5, 1.5).unwrap();
    assert_eq!(grad_of_slope[0].eps, d20);
    assert_eq!(grad_of_slope[1].eps, d11);
}

#[test]
fn tensor_ops_match_the_scalar_tape() {
    let x = [-1.5, -0.2, 0.0, 0.9, 2.0, 6.0];
    let w = [0.5, -1.0, 2.0, 0.3, -0.7, 1.2];
    // sum_i ImplicitProduct(ImplicitExp(x_i) · w_i, w_i)
    let scalar = |v: &[Var]| -> Var {
        let mut s = Var::constant(0.0);
        for i in 0..x.len() {
            let y = v[i].custom_unary(&IMPLICIT) * v[x.len() + i];
            s += y.custom_binary(&ImplicitProduct, v[x.len() + i]);
        }
        s
    };
    let point: Vec<f64> = x.iter().chain(&w).copied().collect();
    let (value, grad) = reverse::gradient(scalar, &point);

    let mut g = Graph::<f64>::new();
    let (xs, ws) = (g.leaf(&x, &[2, 3]), g.leaf(&w, &[2, 3]));
    let y = g.custom_unary(xs, &IMPLICIT);
    let yw = g.mul(y, ws);
    let z = g.custom_binary(yw, ws, &ImplicitProduct);
    let s = g.sum(z);
    g.backward(s);
    close("value", g.item(s), value, 1e-15);
    close_all("∂/∂x", g.grad(xs).unwrap(), &grad[..x.len()], 1e-15);
    close_all("∂/∂w", g.grad(ws).unwrap(), &grad[x.len()..], 1e-15);
    for (i, &gi) in grad.iter().enumerate() {
        let tensor_loss = |p: &[f64]| {
            let mut g = Graph::<f64>::new();
            let (xs, ws) = (g.input(&p[..6], &[6]), g.input(&p[6..], &[6]));
            let y = g.custom_unary(xs, &IMPLICIT);
            let yw = g.mul(y, ws);
            let z = g.custom_binary(yw, ws, &ImplicitProduct);
            let s = g.sum(z);
            g.item(s)
        };
        close(
            &format!("∂/∂p{i} vs central difference"),
            gi,
            fd::partial(tensor_loss, &point, i, 1e-6),
            1e-7,
        );
    }
    // the same operand twice: both partials reach it
    let mut g = Graph::<f64>::new();
    let a = g.leaf(&[0.5, -1.0], &[2]);
    let z = g.custom_binary(a, a, &ImplicitProduct);
    let s = g.sum(z);
    g.backward(s);
    let (_, expected) = reverse::gradient(
        |v: &[Var]| {
            v[0].custom_binary(&ImplicitProduct, v[0]) + v[1].custom_binary(&ImplicitProduct, v[1])
        },
        [0.5, -1.0],
    );
    close_all("f(a, a)", g.grad(a).unwrap(), &expected, 1e-15);
    // the backward kernel multiplies by the chain rule's product: √′(0) = +∞ times a zero
    // upstream gradient is 0, as in the scalar modes (IEEE would give NaN)
    let mut g = Graph::<f64>::new();
    let a = g.leaf(&[0.0, 4.0], &[2]);
    let r = g.custom_unary(a, &SqrtFirstOrder);
    let zero_one = g.input(&[0.0, 1.0], &[2]);
    let weighted = g.mul(r, zero_one);
    let s = g.sum(weighted);
    g.backward(s);
    assert_eq!(g.grad(a).unwrap(), &[0.0, 0.25]);
    let (_, scalar_grad) = reverse::gradient(
        |v: &[Var]| v[0].custom_unary(&SqrtFirstOrder) * 0.0 + v[1].custom_unary(&SqrtFirstOrder),
        [0.0, 4.0],
    );
    assert_eq!(scalar_grad, vec![0.0, 0.25]);
    // f32 tensors
    let mut g = Graph::<f32>::new();
    let a = g.leaf(&[0.0, 1.0], &[2]);
    let y = g.custom_unary(a, &ImplicitExp { a: 1.0_f32 });
    let s = g.sum(y);
    g.backward(s);
    assert_eq!(g.value(y), &[ImplicitExp { a: 1.0_f32 }.solve(0.0), 0.0]);
    assert_eq!(g.grad(a).unwrap()[1], 0.5);
}

#[test]
fn f32_numbers_use_the_same_description() {
    let p32 = ImplicitExp { a: 1.0_f32 };
    for &x in &[-3.0_f32, 0.0, 1.0, 4.5] {
        let (y, d) = dual::derivative_at(|t: Dual<f32>| t.custom_unary(&p32), x);
        let [y64, d64, ..] = IMPLICIT.derivatives(f64::from(x));
        close(&format!("y({x}) in f32"), f64::from(y), y64, 1e-6);
        close(&format!("y′({x}) in f32"), f64::from(d), d64, 1e-6);
    }
}

#[test]
fn a_zero_tangent_stops_an_infinite_derivative_as_for_elementary_functions() {
    // √ at 0 has derivative +∞; the argument x₀·0 does not depend on x₀, so ∂f/∂x₀ is 0 in every
    // mode (the strong-zero rule), as for `sqrt` itself.
    fn custom<T: Scalar>(x: &[T]) -> T {
        x[1] * (x[0] * 0.0).custom_unary(&SqrtFirstOrder) + x[0] * x[1]
    }
    fn elementary<T: Scalar>(x: &[T]) -> T {
        x[1] * (x[0] * 0.0).sqrt() + x[0] * x[1]
    }
    let x = [1.5, 2.0];
    let forward = dual::gradient(custom, x);
    assert_eq!(forward, (3.0, vec![2.0, 1.5]));
    assert_eq!(forward, dual::gradient(elementary, x));
    assert_eq!(reverse::gradient(custom, x), forward);
    assert_eq!(reverse::gradient(elementary, x), forward);
    // at 0 itself the derivative is +∞ in every mode
    let at_zero = |f: fn(&[Var]) -> Var| reverse::gradient(f, [0.0, 2.0]).1;
    let sqrt_at_x0 = |v: &[Var]| v[0].custom_unary(&SqrtFirstOrder);
    assert_eq!(at_zero(sqrt_at_x0), vec![f64::INFINITY, 0.0]);
    assert_eq!(
        dual::gradient(|v| v[0].custom_unary(&SqrtFirstOrder), [0.0, 2.0]).1,
        vec![f64::INFINITY, 0.0]
    );
}

#[test]
fn a_missing_derivative_panics_naming_the_primitive_the_order_and_the_number_type() {
    // first-order modes need f′ only
    assert_eq!(4.0.custom_unary(&SqrtFirstOrder), 2.0);
    assert_eq!(
        dual::derivative(|x| x.custom_unary(&SqrtFirstOrder), 4.0),
        (2.0, 0.25)
    );
    assert_eq!(
        reverse::gradient(|v: &[Var]| v[0].custom_unary(&SqrtFirstOrder), [4.0]),
        (2.0, vec![0.25])
    );
    let m = panic_message(|| {
        let _ = HyperDual::new(4.0, 1.0, 1.0, 0.0).custom_unary(&SqrtFirstOrder);
    });
    assert_eq!(
        m,
        "custom primitive `sqrt_first_order` has no 2nd derivative, which HyperDual<f64> needs; \
         provide it in `derivative(2, x)`"
    );
    let m = panic_message(|| {
        let _ = hyperdual::second_derivative(|x| x.custom_unary(&SqrtFirstOrder), 4.0);
    });
    assert!(
        m.contains("no 2nd derivative, which Taylor2<f64> needs"),
        "{m}"
    );
    let m = panic_message(|| {
        let _ = hyperdual::hessian(|v| v[0].custom_unary(&SqrtFirstOrder), [4.0]);
    });
    assert!(
        m.contains("no 2nd derivative, which ArenaHyperDual<8> needs"),
        "{m}"
    );
    let m = panic_message(|| {
        let _ = reverse::hessian(|v: &[HessianVar]| v[0].custom_unary(&SqrtFirstOrder), [4.0]);
    });
    assert!(
        m.contains("no 2nd derivative, which HessianVar needs"),
        "{m}"
    );
    let m = panic_message(|| {
        let _ =
            reverse::hessian_vector_product(|v| v[0].custom_unary(&SqrtFirstOrder), [4.0], [1.0]);
    });
    assert!(
        m.contains("no 2nd derivative, which Var<Dual<f64>> needs"),
        "{m}"
    );
    // a constant argument needs the same orders: what a type needs does not depend on values
    let m = panic_message(|| {
        let _ = Taylor2::lift(4.0).custom_unary(&SqrtFirstOrder);
    });
    assert!(
        m.contains("no 2nd derivative, which Taylor2<f64> needs"),
        "{m}"
    );
    // ImplicitExp provides orders up to 4; Taylor3<Dual<Dual<f64>>> needs the 5th
    let m = panic_message(|| {
        let t = Taylor3::variable(Dual::variable(Dual::variable(0.5)));
        let _ = t.custom_unary(&IMPLICIT);
    });
    assert_eq!(
        m,
        "custom primitive `implicit_exp` has no 5th derivative, which Taylor3<Dual<Dual<f64>>> \
         needs; provide it in `derivative(5, x)`"
    );
    // a missing partial of a binary primitive
    let m = panic_message(|| {
        let _ = dual::gradient(|v| v[0].custom_binary(&NoPartialInY, v[1]), [1.0, 2.0]);
    });
    assert!(
        m.contains(
            "custom primitive `no_partial_in_y` has no partial derivative ∂f/∂y, which \
             DualVec<f64, 10> needs; provide it in `partial(0, 1, x, y)`"
        ),
        "{m}"
    );
    let m = panic_message(|| {
        let _ = nn_without_derivative();
    });
    assert!(
        m.contains(
            "has no 1st derivative, which Graph<f64> needs; provide it in `derivative(1, x)`"
        ),
        "{m}"
    );
}

/// A tensor op on a primitive with a value only, where a gradient is needed.
fn nn_without_derivative() -> Vec<f64> {
    struct ValueOnly;
    impl UnaryPrimitive for ValueOnly {
        fn name(&self) -> &str {
            "value_only"
        }
        fn derivative(&self, order: usize, x: f64) -> Option<f64> {
            (order == 0).then_some(x)
        }
    }
    let mut g = Graph::<f64>::new();
    // without a gradient, the value suffices
    let a = g.input(&[1.0], &[1]);
    let b = g.custom_unary(a, &ValueOnly);
    assert_eq!(g.value(b), &[1.0]);
    let a = g.leaf(&[1.0], &[1]);
    let b = g.custom_unary(a, &ValueOnly);
    g.value(b).to_vec()
}

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    #[test]
    fn exp_by_its_derivatives_is_exp_at_random_points(
        x0 in -3.0..3.0_f64, x1 in 0.2..3.0_f64, x2 in -3.0..3.0_f64,
    ) {
        assert_exp_modes_identical(&[x0, x1, x2]);
    }

    #[test]
    fn implicit_primitives_agree_at_random_points(
        x0 in -2.5..2.5_f64, x1 in -2.5..2.5_f64, x2 in -2.5..2.5_f64,
        v0 in -1.0..1.0_f64, v1 in -1.0..1.0_f64, v2 in -1.0..1.0_f64,
    ) {
        check_implicit_program(&[x0, x1, x2], &[v0, v1, v2]);
    }

    #[test]
    fn the_implicit_function_solves_its_equation_at_random_points(
        x in -1e3..1e3_f64, a in 0.01..100.0_f64,
    ) {
        let p = ImplicitExp { a };
        let y = p.solve(x);
        let residual = y + a * y.exp() - x;
        prop_assert!(residual.abs() <= 8.0 * f64::EPSILON * x.abs().max(a).max(1.0),
            "x = {}, a = {}: residual {:e}", x, a, residual);
        let (_, d) = dual::derivative(|t| t.custom_unary(&p), x);
        prop_assert_eq!(d, 1.0 / (1.0 + a * y.exp()));
    }
}

//! Every mode's *value* is the plain `f64` evaluation, bit for bit: each number type computes its
//! value with the same floating-point operations as `f64` does, whatever it does for the
//! derivatives. Quotients are where that can slip — `a · (1/b)`, `x · (1/c)` and `(1/x) · c`
//! round twice where `a / b`, `x / c` and `c / x` round once (found: a forward-mode value one ulp
//! off, and through it a derivative 8e-12 off the reverse one behind `cos` of a large argument)
//! — and `Sum`, which for `f64` starts from −0 (so a sum of −0 is −0). The cross-mode suite
//! checks the values of random programs bitwise as well; this test aims at those forms.

use diffprog::hyperdual;
use diffprog::{dual, dual::Dual, reverse, Scalar};
use proptest::prelude::*;

/// Quotients in every form, a reciprocal, and sums (`Sum`, of terms that may be −0).
fn quotients<T: Scalar>(x: &[T], c: f64) -> T {
    let q = x[0] / x[1]; // number / number
    let r = x[2] / c; // number / constant
    let s = T::constant(c) / x[0]; // constant / number
    let t = (x[1] * x[2]).recip();
    let u = (q - r) / (s * s + 1.0);
    let negative_zeros: T = [x[1] * 0.0, x[2] * -0.0].into_iter().sum();
    [q, r, s, t, u].into_iter().sum::<T>() + negative_zeros
}

/// Only `−0` terms: the sum is −0 for `f64`, and must be for every number type.
fn negative_zero_sum<T: Scalar>(x: &[T], _c: f64) -> T {
    x.iter().map(|&v| -(v.abs() * 0.0)).sum()
}

/// The quotient forms for `f32` numbers.
fn quotients_f32<T: Scalar<f32>>(x: &[T], c: f32) -> T {
    [x[0] / x[1], x[2] / c, T::constant(c) / x[0], x[1].recip()]
        .into_iter()
        .sum()
}

/// Nonzero values of both signs and very different magnitudes.
fn nonzero() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e3..-1e-3f64,
        1e-3..1e3f64,
        -1e-200..-1e-210f64,
        1e-210..1e-200f64
    ]
}

/// Asserts that `value` is `expected`, bit for bit (`what` names the mode).
fn identical(what: &str, value: f64, expected: f64) -> Result<(), TestCaseError> {
    prop_assert!(
        value.to_bits() == expected.to_bits() || (value.is_nan() && expected.is_nan()),
        "{}: {:e} ({:#x}) vs f64 {:e} ({:#x})",
        what,
        value,
        value.to_bits(),
        expected,
        expected.to_bits()
    );
    Ok(())
}

/// Every driver's value of `f` at `x` against `f::<f64>(x)`.
fn check(f: fn(&[f64], f64) -> f64, g: Generic, x: &[f64], c: f64) -> Result<(), TestCaseError> {
    let expected = f(x, c);
    let v = vec![0.5, -1.5, 2.0];
    let values = [
        (
            "reverse gradient",
            reverse::gradient(|x| (g.var)(x, c), x).0,
        ),
        ("forward gradient", dual::gradient(|x| (g.grad)(x, c), x).0),
        (
            "forward gradient, chunks of 3",
            dual::gradient_with_chunk::<3>(|x| (g.chunk3)(x, c), x).0,
        ),
        (
            "reverse hessian",
            reverse::hessian(|x| (g.hessian_var)(x, c), x).0,
        ),
        (
            "forward-over-reverse hessian",
            reverse::hessian_chunked::<2, _>(|x| (g.mixed2)(x, c), x).0,
        ),
        (
            "hessian-vector product",
            reverse::hessian_vector_product(|x| (g.hvp)(x, c), x, &v).0,
        ),
        (
            "hyperdual hessian",
            hyperdual::hessian(|x| (g.arena)(x, c), x).0,
        ),
        (
            "hyperdual hessian, blocks of 3",
            hyperdual::hessian_with_chunk::<3>(|x| (g.hyperdual_vec)(x, c), x).0,
        ),
        // Along x + t·v at t = 0 (which is x: no input is −0 here).
        (
            "second derivative (Taylor2)",
            hyperdual::second_derivative(|t| (g.taylor2)(&line(x, &v, t), c), 0.0).0,
        ),
        (
            "third derivative (Taylor3)",
            hyperdual::third_derivative(|t| (g.taylor3)(&line(x, &v, t), c), 0.0).0,
        ),
    ];
    for (what, value) in values {
        identical(what, value, expected)?;
    }
    Ok(())
}

/// `c / x` with a plain float on the left (the operators written for each concrete type).
fn float_on_the_left(x: f64, c: f64) -> Result<(), TestCaseError> {
    let expected = c / x;
    let xs = [x];
    identical("c / Var", reverse::gradient(|v| c / v[0], xs).0, expected)?;
    identical("c / DualVec", dual::gradient(|v| c / v[0], xs).0, expected)?;
    identical("c / Dual", (c / Dual::new(x, 1.0)).re, expected)?;
    identical(
        "c / HessianVar",
        reverse::hessian(|v| c / v[0], xs).0,
        expected,
    )?;
    let v = [1.0];
    identical(
        "c / Var<Dual>",
        reverse::hessian_vector_product(|v| c / v[0], xs, v).0,
        expected,
    )?;
    let mixed = reverse::hessian_chunked::<2, _>(|v| c / v[0], &xs).0;
    identical("c / Var<DualVec>", mixed, expected)?;
    identical(
        "c / ArenaHyperDual",
        hyperdual::hessian(|v| c / v[0], xs).0,
        expected,
    )?;
    let blocks = hyperdual::hessian_with_chunk::<3>(|v| c / v[0], &xs).0;
    identical("c / HyperDualVec", blocks, expected)?;
    identical(
        "c / HyperDual",
        (c / hyperdual::HyperDual::new(x, 1.0, 1.0, 0.0)).re,
        expected,
    )?;
    identical(
        "c / Taylor2",
        hyperdual::second_derivative(|t| c / t, x).0,
        expected,
    )?;
    identical(
        "c / Taylor3",
        hyperdual::third_derivative(|t| c / t, x).0,
        expected,
    )?;
    let (x32, c32) = (x as f32, c as f32);
    let d32 = (c32 / Dual::new(x32, 1.0)).re;
    prop_assert!(
        d32.to_bits() == (c32 / x32).to_bits(),
        "c / Dual<f32>: {:e} vs {:e}",
        d32,
        c32 / x32
    );
    Ok(())
}

fn line<T: Scalar>(x: &[f64], v: &[f64], t: T) -> Vec<T> {
    x.iter().zip(v).map(|(&a, &b)| t * b + a).collect()
}

/// A function of the inputs and the constant `c`, at number type `T`.
type Of<T> = fn(&[T], f64) -> T;

/// One generic function instantiated at each number type the drivers use.
#[derive(Clone, Copy)]
struct Generic {
    var: Of<reverse::Var>,
    grad: Of<dual::GradientNumber>,
    chunk3: Of<dual::DualVec<f64, 3>>,
    hessian_var: Of<reverse::HessianVar>,
    mixed2: Of<reverse::Var<dual::DualVec<f64, 2>>>,
    hvp: Of<reverse::Var<Dual<f64>>>,
    arena: Of<hyperdual::HessianNumber>,
    hyperdual_vec: Of<hyperdual::HyperDualVec<f64, 3, 3>>,
    taylor2: Of<hyperdual::Taylor2<f64>>,
    taylor3: Of<hyperdual::Taylor3<f64>>,
}

macro_rules! generic {
    ($f:ident) => {
        Generic {
            var: $f,
            grad: $f,
            chunk3: $f,
            hessian_var: $f,
            mixed2: $f,
            hvp: $f,
            arena: $f,
            hyperdual_vec: $f,
            taylor2: $f,
            taylor3: $f,
        }
    };
}

proptest! {
    #![proptest_config(diffprog_testkit::config(512))]

    #[test]
    fn quotient_values_are_bit_identical(
        x in proptest::collection::vec(nonzero(), 3),
        c in nonzero(),
    ) {
        check(quotients, generic!(quotients), &x, c)?;
        float_on_the_left(x[0], c)?;
        // f32 numbers likewise, against the f32 evaluation.
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let d32: Vec<Dual<f32>> = x32.iter().map(|&v| Dual::new(v, 1.0)).collect();
        let (plain, dual32) = (quotients_f32(&x32, c as f32), quotients_f32(&d32, c as f32));
        prop_assert!(
            plain.to_bits() == dual32.re.to_bits() || (plain.is_nan() && dual32.re.is_nan()),
            "Dual<f32>: {:e} vs f32 {:e}", dual32.re, plain
        );
    }

    #[test]
    fn sums_of_negative_zeros_are_negative_zero(x in proptest::collection::vec(nonzero(), 3)) {
        prop_assert!(negative_zero_sum(&x, 0.0).is_sign_negative());
        check(negative_zero_sum, generic!(negative_zero_sum), &x, 0.0)?;
    }
}

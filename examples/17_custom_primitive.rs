//! A custom primitive in every mode: the Lambert W function, solved by Newton's method, with its
//! derivatives from the implicit-function theorem — described once on `f64` and differentiated
//! forward, to second and third order, and in reverse mode.
//!
//! `cargo run --release --example 17_custom_primitive`

use diffprog::dual::custom::UnaryPrimitive;
use diffprog::{dual, hyperdual, reverse, Scalar};

/// The principal branch W₀ of the Lambert W function: w(x) solving w·eʷ = x, for x ≥ −1/e.
///
/// The value is Newton's method on G(w) = w·eʷ − x (convex and increasing for w > −1, so from a
/// start on the right of the root the iterates decrease to it). The derivatives follow from the
/// implicit-function theorem, w′ = −G_x/G_w = 1/(eʷ(1 + w)), and differentiating again (with
/// w/x = e⁻ʷ, so that no formula divides by x):
///
/// - w″ = −e⁻²ʷ(w + 2)/(1 + w)³,
/// - w‴ = e⁻³ʷ(2w² + 8w + 9)/(1 + w)⁵.
struct LambertW {
    /// The most Newton steps taken.
    max_steps: usize,
}

impl LambertW {
    fn solve(&self, x: f64) -> f64 {
        if x < -(-1.0_f64).exp() {
            return f64::NAN;
        }
        // G(ln(1 + x)) = (1 + x)·ln(1 + x) − x ≥ 0: on the right of the root.
        let mut w = x.ln_1p();
        for _ in 0..self.max_steps {
            let e = w.exp();
            let step = (w * e - x) / (e * (1.0 + w));
            if step.is_nan() || step <= 0.0 {
                break;
            }
            w -= step;
        }
        w
    }
}

impl UnaryPrimitive for LambertW {
    fn name(&self) -> &str {
        "lambert_w"
    }
    fn derivative(&self, order: usize, x: f64) -> Option<f64> {
        let w = self.solve(x);
        let (e, p) = ((-w).exp(), 1.0 / (1.0 + w));
        match order {
            0 => Some(w),
            1 => Some(e * p),
            2 => Some(-e * e * (w + 2.0) * p.powi(3)),
            3 => Some(e * e * e * (2.0 * w * w + 8.0 * w + 9.0) * p.powi(5)),
            _ => None,
        }
    }
}

const W: LambertW = LambertW { max_steps: 100 };

/// A function of one variable through the primitive, written once for every number type.
fn f<T: Scalar>(x: T) -> T {
    x.custom_unary(&W) * x.sin()
}

/// A function of two variables: W(x·y) + y·W(x).
fn g<T: Scalar>(v: &[T]) -> T {
    (v[0] * v[1]).custom_unary(&W) + v[1] * v[0].custom_unary(&W)
}

/// `(f(x + h) − f(x − h))/2h`.
fn central(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn main() {
    let x = 1.5;
    let w = x.custom_unary(&W);
    println!("W({x}) = {w:.16}   (w·eʷ = {:.16})", w * w.exp());
    assert!((w * w.exp() - x).abs() < 4.0 * f64::EPSILON * x);
    assert_eq!(1.0_f64.custom_unary(&W), 0.567_143_290_409_783_8); // the omega constant

    // Forward mode: a Dual number asks the primitive for w′.
    let (v, d1) = dual::derivative(f, x);
    let fd1 = central(f, x, 1e-6);
    println!("\nforward:  f = W(x)·sin x at {x}: f = {v:.16}, f′ = {d1:.16}");
    println!("          central difference       f′ ≈ {fd1:.16}");
    assert!((d1 - fd1).abs() < 1e-8);

    // Second and third order: Taylor numbers ask for w″ and w‴.
    let (_, _, d2) = hyperdual::second_derivative(f, x);
    let (_, _, _, d3) = hyperdual::third_derivative(f, x);
    let fd2 = central(|t| dual::derivative(f, t).1, x, 1e-5);
    let fd3 = central(|t| hyperdual::second_derivative(f, t).2, x, 1e-5);
    println!("second:   f″ = {d2:.16}   (central difference of f′: {fd2:.16})");
    println!("third:    f‴ = {d3:.16}   (central difference of f″: {fd3:.16})");
    assert!((d2 - fd2).abs() < 1e-8 && (d3 - fd3).abs() < 1e-8);

    // A Hessian by hyperdual numbers, and the same by the reverse-mode tapes.
    let p = [1.5, 0.75];
    let (gv, grad, h) = hyperdual::hessian(g, p);
    let (rv, rgrad) = reverse::gradient(g, p);
    let (_, _, rh) = reverse::hessian(g, p);
    let (_, _, hv) = reverse::hessian_vector_product(g, p, [1.0, 0.0]);
    println!("\ng = W(x·y) + y·W(x) at {p:?}: g = {gv:.16}");
    println!("hyperdual: ∇g = {grad:?}, ∇²g = {h}");
    println!("reverse:   ∇g = {rgrad:?}");
    println!("second-order tape ∇²g = {rh}");
    println!("forward over reverse, ∇²g·e₀ = {hv:?}");
    assert_eq!(gv, rv);
    for i in 0..2 {
        assert!((grad[i] - rgrad[i]).abs() < 1e-14);
        assert!((h[(i, 0)] - hv[i]).abs() < 1e-14);
        for j in 0..2 {
            assert!((h[(i, j)] - rh[(i, j)]).abs() < 1e-14);
        }
    }
    println!("\nevery mode agrees, and with central differences");
}

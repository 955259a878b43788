//! One rule table: the tensor tape's elementwise functions take their values and derivatives from
//! `diffprog_dual::rules`, the table every other mode uses. Checked (1) bit for bit against the
//! rules on a grid with the edges (±0, ±1e300, ±∞, NaN, overflow), through `Unary` itself, the
//! unary op's backward pass and the fused dense layer's, in `f32` and `f64`; (2) in the tails,
//! where the cancelling forms `σ(1 − σ)` and `1 − tanh²` lose most or all digits: σ′(30) and
//! tanh′(20) to full relative accuracy in nn as in forward and reverse mode, against
//! `1/(4 cosh²(x/2))` and `1/cosh² x`.

use diffprog_dual::{rules, Dual, Scalar};
use diffprog_nn::{Graph, Unary};

const UNARIES_F64: [Unary<f64>; 17] = [
    Unary::Identity,
    Unary::Relu,
    Unary::LeakyRelu(0.1),
    Unary::Sigmoid,
    Unary::Tanh,
    Unary::Softplus,
    Unary::Gelu,
    Unary::Exp,
    Unary::Ln,
    Unary::Neg,
    Unary::Square,
    Unary::Sqrt,
    Unary::Abs,
    Unary::Sin,
    Unary::Cos,
    Unary::Powf(2.5),
    Unary::Powf(-1.5),
];

/// The rule of each `Unary` in the table (`LeakyRelu` and the identity are not in it: their
/// scalar code is `if x > 0 { x } else { s · x }` and `x`; `Neg` is `−x`).
macro_rules! rule {
    ($t:ty, $f:expr, $x:expr) => {{
        let (f, x): (Unary<$t>, $t) = ($f, $x);
        match f {
            Unary::Identity => (x, 1.0),
            Unary::Relu => rules::relu(x),
            Unary::LeakyRelu(s) => {
                if x > 0.0 {
                    (x, 1.0)
                } else {
                    (x * s, s)
                }
            }
            Unary::Sigmoid => rules::sigmoid(x),
            Unary::Tanh => rules::tanh(x),
            Unary::Softplus => rules::softplus(x),
            Unary::Gelu => rules::gelu(x),
            Unary::Exp => rules::exp(x),
            Unary::Ln => rules::ln(x),
            Unary::Neg => (-x, -1.0),
            Unary::Square => rules::powi(x, 2),
            Unary::Sqrt => rules::sqrt(x),
            Unary::Abs => rules::abs(x),
            Unary::Sin => rules::sin(x),
            Unary::Cos => rules::cos(x),
            Unary::Powf(p) => rules::powf(x, p),
        }
    }};
}

/// Bit-for-bit equality, any NaN equal to any NaN.
macro_rules! same_bits {
    ($a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }};
}

/// Checks every `Unary` at every grid point in one element type.
macro_rules! check_bit_for_bit {
    ($t:ty, $grid:expr) => {{
        let mut bad = Vec::new();
        for f64_f in UNARIES_F64 {
            let f: Unary<$t> = match f64_f {
                Unary::LeakyRelu(s) => Unary::LeakyRelu(s as $t),
                Unary::Identity => Unary::Identity,
                Unary::Relu => Unary::Relu,
                Unary::Sigmoid => Unary::Sigmoid,
                Unary::Tanh => Unary::Tanh,
                Unary::Softplus => Unary::Softplus,
                Unary::Gelu => Unary::Gelu,
                Unary::Exp => Unary::Exp,
                Unary::Ln => Unary::Ln,
                Unary::Neg => Unary::Neg,
                Unary::Square => Unary::Square,
                Unary::Sqrt => Unary::Sqrt,
                Unary::Abs => Unary::Abs,
                Unary::Sin => Unary::Sin,
                Unary::Cos => Unary::Cos,
                Unary::Powf(p) => Unary::Powf(p as $t),
            };
            for &x in $grid.iter() {
                let (value, derivative) = rule!($t, f, x);
                let (v, d) = f.value_and_derivative(x);
                let y = f.apply(x);
                let d_from_y = f.derivative(x, y);
                // the tape: the unary op, and the fused dense layer 1×1 with weight 1, each
                // seeded with 1 (the gradient buffer starts at +0, so −0 arrives as +0)
                let mut g = Graph::<$t>::new();
                let xn = g.leaf(&[x], &[1]);
                let yn = g.unary(xn, f);
                g.backward_with_grad(yn, &[1.0]);
                let (tape_value, tape) = (g.value(yn)[0], g.grad(xn).unwrap()[0]);
                g.reset();
                let xl = g.leaf(&[x], &[1, 1]);
                let w = g.input(&[1.0], &[1, 1]);
                let yl = g.linear(xl, w, None, f);
                g.backward_with_grad(yl, &[1.0]);
                let (linear_value, linear) = (g.value(yl)[0], g.grad(xl).unwrap()[0]);
                let zero: $t = 0.0;
                // the layer's pre-activation is the sum 0 + x · 1 (−0 becomes +0)
                let (value_z, derivative_z) = rule!($t, f, zero + x);
                let checks = [
                    ("value_and_derivative value", same_bits!(v, value)),
                    ("value_and_derivative derivative", same_bits!(d, derivative)),
                    ("apply", same_bits!(y, value)),
                    ("derivative(x, f(x))", same_bits!(d_from_y, derivative)),
                    ("unary op value", same_bits!(tape_value, value)),
                    ("unary op gradient", same_bits!(tape, zero + derivative)),
                    ("linear value", same_bits!(linear_value, value_z)),
                    ("linear gradient", same_bits!(linear, zero + derivative_z)),
                ];
                for (what, ok) in checks {
                    if !ok {
                        bad.push(format!(
                            "{} {f:?} at {x:e}: {what} (rule: value {value:e}, derivative \
                             {derivative:e}; value_and_derivative {v:e}, {d:e}; apply {y:e}; \
                             derivative(x, y) {d_from_y:e}; op {tape_value:e}, {tape:e}; \
                             linear {linear_value:e}, {linear:e})",
                            stringify!($t)
                        ));
                    }
                }
            }
        }
        bad
    }};
}

#[test]
fn unary_values_and_derivatives_are_the_rules_bit_for_bit() {
    let inf = f64::INFINITY;
    let grid64 = [
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        0.3,
        -0.3,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.5,
        -2.5,
        15.0,
        -15.0,
        20.0,
        -20.0,
        30.0,
        -30.0,
        40.0,
        -40.0,
        709.0,
        710.0,
        -745.0,
        -746.0,
        1e300,
        -1e300,
        inf,
        -inf,
        f64::NAN,
    ];
    let inf32 = f32::INFINITY;
    let grid32 = [
        0.0,
        -0.0,
        1e-38,
        -1e-38,
        0.3,
        -0.3,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.5,
        -2.5,
        9.0,
        -9.0,
        15.0,
        -15.0,
        30.0,
        -30.0,
        88.0,
        89.0,
        -103.0,
        -104.0,
        3e38,
        -3e38,
        inf32,
        -inf32,
        f32::NAN,
    ];
    let mut bad = check_bit_for_bit!(f64, grid64);
    bad.extend(check_bit_for_bit!(f32, grid32));
    assert!(
        bad.is_empty(),
        "{} disagreements with the rule table:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// σ′(x) = 1/(4 cosh²(x/2)) and tanh′(x) = 1/cosh² x in `f64` (cosh is accurate to an ulp or
/// so and does not overflow at these x).
fn sigmoid_prime(x: f64) -> f64 {
    let c = (x / 2.0).cosh();
    1.0 / (4.0 * c * c)
}

fn tanh_prime(x: f64) -> f64 {
    let c = x.cosh();
    1.0 / (c * c)
}

/// The derivative of `f` at `x` in every mode that has one: the tensor tape (unary op, fused
/// dense layer, in `f64` and in `f32`), forward mode (`Dual`) and the scalar reverse tape.
fn every_mode(f: Unary<f64>, x: f64) -> Vec<(&'static str, f64, f64)> {
    let scalar = |v: Dual<f64>| match f {
        Unary::Sigmoid => v.sigmoid(),
        _ => v.tanh(),
    };
    let f32_of = |f: Unary<f64>| match f {
        Unary::Sigmoid => Unary::<f32>::Sigmoid,
        _ => Unary::<f32>::Tanh,
    };
    let mut out = Vec::new();
    // tensor tape, f64
    let mut g = Graph::<f64>::new();
    let xn = g.leaf(&[x, -x], &[2]);
    let y = g.unary(xn, f);
    g.backward_with_grad(y, &[1.0, 1.0]);
    let d = g.grad(xn).unwrap().to_vec();
    out.push(("nn unary f64", d[0], f64::EPSILON));
    out.push(("nn unary f64 at −x", d[1], f64::EPSILON));
    g.reset();
    let xl = g.leaf(&[x], &[1, 1]);
    let w = g.input(&[1.0], &[1, 1]);
    let y = g.linear(xl, w, None, f);
    g.backward_with_grad(y, &[1.0]);
    out.push(("nn fused linear f64", g.grad(xl).unwrap()[0], f64::EPSILON));
    // tensor tape, f32
    let mut g = Graph::<f32>::new();
    let xn = g.leaf(&[x as f32], &[1]);
    let y = g.unary(xn, f32_of(f));
    g.backward_with_grad(y, &[1.0]);
    out.push((
        "nn unary f32",
        g.grad(xn).unwrap()[0] as f64,
        f32::EPSILON as f64,
    ));
    g.reset();
    let xl = g.leaf(&[x as f32], &[1, 1]);
    let w = g.input(&[1.0], &[1, 1]);
    let y = g.linear(xl, w, None, f32_of(f));
    g.backward_with_grad(y, &[1.0]);
    out.push((
        "nn fused linear f32",
        g.grad(xl).unwrap()[0] as f64,
        f32::EPSILON as f64,
    ));
    // forward and reverse mode
    out.push(("Dual", scalar(Dual::variable(x)).eps, f64::EPSILON));
    let (_, r) = diffprog_reverse::gradient(
        |v| match f {
            Unary::Sigmoid => v[0].sigmoid(),
            _ => v[0].tanh(),
        },
        [x],
    );
    out.push(("reverse", r[0], f64::EPSILON));
    out
}

#[test]
fn sigmoid_and_tanh_derivatives_in_the_tails_to_full_relative_accuracy() {
    let mut bad = Vec::new();
    for (f, x, exact) in [
        (Unary::Sigmoid, 30.0, sigmoid_prime(30.0)),
        (Unary::Sigmoid, 15.0, sigmoid_prime(15.0)),
        (Unary::Tanh, 20.0, tanh_prime(20.0)),
        (Unary::Tanh, 9.0, tanh_prime(9.0)),
        (Unary::Tanh, 0.3, tanh_prime(0.3)),
    ] {
        for (mode, d, eps) in every_mode(f, x) {
            // a few ulps of the mode's element type (a NaN fails too)
            let rel = (d - exact).abs() / exact;
            if rel.is_nan() || rel > 4.0 * eps {
                bad.push(format!(
                    "{f:?}′({x}) in {mode}: {d:e}, exact {exact:e}, relative error {rel:e}"
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

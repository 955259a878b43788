//! Elementwise activations in any number type (the generic-forward counterpart of
//! [`Unary`](crate::Unary)), and softmax.

use crate::{Element, Unary};
use diffprog_dual::Scalar;

/// `f(x)` for a number type `T` (a dual, hyperdual or `Var`), with the same definition as the
/// tensor kernel.
pub fn apply_generic<F: Element, T: Scalar<F>>(f: Unary<F>, x: T) -> T {
    match f {
        Unary::Identity => x,
        Unary::Relu => x.relu(),
        Unary::LeakyRelu(s) => {
            if x > F::zero() {
                x
            } else {
                x * s
            }
        }
        Unary::Sigmoid => x.sigmoid(),
        Unary::Tanh => x.tanh(),
        Unary::Softplus => x.softplus(),
        Unary::Gelu => x.gelu(),
        Unary::Exp => x.exp(),
        Unary::Ln => x.ln(),
        Unary::Neg => -x,
        Unary::Square => x * x,
        Unary::Sqrt => x.sqrt(),
        Unary::Abs => x.abs(),
        Unary::Sin => x.sin(),
        Unary::Cos => x.cos(),
        Unary::Powf(p) => x.powf(p),
    }
}

/// log-softmax of a vector in any number type (shifted by the maximum's value, stable).
pub fn log_softmax_generic<F: Element, T: Scalar<F>>(x: &[T]) -> Vec<T> {
    let m = x
        .iter()
        .map(|v| v.value())
        .fold(F::neg_infinity(), |a, b| if b > a { b } else { a });
    let m = if m.is_finite() { m } else { F::zero() };
    let s: T = x.iter().map(|&v| (v - m).exp()).sum();
    let lse = s.ln() + m;
    x.iter().map(|&v| v - lse).collect()
}

/// softmax of a vector in any number type.
pub fn softmax_generic<F: Element, T: Scalar<F>>(x: &[T]) -> Vec<T> {
    log_softmax_generic(x)
        .into_iter()
        .map(|v| v.exp())
        .collect()
}

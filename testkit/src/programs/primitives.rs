//! Custom primitives ([`diffprog::dual::custom`]) for the test suites: implicit functions solved
//! by Newton's method, whose derivatives come from the implicit-function theorem. The cross-mode
//! programs apply them ([`Unary::Custom`](super::program::Unary::Custom),
//! [`Binary::Custom`](super::program::Binary::Custom)); the root crate's
//! `tests/custom_primitive.rs` differentiates them in every mode.

use diffprog::dual::custom::{BinaryPrimitive, UnaryPrimitive};
use diffprog::Real;

/// y(x) solving `y + a·eʸ = x` (a > 0): an increasing function of every real x, with
/// y → −∞ as x → −∞ (y ≈ x) and y ≈ ln(x/a) for large x.
///
/// Its value is Newton's method; its derivatives follow from the implicit-function theorem for
/// G(x, y) = y + a·eʸ − x: y′ = −G_x/G_y = 1/(1 + u) with u = a·eʸ, and differentiating again,
/// with p = 1/(1 + u) and s = u/(1 + u) (so ds/dy = s·p, dp/dy = −s·p):
///
/// - y″ = −s·p²,
/// - y‴ = s·(2s − p)·p³,
/// - y⁗ = s·(8s·p − 6s² − p²)·p⁴.
///
/// s and p are computed as fractions in [0, 1], so no derivative overflows; the orders 0 to 4
/// are provided, none above.
#[derive(Clone, Copy, Debug)]
pub struct ImplicitExp<F> {
    /// The coefficient a > 0 of eʸ.
    pub a: F,
}

impl<F: Real> ImplicitExp<F> {
    /// The root y of `y + a·eʸ = x`, by Newton's method from the right of the root: G is convex
    /// and increasing in y, so the iterates decrease monotonically to the root; the iteration
    /// stops when a step no longer decreases y (at most 100 steps). ±∞ and NaN give ±∞ and
    /// NaN.
    pub fn solve(&self, x: F) -> F {
        let one = F::one();
        // G(x) = a·eˣ > 0, and G(ln(x/a)) = ln(x/a) ≥ 0 for x ≥ a: both lie on the right of the
        // root (or on it).
        let mut y = if x >= self.a { (x / self.a).ln() } else { x };
        if !y.is_finite() {
            return y;
        }
        for _ in 0..100 {
            let u = self.a * y.exp();
            let step = (y + u - x) / (one + u);
            if step.is_nan() || step <= F::zero() {
                break;
            }
            y -= step;
        }
        y
    }

    /// `(s, p)` at the root y: u/(1 + u) and 1/(1 + u) with u = a·eʸ.
    fn fractions(&self, y: F) -> (F, F) {
        let u = self.a * y.exp();
        if u.is_infinite() {
            (F::one(), F::zero())
        } else {
            (u / (F::one() + u), F::one() / (F::one() + u))
        }
    }

    /// The derivatives y⁽ᵏ⁾(x) for k = 0 to 4 at once (the root solved once).
    pub fn derivatives(&self, x: F) -> [F; 5] {
        let y = self.solve(x);
        let (s, p) = self.fractions(y);
        let two = F::one() + F::one();
        let p2 = p * p;
        let p3 = p2 * p;
        [
            y,
            p,
            -s * p2,
            s * (two * s - p) * p3,
            s * (F::from_f64(8.0) * s * p - F::from_f64(6.0) * s * s - p2) * p2 * p2,
        ]
    }
}

impl<F: Real> UnaryPrimitive<F> for ImplicitExp<F> {
    fn name(&self) -> &str {
        "implicit_exp"
    }
    fn derivative(&self, order: usize, x: F) -> Option<F> {
        if order == 0 {
            return Some(self.solve(x));
        }
        self.derivatives(x).get(order).copied()
    }
}

/// z(x, y) solving `z + eᶻ = x·y`: [`ImplicitExp`] (with a = 1) of the product t = x·y, given
/// by its own partials (the implicit-function theorem for G = z + eᶻ − x·y, through
/// Y = ImplicitExp at t): ∂z/∂x = y·Y′, ∂z/∂y = x·Y′, ∂²z/∂x² = y²·Y″, ∂²z/∂x∂y = Y′ + t·Y″,
/// ∂²z/∂y² = x²·Y″, and at the third order ∂³z/∂xⁱ∂yʲ (i + j = 3) = yⁱ·xʲ·Y‴ plus, for the mixed
/// ones, 2y·Y″ (i = 2) or 2x·Y″ (j = 2). Partials up to the third order are provided.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImplicitProduct;

impl<F: Real> BinaryPrimitive<F> for ImplicitProduct {
    fn name(&self) -> &str {
        "implicit_product"
    }
    fn partial(&self, i: usize, j: usize, x: F, y: F) -> Option<F> {
        let inner = ImplicitExp { a: F::one() };
        let t = x * y;
        if i + j == 0 {
            return Some(inner.solve(t));
        }
        let [_, d1, d2, d3, _] = inner.derivatives(t);
        let two = F::one() + F::one();
        Some(match (i, j) {
            (1, 0) => y * d1,
            (0, 1) => x * d1,
            (2, 0) => y * y * d2,
            (1, 1) => d1 + t * d2,
            (0, 2) => x * x * d2,
            (3, 0) => y * y * y * d3,
            (2, 1) => two * y * d2 + y * y * x * d3,
            (1, 2) => two * x * d2 + y * x * x * d3,
            (0, 3) => x * x * x * d3,
            _ => return None,
        })
    }
}

//! The one generic evaluator: runs a [`Program`] with any number type `T: Scalar`.
//!
//! Besides the outputs it returns a [`Trace`] of the primal path: every discrete decision the
//! evaluation took (branch taken, loop trip count, the side of every kink), whether it came near a
//! singular point, and the largest intermediate magnitude. The finite-difference checks compare
//! the path at the centre with the path at every point of the stencil and skip (and count) the
//! cases where it changes.

use super::primitives::{ImplicitExp, ImplicitProduct};
use super::program::{log_base, Binary, Expr, Node, Program, Ref, Rhs, Step, Unary};
use super::tolerance::NEAR_SINGULAR;
use diffprog::{HyperDual, Scalar};

/// What an evaluation did besides computing its outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// One entry per discrete decision: branch taken, loop trip count, side of a kink.
    pub path: Vec<i64>,
    /// True if some argument came within [`NEAR_SINGULAR`] of a singular point (∛ at 0, atan2
    /// and hypot at the origin), where finite differences are unreliable.
    pub near_singular: bool,
    /// The smallest distance of an argument to a singular point (∛ at 0, atan2 and hypot at the
    /// origin); +∞ if none was met.
    pub singular_distance: f64,
    /// The largest |value| of any input or node (NaN if some input or node was not finite).
    pub max_abs: f64,
    /// True if some argument was at a point where a first or second partial of ∛, atan2 or
    /// hypot is infinite or NaN while the arguments are finite: exactly at a singular point (∛ at
    /// 0, atan2 at the origin), or so close to one that the partials overflow (atan2 of 0 and a
    /// subnormal `x`: `∂/∂y = 1/x` is +∞, and the second partials, computed from `x² + y²`, which
    /// underflows to 0, are NaN). There the strong-zero rule and the modes' orders of summation
    /// decide what a derivative is. Such cases are compared by NaN/∞ pattern
    /// (`checks::patterns`, with the flow analysis of those orders), not value by value.
    pub singular: bool,
    /// True if some rule's mixed second partial differs in class (finite, +∞, −∞, NaN) between
    /// the two orders of differentiation, `∂(∂g/∂b)/∂a` against `∂(∂g/∂a)/∂b`, at finite
    /// arguments. Where g is smooth the two are equal; at a point where the rule's second
    /// partials overflow or meet `0/0` inside it (atan2 at a subnormal distance from the origin:
    /// `∂²/∂x∂y = (y² − x²)/(x² + y²)²` is `1/y²`, +∞, one way and `∞ − ∞` the other) they are
    /// not, and the modes take different ones (see `flow::Flow::second_order_across_orders`).
    pub mixed_order: bool,
    /// `[first order, second order]`: true if some quotient `a/d` (`DivPos`, `DivNeg`) had a
    /// finite value and a partial, as the tapes store it, beyond `f64::MAX`: `∂/∂d = −(a/d)·(1/d)`
    /// (first order) or `∂²/∂d² = 2·(a/d)·(1/d)²` (second order). Its exact value is finite,
    /// but the stored partial is ±∞: reverse mode and the second-order tape multiply that ±∞
    /// into the adjoint, while forward mode and the hyper-dual numbers form `(a/d)·ḋ` first and
    /// then divide by `d`, which stays finite (see `OVERFLOW_RANGE` in `flow.rs`).
    pub quotient_overflow: [bool; 2],
}

impl Default for Trace {
    fn default() -> Trace {
        Trace {
            path: Vec::new(),
            near_singular: false,
            singular_distance: f64::INFINITY,
            max_abs: 0.0,
            singular: false,
            mixed_order: false,
            quotient_overflow: [false; 2],
        }
    }
}

impl Trace {
    fn near(&mut self, d: f64) {
        self.near_singular |= d < NEAR_SINGULAR;
        self.singular_distance = self.singular_distance.min(d);
    }
    fn note(&mut self, v: f64) {
        if !v.is_finite() {
            self.max_abs = f64::NAN;
        } else if v.abs() > self.max_abs {
            self.max_abs = v.abs();
        }
    }
    /// Records which side of a decision `v` lies on. The zeros are told apart by their sign:
    /// some decisions turn on it (atan2 at y = ±0 with x < 0 is ±π; signum(±0) = ±1), and a zero
    /// can change sign across a finite-difference stencil on which it stays zero (`(x₁ − x₁)·x₀`
    /// is +0 for x₀ > 0 and −0 for x₀ < 0).
    fn side(&mut self, v: f64) {
        self.path.push(if v > 0.0 {
            1
        } else if v < 0.0 {
            -1
        } else if v.is_sign_negative() {
            -2
        } else {
            2
        });
    }
    /// True if every node value was finite.
    pub fn finite(&self) -> bool {
        self.max_abs.is_finite()
    }
    /// Notes a binary rule's partials at finite arguments: not finite (a singular point, see
    /// [`Trace::singular`]), or a mixed partial that depends on the order of differentiation
    /// (see [`Trace::mixed_order`]).
    fn rule(&mut self, partials: RulePartials) {
        self.singular |= partials.not_finite;
        self.mixed_order |= partials.mixed_order;
    }
    /// Notes the partials of the quotient `a/d` (see [`Trace::quotient_overflow`]), as the
    /// tapes compute them: `q·(1/d)` and `2·(q·(1/d))·(1/d)` with `q = a/d`. A product within
    /// a relative 10⁻¹² of `f64::MAX` counts as overflowed too, for the rounding of the tapes'
    /// own order of these products (a few ulps).
    fn quotient(&mut self, a: f64, d: f64) {
        let (q, inv) = (a / d, 1.0 / d);
        if q.is_finite() && inv.is_finite() {
            let limit = f64::MAX * (1.0 - 1e-12);
            let first = (q * inv).abs();
            self.quotient_overflow[0] |= first > limit;
            self.quotient_overflow[1] |= 2.0 * first * inv.abs() > limit;
        }
    }
}

/// What [`rule_partials`] found.
#[derive(Clone, Copy, Debug, Default)]
struct RulePartials {
    /// A first or second partial is infinite or NaN.
    not_finite: bool,
    /// The mixed partial differs in class between the two orders of differentiation.
    mixed_order: bool,
}

/// The class of a number: finite, +∞, −∞ or NaN.
fn class(v: f64) -> u8 {
    if v.is_nan() {
        3
    } else if v == f64::INFINITY {
        1
    } else if v == f64::NEG_INFINITY {
        2
    } else {
        0
    }
}

/// The first and second partials of the rule `f` at finite arguments `a`, `b` (from hyper-dual
/// numbers, seeded along `a`, along `b`, and along both, in either order): whether one is
/// infinite or NaN, and whether the mixed one differs in class between the two orders. Nothing
/// is found at non-finite arguments.
fn rule_partials(
    f: impl Fn(HyperDual<f64>, HyperDual<f64>) -> HyperDual<f64>,
    a: f64,
    b: f64,
) -> RulePartials {
    if !(a.is_finite() && b.is_finite()) {
        return RulePartials::default();
    }
    let at = |(a1, a2): (f64, f64), (b1, b2): (f64, f64)| {
        f(
            HyperDual::new(a, a1, a2, 0.0),
            HyperDual::new(b, b1, b2, 0.0),
        )
    };
    let not_finite =
        |r: HyperDual<f64>| !(r.eps1.is_finite() && r.eps2.is_finite() && r.eps12.is_finite());
    let (along_a, along_b) = (at((1.0, 1.0), (0.0, 0.0)), at((0.0, 0.0), (1.0, 1.0)));
    let (a_then_b, b_then_a) = (at((1.0, 0.0), (0.0, 1.0)), at((0.0, 1.0), (1.0, 0.0)));
    RulePartials {
        not_finite: not_finite(along_a)
            || not_finite(along_b)
            || not_finite(a_then_b)
            || not_finite(b_then_a),
        mixed_order: class(a_then_b.eps12) != class(b_then_a.eps12),
    }
}

/// The sign ±1 of a node constant (+1 for 0).
fn sgn(c: f64) -> f64 {
    if c >= 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// Applies a unary operation in its domain-safe form (see [`Unary`]).
pub fn unary<T: Scalar>(op: Unary, c: f64, a: T, tr: &mut Trace) -> T {
    use Unary::*;
    match op {
        Neg => -a,
        Recip => (a.tanh() + 1.5 * sgn(c)).recip(),
        Sqrt => (a * a + (0.1 + c.abs())).sqrt(),
        Cbrt => {
            tr.side(a.value());
            tr.near(a.value().abs());
            let partials = rule_partials(|a, _| a.cbrt(), a.value(), 0.0);
            tr.singular |= a.value() == 0.0 || partials.not_finite;
            a.cbrt()
        }
        Powi(n) if n >= 0 => a.powi(n),
        Powi(n) => (a * a + 0.5).powi(n),
        Powf => (a * a + 0.5).powf(c),
        Exp => a.exp(),
        Exp2 => a.exp2(),
        ExpM1 => a.exp_m1(),
        Ln => (a * a + 1.0).ln(),
        Ln1p => (a.tanh() * 0.9).ln_1p(),
        Log2 => (a * a + 1.0).log2(),
        Log10 => (a * a + 1.0).log10(),
        Log => (a * a + 1.0).log(log_base(c)),
        Sin => a.sin(),
        Cos => a.cos(),
        Tan => (a.tanh() * 1.4).tan(),
        SinCos => {
            let (s, co) = a.sin_cos();
            s * 0.75 + co
        }
        Asin => (a.tanh() * 0.95).asin(),
        Acos => (a.tanh() * 0.95).acos(),
        Atan => a.atan(),
        Sinh => a.sinh(),
        Cosh => a.cosh(),
        Tanh => a.tanh(),
        Asinh => a.asinh(),
        Acosh => (a * a + 1.1).acosh(),
        Atanh => (a.tanh() * 0.9).atanh(),
        Abs => {
            tr.side(a.value());
            a.abs()
        }
        Signum => {
            tr.side(a.value());
            a.signum()
        }
        Sigmoid => a.sigmoid(),
        Softplus => a.softplus(),
        Relu => {
            tr.side(a.value());
            a.relu()
        }
        Erf => a.erf(),
        Erfc => a.erfc(),
        Gelu => a.gelu(),
        Affine => (-(a * 1.25) + c) / 2.0 - 0.5,
        AffineAssign => {
            let mut t = -a;
            t *= 1.25;
            t += c;
            t /= 2.0;
            t -= 0.5;
            t
        }
        Custom => a.custom_unary(&ImplicitExp { a: 1.0 }),
    }
}

/// Applies a binary operation in its domain-safe form (see [`Binary`]).
pub fn binary<T: Scalar>(op: Binary, a: T, b: T, tr: &mut Trace) -> T {
    use Binary::*;
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        DivPos => {
            let d = b.tanh() + 1.5;
            tr.quotient(a.value(), d.value());
            a / d
        }
        DivNeg => {
            let d = b.tanh() - 1.5;
            tr.quotient(a.value(), d.value());
            a / d
        }
        Pow => (a * a + 0.5).pow(b),
        Atan2 => {
            let (y, x) = (a.value(), b.value());
            // the branch cut: atan2 jumps by 2π where x < 0 and y changes sign
            if x < 0.0 {
                tr.side(y);
            } else {
                tr.path.push(2);
            }
            tr.near(y.hypot(x));
            tr.singular |= y == 0.0 && x == 0.0;
            tr.rule(rule_partials(|y, x| y.atan2(x), y, x));
            a.atan2(b)
        }
        Min => {
            tr.side(a.value() - b.value());
            a.min(b)
        }
        Max => {
            tr.side(a.value() - b.value());
            a.max(b)
        }
        Hypot => {
            tr.near(a.value().hypot(b.value()));
            tr.rule(rule_partials(|a, b| a.hypot(b), a.value(), b.value()));
            a.hypot(b)
        }
        Custom => a.custom_binary(&ImplicitProduct, b),
    }
}

fn expr<T: Scalar>(e: &Expr<Ref>, vals: &[T], tr: &mut Trace) -> T {
    match e {
        Expr::Unary { op, c, a } => unary(*op, *c, vals[*a], tr),
        Expr::Binary { op, a, b } => binary(*op, vals[*a], vals[*b], tr),
    }
}

/// Evaluates every node; returns the vector output and the trace.
///
/// # Panics
/// If `x.len()` is not the program's number of inputs.
pub fn eval<T: Scalar>(p: &Program, x: &[T]) -> (Vec<T>, Trace) {
    assert_eq!(
        x.len(),
        p.n_inputs,
        "eval: the program has {} inputs but the point has {} components",
        p.n_inputs,
        x.len()
    );
    let mut tr = Trace::default();
    let mut vals: Vec<T> = Vec::with_capacity(p.n_inputs + p.nodes.len());
    vals.extend_from_slice(x);
    for xi in x {
        tr.note(xi.value());
    }
    for node in &p.nodes {
        let v = match node {
            Node::Const(c) => T::constant(*c),
            Node::Expr(e) => expr(e, &vals, &mut tr),
            Node::MulAdd { a, b, c } => vals[*a].mul_add(vals[*b], vals[*c]),
            Node::Loop {
                init,
                count,
                max,
                body,
            } => {
                let trips = ((vals[*count].value().abs() * 1.5).floor() as u32).min(*max);
                tr.path.push(trips as i64);
                let mut s = vals[*init];
                for _ in 0..trips {
                    for step in body {
                        let t = match step {
                            Step::Unary { op, c } => unary(*op, *c, s, &mut tr),
                            Step::Binary { op, other } => binary(*op, s, vals[*other], &mut tr),
                        };
                        s = s * 0.6 + t;
                        tr.note(s.value());
                    }
                }
                s
            }
            Node::Branch {
                lhs,
                rhs,
                then,
                els,
            } => {
                let taken = match rhs {
                    Rhs::Node(r) => vals[*lhs] < vals[*r],
                    Rhs::Const(c) => vals[*lhs] < *c,
                };
                tr.path.push(taken as i64);
                if taken {
                    expr(then, &vals, &mut tr)
                } else {
                    expr(els, &vals, &mut tr)
                }
            }
        };
        tr.note(v.value());
        vals.push(v);
    }
    let outs = p.outputs.iter().map(|&r| vals[r]).collect();
    (outs, tr)
}

/// The vector output.
pub fn outputs<T: Scalar>(p: &Program, x: &[T]) -> Vec<T> {
    eval(p, x).0
}

/// The scalar output: the sum of the outputs.
pub fn scalar<T: Scalar>(p: &Program, x: &[T]) -> T {
    eval(p, x).0.into_iter().sum()
}

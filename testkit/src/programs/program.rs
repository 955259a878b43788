//! The random programs of the cross-mode suite: the [`Program`] type, its readable [`Display`](std::fmt::Display),
//! and the proptest strategy [`case`] that generates programs with a point to differentiate at.
//!
//! A program is a list of nodes, each an operation over earlier nodes or the inputs (a DAG, so
//! shared subexpressions are natural). Every node is domain-safe by construction: logarithms see
//! `1 + a²`, `acos` sees `0.95·tanh a`, powers with a variable exponent have a base `0.5 + a²`,
//! and so on (see [`Unary`] and [`Binary`] for each formula). Besides plain operations there are
//! loop nodes (a small block repeated a number of times computed from a primal value) and branch
//! nodes (two sub-expressions chosen by a comparison of primal values). The program's scalar
//! output is the sum of its sinks (the nodes nothing else uses), so every node matters; its
//! vector output is the list of sinks.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::fmt;

/// A reference to an input (`0..n`) or to node `k` (`n + k`).
pub type Ref = usize;

/// The largest number of inputs of a generated program (the suite's and the fuzz target's).
pub const MAX_INPUTS: usize = 12;
/// The largest number of nodes of a generated program (the suite's and the fuzz target's).
pub const MAX_NODES: usize = 24;

/// One-argument operations. Each is applied in a domain-safe form to its argument `a`, with a
/// per-node constant `c` (drawn from [-2.5, 2.5], sometimes exactly 0, 0.5 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unary {
    /// −a
    Neg,
    /// 1/(±1.5 + tanh a), the sign of c picking ±
    Recip,
    /// √(a² + 0.1 + |c|)
    Sqrt,
    /// ∛a (singular at 0: a kink for the finite-difference checks)
    Cbrt,
    /// aⁿ for n ≥ 0, (a² + 0.5)ⁿ for n < 0
    Powi(i32),
    /// (a² + 0.5)ᶜ
    Powf,
    /// eᵃ
    Exp,
    /// 2ᵃ
    Exp2,
    /// eᵃ − 1
    ExpM1,
    /// ln(1 + a²)
    Ln,
    /// ln(1 + 0.9·tanh a)
    Ln1p,
    /// log₂(1 + a²)
    Log2,
    /// log₁₀(1 + a²)
    Log10,
    /// log_b(1 + a²), b ∈ {0.5, 2, 3, 10} picked by c
    Log,
    /// sin a
    Sin,
    /// cos a
    Cos,
    /// tan(1.4·tanh a)
    Tan,
    /// 0.75·sin a + cos a, both from `sin_cos`
    SinCos,
    /// asin(0.95·tanh a)
    Asin,
    /// acos(0.95·tanh a)
    Acos,
    /// atan a
    Atan,
    /// sinh a
    Sinh,
    /// cosh a
    Cosh,
    /// tanh a
    Tanh,
    /// asinh a
    Asinh,
    /// acosh(a² + 1.1)
    Acosh,
    /// atanh(0.9·tanh a)
    Atanh,
    /// |a| (kink at 0)
    Abs,
    /// sign a (jump at 0, derivative 0)
    Signum,
    /// σ(a)
    Sigmoid,
    /// softplus a
    Softplus,
    /// relu a (kink at 0)
    Relu,
    /// erf a
    Erf,
    /// erfc a
    Erfc,
    /// gelu a = a·Φ(a)
    Gelu,
    /// (−1.25·a + c)/2 − 0.5, with the plain-float operators
    Affine,
    /// the same with the compound assignments `*= += /= -=`
    AffineAssign,
    /// y solving y + eʸ = a: a custom primitive (`Scalar::custom_unary` with
    /// [`ImplicitExp`](super::primitives::ImplicitExp)), Newton's method with derivatives from
    /// the implicit-function theorem
    Custom,
}

impl Unary {
    /// The elementary function of `Scalar` this operation exercises (`None` for plain arithmetic).
    pub fn method(self) -> Option<&'static str> {
        match self {
            Unary::Neg => None,
            Unary::Recip => Some("recip"),
            Unary::Sqrt => Some("sqrt"),
            Unary::Cbrt => Some("cbrt"),
            Unary::Powi(_) => Some("powi"),
            Unary::Powf => Some("powf"),
            Unary::Exp => Some("exp"),
            Unary::Exp2 => Some("exp2"),
            Unary::ExpM1 => Some("exp_m1"),
            Unary::Ln => Some("ln"),
            Unary::Ln1p => Some("ln_1p"),
            Unary::Log2 => Some("log2"),
            Unary::Log10 => Some("log10"),
            Unary::Log => Some("log"),
            Unary::Sin => Some("sin"),
            Unary::Cos => Some("cos"),
            Unary::Tan => Some("tan"),
            Unary::SinCos => Some("sin_cos"),
            Unary::Asin => Some("asin"),
            Unary::Acos => Some("acos"),
            Unary::Atan => Some("atan"),
            Unary::Sinh => Some("sinh"),
            Unary::Cosh => Some("cosh"),
            Unary::Tanh => Some("tanh"),
            Unary::Asinh => Some("asinh"),
            Unary::Acosh => Some("acosh"),
            Unary::Atanh => Some("atanh"),
            Unary::Abs => Some("abs"),
            Unary::Signum => Some("signum"),
            Unary::Sigmoid => Some("sigmoid"),
            Unary::Softplus => Some("softplus"),
            Unary::Relu => Some("relu"),
            Unary::Erf => Some("erf"),
            Unary::Erfc => Some("erfc"),
            Unary::Gelu => Some("gelu"),
            Unary::Affine => None,
            Unary::AffineAssign => None,
            // a user-defined primitive, not an elementary function of the list
            Unary::Custom => None,
        }
    }
}

/// Every unary operation, as the generator draws them.
pub const ALL_UNARY: &[Unary] = {
    use Unary::*;
    &[
        Neg,
        Recip,
        Sqrt,
        Cbrt,
        Powi(-3),
        Powi(-1),
        Powi(0),
        Powi(1),
        Powi(2),
        Powi(3),
        Powi(5),
        Powf,
        Exp,
        Exp2,
        ExpM1,
        Ln,
        Ln1p,
        Log2,
        Log10,
        Log,
        Sin,
        Cos,
        Tan,
        SinCos,
        Asin,
        Acos,
        Atan,
        Sinh,
        Cosh,
        Tanh,
        Asinh,
        Acosh,
        Atanh,
        Abs,
        Signum,
        Sigmoid,
        Softplus,
        Relu,
        Erf,
        Affine,
        AffineAssign,
        Erfc,
        Gelu,
        Custom,
    ]
};

impl Binary {
    /// The elementary function of `Scalar` this operation exercises (`None` for plain arithmetic).
    pub fn method(self) -> Option<&'static str> {
        match self {
            Binary::Add => None,
            Binary::Sub => None,
            Binary::Mul => None,
            Binary::DivPos => None,
            Binary::DivNeg => None,
            Binary::Pow => Some("pow"),
            Binary::Atan2 => Some("atan2"),
            Binary::Min => Some("min"),
            Binary::Max => Some("max"),
            Binary::Hypot => Some("hypot"),
            // a user-defined primitive, not an elementary function of the list
            Binary::Custom => None,
        }
    }
}

/// Two-argument operations on `(a, b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binary {
    /// a + b
    Add,
    /// a − b
    Sub,
    /// a · b
    Mul,
    /// a / (1.5 + tanh b)
    DivPos,
    /// a / (−1.5 + tanh b)
    DivNeg,
    /// (0.5 + a²)ᵇ, a variable exponent
    Pow,
    /// atan2(a, b) (branch cut on b < 0, a = 0; singular at the origin)
    Atan2,
    /// min(a, b) (kink where a = b)
    Min,
    /// max(a, b) (kink where a = b)
    Max,
    /// hypot(a, b) (kink at the origin)
    Hypot,
    /// z solving z + eᶻ = a·b: a custom primitive of two variables (`Scalar::custom_binary`
    /// with [`ImplicitProduct`](super::primitives::ImplicitProduct))
    Custom,
}

/// Every binary operation.
pub const ALL_BINARY: &[Binary] = {
    use Binary::*;
    &[
        Add, Sub, Mul, DivPos, DivNeg, Pow, Atan2, Min, Max, Hypot, Custom,
    ]
};

/// A plain operation over references of type `R` (`Index` while generating, [`Ref`] after).
#[derive(Clone, Debug)]
pub enum Expr<R> {
    /// A unary operation with its constant.
    Unary { op: Unary, c: f64, a: R },
    /// A binary operation.
    Binary { op: Binary, a: R, b: R },
}

/// One step of a loop body, updating the carried value `s`: `s ← 0.6·s + op(s[, other])`.
#[derive(Clone, Debug)]
pub enum Step<R> {
    /// `s ← 0.6·s + op(s)`.
    Unary { op: Unary, c: f64 },
    /// `s ← 0.6·s + op(s, other)`.
    Binary { op: Binary, other: R },
}

/// The right-hand side of a branch comparison.
#[derive(Clone, Debug)]
pub enum Rhs<R> {
    /// Another node (`T < T`).
    Node(R),
    /// A plain constant (`T < f64`).
    Const(f64),
}

/// A node of a program.
#[derive(Clone, Debug)]
pub enum Node<R> {
    /// A constant.
    Const(f64),
    /// A plain operation.
    Expr(Expr<R>),
    /// `a · b + c` by `mul_add`.
    MulAdd { a: R, b: R, c: R },
    /// `s = init`, then `trip = min(max, ⌊1.5·|count|⌋)` times every step of `body`: a trip count
    /// that depends on a primal value.
    Loop {
        init: R,
        count: R,
        max: u32,
        body: Vec<Step<R>>,
    },
    /// `if lhs < rhs { then } else { els }`, comparing primal values.
    Branch {
        lhs: R,
        rhs: Rhs<R>,
        then: Expr<R>,
        els: Expr<R>,
    },
}

impl<R> Expr<R> {
    /// The expression with every reference `r` replaced by `f(r)`.
    fn map<S>(self, f: &mut impl FnMut(R) -> S) -> Expr<S> {
        match self {
            Expr::Unary { op, c, a } => Expr::Unary { op, c, a: f(a) },
            Expr::Binary { op, a, b } => Expr::Binary {
                op,
                a: f(a),
                b: f(b),
            },
        }
    }
}

impl<R> Node<R> {
    /// The node with every reference `r` replaced by `f(r)`.
    pub(super) fn map<S>(self, f: &mut impl FnMut(R) -> S) -> Node<S> {
        match self {
            Node::Const(c) => Node::Const(c),
            Node::Expr(e) => Node::Expr(e.map(f)),
            Node::MulAdd { a, b, c } => Node::MulAdd {
                a: f(a),
                b: f(b),
                c: f(c),
            },
            Node::Loop {
                init,
                count,
                max,
                body,
            } => Node::Loop {
                init: f(init),
                count: f(count),
                max,
                body: body
                    .into_iter()
                    .map(|s| match s {
                        Step::Unary { op, c } => Step::Unary { op, c },
                        Step::Binary { op, other } => Step::Binary {
                            op,
                            other: f(other),
                        },
                    })
                    .collect(),
            },
            Node::Branch {
                lhs,
                rhs,
                then,
                els,
            } => Node::Branch {
                lhs: f(lhs),
                rhs: match rhs {
                    Rhs::Node(r) => Rhs::Node(f(r)),
                    Rhs::Const(c) => Rhs::Const(c),
                },
                then: then.map(f),
                els: els.map(f),
            },
        }
    }
}

/// A program: `n_inputs` inputs, nodes over earlier nodes and inputs, and its outputs (the sinks).
#[derive(Clone, Debug)]
pub struct Program {
    /// The number of inputs.
    pub n_inputs: usize,
    /// The nodes; node `k` is referenced as `n_inputs + k`.
    pub nodes: Vec<Node<Ref>>,
    /// The vector output: every node that no later node uses. The scalar output is their sum.
    pub outputs: Vec<Ref>,
}

impl Program {
    /// Resolves generated genes (references as proptest `Index`es) into a program: node `k` may
    /// refer to any of the `n + k` inputs and earlier nodes.
    pub fn resolve(n_inputs: usize, genes: Vec<Node<Index>>) -> Program {
        Program::resolve_with(n_inputs, genes, |i, available| i.index(available))
    }

    /// Resolves genes whose references are of any type `G` into a program: `pick(g, available)`
    /// turns the reference `g` of node `k` into one of the `available = n + k` inputs and earlier
    /// nodes (it must return less than `available`). The outputs are the nodes no later node
    /// uses.
    pub fn resolve_with<G>(
        n_inputs: usize,
        genes: Vec<Node<G>>,
        mut pick: impl FnMut(G, usize) -> Ref,
    ) -> Program {
        let mut nodes = Vec::with_capacity(genes.len());
        let mut used = vec![false; n_inputs + genes.len()];
        for (k, gene) in genes.into_iter().enumerate() {
            let available = n_inputs + k;
            let node = gene.map(&mut |g: G| {
                let r = pick(g, available);
                assert!(r < available, "a reference to a later node");
                used[r] = true;
                r
            });
            nodes.push(node);
        }
        let outputs = (n_inputs..n_inputs + nodes.len())
            .filter(|&r| !used[r])
            .collect();
        Program {
            n_inputs,
            nodes,
            outputs,
        }
    }

    /// The set of unary and binary operations the program uses (for the coverage test).
    pub fn ops(&self) -> (Vec<Unary>, Vec<Binary>) {
        let (mut u, mut b) = (Vec::new(), Vec::new());
        let expr = |e: &Expr<Ref>, u: &mut Vec<Unary>, b: &mut Vec<Binary>| match e {
            Expr::Unary { op, .. } => u.push(*op),
            Expr::Binary { op, .. } => b.push(*op),
        };
        for node in &self.nodes {
            match node {
                Node::Expr(e) => expr(e, &mut u, &mut b),
                Node::Branch { then, els, .. } => {
                    expr(then, &mut u, &mut b);
                    expr(els, &mut u, &mut b);
                }
                Node::Loop { body, .. } => {
                    for s in body {
                        match s {
                            Step::Unary { op, .. } => u.push(*op),
                            Step::Binary { op, .. } => b.push(*op),
                        }
                    }
                }
                Node::Const(_) | Node::MulAdd { .. } => {}
            }
        }
        (u, b)
    }

    fn name(&self, r: Ref) -> String {
        if r < self.n_inputs {
            format!("x{r}")
        } else {
            format!("v{}", r - self.n_inputs)
        }
    }
}

/// The readable formula of a unary operation applied to `a`.
pub fn unary_formula(op: Unary, c: f64, a: &str) -> String {
    use Unary::*;
    match op {
        Neg => format!("-{a}"),
        Recip => format!("1/({} + tanh {a})", if c >= 0.0 { "1.5" } else { "-1.5" }),
        Sqrt => format!("sqrt({a}² + {})", 0.1 + c.abs()),
        Cbrt => format!("cbrt({a})"),
        Powi(n) if n >= 0 => format!("{a}^{n}"),
        Powi(n) => format!("({a}² + 0.5)^{n}"),
        Powf => format!("({a}² + 0.5)^{c}"),
        Exp => format!("exp({a})"),
        Exp2 => format!("exp2({a})"),
        ExpM1 => format!("exp_m1({a})"),
        Ln => format!("ln(1 + {a}²)"),
        Ln1p => format!("ln_1p(0.9·tanh {a})"),
        Log2 => format!("log2(1 + {a}²)"),
        Log10 => format!("log10(1 + {a}²)"),
        Log => format!("log_{}(1 + {a}²)", log_base(c)),
        Sin => format!("sin({a})"),
        Cos => format!("cos({a})"),
        Tan => format!("tan(1.4·tanh {a})"),
        SinCos => format!("(0.75·sin {a} + cos {a} by sin_cos)"),
        Asin => format!("asin(0.95·tanh {a})"),
        Acos => format!("acos(0.95·tanh {a})"),
        Atan => format!("atan({a})"),
        Sinh => format!("sinh({a})"),
        Cosh => format!("cosh({a})"),
        Tanh => format!("tanh({a})"),
        Asinh => format!("asinh({a})"),
        Acosh => format!("acosh({a}² + 1.1)"),
        Atanh => format!("atanh(0.9·tanh {a})"),
        Abs => format!("|{a}|"),
        Signum => format!("signum({a})"),
        Sigmoid => format!("sigmoid({a})"),
        Softplus => format!("softplus({a})"),
        Relu => format!("relu({a})"),
        Erf => format!("erf({a})"),
        Erfc => format!("erfc({a})"),
        Gelu => format!("gelu({a})"),
        Affine => format!("((-1.25·{a} + {c})/2 - 0.5)"),
        AffineAssign => format!("((-1.25·{a} + {c})/2 - 0.5 by *= += /= -=)"),
        Custom => format!("implicit_exp({a})"),
    }
}

/// The readable formula of a binary operation.
pub fn binary_formula(op: Binary, a: &str, b: &str) -> String {
    use Binary::*;
    match op {
        Add => format!("({a} + {b})"),
        Sub => format!("({a} - {b})"),
        Mul => format!("{a}·{b}"),
        DivPos => format!("{a}/(1.5 + tanh {b})"),
        DivNeg => format!("{a}/(-1.5 + tanh {b})"),
        Pow => format!("(0.5 + {a}²)^{b}"),
        Atan2 => format!("atan2({a}, {b})"),
        Min => format!("min({a}, {b})"),
        Max => format!("max({a}, {b})"),
        Hypot => format!("hypot({a}, {b})"),
        Custom => format!("implicit_product({a}, {b})"),
    }
}

/// The base of [`Unary::Log`] picked by the node constant.
pub fn log_base(c: f64) -> f64 {
    [0.5, 2.0, 3.0, 10.0][((c.abs() * 10.0) as usize) % 4]
}

impl Program {
    fn expr_string(&self, e: &Expr<Ref>) -> String {
        match e {
            Expr::Unary { op, c, a } => unary_formula(*op, *c, &self.name(*a)),
            Expr::Binary { op, a, b } => binary_formula(*op, &self.name(*a), &self.name(*b)),
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "program with {} input(s) and {} node(s):",
            self.n_inputs,
            self.nodes.len()
        )?;
        for (k, node) in self.nodes.iter().enumerate() {
            write!(f, "  v{k} = ")?;
            match node {
                Node::Const(c) => writeln!(f, "{c}")?,
                Node::Expr(e) => writeln!(f, "{}", self.expr_string(e))?,
                Node::MulAdd { a, b, c } => writeln!(
                    f,
                    "mul_add({}, {}, {})",
                    self.name(*a),
                    self.name(*b),
                    self.name(*c)
                )?,
                Node::Loop {
                    init,
                    count,
                    max,
                    body,
                } => {
                    write!(
                        f,
                        "s = {}; repeat min({max}, ⌊1.5·|{}|⌋) times {{",
                        self.name(*init),
                        self.name(*count)
                    )?;
                    for (i, s) in body.iter().enumerate() {
                        let sep = if i == 0 { " " } else { "; " };
                        let rhs = match s {
                            Step::Unary { op, c } => unary_formula(*op, *c, "s"),
                            Step::Binary { op, other } => {
                                binary_formula(*op, "s", &self.name(*other))
                            }
                        };
                        write!(f, "{sep}s ← 0.6·s + {rhs}")?;
                    }
                    writeln!(f, " }}; s")?;
                }
                Node::Branch {
                    lhs,
                    rhs,
                    then,
                    els,
                } => {
                    let r = match rhs {
                        Rhs::Node(r) => self.name(*r),
                        Rhs::Const(c) => format!("{c}"),
                    };
                    writeln!(
                        f,
                        "if {} < {r} {{ {} }} else {{ {} }}",
                        self.name(*lhs),
                        self.expr_string(then),
                        self.expr_string(els)
                    )?;
                }
            }
        }
        let outs: Vec<String> = self.outputs.iter().map(|&r| self.name(r)).collect();
        writeln!(
            f,
            "  outputs: [{}]; f = {}",
            outs.join(", "),
            outs.join(" + ")
        )
    }
}

/// A generated test case: a program, the point `x`, a direction `v` (for Hessian–vector and
/// Jacobian–vector products) and output weights `w` (for vector–Jacobian products).
#[derive(Clone, Debug)]
pub struct Case {
    /// The program.
    pub program: Program,
    /// The point.
    pub x: Vec<f64>,
    /// A direction in input space.
    pub v: Vec<f64>,
    /// One weight per output.
    pub w: Vec<f64>,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.program)?;
        writeln!(f, "  at x = {:?}", self.x)?;
        writeln!(
            f,
            "  direction v = {:?}, output weights w = {:?}",
            self.v, self.w
        )
    }
}

fn constant() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -2.5..2.5f64,
        1 => Just(0.0),
        1 => Just(0.5),
        1 => Just(1.0),
    ]
}

/// A case whose point has some components replaced by ±∞, NaN or ±0 (each component with
/// probability ½; the programs' domain-safe forms then meet infinite and NaN values everywhere).
pub fn nonfinite_case(max_inputs: usize, max_nodes: usize) -> impl Strategy<Value = Case> {
    case(max_inputs, max_nodes)
        .prop_flat_map(|c| {
            let n = c.x.len();
            let poison = prop_oneof![
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(f64::NAN),
                Just(0.0),
                Just(-0.0),
            ];
            (Just(c), vec(proptest::option::of(poison), n))
        })
        .prop_map(|(mut c, poison)| {
            for (x, p) in c.x.iter_mut().zip(poison) {
                if let Some(p) = p {
                    *x = p;
                }
            }
            c
        })
}

fn input_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        12 => -2.5..2.5f64,
        1 => Just(0.0),
        1 => Just(1.0),
        1 => Just(-0.5),
    ]
}

fn expr_gene() -> impl Strategy<Value = Expr<Index>> {
    prop_oneof![
        5 => (select(ALL_UNARY), constant(), any::<Index>())
            .prop_map(|(op, c, a)| Expr::Unary { op, c, a }),
        4 => (select(ALL_BINARY), any::<Index>(), any::<Index>())
            .prop_map(|(op, a, b)| Expr::Binary { op, a, b }),
    ]
}

fn step_gene() -> impl Strategy<Value = Step<Index>> {
    prop_oneof![
        (select(ALL_UNARY), constant()).prop_map(|(op, c)| Step::Unary { op, c }),
        (select(ALL_BINARY), any::<Index>()).prop_map(|(op, other)| Step::Binary { op, other }),
    ]
}

fn node_gene() -> impl Strategy<Value = Node<Index>> {
    prop_oneof![
        16 => expr_gene().prop_map(Node::Expr),
        1 => constant().prop_map(Node::Const),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Node::MulAdd { a, b, c }),
        2 => (any::<Index>(), any::<Index>(), 1u32..=5, vec(step_gene(), 1..=3))
            .prop_map(|(init, count, max, body)| Node::Loop { init, count, max, body }),
        2 => (
            any::<Index>(),
            prop_oneof![any::<Index>().prop_map(Rhs::Node), constant().prop_map(Rhs::Const)],
            expr_gene(),
            expr_gene()
        )
            .prop_map(|(lhs, rhs, then, els)| Node::Branch { lhs, rhs, then, els }),
    ]
}

/// Test cases: programs of 1..=`max_inputs` inputs and 1..=`max_nodes` nodes, with a point, a
/// direction and output weights.
pub fn case(max_inputs: usize, max_nodes: usize) -> impl Strategy<Value = Case> {
    (1..=max_inputs, vec(node_gene(), 1..=max_nodes))
        .prop_map(|(n, genes)| Program::resolve(n, genes))
        .prop_flat_map(|program| {
            let n = program.n_inputs;
            let m = program.outputs.len();
            (
                Just(program),
                vec(input_value(), n),
                vec(-1.0..1.0f64, n),
                vec(-1.0..1.0f64, m),
            )
        })
        .prop_map(|(program, x, v, w)| Case { program, x, v, w })
}

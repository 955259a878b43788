//! The strong-zero rule in the tensor kernels. At inputs, parameters and upstream gradients drawn
//! from 0, −0, 1, −2.5, +∞, −∞ and NaN, every tensor op's backward kernel — and a few small
//! networks, losses and programs mixing tensor ops with scalar `Var` code — gives the same
//! pattern of finite, +∞, −∞ and NaN gradients, and the same finite values (relative 1e-12 of the
//! largest finite magnitude compared, at least 1; see [`agree`]), as the same computation written
//! with scalar code and differentiated by the scalar reverse tape (`diffprog_reverse::gradient`)
//! and by forward mode (`diffprog_dual::gradient`). Both follow the rule of `diffprog_dual`'s
//! crate docs ("Non-finite values"): in derivative arithmetic an exact zero factor times
//! anything, ±∞ and NaN included, is exactly zero.
//!
//! Each op's gradient is the vector–Jacobian product with upstream weights `w` (constants): the
//! tensor side seeds `backward_with_grad(out, w)`, the scalar side differentiates `Σ wᵢ outᵢ`.
//! Small cases are enumerated; larger ones are a seeded selection in which each element is
//! non-finite with a per-case probability (so that cases with none, one and several non-finite
//! elements all occur).
//!
//! Where the order of summation decides, the modes may legitimately differ, and the test avoids
//! or separates those cases: a derivative sum that cancels exactly before meeting an infinite
//! factor (0 or NaN; the softmax family gets finite upstream weights, [`WEIGHTS_FINITE`]), an
//! infinite upstream weight meeting two paths of opposite sign (the losses, see
//! `Loss::weights`), and in the networks an infinite factor meeting a sum of finite terms of
//! both signs, where the scalar reverse tape and forward mode disagree with each other
//! ([`Outcome::OrderDependent`]: the tensor tape must then agree with the reverse tape, and the
//! count is printed).

use diffprog_dual::{DualVec, Scalar, GRADIENT_CHUNK};
use diffprog_nn::layers::{apply_generic, log_softmax_generic, seeded_rng, Init, Sequential};
use diffprog_nn::{loss, BinaryOp, Graph, NodeId, Params, Unary};
use diffprog_reverse::{Recording, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// The grid of input and parameter values.
const VALUES: [f64; 7] = [0.0, -0.0, 1.0, -2.5, INF, -INF, NAN];
const FINITE: [f64; 4] = [0.0, -0.0, 1.0, -2.5];
const NONFINITE: [f64; 3] = [INF, -INF, NAN];

/// Upstream weights (∂L/∂output) for ops whose every output depends on an input along one path
/// (elementwise, broadcasting, products, reductions, data movement).
const WEIGHTS_ALL: [f64; 6] = [0.0, 1.0, -2.5, INF, -INF, NAN];
/// Upstream weights for the softmax family. There ∂yᵢ/∂xⱼ = δᵢⱼ − pⱼ sums two terms, which
/// cancel exactly for a one-element row or pⱼ = 1: forward mode multiplies that exact 0 by an
/// infinite weight (0) where reverse mode sums ∞ − ∞ (NaN) — the open case of the crate docs.
/// With weights from {0, 1, −2.5} and rows of at most three elements no weighted sum Σ wᵢ
/// cancels to an exact zero either.
const WEIGHTS_FINITE: [f64; 3] = [0.0, 1.0, -2.5];

type Fwd = DualVec<f64, GRADIENT_CHUNK>;

/// Where the tensor side's gradient for an input is read.
enum Handle {
    /// A leaf (no gradient = the leaf does not influence the output: zeros).
    Node(NodeId),
    /// Every parameter of the graph's store, flattened.
    Params,
}

/// A computation on tensors and the same computation in scalar code.
trait Program {
    /// The number of elements of each input (the scalar code gets them as flat vectors).
    fn sizes(&self) -> Vec<usize>;
    /// Records the computation at the inputs `x`; returns the output and, for each input, where
    /// its gradient is read.
    fn tensor(&self, g: &mut Graph<f64>, x: &[Vec<f64>]) -> (NodeId, Vec<Handle>);
    /// The same computation in any number type.
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T>;
    /// The upstream weights to draw from.
    fn weights(&self) -> &'static [f64] {
        &WEIGHTS_ALL
    }
    /// True if the scalar modes themselves may disagree at some points (see
    /// [`Outcome::OrderDependent`]); then the tensor tape must agree with the scalar reverse
    /// tape there.
    fn order_dependent(&self) -> bool {
        false
    }
}

/// A program whose inputs are all leaves of the given shapes.
trait LeafProgram {
    fn shapes(&self) -> Vec<Vec<usize>>;
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId;
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T>;
    fn weights(&self) -> &'static [f64] {
        &WEIGHTS_ALL
    }
    fn order_dependent(&self) -> bool {
        false
    }
}

impl<P: LeafProgram> Program for P {
    fn sizes(&self) -> Vec<usize> {
        self.shapes().iter().map(|s| s.iter().product()).collect()
    }
    fn tensor(&self, g: &mut Graph<f64>, x: &[Vec<f64>]) -> (NodeId, Vec<Handle>) {
        let ids: Vec<NodeId> = x
            .iter()
            .zip(self.shapes())
            .map(|(v, s)| g.leaf(v, &s))
            .collect();
        let out = self.record(g, &ids);
        (out, ids.into_iter().map(Handle::Node).collect())
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        LeafProgram::scalar(self, x)
    }
    fn weights(&self) -> &'static [f64] {
        LeafProgram::weights(self)
    }
    fn order_dependent(&self) -> bool {
        LeafProgram::order_dependent(self)
    }
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

/// True if `a` and `b` have the same length and, element by element, the same class and (if
/// finite) equal values up to 1e-12 relative to the largest finite magnitude compared, but at
/// least 1: the grid's finite values are of order 1, and so are the terms each derivative is
/// summed from, and a derivative that cancels to (nearly) 0 — the softmax family's with equal
/// weights, a network's — carries their rounding (~1e-16), not a rounding relative to itself.
fn agree(a: &[f64], b: &[f64]) -> bool {
    let scale = a
        .iter()
        .chain(b)
        .filter(|v| v.is_finite())
        .fold(1.0_f64, |m, v| m.max(v.abs()));
    a.len() == b.len()
        && a.iter().zip(b).all(|(&p, &q)| {
            class(p) == class(q) && (!p.is_finite() || (p - q).abs() <= 1e-12 * scale)
        })
}

fn split<T: Copy>(flat: &[T], sizes: &[usize]) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut off = 0;
    for &s in sizes {
        out.push(flat[off..off + s].to_vec());
        off += s;
    }
    out
}

/// `Σ wᵢ outᵢ` of the scalar program at the flat inputs `v`.
fn weighted<P: Program, T: Scalar>(p: &P, v: &[T], w: &[f64]) -> T {
    let out = p.scalar(&split(v, &p.sizes()));
    assert_eq!(out.len(), w.len(), "one weight per output");
    out.into_iter().zip(w).map(|(o, &wi)| o * wi).sum()
}

/// The result of one case.
enum Outcome {
    /// Tensor tape, scalar reverse tape and forward mode agree (values too).
    Agree,
    /// The scalar reverse tape and forward mode disagree — where they do, one of them is NaN —
    /// and the tensor tape agrees with the reverse tape. Where an infinite factor meets a sum of finite terms of both signs, the
    /// result depends on the order: reverse mode sums a hidden unit's adjoint first and then
    /// multiplies by the infinite partial, (−∞)·(−2.5 + 1) = +∞, while forward mode carries the
    /// infinite tangent into each term, (−∞)·(−2.5) + (−∞)·1 = NaN (found on linear → relu →
    /// linear at an input −∞; relu and softplus pass ∞ on, tanh and sigmoid flatten it). The
    /// tensor tape is a reverse mode and sums in the reverse tape's order.
    OrderDependent(String),
    /// Anything else: a failure.
    Differ(String),
}

/// Runs one case.
fn run<P: Program>(p: &P, x: &[Vec<f64>], w: &[f64]) -> Outcome {
    let mut g = Graph::<f64>::new();
    let (out, handles) = p.tensor(&mut g, x);
    let value = g.value(out).to_vec();
    g.params_mut().zero_grad();
    g.backward_with_grad(out, w);
    let mut tensor = Vec::new();
    for (h, xi) in handles.iter().zip(x) {
        match h {
            Handle::Node(id) => match g.grad(*id) {
                Some(d) => tensor.extend_from_slice(d),
                None => tensor.extend(vec![0.0; xi.len()]),
            },
            Handle::Params => tensor.extend(g.params().flatten_grads()),
        }
    }
    let flat: Vec<f64> = x.concat();
    let (_, reverse) = diffprog_reverse::gradient(|v: &[Var]| weighted(p, v, w), &flat);
    let (_, forward) = diffprog_dual::gradient(|v: &[Fwd]| weighted(p, v, w), &flat);
    let reference = p.scalar::<f64>(x);
    let case = format!("x = {x:?}, w = {w:?}");
    if !agree(&value, &reference) {
        return Outcome::Differ(format!("{case}: value {value:?} vs scalar {reference:?}"));
    }
    compare(&case, &tensor, &reverse, &forward)
}

/// Compares the tensor tape's gradient with the scalar modes'.
fn compare(case: &str, tensor: &[f64], reverse: &[f64], forward: &[f64]) -> Outcome {
    let with_reverse = agree(tensor, reverse);
    if with_reverse && agree(tensor, forward) {
        return Outcome::Agree;
    }
    // the scalar modes' order dependence gives NaN in one order and a number in the other
    let explained = reverse
        .iter()
        .zip(forward)
        .all(|(&r, &f)| agree(&[r], &[f]) || r.is_nan() != f.is_nan());
    if with_reverse && explained {
        Outcome::OrderDependent(format!(
            "{case}: reverse (and tensor) {reverse:?} vs forward {forward:?}"
        ))
    } else {
        Outcome::Differ(format!(
            "{case}: tensor {tensor:?} vs reverse {reverse:?} / forward {forward:?}"
        ))
    }
}

/// Every combination of grid values (inputs from `VALUES`, weights from `weights`) if there are
/// at most `count`, else `count` seeded draws: each case picks a probability d ∈ [0, 0.4) and
/// makes each input element non-finite with probability d (else one of the finite grid values).
fn cases(
    sizes: &[usize],
    outputs: usize,
    weights: &[f64],
    count: usize,
    seed: u64,
) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
    let n: usize = sizes.iter().sum();
    let combos = (VALUES.len() as f64).powi(n as i32) * (weights.len() as f64).powi(outputs as i32);
    if combos <= count as f64 {
        let mut out = Vec::new();
        let total = combos as usize;
        for mut k in 0..total {
            let mut flat = Vec::with_capacity(n);
            for _ in 0..n {
                flat.push(VALUES[k % VALUES.len()]);
                k /= VALUES.len();
            }
            let mut w = Vec::with_capacity(outputs);
            for _ in 0..outputs {
                w.push(weights[k % weights.len()]);
                k /= weights.len();
            }
            out.push((split(&flat, sizes), w));
        }
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let d: f64 = rng.random_range(0.0..0.4);
            let flat: Vec<f64> = (0..n)
                .map(|_| {
                    if rng.random::<f64>() < d {
                        NONFINITE[rng.random_range(0..NONFINITE.len())]
                    } else {
                        FINITE[rng.random_range(0..FINITE.len())]
                    }
                })
                .collect();
            let w = (0..outputs)
                .map(|_| weights[rng.random_range(0..weights.len())])
                .collect();
            (split(&flat, sizes), w)
        })
        .collect()
}

/// Counts of one program's sweep.
#[derive(Default)]
struct Tally {
    total: usize,
    failed: usize,
    order_dependent: usize,
    examples: Vec<String>,
}

impl Tally {
    fn add(&mut self, outcome: Outcome, order_dependence_allowed: bool) {
        self.total += 1;
        let message = match outcome {
            Outcome::Agree => return,
            Outcome::OrderDependent(_) if order_dependence_allowed => {
                self.order_dependent += 1;
                return;
            }
            Outcome::OrderDependent(m) => format!("(scalar modes differ) {m}"),
            Outcome::Differ(m) => m,
        };
        self.failed += 1;
        if self.examples.len() < 4 {
            self.examples.push(message);
        }
    }
}

/// Runs `count` cases (or all) of `p`.
fn sweep<P: Program>(p: &P, count: usize, seed: u64) -> Tally {
    let sizes = p.sizes();
    // the output size from one evaluation
    let x0: Vec<Vec<f64>> = sizes.iter().map(|&s| vec![1.0; s]).collect();
    let outputs = p.scalar::<f64>(&x0).len();
    let mut tally = Tally::default();
    for (x, w) in cases(&sizes, outputs, p.weights(), count, seed) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(p, &x, &w)))
            .unwrap_or_else(|_| Outcome::Differ(format!("x = {x:?}, w = {w:?}: panicked")));
        tally.add(outcome, p.order_dependent());
    }
    tally
}

/// Prints each program's counts and fails if any case differs.
fn check_all(results: Vec<(String, Tally)>) {
    let mut report = String::new();
    for (name, t) in &results {
        eprintln!(
            "{name}: {} cases, {} differ{}",
            t.total,
            t.failed,
            if t.order_dependent > 0 {
                format!(
                    ", {} order-dependent (tensor = reverse ≠ forward)",
                    t.order_dependent
                )
            } else {
                String::new()
            }
        );
        if t.failed > 0 {
            report.push_str(&format!(
                "\n{name}: {} of {} cases differ",
                t.failed, t.total
            ));
            for m in &t.examples {
                report.push_str(&format!("\n    {m}"));
            }
        }
    }
    let cases: usize = results.iter().map(|(_, t)| t.total).sum();
    let failed: usize = results.iter().map(|(_, t)| t.failed).sum();
    assert!(failed == 0, "{failed} of {cases} cases differ:{report}");
}

// ---------------------------------------------------------------------------------------------
// Elementwise ops

const UNARIES: [Unary<f64>; 16] = [
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
];

struct UnaryOp(Unary<f64>);

impl LeafProgram for UnaryOp {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![1]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        g.unary(ids[0], self.0)
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        x[0].iter().map(|&v| apply_generic(self.0, v)).collect()
    }
}

#[test]
fn unary_ops() {
    check_all(
        UNARIES
            .iter()
            .map(|&f| (format!("{f:?}"), sweep(&UnaryOp(f), 1000, 1)))
            .collect(),
    );
}

/// `x + 1.5`, `x · c` (c = 0 and −2.5) and dropout (p = ½, the graph's default seed).
struct ScalarOp {
    kind: usize,
    mask: Vec<f64>,
}

impl LeafProgram for ScalarOp {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![4]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        match self.kind {
            0 => g.add_scalar(ids[0], 1.5),
            1 => g.mul_scalar(ids[0], 0.0),
            2 => g.mul_scalar(ids[0], -2.5),
            _ => g.dropout(ids[0], 0.5),
        }
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        x[0].iter()
            .zip(&self.mask)
            .map(|(&v, &m)| match self.kind {
                0 => v + 1.5,
                1 => v * 0.0,
                2 => v * -2.5,
                _ => v * m,
            })
            .collect()
    }
}

#[test]
fn constant_shift_scale_and_dropout() {
    // the dropout mask a fresh graph draws (values of dropout(ones))
    let mut g = Graph::<f64>::new();
    let ones = g.input(&[1.0; 4], &[4]);
    let d = g.dropout(ones, 0.5);
    let mask = g.value(d).to_vec();
    assert!(mask.contains(&0.0) && mask.contains(&2.0), "{mask:?}");
    check_all(
        (0..4)
            .map(|kind| {
                let p = ScalarOp {
                    kind,
                    mask: mask.clone(),
                };
                (
                    format!("scalar op {kind}"),
                    sweep(&p, 2000, 2 + kind as u64),
                )
            })
            .collect(),
    );
}

/// Broadcasting binary op between shapes `sa` and `sb`.
struct Binary {
    op: BinaryOp,
    sa: Vec<usize>,
    sb: Vec<usize>,
}

/// The broadcast of `a` (shape `sa`) and `b` (shape `sb`) combined by `f`, index arithmetic by
/// hand (NumPy rules).
fn broadcast<T: Copy>(
    a: &[T],
    b: &[T],
    sa: &[usize],
    sb: &[usize],
    f: impl Fn(T, T) -> T,
) -> Vec<T> {
    let n = sa.len().max(sb.len());
    let pad = |s: &[usize]| {
        let mut v = vec![1; n - s.len()];
        v.extend_from_slice(s);
        v
    };
    let (pa, pb) = (pad(sa), pad(sb));
    let out: Vec<usize> = (0..n).map(|i| pa[i].max(pb[i])).collect();
    let total: usize = out.iter().product();
    (0..total)
        .map(|o| {
            let mut rem = o;
            let mut idx = vec![0; n];
            for i in (0..n).rev() {
                idx[i] = rem % out[i];
                rem /= out[i];
            }
            let off =
                |p: &[usize]| (0..n).fold(0, |f, i| f * p[i] + if p[i] == 1 { 0 } else { idx[i] });
            f(a[off(&pa)], b[off(&pb)])
        })
        .collect()
}

impl LeafProgram for Binary {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![self.sa.clone(), self.sb.clone()]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        g.binary(ids[0], ids[1], self.op)
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let op = self.op;
        broadcast(&x[0], &x[1], &self.sa, &self.sb, |p, q| match op {
            BinaryOp::Add => p + q,
            BinaryOp::Sub => p - q,
            BinaryOp::Mul => p * q,
            BinaryOp::Div => p / q,
            BinaryOp::Maximum => p.max(q),
            BinaryOp::Minimum => p.min(q),
            BinaryOp::Pow => p.pow(q),
        })
    }
}

#[test]
fn broadcasting_binary_ops() {
    // equal shapes, a repeated bias row (both sides), a general broadcast, one element (both
    // sides, as `mul_var` and friends record it)
    let layouts: [(&[usize], &[usize]); 7] = [
        (&[2], &[2]),
        (&[2, 2], &[2]),
        (&[2], &[2, 2]),
        (&[2, 1], &[1, 2]),
        (&[3], &[]),
        (&[2, 1], &[1]),
        (&[], &[3]),
    ];
    let mut results = Vec::new();
    for (i, op) in [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
        BinaryOp::Pow,
    ]
    .into_iter()
    .enumerate()
    {
        for (j, (sa, sb)) in layouts.iter().enumerate() {
            let p = Binary {
                op,
                sa: sa.to_vec(),
                sb: sb.to_vec(),
            };
            results.push((
                format!("{op:?} {sa:?} {sb:?}"),
                sweep(&p, 1500, 100 + (i * 10 + j) as u64),
            ));
        }
    }
    check_all(results);
}

// ---------------------------------------------------------------------------------------------
// Matrix products and the fused dense layer

/// Row-major `m × k` by `k × n`.
fn mm<T: Scalar>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    let mut out = vec![T::zero(); m * n];
    for i in 0..m {
        for j in 0..n {
            for l in 0..k {
                out[i * n + j] += a[i * k + l] * b[l * n + j];
            }
        }
    }
    out
}

/// `a [batch·m, k] · b [k, n]`, or per block with `b [batch, k, n]`.
struct MatMul {
    batch: usize,
    batched_b: bool,
    m: usize,
    k: usize,
    n: usize,
}

impl LeafProgram for MatMul {
    fn shapes(&self) -> Vec<Vec<usize>> {
        let (b, m, k, n) = (self.batch, self.m, self.k, self.n);
        if self.batched_b {
            vec![vec![b, m, k], vec![b, k, n]]
        } else {
            vec![vec![b * m, k], vec![k, n]]
        }
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        g.matmul(ids[0], ids[1])
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let (b, m, k, n) = (self.batch, self.m, self.k, self.n);
        if self.batched_b {
            (0..b)
                .flat_map(|i| {
                    mm(
                        &x[0][i * m * k..(i + 1) * m * k],
                        &x[1][i * k * n..(i + 1) * k * n],
                        m,
                        k,
                        n,
                    )
                })
                .collect()
        } else {
            mm(&x[0], &x[1], b * m, k, n)
        }
    }
}

#[test]
fn matrix_products() {
    let shapes = [
        // small (the element loop) and large (matrixmultiply's GEMM) products, and batched
        (1, false, 2, 2, 2),
        (1, false, 2, 3, 1),
        (1, false, 6, 7, 6),
        (2, true, 1, 2, 2),
    ];
    check_all(
        shapes
            .iter()
            .enumerate()
            .map(|(i, &(batch, batched_b, m, k, n))| {
                let p = MatMul {
                    batch,
                    batched_b,
                    m,
                    k,
                    n,
                };
                let count = if m * k * n > 100 { 400 } else { 2000 };
                (
                    format!("matmul {batch}×{m}×{k}×{n} batched {batched_b}"),
                    sweep(&p, count, 200 + i as u64),
                )
            })
            .collect(),
    );
}

/// `act(x · w + bias)`, fused.
struct LinearOp {
    act: Unary<f64>,
    bias: bool,
    m: usize,
    k: usize,
    n: usize,
}

impl LeafProgram for LinearOp {
    fn shapes(&self) -> Vec<Vec<usize>> {
        let mut s = vec![vec![self.m, self.k], vec![self.k, self.n]];
        if self.bias {
            s.push(vec![self.n]);
        }
        s
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        g.linear(ids[0], ids[1], ids.get(2).copied(), self.act)
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let (m, k, n) = (self.m, self.k, self.n);
        // as `Linear::forward_generic`: the bias, then the products added
        let mut out = Vec::with_capacity(m * n);
        for i in 0..m {
            for j in 0..n {
                let mut s = if self.bias { x[2][j] } else { T::zero() };
                for l in 0..k {
                    s += x[0][i * k + l] * x[1][l * n + j];
                }
                out.push(apply_generic(self.act, s));
            }
        }
        out
    }
}

#[test]
fn fused_linear() {
    let mut results = Vec::new();
    for (i, &act) in UNARIES.iter().enumerate() {
        for (bias, m, k, n) in [(true, 2, 2, 2), (false, 1, 2, 1), (true, 6, 6, 7)] {
            let p = LinearOp { act, bias, m, k, n };
            let count = if m * k * n > 100 { 150 } else { 600 };
            results.push((
                format!("linear {act:?} {m}×{k}×{n} bias {bias}"),
                sweep(&p, count, 300 + i as u64),
            ));
        }
    }
    check_all(results);
}

// ---------------------------------------------------------------------------------------------
// Reductions, data movement, gather

/// sum, mean, sum along axis 0, mean along axis 1 of a `[2, 3]` tensor.
struct Reduce(usize);

impl LeafProgram for Reduce {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![2, 3]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        match self.0 {
            0 => g.sum(ids[0]),
            1 => g.mean(ids[0]),
            2 => g.sum_axis(ids[0], 0),
            _ => g.mean_axis(ids[0], 1),
        }
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let v = &x[0];
        match self.0 {
            0 => vec![v.iter().copied().sum()],
            1 => vec![v.iter().copied().sum::<T>() / 6.0],
            2 => (0..3).map(|j| v[j] + v[3 + j]).collect(),
            _ => (0..2)
                .map(|i| (v[3 * i] + v[3 * i + 1] + v[3 * i + 2]) / 3.0)
                .collect(),
        }
    }
}

#[test]
fn reductions() {
    check_all(
        (0..4)
            .map(|k| {
                (
                    format!("reduce {k}"),
                    sweep(&Reduce(k), 2000, 400 + k as u64),
                )
            })
            .collect(),
    );
}

/// transpose → slice → concat → index_select → permute → reshape, then `· 2`.
struct Movement;

impl LeafProgram for Movement {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![2, 3], vec![1, 2]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        let t = g.transpose(ids[0]); // [3, 2]
        let s = g.slice(t, 0, 1, 2); // rows 1, 2 of t: [2, 2]
        let c = g.concat(&[s, ids[1]], 0); // [3, 2]
        let r = g.index_select(c, &[2, 0, 0]); // [3, 2]
        let p = g.permute(r, &[1, 0]); // [2, 3]
        let q = g.reshape(p, &[6]);
        g.mul_scalar(q, 2.0)
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let (a, b) = (&x[0], &x[1]);
        // t[i][j] = a[j][i]; s = t[1..3]; c = [s; b]; r = c[[2, 0, 0]]; p = rᵀ
        let c = |i: usize, j: usize| if i < 2 { a[j * 3 + (i + 1)] } else { b[j] };
        let rows = [2, 0, 0];
        let mut out = Vec::new();
        for j in 0..2 {
            for &ri in &rows {
                out.push(c(ri, j) * 2.0);
            }
        }
        out
    }
}

#[test]
fn data_movement() {
    check_all(vec![("movement".into(), sweep(&Movement, 2000, 500))]);
}

/// `out[i] = x[i, labels[i]]`.
struct Gather;

impl LeafProgram for Gather {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![2, 3]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        g.gather(ids[0], &[2, 0])
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        vec![x[0][2], x[0][3]]
    }
}

#[test]
fn gather() {
    check_all(vec![("gather".into(), sweep(&Gather, 2000, 600))]);
}

// ---------------------------------------------------------------------------------------------
// Softmax family

/// log-softmax (or softmax) of a `[rows, w]` tensor along its rows.
struct Softmax {
    log: bool,
    rows: usize,
    w: usize,
}

impl LeafProgram for Softmax {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![self.rows, self.w]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        if self.log {
            g.log_softmax(ids[0])
        } else {
            g.softmax(ids[0])
        }
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        x[0].chunks(self.w)
            .flat_map(|row| {
                let l = log_softmax_generic(row);
                if self.log {
                    l
                } else {
                    l.into_iter().map(|v| v.exp()).collect()
                }
            })
            .collect()
    }
    fn weights(&self) -> &'static [f64] {
        &WEIGHTS_FINITE
    }
}

#[test]
fn softmax_and_log_softmax() {
    let mut results = Vec::new();
    for log in [true, false] {
        for (rows, w) in [(1, 1), (1, 2), (2, 3)] {
            let p = Softmax { log, rows, w };
            results.push((
                format!("softmax log {log} [{rows}, {w}]"),
                sweep(&p, 2000, 700 + (rows * 10 + w) as u64),
            ));
        }
    }
    check_all(results);
}

/// Mean cross-entropy of `[2, 3]` logits against labels (2, 0): fused, or as
/// log-softmax → gather → mean → neg (`loss::nll`).
struct CrossEntropy {
    fused: bool,
}

const LABELS: [usize; 2] = [2, 0];

impl LeafProgram for CrossEntropy {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![2, 3]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        if self.fused {
            g.cross_entropy(ids[0], &LABELS)
        } else {
            let l = g.log_softmax(ids[0]);
            loss::nll(g, l, &LABELS)
        }
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let s: T = x[0]
            .chunks(3)
            .zip(LABELS)
            .map(|(row, l)| loss::scalar::cross_entropy(row, l))
            .sum();
        if self.fused {
            vec![s / 2.0]
        } else {
            // −(mean of the picked log-probabilities)
            let picked: T = x[0]
                .chunks(3)
                .zip(LABELS)
                .map(|(row, l)| log_softmax_generic(row)[l])
                .sum();
            vec![-(picked / 2.0)]
        }
    }
    fn weights(&self) -> &'static [f64] {
        &WEIGHTS_FINITE
    }
}

#[test]
fn cross_entropy() {
    check_all(
        [true, false]
            .into_iter()
            .map(|fused| {
                (
                    format!("cross-entropy fused {fused}"),
                    sweep(&CrossEntropy { fused }, 3000, 800 + fused as u64),
                )
            })
            .collect(),
    );
}

// ---------------------------------------------------------------------------------------------
// Losses built from ops

/// mse (mean), bce, bce with logits, hinge on `[3]` predictions and targets.
struct Loss(usize);

impl LeafProgram for Loss {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![3], vec![3]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        let (p, t) = (ids[0], ids[1]);
        match self.0 {
            0 => loss::mse(g, p, t, loss::Reduction::Mean),
            1 => loss::bce(g, p, t),
            2 => loss::bce_with_logits(g, p, t),
            _ => loss::hinge(g, p, t),
        }
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let terms = x[0].iter().zip(&x[1]).map(|(&p, &t)| match self.0 {
            0 => (p - t) * (p - t),
            1 => t * p.ln() + (-t + 1.0) * (-p + 1.0).ln(),
            2 => p.softplus() - t * p,
            _ => (-(t * p) + 1.0).relu(),
        });
        let mean = terms.sum::<T>() / 3.0;
        vec![if self.0 == 1 { -mean } else { mean }]
    }
    /// Finite: a prediction reaches these losses along two paths (`softplus(x) − t·x`), whose
    /// partials have opposite signs. An infinite upstream weight meets their sum in the scalar
    /// tape (whose records merge the two partials: ∞·(½ − 1) = −∞) and in forward mode, but
    /// each path's own partial in the tensor tape, one kernel per op (∞·½ − ∞·1 = NaN).
    fn weights(&self) -> &'static [f64] {
        &WEIGHTS_FINITE
    }
}

#[test]
fn losses() {
    check_all(
        (0..4)
            .map(|k| (format!("loss {k}"), sweep(&Loss(k), 2000, 900 + k as u64)))
            .collect(),
    );
}

// ---------------------------------------------------------------------------------------------
// Small networks

/// A `Sequential` MLP 2-3-`out` with activation `act` (a dense layer and its activation are one
/// fused record) on a batch of two, its parameters in the graph's store; the loss is the sum of
/// the outputs, or the mean cross-entropy against [`LABELS`].
struct Mlp {
    cross_entropy: bool,
    params: Params<f64>,
    net: Sequential<f64>,
}

impl Mlp {
    fn new(act: Unary<f64>, out: usize, cross_entropy: bool) -> Self {
        let mut params = Params::new();
        let net = Sequential::mlp(
            &mut params,
            &[2, 3, out],
            act,
            Init::XavierUniform,
            &mut seeded_rng(0),
        );
        Mlp {
            cross_entropy,
            params,
            net,
        }
    }
}

impl Program for Mlp {
    fn sizes(&self) -> Vec<usize> {
        vec![self.params.numel(), 4]
    }
    fn tensor(&self, g: &mut Graph<f64>, x: &[Vec<f64>]) -> (NodeId, Vec<Handle>) {
        *g.params_mut() = self.params.clone();
        g.params_mut().unflatten(&x[0]);
        let input = g.leaf(&x[1], &[2, 2]);
        let y = self.net.forward(g, input);
        let loss = if self.cross_entropy {
            g.cross_entropy(y, &LABELS[..])
        } else {
            g.sum(y)
        };
        (loss, vec![Handle::Params, Handle::Node(input)])
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let mut total = T::zero();
        for (r, row) in x[1].chunks(2).enumerate() {
            let y = self.net.forward_with_theta(&self.params, &x[0], row);
            if self.cross_entropy {
                total += loss::scalar::cross_entropy(&y, LABELS[r]);
            } else {
                for v in y {
                    total += v;
                }
            }
        }
        vec![if self.cross_entropy {
            total / 2.0
        } else {
            total
        }]
    }
    fn weights(&self) -> &'static [f64] {
        &[1.0]
    }
    fn order_dependent(&self) -> bool {
        true
    }
}

/// linear → relu → linear → sum from the primitive ops (matmul, broadcast add, unary, sum),
/// every array a leaf.
struct PrimitiveMlp;

impl LeafProgram for PrimitiveMlp {
    fn shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![2, 2], vec![2, 3], vec![3], vec![3, 2], vec![2]]
    }
    fn record(&self, g: &mut Graph<f64>, ids: &[NodeId]) -> NodeId {
        let z = g.matmul(ids[0], ids[1]);
        let z = g.add(z, ids[2]);
        let h = g.relu(z);
        let y = g.matmul(h, ids[3]);
        let y = g.add(y, ids[4]);
        g.sum(y)
    }
    fn scalar<T: Scalar>(&self, x: &[Vec<T>]) -> Vec<T> {
        let mut z = mm(&x[0], &x[1], 2, 2, 3);
        for (i, v) in z.iter_mut().enumerate() {
            *v += x[2][i % 3];
        }
        let h: Vec<T> = z.into_iter().map(|v| v.relu()).collect();
        let mut y = mm(&h, &x[3], 2, 3, 2);
        for (i, v) in y.iter_mut().enumerate() {
            *v += x[4][i % 2];
        }
        vec![y.into_iter().sum()]
    }
    fn weights(&self) -> &'static [f64] {
        &[1.0]
    }
    fn order_dependent(&self) -> bool {
        true
    }
}

#[test]
fn small_networks() {
    let mut results = vec![(
        "linear → relu → linear → sum (primitive ops)".to_string(),
        sweep(&PrimitiveMlp, 3000, 1000),
    )];
    for (i, act) in [Unary::Relu, Unary::Tanh, Unary::Sigmoid, Unary::Softplus]
        .into_iter()
        .enumerate()
    {
        results.push((
            format!("MLP 2-3-2 {act:?} → sum"),
            sweep(&Mlp::new(act, 2, false), 1500, 1100 + i as u64),
        ));
        results.push((
            format!("MLP 2-3-3 {act:?} → cross-entropy"),
            sweep(&Mlp::new(act, 3, true), 1500, 1200 + i as u64),
        ));
    }
    check_all(results);
}

// ---------------------------------------------------------------------------------------------
// Tensor ops mixed with scalar `Var` code (`Graph::backward_mixed`)

/// (a) x [3] leaf, `Var` a: loss = a · Σ relu(x / a) (tensor → scalar); (b) `Var`s a, b enter
/// as the leaf [a, a·b, b] (scalar → tensor), times a tensor leaf x [3], summed as a node.
fn mixed_case(kind: usize, x: &[f64], a: f64, b: f64) -> Outcome {
    let (tensor, value) = {
        let mut g = Graph::<f64>::new();
        let rec = Recording::<f64>::new();
        let (av, bv) = (rec.variable(a), rec.variable(b));
        let xn = g.leaf(x, &[3]);
        let (adj, value) = if kind == 0 {
            let y = g.div_var(xn, av);
            let r = g.relu(y);
            let s = g.sum(r);
            let u = g.to_vars(&rec, s)[0];
            let loss = u * av;
            (g.backward_mixed(&rec, loss), loss.primal())
        } else {
            let v = g.from_vars(&[av, av * bv, bv], &[3]);
            let p = g.mul(v, xn);
            let s = g.sum(p);
            let value = g.item(s);
            (g.backward_mixed_node(&rec, s), value)
        };
        let mut t = g.grad(xn).map(|d| d.to_vec()).unwrap_or(vec![0.0; 3]);
        t.push(adj.wrt(av));
        t.push(adj.wrt(bv));
        (t, value)
    };
    fn f<T: Scalar>(kind: usize, v: &[T]) -> T {
        let (x, a, b) = (&v[..3], v[3], v[4]);
        if kind == 0 {
            x.iter().map(|&xi| (xi / a).relu()).sum::<T>() * a
        } else {
            let w = [a, a * b, b];
            w.iter().zip(x).map(|(&wi, &xi)| wi * xi).sum()
        }
    }
    let flat = [x[0], x[1], x[2], a, b];
    let (rv, reverse) = diffprog_reverse::gradient(|v: &[Var]| f(kind, v), flat);
    let (_, forward) = diffprog_dual::gradient(|v: &[Fwd]| f(kind, v), flat);
    let case = format!("x = {x:?}, a = {a}, b = {b}");
    if !agree(&[value], &[rv]) {
        return Outcome::Differ(format!("{case}: value {value} vs scalar {rv}"));
    }
    compare(&case, &tensor, &reverse, &forward)
}

#[test]
fn mixed_tensor_and_scalar_code() {
    let mut results = Vec::new();
    for kind in 0..2 {
        let mut tally = Tally::default();
        for (x, _) in cases(&[3, 1, 1], 0, &[1.0], 2500, 1300 + kind as u64) {
            tally.add(mixed_case(kind, &x[0], x[1][0], x[2][0]), false);
        }
        results.push((format!("mixed program {kind}"), tally));
    }
    check_all(results);
}

//! Programs that interleave tensor ops and scalar `Var` code in both directions, differentiated
//! by one `Graph::backward_mixed` call: the gradients for the scalar inputs, a tensor leaf and a
//! parameter equal (a) the same program written entirely with scalar `Var`s on the scalar tape
//! and (b) central differences. Programs are random step lists (proptest) plus hand-written
//! ones with a known number of alternations; a learned softmax temperature is checked on its own.

use diffprog_dual::{Number, Scalar};
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::{Graph, NodeId, ParamId, Tensor, Unary};
use diffprog_reverse::{gradient, Recording, Var};
use diffprog_testkit::fd;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One step of a mixed program. Indices pick from the pools of scalars / tensors made so far
/// (modulo their size); every tensor has the program's shape `[m, n]`.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// scalar: s_i / 2 + sin s_j
    ScalarMix(usize, usize),
    /// scalar: tanh(s_i · s_j)
    ScalarTanh(usize, usize),
    /// tensor → scalar: Σₑ (1 + e/10) t_i[e] / 2
    ToScalarSum(usize),
    /// tensor → scalar: one element of t_i
    ToScalarElem(usize, usize),
    /// scalar → tensor: element e is s_{j+e} · (1 + e/10)
    FromScalars(usize),
    /// tanh(t_i · s_j)
    MulVar(usize, usize),
    /// t_i + s_j
    AddVar(usize, usize),
    /// t_i / (3/2 + tanh s_j)
    DivVar(usize, usize),
    /// t_i − s_j
    SubVar(usize, usize),
    /// tanh(t_i · W), W the `[n, n]` parameter
    MatMulW(usize),
    /// t_i ∘ t_j
    Mul(usize, usize),
    /// log-softmax of t_i along its rows
    LogSoftmax(usize),
    /// sigmoid(t_i)
    Sigmoid(usize),
}

fn step(kind: u8, i: usize, j: usize) -> Step {
    match kind % 13 {
        0 => Step::ScalarMix(i, j),
        1 => Step::ScalarTanh(i, j),
        2 => Step::ToScalarSum(i),
        3 => Step::ToScalarElem(i, j),
        4 => Step::FromScalars(j),
        5 => Step::MulVar(i, j),
        6 => Step::AddVar(i, j),
        7 => Step::DivVar(i, j),
        8 => Step::SubVar(i, j),
        9 => Step::MatMulW(i),
        10 => Step::Mul(i, j),
        11 => Step::LogSoftmax(i),
        _ => Step::Sigmoid(i),
    }
}

/// The loss weights: Σₖ (7 + k)/10 · sₖ over the scalars, plus Σₑ (3/10 + e/20) · last[e] over
/// the last tensor.
fn scalar_weight(k: usize) -> f64 {
    0.7 + 0.1 * k as f64
}
fn tensor_weight(e: usize) -> f64 {
    0.3 + 0.05 * e as f64
}

/// The program written with scalars only (any `Scalar`: `f64` for differences, `Var` for the
/// scalar tape). Inputs: scalars `a`, `b`, the `[m, n]` tensor `x` and the `[n, n]` matrix `w`.
fn pure<T: Scalar>(steps: &[Step], m: usize, n: usize, a: T, b: T, x: &[T], w: &[T]) -> T {
    let mut s: Vec<T> = vec![a, b];
    let mut t: Vec<Vec<T>> = vec![x.to_vec()];
    let map = |v: &[T], f: &dyn Fn(T) -> T| v.iter().map(|&e| f(e)).collect::<Vec<T>>();
    for &st in steps {
        let (ls, lt) = (s.len(), t.len());
        match st {
            Step::ScalarMix(i, j) => s.push(s[i % ls] * 0.5 + s[j % ls].sin()),
            Step::ScalarTanh(i, j) => s.push((s[i % ls] * s[j % ls]).tanh()),
            Step::ToScalarSum(i) => {
                let sum = t[i % lt]
                    .iter()
                    .enumerate()
                    .fold(T::zero(), |acc, (e, &v)| acc + v * (1.0 + 0.1 * e as f64));
                s.push(sum * 0.5);
            }
            Step::ToScalarElem(i, j) => s.push(t[i % lt][j % (m * n)]),
            Step::FromScalars(j) => {
                let v = (0..m * n)
                    .map(|e| s[(j + e) % ls] * (1.0 + 0.1 * e as f64))
                    .collect();
                t.push(v);
            }
            Step::MulVar(i, j) => {
                let c = s[j % ls];
                t.push(map(&t[i % lt], &|e| (e * c).tanh()));
            }
            Step::AddVar(i, j) => {
                let c = s[j % ls];
                t.push(map(&t[i % lt], &|e| e + c));
            }
            Step::DivVar(i, j) => {
                let c = s[j % ls].tanh() + 1.5;
                t.push(map(&t[i % lt], &|e| e / c));
            }
            Step::SubVar(i, j) => {
                let c = s[j % ls];
                t.push(map(&t[i % lt], &|e| e - c));
            }
            Step::MatMulW(i) => {
                let u = &t[i % lt];
                let mut out = vec![T::zero(); m * n];
                for r in 0..m {
                    for col in 0..n {
                        let mut acc = T::zero();
                        for l in 0..n {
                            acc += u[r * n + l] * w[l * n + col];
                        }
                        out[r * n + col] = acc.tanh();
                    }
                }
                t.push(out);
            }
            Step::Mul(i, j) => {
                let v = t[i % lt].iter().zip(&t[j % lt]).map(|(&p, &q)| p * q);
                t.push(v.collect());
            }
            Step::LogSoftmax(i) => {
                let u = &t[i % lt];
                let mut out = Vec::with_capacity(m * n);
                for r in 0..m {
                    let row = &u[r * n..(r + 1) * n];
                    let lse = row.iter().fold(T::zero(), |acc, &v| acc + v.exp()).ln();
                    out.extend(row.iter().map(|&v| v - lse));
                }
                t.push(out);
            }
            Step::Sigmoid(i) => t.push(map(&t[i % lt], &|e| e.sigmoid())),
        }
    }
    let mut loss = T::zero();
    for (k, &v) in s.iter().enumerate() {
        loss += v * scalar_weight(k);
    }
    for (e, &v) in t.last().unwrap().iter().enumerate() {
        loss += v * tensor_weight(e);
    }
    loss
}

/// The same program with tensors on the graph and scalars on the scalar tape; returns the loss
/// (a `Var` of `rec`), the scalar inputs and the leaf node of `x`.
fn mixed(
    g: &mut Graph<f64>,
    rec: &Recording<f64>,
    steps: &[Step],
    (m, n): (usize, usize),
    (a, b, x): (f64, f64, &[f64]),
    w: ParamId,
) -> (Var, [Var; 2], NodeId) {
    let (a, b) = (rec.variable(a), rec.variable(b));
    let xn = g.leaf(x, &[m, n]);
    let wn = g.param(w);
    let mut s: Vec<Var> = vec![a, b];
    let mut t: Vec<NodeId> = vec![xn];
    for &st in steps {
        let (ls, lt) = (s.len(), t.len());
        match st {
            Step::ScalarMix(i, j) => s.push(s[i % ls] * 0.5 + s[j % ls].sin()),
            Step::ScalarTanh(i, j) => s.push((s[i % ls] * s[j % ls]).tanh()),
            Step::ToScalarSum(i) => {
                let v = g.to_vars(rec, t[i % lt]);
                let sum = v
                    .iter()
                    .enumerate()
                    .fold(Var::zero(), |acc, (e, &v)| acc + v * (1.0 + 0.1 * e as f64));
                s.push(sum * 0.5);
            }
            Step::ToScalarElem(i, j) => s.push(g.to_vars(rec, t[i % lt])[j % (m * n)]),
            Step::FromScalars(j) => {
                let v: Vec<Var> = (0..m * n)
                    .map(|e| s[(j + e) % ls] * (1.0 + 0.1 * e as f64))
                    .collect();
                t.push(g.from_vars(&v, &[m, n]));
            }
            Step::MulVar(i, j) => {
                let y = g.mul_var(t[i % lt], s[j % ls]);
                t.push(g.tanh(y));
            }
            Step::AddVar(i, j) => t.push(g.add_var(t[i % lt], s[j % ls])),
            Step::DivVar(i, j) => {
                let c = s[j % ls].tanh() + 1.5;
                t.push(g.div_var(t[i % lt], c));
            }
            Step::SubVar(i, j) => t.push(g.sub_var(t[i % lt], s[j % ls])),
            Step::MatMulW(i) => {
                let y = g.matmul(t[i % lt], wn);
                t.push(g.tanh(y));
            }
            Step::Mul(i, j) => t.push(g.mul(t[i % lt], t[j % lt])),
            Step::LogSoftmax(i) => t.push(g.log_softmax(t[i % lt])),
            Step::Sigmoid(i) => t.push(g.sigmoid(t[i % lt])),
        }
    }
    let mut loss = Var::zero();
    for (k, &v) in s.iter().enumerate() {
        loss += v * scalar_weight(k);
    }
    let last = g.to_vars(rec, *t.last().unwrap());
    for (e, &v) in last.iter().enumerate() {
        loss += v * tensor_weight(e);
    }
    (loss, [a, b], xn)
}

/// Gradient of the loss in (a, b, x, w), flattened in that order.
struct Run {
    value: f64,
    grad: Vec<f64>,
}

fn run_mixed(steps: &[Step], m: usize, n: usize, inputs: &[f64]) -> Run {
    let (a, b, x, w) = split(inputs, m, n);
    let mut g = Graph::<f64>::new();
    let wid = g
        .params_mut()
        .add("w", Tensor::from_vec(w.to_vec(), &[n, n]));
    let rec = Recording::<f64>::new();
    let (loss, [va, vb], xn) = mixed(&mut g, &rec, steps, (m, n), (a, b, x), wid);
    g.params_mut().zero_grad();
    let adj = g.backward_mixed(&rec, loss);
    let mut grad = vec![adj.wrt(va), adj.wrt(vb)];
    match g.grad(xn) {
        Some(gx) => grad.extend_from_slice(gx),
        None => grad.extend(std::iter::repeat_n(0.0, m * n)),
    }
    grad.extend_from_slice(g.params().grad(wid));
    Run {
        value: loss.primal(),
        grad,
    }
}

fn split(v: &[f64], m: usize, n: usize) -> (f64, f64, &[f64], &[f64]) {
    (
        v[0],
        v[1],
        &v[2..2 + m * n],
        &v[2 + m * n..2 + m * n + n * n],
    )
}

fn pure_at<T: Scalar>(steps: &[Step], m: usize, n: usize, v: &[T]) -> T {
    pure(
        steps,
        m,
        n,
        v[0],
        v[1],
        &v[2..2 + m * n],
        &v[2 + m * n..2 + m * n + n * n],
    )
}

/// Checks the mixed gradient against the scalar tape and central differences.
fn check_program(steps: &[Step], m: usize, n: usize, inputs: &[f64]) {
    let mixed = run_mixed(steps, m, n, inputs);
    let (value, tape) = gradient(|v: &[Var]| pure_at(steps, m, n, v), inputs);
    assert!(
        (mixed.value - value).abs() <= 1e-12 * (1.0 + value.abs()),
        "value: mixed {} vs scalar {value} for {steps:?}",
        mixed.value
    );
    let scale = 1.0 + tape.iter().fold(0.0_f64, |acc, g| acc.max(g.abs()));
    for (k, (gm, gt)) in mixed.grad.iter().zip(&tape).enumerate() {
        assert!(
            (gm - gt).abs() <= 1e-12 * scale,
            "input {k}: mixed {gm} vs scalar tape {gt} for {steps:?} (m = {m}, n = {n})"
        );
    }
    for (k, &gm) in mixed.grad.iter().enumerate() {
        let fd = fd::partial(|p| pure_at::<f64>(steps, m, n, p), inputs, k, 1e-5);
        assert!(
            (gm - fd).abs() <= 1e-6 * scale,
            "input {k}: mixed {gm} vs central difference {fd} for {steps:?} (m = {m}, n = {n})"
        );
    }
}

fn random_inputs(m: usize, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..2 + m * n + n * n)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect()
}

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    #[test]
    fn random_mixed_programs(
        m in 1usize..4,
        n in 1usize..4,
        raw in prop::collection::vec((0u8..13, 0usize..8, 0usize..8), 2..14),
        seed in any::<u64>(),
    ) {
        let steps: Vec<Step> = raw.iter().map(|&(k, i, j)| step(k, i, j)).collect();
        check_program(&steps, m, n, &random_inputs(m, n, seed));
    }
}

/// Hand-written programs with a known number of alternations, including crossings whose order
/// in time differs from the order of the nodes they touch.
#[test]
fn interleavings() {
    use Step::*;
    let programs: [&[Step]; 6] = [
        // tensor → scalar only
        &[MatMulW(0), ToScalarSum(1)],
        // scalar → tensor → scalar
        &[ScalarMix(0, 1), MulVar(0, 2), ToScalarSum(1)],
        // scalar → tensor → scalar → tensor → scalar
        &[
            ScalarTanh(0, 1),
            DivVar(0, 2),
            MatMulW(1),
            ToScalarSum(2),
            ScalarMix(3, 0),
            FromScalars(3),
            Mul(3, 2),
            LogSoftmax(4),
        ],
        // an old tensor read back after a later scalar → tensor crossing, then reused
        &[
            MatMulW(0),
            FromScalars(0),
            MulVar(1, 1),
            ToScalarElem(1, 2),
            AddVar(3, 2),
            ToScalarSum(4),
            SubVar(2, 3),
            Sigmoid(5),
        ],
        // five alternations through one chain
        &[
            MulVar(0, 0),
            ToScalarSum(1),
            MulVar(1, 2),
            ToScalarSum(2),
            DivVar(2, 3),
            ToScalarSum(3),
            AddVar(3, 4),
            ToScalarElem(4, 1),
            MulVar(4, 5),
        ],
        // a parameter used before and after scalars enter
        &[
            MatMulW(0),
            ToScalarSum(1),
            AddVar(1, 2),
            MatMulW(2),
            Mul(3, 1),
        ],
    ];
    for (p, steps) in programs.iter().enumerate() {
        for (m, n) in [(1, 1), (2, 3), (3, 2)] {
            check_program(steps, m, n, &random_inputs(m, n, 17 + p as u64));
        }
    }
}

/// Softmax cross-entropy of a small network whose logits are divided by a learned temperature
/// T = exp(τ), τ a scalar `Var`, plus a scalar penalty on τ.
fn temperature_loss(
    g: &mut Graph<f64>,
    net: &Sequential<f64>,
    rec: &Recording<f64>,
    tau: f64,
    x: &[f64],
    labels: &[usize],
) -> (Var, Var) {
    let tau = rec.variable(tau);
    let temperature = tau.exp();
    let xn = g.input(x, &[labels.len(), 4]);
    let logits = net.forward(g, xn);
    let z = g.div_var(logits, temperature);
    let ce = g.cross_entropy(z, labels);
    let loss = g.to_vars(rec, ce)[0] + tau * tau * 0.1;
    (loss, tau)
}

#[test]
fn learned_temperature_on_cross_entropy() {
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[4, 6, 3],
        Unary::Tanh,
        Init::XavierNormal,
        &mut seeded_rng(5),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let x: Vec<f64> = (0..20).map(|_| rng.random_range(-1.5..1.5)).collect();
    let labels = [0, 2, 1, 1, 0];
    let tau0 = 0.4;

    let rec = Recording::<f64>::new();
    let (loss, tau) = temperature_loss(&mut g, &net, &rec, tau0, &x, &labels);
    g.params_mut().zero_grad();
    let adj = g.backward_mixed(&rec, loss);
    let dtau = adj.wrt(tau);
    let theta_grad = g.params().flatten_grads();
    let value = loss.primal();
    drop(rec);

    // The same loss with the temperature a constant: plain tensor ops, plain backward.
    let eval = |g: &mut Graph<f64>, tau: f64| -> (f64, NodeId) {
        g.reset();
        let xn = g.input(&x, &[labels.len(), 4]);
        let logits = net.forward(g, xn);
        let z = g.mul_scalar(logits, (-tau).exp());
        let ce = g.cross_entropy(z, &labels);
        (g.item(ce) + 0.1 * tau * tau, ce)
    };
    let (v, ce) = eval(&mut g, tau0);
    assert!((v - value).abs() < 1e-14);
    g.params_mut().zero_grad();
    g.backward(ce);
    for (a, b) in theta_grad.iter().zip(g.params().flatten_grads()) {
        assert!((a - b).abs() <= 1e-13 * (1.0 + b.abs()), "θ: {a} vs {b}");
    }
    assert!(theta_grad.iter().any(|v| v.abs() > 1e-3));

    // dL/dτ by central differences.
    let h = 1e-5;
    let fd = fd::central(|tau| eval(&mut g, tau).0, tau0, h);
    assert!((dtau - fd).abs() < 1e-8, "dL/dτ: {dtau} vs {fd}");
    assert!(dtau.abs() > 1e-3);

    // and some parameters by central differences, through the mixed program itself
    let theta = g.params().flatten();
    for k in [0, 7, theta.len() / 2, theta.len() - 1] {
        let at = |p: &[f64]| {
            g.params_mut().unflatten(p);
            g.reset();
            let rec = Recording::<f64>::new();
            temperature_loss(&mut g, &net, &rec, tau0, &x, &labels)
                .0
                .primal()
        };
        let fd = fd::partial(at, &theta, k, h);
        assert!(
            (theta_grad[k] - fd).abs() < 1e-8,
            "θ[{k}]: {} vs {fd}",
            theta_grad[k]
        );
    }
}

/// A loss that is a node (`backward_mixed_node`): the temperature's gradient and the
/// parameters' agree with the `Var`-loss form.
#[test]
fn node_loss_matches_var_loss() {
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[4, 3],
        Unary::Identity,
        Init::XavierNormal,
        &mut seeded_rng(2),
    );
    let x = [0.3, -0.2, 0.9, 1.1, -0.5, 0.4, 0.0, 0.7];
    let labels = [2, 0];
    let grads = |g: &mut Graph<f64>, as_node: bool| -> (f64, Vec<f64>) {
        g.reset();
        g.params_mut().zero_grad();
        let rec = Recording::<f64>::new();
        let tau = rec.variable(-0.3);
        let xn = g.input(&x, &[2, 4]);
        let logits = net.forward(g, xn);
        let z = g.div_var(logits, tau.exp());
        let ce = g.cross_entropy(z, &labels);
        let adj = if as_node {
            g.backward_mixed_node(&rec, ce)
        } else {
            let l = g.to_vars(&rec, ce)[0];
            g.backward_mixed(&rec, l)
        };
        (adj.wrt(tau), g.params().flatten_grads())
    };
    let (t1, p1) = grads(&mut g, true);
    let (t2, p2) = grads(&mut g, false);
    assert_eq!(t1, t2);
    assert_eq!(p1, p2);
    assert!(t1.abs() > 1e-4);
}

/// The mixed pass at `f32` agrees with `f64` to `f32` precision.
#[test]
fn f32_agrees_with_f64() {
    macro_rules! grads {
        ($f:ty) => {{
            let mut g = Graph::<$f>::new();
            let rec = Recording::<$f>::new();
            let tau = rec.variable(0.25);
            let logits = g.leaf(&[2.0, 0.5, -1.0, 0.3, 0.1, 1.2], &[2, 3]);
            let t = tau.exp();
            let z = g.div_var(logits, t);
            let ce = g.cross_entropy(z, &[0, 2]);
            let loss = g.to_vars(&rec, ce)[0] * t;
            let adj = g.backward_mixed(&rec, loss);
            let mut out = vec![f64::from(adj.wrt(tau))];
            out.extend(g.grad(logits).unwrap().iter().map(|&v| f64::from(v)));
            out
        }};
    }
    let (single, double) = (grads!(f32), grads!(f64));
    for (a, b) in single.iter().zip(&double) {
        assert!(
            (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
            "f32 {a} vs f64 {b}"
        );
    }
    assert!(double[0].abs() > 1e-2);
}

/// A parameter of the store read by scalar code (`to_vars` on its node): its gradient reaches the
/// store through the scalar code and through the tensor ops that use it directly.
#[test]
fn parameter_read_by_scalar_code() {
    let mut g = Graph::<f64>::new();
    let w = g
        .params_mut()
        .add("w", Tensor::from_vec(vec![0.5, -1.5], &[2]));
    let rec = Recording::<f64>::new();
    let p = g.param(w);
    let v = g.to_vars(&rec, p); // parameter → scalar code
    let s = (v[0] * v[1]).sin(); // s = sin(w₀w₁)
    let q = g.mul_var(p, s); // back into a tensor op with the parameter itself: q = s·w
    let q2 = g.square(q);
    let loss = g.sum(q2); // s² (w₀² + w₁²)
    g.params_mut().zero_grad();
    g.backward_mixed_node(&rec, loss);
    let (w0, w1) = (0.5_f64, -1.5_f64);
    let (sv, cv, n2) = ((w0 * w1).sin(), (w0 * w1).cos(), w0 * w0 + w1 * w1);
    // ∂/∂w₀ = 2 s cos(w₀w₁) w₁ · n2 + s² · 2w₀, and symmetrically
    let expected = [
        2.0 * sv * cv * w1 * n2 + sv * sv * 2.0 * w0,
        2.0 * sv * cv * w0 * n2 + sv * sv * 2.0 * w1,
    ];
    let got = g.params().grad(w);
    for (a, b) in got.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
}

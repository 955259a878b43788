//! Tensor code and scalar `Var` code mixed in one differentiable program.
//!
//! A small classifier 2-8-3 (tanh) on three Gaussian blobs has two extra *scalar* parameters
//! that live on the scalar tape as `Var`s, not in the network's parameter store:
//! - σ: the inputs are scaled by the gain softplus(σ) before the network (scalar → tensor);
//! - τ: the logits are divided by a temperature T = exp(τ) · (1 + m/100), where m, the mean
//!   squared logit, is read back from the tensor side (tensor → scalar → tensor).
//!
//! The loss is the cross-entropy of the tempered logits plus a scalar penalty 10⁻³ (σ² + τ²):
//!
//! ```text
//! scalar  gain = softplus(σ)
//! tensor  logits = net(x · gain)
//! scalar  m = mean(logits²) (a Var);  T = exp(τ)(1 + m/100)
//! tensor  ce = cross_entropy(logits / T)
//! scalar  loss = ce + 10⁻³ (σ² + τ²)
//! ```
//!
//! One call, `Graph::backward_mixed`, gives ∂loss/∂θ for the network's parameters and
//! ∂loss/∂σ, ∂loss/∂τ. The network trains with Adam, σ and τ with plain gradient steps; at the
//! end every scalar gradient and a few parameter gradients are checked against central
//! differences.
//!
//! Run: `cargo run --release --example 06_mixing_tensors_and_scalars`

use diffprog::dual::Scalar;
use diffprog::nn::layers::{seeded_rng, Init, Sequential};
use diffprog::nn::optim::{Adam, Optimizer};
use diffprog::nn::rand::Rng;
use diffprog::nn::{Graph, Unary};
use diffprog::reverse::{Recording, Var};

/// Three blobs in the plane, `n` points each: (inputs `[3n, 2]`, labels).
fn blobs(n: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = seeded_rng(7);
    let centres = [(-1.0, 0.0), (1.0, 0.5), (0.0, -1.2)];
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (label, &(cx, cy)) in centres.iter().enumerate() {
        for _ in 0..n {
            x.push(cx + 1.2 * rng.random_range(-1.0..1.0));
            x.push(cy + 1.2 * rng.random_range(-1.0..1.0));
            y.push(label);
        }
    }
    (x, y)
}

/// The mixed program. Returns the loss and the scalar parameters as `Var`s of `rec`.
fn loss(
    g: &mut Graph<f64>,
    net: &Sequential<f64>,
    rec: &Recording<f64>,
    (sigma, tau): (f64, f64),
    x: &[f64],
    labels: &[usize],
) -> (Var, Var, Var) {
    g.reset();
    let (sigma, tau) = (rec.variable(sigma), rec.variable(tau));
    let gain = sigma.softplus(); // scalar
    let xn = g.input(x, &[labels.len(), 2]);
    let xs = g.mul_var(xn, gain); // scalar → tensor
    let logits = net.forward(g, xs);
    let sq = g.square(logits);
    let msq = g.mean(sq);
    let m = g.to_vars(rec, msq)[0]; // tensor → scalar
    let temperature = tau.exp() * (m / 100.0 + 1.0); // scalar
    let z = g.div_var(logits, temperature); // scalar → tensor
    let ce = g.cross_entropy(z, labels);
    let ce = g.to_vars(rec, ce)[0]; // tensor → scalar
    let l = ce + (sigma * sigma + tau * tau) * 1e-3;
    (l, sigma, tau)
}

fn main() {
    let (x, labels) = blobs(20);
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[2, 8, 3],
        Unary::Tanh,
        Init::XavierNormal,
        &mut seeded_rng(1),
    );
    let mut opt = Adam::new(0.02);
    let (mut sigma, mut tau) = (0.0_f64, 0.5_f64);
    let lr_scalar = 0.2;
    println!("step   loss      gain = softplus(σ)   exp(τ)");
    for step in 0..=100 {
        let rec = Recording::<f64>::new();
        let (l, vs, vt) = loss(&mut g, &net, &rec, (sigma, tau), &x, &labels);
        if step % 20 == 0 {
            println!(
                "{step:>4}   {:.5}   {:.5}              {:.5}",
                l.primal(),
                sigma.softplus(),
                tau.exp()
            );
        }
        g.params_mut().zero_grad();
        let adj = g.backward_mixed(&rec, l); // one backward for both tapes
        opt.step(g.params_mut());
        sigma -= lr_scalar * adj.wrt(vs);
        tau -= lr_scalar * adj.wrt(vt);
    }

    // Gradients at the final point against central differences.
    let rec = Recording::<f64>::new();
    let (l, vs, vt) = loss(&mut g, &net, &rec, (sigma, tau), &x, &labels);
    g.params_mut().zero_grad();
    let adj = g.backward_mixed(&rec, l);
    let (ds, dt) = (adj.wrt(vs), adj.wrt(vt));
    let theta_grad = g.params().flatten_grads();
    drop(rec);
    let value = |g: &mut Graph<f64>, s: f64, t: f64| {
        let rec = Recording::<f64>::new();
        loss(g, &net, &rec, (s, t), &x, &labels).0.primal()
    };
    let h = 1e-5;
    let fd_s = (value(&mut g, sigma + h, tau) - value(&mut g, sigma - h, tau)) / (2.0 * h);
    let fd_t = (value(&mut g, sigma, tau + h) - value(&mut g, sigma, tau - h)) / (2.0 * h);
    println!("\ngradient at the final point    backward_mixed      central difference");
    println!("  ∂loss/∂σ                     {ds:+.10e}   {fd_s:+.10e}");
    println!("  ∂loss/∂τ                     {dt:+.10e}   {fd_t:+.10e}");
    let theta = g.params().flatten();
    // difference relative to the gradient, with a floor of 1e-3 for tiny components
    let rel = |a: f64, b: f64| (a - b).abs() / (b.abs() + 1e-3);
    let mut worst = rel(ds, fd_s).max(rel(dt, fd_t));
    for k in [0, 5, theta.len() / 2, theta.len() - 1] {
        let mut at = |d: f64| {
            let mut p = theta.clone();
            p[k] += d;
            g.params_mut().unflatten(&p);
            let v = value(&mut g, sigma, tau);
            g.params_mut().unflatten(&theta);
            v
        };
        let fd = (at(h) - at(-h)) / (2.0 * h);
        println!(
            "  ∂loss/∂θ[{k:>2}]                 {:+.10e}   {fd:+.10e}",
            theta_grad[k]
        );
        worst = worst.max(rel(theta_grad[k], fd));
    }
    println!("largest relative difference: {worst:.2e}");
    assert!(worst < 1e-6, "gradient check failed");
}

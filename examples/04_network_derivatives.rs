//! One network, four modes of differentiation.
//!
//! A small MLP 2-16-16-1 (tanh) is defined once. Its generic forward runs on
//! - `f64`: plain inference;
//! - `DualVec` (forward mode): the Jacobian of the output w.r.t. the inputs;
//! - hyperdual numbers (forward-over-forward): the input Hessian and its trace, the Laplacian
//!   Δu that a physics-informed loss for, e.g., Poisson's equation needs;
//! - `Var<Dual<f64>>` (forward-over-reverse): the gradient and a Hessian-vector product of a
//!   training loss w.r.t. all the parameters in one backward sweep.
//!
//! Each result is compared with the tensor tape (where it applies) and with central differences.
//!
//! Run: `cargo run --release --example 04_network_derivatives`

use diffprog::dual::Scalar;
use diffprog::hyperdual::{hessian, HyperDual};
use diffprog::nn::layers::{seeded_rng, Init, Sequential};
use diffprog::nn::loss::{mse, Reduction};
use diffprog::nn::{Graph, Params, Unary};
use diffprog::reverse::hessian_vector_product;

fn main() {
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[2, 16, 16, 1],
        Unary::Tanh,
        Init::XavierNormal,
        &mut seeded_rng(42),
    );
    let params = g.params().clone();
    let x0 = [0.3, -0.6];
    let u = |x: &[f64]| net.forward_generic(&params, x)[0];

    // 1. f64 inference, and the same network on the tensor tape
    let xn = g.leaf(&x0, &[1, 2]);
    let y = net.forward(&mut g, xn);
    println!(
        "1. f64:             u(x0) = {:.12}   (tape: {:.12})",
        u(&x0),
        g.value(y)[0]
    );

    // 2. forward mode: ∇ₓu with DualVec; the tape's backward gives the same
    let (_, jac) = diffprog::dual::jacobian(|x| net.forward_generic(&params, x), x0);
    g.backward(y);
    let tape_grad = g.grad(xn).unwrap().to_vec();
    let h = 1e-6;
    let fd: Vec<f64> = (0..2)
        .map(|j| {
            let (mut p, mut m) = (x0, x0);
            p[j] += h;
            m[j] -= h;
            (u(&p) - u(&m)) / (2.0 * h)
        })
        .collect();
    println!(
        "2. DualVec:         ∇u = [{:.12}, {:.12}]",
        jac[(0, 0)],
        jac[(0, 1)]
    );
    println!(
        "   tensor tape:     ∇u = [{:.12}, {:.12}]",
        tape_grad[0], tape_grad[1]
    );
    println!("   central diff.:   ∇u = [{:.12}, {:.12}]", fd[0], fd[1]);

    // 3. second order forward: the input Hessian and the Laplacian
    let (_, _, hess) = hessian(|x| net.forward_generic(&params, x)[0], x0);
    let lap: f64 = (0..2)
        .map(|j| {
            let x: Vec<HyperDual<f64>> = (0..2)
                .map(|k| {
                    let e = if k == j { 1.0 } else { 0.0 };
                    HyperDual::new(x0[k], e, e, 0.0)
                })
                .collect();
            net.forward_generic(&params, &x)[0].eps12
        })
        .sum();
    let h2 = 1e-4;
    let lap_fd: f64 = (0..2)
        .map(|j| {
            let (mut p, mut m) = (x0, x0);
            p[j] += h2;
            m[j] -= h2;
            (u(&p) - 2.0 * u(&x0) + u(&m)) / (h2 * h2)
        })
        .sum();
    println!(
        "3. hyperdual:       ∇²u = [[{:.10}, {:.10}], [{:.10}, {:.10}]]",
        hess[(0, 0)],
        hess[(0, 1)],
        hess[(1, 0)],
        hess[(1, 1)]
    );
    println!(
        "   Laplacian Δu = {lap:.10} (trace of ∇²u: {:.10}; second differences: {lap_fd:.6})",
        hess[(0, 0)] + hess[(1, 1)]
    );

    // 4. forward-over-reverse: gradient and H·v of a loss in the parameters
    let xs = [[0.3, -0.6], [1.0, 0.5], [-0.8, 0.1], [0.0, 0.9]];
    let ts = [0.2, -0.4, 0.7, 0.1];
    let theta = params.flatten();
    let v: Vec<f64> = (0..theta.len())
        .map(|i| if i % 3 == 0 { 1.0 } else { -0.5 })
        .collect();
    let (loss, grad, hv) =
        hessian_vector_product(|th| loss_theta(&net, &params, th, &xs, &ts), &theta, &v);
    // the tensor tape's gradient of the same loss
    let tape = |g: &mut Graph<f64>, th: &[f64]| -> Vec<f64> {
        g.params_mut().unflatten(th);
        g.reset();
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let x = g.input(&flat, &[4, 2]);
        let y = net.forward(g, x);
        let t = g.input(&ts, &[4, 1]);
        let l = mse(g, y, t, Reduction::Mean);
        g.params_mut().zero_grad();
        g.backward(l);
        g.params().flatten_grads()
    };
    let tg = tape(&mut g, &theta);
    let eps = 1e-6;
    let tp: Vec<f64> = theta.iter().zip(&v).map(|(a, b)| a + eps * b).collect();
    let tm: Vec<f64> = theta.iter().zip(&v).map(|(a, b)| a - eps * b).collect();
    let (gp, gm) = (tape(&mut g, &tp), tape(&mut g, &tm));
    let max_grad_diff = grad
        .iter()
        .zip(&tg)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let max_hv_diff = (0..theta.len())
        .map(|i| (hv[i] - (gp[i] - gm[i]) / (2.0 * eps)).abs())
        .fold(0.0, f64::max);
    println!(
        "4. Var<Dual<f64>>:  loss = {loss:.10} over {} parameters",
        theta.len()
    );
    println!("   max |∇θ loss − tensor tape gradient| = {max_grad_diff:.2e}");
    println!("   max |H·v − central difference of the tape gradient along v| = {max_hv_diff:.2e}");
    println!(
        "   vᵀHv = {:.10}",
        v.iter().zip(&hv).map(|(a, b)| a * b).sum::<f64>()
    );
}

/// The mean squared error of the network with parameters θ on a small batch, in any number type.
fn loss_theta<T: Scalar>(
    net: &Sequential<f64>,
    params: &Params<f64>,
    theta: &[T],
    xs: &[[f64; 2]],
    ts: &[f64],
) -> T {
    let mut s = T::zero();
    for (x, &t) in xs.iter().zip(ts) {
        let xv: Vec<T> = x.iter().map(|&v| T::constant(v)).collect();
        let y = net.forward_with_theta(params, theta, &xv)[0];
        s += (y - t) * (y - t);
    }
    s / xs.len() as f64
}

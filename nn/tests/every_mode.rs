//! One network, every mode: the generic forward of a small MLP evaluated with f64, Dual/DualVec
//! (input Jacobian), hyperdual numbers (input Hessian, Laplacian) and `Var<Dual<f64>>`
//! (Hessian-vector product of the loss in the parameters) agrees with the tensor tape, with the
//! other modes and with central finite differences.

use diffprog_dual::{Dual, Scalar};
use diffprog_hyperdual::HyperDual;
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::loss::{mse, Reduction};
use diffprog_nn::{Graph, Unary};
use diffprog_testkit::fd;

const X0: [f64; 3] = [0.4, -0.8, 1.3];

fn net() -> (Graph<f64>, Sequential<f64>) {
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[3, 6, 5, 2],
        Unary::Tanh,
        Init::XavierNormal,
        &mut seeded_rng(11),
    );
    (g, net)
}

/// The tensor tape's input Jacobian (one backward per output row).
fn tape_jacobian(g: &mut Graph<f64>, net: &Sequential<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    (0..2)
        .map(|i| {
            g.reset();
            let xn = g.leaf(x, &[1, 3]);
            let y = net.forward(g, xn);
            let mut seed = [0.0; 2];
            seed[i] = 1.0;
            g.backward_with_grad(y, &seed);
            g.grad(xn).unwrap().to_vec()
        })
        .collect()
}

#[test]
fn f64_generic_forward_equals_the_tape() {
    let (mut g, net) = net();
    let x = g.input(&X0, &[1, 3]);
    let y = net.forward(&mut g, x);
    let y2 = net.forward_generic(g.params(), &X0);
    for (a, b) in g.value(y).iter().zip(&y2) {
        assert!((a - b).abs() < 1e-14);
    }
}

#[test]
fn input_jacobian_dual_dualvec_tape_and_differences_agree() {
    let (mut g, net) = net();
    let tape = tape_jacobian(&mut g, &net, &X0);
    let params = g.params().clone();
    let (_, jv) = diffprog_dual::jacobian(|x| net.forward_generic(&params, x), X0);
    for j in 0..3 {
        let xd: Vec<Dual<f64>> = (0..3)
            .map(|k| Dual::new(X0[k], if k == j { 1.0 } else { 0.0 }))
            .collect();
        let yd = net.forward_generic(&params, &xd);
        let column = fd::partials(|x| net.forward_generic(&params, x), &X0, j, 1e-6);
        for i in 0..2 {
            let fd = column[i];
            let d = yd[i].eps;
            assert!(
                (d - jv[(i, j)]).abs() < 1e-14,
                "Dual {d} vs DualVec {}",
                jv[(i, j)]
            );
            assert!(
                (d - tape[i][j]).abs() < 1e-13,
                "Dual {d} vs tape {}",
                tape[i][j]
            );
            assert!((d - fd).abs() < 1e-8, "Dual {d} vs central difference {fd}");
        }
    }
}

#[test]
fn input_hessian_and_laplacian_hyperdual_against_differences() {
    let (g, net) = net();
    let params = g.params().clone();
    let out0 = |x: &[f64]| net.forward_generic(&params, x)[0];
    let (_, grad, hess) = diffprog_hyperdual::hessian(|x| net.forward_generic(&params, x)[0], X0);
    // gradient against Dual, Hessian against central differences of the Dual gradient
    let dual_grad = |x: &[f64]| -> Vec<f64> {
        (0..3)
            .map(|j| {
                let xd: Vec<Dual<f64>> = (0..3)
                    .map(|k| Dual::new(x[k], if k == j { 1.0 } else { 0.0 }))
                    .collect();
                net.forward_generic(&params, &xd)[0].eps
            })
            .collect()
    };
    let g0 = dual_grad(&X0);
    let h = 1e-5;
    let mut lap_hd = 0.0;
    for j in 0..3 {
        assert!((grad[j] - g0[j]).abs() < 1e-14);
        let column = fd::partials(&dual_grad, &X0, j, h);
        for i in 0..3 {
            let fd = column[i];
            assert!(
                (hess[(i, j)] - fd).abs() < 1e-8,
                "H[{i},{j}] {} vs {fd}",
                hess[(i, j)]
            );
        }
        // the Laplacian term ∂²f/∂x_j² with one scalar hyperdual number per direction
        let xh: Vec<HyperDual<f64>> = (0..3)
            .map(|k| {
                let e = if k == j { 1.0 } else { 0.0 };
                HyperDual::new(X0[k], e, e, 0.0)
            })
            .collect();
        lap_hd += net.forward_generic(&params, &xh)[0].eps12;
        // second difference of the plain network
        let (xp, xm) = (fd::shifted(&X0, j, h), fd::shifted(&X0, j, -h));
        let fd2 = (out0(&xp) - 2.0 * out0(&X0) + out0(&xm)) / (h * h);
        assert!(
            (hess[(j, j)] - fd2).abs() < 1e-4,
            "H[{j},{j}] vs second difference {fd2}"
        );
    }
    let trace: f64 = (0..3).map(|j| hess[(j, j)]).sum();
    assert!(
        (lap_hd - trace).abs() < 1e-13,
        "Laplacian {lap_hd} vs trace {trace}"
    );
}

/// The batch loss of the parameter vector θ in any number type.
fn loss_theta<T: Scalar>(
    net: &Sequential<f64>,
    params: &diffprog_nn::Params<f64>,
    theta: &[T],
    xs: &[[f64; 3]],
    ts: &[[f64; 2]],
) -> T {
    let mut s = T::zero();
    for (x, t) in xs.iter().zip(ts) {
        let xv: Vec<T> = x.iter().map(|&v| T::constant(v)).collect();
        let y = net.forward_with_theta(params, theta, &xv);
        for (yi, &ti) in y.iter().zip(t) {
            s += (*yi - ti) * (*yi - ti);
        }
    }
    s / (2 * xs.len()) as f64
}

#[test]
fn parameter_hvp_forward_over_reverse_against_tape_and_differences() {
    let (mut g, net) = net();
    let xs = [[0.4, -0.8, 1.3], [-1.0, 0.2, 0.5], [0.9, 0.9, -0.3]];
    let ts = [[0.5, -0.5], [0.0, 1.0], [-0.7, 0.2]];
    let theta0 = g.params().flatten();
    let n = theta0.len();
    let v: Vec<f64> = (0..n).map(|i| ((i * 7 % 11) as f64 - 5.0) / 5.0).collect();
    let params = g.params().clone();

    // tensor tape gradient of the same loss at θ
    let tape_grad = |g: &mut Graph<f64>, theta: &[f64]| -> (f64, Vec<f64>) {
        g.params_mut().unflatten(theta);
        g.reset();
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let tf: Vec<f64> = ts.iter().flatten().copied().collect();
        let x = g.input(&flat, &[3, 3]);
        let y = net.forward(g, x);
        let t = g.input(&tf, &[3, 2]);
        let l = mse(g, y, t, Reduction::Mean);
        g.params_mut().zero_grad();
        g.backward(l);
        (g.item(l), g.params().flatten_grads())
    };

    let (value, grad, hv) = diffprog_reverse::hessian_vector_product(
        |th| loss_theta(&net, &params, th, &xs, &ts),
        &theta0,
        &v,
    );
    let (tl, tg) = tape_grad(&mut g, &theta0);
    assert!((value - tl).abs() < 1e-14);
    for (a, b) in grad.iter().zip(&tg) {
        assert!(
            (a - b).abs() < 1e-13,
            "forward-over-reverse gradient {a} vs tensor tape {b}"
        );
    }
    // H·v against central differences of the tensor tape's gradient along v
    let column = fd::along(|th| tape_grad(&mut g, th).1, &theta0, &v, 1e-6);
    for i in 0..n {
        let fd = column[i];
        assert!(
            (hv[i] - fd).abs() < 1e-7 * (1.0 + fd.abs()),
            "Hv[{i}] {} vs {fd}",
            hv[i]
        );
    }
    // vᵀHv against forward-over-forward (a hyperdual number along v in both directions)
    let th: Vec<HyperDual<f64>> = theta0
        .iter()
        .zip(&v)
        .map(|(&t, &d)| HyperDual::new(t, d, d, 0.0))
        .collect();
    let vhv_fof = loss_theta(&net, &params, &th, &xs, &ts).eps12;
    let vhv: f64 = v.iter().zip(&hv).map(|(a, b)| a * b).sum();
    assert!(
        (vhv - vhv_fof).abs() < 1e-12 * (1.0 + vhv.abs()),
        "vᵀHv {vhv} vs hyperdual {vhv_fof}"
    );
}

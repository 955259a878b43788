//! Tensor code and scalar `Var` code mix: a loss written with scalar ops on a network's outputs
//! gives the same parameter gradients as the same loss written with tensor ops.

use diffprog_dual::Scalar;
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::loss::{mse, Reduction};
use diffprog_nn::{Graph, Unary};
use diffprog_reverse::Recording;

#[test]
fn scalar_loss_on_tensor_outputs_matches_tensor_loss() {
    let mut g = Graph::<f64>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[3, 5, 2],
        Unary::Tanh,
        Init::XavierNormal,
        &mut seeded_rng(3),
    );
    let xs = [0.3, -0.7, 1.1, 0.5, 0.2, -0.9];
    let target = [0.1, -0.2, 0.4, 0.3];

    // pure tensor: mean squared error
    let x = g.input(&xs, &[2, 3]);
    let y = net.forward(&mut g, x);
    let t = g.input(&target, &[2, 2]);
    let l = mse(&mut g, y, t, Reduction::Mean);
    g.params_mut().zero_grad();
    g.backward(l);
    let tensor_grads = g.params().flatten_grads();
    let tensor_loss = g.item(l);

    // tensor network, scalar loss
    g.reset();
    let x = g.input(&xs, &[2, 3]);
    let y = net.forward(&mut g, x);
    let rec = Recording::<f64>::new();
    let v = g.to_vars(&rec, y);
    let loss = v
        .iter()
        .zip(&target)
        .map(|(&o, &t)| (o - t).powi(2))
        .sum::<diffprog_reverse::Var>()
        / 4.0;
    let adj = rec.backward(loss);
    g.params_mut().zero_grad();
    g.backward_from_vars(y, &v, &adj);
    let bridged = g.params().flatten_grads();

    assert!((loss.value() - tensor_loss).abs() < 1e-14);
    assert_eq!(bridged.len(), tensor_grads.len());
    for (a, b) in bridged.iter().zip(&tensor_grads) {
        assert!(
            (a - b).abs() <= 1e-13 * (1.0 + b.abs()),
            "bridged {a} vs tensor {b}"
        );
    }
    assert!(tensor_grads.iter().any(|&v| v.abs() > 1e-3));
}

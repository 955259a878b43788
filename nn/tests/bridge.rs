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

// ---- misuse of the mixed API panics with a message that names the problem ----

#[test]
#[should_panic(expected = "Graph::from_vars: 3 Vars given for shape")]
fn from_vars_with_the_wrong_count_panics() {
    let mut g = Graph::<f64>::new();
    let rec = Recording::<f64>::new();
    let v = rec.variables(&[1.0, 2.0, 3.0]);
    g.from_vars(&v, &[2, 2]);
}

#[test]
#[should_panic(expected = "used after its recording ended")]
fn vars_of_an_ended_recording_panic() {
    let mut g = Graph::<f64>::new();
    let t = {
        let rec = Recording::<f64>::new();
        rec.variable(2.0)
    };
    let x = g.leaf(&[1.0, 2.0], &[2]);
    g.mul_var(x, t);
}

#[test]
#[should_panic(expected = "from another recording")]
fn crossings_with_two_recordings_panic() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[1.0, 2.0], &[2]);
    {
        let rec = Recording::<f64>::new();
        let t = rec.variable(2.0);
        g.mul_var(x, t);
    }
    // the graph was not reset: its first crossing belongs to the ended recording
    let rec = Recording::<f64>::new();
    g.to_vars(&rec, x);
}

#[test]
#[should_panic(expected = "from another recording")]
fn backward_mixed_with_another_recording_panics() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[1.0, 2.0], &[2]);
    {
        let rec = Recording::<f64>::new();
        g.to_vars(&rec, x);
    }
    let rec = Recording::<f64>::new();
    let l = rec.variable(1.0);
    g.backward_mixed(&rec, l);
}

#[test]
#[should_panic(expected = "another graph")]
fn a_node_of_another_graph_panics() {
    let mut g = Graph::<f64>::new();
    let mut h = Graph::<f64>::new();
    let x = h.leaf(&[1.0], &[1]);
    let _ = g.leaf(&[1.0], &[1]);
    let rec = Recording::<f64>::new();
    let t = rec.variable(2.0);
    g.mul_var(x, t);
}

#[test]
#[should_panic(expected = "consumed scalar Vars")]
fn plain_backward_after_vars_entered_panics() {
    let mut g = Graph::<f64>::new();
    let rec = Recording::<f64>::new();
    let t = rec.variable(2.0);
    let x = g.leaf(&[1.0, 2.0], &[2]);
    let y = g.div_var(x, t);
    let s = g.sum(y);
    g.backward(s); // would drop dL/dt
}

#[test]
#[should_panic(expected = "it needs one element")]
fn backward_mixed_node_needs_one_element() {
    let mut g = Graph::<f64>::new();
    let rec = Recording::<f64>::new();
    let x = g.leaf(&[1.0, 2.0], &[2]);
    g.backward_mixed_node(&rec, x);
}

/// Constant `Var`s and `no_grad` make plain data: no crossing, plain backward allowed.
#[test]
fn constant_vars_and_no_grad_make_inputs() {
    let mut g = Graph::<f64>::new();
    let rec = Recording::<f64>::new();
    let t = rec.variable(2.0);
    let x = g.leaf(&[1.0, 2.0], &[2]);
    let c = g.from_vars(&[diffprog_reverse::Var::lift(3.0)], &[]);
    assert!(!g.requires_grad(c));
    let tn = g.no_grad(|g| g.var_node(t));
    assert!(!g.requires_grad(tn));
    let y = g.mul(x, tn);
    let z = g.mul(x, c);
    let s = g.add(y, z);
    let s = g.sum(s);
    g.backward(s); // no Var entered the graph with a gradient: allowed
    assert_eq!(g.grad(x).unwrap(), &[5.0, 5.0]);
}

//! The strong-zero rule in the recurrent cells' backward kernels: a zero partial or a zero
//! upstream gradient contributes exactly 0, even where the other factor is ±∞ or NaN (plain
//! products and a plain GEMM would give NaN).

use diffprog_nn::ops::{CellKind, CellWeights, Nonlinearity, SequenceOptions};
use diffprog_nn::{Graph, NodeId};

fn weights(g: &mut Graph<f64>, kind: CellKind, i: usize, h: usize, w_hh: &[f64]) -> CellWeights {
    let gh = kind.gates() * h;
    CellWeights {
        w_ih: g.leaf(&vec![0.5; gh * i], &[gh, i]),
        w_hh: g.leaf(w_hh, &[gh, h]),
        b_ih: Some(g.leaf(&vec![0.1; gh], &[gh])),
        b_hh: Some(g.leaf(&vec![-0.1; gh], &[gh])),
    }
}

fn grads(g: &Graph<f64>, ids: &[NodeId]) -> Vec<f64> {
    ids.iter()
        .flat_map(|&id| g.grad(id).map(|v| v.to_vec()).unwrap_or_default())
        .collect()
}

/// A zero seed gives zero gradients through weights holding ±∞ and NaN.
#[test]
fn a_zero_upstream_gradient_meets_infinite_and_nan_weights_as_zero() {
    for kind in [
        CellKind::Rnn(Nonlinearity::Tanh),
        CellKind::Lstm,
        CellKind::Gru,
    ] {
        let (i, h, b, t) = (2, 2, 2, 3);
        let gh = kind.gates() * h;
        let mut w_hh = vec![0.3; gh * h];
        w_hh[0] = f64::INFINITY;
        w_hh[1] = f64::NAN;
        w_hh[gh * h - 1] = f64::NEG_INFINITY;
        let mut g = Graph::<f64>::new();
        let w = weights(&mut g, kind, i, h, &w_hh);
        let x = g.leaf(&vec![0.7; t * b * i], &[t, b, i]);
        let h0 = g.leaf(&vec![0.2; b * h], &[1, b, h]);
        let out = g.recurrent(kind, x, Some(h0), None, &[w], &SequenceOptions::default());
        let n = g.shape(out.output).numel();
        g.backward_with_grad(out.output, &vec![0.0; n]);
        let all = grads(
            &g,
            &[x, h0, w.w_ih, w.w_hh, w.b_ih.unwrap(), w.b_hh.unwrap()],
        );
        assert!(!all.is_empty());
        assert!(
            all.iter().all(|&v| v == 0.0),
            "{kind:?}: a zero seed gave {all:?}"
        );
    }
}

/// ReLU′ = 0 at negative pre-activations stops a NaN upstream gradient.
#[test]
fn relu_s_zero_derivative_stops_a_nan_gradient() {
    let (i, h, b) = (2, 3, 2);
    let mut g = Graph::<f64>::new();
    let w = CellWeights {
        w_ih: g.leaf(&[1.0; 6], &[3, 2]),
        w_hh: g.leaf(&[1.0; 9], &[3, 3]),
        b_ih: Some(g.leaf(&[-10.0; 3], &[3])),
        b_hh: None,
    };
    let x = g.leaf(&[0.5; 4], &[b, i]);
    let h0 = g.leaf(&[0.25; 6], &[b, h]);
    let y = g.rnn_cell(x, Some(h0), &w, Nonlinearity::Relu);
    assert!(g.value(y).iter().all(|&v| v == 0.0));
    g.backward_with_grad(y, &[f64::NAN; 6]);
    let all = grads(&g, &[x, h0, w.w_ih, w.w_hh, w.b_ih.unwrap()]);
    assert!(all.iter().all(|&v| v == 0.0), "{all:?}");
}

//! The `Embedding` and `Recurrent` layers: PyTorch's parameter names, shapes and initial ranges,
//! the padding row, and a small LSTM that must learn a task needing memory.

use diffprog_nn::layers::{seeded_rng, Embedding, Recurrent};
use diffprog_nn::ops::{CellKind, Nonlinearity};
use diffprog_nn::optim::{clip_grad_norm, Adam, Optimizer};
use diffprog_nn::{Graph, Tensor, Unary};
use rand::Rng;

#[test]
fn parameters_have_pytorch_names_shapes_and_ranges() {
    for (kind, g_) in [
        (CellKind::Rnn(Nonlinearity::Relu), 1),
        (CellKind::Lstm, 4),
        (CellKind::Gru, 3),
    ] {
        for bias in [true, false] {
            let mut g = Graph::<f64>::new();
            let r = Recurrent::new(
                g.params_mut(),
                kind,
                5,
                7,
                3,
                true,
                bias,
                &mut seeded_rng(1),
            );
            assert_eq!(r.weights.len(), 6);
            let bound = 1.0 / 7f64.sqrt();
            for (k, ids) in r.weights.iter().enumerate() {
                let (l, rev) = (k / 2, if k % 2 == 1 { "_reverse" } else { "" });
                assert_eq!(ids.len(), if bias { 4 } else { 2 });
                let inp = if l == 0 { 5 } else { 14 };
                let expect = [
                    ("weight_ih", vec![g_ * 7, inp]),
                    ("weight_hh", vec![g_ * 7, 7]),
                    ("bias_ih", vec![g_ * 7]),
                    ("bias_hh", vec![g_ * 7]),
                ];
                for (&id, (what, dims)) in ids.iter().zip(expect) {
                    let p = g.params();
                    assert!(
                        p.name(id).ends_with(&format!(".{what}_l{l}{rev}")),
                        "{}",
                        p.name(id)
                    );
                    assert_eq!(p.shape(id).dims(), &dims[..]);
                    let v = p.value(id);
                    assert!(v.iter().all(|x| x.abs() <= bound));
                    assert!(v.iter().any(|&x| x != v[0]));
                }
            }
        }
    }
}

#[test]
fn the_embedding_padding_row_starts_at_zero_and_stays_there() {
    let mut g = Graph::<f64>::new();
    let emb = Embedding::new(g.params_mut(), 6, 3, Some(2), &mut seeded_rng(0));
    assert_eq!(&g.params().value(emb.weight)[6..9], &[0.0; 3]);
    let before = g.params().value(emb.weight).to_vec();
    let e = emb.forward(&mut g, &[2, 1, 2, 5], &[2, 2]);
    let s = g.sum(e);
    g.backward(s);
    let grad = g.params().grad(emb.weight).to_vec();
    assert_eq!(&grad[6..9], &[0.0; 3]);
    assert_eq!(&grad[3..6], &[1.0; 3]);
    assert_eq!(&grad[15..18], &[1.0; 3]);
    let mut opt = Adam::new(0.1);
    opt.step(g.params_mut());
    let after = g.params().value(emb.weight);
    assert_eq!(&after[6..9], &before[6..9]);
    assert_ne!(&after[3..6], &before[3..6]);
}

/// Embedding(5, 4) → LSTM(4, 16) → Linear(16, 5) on the last step must recall a sequence's
/// first token after 5 more random tokens — a task a network without memory solves at chance
/// (20 %).
#[test]
fn an_lstm_learns_to_recall_the_first_token() {
    let (vocab, t, b) = (5, 6, 32);
    let mut rng = seeded_rng(3);
    let mut g = Graph::<f32>::new();
    let emb = Embedding::new(g.params_mut(), vocab, 4, None, &mut rng);
    let lstm = Recurrent::new(
        g.params_mut(),
        CellKind::Lstm,
        4,
        16,
        1,
        false,
        true,
        &mut rng,
    );
    let w = g.params_mut().add(
        "out.w",
        Tensor::uniform(&[16, vocab], -0.25, 0.25, &mut rng),
    );
    let bias = g.params_mut().add("out.b", Tensor::zeros(&[vocab]));
    let mut opt = Adam::new(0.02);
    let batch = |rng: &mut rand_chacha::ChaCha8Rng| {
        let x: Vec<usize> = (0..t * b).map(|_| rng.random_range(0..vocab)).collect();
        let y: Vec<usize> = x[..b].to_vec(); // time-major: step 0 is the first b entries
        (x, y)
    };
    let mut accuracy = 0.0;
    for step in 0..300 {
        let (x, y) = batch(&mut rng);
        g.reset();
        let e = emb.forward(&mut g, &x, &[t, b]);
        let out = lstm.forward(&mut g, e, None, None, None);
        let last = g.reshape(out.h_n, &[b, 16]);
        let (wn, bn) = (g.param(w), g.param(bias));
        let logits = g.linear(last, wn, Some(bn), Unary::Identity);
        let loss = g.cross_entropy(logits, &y);
        g.params_mut().zero_grad();
        g.backward(loss);
        clip_grad_norm(g.params_mut(), None, 5.0);
        opt.step(g.params_mut());
        if step >= 280 {
            let lv = g.value(logits);
            let correct = (0..b)
                .filter(|&i| {
                    let row = &lv[i * vocab..(i + 1) * vocab];
                    let arg = (0..vocab)
                        .max_by(|&p, &q| row[p].total_cmp(&row[q]))
                        .unwrap();
                    arg == y[i]
                })
                .count();
            accuracy += correct as f64 / (20 * b) as f64;
        }
    }
    assert!(
        accuracy > 0.9,
        "accuracy over the last 20 batches {accuracy}"
    );
}

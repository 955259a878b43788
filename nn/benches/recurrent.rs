//! One training step (forward, backward, optimiser) of the two recurrent networks of issue 25,
//! f32, one thread:
//! - `char_lstm`: Embedding(65, 8) → LSTM(8, 128) → Linear(128, 65) on the last step, batch 128,
//!   40 steps, cross-entropy, RMSprop (lr 0.01);
//! - `row_gru`: GRU(28, 128) → Linear(128, 10) on the last step, batch 128, 28 steps of 28
//!   pixels, cross-entropy, Adam (lr 1e-3).
//!
//! Random data (the cost does not depend on the values). Run:
//! `cargo bench -p diffprog-nn --bench recurrent -- --warm-up-time 2 --measurement-time 10`

use criterion::{criterion_group, criterion_main, Criterion};
use diffprog_nn::ops::{CellKind, CellWeights, SequenceOptions};
use diffprog_nn::optim::{Adam, Optimizer, RmsProp};
use diffprog_nn::{Graph, ParamId, Params, Tensor, Unary};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

struct Net {
    embedding: Option<ParamId>,
    cell: [ParamId; 4],
    w_out: ParamId,
    b_out: ParamId,
}

fn net(
    p: &mut Params<f32>,
    kind: CellKind,
    vocab: Option<usize>,
    input: usize,
    hidden: usize,
    classes: usize,
    rng: &mut ChaCha8Rng,
) -> Net {
    let k = 1.0 / (hidden as f64).sqrt();
    let gh = kind.gates() * hidden;
    let embedding = vocab.map(|v| p.add("emb", Tensor::uniform(&[v, input], -1.0, 1.0, rng)));
    let cell = [
        p.add("w_ih", Tensor::uniform(&[gh, input], -k, k, rng)),
        p.add("w_hh", Tensor::uniform(&[gh, hidden], -k, k, rng)),
        p.add("b_ih", Tensor::uniform(&[gh], -k, k, rng)),
        p.add("b_hh", Tensor::uniform(&[gh], -k, k, rng)),
    ];
    let w_out = p.add("w_out", Tensor::uniform(&[hidden, classes], -k, k, rng));
    let b_out = p.add("b_out", Tensor::uniform(&[classes], -k, k, rng));
    Net {
        embedding,
        cell,
        w_out,
        b_out,
    }
}

/// Forward and backward of one batch: `tokens` (`[T, B]`) through the embedding, or `x`
/// (`[T, B, I]`) directly; cross-entropy of the last step's logits.
fn step(
    g: &mut Graph<f32>,
    net: &Net,
    kind: CellKind,
    tokens: &[usize],
    x: &[f32],
    dims: [usize; 3],
    labels: &[usize],
) -> f32 {
    let [t, b, i] = dims;
    g.reset();
    let input = match net.embedding {
        Some(e) => {
            let w = g.param(e);
            g.embedding(tokens, &[t, b], w, None)
        }
        None => g.input(x, &[t, b, i]),
    };
    let w = CellWeights {
        w_ih: g.param(net.cell[0]),
        w_hh: g.param(net.cell[1]),
        b_ih: Some(g.param(net.cell[2])),
        b_hh: Some(g.param(net.cell[3])),
    };
    let out = g.recurrent(kind, input, None, None, &[w], &SequenceOptions::default());
    let hidden = g.shape(out.h_n).dim(2);
    let last = g.reshape(out.h_n, &[b, hidden]);
    let (wo, bo) = (g.param(net.w_out), g.param(net.b_out));
    let logits = g.linear(last, wo, Some(bo), Unary::Identity);
    let loss = g.cross_entropy(logits, labels);
    g.params_mut().zero_grad();
    g.backward(loss);
    g.item(loss)
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut group = c.benchmark_group("recurrent_training_step");

    let (t, b, vocab) = (40, 128, 65);
    let mut g = Graph::<f32>::new();
    let lstm = net(
        g.params_mut(),
        CellKind::Lstm,
        Some(vocab),
        8,
        128,
        vocab,
        &mut rng,
    );
    let tokens: Vec<usize> = (0..t * b).map(|_| rng.random_range(0..vocab)).collect();
    let labels: Vec<usize> = (0..b).map(|_| rng.random_range(0..vocab)).collect();
    let mut opt = RmsProp::new(0.01);
    group.bench_function("char_lstm", |bencher| {
        bencher.iter(|| {
            let l = step(
                &mut g,
                &lstm,
                CellKind::Lstm,
                &tokens,
                &[],
                [t, b, 8],
                &labels,
            );
            opt.step(g.params_mut());
            black_box(l)
        })
    });

    let (t, b) = (28, 128);
    let mut g = Graph::<f32>::new();
    let gru = net(g.params_mut(), CellKind::Gru, None, 28, 128, 10, &mut rng);
    let x: Vec<f32> = (0..t * b * 28)
        .map(|_| rng.random_range(0.0..1.0))
        .collect();
    let labels: Vec<usize> = (0..b).map(|_| rng.random_range(0..10)).collect();
    let mut opt = Adam::new(1e-3);
    group.bench_function("row_gru", |bencher| {
        bencher.iter(|| {
            let l = step(&mut g, &gru, CellKind::Gru, &[], &x, [t, b, 28], &labels);
            opt.step(g.params_mut());
            black_box(l)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

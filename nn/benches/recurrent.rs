//! One training step (forward, backward, optimiser) of the two recurrent networks of issue 25,
//! f32, one thread:
//! - `char_lstm`: Embedding(65, 8) → LSTM(8, 128) → Linear(128, 65) on the last step, batch 128,
//!   40 steps, cross-entropy, RMSprop (lr 0.01);
//! - `row_gru`: GRU(28, 128) → Linear(128, 10) on the last step, batch 128, 28 steps of 28
//!   pixels, cross-entropy, Adam (lr 1e-3).
//!
//! Random data (the cost does not depend on the values). Run:
//! `cargo bench -p diffprog-nn --bench recurrent -- --warm-up-time 2 --measurement-time 10`
//! (criterion, wall clock), or with `RECURRENT_CPU_TIME=20` set: 20 steps of each timed by
//! process CPU time (from `/proc/self/stat`) as well as wall time, for a shared machine.

use criterion::{criterion_group, Criterion};
use diffprog_nn::ops::{CellKind, CellWeights, SequenceOptions};
use diffprog_nn::optim::{Adam, Optimizer, RmsProp};
use diffprog_nn::{Graph, ParamId, Params, Tensor, Unary};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Instant;

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

/// The two workloads, each a closure running one training step.
struct Workloads {
    lstm: Box<dyn FnMut() -> f32>,
    gru: Box<dyn FnMut() -> f32>,
}

fn workloads() -> Workloads {
    let mut rng = ChaCha8Rng::seed_from_u64(0);

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
    let lstm_step = move || {
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
        l
    };

    let (t, b) = (28, 128);
    let mut g = Graph::<f32>::new();
    let gru = net(g.params_mut(), CellKind::Gru, None, 28, 128, 10, &mut rng);
    let x: Vec<f32> = (0..t * b * 28)
        .map(|_| rng.random_range(0.0..1.0))
        .collect();
    let labels: Vec<usize> = (0..b).map(|_| rng.random_range(0..10)).collect();
    let mut opt = Adam::new(1e-3);
    let gru_step = move || {
        let l = step(&mut g, &gru, CellKind::Gru, &[], &x, [t, b, 28], &labels);
        opt.step(g.params_mut());
        l
    };
    Workloads {
        lstm: Box::new(lstm_step),
        gru: Box::new(gru_step),
    }
}

fn bench(c: &mut Criterion) {
    let mut w = workloads();
    let mut group = c.benchmark_group("recurrent_training_step");
    group.bench_function("char_lstm", |b| b.iter(|| black_box((w.lstm)())));
    group.bench_function("row_gru", |b| b.iter(|| black_box((w.gru)())));
    group.finish();
}

/// User + system CPU seconds of this process, if `/proc` is available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let (u, s): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((u + s) / 100.0) // USER_HZ is 100 on Linux
}

fn cpu_time(steps: usize) {
    let mut w = workloads();
    for (name, f) in [("char_lstm", &mut w.lstm), ("row_gru", &mut w.gru)] {
        f(); // warm-up: buffers sized
        let (c0, t0) = (cpu_seconds(), Instant::now());
        for _ in 0..steps {
            black_box(f());
        }
        let wall = t0.elapsed().as_secs_f64() / steps as f64;
        let cpu = cpu_seconds().zip(c0).map(|(a, b)| (a - b) / steps as f64);
        println!(
            "{name}: wall {:.1} ms per step, CPU {} ms per step ({steps} steps)",
            wall * 1e3,
            cpu.map(|c| format!("{:.1}", c * 1e3)).unwrap_or("?".into())
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    match std::env::var("RECURRENT_CPU_TIME")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(steps) => cpu_time(steps),
        None => benches(),
    }
}

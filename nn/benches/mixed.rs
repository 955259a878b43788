//! The cost of mixing scalar `Var` code into a tensor program: one forward + backward step of
//! the digits MLP 64-64-10 (ReLU, batch 32, f32) whose logits are divided by a temperature
//! - `plain`: a constant temperature (`mul_scalar`), tensor-only `backward`;
//! - `plain_div_node`: a constant temperature as a one-element node (broadcasting `div`), the
//!   tensor part of the mixed step without the scalar tape;
//! - `mixed_var_loss`: T = exp(τ) for a scalar `Var` τ (`div_var`), the cross-entropy read back
//!   as a `Var`, plus τ² on the scalar tape, `backward_mixed` (two scalar sweeps);
//! - `mixed_node_loss`: the same temperature, the cross-entropy node as the loss,
//!   `backward_mixed_node` (one scalar sweep).
//!
//! Run: `cargo bench -p diffprog-nn --bench mixed -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use diffprog_dual::Scalar;
use diffprog_nn::data::digits;
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::{Graph, Unary};
use diffprog_reverse::Recording;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let (train, _) = digits().split(0, 1500);
    let batch = train.subset(&(0..32).collect::<Vec<_>>());
    let (x, labels) = (batch.features(), batch.labels());
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[64, 64, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let tau = 0.3_f32;
    let mut group = c.benchmark_group("temperature_step");
    group.bench_function("plain", |b| {
        b.iter(|| {
            g.reset();
            let xn = g.input(x, &[32, 64]);
            let logits = model.forward(&mut g, xn);
            let z = g.mul_scalar(logits, f64::from((-tau).exp()));
            let ce = g.cross_entropy(z, labels);
            g.params_mut().zero_grad();
            g.backward(ce);
            black_box(g.item(ce))
        })
    });
    group.bench_function("plain_div_node", |b| {
        b.iter(|| {
            g.reset();
            let xn = g.input(x, &[32, 64]);
            let logits = model.forward(&mut g, xn);
            let t = g.input(&[tau.exp()], &[]);
            let z = g.div(logits, t);
            let ce = g.cross_entropy(z, labels);
            g.params_mut().zero_grad();
            g.backward(ce);
            black_box(g.item(ce))
        })
    });
    group.bench_function("mixed_var_loss", |b| {
        b.iter(|| {
            g.reset();
            let rec = Recording::<f32>::new();
            let t = rec.variable(tau);
            let xn = g.input(x, &[32, 64]);
            let logits = model.forward(&mut g, xn);
            let z = g.div_var(logits, t.exp());
            let ce = g.cross_entropy(z, labels);
            let loss = g.to_vars(&rec, ce)[0] + t * t;
            g.params_mut().zero_grad();
            let adj = g.backward_mixed(&rec, loss);
            black_box(adj.wrt(t))
        })
    });
    group.bench_function("mixed_node_loss", |b| {
        b.iter(|| {
            g.reset();
            let rec = Recording::<f32>::new();
            let t = rec.variable(tau);
            let xn = g.input(x, &[32, 64]);
            let logits = model.forward(&mut g, xn);
            let z = g.div_var(logits, t.exp());
            let ce = g.cross_entropy(z, labels);
            g.params_mut().zero_grad();
            let adj = g.backward_mixed_node(&rec, ce);
            black_box(adj.wrt(t))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

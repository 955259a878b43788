//! Training throughput, single thread, f32:
//! - `digits_epoch`: one epoch of the digits MLP 64-64-10 (ReLU, Adam, batch 32, 1500 samples
//!   = 47 steps), the overhead-bound case (PyTorch 2.x, one thread: ≈ 55 ms);
//! - `mnist_step`: one step of an MLP 784-784-10 (ReLU, Adam) on a batch of 128 random
//!   MNIST-shaped samples, the GEMM-bound case; an epoch of 60 000 samples is 469 such steps
//!   (PyTorch: ≈ 23 ms per step, ≈ 10.8 s per epoch);
//! - `mnist_epoch` (only with `DIFFPROG_FULL_EPOCH=1`, it takes minutes): the whole epoch.
//!
//! Run: `cargo bench -p diffprog-nn --bench training -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use diffprog_nn::data::{digits, DataLoader, Dataset};
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::optim::Adam;
use diffprog_nn::train::train_step;
use diffprog_nn::{Graph, Unary};
use rand::Rng;
use std::hint::black_box;

fn epoch(
    g: &mut Graph<f32>,
    model: &Sequential<f32>,
    opt: &mut Adam<f32>,
    loader: &mut DataLoader<'_, f32>,
) -> f32 {
    let mut last = 0.0;
    while let Some(b) = loader.next_batch() {
        last = train_step(g, model, opt, b.features, b.labels, b.feature_len).0;
    }
    last
}

fn random_mnist(n: usize, seed: u64) -> Dataset<f32> {
    let mut rng = seeded_rng(seed);
    let x: Vec<f32> = (0..n * 784).map(|_| rng.random::<f32>()).collect();
    let y: Vec<usize> = (0..n).map(|_| rng.random_range(0..10)).collect();
    Dataset::with_classes(x, y, 784, 10)
}

fn bench(c: &mut Criterion) {
    // digits
    let (train, _) = digits().split(0, 1500);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[64, 64, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-3);
    let mut loader = DataLoader::new(&train, 32).shuffle(1);
    c.bench_function("digits_epoch", |b| {
        b.iter(|| black_box(epoch(&mut g, &model, &mut opt, &mut loader)))
    });

    // 784-784-10
    let full = std::env::var("DIFFPROG_FULL_EPOCH").is_ok_and(|v| v == "1");
    let data = random_mnist(if full { 60_000 } else { 128 * 8 }, 7);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[784, 784, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-3);
    let batch = data.subset(&(0..128).collect::<Vec<_>>());
    let mut group = c.benchmark_group("mnist");
    group.sample_size(10);
    group.bench_function("mnist_step", |b| {
        b.iter(|| {
            black_box(
                train_step(
                    &mut g,
                    &model,
                    &mut opt,
                    batch.features(),
                    batch.labels(),
                    784,
                )
                .0,
            )
        })
    });
    if full {
        let mut loader = DataLoader::new(&data, 128).shuffle(1);
        group.bench_function("mnist_epoch", |b| {
            b.iter(|| black_box(epoch(&mut g, &model, &mut opt, &mut loader)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Training throughput, single thread, f32:
//! - `digits_epoch`: one epoch of the digits MLP 64-64-10 (ReLU, Adam, batch 32, 1500 samples
//!   = 47 steps), the overhead-bound case (PyTorch 2.x, one thread: ≈ 55 ms);
//! - `mnist_step`: one step of an MLP 784-784-10 (ReLU, Adam) on a batch of 128 random
//!   MNIST-shaped samples, the GEMM-bound case; an epoch of 60 000 samples is 469 such steps
//!   (PyTorch: ≈ 23 ms per step, ≈ 10.8 s per epoch);
//! - `mnist_epoch` (only with `DIFFPROG_FULL_EPOCH=1`, it takes minutes): the whole epoch.
//!
//! Run: `cargo bench -p diffprog-benches --bench training -- --warm-up-time 1 --measurement-time 3`
//!
//! The workloads are `diffprog_benches::training`'s, shared with the `train-cpu-time` program.

use criterion::{criterion_group, criterion_main, Criterion};
use diffprog_benches::training::{digits_loader, digits_train_set, random_mnist, Trainer};
use diffprog_nn::data::DataLoader;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    // digits
    let train = digits_train_set();
    let mut digits = Trainer::mlp(&[64, 64, 10]);
    let mut loader = digits_loader(&train);
    c.bench_function("digits_epoch", |b| {
        b.iter(|| black_box(digits.epoch(&mut loader)))
    });

    // 784-784-10
    let full = std::env::var("DIFFPROG_FULL_EPOCH").is_ok_and(|v| v == "1");
    let data = random_mnist(if full { 60_000 } else { 128 * 8 }, 7);
    let mut mnist = Trainer::mlp(&[784, 784, 10]);
    let batch = data.subset(&(0..128).collect::<Vec<_>>());
    let mut group = c.benchmark_group("mnist");
    group.sample_size(10);
    group.bench_function("mnist_step", |b| b.iter(|| black_box(mnist.step(&batch))));
    if full {
        let mut loader = DataLoader::new(&data, 128).shuffle(1);
        group.bench_function("mnist_epoch", |b| {
            b.iter(|| black_box(mnist.epoch(&mut loader)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! One training step (forward, backward, Adam) of the course's SimpleCNN — issue 24's target:
//! Conv 1→32 5×5, ReLU, max-pool 2, dropout 0.2, Linear 4608→128, ReLU, Linear 128→10; batch 128
//! of 28×28 images, cross-entropy, Adam (lr 1e-3), `f32`, one thread (with the feature `threads`,
//! the convolution on `RAYON_NUM_THREADS` threads).
//!
//! Random data (the cost does not depend on the values). Run:
//! `cargo bench -p diffprog-nn --bench cnn_step -- --warm-up-time 2 --measurement-time 10`
//! (criterion, wall clock), or with `CNN_CPU_TIME=20` set: 20 steps timed by process CPU time
//! (from `/proc/self/stat`) as well as wall time, for a shared machine.

use criterion::{criterion_group, Criterion};
use diffprog_nn::layers::{seeded_rng, Conv2d, Init, Layer, Linear, Pool2d, Sequential};
use diffprog_nn::optim::Adam;
use diffprog_nn::train::train_step;
use diffprog_nn::{ConvOptions, Graph, Params, Unary};
use rand::Rng;
use std::hint::black_box;
use std::time::Instant;

const BATCH: usize = 128;

fn simple_cnn(p: &mut Params<f32>) -> Sequential<f32> {
    let mut rng = seeded_rng(0);
    let relu = Layer::Activation(Unary::Relu);
    let conv = Conv2d::new(
        p,
        "conv1",
        1,
        32,
        [5, 5],
        ConvOptions::new(),
        true,
        &mut rng,
    );
    let fc1 = Linear::new(
        p,
        "fc1",
        32 * 12 * 12,
        128,
        true,
        Init::TorchDefault,
        &mut rng,
    );
    let fc2 = Linear::new(p, "fc2", 128, 10, true, Init::TorchDefault, &mut rng);
    Sequential::new()
        .push(Layer::Unflatten(vec![1, 28, 28]))
        .push(Layer::Conv2d(conv))
        .push(relu.clone())
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::Dropout(0.2))
        .push(Layer::Flatten)
        .push(Layer::Linear(fc1))
        .push(relu)
        .push(Layer::Linear(fc2))
}

/// A closure taking one training step on a fixed random batch.
fn workload() -> impl FnMut() -> f32 {
    let mut g = Graph::<f32>::new();
    let model = simple_cnn(g.params_mut());
    let mut opt = Adam::new(1e-3);
    let mut rng = seeded_rng(1);
    let x: Vec<f32> = (0..BATCH * 784).map(|_| rng.random::<f32>()).collect();
    let y: Vec<usize> = (0..BATCH).map(|_| rng.random_range(0..10)).collect();
    move || train_step(&mut g, &model, &mut opt, &x, &y, 784).0
}

fn bench(c: &mut Criterion) {
    let mut step = workload();
    let mut group = c.benchmark_group("cnn_training_step");
    group.sample_size(20);
    group.bench_function("simple_cnn_batch128", |b| b.iter(|| black_box(step())));
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
    let mut step = workload();
    step(); // warm-up: buffers sized
    let (c0, t0) = (cpu_seconds(), Instant::now());
    for _ in 0..steps {
        black_box(step());
    }
    let wall = t0.elapsed().as_secs_f64() / steps as f64;
    let cpu = cpu_seconds().zip(c0).map(|(a, b)| (a - b) / steps as f64);
    println!(
        "simple_cnn: wall {:.1} ms per step, CPU {} ms per step ({steps} steps)",
        wall * 1e3,
        cpu.map(|c| format!("{:.1}", c * 1e3)).unwrap_or("?".into())
    );
}

criterion_group!(benches, bench);

fn main() {
    match std::env::var("CNN_CPU_TIME")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(steps) => cpu_time(steps),
        None => benches(),
    }
}

//! The training benchmark's two cases timed by *process CPU time* (from `/proc/self/stat`) as
//! well as wall time, for machines where other work shares the cores and wall-clock benchmarks
//! are inflated. Linux only for the CPU time.
//!
//! Run: `cargo run --release -p diffprog-nn --example train_cpu_time`

use diffprog_nn::data::{digits, DataLoader, Dataset};
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::optim::Adam;
use diffprog_nn::train::train_step;
use diffprog_nn::{Graph, Unary};
use rand::Rng;
use std::time::Instant;

/// User + system CPU seconds of this process, if `/proc` is available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let (u, s): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((u + s) / 100.0) // USER_HZ is 100 on Linux
}

fn time(label: &str, unit: &str, n: usize, mut f: impl FnMut()) {
    f(); // warm-up
    let (c0, t0) = (cpu_seconds(), Instant::now());
    for _ in 0..n {
        f();
    }
    let wall = t0.elapsed().as_secs_f64() / n as f64;
    let cpu = cpu_seconds().zip(c0).map(|(a, b)| (a - b) / n as f64);
    println!(
        "{label}: wall {:.2} ms per {unit}, CPU {} ms per {unit}",
        wall * 1e3,
        cpu.map(|c| format!("{:.2}", c * 1e3)).unwrap_or("?".into())
    );
}

fn main() {
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
    time(
        "digits MLP 64-64-10, batch 32, 1500 samples",
        "epoch",
        200,
        || {
            while let Some(b) = loader.next_batch() {
                train_step(
                    &mut g,
                    &model,
                    &mut opt,
                    b.features,
                    b.labels,
                    b.feature_len,
                );
            }
        },
    );

    let mut rng = seeded_rng(7);
    let x: Vec<f32> = (0..128 * 784).map(|_| rng.random::<f32>()).collect();
    let y: Vec<usize> = (0..128).map(|_| rng.random_range(0..10)).collect();
    let batch = Dataset::with_classes(x, y, 784, 10);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[784, 784, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-3);
    time("MLP 784-784-10, batch 128", "step", 100, || {
        train_step(
            &mut g,
            &model,
            &mut opt,
            batch.features(),
            batch.labels(),
            784,
        );
    });
    println!("(an epoch of 60 000 samples is 469 steps)");
}

//! Profiling program: the `training` benchmark's two workloads timed by *process CPU time* (from
//! `/proc/self/stat`) as well as wall time, for machines where other work shares the cores and
//! wall-clock benchmarks are inflated. Linux only for the CPU time. See
//! `benches/PERFORMANCE.md`.
//!
//! Run: `cargo run --release -p diffprog-benches --bin train-cpu-time`

use diffprog_benches::training::{digits_loader, digits_train_set, random_mnist, Trainer};
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
    let train = digits_train_set();
    let mut digits = Trainer::mlp(&[64, 64, 10]);
    let mut loader = digits_loader(&train);
    time(
        "digits MLP 64-64-10, batch 32, 1500 samples",
        "epoch",
        200,
        || {
            digits.epoch(&mut loader);
        },
    );

    let batch = random_mnist(128, 7);
    let mut mnist = Trainer::mlp(&[784, 784, 10]);
    time("MLP 784-784-10, batch 128", "step", 100, || {
        mnist.step(&batch);
    });
    println!("(an epoch of 60 000 samples is 469 steps)");
}

//! The convolution of issue 24's speed target: a 3×3, 64 → 64 channel `conv2d` (padding 1, with
//! bias) on 32×32 inputs, batch 32, `f32`, one thread — forward alone and forward + backward
//! (input, weight and bias gradients) — and each pass's GEMMs alone. Results are recorded in `benches/PERFORMANCE.md`.
//!
//! Run: `cargo bench -p diffprog-nn --bench conv -- --warm-up-time 2 --measurement-time 10`
//!
//! On a shared machine wall times are inflated by the other work; with `CONV_CPU_TIME=1` the
//! program instead times the same workloads by the thread's CPU time
//! (`/proc/thread-self/schedstat`, Linux), 20 runs each, and prints the best and the median:
//! `CONV_CPU_TIME=1 cargo bench -p diffprog-nn --bench conv`

use criterion::{criterion_group, Criterion};
use diffprog_nn::{ConvOptions, Element, Graph, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = Tensor::<f32>::uniform(&[32, 64, 32, 32], -1.0, 1.0, &mut rng);
    let bound = 1.0 / (64.0 * 9.0_f64).sqrt();
    let mut g = Graph::<f32>::new();
    let w = g.params_mut().add(
        "weight",
        Tensor::uniform(&[64, 64, 3, 3], -bound, bound, &mut rng),
    );
    let b = g
        .params_mut()
        .add("bias", Tensor::uniform(&[64], -bound, bound, &mut rng));
    let options = ConvOptions::new().padding(1);
    let mut group = c.benchmark_group("conv2d_3x3_64_64_32x32_batch32");
    group.sample_size(10);
    group.bench_function("forward", |bench| {
        bench.iter(|| {
            g.reset();
            let xn = g.input_tensor(&x);
            let (wn, bn) = (g.param(w), g.param(b));
            let y = g.conv2d(xn, wn, Some(bn), options);
            black_box(g.value(y)[0])
        })
    });
    group.bench_function("forward_backward", |bench| {
        bench.iter(|| {
            g.reset();
            let xn = g.leaf(x.data(), x.dims());
            let (wn, bn) = (g.param(w), g.param(b));
            let y = g.conv2d(xn, wn, Some(bn), options);
            let s = g.sum(y);
            g.params_mut().zero_grad();
            g.backward(s);
            black_box(g.grad(xn).map(|d| d[0]))
        })
    });
    // the forward pass's GEMMs alone (32 products 64×576 by 576×1024), for the GEMMs' share
    let (wa, cols) = (vec![0.5_f32; 64 * 576], vec![0.25_f32; 576 * 1024]);
    let mut out = vec![0.0_f32; 64 * 1024];
    group.bench_function("forward_gemms_only", |bench| {
        bench.iter(|| {
            for _ in 0..32 {
                f32::gemm(64, 576, 1024, 1.0, &wa, false, &cols, false, 0.0, &mut out);
            }
            black_box(out[0])
        })
    });
    // the backward pass's GEMMs alone: per sample, the weight gradient gout · colsᵀ
    // (64×1024 by its transposed 576×1024 columns) and the columns' gradient Wᵀ · gout
    let gout = vec![0.125_f32; 64 * 1024];
    let mut dw = vec![0.0_f32; 64 * 576];
    let mut dcols = vec![0.0_f32; 576 * 1024];
    group.bench_function("weight_grad_gemms_only", |bench| {
        bench.iter(|| {
            for _ in 0..32 {
                f32::gemm(64, 1024, 576, 1.0, &gout, false, &cols, true, 1.0, &mut dw);
            }
            black_box(dw[0])
        })
    });
    group.bench_function("input_grad_gemms_only", |bench| {
        bench.iter(|| {
            for _ in 0..32 {
                f32::gemm(576, 64, 1024, 1.0, &wa, true, &gout, false, 0.0, &mut dcols);
            }
            black_box(dcols[0])
        })
    });
    group.finish();
}

/// The thread's CPU time in seconds (Linux), if `/proc` is available.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// Best and median CPU time of `runs` calls of `f`, in ms (after one warm-up call).
fn cpu_time(runs: usize, mut f: impl FnMut()) -> Option<(f64, f64)> {
    f();
    let mut t: Vec<f64> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let c0 = thread_cpu_seconds()?;
        f();
        t.push((thread_cpu_seconds()? - c0) * 1e3);
    }
    t.sort_by(f64::total_cmp);
    Some((t[0], t[runs / 2]))
}

fn cpu_times() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = Tensor::<f32>::uniform(&[32, 64, 32, 32], -1.0, 1.0, &mut rng);
    let mut g = Graph::<f32>::new();
    let w = g.params_mut().add(
        "weight",
        Tensor::uniform(&[64, 64, 3, 3], -0.04, 0.04, &mut rng),
    );
    let b = g
        .params_mut()
        .add("bias", Tensor::uniform(&[64], -0.04, 0.04, &mut rng));
    let options = ConvOptions::new().padding(1);
    let mut step = |backward: bool| {
        g.reset();
        let xn = g.leaf(x.data(), x.dims());
        let (wn, bn) = (g.param(w), g.param(b));
        let y = g.conv2d(xn, wn, Some(bn), options);
        if backward {
            let s = g.sum(y);
            g.params_mut().zero_grad();
            g.backward(s);
        }
        black_box(g.value(y)[0]);
    };
    let report = |what: &str, r: Option<(f64, f64)>| match r {
        Some((best, median)) => {
            println!("{what}: CPU time best {best:.1} ms, median {median:.1} ms")
        }
        None => println!("{what}: no thread CPU time on this system"),
    };
    report("forward", cpu_time(20, || step(false)));
    report("forward_backward", cpu_time(20, || step(true)));
    let (wa, cols) = (vec![0.5_f32; 64 * 576], vec![0.25_f32; 576 * 1024]);
    let mut out = vec![0.0_f32; 64 * 1024];
    report(
        "forward_gemms_only",
        cpu_time(20, || {
            for _ in 0..32 {
                f32::gemm(64, 576, 1024, 1.0, &wa, false, &cols, false, 0.0, &mut out);
            }
            black_box(out[0]);
        }),
    );
}

criterion_group!(benches, bench);

fn main() {
    if std::env::var_os("CONV_CPU_TIME").is_some() {
        cpu_times();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

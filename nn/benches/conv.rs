//! The convolution of issue 24's speed target: a 3×3, 64 → 64 channel `conv2d` (padding 1, with
//! bias) on 32×32 inputs, batch 32, `f32`, one thread — forward alone and forward + backward
//! (input, weight and bias gradients) — and each pass's GEMMs alone. Results are recorded in `benches/PERFORMANCE.md`.
//!
//! Run: `cargo bench -p diffprog-nn --bench conv -- --warm-up-time 2 --measurement-time 10`

use criterion::{criterion_group, criterion_main, Criterion};
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

criterion_group!(benches, bench);
criterion_main!(benches);

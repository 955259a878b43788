//! Second-order forward mode against num-dual, in one run.
//!
//! `cargo bench -p diffprog-hyperdual --bench second_order -- --warm-up-time 1 --measurement-time 3`
//!
//! - Rosenbrock Hessian, n = 10 and 100: `hessian` (`ArenaHyperDual<8>`, structural pass) and
//!   `hessian_with_chunk::<6>` (inline `HyperDualVec<f64, 6, 6>`, every block pair) vs num-dual's
//!   `hessian` (`Dual2SVec64<10>` at n = 10, `Dual2DVec64` at n = 100) vs the plain `f64`
//!   evaluation.
//! - Scalar second derivative of exp(sin x)·x³/(x² + 1) + ln(1 + tanh(x/2)): `second_derivative`
//!   (Taylor2) and a `HyperDual` pass vs num-dual's `second_derivative` (`Dual2_64`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diffprog_dual::Scalar;
use diffprog_hyperdual::{hessian, hessian_with_chunk, second_derivative, HyperDual};
use nalgebra::{DVector, SVector};
use num_dual::DualNum;
use std::hint::black_box;

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

fn rosenbrock_nd<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut s = D::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].clone() * x[i].clone();
        let b = D::one() - x[i].clone();
        s += a.clone() * a * 100.0 + b.clone() * b;
    }
    s
}

fn g<T: Scalar>(x: T) -> T {
    (x.sin().exp() * x.powi(3)) / (x * x + 1.0) + (T::one() + (x * 0.5).tanh()).ln()
}

fn g_nd<D: DualNum<Primitive = f64>>(x: D) -> D {
    (x.sin().exp() * x.powi(3)) / (x.clone() * x.clone() + 1.0) + (D::one() + (x * 0.5).tanh()).ln()
}

fn start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

fn bench_hessian(c: &mut Criterion) {
    let mut group = c.benchmark_group("rosenbrock_hessian");
    // n = 10
    let x10 = start(10);
    group.bench_function(BenchmarkId::new("plain_eval", 10), |b| {
        b.iter(|| rosenbrock(black_box(&x10[..])))
    });
    group.bench_function(BenchmarkId::new("diffprog_hessian", 10), |b| {
        b.iter(|| hessian(rosenbrock, black_box(&x10)))
    });
    group.bench_function(BenchmarkId::new("diffprog_hessian_inline6", 10), |b| {
        b.iter(|| hessian_with_chunk::<6>(rosenbrock, black_box(&x10)))
    });
    let s10 = SVector::<f64, 10>::from_column_slice(&x10);
    group.bench_function(BenchmarkId::new("num_dual_Dual2SVec64", 10), |b| {
        b.iter(|| num_dual::hessian(|v| rosenbrock_nd(v.as_slice()), black_box(&s10)))
    });
    // n = 100
    let x100 = start(100);
    group.bench_function(BenchmarkId::new("plain_eval", 100), |b| {
        b.iter(|| rosenbrock(black_box(&x100[..])))
    });
    group.bench_function(BenchmarkId::new("diffprog_hessian", 100), |b| {
        b.iter(|| hessian(rosenbrock, black_box(&x100)))
    });
    group.bench_function(BenchmarkId::new("diffprog_hessian_inline6", 100), |b| {
        b.iter(|| hessian_with_chunk::<6>(rosenbrock, black_box(&x100)))
    });
    let d100 = DVector::from_column_slice(&x100);
    group.bench_function(BenchmarkId::new("num_dual_Dual2DVec64", 100), |b| {
        b.iter(|| num_dual::hessian(|v| rosenbrock_nd(v.as_slice()), black_box(&d100)))
    });
    group.finish();
}

fn bench_scalar(c: &mut Criterion) {
    let mut group = c.benchmark_group("second_derivative");
    let x = 0.7;
    group.bench_function("plain_eval", |b| b.iter(|| g(black_box(x))));
    group.bench_function("diffprog_taylor2", |b| {
        b.iter(|| second_derivative(g, black_box(x)))
    });
    group.bench_function("diffprog_hyperdual", |b| {
        b.iter(|| {
            let y = g(HyperDual::new(black_box(x), 1.0, 1.0, 0.0));
            (y.re, y.eps1, y.eps12)
        })
    });
    group.bench_function("num_dual_Dual2_64", |b| {
        b.iter(|| num_dual::second_derivative(g_nd, black_box(x)))
    });
    group.finish();
}

criterion_group!(benches, bench_hessian, bench_scalar);
criterion_main!(benches);

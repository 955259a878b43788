//! Reverse-mode and mixed-mode benchmarks on the course's Rosenbrock function, with echidna,
//! num-dual and ad_trait as peers in the same run.
//!
//! `cargo bench -p diffprog-reverse --bench reverse -- --warm-up-time 1 --measurement-time 3`

use ad_trait::differentiable_function::{
    DifferentiableFunctionTrait, HessianAD, HessianAD_FOR, ReverseAD,
};
use ad_trait::function_engine::FunctionEngine;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diffprog_dual::Scalar;
use diffprog_reverse::{gradient_into, hessian, hessian_chunked, hessian_vector_product};
use nalgebra::DVector;
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

/// The same function for echidna's number types (num_traits::Float).
fn rosenbrock_nt<T: num_traits::Float>(x: &[T]) -> T {
    let hundred = T::from(100.0).unwrap();
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s = s + a * a * hundred + b * b;
    }
    s
}

/// The same function for num-dual's number types (not `Copy`).
fn rosenbrock_nd<D: DualNum<Primitive = f64>>(x: &DVector<D>) -> D {
    let mut s = D::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].clone() * x[i].clone();
        let b = D::one() - x[i].clone();
        s += a.clone() * a * 100.0 + b.clone() * b;
    }
    s
}

/// The same function for ad_trait, as its `FunctionEngine` takes it.
#[derive(Clone)]
struct AdTraitRosenbrock {
    n: usize,
}

impl<T: ad_trait::AD> DifferentiableFunctionTrait<T> for AdTraitRosenbrock {
    const NAME: &'static str = "Rosenbrock";
    fn call(&self, x: &[T], _freeze: bool) -> Vec<T> {
        let hundred = T::constant(100.0);
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s += a * a * hundred + b * b;
        }
        vec![s]
    }
    fn num_inputs(&self) -> usize {
        self.n
    }
    fn num_outputs(&self) -> usize {
        1
    }
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.5 + 0.1 * ((i * 7) % 13) as f64 / 13.0)
        .collect()
}

fn gradients(c: &mut Criterion) {
    let mut group = c.benchmark_group("rosenbrock_gradient");
    for n in [100usize, 1000, 10_000] {
        let x = point(n);
        group.bench_with_input(BenchmarkId::new("plain_f64", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x.as_slice())))
        });
        let mut g = vec![0.0; n];
        group.bench_with_input(BenchmarkId::new("diffprog_reverse", n), &x, |b, x| {
            b.iter(|| gradient_into(rosenbrock, black_box(x), &mut g))
        });
        group.bench_with_input(BenchmarkId::new("echidna_grad", n), &x, |b, x| {
            b.iter(|| echidna::grad(rosenbrock_nt, black_box(x)))
        });
        let f = AdTraitRosenbrock { n };
        let engine = FunctionEngine::new(f.clone(), f, ReverseAD::new());
        group.bench_with_input(BenchmarkId::new("ad_trait_reverse", n), &x, |b, x| {
            b.iter(|| engine.derivative(black_box(x)))
        });
        if n <= 1000 {
            let xv = DVector::from_vec(x.clone());
            group.bench_with_input(BenchmarkId::new("num_dual_gradient", n), &xv, |b, xv| {
                b.iter(|| num_dual::gradient(|v| rosenbrock_nd(&v), black_box(xv)))
            });
        }
    }
    group.finish();
}

fn second_order(c: &mut Criterion) {
    let mut group = c.benchmark_group("rosenbrock_second_order");
    for n in [100usize, 1000] {
        let x = point(n);
        let v: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        group.bench_with_input(BenchmarkId::new("plain_f64", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x.as_slice())))
        });
        let mut g = vec![0.0; n];
        group.bench_with_input(BenchmarkId::new("diffprog_gradient", n), &x, |b, x| {
            b.iter(|| gradient_into(rosenbrock, black_box(x), &mut g))
        });
        group.bench_with_input(BenchmarkId::new("diffprog_hvp", n), &x, |b, x| {
            b.iter(|| hessian_vector_product(rosenbrock, black_box(x), &v))
        });
        if n <= 100 {
            group.bench_with_input(BenchmarkId::new("diffprog_hessian", n), &x, |b, x| {
                b.iter(|| hessian(rosenbrock, black_box(x)))
            });
            group.bench_with_input(
                BenchmarkId::new("diffprog_hessian_rerecording", n),
                &x,
                |b, x| b.iter(|| hessian_chunked::<8, _>(rosenbrock, black_box(x))),
            );
            let xv = DVector::from_vec(x.clone());
            group.bench_with_input(BenchmarkId::new("num_dual_hessian", n), &xv, |b, xv| {
                b.iter(|| num_dual::hessian(|v| rosenbrock_nd(&v), black_box(xv)))
            });
            group.bench_with_input(BenchmarkId::new("echidna_hessian", n), &x, |b, x| {
                b.iter(|| echidna::hessian(rosenbrock_nt, black_box(x)))
            });
            let f = AdTraitRosenbrock { n };
            let engine = FunctionEngine::new(f.clone(), f, HessianAD_FOR::<8>::new());
            group.bench_with_input(BenchmarkId::new("ad_trait_hessian_for", n), &x, |b, x| {
                b.iter(|| engine.hessian(black_box(x)))
            });
            let f = AdTraitRosenbrock { n };
            let engine = FunctionEngine::new(f.clone(), f, HessianAD::<8>::new());
            group.bench_with_input(BenchmarkId::new("ad_trait_hessian_fof", n), &x, |b, x| {
                b.iter(|| engine.hessian(black_box(x)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, gradients, second_order);
criterion_main!(benches);

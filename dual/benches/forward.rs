//! Forward-mode benchmarks against num-dual, in one run.
//!
//! ```text
//! CARGO_TARGET_DIR=... cargo bench -p diffprog-dual --bench forward -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Groups: `scalar_derivative` (ours vs num-dual `first_derivative`), `rosenbrock_gradient/{n}`
//! (plain f64 evaluation, ours, num-dual `DualDVec64`, and `DualSVec64<10>` at n = 10), `chunk`
//! (our gradient at several tangent widths) and `guard` (the nesting guard's enter/exit).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diffprog_dual::nesting::DriverLevel;
use diffprog_dual::{derivative, gradient, gradient_with_chunk, Dual, Scalar};
use nalgebra::{DVector, SVector};
use num_dual::{DualDVec64, DualNum, DualSVec64};
use std::hint::black_box;

// ------------------------------------------------------------------ the scalar test function

fn scalar_ours<T: Scalar>(x: T) -> T {
    (x.sin().exp() * x.powi(3)) / (x * x + 1.0) + (x * 0.5).tanh().ln_1p()
}

fn scalar_num_dual<D: DualNum<Primitive = f64>>(x: D) -> D {
    (x.sin().exp() * x.powi(3)) / (x.clone() * &x + 1.0) + (x * 0.5).tanh().ln_1p()
}

fn bench_scalar(c: &mut Criterion) {
    let mut g = c.benchmark_group("scalar_derivative");
    let x = 0.7;
    g.bench_function("f64", |b| b.iter(|| scalar_ours(black_box(x))));
    g.bench_function("diffprog", |b| {
        b.iter(|| derivative(scalar_ours, black_box(x)))
    });
    g.bench_function("num_dual", |b| {
        b.iter(|| num_dual::first_derivative(scalar_num_dual, black_box(x)))
    });
    g.finish();
}

// ------------------------------------------------------------------ Rosenbrock

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

fn rosenbrock_num_dual<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut s = D::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].clone() * &x[i];
        let b = D::one() - &x[i];
        s += a.clone() * &a * 100.0 + b.clone() * &b;
    }
    s
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.5 + 0.3 * ((i as f64) * 0.7).sin())
        .collect()
}

fn bench_rosenbrock(c: &mut Criterion) {
    for n in [10usize, 100, 1000] {
        let mut g = c.benchmark_group(format!("rosenbrock_gradient/{n}"));
        let x = point(n);
        g.bench_function("f64_eval", |b| b.iter(|| rosenbrock(black_box(&x[..]))));
        g.bench_function("diffprog", |b| {
            b.iter(|| gradient(rosenbrock, black_box(&x)))
        });
        let xd = DVector::from_vec(x.clone());
        g.bench_function("num_dual_DualDVec64", |b| {
            b.iter(|| {
                num_dual::gradient(
                    |v: DVector<DualDVec64>| rosenbrock_num_dual(v.as_slice()),
                    black_box(&xd),
                )
            })
        });
        if n == 10 {
            let xs = SVector::<f64, 10>::from_column_slice(&x);
            g.bench_function("num_dual_DualSVec64_10", |b| {
                b.iter(|| {
                    num_dual::gradient(
                        |v: SVector<DualSVec64<10>, 10>| rosenbrock_num_dual(v.as_slice()),
                        black_box(&xs),
                    )
                })
            });
            g.bench_function("diffprog_chunk10", |b| {
                b.iter(|| gradient_with_chunk::<10>(rosenbrock, black_box(&x)))
            });
        }
        g.finish();
    }
}

// ------------------------------------------------------------------ chunk width

fn bench_chunk(c: &mut Criterion) {
    for n in [10usize, 100, 1000] {
        let mut g = c.benchmark_group(format!("chunk/{n}"));
        let x = point(n);
        macro_rules! width {
            ($($w:literal),*) => {$(
                g.bench_with_input(BenchmarkId::from_parameter($w), &x, |b, x| {
                    b.iter(|| gradient_with_chunk::<$w>(rosenbrock, black_box(x)))
                });
            )*};
        }
        width!(1, 2, 4, 8, 10, 12, 16);
        g.finish();
    }
}

// ------------------------------------------------------------------ nesting guard

fn bench_guard(c: &mut Criterion) {
    let mut g = c.benchmark_group("guard");
    g.bench_function("enter_exit", |b| {
        b.iter(|| {
            let level = DriverLevel::<Dual<f64>>::enter(black_box("bench"));
            black_box(&level);
        })
    });
    g.bench_function("derivative_of_x2", |b| {
        b.iter(|| derivative(|x| x * x, black_box(1.5)))
    });
    g.bench_function("dual_x2_without_driver", |b| {
        b.iter(|| {
            let x = Dual::variable(black_box(1.5));
            let y = x * x;
            (y.re, y.eps)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_scalar,
    bench_rosenbrock,
    bench_chunk,
    bench_guard
);
criterion_main!(benches);

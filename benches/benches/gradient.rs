//! Criterion group "gradient": every gradient mode and the peers, over problem sizes.
//! `cargo bench -p diffprog-benches --bench gradient -- --warm-up-time 1 --measurement-time 3`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use diffprog_benches::modes::{baseline_scalar, gradient_modes};
use diffprog_benches::problems::{Mlp, Quadratic, Rosenbrock, ScalarProblem};

fn run<P: ScalarProblem>(c: &mut Criterion, group: &str, problems: &[P]) {
    let mut g = c.benchmark_group(group);
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for p in problems {
        let mut modes = vec![baseline_scalar(p)];
        modes.extend(gradient_modes(p));
        common::bench_modes(&mut g, p.n(), modes);
    }
    g.finish();
}

fn gradient(c: &mut Criterion) {
    let rosen: Vec<_> = [2, 10, 100, 1000, 10_000].map(|n| Rosenbrock { n }).into();
    run(c, "gradient/rosenbrock", &rosen);
    let quad: Vec<_> = [10, 100, 300].map(Quadratic::new).into();
    run(c, "gradient/quadratic", &quad);
    run(c, "gradient/mlp", &[Mlp::new(4, 16, 32)]);
}

criterion_group!(benches, gradient);
criterion_main!(benches);

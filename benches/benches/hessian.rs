//! Criterion group "hessian": hyperdual and forward-over-reverse Hessians (also the re-recording
//! `hessian_chunked`) and the peers.
//! `cargo bench -p diffprog-benches --bench hessian -- --warm-up-time 1 --measurement-time 3`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use diffprog_benches::modes::{baseline_scalar, hessian_modes, hessian_rerecording};
use diffprog_benches::problems::{Quadratic, Rosenbrock, ScalarProblem};

fn run<P: ScalarProblem>(c: &mut Criterion, group: &str, problems: &[P]) {
    let mut g = c.benchmark_group(group);
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for p in problems {
        let mut modes = vec![baseline_scalar(p)];
        modes.extend(hessian_modes(p));
        modes.push(hessian_rerecording(p));
        common::bench_modes(&mut g, p.n(), modes);
    }
    g.finish();
}

fn hessian(c: &mut Criterion) {
    let rosen: Vec<_> = [2, 10, 30, 100, 300].map(|n| Rosenbrock { n }).into();
    run(c, "hessian/rosenbrock", &rosen);
    let quad: Vec<_> = [10, 30, 100].map(Quadratic::new).into();
    run(c, "hessian/quadratic", &quad);
}

criterion_group!(benches, hessian);
criterion_main!(benches);

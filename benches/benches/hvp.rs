//! Criterion group "hvp": Hessian–vector products (forward-over-reverse, forward-over-forward,
//! a full hyperdual Hessian times v) and the peer echidna.
//! `cargo bench -p diffprog-benches --bench hvp -- --warm-up-time 1 --measurement-time 3`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use diffprog_benches::modes::{baseline_scalar, hvp_modes};
use diffprog_benches::problems::{Rosenbrock, ScalarProblem};

fn hvp(c: &mut Criterion) {
    let mut g = c.benchmark_group("hvp/rosenbrock");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for n in [10, 100, 1000, 10_000] {
        let p = Rosenbrock { n };
        let mut modes = vec![baseline_scalar(&p)];
        modes.extend(hvp_modes(&p));
        common::bench_modes(&mut g, p.n(), modes);
    }
    g.finish();
}

criterion_group!(benches, hvp);
criterion_main!(benches);

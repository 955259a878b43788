//! Criterion group "jacobian": forward (chunked) vs reverse (m sweeps) Jacobians and the peers,
//! for m ≫ n, m = n and m ≪ n.
//! `cargo bench -p diffprog-benches --bench jacobian -- --warm-up-time 1 --measurement-time 3`

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use diffprog_benches::modes::{baseline_vector, jacobian_modes};
use diffprog_benches::problems::VectorFn;

fn jacobian(c: &mut Criterion) {
    for (n, m) in [(10, 1000), (100, 100), (1000, 10)] {
        let mut g = c.benchmark_group(format!("jacobian/m={m}"));
        g.sampling_mode(SamplingMode::Flat).sample_size(10);
        let p = VectorFn::new(n, m);
        let mut modes = vec![baseline_vector(&p)];
        modes.extend(jacobian_modes(&p));
        common::bench_modes(&mut g, n, modes);
        g.finish();
    }
}

criterion_group!(benches, jacobian);
criterion_main!(benches);

//! Shared by the criterion benches: one benchmark per mode of a list, at one problem size.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use diffprog_benches::modes::Mode;

/// Benchmarks the baseline and every mode at size `n`; expensive sizes get fewer samples.
pub fn bench_modes(group: &mut BenchmarkGroup<'_, WallTime>, n: usize, modes: Vec<Mode>) {
    for mode in modes {
        let name = if mode.peer {
            format!("{} (peer)", mode.name)
        } else {
            mode.name.to_string()
        };
        group.bench_function(BenchmarkId::new(name, n), |b| b.iter(|| (mode.run)()));
    }
}

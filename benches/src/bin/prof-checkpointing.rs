//! Profiling program: the gradient of a loss of the final state of 10⁵ RK4 steps of the Lorenz
//! system (dt = 10⁻⁴, parameters σ, ρ, β) by binomial checkpointing
//! (`diffprog_reverse::checkpoint::checkpointed_gradient`) with several snapshot budgets, against
//! the whole loop on one tape (`reverse::gradient`) and, with the feature `peers`, echidna's
//! `grad_checkpointed` (evenly spaced checkpoints, gradient with respect to x₀ only) with the
//! same number of checkpoints. Each run is on a fresh thread, so that its peak heap (counted by
//! a global allocator: snapshots, tapes, buffers) starts from nothing; times are the best of
//! `reps` interleaved rounds. See `benches/PERFORMANCE.md`, "Checkpointing".
//!
//! `cargo run --release -p diffprog-benches [--features peers] --bin prof-checkpointing [-- steps [reps]]`

use diffprog_dual::Scalar;
use diffprog_reverse::checkpoint::{
    checkpointed_gradient, optimal_forward_steps, Snapshots, TimeStep,
};
use diffprog_reverse::{gradient, Var};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// The allocator forwards to `System` and counts live bytes and their peak.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const DT: f64 = 1e-4;
const X0: [f64; 3] = [1.0, 1.0, 1.0];
const PARAMS: [f64; 3] = [10.0, 28.0, 8.0 / 3.0];

fn lorenz<T: Scalar>(x: &[T], p: &[T]) -> [T; 3] {
    [
        p[0] * (x[1] - x[0]),
        x[0] * (p[1] - x[2]) - x[1],
        x[0] * x[1] - p[2] * x[2],
    ]
}

/// One classical Runge–Kutta step of the Lorenz system.
struct LorenzRk4;
impl TimeStep for LorenzRk4 {
    fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
        let at = |k: &[T; 3], h: f64| [x[0] + k[0] * h, x[1] + k[1] * h, x[2] + k[2] * h];
        let k1 = lorenz(x, p);
        let k2 = lorenz(&at(&k1, DT / 2.0), p);
        let k3 = lorenz(&at(&k2, DT / 2.0), p);
        let k4 = lorenz(&at(&k3, DT), p);
        (0..3)
            .map(|i| x[i] + (k1[i] + (k2[i] + k3[i]) * 2.0 + k4[i]) * (DT / 6.0))
            .collect()
    }
}

fn loss<T: Scalar>(x: &[T]) -> T {
    x[0] * x[0] + x[1] * x[1] + x[2] * x[2]
}

/// Runs `f` on a fresh thread: its time, its peak heap above the start, and its gradient.
fn measure(f: impl FnOnce() -> Vec<f64> + Send + 'static) -> (f64, usize, Vec<f64>) {
    std::thread::spawn(move || {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = Instant::now();
        let g = f();
        let time = t.elapsed().as_secs_f64();
        (time, PEAK.load(Ordering::Relaxed) - base, g)
    })
    .join()
    .expect("the measured run panicked")
}

fn full_tape(steps: usize) -> Vec<f64> {
    let point: Vec<f64> = X0.iter().chain(&PARAMS).copied().collect();
    gradient(
        |v: &[Var]| {
            let mut x = v[..3].to_vec();
            for _ in 0..steps {
                x = LorenzRk4.step(&x, &v[3..]);
            }
            loss(&x)
        },
        point,
    )
    .1
}

fn checkpointed(steps: usize, snapshots: usize) -> Vec<f64> {
    let r = checkpointed_gradient(
        &LorenzRk4,
        loss::<Var>,
        X0,
        PARAMS,
        steps,
        Snapshots::Budget(snapshots),
    );
    r.gradient
        .iter()
        .chain(&r.parameter_gradient)
        .copied()
        .collect()
}

#[cfg(feature = "peers")]
fn echidna_checkpointed(steps: usize, checkpoints: usize) -> Vec<f64> {
    use echidna::BReverse;
    fn lorenz_ec<T: num_traits::Float>(x: &[T]) -> Vec<T> {
        let c = |v: f64| T::from(v).unwrap();
        let f = |x: &[T]| {
            [
                c(PARAMS[0]) * (x[1] - x[0]),
                x[0] * (c(PARAMS[1]) - x[2]) - x[1],
                x[0] * x[1] - c(PARAMS[2]) * x[2],
            ]
        };
        let at =
            |k: &[T; 3], h: f64| vec![x[0] + k[0] * c(h), x[1] + k[1] * c(h), x[2] + k[2] * c(h)];
        let k1 = f(x);
        let k2 = f(&at(&k1, DT / 2.0));
        let k3 = f(&at(&k2, DT / 2.0));
        let k4 = f(&at(&k3, DT));
        (0..3)
            .map(|i| x[i] + (k1[i] + (k2[i] + k3[i]) * c(2.0) + k4[i]) * c(DT / 6.0))
            .collect()
    }
    echidna::checkpoint::grad_checkpointed(
        |x: &[BReverse<f64>]| lorenz_ec(x),
        |x: &[BReverse<f64>]| x[0] * x[0] + x[1] * x[1] + x[2] * x[2],
        &X0,
        steps,
        checkpoints,
    )
}

/// A measured run: its gradient.
type Run = Box<dyn FnOnce() -> Vec<f64> + Send>;

fn max_relative_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("steps [reps]"))
        .collect();
    let steps = args.first().copied().unwrap_or(100_000);
    let reps = args.get(1).copied().unwrap_or(3);
    let sqrt = Snapshots::SqrtSteps.for_steps(steps);
    let budgets = [10, 100, sqrt, 1000, 10_000];
    let mut best: Vec<(String, f64, usize, Vec<f64>)> = Vec::new();
    for round in 0..reps {
        let mut runs: Vec<(String, Run)> = vec![(
            "full tape (reverse::gradient)".into(),
            Box::new(move || full_tape(steps)),
        )];
        for s in budgets {
            runs.push((
                format!("checkpointed, {s} snapshots"),
                Box::new(move || checkpointed(steps, s)),
            ));
        }
        #[cfg(feature = "peers")]
        for s in [100, sqrt, 1000] {
            runs.push((
                format!("echidna grad_checkpointed, {s}"),
                Box::new(move || echidna_checkpointed(steps, s)),
            ));
        }
        for (k, (name, run)) in runs.into_iter().enumerate() {
            let (t, peak, g) = measure(run);
            if round == 0 {
                best.push((name, t, peak, g));
            } else {
                best[k].1 = best[k].1.min(t);
                best[k].2 = best[k].2.max(peak);
            }
        }
    }
    println!("{steps} RK4 steps of the Lorenz system, best of {reps} rounds; gradient w.r.t. x0 and (sigma, rho, beta)");
    let (t_full, m_full, g_full) = (best[0].1, best[0].2, best[0].3.clone());
    println!("gradient {g_full:?}");
    for (k, (name, t, peak, g)) in best.iter().enumerate() {
        let forward = match k {
            1..=5 => format!(
                "{:>7} forward steps",
                optimal_forward_steps(steps, budgets[k - 1])
            ),
            _ => String::new(),
        };
        let n = g.len().min(g_full.len());
        println!(
            "{name:<38} {:>9.1} ms ({:>5.2}× full)  peak heap {:>11} B ({:>8.5}× full)  max rel. diff {:.1e}  {forward}",
            t * 1e3,
            t / t_full,
            peak,
            *peak as f64 / m_full as f64,
            max_relative_difference(&g[..n], &g_full[..n]),
        );
    }
}

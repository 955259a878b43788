//! Profiling program: diffprog's optimisers (`diffprog_reverse::optim`: Newton, trust-region
//! Newton–CG, L-BFGS) on Rosenbrock (n = 2, 100, 1000 from the classic start (−1.2, 1, −1.2, …);
//! n = 1000 also from 0.5·ones) and Himmelblau (four starts): iterations, evaluations, the
//! distance to the minimum and the time, with the same tolerance (‖∇f‖₂ < 10⁻⁸) and iteration
//! limit (10 000); with the feature `peers`, echidna-optim's `newton`, `trust_region` and
//! `lbfgs` on echidna's bytecode tape (recorded once) in the same run. Times are the best of
//! `reps` interleaved rounds. See `benches/PERFORMANCE.md`, "Second-order optimisers".
//!
//! `cargo run --release -p diffprog-benches [--features peers] --bin prof-optimisers [-- reps
//! [case]]` (`case`: run only the cases whose name contains it, e.g. `himmelblau`).

use diffprog_benches::problems::rosenbrock;
use diffprog_dual::Scalar;
use diffprog_reverse::optim::{lbfgs, newton, trust_region_newton_cg, Minimum, Objective, Options};
use std::time::Instant;

#[derive(Clone, Copy)]
enum Problem {
    Rosenbrock,
    Himmelblau,
}

impl Objective for Problem {
    fn value<T: Scalar>(&self, x: &[T]) -> T {
        match self {
            Problem::Rosenbrock => rosenbrock(x),
            Problem::Himmelblau => himmelblau(x),
        }
    }
}

fn himmelblau<T: Scalar>(x: &[T]) -> T {
    let a = x[0] * x[0] + x[1] - 11.0;
    let b = x[0] + x[1] * x[1] - 7.0;
    a * a + b * b
}

const HIMMELBLAU_MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805_118_086_952_745, 3.131_312_518_250_573],
    [-3.779_310_253_377_747, -3.283_185_991_286_17],
    [3.584_428_340_330_492, -1.848_126_526_964_404],
];

/// The distance to the nearest known minimum (Rosenbrock: all ones).
fn error(problem: Problem, x: &[f64]) -> f64 {
    let distance = |m: &[f64]| {
        x.iter()
            .zip(m)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    match problem {
        Problem::Rosenbrock => distance(&vec![1.0; x.len()]),
        Problem::Himmelblau => HIMMELBLAU_MINIMA
            .iter()
            .map(|m| distance(m))
            .fold(f64::INFINITY, f64::min),
    }
}

/// One solve's outcome: iterations, evaluations (as text), distance to the minimum, time.
struct Outcome {
    iterations: usize,
    evaluations: String,
    error: f64,
    termination: String,
    time: f64,
}

fn ours(method: &str, problem: Problem, x0: &[f64]) -> Outcome {
    let options = Options {
        max_iterations: 10_000,
        ..Options::default()
    };
    let t = Instant::now();
    let m: Minimum = match method {
        "newton" => newton(&problem, x0, &options),
        "trust region" => trust_region_newton_cg(&problem, x0, &options),
        _ => lbfgs(&problem, x0, &options),
    };
    let time = t.elapsed().as_secs_f64();
    let e = m.evaluations;
    Outcome {
        iterations: m.iterations,
        evaluations: format!(
            "f {} g {} H {} Hv {}",
            e.values, e.gradients, e.hessians, e.hessian_vector_products
        ),
        error: error(problem, &m.x),
        termination: format!("{:?}", m.termination),
        time,
    }
}

#[cfg(feature = "peers")]
fn echidna_solve(method: &str, problem: Problem, x0: &[f64]) -> Outcome {
    use echidna::BReverse;
    use echidna_optim::{
        lbfgs, newton, trust_region, ConvergenceParams, LbfgsConfig, NewtonConfig, TapeObjective,
        TrustRegionConfig,
    };
    fn rosenbrock_ec<T: num_traits::Float>(x: &[T]) -> T {
        let c = |v: f64| T::from(v).unwrap();
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = c(1.0) - x[i];
            s = s + a * a * c(100.0) + b * b;
        }
        s
    }
    fn himmelblau_ec<T: num_traits::Float>(x: &[T]) -> T {
        let c = |v: f64| T::from(v).unwrap();
        let a = x[0] * x[0] + x[1] - c(11.0);
        let b = x[0] + x[1] * x[1] - c(7.0);
        a * a + b * b
    }
    let convergence = ConvergenceParams {
        max_iter: 10_000,
        ..ConvergenceParams::default()
    };
    let t = Instant::now();
    let (tape, _) = match problem {
        Problem::Rosenbrock => echidna::record(|v: &[BReverse<f64>]| rosenbrock_ec(v), x0),
        Problem::Himmelblau => echidna::record(|v: &[BReverse<f64>]| himmelblau_ec(v), x0),
    };
    let mut objective = TapeObjective::new(tape);
    let r = match method {
        "newton" => newton(
            &mut objective,
            x0,
            &NewtonConfig {
                convergence,
                ..NewtonConfig::default()
            },
        ),
        "trust region" => trust_region(
            &mut objective,
            x0,
            &TrustRegionConfig {
                convergence,
                ..TrustRegionConfig::default()
            },
        ),
        _ => lbfgs(
            &mut objective,
            x0,
            &LbfgsConfig {
                convergence,
                ..LbfgsConfig::default()
            },
        ),
    };
    let time = t.elapsed().as_secs_f64();
    Outcome {
        iterations: r.iterations,
        evaluations: format!("{} evaluations", r.func_evals),
        error: error(problem, &r.x),
        termination: format!("{:?}", r.termination),
        time,
    }
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("reps"))
        .unwrap_or(3);
    let filter = std::env::args().nth(2).unwrap_or_default();
    let alternating = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect()
    };
    let mut cases: Vec<(String, Problem, Vec<f64>, Vec<&str>)> = Vec::new();
    let all = vec!["newton", "trust region", "lbfgs"];
    for n in [2, 100] {
        cases.push((
            format!("rosenbrock n={n} classic"),
            Problem::Rosenbrock,
            alternating(n),
            all.clone(),
        ));
    }
    // Newton from the classic start at n = 1000: thousands of dense 1000×1000 factorisations.
    cases.push((
        "rosenbrock n=1000 classic".into(),
        Problem::Rosenbrock,
        alternating(1000),
        all[1..].to_vec(),
    ));
    cases.push((
        "rosenbrock n=1000 from 0.5".into(),
        Problem::Rosenbrock,
        vec![0.5; 1000],
        all.clone(),
    ));
    for start in [[0.0, 0.0], [-1.0, 4.0], [-4.0, -4.0], [5.0, 5.0]] {
        cases.push((
            format!("himmelblau from {start:?}"),
            Problem::Himmelblau,
            start.to_vec(),
            all.clone(),
        ));
    }
    println!("best of {reps} rounds; iterations, evaluations, max |x - x*|, termination, time");
    for (name, problem, x0, methods) in cases.iter().filter(|c| c.0.contains(&filter)) {
        for method in methods {
            let mut ours_best: Option<Outcome> = None;
            #[cfg(feature = "peers")]
            let mut peer_best: Option<Outcome> = None;
            for _ in 0..reps {
                let o = ours(method, *problem, x0);
                if ours_best.as_ref().is_none_or(|b| o.time < b.time) {
                    ours_best = Some(o);
                }
                #[cfg(feature = "peers")]
                {
                    let p = echidna_solve(method, *problem, x0);
                    if peer_best.as_ref().is_none_or(|b| p.time < b.time) {
                        peer_best = Some(p);
                    }
                }
            }
            let print = |who: &str, o: &Outcome| {
                println!(
                    "{name:<28} {method:<13} {who:<9} it {:>5}  {:<34} err {:>8.1e}  {:<16} {:>10.3} ms",
                    o.iterations,
                    o.evaluations,
                    o.error,
                    o.termination,
                    o.time * 1e3
                )
            };
            let o = ours_best.expect("reps ≥ 1");
            print("diffprog", &o);
            #[cfg(feature = "peers")]
            {
                let p = peer_best.expect("reps ≥ 1");
                print("echidna", &p);
                println!(
                    "{:>60} time ratio echidna/diffprog {:.2}",
                    "",
                    p.time / o.time
                );
            }
        }
    }
}

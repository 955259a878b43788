//! compare-modes: which mode of automatic differentiation answers which question fastest.
//!
//! ```text
//! cargo run --release -p diffprog-benches --bin compare-modes [-- --quick] [-- --out DIR]
//! ```
//!
//! For every reference problem and size, times every mode that answers the question (and the
//! peers num-dual, echidna and ad_trait) with an adaptive loop, compares each answer with the
//! reference mode's, prints the tables (markdown), the recommended mode per shape and the
//! crossovers, and
//! draws time-versus-n curves of the gradient and the Hessian as SVG files under `DIR` (default
//! `compare-modes/` in the target directory the program was built in, wherever it is run from;
//! the paths are printed absolute). `--quick` runs small sizes with short measurements (a few
//! seconds).
//!
//! The peers are compiled in with the feature `peers` (`--features peers`, as the README's
//! main-job command does); without it the tables hold diffprog's modes only.

use diffprog_benches::modes::{self, Question};
use diffprog_benches::problems::{Mlp, Quadratic, Rosenbrock, ScalarProblem, VectorFn};
use diffprog_benches::report::{
    crossovers, measure_all, plot, recommendation, Measurement, Table, ROUNDS,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Plan {
    min_time: Duration,
    rosenbrock_gradient: Vec<usize>,
    quadratic_gradient: Vec<usize>,
    mlp: (usize, usize, usize),
    jacobian_shapes: Vec<(usize, usize)>,
    rosenbrock_hessian: Vec<usize>,
    quadratic_hessian: Vec<usize>,
    rosenbrock_hvp: Vec<usize>,
}

impl Plan {
    fn full() -> Plan {
        Plan {
            min_time: Duration::from_millis(50),
            rosenbrock_gradient: vec![2, 10, 100, 1000, 10_000],
            quadratic_gradient: vec![10, 100, 300],
            mlp: (4, 16, 32),
            jacobian_shapes: vec![(10, 1000), (100, 100), (1000, 10)],
            rosenbrock_hessian: vec![2, 10, 30, 100, 300],
            quadratic_hessian: vec![10, 30, 100],
            rosenbrock_hvp: vec![10, 100, 1000, 10_000],
        }
    }
    fn quick() -> Plan {
        Plan {
            min_time: Duration::from_millis(2),
            rosenbrock_gradient: vec![2, 10, 100],
            quadratic_gradient: vec![10],
            mlp: (2, 4, 4),
            jacobian_shapes: vec![(4, 40), (40, 4)],
            rosenbrock_hessian: vec![2, 10, 20],
            quadratic_hessian: vec![10],
            rosenbrock_hvp: vec![10, 100],
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: compare-modes [--quick] [--out DIR]");
    std::process::exit(2)
}

fn scalar_measurements<P: ScalarProblem>(q: Question, problems: &[P]) -> Vec<Measurement> {
    problems
        .iter()
        .map(|p| {
            let list = match q {
                Question::Gradient => modes::gradient_modes(p),
                Question::Hessian => modes::hessian_modes(p),
                Question::Hvp => modes::hvp_modes(p),
                Question::Jacobian => unreachable!("scalar problems have no Jacobian table"),
            };
            Measurement::new(q, p.name(), (p.n(), 1), modes::baseline_scalar(p), list)
        })
        .collect()
}

/// Prints a section's tables and returns them.
fn print_tables(heading: &str, groups: &[&[Measurement]]) -> Vec<Vec<Table>> {
    println!("## {heading}\n");
    groups
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|m| {
                    let t = m.table();
                    println!("{}", t.markdown());
                    t
                })
                .collect()
        })
        .collect()
}

/// `compare-modes/` in the target directory this program was built in (`target/release/` holds
/// the binary), or under the current directory if that cannot be found.
fn default_out() -> PathBuf {
    let exe = std::env::current_exe().ok();
    let target = exe.as_deref().and_then(|e| e.parent()?.parent());
    target.map_or_else(
        || PathBuf::from("compare-modes"),
        |t| t.join("compare-modes"),
    )
}

fn main() {
    let mut quick = false;
    let mut out = default_out();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--out" => out = args.next().map(PathBuf::from).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    let plan = if quick { Plan::quick() } else { Plan::full() };
    let start = Instant::now();
    std::fs::create_dir_all(&out)
        .unwrap_or_else(|e| panic!("compare-modes: cannot create {}: {e}", out.display()));
    let out = std::fs::canonicalize(&out).unwrap_or(out);

    println!("# compare-modes{}\n", if quick { " --quick" } else { "" });
    println!(
        "Each time is the mean of repeated calls, the fastest of {ROUNDS} rounds spread over the \
         whole run (each round times every table's f64 evaluation and modes, each for at least \
         {:.1} ms), so that a slow stretch of the machine cannot decide a table's figures. \"max \
         rel. diff\" is the largest difference from the reference mode's answer, relative to \
         its largest component. {}\n",
        (plan.min_time / ROUNDS as u32).as_secs_f64() * 1e3,
        if cfg!(feature = "peers") {
            "Peers are num-dual (dynamically sized numbers), echidna and ad_trait (through its \
             `FunctionEngine`)."
        } else {
            "The peers are not compiled in: run with `--features peers` to compare with \
             num-dual, echidna and ad_trait."
        }
    );
    let rosenbrocks = |sizes: &[usize]| sizes.iter().map(|&n| Rosenbrock { n }).collect::<Vec<_>>();
    let quadratics = |sizes: &[usize]| sizes.iter().map(|&n| Quadratic::new(n)).collect::<Vec<_>>();
    let (d, h, batch) = plan.mlp;
    let mut groups: Vec<Vec<Measurement>> = vec![
        scalar_measurements(Question::Gradient, &rosenbrocks(&plan.rosenbrock_gradient)),
        scalar_measurements(Question::Gradient, &quadratics(&plan.quadratic_gradient)),
        scalar_measurements(Question::Gradient, &[Mlp::new(d, h, batch)]),
        plan.jacobian_shapes
            .iter()
            .map(|&(n, m)| {
                let p = VectorFn::new(n, m);
                Measurement::new(
                    Question::Jacobian,
                    diffprog_benches::problems::VectorProblem::name(&p),
                    (n, m),
                    modes::baseline_vector(&p),
                    modes::jacobian_modes(&p),
                )
            })
            .collect(),
        scalar_measurements(Question::Hessian, &rosenbrocks(&plan.rosenbrock_hessian)),
        scalar_measurements(Question::Hessian, &quadratics(&plan.quadratic_hessian)),
        scalar_measurements(Question::Hvp, &rosenbrocks(&plan.rosenbrock_hvp)),
    ];
    measure_all(groups.iter_mut().flatten(), plan.min_time, |round| {
        eprintln!("compare-modes: round {round} of {ROUNDS}");
    });
    let [rosen_g, quad_g, mlp_g, jac, rosen_h, quad_h, rosen_hvp] = &groups[..] else {
        unreachable!("seven groups")
    };
    let gradient = print_tables("Gradient", &[rosen_g, quad_g, mlp_g]);
    let (rosen_g, quad_g, mlp_g) = (&gradient[0], &gradient[1], &gradient[2]);
    let jacobian = print_tables("Jacobian", &[jac]);
    let jac = &jacobian[0];
    let hessian = print_tables("Hessian", &[rosen_h, quad_h]);
    let (rosen_h, quad_h) = (&hessian[0], &hessian[1]);
    let hvp = print_tables("Hessian-vector product", &[rosen_hvp]);
    let rosen_hvp = &hvp[0];

    println!("## Recommendations\n");
    for t in rosen_g
        .iter()
        .chain(quad_g)
        .chain(mlp_g)
        .chain(jac)
        .chain(rosen_h)
        .chain(quad_h)
        .chain(rosen_hvp)
    {
        println!("- {}", recommendation(t));
    }
    println!("\n## Crossovers\n");
    let series: [&[Table]; 6] = [rosen_g, quad_g, jac, rosen_h, quad_h, rosen_hvp];
    let mut any = false;
    for s in series {
        for line in crossovers(&s.iter().collect::<Vec<_>>()) {
            println!("- {line}");
            any = true;
        }
    }
    if !any {
        println!("- none within the measured sizes");
    }

    println!("\n## Plots\n");
    let plots = [
        (
            rosen_g,
            "Rosenbrock gradient: time per call vs n",
            "gradient.svg",
        ),
        (
            rosen_h,
            "Rosenbrock Hessian: time per call vs n",
            "hessian.svg",
        ),
    ];
    for (tables, title, file) in plots {
        let path = out.join(file);
        match plot(&tables.iter().collect::<Vec<_>>(), title, &path) {
            Ok(()) => println!("- {}", path.display()),
            Err(e) => {
                eprintln!("compare-modes: cannot draw {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
    println!("\n(total time {:.1} s)", start.elapsed().as_secs_f64());
}

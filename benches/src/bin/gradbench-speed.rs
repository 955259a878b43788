//! Times the GradBench tool's evals on their default workloads, outside GradBench: for each eval,
//! workload and function the mean time per call, and the derivative/objective ratio (the ADBench
//! measure).
//!
//! ```text
//! cargo run --release -p diffprog-benches --bin gradbench-speed -- [--eval NAME]... [--mode MODE]
//!     [--largest] [--seconds S]
//! ```
//!
//! `--largest` times only each eval's largest workload; `--seconds` is the least time spent per
//! function and workload (default 1, as the evals ask); `--mode` selects the mode as the tool's
//! `--mode` does. The inputs have the evals' shapes and sizes, filled with seeded random data
//! where the eval's own data is not at hand (see each eval's `workloads`).

use diffprog_benches::gradbench::{evals, Mode, Runs};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut names = Vec::new();
    let mut mode = None;
    let mut largest = false;
    let mut seconds = 1.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--eval" => args
                .next()
                .map(|n| names.push(n))
                .ok_or("--eval needs a name".to_string()),
            "--mode" => args
                .next()
                .ok_or("--mode needs a mode".to_string())
                .and_then(|m| Mode::parse(&m))
                .map(|m| mode = Some(m)),
            "--largest" => {
                largest = true;
                Ok(())
            }
            "--seconds" => args
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                .map(|s| seconds = s)
                .ok_or("--seconds needs a non-negative number".to_string()),
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(e) = parsed {
            eprintln!("gradbench-speed: {e}");
            return ExitCode::FAILURE;
        }
    }
    let runs = Runs {
        min_runs: 1,
        min_seconds: seconds,
    };
    println!("| eval | workload | mode | function | mean ms | runs | ratio |");
    println!("|---|---|---|---|---:|---:|---:|");
    for eval in evals::ALL {
        if !names.is_empty() && !names.iter().any(|n| n == eval.name) {
            continue;
        }
        let mode = match eval.mode(mode) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("gradbench-speed: {e}");
                continue;
            }
        };
        let mut workloads = (eval.workloads)();
        if largest {
            workloads.drain(..workloads.len().saturating_sub(1));
        }
        for (description, input) in workloads {
            let mut first = None;
            for (i, function) in eval.functions.iter().enumerate() {
                let mut workload = match (eval.prepare)(function, &input, mode) {
                    Ok(w) => w,
                    Err(e) => {
                        eprintln!(
                            "gradbench-speed: {}::{function} {description}: {e}",
                            eval.name
                        );
                        return ExitCode::FAILURE;
                    }
                };
                let timings = runs.time(|| workload.run());
                if let Err(e) = workload.output() {
                    eprintln!(
                        "gradbench-speed: {}::{function} {description}: {e}",
                        eval.name
                    );
                    return ExitCode::FAILURE;
                }
                let mean = timings.iter().sum::<Duration>().as_secs_f64() / timings.len() as f64;
                let ratio = match (i, first) {
                    (1, Some(objective)) if eval.functions.len() == 2 => {
                        format!("{:.2}", mean / objective)
                    }
                    _ => String::new(),
                };
                first.get_or_insert(mean);
                println!(
                    "| {} | {description} | {mode} | {function} | {:.3} | {} | {ratio} |",
                    eval.name,
                    mean * 1e3,
                    timings.len()
                );
            }
        }
    }
    ExitCode::SUCCESS
}

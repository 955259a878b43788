//! Times the GradBench tool's evals on their default workloads, outside GradBench: for each eval,
//! workload and function the mean time per call, and the derivative/objective ratio (the ADBench
//! measure).
//!
//! ```text
//! cargo run --release -p diffprog-benches --bin gradbench-speed -- [--eval NAME]... [--mode MODE]
//!     [--largest] [--seconds S]
//! ```
//!
//! Each row gives the mean wall time and the mean CPU time of the calling thread per call (Linux;
//! the one to read on a loaded machine, at the kernel's accounting resolution), the ratio from
//! the CPU times where both functions ran 100 ms or more of CPU, else from the wall times.
//! `--largest` times only each eval's largest workload; `--seconds` is the least time spent per
//! function and workload (default 1, as the evals ask); `--mode` selects the mode as the tool's
//! `--mode` does. The inputs have the evals' shapes and sizes, filled with seeded random data
//! where the eval's own data is not at hand (see each eval's `workloads`).

use diffprog_benches::gradbench::{evals, Mode, Runs};
use std::process::ExitCode;
use std::time::Duration;

/// The CPU time this thread has run, in seconds (Linux: `/proc/thread-self/schedstat`), or `None`
/// where it cannot be read.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds as f64 * 1e-9)
}

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
    println!("| eval | workload | mode | function | mean ms | CPU ms | runs | ratio |");
    println!("|---|---|---|---|---:|---:|---:|---:|");
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
            let mut first_wall = None;
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
                let cpu_start = thread_cpu_seconds();
                let timings = runs.time(|| workload.run());
                let cpu = thread_cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
                if let Err(e) = workload.output() {
                    eprintln!(
                        "gradbench-speed: {}::{function} {description}: {e}",
                        eval.name
                    );
                    return ExitCode::FAILURE;
                }
                let runs_made = timings.len() as f64;
                let mean = timings.iter().sum::<Duration>().as_secs_f64() / runs_made;
                // The CPU time is what a loaded machine distorts less (wall time includes the time
                // other processes held the cores); it covers the timed loop only, at the kernel's
                // accounting resolution (a few milliseconds on some machines), so the ratio uses
                // it only when both functions ran for at least 100 ms of CPU time.
                let cpu_mean = cpu.map(|c| c / runs_made);
                let per_call = match cpu {
                    Some(c) if c >= 0.1 => (cpu_mean.unwrap(), true),
                    _ => (mean, false),
                };
                let ratio = match (i, first) {
                    (1, Some((objective, objective_cpu))) if eval.functions.len() == 2 => {
                        if per_call.1 && objective_cpu {
                            format!("{:.2} (CPU)", per_call.0 / objective)
                        } else {
                            format!("{:.2} (wall)", mean / first_wall.unwrap_or(mean))
                        }
                    }
                    _ => String::new(),
                };
                first.get_or_insert(per_call);
                first_wall.get_or_insert(mean);
                println!(
                    "| {} | {description} | {mode} | {function} | {:.3} | {} | {} | {ratio} |",
                    eval.name,
                    mean * 1e3,
                    cpu_mean.map_or("?".into(), |c| format!("{:.3}", c * 1e3)),
                    timings.len()
                );
            }
        }
    }
    ExitCode::SUCCESS
}

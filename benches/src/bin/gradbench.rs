//! diffprog as a GradBench tool: speaks GradBench's protocol on stdin/stdout (one JSON line out
//! per JSON line in, flushed; logs on stderr).
//!
//! ```text
//! cargo run --release -p diffprog-benches --bin gradbench [-- --mode forward|reverse|hyperdual|mixed]
//! ```
//!
//! The mode can also be chosen with `DIFFPROG_GRADBENCH_MODE`; without either each eval uses its
//! best. See `benches/GRADBENCH.md` for running it under GradBench's `gradbench run`.

use diffprog_benches::gradbench::{evals, serve, Mode};
use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut mode = std::env::var("DIFFPROG_GRADBENCH_MODE").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mode" => mode = args.next(),
            other => {
                eprintln!("gradbench: unknown argument `{other}` (the only option is --mode MODE)");
                return ExitCode::FAILURE;
            }
        }
    }
    let mode = match mode.as_deref().map(Mode::parse).transpose() {
        Ok(mode) => mode,
        Err(e) => {
            eprintln!("gradbench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match serve(io::stdin().lock(), io::stdout().lock(), mode, evals::ALL) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradbench: {e}");
            ExitCode::FAILURE
        }
    }
}

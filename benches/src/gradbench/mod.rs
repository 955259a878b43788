//! diffprog as a [GradBench](https://github.com/gradbench/gradbench) tool.
//!
//! GradBench is a suite of automatic-differentiation benchmarks (the successor of Microsoft's
//! ADBench). An *eval* (a program of GradBench's) sends the tool line-delimited JSON messages on
//! stdin — `start`, `define` a module, `evaluate` a function of it on an input, `analysis` of an
//! earlier answer — and validates and times the answers the tool writes on stdout, one line per
//! message. The binary `gradbench` of this crate is such a tool:
//!
//! ```text
//! cargo run --release -p diffprog-benches --bin gradbench
//! ```
//!
//! - [`protocol`]: the message loop ([`serve`]);
//! - [`runs`]: the `min_runs` / `min_seconds` loop, one timing per run;
//! - [`scalar_workload`]: the workload shared by the evals whose functions are a scalar
//!   objective and its gradient;
//! - [`json`]: reading inputs, writing outputs (never NaN or ∞), the evals' comparison rule;
//! - [`evals`]: one module per eval. Each writes its objective once, generic over
//!   [`Scalar`](diffprog_dual::Scalar), as a user of the library would, and takes its
//!   derivatives from the library's modes.
//!
//! Which mode computes the derivatives is each eval's best by default; the environment variable
//! `DIFFPROG_GRADBENCH_MODE` (or the binary's `--mode`) selects another one (`forward`,
//! `reverse`, `hyperdual`, `mixed`), so the same workloads compare the modes. An eval that has no
//! form in the selected mode answers `define` with `success: false` and says which modes it has.
//! `particle` and `saddle` name their modes in their functions (`ff`, `fr`, `rf`, `rr`).

pub mod evals;
pub mod json;
pub mod protocol;
pub mod runs;
pub mod scalar_workload;

pub use protocol::serve;
pub use runs::Runs;

use serde_json::Value;
use std::fmt;

/// A mode of automatic differentiation an eval's derivatives can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Forward mode: dual numbers (`diffprog_dual`), chunks of tangents per pass.
    Forward,
    /// Reverse mode: the tape (`diffprog_reverse`), one recording and one backward sweep.
    Reverse,
    /// Second-order forward mode: hyper-dual numbers (`diffprog_hyperdual`).
    Hyperdual,
    /// Forward over reverse: the tape over dual numbers (`diffprog_reverse`'s mixed layer).
    Mixed,
}

impl Mode {
    /// Every mode, in the order of the names [`Mode::parse`] accepts.
    pub const ALL: [Mode; 4] = [Mode::Forward, Mode::Reverse, Mode::Hyperdual, Mode::Mixed];

    /// The mode named `name` (`forward`, `reverse`, `hyperdual`, `mixed`).
    pub fn parse(name: &str) -> Result<Mode, String> {
        Mode::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                format!("unknown mode `{name}`: expected one of forward, reverse, hyperdual, mixed")
            })
    }

    /// The mode's name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Forward => "forward",
            Mode::Reverse => "reverse",
            Mode::Hyperdual => "hyperdual",
            Mode::Mixed => "mixed",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One function of an eval, ready to run on one input: the problem's data is built from the
/// JSON input before the timed runs, each [`run`](Workload::run) is the timed computation, and
/// [`output`](Workload::output) turns the last run's result into the JSON the eval expects.
pub trait Workload {
    /// Computes the function once (timed).
    fn run(&mut self);
    /// The last run's result as JSON (an error if it holds NaN or ∞).
    fn output(&self) -> Result<Value, String>;
}

/// Builds the workload of a function (its name) on an input in a mode, or says why it cannot.
pub type Prepare =
    fn(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String>;

/// One eval: its name, the modes its derivatives can come from, and its functions.
pub struct Eval {
    /// The module name the eval defines (`"lse"`).
    pub name: &'static str,
    /// The modes this tool computes the eval's derivatives in; the first is the default.
    pub modes: &'static [Mode],
    /// The eval's functions; where there are two, the objective and then its derivative.
    pub functions: &'static [&'static str],
    /// The eval's default workloads (its own sizes) as `(description, input)`, the input of the
    /// eval's shape filled with seeded random data where the eval's own data is not at hand:
    /// what `gradbench-speed` times. Smallest first.
    pub workloads: fn() -> Vec<(String, Value)>,
    /// Builds the workload of `function` on `input` in `mode` (one of `modes`), or an error for an
    /// unknown function or a malformed input.
    pub prepare: Prepare,
}

impl Eval {
    /// The mode to use: `selected` if given (an error if this eval has no form in it), else the
    /// eval's default.
    pub fn mode(&self, selected: Option<Mode>) -> Result<Mode, String> {
        match selected {
            None => Ok(self.modes[0]),
            Some(m) if self.modes.contains(&m) => Ok(m),
            Some(m) => Err(format!(
                "diffprog's `{}` is written for the modes {}; the selected mode `{m}` is not one of them",
                self.name,
                self.modes.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// The unknown-function error every eval returns.
pub fn unknown_function(eval: &str, function: &str, known: &[&str]) -> String {
    format!(
        "the module `{eval}` has no function `{function}` (it has {})",
        known.join(", ")
    )
}

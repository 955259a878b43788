//! Test helpers shared by the diffprog workspace's tests and fuzz targets. Never published: every
//! crate takes it as a dev-dependency only (a path dependency without a version, which
//! `cargo publish` leaves out of the published manifest), and `fuzz/` takes it as a dependency.
//!
//! Two parts:
//!
//! - Always there, small (it needs only `proptest`), for every crate's tests:
//!   - [`cases`] and [`config`]: the number of proptest cases, a crate's default for CI or
//!     `PROPTEST_CASES` from the environment for a deep run;
//!   - [`fd`]: central differences (one point, one axis, one direction, and the pair of steps
//!     `h`, `2h` that Richardson error estimates take).
//! - Behind the feature `programs`: the random programs of the cross-mode suite
//!   ([`programs`]): the program type, its readable `Display`, the proptest strategies and a
//!   total decoder from bytes (for the fuzz target), the generic evaluator, the tolerances, the
//!   chain-rule flow analysis and the comparisons across every mode. These run every mode, so
//!   the feature depends on the root `diffprog` crate. It is used by the root crate's
//!   `tests/cross_mode` (the proptest driver and its fixed regression cases) and by the fuzz
//!   target `fuzz/fuzz_targets/programs.rs`; the library crates (`dual`, `hyperdual`,
//!   `reverse`, `nn`) use the feature-free part only.
#![forbid(unsafe_code)]

pub mod fd;
#[cfg(feature = "programs")]
pub mod programs;

use proptest::test_runner::Config;

/// The number of proptest cases: `default`, or `PROPTEST_CASES` from the environment (a deep
/// run) when it is set to a number.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The proptest configuration with [`cases`]`(default)` cases and proptest's defaults otherwise.
pub fn config(default: u32) -> Config {
    Config::with_cases(cases(default))
}

/// Asserts that a test suite covers every function of a list of elementary functions (one of
/// `diffprog_dual::elementary::{UNARY, BINARY, PARAMETRIC}` or `ELEMENTARY_FUNCTIONS`):
/// `tested` are the `Scalar` method names the suite's operations call. A function added to the
/// list fails this until the suite tests it.
///
/// ```
/// diffprog_testkit::assert_covers("my suite", &["sin", "cos"], ["cos", "sin", "sin"]);
/// ```
///
/// ```should_panic
/// diffprog_testkit::assert_covers("my suite", &["sin", "cos", "erf"], ["cos", "sin"]);
/// ```
pub fn assert_covers<'a>(suite: &str, list: &[&str], tested: impl IntoIterator<Item = &'a str>) {
    let tested: Vec<&str> = tested.into_iter().collect();
    let missing: Vec<&str> = list
        .iter()
        .copied()
        .filter(|f| !tested.contains(f))
        .collect();
    assert!(
        missing.is_empty(),
        "{suite} does not test {}: add an operation for each (CONTRIBUTING.md, \"How to add an elementary function\")",
        missing.join(", ")
    );
}

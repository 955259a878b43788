//! Whole random programs in every mode: the bytes decode (totally, see
//! `diffprog_testkit::programs::bytes`) into a program of the cross-mode suite with a point, a
//! direction and output weights; the point's components are often ±0, ±∞, NaN, huge or tiny.
//!
//! On every case the NaN/∞ patterns of every gradient, Jacobian and Hessian driver must agree
//! (`checks::patterns`); where every value is finite, the gradients, Jacobians (with `J·v` and
//! `wᵀJ`) and Hessians (with `H·v` and the Taylor derivatives along `v`) of every mode must
//! agree with each other within the suite's tolerances (`checks::gradient`, `jacobian`,
//! `hessian`, without the finite differences). A disagreement panics with the readable case; so
//! does any panic in the library, since nothing here misuses it.
#![no_main]

use diffprog_testkit::programs::checks::{self, Stats};
use diffprog_testkit::programs::program::Case;
use libfuzzer_sys::fuzz_target;
use proptest::test_runner::{TestCaseError, TestCaseResult};

type Check = fn(&Case, &Stats) -> TestCaseResult;

const CHECKS: [(&str, Check); 4] = [
    ("patterns", checks::patterns),
    ("gradient", checks::gradient),
    ("jacobian", checks::jacobian),
    ("hessian", checks::hessian),
];

fuzz_target!(|data: &[u8]| {
    let case = Case::from_bytes(data);
    let stats = Stats::modes_only();
    for (name, check) in CHECKS {
        match check(&case, &stats) {
            // rejected: a value is not finite, which only the pattern comparison looks at
            Ok(()) | Err(TestCaseError::Reject(_)) => {}
            Err(TestCaseError::Fail(reason)) => {
                panic!("{name}: {reason}\nthe case as data: {case:?}")
            }
        }
    }
});

//! The quick modes of the lab examples 07 (regression and gradient checking), 08 (optimisers)
//! and 12 (matrix factorisation, Iris MLP), and example 18 (large problems: sparse Newton,
//! second-order minimisers, checkpointing): each runs in the test profile and must pass every
//! check its example makes, and write its figures. The examples' sources are included as
//! modules, so the example binaries are not built.

#[allow(dead_code)]
#[path = "../examples/07_regression_gradcheck.rs"]
mod regression_gradcheck;

#[allow(dead_code)]
#[path = "../examples/08_optimisers.rs"]
mod optimisers;

#[allow(dead_code)]
#[path = "../examples/12_factorisation_iris.rs"]
mod factorisation_iris;

#[allow(dead_code)]
#[path = "../examples/18_large_problems.rs"]
mod large_problems;

/// A fresh output directory for one test.
fn out_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("diffprog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn regression_gradcheck_quick_passes_its_checks() {
    let out = out_dir("lab1");
    let o = regression_gradcheck::run(true, &out).unwrap();
    assert!(o.checks.failures().is_empty(), "{:?}", o.checks.failures());
    assert!(o.digits_accuracy >= o.digits_bound, "{o:?}");
    assert!(out.join("07_softmax_digits.svg").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn optimisers_quick_passes_its_checks() {
    let out = out_dir("lab3");
    let o = optimisers::run(true, &out).unwrap();
    assert!(o.checks.failures().is_empty(), "{:?}", o.checks.failures());
    assert!(o.svm_accuracy >= o.svm_bound, "{o:?}");
    for f in ["08_himmelblau.svg", "08_rastrigin.svg", "08_svm.svg"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn factorisation_iris_quick_passes_its_checks() {
    let out = out_dir("extras");
    let o = factorisation_iris::run(true, &out).unwrap();
    assert!(o.checks.failures().is_empty(), "{:?}", o.checks.failures());
    assert!(
        (o.factorisation_error - o.sigma3_squared).abs() <= 1e-9 * o.sigma3_squared,
        "{o:?}"
    );
    assert!(o.iris_accuracy >= o.iris_bound, "{o:?}");
    assert!(out.join("12_iris_curves.svg").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn large_problems_quick_passes_its_checks() {
    let r = large_problems::run(true);
    let failed = large_problems::failures(&r);
    assert!(failed.is_empty(), "{failed:?}\n{r:?}");
}

//! The quick modes of the lab examples 07, 08 and 12.

#[allow(dead_code)]
#[path = "../examples/07_regression_gradcheck.rs"]
mod regression_gradcheck;

#[test]
fn regression_gradcheck_quick_passes_its_checks() {
    let out = std::env::temp_dir().join(format!("diffprog-lab1-{}", std::process::id()));
    let o = regression_gradcheck::run(true, &out).unwrap();
    assert!(o.checks.failures().is_empty(), "{:?}", o.checks.failures());
    assert!(o.digits_accuracy >= o.digits_bound, "{o:?}");
    assert!(out.join("07_softmax_digits.svg").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

//! Runs `compare-modes --quick` into a temporary directory: it must succeed, print a table for
//! every question, show every mode agreeing with the reference, and write the two SVG plots.

use std::process::Command;

#[test]
fn compare_modes_quick_runs_and_modes_agree() {
    let dir = std::env::temp_dir().join(format!("compare-modes-quick-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_compare-modes"))
        .args(["--quick", "--out"])
        .arg(&dir)
        .output()
        .expect("compare-modes runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "compare-modes --quick failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for section in [
        "## Gradient",
        "## Jacobian",
        "## Hessian",
        "## Hessian-vector product",
        "## Recommendations",
        "## Crossovers",
    ] {
        assert!(stdout.contains(section), "no {section:?} in:\n{stdout}");
    }
    // Every measured mode's answer agrees with the reference mode's.
    let mut rows = 0;
    for line in stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| mode"))
    {
        let diff = line
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap()
            .trim();
        rows += 1;
        if diff == "reference" {
            continue;
        }
        let d: f64 = diff
            .parse()
            .unwrap_or_else(|_| panic!("unparsable difference in {line:?}"));
        assert!(d < 1e-10, "a mode disagrees with the reference: {line}");
    }
    // diffprog's own modes give 46 rows (13 of them replaying); the peers (feature `peers`) add
    // theirs.
    let min_rows = if cfg!(feature = "peers") { 60 } else { 46 };
    assert!(rows >= min_rows, "only {rows} table rows:\n{stdout}");
    for (plot, mode) in [
        ("gradient.svg", "reverse Var"),
        ("hessian.svg", "forward-over-reverse"),
    ] {
        // compare-modes prints the canonical (absolute) path.
        let path = std::fs::canonicalize(&dir).unwrap().join(plot);
        assert!(
            stdout.contains(&path.display().to_string()),
            "path of {plot} not printed"
        );
        let svg = std::fs::read_to_string(&path).expect("the plot was written");
        assert!(svg.contains("<svg"), "{plot} is not an SVG file");
        assert!(svg.contains(mode), "{plot} has no line for {mode}");
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "{plot} has no lines"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

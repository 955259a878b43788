//! The message loop: one JSON line in, one JSON line out, flushed.

use super::json::object;
use super::{Eval, Mode, Runs};
use serde_json::{json, Value};
use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};

/// The tool's name in its `start` answer.
pub const TOOL: &str = "diffprog";

/// Answers every line of `input` with one line on `output` until `input` ends.
///
/// - `start` → `{"id", "tool": "diffprog", "config": {"mode": …}}`;
/// - `define` → `success: true` for a module in `evals` that has a form in `mode` (`None`: each
///   eval's default), else `success: false` with the reason;
/// - `evaluate` → the function run in the input's `min_runs` / `min_seconds` loop, its output and
///   one `evaluate` timing per run, or `success: false` with an error (unknown module or function,
///   malformed input, a non-finite result, a panic);
/// - anything else (`analysis`) → `{"id"}`;
/// - a line that is not a JSON object → `{"id": null, "success": false, "error": …}`.
///
/// Logs go to stderr only. Returns when `input` ends, or an error if writing fails.
pub fn serve(
    input: impl BufRead,
    mut output: impl Write,
    mode: Option<Mode>,
    evals: &[Eval],
) -> io::Result<()> {
    for line in input.lines() {
        let answer = answer(&line?, mode, evals);
        serde_json::to_writer(&mut output, &answer)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

/// The answer to one line.
pub fn answer(line: &str, mode: Option<Mode>, evals: &[Eval]) -> Value {
    let message: Value = match serde_json::from_str(line) {
        Ok(m @ Value::Object(_)) => m,
        Ok(other) => {
            return failure(
                Value::Null,
                format!("a message must be a JSON object, got {other}"),
            )
        }
        Err(e) => return failure(Value::Null, format!("the line is not JSON: {e}")),
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    match message.get("kind").and_then(Value::as_str) {
        Some("start") => object([
            ("id", id),
            ("tool", json!(TOOL)),
            (
                "config",
                json!({"mode": mode.map_or("default", Mode::name)}),
            ),
        ]),
        Some("define") => match find(&message, evals).and_then(|e| e.mode(mode).map(|_| ())) {
            Ok(()) => object([("id", id), ("success", json!(true))]),
            Err(e) => failure(id, e),
        },
        Some("evaluate") => match evaluate(&message, mode, evals) {
            Ok((output, timings)) => object([
                ("id", id),
                ("success", json!(true)),
                ("output", output),
                ("timings", timings),
            ]),
            Err(e) => failure(id, e),
        },
        Some(_) => object([("id", id)]),
        None => failure(id, "the message has no string field `kind`".into()),
    }
}

fn failure(id: Value, error: String) -> Value {
    eprintln!("diffprog gradbench: {error}");
    object([
        ("id", id),
        ("success", json!(false)),
        ("error", json!(error)),
    ])
}

fn find<'a>(message: &Value, evals: &'a [Eval]) -> Result<&'a Eval, String> {
    let module = message
        .get("module")
        .and_then(Value::as_str)
        .ok_or("the message has no string field `module`")?;
    evals.iter().find(|e| e.name == module).ok_or_else(|| {
        format!(
            "unknown module `{module}`: this tool implements {}",
            evals.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
        )
    })
}

fn evaluate(message: &Value, mode: Option<Mode>, evals: &[Eval]) -> Result<(Value, Value), String> {
    let eval = find(message, evals)?;
    let mode = eval.mode(mode)?;
    let function = message
        .get("function")
        .and_then(Value::as_str)
        .ok_or("the message has no string field `function`")?;
    let input = message
        .get("input")
        .ok_or("the message has no field `input`")?;
    let runs = Runs::from_input(input)?;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut workload = (eval.prepare)(function, input, mode)?;
        let timings = runs.time(|| workload.run());
        Ok::<_, String>((workload.output()?, timings))
    }));
    let (output, timings) = match outcome {
        Ok(result) => result?,
        Err(payload) => {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            return Err(format!("{}::{function} panicked: {text}", eval.name));
        }
    };
    let timings = timings
        .iter()
        .map(|t| json!({"name": "evaluate", "nanoseconds": t.as_nanos() as u64}))
        .collect();
    Ok((output, Value::Array(timings)))
}

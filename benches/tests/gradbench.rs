//! The GradBench tool: the protocol round trip (a scripted session, malformed lines included,
//! through the real binary) and conformance with the answers GradBench's evals accepted
//! (`benches/gradbench/transcripts/`), in every mode each eval is written for.

use diffprog_benches::gradbench::json::mismatches;
use diffprog_benches::gradbench::protocol::answer;
use diffprog_benches::gradbench::{evals, Mode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn transcripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("gradbench/transcripts")
}

/// The lines of a transcript (`NAME.jsonl`, or `NAME.jsonl.gz` for the large ones).
fn transcript(name: &str) -> Vec<Value> {
    let plain = transcripts().join(format!("{name}.jsonl"));
    let mut text = String::new();
    if plain.exists() {
        text = std::fs::read_to_string(&plain).unwrap();
    } else {
        let file = std::fs::File::open(transcripts().join(format!("{name}.jsonl.gz")))
            .unwrap_or_else(|e| panic!("no transcript for `{name}`: {e}"));
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap();
    }
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every transcript's evaluate messages, answered in every mode of the eval (one run each), match
/// the accepted answers by the evals' rule (tolerance 1e-4).
#[test]
fn transcripts_are_answered_as_the_evals_accepted() {
    let mut checked = 0;
    for eval in evals::ALL {
        let names: &[&str] = if eval.name == "ht" {
            &["ht", "ht-simple"]
        } else {
            &[eval.name]
        };
        for name in names {
            for line in transcript(name)
                .iter()
                .filter(|l| l.get("message").is_some())
            {
                let mut message = line["message"].clone();
                if let Some(input) = message["input"].as_object_mut() {
                    input.insert("min_runs".into(), json!(1));
                    input.insert("min_seconds".into(), json!(0));
                }
                for &mode in eval.modes {
                    let reply = answer(&message.to_string(), Some(mode), evals::ALL);
                    let what = format!("{name}::{} in {mode}", message["function"]);
                    assert_eq!(reply["success"], json!(true), "{what}: {reply}");
                    assert_eq!(reply["id"], message["id"]);
                    let found = mismatches(&line["expected_output"], &reply["output"], 1e-4);
                    assert!(found.is_empty(), "{what}: {found:#?}");
                    let timings = reply["timings"].as_array().unwrap();
                    assert_eq!(timings.len(), 1, "{what}: one run, one timing");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}

/// A scripted session through the binary: one flushed line out per line in, in order, the tool
/// going on after every malformed or unknown message, and exiting at the end of its input.
#[test]
fn the_binary_speaks_the_protocol() {
    let session = [
        r#"{"id": 0, "kind": "start", "eval": "hello"}"#,
        r#"{"id": 1, "kind": "define", "module": "hello"}"#,
        r#"{"id": 2, "kind": "evaluate", "module": "hello", "function": "square", "input": 3.0}"#,
        r#"{"id": 3, "kind": "analysis", "of": 2, "valid": true}"#,
        r#"{"id": 4, "kind": "evaluate", "module": "hello", "function": "double", "input": 3}"#,
        r#"this is not JSON"#,
        r#"[1, 2]"#,
        r#"{"id": 7, "kind": "define", "module": "no-such-eval"}"#,
        r#"{"id": 8, "kind": "evaluate", "module": "hello", "function": "cube", "input": 1.0}"#,
        r#"{"id": 9, "kind": "evaluate", "module": "hello", "function": "square", "input": "one"}"#,
        r#"{"id": 10, "kind": "evaluate", "module": "hello", "function": "square", "input": 1e200}"#,
        r#"{"id": 11}"#,
        r#"{"id": 12, "kind": "end"}"#,
        r#"{"id": 13, "kind": "evaluate", "module": "hello", "function": "double", "input": -0.5}"#,
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradbench"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut replies = Vec::new();
    // Line by line, waiting for each answer before sending the next message, as the intermediary
    // does: a tool that does not flush would hang here.
    for line in session {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let mut reply = String::new();
        stdout.read_line(&mut reply).unwrap();
        replies.push(serde_json::from_str::<Value>(&reply).unwrap());
    }
    drop(stdin);
    assert!(
        child.wait().unwrap().success(),
        "the tool exits 0 at the end of its input"
    );

    assert_eq!(replies[0]["id"], 0);
    assert_eq!(replies[0]["tool"], "diffprog");
    assert_eq!(replies[1], json!({"id": 1, "success": true}));
    assert_eq!(
        (replies[2]["success"].clone(), replies[2]["output"].clone()),
        (json!(true), json!(9.0))
    );
    let timings = replies[2]["timings"].as_array().unwrap();
    assert_eq!(timings.len(), 1);
    assert_eq!(timings[0]["name"], "evaluate");
    assert!(timings[0]["nanoseconds"].is_u64());
    assert_eq!(replies[3], json!({"id": 3}));
    assert_eq!(replies[4]["output"], json!(6.0));
    for (i, needle) in [
        (5, "not JSON"),
        (6, "JSON object"),
        (7, "unknown module `no-such-eval`"),
        (8, "no function `cube`"),
        (9, "must be a number"),
        (10, "JSON cannot carry"),
        (11, "no string field `kind`"),
    ] {
        assert_eq!(
            replies[i]["success"],
            json!(false),
            "line {i}: {}",
            replies[i]
        );
        let error = replies[i]["error"].as_str().unwrap();
        assert!(error.contains(needle), "line {i}: {error}");
    }
    assert_eq!(replies[5]["id"], Value::Null);
    assert_eq!(replies[8]["id"], 8);
    assert_eq!(replies[12], json!({"id": 12}));
    assert_eq!(
        replies[13]["output"],
        json!(-1.0),
        "the tool keeps going after errors"
    );
}

/// `--mode` and `DIFFPROG_GRADBENCH_MODE` select the mode; a bad one is refused at start-up.
#[test]
fn the_mode_is_selected_or_refused() {
    let run = |args: &[&str], env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gradbench"));
        command.args(args).env_remove("DIFFPROG_GRADBENCH_MODE");
        if let Some(mode) = env {
            command.env("DIFFPROG_GRADBENCH_MODE", mode);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"{\"id\": 0, \"kind\": \"start\"}\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["--mode", "reverse"], None);
    assert!(out.status.success());
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["config"]["mode"], "reverse");
    let out = run(&[], Some("mixed"));
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["config"]["mode"], "mixed");
    let out = run(&["--mode", "sideways"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown mode `sideways`"));
}

/// Every mode name parses back to itself.
#[test]
fn mode_names_round_trip() {
    for mode in Mode::ALL {
        assert_eq!(Mode::parse(mode.name()), Ok(mode));
    }
}

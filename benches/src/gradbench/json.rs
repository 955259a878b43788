//! Reading eval inputs and writing outputs: numbers, vectors and matrices out of JSON with errors
//! that name the field, outputs checked to hold no NaN or ∞ (JSON has no such numbers; serde_json
//! would write `null`, a type mismatch for the eval), and the evals' comparison rule.

use serde_json::{Map, Value};

/// The input's field `name`, or an error naming it.
pub fn field<'a>(input: &'a Value, name: &str) -> Result<&'a Value, String> {
    input
        .get(name)
        .ok_or_else(|| format!("the input has no field `{name}`"))
}

/// A number (an integer or a float) at `field`.
pub fn number(input: &Value, name: &str) -> Result<f64, String> {
    let v = field(input, name)?;
    v.as_f64()
        .ok_or_else(|| format!("`{name}` must be a number, got {}", short(v)))
}

/// A non-negative integer at `field` (`4` or `4.0`).
pub fn count(input: &Value, name: &str) -> Result<usize, String> {
    let v = number(input, name)?;
    if v >= 0.0 && v.fract() == 0.0 && v <= (1u64 << 53) as f64 {
        Ok(v as usize)
    } else {
        Err(format!("`{name}` must be a non-negative integer, got {v}"))
    }
}

/// A list of numbers at `field`.
pub fn vector(input: &Value, name: &str) -> Result<Vec<f64>, String> {
    numbers(field(input, name)?, name)
}

/// A list of lists of numbers at `field`, every row of the same length; returns the rows
/// concatenated (row-major) and the number of columns (0 for an empty list).
pub fn matrix(input: &Value, name: &str) -> Result<(Vec<f64>, usize), String> {
    let rows = field(input, name)?
        .as_array()
        .ok_or_else(|| format!("`{name}` must be a list of lists of numbers"))?;
    let mut out = Vec::new();
    let mut columns = None;
    for (i, row) in rows.iter().enumerate() {
        let row = numbers(row, &format!("{name}[{i}]"))?;
        match columns {
            None => columns = Some(row.len()),
            Some(c) if c != row.len() => {
                return Err(format!(
                    "`{name}` must be rectangular: row 0 has {c} numbers, row {i} has {}",
                    row.len()
                ))
            }
            Some(_) => {}
        }
        out.extend(row);
    }
    Ok((out, columns.unwrap_or(0)))
}

/// The numbers of a JSON list.
pub fn numbers(v: &Value, name: &str) -> Result<Vec<f64>, String> {
    let list = v
        .as_array()
        .ok_or_else(|| format!("`{name}` must be a list of numbers, got {}", short(v)))?;
    list.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64()
                .ok_or_else(|| format!("`{name}[{i}]` must be a number, got {}", short(x)))
        })
        .collect()
}

/// A finite number as JSON, or an error naming what was not finite.
pub fn finite(x: f64, what: &str) -> Result<Value, String> {
    if x.is_finite() {
        Ok(Value::from(x))
    } else {
        Err(format!("{what} is {x}, which JSON cannot carry"))
    }
}

/// A list of finite numbers as JSON.
pub fn finite_list(xs: &[f64], what: &str) -> Result<Value, String> {
    xs.iter()
        .enumerate()
        .map(|(i, &x)| finite(x, &format!("{what}[{i}]")))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// A row-major matrix with `columns` columns as a JSON list of rows.
pub fn finite_rows(xs: &[f64], columns: usize, what: &str) -> Result<Value, String> {
    if columns == 0 {
        return Ok(Value::Array(Vec::new()));
    }
    xs.chunks(columns)
        .enumerate()
        .map(|(i, row)| finite_list(row, &format!("{what}[{i}]")))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// An object from `(key, value)` pairs.
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<_, _>>(),
    )
}

/// The first 80 characters of a value, for error messages.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

/// GradBench's comparison of an output with the expected one (`compare_json_objects` of the
/// evals, tolerance 1e-4): the same structure (same keys, same list lengths), non-float leaves
/// equal, an integer comparable with a float, and floats within `|x − y| / max(1, |x| + |y|) ≤
/// tolerance`. Returns the mismatches found (at most 10 described), empty if the output passes.
pub fn mismatches(expected: &Value, actual: &Value, tolerance: f64) -> Vec<String> {
    let mut found = Vec::new();
    compare(expected, actual, tolerance, "", &mut found);
    found
}

fn compare(expected: &Value, actual: &Value, tolerance: f64, path: &str, found: &mut Vec<String>) {
    if found.len() >= 10 {
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => compare(ev, av, tolerance, &format!("{path}.{k}"), found),
                    None => found.push(format!("{path}: key `{k}` is missing")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                found.push(format!("{path}: unexpected key `{k}`"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                found.push(format!(
                    "{path}: length {} != expected {}",
                    a.len(),
                    e.len()
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(ev, av, tolerance, &format!("{path}[{i}]"), found);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            if e.is_f64() || a.is_f64() {
                let (x, y) = (e.as_f64().unwrap(), a.as_f64().unwrap());
                if !((x - y).abs() / f64::max(1.0, x.abs() + y.abs()) <= tolerance) {
                    found.push(format!("{path}: {y} != expected {x}"));
                }
            } else if e != a {
                found.push(format!("{path}: {a} != expected {e}"));
            }
        }
        (e, a) if e == a => {}
        (e, a) => found.push(format!("{path}: {} != expected {}", short(a), short(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_fields_with_errors_that_name_them() {
        let input = json!({"x": [1, 2.5], "n": 4.0, "m": [[1, 2], [3, 4]], "bad": [[1], [2, 3]]});
        assert_eq!(vector(&input, "x").unwrap(), vec![1.0, 2.5]);
        assert_eq!(count(&input, "n").unwrap(), 4);
        assert_eq!(matrix(&input, "m").unwrap(), (vec![1.0, 2.0, 3.0, 4.0], 2));
        assert!(matrix(&input, "bad").unwrap_err().contains("rectangular"));
        assert!(vector(&input, "y").unwrap_err().contains("`y`"));
        assert!(count(&json!({"n": 1.5}), "n").is_err());
        assert!(vector(&json!({"x": [1, "a"]}), "x")
            .unwrap_err()
            .contains("x[1]"));
    }

    #[test]
    fn never_writes_nan_or_infinity() {
        assert!(finite(f64::NAN, "the value").is_err());
        assert!(finite_list(&[1.0, f64::INFINITY], "g")
            .unwrap_err()
            .contains("g[1]"));
        assert_eq!(
            finite_rows(&[1.0, 2.0, 3.0, 4.0], 2, "J").unwrap(),
            json!([[1.0, 2.0], [3.0, 4.0]])
        );
    }

    #[test]
    fn compares_as_the_evals_do() {
        assert!(mismatches(&json!([1.0, 100.0]), &json!([1.00005, 100.01]), 1e-4).is_empty());
        assert_eq!(mismatches(&json!([100.0]), &json!([100.1]), 1e-4).len(), 1);
        assert!(mismatches(&json!({"a": 1}), &json!({"a": 1.0}), 1e-4).is_empty());
        assert_eq!(
            mismatches(&json!({"rows": [1, 2]}), &json!({"rows": [1, 3]}), 1e-4).len(),
            1
        );
        assert_eq!(
            mismatches(&json!({"a": 1}), &json!({"a": 1, "b": 2}), 1e-4).len(),
            1
        );
        assert_eq!(mismatches(&json!([1.0]), &json!([null]), 1e-4).len(), 1);
        assert_eq!(mismatches(&json!([1.0, 2.0]), &json!([1.0]), 1e-4).len(), 1);
    }
}

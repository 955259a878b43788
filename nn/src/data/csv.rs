//! A small CSV reader for numeric tables: [`read_csv`], [`read_csv_from`], [`CsvOptions`].
//!
//! Plain comma- (or other single-byte-) separated numbers, one record per line, an optional header
//! row. No quoting: fields are trimmed of surrounding spaces and must parse as numbers. Gzip input
//! is recognised by its magic bytes and decompressed on the fly, whatever the file is called.

use super::classes::Classes;
use super::{DataError, Dataset, DEFAULT_MAX_CLASSES};
use diffprog_dual::Real;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Which column of a CSV file holds the class label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelColumn {
    /// The column with this header name (needs `has_header`).
    Name(String),
    /// The column at this 0-based index.
    Index(usize),
    /// The last column.
    Last,
}

/// How to read a CSV file into a [`Dataset`]. The default: a header row, `,` as separator, the
/// label in the last column, features kept as written, the number of classes taken from the
/// labels and at most [`DEFAULT_MAX_CLASSES`].
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Whether the first line names the columns.
    pub has_header: bool,
    /// The separator byte.
    pub delimiter: u8,
    /// Where the label is; every other column is a feature, in file order.
    pub label: LabelColumn,
    /// Every feature is multiplied by this (e.g. `1.0 / 16.0` for the 8×8 digits).
    pub feature_scale: f64,
    /// If set, labels must be below this, and it becomes the data set's `n_classes`.
    pub n_classes: Option<usize>,
    /// The most classes the data may have: with `n_classes` unset, labels must be below this;
    /// with it set, `n_classes` must not exceed it. Default [`DEFAULT_MAX_CLASSES`].
    pub max_classes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            delimiter: b',',
            label: LabelColumn::Last,
            feature_scale: 1.0,
            n_classes: None,
            max_classes: DEFAULT_MAX_CLASSES,
        }
    }
}

impl CsvOptions {
    /// Default options with the label in the column called `name`.
    pub fn label_named(name: &str) -> Self {
        CsvOptions {
            label: LabelColumn::Name(name.to_string()),
            ..Self::default()
        }
    }
}

/// A numeric table read from CSV: `n_rows × n_cols` values, row-major, and the header if any.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvTable<F = f64> {
    /// Column names from the header row, or `None` for a header-less file.
    pub header: Option<Vec<String>>,
    /// Values, row-major.
    pub values: Vec<F>,
    /// Number of data rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
}

fn open(path: &Path) -> Result<Box<dyn BufRead>, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(Some(path.to_path_buf()), e))?;
    maybe_gunzip(BufReader::new(file)).map_err(|e| DataError::io(Some(path.to_path_buf()), e))
}

/// Wraps `reader` in a gzip decoder if it starts with the gzip magic bytes `1f 8b`.
pub(crate) fn maybe_gunzip<'r, R: BufRead + 'r>(
    mut reader: R,
) -> std::io::Result<Box<dyn BufRead + 'r>> {
    let head = reader.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Reads a CSV file (gzip-compressed or not) into a [`Dataset`]; see [`read_csv_from`].
pub fn read_csv<F: Real>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset<F>, DataError> {
    let path = path.as_ref();
    let reader = open(path)?;
    read_csv_from(reader, options).map_err(|e| match e {
        DataError::Io { path: None, source } => DataError::io(Some(path.to_path_buf()), source),
        e => e,
    })
}

/// Reads CSV text (gzip-compressed or not) into a [`Dataset`]: one sample per line, the label
/// column chosen by `options.label`, every other column a feature.
///
/// The format: one record per line, fields separated by `options.delimiter` (a single ASCII
/// byte), no quoting; fields are trimmed of surrounding spaces and must parse as numbers (Rust's
/// `f64` syntax, so `1e-3`, `inf` and `NaN` are accepted as features). Blank lines are skipped.
/// Labels must be non-negative integers, written as integers (`3`) or as decimals that are
/// exactly integers (`3.0`, `3e0`; not `3.0000000000000001`, which `f64` would round to 3). Gzip input is recognised by its magic
/// bytes, whatever the file is called. Errors name the line and column.
///
/// Every label passes the check [`Dataset::try_new`] applies, as soon as it is read: below
/// `options.n_classes` if set, else below `options.max_classes`, whether written as an integer or
/// as a float ([`DataError::LabelOutOfRange`] names the line, the label and the bound).
///
/// ```
/// use diffprog_nn::data::{read_csv_from, CsvOptions};
///
/// let text = "x,y,class\n0.5,1.5,1\n2,3,0\n";
/// let d = read_csv_from::<f32>(text.as_bytes(), &CsvOptions::label_named("class")).unwrap();
/// assert_eq!((d.len(), d.feature_len(), d.n_classes()), (2, 2, 2));
/// assert_eq!(d.sample(0), (&[0.5f32, 1.5][..], 1));
///
/// let err = read_csv_from::<f32>("x,class\n1,0\nfoo,1\n".as_bytes(), &CsvOptions::default());
/// assert_eq!(err.unwrap_err().to_string(), "line 3, column 1 (x): \"foo\" is not a number");
/// ```
pub fn read_csv_from<F: Real>(
    reader: impl Read,
    options: &CsvOptions,
) -> Result<Dataset<F>, DataError> {
    let classes = Classes::new(options.n_classes, options.max_classes)?;
    let reader = maybe_gunzip(BufReader::new(reader)).map_err(|e| DataError::io(None, e))?;
    let mut lines = Lines::new(reader);
    let header = if options.has_header {
        match lines.next_line()? {
            Some((_, h)) => Some(split_owned(h, options.delimiter)),
            None => return Err(DataError::Empty),
        }
    } else {
        None
    };
    let mut label_col: Option<usize> = match (&options.label, &header) {
        (LabelColumn::Name(name), Some(h)) => Some(h.iter().position(|c| c == name).ok_or_else(
            || DataError::MissingColumn {
                column: name.clone(),
                available: h.clone(),
            },
        )?),
        (LabelColumn::Name(name), None) => {
            return Err(DataError::MissingColumn {
                column: name.clone(),
                available: vec![],
            })
        }
        (LabelColumn::Index(i), _) => Some(*i),
        (LabelColumn::Last, _) => None,
    };
    let mut n_cols = header.as_ref().map(|h| h.len());
    let mut features: Vec<F> = Vec::new();
    let mut labels: Vec<usize> = Vec::new();
    let col_name = |c: usize| -> String {
        header
            .as_ref()
            .and_then(|h| h.get(c).cloned())
            .unwrap_or_else(|| format!("column {}", c + 1))
    };
    while let Some((line_no, line)) = lines.next_line()? {
        let n_fields = line.split(options.delimiter as char).count();
        let expected = *n_cols.get_or_insert(n_fields);
        if n_fields != expected {
            return Err(DataError::RaggedRow {
                line: line_no,
                expected,
                found: n_fields,
            });
        }
        let lc = *label_col.get_or_insert(expected - 1);
        if lc >= expected || expected < 2 {
            return Err(DataError::MissingColumn {
                column: format!("index {lc}"),
                available: (0..expected).map(col_name).collect(),
            });
        }
        for (c, text) in line
            .split(options.delimiter as char)
            .map(str::trim)
            .enumerate()
        {
            if c == lc {
                let label = parse_label(text, line_no)?;
                labels.push(classes.check(line_no, label, || text.to_string())?);
            } else {
                let v: f64 = text.parse().map_err(|_| DataError::Parse {
                    line: line_no,
                    column: c + 1,
                    name: col_name(c),
                    text: text.to_string(),
                })?;
                features.push(F::from_f64(v * options.feature_scale));
            }
        }
    }
    let Some(n_cols) = n_cols.filter(|_| !labels.is_empty()) else {
        return Err(DataError::Empty);
    };
    Dataset::try_new(
        features,
        labels,
        n_cols - 1,
        options.n_classes,
        options.max_classes,
    )
}

/// Reads a header-less or headed CSV file of numbers into a [`CsvTable`] (no label column), for
/// regression targets or any other numeric table. Gzip is detected as in [`read_csv`].
///
/// ```
/// use diffprog_nn::data::read_csv_table_from;
///
/// let t = read_csv_table_from::<f64>("a,b\n1,2\n3,4.5\n".as_bytes(), true, b',').unwrap();
/// assert_eq!(t.header.unwrap(), ["a", "b"]);
/// assert_eq!((t.n_rows, t.n_cols), (2, 2));
/// assert_eq!(t.values, [1.0, 2.0, 3.0, 4.5]);
/// ```
pub fn read_csv_table_from<F: Real>(
    reader: impl Read,
    has_header: bool,
    delimiter: u8,
) -> Result<CsvTable<F>, DataError> {
    let reader = maybe_gunzip(BufReader::new(reader)).map_err(|e| DataError::io(None, e))?;
    let mut lines = Lines::new(reader);
    let header = if has_header {
        match lines.next_line()? {
            Some((_, h)) => Some(split_owned(h, delimiter)),
            None => return Err(DataError::Empty),
        }
    } else {
        None
    };
    let mut n_cols = header.as_ref().map(|h| h.len());
    let mut values = Vec::new();
    let mut n_rows = 0;
    while let Some((line_no, line)) = lines.next_line()? {
        let n_fields = line.split(delimiter as char).count();
        let expected = *n_cols.get_or_insert(n_fields);
        if n_fields != expected {
            return Err(DataError::RaggedRow {
                line: line_no,
                expected,
                found: n_fields,
            });
        }
        for (c, text) in line.split(delimiter as char).map(str::trim).enumerate() {
            let v: f64 = text.parse().map_err(|_| DataError::Parse {
                line: line_no,
                column: c + 1,
                name: header
                    .as_ref()
                    .and_then(|h| h.get(c).cloned())
                    .unwrap_or_else(|| format!("column {}", c + 1)),
                text: text.to_string(),
            })?;
            values.push(F::from_f64(v));
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(DataError::Empty);
    }
    Ok(CsvTable {
        header,
        values,
        n_rows,
        n_cols: n_cols.unwrap_or(0),
    })
}

/// [`read_csv_table_from`] on a file path.
pub fn read_csv_table<F: Real>(
    path: impl AsRef<Path>,
    has_header: bool,
    delimiter: u8,
) -> Result<CsvTable<F>, DataError> {
    let path = path.as_ref();
    read_csv_table_from(open(path)?, has_header, delimiter).map_err(|e| match e {
        DataError::Io { path: None, source } => DataError::io(Some(path.to_path_buf()), source),
        e => e,
    })
}

/// A label's value: a non-negative integer, written as one (`3`) or as a decimal that is exactly
/// an integer (`3.0`, `3e0`, `30e-1`). The decimal is read exactly, not through `f64`, so
/// `3.0000000000000001` is refused rather than rounded to 3. Integers too large for `u64` come
/// out as `u64::MAX`, which no class bound admits: the range is [`Classes::check`]'s to judge,
/// the same for every spelling.
fn parse_label(text: &str, line: usize) -> Result<u64, DataError> {
    text.parse::<u64>()
        .ok()
        .or_else(|| exact_integer(text))
        .ok_or_else(|| DataError::InvalidLabel {
            line,
            text: text.to_string(),
            reason: "is not a non-negative integer",
        })
}

/// The non-negative integer the decimal `text` (`[+-]digits[.digits][(e|E)[+-]digits]`, at
/// least one mantissa digit) denotes exactly, `u64::MAX` if it is larger, or `None` if `text` is
/// not such a decimal or denotes a fraction or a negative number. (`-0` and `-0.0` are 0.)
fn exact_integer(text: &str) -> Option<u64> {
    let (negative, t) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // The exponent, saturated far beyond anything that matters: 10^±100000 decides alone.
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, digits) = match e.as_bytes().first() {
                Some(b'-') => (-1, &e[1..]),
                Some(b'+') => (1, &e[1..]),
                _ => (1, e),
            };
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            let magnitude = digits
                .bytes()
                .fold(0i64, |a, b| (a * 10 + i64::from(b - b'0')).min(100_000));
            sign * magnitude
        }
    };
    // value = digits × 10^scale, with the digits' leading and trailing zeros taken out.
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    if negative {
        return None;
    }
    let significant = digits.trim_end_matches('0');
    let scale = exponent - frac.len() as i64 + (digits.len() - significant.len()) as i64;
    if scale < 0 {
        return None; // the last significant digit lies after the decimal point
    }
    let value = significant.bytes().try_fold(0u64, |a, b| {
        a.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    });
    let value = value.and_then(|v| {
        u32::try_from(scale)
            .ok()
            .and_then(|s| 10u64.checked_pow(s))
            .and_then(|p| v.checked_mul(p))
    });
    Some(value.unwrap_or(u64::MAX))
}

/// Reads non-blank lines, counting lines from 1.
struct Lines<R> {
    reader: R,
    buf: String,
    line_no: usize,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader,
            buf: String::new(),
            line_no: 0,
        }
    }

    /// The next non-blank line without its line ending, and its 1-based number.
    fn next_line(&mut self) -> Result<Option<(usize, &str)>, DataError> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_line(&mut self.buf)
                .map_err(|e| DataError::io(None, e))?;
            if n == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if !self.buf.trim().is_empty() {
                let line = self.buf.trim_end_matches(['\n', '\r']);
                return Ok(Some((self.line_no, line)));
            }
        }
    }
}

/// The trimmed fields of a line, owned (for the header).
fn split_owned(line: &str, delimiter: u8) -> Vec<String> {
    line.split(delimiter as char)
        .map(|f| f.trim().to_string())
        .collect()
}

//! [`DataError`]: everything that can go wrong while reading a data file.

use super::LabelBound;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// An error from one of the readers in [`crate::data`] (CSV, IDX).
///
/// Every variant says where the problem is (a line and column for CSV, byte counts for IDX), so the
/// message alone is enough to fix the file. Readers never panic on bad input; they return one of
/// these.
#[derive(Debug)]
#[non_exhaustive]
pub enum DataError {
    /// The operating system refused a read or an open.
    Io {
        /// The file, when the error came from opening or reading a named path.
        path: Option<PathBuf>,
        /// The underlying error.
        source: io::Error,
    },
    /// The input held no data rows at all (or, with a header, only the header).
    Empty,
    /// A CSV field is not a number.
    Parse {
        /// 1-based line number in the file (the header, if any, is line 1).
        line: usize,
        /// 1-based column number.
        column: usize,
        /// The column's name from the header, or `"column N"`.
        name: String,
        /// The offending text.
        text: String,
    },
    /// A CSV row has a different number of fields from the first row.
    RaggedRow {
        /// 1-based line number.
        line: usize,
        /// Number of fields in the first row (or header).
        expected: usize,
        /// Number of fields on this line.
        found: usize,
    },
    /// The label column asked for does not exist.
    MissingColumn {
        /// The name or index asked for.
        column: String,
        /// The columns the file has.
        available: Vec<String>,
    },
    /// A label is not a non-negative integer.
    InvalidLabel {
        /// 1-based line number (CSV) or 1-based record number (IDX).
        line: usize,
        /// The offending text.
        text: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A label is too large: not below the declared number of classes, or (with none declared) not
    /// below the maximum number of classes ([`DEFAULT_MAX_CLASSES`](super::DEFAULT_MAX_CLASSES)
    /// unless raised).
    LabelOutOfRange {
        /// 1-based line number (CSV) or record number (IDX, and the samples of an in-memory
        /// [`Dataset`](super::Dataset): sample `i` is record `i + 1`).
        line: usize,
        /// The label as written.
        text: String,
        /// The bound the label must stay below.
        limit: usize,
        /// Whether `limit` is the declared number of classes or the maximum.
        bound: LabelBound,
    },
    /// The declared number of classes exceeds the maximum number of classes.
    TooManyClasses {
        /// The declared number of classes.
        n_classes: usize,
        /// The maximum in force.
        max_classes: usize,
    },
    /// In-memory data whose lengths do not fit its shape (a [`Dataset`](super::Dataset) or
    /// [`IdxImages`](super::IdxImages) built from parts).
    BadShape(String),
    /// An IDX file does not start with the expected magic number.
    BadMagic {
        /// What the reader expected (e.g. `0x0000_0803` for images).
        expected: u32,
        /// What the file starts with.
        found: u32,
    },
    /// An IDX header is inconsistent (a zero dimension, dimensions whose product overflows, ...).
    BadHeader(String),
    /// The file is shorter or longer than its header says.
    LengthMismatch {
        /// Bytes the header implies (header + payload).
        expected: u64,
        /// Bytes actually present (for a longer file: at least this many).
        found: u64,
    },
    /// Images and labels that must go together have different counts.
    CountMismatch {
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// An error in one of several inputs read together (the data and target files of
    /// [`diabetes_from`](super::diabetes_from)), naming which.
    InFile {
        /// The input: a path, or a description such as `"diabetes target"`.
        name: String,
        /// The error within it.
        error: Box<DataError>,
    },
}

impl DataError {
    pub(crate) fn io(path: Option<PathBuf>, source: io::Error) -> Self {
        DataError::Io { path, source }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io {
                path: Some(p),
                source,
            } => {
                write!(f, "I/O error on {}: {source}", p.display())
            }
            DataError::Io { path: None, source } => write!(f, "I/O error: {source}"),
            DataError::Empty => write!(f, "the input holds no data rows"),
            DataError::Parse {
                line,
                column,
                name,
                text,
            } => write!(
                f,
                "line {line}, column {column} ({name}): {text:?} is not a number"
            ),
            DataError::RaggedRow {
                line,
                expected,
                found,
            } => write!(
                f,
                "line {line} has {found} fields but the first row has {expected}"
            ),
            DataError::MissingColumn { column, available } => write!(
                f,
                "no column {column:?}; the file has {} columns: {}",
                available.len(),
                available.join(", ")
            ),
            DataError::InvalidLabel { line, text, reason } => {
                write!(f, "record {line}: label {text:?} {reason}")
            }
            DataError::LabelOutOfRange {
                line,
                text,
                limit,
                bound: LabelBound::NClasses,
            } => write!(
                f,
                "record {line}: label {text:?} is not below the declared number of classes ({limit})"
            ),
            DataError::LabelOutOfRange {
                line,
                text,
                limit,
                bound: LabelBound::MaxClasses,
            } => write!(
                f,
                "record {line}: label {text:?} is not below the maximum number of classes \
                 ({limit}); raise max_classes if the data really has that many classes"
            ),
            DataError::TooManyClasses {
                n_classes,
                max_classes,
            } => write!(
                f,
                "{n_classes} classes declared, more than the maximum number of classes \
                 ({max_classes}); raise max_classes if the data really has that many classes"
            ),
            DataError::BadShape(msg) => write!(f, "bad shape: {msg}"),
            DataError::BadMagic { expected, found } => write!(
                f,
                "not the expected IDX file: magic number {found:#010x}, expected {expected:#010x}"
            ),
            DataError::BadHeader(msg) => write!(f, "bad IDX header: {msg}"),
            DataError::LengthMismatch { expected, found } => write!(
                f,
                "the header implies {expected} bytes but the file has {found}{}",
                if found > expected {
                    " or more (trailing data)"
                } else {
                    " (truncated)"
                }
            ),
            DataError::CountMismatch { images, labels } => write!(
                f,
                "{images} images but {labels} labels: the two files do not belong together"
            ),
            DataError::InFile { name, error } => write!(f, "{name}: {error}"),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataError::Io { source, .. } => Some(source),
            DataError::InFile { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}

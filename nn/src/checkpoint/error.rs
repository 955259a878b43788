//! [`CheckpointError`]: why a checkpoint could not be read or applied.

use super::DType;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a checkpoint could not be read or applied.
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Opening, reading or writing failed.
    Io {
        /// The file involved, if known.
        path: Option<PathBuf>,
        /// The underlying error.
        source: io::Error,
    },
    /// The input does not start with the checkpoint magic bytes.
    NotACheckpoint,
    /// Written by a format version this crate does not read.
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this crate reads.
        supported: u32,
    },
    /// The file is shorter than it says it is.
    Truncated {
        /// Length the file declares.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The file is damaged: a checksum mismatch, trailing bytes, or an inconsistent header.
    Corrupt(String),
    /// The checkpoint was written by a different model.
    ArchitectureMismatch {
        /// The architecture of the model being restored.
        expected: String,
        /// The architecture in the checkpoint.
        found: String,
    },
    /// A parameter has a different shape from the model's.
    ShapeMismatch {
        /// Parameter name.
        name: String,
        /// Shape the model expects.
        expected: Vec<usize>,
        /// Shape in the checkpoint.
        found: Vec<usize>,
    },
    /// A parameter is stored with a different element type from the model's.
    DTypeMismatch {
        /// Parameter name.
        name: String,
        /// The model's element type.
        expected: DType,
        /// The stored element type.
        found: DType,
    },
    /// The model has a parameter the checkpoint lacks.
    MissingParameter {
        /// Parameter name.
        name: String,
    },
    /// The checkpoint has a parameter the model does not.
    UnexpectedParameter {
        /// Parameter name.
        name: String,
    },
    /// The checkpoint holds parameters but no model description (it was written by
    /// [`Params::save`](crate::Params::save) or by format version 1), so the model cannot be
    /// rebuilt from it alone.
    NoModel,
    /// The model description or the preprocessing in the checkpoint is inconsistent (a layer's
    /// widths, an unknown activation, a parameter of the wrong shape for its layer, ...).
    BadModel(String),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io {
                path: Some(p),
                source,
            } => write!(f, "checkpoint I/O error on {}: {source}", p.display()),
            CheckpointError::Io { path: None, source } => {
                write!(f, "checkpoint I/O error: {source}")
            }
            CheckpointError::NotACheckpoint => {
                write!(f, "not a diffprog checkpoint (bad magic bytes)")
            }
            CheckpointError::UnsupportedVersion { found, supported } => write!(
                f,
                "checkpoint format version {found} is not supported (this build reads versions {} to {supported})",
                super::format::OLDEST_READABLE_VERSION
            ),
            CheckpointError::Truncated { expected, found } => write!(
                f,
                "truncated checkpoint: {found} bytes present, {expected} expected"
            ),
            CheckpointError::Corrupt(why) => write!(f, "corrupt checkpoint: {why}"),
            CheckpointError::ArchitectureMismatch { expected, found } => write!(
                f,
                "checkpoint is for architecture {found:?}, but the model is {expected:?}"
            ),
            CheckpointError::ShapeMismatch {
                name,
                expected,
                found,
            } => write!(
                f,
                "parameter {name:?} has shape {found:?} in the checkpoint but {expected:?} in the model"
            ),
            CheckpointError::DTypeMismatch {
                name,
                expected,
                found,
            } => write!(
                f,
                "parameter {name:?} is stored as {} but the model uses {}",
                found.name(),
                expected.name()
            ),
            CheckpointError::MissingParameter { name } => {
                write!(f, "the checkpoint has no parameter {name:?}")
            }
            CheckpointError::UnexpectedParameter { name } => write!(
                f,
                "the checkpoint has a parameter {name:?} that the model does not"
            ),
            CheckpointError::NoModel => write!(
                f,
                "the checkpoint holds parameters only, no model description (written by \
                 Params::save or format version 1): build the model as when it was saved and \
                 load the parameters into it with Params::load"
            ),
            CheckpointError::BadModel(why) => write!(f, "invalid model in checkpoint: {why}"),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub(super) fn io_err(path: &Path, source: io::Error) -> CheckpointError {
    CheckpointError::Io {
        path: Some(path.to_path_buf()),
        source,
    }
}

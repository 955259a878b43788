//! Saving and loading parameters: a versioned, checksummed file of named `f32`/`f64` arrays.
//!
//! A [`Checkpoint`] is an architecture description (a free string that the model writes, e.g.
//! `"mlp 64-32-10 relu"`), some string metadata (epoch, accuracy, ...), and named parameter arrays
//! with their shapes. It knows nothing about tensors: the model hands it slices and gets slices
//! back.
//!
//! Loading never panics and never returns a silently different model:
//! [`Checkpoint::restore`] first checks the architecture string, that every expected parameter is
//! present with the same shape and element type and that no unexpected parameter is left over,
//! and only then copies anything. Every failure is a precise [`CheckpointError`].
//!
//! ```
//! use diffprog_nn::checkpoint::{Checkpoint, CheckpointError, ParamTarget};
//!
//! // Save.
//! let (w, b) = (vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], vec![0.5f32, -0.5]);
//! let mut ck = Checkpoint::new("affine 3->2");
//! ck.push("w", &[2, 3], &w).push("b", &[2], &b);
//! ck.set_metadata("epoch", "12");
//! let bytes = ck.to_bytes(); // or ck.save(path)
//!
//! // Load into a model of the same architecture.
//! let loaded = Checkpoint::from_bytes(&bytes).unwrap();
//! let (mut w2, mut b2) = (vec![0.0f32; 6], vec![0.0f32; 2]);
//! loaded
//!     .restore("affine 3->2", &mut [
//!         ParamTarget::new("w", &[2, 3], &mut w2),
//!         ParamTarget::new("b", &[2], &mut b2),
//!     ])
//!     .unwrap();
//! assert_eq!((w2, b2), (w, b));
//! assert_eq!(loaded.metadata("epoch"), Some("12"));
//!
//! // A different architecture is refused, and nothing is copied.
//! let mut w3 = vec![0.0f32; 6];
//! let err = loaded.restore("affine 3->3", &mut [ParamTarget::new("w", &[2, 3], &mut w3)]);
//! assert!(matches!(err, Err(CheckpointError::ArchitectureMismatch { .. })));
//! assert_eq!(w3, [0.0; 6]);
//! ```
//!
//! # File format (version 1)
//!
//! All integers little-endian.
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `b"DPNNCKPT"` |
//! | 4 | format version (`u32`, currently 1) |
//! | 8 | total file length in bytes (`u64`) |
//! | 4 | CRC-32 of the 20 bytes above |
//! | 8 | length `h` of the JSON header (`u64`) |
//! | h | JSON header: `{"architecture", "metadata", "params": [{"name", "dtype", "shape"}]}` |
//! | … | the parameters' values, in header order, `f32` or `f64` |
//! | 4 | CRC-32 of everything before it |
//!
//! The reader checks, in order: the magic (else [`NotACheckpoint`](CheckpointError::NotACheckpoint)),
//! the prefix checksum, the version, the total length against the bytes really present (before
//! reading or allocating anything more on a file), the whole-file checksum, then the header and
//! that the shapes account for the payload exactly.

use diffprog_dual::Real;
use serde::{Deserialize, Serialize};
use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The first 8 bytes of every checkpoint file.
pub const MAGIC: [u8; 8] = *b"DPNNCKPT";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the JSON header: magic, version, total length, prefix CRC, header length.
const PREFIX_LEN: usize = 8 + 4 + 8 + 4;
const FIXED_LEN: usize = PREFIX_LEN + 8;
/// Smallest possible file: fixed part + trailing CRC.
const MIN_LEN: usize = FIXED_LEN + 4;

/// Element type of a stored array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
        }
    }

    /// `"f32"` or `"f64"`.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }
}

/// The values of a stored array.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    /// `f32` values.
    F32(Vec<f32>),
    /// `f64` values.
    F64(Vec<f64>),
}

impl ArrayData {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            ArrayData::F32(_) => DType::F32,
            ArrayData::F64(_) => DType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
        }
    }

    /// True if there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The element types a checkpoint stores: every [`Real`] (that is, `f32` and `f64`), so code
/// generic over `F: Real` (or the crate's `Element`) can save and load without naming the type.
pub trait CheckpointElement: Real {
    /// The tag written in the file.
    fn dtype() -> DType;
    /// Wraps owned values.
    fn wrap(values: Vec<Self>) -> ArrayData;
    /// The values, if `data` holds this type.
    fn view(data: &ArrayData) -> Option<&[Self]>;
}

impl<F: Real> CheckpointElement for F {
    fn dtype() -> DType {
        if TypeId::of::<F>() == TypeId::of::<f32>() {
            DType::F32
        } else {
            DType::F64
        }
    }

    fn wrap(values: Vec<Self>) -> ArrayData {
        let any: Box<dyn Any> = Box::new(values);
        match any.downcast::<Vec<f32>>() {
            Ok(v) => ArrayData::F32(*v),
            Err(any) => ArrayData::F64(
                *any.downcast::<Vec<f64>>()
                    .expect("Real is implemented only by f32 and f64"),
            ),
        }
    }

    fn view(data: &ArrayData) -> Option<&[Self]> {
        let any: &dyn Any = match data {
            ArrayData::F32(v) => v,
            ArrayData::F64(v) => v,
        };
        any.downcast_ref::<Vec<F>>().map(Vec::as_slice)
    }
}

/// One named parameter array.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedArray {
    /// Unique name within the checkpoint (e.g. `"layer1.weight"`).
    pub name: String,
    /// Dimensions; the product is the number of values (`[]` is a scalar).
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: ArrayData,
}

/// Where [`Checkpoint::restore`] should copy one parameter: its name, the shape the model expects
/// and the model's buffer.
#[derive(Debug)]
pub struct ParamTarget<'a, F> {
    /// Name to look up.
    pub name: &'a str,
    /// Shape the model expects.
    pub shape: &'a [usize],
    /// The model's values, overwritten on success.
    pub data: &'a mut [F],
}

impl<'a, F> ParamTarget<'a, F> {
    /// A target; `data.len()` must equal the product of `shape`.
    ///
    /// # Panics
    /// If `data.len()` does not match `shape`.
    pub fn new(name: &'a str, shape: &'a [usize], data: &'a mut [F]) -> Self {
        assert_eq!(
            data.len(),
            shape.iter().product::<usize>(),
            "ParamTarget {name:?}: buffer length {} does not match shape {shape:?}",
            data.len()
        );
        ParamTarget { name, shape, data }
    }
}

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
                "checkpoint format version {found} is not supported (this build reads version {supported})"
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

fn io_err(path: &Path, source: io::Error) -> CheckpointError {
    CheckpointError::Io {
        path: Some(path.to_path_buf()),
        source,
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    architecture: String,
    metadata: BTreeMap<String, String>,
    params: Vec<ParamHeader>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamHeader {
    name: String,
    dtype: DType,
    shape: Vec<usize>,
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Parameters of a model with its architecture description and metadata; see the
/// [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    architecture: String,
    metadata: BTreeMap<String, String>,
    params: Vec<NamedArray>,
}

impl Checkpoint {
    /// An empty checkpoint for the given architecture description.
    pub fn new(architecture: impl Into<String>) -> Self {
        Checkpoint {
            architecture: architecture.into(),
            metadata: BTreeMap::new(),
            params: Vec::new(),
        }
    }

    /// The architecture description.
    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// Sets a metadata entry (e.g. `"epoch"`, `"test_accuracy"`).
    pub fn set_metadata(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// A metadata entry.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// All metadata.
    pub fn all_metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Adds a parameter (copying `values`).
    ///
    /// # Panics
    /// If the name is already used or `values.len()` does not match `shape`.
    pub fn push<F: CheckpointElement>(
        &mut self,
        name: &str,
        shape: &[usize],
        values: &[F],
    ) -> &mut Self {
        self.push_array(NamedArray {
            name: name.to_string(),
            shape: shape.to_vec(),
            data: F::wrap(values.to_vec()),
        })
    }

    /// Adds a parameter array.
    ///
    /// # Panics
    /// If the name is already used or the data length does not match the shape.
    pub fn push_array(&mut self, array: NamedArray) -> &mut Self {
        assert!(
            self.find(&array.name).is_none(),
            "Checkpoint::push: parameter {:?} is already present; names must be unique",
            array.name
        );
        assert_eq!(
            Some(array.data.len()),
            array
                .shape
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d)),
            "Checkpoint::push: parameter {:?} has {} values but shape {:?}",
            array.name,
            array.data.len(),
            array.shape
        );
        self.params.push(array);
        self
    }

    /// Adds a parameter, taking ownership of `values` (no copy).
    ///
    /// # Panics
    /// As [`push`](Self::push).
    pub fn push_vec<F: CheckpointElement>(
        &mut self,
        name: impl Into<String>,
        shape: Vec<usize>,
        values: Vec<F>,
    ) -> &mut Self {
        self.push_array(NamedArray {
            name: name.into(),
            shape,
            data: F::wrap(values),
        })
    }

    /// A checkpoint from `(name, shape, values)` triples, e.g. what a parameter store lists.
    ///
    /// # Panics
    /// If a name repeats or a length does not match its shape.
    pub fn from_named_arrays<F: CheckpointElement>(
        architecture: impl Into<String>,
        arrays: impl IntoIterator<Item = (String, Vec<usize>, Vec<F>)>,
    ) -> Self {
        let mut ck = Checkpoint::new(architecture);
        for (name, shape, values) in arrays {
            ck.push_vec(name, shape, values);
        }
        ck
    }

    /// The parameters as `(name, shape, values)` triples, after checking the architecture and
    /// that every array has element type `F`. (Which names and shapes the model needs is for the
    /// model to check; [`restore`](Self::restore) does both.)
    ///
    /// ```
    /// use diffprog_nn::checkpoint::Checkpoint;
    ///
    /// let arrays = vec![("w".to_string(), vec![2], vec![1.0f64, 2.0])];
    /// let bytes = Checkpoint::from_named_arrays("net", arrays.clone()).to_bytes();
    /// let back = Checkpoint::from_bytes(&bytes).unwrap();
    /// assert_eq!(back.named_arrays_for::<f64>("net").unwrap(), arrays);
    /// assert!(back.named_arrays_for::<f32>("net").is_err()); // stored as f64
    /// assert!(back.named_arrays_for::<f64>("other").is_err());
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn named_arrays_for<F: CheckpointElement>(
        &self,
        architecture: &str,
    ) -> Result<Vec<(String, Vec<usize>, Vec<F>)>, CheckpointError> {
        self.check_architecture(architecture)?;
        self.params
            .iter()
            .map(|p| {
                let v = F::view(&p.data).ok_or_else(|| CheckpointError::DTypeMismatch {
                    name: p.name.clone(),
                    expected: F::dtype(),
                    found: p.data.dtype(),
                })?;
                Ok((p.name.clone(), p.shape.clone(), v.to_vec()))
            })
            .collect()
    }

    /// The parameters, in the order they were added.
    pub fn params(&self) -> &[NamedArray] {
        &self.params
    }

    fn find(&self, name: &str) -> Option<&NamedArray> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The values of parameter `name`, checking its shape and element type.
    pub fn get<F: CheckpointElement>(
        &self,
        name: &str,
        shape: &[usize],
    ) -> Result<&[F], CheckpointError> {
        let p = self
            .find(name)
            .ok_or_else(|| CheckpointError::MissingParameter {
                name: name.to_string(),
            })?;
        if p.shape != shape {
            return Err(CheckpointError::ShapeMismatch {
                name: name.to_string(),
                expected: shape.to_vec(),
                found: p.shape.clone(),
            });
        }
        F::view(&p.data).ok_or_else(|| CheckpointError::DTypeMismatch {
            name: name.to_string(),
            expected: F::dtype(),
            found: p.data.dtype(),
        })
    }

    /// Checks that this checkpoint is for `architecture`.
    pub fn check_architecture(&self, architecture: &str) -> Result<(), CheckpointError> {
        if self.architecture == architecture {
            Ok(())
        } else {
            Err(CheckpointError::ArchitectureMismatch {
                expected: architecture.to_string(),
                found: self.architecture.clone(),
            })
        }
    }

    /// Copies the stored parameters into the model's buffers — all or nothing.
    ///
    /// Checks, before copying anything: the architecture string, that every target exists with
    /// the same shape and element type, and that the checkpoint holds no parameter outside
    /// `targets`.
    pub fn restore<F: CheckpointElement>(
        &self,
        architecture: &str,
        targets: &mut [ParamTarget<'_, F>],
    ) -> Result<(), CheckpointError> {
        self.check_architecture(architecture)?;
        for t in targets.iter() {
            self.get::<F>(t.name, t.shape)?;
        }
        if let Some(extra) = self
            .params
            .iter()
            .find(|p| !targets.iter().any(|t| t.name == p.name))
        {
            return Err(CheckpointError::UnexpectedParameter {
                name: extra.name.clone(),
            });
        }
        for t in targets.iter_mut() {
            let src = self.get::<F>(t.name, t.shape)?;
            t.data.copy_from_slice(src);
        }
        Ok(())
    }

    /// The checkpoint in the file format (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            architecture: self.architecture.clone(),
            metadata: self.metadata.clone(),
            params: self
                .params
                .iter()
                .map(|p| ParamHeader {
                    name: p.name.clone(),
                    dtype: p.data.dtype(),
                    shape: p.shape.clone(),
                })
                .collect(),
        };
        let json = serde_json::to_vec(&header).expect("a checkpoint header always serialises");
        let payload: usize = self
            .params
            .iter()
            .map(|p| p.data.len() * p.data.dtype().size())
            .sum();
        let total = FIXED_LEN + json.len() + payload + 4;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(total as u64).to_le_bytes());
        let prefix_crc = crc32(&out);
        out.extend_from_slice(&prefix_crc.to_le_bytes());
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        for p in &self.params {
            match &p.data {
                ArrayData::F32(v) => v
                    .iter()
                    .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
                ArrayData::F64(v) => v
                    .iter()
                    .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            }
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        debug_assert_eq!(out.len(), total);
        out
    }

    /// Writes the checkpoint to `writer`.
    pub fn write_to(&self, mut writer: impl Write) -> Result<(), CheckpointError> {
        writer
            .write_all(&self.to_bytes())
            .and_then(|_| writer.flush())
            .map_err(|source| CheckpointError::Io { path: None, source })
    }

    /// Saves to `path`, via a temporary file in the same directory renamed into place, so an
    /// interrupted save never leaves a half-written checkpoint under `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let result = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&self.to_bytes())?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| io_err(path, e))
    }

    /// Loads a checkpoint file. The file's declared length is compared with its real length
    /// before its contents are read.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        let actual = file.metadata().map_err(|e| io_err(path, e))?.len();
        Self::read_limited(file, Some(actual)).map_err(|e| match e {
            CheckpointError::Io { path: None, source } => io_err(path, source),
            e => e,
        })
    }

    /// Reads a checkpoint from `reader` (consuming at most the declared length plus one byte).
    pub fn read_from(reader: impl Read) -> Result<Self, CheckpointError> {
        Self::read_limited(reader, None)
    }

    fn read_limited(reader: impl Read, known_len: Option<u64>) -> Result<Self, CheckpointError> {
        let io = |source| CheckpointError::Io { path: None, source };
        let mut prefix = Vec::with_capacity(PREFIX_LEN);
        let mut reader = reader;
        (&mut reader)
            .take(PREFIX_LEN as u64)
            .read_to_end(&mut prefix)
            .map_err(io)?;
        let total = check_prefix(&prefix)?;
        if let Some(actual) = known_len {
            check_total(total, actual)?;
        }
        // The buffer grows with the bytes actually read, never to the declared size up front.
        let mut bytes = prefix;
        reader
            .take((total - PREFIX_LEN as u64).saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        Self::from_bytes(&bytes)
    }

    /// Parses a checkpoint from its bytes; see the [module docs](self) for the checks.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let total = check_prefix(bytes)?;
        check_total(total, bytes.len() as u64)?;
        let n = bytes.len();
        if n < MIN_LEN {
            return Err(CheckpointError::Truncated {
                expected: MIN_LEN as u64,
                found: n as u64,
            });
        }
        let stored = u32::from_le_bytes(bytes[n - 4..].try_into().expect("4 bytes"));
        if crc32(&bytes[..n - 4]) != stored {
            return Err(CheckpointError::Corrupt(
                "checksum mismatch (the file was modified or damaged)".to_string(),
            ));
        }
        let body = &bytes[FIXED_LEN..n - 4];
        let header_len = u64::from_le_bytes(bytes[PREFIX_LEN..FIXED_LEN].try_into().expect("8"));
        if header_len > body.len() as u64 {
            return Err(CheckpointError::Corrupt(format!(
                "header length {header_len} exceeds the {} bytes available",
                body.len()
            )));
        }
        let (json, mut payload) = body.split_at(header_len as usize);
        let header: Header = serde_json::from_slice(json)
            .map_err(|e| CheckpointError::Corrupt(format!("unreadable header: {e}")))?;
        // Check that the shapes account for the payload exactly before allocating any array.
        let mut needed: u64 = 0;
        for p in &header.params {
            let count = p
                .shape
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d as u64))
                .and_then(|c| c.checked_mul(p.dtype.size() as u64));
            needed = count.and_then(|c| needed.checked_add(c)).ok_or_else(|| {
                CheckpointError::Corrupt(format!(
                    "shape {:?} of parameter {:?} overflows",
                    p.shape, p.name
                ))
            })?;
        }
        if needed != payload.len() as u64 {
            return Err(CheckpointError::Corrupt(format!(
                "the header describes {needed} bytes of values but {} are present",
                payload.len()
            )));
        }
        let mut ck = Checkpoint::new(header.architecture);
        ck.metadata = header.metadata;
        for p in header.params {
            if ck.find(&p.name).is_some() {
                return Err(CheckpointError::Corrupt(format!(
                    "parameter {:?} appears twice",
                    p.name
                )));
            }
            let count: usize = p.shape.iter().product();
            let (chunk, rest) = payload.split_at(count * p.dtype.size());
            payload = rest;
            let data = match p.dtype {
                DType::F32 => ArrayData::F32(
                    chunk
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                        .collect(),
                ),
                DType::F64 => ArrayData::F64(
                    chunk
                        .chunks_exact(8)
                        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                ),
            };
            ck.params.push(NamedArray {
                name: p.name,
                shape: p.shape,
                data,
            });
        }
        Ok(ck)
    }
}

/// Checks magic, prefix checksum and version; returns the declared total length.
fn check_prefix(bytes: &[u8]) -> Result<u64, CheckpointError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::NotACheckpoint);
    }
    if bytes.len() < PREFIX_LEN {
        return Err(CheckpointError::Truncated {
            expected: MIN_LEN as u64,
            found: bytes.len() as u64,
        });
    }
    let stored = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    if crc32(&bytes[..20]) != stored {
        return Err(CheckpointError::Corrupt(
            "the fixed header's checksum does not match".to_string(),
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(CheckpointError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let total = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    if total < MIN_LEN as u64 {
        return Err(CheckpointError::Corrupt(format!(
            "declared length {total} is below the minimum {MIN_LEN}"
        )));
    }
    Ok(total)
}

fn check_total(total: u64, actual: u64) -> Result<(), CheckpointError> {
    if actual < total {
        Err(CheckpointError::Truncated {
            expected: total,
            found: actual,
        })
    } else if actual > total {
        Err(CheckpointError::Corrupt(format!(
            "{} bytes of trailing data after the declared end ({total} bytes)",
            actual - total
        )))
    } else {
        Ok(())
    }
}

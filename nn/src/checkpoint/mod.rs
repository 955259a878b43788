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

mod error;
mod format;

pub use error::CheckpointError;
pub use format::{FORMAT_VERSION, MAGIC};

use diffprog_dual::Real;
use serde::{Deserialize, Serialize};
use std::any::{Any, TypeId};
use std::collections::BTreeMap;

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
}

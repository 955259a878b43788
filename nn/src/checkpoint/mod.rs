//! Saving and loading models: a versioned, checksummed file of named `f32`/`f64` arrays.
//!
//! A [`Checkpoint`] is an architecture description (a free string that the model writes, e.g.
//! `"mlp 64-32-10 relu"`), some string metadata (epoch, accuracy, ...), named parameter arrays
//! with their shapes, named *buffers* (arrays that are not trained: the data preprocessing, see
//! [`set_standardizer`](Checkpoint::set_standardizer)) and, optionally, a structured model
//! description ([`LayerSpec`]s) from which
//! [`Sequential::load`](crate::layers::Sequential::load) rebuilds the network with no random
//! generator. It knows nothing about tensors: the model hands it slices and gets slices back.
//!
//! The whole model with its preprocessing, in two calls:
//!
//! ```
//! use diffprog_nn::data::{Dataset, Standardizer};
//! use diffprog_nn::layers::{seeded_rng, Init, Sequential};
//! use diffprog_nn::{Graph, Unary};
//!
//! let train = Dataset::new(vec![1.0f32, 10.0, 3.0, 30.0], vec![0, 1], 2);
//! let scaler = Standardizer::fit(&train);
//! let mut g = Graph::<f32>::new();
//! let model = Sequential::mlp(g.params_mut(), &[2, 4, 2], Unary::Relu, Init::KaimingUniform, &mut seeded_rng(0));
//! let path = std::env::temp_dir().join(format!("doc-ckpt-{}.ckpt", std::process::id()));
//! model.save(&path, g.params(), Some(&scaler)).unwrap();
//!
//! let mut loaded = Sequential::<f32>::load(&path).unwrap(); // no RNG, no rebuilding by hand
//! assert_eq!(loaded.model, model);
//! assert_eq!(loaded.standardizer.as_ref(), Some(&scaler));
//! // predict on raw features: the standardizer is applied first
//! let raw = [2.0f32, 20.0];
//! let mut x = raw;
//! scaler.apply_rows(&mut x);
//! assert_eq!(loaded.predict(&raw).data(), model.predict(&mut g, &x).data());
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! The lower level, for any model:
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
//! # File format (version 2)
//!
//! All integers little-endian.
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `b"DPNNCKPT"` |
//! | 4 | format version (`u32`, currently 2; version 1 is still read) |
//! | 8 | total file length in bytes (`u64`) |
//! | 4 | CRC-32 of the 20 bytes above |
//! | 8 | length `h` of the JSON header (`u64`) |
//! | h | JSON header: `{"architecture", "metadata", "params": [{"name", "dtype", "shape"}], "buffers": [same], "model": [LayerSpec] or null}` |
//! | … | the parameters' values, then the buffers', in header order, `f32` or `f64` |
//! | 4 | CRC-32 of everything before it |
//!
//! The reader checks, in order: the magic (else [`NotACheckpoint`](CheckpointError::NotACheckpoint)),
//! the prefix checksum, the version, the total length against the bytes really present (before
//! reading or allocating anything more on a file), the whole-file checksum, then the header and
//! that the shapes account for the payload exactly. Nothing is allocated from a length the file
//! merely claims. A version 1 file (header without `buffers` and `model`) loads with no buffers
//! and no model description; [`Sequential::load`](crate::layers::Sequential::load) refuses it
//! with [`CheckpointError::NoModel`], and [`Params::load`](crate::Params::load) still reads it
//! into a model built as when it was saved.
//!
//! The model description is checked when a network is rebuilt from it
//! ([`Sequential::from_checkpoint`](crate::layers::Sequential::from_checkpoint)): every layer's
//! parameters present with the layer's shape, consecutive widths agreeing, activations known,
//! hyperparameters in range, the preprocessing as wide as the input; any failure is a
//! [`CheckpointError`] ([`BadModel`](CheckpointError::BadModel) for an inconsistent
//! description). Floating-point hyperparameters (a leaky ReLU's slope, a dropout probability)
//! are written as decimal strings that read back bit for bit.

mod error;
mod format;

pub use error::CheckpointError;
pub use format::{FORMAT_VERSION, MAGIC, OLDEST_READABLE_VERSION};

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

fn checked_array(name: String, shape: Vec<usize>, data: ArrayData) -> NamedArray {
    assert_eq!(
        Some(data.len()),
        shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)),
        "Checkpoint: array {name:?} has {} values but shape {shape:?}",
        data.len(),
    );
    NamedArray { name, shape, data }
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

/// One layer of a model description stored in a checkpoint (the serialised form of a
/// [`Layer`](crate::layers::Layer); see
/// [`Sequential::to_checkpoint`](crate::layers::Sequential::to_checkpoint)). Parameters are named,
/// not stored here; floating-point hyperparameters are decimal strings (exact round trip).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "layer", rename_all = "snake_case", deny_unknown_fields)]
pub enum LayerSpec {
    /// A dense layer: the names of its weight `[in_dim, out_dim]` and bias `[out_dim]`.
    Linear {
        /// Name of the weight parameter.
        weight: String,
        /// Name of the bias parameter, if any.
        bias: Option<String>,
        /// Input width.
        in_dim: usize,
        /// Output width.
        out_dim: usize,
    },
    /// An elementwise activation by name (`"relu"`, `"tanh"`, `"leaky_relu"`, ...).
    Activation {
        /// The function's name.
        function: String,
        /// The leaky ReLU's slope, as a decimal string.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slope: Option<String>,
    },
    /// softmax along the last axis.
    Softmax,
    /// log-softmax along the last axis.
    LogSoftmax,
    /// Dropout with this drop probability (a decimal string).
    Dropout {
        /// The drop probability.
        p: String,
    },
    /// A convolution: `kind` is `"conv1d"`, `"conv2d"` or `"conv_transpose2d"`; the names of
    /// its weight and bias, channels, kernel (one entry for `conv1d`) and geometry.
    Conv {
        /// `"conv1d"`, `"conv2d"` or `"conv_transpose2d"`.
        kind: String,
        /// Name of the weight parameter.
        weight: String,
        /// Name of the bias parameter, if any.
        bias: Option<String>,
        /// Input channels.
        in_channels: usize,
        /// Output channels.
        out_channels: usize,
        /// Kernel size.
        kernel: Vec<usize>,
        /// Stride `[h, w]`.
        stride: [usize; 2],
        /// Padding `[h, w]`.
        padding: [usize; 2],
        /// Dilation `[h, w]`.
        dilation: [usize; 2],
        /// Groups.
        groups: usize,
        /// Output padding `[h, w]` (transposed convolutions).
        output_padding: [usize; 2],
    },
    /// 2-d pooling: `kind` is `"max"` or `"avg"`.
    Pool2d {
        /// `"max"` or `"avg"`.
        kind: String,
        /// Kernel `[h, w]`.
        kernel: [usize; 2],
        /// Stride `[h, w]`.
        stride: [usize; 2],
        /// Padding `[h, w]`.
        padding: [usize; 2],
    },
    /// Adaptive 2-d average pooling to this output size.
    AdaptiveAvgPool2d {
        /// Output size `[h, w]`.
        out: [usize; 2],
    },
    /// Batch normalisation (`dims` 1 or 2): the names of γ, β and the running-statistics
    /// buffers; momentum and eps as decimal strings.
    BatchNorm {
        /// 1 (`BatchNorm1d`) or 2 (`BatchNorm2d`).
        dims: usize,
        /// Name of γ, if affine.
        weight: Option<String>,
        /// Name of β, if affine.
        bias: Option<String>,
        /// Name of the running-mean buffer.
        running_mean: String,
        /// Name of the running-variance buffer.
        running_var: String,
        /// Channels.
        num_features: usize,
        /// The running statistics' update rate.
        momentum: String,
        /// Added to the variance.
        eps: String,
    },
    /// Layer normalisation over the trailing axes `normalized_shape`.
    LayerNorm {
        /// Name of the scale, if affine.
        weight: Option<String>,
        /// Name of the shift, if affine.
        bias: Option<String>,
        /// The normalised trailing axes.
        normalized_shape: Vec<usize>,
        /// Added to the variance.
        eps: String,
    },
    /// `[n, ..]` → `[n, d]`.
    Flatten,
    /// `[n, d]` → `[n] ++ shape`.
    Unflatten {
        /// The per-sample shape.
        shape: Vec<usize>,
    },
    /// An embedding table `[num_embeddings, embedding_dim]`.
    Embedding {
        /// Name of the table.
        weight: String,
        /// Rows (the vocabulary size).
        num_embeddings: usize,
        /// Width of an embedding.
        embedding_dim: usize,
        /// The padding row, if any.
        padding_idx: Option<usize>,
    },
    /// A recurrent network: `kind` is `"rnn_tanh"`, `"rnn_relu"`, `"lstm"` or `"gru"`; the
    /// names of each layer's and direction's `weight_ih`, `weight_hh` and (with biases)
    /// `bias_ih`, `bias_hh`, layer-major; `output` is `"all_steps"` or `"final_state"`.
    Recurrent {
        /// `"rnn_tanh"`, `"rnn_relu"`, `"lstm"` or `"gru"`.
        kind: String,
        /// Input features.
        input_size: usize,
        /// Hidden units.
        hidden_size: usize,
        /// Layers.
        num_layers: usize,
        /// Two directions per layer.
        bidirectional: bool,
        /// `[B, T, ·]` instead of `[T, B, ·]`.
        batch_first: bool,
        /// Dropout between layers (a decimal string).
        dropout: String,
        /// `"all_steps"` or `"final_state"`.
        output: String,
        /// Parameter names per layer and direction.
        weights: Vec<Vec<String>>,
    },
}

/// Buffer names of the [`Standardizer`](crate::data::Standardizer) stored by
/// [`Checkpoint::set_standardizer`].
pub const STANDARDIZER_MEAN: &str = "standardizer.mean";
/// See [`STANDARDIZER_MEAN`].
pub const STANDARDIZER_STD: &str = "standardizer.std";

/// Parameters of a model with its architecture description, metadata, buffers and (optionally)
/// a structured model description; see the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    architecture: String,
    metadata: BTreeMap<String, String>,
    params: Vec<NamedArray>,
    buffers: Vec<NamedArray>,
    model: Option<Vec<LayerSpec>>,
}

impl Checkpoint {
    /// An empty checkpoint for the given architecture description.
    pub fn new(architecture: impl Into<String>) -> Self {
        Checkpoint {
            architecture: architecture.into(),
            metadata: BTreeMap::new(),
            params: Vec::new(),
            buffers: Vec::new(),
            model: None,
        }
    }

    /// The structured model description, if one was stored.
    pub fn model(&self) -> Option<&[LayerSpec]> {
        self.model.as_deref()
    }

    /// Stores (or replaces) the structured model description.
    pub fn set_model(&mut self, layers: Vec<LayerSpec>) -> &mut Self {
        self.model = Some(layers);
        self
    }

    /// The buffers (non-trained arrays such as the preprocessing), in the order they were added.
    pub fn buffers(&self) -> &[NamedArray] {
        &self.buffers
    }

    /// Adds or replaces a buffer (copying `values`).
    ///
    /// # Panics
    /// If `values.len()` does not match `shape`.
    pub fn set_buffer<F: CheckpointElement>(
        &mut self,
        name: &str,
        shape: &[usize],
        values: &[F],
    ) -> &mut Self {
        let array = checked_array(name.to_string(), shape.to_vec(), F::wrap(values.to_vec()));
        match self.buffers.iter_mut().find(|b| b.name == name) {
            Some(b) => *b = array,
            None => self.buffers.push(array),
        }
        self
    }

    /// The shape and values of buffer `name`, if present, checking its element type.
    #[allow(clippy::type_complexity)]
    pub fn buffer<F: CheckpointElement>(
        &self,
        name: &str,
    ) -> Result<Option<(&[usize], &[F])>, CheckpointError> {
        let Some(b) = self.buffers.iter().find(|b| b.name == name) else {
            return Ok(None);
        };
        let v = F::view(&b.data).ok_or_else(|| CheckpointError::DTypeMismatch {
            name: name.to_string(),
            expected: F::dtype(),
            found: b.data.dtype(),
        })?;
        Ok(Some((&b.shape, v)))
    }

    /// Stores the data preprocessing (its per-feature means and standard deviations, as the
    /// buffers [`STANDARDIZER_MEAN`] and [`STANDARDIZER_STD`]), replacing any stored before.
    ///
    /// ```
    /// use diffprog_nn::checkpoint::Checkpoint;
    /// use diffprog_nn::data::{Dataset, Standardizer};
    ///
    /// let s = Standardizer::fit(&Dataset::new(vec![1.0f64, 4.0, 3.0, 8.0], vec![0, 1], 2));
    /// let mut ck = Checkpoint::new("net");
    /// ck.set_standardizer(&s);
    /// let back = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
    /// assert_eq!(back.standardizer::<f64>().unwrap(), Some(s));
    /// assert!(back.standardizer::<f32>().is_err()); // stored as f64
    /// assert_eq!(Checkpoint::new("net").standardizer::<f64>().unwrap(), None);
    /// ```
    pub fn set_standardizer<F: CheckpointElement>(
        &mut self,
        standardizer: &crate::data::Standardizer<F>,
    ) -> &mut Self {
        let d = [standardizer.n_features()];
        self.set_buffer(STANDARDIZER_MEAN, &d, standardizer.mean())
            .set_buffer(STANDARDIZER_STD, &d, standardizer.std())
    }

    /// The stored preprocessing, `None` if there is none. An error if only one of its two
    /// buffers is present, they are not vectors of the same length, they hold another element
    /// type, or a standard deviation is negative.
    pub fn standardizer<F: CheckpointElement>(
        &self,
    ) -> Result<Option<crate::data::Standardizer<F>>, CheckpointError> {
        let mean = self.buffer::<F>(STANDARDIZER_MEAN)?;
        let std = self.buffer::<F>(STANDARDIZER_STD)?;
        let bad = |why: String| CheckpointError::BadModel(format!("preprocessing: {why}"));
        match (mean, std) {
            (None, None) => Ok(None),
            (Some((ms, m)), Some((ss, s))) => {
                if ms.len() != 1 || ss.len() != 1 {
                    return Err(bad(format!(
                        "mean and std must be vectors, found shapes {ms:?} and {ss:?}"
                    )));
                }
                crate::data::Standardizer::from_parts(m.to_vec(), s.to_vec())
                    .map(Some)
                    .map_err(|e| bad(e.to_string()))
            }
            _ => Err(bad(format!(
                "{STANDARDIZER_MEAN:?} and {STANDARDIZER_STD:?} must be stored together"
            ))),
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
        let array = checked_array(array.name, array.shape, array.data);
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

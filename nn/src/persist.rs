//! Saving and loading models through [`checkpoint`](crate::checkpoint): the glue between a
//! [`Params`] store (named arrays) and a versioned checkpoint file, and between a [`Sequential`]
//! network (with its preprocessing) and a checkpoint that rebuilds it: [`TrainedModel`].

use crate::checkpoint::{
    Checkpoint, CheckpointElement, CheckpointError, DType, LayerSpec, ParamTarget,
};
use crate::data::Standardizer;
use crate::layers::{
    BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Layer, LayerNorm, Linear, Pool2d, Sequential,
};
use crate::{ConvOptions, Element, Graph, ParamId, Params, Tensor, Unary, MAX_DIMS};
use std::collections::BTreeMap;
use std::path::Path;

impl<F: Element + CheckpointElement> Params<F> {
    /// A checkpoint holding every parameter under its name, tagged with `architecture`.
    pub fn to_checkpoint(&self, architecture: &str) -> Checkpoint {
        Checkpoint::from_named_arrays(architecture, self.named_arrays())
    }
    /// Loads the parameters from a checkpoint: the architecture string, every name, shape and
    /// element type must match, and nothing is changed on error.
    pub fn restore_checkpoint(
        &mut self,
        ck: &Checkpoint,
        architecture: &str,
    ) -> Result<(), CheckpointError> {
        let mut targets: Vec<ParamTarget<'_, F>> = self
            .names
            .iter()
            .zip(&self.shapes)
            .zip(self.values.iter_mut())
            .map(|((n, s), v)| ParamTarget::new(n, s.dims(), v))
            .collect();
        ck.restore(architecture, &mut targets)
    }
    /// Writes the parameters to a checkpoint file.
    pub fn save(&self, path: impl AsRef<Path>, architecture: &str) -> Result<(), CheckpointError> {
        self.to_checkpoint(architecture).save(path)
    }
    /// Reads the parameters from a checkpoint file written by [`save`](Self::save) for the same
    /// architecture. A missing, truncated or corrupt file, another architecture, or any name,
    /// shape or element-type difference is an error, and the parameters are then unchanged.
    pub fn load(
        &mut self,
        path: impl AsRef<Path>,
        architecture: &str,
    ) -> Result<(), CheckpointError> {
        let ck = Checkpoint::load(path)?;
        self.restore_checkpoint(&ck, architecture)
    }
}

impl<F: Element> Sequential<F> {
    /// A description of the layer structure, e.g. `"linear(64→64) relu linear(64→10)"`, to tag
    /// checkpoints so that a file is only loaded into the same architecture.
    pub fn architecture(&self) -> String {
        let parts: Vec<String> = self
            .layers
            .iter()
            .map(|l| match l {
                Layer::Linear(lin) => format!(
                    "linear({}→{}{})",
                    lin.in_dim,
                    lin.out_dim,
                    if lin.bias.is_some() { "" } else { ", no bias" }
                ),
                Layer::Activation(a) => match a {
                    Unary::LeakyRelu(s) => format!("leaky_relu({s})"),
                    Unary::Powf(p) => format!("powf({p})"),
                    other => format!("{other:?}").to_lowercase(),
                },
                Layer::Softmax => "softmax".into(),
                Layer::LogSoftmax => "log_softmax".into(),
                Layer::Dropout(p) => format!("dropout({p})"),
                Layer::Conv1d(c) => conv_arch(
                    "conv1d",
                    c.in_channels,
                    c.out_channels,
                    &[c.kernel],
                    c.bias.is_some(),
                    &c.options,
                ),
                Layer::Conv2d(c) => conv_arch(
                    "conv2d",
                    c.in_channels,
                    c.out_channels,
                    &c.kernel,
                    c.bias.is_some(),
                    &c.options,
                ),
                Layer::ConvTranspose2d(c) => conv_arch(
                    "conv_transpose2d",
                    c.in_channels,
                    c.out_channels,
                    &c.kernel,
                    c.bias.is_some(),
                    &c.options,
                ),
                Layer::MaxPool2d(p) => format!(
                    "max_pool2d({:?}, stride {:?}, padding {:?})",
                    p.kernel, p.stride, p.padding
                ),
                Layer::AvgPool2d(p) => format!(
                    "avg_pool2d({:?}, stride {:?}, padding {:?})",
                    p.kernel, p.stride, p.padding
                ),
                Layer::AdaptiveAvgPool2d(o) => format!("adaptive_avg_pool2d({o:?})"),
                Layer::BatchNorm1d(b) | Layer::BatchNorm2d(b) => format!(
                    "batch_norm{}d({}, momentum {}, eps {}{})",
                    if matches!(l, Layer::BatchNorm1d(_)) {
                        1
                    } else {
                        2
                    },
                    b.num_features,
                    b.momentum,
                    b.eps,
                    if b.weight.is_some() {
                        ""
                    } else {
                        ", no affine"
                    }
                ),
                Layer::LayerNorm(n) => format!(
                    "layer_norm({:?}, eps {}{})",
                    n.normalized_shape,
                    n.eps,
                    if n.weight.is_some() {
                        ""
                    } else {
                        ", no affine"
                    }
                ),
                Layer::Flatten => "flatten".into(),
                Layer::Unflatten(s) => format!("unflatten({s:?})"),
                Layer::Embedding(e) => crate::persist_recurrent::embedding_architecture(e),
                Layer::Recurrent(r) => crate::persist_recurrent::recurrent_architecture(r),
            })
            .collect();
        parts.join(" ")
    }
}

/// A trained network ready to predict: the [`Sequential`] model, the [`Graph`] that owns its
/// parameters, the data preprocessing and the checkpoint's metadata. What
/// [`Sequential::load`] returns; [`save`](Self::save) writes it back.
///
/// Its `predict*` methods take *raw* features and apply the [`Standardizer`] (if any) first.
pub struct TrainedModel<F: Element = f32> {
    /// The network.
    pub model: Sequential<F>,
    /// The graph owning the network's parameters.
    pub graph: Graph<F>,
    /// The preprocessing applied to raw features before the network, if any.
    pub standardizer: Option<Standardizer<F>>,
    /// The checkpoint's metadata (epoch, accuracy, ... as the saver wrote them).
    pub metadata: BTreeMap<String, String>,
}

impl<F: Element> std::fmt::Debug for TrainedModel<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainedModel")
            .field("model", &self.model)
            .field("parameters", &self.graph.params().numel())
            .field("standardizer", &self.standardizer)
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl<F: Element> TrainedModel<F> {
    /// Bundles a network, the graph owning its parameters and its preprocessing (no metadata).
    pub fn new(
        model: Sequential<F>,
        graph: Graph<F>,
        standardizer: Option<Standardizer<F>>,
    ) -> Self {
        TrainedModel {
            model,
            graph,
            standardizer,
            metadata: BTreeMap::new(),
        }
    }

    /// Rebuilds the network, its parameters and preprocessing from a checkpoint written by
    /// [`Sequential::save`] / [`Sequential::to_checkpoint`], with no random generator. See
    /// [`Sequential::from_checkpoint`] for the checks.
    pub fn from_checkpoint(ck: &Checkpoint) -> Result<Self, CheckpointError> {
        let (model, params) = Sequential::from_checkpoint(ck)?;
        let standardizer = ck.standardizer::<F>()?;
        if let (Some(s), Some(d)) = (&standardizer, model.in_dim())
            && s.n_features() != d
        {
            return Err(CheckpointError::BadModel(format!(
                "the preprocessing has {} features but the network takes {d} inputs",
                s.n_features()
            )));
        }
        Ok(TrainedModel {
            model,
            graph: Graph::with_params(params),
            standardizer,
            metadata: ck.all_metadata().clone(),
        })
    }

    /// Reads a checkpoint file and rebuilds the model ([`from_checkpoint`](Self::from_checkpoint)).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        Self::from_checkpoint(&Checkpoint::load(path)?)
    }

    /// The checkpoint of the network, its parameters, preprocessing and metadata.
    pub fn to_checkpoint(&self) -> Checkpoint {
        let mut ck = self.model.to_checkpoint(self.graph.params());
        if let Some(s) = &self.standardizer {
            ck.set_standardizer(s);
        }
        for (k, v) in &self.metadata {
            ck.set_metadata(k.clone(), v.clone());
        }
        ck
    }

    /// Writes [`to_checkpoint`](Self::to_checkpoint) to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        self.to_checkpoint().save(path)
    }

    fn prepared<'a>(&self, raw: &'a [F]) -> std::borrow::Cow<'a, [F]> {
        match &self.standardizer {
            Some(s) => {
                let mut x = raw.to_vec();
                s.apply_rows(&mut x);
                std::borrow::Cow::Owned(x)
            }
            None => std::borrow::Cow::Borrowed(raw),
        }
    }

    /// [`Sequential::predict`] on raw row-major features, standardised first.
    pub fn predict(&mut self, raw: &[F]) -> Tensor<F> {
        let x = self.prepared(raw);
        self.model.predict(&mut self.graph, &x)
    }

    /// [`Sequential::predict_proba`] on raw row-major features, standardised first.
    pub fn predict_proba(&mut self, raw: &[F]) -> Tensor<F> {
        let x = self.prepared(raw);
        self.model.predict_proba(&mut self.graph, &x)
    }

    /// [`Sequential::predict_classes`] on raw row-major features, standardised first.
    pub fn predict_classes(&mut self, raw: &[F]) -> Vec<usize> {
        let x = self.prepared(raw);
        self.model.predict_classes(&mut self.graph, &x)
    }
}

fn conv_arch(
    kind: &str,
    c_in: usize,
    c_out: usize,
    kernel: &[usize],
    bias: bool,
    o: &ConvOptions,
) -> String {
    format!(
        "{kind}({c_in}→{c_out}, kernel {kernel:?}, stride {:?}, padding {:?}, dilation {:?}, \
         groups {}, output padding {:?}{})",
        o.stride,
        o.padding,
        o.dilation,
        o.groups,
        o.output_padding,
        if bias { "" } else { ", no bias" }
    )
}

fn conv_spec<F: Element>(
    params: &Params<F>,
    kind: &str,
    (weight, bias): (ParamId, Option<ParamId>),
    (in_channels, out_channels): (usize, usize),
    kernel: &[usize],
    o: &ConvOptions,
) -> LayerSpec {
    LayerSpec::Conv {
        kind: kind.into(),
        weight: params.name(weight).to_string(),
        bias: bias.map(|b| params.name(b).to_string()),
        in_channels,
        out_channels,
        kernel: kernel.to_vec(),
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
        groups: o.groups,
        output_padding: o.output_padding,
    }
}

fn activation_name<F: Element>(a: Unary<F>) -> (&'static str, Option<F>) {
    match a {
        Unary::Identity => ("identity", None),
        Unary::Relu => ("relu", None),
        Unary::LeakyRelu(s) => ("leaky_relu", Some(s)),
        Unary::Sigmoid => ("sigmoid", None),
        Unary::Tanh => ("tanh", None),
        Unary::Softplus => ("softplus", None),
        Unary::Gelu => ("gelu", None),
        Unary::Exp => ("exp", None),
        Unary::Ln => ("ln", None),
        Unary::Neg => ("neg", None),
        Unary::Square => ("square", None),
        Unary::Sqrt => ("sqrt", None),
        Unary::Abs => ("abs", None),
        Unary::Sin => ("sin", None),
        Unary::Cos => ("cos", None),
        Unary::Powf(p) => ("powf", Some(p)),
    }
}

fn activation_from_name<F: Element>(name: &str, slope: Option<F>) -> Option<Unary<F>> {
    Some(match (name, slope) {
        ("leaky_relu", Some(s)) => Unary::LeakyRelu(s),
        ("powf", Some(p)) => Unary::Powf(p),
        (_, Some(_)) | ("leaky_relu", None) | ("powf", None) => return None,
        ("identity", _) => Unary::Identity,
        ("relu", _) => Unary::Relu,
        ("sigmoid", _) => Unary::Sigmoid,
        ("tanh", _) => Unary::Tanh,
        ("softplus", _) => Unary::Softplus,
        ("gelu", _) => Unary::Gelu,
        ("exp", _) => Unary::Exp,
        ("ln", _) => Unary::Ln,
        ("neg", _) => Unary::Neg,
        ("square", _) => Unary::Square,
        ("sqrt", _) => Unary::Sqrt,
        ("abs", _) => Unary::Abs,
        ("sin", _) => Unary::Sin,
        ("cos", _) => Unary::Cos,
        _ => return None,
    })
}

/// The shortest decimal that reads back as the same `F` (Rust's `Display` of `f32`/`f64`).
fn float_to_string<F: Element + CheckpointElement>(x: F) -> String {
    match F::dtype() {
        DType::F32 => format!("{}", x.to_f64() as f32),
        DType::F64 => format!("{}", x.to_f64()),
    }
}

fn float_from_str<F: Element + CheckpointElement>(s: &str) -> Option<F> {
    match F::dtype() {
        DType::F32 => s.parse::<f32>().ok().map(|v| F::from_f64(v as f64)),
        DType::F64 => s.parse::<f64>().ok().map(F::from_f64),
    }
}

impl<F: Element + CheckpointElement> Sequential<F> {
    /// The structured description of the layers (parameters by name in `params`), as stored in a
    /// checkpoint.
    pub fn layer_specs(&self, params: &Params<F>) -> Vec<LayerSpec> {
        self.layers
            .iter()
            .map(|l| match l {
                Layer::Linear(lin) => LayerSpec::Linear {
                    weight: params.name(lin.weight).to_string(),
                    bias: lin.bias.map(|b| params.name(b).to_string()),
                    in_dim: lin.in_dim,
                    out_dim: lin.out_dim,
                },
                Layer::Activation(a) => {
                    let (name, slope) = activation_name(*a);
                    LayerSpec::Activation {
                        function: name.to_string(),
                        slope: slope.map(float_to_string),
                    }
                }
                Layer::Softmax => LayerSpec::Softmax,
                Layer::LogSoftmax => LayerSpec::LogSoftmax,
                Layer::Dropout(p) => LayerSpec::Dropout { p: format!("{p}") },
                Layer::Conv1d(c) => conv_spec(
                    params,
                    "conv1d",
                    (c.weight, c.bias),
                    (c.in_channels, c.out_channels),
                    &[c.kernel],
                    &c.options,
                ),
                Layer::Conv2d(c) => conv_spec(
                    params,
                    "conv2d",
                    (c.weight, c.bias),
                    (c.in_channels, c.out_channels),
                    &c.kernel,
                    &c.options,
                ),
                Layer::ConvTranspose2d(c) => conv_spec(
                    params,
                    "conv_transpose2d",
                    (c.weight, c.bias),
                    (c.in_channels, c.out_channels),
                    &c.kernel,
                    &c.options,
                ),
                Layer::MaxPool2d(p) | Layer::AvgPool2d(p) => LayerSpec::Pool2d {
                    kind: if matches!(l, Layer::MaxPool2d(_)) {
                        "max"
                    } else {
                        "avg"
                    }
                    .into(),
                    kernel: p.kernel,
                    stride: p.stride,
                    padding: p.padding,
                },
                Layer::AdaptiveAvgPool2d(out) => LayerSpec::AdaptiveAvgPool2d { out: *out },
                Layer::BatchNorm1d(b) | Layer::BatchNorm2d(b) => LayerSpec::BatchNorm {
                    dims: if matches!(l, Layer::BatchNorm1d(_)) {
                        1
                    } else {
                        2
                    },
                    weight: b.weight.map(|w| params.name(w).to_string()),
                    bias: b.bias.map(|w| params.name(w).to_string()),
                    running_mean: params.name(b.running_mean).to_string(),
                    running_var: params.name(b.running_var).to_string(),
                    num_features: b.num_features,
                    momentum: format!("{}", b.momentum),
                    eps: format!("{}", b.eps),
                },
                Layer::LayerNorm(n) => LayerSpec::LayerNorm {
                    weight: n.weight.map(|w| params.name(w).to_string()),
                    bias: n.bias.map(|w| params.name(w).to_string()),
                    normalized_shape: n.normalized_shape.clone(),
                    eps: format!("{}", n.eps),
                },
                Layer::Flatten => LayerSpec::Flatten,
                Layer::Unflatten(s) => LayerSpec::Unflatten { shape: s.clone() },
                Layer::Embedding(e) => crate::persist_recurrent::embedding_spec(params, e),
                Layer::Recurrent(r) => crate::persist_recurrent::recurrent_spec(params, r),
            })
            .collect()
    }

    /// A checkpoint of this network: its [`architecture`](Self::architecture) string, every
    /// parameter of `params` (the store the network's layers point into, usually
    /// `graph.params()`) and the structured layer description, so that
    /// [`from_checkpoint`](Self::from_checkpoint) rebuilds it with no random generator. Add the
    /// preprocessing with [`Checkpoint::set_standardizer`] and metadata with
    /// [`Checkpoint::set_metadata`].
    pub fn to_checkpoint(&self, params: &Params<F>) -> Checkpoint {
        let mut ck = params.to_checkpoint(&self.architecture());
        ck.set_model(self.layer_specs(params));
        ck
    }

    /// Saves the network, its parameters and (if given) the preprocessing to `path`; read it
    /// back with [`Sequential::load`].
    ///
    /// ```
    /// use diffprog_nn::layers::{seeded_rng, Init, Layer, Sequential};
    /// use diffprog_nn::{Graph, Unary};
    ///
    /// let mut g = Graph::<f64>::new();
    /// let model = Sequential::mlp(g.params_mut(), &[3, 5, 2], Unary::LeakyRelu(0.01), Init::XavierNormal, &mut seeded_rng(1))
    ///     .push(Layer::LogSoftmax);
    /// let path = std::env::temp_dir().join(format!("doc-save-{}.ckpt", std::process::id()));
    /// model.save(&path, g.params(), None).unwrap();
    /// let mut back = Sequential::<f64>::load(&path).unwrap();
    /// let x = [0.1, -0.2, 0.3, 1.0, 2.0, 3.0];
    /// assert_eq!(back.predict(&x), model.predict(&mut g, &x)); // bit for bit
    /// assert!(back.standardizer.is_none());
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save(
        &self,
        path: impl AsRef<Path>,
        params: &Params<F>,
        standardizer: Option<&Standardizer<F>>,
    ) -> Result<(), CheckpointError> {
        let mut ck = self.to_checkpoint(params);
        if let Some(s) = standardizer {
            ck.set_standardizer(s);
        }
        ck.save(path)
    }

    /// Reads a checkpoint written by [`save`](Self::save) and rebuilds the network, its
    /// parameters (in a fresh [`Graph`]) and the preprocessing, with no random generator:
    /// [`TrainedModel::load`].
    pub fn load(path: impl AsRef<Path>) -> Result<TrainedModel<F>, CheckpointError> {
        TrainedModel::load(path)
    }

    /// Reads the parameters and buffers (batch-norm running statistics) of *this* network from
    /// a checkpoint file written by [`save`](Self::save), into `params` (the store its layers
    /// point into). All or nothing: a missing, truncated or corrupt file, a checkpoint of another
    /// architecture, or any name, shape or element-type difference is an error and `params` is
    /// then unchanged.
    pub fn load_params(
        &self,
        params: &mut Params<F>,
        path: impl AsRef<Path>,
    ) -> Result<(), CheckpointError> {
        params.load(path, &self.architecture())
    }

    /// Rebuilds a network and its parameter store from a checkpoint's model description.
    ///
    /// Every check comes before anything is returned: a description must be present
    /// ([`CheckpointError::NoModel`] otherwise, e.g. for a file written by [`Params::save`]);
    /// every parameter must have element type `F` ([`CheckpointError::DTypeMismatch`]); each
    /// dense layer's parameters must exist ([`CheckpointError::MissingParameter`]) with shapes
    /// `[in_dim, out_dim]` and `[out_dim]` ([`CheckpointError::ShapeMismatch`]); widths must be
    /// positive and chain from layer to layer, activations known, a dropout probability in
    /// `[0, 1)`, and the architecture string must be the one the layers give
    /// ([`CheckpointError::BadModel`], [`CheckpointError::ArchitectureMismatch`]). Parameters no
    /// layer uses are kept in the store.
    pub fn from_checkpoint(ck: &Checkpoint) -> Result<(Self, Params<F>), CheckpointError> {
        let specs = ck.model().ok_or(CheckpointError::NoModel)?;
        let bad = CheckpointError::BadModel;
        let mut params = Params::new();
        for p in ck.params() {
            if p.shape.len() > MAX_DIMS {
                return Err(bad(format!(
                    "parameter {:?} has {} axes, more than a tensor's {MAX_DIMS}",
                    p.name,
                    p.shape.len()
                )));
            }
            let v = F::view(&p.data).ok_or_else(|| CheckpointError::DTypeMismatch {
                name: p.name.clone(),
                expected: F::dtype(),
                found: p.data.dtype(),
            })?;
            params.add(p.name.clone(), Tensor::from_vec(v.to_vec(), &p.shape));
        }
        let find = |params: &Params<F>, name: &str, shape: &[usize]| {
            let id = params
                .ids()
                .find(|&id| params.name(id) == name)
                .ok_or_else(|| CheckpointError::MissingParameter {
                    name: name.to_string(),
                })?;
            if params.shape(id).dims() != shape {
                return Err(CheckpointError::ShapeMismatch {
                    name: name.to_string(),
                    expected: shape.to_vec(),
                    found: params.shape(id).dims().to_vec(),
                });
            }
            Ok(id)
        };
        let mut layers = Vec::with_capacity(specs.len().min(ck.params().len() + 64));
        let mut width: Option<usize> = None;
        for (i, spec) in specs.iter().enumerate() {
            let layer = match spec {
                LayerSpec::Linear {
                    weight,
                    bias,
                    in_dim,
                    out_dim,
                } => {
                    let (in_dim, out_dim) = (*in_dim, *out_dim);
                    if in_dim == 0 || out_dim == 0 {
                        return Err(bad(format!(
                            "layer {i}: a dense layer of widths {in_dim}→{out_dim}; widths must be positive"
                        )));
                    }
                    if let Some(w) = width.filter(|&w| w != in_dim) {
                        return Err(bad(format!(
                            "layer {i}: a dense layer taking {in_dim} inputs after layers giving {w}"
                        )));
                    }
                    let weight = find(&params, weight, &[in_dim, out_dim])?;
                    let bias = match bias {
                        Some(b) => Some(find(&params, b, &[out_dim])?),
                        None => None,
                    };
                    width = Some(out_dim);
                    Layer::Linear(Linear {
                        weight,
                        bias,
                        in_dim,
                        out_dim,
                    })
                }
                LayerSpec::Activation { function, slope } => {
                    let slope = match slope {
                        Some(s) => Some(float_from_str::<F>(s).ok_or_else(|| {
                            bad(format!("layer {i}: slope {s:?} is not a number"))
                        })?),
                        None => None,
                    };
                    Layer::Activation(activation_from_name(function, slope).ok_or_else(|| {
                        bad(format!(
                            "layer {i}: unknown activation {function:?}{}",
                            if slope.is_some() { " with a slope" } else { "" }
                        ))
                    })?)
                }
                LayerSpec::Softmax => Layer::Softmax,
                LayerSpec::LogSoftmax => Layer::LogSoftmax,
                LayerSpec::Dropout { p } => match p.parse::<f64>() {
                    Ok(p) if (0.0..1.0).contains(&p) => Layer::Dropout(p),
                    _ => {
                        return Err(bad(format!(
                            "layer {i}: dropout probability {p:?} is not a number in [0, 1)"
                        )))
                    }
                },
                LayerSpec::Conv {
                    kind,
                    weight,
                    bias,
                    in_channels,
                    out_channels,
                    kernel,
                    stride,
                    padding,
                    dilation,
                    groups,
                    output_padding,
                } => {
                    let (ci, co, g) = (*in_channels, *out_channels, *groups);
                    let options = ConvOptions {
                        stride: *stride,
                        padding: *padding,
                        dilation: *dilation,
                        groups: g,
                        output_padding: *output_padding,
                    };
                    let geometry_ok = ci > 0
                        && co > 0
                        && g > 0
                        && ci.is_multiple_of(g)
                        && co.is_multiple_of(g)
                        && !kernel.is_empty()
                        && kernel.iter().all(|&k| k > 0)
                        && stride.iter().chain(dilation).all(|&v| v > 0)
                        && (kind == "conv_transpose2d" || *output_padding == [0, 0]);
                    let k2 = match (kind.as_str(), kernel.as_slice()) {
                        ("conv1d", &[k]) => [1, k],
                        ("conv2d" | "conv_transpose2d", &[kh, kw]) => [kh, kw],
                        _ => [0, 0],
                    };
                    if !geometry_ok || k2[0] == 0 {
                        return Err(bad(format!(
                            "layer {i}: a {kind:?} layer {ci}→{co} with kernel {kernel:?}, groups {g} \
                             is not a valid convolution"
                        )));
                    }
                    let wshape: Vec<usize> = match kind.as_str() {
                        "conv1d" => vec![co, ci / g, k2[1]],
                        "conv2d" => vec![co, ci / g, k2[0], k2[1]],
                        _ => vec![ci, co / g, k2[0], k2[1]],
                    };
                    let weight = find(&params, weight, &wshape)?;
                    let bias = match bias {
                        Some(b) => Some(find(&params, b, &[co])?),
                        None => None,
                    };
                    width = None;
                    match kind.as_str() {
                        "conv1d" => Layer::Conv1d(Conv1d {
                            weight,
                            bias,
                            in_channels: ci,
                            out_channels: co,
                            kernel: k2[1],
                            options,
                        }),
                        "conv2d" => Layer::Conv2d(Conv2d {
                            weight,
                            bias,
                            in_channels: ci,
                            out_channels: co,
                            kernel: k2,
                            options,
                        }),
                        _ => Layer::ConvTranspose2d(ConvTranspose2d {
                            weight,
                            bias,
                            in_channels: ci,
                            out_channels: co,
                            kernel: k2,
                            options,
                        }),
                    }
                }
                LayerSpec::Pool2d {
                    kind,
                    kernel,
                    stride,
                    padding,
                } => {
                    let p = Pool2d {
                        kernel: *kernel,
                        stride: *stride,
                        padding: *padding,
                    };
                    if kernel.iter().chain(stride).any(|&v| v == 0)
                        || padding[0] * 2 > kernel[0]
                        || padding[1] * 2 > kernel[1]
                    {
                        return Err(bad(format!("layer {i}: invalid pooling {p:?}")));
                    }
                    width = None;
                    match kind.as_str() {
                        "max" => Layer::MaxPool2d(p),
                        "avg" => Layer::AvgPool2d(p),
                        _ => return Err(bad(format!("layer {i}: unknown pooling {kind:?}"))),
                    }
                }
                LayerSpec::AdaptiveAvgPool2d { out } => {
                    if out.contains(&0) {
                        return Err(bad(format!("layer {i}: adaptive pooling to {out:?}")));
                    }
                    width = None;
                    Layer::AdaptiveAvgPool2d(*out)
                }
                LayerSpec::BatchNorm {
                    dims,
                    weight,
                    bias,
                    running_mean,
                    running_var,
                    num_features,
                    momentum,
                    eps,
                } => {
                    let c = *num_features;
                    let momentum = momentum
                        .parse::<f64>()
                        .ok()
                        .filter(|m| (0.0..=1.0).contains(m));
                    let eps = eps.parse::<f64>().ok().filter(|e| *e >= 0.0);
                    let (Some(momentum), Some(eps)) = (momentum, eps) else {
                        return Err(bad(format!(
                            "layer {i}: batch norm momentum or eps invalid"
                        )));
                    };
                    if c == 0 || weight.is_some() != bias.is_some() {
                        return Err(bad(format!(
                            "layer {i}: batch norm of {c} channels needs both or neither of γ, β"
                        )));
                    }
                    if let Some(w) = width.filter(|&w| w != c) {
                        return Err(bad(format!(
                            "layer {i}: a batch norm of {c} features after layers giving {w}"
                        )));
                    }
                    let weight = weight
                        .as_ref()
                        .map(|n| find(&params, n, &[c]))
                        .transpose()?;
                    let bias = bias.as_ref().map(|n| find(&params, n, &[c])).transpose()?;
                    let running_mean = find(&params, running_mean, &[c])?;
                    let running_var = find(&params, running_var, &[c])?;
                    params.set_trainable(running_mean, false);
                    params.set_trainable(running_var, false);
                    let bn = BatchNorm {
                        weight,
                        bias,
                        running_mean,
                        running_var,
                        num_features: c,
                        momentum,
                        eps,
                    };
                    match dims {
                        1 => Layer::BatchNorm1d(bn),
                        2 => Layer::BatchNorm2d(bn),
                        _ => return Err(bad(format!("layer {i}: batch norm of {dims} dims"))),
                    }
                }
                LayerSpec::LayerNorm {
                    weight,
                    bias,
                    normalized_shape,
                    eps,
                } => {
                    let Some(eps) = eps.parse::<f64>().ok().filter(|e| *e >= 0.0) else {
                        return Err(bad(format!("layer {i}: layer norm eps {eps:?} invalid")));
                    };
                    if normalized_shape.is_empty()
                        || normalized_shape.contains(&0)
                        || normalized_shape.len() > MAX_DIMS
                        || weight.is_some() != bias.is_some()
                    {
                        return Err(bad(format!(
                            "layer {i}: layer norm over {normalized_shape:?} is invalid"
                        )));
                    }
                    let weight = weight
                        .as_ref()
                        .map(|n| find(&params, n, normalized_shape))
                        .transpose()?;
                    let bias = bias
                        .as_ref()
                        .map(|n| find(&params, n, normalized_shape))
                        .transpose()?;
                    Layer::LayerNorm(LayerNorm {
                        weight,
                        bias,
                        normalized_shape: normalized_shape.clone(),
                        eps,
                    })
                }
                LayerSpec::Flatten => {
                    width = None;
                    Layer::Flatten
                }
                LayerSpec::Unflatten { shape } => {
                    let d: usize = shape.iter().product();
                    if shape.is_empty() || d == 0 || shape.len() >= MAX_DIMS {
                        return Err(bad(format!("layer {i}: unflatten to {shape:?}")));
                    }
                    if let Some(w) = width.filter(|&w| w != d) {
                        return Err(bad(format!(
                            "layer {i}: unflatten to {shape:?} after layers giving {w}"
                        )));
                    }
                    width = None;
                    Layer::Unflatten(shape.clone())
                }
                LayerSpec::Embedding {
                    weight,
                    num_embeddings,
                    embedding_dim,
                    padding_idx,
                } => {
                    let e = crate::persist_recurrent::embedding_from_spec(
                        &params,
                        i,
                        weight,
                        (*num_embeddings, *embedding_dim),
                        *padding_idx,
                    )?;
                    width = Some(e.embedding_dim);
                    Layer::Embedding(e)
                }
                LayerSpec::Recurrent { .. } => {
                    let r = crate::persist_recurrent::recurrent_from_spec(&params, i, spec)?;
                    if let Some(w) = width.filter(|&w| w != r.input_size) {
                        return Err(bad(format!(
                            "layer {i}: a recurrent network taking {} inputs after layers giving {w}",
                            r.input_size
                        )));
                    }
                    width = Some(r.directions() * r.hidden_size);
                    Layer::Recurrent(r)
                }
            };
            layers.push(layer);
        }
        let model = Sequential { layers };
        ck.check_architecture(&model.architecture())?;
        Ok((model, params))
    }
}

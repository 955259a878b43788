//! Saving and loading a model's parameters through [`checkpoint`](crate::checkpoint): the glue
//! between a [`Params`] store (named arrays) and a versioned checkpoint file.

use crate::checkpoint::{Checkpoint, CheckpointElement, CheckpointError, ParamTarget};
use crate::layers::{Layer, Sequential};
use crate::{Element, Params, Unary};
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
                    other => format!("{other:?}").to_lowercase(),
                },
                Layer::Softmax => "softmax".into(),
                Layer::LogSoftmax => "log_softmax".into(),
                Layer::Dropout(p) => format!("dropout({p})"),
            })
            .collect();
        parts.join(" ")
    }
}

//! Layers: [`Linear`], convolutions ([`Conv1d`], [`Conv2d`], [`ConvTranspose2d`]), pooling
//! ([`Pool2d`]), normalisation ([`BatchNorm`], [`LayerNorm`]), sequences ([`Embedding`],
//! [`Recurrent`]), [`flatten`], activations,
//! [`Dropout`](Layer::Dropout) and [`Sequential`], with Kaiming/Xavier and PyTorch's default
//! initialisations.

mod activation;
mod conv;
mod init;
mod linear;
mod module;
mod norm;
mod pool;
mod recurrent;
mod reshape;
mod sequential;

pub use activation::{apply_generic, log_softmax_generic, softmax_generic};
pub use conv::{Conv1d, Conv2d, ConvTranspose2d};
pub use init::{normal_tensor, seeded_rng, standard_normal, Init};
pub use linear::Linear;
pub use norm::{BatchNorm, LayerNorm};
pub use pool::Pool2d;
pub use recurrent::{Embedding, Recurrent, RecurrentOutput};
pub use reshape::{flatten, unflatten};
pub use sequential::{Layer, Sequential};

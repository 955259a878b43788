//! Layers: [`Linear`], activations, [`Dropout`](Layer::Dropout) and [`Sequential`], with
//! Kaiming/Xavier initialisation.

mod activation;
mod init;
mod linear;
mod recurrent;
mod sequential;

pub use activation::{apply_generic, log_softmax_generic, softmax_generic};
pub use init::{normal_tensor, seeded_rng, standard_normal, Init};
pub use linear::Linear;
pub use recurrent::{Embedding, Recurrent};
pub use sequential::{Layer, Sequential};

//! Text for sequence models: vocabularies of characters or words (with `<pad>` and `<unk>`), a
//! word tokeniser, windowed next-token datasets, padding of variable-length batches with their
//! lengths (for [`Graph::recurrent`](crate::Graph::recurrent)'s `lengths`) and sampling with a
//! temperature.
//!
//! ```
//! use diffprog_nn::text::{next_token_windows, Vocab};
//! let text = "to be or not to be";
//! let vocab = Vocab::chars(text);
//! let ids = vocab.encode_chars(text);
//! assert_eq!(vocab.decode(&ids), text);
//! // 4-character windows, step 3, the next character as the target
//! let w = next_token_windows(&ids, 4, 3);
//! assert_eq!(w.len(), 5);
//! assert_eq!(vocab.decode(w.window(1)), "be o");
//! assert_eq!(vocab.token(w.targets()[1]), "r");
//! ```

mod batch;
mod sample;
mod vocab;
mod windows;

pub use batch::{pad_sequences, PaddedBatch};
pub use sample::sample_with_temperature;
pub use vocab::{tokenize_words, Vocab, PAD, UNK};
pub use windows::{next_token_windows, Windows};

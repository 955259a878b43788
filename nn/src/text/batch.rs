//! Padding a batch of variable-length sequences, with their lengths.

/// A padded batch: ids `[T, B]` (time-major) or `[B, T]`, `T` the longest length, and each
/// sequence's length (the `lengths` of [`Graph::recurrent`](crate::Graph::recurrent)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaddedBatch {
    /// The ids, padded with the padding id.
    pub ids: Vec<usize>,
    /// Each sequence's length.
    pub lengths: Vec<usize>,
    /// The longest length `T`.
    pub max_len: usize,
    /// True for `[B, T]`, false for `[T, B]`.
    pub batch_first: bool,
}

/// Pads `sequences` to the longest one's length with `pad`.
///
/// ```
/// use diffprog_nn::text::pad_sequences;
/// let b = pad_sequences(&[&[5, 6, 7][..], &[8][..]], 0, false);
/// assert_eq!(b.ids, vec![5, 8, 6, 0, 7, 0]); // [T = 3, B = 2]
/// assert_eq!(b.lengths, vec![3, 1]);
/// ```
///
/// # Panics
/// If a sequence is empty (a recurrent network needs at least one step).
pub fn pad_sequences(sequences: &[&[usize]], pad: usize, batch_first: bool) -> PaddedBatch {
    assert!(
        sequences.iter().all(|s| !s.is_empty()),
        "pad_sequences: an empty sequence has no steps"
    );
    let b = sequences.len();
    let max_len = sequences.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut ids = vec![pad; b * max_len];
    for (k, s) in sequences.iter().enumerate() {
        for (t, &id) in s.iter().enumerate() {
            ids[if batch_first {
                k * max_len + t
            } else {
                t * b + k
            }] = id;
        }
    }
    PaddedBatch {
        ids,
        lengths: sequences.iter().map(|s| s.len()).collect(),
        max_len,
        batch_first,
    }
}

//! [`Vocab`]: tokens ↔ ids, for characters or words, and the word tokeniser.

use std::collections::HashMap;

/// The padding token of word vocabularies (id 0).
pub const PAD: &str = "<pad>";
/// The unknown-word token of word vocabularies (id 1).
pub const UNK: &str = "<unk>";

/// A vocabulary: a list of distinct tokens, each token's id its position.
///
/// [`Vocab::chars`] holds the distinct characters of a text, sorted (the lab's
/// `sorted(set(text))`), without special tokens. [`Vocab::words`] holds [`PAD`] (id 0), [`UNK`]
/// (id 1) and the most frequent words up to a cap; words outside it encode as `<unk>`.
///
/// ```
/// use diffprog_nn::text::{tokenize_words, Vocab};
/// let words = tokenize_words("The cat saw the dog; the dog ran.");
/// let v = Vocab::words(&words, 4);
/// assert_eq!(v.tokens(), &["<pad>", "<unk>", "the", "dog"]);
/// assert_eq!(v.encode_words(&["the", "cat"]), vec![2, 1]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    tokens: Vec<String>,
    index: HashMap<String, usize>,
    unk: Option<usize>,
}

impl Vocab {
    fn from_tokens(tokens: Vec<String>, unk: Option<usize>) -> Self {
        let index = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        Vocab { tokens, index, unk }
    }

    /// The distinct characters of `text`, sorted by code point.
    pub fn chars(text: &str) -> Self {
        let mut cs: Vec<char> = text.chars().collect();
        cs.sort_unstable();
        cs.dedup();
        Self::from_tokens(cs.into_iter().map(String::from).collect(), None)
    }

    /// `<pad>`, `<unk>` and the `max_size − 2` most frequent words (ties broken by first
    /// appearance).
    ///
    /// # Panics
    /// If `max_size < 2`.
    pub fn words<S: AsRef<str>>(words: &[S], max_size: usize) -> Self {
        assert!(
            max_size >= 2,
            "Vocab::words: max_size {max_size} leaves no room for <pad> and <unk>"
        );
        let mut count: HashMap<&str, (usize, usize)> = HashMap::new();
        for (pos, w) in words.iter().enumerate() {
            let w = w.as_ref();
            if w == PAD || w == UNK {
                continue;
            }
            count.entry(w).or_insert((0, pos)).0 += 1;
        }
        let mut ranked: Vec<(&str, (usize, usize))> = count.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        let mut tokens = vec![PAD.to_string(), UNK.to_string()];
        tokens.extend(ranked.iter().take(max_size - 2).map(|(w, _)| w.to_string()));
        Self::from_tokens(tokens, Some(1))
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }
    /// True if there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
    /// The tokens, by id.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
    /// A token's id, if it is in the vocabulary.
    pub fn id(&self, token: &str) -> Option<usize> {
        self.index.get(token).copied()
    }
    /// The token of an id.
    ///
    /// # Panics
    /// If the id is out of range.
    pub fn token(&self, id: usize) -> &str {
        &self.tokens[id]
    }
    /// The id of `<pad>`, for a word vocabulary.
    pub fn pad_id(&self) -> Option<usize> {
        self.unk.map(|_| 0)
    }
    /// The id of `<unk>`, for a word vocabulary.
    pub fn unk_id(&self) -> Option<usize> {
        self.unk
    }
    /// The id of a token, `<unk>`'s for an unknown one in a word vocabulary.
    ///
    /// # Panics
    /// If the token is unknown and the vocabulary has no `<unk>`.
    pub fn encode_token(&self, token: &str) -> usize {
        match (self.id(token), self.unk) {
            (Some(i), _) => i,
            (None, Some(u)) => u,
            (None, None) => panic!("Vocab: the token {token:?} is not in the vocabulary"),
        }
    }
    /// The ids of a text's characters (see [`encode_token`](Self::encode_token)).
    pub fn encode_chars(&self, text: &str) -> Vec<usize> {
        let mut buf = [0u8; 4];
        text.chars()
            .map(|c| self.encode_token(c.encode_utf8(&mut buf)))
            .collect()
    }
    /// The ids of words (see [`encode_token`](Self::encode_token)).
    pub fn encode_words<S: AsRef<str>>(&self, words: &[S]) -> Vec<usize> {
        words
            .iter()
            .map(|w| self.encode_token(w.as_ref()))
            .collect()
    }
    /// The tokens of `ids`, concatenated (a character vocabulary's text).
    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter().map(|&i| self.token(i)).collect()
    }
}

/// Lower-cased words: maximal runs of letters, digits and apostrophes inside words.
///
/// ```
/// use diffprog_nn::text::tokenize_words;
/// assert_eq!(tokenize_words("O Romeo, Romeo! Wherefore art thou?"),
///            vec!["o", "romeo", "romeo", "wherefore", "art", "thou"]);
/// assert_eq!(tokenize_words("I'll 'tis"), vec!["i'll", "tis"]);
/// ```
pub fn tokenize_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

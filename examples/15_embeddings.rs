//! Lab 7, item 4: what the char-LSTM's embedding learned. Trains the one-layer char-LSTM of
//! example 13 (Embedding(vocab, 8) → LSTM(8, 128) → Linear; same data, settings and seed), then
//! reads its 8-dimensional character embedding by cosine similarity:
//!
//! - the nearest neighbours of a few characters (vowels, consonants, capitals, punctuation);
//! - an analogy query `a − A + E ≈ ?` (does the offset lower case − upper case carry over?);
//! - a test of one structural claim: **the lower-case vowels a, e, i, o, u lie closer to each
//!   other than to the other lower-case letters**. The statistic is the vowels' mean pairwise
//!   cosine similarity minus their mean similarity to the other letters; it is compared with the
//!   same statistic for 5 000 random 5-letter sets of lower-case letters (a permutation test).
//!
//! Asserted: the vowels' statistic exceeds that of at least 95% of the random sets (a one-sided
//! permutation p-value ≤ 0.05). The nearest neighbours and the analogy are printed, not
//! asserted: they show what the table holds, including where it does not match intuition.
//!
//! Run: `cargo run --release --example 15_embeddings [-- --quick]` (the full run trains the
//! 3 epochs of example 13's one-layer model, about 6 minutes on one core; `--quick`, what the
//! test `tests/lab7_examples.rs` runs, trains example 13's quick model: 10-character windows,
//! 2 × 250 steps).

#[allow(dead_code)]
#[path = "13_char_lstm.rs"]
pub mod char_lstm;

use diffprog::nn::layers::seeded_rng;
use diffprog::nn::rand::seq::SliceRandom;
use diffprog::nn::text::Vocab;

/// Cosine similarity of two rows.
fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum();
    let na: f64 = a.iter().map(|x| f64::from(x * x)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(x * x)).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// An embedding table with its vocabulary.
pub struct Table<'a> {
    /// The vocabulary.
    pub vocab: &'a Vocab,
    /// `[vocab, dim]`, row-major.
    pub rows: &'a [f32],
    /// The width.
    pub dim: usize,
}

impl Table<'_> {
    fn row(&self, c: &str) -> &[f32] {
        let i = self.vocab.id(c).expect("a character of the corpus");
        &self.rows[i * self.dim..(i + 1) * self.dim]
    }
    /// The `k` characters most similar to the vector `v`, leaving out `exclude`.
    fn nearest(&self, v: &[f32], k: usize, exclude: &[&str]) -> Vec<(String, f64)> {
        let mut all: Vec<(String, f64)> = self
            .vocab
            .tokens()
            .iter()
            .filter(|t| !exclude.contains(&t.as_str()))
            .map(|t| (t.clone(), cosine(v, self.row(t))))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        all.truncate(k);
        all
    }
    /// Mean pairwise similarity within `set` minus its mean similarity to `others`.
    fn cohesion(&self, set: &[&str], others: &[&str]) -> f64 {
        let mut within = (0.0, 0);
        for (i, a) in set.iter().enumerate() {
            for b in &set[i + 1..] {
                within = (within.0 + cosine(self.row(a), self.row(b)), within.1 + 1);
            }
        }
        let mut across = (0.0, 0);
        for a in set {
            for b in others {
                across = (across.0 + cosine(self.row(a), self.row(b)), across.1 + 1);
            }
        }
        within.0 / within.1 as f64 - across.0 / across.1 as f64
    }
}

fn show(c: &str) -> String {
    format!("{c:?}")
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The vowels' statistic.
    pub vowel_cohesion: f64,
    /// The fraction of random 5-letter sets whose statistic is at least the vowels'.
    pub p_value: f64,
}

/// Trains the model and analyses its embedding.
pub fn run(quick: bool) -> Outcome {
    let vocab = Vocab::chars(char_lstm::CORPUS);
    let ids = vocab.encode_chars(char_lstm::CORPUS);
    let split = ids.len() * 9 / 10;
    let train_ids = &ids[..split];
    let heldout: Vec<usize> = (split + 40..ids.len())
        .step_by(if quick { 7 } else { 1 })
        .collect();
    let (epochs, steps) = if quick { (2, Some(250)) } else { (3, None) };
    let (ce, _, g, model) =
        char_lstm::train_lstm(1, epochs, steps, train_ids, &ids, &heldout, &vocab, quick);
    let rows = g.params().value(model.emb.weight).to_vec();
    let table = Table {
        vocab: &vocab,
        rows: &rows,
        dim: 8,
    };
    println!("\n== the learned 8-dimensional character embedding (held-out CE {ce:.3}) ==");
    println!("nearest neighbours by cosine similarity:");
    for c in ["a", "e", "o", "t", "s", "A", "T", ".", ",", "!", " ", "\n"] {
        let nn: Vec<String> = table
            .nearest(table.row(c), 5, &[c])
            .iter()
            .map(|(t, s)| format!("{} {s:.2}", show(t)))
            .collect();
        println!("  {:>5}: {}", show(c), nn.join(", "));
    }
    let query: Vec<f32> = (0..8)
        .map(|k| table.row("a")[k] - table.row("A")[k] + table.row("E")[k])
        .collect();
    let answer = table.nearest(&query, 5, &["a", "A", "E"]);
    let rank_e = table
        .nearest(&query, vocab.len(), &["a", "A", "E"])
        .iter()
        .position(|(t, _)| t == "e")
        .map_or(0, |r| r + 1);
    println!(
        "analogy a − A + E: {} ('e' ranks {rank_e} of {})",
        answer
            .iter()
            .map(|(t, s)| format!("{} {s:.2}", show(t)))
            .collect::<Vec<_>>()
            .join(", "),
        vocab.len() - 3
    );

    let lower: Vec<&str> = ('a'..='z')
        .map(|c| {
            vocab
                .tokens()
                .iter()
                .find(|t| t.starts_with(c) && t.len() == 1)
        })
        .filter_map(|t| t.map(String::as_str))
        .collect();
    let split_set = |set: &[&str]| -> f64 {
        let others: Vec<&str> = lower.iter().copied().filter(|c| !set.contains(c)).collect();
        table.cohesion(set, &others)
    };
    let vowels = ["a", "e", "i", "o", "u"];
    let stat = split_set(&vowels);
    let mut rng = seeded_rng(5);
    let trials = 5000;
    let mut at_least = 0;
    let mut pool = lower.clone();
    for _ in 0..trials {
        pool.shuffle(&mut rng);
        if split_set(&pool[..5]) >= stat {
            at_least += 1;
        }
    }
    // the add-one estimate of a permutation p-value
    let p_value = (at_least + 1) as f64 / (trials + 1) as f64;
    println!(
        "vowels: mean similarity among themselves minus to the other {} letters = {stat:.3}; \
         {at_least} of {trials} random 5-letter sets reach it (p = {p_value:.4})",
        lower.len() - 5
    );
    Outcome {
        vowel_cohesion: stat,
        p_value,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let o = run(quick);
    let pass = o.p_value <= 0.05;
    println!(
        "asserted: the vowels cluster in the embedding (statistic {:.3}), permutation p = {:.4} \
         ≤ 0.05: {}",
        o.vowel_cohesion,
        o.p_value,
        if pass { "yes" } else { "NO" }
    );
    if !pass {
        std::process::exit(1);
    }
}

//! Lab 7, items 1–2: a character language model of Shakespeare.
//!
//! 1. A first-order character Markov chain on the training text (the first 90% of
//!    `data/tinyshakespeare/input.txt`, the LSTM's training text too): bigram counts →
//!    probabilities (add-one smoothing, so that an unseen pair keeps a finite cost), the most
//!    likely letter after 'j', 1000 sampled characters, and its cross-entropy per character
//!    (nats) on the held-out tail (the last 10%).
//! 2. A char-LSTM: Embedding(vocab, 8) → LSTM(8, 128) → Linear(128, vocab) on the last step, on
//!    40-character windows taken every 3 characters with the next character as the target,
//!    batch 128, RMSprop lr 0.01, cross-entropy, gradients clipped to global norm 5. After each
//!    epoch: the held-out cross-entropy per character and accuracy (predicting every held-out
//!    character from the 40 before it, the same characters the Markov chain is scored on) and
//!    samples of 400 characters at temperatures 0.2, 0.5, 1.0 and 1.2. Then the same with two
//!    LSTM layers.
//!
//! Asserted: the held-out cross-entropy per character of the one-layer LSTM ends at least
//! 0.5 nats below the Markov chain's. The per-epoch curves (training loss, held-out
//! cross-entropy and accuracy) go to an SVG per model.
//!
//! Run: `cargo run --release --example 13_char_lstm [-- --quick] [--out DIR]`. The full run
//! trains 3 epochs of the one-layer model and 1 of the two-layer one (703 steps of batch 128 per
//! epoch), sized to end within about 10 minutes on one core of this project's machines.
//! `--quick` (what the test `tests/lab7_examples.rs` runs) reads 10-character windows instead of
//! 40 (a quarter of the cost per step), trains the one-layer model for 2 × 250 steps, samples
//! at temperature 0.5 only, skips the two-layer model and scores every 7th held-out character;
//! it asserts a margin of 0.25 nats.

use diffprog::nn::layers::{seeded_rng, Embedding, Init, Linear, Recurrent};
use diffprog::nn::ops::CellKind;
use diffprog::nn::optim::{clip_grad_norm, Optimizer, RmsProp};
use diffprog::nn::plot::plot_training_curves;
use diffprog::nn::rand::seq::SliceRandom;
use diffprog::nn::rand::Rng;
use diffprog::nn::text::{next_token_windows, sample_with_temperature, Vocab};
use diffprog::nn::train::{EpochRecord, History};
use diffprog::nn::{Graph, NodeId, Unary};
use std::path::{Path, PathBuf};

/// The corpus: the first 300 kB of Karpathy's tinyshakespeare (see `data/README.md`).
pub const CORPUS: &str = include_str!("../data/tinyshakespeare/input.txt");

/// Window length, step between windows, batch size, embedding width, hidden units.
const WINDOW: usize = 40;
/// The quick mode's window (a quarter of the cost per step).
const QUICK_WINDOW: usize = 10;
const STEP: usize = 3;
const BATCH: usize = 128;
const EMBED: usize = 8;
const HIDDEN: usize = 128;

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The Markov chain's held-out cross-entropy per character (nats).
    pub markov_ce: f64,
    /// The one-layer LSTM's held-out cross-entropy per character after its last epoch.
    pub lstm_ce: f64,
    /// The two-layer LSTM's (full mode only).
    pub lstm2_ce: Option<f64>,
    /// The margin asserted: `lstm_ce ≤ markov_ce − margin`.
    pub margin: f64,
}

impl Outcome {
    /// True if the LSTM beat the chain by the margin.
    pub fn passed(&self) -> bool {
        self.lstm_ce <= self.markov_ce - self.margin
    }
}

/// A first-order Markov chain over character ids with add-one smoothing.
pub struct Markov {
    /// `p[a·V + b]` = P(next = b | current = a).
    pub p: Vec<f64>,
    v: usize,
}

impl Markov {
    /// Counts the pairs of `ids` and normalises each row (counts + 1).
    pub fn fit(ids: &[usize], v: usize) -> Self {
        let mut counts = vec![1.0f64; v * v];
        for w in ids.windows(2) {
            counts[w[0] * v + w[1]] += 1.0;
        }
        for row in counts.chunks_mut(v) {
            let total: f64 = row.iter().sum();
            row.iter_mut().for_each(|c| *c /= total);
        }
        Markov { p: counts, v }
    }
    /// P(next | current) as a row.
    pub fn row(&self, a: usize) -> &[f64] {
        &self.p[a * self.v..(a + 1) * self.v]
    }
    /// −mean ln P(ids[t] | ids[t − 1]) over the positions `t`.
    pub fn cross_entropy(&self, ids: &[usize], positions: &[usize]) -> f64 {
        let s: f64 = positions
            .iter()
            .map(|&t| -self.row(ids[t - 1])[ids[t]].ln())
            .sum();
        s / positions.len() as f64
    }
    /// `n` characters drawn from the chain starting after `start`.
    pub fn sample(&self, start: usize, n: usize, rng: &mut impl Rng) -> Vec<usize> {
        let mut out = Vec::with_capacity(n);
        let mut cur = start;
        for _ in 0..n {
            let mut u: f64 = rng.random();
            let row = self.row(cur);
            cur = row
                .iter()
                .position(|&p| {
                    u -= p;
                    u < 0.0
                })
                .unwrap_or(self.v - 1);
            out.push(cur);
        }
        out
    }
}

/// Embedding → LSTM (`layers` layers) → Linear on the last step.
pub struct CharModel {
    /// The character embedding, `[vocab, 8]`.
    pub emb: Embedding,
    /// The LSTM.
    pub lstm: Recurrent,
    /// The output layer.
    pub head: Linear,
    /// The number of characters the model reads before each prediction (40).
    pub window: usize,
}

impl CharModel {
    /// A fresh model on `g`'s parameter store.
    pub fn new(g: &mut Graph<f32>, vocab: usize, layers: usize, seed: u64) -> Self {
        let mut rng = seeded_rng(seed);
        let emb = Embedding::new(g.params_mut(), vocab, EMBED, None, &mut rng);
        let lstm = Recurrent::new(
            g.params_mut(),
            CellKind::Lstm,
            EMBED,
            HIDDEN,
            layers,
            false,
            true,
            &mut rng,
        );
        let head = Linear::new(
            g.params_mut(),
            "head",
            HIDDEN,
            vocab,
            true,
            Init::TorchDefault,
            &mut rng,
        );
        CharModel {
            emb,
            lstm,
            head,
            window: WINDOW,
        }
    }

    /// The logits `[B, vocab]` after the windows `x` (time-major ids, `[t, b]`), with optional
    /// initial states; also returns the final `(h_n, c_n)`.
    pub fn forward(
        &self,
        g: &mut Graph<f32>,
        x: &[usize],
        t: usize,
        b: usize,
        state: Option<(NodeId, NodeId)>,
    ) -> (NodeId, NodeId, NodeId) {
        let e = self.emb.forward(g, x, &[t, b]);
        let (h0, c0) = state.unzip();
        let out = self.lstm.forward(g, e, h0, c0, None);
        let last = g.slice(out.h_n, 0, self.lstm.num_layers - 1, 1);
        let last = g.reshape(last, &[b, HIDDEN]);
        let logits = self.head.forward(g, last, Unary::Identity);
        (logits, out.h_n, out.c_n.expect("an LSTM has a cell state"))
    }

    /// Mean cross-entropy and accuracy of predicting `ids[p]` from the `window` characters before
    /// it for every
    /// `p` in `positions` (no gradients).
    pub fn evaluate(&self, g: &mut Graph<f32>, ids: &[usize], positions: &[usize]) -> (f64, f64) {
        let (mut ce, mut correct) = (0.0, 0usize);
        for chunk in positions.chunks(512) {
            let w = self.window;
            let mut x = Vec::with_capacity(w * chunk.len());
            for t in 0..w {
                x.extend(chunk.iter().map(|&p| ids[p - w + t]));
            }
            let y: Vec<usize> = chunk.iter().map(|&p| ids[p]).collect();
            g.reset();
            let (batch_ce, hits) = g.no_grad(|g| {
                let (logits, _, _) = self.forward(g, &x, w, chunk.len(), None);
                let l = g.cross_entropy(logits, &y);
                let v = self.head.out_dim;
                let hits = g
                    .value(logits)
                    .chunks(v)
                    .zip(&y)
                    .filter(|&(row, &label)| argmax(row) == label)
                    .count();
                (f64::from(g.item(l)), hits)
            });
            ce += batch_ce * chunk.len() as f64;
            correct += hits;
        }
        (
            ce / positions.len() as f64,
            correct as f64 / positions.len() as f64,
        )
    }

    /// `n` characters generated after `seed` (at least one id) at `temperature`, carrying the
    /// LSTM state from step to step.
    pub fn sample(
        &self,
        g: &mut Graph<f32>,
        seed: &[usize],
        n: usize,
        temperature: f64,
        rng: &mut impl Rng,
    ) -> Vec<usize> {
        let layers = self.lstm.num_layers;
        g.reset();
        let (mut logits, mut h, mut c) = g.no_grad(|g| {
            let (l, h, c) = self.forward(g, seed, seed.len(), 1, None);
            (
                g.value(l).to_vec(),
                g.value(h).to_vec(),
                g.value(c).to_vec(),
            )
        });
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let next = sample_with_temperature(&logits, temperature, rng);
            out.push(next);
            g.reset();
            (logits, h, c) = g.no_grad(|g| {
                let h0 = g.input(&h, &[layers, 1, HIDDEN]);
                let c0 = g.input(&c, &[layers, 1, HIDDEN]);
                let (l, h, c) = self.forward(g, &[next], 1, 1, Some((h0, c0)));
                (
                    g.value(l).to_vec(),
                    g.value(h).to_vec(),
                    g.value(c).to_vec(),
                )
            });
        }
        out
    }
}

fn argmax(row: &[f32]) -> usize {
    (0..row.len())
        .max_by(|&a, &b| row[a].total_cmp(&row[b]))
        .unwrap_or(0)
}

/// Trains a model with `layers` LSTM layers on the windows of `train_ids` (at most
/// `steps_per_epoch` batches per epoch), reporting per epoch the held-out figures on
/// `ids[p]`, `p ∈ heldout`, and samples; returns the final held-out cross-entropy, the history,
/// the graph holding the parameters and the model.
#[allow(clippy::too_many_arguments)]
pub fn train_lstm(
    layers: usize,
    epochs: usize,
    steps_per_epoch: Option<usize>,
    train_ids: &[usize],
    ids: &[usize],
    heldout: &[usize],
    vocab: &Vocab,
    quick: bool,
) -> (f64, History, Graph<f32>, CharModel) {
    let mut g = Graph::<f32>::new();
    let mut model = CharModel::new(&mut g, vocab.len(), layers, 7 + layers as u64);
    let window = if quick { QUICK_WINDOW } else { WINDOW };
    model.window = window;
    let windows = next_token_windows(train_ids, window, STEP);
    let mut order: Vec<usize> = (0..windows.len()).collect();
    let mut rng = seeded_rng(11);
    let mut opt = RmsProp::<f32>::new(0.01);
    let mut history = History::new();
    let mut last_ce = f64::NAN;
    let seed_text = &ids[heldout[0] - window..heldout[0]];
    println!(
        "\n== char-LSTM, {layers} layer(s): {} windows of {window} characters (step {STEP}), \
         {} parameters ==",
        windows.len(),
        g.params().numel()
    );
    for epoch in 1..=epochs {
        let start = std::time::Instant::now();
        order.shuffle(&mut rng);
        let batches: Vec<&[usize]> = order.chunks_exact(BATCH).collect();
        let steps = steps_per_epoch.map_or(batches.len(), |s| s.min(batches.len()));
        let mut loss_sum = 0.0;
        for rows in &batches[..steps] {
            let (x, y) = windows.time_major_batch(rows);
            g.reset();
            let (logits, _, _) = model.forward(&mut g, &x, window, BATCH, None);
            let loss = g.cross_entropy(logits, &y);
            loss_sum += f64::from(g.item(loss));
            g.params_mut().zero_grad();
            g.backward(loss);
            clip_grad_norm(g.params_mut(), None, 5.0);
            opt.step(g.params_mut());
        }
        let train_time = start.elapsed();
        let (ce, acc) = model.evaluate(&mut g, ids, heldout);
        last_ce = ce;
        println!(
            "epoch {epoch}: {steps} steps in {:.1} s ({:.1} ms/step), train loss {:.4}, \
             held-out cross-entropy {ce:.4} nats/char ({:.3} bits), accuracy {:.1}%",
            train_time.as_secs_f64(),
            1e3 * train_time.as_secs_f64() / steps as f64,
            loss_sum / steps as f64,
            ce / std::f64::consts::LN_2,
            100.0 * acc
        );
        history.push(EpochRecord {
            epoch,
            train_loss: loss_sum / steps as f64,
            train_accuracy: None,
            test_loss: Some(ce),
            test_accuracy: Some(acc),
        });
        let temps: &[f64] = if quick { &[0.5] } else { &[0.2, 0.5, 1.0, 1.2] };
        for &t in temps {
            let s = model.sample(
                &mut g,
                seed_text,
                if quick { 120 } else { 400 },
                t,
                &mut rng,
            );
            println!(
                "--- temperature {t}, after {:?}:\n{}",
                vocab.decode(seed_text),
                vocab.decode(&s)
            );
        }
    }
    (last_ce, history, g, model)
}

/// Runs the lab; the SVGs go to `out_dir`.
pub fn run(quick: bool, out_dir: &Path) -> Outcome {
    let vocab = Vocab::chars(CORPUS);
    let ids = vocab.encode_chars(CORPUS);
    let split = ids.len() * 9 / 10;
    let train_ids = &ids[..split];
    // every held-out character with 40 held-out characters before it (quick: every 7th)
    let every = if quick { 7 } else { 1 };
    let heldout: Vec<usize> = (split + WINDOW..ids.len()).step_by(every).collect();
    println!(
        "corpus: {} characters, vocabulary of {}; training on {}, held out: the last {} \
         ({} characters scored)",
        ids.len(),
        vocab.len(),
        train_ids.len(),
        ids.len() - split,
        heldout.len()
    );

    // 1. The Markov chain.
    let chain = Markov::fit(train_ids, vocab.len());
    let j = vocab.id("j").expect("the corpus has a 'j'");
    let after_j = vocab
        .tokens()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.chars().all(char::is_alphabetic))
        .max_by(|a, b| chain.row(j)[a.0].total_cmp(&chain.row(j)[b.0]))
        .map(|(i, _)| i)
        .unwrap();
    println!(
        "\n== first-order Markov chain ==\nmost likely letter after 'j': {:?} (P = {:.3})",
        vocab.token(after_j),
        chain.row(j)[after_j]
    );
    let newline = vocab.id("\n").expect("the corpus has newlines");
    let sample = chain.sample(newline, 1000, &mut seeded_rng(3));
    println!("1000 sampled characters:\n{}", vocab.decode(&sample));
    let markov_ce = chain.cross_entropy(&ids, &heldout);
    println!(
        "Markov chain held-out cross-entropy: {markov_ce:.4} nats/char ({:.3} bits)",
        markov_ce / std::f64::consts::LN_2
    );

    // 2. The char-LSTM, one layer, then two.
    let (epochs, steps) = if quick { (2, Some(250)) } else { (3, None) };
    let (lstm_ce, history, _, _) =
        train_lstm(1, epochs, steps, train_ids, &ids, &heldout, &vocab, quick);
    save_curves(out_dir, "13_char_lstm_1layer.svg", &history);
    let lstm2_ce = (!quick).then(|| {
        let (ce, history, _, _) = train_lstm(2, 1, None, train_ids, &ids, &heldout, &vocab, quick);
        save_curves(out_dir, "13_char_lstm_2layers.svg", &history);
        ce
    });
    Outcome {
        markov_ce,
        lstm_ce,
        lstm2_ce,
        margin: if quick { 0.25 } else { 0.5 },
    }
}

fn save_curves(dir: &Path, name: &str, history: &History) {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(name);
    match plot_training_curves(&path, history) {
        Ok(()) => println!(
            "curves (train loss, held-out cross-entropy and accuracy) written to {}",
            path.display()
        ),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

/// `--quick` and `--out DIR` (default `target/13_char_lstm`).
pub fn parse_args() -> (bool, PathBuf) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("target/13_char_lstm"), PathBuf::from);
    (quick, out)
}

#[allow(dead_code)]
fn main() {
    let (quick, out) = parse_args();
    let o = run(quick, &out);
    if let Some(ce2) = o.lstm2_ce {
        println!("two-layer LSTM held-out cross-entropy: {ce2:.4} nats/char");
    }
    println!(
        "asserted: one-layer LSTM held-out cross-entropy {:.4} nats/char ≤ Markov chain's {:.4} − {} \
         (= {:.4}): {}",
        o.lstm_ce,
        o.markov_ce,
        o.margin,
        o.markov_ce - o.margin,
        if o.passed() { "yes" } else { "NO" }
    );
    if !o.passed() {
        std::process::exit(1);
    }
}

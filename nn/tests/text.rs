//! Text data: vocabularies, the word tokeniser, next-token windows, padded batches and
//! temperature sampling.

use diffprog_nn::text::{
    next_token_windows, pad_sequences, sample_with_temperature, tokenize_words, Vocab, PAD, UNK,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    #[test]
    fn char_vocab_round_trips(text in "[a-z ,.!?\n'é]{0,60}") {
        let v = Vocab::chars(&text);
        let ids = v.encode_chars(&text);
        prop_assert_eq!(v.decode(&ids), text.clone());
        // sorted, distinct, every id used by some character
        prop_assert!(v.tokens().windows(2).all(|w| w[0] < w[1]));
        for id in 0..v.len() {
            prop_assert!(ids.contains(&id));
        }
    }

    #[test]
    fn windows_are_every_step_with_the_next_token(ids in prop::collection::vec(0usize..9, 0..50), window in 1usize..8, step in 1usize..5) {
        let w = next_token_windows(&ids, window, step);
        let expected = if ids.len() > window { (ids.len() - window - 1) / step + 1 } else { 0 };
        prop_assert_eq!(w.len(), expected);
        for k in 0..w.len() {
            prop_assert_eq!(w.window(k), &ids[k * step..k * step + window]);
            prop_assert_eq!(w.targets()[k], ids[k * step + window]);
        }
    }

    #[test]
    fn padded_batches_keep_each_sequence(seqs in prop::collection::vec(prop::collection::vec(1usize..9, 1..6), 1..5), batch_first in any::<bool>()) {
        let refs: Vec<&[usize]> = seqs.iter().map(|s| &s[..]).collect();
        let p = pad_sequences(&refs, 0, batch_first);
        let (b, t) = (seqs.len(), p.max_len);
        prop_assert_eq!(p.ids.len(), b * t);
        for (k, s) in seqs.iter().enumerate() {
            prop_assert_eq!(p.lengths[k], s.len());
            for step in 0..t {
                let id = p.ids[if batch_first { k * t + step } else { step * b + k }];
                prop_assert_eq!(id, s.get(step).copied().unwrap_or(0));
            }
        }
    }
}

#[test]
fn word_vocab_caps_by_frequency_with_pad_and_unk() {
    let words = tokenize_words("b a c a b a d <unk> <pad>");
    // "<unk>" and "<pad>" in the text are read as the words "unk" and "pad"
    assert_eq!(words, ["b", "a", "c", "a", "b", "a", "d", "unk", "pad"]);
    let v = Vocab::words(&words, 4);
    assert_eq!(v.tokens(), &[PAD, UNK, "a", "b"]);
    assert_eq!((v.pad_id(), v.unk_id()), (Some(0), Some(1)));
    assert_eq!(v.encode_words(&["a", "c", "b"]), vec![2, 1, 3]);
    // ties by first appearance: c before d
    assert_eq!(Vocab::words(&words, 5).token(4), "c");
    // the special tokens themselves are never counted as words
    let v = Vocab::words(&[PAD, UNK, "x"], 10);
    assert_eq!(v.tokens(), &[PAD, UNK, "x"]);
}

#[test]
#[should_panic(expected = "the token \"z\" is not in the vocabulary")]
fn a_char_vocab_refuses_unknown_characters() {
    Vocab::chars("abc").encode_chars("abz");
}

#[test]
fn sampling_follows_the_tempered_softmax() {
    let logits = [1.0f64, 2.0, 0.0, -1.0];
    for temperature in [0.5, 1.0, 2.0] {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 40_000;
        let mut counts = [0usize; 4];
        for _ in 0..n {
            counts[sample_with_temperature(&logits, temperature, &mut rng)] += 1;
        }
        let z: Vec<f64> = logits.iter().map(|l| (l / temperature).exp()).collect();
        let total: f64 = z.iter().sum();
        for (k, &c) in counts.iter().enumerate() {
            let p = z[k] / total;
            let freq = c as f64 / n as f64;
            // 5 standard deviations of a binomial frequency
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (freq - p).abs() <= 5.0 * sd + 1e-12,
                "T = {temperature}, token {k}: frequency {freq} vs probability {p}"
            );
        }
    }
    // seeded: the same draws again
    let draw = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..50)
            .map(|_| sample_with_temperature(&logits, 1.0, &mut rng))
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(9), draw(9));
}

#[test]
fn sampling_handles_infinite_logits() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let logits = [0.0f32, f32::INFINITY, 3.0];
    assert!((0..100).all(|_| sample_with_temperature(&logits, 1.0, &mut rng) == 1));
    let all_neg = [f32::NEG_INFINITY; 3];
    let mut seen = [false; 3];
    for _ in 0..100 {
        seen[sample_with_temperature(&all_neg, 1.0, &mut rng)] = true;
    }
    assert_eq!(seen, [true; 3]);
}

//! The quick modes of the lab-7 examples (13–15): each trains its model briefly and must reach
//! the bound its example asserts in quick mode. The examples' sources are included as modules,
//! so this runs them in the test profile without building the example binaries.

#[allow(dead_code)]
#[path = "../examples/14_fashion_gru.rs"]
mod fashion_gru;

#[allow(dead_code)]
#[path = "../examples/15_embeddings.rs"]
mod embeddings;

// example 15 includes example 13 as a module; a second `mod` of the same file is refused
use embeddings::char_lstm;

#[test]
fn char_lstm_quick_beats_the_markov_chain() {
    let out = std::env::temp_dir().join(format!("diffprog-lab7-{}", std::process::id()));
    let o = char_lstm::run(true, &out);
    assert!(
        o.passed(),
        "LSTM {:.4} vs Markov {:.4} − {}",
        o.lstm_ce,
        o.markov_ce,
        o.margin
    );
    assert!(out.join("13_char_lstm_1layer.svg").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn fashion_gru_quick_reaches_its_bound() {
    let o = fashion_gru::run(true, std::path::Path::new("/nonexistent")).unwrap();
    assert!(o.gru_accuracy >= o.bound, "{o:?}");
}

#[test]
fn fashion_gru_full_mode_without_the_training_set_says_how_to_get_it() {
    let e = fashion_gru::run(false, std::path::Path::new("/nonexistent")).unwrap_err();
    assert!(
        e.contains("FASHION_MNIST_DIR") && e.contains("zalandoresearch"),
        "{e}"
    );
}

#[test]
fn embeddings_quick_vowels_cluster() {
    let o = embeddings::run(true);
    assert!(o.p_value <= 0.05, "{o:?}");
}

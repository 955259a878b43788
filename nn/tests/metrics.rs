//! Metrics: accuracy, top-k, per-class accuracy, confusion matrix, history; plot and progress bar.

use diffprog_nn::metrics::{
    accuracy, accuracy_from_logits, argmax, count_correct, per_class_accuracy, predictions,
    top_k_accuracy, ConfusionMatrix, EpochRecord, History, RunningMean,
};
use diffprog_nn::plot::{plot_training_curves, PlotError};
use diffprog_nn::progress::Progress;
use proptest::prelude::*;

#[test]
fn argmax_ties_and_nan() {
    assert_eq!(argmax(&[1.0f32, 3.0, 3.0, 2.0]), 1);
    assert_eq!(argmax(&[f64::NAN, 1.0, 0.5]), 1);
    assert_eq!(argmax(&[0.0, f32::NAN, -1.0]), 0);
    assert_eq!(argmax(&[f64::NAN, f64::NAN]), 0);
    assert_eq!(argmax(&[f64::NEG_INFINITY, -1e300]), 1);
}

#[test]
fn top_k_counts_ties_for_the_sample() {
    let logits = [1.0f64, 1.0, 0.0, /**/ 0.0, 1.0, 2.0];
    // sample 0: class 1 ties for first -> top-1 correct; sample 1: class 0 is last
    assert_eq!(top_k_accuracy(&logits, 3, &[1, 0], 1), 0.5);
    assert_eq!(top_k_accuracy(&logits, 3, &[1, 0], 2), 0.5);
    assert_eq!(top_k_accuracy(&logits, 3, &[1, 0], 3), 1.0);
    assert_eq!(top_k_accuracy(&logits, 3, &[1, 0], 10), 1.0);
    assert_eq!(top_k_accuracy(&[f32::NAN, 0.0], 2, &[0], 2), 0.0);
    assert_eq!(top_k_accuracy::<f32>(&[], 2, &[], 1), 0.0);
}

#[test]
#[should_panic(expected = "must equal labels.len()")]
fn mismatched_logits_panic_with_lengths() {
    accuracy_from_logits(&[0.0f32; 5], 2, &[0, 1]);
}

#[test]
fn confusion_matrix_display_and_stats() {
    let cm = ConfusionMatrix::from_predictions(&[0, 1, 2, 2, 1, 0], &[0, 1, 2, 1, 1, 2], 4);
    assert_eq!(cm.get(1, 2), 1);
    assert_eq!(cm.get(2, 0), 1);
    assert_eq!(
        cm.per_class_accuracy(),
        [Some(1.0), Some(2.0 / 3.0), Some(0.5), None]
    );
    assert_eq!(cm.precision(0), Some(0.5));
    assert_eq!(cm.precision(3), None);
    let text = cm.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 4 + 1, "{text}");
    assert!(
        lines[0].contains("true\\pred") && lines[0].contains("recall"),
        "{text}"
    );
    assert!(lines[2].contains("66.7%"), "{text}");
    assert!(
        lines[4].trim_end().ends_with('-'),
        "absent class shows '-': {text}"
    );
    assert!(
        lines[5].contains("66.67%") && lines[5].contains("6 samples"),
        "{text}"
    );
    let mut twice = cm.clone();
    twice.merge(&cm);
    assert_eq!(twice.total(), 12);
    assert_eq!(twice.accuracy(), cm.accuracy());
}

#[test]
fn running_mean_and_history() {
    let mut m = RunningMean::default();
    assert_eq!(m.mean(), None);
    for (v, w) in [(2.0, 10), (4.0, 30)] {
        m.add(v, w);
    }
    assert_eq!(m.mean(), Some(3.5));
    assert_eq!(m.count(), 40);

    let mut h = History::new();
    assert_eq!(h.best_test_accuracy(), None);
    for (e, a) in [(1, 0.5), (2, 0.9), (3, 0.9), (4, 0.7)] {
        h.push(EpochRecord {
            epoch: e,
            train_loss: 1.0 / e as f64,
            test_accuracy: Some(a),
            ..Default::default()
        });
    }
    assert_eq!(h.best_test_accuracy(), Some((2, 0.9)));
    assert_eq!(History::from_json(&h.to_json()).unwrap(), h);
    assert!(History::from_json("{\"epochs\": 3}").is_err());
    // JSON has no NaN: a diverged run still round-trips (NaN loss comes back NaN)
    let mut h = History::new();
    h.push(EpochRecord {
        epoch: 1,
        train_loss: f64::NAN,
        test_loss: Some(f64::INFINITY),
        ..Default::default()
    });
    let back = History::from_json(&h.to_json()).unwrap();
    assert!(back.epochs[0].train_loss.is_nan());
    assert_eq!(back.epochs[0].test_loss, None);
}

fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("diffprog-nn-metrics-{}-{name}", std::process::id()))
}

#[test]
fn plot_writes_an_svg_with_both_panels() {
    let mut h = History::new();
    for epoch in 1..=6 {
        let loss = 2.0 / epoch as f64;
        h.push(EpochRecord {
            epoch,
            train_loss: loss,
            test_loss: Some(loss * 1.2),
            train_accuracy: Some(1.0 - loss / 3.0),
            test_accuracy: if epoch == 3 {
                None
            } else {
                Some(1.0 - loss / 2.5)
            },
        });
    }
    let path = temp_file("curves.svg");
    plot_training_curves(&path, &h).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(100)]);
    for word in ["Loss", "Accuracy", "epoch", "train", "test"] {
        assert!(svg.contains(word), "missing {word}");
    }
    // 6 train-loss + 6 test-loss + 6 train-acc + 5 test-acc markers
    assert_eq!(svg.matches("<circle").count(), 23);

    // only a train loss, some of it non-finite: still draws
    let mut h = History::new();
    h.push(EpochRecord {
        epoch: 1,
        train_loss: f64::NAN,
        ..Default::default()
    });
    h.push(EpochRecord {
        epoch: 2,
        train_loss: 0.5,
        ..Default::default()
    });
    let path = temp_file("loss-only.svg");
    plot_training_curves(&path, &h).unwrap();
    let _ = std::fs::remove_file(&path);
    // nothing finite: an error, not a panic
    assert!(matches!(
        plot_training_curves(temp_file("none.svg"), &History::new()),
        Err(PlotError::NothingToPlot)
    ));
}

#[test]
fn quiet_progress_is_hidden_but_counts() {
    let p = Progress::new(10, "epochs", true);
    assert!(p.is_hidden());
    p.inc(3);
    p.set_position(7);
    p.set_message("loss 0.1");
    p.println("not shown");
    assert_eq!(p.position(), 7);
    p.abandon();
    assert_eq!(p.position(), 7, "abandon keeps the position");
    p.finish();
    assert_eq!(p.position(), 10, "finish fills the bar");
    assert!(Progress::hidden(5).is_hidden());
}

/// Reference top-k: sort classes by descending score (stable, so ties keep index order) is NOT
/// what we want; instead count strictly-higher classes, as documented. Check against a sort with
/// ties broken in the sample's favour.
fn top_k_reference(logits: &[f64], n: usize, labels: &[usize], k: usize) -> f64 {
    let mut correct = 0;
    for (row, &l) in logits.chunks(n).zip(labels) {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| {
            row[b]
                .partial_cmp(&row[a])
                .unwrap()
                .then((b == l).cmp(&(a == l)))
        });
        if idx[..k.min(n)].contains(&l) {
            correct += 1;
        }
    }
    correct as f64 / labels.len() as f64
}

proptest! {
    #![proptest_config(diffprog_testkit::config(128))]

    #[test]
    fn metrics_agree_with_each_other(
        n_classes in 1usize..6,
        rows in proptest::collection::vec((proptest::collection::vec(-3i32..3, 6), 0usize..6), 1..40),
        k in 1usize..7,
    ) {
        let labels: Vec<usize> = rows.iter().map(|r| r.1 % n_classes).collect();
        let logits: Vec<f64> = rows.iter().flat_map(|r| r.0[..n_classes].iter().map(|&x| x as f64)).collect();
        let preds = predictions(&logits, n_classes);
        let acc = accuracy(&preds, &labels);
        prop_assert_eq!(acc, accuracy_from_logits(&logits, n_classes, &labels));
        let cm = ConfusionMatrix::from_logits(&logits, n_classes, &labels);
        prop_assert_eq!(count_correct(&logits, n_classes, &labels) as f64 / labels.len() as f64, acc);
        // accumulating in two batches gives the same matrix
        let half = labels.len() / 2;
        let mut acc_cm = ConfusionMatrix::new(n_classes);
        acc_cm.add_logits(&logits[..half * n_classes], &labels[..half]);
        acc_cm.add_logits(&logits[half * n_classes..], &labels[half..]);
        prop_assert_eq!(&acc_cm, &cm);
        prop_assert_eq!(cm.total(), labels.len());
        prop_assert!((cm.accuracy() - acc).abs() < 1e-12);
        prop_assert_eq!(cm.per_class_accuracy(), per_class_accuracy(&preds, &labels, n_classes));
        // the class-size-weighted mean of per-class accuracy is the accuracy
        let counts: Vec<usize> = (0..n_classes).map(|c| labels.iter().filter(|&&l| l == c).count()).collect();
        let weighted: f64 = cm.per_class_accuracy().iter().zip(&counts)
            .map(|(a, &c)| a.unwrap_or(0.0) * c as f64).sum::<f64>() / labels.len() as f64;
        prop_assert!((weighted - acc).abs() < 1e-12);
        // top-k: matches the reference, is monotone in k, at least the accuracy
        let tk = top_k_accuracy(&logits, n_classes, &labels, k);
        prop_assert_eq!(tk, top_k_reference(&logits, n_classes, &labels, k));
        prop_assert!(tk >= acc);
        if k > 1 {
            prop_assert!(tk >= top_k_accuracy(&logits, n_classes, &labels, k - 1));
        }
        if k >= n_classes {
            prop_assert_eq!(tk, 1.0);
        }
    }
}

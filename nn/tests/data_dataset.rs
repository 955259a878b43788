//! Dataset and DataLoader: shapes, seeded splits and shuffles, drop_last, buffer reuse.

use diffprog_nn::data::{DataError, DataLoader, Dataset, LabelBound, DEFAULT_MAX_CLASSES};
use proptest::prelude::*;

/// `n` samples of `f` features where every feature of sample `i` encodes `i`, so rows can be
/// traced back to their sample after shuffling.
fn traced(n: usize, f: usize, classes: usize) -> Dataset<f32> {
    let features = (0..n)
        .flat_map(|i| (0..f).map(move |j| (i * 1000 + j) as f32))
        .collect();
    Dataset::with_classes(features, (0..n).map(|i| i % classes).collect(), f, classes)
}

fn sample_id(row: &[f32]) -> usize {
    (row[0] as usize) / 1000
}

#[test]
fn accessors_and_invariants() {
    let d = traced(7, 3, 4);
    assert_eq!((d.len(), d.feature_len(), d.n_classes()), (7, 3, 4));
    assert_eq!(d.row(5), [5000.0, 5001.0, 5002.0]);
    assert_eq!(d.sample(6).1, 2);
    assert_eq!(d.class_counts(), [2, 2, 2, 1]);
    let oh = d.one_hot();
    assert_eq!(oh.len(), 7 * 4);
    for (i, row) in oh.chunks(4).enumerate() {
        assert_eq!(row.iter().sum::<f32>(), 1.0);
        assert_eq!(row[d.labels()[i]], 1.0);
    }
    let d64 = d.convert::<f64>();
    assert_eq!(d64.row(5), [5000.0, 5001.0, 5002.0]);
    assert_eq!(d64.labels(), d.labels());
}

#[test]
#[should_panic(expected = "must equal labels.len()")]
fn new_rejects_mismatched_lengths() {
    let _ = Dataset::new(vec![0.0f32; 5], vec![0, 1], 3);
}

#[test]
#[should_panic(expected = "label \"2\" is not below the declared number of classes (2)")]
fn with_classes_rejects_out_of_range_label() {
    let _ = Dataset::with_classes(vec![0.0f32; 2], vec![0, 2], 1, 2);
}

#[test]
fn split_is_a_seeded_partition() {
    let d = traced(50, 2, 3);
    let (a, b) = d.split(11, 30);
    assert_eq!((a.len(), b.len()), (30, 20));
    assert_eq!((a.n_classes(), b.n_classes()), (3, 3));
    let mut ids: Vec<usize> = (0..a.len())
        .map(|i| sample_id(a.row(i)))
        .chain((0..b.len()).map(|i| sample_id(b.row(i))))
        .collect();
    // every sample keeps its label
    for i in 0..a.len() {
        assert_eq!(a.labels()[i], sample_id(a.row(i)) % 3);
    }
    ids.sort_unstable();
    assert_eq!(ids, (0..50).collect::<Vec<_>>());
    // same seed, same split; another seed, another split
    assert_eq!(d.split(11, 30), (a.clone(), b));
    assert_ne!(d.split(12, 30).0, a);
    // shuffled, not a prefix
    assert_ne!(a, d.subset(&(0..30).collect::<Vec<_>>()));
    let (c, e) = d.split_fraction(3, 0.8);
    assert_eq!((c.len(), e.len()), (40, 10));
}

#[test]
#[should_panic(expected = "exceeds the number of samples")]
fn split_rejects_too_many() {
    let _ = traced(3, 1, 2).split(0, 4);
}

/// Collects the sample ids of every batch of one epoch.
fn epoch_ids(loader: &mut DataLoader<'_, f32>) -> Vec<Vec<usize>> {
    let mut out = vec![];
    while let Some(b) = loader.next_batch() {
        assert_eq!(b.features.len(), b.len() * b.feature_len);
        let ids: Vec<usize> = (0..b.len()).map(|i| sample_id(b.row(i))).collect();
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(b.labels[i], id % 3, "label travels with its row");
        }
        out.push(ids);
    }
    out
}

#[test]
fn unshuffled_loader_keeps_order_and_keeps_remainder() {
    let d = traced(10, 2, 3);
    let mut l = DataLoader::new(&d, 4);
    assert_eq!(l.batches_per_epoch(), 3);
    let e = epoch_ids(&mut l);
    assert_eq!(e, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
    // next epoch: same again
    assert_eq!(epoch_ids(&mut l), e);
    assert_eq!(l.epochs_started(), 2);
}

#[test]
fn drop_last_skips_short_batch() {
    let d = traced(10, 2, 3);
    let mut l = DataLoader::new(&d, 4).drop_last(true);
    assert_eq!((l.batches_per_epoch(), l.samples_per_epoch()), (2, 8));
    let e = epoch_ids(&mut l);
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|b| b.len() == 4));
    // smaller than one batch: nothing at all
    let small = traced(3, 1, 3);
    let mut l = DataLoader::new(&small, 4).drop_last(true);
    assert!(l.next_batch().is_none());
}

#[test]
fn shuffle_is_seeded_and_differs_between_epochs() {
    let d = traced(40, 1, 3);
    let mut l1 = DataLoader::new(&d, 8).shuffle(5);
    let mut l2 = DataLoader::new(&d, 8).shuffle(5);
    let mut l3 = DataLoader::new(&d, 8).shuffle(6);
    let (a1, a2, a3) = (epoch_ids(&mut l1), epoch_ids(&mut l2), epoch_ids(&mut l3));
    assert_eq!(a1, a2);
    assert_ne!(a1, a3);
    let b1 = epoch_ids(&mut l1);
    assert_ne!(a1, b1, "a new epoch draws a new order");
    assert_eq!(b1, epoch_ids(&mut l2));
    let identity: Vec<usize> = (0..40).collect();
    assert_ne!(a1.concat(), identity);
}

#[test]
fn restart_and_for_each_batch_start_fresh_epochs() {
    let d = traced(9, 1, 3);
    let mut l = DataLoader::new(&d, 2);
    let _ = l.next_batch();
    let mut n = 0;
    l.for_each_batch(|b| n += b.len());
    assert_eq!(n, 9, "for_each_batch runs one whole epoch even mid-epoch");
    l.restart();
    assert_eq!(epoch_ids(&mut l).concat(), (0..9).collect::<Vec<_>>());
}

#[test]
fn empty_dataset_yields_nothing() {
    let d = Dataset::<f32>::with_classes(vec![], vec![], 4, 2);
    let mut l = DataLoader::new(&d, 3).shuffle(1);
    assert!(l.next_batch().is_none());
    assert!(l.next_batch().is_none());
    assert_eq!(l.batches_per_epoch(), 0);
}

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    /// Every epoch visits every sample exactly once (all but a short remainder with drop_last),
    /// in batches of `batch` except possibly the last.
    #[test]
    fn every_epoch_is_a_permutation(
        n in 0usize..60, batch in 1usize..17, seed in any::<u64>(), drop_last in any::<bool>(),
        shuffle in any::<bool>(),
    ) {
        let d = traced(n, 2, 3);
        let mut l = DataLoader::new(&d, batch).drop_last(drop_last);
        if shuffle {
            l = l.shuffle(seed);
        }
        for _ in 0..2 {
            let e = epoch_ids(&mut l);
            prop_assert_eq!(e.len(), l.batches_per_epoch());
            for (k, b) in e.iter().enumerate() {
                if k + 1 < e.len() || drop_last {
                    prop_assert_eq!(b.len(), batch);
                }
            }
            let mut all = e.concat();
            prop_assert_eq!(all.len(), l.samples_per_epoch());
            all.sort_unstable();
            all.dedup();
            prop_assert_eq!(all.len(), l.samples_per_epoch());
            if !drop_last {
                prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn standardizer_fits_on_train_and_applies_to_test() {
    use diffprog_nn::data::{digits, Standardizer};
    let (mut train, mut test) = digits().convert::<f64>().split(3, 1500);
    let s = Standardizer::fit(&train);
    s.apply(&mut train);
    let (n, d) = (train.len() as f64, train.feature_len());
    for j in 0..d {
        let col: Vec<f64> = (0..train.len()).map(|i| train.row(i)[j]).collect();
        let mean = col.iter().sum::<f64>() / n;
        let var = col.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        assert!(mean.abs() < 1e-12, "feature {j}: mean {mean}");
        if s.std()[j] > 0.0 {
            assert!((var - 1.0).abs() < 1e-9, "feature {j}: variance {var}");
        } else {
            assert_eq!(var, 0.0, "constant feature {j} stays constant");
        }
    }
    // the test set gets the train statistics, not its own
    let before = test.row(0).to_vec();
    s.apply(&mut test);
    for (j, &b) in before.iter().enumerate() {
        let expected = if s.std()[j] > 0.0 {
            (b - s.mean()[j]) / s.std()[j]
        } else {
            b - s.mean()[j]
        };
        assert_eq!(test.row(0)[j], expected);
    }
}

/// Issue 20, hole 3: `Dataset::new` computed `max + 1` unchecked (an overflow panic for
/// `usize::MAX`) and accepted any label, so one stray label meant billions of classes.
#[test]
#[should_panic(expected = "maximum number of classes")]
fn new_refuses_a_label_of_usize_max() {
    let _ = Dataset::new(vec![0.0f32], vec![usize::MAX], 1);
}

#[test]
#[should_panic(expected = "maximum number of classes")]
fn new_refuses_billions_of_classes() {
    let _ = Dataset::new(vec![0.0f32], vec![1 << 32], 1);
}

/// The checked constructor reports what the panicking ones panic on, and takes another maximum.
#[test]
fn try_new_reports_every_broken_invariant() {
    let max = DEFAULT_MAX_CLASSES;
    let err = Dataset::try_new(vec![0.0f32; 2], vec![0, usize::MAX], 1, None, max).unwrap_err();
    assert!(
        matches!(&err, DataError::LabelOutOfRange { line: 2, text, limit: 65536, bound: LabelBound::MaxClasses } if *text == usize::MAX.to_string()),
        "{err}"
    );
    let err = Dataset::try_new(vec![0.0f32; 2], vec![0, 3], 1, Some(3), max).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                line: 2,
                limit: 3,
                bound: LabelBound::NClasses,
                ..
            }
        ),
        "{err}"
    );
    let err = Dataset::try_new(vec![0.0f32; 1], vec![0], 1, Some(max + 1), max).unwrap_err();
    assert!(matches!(err, DataError::TooManyClasses { .. }), "{err}");
    let err = Dataset::try_new(vec![0.0f32; 3], vec![0, 1], 2, None, max).unwrap_err();
    assert!(matches!(err, DataError::BadShape(_)), "{err}");
    let err = Dataset::try_new(Vec::<f32>::new(), vec![0], 0, None, max).unwrap_err();
    assert!(matches!(err, DataError::BadShape(_)), "{err}");
    // a raised maximum admits more classes, and one_hot gets its size from the checked count
    let d = Dataset::try_new(vec![0.0f32; 2], vec![1, 70_000], 1, None, 1 << 17).unwrap();
    assert_eq!(d.n_classes(), 70_001);
    let oh = d.one_hot();
    assert_eq!(oh.len(), 2 * 70_001);
    assert_eq!((oh[1], oh[70_001 + 70_000]), (1.0, 1.0));
    assert_eq!(oh.iter().sum::<f32>(), 2.0);
    // an empty set has no classes unless declared
    let e = Dataset::<f32>::try_new(vec![], vec![], 3, None, max).unwrap();
    assert_eq!((e.len(), e.n_classes()), (0, 0));
}

#[test]
fn float_targets_survive_subset_split_convert_and_batching() {
    use diffprog_nn::data::{DataLoader, Dataset};
    // 10 samples, 2 features, 3 targets: target j of sample i is 10 i + j.
    let x: Vec<f64> = (0..20).map(f64::from).collect();
    let y: Vec<f64> = (0..10)
        .flat_map(|i| (0..3).map(move |j| f64::from(10 * i + j)))
        .collect();
    let d = Dataset::with_targets(x, y, 2, 3);
    assert_eq!((d.len(), d.feature_len(), d.target_len()), (10, 2, 3));
    assert!(!d.is_classification() && d.labels().is_empty() && d.n_classes() == 0);
    assert_eq!(d.target(4), [40.0, 41.0, 42.0]);
    let s = d.subset(&[7, 2, 7]);
    assert_eq!(s.row(0), [14.0, 15.0]);
    assert_eq!(
        s.targets(),
        [70.0, 71.0, 72.0, 20.0, 21.0, 22.0, 70.0, 71.0, 72.0]
    );
    let (a, b) = d.split(3, 6);
    assert_eq!((a.len(), b.len(), a.target_len()), (6, 4, 3));
    for part in [&a, &b] {
        for i in 0..part.len() {
            // the row and its targets stay together
            assert_eq!(part.target(i)[0], part.row(i)[0] * 5.0);
        }
    }
    let f: Dataset<f32> = d.convert();
    assert_eq!(f.target(9), [90.0f32, 91.0, 92.0]);
    let mut loader = DataLoader::new(&d, 4).shuffle(1);
    let mut seen = 0;
    while let Some(batch) = loader.next_batch() {
        assert_eq!(batch.targets.len(), batch.len() * 3);
        assert!(batch.labels.is_empty() && batch.target_len == 3);
        for i in 0..batch.len() {
            assert_eq!(batch.targets[3 * i], batch.row(i)[0] * 5.0);
        }
        seen += batch.len();
    }
    assert_eq!(seen, 10);
    // refusals
    assert!(Dataset::try_with_targets(vec![1.0f32; 6], vec![1.0; 4], 2, 1).is_err());
    assert!(Dataset::try_with_targets(vec![1.0f32; 6], vec![1.0; 3], 2, 0).is_err());
    assert!(Dataset::try_with_targets(vec![1.0f32; 5], vec![1.0; 2], 2, 1).is_err());
    assert!(Dataset::<f32>::try_with_targets(vec![], vec![], 2, 1)
        .unwrap()
        .is_empty());
}

#[test]
#[should_panic(expected = "use row(i) and target(i)")]
fn sample_of_a_regression_set_says_what_to_use() {
    diffprog_nn::data::Dataset::with_targets(vec![1.0f32], vec![2.0], 1, 1).sample(0);
}

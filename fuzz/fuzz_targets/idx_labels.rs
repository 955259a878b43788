//! The IDX label reader on arbitrary bytes, and MNIST's label check.
//!
//! On `Ok` the labels are the input after its 8-byte header, as many as the header says. They are
//! then paired with 1×1 images and checked against a number of classes taken from the first
//! label byte: `mnist_dataset` must succeed exactly when every label is below it.
#![no_main]

mod common;

use common::{check_dataset, check_err};
use diffprog_nn::data::{mnist_dataset, read_idx_labels_from, DataError, IdxImages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let labels = match read_idx_labels_from(data) {
        Ok(l) => l,
        Err(e) => return check_err(e),
    };
    assert_eq!(data.len(), 8 + labels.len());
    assert_eq!(labels, data[8..]);
    assert_eq!(
        u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize,
        labels.len()
    );
    let n_classes = labels.first().map_or(10, |&l| usize::from(l % 12));
    let images = IdxImages::new(labels.len(), 1, 1, labels.clone()).unwrap();
    match mnist_dataset::<f64>(&images, &labels, n_classes, 1.0) {
        Ok(d) => {
            check_dataset(&d, n_classes);
            assert_eq!(d.n_classes(), n_classes);
            assert!(labels.iter().all(|&l| usize::from(l) < n_classes));
            assert!(d
                .labels()
                .iter()
                .zip(&labels)
                .all(|(&a, &b)| a == usize::from(b)));
        }
        Err(e) => {
            check_err(&e);
            let first_bad = labels
                .iter()
                .position(|&l| usize::from(l) >= n_classes)
                .expect("refused although every label is in range");
            assert!(
                matches!(e, DataError::LabelOutOfRange { line, limit, .. } if line == first_bad + 1 && limit == n_classes),
                "{e}"
            );
        }
    }
});

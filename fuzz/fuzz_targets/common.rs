//! Checks shared by the fuzz targets: what every `Ok` from a reader must satisfy.
#![allow(dead_code)] // each target uses some of these

use diffprog_nn::data::{mnist_dataset, Dataset, IdxImages};
use std::fmt::Display;

/// An error is allowed, but it must say something.
pub fn check_err(e: impl Display) {
    assert!(!e.to_string().is_empty(), "an error with an empty message");
}

/// The invariants of any data set a reader returns.
pub fn check_dataset<F: diffprog_nn::Element>(d: &Dataset<F>, max_classes: usize) {
    assert!(d.feature_len() > 0);
    assert_eq!(d.features().len(), d.len() * d.feature_len());
    assert_eq!(d.labels().len(), d.len());
    assert!(d.n_classes() <= max_classes, "{} classes", d.n_classes());
    assert!(d.labels().iter().all(|&l| l < d.n_classes()));
    if !d.is_empty() {
        assert_eq!(d.row(d.len() - 1).len(), d.feature_len());
        assert_eq!(d.class_counts().iter().sum::<usize>(), d.len());
    }
}

/// The invariants of images read from an IDX file whose payload (after the header, decompressed)
/// is `payload`, and that they make a data set with any labels below 10.
pub fn check_images(im: &IdxImages, payload: Option<&[u8]>) {
    assert!(im.rows() > 0 && im.cols() > 0);
    assert_eq!(im.image_len(), im.rows() * im.cols());
    assert_eq!(im.pixels().len(), im.count() * im.image_len());
    if let Some(p) = payload {
        assert_eq!(im.pixels(), p);
    }
    assert_eq!(im.iter().len(), im.count());
    if im.count() > 0 {
        assert_eq!(im.image(im.count() - 1).len(), im.image_len());
    }
    assert!(im.get(im.count()).is_none());
    let labels: Vec<u8> = (0..im.count()).map(|i| (i % 10) as u8).collect();
    let d = mnist_dataset::<f32>(im, &labels, 10, 1.0).expect("valid images make a data set");
    check_dataset(&d, 10);
    assert_eq!(d.len(), im.count());
    assert_eq!(d.feature_len(), im.image_len());
    assert!(d
        .features()
        .iter()
        .zip(im.pixels())
        .all(|(&x, &p)| x == f32::from(p)));
}

//! The 8×8 handwritten digits shipped inside the crate: [`digits`], [`digits_with`].

use super::{read_csv_from, CsvOptions, Dataset};
use diffprog_dual::Real;
use std::sync::OnceLock;

/// The gzip-compressed CSV, embedded at compile time so it loads from any working directory.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Number of samples in [`digits`].
pub const DIGITS_LEN: usize = 1797;
/// Pixels per digit (8×8).
pub const DIGITS_FEATURES: usize = 64;
/// Largest grey level of a pixel in the raw data.
pub const DIGITS_MAX_GREY: f64 = 16.0;

/// How [`digits_with`] delivers pixel values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PixelScale {
    /// Divided by 16, so every pixel is in `[0, 1]` (what [`digits`] returns).
    #[default]
    Unit,
    /// As stored: integer grey levels `0..=16`.
    Raw,
}

/// The 8×8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", Alpaydin &
/// Kaynak 1998, the test set as shipped in scikit-learn; CC BY 4.0, see `nn/data/README.md`):
/// 1797 samples of 64 pixels in `[0, 1]` (row-major 8×8), labels `0..=9`, in file order.
///
/// The data is embedded in the library, so this works from any directory. It is decompressed and
/// parsed on the first call (some tens of milliseconds) and cached; later calls only copy it.
///
/// ```
/// let d = diffprog_nn::data::digits();
/// assert_eq!((d.len(), d.feature_len(), d.n_classes()), (1797, 64, 10));
/// assert!(d.features().iter().all(|&p| (0.0..=1.0).contains(&p)));
/// let (train, test) = d.split(0, 1500);
/// assert_eq!(train.len() + test.len(), 1797);
/// ```
pub fn digits() -> Dataset<f32> {
    digits_with(PixelScale::Unit)
}

/// The 8×8 digits (see [`digits`]) in the float type and pixel scale of your choice.
///
/// ```
/// use diffprog_nn::data::{digits_with, PixelScale};
///
/// let raw = digits_with::<f64>(PixelScale::Raw);
/// assert_eq!(raw.features().iter().cloned().fold(0.0, f64::max), 16.0);
/// ```
pub fn digits_with<F: Real>(scale: PixelScale) -> Dataset<F> {
    let raw = raw_digits();
    let factor = match scale {
        PixelScale::Unit => 1.0 / DIGITS_MAX_GREY,
        PixelScale::Raw => 1.0,
    };
    let features = raw
        .features()
        .iter()
        .map(|&p| F::from_f64(f64::from(p) * factor))
        .collect();
    Dataset::with_classes(features, raw.labels().to_vec(), DIGITS_FEATURES, 10)
}

/// The raw grey levels, decompressed and parsed once per process.
fn raw_digits() -> &'static Dataset<f32> {
    static RAW: OnceLock<Dataset<f32>> = OnceLock::new();
    RAW.get_or_init(|| {
        let options = CsvOptions {
            n_classes: Some(10),
            ..CsvOptions::label_named("label")
        };
        read_csv_from(DIGITS_CSV_GZ, &options)
            .expect("the embedded digits data is valid (this is a bug in diffprog-nn)")
    })
}

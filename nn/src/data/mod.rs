//! Data for training: an in-memory [`Dataset`], a batching [`DataLoader`], readers for CSV and
//! the MNIST IDX format, and the 8×8 [`digits`] set shipped inside the crate.
//!
//! Everything here is plain data — `Vec<f32>` (or `Vec<f64>`) features and `Vec<usize>` labels —
//! and knows nothing of tensors or the tape, so a training loop is free to copy a batch into
//! whatever input type it uses.
//!
//! * [`Dataset<F>`](Dataset): `len()` samples of `feature_len()` numbers, row-major in one `Vec`,
//!   and one class label in `0..n_classes()` per sample ([`Dataset::new`]) or `target_len()`
//!   float targets per sample for a regression ([`Dataset::with_targets`]). [`Dataset::split`] shuffles with a seed
//!   and cuts into train and test sets; [`Dataset::subset`], [`Dataset::convert`] (f32 ↔ f64),
//!   [`Dataset::scale`], [`Dataset::one_hot`] do the rest; [`Standardizer`] centres and scales
//!   features with statistics fitted on the training set.
//! * [`DataLoader`]: mini-batches of a `Dataset`, `batch_size` at a time, with an optional seeded
//!   reshuffle each epoch ([`DataLoader::shuffle`]) and [`DataLoader::drop_last`]. Batches
//!   ([`Batch`]: `features: &[F]`, `labels: &[usize]` or `targets: &[F]`) are borrowed from buffers the loader
//!   reuses; `next_batch()` returns `None` once at the end of each epoch.
//! * Readers return `Result<_, DataError>`; none of them panics on a bad file.
//!   [`read_csv`] / [`read_csv_from`] read a numeric CSV (header, label column by name or index,
//!   gzip detected automatically) into a `Dataset`; errors carry the line and column.
//!   [`read_idx_images`] / [`read_idx_labels`] / [`read_mnist`] read MNIST's IDX files,
//!   validating the magic number and refusing files whose length differs from the header's
//!   dimensions, without ever allocating what a header merely claims.
//! * Labels are judged by one check wherever they come from (a CSV file, MNIST, or
//!   [`Dataset::try_new`] behind [`Dataset::new`]): below the declared number of classes if there
//!   is one, else below a maximum number of classes ([`DEFAULT_MAX_CLASSES`], 65 536, unless
//!   raised), so a stray huge label is an error naming its record rather than billions of classes.
//! * [`digits()`](digits): 1797 8×8 grey images of the digits 0–9, pixels in `[0, 1]`.
//! * [`read_fashion_mnist`] reads a split of Fashion-MNIST from the directory
//!   [`fashion_mnist_dir`] finds (an explicit path, else `FASHION_MNIST_DIR`, else
//!   [`DEFAULT_FASHION_MNIST_DIR`]); a missing file's error says how to get it.
//! * [`read_sklearn_csv`] / [`read_sklearn_csv_from`] read the classification sets scikit-learn
//!   ships as CSV (Iris, wine, breast cancer) with their class names; [`read_diabetes`] /
//!   [`diabetes_from`] read its raw diabetes regression set (two files, data and target).
//!
//! ```
//! use diffprog_nn::data::{digits, DataLoader};
//!
//! let (train, test) = digits().split(42, 1500);
//! let mut loader = DataLoader::new(&train, 32).shuffle(7).drop_last(true);
//! for _epoch in 0..2 {
//!     while let Some(batch) = loader.next_batch() {
//!         // batch.features: 32 × 64 row-major f32, batch.labels: 32 class indices.
//!         assert_eq!(batch.features.len(), 32 * train.feature_len());
//!         assert_eq!(batch.labels.len(), 32);
//!     }
//! }
//! assert_eq!(test.len(), 297);
//! ```

mod classes;
mod csv;
mod dataset;
mod diabetes;
mod digits;
mod error;
mod fashion_mnist;
mod idx;
mod loader;
mod sklearn_csv;
mod standardize;

pub use classes::{LabelBound, DEFAULT_MAX_CLASSES};
pub use csv::{
    read_csv, read_csv_from, read_csv_table, read_csv_table_from, CsvOptions, CsvTable, LabelColumn,
};
pub use dataset::Dataset;
pub use diabetes::{diabetes_from, read_diabetes, DIABETES_FEATURES, DIABETES_FILES};
pub use digits::{digits, digits_with, PixelScale, DIGITS_FEATURES, DIGITS_LEN, DIGITS_MAX_GREY};
pub use error::DataError;
pub use fashion_mnist::{
    fashion_mnist_dir, read_fashion_mnist, FashionMnistError, FashionMnistSplit,
    DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR_VAR, FASHION_MNIST_URL,
};
pub use idx::{
    mnist_dataset, read_idx_images, read_idx_images_from, read_idx_labels, read_idx_labels_from,
    read_mnist, IdxImages, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC,
};
pub use loader::{Batch, DataLoader};
pub use sklearn_csv::{read_sklearn_csv, read_sklearn_csv_from, SklearnCsv};
pub use standardize::Standardizer;

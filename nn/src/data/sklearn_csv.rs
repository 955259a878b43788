//! scikit-learn's CSV layout for its bundled classification sets (Iris, wine, breast cancer):
//! [`read_sklearn_csv`], [`read_sklearn_csv_from`], [`SklearnCsv`].

use super::csv::maybe_gunzip;
use super::{read_csv_from, CsvOptions, DataError, Dataset};
use diffprog_dual::Real;
use std::io::{BufReader, Read};
use std::path::Path;

/// A classification set read from scikit-learn's CSV layout: the samples and the class names
/// its header gives (label `i` is `class_names[i]`).
#[derive(Clone, Debug, PartialEq)]
pub struct SklearnCsv<F: Real = f32> {
    /// The samples, with `n_classes() == class_names.len()`.
    pub data: Dataset<F>,
    /// The class names, in label order.
    pub class_names: Vec<String>,
}

/// Reads a classification set in the layout of the CSV files scikit-learn ships (`iris.csv`,
/// `wine_data.csv`, `breast_cancer.csv`; gzip-compressed or not): a first line
/// `n_samples,n_features,name_0,name_1,…` (the class names, in label order), then one sample
/// per line, `n_features` numbers followed by the integer label.
///
/// The header's counts are checked against the data ([`DataError::BadShape`] says which
/// differs), every label must be below the number of class names, and errors in a sample name
/// its line and column as [`read_csv_from`]'s do.
///
/// ```
/// use diffprog_nn::data::read_sklearn_csv_from;
///
/// let text = "3,2,small,large\n0.5,1.5,0\n2,3,1\n0.25,1,0\n";
/// let set = read_sklearn_csv_from::<f32>(text.as_bytes()).unwrap();
/// assert_eq!(set.class_names, ["small", "large"]);
/// assert_eq!((set.data.len(), set.data.feature_len(), set.data.n_classes()), (3, 2, 2));
/// assert_eq!(set.data.sample(1), (&[2.0f32, 3.0][..], 1));
///
/// // the header announces 4 samples, the file has 3
/// let err = read_sklearn_csv_from::<f32>("4,2,small,large\n0.5,1.5,0\n2,3,1\n0.25,1,0\n".as_bytes());
/// assert_eq!(
///     err.unwrap_err().to_string(),
///     "bad shape: the header (line 1) announces 4 samples but the file has 3"
/// );
/// ```
pub fn read_sklearn_csv_from<F: Real>(reader: impl Read) -> Result<SklearnCsv<F>, DataError> {
    let mut text = String::new();
    maybe_gunzip(BufReader::new(reader))
        .and_then(|mut r| r.read_to_string(&mut text))
        .map_err(|e| DataError::io(None, e))?;
    let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let header: Vec<&str> = first
        .trim_end_matches('\r')
        .split(',')
        .map(str::trim)
        .collect();
    if header.len() < 3 {
        return Err(DataError::BadShape(format!(
            "the header (line 1) is {first:?}; scikit-learn's layout starts with \
             n_samples,n_features and at least one class name"
        )));
    }
    let count = |column: usize, name: &str| -> Result<usize, DataError> {
        header[column].parse().map_err(|_| DataError::Parse {
            line: 1,
            column: column + 1,
            name: name.to_string(),
            text: header[column].to_string(),
        })
    };
    let n_samples = count(0, "n_samples")?;
    let n_features = count(1, "n_features")?;
    let class_names: Vec<String> = header[2..].iter().map(|s| s.to_string()).collect();
    // The samples, read as a header-less CSV; the blank first line keeps the line numbers of
    // errors those of the file.
    let options = CsvOptions {
        has_header: false,
        n_classes: Some(class_names.len()),
        ..CsvOptions::default()
    };
    let data: Dataset<F> = read_csv_from(format!("\n{rest}").as_bytes(), &options)?;
    if data.feature_len() != n_features {
        return Err(DataError::BadShape(format!(
            "the header (line 1) announces {n_features} features but the samples have {}",
            data.feature_len()
        )));
    }
    if data.len() != n_samples {
        return Err(DataError::BadShape(format!(
            "the header (line 1) announces {n_samples} samples but the file has {}",
            data.len()
        )));
    }
    Ok(SklearnCsv { data, class_names })
}

/// [`read_sklearn_csv_from`] on a file; I/O errors name the path.
///
/// ```no_run
/// use diffprog_nn::data::read_sklearn_csv;
///
/// let iris = read_sklearn_csv::<f32>("data/iris/iris.csv")?;
/// assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
/// # Ok::<(), diffprog_nn::data::DataError>(())
/// ```
pub fn read_sklearn_csv<F: Real>(path: impl AsRef<Path>) -> Result<SklearnCsv<F>, DataError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| DataError::io(Some(path.to_path_buf()), e))?;
    read_sklearn_csv_from(file).map_err(|e| match e {
        DataError::Io { path: None, source } => DataError::io(Some(path.to_path_buf()), source),
        e => e,
    })
}

//! The diabetes regression set in scikit-learn's raw layout: [`read_diabetes`],
//! [`diabetes_from`].

use super::{read_csv_table_from, CsvTable, DataError, Dataset};
use diffprog_dual::Real;
use std::io::Read;
use std::path::Path;

/// The names of the diabetes set's ten features, in column order: age, sex, body mass index,
/// mean blood pressure and six blood serum measurements.
pub const DIABETES_FEATURES: [&str; 10] = [
    "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
];

/// The file names of the raw diabetes data and target, as scikit-learn ships them.
pub const DIABETES_FILES: [&str; 2] = ["diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"];

/// Reads the diabetes set (Efron, Hastie, Johnstone & Tibshirani 2004: 442 patients, ten
/// baseline variables, a measure of disease progression one year later) from scikit-learn's
/// two raw files: `data` holds one patient per line, the ten variables of
/// [`DIABETES_FEATURES`] separated by single spaces, unscaled; `target` holds the progression,
/// one number per line in the same order (both gzip-compressed or not). The result is a
/// regression [`Dataset`] with ten features and one target per sample.
///
/// Errors say which input they come from ([`DataError::InFile`] named `"diabetes data"` or
/// `"diabetes target"`) and, within it, the line and column; inputs whose column or line counts
/// differ from the layout are refused with [`DataError::BadShape`].
///
/// ```
/// use diffprog_nn::data::diabetes_from;
///
/// let data = "59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87\n48 1 21.6 87.0 183 103.2 70.0 3.0 3.8918 69\n";
/// let target = "151\n75\n";
/// let d = diabetes_from::<f64>(data.as_bytes(), target.as_bytes()).unwrap();
/// assert_eq!((d.len(), d.feature_len(), d.target_len()), (2, 10, 1));
/// assert_eq!(d.row(1)[2], 21.6);
/// assert_eq!(d.target(1), [75.0]);
///
/// let err = diabetes_from::<f64>(data.as_bytes(), "151\nx\n".as_bytes()).unwrap_err();
/// assert_eq!(err.to_string(), "diabetes target: line 2, column 1 (column 1): \"x\" is not a number");
/// ```
pub fn diabetes_from<F: Real>(data: impl Read, target: impl Read) -> Result<Dataset<F>, DataError> {
    read_named(data, "diabetes data", target, "diabetes target")
}

/// [`diabetes_from`] with the names its errors give the two inputs.
fn read_named<F: Real>(
    data: impl Read,
    data_name: &str,
    target: impl Read,
    target_name: &str,
) -> Result<Dataset<F>, DataError> {
    let in_file = |name: &str| {
        let name = name.to_string();
        move |error| DataError::InFile {
            name,
            error: Box::new(error),
        }
    };
    let x: CsvTable<F> = read_csv_table_from(data, false, b' ').map_err(in_file(data_name))?;
    let y: CsvTable<F> = read_csv_table_from(target, false, b' ').map_err(in_file(target_name))?;
    if x.n_cols != DIABETES_FEATURES.len() {
        return Err(DataError::BadShape(format!(
            "the diabetes data has {} columns; the layout has {} ({})",
            x.n_cols,
            DIABETES_FEATURES.len(),
            DIABETES_FEATURES.join(" ")
        )));
    }
    if y.n_cols != 1 {
        return Err(DataError::BadShape(format!(
            "the diabetes target has {} columns; the layout has one number per line",
            y.n_cols
        )));
    }
    if x.n_rows != y.n_rows {
        return Err(DataError::BadShape(format!(
            "the diabetes data has {} lines but the target {}: the files do not belong together",
            x.n_rows, y.n_rows
        )));
    }
    Dataset::try_with_targets(x.values, y.values, DIABETES_FEATURES.len(), 1)
}

/// [`diabetes_from`] on the files [`DIABETES_FILES`] in the directory `dir`; errors name the
/// file.
///
/// ```no_run
/// use diffprog_nn::data::read_diabetes;
///
/// let d = read_diabetes::<f64>("data/diabetes")?;
/// assert_eq!((d.len(), d.feature_len()), (442, 10));
/// # Ok::<(), diffprog_nn::data::DataError>(())
/// ```
pub fn read_diabetes<F: Real>(dir: impl AsRef<Path>) -> Result<Dataset<F>, DataError> {
    let [data_path, target_path] = DIABETES_FILES.map(|f| dir.as_ref().join(f));
    let open = |p: &Path| std::fs::File::open(p).map_err(|e| DataError::io(Some(p.into()), e));
    let (data, target) = (open(&data_path)?, open(&target_path)?);
    read_named(
        data,
        &data_path.display().to_string(),
        target,
        &target_path.display().to_string(),
    )
}

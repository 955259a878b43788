//! The CSV reader: `read_csv_from` and `read_csv_table_from` on arbitrary bytes (plain or gzip).
//!
//! The first byte picks the options: bit 0 a header row, bit 1 `;` instead of `,`, bits 2–3 the
//! label column (last, index 0, index 1, named "label"), bit 4 ten declared classes, bit 5 a
//! maximum of 16 classes, bit 6 features scaled by 1/2, bit 7 `f32` instead of `f64`.
//! On `Ok` the data set keeps its invariants, and the table reader, on the same bytes, agrees
//! with it value for value.
#![no_main]

mod common;

use common::{check_dataset, check_err};
use diffprog_nn::data::{
    read_csv_from, read_csv_table_from, CsvOptions, Dataset, LabelColumn, DEFAULT_MAX_CLASSES,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let options = CsvOptions {
        has_header: flags & 1 != 0,
        delimiter: if flags & 2 != 0 { b';' } else { b',' },
        label: match (flags >> 2) & 3 {
            0 => LabelColumn::Last,
            1 => LabelColumn::Index(0),
            2 => LabelColumn::Index(1),
            _ => LabelColumn::Name("label".to_string()),
        },
        feature_scale: if flags & 64 != 0 { 0.5 } else { 1.0 },
        n_classes: (flags & 16 != 0).then_some(10),
        max_classes: if flags & 32 != 0 {
            16
        } else {
            DEFAULT_MAX_CLASSES
        },
    };
    let table = read_csv_table_from::<f64>(input, options.has_header, options.delimiter);
    match &table {
        Ok(t) => {
            assert!(t.n_rows > 0 && t.n_cols > 0);
            assert_eq!(t.values.len(), t.n_rows * t.n_cols);
            if let Some(h) = &t.header {
                assert_eq!(h.len(), t.n_cols);
            }
        }
        Err(e) => check_err(e),
    }
    if flags & 128 != 0 {
        match read_csv_from::<f32>(input, &options) {
            Ok(d) => check_against_table(&d, &options, table.as_ref().ok()),
            Err(e) => check_err(e),
        }
    } else {
        match read_csv_from::<f64>(input, &options) {
            Ok(d) => check_against_table(&d, &options, table.as_ref().ok()),
            Err(e) => check_err(e),
        }
    }
});

/// A data set read from the same bytes as `table`: the table must have been read too, with one
/// more column (the label) and the same rows, and every feature and label must match it.
fn check_against_table<F: diffprog_nn::Element>(
    d: &Dataset<F>,
    options: &CsvOptions,
    table: Option<&diffprog_nn::data::CsvTable<f64>>,
) {
    check_dataset(d, options.max_classes);
    assert!(!d.is_empty());
    if let Some(k) = options.n_classes {
        assert_eq!(d.n_classes(), k);
    }
    let t = table.expect("the table reader refused what the data-set reader accepted");
    assert_eq!(t.n_rows, d.len());
    assert_eq!(t.n_cols, d.feature_len() + 1);
    let label_col = match &options.label {
        LabelColumn::Last => t.n_cols - 1,
        LabelColumn::Index(i) => *i,
        LabelColumn::Name(n) => t
            .header
            .as_ref()
            .and_then(|h| h.iter().position(|c| c == n))
            .expect("a named label column is in the header"),
    };
    for (i, row) in t.values.chunks_exact(t.n_cols).enumerate() {
        let (x, label) = d.sample(i);
        assert_eq!(row[label_col], label as f64, "row {i}");
        let features = row
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != label_col)
            .map(|(_, &v)| F::from_f64(v * options.feature_scale));
        for (a, b) in x.iter().zip(features) {
            assert!(*a == b || (a.is_nan() && b.is_nan()), "row {i}");
        }
    }
}

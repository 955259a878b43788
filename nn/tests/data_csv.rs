//! CSV reader (plain and gzip, from files in a temp dir) and the embedded digits set.

use diffprog_nn::data::{
    digits, digits_with, read_csv, read_csv_from, read_csv_table, CsvOptions, DataError,
    LabelBound, LabelColumn, PixelScale, DEFAULT_MAX_CLASSES, DIGITS_FEATURES, DIGITS_LEN,
};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::PathBuf;

/// A fresh directory under the system temp dir, unique to this process and test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "diffprog-nn-data-csv-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(text: &str, opts: &CsvOptions) -> Result<diffprog_nn::data::Dataset<f64>, DataError> {
    read_csv_from::<f64>(text.as_bytes(), opts)
}

#[test]
fn reads_header_label_by_name_anywhere() {
    let text = "label,a,b\n2,1.5,-2\n0, 3e2 ,4\r\n\n1,0,0.25\n";
    let d = read(text, &CsvOptions::label_named("label")).unwrap();
    assert_eq!((d.len(), d.feature_len(), d.n_classes()), (3, 2, 3));
    assert_eq!(d.features(), [1.5, -2.0, 300.0, 4.0, 0.0, 0.25]);
    assert_eq!(d.labels(), [2, 0, 1]);
}

#[test]
fn options_index_no_header_delimiter_scale_classes() {
    let opts = CsvOptions {
        has_header: false,
        delimiter: b';',
        label: LabelColumn::Index(1),
        feature_scale: 0.5,
        n_classes: Some(5),
        max_classes: 5,
    };
    let d = read("2;1;4\n6;3.0;8\n", &opts).unwrap();
    assert_eq!(d.features(), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(d.labels(), [1, 3]);
    assert_eq!(d.n_classes(), 5);
    let err = read("2;7;4\n", &opts).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                line: 1,
                limit: 5,
                bound: LabelBound::NClasses,
                ..
            }
        ),
        "{err}"
    );
    // a declared number of classes above the maximum is refused before anything is read
    let err = read(
        "2;1;4\n",
        &CsvOptions {
            n_classes: Some(6),
            ..opts.clone()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooManyClasses {
                n_classes: 6,
                max_classes: 5
            }
        ),
        "{err}"
    );
}

#[test]
fn errors_name_line_and_column() {
    let opts = CsvOptions::default();
    match read("a,b,y\n1,2,0\n3,x4,1\n", &opts).unwrap_err() {
        DataError::Parse {
            line,
            column,
            name,
            text,
        } => {
            assert_eq!(
                (line, column, name.as_str(), text.as_str()),
                (3, 2, "b", "x4")
            );
        }
        e => panic!("wrong error {e}"),
    }
    match read("a,b,y\n1,2,0\n\n3,1\n", &opts).unwrap_err() {
        DataError::RaggedRow {
            line,
            expected,
            found,
        } => assert_eq!((line, expected, found), (4, 3, 2)),
        e => panic!("wrong error {e}"),
    }
    for bad in ["-1", "1.5", "nan", "inf", "x"] {
        let err = read(&format!("a,y\n1,{bad}\n"), &opts).unwrap_err();
        assert!(
            matches!(err, DataError::InvalidLabel { line: 2, .. }),
            "{bad}: {err}"
        );
    }
    let err = read("a,y\n1,0\n", &CsvOptions::label_named("class")).unwrap_err();
    assert!(matches!(err, DataError::MissingColumn { .. }), "{err}");
    assert!(err.to_string().contains("a, y"), "{err}");
    let err = read(
        "1,0\n",
        &CsvOptions {
            has_header: false,
            label: LabelColumn::Index(2),
            ..CsvOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, DataError::MissingColumn { .. }), "{err}");
    assert!(matches!(read("", &opts), Err(DataError::Empty)));
    assert!(matches!(read("a,y\n\n", &opts), Err(DataError::Empty)));
    // invalid UTF-8 is an error, not a panic
    let err = read_csv_from::<f32>(&b"a,y\n\xff,1\n"[..], &opts).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
}

#[test]
fn reads_plain_and_gzip_files() {
    let dir = temp_dir("files");
    let text = "x0,x1,label\n0.5,1,1\n2,3,0\n";
    let plain = dir.join("t.csv");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.join("t.csv.gz");
    let mut enc = GzEncoder::new(std::fs::File::create(&gz).unwrap(), Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let opts = CsvOptions::label_named("label");
    let a = read_csv::<f32>(&plain, &opts).unwrap();
    let b = read_csv::<f32>(&gz, &opts).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.features(), [0.5, 1.0, 2.0, 3.0]);
    let t = read_csv_table::<f64>(&gz, true, b',').unwrap();
    assert_eq!((t.n_rows, t.n_cols), (2, 3));
    assert_eq!(t.values, [0.5, 1.0, 1.0, 2.0, 3.0, 0.0]);
    // a missing file reports its path
    let err = read_csv::<f32>(dir.join("absent.csv"), &opts).unwrap_err();
    assert!(err.to_string().contains("absent.csv"), "{err}");
    // a truncated gzip stream is an I/O error, not a panic
    let bytes = std::fs::read(&gz).unwrap();
    let err = read_csv_from::<f32>(&bytes[..bytes.len() - 10], &opts).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn digits_set_is_complete_and_normalised() {
    let d = digits();
    assert_eq!(
        (d.len(), d.feature_len(), d.n_classes()),
        (DIGITS_LEN, DIGITS_FEATURES, 10)
    );
    // every class is present, roughly balanced (the set has 174..=183 per class)
    let counts = d.class_counts();
    assert_eq!(counts.iter().sum::<usize>(), 1797);
    assert!(
        counts.iter().all(|&c| (170..=190).contains(&c)),
        "{counts:?}"
    );
    assert!(d.features().iter().all(|&p| (0.0..=1.0).contains(&p)));
    let raw = digits_with::<f64>(PixelScale::Raw);
    assert!(raw
        .features()
        .iter()
        .all(|&p| p.fract() == 0.0 && (0.0..=16.0).contains(&p)));
    assert_eq!(raw.features().iter().cloned().fold(0.0, f64::max), 16.0);
    for (u, r) in d.features().iter().zip(raw.features()) {
        assert_eq!(*u, (*r / 16.0) as f32);
    }
    assert_eq!(raw.labels(), d.labels());
    // first image of the file is a zero
    assert_eq!(d.labels()[0], 0);
    assert_eq!(raw.row(0)[..8], [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(diffprog_testkit::config(256))]

        /// Arbitrary bytes (including invalid UTF-8 and gzip magic) never panic the readers.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_csv_from::<f32>(&bytes[..], &CsvOptions::default());
            let _ = diffprog_nn::data::read_csv_table_from::<f64>(&bytes[..], false, b',');
            let mut gz = vec![0x1f, 0x8b];
            gz.extend_from_slice(&bytes);
            let _ = read_csv_from::<f32>(&gz[..], &CsvOptions::default());
        }

        /// Text made of CSV-ish characters: a success always has consistent shapes.
        #[test]
        fn csvish_text_is_read_or_refused(text in "[0-9a,.\\n -]{0,80}", has_header in any::<bool>()) {
            let opts = CsvOptions { has_header, ..CsvOptions::default() };
            if let Ok(d) = read_csv_from::<f64>(text.as_bytes(), &opts) {
                prop_assert_eq!(d.features().len(), d.len() * d.feature_len());
                prop_assert!(d.labels().iter().all(|&l| l < d.n_classes()));
            }
        }
    }
}

/// Issue 20, hole 3: huge integer labels. `18446744073709551615` used to panic in
/// `Dataset::new` (`max + 1` overflows) and `4294967296` gave 4 294 967 297 classes, while the
/// same value written as a float was refused. Now every label passes one check: below the declared
/// number of classes if any, else below the maximum number of classes.
#[test]
fn huge_labels_are_refused_not_panicked_on() {
    let opts = CsvOptions::default();
    assert_eq!(opts.max_classes, 65536);
    for text in [
        "18446744073709551615",
        "18446744073709551616",
        "4294967296",
        "4294967296.0",
        "1e300",
        "65536",
    ] {
        let csv = format!("x,y\n1,0\n2,{text}\n");
        let got = std::panic::catch_unwind(|| read(&csv, &opts));
        let err = match got {
            Ok(Err(e)) => e,
            Ok(Ok(d)) => panic!("label {text}: read as {} classes", d.n_classes()),
            Err(_) => panic!("label {text}: the reader panicked"),
        };
        match &err {
            DataError::LabelOutOfRange {
                line: 3,
                text: t,
                limit: DEFAULT_MAX_CLASSES,
                bound: LabelBound::MaxClasses,
            } => assert_eq!(t, text),
            _ => panic!("label {text}: {err}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("record 3") && msg.contains(text) && msg.contains("65536"),
            "label {text}: {msg}"
        );
    }
    // The largest label allowed by default, written as an integer and as a float.
    for text in ["65535", "65535.0"] {
        let d = read(&format!("x,y\n1,{text}\n"), &opts).unwrap();
        assert_eq!(d.n_classes(), 65536, "{text}");
    }
    // The maximum is configurable, both ways.
    let small = CsvOptions {
        max_classes: 3,
        ..CsvOptions::default()
    };
    assert_eq!(read("x,y\n1,2\n", &small).unwrap().n_classes(), 3);
    let err = read("x,y\n1,2\n5,3.0\n", &small).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                line: 3,
                limit: 3,
                ..
            }
        ),
        "{err}"
    );
    let large = CsvOptions {
        max_classes: 1 << 20,
        ..CsvOptions::default()
    };
    assert_eq!(
        read("x,y\n1,1000000\n", &large).unwrap().n_classes(),
        1_000_001
    );
}

/// A label written as a decimal is taken only if it is exactly an integer: `4.0000000000000001`
/// and `1e-400` used to round (through `f64`) to the labels 4 and 0.
#[test]
fn decimal_labels_must_be_exact_integers() {
    let opts = CsvOptions::default();
    for text in [
        "4.0000000000000001",
        "3.9999999999999999",
        "1e-400",
        "1.5",
        "-1.0",
        "-1e0",
        ".",
        "e1",
        "1e",
        "1e+",
        "inf",
        "NaN",
        "1_0",
    ] {
        let err = read(&format!("x,y\n1,0\n2,{text}\n"), &opts).unwrap_err();
        assert!(
            matches!(&err, DataError::InvalidLabel { line: 3, text: t, .. } if t == text),
            "{text}: {err}"
        );
    }
    for (text, label) in [
        ("4.0", 4),
        ("4.", 4),
        ("+4", 4),
        ("4e0", 4),
        ("0.5e1", 5),
        ("5E+0", 5),
        (".5e1", 5),
        ("40e-1", 4),
        ("0.04E2", 4),
        ("-0", 0),
        ("-0.0", 0),
        ("000", 0),
        ("1.2e1", 12),
        ("65535.000", 65535),
    ] {
        let d = read(&format!("x,y\n1,{text}\n"), &opts).unwrap();
        assert_eq!(d.labels(), [label], "{text}");
    }
    // Exact integers too large for the maximum are out of range, not invalid.
    for text in ["1e30", "1e400", "99999999999999999999999.0"] {
        let err = read(&format!("x,y\n1,{text}\n"), &opts).unwrap_err();
        assert!(
            matches!(err, DataError::LabelOutOfRange { line: 2, .. }),
            "{text}: {err}"
        );
    }
}

/// The repository's copy of a data directory (`data/` at the workspace root).
fn repo_data(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(dir)
}

#[test]
fn sklearn_csv_reads_iris_with_its_class_names() {
    use diffprog_nn::data::read_sklearn_csv;
    let iris = read_sklearn_csv::<f64>(repo_data("iris").join("iris.csv")).unwrap();
    assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
    let d = &iris.data;
    assert_eq!((d.len(), d.feature_len(), d.n_classes()), (150, 4, 3));
    assert_eq!(d.class_counts(), [50, 50, 50]);
    assert_eq!(d.sample(0), (&[5.1, 3.5, 1.4, 0.2][..], 0));
    assert_eq!(d.sample(149), (&[5.9, 3.0, 5.1, 1.8][..], 2));
    // the summary statistics of iris.rst: petal length spans 1.0–6.9, mean 3.76
    let petal: Vec<f64> = (0..150).map(|i| d.row(i)[2]).collect();
    let mean = petal.iter().sum::<f64>() / 150.0;
    assert!((mean - 3.758).abs() < 1e-3, "{mean}");
    assert_eq!(petal.iter().cloned().fold(f64::INFINITY, f64::min), 1.0);
    assert_eq!(petal.iter().cloned().fold(0.0, f64::max), 6.9);
}

#[test]
fn sklearn_csv_errors_say_what_differs_from_the_header() {
    use diffprog_nn::data::read_sklearn_csv_from;
    let read = |t: &str| read_sklearn_csv_from::<f32>(t.as_bytes()).unwrap_err();
    let err = read("2,2,a,b\n1,2,0\n3,4,1\n5,6,1\n");
    assert_eq!(
        err.to_string(),
        "bad shape: the header (line 1) announces 2 samples but the file has 3"
    );
    let err = read("2,3,a,b\n1,2,0\n3,4,1\n");
    assert_eq!(
        err.to_string(),
        "bad shape: the header (line 1) announces 3 features but the samples have 2"
    );
    // a label beyond the class names, with the file's line number
    let err = read("2,2,a,b\n1,2,0\n3,4,2\n");
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                line: 3,
                limit: 2,
                bound: LabelBound::NClasses,
                ..
            }
        ),
        "{err}"
    );
    let err = read("two,2,a,b\n1,2,0\n");
    assert_eq!(
        err.to_string(),
        "line 1, column 1 (n_samples): \"two\" is not a number"
    );
    let err = read("2,2\n1,2,0\n");
    assert!(
        matches!(err, DataError::BadShape(ref m) if m.contains("at least one class name")),
        "{err}"
    );
    let err = read("1,2,a\n1,x,0\n");
    assert!(
        matches!(
            err,
            DataError::Parse {
                line: 2,
                column: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(matches!(read("1,2,a\n"), DataError::Empty));
    // a missing file names its path
    let err = diffprog_nn::data::read_sklearn_csv::<f32>(repo_data("iris").join("absent.csv"))
        .unwrap_err();
    assert!(err.to_string().contains("absent.csv"), "{err}");
}

#[test]
fn diabetes_reads_the_raw_files() {
    use diffprog_nn::data::{read_diabetes, DIABETES_FEATURES};
    let d = read_diabetes::<f64>(repo_data("diabetes")).unwrap();
    assert_eq!(
        (d.len(), d.feature_len(), d.target_len()),
        (442, DIABETES_FEATURES.len(), 1)
    );
    assert_eq!(
        d.row(0),
        [59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]
    );
    assert_eq!((d.target(0), d.target(441)), (&[151.0][..], &[57.0][..]));
    // sex is coded 1 or 2; the target (progression) lies in 25–346
    assert!((0..442).all(|i| [1.0, 2.0].contains(&d.row(i)[1])));
    let (lo, hi) = d
        .targets()
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
    assert_eq!((lo, hi), (25.0, 346.0));
}

#[test]
fn diabetes_errors_name_the_input() {
    use diffprog_nn::data::{diabetes_from, read_diabetes};
    let row = "59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87\n";
    let err = diabetes_from::<f64>(row.as_bytes(), "151 1\n".as_bytes()).unwrap_err();
    assert!(
        matches!(err, DataError::BadShape(ref m) if m.contains("target has 2 columns")),
        "{err}"
    );
    let err = diabetes_from::<f64>(row.as_bytes(), "151\n75\n".as_bytes()).unwrap_err();
    assert!(
        matches!(err, DataError::BadShape(ref m) if m.contains("1 lines but the target 2")),
        "{err}"
    );
    let err = diabetes_from::<f64>("1 2 3\n".as_bytes(), "151\n".as_bytes()).unwrap_err();
    assert!(
        matches!(err, DataError::BadShape(ref m) if m.contains("has 3 columns")),
        "{err}"
    );
    let bad = row.replace("32.1", "3x");
    let err = diabetes_from::<f64>(bad.as_bytes(), "151\n".as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "diabetes data: line 1, column 3 (column 3): \"3x\" is not a number"
    );
    // from files: a missing file names its path; a bad one names its path and line
    let dir = temp_dir("diabetes");
    let err = read_diabetes::<f64>(&dir).unwrap_err();
    assert!(
        err.to_string().contains("diabetes_data_raw.csv.gz"),
        "{err}"
    );
    std::fs::write(dir.join("diabetes_data_raw.csv.gz"), row).unwrap();
    std::fs::write(dir.join("diabetes_target.csv.gz"), "1e\n").unwrap();
    let err = read_diabetes::<f64>(&dir).unwrap_err();
    match &err {
        DataError::InFile { name, error } => {
            assert!(name.ends_with("diabetes_target.csv.gz"), "{name}");
            assert!(
                matches!(**error, DataError::Parse { line: 1, .. }),
                "{error}"
            );
        }
        e => panic!("wrong error {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! Deterministic mutation tests of every file reader: the CSV reader, the IDX image and label
//! readers (plain and gzip) and checkpoint loading (including the model description and the
//! preprocessing, rebuilt as a model that must then predict).
//!
//! Each reader gets a few thousand cases. A case takes a valid file, applies one to three seeded
//! mutations — bit flips, byte overwrites, inserts, deletes, truncations, duplicated chunks and
//! edits of the format's header fields (huge or zero dimensions, lengths, shapes, labels) — and
//! reads the result. It passes if the reader does not panic and either returns `Ok` with data
//! that keeps its own invariants or an `Err` with a non-empty message. A panic is caught and
//! reported with the reader, the case number, its seed and the input in hex, so any failure
//! reproduces from the message alone.
//!
//! This is the fuzzers' (fuzz/, `cargo fuzz`) deterministic little sibling: it keeps the readers
//! honest in the normal suite. `MUTATION_CASES=N` runs N cases per reader instead of the default.

use diffprog_nn::checkpoint::{ArrayData, Checkpoint, ParamTarget, MAGIC};
use diffprog_nn::data::Standardizer;
use diffprog_nn::data::{
    mnist_dataset, read_csv_from, read_csv_table_from, read_idx_images_from, read_idx_labels_from,
    CsvOptions, CsvTable, DataError, Dataset, IdxImages, LabelColumn, DEFAULT_MAX_CLASSES,
    IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC,
};
use diffprog_nn::layers::{seeded_rng, Init, Layer, Sequential};
use diffprog_nn::{Graph, TrainedModel, Unary};
use flate2::write::GzEncoder;
use flate2::Compression;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases per reader: 5000, or `MUTATION_CASES` from the environment.
fn cases() -> usize {
    std::env::var("MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000)
}

/// Runs `cases()` cases of one reader. Case `i` draws everything from its own seed
/// `seed + i`: `make` builds the input (and a byte of options for `check`), `check` reads it,
/// asserts the invariants of an `Ok` or the message of an `Err`, and says which it was.
/// Returns how many inputs were accepted and how many refused.
fn run(
    reader: &str,
    seed: u64,
    make: impl Fn(&mut ChaCha8Rng) -> (Vec<u8>, u8),
    check: impl Fn(&[u8], u8) -> bool,
) -> (usize, usize) {
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases() {
        let case_seed = seed.wrapping_add(case as u64);
        let mut rng = ChaCha8Rng::seed_from_u64(case_seed);
        let (input, flags) = make(&mut rng);
        match catch_unwind(AssertUnwindSafe(|| check(&input, flags))) {
            Ok(true) => accepted += 1,
            Ok(false) => refused += 1,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!(
                    "{reader}: case {case} (seed {case_seed}, flags {flags:#04x}) panicked: {msg}\n\
                     input ({} bytes): {}",
                    input.len(),
                    hex(&input)
                );
            }
        }
    }
    eprintln!(
        "{reader}: {} cases, {accepted} accepted, {refused} refused",
        cases()
    );
    (accepted, refused)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An error is fine, but it must say something.
fn refused(e: impl std::fmt::Display) -> bool {
    assert!(!e.to_string().is_empty(), "an error with an empty message");
    false
}

/// Tokens that make CSV and number parsing interesting.
const TOKENS: &[&str] = &[
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "65536",
    "65535",
    "1e300",
    "-1",
    "-0",
    "3.5",
    "nan",
    "inf",
    "",
    ",",
    ";",
    "\n",
    "\r\n",
    " ",
    "label",
    "\u{feff}",
    "\x1f\u{8b}",
];

/// One to three random mutations of `bytes`; `header_edit` is the format's own (a dimension, a
/// length or a label changed to something extreme).
fn mutate(
    rng: &mut ChaCha8Rng,
    bytes: &mut Vec<u8>,
    header_edit: &dyn Fn(&mut ChaCha8Rng, &mut Vec<u8>),
) {
    for _ in 0..rng.random_range(1..=3) {
        let n = bytes.len();
        let pos = |rng: &mut ChaCha8Rng, extra: usize| rng.random_range(0..n + extra);
        match rng.random_range(0..8) {
            0 if n > 0 => {
                let i = pos(rng, 0);
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            1 if n > 0 => {
                let i = pos(rng, 0);
                bytes[i] = match rng.random_range(0..3) {
                    0 => rng.random(),
                    1 => [0, 0xff, 0x7f, 0x80][rng.random_range(0..4)],
                    _ => b"0123456789,;.-+eE\n "[rng.random_range(0..19)],
                };
            }
            2 => {
                let i = pos(rng, 1);
                let k = rng.random_range(1..=4);
                let ins: Vec<u8> = (0..k).map(|_| rng.random()).collect();
                bytes.splice(i..i, ins);
            }
            3 if n > 0 => {
                let i = pos(rng, 0);
                let end = (i + rng.random_range(1..=8)).min(n);
                bytes.drain(i..end);
            }
            4 => bytes.truncate(pos(rng, 1)),
            5 if n > 0 => {
                let i = pos(rng, 0);
                let end = (i + rng.random_range(1..=16)).min(n);
                let chunk = bytes[i..end].to_vec();
                let at = rng.random_range(0..=n);
                bytes.splice(at..at, chunk);
            }
            _ => header_edit(rng, bytes),
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

// ---------------------------------------------------------------- CSV

/// Valid CSV files, each with the options byte (see [`csv_options`]) that reads it.
const CSV_FILES: &[(&str, u8)] = &[
    ("x,y,label\n0.5,1.5,1\n2,3,0\n", 0x01),
    ("label,a,b\n2,1.5,-2\n0, 3e2 ,4\r\n\n1,0,0.25\n", 0x0d),
    ("2;1;4\n6;3.0;8\n", 0x0a),
    ("a,b,y\n1,2,9\n3,4,0\n5,6,3\n", 0x11),
    ("x,y\n1e-3,0\ninf,1\n-0,2.0\nNaN,3\n", 0x41),
    (
        "p0,p1,p2,p3,label\n0,0,5,13,0\n0,0,0,12,1\n0,0,0,4,2\n",
        0x2d,
    ),
];

/// Options from a byte: bit 0 a header, bit 1 `;`, bits 2–3 the label column, bit 4 ten declared
/// classes, bit 5 at most 16 classes, bit 6 features halved.
fn csv_options(flags: u8) -> CsvOptions {
    CsvOptions {
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
    }
}

fn check_dataset<F: diffprog_nn::Element>(d: &Dataset<F>, max_classes: usize) {
    assert!(d.feature_len() > 0);
    assert_eq!(d.features().len(), d.len() * d.feature_len());
    assert!(d.n_classes() <= max_classes, "{} classes", d.n_classes());
    assert!(d.labels().iter().all(|&l| l < d.n_classes()));
    assert_eq!(d.class_counts().iter().sum::<usize>(), d.len());
}

/// A data set read from the same bytes as `table` agrees with it value for value.
fn check_csv(d: &Dataset<f64>, options: &CsvOptions, table: Option<&CsvTable<f64>>) {
    check_dataset(d, options.max_classes);
    assert!(!d.is_empty());
    if let Some(k) = options.n_classes {
        assert_eq!(d.n_classes(), k);
    }
    let t = table.expect("the table reader refused what the data-set reader accepted");
    assert_eq!((t.n_rows, t.n_cols), (d.len(), d.feature_len() + 1));
    let label_col = match &options.label {
        LabelColumn::Last => t.n_cols - 1,
        LabelColumn::Index(i) => *i,
        LabelColumn::Name(n) => t
            .header
            .as_ref()
            .and_then(|h| h.iter().position(|c| c == n))
            .expect("the label column is in the header"),
    };
    for (i, row) in t.values.chunks_exact(t.n_cols).enumerate() {
        let (x, label) = d.sample(i);
        assert_eq!(row[label_col], label as f64, "row {i}");
        let expected = row
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != label_col)
            .map(|(_, &v)| v * options.feature_scale);
        for (a, b) in x.iter().zip(expected) {
            assert!(*a == b || (a.is_nan() && b.is_nan()), "row {i}: {a} vs {b}");
        }
    }
}

fn read_csv_checked(bytes: &[u8], flags: u8) -> bool {
    let options = csv_options(flags);
    let table = read_csv_table_from::<f64>(bytes, options.has_header, options.delimiter);
    match &table {
        Ok(t) => {
            assert!(t.n_rows > 0 && t.n_cols > 0);
            assert_eq!(t.values.len(), t.n_rows * t.n_cols);
            if let Some(h) = &t.header {
                assert_eq!(h.len(), t.n_cols);
            }
        }
        Err(e) => {
            refused(e);
        }
    }
    match read_csv_from::<f64>(bytes, &options) {
        Ok(d) => {
            check_csv(&d, &options, table.as_ref().ok());
            true
        }
        Err(e) => refused(e),
    }
}

fn csv_token_edit(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    let i = rng.random_range(0..=bytes.len());
    let t = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
    if rng.random_bool(0.5) {
        bytes.splice(i..i, t.iter().copied());
    } else {
        // replace the field under `i` (up to the next separator or line end) by the token
        let end = bytes[i..]
            .iter()
            .position(|&b| matches!(b, b',' | b';' | b'\n'))
            .map_or(bytes.len(), |k| i + k);
        bytes.splice(i..end, t.iter().copied());
    }
}

#[test]
fn csv_reader_survives_mutations() {
    let (ok, err) = run(
        "csv",
        0xC5F0_0000,
        |rng| {
            let (text, flags) = CSV_FILES[rng.random_range(0..CSV_FILES.len())];
            let mut bytes = text.as_bytes().to_vec();
            mutate(rng, &mut bytes, &csv_token_edit);
            if rng.random_range(0..8) == 0 {
                bytes = gzip(&bytes);
            }
            // The file's own options half the time, any options otherwise.
            (
                bytes,
                if rng.random_bool(0.5) {
                    flags
                } else {
                    rng.random()
                },
            )
        },
        read_csv_checked,
    );
    assert!(ok > 0 && err > 0, "accepted {ok}, refused {err}");
}

// ---------------------------------------------------------------- IDX

fn idx(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = magic.to_be_bytes().to_vec();
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(payload);
    v
}

fn idx_images_files() -> Vec<Vec<u8>> {
    let pixels = |n: u32| (0..n).map(|i| (i * 7 % 256) as u8).collect::<Vec<u8>>();
    vec![
        idx(IDX_IMAGES_MAGIC, &[2, 3, 4], &pixels(24)),
        idx(IDX_IMAGES_MAGIC, &[3, 2, 2], &pixels(12)),
        idx(IDX_IMAGES_MAGIC, &[1, 1, 5], &pixels(5)),
        idx(IDX_IMAGES_MAGIC, &[0, 28, 28], &[]),
    ]
}

fn idx_labels_files() -> Vec<Vec<u8>> {
    vec![
        idx(IDX_LABELS_MAGIC, &[5], &[3, 1, 4, 1, 5]),
        idx(IDX_LABELS_MAGIC, &[10], &[9, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
        idx(IDX_LABELS_MAGIC, &[0], &[]),
    ]
}

/// Sets one header dimension (or the type / dimension-count byte) to an extreme value.
#[allow(clippy::ptr_arg)] // the signature every header edit shares; others resize
fn idx_header_edit(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    let dims = (bytes.len().saturating_sub(4)) / 4;
    if dims == 0 || rng.random_range(0..5) == 0 {
        if bytes.len() >= 4 {
            let i = rng.random_range(2..4);
            bytes[i] = [0, 1, 3, 8, 9, 0x0d, 0xff][rng.random_range(0..7)];
        }
        return;
    }
    let k = rng.random_range(0..dims.min(3));
    let at = 4 + 4 * k;
    let old = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let new = match rng.random_range(0..7) {
        0 => 0,
        1 => 1,
        2 => u32::MAX,
        3 => 0x7fff_ffff,
        4 => 1 << 24,
        5 => old.wrapping_add(1),
        _ => old.wrapping_sub(1),
    };
    bytes[at..at + 4].copy_from_slice(&new.to_be_bytes());
}

/// The invariants of images whose payload (decompressed, after the header) is `payload`, and
/// that they make a data set.
fn check_images(im: &IdxImages, payload: Option<&[u8]>) {
    assert!(im.rows() > 0 && im.cols() > 0);
    assert_eq!(im.pixels().len(), im.count() * im.image_len());
    if let Some(p) = payload {
        assert_eq!(im.pixels(), p);
    }
    assert_eq!(im.iter().len(), im.count());
    assert!(im.get(im.count()).is_none());
    let labels: Vec<u8> = (0..im.count()).map(|i| (i % 10) as u8).collect();
    let d = mnist_dataset::<f32>(im, &labels, 10, 1.0).expect("valid images make a data set");
    check_dataset(&d, 10);
    assert_eq!((d.len(), d.feature_len()), (im.count(), im.image_len()));
}

fn read_images_checked(bytes: &[u8], _: u8) -> bool {
    match read_idx_images_from(bytes) {
        Ok(im) => {
            assert_eq!(bytes.len(), 16 + im.pixels().len());
            check_images(&im, Some(&bytes[16..]));
            true
        }
        Err(e) => refused(e),
    }
}

/// Labels are the payload, and MNIST's label check (`n_classes` from `flags`) refuses exactly the
/// first label that is too large.
fn read_labels_checked(bytes: &[u8], flags: u8) -> bool {
    let labels = match read_idx_labels_from(bytes) {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    assert_eq!(labels, bytes[8..]);
    let n_classes = usize::from(flags % 12);
    let images = IdxImages::new(labels.len(), 1, 1, labels.clone()).unwrap();
    match mnist_dataset::<f64>(&images, &labels, n_classes, 1.0) {
        Ok(d) => {
            check_dataset(&d, n_classes);
            assert!(labels.iter().all(|&l| usize::from(l) < n_classes));
        }
        Err(e) => {
            let first_bad = labels.iter().position(|&l| usize::from(l) >= n_classes);
            assert!(
                matches!(e, DataError::LabelOutOfRange { line, limit, .. }
                    if Some(line) == first_bad.map(|i| i + 1) && limit == n_classes),
                "{e}"
            );
        }
    }
    true
}

#[test]
fn idx_image_reader_survives_mutations() {
    let files = idx_images_files();
    let (ok, err) = run(
        "idx images",
        0x1D0_0000,
        |rng| {
            let mut bytes = files[rng.random_range(0..files.len())].clone();
            mutate(rng, &mut bytes, &idx_header_edit);
            (bytes, 0)
        },
        read_images_checked,
    );
    assert!(ok > 0 && err > 0, "accepted {ok}, refused {err}");
}

#[test]
fn idx_label_reader_survives_mutations() {
    let files = idx_labels_files();
    let (ok, err) = run(
        "idx labels",
        0x1D1_0000,
        |rng| {
            let mut bytes = files[rng.random_range(0..files.len())].clone();
            mutate(rng, &mut bytes, &idx_header_edit);
            (bytes, rng.random())
        },
        read_labels_checked,
    );
    assert!(ok > 0 && err > 0, "accepted {ok}, refused {err}");
}

/// Gzip input: mutations of the compressed stream (decoder errors must be errors, not panics),
/// and mutations of the plain file compressed afterwards (the result must equal the plain read).
#[test]
fn idx_gzip_readers_survive_mutations() {
    let files: Vec<Vec<u8>> = idx_images_files()
        .into_iter()
        .chain(idx_labels_files())
        .collect();
    let (ok, err) = run(
        "idx gzip stream",
        0x1D2_0000,
        |rng| {
            let mut bytes = gzip(&files[rng.random_range(0..files.len())]);
            mutate(rng, &mut bytes, &|_, _| {});
            (bytes, 0)
        },
        |bytes, _| {
            let images = match read_idx_images_from(bytes) {
                Ok(im) => {
                    check_images(&im, None);
                    true
                }
                Err(e) => refused(e),
            };
            let labels = match read_idx_labels_from(bytes) {
                Ok(_) => true,
                Err(e) => refused(e),
            };
            images || labels
        },
    );
    // Damaged deflate data rarely decodes, and then fails its CRC: most cases are refused.
    assert!(err > 0, "accepted {ok}, refused {err}");

    let (ok, err) = run(
        "idx gzip payload",
        0x1D3_0000,
        |rng| {
            let mut bytes = files[rng.random_range(0..files.len())].clone();
            mutate(rng, &mut bytes, &idx_header_edit);
            (bytes, rng.random())
        },
        |plain, flags| {
            if plain.starts_with(&[0x1f, 0x8b]) {
                return false; // the plain reader would decompress it itself
            }
            let compressed = if flags & 1 != 0 {
                let (a, b) = plain.split_at(plain.len() / 2);
                [gzip(a), gzip(b)].concat() // two gzip members
            } else {
                gzip(plain)
            };
            let accepted = match (
                read_idx_images_from(plain),
                read_idx_images_from(&compressed[..]),
            ) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b);
                    check_images(&b, Some(&plain[16..]));
                    true
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a.to_string(), b.to_string());
                    refused(b)
                }
                (a, b) => panic!("plain {a:?} but gzip {b:?}"),
            };
            match (
                read_idx_labels_from(plain),
                read_idx_labels_from(&compressed[..]),
            ) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("plain {a:?} but gzip {b:?}"),
            }
            accepted
        },
    );
    assert!(ok > 0 && err > 0, "accepted {ok}, refused {err}");
}

// ---------------------------------------------------------------- checkpoints

fn checkpoint_files() -> Vec<Vec<u8>> {
    let mut mixed = Checkpoint::new("mlp 3-2-1 tanh");
    mixed
        .push(
            "l1.w",
            &[2, 3],
            &[1.0f32, -2.5, 3.25, f32::MIN_POSITIVE, -0.0, 1e30],
        )
        .push("l1.b", &[2], &[0.5f32, -0.5])
        .push("l2.w", &[1, 2], &[std::f64::consts::PI, -1e-300])
        .push("scale", &[], &[2.0f64]);
    mixed
        .set_metadata("epoch", "7")
        .set_metadata("note", "ünïcode ✓");
    let mut f32s = Checkpoint::new("affine 3->2");
    f32s.push("w", &[2, 3], &[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0])
        .push("b", &[2], &[0.5f32, -0.5]);
    let mut f64s = Checkpoint::new("f64");
    f64s.push("a", &[0], &[] as &[f64])
        .push("b", &[1, 1, 1], &[f64::NAN]);
    // Whole models with their preprocessing (format version 2: buffers and a model description).
    let mut g = Graph::<f32>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[3, 4, 2],
        Unary::LeakyRelu(0.25),
        Init::TorchDefault,
        &mut seeded_rng(0),
    )
    .push(Layer::Dropout(0.5))
    .push(Layer::LogSoftmax);
    let mut model = net.to_checkpoint(g.params());
    model
        .set_standardizer(
            &Standardizer::from_parts(vec![1.0f32, -2.0, 0.5], vec![2.0, 0.0, 4.0]).unwrap(),
        )
        .set_metadata("epoch", "3");
    let mut g64 = Graph::<f64>::new();
    let net64 = Sequential::mlp(
        g64.params_mut(),
        &[2, 1],
        Unary::Tanh,
        Init::XavierUniform,
        &mut seeded_rng(1),
    )
    .push(Layer::Activation(Unary::Sigmoid));
    vec![
        mixed.to_bytes(),
        f32s.to_bytes(),
        f64s.to_bytes(),
        Checkpoint::new("").to_bytes(),
        model.to_bytes(),
        net64.to_checkpoint(g64.params()).to_bytes(),
    ]
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// Makes the declared length and both checksums agree with the bytes, so that a mutation behind
/// them reaches the header and payload checks instead of stopping at a checksum.
fn fix_up(bytes: &mut [u8]) {
    let n = bytes.len();
    if n < 24 || bytes[..8] != MAGIC {
        return;
    }
    bytes[12..20].copy_from_slice(&(n as u64).to_le_bytes());
    let c = crc32(&bytes[..20]);
    bytes[20..24].copy_from_slice(&c.to_le_bytes());
    if n >= 36 {
        let c = crc32(&bytes[..n - 4]);
        bytes[n - 4..].copy_from_slice(&c.to_le_bytes());
    }
}

/// Edits a field of the checkpoint's fixed part or of its JSON header.
fn checkpoint_header_edit(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    let n = bytes.len();
    if n < 32 {
        return;
    }
    let big = [0, 1, 35, 36, n as u64 - 1, n as u64 + 1, u64::MAX, 1 << 40];
    match rng.random_range(0..5) {
        0 => {
            let v = big[rng.random_range(0..big.len())];
            bytes[12..20].copy_from_slice(&v.to_le_bytes()); // total length
        }
        1 => {
            let v = big[rng.random_range(0..big.len())];
            bytes[24..32].copy_from_slice(&v.to_le_bytes()); // header length
        }
        2 => {
            // 1 on a version 2 file: the version 1 header refuses the version 2 fields
            let v = [0u32, 1, 3, u32::MAX][rng.random_range(0..4)];
            bytes[8..12].copy_from_slice(&v.to_le_bytes()); // version
        }
        _ => {
            // Change a number or a dtype inside the JSON header and keep its length field right.
            let h = u64::from_le_bytes(bytes[24..32].try_into().unwrap());
            if h > (n - 32) as u64 {
                return;
            }
            let h = h as usize;
            let Ok(json) = std::str::from_utf8(&bytes[32..32 + h]) else {
                return;
            };
            let edits: &[(&str, &[&str])] = &[
                (
                    "\"shape\":[",
                    &[
                        "\"shape\":[18446744073709551615,",
                        "\"shape\":[4294967296,",
                        "\"shape\":[0,",
                        "\"shape\":[99999999999999999999,",
                        "\"shape\":[-1,",
                        "\"shape\":[1e3,",
                        "\"shape\":[2,",
                    ],
                ),
                ("\"f32\"", &["\"f64\"", "\"f16\"", "\"F32\""]),
                ("\"f64\"", &["\"f32\""]),
                ("\"name\":\"", &["\"name\":\"x", "\"name\":\"\\u0000"]),
                ("\"name\":\"l1.w\"", &["\"name\":\"l1.b\""]), // a duplicate name
                (
                    "\"metadata\":{",
                    &[
                        "\"metadata\":{\"k\":\"v\",",
                        "\"metadata\":[",
                        "\"extra\":1,\"metadata\":{",
                    ],
                ),
                // the version 2 fields: buffers, the model description and its hyperparameters
                (
                    "\"buffers\":[",
                    &[
                        "\"buffers\":[{\"name\":\"b\",\"dtype\":\"f32\",\"shape\":[1]},",
                        "\"buffers\":{",
                        "\"bufers\":[",
                    ],
                ),
                (
                    "\"buffers\":[{\"name\":\"standardizer.",
                    &[
                        "\"buffers\":[{\"name\":\"standardizer.x",
                        "\"buffers\":[{\"name\":\"xstandardizer.",
                    ],
                ),
                (
                    "\"model\":",
                    &["\"model\":null,\"x\":", "\"model\":[],\"x\":", "\"mode\":"],
                ),
                (
                    "\"in_dim\":",
                    &[
                        "\"in_dim\":1",
                        "\"in_dim\":0,\"x\":",
                        "\"in_dim\":18446744073709551615,\"x\":",
                    ],
                ),
                ("\"out_dim\":", &["\"out_dim\":9", "\"out_dim\":0,\"x\":"]),
                ("\"weight\":\"", &["\"weight\":\"x"]),
                (
                    "\"bias\":",
                    &["\"bias\":null,\"x\":", "\"bias\":\"fc0.weight\",\"x\":"],
                ),
                (
                    "\"function\":\"",
                    &["\"function\":\"x", "\"function\":\"leaky_"],
                ),
                (
                    "\"slope\":\"",
                    &["\"slope\":\"x", "\"slope\":\"1e999", "\"slope\":\"-"],
                ),
                (
                    "\"p\":\"",
                    &["\"p\":\"1", "\"p\":\"-", "\"p\":\"NaN\",\"x\":\""],
                ),
                ("\"layer\":\"", &["\"layer\":\"x", "\"layer\":\"soft"]),
                (
                    "{\"layer\":\"log_softmax\"}",
                    &["{\"layer\":\"dropout\"}", "{\"layer\":\"linear\"}"],
                ),
            ];
            // Draw among the edits that apply to this file, so the version 2 fields get their share.
            let applicable: Vec<_> = edits
                .iter()
                .filter(|(from, _)| json.contains(from))
                .collect();
            if applicable.is_empty() {
                return;
            }
            let (from, tos) = *applicable[rng.random_range(0..applicable.len())];
            let to = tos[rng.random_range(0..tos.len())];
            let Some(at) = json
                .match_indices(from)
                .map(|(i, _)| i)
                .nth(rng.random_range(0..3))
            else {
                return;
            };
            let new_json = format!("{}{to}{}", &json[..at], &json[at + from.len()..]);
            let mut out = bytes[..24].to_vec();
            out.extend_from_slice(&(new_json.len() as u64).to_le_bytes());
            out.extend_from_slice(new_json.as_bytes());
            out.extend_from_slice(&bytes[32 + h..]);
            *bytes = out;
        }
    }
}

fn read_checkpoint_checked(bytes: &[u8], _: u8) -> bool {
    let ck = match (Checkpoint::from_bytes(bytes), Checkpoint::read_from(bytes)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.to_bytes(), b.to_bytes(), "the two loaders disagree");
            a
        }
        (Err(a), Err(b)) => {
            refused(b);
            return refused(a);
        }
        (a, b) => panic!("from_bytes {a:?} but read_from {b:?}"),
    };
    let mut names: Vec<&str> = ck.params().iter().map(|p| p.name.as_str()).collect();
    for p in ck.params() {
        let n = p.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        assert_eq!(n, Some(p.data.len()), "{:?}", p.name);
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ck.params().len(), "duplicate names");
    let again = ck.to_bytes();
    assert_eq!(Checkpoint::from_bytes(&again).unwrap().to_bytes(), again);
    let mut buffer_names: Vec<&str> = ck.buffers().iter().map(|p| p.name.as_str()).collect();
    buffer_names.sort_unstable();
    buffer_names.dedup();
    assert_eq!(
        buffer_names.len(),
        ck.buffers().len(),
        "duplicate buffer names"
    );
    // Rebuilding the model (in both element types) never panics; a rebuilt model predicts.
    check_model::<f32>(&ck);
    check_model::<f64>(&ck);
    // restore::<f32> succeeds exactly when every array is f32, and copies the values bit for bit
    let all_f32 = ck
        .params()
        .iter()
        .all(|p| matches!(p.data, ArrayData::F32(_)));
    let mut bufs: Vec<Vec<f32>> = ck
        .params()
        .iter()
        .map(|p| vec![0.0; p.data.len()])
        .collect();
    let mut targets: Vec<ParamTarget<'_, f32>> = ck
        .params()
        .iter()
        .zip(bufs.iter_mut())
        .map(|(p, b)| ParamTarget::new(&p.name, &p.shape, b))
        .collect();
    let restored = ck.restore(ck.architecture(), &mut targets);
    assert_eq!(restored.is_ok(), all_f32, "{restored:?}");
    if restored.is_ok() {
        for (p, b) in ck.params().iter().zip(&bufs) {
            let ArrayData::F32(v) = &p.data else {
                unreachable!()
            };
            assert!(v.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }
    true
}

/// Accepted checkpoints with a model description, and models rebuilt from them (per element type).
static MODELS_DESCRIBED: AtomicUsize = AtomicUsize::new(0);
static MODELS_REBUILT: AtomicUsize = AtomicUsize::new(0);

/// If the checkpoint rebuilds as a model of `F`, the model is consistent: it has the stored
/// architecture, predicts on rows of raw features (through its preprocessing), and what it saves
/// rebuilds to the same model again.
fn check_model<F: diffprog_nn::Element>(ck: &Checkpoint) {
    let _ = ck.standardizer::<F>();
    if ck.model().is_some() {
        MODELS_DESCRIBED.fetch_add(1, Ordering::Relaxed);
    }
    match TrainedModel::<F>::from_checkpoint(ck) {
        Ok(mut m) => {
            MODELS_REBUILT.fetch_add(1, Ordering::Relaxed);
            assert!(ck.model().is_some());
            assert_eq!(m.model.architecture(), ck.architecture());
            assert_eq!(m.graph.params().len(), ck.params().len());
            let again = m.to_checkpoint().to_bytes();
            let m2 = TrainedModel::<F>::from_checkpoint(&Checkpoint::from_bytes(&again).unwrap())
                .expect("a rebuilt model's checkpoint rebuilds");
            assert_eq!(m2.to_checkpoint().to_bytes(), again);
            if let (Some(d), Some(o)) = (m.model.in_dim(), m.model.out_dim()) {
                let y = m.predict(&vec![F::from_f64(0.5); 2 * d]);
                assert_eq!(y.dims(), &[2, o]);
                assert_eq!(m.predict_classes(&vec![F::zero(); d]).len(), 1);
            }
        }
        Err(e) => {
            refused(e);
        }
    }
}

#[test]
fn checkpoint_loading_survives_mutations() {
    let files = checkpoint_files();
    let dir = std::env::temp_dir().join(format!("diffprog-nn-mutation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, err) = run(
        "checkpoint",
        0xC4E0_0000,
        |rng| {
            let mut bytes = files[rng.random_range(0..files.len())].clone();
            mutate(rng, &mut bytes, &checkpoint_header_edit);
            // Half the cases repair the length and checksums, or almost nothing gets past them.
            if rng.random_bool(0.5) {
                fix_up(&mut bytes);
            }
            (bytes, rng.random())
        },
        |bytes, flags| {
            let accepted = read_checkpoint_checked(bytes, flags);
            // One case in 32 also goes through a file: `load` must agree with `from_bytes`.
            if flags % 32 == 0 {
                let path = dir.join("case.ckpt");
                std::fs::write(&path, bytes).unwrap();
                match Checkpoint::load(&path) {
                    Ok(ck) => {
                        assert!(accepted, "load accepted what from_bytes refused");
                        let direct = Checkpoint::from_bytes(bytes).unwrap();
                        assert_eq!(ck.to_bytes(), direct.to_bytes());
                    }
                    Err(e) => {
                        assert!(!accepted, "load refused what from_bytes accepted: {e}");
                        refused(e);
                    }
                }
            }
            accepted
        },
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok > 0 && err > 0, "accepted {ok}, refused {err}");
    let (described, rebuilt) = (
        MODELS_DESCRIBED.load(Ordering::Relaxed),
        MODELS_REBUILT.load(Ordering::Relaxed),
    );
    eprintln!("checkpoint: {described} model descriptions read, {rebuilt} models rebuilt");
    assert!(
        rebuilt > 0 && rebuilt < described,
        "the model path must see both outcomes: {rebuilt} of {described} rebuilt"
    );
}

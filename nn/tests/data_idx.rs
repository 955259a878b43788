//! IDX (MNIST) reader: generated good files, corrupt files, and random bytes.

use diffprog_nn::data::{
    mnist_dataset, read_idx_images, read_idx_images_from, read_idx_labels, read_idx_labels_from,
    read_mnist, DataError, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC,
};
use flate2::write::GzEncoder;
use flate2::Compression;
use proptest::prelude::*;
use std::io::Write;
use std::path::PathBuf;

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "diffprog-nn-data-idx-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn idx(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = magic.to_be_bytes().to_vec();
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(payload);
    v
}

/// `count` images of `rows × cols` whose pixels encode (image, position).
fn images(count: u32, rows: u32, cols: u32) -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..count * rows * cols)
        .map(|i| (i * 7 % 256) as u8)
        .collect();
    (idx(IDX_IMAGES_MAGIC, &[count, rows, cols], &pixels), pixels)
}

#[test]
fn good_files_round_trip() {
    let dir = temp_dir("good");
    let (img, pixels) = images(5, 3, 4);
    let labels = [3u8, 1, 4, 1, 5];
    std::fs::write(dir.join("img.idx"), &img).unwrap();
    std::fs::write(dir.join("lab.idx"), idx(IDX_LABELS_MAGIC, &[5], &labels)).unwrap();
    let im = read_idx_images(dir.join("img.idx")).unwrap();
    assert_eq!(
        (im.count(), im.rows(), im.cols(), im.image_len()),
        (5, 3, 4, 12)
    );
    assert_eq!(im.pixels(), pixels);
    assert_eq!(im.image(2), &pixels[24..36]);
    assert_eq!(im.get(4), Some(&pixels[48..60]));
    assert_eq!(im.get(5), None);
    assert_eq!(im.iter().len(), 5);
    assert!(im.iter().zip(pixels.chunks(12)).all(|(a, b)| a == b));
    assert_eq!(read_idx_labels(dir.join("lab.idx")).unwrap(), labels);

    // gzip-compressed copies read the same
    for (name, bytes) in [
        ("img.idx.gz", &img),
        ("lab.idx.gz", &idx(IDX_LABELS_MAGIC, &[5], &labels)),
    ] {
        let mut enc = GzEncoder::new(
            std::fs::File::create(dir.join(name)).unwrap(),
            Compression::fast(),
        );
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap();
    }
    assert_eq!(read_idx_images(dir.join("img.idx.gz")).unwrap(), im);
    let d = read_mnist::<f32>(dir.join("img.idx.gz"), dir.join("lab.idx.gz")).unwrap();
    assert_eq!((d.len(), d.feature_len(), d.n_classes()), (5, 12, 10));
    assert_eq!(d.labels(), [3, 1, 4, 1, 5]);
    for (x, &p) in d.features().iter().zip(&pixels) {
        assert_eq!(*x, (p as f64 / 255.0) as f32);
    }
    // zero images is a valid (empty) file
    let empty = read_idx_images_from(&idx(IDX_IMAGES_MAGIC, &[0, 28, 28], &[])[..]).unwrap();
    assert_eq!(empty.count(), 0);
    assert_eq!(empty.get(0), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_files_are_refused_precisely() {
    let (img, _) = images(4, 2, 2);
    // wrong magic: a label file read as images, and vice versa
    let lab = idx(IDX_LABELS_MAGIC, &[4], &[0, 1, 2, 3]);
    assert!(matches!(
        read_idx_images_from(&lab[..]),
        Err(DataError::BadMagic {
            expected: IDX_IMAGES_MAGIC,
            found: IDX_LABELS_MAGIC
        })
    ));
    assert!(matches!(
        read_idx_labels_from(&img[..]),
        Err(DataError::BadMagic { .. })
    ));
    // wrong type code (0x0D = float)
    let mut float = img.clone();
    float[2] = 0x0D;
    assert!(matches!(
        read_idx_images_from(&float[..]),
        Err(DataError::BadMagic { .. })
    ));
    // every truncation is refused
    for cut in 0..img.len() {
        let err = read_idx_images_from(&img[..cut]).unwrap_err();
        assert!(
            matches!(err, DataError::LengthMismatch { found, .. } if found == cut as u64),
            "cut at {cut}: {err}"
        );
    }
    // trailing data
    let mut long = img.clone();
    long.push(0);
    let err = read_idx_images_from(&long[..]).unwrap_err();
    assert!(
        matches!(err, DataError::LengthMismatch { expected: 32, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("trailing"), "{err}");
    // a header claiming huge dimensions on a tiny file: refused by length, nothing allocated
    let huge = idx(IDX_IMAGES_MAGIC, &[60_000_000, 4096, 4096], &[1, 2, 3]);
    let err = read_idx_images_from(&huge[..]).unwrap_err();
    assert!(
        matches!(err, DataError::LengthMismatch { expected, found: 19 } if expected == 16 + 60_000_000u64 * 4096 * 4096),
        "{err}"
    );
    let huge_labels = idx(IDX_LABELS_MAGIC, &[u32::MAX], &[]);
    assert!(matches!(
        read_idx_labels_from(&huge_labels[..]),
        Err(DataError::LengthMismatch { .. })
    ));
    // dimensions whose product overflows 64 bits
    let overflow = idx(IDX_IMAGES_MAGIC, &[u32::MAX, u32::MAX, u32::MAX], &[]);
    assert!(matches!(
        read_idx_images_from(&overflow[..]),
        Err(DataError::BadHeader(_))
    ));
    // zero-sized images
    let zero = idx(IDX_IMAGES_MAGIC, &[3, 0, 28], &[]);
    assert!(matches!(
        read_idx_images_from(&zero[..]),
        Err(DataError::BadHeader(_))
    ));
}

#[test]
fn images_and_labels_must_agree() {
    let (img, _) = images(4, 2, 2);
    let im = read_idx_images_from(&img[..]).unwrap();
    assert!(matches!(
        mnist_dataset::<f32>(&im, &[1, 2, 3], 10, 1.0),
        Err(DataError::CountMismatch {
            images: 4,
            labels: 3
        })
    ));
    let err = mnist_dataset::<f32>(&im, &[1, 2, 10, 3], 10, 1.0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                line: 3,
                limit: 10,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "record 3: label \"10\" is not below the declared number of classes (10)"
    );
    let err = mnist_dataset::<f32>(&im, &[1, 2, 3, 4], 1 << 20, 1.0).unwrap_err();
    assert!(matches!(err, DataError::TooManyClasses { .. }), "{err}");
    let dir = temp_dir("pair");
    std::fs::write(dir.join("i"), &img).unwrap();
    std::fs::write(dir.join("l"), idx(IDX_LABELS_MAGIC, &[5], &[0; 5])).unwrap();
    assert!(matches!(
        read_mnist::<f64>(dir.join("i"), dir.join("l")),
        Err(DataError::CountMismatch {
            images: 4,
            labels: 5
        })
    ));
    let err = read_idx_images(dir.join("missing")).unwrap_err();
    assert!(matches!(err, DataError::Io { path: Some(_), .. }), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(diffprog_testkit::config(256))]

    /// Random bytes never panic either reader.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = read_idx_images_from(&bytes[..]);
        let _ = read_idx_labels_from(&bytes[..]);
    }

    /// Random bytes behind a valid magic (so the dimension parsing is exercised) never panic,
    /// and a successful read always has exactly the claimed payload.
    #[test]
    fn random_headers_never_panic(
        dims in proptest::collection::vec(0u32..6, 3),
        big in any::<u32>(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        for d in [[dims[0], dims[1], dims[2]], [big, dims[1], dims[2]], [dims[0], big, big]] {
            let bytes = idx(IDX_IMAGES_MAGIC, &d, &payload);
            if let Ok(im) = read_idx_images_from(&bytes[..]) {
                prop_assert_eq!(im.pixels().len(), im.count() * im.rows() * im.cols());
                prop_assert_eq!(im.pixels().len(), payload.len());
            }
        }
        let bytes = idx(IDX_LABELS_MAGIC, &[big % 300], &payload);
        if let Ok(l) = read_idx_labels_from(&bytes[..]) {
            prop_assert_eq!(l.len() as u32, big % 300);
        }
    }

    /// Flipping one byte of a good file never panics.
    #[test]
    fn mutated_file_never_panics(pos in 0usize..40, value in any::<u8>()) {
        let (mut img, _) = images(2, 3, 4);
        img[pos] = value;
        let _ = read_idx_images_from(&img[..]);
    }
}

/// Issue 20, hole 4: `mnist_dataset` returns a `Result` but panicked on a hand-built
/// `IdxImages` with zero rows or too few pixels (its fields were public). The fields are private
/// now and the checked constructor refuses such shapes, so `mnist_dataset` only ever sees
/// consistent images.
#[test]
fn hand_built_images_are_checked() {
    use diffprog_nn::data::IdxImages;
    for (count, rows, cols, n) in [
        (1, 0, 2, 0),
        (1, 2, 0, 0),
        (2, 1, 2, 3),
        (2, 1, 2, 5),
        (usize::MAX, 2, 2, 0),
    ] {
        let err = IdxImages::new(count, rows, cols, vec![7; n]).unwrap_err();
        assert!(matches!(err, DataError::BadShape(_)), "{err}");
        assert!(!err.to_string().is_empty());
    }
    let im = IdxImages::new(2, 1, 2, vec![1, 2, 3, 4]).unwrap();
    let d = mnist_dataset::<f32>(&im, &[0, 1], 10, 1.0).unwrap();
    assert_eq!((d.len(), d.feature_len()), (2, 2));
    assert_eq!(im.clone().into_pixels(), [1, 2, 3, 4]);
}

/// Issue 20, hole 4: `IdxImages::image(i)` panicked with a bare slice-index message for an index
/// out of range; it now says what went wrong, and `get` returns `None` instead.
#[test]
#[should_panic(expected = "IdxImages::image: index 2 out of range for 2 images")]
fn image_out_of_range_panics_with_a_message() {
    let (img, _) = images(2, 1, 2);
    let im = read_idx_images_from(&img[..]).unwrap();
    assert_eq!(im.get(2), None);
    let _ = im.image(2);
}

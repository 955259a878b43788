//! The IDX format of MNIST: [`read_idx_images`], [`read_idx_labels`], [`read_mnist`].
//!
//! An IDX file is a 4-byte magic number — two zero bytes, a type code (`0x08` = unsigned bytes)
//! and the number of dimensions — then each dimension as a big-endian `u32`, then the payload in
//! row-major order. MNIST images are `0x0000_0803` (`count × rows × cols` bytes), labels
//! `0x0000_0801` (`count` bytes).
//!
//! The readers trust nothing in the header: the dimensions are multiplied with overflow checks,
//! and at most `header + payload + 1` bytes are ever read, into a buffer that grows with the bytes
//! actually present — never pre-sized from what the header claims. A file shorter or longer than
//! its header implies is refused with [`DataError::LengthMismatch`]. Gzip-compressed files (as
//! MNIST is distributed) are recognised by their magic bytes and decompressed on the fly.

use super::csv::maybe_gunzip;
use super::{DataError, Dataset};
use diffprog_dual::Real;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Magic number of an IDX file of unsigned-byte images (3 dimensions).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned-byte labels (1 dimension).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// Images read from an IDX file: `count` images of `rows × cols` bytes, row-major, one after
/// the other.
///
/// Its fields are private so that it always holds what it says: `rows` and `cols` are positive
/// and there are exactly `count × rows × cols` pixels. The readers build it; [`IdxImages::new`]
/// builds it from parts, checking the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    count: usize,
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
}

impl IdxImages {
    /// `count` images of `rows × cols` grey levels from `pixels`, image after image, each
    /// row-major.
    ///
    /// Returns [`DataError::BadShape`] if `rows` or `cols` is zero or `pixels.len()` is not
    /// `count × rows × cols`. Zero images are allowed.
    ///
    /// ```
    /// use diffprog_nn::data::IdxImages;
    ///
    /// let im = IdxImages::new(2, 1, 2, vec![0, 255, 51, 102]).unwrap();
    /// assert_eq!(im.image(1), [51, 102]);
    /// assert!(IdxImages::new(2, 1, 2, vec![0, 255, 51]).is_err()); // a pixel short
    /// assert!(IdxImages::new(1, 0, 2, vec![]).is_err()); // no rows
    /// ```
    pub fn new(count: usize, rows: usize, cols: usize, pixels: Vec<u8>) -> Result<Self, DataError> {
        if rows == 0 || cols == 0 {
            return Err(DataError::BadShape(format!(
                "images of {rows} × {cols} pixels: rows and cols must be positive"
            )));
        }
        let expected = count.checked_mul(rows).and_then(|n| n.checked_mul(cols));
        if expected != Some(pixels.len()) {
            return Err(DataError::BadShape(format!(
                "{} pixels for {count} images of {rows} × {cols} (need {})",
                pixels.len(),
                expected.map_or("more than usize::MAX".to_string(), |n| n.to_string())
            )));
        }
        Ok(IdxImages {
            count,
            rows,
            cols,
            pixels,
        })
    }

    /// Number of images.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Rows per image (28 for MNIST).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns per image (28 for MNIST).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Pixels per image: `rows() × cols()`.
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }

    /// All `count × rows × cols` grey levels, image after image, each row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Takes the pixels out (see [`pixels`](Self::pixels)).
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// The pixels of image `i`, or `None` if `i >= count()`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let n = self.image_len();
        if i < self.count {
            Some(&self.pixels[i * n..(i + 1) * n])
        } else {
            None
        }
    }

    /// The pixels of image `i`.
    ///
    /// # Panics
    /// If `i >= count()`; [`get`](Self::get) returns `None` instead.
    pub fn image(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or_else(|| {
            panic!(
                "IdxImages::image: index {i} out of range for {} images",
                self.count
            )
        })
    }

    /// The images in order, `rows() × cols()` pixels each.
    pub fn iter(&self) -> std::slice::ChunksExact<'_, u8> {
        self.pixels.chunks_exact(self.image_len())
    }
}

/// Reads an IDX payload whose magic must be `magic` (the low byte gives the number of dimensions).
/// Returns the dimensions and the payload.
fn read_idx_u8(reader: impl Read, magic: u32) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let reader = maybe_gunzip(BufReader::new(reader)).map_err(|e| DataError::io(None, e))?;
    let mut reader = reader;
    let mut head = [0u8; 4];
    let got = read_up_to(&mut reader, &mut head)?;
    if got < 4 {
        return Err(DataError::LengthMismatch {
            expected: 4,
            found: got as u64,
        });
    }
    let found = u32::from_be_bytes(head);
    if found != magic {
        return Err(DataError::BadMagic {
            expected: magic,
            found,
        });
    }
    let ndims = (magic & 0xff) as usize;
    let header_len = 4 + 4 * ndims as u64;
    let mut dims = Vec::with_capacity(ndims);
    let mut payload: u64 = 1;
    for d in 0..ndims {
        let mut b = [0u8; 4];
        let got = read_up_to(&mut reader, &mut b)?;
        if got < 4 {
            return Err(DataError::LengthMismatch {
                expected: header_len,
                found: 4 + 4 * d as u64 + got as u64,
            });
        }
        let dim = u32::from_be_bytes(b);
        if dim == 0 && d > 0 {
            return Err(DataError::BadHeader(format!("dimension {} is zero", d + 1)));
        }
        payload = payload.checked_mul(u64::from(dim)).ok_or_else(|| {
            DataError::BadHeader("the dimensions' product overflows 64 bits".to_string())
        })?;
        dims.push(dim as usize);
    }
    let expected = header_len.checked_add(payload).ok_or_else(|| {
        DataError::BadHeader("the implied file length overflows 64 bits".to_string())
    })?;
    if usize::try_from(payload).is_err() {
        return Err(DataError::BadHeader(
            "payload too large for this platform".to_string(),
        ));
    }
    // Read at most one byte more than announced, into a buffer that grows with what is really there.
    let mut data = Vec::new();
    reader
        .take(payload.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| DataError::io(None, e))?;
    let found = header_len + data.len() as u64;
    if data.len() as u64 != payload {
        return Err(DataError::LengthMismatch { expected, found });
    }
    Ok((dims, data))
}

/// Reads as many bytes as are available, up to `buf.len()`; returns how many.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, DataError> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(DataError::io(None, e)),
        }
    }
    Ok(n)
}

fn with_path<T>(path: &Path, r: Result<T, DataError>) -> Result<T, DataError> {
    r.map_err(|e| match e {
        DataError::Io { path: None, source } => DataError::io(Some(path.to_path_buf()), source),
        e => e,
    })
}

fn open(path: &Path) -> Result<File, DataError> {
    File::open(path).map_err(|e| DataError::io(Some(path.to_path_buf()), e))
}

/// Reads an IDX image file (magic `0x0000_0803`) from a reader.
///
/// An IDX file is a 4-byte magic number — two zero bytes, a type code (`0x08` = unsigned bytes)
/// and the number of dimensions — then each dimension as a big-endian `u32`, then the payload in
/// row-major order. MNIST images are `0x0000_0803` (`count × rows × cols` bytes), labels
/// `0x0000_0801` (`count` bytes).
///
/// Nothing in the header is trusted: the dimensions are multiplied with overflow checks, and at
/// most `header + payload + 1` bytes are read, into a buffer that grows with the bytes actually
/// present — never pre-sized from what the header claims. Input shorter or longer than the header
/// implies is refused with [`DataError::LengthMismatch`]; a wrong magic number (or type code)
/// with [`DataError::BadMagic`]; a zero image dimension or an overflowing product with
/// [`DataError::BadHeader`]. Gzip-compressed input (as MNIST is distributed) is recognised by its
/// magic bytes and decompressed on the fly.
///
/// ```
/// use diffprog_nn::data::read_idx_images_from;
///
/// // Two 1×2 images.
/// let bytes = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 40];
/// let im = read_idx_images_from(&bytes[..]).unwrap();
/// assert_eq!((im.count(), im.rows(), im.cols()), (2, 1, 2));
/// assert_eq!(im.image(1), [30, 40]);
///
/// // One byte missing: refused, not padded.
/// assert!(read_idx_images_from(&bytes[..19]).is_err());
/// ```
pub fn read_idx_images_from(reader: impl Read) -> Result<IdxImages, DataError> {
    let (dims, pixels) = read_idx_u8(reader, IDX_IMAGES_MAGIC)?;
    IdxImages::new(dims[0], dims[1], dims[2], pixels)
}

/// Reads an IDX image file (plain or gzip) from `path`.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxImages, DataError> {
    let path = path.as_ref();
    with_path(path, read_idx_images_from(open(path)?))
}

/// Reads an IDX label file (magic `0x0000_0801`) from a reader: one byte per label, with the
/// checks described at [`read_idx_images_from`].
///
/// ```
/// use diffprog_nn::data::read_idx_labels_from;
///
/// let bytes = [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1];
/// assert_eq!(read_idx_labels_from(&bytes[..]).unwrap(), [7, 2, 1]);
/// ```
pub fn read_idx_labels_from(reader: impl Read) -> Result<Vec<u8>, DataError> {
    Ok(read_idx_u8(reader, IDX_LABELS_MAGIC)?.1)
}

/// Reads an IDX label file (plain or gzip) from `path`.
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<Vec<u8>, DataError> {
    let path = path.as_ref();
    with_path(path, read_idx_labels_from(open(path)?))
}

/// Puts IDX images and labels together into a [`Dataset`] with `rows × cols` features per
/// sample, each pixel multiplied by `pixel_scale` (`1.0 / 255.0` maps MNIST to `[0, 1]`).
///
/// The counts must agree ([`DataError::CountMismatch`]), and the labels pass the check of
/// [`Dataset::try_new`] with `n_classes` declared (10 for MNIST) and at most
/// [`DEFAULT_MAX_CLASSES`](super::DEFAULT_MAX_CLASSES) classes.
///
/// ```
/// use diffprog_nn::data::{mnist_dataset, IdxImages};
///
/// let images = IdxImages::new(2, 1, 2, vec![0, 255, 51, 102]).unwrap();
/// let d = mnist_dataset::<f32>(&images, &[3, 9], 10, 1.0 / 255.0).unwrap();
/// assert_eq!(d.sample(1), (&[0.2f32, 0.4][..], 9));
/// assert!(mnist_dataset::<f32>(&images, &[3], 10, 1.0).is_err());
/// ```
pub fn mnist_dataset<F: Real>(
    images: &IdxImages,
    labels: &[u8],
    n_classes: usize,
    pixel_scale: f64,
) -> Result<Dataset<F>, DataError> {
    if images.count() != labels.len() {
        return Err(DataError::CountMismatch {
            images: images.count(),
            labels: labels.len(),
        });
    }
    let features = images
        .pixels()
        .iter()
        .map(|&p| F::from_f64(f64::from(p) * pixel_scale))
        .collect();
    Dataset::try_new(
        features,
        labels.iter().map(|&l| usize::from(l)).collect(),
        images.image_len(),
        Some(n_classes),
        super::DEFAULT_MAX_CLASSES,
    )
}

/// Reads an MNIST-style pair of IDX files (plain or gzip) into a [`Dataset`] with pixels scaled
/// to `[0, 1]` and 10 classes; see [`mnist_dataset`].
pub fn read_mnist<F: Real>(
    images_path: impl AsRef<Path>,
    labels_path: impl AsRef<Path>,
) -> Result<Dataset<F>, DataError> {
    let images = read_idx_images(images_path)?;
    let labels = read_idx_labels(labels_path)?;
    mnist_dataset(&images, &labels, 10, 1.0 / 255.0)
}

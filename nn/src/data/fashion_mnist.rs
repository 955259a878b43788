//! Fashion-MNIST on disk: where its files are looked for ([`fashion_mnist_dir`]) and reading a
//! split ([`read_fashion_mnist`]) with an error that says how to get the files.

use super::{read_mnist, DataError, Dataset};
use diffprog_dual::Real;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable naming the directory of the Fashion-MNIST files.
pub const FASHION_MNIST_DIR_VAR: &str = "FASHION_MNIST_DIR";

/// Where the Fashion-MNIST files are looked for when neither a directory is given nor
/// [`FASHION_MNIST_DIR_VAR`] is set.
pub const DEFAULT_FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist/";

/// Where the files come from.
pub const FASHION_MNIST_URL: &str = "https://github.com/zalandoresearch/fashion-mnist";

/// The ten classes of Fashion-MNIST, in label order.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// One of the two splits of Fashion-MNIST.
///
/// ```
/// use diffprog_nn::data::FashionMnistSplit;
///
/// assert_eq!(FashionMnistSplit::Test.prefix(), "t10k"); // t10k-images-idx3-ubyte.gz, ...
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FashionMnistSplit {
    /// The 60 000 training images, `train-*-idx?-ubyte[.gz]`.
    Train,
    /// The 10 000 test images, `t10k-*-idx?-ubyte[.gz]`.
    Test,
}

impl FashionMnistSplit {
    /// The files' prefix: `"train"` or `"t10k"`.
    pub fn prefix(self) -> &'static str {
        match self {
            FashionMnistSplit::Train => "train",
            FashionMnistSplit::Test => "t10k",
        }
    }
}

/// Why a Fashion-MNIST split could not be read. Its message names the directory and the file,
/// and, for a missing file, says where to download it and how to point to it.
#[derive(Debug)]
#[non_exhaustive]
pub enum FashionMnistError {
    /// The directory has neither `{stem}.gz` nor `{stem}`.
    Missing {
        /// The directory searched.
        dir: PathBuf,
        /// The file looked for, without `.gz` (e.g. `train-images-idx3-ubyte`).
        stem: String,
    },
    /// The files are there but could not be read.
    Read {
        /// The directory.
        dir: PathBuf,
        /// What the reader said.
        source: DataError,
    },
}

impl fmt::Display for FashionMnistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FashionMnistError::Missing { dir, stem } => write!(
                f,
                "{} has no {stem}[.gz]. Download the Fashion-MNIST files \
                 ({{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte.gz) from {FASHION_MNIST_URL} \
                 (folder data/fashion) into a directory and pass it as `--data DIR` or \
                 {FASHION_MNIST_DIR_VAR}=DIR (default {DEFAULT_FASHION_MNIST_DIR})",
                dir.display()
            ),
            FashionMnistError::Read { dir, source } => {
                write!(f, "reading Fashion-MNIST from {}: {source}", dir.display())
            }
        }
    }
}

impl std::error::Error for FashionMnistError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FashionMnistError::Read { source, .. } => Some(source),
            FashionMnistError::Missing { .. } => None,
        }
    }
}

/// The directory of the Fashion-MNIST files: `explicit` if given (a `--data DIR` argument), else
/// the environment variable [`FASHION_MNIST_DIR_VAR`], else [`DEFAULT_FASHION_MNIST_DIR`].
///
/// ```
/// use diffprog_nn::data::fashion_mnist_dir;
/// use std::path::Path;
///
/// assert_eq!(fashion_mnist_dir(Some(Path::new("/data/fm"))), Path::new("/data/fm"));
/// ```
pub fn fashion_mnist_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(FASHION_MNIST_DIR_VAR).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FASHION_MNIST_DIR))
}

/// Reads one split of Fashion-MNIST from `dir` — `{prefix}-images-idx3-ubyte` and
/// `{prefix}-labels-idx1-ubyte`, each gzipped (`.gz`, as distributed) or not — into a
/// [`Dataset`] of 784 pixels in `[0, 1]` per image and 10 classes ([`read_mnist`]).
///
/// A missing file is [`FashionMnistError::Missing`], whose message says where to download the
/// files and how to point to them; a bad file is [`FashionMnistError::Read`].
///
/// ```
/// use diffprog_nn::data::{read_fashion_mnist, FashionMnistSplit};
///
/// let e = read_fashion_mnist::<f32>("/nonexistent".as_ref(), FashionMnistSplit::Train).unwrap_err();
/// assert!(e.to_string().contains("train-images-idx3-ubyte"));
/// assert!(e.to_string().contains("zalandoresearch"));
/// ```
pub fn read_fashion_mnist<F: Real>(
    dir: &Path,
    split: FashionMnistSplit,
) -> Result<Dataset<F>, FashionMnistError> {
    let find = |stem: String| {
        [format!("{stem}.gz"), stem.clone()]
            .into_iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| FashionMnistError::Missing {
                dir: dir.to_path_buf(),
                stem,
            })
    };
    let prefix = split.prefix();
    let images = find(format!("{prefix}-images-idx3-ubyte"))?;
    let labels = find(format!("{prefix}-labels-idx1-ubyte"))?;
    read_mnist(&images, &labels).map_err(|source| FashionMnistError::Read {
        dir: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_idx(path: &Path, header: &[u32], payload: &[u8]) {
        let mut bytes: Vec<u8> = header.iter().flat_map(|v| v.to_be_bytes()).collect();
        bytes.extend_from_slice(payload);
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn reads_plain_files_and_names_a_missing_one() {
        let dir = std::env::temp_dir().join(format!("diffprog-fm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_idx(
            &dir.join("t10k-images-idx3-ubyte"),
            &[0x803, 2, 1, 2],
            &[0, 255, 51, 102],
        );
        // the labels are missing: the error names them and says how to get them
        let e = read_fashion_mnist::<f32>(&dir, FashionMnistSplit::Test).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(&e, FashionMnistError::Missing { stem, .. } if stem == "t10k-labels-idx1-ubyte"),
            "{msg}"
        );
        assert!(msg.contains(FASHION_MNIST_DIR_VAR) && msg.contains(FASHION_MNIST_URL));
        write_idx(&dir.join("t10k-labels-idx1-ubyte"), &[0x801, 2], &[9, 3]);
        let d = read_fashion_mnist::<f32>(&dir, FashionMnistSplit::Test).unwrap();
        assert_eq!(d.labels(), [9, 3]);
        assert_eq!(d.row(1), [0.2, 0.4]);
        // a bad file is a read error naming the directory
        write_idx(&dir.join("t10k-labels-idx1-ubyte"), &[0x801, 3], &[9, 3, 1]);
        let e = read_fashion_mnist::<f32>(&dir, FashionMnistSplit::Test).unwrap_err();
        assert!(matches!(e, FashionMnistError::Read { .. }), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_repository_test_set_reads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/fashion-mnist");
        let d = read_fashion_mnist::<f32>(&dir, FashionMnistSplit::Test).unwrap();
        assert_eq!((d.len(), d.feature_len(), d.n_classes()), (10_000, 784, 10));
        assert_eq!(d.class_counts(), [1000; 10]);
    }
}

//! Reading and writing the checkpoint file format (version 2, described in the
//! [module docs](super); version 1 is still read): the fixed prefix, the JSON header, the values
//! and the checksums.

use super::error::{io_err, CheckpointError};
use super::{ArrayData, Checkpoint, DType, LayerSpec, NamedArray};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The first 8 bytes of every checkpoint file.
pub const MAGIC: [u8; 8] = *b"DPNNCKPT";
/// The format version this crate writes. It also reads version 1 (no buffers, no model
/// description).
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version this crate reads.
pub const OLDEST_READABLE_VERSION: u32 = 1;
/// Bytes before the JSON header: magic, version, total length, prefix CRC, header length.
const PREFIX_LEN: usize = 8 + 4 + 8 + 4;
const FIXED_LEN: usize = PREFIX_LEN + 8;
/// Smallest possible file: fixed part + trailing CRC.
const MIN_LEN: usize = FIXED_LEN + 4;

/// The version 2 header. Every field is required (`model` may be `null`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    architecture: String,
    metadata: BTreeMap<String, String>,
    params: Vec<ParamHeader>,
    buffers: Vec<ParamHeader>,
    #[serde(deserialize_with = "required")]
    model: Option<Vec<LayerSpec>>,
}

/// The version 1 header.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderV1 {
    architecture: String,
    metadata: BTreeMap<String, String>,
    params: Vec<ParamHeader>,
}

/// `null` must be written: a missing `model` key is an error, like any missing field.
fn required<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    T::deserialize(d)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamHeader {
    name: String,
    dtype: DType,
    shape: Vec<usize>,
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

impl Checkpoint {
    /// The checkpoint in the file format (see the [module docs](super)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let describe = |arrays: &[NamedArray]| {
            arrays
                .iter()
                .map(|p| ParamHeader {
                    name: p.name.clone(),
                    dtype: p.data.dtype(),
                    shape: p.shape.clone(),
                })
                .collect()
        };
        let header = Header {
            architecture: self.architecture.clone(),
            metadata: self.metadata.clone(),
            params: describe(&self.params),
            buffers: describe(&self.buffers),
            model: self.model.clone(),
        };
        let json = serde_json::to_vec(&header).expect("a checkpoint header always serialises");
        let payload: usize = self
            .params
            .iter()
            .chain(&self.buffers)
            .map(|p| p.data.len() * p.data.dtype().size())
            .sum();
        let total = FIXED_LEN + json.len() + payload + 4;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(total as u64).to_le_bytes());
        let prefix_crc = crc32(&out);
        out.extend_from_slice(&prefix_crc.to_le_bytes());
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        for p in self.params.iter().chain(&self.buffers) {
            match &p.data {
                ArrayData::F32(v) => v
                    .iter()
                    .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
                ArrayData::F64(v) => v
                    .iter()
                    .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            }
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        debug_assert_eq!(out.len(), total);
        out
    }

    /// Writes the checkpoint to `writer`.
    pub fn write_to(&self, mut writer: impl Write) -> Result<(), CheckpointError> {
        writer
            .write_all(&self.to_bytes())
            .and_then(|_| writer.flush())
            .map_err(|source| CheckpointError::Io { path: None, source })
    }

    /// Saves to `path`, via a temporary file in the same directory renamed into place, so an
    /// interrupted save never leaves a half-written checkpoint under `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let result = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&self.to_bytes())?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| io_err(path, e))
    }

    /// Loads a checkpoint file. The file's declared length is compared with its real length
    /// before its contents are read.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        let actual = file.metadata().map_err(|e| io_err(path, e))?.len();
        Self::read_limited(file, Some(actual)).map_err(|e| match e {
            CheckpointError::Io { path: None, source } => io_err(path, source),
            e => e,
        })
    }

    /// Reads a checkpoint from `reader` (consuming at most the declared length plus one byte).
    pub fn read_from(reader: impl Read) -> Result<Self, CheckpointError> {
        Self::read_limited(reader, None)
    }

    fn read_limited(reader: impl Read, known_len: Option<u64>) -> Result<Self, CheckpointError> {
        let io = |source| CheckpointError::Io { path: None, source };
        let mut prefix = Vec::with_capacity(PREFIX_LEN);
        let mut reader = reader;
        (&mut reader)
            .take(PREFIX_LEN as u64)
            .read_to_end(&mut prefix)
            .map_err(io)?;
        let total = check_prefix(&prefix)?;
        if let Some(actual) = known_len {
            check_total(total, actual)?;
        }
        // The buffer grows with the bytes actually read, never to the declared size up front.
        let mut bytes = prefix;
        reader
            .take((total - PREFIX_LEN as u64).saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        Self::from_bytes(&bytes)
    }

    /// Parses a checkpoint from its bytes; see the [module docs](super) for the checks.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let total = check_prefix(bytes)?;
        check_total(total, bytes.len() as u64)?;
        let n = bytes.len();
        if n < MIN_LEN {
            return Err(CheckpointError::Truncated {
                expected: MIN_LEN as u64,
                found: n as u64,
            });
        }
        let stored = u32::from_le_bytes(bytes[n - 4..].try_into().expect("4 bytes"));
        if crc32(&bytes[..n - 4]) != stored {
            return Err(CheckpointError::Corrupt(
                "checksum mismatch (the file was modified or damaged)".to_string(),
            ));
        }
        let body = &bytes[FIXED_LEN..n - 4];
        let header_len = u64::from_le_bytes(bytes[PREFIX_LEN..FIXED_LEN].try_into().expect("8"));
        if header_len > body.len() as u64 {
            return Err(CheckpointError::Corrupt(format!(
                "header length {header_len} exceeds the {} bytes available",
                body.len()
            )));
        }
        let (json, mut payload) = body.split_at(header_len as usize);
        let unreadable =
            |e: serde_json::Error| CheckpointError::Corrupt(format!("unreadable header: {e}"));
        // check_prefix accepted the version: 1 or 2.
        let header: Header = if read_version(bytes) == 1 {
            let h: HeaderV1 = serde_json::from_slice(json).map_err(unreadable)?;
            Header {
                architecture: h.architecture,
                metadata: h.metadata,
                params: h.params,
                buffers: Vec::new(),
                model: None,
            }
        } else {
            serde_json::from_slice(json).map_err(unreadable)?
        };
        // Check that the shapes account for the payload exactly before allocating any array.
        let mut needed: u64 = 0;
        for p in header.params.iter().chain(&header.buffers) {
            let count = p
                .shape
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d as u64))
                .and_then(|c| c.checked_mul(p.dtype.size() as u64));
            needed = count.and_then(|c| needed.checked_add(c)).ok_or_else(|| {
                CheckpointError::Corrupt(format!(
                    "shape {:?} of parameter {:?} overflows",
                    p.shape, p.name
                ))
            })?;
        }
        if needed != payload.len() as u64 {
            return Err(CheckpointError::Corrupt(format!(
                "the header describes {needed} bytes of values but {} are present",
                payload.len()
            )));
        }
        let mut ck = Checkpoint::new(header.architecture);
        ck.metadata = header.metadata;
        ck.model = header.model;
        let n_params = header.params.len();
        for (i, p) in header.params.into_iter().chain(header.buffers).enumerate() {
            let is_param = i < n_params;
            let (kind, list) = if is_param {
                ("parameter", &ck.params)
            } else {
                ("buffer", &ck.buffers)
            };
            if list.iter().any(|q| q.name == p.name) {
                return Err(CheckpointError::Corrupt(format!(
                    "{kind} {:?} appears twice",
                    p.name
                )));
            }
            let count: usize = p.shape.iter().product();
            let (chunk, rest) = payload.split_at(count * p.dtype.size());
            payload = rest;
            let data = match p.dtype {
                DType::F32 => ArrayData::F32(
                    chunk
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                        .collect(),
                ),
                DType::F64 => ArrayData::F64(
                    chunk
                        .chunks_exact(8)
                        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                ),
            };
            let array = NamedArray {
                name: p.name,
                shape: p.shape,
                data,
            };
            if is_param {
                ck.params.push(array);
            } else {
                ck.buffers.push(array);
            }
        }
        Ok(ck)
    }
}

/// The version field (the caller has checked that the prefix is there).
fn read_version(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"))
}

/// Checks magic, prefix checksum and version; returns the declared total length.
fn check_prefix(bytes: &[u8]) -> Result<u64, CheckpointError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::NotACheckpoint);
    }
    if bytes.len() < PREFIX_LEN {
        return Err(CheckpointError::Truncated {
            expected: MIN_LEN as u64,
            found: bytes.len() as u64,
        });
    }
    let stored = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    if crc32(&bytes[..20]) != stored {
        return Err(CheckpointError::Corrupt(
            "the fixed header's checksum does not match".to_string(),
        ));
    }
    let version = read_version(bytes);
    if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(CheckpointError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let total = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    if total < MIN_LEN as u64 {
        return Err(CheckpointError::Corrupt(format!(
            "declared length {total} is below the minimum {MIN_LEN}"
        )));
    }
    Ok(total)
}

fn check_total(total: u64, actual: u64) -> Result<(), CheckpointError> {
    if actual < total {
        Err(CheckpointError::Truncated {
            expected: total,
            found: actual,
        })
    } else if actual > total {
        Err(CheckpointError::Corrupt(format!(
            "{} bytes of trailing data after the declared end ({total} bytes)",
            actual - total
        )))
    } else {
        Ok(())
    }
}

//! The gzip path of the IDX readers (and of the CSV reader, which shares it).
//!
//! The first byte picks the mode. Bit 0 clear: the rest is fed as it is, behind the gzip magic
//! `1f 8b` if it lacks it, so the decoder sees arbitrary streams (bit 1: read as labels instead
//! of images). Bit 0 set: the rest is compressed here (bit 2: as two gzip members) and the
//! reader must return exactly what it returns for the uncompressed bytes.
#![no_main]

mod common;

use common::{check_err, check_images};
use diffprog_nn::data::{read_csv_table_from, read_idx_images_from, read_idx_labels_from};
use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let mut input = Vec::with_capacity(rest.len() + 2);
        if !rest.starts_with(&[0x1f, 0x8b]) {
            input.extend_from_slice(&[0x1f, 0x8b]);
        }
        input.extend_from_slice(rest);
        if mode & 2 == 0 {
            match read_idx_images_from(&input[..]) {
                Ok(im) => check_images(&im, None),
                Err(e) => check_err(e),
            }
        } else {
            match read_idx_labels_from(&input[..]) {
                Ok(_) => {}
                Err(e) => check_err(e),
            }
        }
        if let Err(e) = read_csv_table_from::<f64>(&input[..], false, b',') {
            check_err(e);
        }
        return;
    }
    // Compressed here: the result must be the plain reader's, error or not.
    if rest.starts_with(&[0x1f, 0x8b]) {
        return; // the plain reader would decompress this itself
    }
    let compressed = if mode & 4 != 0 {
        let (a, b) = rest.split_at(rest.len() / 2);
        [gzip(a), gzip(b)].concat()
    } else {
        gzip(rest)
    };
    let plain = read_idx_images_from(rest);
    let unzipped = read_idx_images_from(&compressed[..]);
    match (&plain, &unzipped) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            check_images(b, Some(&rest[16..]));
        }
        (Err(a), Err(b)) => {
            check_err(b);
            assert_eq!(a.to_string(), b.to_string());
        }
        _ => panic!("plain {plain:?} but gzip {unzipped:?}"),
    }
    let plain = read_idx_labels_from(rest);
    let unzipped = read_idx_labels_from(&compressed[..]);
    match (&plain, &unzipped) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("plain {plain:?} but gzip {unzipped:?}"),
    }
});

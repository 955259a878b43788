//! The IDX image reader on arbitrary bytes (no gzip magic in front: `idx_gzip` covers that path).
//!
//! On `Ok` the header is the 16 bytes before the pixels and the pixels are the rest of the input,
//! exactly `count × rows × cols` of them; the images make a data set (`mnist_dataset`).
#![no_main]

mod common;

use common::{check_err, check_images};
use diffprog_nn::data::read_idx_images_from;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_idx_images_from(data) {
        Ok(im) => {
            assert_eq!(data.len(), 16 + im.pixels().len());
            let dim = |k: usize| u32::from_be_bytes(data[4 + 4 * k..8 + 4 * k].try_into().unwrap());
            assert_eq!(
                (im.count(), im.rows(), im.cols()),
                (dim(0) as usize, dim(1) as usize, dim(2) as usize)
            );
            check_images(&im, Some(&data[16..]));
        }
        Err(e) => check_err(e),
    }
});

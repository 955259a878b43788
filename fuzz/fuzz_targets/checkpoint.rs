//! Checkpoint loading: `Checkpoint::from_bytes` and `Checkpoint::read_from` on arbitrary bytes.
//!
//! The first byte picks the mode. Bit 0 set: before loading, the declared total length and both
//! CRC-32 checksums are rewritten to match the bytes, so that mutations reach the JSON header and
//! the payload instead of stopping at a checksum. On `Ok`: both loaders agree, every array has as
//! many values as its shape says, names are unique, the checkpoint survives a write and a reload
//! bit for bit, and `restore` into buffers of the stored shapes succeeds exactly when every array
//! has the element type asked for. Rebuilding the model and its preprocessing
//! (`TrainedModel::from_checkpoint`, in `f32` and `f64`) never panics; a rebuilt model has the
//! stored architecture, predicts on raw rows, and its own checkpoint rebuilds to the same bytes.
#![no_main]

mod common;

use common::check_err;
use diffprog_nn::checkpoint::{ArrayData, Checkpoint, ParamTarget, MAGIC};
use diffprog_nn::{Element, TrainedModel};
use libfuzzer_sys::fuzz_target;

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// Makes the length field and both checksums agree with `bytes` (if there is room for them).
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

fn check_model<F: Element>(ck: &Checkpoint) {
    let _ = ck.standardizer::<F>();
    match TrainedModel::<F>::from_checkpoint(ck) {
        Ok(mut m) => {
            assert!(ck.model().is_some());
            assert_eq!(m.model.architecture(), ck.architecture());
            let again = m.to_checkpoint().to_bytes();
            let m2 = TrainedModel::<F>::from_checkpoint(&Checkpoint::from_bytes(&again).unwrap())
                .expect("a rebuilt model's checkpoint rebuilds");
            assert_eq!(m2.to_checkpoint().to_bytes(), again);
            if let (Some(d), Some(o)) = (m.model.in_dim(), m.model.out_dim()) {
                if d <= 1 << 12 {
                    let y = m.predict(&vec![F::from_f64(0.5); 2 * d]);
                    assert_eq!(y.dims(), &[2, o]);
                }
            }
        }
        Err(e) => check_err(e),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 != 0 {
        fix_up(&mut bytes);
    }
    let from_bytes = Checkpoint::from_bytes(&bytes);
    let read_from = Checkpoint::read_from(&bytes[..]);
    let ck = match (from_bytes, read_from) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.to_bytes(), b.to_bytes(), "the two loaders disagree");
            a
        }
        (Err(a), Err(b)) => {
            check_err(a);
            check_err(b);
            return;
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
    let back = Checkpoint::from_bytes(&again).expect("a loaded checkpoint reloads");
    assert_eq!(back.to_bytes(), again);
    assert_eq!(back.architecture(), ck.architecture());
    assert_eq!(back.all_metadata(), ck.all_metadata());

    // restore::<f32> succeeds exactly when every array is f32 (likewise f64), and copies the values
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
    let all_f64 = ck
        .params()
        .iter()
        .all(|p| matches!(p.data, ArrayData::F64(_)));
    let arrays = ck.named_arrays_for::<f64>(ck.architecture());
    assert_eq!(arrays.is_ok(), all_f64);
    check_model::<f32>(&ck);
    check_model::<f64>(&ck);
});

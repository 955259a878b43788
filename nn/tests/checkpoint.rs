//! Checkpoints: round trips, and every way a file can be wrong.

use diffprog_nn::checkpoint::{
    ArrayData, Checkpoint, CheckpointError, DType, NamedArray, ParamTarget, FORMAT_VERSION, MAGIC,
};
use proptest::prelude::*;
use std::path::PathBuf;

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "diffprog-nn-checkpoint-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ARCH: &str = "mlp 3-2-1 tanh";

fn sample() -> Checkpoint {
    let mut ck = Checkpoint::new(ARCH);
    ck.push(
        "l1.w",
        &[2, 3],
        &[1.0f32, -2.5, 3.25, f32::MIN_POSITIVE, -0.0, 1e30],
    )
    .push("l1.b", &[2], &[0.5f32, -0.5])
    .push("l2.w", &[1, 2], &[std::f64::consts::PI, -1e-300])
    .push("scale", &[], &[2.0f64]);
    ck.set_metadata("epoch", "7")
        .set_metadata("note", "ünïcode ✓");
    ck
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// Rewrites the fixed prefix's checksum after tampering with it.
fn fix_prefix_crc(bytes: &mut [u8]) {
    let c = crc32(&bytes[..20]);
    bytes[20..24].copy_from_slice(&c.to_le_bytes());
}

/// Rewrites the whole-file checksum after tampering with the body.
fn fix_file_crc(bytes: &mut [u8]) {
    let n = bytes.len();
    let c = crc32(&bytes[..n - 4]);
    bytes[n - 4..].copy_from_slice(&c.to_le_bytes());
}

#[test]
fn round_trip_bytes_and_file() {
    let ck = sample();
    let bytes = ck.to_bytes();
    assert_eq!(bytes[..8], MAGIC);
    let back = Checkpoint::from_bytes(&bytes).unwrap();
    assert_eq!(back, ck);
    assert_eq!(Checkpoint::read_from(&bytes[..]).unwrap(), ck);
    // bit-exact values, including -0.0 and extremes
    let w = back.get::<f32>("l1.w", &[2, 3]).unwrap();
    assert_eq!(w[4].to_bits(), (-0.0f32).to_bits());
    assert_eq!(back.get::<f64>("l2.w", &[1, 2]).unwrap()[1], -1e-300);
    assert_eq!(back.metadata("note"), Some("ünïcode ✓"));
    assert_eq!(
        back.params()
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["l1.w", "l1.b", "l2.w", "scale"]
    );

    let dir = temp_dir("round-trip");
    let path = dir.join("model.ckpt");
    ck.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), ck);
    // saving again over it works, and leaves no temporary file behind
    ck.save(&path).unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let err = Checkpoint::load(dir.join("absent")).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Io { path: Some(_), .. }),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn restore_checks_everything_before_copying() {
    let ck = Checkpoint::from_bytes(&sample().to_bytes()).unwrap();
    let mut w = vec![9.0f32; 6];
    let mut b = vec![9.0f32; 2];
    let untouched = |w: &[f32], b: &[f32]| w.iter().chain(b).all(|&x| x == 9.0);

    // wrong architecture
    let err = ck
        .restore(
            "mlp 3-4-1 tanh",
            &mut [ParamTarget::new("l1.w", &[2, 3], &mut w)],
        )
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::ArchitectureMismatch { expected, found }
        if expected == "mlp 3-4-1 tanh" && found == ARCH),
        "{err}"
    );
    // right architecture, but the model only has f32 parameters: the f64 ones are unexpected
    let err = ck
        .restore(
            ARCH,
            &mut [
                ParamTarget::new("l1.w", &[2, 3], &mut w),
                ParamTarget::new("l1.b", &[2], &mut b),
            ],
        )
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::UnexpectedParameter { name } if name == "l2.w"),
        "{err}"
    );
    assert!(untouched(&w, &b), "nothing is copied when restore fails");
    // shape mismatch
    let mut w32 = vec![0.0f32; 6];
    let err = ck
        .restore(ARCH, &mut [ParamTarget::new("l1.w", &[3, 2], &mut w32)])
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::ShapeMismatch { name, expected, found }
        if name == "l1.w" && expected == &[3, 2] && found == &[2, 3]),
        "{err}"
    );
    // missing parameter
    let mut x = vec![0.0f32; 1];
    let err = ck
        .restore(ARCH, &mut [ParamTarget::new("l3.w", &[1], &mut x)])
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::MissingParameter { name } if name == "l3.w"),
        "{err}"
    );
    // element type mismatch
    let err = ck.get::<f64>("l1.b", &[2]).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::DTypeMismatch {
                expected: DType::F64,
                found: DType::F32,
                ..
            }
        ),
        "{err}"
    );

    // a checkpoint of one element type restores completely
    let mut only32 = Checkpoint::new(ARCH);
    only32.push("l1.w", &[2, 3], ck.get::<f32>("l1.w", &[2, 3]).unwrap());
    only32.push("l1.b", &[2], ck.get::<f32>("l1.b", &[2]).unwrap());
    only32
        .restore(
            ARCH,
            &mut [
                ParamTarget::new("l1.b", &[2], &mut b),
                ParamTarget::new("l1.w", &[2, 3], &mut w),
            ],
        )
        .unwrap();
    assert_eq!(w, ck.get::<f32>("l1.w", &[2, 3]).unwrap());
    assert_eq!(b, [0.5, -0.5]);
}

#[test]
fn every_truncation_is_refused() {
    let bytes = sample().to_bytes();
    for cut in 0..bytes.len() {
        let err = Checkpoint::from_bytes(&bytes[..cut]).unwrap_err();
        let ok = match err {
            CheckpointError::NotACheckpoint => cut < 8,
            CheckpointError::Truncated { found, .. } => found == cut as u64 && cut >= 8,
            _ => false,
        };
        assert!(ok, "cut at {cut}: {err}");
        // the streaming reader agrees
        assert!(Checkpoint::read_from(&bytes[..cut]).is_err());
    }
    // and on disk, via the file-length check
    let dir = temp_dir("truncated");
    let path = dir.join("t.ckpt");
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(matches!(err, CheckpointError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_bit_flip_is_detected() {
    let bytes = sample().to_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            let err = Checkpoint::from_bytes(&b).expect_err("a flipped bit must not load");
            let expected_kind = match i {
                0..=7 => matches!(err, CheckpointError::NotACheckpoint),
                8..=23 => matches!(err, CheckpointError::Corrupt(_)),
                _ => matches!(err, CheckpointError::Corrupt(_)),
            };
            assert!(expected_kind, "byte {i} bit {bit}: {err}");
        }
    }
}

#[test]
fn trailing_data_and_foreign_files() {
    let mut bytes = sample().to_bytes();
    bytes.push(0);
    let err = Checkpoint::from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Corrupt(ref m) if m.contains("trailing")),
        "{err}"
    );
    assert!(Checkpoint::read_from(&bytes[..]).is_err());
    for foreign in [
        &b""[..],
        b"{\"architecture\": \"x\"}",
        b"\x89PNG\r\n\x1a\n....",
        b"DPNNCKP",
    ] {
        assert!(matches!(
            Checkpoint::from_bytes(foreign),
            Err(CheckpointError::NotACheckpoint)
        ));
    }
}

#[test]
fn other_versions_are_refused() {
    let mut bytes = sample().to_bytes();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    fix_prefix_crc(&mut bytes);
    fix_file_crc(&mut bytes);
    let err = Checkpoint::from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(err, CheckpointError::UnsupportedVersion { found, supported }
        if found == FORMAT_VERSION + 1 && supported == FORMAT_VERSION),
        "{err}"
    );
}

#[test]
fn huge_declared_length_on_a_small_file() {
    let mut bytes = sample().to_bytes();
    bytes[12..20].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    fix_prefix_crc(&mut bytes);
    let err = Checkpoint::from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Truncated { expected, .. } if expected == u64::MAX / 2),
        "{err}"
    );
    assert!(Checkpoint::read_from(&bytes[..]).is_err());
    let dir = temp_dir("huge");
    std::fs::write(dir.join("h"), &bytes).unwrap();
    assert!(matches!(
        Checkpoint::load(dir.join("h")),
        Err(CheckpointError::Truncated { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A header whose shapes disagree with the payload, even with valid checksums, is refused.
#[test]
fn header_inconsistent_with_payload() {
    let ck = sample();
    let bytes = ck.to_bytes();
    let header_len = u64::from_le_bytes(bytes[24..32].try_into().unwrap()) as usize;
    let json = std::str::from_utf8(&bytes[32..32 + header_len]).unwrap();
    for (from, to) in [
        ("[2,3]", "[3,3]"),
        ("[2,3]", "[2,2]"),
        ("\"f64\"", "\"f32\""),
        ("[2,3]", "[18446744073709551615,3]"),
        ("l1.b", "l1.w"),
    ] {
        let tampered = json.replacen(from, to, 1);
        assert_ne!(tampered, json);
        let mut b = bytes[..32].to_vec();
        b[24..32].copy_from_slice(&(tampered.len() as u64).to_le_bytes());
        b.extend_from_slice(tampered.as_bytes());
        b.extend_from_slice(&bytes[32 + header_len..]);
        let total = b.len() as u64;
        b[12..20].copy_from_slice(&total.to_le_bytes());
        fix_prefix_crc(&mut b);
        fix_file_crc(&mut b);
        let err = Checkpoint::from_bytes(&b).unwrap_err();
        assert!(
            matches!(err, CheckpointError::Corrupt(_)),
            "{from} -> {to}: {err}"
        );
    }
}

#[test]
#[should_panic(expected = "already present")]
fn duplicate_names_panic_on_push() {
    let mut ck = Checkpoint::new("x");
    ck.push("w", &[1], &[1.0f32]).push("w", &[1], &[2.0f32]);
}

#[test]
fn push_array_accepts_named_arrays() {
    let mut ck = Checkpoint::new("x");
    ck.push_array(NamedArray {
        name: "v".into(),
        shape: vec![0, 5],
        data: ArrayData::F64(vec![]),
    });
    let back = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
    assert_eq!(back.get::<f64>("v", &[0, 5]).unwrap(), &[] as &[f64]);
}

/// Code generic over the float type saves and loads through the named-array bridge.
fn round_trip_generic<F: diffprog_dual::Real>(values: Vec<F>) -> Vec<F> {
    let arrays = vec![("p".to_string(), vec![values.len()], values)];
    let bytes = Checkpoint::from_named_arrays("g", arrays).to_bytes();
    let mut back = Checkpoint::from_bytes(&bytes)
        .unwrap()
        .named_arrays_for::<F>("g")
        .unwrap();
    back.pop().unwrap().2
}

#[test]
fn named_array_bridge_is_generic_and_typed() {
    assert_eq!(round_trip_generic(vec![1.5f32, -2.0]), [1.5, -2.0]);
    assert_eq!(round_trip_generic(vec![0.1f64]), [0.1]);
    let ck = Checkpoint::from_named_arrays("g", vec![("p".to_string(), vec![1], vec![1.0f32])]);
    assert_eq!(ck.params()[0].data.dtype(), DType::F32);
    let err = ck.named_arrays_for::<f64>("g").unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::DTypeMismatch {
                expected: DType::F64,
                found: DType::F32,
                ..
            }
        ),
        "{err}"
    );
    assert!(matches!(
        ck.named_arrays_for::<f32>("h"),
        Err(CheckpointError::ArchitectureMismatch { .. })
    ));
}

proptest! {
    #![proptest_config(diffprog_testkit::config(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = Checkpoint::from_bytes(&bytes);
        let _ = Checkpoint::read_from(&bytes[..]);
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        prop_assert!(Checkpoint::from_bytes(&with_magic).is_err());
        let _ = Checkpoint::read_from(&with_magic[..]);
    }

    /// Random parameters round-trip exactly.
    #[test]
    fn round_trip(values in proptest::collection::vec(any::<f32>(), 0..40), d in proptest::collection::vec(any::<f64>(), 0..10), arch in ".{0,20}") {
        let mut ck = Checkpoint::new(arch.clone());
        ck.push("a", &[values.len()], &values).push("b", &[1, d.len()], &d);
        let back = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
        prop_assert_eq!(back.architecture(), arch.as_str());
        let a = back.get::<f32>("a", &[values.len()]).unwrap();
        prop_assert!(a.iter().zip(&values).all(|(x, y)| x.to_bits() == y.to_bits()));
        let b = back.get::<f64>("b", &[1, d.len()]).unwrap();
        prop_assert!(b.iter().zip(&d).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

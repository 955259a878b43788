//! Model ↔ checkpoint: a saved model loads back exactly; another architecture, a shape change or
//! a corrupt file is a clear error and leaves the model unchanged.

use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::{Params, Unary};

fn model(sizes: &[usize], seed: u64) -> (Params<f32>, Sequential<f32>) {
    let mut p = Params::new();
    let net = Sequential::mlp(
        &mut p,
        sizes,
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(seed),
    );
    (p, net)
}

#[test]
fn save_and_load_round_trip_and_refusals() {
    let dir = std::env::temp_dir().join(format!("diffprog-nn-persist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.ckpt");
    let (p, net) = model(&[4, 8, 3], 1);
    let arch = net.architecture();
    assert_eq!(arch, "linear(4→8) relu linear(8→3)");
    p.save(&path, &arch).unwrap();

    let (mut q, _) = model(&[4, 8, 3], 2);
    assert_ne!(q.flatten(), p.flatten());
    q.load(&path, &arch).unwrap();
    assert_eq!(q.flatten(), p.flatten());

    // another architecture
    let (mut r, other) = model(&[4, 9, 3], 3);
    let before = r.flatten();
    let err = r.load(&path, &other.architecture()).unwrap_err();
    assert!(err.to_string().contains("architecture"), "{err}");
    assert_eq!(r.flatten(), before);
    // same architecture string forced, different shapes
    let err = r.load(&path, &arch).unwrap_err();
    assert!(!err.to_string().is_empty());
    assert_eq!(r.flatten(), before);

    // truncated file
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (mut s, _) = model(&[4, 8, 3], 4);
    let before = s.flatten();
    assert!(s.load(&path, &arch).is_err());
    assert_eq!(s.flatten(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

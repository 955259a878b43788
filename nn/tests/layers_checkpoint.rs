//! Checkpoints of convolutional networks: every new layer and the batch-norm running statistics
//! are saved; a checkpoint of another architecture, or a truncated or corrupt file, is a clear
//! error and leaves the model unchanged.

use diffprog_nn::checkpoint::{Checkpoint, CheckpointError, LayerSpec};
use diffprog_nn::layers::Init;
use diffprog_nn::layers::{
    seeded_rng, BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Layer, LayerNorm, Linear, Pool2d,
    Sequential,
};
use diffprog_nn::{ConvOptions, Graph, Params, Unary};

/// Every new layer kind in one network (shapes chain: [n, 2·4·4] → ... → [n, 3]).
fn every_layer(g: &mut Graph<f64>, seed: u64, c: usize) -> Sequential<f64> {
    let mut rng = seeded_rng(seed);
    let p = g.params_mut();
    let conv = Conv2d::new(
        p,
        "conv",
        2,
        c,
        [3, 3],
        ConvOptions::new().padding(1),
        true,
        &mut rng,
    );
    let bn2 = BatchNorm::new(p, "bn2", c);
    let up = ConvTranspose2d::new(
        p,
        "up",
        c,
        2,
        [2, 2],
        ConvOptions::new().stride(2),
        false,
        &mut rng,
    );
    let conv1 = Conv1d::new(
        p,
        "conv1d",
        2,
        3,
        3,
        ConvOptions::new().groups(1),
        true,
        &mut rng,
    );
    let ln = LayerNorm::new(p, "ln", &[3, 14]);
    let fc = Linear::new(p, "fc", 3 * 14, 5, true, Init::TorchDefault, &mut rng);
    let bn1 = BatchNorm::with_options(p, "bn1", 5, 0.3, 1e-3, false);
    Sequential::new()
        .push(Layer::Unflatten(vec![2, 4, 4]))
        .push(Layer::Conv2d(conv))
        .push(Layer::BatchNorm2d(bn2))
        .push(Layer::Activation(Unary::Relu))
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::ConvTranspose2d(up)) // [n, 2, 4, 4]
        .push(Layer::AvgPool2d(Pool2d::new(3).stride(1).padding(1)))
        .push(Layer::AdaptiveAvgPool2d([4, 4]))
        .push(Layer::Unflatten(vec![2, 16])) // [n, 2, 16]
        .push(Layer::Conv1d(conv1)) // [n, 3, 14]
        .push(Layer::LayerNorm(ln))
        .push(Layer::Flatten)
        .push(Layer::Linear(fc))
        .push(Layer::BatchNorm1d(bn1))
        .push(Layer::Dropout(0.25))
}

fn train_a_little(g: &mut Graph<f64>, net: &Sequential<f64>, x: &[f64]) {
    use diffprog_nn::optim::{Momentum, Optimizer, Sgd};
    let mut opt = Sgd::new(0.05, Momentum::None);
    for _ in 0..3 {
        g.reset();
        let xn = g.input(x, &[x.len() / 32, 32]);
        let y = net.forward(g, xn);
        let l = g.cross_entropy(y, &[0, 1, 2, 3]);
        g.params_mut().zero_grad();
        g.backward(l);
        opt.step(g.params_mut());
    }
}

fn inputs() -> Vec<f64> {
    (0..4 * 32)
        .map(|i| ((i * 37 % 11) as f64 - 5.0) / 5.0)
        .collect()
}

fn snapshot(p: &Params<f64>) -> Vec<Vec<f64>> {
    p.ids().map(|id| p.value(id).to_vec()).collect()
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("layers-ck-{name}-{}.ckpt", std::process::id()))
}

#[test]
fn every_layer_round_trips_with_its_running_statistics() {
    let mut g = Graph::<f64>::new();
    let net = every_layer(&mut g, 1, 4);
    let x = inputs();
    train_a_little(&mut g, &net, &x);
    let Layer::BatchNorm1d(bn1) = &net.layers[13] else {
        panic!()
    };
    assert!(g.params().value(bn1.running_var).iter().all(|&v| v != 1.0));
    let ck = net.to_checkpoint(g.params());
    let specs = ck.model().unwrap();
    assert!(matches!(specs[2], LayerSpec::BatchNorm { dims: 2, .. }));
    assert!(matches!(specs[5], LayerSpec::Conv { ref kind, .. } if kind == "conv_transpose2d"));
    let ck = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
    let (back, params) = Sequential::<f64>::from_checkpoint(&ck).unwrap();
    assert_eq!(back, net);
    assert_eq!(snapshot(&params), snapshot(g.params()));
    assert!(
        !params.is_trainable(bn1.running_mean)
            && params.is_trainable(bn1.weight.map_or(back.param_ids()[0], |w| w))
    );
    let mut g2 = Graph::with_params(params);
    assert_eq!(back.predict(&mut g2, &x), net.predict(&mut g, &x));
}

#[test]
fn load_params_restores_a_trained_network_into_a_fresh_one() {
    let mut g = Graph::<f64>::new();
    let net = every_layer(&mut g, 1, 4);
    train_a_little(&mut g, &net, &inputs());
    let path = tmp("restore");
    net.save(&path, g.params(), None).unwrap();
    let mut g2 = Graph::<f64>::new();
    let net2 = every_layer(&mut g2, 99, 4);
    assert_ne!(snapshot(g2.params()), snapshot(g.params()));
    net2.load_params(g2.params_mut(), &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(snapshot(g2.params()), snapshot(g.params()));
    assert_eq!(
        net2.predict(&mut g2, &inputs()),
        net.predict(&mut g, &inputs())
    );
}

#[test]
fn another_architecture_is_refused_and_the_model_is_unchanged() {
    let mut g = Graph::<f64>::new();
    let net = every_layer(&mut g, 1, 4);
    let path = tmp("arch");
    net.save(&path, g.params(), None).unwrap();
    // 5 channels instead of 4
    let mut g2 = Graph::<f64>::new();
    let other = every_layer(&mut g2, 2, 5);
    let before = snapshot(g2.params());
    let err = other.load_params(g2.params_mut(), &path).unwrap_err();
    assert!(
        matches!(err, CheckpointError::ArchitectureMismatch { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("conv2d(2→4"), "{err}");
    assert_eq!(snapshot(g2.params()), before);
    // a dense network cannot take it either
    let mut g3 = Graph::<f64>::new();
    let mlp = Sequential::mlp(
        g3.params_mut(),
        &[32, 3],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let before = snapshot(g3.params());
    assert!(mlp.load_params(g3.params_mut(), &path).is_err());
    assert_eq!(snapshot(g3.params()), before);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn truncated_and_corrupt_files_are_errors_and_leave_the_model_unchanged() {
    let mut g = Graph::<f64>::new();
    let net = every_layer(&mut g, 1, 4);
    let bytes = net.to_checkpoint(g.params()).to_bytes();
    let mut g2 = Graph::<f64>::new();
    let target = every_layer(&mut g2, 7, 4);
    let before = snapshot(g2.params());
    let path = tmp("bad");
    for cut in [0, 3, 10, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = target.load_params(g2.params_mut(), &path).unwrap_err();
        assert!(!err.to_string().is_empty());
        assert!(Sequential::<f64>::load(&path).is_err(), "cut at {cut}");
        assert_eq!(snapshot(g2.params()), before, "cut at {cut}");
    }
    // one flipped byte in the last running-variance value (the data, at the end of the file)
    let mut flipped = bytes.clone();
    let k = flipped.len() - 3;
    flipped[k] ^= 0x40;
    std::fs::write(&path, &flipped).unwrap();
    let err = target.load_params(g2.params_mut(), &path).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::Corrupt(_) | CheckpointError::Truncated { .. }
        ),
        "{err:?}"
    );
    assert_eq!(snapshot(g2.params()), before);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_checkpoint_whose_shapes_do_not_fit_its_layers_is_refused() {
    let mut g = Graph::<f64>::new();
    let net = every_layer(&mut g, 1, 4);
    let mut ck = net.to_checkpoint(g.params());
    let mut specs = ck.model().unwrap().to_vec();
    if let LayerSpec::BatchNorm { num_features, .. } = &mut specs[2] {
        *num_features = 3;
    }
    ck.set_model(specs);
    let err = Sequential::<f64>::from_checkpoint(&ck).unwrap_err();
    assert!(
        matches!(err, CheckpointError::ShapeMismatch { .. }),
        "{err:?}"
    );
    let mut specs = net.to_checkpoint(g.params()).model().unwrap().to_vec();
    if let LayerSpec::Pool2d { kind, .. } = &mut specs[4] {
        *kind = "min".into();
    }
    ck.set_model(specs);
    let err = Sequential::<f64>::from_checkpoint(&ck).unwrap_err();
    assert!(err.to_string().contains("unknown pooling"), "{err}");
}

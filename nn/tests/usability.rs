//! The training loop with any loss, prediction, and models saved with their preprocessing and
//! loaded with no random generator.

use diffprog_dual::Real;
use diffprog_nn::checkpoint::{Checkpoint, CheckpointError, LayerSpec, FORMAT_VERSION, MAGIC};
use diffprog_nn::data::{digits, Dataset, Standardizer};
use diffprog_nn::layers::{seeded_rng, Init, Layer, Sequential};
use diffprog_nn::loss::Loss;
use diffprog_nn::optim::Adam;
use diffprog_nn::train::{evaluate_with, Control, Trainer};
use diffprog_nn::{Graph, Params, TrainedModel, Unary};
use std::path::PathBuf;

fn temp_path(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "diffprog-nn-usability-{}-{test}.ckpt",
        std::process::id()
    ))
}

/// y = x₁² − x₂ + 0.5 on [−1, 1]², 200 samples, and 100 held out.
fn quadratic(seed: u64, n: usize) -> Dataset<f64> {
    use diffprog_nn::rand::Rng;
    let mut rng = seeded_rng(seed);
    let x: Vec<f64> = (0..2 * n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let y = x.chunks(2).map(|p| p[0] * p[0] - p[1] + 0.5).collect();
    Dataset::with_targets(x, y, 2, 1)
}

#[test]
fn regression_reaches_a_low_loss_with_every_regression_loss() {
    let (train, test) = (quadratic(1, 200), quadratic(2, 100));
    let var = {
        let t = test.targets();
        let m = t.iter().sum::<f64>() / t.len() as f64;
        t.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / t.len() as f64
    };
    for loss in [
        Loss::MeanSquaredError,
        Loss::MeanAbsoluteError,
        Loss::Huber(0.1),
    ] {
        let mut g = Graph::<f64>::new();
        let model = Sequential::mlp(
            g.params_mut(),
            &[2, 32, 1],
            Unary::Tanh,
            Init::XavierUniform,
            &mut seeded_rng(3),
        );
        let mut opt = Adam::new(1e-2);
        let history = Trainer::new(&mut g, &model, &mut opt)
            .loss(loss)
            .epochs(300)
            .batch_size(20)
            .seed(4)
            .validation(&test)
            .progress(false)
            .fit(&train);
        assert_eq!(history.len(), 300);
        let last = history.last().unwrap();
        assert_eq!(
            last.train_accuracy, None,
            "{loss:?}: no accuracy for a regression"
        );
        assert_eq!(last.test_accuracy, None);
        assert!(
            last.train_loss < history.epochs[0].train_loss / 10.0,
            "{loss:?}"
        );
        let e = evaluate_with(&mut g, &model, &test, Loss::MeanSquaredError, 64);
        eprintln!(
            "{loss:?}: final train loss {:.2e}, test mse {:.2e} (target variance {var:.3}), rmse {:.4}, mae {:.4}, R² {:.5}",
            last.train_loss,
            e.loss,
            e.root_mean_squared_error(),
            e.mean_absolute_error(),
            e.r2()
        );
        assert!(e.loss < 1e-2 * var, "{loss:?}: test mse {}", e.loss);
        assert!(e.r2() > 0.99, "{loss:?}: R² {}", e.r2());
        assert!((e.root_mean_squared_error().powi(2) - e.loss).abs() < 1e-12);
        // the Trainer's validation loss is evaluate_with's
        let ev = evaluate_with(&mut g, &model, &test, loss, 256);
        assert!((ev.loss - last.test_loss.unwrap()).abs() < 1e-12);
        // predict agrees with the evaluation's outputs
        let p = model.predict(&mut g, test.features());
        assert_eq!(p.dims(), &[100, 1]);
        assert_eq!(p.data(), &e.outputs[..]);
    }
}

#[test]
fn multi_output_regression_and_binary_accuracy() {
    // Two targets per sample: (x₁ + x₂, x₁ − x₂), linear.
    let x: Vec<f32> = (0..128)
        .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
        .collect();
    let y: Vec<f32> = x
        .chunks(2)
        .flat_map(|p| [p[0] + p[1], p[0] - p[1]])
        .collect();
    let data = Dataset::with_targets(x.clone(), y, 2, 2);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[2, 2],
        Unary::Identity,
        Init::XavierUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(5e-2);
    let h = Trainer::new(&mut g, &model, &mut opt)
        .loss(Loss::MeanSquaredError)
        .epochs(100)
        .batch_size(16)
        .progress(false)
        .fit(&data);
    assert!(
        h.last().unwrap().train_loss < 1e-6,
        "{}",
        h.last().unwrap().train_loss
    );

    // Binary labels as float targets: is x₁ > x₂? With logits and BCE the accuracy is reported.
    let t: Vec<f32> = x.chunks(2).map(|p| f32::from(p[0] > p[1])).collect();
    let data = Dataset::with_targets(x, t, 2, 1);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[2, 1],
        Unary::Identity,
        Init::XavierUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(5e-2);
    let h = Trainer::new(&mut g, &model, &mut opt)
        .loss(Loss::BinaryCrossEntropyWithLogits)
        .epochs(60)
        .batch_size(16)
        .validation(&data)
        .progress(false)
        .fit(&data);
    let last = h.last().unwrap();
    assert!(last.train_accuracy.unwrap() > 0.95, "{last:?}");
    assert!(last.test_accuracy.unwrap() > 0.95, "{last:?}");
    let classes = model.predict_classes(&mut g, data.features());
    let right = classes
        .iter()
        .zip(data.targets())
        .filter(|&(&c, &t)| c as f32 == t)
        .count();
    assert!((right as f64 / data.len() as f64 - last.test_accuracy.unwrap()).abs() < 1e-12);
    let p = model.predict_proba(&mut g, data.features());
    assert!(p.data().iter().all(|&p| (0.0..=1.0).contains(&p)));
}

#[test]
fn classification_still_reaches_its_accuracy_and_stops_early() {
    let (mut train, mut test) = digits().split(0, 600);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    let test = test.subset(&(0..300).collect::<Vec<_>>());
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[64, 32, 10],
        Unary::Relu,
        Init::KaimingUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-2);
    let h = Trainer::new(&mut g, &model, &mut opt)
        .epochs(30)
        .seed(1)
        .validation(&test)
        .progress(false)
        .on_epoch(|r, _| {
            if r.test_accuracy.unwrap() >= 0.93 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .fit(&train);
    let (epoch, acc) = h.best_test_accuracy().unwrap();
    eprintln!("digits (600 train): {acc:.4} test accuracy after {epoch} epochs");
    assert!(
        acc >= 0.93 && h.len() < 30,
        "{acc} after {} epochs",
        h.len()
    );
    let classes = model.predict_classes(&mut g, test.features());
    let right = classes
        .iter()
        .zip(test.labels())
        .filter(|(c, l)| c == l)
        .count();
    assert!((right as f64 / test.len() as f64 - acc).abs() < 1e-12);
    let p = model.predict_proba(&mut g, test.features());
    assert_eq!(p.dims(), &[300, 10]);
    for row in p.data().chunks(10) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

#[test]
#[should_panic(expected = "needs float targets, but the data set has class labels")]
fn a_regression_loss_on_labels_is_refused() {
    let data = Dataset::new(vec![0.0f32, 1.0], vec![0, 1], 1);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[1, 2],
        Unary::Relu,
        Init::XavierUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-2);
    Trainer::new(&mut g, &model, &mut opt)
        .loss(Loss::MeanSquaredError)
        .progress(false)
        .fit(&data);
}

#[test]
#[should_panic(expected = "needs class labels, but the data set has float targets")]
fn cross_entropy_on_float_targets_is_refused() {
    let data = Dataset::with_targets(vec![0.0f32, 1.0], vec![0.0, 1.0], 1, 1);
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[1, 2],
        Unary::Relu,
        Init::XavierUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-2);
    Trainer::new(&mut g, &model, &mut opt)
        .progress(false)
        .fit(&data);
}

/// Every kind of layer and hyperparameter, in f32 and f64.
fn every_layer<F: diffprog_nn::Element>(params: &mut Params<F>) -> Sequential<F> {
    let mut rng = seeded_rng(11);
    let mut net = Sequential::mlp(
        params,
        &[5, 7, 6],
        Unary::LeakyRelu(F::from_f64(0.0123456789)),
        Init::KaimingNormal,
        &mut rng,
    );
    for a in [Unary::Gelu, Unary::Tanh, Unary::Softplus, Unary::Sigmoid] {
        net = net.push(Layer::Activation(a));
    }
    net = net.push(Layer::Dropout(0.3));
    net.layers
        .push(Layer::Linear(diffprog_nn::layers::Linear::new(
            params,
            "head",
            6,
            4,
            false,
            Init::XavierNormal,
            &mut rng,
        )));
    net.push(Layer::LogSoftmax)
}

fn save_load_bit_for_bit<F: diffprog_nn::Element + diffprog_dual::Scalar<F>>(test: &str) {
    let mut g = Graph::<F>::new();
    let model = every_layer(g.params_mut());
    let raw: Vec<F> = (0..5 * 300)
        .map(|i| <F as Real>::from_f64(((i * 7919) % 1000) as f64 / 100.0 - 3.0))
        .collect();
    let data = Dataset::new(raw.clone(), (0..300).map(|i| i % 4).collect(), 5);
    let scaler = Standardizer::fit(&data);
    let mut x = raw.clone();
    scaler.apply_rows(&mut x);
    let path = temp_path(test);
    model.save(&path, g.params(), Some(&scaler)).unwrap();
    let mut loaded = Sequential::<F>::load(&path).unwrap();
    assert_eq!(loaded.model, model);
    assert_eq!(
        loaded.graph.params().named_arrays(),
        g.params().named_arrays()
    );
    assert_eq!(loaded.standardizer.as_ref(), Some(&scaler));
    let bits = |t: &diffprog_nn::Tensor<F>| {
        t.data()
            .iter()
            .map(|&v| Real::to_f64(v).to_bits())
            .collect::<Vec<_>>()
    };
    // 300 rows: two batches inside predict
    let before = model.predict(&mut g, &x);
    assert_eq!(bits(&loaded.predict(&raw)), bits(&before));
    assert_eq!(
        bits(&loaded.predict_proba(&raw)),
        bits(&model.predict_proba(&mut g, &x))
    );
    assert_eq!(
        loaded.predict_classes(&raw),
        model.predict_classes(&mut g, &x)
    );
    // and the same as the one-sample generic forward, row by row (dropout is off in both)
    let row0 = model.forward_generic(g.params(), &x[..5]);
    for (a, b) in row0.iter().zip(&before.data()[..4]) {
        assert!(
            (Real::to_f64(*a) - Real::to_f64(*b)).abs() < 1e-5,
            "{a:?} vs {b:?}"
        );
    }
    // saving the loaded model again gives the same bytes
    let again = temp_path(&format!("{test}-again"));
    loaded.save(&again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&again);
}

#[test]
fn save_then_load_without_rng_predicts_bit_for_bit() {
    save_load_bit_for_bit::<f32>("f32");
    save_load_bit_for_bit::<f64>("f64");
}

#[test]
fn the_element_type_must_match() {
    let mut g = Graph::<f32>::new();
    let model = every_layer(g.params_mut());
    let ck = model.to_checkpoint(g.params());
    let err = Sequential::<f64>::from_checkpoint(&ck).unwrap_err();
    assert!(
        matches!(err, CheckpointError::DTypeMismatch { .. }),
        "{err}"
    );
    assert!(Sequential::<f32>::from_checkpoint(&ck).is_ok());
}

#[test]
fn metadata_and_preprocessing_round_trip_through_trained_model() {
    let data = Dataset::new(
        vec![1.0f64, 100.0, 3.0, 300.0, 5.0, 500.0],
        vec![0, 1, 0],
        2,
    );
    let scaler = Standardizer::fit(&data);
    let mut g = Graph::<f64>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[2, 3, 2],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let mut tm = TrainedModel::new(model, g, Some(scaler.clone()));
    tm.metadata.insert("epoch".into(), "12".into());
    let ck = tm.to_checkpoint();
    assert_eq!(ck.standardizer::<f64>().unwrap(), Some(scaler.clone()));
    let back =
        TrainedModel::<f64>::from_checkpoint(&Checkpoint::from_bytes(&ck.to_bytes()).unwrap())
            .unwrap();
    assert_eq!(back.metadata.get("epoch").map(String::as_str), Some("12"));
    assert_eq!(back.standardizer, Some(scaler));
    // A standardizer of another width than the network's input is refused.
    let mut ck2 = ck.clone();
    ck2.set_standardizer(&Standardizer::from_parts(vec![0.0f64; 3], vec![1.0; 3]).unwrap());
    let err = TrainedModel::<f64>::from_checkpoint(&ck2).unwrap_err();
    assert!(
        matches!(err, CheckpointError::BadModel(ref m) if m.contains("3 features")),
        "{err}"
    );
    // Half a standardizer is refused.
    let mut ck3 = Checkpoint::new("x");
    ck3.set_buffer("standardizer.mean", &[2], &[0.0f64, 1.0]);
    assert!(matches!(
        ck3.standardizer::<f64>(),
        Err(CheckpointError::BadModel(_))
    ));
    ck3.set_buffer("standardizer.std", &[2], &[1.0f64, -1.0]);
    let err = ck3.standardizer::<f64>().unwrap_err();
    assert!(err.to_string().contains("negative"), "{err}");
}

#[test]
fn inconsistent_model_descriptions_are_refused() {
    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[3, 4, 2],
        Unary::LeakyRelu(0.1),
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    let good = model.to_checkpoint(g.params());
    assert!(Sequential::<f32>::from_checkpoint(&good).is_ok());
    let layers = good.model().unwrap().to_vec();
    let with = |f: &dyn Fn(&mut Vec<LayerSpec>)| {
        let mut l = layers.clone();
        f(&mut l);
        let mut ck = good.clone();
        ck.set_model(l);
        Sequential::<f32>::from_checkpoint(&ck).unwrap_err()
    };
    let set_linear = |l: &mut Vec<LayerSpec>, i: usize, new_in: usize, new_out: usize| {
        if let LayerSpec::Linear {
            in_dim, out_dim, ..
        } = &mut l[i]
        {
            *in_dim = new_in;
            *out_dim = new_out;
        }
    };
    // widths that do not chain (the shapes then disagree with the parameters too)
    let e = with(&|l| set_linear(l, 2, 5, 2));
    assert!(
        matches!(e, CheckpointError::BadModel(ref m) if m.contains("5 inputs after layers giving 4")),
        "{e}"
    );
    let e = with(&|l| set_linear(l, 0, 4, 3));
    assert!(matches!(e, CheckpointError::ShapeMismatch { .. }), "{e}");
    let e = with(&|l| set_linear(l, 0, 0, 4));
    assert!(matches!(e, CheckpointError::BadModel(_)), "{e}");
    let e = with(&|l| {
        if let LayerSpec::Linear { weight, .. } = &mut l[0] {
            *weight = "nope".into();
        }
    });
    assert!(
        matches!(e, CheckpointError::MissingParameter { ref name } if name == "nope"),
        "{e}"
    );
    for (function, slope) in [
        ("swish", None),
        ("relu", Some("0.1")),
        ("leaky_relu", None),
        ("leaky_relu", Some("x")),
    ] {
        let e = with(&|l| {
            l[1] = LayerSpec::Activation {
                function: function.into(),
                slope: slope.map(String::from),
            }
        });
        assert!(
            matches!(e, CheckpointError::BadModel(_)),
            "{function} {slope:?}: {e}"
        );
    }
    for p in ["1", "-0.1", "NaN", "half"] {
        let e = with(&|l| l.push(LayerSpec::Dropout { p: p.into() }));
        assert!(
            matches!(e, CheckpointError::BadModel(ref m) if m.contains("dropout")),
            "{p}: {e}"
        );
    }
    // a consistent description of another network than the architecture string says
    let e = with(&|l| l.push(LayerSpec::Softmax));
    assert!(
        matches!(e, CheckpointError::ArchitectureMismatch { .. }),
        "{e}"
    );
    // a checkpoint without a description (Params::save) says how to load it instead
    let e = Sequential::<f32>::from_checkpoint(&g.params().to_checkpoint(&model.architecture()))
        .unwrap_err();
    assert!(matches!(e, CheckpointError::NoModel), "{e}");
    assert!(e.to_string().contains("Params::load"), "{e}");
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// A version 1 file, written as version 1 wrote them: header without buffers or model.
fn v1_file(header: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    let total = 8 + 4 + 8 + 4 + 8 + header.len() + payload.len() + 4;
    out.extend_from_slice(&(total as u64).to_le_bytes());
    let c = crc32(&out);
    out.extend_from_slice(&c.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    let c = crc32(&out);
    out.extend_from_slice(&c.to_le_bytes());
    out
}

#[test]
fn version_1_files_still_load_their_parameters_but_not_as_a_model() {
    assert_eq!(FORMAT_VERSION, 2);
    let mut params = Params::<f32>::new();
    let model = Sequential::mlp(
        &mut params,
        &[2, 3, 1],
        Unary::Tanh,
        Init::XavierUniform,
        &mut seeded_rng(5),
    );
    let arch = model.architecture();
    let mut header =
        format!("{{\"architecture\":{arch:?},\"metadata\":{{\"epoch\":\"3\"}},\"params\":[");
    let mut payload = Vec::new();
    for (i, (name, shape, values)) in params.named_arrays().into_iter().enumerate() {
        if i > 0 {
            header.push(',');
        }
        header.push_str(&format!(
            "{{\"name\":{name:?},\"dtype\":\"f32\",\"shape\":{shape:?}}}"
        ));
        values
            .iter()
            .for_each(|v| payload.extend_from_slice(&v.to_le_bytes()));
    }
    header.push_str("]}");
    let bytes = v1_file(&header, &payload);
    let ck = Checkpoint::from_bytes(&bytes).unwrap();
    assert_eq!(ck.metadata("epoch"), Some("3"));
    assert!(ck.model().is_none() && ck.buffers().is_empty());
    let path = temp_path("v1");
    std::fs::write(&path, &bytes).unwrap();
    let mut fresh = Params::<f32>::new();
    Sequential::mlp(
        &mut fresh,
        &[2, 3, 1],
        Unary::Tanh,
        Init::XavierUniform,
        &mut seeded_rng(6),
    );
    fresh.load(&path, &arch).unwrap();
    assert_eq!(fresh.flatten(), params.flatten());
    let err = Sequential::<f32>::load(&path).unwrap_err();
    assert!(matches!(err, CheckpointError::NoModel), "{err}");
    // Written again, it is version 2.
    let again = ck.to_bytes();
    assert_eq!(u32::from_le_bytes(again[8..12].try_into().unwrap()), 2);
    assert_eq!(Checkpoint::from_bytes(&again).unwrap(), ck);
    // A version 1 header with the version 2 fields is refused (unknown fields), as is a version 2
    // header without them.
    let mixed = header.replacen("\"params\"", "\"buffers\":[],\"params\"", 1);
    assert!(matches!(
        Checkpoint::from_bytes(&v1_file(&mixed, &payload)),
        Err(CheckpointError::Corrupt(_))
    ));
    let mut v2_without = v1_file(&header, &payload);
    v2_without[8..12].copy_from_slice(&2u32.to_le_bytes());
    let c = crc32(&v2_without[..20]);
    v2_without[20..24].copy_from_slice(&c.to_le_bytes());
    let n = v2_without.len();
    let c = crc32(&v2_without[..n - 4]);
    v2_without[n - 4..].copy_from_slice(&c.to_le_bytes());
    let err = Checkpoint::from_bytes(&v2_without).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Corrupt(ref m) if m.contains("buffers")),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn every_truncation_and_bit_flip_of_a_full_model_file_is_refused() {
    let mut g = Graph::<f32>::new();
    let model = every_layer(g.params_mut());
    let scaler = Standardizer::from_parts(vec![0.5f32; 5], vec![2.0; 5]).unwrap();
    let mut ck = model.to_checkpoint(g.params());
    ck.set_standardizer(&scaler);
    let bytes = ck.to_bytes();
    assert!(TrainedModel::<f32>::from_checkpoint(&Checkpoint::from_bytes(&bytes).unwrap()).is_ok());
    for cut in 0..bytes.len() {
        assert!(
            Checkpoint::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    // every byte, one bit each (the checksums catch them)
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        assert!(Checkpoint::from_bytes(&b).is_err(), "byte {i}");
    }
}

//! Lab 5: convolutional networks on Fashion-MNIST.
//!
//! 1. The course's SimpleCNN — Conv(1→32, 5×5), ReLU, max-pool 2, dropout 0.2, Linear(4608, 128),
//!    ReLU, Linear(128, 10) — and BetterCNN — Conv(1→30, 5×5), ReLU, pool, Conv(30→15, 3×3),
//!    ReLU, pool, dropout 0.2, Linear(375, 128), ReLU, Linear(128, 50), ReLU, Linear(50, 10) —
//!    each trained with Adam (lr 10⁻³), batch 128, 10 epochs, cross-entropy, PyTorch's default
//!    initialisation; test loss and accuracy printed per epoch.
//! 2. The SimpleCNN saved to a checkpoint, reloaded in a new process (this program re-executes
//!    itself with `--predict CHECKPOINT`), and its predictions on the 10 000 test images
//!    compared with the trained model's: the classes and the logits' bits must be identical.
//! 3. The first layer's filters of both networks as image grids (PNG).
//! 4. Activation maximisation: for each class, gradient ascent on an input image (the tape's
//!    gradient with respect to an input leaf) of the SimpleCNN's class score, from a grey image,
//!    with a small L2 penalty and pixels kept in [0, 1]; the ten images as a grid (PNG) and each
//!    class score before and after (every score must increase).
//!
//! Asserted: test accuracy (the 10 000 test images) at least 0.905 for the SimpleCNN (PyTorch
//! with the same settings: 0.912) and 0.89 for the BetterCNN; identical reloaded predictions;
//! every class score increased by the ascent.
//!
//! Data: the test set ships in `data/fashion-mnist/`; the 60 000 training images come from
//! `--data DIR`, else `FASHION_MNIST_DIR`, else `/usr/share/datasets/fashion-mnist/` (see
//! `data/README.md`). `--quick` (what `tests/lab_examples_b.rs` runs) trains both networks for
//! 2 epochs on 1 200 test-set images and asserts accuracies of at least 0.70 (SimpleCNN) and 0.30
//! (BetterCNN, which starts slower; chance is 0.10) on 500 other test-set images; the reload is then checked in-process (the test
//! re-executes itself for the new process).
//!
//! Run: `cargo run --release --example 10_fashion_cnn [-- --quick] [--data DIR] [--out DIR]`
//! (output files in `--out`, default `target/examples-out/`).

use diffprog::nn::data::{
    fashion_mnist_dir, read_fashion_mnist, Dataset, FashionMnistSplit, FASHION_MNIST_CLASSES,
};
use diffprog::nn::layers::{seeded_rng, Conv2d, Init, Layer, Linear, Pool2d, Sequential};
use diffprog::nn::optim::Adam;
use diffprog::nn::plot::{plot_image_grid, GreyScale, ImageGrid};
use diffprog::nn::rand::seq::SliceRandom;
use diffprog::nn::train::{evaluate, Control, Trainer};
use diffprog::nn::{ConvOptions, Element, Graph, Params, Unary};
use std::path::{Path, PathBuf};

/// The repository's copy of the Fashion-MNIST test set.
pub const TEST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/fashion-mnist");

const BATCH: usize = 128;

fn conv<F: Element>(
    p: &mut Params<F>,
    name: &str,
    c_in: usize,
    c_out: usize,
    k: usize,
    seed: u64,
) -> Layer<F> {
    Layer::Conv2d(Conv2d::new(
        p,
        name,
        c_in,
        c_out,
        [k, k],
        ConvOptions::new(),
        true,
        &mut seeded_rng(seed),
    ))
}

fn dense<F: Element>(p: &mut Params<F>, name: &str, i: usize, o: usize, seed: u64) -> Layer<F> {
    Layer::Linear(Linear::new(
        p,
        name,
        i,
        o,
        true,
        Init::TorchDefault,
        &mut seeded_rng(seed),
    ))
}

/// The course's SimpleCNN, taking flat 784-pixel rows.
pub fn simple_cnn<F: Element>(p: &mut Params<F>) -> Sequential<F> {
    let relu = Layer::Activation(Unary::Relu);
    Sequential {
        layers: vec![
            Layer::Unflatten(vec![1, 28, 28]),
            conv(p, "conv1", 1, 32, 5, 10),
            relu.clone(),
            Layer::MaxPool2d(Pool2d::new(2)),
            Layer::Dropout(0.2),
            Layer::Flatten,
            dense(p, "fc1", 32 * 12 * 12, 128, 11),
            relu,
            dense(p, "fc2", 128, 10, 12),
        ],
    }
}

/// The course's BetterCNN, taking flat 784-pixel rows.
pub fn better_cnn<F: Element>(p: &mut Params<F>) -> Sequential<F> {
    let relu = Layer::Activation(Unary::Relu);
    Sequential {
        layers: vec![
            Layer::Unflatten(vec![1, 28, 28]),
            conv(p, "conv1", 1, 30, 5, 20),
            relu.clone(),
            Layer::MaxPool2d(Pool2d::new(2)),
            conv(p, "conv2", 30, 15, 3, 21),
            relu.clone(),
            Layer::MaxPool2d(Pool2d::new(2)),
            Layer::Dropout(0.2),
            Layer::Flatten,
            dense(p, "fc1", 15 * 5 * 5, 128, 22),
            relu.clone(),
            dense(p, "fc2", 128, 50, 23),
            relu,
            dense(p, "fc3", 50, 10, 24),
        ],
    }
}

/// Trains `model` (parameters in `g`) and returns the final test accuracy.
fn train(
    name: &str,
    g: &mut Graph<f32>,
    model: &Sequential<f32>,
    train: &Dataset<f32>,
    test: &Dataset<f32>,
    epochs: usize,
) -> f64 {
    println!(
        "\n== {name}: {} parameters, {} training images, {} test images ==\n{}",
        g.params().numel(),
        train.len(),
        test.len(),
        model.architecture()
    );
    g.seed(3); // dropout masks
    let mut opt = Adam::<f32>::new(1e-3);
    let mut t0 = std::time::Instant::now();
    Trainer::new(g, model, &mut opt)
        .epochs(epochs)
        .batch_size(BATCH)
        .seed(4)
        .validation(test)
        .progress(false)
        .on_epoch(|r, _| {
            println!(
                "epoch {:2} ({:.1} s): train loss {:.4}, train accuracy {:.2}%, test loss {:.4}, \
                 test accuracy {:.2}%",
                r.epoch,
                t0.elapsed().as_secs_f64(),
                r.train_loss,
                100.0 * r.train_accuracy.unwrap_or(f64::NAN),
                r.test_loss.unwrap_or(f64::NAN),
                100.0 * r.test_accuracy.unwrap_or(f64::NAN)
            );
            t0 = std::time::Instant::now();
            Control::Continue
        })
        .fit(train);
    evaluate(g, model, test, 500).accuracy()
}

/// The first convolution's filters as a grid, each stretched to its own range.
fn plot_filters(g: &Graph<f32>, model: &Sequential<f32>, path: &Path) -> Result<(), String> {
    let Layer::Conv2d(c) = &model.layers[1] else {
        unreachable!("the second layer is the first convolution")
    };
    let grid = ImageGrid::new(c.kernel[0], c.kernel[1], 8)
        .zoom(12)
        .scale(GreyScale::PerImage);
    plot_image_grid(path, g.params().value(c.weight), &grid).map_err(|e| e.to_string())?;
    println!("first-layer filters: {}", path.display());
    Ok(())
}

/// The predicted classes on `images` and an FNV-1a hash of the logits' bits, as one line:
/// `reloaded: <hash> <classes as digits>`. What `--predict CHECKPOINT` prints.
pub fn predict_line(checkpoint: &Path, images: &[f32]) -> Result<String, String> {
    let mut m = Sequential::<f32>::load(checkpoint)
        .map_err(|e| format!("loading {}: {e}", checkpoint.display()))?;
    Ok(prediction_line(
        &m.predict(images).into_vec(),
        &m.predict_classes(images),
    ))
}

fn prediction_line(logits: &[f32], classes: &[usize]) -> String {
    let hash = logits.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, v| {
        (h ^ u64::from(v.to_bits())).wrapping_mul(0x100_0000_01b3)
    });
    let digits: String = classes
        .iter()
        .map(|c| char::from(b'0' + *c as u8))
        .collect();
    format!("reloaded: {hash:016x} {digits}")
}

/// Each class's score on its own image and the score's gradient with respect to that image:
/// `images` holds one 784-pixel image per class (10 × 784), the network runs in eval mode on
/// an input leaf, and one backward pass seeded with the identity matrix gives row c of the input
/// gradient as ∂ logit_c(image c) / ∂ image c (the images do not interact in eval mode).
pub fn class_score_gradients<F: Element>(
    g: &mut Graph<F>,
    model: &Sequential<F>,
    images: &[F],
) -> (Vec<F>, Vec<F>) {
    g.set_training(false);
    let mut eye = vec![F::zero(); 100];
    for c in 0..10 {
        eye[c * 11] = F::one();
    }
    g.reset();
    let leaf = g.leaf(images, &[10, 784]);
    let logits = model.forward(g, leaf);
    let scores = (0..10).map(|c| g.value(logits)[c * 11]).collect();
    g.backward_with_grad(logits, &eye);
    let grad = g
        .grad(leaf)
        .expect("the input leaf gets a gradient")
        .to_vec();
    g.params_mut().zero_grad();
    (scores, grad)
}

/// Gradient ascent on one input image per class of the class's logit minus λ‖x‖², from a grey
/// image, pixels clamped to [0, 1]. Returns the images and each class's score before and after.
fn maximise_activations(
    g: &mut Graph<f32>,
    model: &Sequential<f32>,
    steps: usize,
) -> (Vec<f32>, Vec<(f32, f32)>) {
    const LR: f32 = 0.05;
    const L2: f32 = 0.01;
    let mut x = vec![0.5f32; 10 * 784];
    let (first, _) = class_score_gradients(g, model, &x);
    for _ in 0..steps {
        let (_, grad) = class_score_gradients(g, model, &x);
        for (xi, gi) in x.iter_mut().zip(&grad) {
            *xi = (*xi + LR * (gi - 2.0 * L2 * *xi)).clamp(0.0, 1.0);
        }
    }
    let (last, _) = class_score_gradients(g, model, &x);
    (x, first.into_iter().zip(last).collect())
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// SimpleCNN's test (quick: held-out) accuracy.
    pub simple_accuracy: f64,
    /// BetterCNN's.
    pub better_accuracy: f64,
    /// The asserted lower bounds (SimpleCNN, BetterCNN).
    pub bounds: (f64, f64),
    /// Whether the checkpoint reloaded in this process gave the same logits, bit for bit.
    pub reloaded_identical: bool,
    /// The checkpoint of the SimpleCNN.
    pub checkpoint: PathBuf,
    /// The trained SimpleCNN's prediction line on the evaluation images ([`predict_line`]'s
    /// format), for a comparison with a new process.
    pub prediction_line: String,
    /// Each class's score (logit) before and after the activation maximisation.
    pub class_scores: Vec<(f32, f32)>,
    /// The PNG files written.
    pub files: Vec<PathBuf>,
}

impl Outcome {
    /// Every assertion of the example holds.
    pub fn passed(&self) -> bool {
        self.simple_accuracy >= self.bounds.0
            && self.better_accuracy >= self.bounds.1
            && self.reloaded_identical
            && self.class_scores.iter().all(|(a, b)| b > a)
    }
}

/// The images the reloaded model is compared on: the test set (quick: the 500 held out).
pub fn evaluation_images(quick: bool) -> Result<Dataset<f32>, String> {
    Ok(split(quick)?.1)
}

fn split(quick: bool) -> Result<(Option<Dataset<f32>>, Dataset<f32>), String> {
    let test = read_fashion_mnist::<f32>(Path::new(TEST_DIR), FashionMnistSplit::Test)
        .map_err(|e| format!("the repository's test set: {e}"))?;
    if !quick {
        return Ok((None, test));
    }
    let mut idx: Vec<usize> = (0..test.len()).collect();
    idx.shuffle(&mut seeded_rng(0));
    Ok((
        Some(test.subset(&idx[..1200])),
        test.subset(&idx[1200..1700]),
    ))
}

/// Runs the lab; `train_dir` holds the training set (full mode only), files go to `out`.
pub fn run(quick: bool, train_dir: &Path, out: &Path) -> Result<Outcome, String> {
    let (quick_train, test) = split(quick)?;
    let (train_set, epochs, bounds) = match quick_train {
        Some(t) => (t, 2, (0.70, 0.30)),
        None => (
            read_fashion_mnist(train_dir, FashionMnistSplit::Train).map_err(|e| {
                format!("the full run needs the training set: {e}; `--quick` needs no download")
            })?,
            10,
            (0.905, 0.89),
        ),
    };
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let mut files = Vec::new();

    let mut g = Graph::<f32>::new();
    let simple = simple_cnn(g.params_mut());
    let simple_accuracy = train("SimpleCNN", &mut g, &simple, &train_set, &test, epochs);
    let eval = evaluate(&mut g, &simple, &test, 500);
    println!(
        "SimpleCNN: test accuracy {:.4}, top-2 {:.4}\n{}",
        simple_accuracy,
        eval.top_k(2),
        eval.confusion()
    );

    // save; reload from the file alone (no model-building code) and compare the logits
    let checkpoint = out.join("10_simple_cnn.ckpt");
    simple
        .save(&checkpoint, g.params(), None)
        .map_err(|e| format!("saving {}: {e}", checkpoint.display()))?;
    let logits = simple.predict(&mut g, test.features()).into_vec();
    let classes = simple.predict_classes(&mut g, test.features());
    let line = prediction_line(&logits, &classes);
    let reloaded = predict_line(&checkpoint, test.features())?;
    let reloaded_identical = reloaded == line;
    println!(
        "saved to {} ({} bytes) and reloaded in this process: {} test predictions {}",
        checkpoint.display(),
        std::fs::metadata(&checkpoint).map_or(0, |m| m.len()),
        classes.len(),
        if reloaded_identical {
            "identical (logits bit for bit)"
        } else {
            "DIFFERENT"
        }
    );
    let path = out.join("10_simple_cnn_filters.png");
    plot_filters(&g, &simple, &path)?;
    files.push(path);

    let (images, class_scores) =
        maximise_activations(&mut g, &simple, if quick { 20 } else { 200 });
    println!("activation maximisation (SimpleCNN class score, from a grey image):");
    for (c, (a, b)) in class_scores.iter().enumerate() {
        println!("  {:<12} {a:8.3} → {b:8.3}", FASHION_MNIST_CLASSES[c]);
    }
    let path = out.join("10_activation_maximisation.png");
    plot_image_grid(&path, &images, &ImageGrid::new(28, 28, 5)).map_err(|e| e.to_string())?;
    println!(
        "maximising images (one per class, in label order): {}",
        path.display()
    );
    files.push(path);

    let mut g2 = Graph::<f32>::new();
    let better = better_cnn(g2.params_mut());
    let better_accuracy = train("BetterCNN", &mut g2, &better, &train_set, &test, epochs);
    let path = out.join("10_better_cnn_filters.png");
    plot_filters(&g2, &better, &path)?;
    files.push(path);

    Ok(Outcome {
        simple_accuracy,
        better_accuracy,
        bounds,
        reloaded_identical,
        checkpoint,
        prediction_line: line,
        class_scores,
        files,
    })
}

fn arg_after(args: &[String], flag: &str) -> Option<PathBuf> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(ckpt) = arg_after(&args, "--predict") {
        // the child process: load the checkpoint and predict the evaluation images
        let line = evaluation_images(quick).and_then(|t| predict_line(&ckpt, t.features()));
        match line {
            Ok(l) => println!("{l}"),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
        return;
    }
    let dir = fashion_mnist_dir(arg_after(&args, "--data").as_deref());
    let out = arg_after(&args, "--out").unwrap_or_else(|| PathBuf::from("target/examples-out"));
    let o = match run(quick, &dir, &out) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    // reload in a new process: this program with --predict
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
    cmd.arg("--predict").arg(&o.checkpoint);
    if quick {
        cmd.arg("--quick");
    }
    let child = cmd.output().expect("running this program with --predict");
    let child_line = String::from_utf8_lossy(&child.stdout).trim().to_string();
    let same_in_new_process = child.status.success() && child_line == o.prediction_line;
    println!(
        "reloaded in a new process: predictions {}",
        if same_in_new_process {
            "identical (logits bit for bit)"
        } else {
            "DIFFERENT"
        }
    );
    let pass = o.passed() && same_in_new_process;
    println!(
        "asserted: test accuracy: SimpleCNN {:.4} ≥ {}, BetterCNN {:.4} ≥ {}; reloaded predictions \
         identical; every class score increased: {}",
        o.simple_accuracy,
        o.bounds.0,
        o.better_accuracy,
        o.bounds.1,
        if pass { "yes" } else { "NO" }
    );
    if !pass {
        std::process::exit(1);
    }
}

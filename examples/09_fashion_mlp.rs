//! Lab 4: a multi-layer perceptron on Fashion-MNIST. Linear(784, 784), ReLU, Linear(784, 10)
//! (PyTorch's default initialisation), pixels in [0, 1], Adam (lr 10⁻³), batch 128, 10 epochs,
//! cross-entropy. Prints the loss and accuracies per epoch, then on the test set: accuracy, top-5
//! accuracy, per-class accuracy and precision, and the confusion matrix; writes the training
//! curves (SVG).
//!
//! Asserted: test accuracy (the 10 000 test images) at least 0.88 (PyTorch with the same
//! settings: 0.886).
//!
//! Data: the test set ships in `data/fashion-mnist/`; the 60 000 training images come from
//! `--data DIR`, else `FASHION_MNIST_DIR`, else `/usr/share/datasets/fashion-mnist/` (see
//! `data/README.md`). `--quick` (what `tests/lab_examples_b.rs` runs) trains 3 epochs on 3 000
//! test-set images and asserts an accuracy of at least 0.76 on 2 000 other test-set images.
//!
//! Run: `cargo run --release --example 09_fashion_mlp [-- --quick] [--data DIR] [--out DIR]`
//! (output files in `--out`, default `target/examples-out/`).

use diffprog::nn::data::{
    fashion_mnist_dir, read_fashion_mnist, FashionMnistSplit, FASHION_MNIST_CLASSES,
};
use diffprog::nn::layers::{seeded_rng, Init, Sequential};
use diffprog::nn::optim::Adam;
use diffprog::nn::plot::plot_training_curves;
use diffprog::nn::rand::seq::SliceRandom;
use diffprog::nn::train::{evaluate, Control, Trainer};
use diffprog::nn::{Graph, Unary};
use std::path::{Path, PathBuf};

/// The repository's copy of the Fashion-MNIST test set.
pub const TEST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/fashion-mnist");

/// What a run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Test (quick: held-out) accuracy after the last epoch.
    pub accuracy: f64,
    /// Top-5 accuracy.
    pub top5: f64,
    /// Accuracy within each class.
    pub per_class: Vec<Option<f64>>,
    /// The asserted lower bound on `accuracy`.
    pub bound: f64,
    /// The training curves (SVG).
    pub curves: PathBuf,
}

/// Runs the lab; `train_dir` holds the training set (full mode only), files go to `out`.
pub fn run(quick: bool, train_dir: &Path, out: &Path) -> Result<Outcome, String> {
    let test = read_fashion_mnist::<f32>(Path::new(TEST_DIR), FashionMnistSplit::Test)
        .map_err(|e| format!("the repository's test set: {e}"))?;
    let (train, test, epochs, bound) = if quick {
        let mut idx: Vec<usize> = (0..test.len()).collect();
        idx.shuffle(&mut seeded_rng(0));
        (
            test.subset(&idx[..3000]),
            test.subset(&idx[3000..5000]),
            3,
            0.76,
        )
    } else {
        let train = read_fashion_mnist(train_dir, FashionMnistSplit::Train).map_err(|e| {
            format!("the full run needs the training set: {e}; `--quick` needs no download")
        })?;
        (train, test, 10, 0.88)
    };
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    println!(
        "Fashion-MNIST: {} training images, {} test images",
        train.len(),
        test.len()
    );

    let mut g = Graph::<f32>::new();
    let model = Sequential::mlp(
        g.params_mut(),
        &[784, 784, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut seeded_rng(1),
    );
    let mut opt = Adam::<f32>::new(1e-3);
    let mut t0 = std::time::Instant::now();
    let history = Trainer::new(&mut g, &model, &mut opt)
        .epochs(epochs)
        .batch_size(128)
        .seed(2)
        .validation(&test)
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
        .fit(&train);

    let eval = evaluate(&mut g, &model, &test, 500);
    let cm = eval.confusion();
    println!("\nper class (accuracy = recall, precision):");
    for (c, name) in FASHION_MNIST_CLASSES.iter().enumerate() {
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
        println!(
            "  {c} {name:<12} accuracy {:>6}  precision {:>6}",
            pct(cm.per_class_accuracy()[c]),
            pct(cm.precision(c))
        );
    }
    println!("\nconfusion matrix (rows: true class, columns: predicted):\n{cm}");
    let curves = out.join("09_fashion_mlp_curves.svg");
    plot_training_curves(&curves, &history).map_err(|e| e.to_string())?;
    println!("training curves: {}", curves.display());
    let o = Outcome {
        accuracy: eval.accuracy(),
        top5: eval.top_k(5),
        per_class: cm.per_class_accuracy(),
        bound,
        curves,
    };
    println!("top-5 accuracy: {:.4}", o.top5);
    Ok(o)
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
    let dir = fashion_mnist_dir(arg_after(&args, "--data").as_deref());
    let out = arg_after(&args, "--out").unwrap_or_else(|| PathBuf::from("target/examples-out"));
    let o = match run(quick, &dir, &out) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let pass = o.accuracy >= o.bound;
    println!(
        "{} accuracy: {:.4} (asserted ≥ {}: {})",
        if quick { "held-out" } else { "test" },
        o.accuracy,
        o.bound,
        if pass { "yes" } else { "NO" }
    );
    if !pass {
        std::process::exit(1);
    }
}

//! An MLP 64-64-10 (ReLU) on the 8×8 digits shipped with diffprog-nn: Adam lr 1e-3, batch 32,
//! 30 epochs, seeded 1500/297 split, pixels standardised with the training set's statistics.
//! Prints the per-epoch losses and accuracies, the test confusion matrix, top-k and per-class
//! accuracy, and writes the training curves to an SVG. Then saves the model with its
//! preprocessing, loads it back without rebuilding anything, and predicts on raw pixels.
//!
//! Run: `cargo run --release --example 05_digits_mlp [curves.svg]`
//! (default output: `target/05_digits_mlp_curves.svg`, the checkpoint next to it).

use diffprog::nn::data::{digits, Standardizer};
use diffprog::nn::layers::{seeded_rng, Init, Sequential};
use diffprog::nn::optim::Adam;
use diffprog::nn::plot::plot_training_curves;
use diffprog::nn::train::{evaluate, Control, Trainer};
use diffprog::nn::{Graph, Unary};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/05_digits_mlp_curves.svg".to_string());
    let data = digits();
    let (mut train, mut test) = data.split(0, 1500);
    let raw_test = test.clone();
    // Standardise each pixel with the training set's mean and standard deviation (scikit-learn's
    // StandardScaler, the usual preprocessing for this data set).
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    println!(
        "digits: {} training and {} test samples",
        train.len(),
        test.len()
    );

    let mut g = Graph::<f32>::new();
    let mut rng = seeded_rng(0);
    let model = Sequential::mlp(
        g.params_mut(),
        &[64, 64, 10],
        Unary::Relu,
        Init::TorchDefault,
        &mut rng,
    );
    let mut opt = Adam::new(1e-3);
    let start = std::time::Instant::now();
    // Cross-entropy is the default loss; `.loss(Loss::MeanSquaredError)` etc. for a regression.
    let history = Trainer::new(&mut g, &model, &mut opt)
        .epochs(30)
        .batch_size(32)
        .seed(1)
        .validation(&test)
        .on_epoch(|r, _| {
            println!(
                "epoch {:2}  train loss {:.4}  train acc {:.2}%  test loss {:.4}  test acc {:.2}%",
                r.epoch,
                r.train_loss,
                100.0 * r.train_accuracy.unwrap_or(f64::NAN),
                r.test_loss.unwrap_or(f64::NAN),
                100.0 * r.test_accuracy.unwrap_or(f64::NAN)
            );
            Control::Continue
        })
        .fit(&train);
    println!(
        "trained in {:.2?} (with per-epoch evaluation)",
        start.elapsed()
    );

    let eval = evaluate(&mut g, &model, &test, 256);
    println!(
        "\ntest accuracy {:.2}%, top-2 {:.2}%, top-3 {:.2}%",
        100.0 * eval.accuracy(),
        100.0 * eval.top_k(2),
        100.0 * eval.top_k(3)
    );
    println!(
        "\nconfusion matrix (rows: true class, columns: predicted):\n{}",
        eval.confusion()
    );
    let per_class: Vec<String> = eval
        .per_class_accuracy()
        .iter()
        .enumerate()
        .map(|(c, a)| {
            format!(
                "{c}: {}",
                a.map(|a| format!("{:.1}%", 100.0 * a))
                    .unwrap_or("-".into())
            )
        })
        .collect();
    println!("per-class accuracy: {}", per_class.join(", "));

    if let Some(dir) = std::path::Path::new(&out).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match plot_training_curves(&out, &history) {
        Ok(()) => println!("training curves written to {out}"),
        Err(e) => eprintln!("could not write the curves: {e}"),
    }
    // Save the network with its preprocessing; load it back with no RNG and no rebuilding, and
    // predict on raw (unstandardised) pixels: the loaded model standardises them itself.
    let ckpt = std::path::Path::new(&out).with_file_name("05_digits_mlp.ckpt");
    model
        .save(&ckpt, g.params(), Some(&scaler))
        .expect("saving the checkpoint");
    let mut loaded = Sequential::<f32>::load(&ckpt).expect("loading the checkpoint");
    let classes = loaded.predict_classes(raw_test.features());
    let agree = classes == model.predict_classes(&mut g, test.features());
    let proba = loaded.predict_proba(raw_test.row(0));
    println!(
        "saved to {} and reloaded: {} test predictions {} the trained model's; \
         first test digit (a {}): P = {:.3}",
        ckpt.display(),
        classes.len(),
        if agree { "equal" } else { "DIFFER FROM" },
        raw_test.labels()[0],
        proba.data()[raw_test.labels()[0]]
    );
    if !agree {
        std::process::exit(1);
    }
    if eval.accuracy() < 0.97 {
        eprintln!("test accuracy below the 97% target");
        std::process::exit(1);
    }
}

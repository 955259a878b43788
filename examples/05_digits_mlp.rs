//! An MLP 64-64-10 (ReLU) on the 8×8 digits shipped with diffprog-nn: Adam lr 1e-3, batch 32,
//! 30 epochs, seeded 1500/297 split, pixels standardised with the training set's statistics. Prints the per-epoch losses and accuracies, the test
//! confusion matrix, top-k and per-class accuracy, and writes the training curves to an SVG.
//!
//! Run: `cargo run --release --example 05_digits_mlp [curves.svg]`
//! (default output: `target/05_digits_mlp_curves.svg`).

use diffprog::nn::data::{digits, Standardizer};
use diffprog::nn::layers::{seeded_rng, Init, Sequential};
use diffprog::nn::optim::Adam;
use diffprog::nn::plot::plot_training_curves;
use diffprog::nn::train::{evaluate, fit, Control, FitOptions};
use diffprog::nn::{Graph, Unary};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/05_digits_mlp_curves.svg".to_string());
    let data = digits();
    let (mut train, mut test) = data.split(0, 1500);
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
    let options = FitOptions {
        epochs: 30,
        batch_size: 32,
        shuffle_seed: 1,
        ..FitOptions::default()
    };
    let start = std::time::Instant::now();
    let history = fit(
        &mut g,
        &model,
        &mut opt,
        &train,
        Some(&test),
        &options,
        None,
        |r, _| {
            println!(
                "epoch {:2}  train loss {:.4}  train acc {:.2}%  test loss {:.4}  test acc {:.2}%",
                r.epoch,
                r.train_loss,
                100.0 * r.train_accuracy.unwrap_or(f64::NAN),
                r.test_loss.unwrap_or(f64::NAN),
                100.0 * r.test_accuracy.unwrap_or(f64::NAN)
            );
            Control::Continue
        },
    );
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
    if eval.accuracy() < 0.97 {
        eprintln!("test accuracy below the 97% target");
        std::process::exit(1);
    }
}

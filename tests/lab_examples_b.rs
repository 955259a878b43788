//! The quick modes of the lab examples 09–11 (Fashion-MNIST MLP, CNNs, autoencoders): each
//! trains on a slice of the repository's test set and must reach the bound its example asserts
//! in quick mode, and write its files. The examples' sources are included as modules, so this
//! runs them in the test profile without building the example binaries.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../examples/09_fashion_mlp.rs"]
mod fashion_mlp;

#[allow(dead_code)]
#[path = "../examples/10_fashion_cnn.rs"]
mod fashion_cnn;

#[allow(dead_code)]
#[path = "../examples/11_autoencoders.rs"]
mod autoencoders;

/// A fresh output directory for one test.
fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("diffprog-labs-b-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn fashion_mlp_quick_reaches_its_bound() {
    let out = out_dir("mlp");
    let o = fashion_mlp::run(true, Path::new("/nonexistent"), &out).unwrap();
    assert!(o.accuracy >= o.bound, "{o:?}");
    assert!(o.top5 >= o.accuracy && o.top5 > 0.95, "{o:?}");
    assert_eq!(o.per_class.len(), 10);
    assert!(o.curves.is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn fashion_full_mode_without_the_training_set_says_how_to_get_it() {
    let out = out_dir("missing");
    for e in [
        fashion_mlp::run(false, Path::new("/nonexistent"), &out).unwrap_err(),
        fashion_cnn::run(false, Path::new("/nonexistent"), &out).unwrap_err(),
        autoencoders::run(false, Path::new("/nonexistent"), &out).unwrap_err(),
    ] {
        assert!(
            e.contains("FASHION_MNIST_DIR") && e.contains("zalandoresearch"),
            "{e}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// The environment variable that makes `cnn_reload_child` act: the checkpoint to load.
const CHILD_CHECKPOINT: &str = "DIFFPROG_LABS_B_CHECKPOINT";

/// Not a test of its own: the new process of `fashion_cnn_quick_...`, which runs this test binary
/// again with only this test and the checkpoint in the environment. It loads the checkpoint and
/// prints the prediction line.
#[test]
fn cnn_reload_child() {
    let Some(ckpt) = std::env::var_os(CHILD_CHECKPOINT) else {
        return;
    };
    let images = fashion_cnn::evaluation_images(true).unwrap();
    let line = fashion_cnn::predict_line(Path::new(&ckpt), images.features()).unwrap();
    println!("{line}");
}

#[test]
fn fashion_cnn_quick_reaches_its_bounds_and_reloads_in_a_new_process() {
    let out = out_dir("cnn");
    let o = fashion_cnn::run(true, Path::new("/nonexistent"), &out).unwrap();
    assert!(o.passed(), "{o:?}");
    for f in &o.files {
        assert!(f.is_file(), "{}", f.display());
    }
    // the checkpoint, loaded by a new process, predicts the same logits bit for bit
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "cnn_reload_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_CHECKPOINT, &o.checkpoint)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "{stdout}");
    // libtest prints the test's name on the same line as its output
    let line = stdout
        .lines()
        .find_map(|l| l.find("reloaded: ").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no prediction line from the child: {stdout}"));
    assert_eq!(line, o.prediction_line);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn autoencoders_quick_reconstruct_below_their_bounds() {
    let out = out_dir("ae");
    let o = autoencoders::run(true, Path::new("/nonexistent"), &out).unwrap();
    assert!(o.passed(), "{o:?}");
    // every model beats the constant mean image and none beats the images' own entropy
    let (mean_image, floor) = o.references;
    for l in o.losses {
        assert!(floor < l && l < mean_image, "{o:?}");
    }
    assert!(o.vae_kl > 0.0, "{o:?}");
    assert_eq!(o.files.len(), 5);
    for f in &o.files {
        assert!(f.is_file(), "{}", f.display());
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn cnn_class_score_gradients_match_central_differences() {
    use diffprog::nn::rand::Rng;
    use diffprog::nn::{check_gradient, layers::seeded_rng, GradCheckOptions, Graph};
    // the SimpleCNN in f64 at its initialisation, on random images
    let mut g = Graph::<f64>::new();
    let model = fashion_cnn::simple_cnn(g.params_mut());
    let mut rng = seeded_rng(5);
    let images: Vec<f64> = (0..10 * 784).map(|_| rng.random::<f64>()).collect();
    let (scores, grad) = fashion_cnn::class_score_gradients(&mut g, &model, &images);
    assert_eq!((scores.len(), grad.len()), (10, 10 * 784));
    // f(x) = Σ_c logit_c(image c): its gradient is the example's stacked per-class gradients
    let mut g2 = Graph::<f64>::new();
    let model2 = fashion_cnn::simple_cnn(g2.params_mut());
    let f = |x: &[f64]| -> f64 {
        let logits = model2.predict(&mut g2, x);
        (0..10).map(|c| logits.data()[c * 11]).sum()
    };
    let report = check_gradient(
        f,
        &images,
        &grad,
        GradCheckOptions {
            checks: 40,
            ..Default::default()
        },
    );
    assert!(report.passes(1e-6), "{report}");
    // a gradient that is not all zero, so the check compared something
    assert!(grad.iter().filter(|v| v.abs() > 1e-6).count() > 1000);
}

#[test]
fn vae_objective_gradient_matches_central_differences() {
    use diffprog::nn::loss::{bce_with_logits, kl_diag_gaussian};
    use diffprog::nn::{grad_check, Tensor};
    // x = [μ | log σ²] for a batch of 2 with a 2-d latent; z = μ + exp(½ log σ²)·ε, decoded
    // linearly to 6 logits, scored as example 11 does: summed BCE + closed-form KL
    let eps = [0.3, -1.2, 0.8, 0.1];
    let w = [
        0.5, -0.3, 1.1, 0.2, -0.7, 0.4, -0.2, 0.9, 0.3, -1.0, 0.6, 0.05,
    ];
    let target = [0.0, 0.2, 1.0, 0.7, 0.5, 0.0, 1.0, 0.9, 0.1, 0.0, 0.3, 0.6];
    let x = Tensor::from_vec(vec![0.4, -0.6, 0.2, -0.5, -1.1, 0.3, 0.7, 0.1], &[2, 4]);
    let report = grad_check(
        |g, x| {
            let mu = g.slice(x, 1, 0, 2);
            let logvar = g.slice(x, 1, 2, 2);
            let half = g.mul_scalar(logvar, 0.5);
            let sigma = g.exp(half);
            let e = g.input(&eps, &[2, 2]);
            let s = g.mul(sigma, e);
            let z = g.add(mu, s);
            let wn = g.input(&w, &[2, 6]);
            let logits = g.matmul(z, wn);
            let t = g.input(&target, &[2, 6]);
            let bce = bce_with_logits(g, logits, t);
            let rec = g.mul_scalar(bce, 6.0);
            let kl = kl_diag_gaussian(g, mu, logvar);
            g.add(rec, kl)
        },
        &x,
    );
    // central differences in f64 with h ≈ 6e-6 carry an absolute rounding error of about
    // 1e-16 · |f| / h ≈ 3e-11: 1e-6 relative on the smallest component (≈ 1.4e-4)
    assert!(report.passes(1e-6), "{report}");
}

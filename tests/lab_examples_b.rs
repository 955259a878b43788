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

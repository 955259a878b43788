//! Part 4 of example 08: a soft-margin linear SVM trained with nn's `Sgd` on the hinge loss.

use super::{draw, Checks};
use diffprog::nn::layers::{seeded_rng, standard_normal};
use diffprog::nn::loss::hinge;
use diffprog::nn::optim::{Momentum, Optimizer, Sgd};
use diffprog::nn::plot::plot_linear_separator;
use diffprog::nn::rand::seq::SliceRandom;
use diffprog::nn::{grad_check, Graph, Tensor};
use std::path::Path;

/// `n` points of each class: class 0 around −μ, class 1 around +μ, μ = (1.25, 1.25), unit variance.
fn blobs(n: usize, seed: u64) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut rng = seeded_rng(seed);
    let mut pts = Vec::with_capacity(2 * n);
    let mut classes = Vec::with_capacity(2 * n);
    for class in [0usize, 1] {
        let sign = if class == 0 { -1.0 } else { 1.0 };
        for _ in 0..n {
            pts.push([
                sign * 1.25 + standard_normal(&mut rng),
                sign * 1.25 + standard_normal(&mut rng),
            ]);
            classes.push(class);
        }
    }
    (pts, classes)
}

fn svm_accuracy(pts: &[[f64; 2]], classes: &[usize], w: &[f64], b: f64) -> f64 {
    let correct = pts
        .iter()
        .zip(classes)
        .filter(|&(p, &c)| (w[0] * p[0] + w[1] * p[1] + b >= 0.0) == (c == 1))
        .count();
    correct as f64 / pts.len() as f64
}

/// Part 4; returns the test accuracy and its bound.
pub(super) fn part4_svm(quick: bool, out: &Path, checks: &mut Checks) -> (f64, f64) {
    let epochs = if quick { 15 } else { 50 };
    println!("\n== 4. Soft-margin linear SVM: hinge loss, batch 32, SGD lr 0.1, weight decay 0.01, {epochs} epochs ==");
    let (train, train_classes) = blobs(512, 1);
    let (test, test_classes) = blobs(512, 2);
    let targets: Vec<f64> = train_classes
        .iter()
        .map(|&c| if c == 1 { 1.0 } else { -1.0 })
        .collect();
    let mut g = Graph::<f64>::new();
    let mut rng = seeded_rng(3);
    let w = g
        .params_mut()
        .add("w", Tensor::uniform(&[2, 1], -0.1, 0.1, &mut rng));
    let b = g.params_mut().add("b", Tensor::zeros(&[1]));
    let mut opt = Sgd::<f64>::new(0.1, Momentum::None).weight_decay(0.01);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let (mut xb, mut tb) = (Vec::new(), Vec::new());
    let objective = |g: &mut Graph<f64>, x: &[f64], t: &[f64]| {
        let n = t.len();
        let xn = g.input(x, &[n, 2]);
        let tn = g.input(t, &[n, 1]);
        let (wn, bn) = (g.param(w), g.param(b));
        let s = g.matmul(xn, wn);
        let s = g.add(s, bn);
        hinge(g, s, tn)
    };
    for epoch in 1..=epochs {
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        for rows in order.chunks(32) {
            xb.clear();
            tb.clear();
            for &r in rows {
                xb.extend_from_slice(&train[r]);
                tb.push(targets[r]);
            }
            g.reset();
            let l = objective(&mut g, &xb, &tb);
            loss_sum += g.item(l) * rows.len() as f64;
            g.params_mut().zero_grad();
            g.backward(l);
            opt.step(g.params_mut());
        }
        if epoch % 10 == 0 || epoch == epochs {
            println!(
                "epoch {epoch:2}: mean hinge loss {:.4}",
                loss_sum / train.len() as f64
            );
        }
    }
    let (wv, bv) = (g.params().value(w).to_vec(), g.params().value(b)[0]);
    let norm = (wv[0] * wv[0] + wv[1] * wv[1]).sqrt();
    let inside = train
        .iter()
        .zip(&targets)
        .filter(|&(p, &t)| t * (wv[0] * p[0] + wv[1] * p[1] + bv) < 1.0)
        .count();
    let (train_acc, test_acc) = (
        svm_accuracy(&train, &train_classes, &wv, bv),
        svm_accuracy(&test, &test_classes, &wv, bv),
    );
    let bayes = svm_accuracy(&test, &test_classes, &[1.0, 1.0], 0.0);
    println!(
        "w = ({:.4}, {:.4}), b = {bv:.4}; margin width 2/‖w‖ = {:.3}; {inside} of {} training points inside the margin or misclassified",
        wv[0],
        wv[1],
        2.0 / norm,
        train.len()
    );
    println!("train accuracy {train_acc:.4}, test accuracy {test_acc:.4}; the Bayes rule sign(x₀ + x₁) on the test points: {bayes:.4}");
    // the tape's (sub)gradient of the whole training objective in w against the hand-derived
    // −mean over {i: tᵢsᵢ < 1} of tᵢxᵢ, and against central differences
    let all: Vec<f64> = train.iter().flatten().copied().collect();
    g.reset();
    let l = objective(&mut g, &all, &targets);
    g.params_mut().zero_grad();
    g.backward(l);
    let tape = g.params().grad(w).to_vec();
    let mut hand = [0.0; 2];
    for (p, &t) in train.iter().zip(&targets) {
        if t * (wv[0] * p[0] + wv[1] * p[1] + bv) < 1.0 {
            hand[0] -= t * p[0] / train.len() as f64;
            hand[1] -= t * p[1] / train.len() as f64;
        }
    }
    let dev = tape
        .iter()
        .zip(&hand)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let fd = grad_check(
        |g: &mut Graph<f64>, wn| {
            let xn = g.input(&all, &[targets.len(), 2]);
            let tn = g.input(&targets, &[targets.len(), 1]);
            let s = g.matmul(xn, wn);
            let s = g.add_scalar(s, bv);
            hinge(g, s, tn)
        },
        &Tensor::from_vec(wv.clone(), &[2, 1]),
    );
    checks.check(
        format!("hinge-loss gradient in w: tape vs hand-derived {dev:.1e} (≤ 1e-12), vs central differences {:.1e} (≤ 1e-6)", fd.worst()),
        dev <= 1e-12 && fd.passes(1e-6),
    );
    let bound = bayes - 0.01;
    checks.check(
        format!("SVM test accuracy {test_acc:.4} ≥ Bayes rule's {bayes:.4} − 0.01"),
        test_acc >= bound,
    );
    draw(out.join("08_svm.svg"), checks, |file| {
        plot_linear_separator(
            file,
            "soft-margin linear SVM (training points)",
            &train,
            &train_classes,
            ["class −1", "class +1"],
            [wv[0], wv[1]],
            bv,
        )
    });
    (test_acc, bound)
}

//! `grad_check`: passes on correct tape gradients (a CNN's loss in its input), catches wrong
//! gradients, reports the worst component and leaves the graph's store as it found it.

use diffprog_nn::layers::{seeded_rng, BatchNorm, Conv2d, Layer, Pool2d, Sequential};
use diffprog_nn::{
    check_gradient, grad_check, grad_check_in, ConvOptions, GradCheckOptions, Graph, Tensor, Unary,
};
use rand::Rng;

fn cnn(g: &mut Graph<f64>, rng: &mut impl Rng) -> Sequential<f64> {
    let p = g.params_mut();
    let conv = Conv2d::new(
        p,
        "c",
        2,
        3,
        [3, 3],
        ConvOptions::new().padding(1),
        true,
        rng,
    );
    let bn = BatchNorm::new(p, "bn", 3);
    Sequential::new()
        .push(Layer::Conv2d(conv))
        .push(Layer::BatchNorm2d(bn))
        .push(Layer::Activation(Unary::Tanh))
        .push(Layer::AvgPool2d(Pool2d::new(2)))
        .push(Layer::Flatten)
}

#[test]
fn a_cnn_loss_passes_in_its_input_and_the_store_is_unchanged() {
    let mut rng = seeded_rng(4);
    let mut g = Graph::<f64>::new();
    let net = cnn(&mut g, &mut rng);
    let xv: Vec<f64> = (0..2 * 2 * 4 * 4)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let x = Tensor::from_vec(xv, &[2, 2, 4, 4]);
    let before = g.params().flatten();
    let opts = GradCheckOptions {
        checks: 64,
        ..Default::default()
    };
    let report = grad_check_in(
        &mut g,
        |g, x| {
            let y = net.forward(g, x);
            g.cross_entropy(y, &[1, 7])
        },
        &x,
        opts,
    );
    assert_eq!(report.checks.len(), 64);
    assert!(report.passes(1e-6), "{report}");
    assert!(report.checks.iter().any(|c| c.analytic.abs() > 1e-3));
    // the running statistics moved during the evaluations but are restored; no gradient kept
    assert_eq!(g.params().flatten(), before);
    assert!(g.params().flatten_grads().iter().all(|&d| d == 0.0));
}

#[test]
fn a_wrong_gradient_is_caught_and_located() {
    // f(x) = Σ sin(xᵢ)·xᵢ; the true gradient cos(xᵢ)·xᵢ + sin(xᵢ), one component wrong
    let x: Vec<f64> = (0..5).map(|i| 0.3 * i as f64 - 0.4).collect();
    let mut grad: Vec<f64> = x.iter().map(|v| v.cos() * v + v.sin()).collect();
    let f = |x: &[f64]| x.iter().map(|v| v.sin() * v).sum::<f64>();
    let ok = check_gradient(f, &x, &grad, GradCheckOptions::default());
    assert!(ok.worst() < 1e-8, "{ok}");
    assert_eq!(ok.checks.len(), 5); // fewer components than checks: every one, in order
    grad[3] += 0.01;
    let bad = check_gradient(f, &x, &grad, GradCheckOptions::default());
    assert_eq!(bad.worst_check().unwrap().index, 3);
    assert!(bad.worst() > 1e-3 && !bad.passes(1e-4), "{bad}");
    assert!(bad.to_string().contains("worst relative error"));
}

#[test]
fn the_course_softmax_regression_gradient_passes_in_f32() {
    // Θ = I₂, X = I₂, y = [0, 1] (the lab's example), checked in single precision
    let theta = Tensor::from_vec(vec![1.0f32, 0.0, 0.0, 1.0], &[2, 2]);
    let r = grad_check(
        |g: &mut Graph<f32>, w| {
            let x = g.input(&[1.0, 0.0, 0.0, 1.0], &[2, 2]);
            let z = g.matmul(x, w);
            g.cross_entropy(z, &[0, 1])
        },
        &theta,
    );
    assert!(r.passes(1e-3), "{r}");
    // the lab sums the two losses (|∂/∂Θ| = 0.2689 in every element); cross_entropy averages
    assert!(
        r.checks
            .iter()
            .all(|c| (c.analytic.abs() - 0.2689 / 2.0).abs() < 1e-4),
        "{r}"
    );
}

//! The convolutional layers: each forward equals the Graph op it wraps with the layer's
//! parameters, parameter names and shapes are PyTorch's, initialisations are PyTorch's defaults,
//! batch norm keeps its running statistics as buffers, and a small CNN trains.

use diffprog_nn::layers::Init;
use diffprog_nn::layers::{
    seeded_rng, BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Layer, LayerNorm, Linear, Pool2d,
    Sequential,
};
use diffprog_nn::optim::{Adam, Optimizer};
use diffprog_nn::{ConvOptions, Graph, Tensor, Unary};
use rand::Rng;

fn random(len: usize, seed: u64) -> Vec<f64> {
    let mut rng = seeded_rng(seed);
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Checks that every value lies in ±bound and the values fill the range (max |v| ≥ 0.8·bound),
/// so a wrong bound either way fails.
fn assert_uniform_bound(v: &[f64], bound: f64, what: &str) {
    let m = v.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
    assert!(m <= bound, "{what}: |v| up to {m} above the bound {bound}");
    assert!(
        m >= 0.8 * bound,
        "{what}: |v| only up to {m}, bound {bound}"
    );
}

#[test]
fn conv2d_layer_is_the_op_with_its_parameters_and_torch_init() {
    let mut g = Graph::<f64>::new();
    let o = ConvOptions::new().stride(2).padding(1).groups(2);
    let conv = Conv2d::new(
        g.params_mut(),
        "conv1",
        4,
        6,
        [3, 3],
        o,
        true,
        &mut seeded_rng(3),
    );
    let p = g.params();
    assert_eq!(p.name(conv.weight), "conv1.weight");
    assert_eq!(p.name(conv.bias.unwrap()), "conv1.bias");
    assert_eq!(p.shape(conv.weight).dims(), &[6, 2, 3, 3]);
    assert_eq!(p.shape(conv.bias.unwrap()).dims(), &[6]);
    // fan_in = c_in / groups · kh · kw = 18
    let b = 1.0 / 18f64.sqrt();
    assert_uniform_bound(p.value(conv.weight), b, "weight");
    assert!(p.value(conv.bias.unwrap()).iter().all(|v| v.abs() <= b));
    let xv = random(2 * 4 * 7 * 5, 1);
    let x = g.input(&xv, &[2, 4, 7, 5]);
    let y = conv.forward(&mut g, x);
    let (w, bias) = (g.param(conv.weight), g.param(conv.bias.unwrap()));
    let y2 = g.conv2d(x, w, Some(bias), o);
    assert_eq!(g.shape(y).dims(), &[2, 6, 4, 3]);
    assert_eq!(g.value(y), g.value(y2));
}

#[test]
fn conv1d_layer_is_the_op_with_its_parameters() {
    let mut g = Graph::<f64>::new();
    let o = ConvOptions::new().dilation(2);
    let conv = Conv1d::new(g.params_mut(), "c", 3, 5, 4, o, false, &mut seeded_rng(0));
    assert!(conv.bias.is_none());
    assert_eq!(g.params().shape(conv.weight).dims(), &[5, 3, 4]);
    assert_uniform_bound(g.params().value(conv.weight), 1.0 / 12f64.sqrt(), "weight");
    let x = g.input(&random(2 * 3 * 11, 2), &[2, 3, 11]);
    let y = conv.forward(&mut g, x);
    let w = g.param(conv.weight);
    let y2 = g.conv1d(x, w, None, o);
    assert_eq!(g.shape(y).dims(), &[2, 5, 5]);
    assert_eq!(g.value(y), g.value(y2));
}

#[test]
fn conv_transpose2d_layer_is_the_op_with_torch_shapes_and_fan_in() {
    let mut g = Graph::<f64>::new();
    let o = ConvOptions::new().stride(2).output_padding(1);
    let up = ConvTranspose2d::new(
        g.params_mut(),
        "up",
        4,
        6,
        [3, 2],
        o,
        true,
        &mut seeded_rng(5),
    );
    // PyTorch: weight [c_in, c_out / groups, kh, kw], fan_in from axis 1: 6 · 3 · 2 = 36
    assert_eq!(g.params().shape(up.weight).dims(), &[4, 6, 3, 2]);
    let b = 1.0 / 36f64.sqrt();
    assert_uniform_bound(g.params().value(up.weight), b, "weight");
    assert!(g
        .params()
        .value(up.bias.unwrap())
        .iter()
        .all(|v| v.abs() <= b));
    let x = g.input(&random(4 * 3 * 3, 3), &[1, 4, 3, 3]);
    let y = up.forward(&mut g, x);
    let (w, bias) = (g.param(up.weight), g.param(up.bias.unwrap()));
    let y2 = g.conv_transpose2d(x, w, Some(bias), o);
    assert_eq!(g.shape(y).dims(), &[1, 6, 8, 7]);
    assert_eq!(g.value(y), g.value(y2));
}

#[test]
fn pooling_and_flatten_layers_are_their_ops() {
    let mut g = Graph::<f64>::new();
    let x = g.input(&random(2 * 3 * 6 * 6, 4), &[2, 3, 6, 6]);
    let p = Pool2d::new(3).stride(2).padding(1);
    let net = Sequential::new()
        .push(Layer::MaxPool2d(p))
        .push(Layer::AvgPool2d(Pool2d::new(2)))
        .push(Layer::AdaptiveAvgPool2d([1, 1]))
        .push(Layer::Flatten);
    let y = net.forward(&mut g, x);
    let a = g.max_pool2d(x, [3, 3], [2, 2], [1, 1]);
    let b = g.avg_pool2d(a, [2, 2], [2, 2], [0, 0]);
    let c = g.adaptive_avg_pool2d(b, [1, 1]);
    let d = g.reshape(c, &[2, 3]);
    assert_eq!(g.shape(y).dims(), &[2, 3]);
    assert_eq!(g.value(y), g.value(d));
    assert!(net.param_ids().is_empty());
}

#[test]
fn batch_norm2d_running_statistics_are_buffers_updated_in_train_mode_only() {
    let mut g = Graph::<f64>::new();
    let bn = BatchNorm::new(g.params_mut(), "bn1", 3);
    {
        let p = g.params();
        assert_eq!(p.value(bn.weight.unwrap()), &[1.0; 3]);
        assert_eq!(p.value(bn.bias.unwrap()), &[0.0; 3]);
        assert_eq!(p.value(bn.running_mean), &[0.0; 3]);
        assert_eq!(p.value(bn.running_var), &[1.0; 3]);
        assert_eq!(p.name(bn.running_var), "bn1.running_var");
        assert!(!p.is_trainable(bn.running_mean) && p.is_trainable(bn.weight.unwrap()));
    }
    let net = Sequential::new().push(Layer::BatchNorm2d(bn.clone()));
    let xv = random(4 * 3 * 2 * 2, 6);
    // the op with copies of the statistics gives the same values and updates
    let (mut m, mut v) = (vec![0.0; 3], vec![1.0; 3]);
    let x = g.leaf(&xv, &[4, 3, 2, 2]);
    let y = net.forward(&mut g, x);
    let (w, b) = (g.param(bn.weight.unwrap()), g.param(bn.bias.unwrap()));
    let y2 = g.batch_norm(x, Some(w), Some(b), Some((&mut m, &mut v)), 0.1, 1e-5);
    assert_eq!(g.value(y), g.value(y2));
    assert_eq!(g.params().value(bn.running_mean), &m[..]);
    assert_eq!(g.params().value(bn.running_var), &v[..]);
    assert!(m.iter().any(|&a| a != 0.0));
    // no gradient reaches the buffers, and an optimiser with weight decay leaves them alone
    let s = g.sum(y);
    g.backward(s);
    assert!(g
        .params()
        .grad(bn.weight.unwrap())
        .iter()
        .any(|&d| d != 0.0));
    assert!(g.params().grad(bn.running_mean).iter().all(|&d| d == 0.0));
    let mut opt = Adam::new(0.1).weight_decay(0.5);
    let before = g.params().value(bn.running_var).to_vec();
    opt.step(g.params_mut());
    assert_eq!(g.params().value(bn.running_var), &before[..]);
    // eval mode: the running statistics are used and not changed
    g.set_training(false);
    g.reset();
    let x = g.input(&xv, &[4, 3, 2, 2]);
    let y = net.forward(&mut g, x);
    assert_eq!(g.params().value(bn.running_var), &before[..]);
    let (w, b) = (g.param(bn.weight.unwrap()), g.param(bn.bias.unwrap()));
    let (mut m2, mut v2) = (m.clone(), before.clone());
    let y2 = g.batch_norm(x, Some(w), Some(b), Some((&mut m2, &mut v2)), 0.1, 1e-5);
    assert_eq!(g.value(y), g.value(y2));
}

#[test]
fn batch_norm1d_and_layer_norm_layers_are_their_ops() {
    let mut g = Graph::<f64>::new();
    let bn = BatchNorm::new(g.params_mut(), "bn", 4);
    let ln = LayerNorm::new(g.params_mut(), "ln", &[4]);
    assert_eq!(g.params().shape(ln.weight.unwrap()).dims(), &[4]);
    g.params_mut()
        .value_mut(ln.weight.unwrap())
        .copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
    let net = Sequential::new()
        .push(Layer::BatchNorm1d(bn.clone()))
        .push(Layer::LayerNorm(ln.clone()));
    let xv = random(5 * 4, 7);
    let x = g.input(&xv, &[5, 4]);
    let y = net.forward(&mut g, x);
    let (mut m, mut v) = (vec![0.0; 4], vec![1.0; 4]);
    let (w, b) = (g.param(bn.weight.unwrap()), g.param(bn.bias.unwrap()));
    let a = g.batch_norm(x, Some(w), Some(b), Some((&mut m, &mut v)), 0.1, 1e-5);
    let (w, b) = (g.param(ln.weight.unwrap()), g.param(ln.bias.unwrap()));
    let c = g.layer_norm(a, &[4], Some(w), Some(b), 1e-5);
    assert_eq!(g.value(y), g.value(c));
}

#[test]
#[should_panic(expected = "BatchNorm2d: takes [n, c, h, w]")]
fn batch_norm2d_rejects_a_matrix() {
    let mut g = Graph::<f64>::new();
    let bn = BatchNorm::new(g.params_mut(), "bn", 2);
    let x = g.input(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    Sequential::new()
        .push(Layer::BatchNorm2d(bn))
        .forward(&mut g, x);
}

#[test]
fn a_frozen_parameter_gets_no_gradient_and_is_not_updated() {
    let mut g = Graph::<f64>::new();
    let lin = Linear::new(
        g.params_mut(),
        "fc",
        2,
        1,
        true,
        Init::TorchDefault,
        &mut seeded_rng(0),
    );
    g.params_mut().set_trainable(lin.weight, false);
    let x = g.input(&[1.0, 2.0], &[1, 2]);
    let y = lin.forward(&mut g, x, Unary::Identity);
    let s = g.sum(y);
    g.backward(s);
    assert!(g.params().grad(lin.weight).iter().all(|&d| d == 0.0));
    assert_eq!(g.params().grad(lin.bias.unwrap()), &[1.0]);
    let w = g.params().value(lin.weight).to_vec();
    let b = g.params().value(lin.bias.unwrap()).to_vec();
    let mut opt = Adam::new(0.1).weight_decay(0.1);
    opt.step(g.params_mut());
    assert_eq!(g.params().value(lin.weight), &w[..]);
    assert_ne!(g.params().value(lin.bias.unwrap()), &b[..]);
}

/// 6×6 images with a bright horizontal (class 0) or vertical (class 1) bar at a random place,
/// plus noise.
pub fn bars(n: usize, seed: u64) -> (Vec<f64>, Vec<usize>) {
    let mut rng = seeded_rng(seed);
    let mut x = Vec::with_capacity(n * 36);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % 2;
        let at = rng.random_range(0..6);
        for r in 0..6 {
            for c in 0..6 {
                let on = if class == 0 { r == at } else { c == at };
                x.push(if on { 1.0 } else { 0.0 } + 0.2 * rng.random_range(-1.0..1.0));
            }
        }
        y.push(class);
    }
    (x, y)
}

pub fn small_cnn(g: &mut Graph<f64>, seed: u64) -> Sequential<f64> {
    let mut rng = seeded_rng(seed);
    let p = g.params_mut();
    let conv = Conv2d::new(
        p,
        "conv1",
        1,
        4,
        [3, 3],
        ConvOptions::new().padding(1),
        true,
        &mut rng,
    );
    let bn = BatchNorm::new(p, "bn1", 4);
    let fc = Linear::new(p, "fc", 4 * 3 * 3, 2, true, Init::TorchDefault, &mut rng);
    Sequential::new()
        .push(Layer::Unflatten(vec![1, 6, 6]))
        .push(Layer::Conv2d(conv))
        .push(Layer::BatchNorm2d(bn))
        .push(Layer::Activation(Unary::Relu))
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::Flatten)
        .push(Layer::Linear(fc))
}

pub fn train_small_cnn(g: &mut Graph<f64>, net: &Sequential<f64>, x: &[f64], y: &[usize]) {
    let mut opt = Adam::new(0.02);
    for epoch in 0..15 {
        for (i, (xb, yb)) in x.chunks(16 * 36).zip(y.chunks(16)).enumerate() {
            g.reset();
            g.seed(epoch * 100 + i as u64);
            let xn = g.input(xb, &[yb.len(), 36]);
            let logits = net.forward(g, xn);
            let loss = g.cross_entropy(logits, yb);
            g.params_mut().zero_grad();
            g.backward(loss);
            opt.step(g.params_mut());
        }
    }
}

pub fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn a_small_cnn_learns_bars_and_its_checkpoint_round_trips() {
    let mut g = Graph::<f64>::new();
    let net = small_cnn(&mut g, 11);
    let (x, y) = bars(256, 1);
    let (xt, yt) = bars(128, 2);
    let before = accuracy(&net.predict_classes(&mut g, &xt), &yt);
    train_small_cnn(&mut g, &net, &x, &y);
    let after = accuracy(&net.predict_classes(&mut g, &xt), &yt);
    assert!(
        after >= 0.95,
        "test accuracy {after} (before training {before})"
    );
    assert!(g
        .params()
        .ids()
        .all(|id| g.params().value(id).iter().all(|v| v.is_finite())));
    // the running statistics moved away from (0, 1)
    let Layer::BatchNorm2d(bn) = &net.layers[2] else {
        unreachable!()
    };
    assert!(g.params().value(bn.running_mean).iter().any(|&m| m != 0.0));

    let path = std::env::temp_dir().join(format!("layers-conv-cnn-{}.ckpt", std::process::id()));
    net.save(&path, g.params(), None).unwrap();
    let mut back = Sequential::<f64>::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.model, net);
    assert_eq!(back.model.architecture(), net.architecture());
    for id in g.params().ids() {
        assert_eq!(
            back.graph.params().value(id),
            g.params().value(id),
            "{}",
            g.params().name(id)
        );
        assert_eq!(
            back.graph.params().is_trainable(id),
            g.params().is_trainable(id)
        );
    }
    // predictions identical (eval mode: the running statistics)
    assert_eq!(back.predict(&xt), net.predict(&mut g, &xt));
}

#[test]
fn shapes_match_pytorch_for_a_lenet_like_stack() {
    // nn.Conv2d(1, 6, 5) → [6, 1, 5, 5]; nn.Conv2d(6, 16, 5) → [16, 6, 5, 5]
    let mut g = Graph::<f32>::new();
    let mut rng = seeded_rng(0);
    let p = g.params_mut();
    let c1 = Conv2d::new(p, "c1", 1, 6, [5, 5], ConvOptions::new(), true, &mut rng);
    let c2 = Conv2d::new(p, "c2", 6, 16, [5, 5], ConvOptions::new(), true, &mut rng);
    assert_eq!(p.shape(c1.weight).dims(), &[6, 1, 5, 5]);
    assert_eq!(p.shape(c2.weight).dims(), &[16, 6, 5, 5]);
    let net = Sequential::new()
        .push(Layer::Conv2d(c1))
        .push(Layer::Activation(Unary::Relu))
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::Conv2d(c2))
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::Flatten);
    let x = g.input(&vec![0.1f32; 2 * 28 * 28], &[2, 1, 28, 28]);
    let y = net.forward(&mut g, x);
    assert_eq!(g.shape(y).dims(), &[2, 16 * 4 * 4]);
    let _ = Tensor::<f32>::zeros(&[1]);
}

/// Resident set size of this process in bytes, from `/proc/self/statm` (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// 10 000 training steps of a small CNN (Conv 1→4 3×3, ReLU, MaxPool 2, Dropout 0.2, Linear
/// 4·5·5 → 3; `train_step` with Adam, batch 8 of 12×12 images, f32): the tape's buffers stop
/// growing after the first step and the resident memory after the first hundred. Ignored by
/// default (about a second with `--release`); run with
/// `cargo test --release -p diffprog-nn --test layers_conv -- --ignored --nocapture`.
#[test]
#[ignore]
fn cnn_memory_stays_flat_over_ten_thousand_training_steps() {
    use diffprog_nn::train::train_step;
    let (b, side, classes) = (8, 12, 3);
    let mut rng = seeded_rng(0);
    let mut g = Graph::<f32>::new();
    let p = g.params_mut();
    let conv = Conv2d::new(p, "conv", 1, 4, [3, 3], ConvOptions::new(), true, &mut rng);
    let fc = Linear::new(
        p,
        "fc",
        4 * 5 * 5,
        classes,
        true,
        Init::TorchDefault,
        &mut rng,
    );
    let net = Sequential::new()
        .push(Layer::Unflatten(vec![1, side, side]))
        .push(Layer::Conv2d(conv))
        .push(Layer::Activation(Unary::Relu))
        .push(Layer::MaxPool2d(Pool2d::new(2)))
        .push(Layer::Dropout(0.2))
        .push(Layer::Flatten)
        .push(Layer::Linear(fc));
    let mut opt = Adam::<f32>::new(1e-3);
    let (mut capacity, mut rss_start) = (0, 0);
    let mut first_losses = 0.0;
    let mut last_losses = 0.0;
    for step in 0..10_000 {
        // the class is the brightest third of the image (top, middle, bottom rows)
        let y: Vec<usize> = (0..b).map(|_| rng.random_range(0..classes)).collect();
        let x: Vec<f32> = y
            .iter()
            .flat_map(|&c| (0..side * side).map(move |i| (i / side / (side / 3) == c) as u8 as f32))
            .map(|v| v + rng.random_range(-0.3..0.3))
            .collect();
        let (loss, _) = train_step(&mut g, &net, &mut opt, &x, &y, side * side);
        assert!(loss.is_finite(), "step {step}: loss {loss}");
        if step < 100 {
            first_losses += loss;
        } else if step >= 9_900 {
            last_losses += loss;
        }
        if step == 1 {
            capacity = g.buffer_capacity();
        } else if step > 1 {
            assert_eq!(g.buffer_capacity(), capacity, "step {step}");
        }
        if step == 100 {
            rss_start = rss_bytes().unwrap_or(0);
        }
    }
    let rss_end = rss_bytes().unwrap_or(0);
    println!(
        "tape buffers: {capacity} elements from step 1 to 10 000; resident memory {:.2} MiB at \
         step 100, {:.2} MiB at step 10 000; mean loss {:.3} over the first 100 steps, {:.3} \
         over the last 100",
        rss_start as f64 / 1048576.0,
        rss_end as f64 / 1048576.0,
        first_losses / 100.0,
        last_losses / 100.0
    );
    // it trains (so the steps did real work)
    assert!(
        last_losses < 0.5 * first_losses,
        "{first_losses} → {last_losses}"
    );
    assert!(
        rss_end <= rss_start + (1 << 20),
        "resident memory grew from {rss_start} to {rss_end} bytes"
    );
}

/// A convolution's value and its input, weight and bias gradients.
#[cfg(feature = "threads")]
type ConvResults = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

/// [`ConvResults`] of `op(x, w, b)` for the loss `Σ r ⊙ op(x, w, b)`, `op` the (transposed)
/// 2-d convolution.
#[cfg(feature = "threads")]
#[allow(clippy::too_many_arguments)]
fn conv_results(
    transposed: bool,
    x: &[f64],
    xdims: &[usize],
    w: &[f64],
    wdims: &[usize],
    b: &[f64],
    r: &[f64],
    o: ConvOptions,
) -> ConvResults {
    let mut g = Graph::<f64>::new();
    let (xn, wn, bn) = (g.leaf(x, xdims), g.leaf(w, wdims), g.leaf(b, &[b.len()]));
    let y = if transposed {
        g.conv_transpose2d(xn, wn, Some(bn), o)
    } else {
        g.conv2d(xn, wn, Some(bn), o)
    };
    let dims = g.shape(y).dims().to_vec();
    assert_eq!(
        r.len(),
        g.value(y).len(),
        "the weights r must match the output"
    );
    let rn = g.input(r, &dims);
    let p = g.mul(y, rn);
    let s = g.sum(p);
    g.backward(s);
    (
        g.value(y).to_vec(),
        g.grad(xn).unwrap().to_vec(),
        g.grad(wn).unwrap().to_vec(),
        g.grad(bn).unwrap().to_vec(),
    )
}

/// With the feature `threads`, a convolution splits its batch across threads (here 3 threads,
/// 7 samples: runs of 3, 3 and 1): the batch's value and input gradient equal, bit for bit, those
/// of each sample on its own, and the weight and bias gradients are the sums of the samples'
/// to 1e-12 relative — for the convolution and the transposed convolution (whose kernels are
/// the same three in other roles).
#[cfg(feature = "threads")]
#[test]
fn a_threaded_convolution_equals_its_samples_one_at_a_time() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let n = 7;
    for transposed in [false, true] {
        let (c_in, c_out, groups, hw) = (4, 6, 2, [6, 5]);
        let o = ConvOptions::new().stride(2).padding(1).groups(groups);
        let wdims = if transposed {
            [c_in, c_out / groups, 3, 3]
        } else {
            [c_out, c_in / groups, 3, 3]
        };
        let sample = c_in * hw[0] * hw[1];
        let x = random(n * sample, 11);
        let w = random(wdims.iter().product(), 12);
        let b = random(c_out, 13);
        let out_sample = {
            let mut g = Graph::<f64>::new();
            let (xn, wn) = (
                g.leaf(&x[..sample], &[1, c_in, hw[0], hw[1]]),
                g.leaf(&w, &wdims),
            );
            let y = if transposed {
                g.conv_transpose2d(xn, wn, None, o)
            } else {
                g.conv2d(xn, wn, None, o)
            };
            g.value(y).len()
        };
        let r = random(n * out_sample, 14);
        let (y, gx, gw, gb) = pool.install(|| {
            conv_results(
                transposed,
                &x,
                &[n, c_in, hw[0], hw[1]],
                &w,
                &wdims,
                &b,
                &r,
                o,
            )
        });
        let (mut sum_w, mut sum_b) = (vec![0.0; w.len()], vec![0.0; b.len()]);
        for s in 0..n {
            let (ys, gxs, gws, gbs) = conv_results(
                transposed,
                &x[s * sample..(s + 1) * sample],
                &[1, c_in, hw[0], hw[1]],
                &w,
                &wdims,
                &b,
                &r[s * out_sample..(s + 1) * out_sample],
                o,
            );
            assert_eq!(
                &y[s * out_sample..(s + 1) * out_sample],
                &ys[..],
                "value, sample {s}"
            );
            assert_eq!(
                &gx[s * sample..(s + 1) * sample],
                &gxs[..],
                "∂x, sample {s}"
            );
            sum_w.iter_mut().zip(&gws).for_each(|(a, v)| *a += v);
            sum_b.iter_mut().zip(&gbs).for_each(|(a, v)| *a += v);
        }
        for (what, got, want) in [("∂w", &gw, &sum_w), ("∂b", &gb, &sum_b)] {
            let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            assert!(scale > 0.1, "{what}: the gradient should not vanish");
            for (i, (a, e)) in got.iter().zip(want.iter()).enumerate() {
                assert!(
                    (a - e).abs() <= 1e-12 * scale,
                    "{what}[{i}] (transposed: {transposed}): {a} against the samples' sum {e}"
                );
            }
        }
    }
}

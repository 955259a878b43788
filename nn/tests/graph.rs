//! The tape's behaviour: flat memory over many steps, parameters, no_grad/detach, dropout
//! modes, misuse detection, f32 against f64, fused layers against their parts, the losses
//! against their scalar formulas.

use diffprog_nn::layers::{seeded_rng, Init, Layer, Sequential};
use diffprog_nn::loss::{self, Reduction};
use diffprog_nn::optim::{Adam, Optimizer};
use diffprog_nn::train::train_step;
use diffprog_nn::{Graph, Tensor, Unary};
use rand::Rng;

#[test]
fn memory_stays_flat_over_10000_steps() {
    let mut g = Graph::<f32>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[8, 16, 4],
        Unary::Relu,
        Init::KaimingUniform,
        &mut seeded_rng(1),
    );
    let mut opt = Adam::new(1e-2);
    let mut rng = seeded_rng(2);
    let x: Vec<f32> = (0..8 * 8).map(|_| rng.random::<f32>()).collect();
    let y: Vec<usize> = (0..8).map(|i| i % 4).collect();
    let mut first_loss = 0.0;
    let mut capacity_after_warmup = 0;
    let mut last_loss = 0.0;
    for step in 0..10_000 {
        let (l, _) = train_step(&mut g, &net, &mut opt, &x, &y, 8);
        if step == 0 {
            first_loss = l;
        }
        if step == 2 {
            capacity_after_warmup = g.buffer_capacity();
        }
        if step > 2 {
            assert_eq!(
                g.buffer_capacity(),
                capacity_after_warmup,
                "tape memory grew at step {step}"
            );
            // input, 2 × (weight, bias, fused layer), cross-entropy
            assert_eq!(g.len(), 8, "nodes per step");
        }
        last_loss = l;
    }
    assert!(
        last_loss < 0.1 * first_loss,
        "training did not fit: {first_loss} → {last_loss}"
    );
}

/// A small CNN built from the convolution, pooling and normalisation ops trains (its loss falls)
/// and records the same nodes each step into the same buffers: memory stays flat.
#[test]
fn a_cnn_of_the_new_ops_trains_with_flat_memory() {
    use diffprog_nn::ConvOptions;
    let mut g = Graph::<f32>::new();
    let mut rng = seeded_rng(3);
    let mut add = |g: &mut Graph<f32>, name: &str, dims: &[usize], scale: f64| {
        let t = Tensor::uniform(dims, -scale, scale, &mut rng);
        g.params_mut().add(name, t)
    };
    let w1 = add(&mut g, "conv1.weight", &[4, 1, 3, 3], 0.3);
    let b1 = add(&mut g, "conv1.bias", &[4], 0.3);
    let gamma = g.params_mut().add("bn.weight", Tensor::full(&[4], 1.0));
    let beta = g.params_mut().add("bn.bias", Tensor::zeros(&[4]));
    let wt = add(&mut g, "up.weight", &[4, 2, 2, 2], 0.3);
    let w2 = add(&mut g, "conv2.weight", &[4, 2, 3, 3], 0.3);
    let fc = add(&mut g, "fc.weight", &[4, 3], 0.5);
    let (mut mean, mut var) = (vec![0.0_f32; 4], vec![1.0_f32; 4]);
    let mut opt = Adam::new(1e-2);
    let mut data_rng = seeded_rng(4);
    let x: Vec<f32> = (0..6 * 36).map(|_| data_rng.random::<f32>()).collect();
    let labels: Vec<usize> = (0..6).map(|i| i % 3).collect();
    let mask: Vec<bool> = (0..6 * 3).map(|i| i % 7 == 0).collect();
    let (mut first, mut last, mut capacity, mut nodes) = (0.0, 0.0, 0, 0);
    for step in 0..300 {
        g.reset();
        let xn = g.input(&x, &[6, 1, 6, 6]);
        let (w1n, b1n, gn, bn) = (g.param(w1), g.param(b1), g.param(gamma), g.param(beta));
        let h = g.conv2d(xn, w1n, Some(b1n), ConvOptions::new().padding(1));
        let h = g.batch_norm(
            h,
            Some(gn),
            Some(bn),
            Some((&mut mean, &mut var)),
            0.1,
            1e-5,
        );
        let h = g.relu(h);
        let h = g.max_pool2d(h, [2, 2], [2, 2], [0, 0]); // [6, 4, 3, 3]
        let wtn = g.param(wt);
        let h = g.conv_transpose2d(h, wtn, None, ConvOptions::new().stride(2)); // [6, 2, 6, 6]
        let h = g.pad(h, &[[1, 1], [1, 1]], 0.0);
        let w2n = g.param(w2);
        let h = g.conv2d(h, w2n, None, ConvOptions::new().stride(2)); // [6, 4, 3, 3]
        let h = g.clamp(h, -3.0, 3.0);
        let h = g.avg_pool2d(h, [2, 2], [1, 1], [0, 0]); // [6, 4, 2, 2]
        let h = g.adaptive_avg_pool2d(h, [1, 1]);
        let h = g.reshape(h, &[6, 4]);
        let h = g.layer_norm(h, &[4], None, None, 1e-5);
        let fcn = g.param(fc);
        let logits = g.matmul(h, fcn);
        let logits = g.masked_fill(logits, &mask, -1.0);
        let ce = g.cross_entropy(logits, &labels);
        g.params_mut().zero_grad();
        g.backward(ce);
        opt.step(g.params_mut());
        let l = g.item(ce);
        if step == 0 {
            first = l;
        }
        if step == 2 {
            capacity = g.buffer_capacity();
            nodes = g.len();
        }
        if step > 2 {
            assert_eq!(
                g.buffer_capacity(),
                capacity,
                "tape memory grew at step {step}"
            );
            assert_eq!(g.len(), nodes);
        }
        last = l;
    }
    assert!(last < 0.5 * first, "training did not fit: {first} → {last}");
    assert!(var.iter().all(|v| v.is_finite() && *v > 0.0));
}

#[test]
fn parameter_gradients_accumulate_until_zeroed() {
    let mut g = Graph::<f64>::new();
    let w = g
        .params_mut()
        .add("w", Tensor::from_vec(vec![2.0, -1.0], &[2]));
    for _ in 0..2 {
        g.reset();
        let p = g.param(w);
        let s = g.square(p);
        let l = g.sum(s);
        g.backward(l);
    }
    assert_eq!(g.params().grad(w), &[8.0, -4.0]); // 2 × 2w
    g.params_mut().zero_grad();
    assert_eq!(g.params().grad(w), &[0.0, 0.0]);
}

#[test]
fn detach_and_no_grad_stop_gradients() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[3.0], &[1]);
    let d = g.detach(x);
    let y = g.mul(x, d); // x · stop(x): gradient is stop(x) = 3, not 2x = 6
    let l = g.sum(y);
    g.backward(l);
    assert_eq!(g.grad(x).unwrap(), &[3.0]);
    assert!(!g.requires_grad(d));

    let w = g.params_mut().add("w", Tensor::from_vec(vec![1.0], &[1]));
    g.reset();
    let y = g.no_grad(|g| {
        let p = g.param(w);
        g.square(p)
    });
    assert!(!g.requires_grad(y));
    assert!(g.is_grad_enabled());
}

#[test]
fn dropout_train_and_eval() {
    let mut g = Graph::<f64>::new();
    g.seed(5);
    let x = g.leaf(&vec![1.0; 1000], &[1000]);
    let y = g.dropout(x, 0.25);
    let v = g.value(y).to_vec();
    let zeros = v.iter().filter(|&&a| a == 0.0).count();
    assert!(
        (150..350).contains(&zeros),
        "{zeros} of 1000 dropped at p = 0.25"
    );
    assert!(v
        .iter()
        .all(|&a| a == 0.0 || (a - 1.0 / 0.75).abs() < 1e-15));
    let l = g.sum(y);
    g.backward(l);
    assert_eq!(g.grad(x).unwrap(), &v[..]); // ∂/∂x of Σ mask·x is the mask
    g.set_training(false);
    let z = g.dropout(x, 0.25);
    assert_eq!(z, x);
    // Sequential's dropout layer follows the mode too
    let net = Sequential::<f64>::new().push(Layer::Dropout(0.5));
    let out = net.forward(&mut g, x);
    assert_eq!(g.value(out), g.value(x));
}

#[test]
#[should_panic(expected = "earlier recording")]
fn stale_node_is_reported() {
    let mut g = Graph::<f64>::new();
    let x = g.input(&[1.0], &[1]);
    g.reset();
    let _ = g.value(x);
}

#[test]
#[should_panic(expected = "inner dimensions differ")]
fn matmul_shape_mismatch_is_reported() {
    let mut g = Graph::<f64>::new();
    let a = g.input(&[1.0; 6], &[2, 3]);
    let b = g.input(&[1.0; 4], &[2, 2]);
    g.matmul(a, b);
}

#[test]
#[should_panic(expected = "the first axes must be equal")]
fn batched_matmul_batch_mismatch_is_reported() {
    let mut g = Graph::<f64>::new();
    let a = g.input(&[1.0; 6], &[3, 1, 2]);
    let b = g.input(&[1.0; 8], &[2, 2, 2]);
    g.matmul(a, b);
}

#[test]
fn batched_matmul_with_large_blocks_agrees_with_separate_products() {
    // blocks large enough for the matrixmultiply path (> 5 in every dimension)
    let (bt, m, k, n) = (3, 7, 9, 6);
    let mut rng = seeded_rng(4);
    let a: Vec<f64> = (0..bt * m * k)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let b: Vec<f64> = (0..bt * k * n)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let w: Vec<f64> = (0..bt * m * n)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let mut g = Graph::<f64>::new();
    let an = g.leaf(&a, &[bt, m, k]);
    let bn = g.leaf(&b, &[bt, k, n]);
    let y = g.matmul(an, bn);
    let wn = g.input(&w, &[bt, m, n]);
    let p = g.mul(y, wn);
    let s = g.sum(p);
    g.backward(s);
    let (y_all, ga_all, gb_all) = (
        g.value(y).to_vec(),
        g.grad(an).unwrap().to_vec(),
        g.grad(bn).unwrap().to_vec(),
    );
    for i in 0..bt {
        let mut h = Graph::<f64>::new();
        let ai = h.leaf(&a[i * m * k..(i + 1) * m * k], &[m, k]);
        let bi = h.leaf(&b[i * k * n..(i + 1) * k * n], &[k, n]);
        let yi = h.matmul(ai, bi);
        let wi = h.input(&w[i * m * n..(i + 1) * m * n], &[m, n]);
        let p = h.mul(yi, wi);
        let s = h.sum(p);
        h.backward(s);
        assert_eq!(h.value(yi), &y_all[i * m * n..(i + 1) * m * n]);
        assert_eq!(h.grad(ai).unwrap(), &ga_all[i * m * k..(i + 1) * m * k]);
        assert_eq!(h.grad(bi).unwrap(), &gb_all[i * k * n..(i + 1) * k * n]);
    }
}

#[test]
fn f32_agrees_with_f64_on_a_large_product() {
    let mut rng = seeded_rng(9);
    let a: Vec<f64> = (0..40 * 30).map(|_| rng.random_range(-1.0..1.0)).collect();
    let b: Vec<f64> = (0..30 * 20).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut g64 = Graph::<f64>::new();
    let (x, y) = (g64.input(&a, &[40, 30]), g64.input(&b, &[30, 20]));
    let p64 = g64.matmul(x, y);
    let mut g32 = Graph::<f32>::new();
    let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
    let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let (x, y) = (g32.input(&a32, &[40, 30]), g32.input(&b32, &[30, 20]));
    let p32 = g32.matmul(x, y);
    for (u, v) in g64.value(p64).iter().zip(g32.value(p32)) {
        assert!((u - *v as f64).abs() < 1e-5, "{u} vs {v}");
    }
    // and the GEMM path equals the naive sum
    let naive: f64 = (0..30).map(|l| a[3 * 30 + l] * b[l * 20 + 7]).sum();
    assert!((g64.value(p64)[3 * 20 + 7] - naive).abs() < 1e-13);
}

#[test]
fn fused_linear_equals_its_parts() {
    let mut rng = seeded_rng(4);
    let x: Vec<f64> = (0..7 * 9).map(|_| rng.random_range(-1.0..1.0)).collect();
    let w: Vec<f64> = (0..9 * 8).map(|_| rng.random_range(-1.0..1.0)).collect();
    let b: Vec<f64> = (0..8).map(|_| rng.random_range(-1.0..1.0)).collect();
    for act in [
        Unary::Relu,
        Unary::Sigmoid,
        Unary::Tanh,
        Unary::Softplus,
        Unary::Gelu,
        Unary::LeakyRelu(0.01),
    ] {
        let run = |fused: bool| {
            let mut g = Graph::<f64>::new();
            let (xn, wn, bn) = (g.leaf(&x, &[7, 9]), g.leaf(&w, &[9, 8]), g.leaf(&b, &[8]));
            let y = if fused {
                g.linear(xn, wn, Some(bn), act)
            } else {
                let m = g.matmul(xn, wn);
                let a = g.add(m, bn);
                g.unary(a, act)
            };
            let s = g.square(y);
            let l = g.sum(s);
            g.backward(l);
            let mut out = g.value(y).to_vec();
            for n in [xn, wn, bn] {
                out.extend_from_slice(g.grad(n).unwrap());
            }
            out
        };
        for (a, b) in run(true).iter().zip(run(false)) {
            assert!((a - b).abs() < 1e-12, "{act:?}: fused {a} vs composed {b}");
        }
    }
}

#[test]
fn losses_match_their_formulas() {
    let mut g = Graph::<f64>::new();
    let p = [0.2, 0.9, 0.6];
    let t = [0.0, 1.0, 1.0];
    let (pn, tn) = (g.input(&p, &[3]), g.input(&t, &[3]));
    let bce = loss::bce(&mut g, pn, tn);
    let want: f64 = -(0..3)
        .map(|i| t[i] * p[i].ln() + (1.0 - t[i]) * (1.0 - p[i]).ln())
        .sum::<f64>()
        / 3.0;
    assert!((g.item(bce) - want).abs() < 1e-14);

    let z = [-1.5, 2.0, 0.3];
    let zn = g.input(&z, &[3]);
    let bl = loss::bce_with_logits(&mut g, zn, tn);
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    let want: f64 = -(0..3)
        .map(|i| t[i] * sig(z[i]).ln() + (1.0 - t[i]) * (1.0 - sig(z[i])).ln())
        .sum::<f64>()
        / 3.0;
    assert!((g.item(bl) - want).abs() < 1e-14);

    let s = [0.5, -2.0, 1.5];
    let pm = [1.0, 1.0, -1.0];
    let (sn, pmn) = (g.input(&s, &[3]), g.input(&pm, &[3]));
    let h = loss::hinge(&mut g, sn, pmn);
    assert!((g.item(h) - (0.5 + 3.0 + 2.5) / 3.0).abs() < 1e-14);

    let mu = [0.5, -1.0, 0.0, 2.0];
    let lv = [0.1, -0.3, 0.0, 0.5];
    let (mn, ln) = (g.input(&mu, &[2, 2]), g.input(&lv, &[2, 2]));
    let kl = loss::kl_diag_gaussian(&mut g, mn, ln);
    let want: f64 = (0..4)
        .map(|i| 0.5 * (mu[i] * mu[i] + lv[i].exp() - 1.0 - lv[i]))
        .sum::<f64>()
        / 2.0;
    assert!((g.item(kl) - want).abs() < 1e-14);

    let logits = [1.0, 2.0, 0.5, -1.0, 0.0, 3.0];
    let ln_ = g.input(&logits, &[2, 3]);
    let lsm = g.log_softmax(ln_);
    let nll = loss::nll(&mut g, lsm, &[1, 2]);
    let ce = loss::cross_entropy(&mut g, ln_, &[1, 2]);
    assert!((g.item(nll) - g.item(ce)).abs() < 1e-14);
    let lse = |r: &[f64]| r.iter().map(|v| v.exp()).sum::<f64>().ln();
    let want = ((lse(&logits[..3]) - 2.0) + (lse(&logits[3..]) - 3.0)) / 2.0;
    assert!((g.item(ce) - want).abs() < 1e-14);

    let a = g.input(&[1.0, 2.0, 3.0], &[3]);
    let b = g.input(&[0.0, 0.0, 1.0], &[3]);
    let sum = loss::mse(&mut g, a, b, Reduction::Sum);
    assert_eq!(g.item(sum), 9.0);
}

#[test]
fn cross_entropy_is_stable_for_huge_logits() {
    let mut g = Graph::<f32>::new();
    let x = g.leaf(&[1000.0, -1000.0, 0.0, 800.0], &[2, 2]);
    let l = g.cross_entropy(x, &[1, 0]);
    // row 1: lse(1000, −1000) + 1000 = 2000; row 2: lse(0, 800) − 0 = 800; mean 1400
    assert!((g.item(l) - 1400.0).abs() < 1e-3, "{}", g.item(l));
    g.backward(l);
    assert!(g.grad(x).unwrap().iter().all(|v| v.is_finite()));
}

#[test]
fn initialisation_is_seeded_and_scaled() {
    let mut p1 = diffprog_nn::Params::<f64>::new();
    let mut p2 = diffprog_nn::Params::<f64>::new();
    let a = Sequential::mlp(
        &mut p1,
        &[100, 50, 10],
        Unary::Relu,
        Init::KaimingNormal,
        &mut seeded_rng(0),
    );
    let _ = Sequential::mlp(
        &mut p2,
        &[100, 50, 10],
        Unary::Relu,
        Init::KaimingNormal,
        &mut seeded_rng(0),
    );
    assert_eq!(p1.flatten(), p2.flatten());
    let w = p1.value(a.param_ids()[0]);
    let var = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
    assert!(
        (var - 2.0 / 100.0).abs() < 0.1 * 2.0 / 100.0,
        "Kaiming variance {var}"
    );
    let mut p3 = diffprog_nn::Params::<f64>::new();
    let b = Sequential::mlp(
        &mut p3,
        &[100, 50],
        Unary::Relu,
        Init::XavierUniform,
        &mut seeded_rng(0),
    );
    let bound = (6.0f64 / 150.0).sqrt();
    assert!(p3.value(b.param_ids()[0]).iter().all(|v| v.abs() <= bound));
    assert!(p3.value(b.param_ids()[1]).iter().all(|&v| v == 0.0));
    let mut opt = Adam::<f64>::new(0.1);
    assert_eq!(opt.learning_rate(), 0.1);
    opt.set_learning_rate(0.2);
}

#[test]
fn every_layer_kind_agrees_between_tape_and_generic_forward() {
    use diffprog_nn::layers::Linear;
    let mut g = Graph::<f64>::new();
    let mut rng = seeded_rng(8);
    let p = g.params_mut();
    let l1 = Linear::new(p, "a", 4, 6, true, Init::XavierUniform, &mut rng);
    let l2 = Linear::new(p, "b", 6, 5, false, Init::KaimingNormal, &mut rng);
    let l3 = Linear::new(p, "c", 5, 5, true, Init::TorchDefault, &mut rng);
    let l4 = Linear::new(p, "d", 5, 3, true, Init::XavierNormal, &mut rng);
    let net = Sequential::new()
        .push(Layer::Linear(l1))
        .push(Layer::Activation(Unary::LeakyRelu(0.1)))
        .push(Layer::Dropout(0.3))
        .push(Layer::Linear(l2))
        .push(Layer::Activation(Unary::Sigmoid))
        .push(Layer::Linear(l3))
        .push(Layer::Activation(Unary::Softplus))
        .push(Layer::Softmax)
        .push(Layer::Linear(l4))
        .push(Layer::LogSoftmax);
    g.set_training(false);
    let xs = [0.3, -1.2, 0.8, 2.0, -0.5, 0.1, 0.0, 1.5];
    let x = g.input(&xs, &[2, 4]);
    let y = net.forward(&mut g, x);
    for r in 0..2 {
        let yg = net.forward_generic(g.params(), &xs[r * 4..(r + 1) * 4]);
        for (a, b) in g.value(y)[r * 3..(r + 1) * 3].iter().zip(&yg) {
            assert!((a - b).abs() < 1e-14, "tape {a} vs generic {b}");
        }
    }
    assert_eq!(
        net.architecture(),
        "linear(4→6) leaky_relu(0.1) dropout(0.3) linear(6→5, no bias) sigmoid linear(5→5) softplus softmax linear(5→3) log_softmax"
    );
}

#[test]
#[should_panic(expected = "another graph")]
fn node_of_another_graph_is_reported() {
    let mut a = Graph::<f64>::new();
    let mut b = Graph::<f64>::new();
    let x = a.input(&[1.0], &[1]);
    let _ = b.input(&[2.0], &[1]);
    let _ = b.value(x);
}

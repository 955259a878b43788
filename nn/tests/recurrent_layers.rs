//! The `Embedding` and `Recurrent` layers: PyTorch's parameter names, shapes and initial ranges,
//! the padding row, and a small LSTM that must learn a task needing memory.

use diffprog_nn::layers::{seeded_rng, Embedding, Recurrent};
use diffprog_nn::ops::{CellKind, Nonlinearity};
use diffprog_nn::optim::{clip_grad_norm, Adam, Optimizer};
use diffprog_nn::{Graph, Tensor, Unary};
use rand::Rng;

#[test]
fn parameters_have_pytorch_names_shapes_and_ranges() {
    for (kind, g_) in [
        (CellKind::Rnn(Nonlinearity::Relu), 1),
        (CellKind::Lstm, 4),
        (CellKind::Gru, 3),
    ] {
        for bias in [true, false] {
            let mut g = Graph::<f64>::new();
            let r = Recurrent::new(
                g.params_mut(),
                kind,
                5,
                7,
                3,
                true,
                bias,
                &mut seeded_rng(1),
            );
            assert_eq!(r.weights.len(), 6);
            let bound = 1.0 / 7f64.sqrt();
            for (k, ids) in r.weights.iter().enumerate() {
                let (l, rev) = (k / 2, if k % 2 == 1 { "_reverse" } else { "" });
                assert_eq!(ids.len(), if bias { 4 } else { 2 });
                let inp = if l == 0 { 5 } else { 14 };
                let expect = [
                    ("weight_ih", vec![g_ * 7, inp]),
                    ("weight_hh", vec![g_ * 7, 7]),
                    ("bias_ih", vec![g_ * 7]),
                    ("bias_hh", vec![g_ * 7]),
                ];
                for (&id, (what, dims)) in ids.iter().zip(expect) {
                    let p = g.params();
                    assert!(
                        p.name(id).ends_with(&format!(".{what}_l{l}{rev}")),
                        "{}",
                        p.name(id)
                    );
                    assert_eq!(p.shape(id).dims(), &dims[..]);
                    let v = p.value(id);
                    assert!(v.iter().all(|x| x.abs() <= bound));
                    assert!(v.iter().any(|&x| x != v[0]));
                }
            }
        }
    }
}

#[test]
fn the_embedding_padding_row_starts_at_zero_and_stays_there() {
    let mut g = Graph::<f64>::new();
    let emb = Embedding::new(g.params_mut(), 6, 3, Some(2), &mut seeded_rng(0));
    assert_eq!(&g.params().value(emb.weight)[6..9], &[0.0; 3]);
    let before = g.params().value(emb.weight).to_vec();
    let e = emb.forward(&mut g, &[2, 1, 2, 5], &[2, 2]);
    let s = g.sum(e);
    g.backward(s);
    let grad = g.params().grad(emb.weight).to_vec();
    assert_eq!(&grad[6..9], &[0.0; 3]);
    assert_eq!(&grad[3..6], &[1.0; 3]);
    assert_eq!(&grad[15..18], &[1.0; 3]);
    let mut opt = Adam::new(0.1);
    opt.step(g.params_mut());
    let after = g.params().value(emb.weight);
    assert_eq!(&after[6..9], &before[6..9]);
    assert_ne!(&after[3..6], &before[3..6]);
}

/// Embedding(5, 4) → LSTM(4, 16) → Linear(16, 5) on the last step must recall a sequence's
/// first token after 5 more random tokens — a task a network without memory solves at chance
/// (20 %).
#[test]
fn an_lstm_learns_to_recall_the_first_token() {
    let (vocab, t, b) = (5, 6, 32);
    let mut rng = seeded_rng(3);
    let mut g = Graph::<f32>::new();
    let emb = Embedding::new(g.params_mut(), vocab, 4, None, &mut rng);
    let lstm = Recurrent::new(
        g.params_mut(),
        CellKind::Lstm,
        4,
        16,
        1,
        false,
        true,
        &mut rng,
    );
    let w = g.params_mut().add(
        "out.w",
        Tensor::uniform(&[16, vocab], -0.25, 0.25, &mut rng),
    );
    let bias = g.params_mut().add("out.b", Tensor::zeros(&[vocab]));
    let mut opt = Adam::new(0.02);
    let batch = |rng: &mut rand_chacha::ChaCha8Rng| {
        let x: Vec<usize> = (0..t * b).map(|_| rng.random_range(0..vocab)).collect();
        let y: Vec<usize> = x[..b].to_vec(); // time-major: step 0 is the first b entries
        (x, y)
    };
    let mut accuracy = 0.0;
    for step in 0..300 {
        let (x, y) = batch(&mut rng);
        g.reset();
        let e = emb.forward(&mut g, &x, &[t, b]);
        let out = lstm.forward(&mut g, e, None, None, None);
        let last = g.reshape(out.h_n, &[b, 16]);
        let (wn, bn) = (g.param(w), g.param(bias));
        let logits = g.linear(last, wn, Some(bn), Unary::Identity);
        let loss = g.cross_entropy(logits, &y);
        g.params_mut().zero_grad();
        g.backward(loss);
        clip_grad_norm(g.params_mut(), None, 5.0);
        opt.step(g.params_mut());
        if step >= 280 {
            let lv = g.value(logits);
            let correct = (0..b)
                .filter(|&i| {
                    let row = &lv[i * vocab..(i + 1) * vocab];
                    let arg = (0..vocab)
                        .max_by(|&p, &q| row[p].total_cmp(&row[q]))
                        .unwrap();
                    arg == y[i]
                })
                .count();
            accuracy += correct as f64 / (20 * b) as f64;
        }
    }
    assert!(
        accuracy > 0.9,
        "accuracy over the last 20 batches {accuracy}"
    );
}

// ---- the sequence layers as modules, in a Sequential, and in checkpoints ----

use diffprog_nn::checkpoint::{Checkpoint, CheckpointError, LayerSpec};
use diffprog_nn::layers::{Init, Layer, Linear, RecurrentOutput, Sequential};
use diffprog_nn::train::Module;
use diffprog_nn::{NodeId, ParamId, Params};

const T: usize = 6;
const VOCAB: usize = 7;

/// Token ids `[n, T]` as floats (batch-first), deterministic.
fn token_rows(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = seeded_rng(seed);
    (0..n * T)
        .map(|_| rng.random_range(0..VOCAB) as f64)
        .collect()
}

/// Unflatten([T]) → Embedding(VOCAB, 3, padding 0) → `kind` (4 hidden, `layers`, both
/// directions, batch-first, dropout) → Linear(8, 5).
fn sequence_net(
    g: &mut Graph<f64>,
    kind: CellKind,
    layers: usize,
    output: RecurrentOutput,
    seed: u64,
) -> Sequential<f64> {
    let mut rng = seeded_rng(seed);
    let p = g.params_mut();
    let emb = Embedding::new(p, VOCAB, 3, Some(0), &mut rng);
    let rnn = Recurrent::new(p, kind, 3, 4, layers, true, true, &mut rng)
        .with_batch_first(true)
        .with_dropout(0.25)
        .with_output(output);
    let head = Linear::new(p, "head", 8, 5, true, Init::TorchDefault, &mut rng);
    Sequential::new()
        .push(Layer::Unflatten(vec![T]))
        .push(Layer::Embedding(emb))
        .push(Layer::Recurrent(rnn))
        .push(Layer::Linear(head))
}

fn snapshot(p: &Params<f64>) -> Vec<Vec<f64>> {
    p.ids().map(|id| p.value(id).to_vec()).collect()
}

#[test]
fn embedding_recurrent_linear_as_one_sequential_is_the_layers_composed_by_hand() {
    for output in [RecurrentOutput::FinalState, RecurrentOutput::AllSteps] {
        let mut g = Graph::<f64>::new();
        let net = sequence_net(&mut g, CellKind::Lstm, 2, output, 1);
        let (Layer::Embedding(emb), Layer::Recurrent(rnn), Layer::Linear(head)) =
            (&net.layers[1], &net.layers[2], &net.layers[3])
        else {
            panic!("layers in order")
        };
        let (n, ids) = (3, token_rows(3, 2));
        let x = g.input(&ids, &[n, T]);
        let y = net.forward(&mut g, x);
        let s = g.sum(y);
        g.backward(s);
        let (y_seq, grads) = (g.value(y).to_vec(), g.params().flatten_grads());

        // by hand: lookup, the sequence function, the last layer's final states, the head
        g.reset();
        g.params_mut().zero_grad();
        g.seed(0);
        let idx: Vec<usize> = ids.iter().map(|&v| v as usize).collect();
        let e = emb.forward(&mut g, &idx, &[n, T]);
        let out = rnn.forward(&mut g, e, None, None, None);
        let feats = match output {
            RecurrentOutput::AllSteps => out.output,
            RecurrentOutput::FinalState => {
                let last = g.slice(out.h_n, 0, 2, 2); // layer 1, both directions: [2, n, 4]
                let last = g.permute(last, &[1, 0, 2]);
                g.reshape(last, &[n, 8])
            }
        };
        let y2 = head.forward(&mut g, feats, Unary::Identity);
        let s2 = g.sum(y2);
        g.backward(s2);
        assert_eq!(y_seq, g.value(y2), "{output:?}");
        assert_eq!(grads, g.params().flatten_grads(), "{output:?}");
        let expect = match output {
            RecurrentOutput::AllSteps => vec![n, T, 5],
            RecurrentOutput::FinalState => vec![n, 5],
        };
        assert_eq!(g.shape(y2).dims(), &expect[..]);
    }
}

#[test]
fn the_final_state_of_one_direction_is_the_output_at_the_last_step() {
    let mut g = Graph::<f64>::new();
    let mut rng = seeded_rng(4);
    let gru = Recurrent::new(
        g.params_mut(),
        CellKind::Gru,
        2,
        3,
        2,
        false,
        true,
        &mut rng,
    );
    let x = g.input(&token_rows(3, 5)[..4 * 2 * 2], &[4, 2, 2]); // [T = 4, B = 2, I = 2]
    let all = gru.clone().with_output(RecurrentOutput::AllSteps);
    let last = gru.with_output(RecurrentOutput::FinalState);
    let ya = Module::forward(&all, &mut g, x);
    let yl = Module::forward(&last, &mut g, x);
    assert_eq!(g.shape(yl).dims(), &[2, 3]);
    assert_eq!(g.value(yl), &g.value(ya)[3 * 2 * 3..]);
}

/// A user-defined module: `encoder.embed`, `encoder.lstm` (two layers, two directions) and a
/// head, composed in its own forward.
struct Tagger {
    embed: Embedding,
    lstm: Recurrent,
    head: Linear,
}

impl Module<f64> for Tagger {
    fn forward(&self, g: &mut Graph<f64>, x: NodeId) -> NodeId {
        let e = Module::forward(&self.embed, g, x);
        let h = Module::forward(&self.lstm, g, e);
        Module::forward(&self.head, g, h)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        let mut v = Module::<f64>::param_ids(&self.embed);
        v.extend(Module::<f64>::param_ids(&self.lstm));
        v.extend(Module::<f64>::param_ids(&self.head));
        v
    }
}

fn tagger(g: &mut Graph<f64>, seed: u64) -> Tagger {
    let mut rng = seeded_rng(seed);
    let p = g.params_mut();
    Tagger {
        embed: Embedding::named(p, "encoder.embed", VOCAB, 3, None, &mut rng),
        lstm: Recurrent::named(
            p,
            "encoder.lstm",
            CellKind::Lstm,
            3,
            4,
            2,
            true,
            false,
            &mut rng,
        )
        .with_dropout(0.5),
        head: Linear::new(p, "head", 8, 2, true, Init::TorchDefault, &mut rng),
    }
}

#[test]
fn a_user_module_names_its_recurrent_parameters_as_pytorch_does() {
    let mut g = Graph::<f64>::new();
    let m = tagger(&mut g, 0);
    let names: Vec<&str> = m
        .named_params(g.params())
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        names,
        [
            "encoder.embed.weight",
            "encoder.lstm.weight_ih_l0",
            "encoder.lstm.weight_hh_l0",
            "encoder.lstm.weight_ih_l0_reverse",
            "encoder.lstm.weight_hh_l0_reverse",
            "encoder.lstm.weight_ih_l1",
            "encoder.lstm.weight_hh_l1",
            "encoder.lstm.weight_ih_l1_reverse",
            "encoder.lstm.weight_hh_l1_reverse",
            "head.weight",
            "head.bias"
        ]
    );
}

#[test]
fn train_and_eval_mode_reach_the_dropout_between_recurrent_layers() {
    let mut g = Graph::<f64>::new();
    let m = tagger(&mut g, 0);
    let ids = token_rows(1, 3); // [T = 6] as [T, B = 1]
    let run = |g: &mut Graph<f64>| {
        g.reset();
        let x = g.input(&ids, &[T, 1]);
        let y = m.forward(g, x);
        g.value(y).to_vec()
    };
    let (a, b) = (run(&mut g), run(&mut g));
    assert_ne!(a, b, "train mode: dropout draws new masks");
    g.set_training(false);
    let (c, d) = (run(&mut g), run(&mut g));
    assert_eq!(c, d, "eval mode: dropout is the identity");
    // eval mode is the network without dropout
    let mut no_dropout = m.lstm.clone();
    no_dropout.dropout = 0.0;
    g.set_training(true);
    g.reset();
    let x = g.input(&ids, &[T, 1]);
    let e = Module::forward(&m.embed, &mut g, x);
    let h = Module::forward(&no_dropout, &mut g, e);
    let y = Module::forward(&m.head, &mut g, h);
    assert_eq!(g.value(y), &c[..]);
}

#[test]
fn a_frozen_recurrent_child_does_not_train_and_the_rest_does() {
    let mut g = Graph::<f64>::new();
    let m = tagger(&mut g, 1);
    m.lstm.set_frozen(g.params_mut(), true);
    m.embed.set_frozen(g.params_mut(), true);
    let before = snapshot(g.params());
    let mut opt = Adam::new(0.05);
    for step in 0..3 {
        g.reset();
        let x = g.input(&token_rows(2, step)[..T * 2], &[T, 2]);
        let y = m.forward(&mut g, x);
        let y = g.reshape(y, &[T * 2, 2]);
        let l = g.cross_entropy(y, &[0, 1].repeat(T));
        g.params_mut().zero_grad();
        g.backward(l);
        for id in Module::<f64>::param_ids(&m.lstm)
            .into_iter()
            .chain([m.embed.weight])
        {
            assert!(g.params().grad(id).iter().all(|&v| v == 0.0));
        }
        opt.step(g.params_mut());
    }
    let after = snapshot(g.params());
    let frozen: Vec<usize> = Module::<f64>::param_ids(&m.embed)
        .into_iter()
        .chain(Module::<f64>::param_ids(&m.lstm))
        .map(|id| id.index())
        .collect();
    for id in g.params().ids() {
        let k = id.index();
        assert_eq!(
            frozen.contains(&k),
            before[k] == after[k],
            "{}",
            g.params().name(id)
        );
    }
}

#[test]
#[should_panic(expected = "is not a token id")]
fn an_embedding_layer_refuses_inputs_that_are_not_token_ids() {
    let mut g = Graph::<f64>::new();
    let emb = Embedding::new(g.params_mut(), 4, 2, None, &mut seeded_rng(0));
    let x = g.input(&[1.0, 2.5], &[2]);
    Module::forward(&emb, &mut g, x);
}

#[test]
fn sequence_networks_round_trip_through_checkpoints_exactly() {
    let cases = [
        (CellKind::Lstm, 2, RecurrentOutput::FinalState),
        (CellKind::Gru, 1, RecurrentOutput::AllSteps),
        (
            CellKind::Rnn(Nonlinearity::Relu),
            2,
            RecurrentOutput::FinalState,
        ),
        (
            CellKind::Rnn(Nonlinearity::Tanh),
            1,
            RecurrentOutput::FinalState,
        ),
    ];
    let rows = token_rows(5, 9);
    for (kind, layers, output) in cases {
        let mut g = Graph::<f64>::new();
        let net = sequence_net(&mut g, kind, layers, output, 3);
        let ck = Checkpoint::from_bytes(&net.to_checkpoint(g.params()).to_bytes()).unwrap();
        assert!(net.architecture().contains("embedding(7, 3, padding 0)"));
        let (back, params) = Sequential::<f64>::from_checkpoint(&ck).unwrap();
        assert_eq!(back, net, "{kind:?}");
        let mut g2 = Graph::with_params(params);
        if output == RecurrentOutput::FinalState {
            assert_eq!(back.predict(&mut g2, &rows), net.predict(&mut g, &rows));
        } else {
            g.set_training(false);
            g2.set_training(false);
            let x = g.input(&rows, &[5, T]);
            let y = net.forward(&mut g, x);
            let x2 = g2.input(&rows, &[5, T]);
            let y2 = back.forward(&mut g2, x2);
            assert_eq!(g.value(y), g2.value(y2));
        }
    }
    // a user-defined module through its parameter store
    let mut g = Graph::<f64>::new();
    let m = tagger(&mut g, 1);
    let path = std::env::temp_dir().join(format!("tagger-{}.ckpt", std::process::id()));
    g.params().save(&path, "tagger").unwrap();
    let mut g2 = Graph::<f64>::new();
    let m2 = tagger(&mut g2, 2);
    g2.params_mut().load(&path, "tagger").unwrap();
    std::fs::remove_file(&path).unwrap();
    g.set_training(false);
    g2.set_training(false);
    let x = g.input(&rows[..T * 2], &[T, 2]);
    let x2 = g2.input(&rows[..T * 2], &[T, 2]);
    let (y, y2) = (m.forward(&mut g, x), m2.forward(&mut g2, x2));
    assert_eq!(g.value(y), g2.value(y2));
}

#[test]
fn another_architecture_or_a_damaged_file_is_an_error_and_changes_nothing() {
    let mut g = Graph::<f64>::new();
    let net = sequence_net(&mut g, CellKind::Lstm, 2, RecurrentOutput::FinalState, 1);
    let bytes = net.to_checkpoint(g.params()).to_bytes();
    let path = std::env::temp_dir().join(format!("seq-ck-{}.ckpt", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    // a GRU, one LSTM layer, an LSTM that returns every step: other architectures
    for (kind, layers, output) in [
        (CellKind::Gru, 2, RecurrentOutput::FinalState),
        (CellKind::Lstm, 1, RecurrentOutput::FinalState),
        (CellKind::Lstm, 2, RecurrentOutput::AllSteps),
    ] {
        let mut g2 = Graph::<f64>::new();
        let other = sequence_net(&mut g2, kind, layers, output, 2);
        let before = snapshot(g2.params());
        let err = other.load_params(g2.params_mut(), &path).unwrap_err();
        assert!(
            matches!(err, CheckpointError::ArchitectureMismatch { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("lstm(3→4, 2 layers"), "{err}");
        assert_eq!(snapshot(g2.params()), before);
    }
    // truncated and corrupt files
    let mut g2 = Graph::<f64>::new();
    let same = sequence_net(&mut g2, CellKind::Lstm, 2, RecurrentOutput::FinalState, 2);
    let before = snapshot(g2.params());
    for cut in [0, 9, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        assert!(
            same.load_params(g2.params_mut(), &path).is_err(),
            "cut {cut}"
        );
        assert!(Sequential::<f64>::load(&path).is_err(), "cut {cut}");
        assert_eq!(snapshot(g2.params()), before);
    }
    let mut flipped = bytes.clone();
    let k = flipped.len() - 9;
    flipped[k] ^= 0x10;
    std::fs::write(&path, &flipped).unwrap();
    let err = same.load_params(g2.params_mut(), &path).unwrap_err();
    assert!(matches!(err, CheckpointError::Corrupt(_)), "{err:?}");
    assert_eq!(snapshot(g2.params()), before);
    // the intact file loads, and reproduces the outputs
    std::fs::write(&path, &bytes).unwrap();
    same.load_params(g2.params_mut(), &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let rows = token_rows(4, 1);
    assert_eq!(same.predict(&mut g2, &rows), net.predict(&mut g, &rows));
}

#[test]
fn a_recurrent_description_that_does_not_fit_its_parameters_is_refused() {
    let mut g = Graph::<f64>::new();
    let net = sequence_net(&mut g, CellKind::Gru, 2, RecurrentOutput::FinalState, 1);
    let ck = net.to_checkpoint(g.params());
    let with = |edit: &dyn Fn(&mut LayerSpec)| {
        let mut specs = ck.model().unwrap().to_vec();
        edit(&mut specs[2]);
        let mut c = ck.clone();
        c.set_model(specs);
        Sequential::<f64>::from_checkpoint(&c).unwrap_err()
    };
    let err = with(&|s| {
        if let LayerSpec::Recurrent { hidden_size, .. } = s {
            *hidden_size = 5;
        }
    });
    assert!(
        matches!(err, CheckpointError::ShapeMismatch { .. }),
        "{err:?}"
    );
    let err = with(&|s| {
        if let LayerSpec::Recurrent { kind, .. } = s {
            *kind = "lstm".into();
        }
    });
    assert!(
        matches!(err, CheckpointError::ShapeMismatch { .. }),
        "{err:?}"
    );
    let err = with(&|s| {
        if let LayerSpec::Recurrent { kind, .. } = s {
            *kind = "transformer".into();
        }
    });
    assert!(err.to_string().contains("unknown cell"), "{err}");
    let err = with(&|s| {
        if let LayerSpec::Recurrent { weights, .. } = s {
            weights.pop();
        }
    });
    assert!(matches!(err, CheckpointError::BadModel(_)), "{err:?}");
    let err = with(&|s| {
        if let LayerSpec::Recurrent { input_size, .. } = s {
            *input_size = 2;
        }
    });
    assert!(
        matches!(
            err,
            CheckpointError::ShapeMismatch { .. } | CheckpointError::BadModel(_)
        ),
        "{err:?}"
    );
}

/// Resident set size of this process in bytes, from `/proc/self/statm` (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// 10 000 training steps of a small sequence model (Embedding → LSTM → Linear, one
/// `Sequential`, `train_step` with RMSprop, batch 16 of 12 tokens): the tape's buffers stop
/// growing after the first step and the resident memory after the first hundred. Ignored by
/// default (8 s with `--release`); run with
/// `cargo test --release -p diffprog-nn --test recurrent_layers -- --ignored --nocapture`.
#[test]
#[ignore]
fn memory_stays_flat_over_ten_thousand_training_steps() {
    use diffprog_nn::optim::RmsProp;
    use diffprog_nn::train::train_step;
    let (t, b, vocab) = (12, 16, 11);
    let mut rng = seeded_rng(0);
    let mut g = Graph::<f32>::new();
    let p = g.params_mut();
    let emb = Embedding::new(p, vocab, 8, None, &mut rng);
    let lstm = Recurrent::new(p, CellKind::Lstm, 8, 32, 1, false, true, &mut rng)
        .with_batch_first(true)
        .with_output(RecurrentOutput::FinalState);
    let head = Linear::new(p, "head", 32, vocab, true, Init::TorchDefault, &mut rng);
    let net = Sequential::new()
        .push(Layer::Unflatten(vec![t]))
        .push(Layer::Embedding(emb))
        .push(Layer::Recurrent(lstm))
        .push(Layer::Linear(head));
    let mut opt = RmsProp::<f32>::new(0.01);
    let (mut capacity, mut rss_start) = (0, 0);
    for step in 0..10_000 {
        let x: Vec<f32> = (0..b * t)
            .map(|_| rng.random_range(0..vocab) as f32)
            .collect();
        let y: Vec<usize> = x.chunks(t).map(|row| row[0] as usize).collect();
        let (loss, _) = train_step(&mut g, &net, &mut opt, &x, &y, t);
        assert!(loss.is_finite());
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
         step 100, {:.2} MiB at step 10 000",
        rss_start as f64 / 1048576.0,
        rss_end as f64 / 1048576.0
    );
    assert!(
        rss_end <= rss_start + (1 << 20),
        "resident memory grew from {rss_start} to {rss_end} bytes"
    );
}

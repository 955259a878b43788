//! The recurrent functions' semantics beyond single-op gradients: a padded batch with lengths
//! equals its sequences run one by one (outputs, final states, every gradient; padding that is
//! NaN changes nothing), dropout between layers, flat memory over repeated steps, and the
//! messages of misuse.

use diffprog_nn::ops::{CellKind, CellWeights, Nonlinearity, SequenceOptions, SequenceOutput};
use diffprog_nn::{Graph, NodeId, ParamId, Params, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const T: usize = 5;
const I: usize = 3;
const H: usize = 4;
const LAYERS: usize = 2;
const DIRS: usize = 2;

fn random(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Parameters of a 2-layer bidirectional network of `kind` (PyTorch's shapes).
fn network(kind: CellKind, rng: &mut ChaCha8Rng) -> (Params<f64>, Vec<[ParamId; 4]>) {
    let mut p = Params::new();
    let gh = kind.gates() * H;
    let mut ids = Vec::new();
    for l in 0..LAYERS {
        let inp = if l == 0 { I } else { DIRS * H };
        for d in 0..DIRS {
            let mut add = |name: &str, dims: &[usize]| {
                let n = dims.iter().product();
                p.add(
                    format!("{name}_l{l}_d{d}"),
                    Tensor::from_vec(random(n, rng), dims),
                )
            };
            ids.push([
                add("w_ih", &[gh, inp]),
                add("w_hh", &[gh, H]),
                add("b_ih", &[gh]),
                add("b_hh", &[gh]),
            ]);
        }
    }
    (p, ids)
}

/// Records the network on `x` (`[B, T, I]`, batch-first) with initial states; returns the
/// result and the input's node.
#[allow(clippy::too_many_arguments)]
fn record(
    g: &mut Graph<f64>,
    kind: CellKind,
    ids: &[[ParamId; 4]],
    x: &[f64],
    b: usize,
    t: usize,
    h0: &[f64],
    c0: &[f64],
    lengths: Option<&[usize]>,
) -> (SequenceOutput, NodeId) {
    let weights: Vec<CellWeights> = ids
        .iter()
        .map(|w| CellWeights {
            w_ih: g.param(w[0]),
            w_hh: g.param(w[1]),
            b_ih: Some(g.param(w[2])),
            b_hh: Some(g.param(w[3])),
        })
        .collect();
    let xn = g.leaf(x, &[b, t, I]);
    let h0 = g.input(h0, &[LAYERS * DIRS, b, H]);
    let c0 = kind
        .has_cell_state()
        .then(|| g.input(c0, &[LAYERS * DIRS, b, H]));
    let opts = SequenceOptions {
        batch_first: true,
        bidirectional: true,
        dropout: 0.0,
        lengths,
    };
    (g.recurrent(kind, xn, Some(h0), c0, &weights, &opts), xn)
}

/// Rows `[.., b, ..]` of a `[L·D, B, H]` state.
fn state_of(s: &[f64], b: usize, batch: usize) -> Vec<f64> {
    (0..LAYERS * DIRS)
        .flat_map(|k| s[(k * batch + b) * H..(k * batch + b + 1) * H].to_vec())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

/// In any order of the lengths (the GEMMs compute every row and the ended ones are discarded)
/// and sorted longest first (the GEMMs leave the ended rows out), outputs, final states and
/// gradients are those of the sequences run one by one.
#[test]
fn a_padded_batch_equals_its_sequences_run_one_by_one() {
    let kinds = [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(Nonlinearity::Tanh),
        CellKind::Rnn(Nonlinearity::Relu),
    ];
    let orders = [[5, 2, 4], [5, 4, 2]];
    for (case, (kind, lengths)) in kinds
        .into_iter()
        .flat_map(|k| orders.map(|o| (k, o)))
        .enumerate()
    {
        let mut rng = ChaCha8Rng::seed_from_u64(case as u64);
        let (params, ids) = network(kind, &mut rng);
        let b = lengths.len();
        let mut x = random(b * T * I, &mut rng);
        // the padding is NaN: it must not reach anything
        for (s, &len) in lengths.iter().enumerate() {
            for t in len..T {
                x[(s * T + t) * I..(s * T + t + 1) * I].fill(f64::NAN);
            }
        }
        let h0 = random(LAYERS * DIRS * b * H, &mut rng);
        let c0 = random(LAYERS * DIRS * b * H, &mut rng);
        let w_out = random(b * T * DIRS * H, &mut rng);
        let w_h = random(LAYERS * DIRS * b * H, &mut rng);
        let w_c = random(LAYERS * DIRS * b * H, &mut rng);

        // the padded batch, loss Σ w·output + Σ w·h_n (+ Σ w·c_n)
        let mut g = Graph::with_params(params.clone());
        let (out, xn) = record(&mut g, kind, &ids, &x, b, T, &h0, &c0, Some(&lengths));
        let output = g.value(out.output).to_vec();
        let h_n = g.value(out.h_n).to_vec();
        let c_n = out.c_n.map(|c| g.value(c).to_vec());
        let total = combined_loss(&mut g, &out, &w_out, &w_h, &w_c);
        g.backward(total);
        let gx = g.grad(xn).unwrap().to_vec();
        assert!(
            output.iter().all(|v| v.is_finite()),
            "{kind:?}: NaN padding leaked"
        );
        let batch_grads: Vec<Vec<f64>> = g
            .params()
            .ids()
            .map(|id| g.params().grad(id).to_vec())
            .collect();

        // each sequence alone, over its own length; parameter gradients summed
        let mut alone = Graph::with_params(params.clone());
        for (s, &len) in lengths.iter().enumerate() {
            alone.reset();
            let xs = &x[s * T * I..(s * T + len) * I];
            let (o, xn1) = record(
                &mut alone,
                kind,
                &ids,
                xs,
                1,
                len,
                &state_of(&h0, s, b),
                &state_of(&c0, s, b),
                None,
            );
            let ov = alone.value(o.output).to_vec();
            for t in 0..T {
                for f in 0..DIRS * H {
                    let batch_v = output[(s * T + t) * DIRS * H + f];
                    if t < len {
                        let want = ov[t * DIRS * H + f];
                        assert!(
                            close(batch_v, want),
                            "{kind:?} seq {s} t {t}: {batch_v} vs {want}"
                        );
                    } else {
                        assert_eq!(batch_v, 0.0, "{kind:?}: a padded step's output is 0");
                    }
                }
            }
            for (got, want) in state_of(&h_n, s, b).iter().zip(alone.value(o.h_n).to_vec()) {
                assert!(close(*got, want), "{kind:?} seq {s} h_n: {got} vs {want}");
            }
            if let (Some(c_n), Some(c1)) = (&c_n, o.c_n) {
                for (got, want) in state_of(c_n, s, b).iter().zip(alone.value(c1).to_vec()) {
                    assert!(close(*got, want), "{kind:?} seq {s} c_n: {got} vs {want}");
                }
            }
            // the same loss restricted to this sequence
            let wo: Vec<f64> = w_out[s * T * DIRS * H..(s * T + len) * DIRS * H].to_vec();
            let (wh, wc) = (state_of(&w_h, s, b), state_of(&w_c, s, b));
            let l = combined_loss(&mut alone, &o, &wo, &wh, &wc);
            alone.backward(l);
            let gx1 = alone.grad(xn1).unwrap();
            for (k, (&got, &want)) in gx[s * T * I..(s * T + len) * I].iter().zip(gx1).enumerate() {
                assert!(
                    close(got, want),
                    "{kind:?} seq {s} ∂x[{k}]: {got} vs {want}"
                );
            }
            assert!(
                gx[(s * T + len) * I..(s + 1) * T * I]
                    .iter()
                    .all(|&v| v == 0.0),
                "{kind:?} seq {s}: padded inputs get no gradient"
            );
        }
        for (k, id) in alone.params().ids().enumerate() {
            for (&got, &want) in batch_grads[k].iter().zip(alone.params().grad(id)) {
                assert!(
                    close(got, want),
                    "{kind:?} ∂{}: batch {got} vs summed {want}",
                    alone.params().name(id)
                );
            }
        }
    }
}

/// Σ w_out·output + Σ w_h·h_n (+ Σ w_c·c_n) as one node.
fn combined_loss(
    g: &mut Graph<f64>,
    out: &SequenceOutput,
    w_out: &[f64],
    w_h: &[f64],
    w_c: &[f64],
) -> NodeId {
    let mut terms = vec![(out.output, w_out), (out.h_n, w_h)];
    if let Some(c) = out.c_n {
        terms.push((c, w_c));
    }
    let mut total: Option<NodeId> = None;
    for (node, w) in terms {
        let wn = g.input(w, g.shape(node).dims());
        let p = g.mul(node, wn);
        let s = g.sum(p);
        total = Some(match total {
            Some(t) => g.add(t, s),
            None => s,
        });
    }
    total.unwrap()
}

#[test]
fn dropout_acts_between_layers_in_train_mode_only() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (params, ids) = network(CellKind::Gru, &mut rng);
    let x = random(2 * T * I, &mut rng);
    let run = |training: bool, p: f64| {
        let mut g = Graph::with_params(params.clone());
        g.set_training(training);
        let weights: Vec<CellWeights> = ids
            .iter()
            .map(|w| CellWeights {
                w_ih: g.param(w[0]),
                w_hh: g.param(w[1]),
                b_ih: Some(g.param(w[2])),
                b_hh: Some(g.param(w[3])),
            })
            .collect();
        let xn = g.input(&x, &[T, 2, I]);
        let opts = SequenceOptions {
            bidirectional: true,
            dropout: p,
            ..Default::default()
        };
        let out = g.gru(xn, None, &weights, &opts);
        g.value(out.output).to_vec()
    };
    assert_eq!(run(false, 0.5), run(true, 0.0));
    assert_ne!(run(true, 0.5), run(true, 0.0));
}

#[test]
fn repeated_steps_keep_memory_flat() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (params, ids) = network(CellKind::Lstm, &mut rng);
    let x = random(3 * T * I, &mut rng);
    let h0 = random(LAYERS * DIRS * 3 * H, &mut rng);
    let mut g = Graph::with_params(params);
    let mut capacity = 0;
    for step in 0..20 {
        g.reset();
        let (out, _) = record(
            &mut g,
            CellKind::Lstm,
            &ids,
            &x,
            3,
            T,
            &h0,
            &h0,
            Some(&[5, 3, 1]),
        );
        let s = g.sum(out.output);
        g.backward(s);
        if step == 1 {
            capacity = g.buffer_capacity();
        } else if step > 1 {
            assert_eq!(g.buffer_capacity(), capacity, "step {step}");
        }
    }
}

#[test]
#[should_panic(
    expected = "embedding: index 7 (at position 2) is out of range for a weight with 5 rows"
)]
fn an_out_of_range_embedding_index_panics() {
    let mut g = Graph::<f64>::new();
    let w = g.leaf(&[0.0; 10], &[5, 2]);
    g.embedding(&[1, 4, 7], &[3], w, None);
}

#[test]
#[should_panic(expected = "length 4 is out of 1..=3")]
fn a_length_longer_than_the_sequence_panics() {
    let mut g = Graph::<f64>::new();
    let w = CellWeights {
        w_ih: g.leaf(&[0.0; 3], &[3, 1]),
        w_hh: g.leaf(&[0.0; 3], &[3, 1]),
        b_ih: None,
        b_hh: None,
    };
    let x = g.input(&[0.0; 6], &[3, 2, 1]);
    let opts = SequenceOptions {
        lengths: Some(&[2, 4]),
        ..Default::default()
    };
    g.gru(x, None, &[w], &opts);
}

#[test]
#[should_panic(expected = "W_ih must be [12, input]")]
fn mismatched_cell_weights_panic() {
    let mut g = Graph::<f64>::new();
    let w = CellWeights {
        w_ih: g.leaf(&[0.0; 9], &[9, 1]),
        w_hh: g.leaf(&[0.0; 36], &[12, 3]),
        b_ih: None,
        b_hh: None,
    };
    let x = g.input(&[0.0; 2], &[2, 1]);
    g.lstm_cell(x, None, &w);
}

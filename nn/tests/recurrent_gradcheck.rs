//! The sequence ops (embedding, the fused RNN/LSTM/GRU cells, the multi-layer sequence function)
//! against direct scalar implementations of PyTorch's formulas: forward values, and backward
//! against (1) forward-mode `Dual` derivatives of the reference, (2) the scalar reverse tape on
//! the reference and (3) central differences of the tensor forward. Sizes, lengths, layer counts
//! and options are random (proptest).

use diffprog_dual::{Dual, Scalar};
use diffprog_nn::ops::{CellKind, CellWeights, Nonlinearity, SequenceOptions};
use diffprog_nn::{Graph, NodeId};
use diffprog_reverse::Var;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod common;
use common::{check, rand_inputs, Reference};

/// A [`Reference`] from one generic function of the suite.
macro_rules! reference {
    ($f:ident) => {
        Reference {
            f64: $f::<f64>,
            dual: $f::<Dual<f64>>,
            var: $f::<Var>,
        }
    };
}

// ---- the scalar reference: PyTorch's formulas written out per element ----

/// Cell codes in the parameter lists.
const RNN_TANH: usize = 0;
const RNN_RELU: usize = 1;
const LSTM: usize = 2;
const GRU: usize = 3;

fn kind_of(code: usize) -> CellKind {
    match code {
        RNN_TANH => CellKind::Rnn(Nonlinearity::Tanh),
        RNN_RELU => CellKind::Rnn(Nonlinearity::Relu),
        LSTM => CellKind::Lstm,
        _ => CellKind::Gru,
    }
}

fn gates(code: usize) -> usize {
    kind_of(code).gates()
}

/// One cell's arrays in a reference's input list.
struct W<'a, T> {
    w_ih: &'a [T],
    w_hh: &'a [T],
    b_ih: Option<&'a [T]>,
    b_hh: Option<&'a [T]>,
}

/// `m · v + bias` for `m` of shape `[rows, v.len()]`.
fn affine<T: Scalar>(m: &[T], v: &[T], bias: Option<&[T]>) -> Vec<T> {
    let cols = v.len();
    (0..m.len() / cols.max(1))
        .map(|r| {
            let mut s = bias.map_or(T::zero(), |b| b[r]);
            for (f, &vf) in v.iter().enumerate() {
                s += m[r * cols + f] * vf;
            }
            s
        })
        .collect()
}

/// One step of one sequence: `(h', c')`. `pre` sees every pre-activation passed to ReLU.
fn cell<T: Scalar>(
    code: usize,
    x: &[T],
    h: &[T],
    c: &[T],
    w: &W<T>,
    pre: &mut dyn FnMut(T),
) -> (Vec<T>, Vec<T>) {
    let hid = h.len();
    let gi = affine(w.w_ih, x, w.b_ih);
    let gh = affine(w.w_hh, h, w.b_hh);
    let mut h1 = Vec::with_capacity(hid);
    let mut c1 = Vec::with_capacity(hid);
    for j in 0..hid {
        match code {
            RNN_TANH => h1.push((gi[j] + gh[j]).tanh()),
            RNN_RELU => {
                pre(gi[j] + gh[j]);
                h1.push((gi[j] + gh[j]).relu())
            }
            LSTM => {
                let i = (gi[j] + gh[j]).sigmoid();
                let f = (gi[hid + j] + gh[hid + j]).sigmoid();
                let g = (gi[2 * hid + j] + gh[2 * hid + j]).tanh();
                let o = (gi[3 * hid + j] + gh[3 * hid + j]).sigmoid();
                let cj = f * c[j] + i * g;
                c1.push(cj);
                h1.push(o * cj.tanh());
            }
            _ => {
                let r = (gi[j] + gh[j]).sigmoid();
                let z = (gi[hid + j] + gh[hid + j]).sigmoid();
                let n = (gi[2 * hid + j] + r * gh[2 * hid + j]).tanh();
                // (1 − z)⊙n + z⊙h
                h1.push((-z + 1.0) * n + z * h[j]);
            }
        }
    }
    (h1, c1)
}

/// The parameter list of a sequence case.
#[derive(Clone, Debug)]
struct Case {
    code: usize,
    t: usize,
    b: usize,
    i: usize,
    h: usize,
    layers: usize,
    dirs: usize,
    batch_first: bool,
    h0: bool,
    c0: bool,
    bias: bool,
    lengths: Vec<usize>,
}

impl Case {
    fn encode(&self) -> Vec<usize> {
        let mut d = vec![
            self.code,
            self.t,
            self.b,
            self.i,
            self.h,
            self.layers,
            self.dirs,
            self.batch_first as usize,
            self.h0 as usize,
            self.c0 as usize,
            self.bias as usize,
        ];
        d.extend(&self.lengths);
        d
    }
    fn decode(d: &[usize]) -> Self {
        Case {
            code: d[0],
            t: d[1],
            b: d[2],
            i: d[3],
            h: d[4],
            layers: d[5],
            dirs: d[6],
            batch_first: d[7] == 1,
            h0: d[8] == 1,
            c0: d[9] == 1,
            bias: d[10] == 1,
            lengths: d[11..11 + d[2]].to_vec(),
        }
    }
    /// The shapes of the inputs: x, h0?, c0?, then per layer and direction w_ih, w_hh, b_ih?,
    /// b_hh?.
    fn shapes(&self) -> Vec<Vec<usize>> {
        let mut s = vec![if self.batch_first {
            vec![self.b, self.t, self.i]
        } else {
            vec![self.t, self.b, self.i]
        }];
        let ld = self.layers * self.dirs;
        if self.h0 {
            s.push(vec![ld, self.b, self.h]);
        }
        if self.c0 {
            s.push(vec![ld, self.b, self.h]);
        }
        let gh = gates(self.code) * self.h;
        for l in 0..self.layers {
            let inp = if l == 0 { self.i } else { self.dirs * self.h };
            for _ in 0..self.dirs {
                s.push(vec![gh, inp]);
                s.push(vec![gh, self.h]);
                if self.bias {
                    s.push(vec![gh]);
                    s.push(vec![gh]);
                }
            }
        }
        s
    }
}

/// The whole network, each sequence run alone over its own length, outputs at padded steps 0:
/// `output ++ h_n ++ c_n` (c_n for the LSTM only).
fn sequence_core<T: Scalar>(x: &[Vec<T>], d: &[usize], pre: &mut dyn FnMut(T)) -> Vec<T> {
    let cs = Case::decode(d);
    let (tl, b, h) = (cs.t, cs.b, cs.h);
    let mut k = 1;
    let h0 = cs.h0.then(|| {
        k += 1;
        &x[k - 1]
    });
    let c0 = cs.c0.then(|| {
        k += 1;
        &x[k - 1]
    });
    let mut input: Vec<Vec<Vec<T>>> = (0..tl)
        .map(|t| {
            (0..b)
                .map(|bb| {
                    let off = if cs.batch_first {
                        (bb * tl + t) * cs.i
                    } else {
                        (t * b + bb) * cs.i
                    };
                    x[0][off..off + cs.i].to_vec()
                })
                .collect()
        })
        .collect();
    let ld = cs.layers * cs.dirs;
    let mut hn = vec![T::zero(); ld * b * h];
    let mut cn = vec![T::zero(); ld * b * h];
    for l in 0..cs.layers {
        let mut out = vec![vec![vec![T::zero(); cs.dirs * h]; b]; tl];
        for dd in 0..cs.dirs {
            let w = W {
                w_ih: &x[k],
                w_hh: &x[k + 1],
                b_ih: cs.bias.then(|| &x[k + 2][..]),
                b_hh: cs.bias.then(|| &x[k + 3][..]),
            };
            k += if cs.bias { 4 } else { 2 };
            let s = l * cs.dirs + dd;
            for (bb, &len) in cs.lengths.iter().enumerate() {
                let init = |v: Option<&Vec<T>>| {
                    v.map_or(vec![T::zero(); h], |v| {
                        v[(s * b + bb) * h..(s * b + bb + 1) * h].to_vec()
                    })
                };
                let (mut hs, mut cst) = (init(h0), init(c0));
                let order: Vec<usize> = if dd == 0 {
                    (0..len).collect()
                } else {
                    (0..len).rev().collect()
                };
                for t in order {
                    let (h1, c1) = cell(cs.code, &input[t][bb], &hs, &cst, &w, pre);
                    out[t][bb][dd * h..(dd + 1) * h].copy_from_slice(&h1);
                    hs = h1;
                    if cs.code == LSTM {
                        cst = c1;
                    }
                }
                hn[(s * b + bb) * h..(s * b + bb + 1) * h].copy_from_slice(&hs);
                cn[(s * b + bb) * h..(s * b + bb + 1) * h].copy_from_slice(&cst);
            }
        }
        input = out;
    }
    let mut res = Vec::new();
    if cs.batch_first {
        for bb in 0..b {
            for step in input.iter() {
                res.extend_from_slice(&step[bb]);
            }
        }
    } else {
        for step in &input {
            for row in step {
                res.extend_from_slice(row);
            }
        }
    }
    res.extend(hn);
    if cs.code == LSTM {
        res.extend(cn);
    }
    res
}

fn sequence_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    sequence_core(x, d, &mut |_| {})
}

/// The smallest |pre-activation| a ReLU sees (∞ for the other cells).
fn relu_margin(x: &[Vec<f64>], d: &[usize]) -> f64 {
    let mut m = f64::INFINITY;
    sequence_core(x, d, &mut |p: f64| m = m.min(p.abs()));
    m
}

/// The tensor side of a sequence case: `output ++ h_n ++ c_n`, flattened.
fn sequence_tensor(g: &mut Graph<f64>, ids: &[NodeId], cs: &Case) -> NodeId {
    let mut k = 1;
    let h0 = cs.h0.then(|| {
        k += 1;
        ids[k - 1]
    });
    let c0 = cs.c0.then(|| {
        k += 1;
        ids[k - 1]
    });
    let mut weights = Vec::new();
    for _ in 0..cs.layers * cs.dirs {
        weights.push(CellWeights {
            w_ih: ids[k],
            w_hh: ids[k + 1],
            b_ih: cs.bias.then(|| ids[k + 2]),
            b_hh: cs.bias.then(|| ids[k + 3]),
        });
        k += if cs.bias { 4 } else { 2 };
    }
    let opts = SequenceOptions {
        batch_first: cs.batch_first,
        bidirectional: cs.dirs == 2,
        dropout: 0.0,
        lengths: Some(&cs.lengths),
    };
    let out = g.recurrent(kind_of(cs.code), ids[0], h0, c0, &weights, &opts);
    let mut parts = vec![out.output, out.h_n];
    parts.extend(out.c_n);
    let flat: Vec<NodeId> = parts
        .into_iter()
        .map(|p| {
            let n = g.shape(p).numel();
            g.reshape(p, &[n])
        })
        .collect();
    g.concat(&flat, 0)
}

fn sequence_case() -> impl Strategy<Value = Case> {
    (
        0usize..4,
        1usize..5,
        1usize..4,
        1usize..4,
        1usize..4,
        1usize..3,
        1usize..3,
        any::<(bool, bool, bool, bool)>(),
        prop::collection::vec(1usize..5, 3),
        any::<bool>(),
    )
        .prop_map(
            |(code, t, b, i, h, layers, dirs, (bf, h0, c0, bias), lens, ragged)| Case {
                code,
                t,
                b,
                i,
                h,
                layers,
                dirs,
                batch_first: bf,
                h0,
                c0: c0 && code == LSTM,
                bias,
                lengths: (0..b)
                    .map(|k| if ragged { (lens[k] - 1) % t + 1 } else { t })
                    .collect(),
            },
        )
}

proptest! {
    #![proptest_config(diffprog_testkit::config(16))]

    /// The multi-layer, optionally bidirectional, batch-first and ragged sequence function.
    #[test]
    fn sequence(cs in sequence_case(), seed in any::<u64>()) {
        let shapes = cs.shapes();
        let xs = rand_inputs(&shapes, -1.5, 1.5, seed);
        let d = cs.encode();
        if cs.code == RNN_RELU {
            // central differences straddling ReLU's kink measure neither side
            prop_assume!(relu_margin(&xs, &d) > 1e-3);
        }
        check(&xs, &shapes, |g, ids| sequence_tensor(g, ids, &cs), &reference!(sequence_ref), &d, seed);
    }

    /// The public single-step cells (`rnn_cell`, `lstm_cell`, `gru_cell`), with and without
    /// initial state and biases: `h' ++ c'`.
    #[test]
    fn cells(code in 0usize..4, b in 1usize..4, i in 1usize..5, h in 1usize..5, state in any::<bool>(), bias in any::<bool>(), seed in any::<u64>()) {
        let cs = Case { code, t: 1, b, i, h, layers: 1, dirs: 1, batch_first: false, h0: state, c0: state && code == LSTM, bias, lengths: vec![1; b] };
        let mut shapes = cs.shapes();
        // the cells take [B, I] and [B, H]
        shapes[0] = vec![b, i];
        for s in shapes.iter_mut().skip(1).take(state as usize + cs.c0 as usize) {
            *s = vec![b, h];
        }
        let xs = rand_inputs(&shapes, -1.5, 1.5, seed);
        let d = cs.encode();
        if code == RNN_RELU {
            prop_assume!(relu_margin(&xs, &d) > 1e-3);
        }
        let tensor = |g: &mut Graph<f64>, ids: &[NodeId]| {
            let k = 1 + state as usize + cs.c0 as usize;
            let w = CellWeights { w_ih: ids[k], w_hh: ids[k + 1], b_ih: bias.then(|| ids[k + 2]), b_hh: bias.then(|| ids[k + 3]) };
            let h0 = state.then(|| ids[1]);
            match code {
                LSTM => {
                    let (h1, c1) = g.lstm_cell(ids[0], h0.map(|h| (h, ids[2])), &w);
                    let (h1, c1) = (g.reshape(h1, &[b * h]), g.reshape(c1, &[b * h]));
                    g.concat(&[h1, c1], 0)
                }
                GRU => g.gru_cell(ids[0], h0, &w),
                _ => g.rnn_cell(ids[0], h0, &w, if code == RNN_TANH { Nonlinearity::Tanh } else { Nonlinearity::Relu }),
            }
        };
        // output ++ h_n (++ c_n): with T = 1 the output and h_n are both h'
        fn cell_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
            let cs = Case::decode(d);
            let all = sequence_ref(x, d);
            let n = cs.b * cs.h;
            let mut out = all[..n].to_vec();
            if cs.code == LSTM {
                out.extend_from_slice(&all[2 * n..3 * n]);
            }
            out
        }
        check(&xs, &shapes, tensor, &reference!(cell_ref), &d, seed);
    }

    /// Embedding lookups of any index shape, with and without a padding row.
    #[test]
    fn embedding(num in 1usize..6, dim in 1usize..4, idims in prop::collection::vec(1usize..4, 1..3), picks in prop::collection::vec(0usize..100, 9), padding in any::<bool>(), seed in any::<u64>()) {
        let count: usize = idims.iter().product();
        let indices: Vec<usize> = picks.iter().cycle().take(count).map(|p| p % num).collect();
        let pad = padding.then_some(indices[0]);
        let shapes = vec![vec![num, dim]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let mut d = vec![dim, pad.map_or(usize::MAX, |p| p)];
        d.extend(&indices);
        fn embedding_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
            let (dim, pad) = (d[0], d[1]);
            d[2..].iter().flat_map(|&r| {
                x[0][r * dim..(r + 1) * dim].iter().map(move |&v| {
                    // the padding row is read as a constant: it gets no gradient
                    if r == pad { T::constant(v.value()) } else { v }
                })
            }).collect()
        }
        let r = reference!(embedding_ref);
        // central differences see the padding row's influence, which the gradient ignores by
        // definition: compare them only without padding
        if pad.is_none() {
            check(&xs, &shapes, |g, ids| g.embedding(&indices, &idims, ids[0], None), &r, &d, seed);
        } else {
            let mut g = Graph::<f64>::new();
            let w = g.leaf(&xs[0], &shapes[0]);
            let e = g.embedding(&indices, &idims, w, pad);
            prop_assert_eq!(g.value(e).to_vec(), embedding_ref(&xs, &d));
            let n = g.shape(e).numel();
            let seed_grad: Vec<f64> = (0..n).map(|k| k as f64 + 1.0).collect();
            g.backward_with_grad(e, &seed_grad);
            let (_, want) = diffprog_reverse::gradient(
                |v: &[Var]| embedding_ref(&[v.to_vec()], &d).into_iter().zip(&seed_grad).map(|(o, &s)| o * s).sum(),
                &xs[0],
            );
            let got = g.grad(w).unwrap();
            prop_assert_eq!(got, &want[..]);
            let p = pad.unwrap();
            prop_assert!(got[p * dim..(p + 1) * dim].iter().all(|&v| v == 0.0));
        }
    }
}

/// An LSTM's gradient through 100 steps (two layers, batch 2, ragged) against forward mode:
/// `Dual` derivatives of the scalar reference, one input direction at a time, for every weight,
/// bias, initial state and input element.
#[test]
fn lstm_gradient_through_100_steps_matches_forward_mode() {
    let cs = Case {
        code: LSTM,
        t: 100,
        b: 2,
        i: 3,
        h: 4,
        layers: 2,
        dirs: 1,
        batch_first: false,
        h0: true,
        c0: true,
        bias: true,
        lengths: vec![100, 73],
    };
    let shapes = cs.shapes();
    let mut rng = ChaCha8Rng::seed_from_u64(100);
    // PyTorch's initialisation range U(−1/√H, 1/√H) for the weights; inputs and states in ±1
    let bound = 1.0 / (cs.h as f64).sqrt();
    let xs: Vec<Vec<f64>> = shapes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let r = if k < 3 { 1.0 } else { bound };
            (0..s.iter().product::<usize>())
                .map(|_| rng.random_range(-r..r))
                .collect()
        })
        .collect();
    let d = cs.encode();
    let w: Vec<f64> = (0..sequence_ref(&xs, &d).len())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let mut g = Graph::<f64>::new();
    let ids: Vec<NodeId> = xs.iter().zip(&shapes).map(|(x, s)| g.leaf(x, s)).collect();
    let out = sequence_tensor(&mut g, &ids, &cs);
    g.backward_with_grad(out, &w);
    let mut checked = 0;
    let mut largest: f64 = 0.0;
    for (k, x) in xs.iter().enumerate() {
        let got = g.grad(ids[k]).unwrap();
        assert_eq!(got.len(), x.len());
        for (j, &got_j) in got.iter().enumerate() {
            let dual_in: Vec<Vec<Dual<f64>>> = xs
                .iter()
                .enumerate()
                .map(|(kk, xx)| {
                    xx.iter()
                        .enumerate()
                        .map(|(jj, &v)| Dual::new(v, if kk == k && jj == j { 1.0 } else { 0.0 }))
                        .collect()
                })
                .collect();
            let want: f64 = sequence_ref(&dual_in, &d)
                .iter()
                .zip(&w)
                .map(|(o, wi)| o.eps * wi)
                .sum();
            assert!(
                (got_j - want).abs() <= 1e-11 * (1.0 + want.abs()),
                "input {k}[{j}]: tensor tape {got_j} vs forward mode {want}"
            );
            largest = largest.max(want.abs());
            checked += 1;
        }
    }
    // every array was compared, and the gradients are not all negligible
    assert_eq!(checked, xs.iter().map(Vec::len).sum::<usize>());
    assert!(largest > 0.1, "largest gradient {largest}");
    // the first step's input still has a gradient after 100 steps (through the loss at every
    // output), and the second sequence's padded steps have none
    let gx = g.grad(ids[0]).unwrap();
    assert!(gx[..cs.i].iter().any(|&v| v != 0.0));
    for t in 73..100 {
        let row = (t * cs.b + 1) * cs.i;
        assert!(gx[row..row + cs.i].iter().all(|&v| v == 0.0));
    }
}

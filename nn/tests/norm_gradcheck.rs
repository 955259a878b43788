//! Normalisation: `batch_norm` (train mode with batch statistics, eval mode with running
//! statistics; `[n, c]`, `[n, c, l]`, `[n, c, h, w]`) and `layer_norm` against direct scalar
//! code, their fused backward against forward-mode `Dual`s and the scalar reverse tape on that
//! code and central differences (`common::check`), on random shapes with and without the affine
//! weight and bias; and the running statistics' update (momentum, unbiased variance) as PyTorch.

#[macro_use]
mod common;

use common::{check, rand_inputs};
use diffprog_dual::Scalar;
use diffprog_nn::Graph;
use proptest::prelude::*;

const EPS: f64 = 1e-5;

/// The fixed running statistics of the eval-mode cases, channel `k`.
fn running(c: usize) -> (Vec<f64>, Vec<f64>) {
    (
        (0..c).map(|k| 0.3 * k as f64 - 0.2).collect(),
        (0..c).map(|k| 0.5 + 0.75 * k as f64).collect(),
    )
}

/// `d = [n, c, inner, weight?, bias?, train?]`; the inputs are x, then the weight and the bias
/// if present.
fn batch_norm_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    let [n, c, inner, has_w, has_b, train] = d[..6] else {
        unreachable!()
    };
    let xs = &x[0];
    let w = (has_w == 1).then(|| &x[1]);
    let b = (has_b == 1).then(|| &x[1 + has_w]);
    let m = (n * inner) as f64;
    let at = |s: usize, k: usize, i: usize| xs[(s * c + k) * inner + i];
    let (rm, rv) = running(c);
    let mut out = vec![T::zero(); xs.len()];
    for k in 0..c {
        let (mean, rstd) = if train == 1 {
            let mut sum = T::zero();
            for s in 0..n {
                for i in 0..inner {
                    sum += at(s, k, i);
                }
            }
            let mean = sum / m;
            let mut var = T::zero();
            for s in 0..n {
                for i in 0..inner {
                    var += (at(s, k, i) - mean) * (at(s, k, i) - mean);
                }
            }
            (mean, T::one() / (var / m + EPS).sqrt())
        } else {
            (T::from_f64(rm[k]), T::from_f64(1.0 / (rv[k] + EPS).sqrt()))
        };
        for s in 0..n {
            for i in 0..inner {
                let mut y = (at(s, k, i) - mean) * rstd;
                if let Some(w) = w {
                    y *= w[k];
                }
                if let Some(b) = b {
                    y += b[k];
                }
                out[(s * c + k) * inner + i] = y;
            }
        }
    }
    out
}

/// `d = [rows, len, weight?, bias?]`.
fn layer_norm_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    let [_, len, has_w, has_b] = d[..4] else {
        unreachable!()
    };
    let w = (has_w == 1).then(|| &x[1]);
    let b = (has_b == 1).then(|| &x[1 + has_w]);
    let mut out = Vec::new();
    for row in x[0].chunks(len) {
        let mean = row.iter().copied().sum::<T>() / len as f64;
        let var = row.iter().map(|&v| (v - mean) * (v - mean)).sum::<T>() / len as f64;
        let rstd = T::one() / (var + EPS).sqrt();
        for (i, &v) in row.iter().enumerate() {
            let mut y = (v - mean) * rstd;
            if let Some(w) = w {
                y *= w[i];
            }
            if let Some(b) = b {
                y += b[i];
            }
            out.push(y);
        }
    }
    out
}

proptest! {
    #![proptest_config(diffprog_testkit::config(24))]

    #[test]
    fn batch_norm(
        n in 1usize..4, c in 1usize..4, trailing in prop::collection::vec(1usize..4, 0..3),
        weight in any::<bool>(), bias in any::<bool>(), train in any::<bool>(), seed in any::<u64>(),
    ) {
        let inner: usize = trailing.iter().product();
        prop_assume!(!train || n * inner > 1);
        let mut xshape = vec![n, c];
        xshape.extend(&trailing);
        let mut shapes = vec![xshape];
        if weight { shapes.push(vec![c]); }
        if bias { shapes.push(vec![c]); }
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| batch_norm_ref(x, d));
        let d = [n, c, inner, weight as usize, bias as usize, train as usize];
        check(&xs, &shapes, |g, x| {
            g.set_training(train);
            let (w, b) = (weight.then(|| x[1]), bias.then(|| x[1 + weight as usize]));
            let (mut rm, mut rv) = running(c);
            g.batch_norm(x[0], w, b, Some((&mut rm, &mut rv)), 0.1, EPS)
        }, &r, &d, seed);
    }

    #[test]
    fn layer_norm(
        lead in prop::collection::vec(1usize..4, 0..3), normalized in prop::collection::vec(1usize..4, 1..3),
        weight in any::<bool>(), bias in any::<bool>(), seed in any::<u64>(),
    ) {
        let len: usize = normalized.iter().product();
        prop_assume!(len > 1);
        let mut xshape = lead.clone();
        xshape.extend(&normalized);
        let rows: usize = lead.iter().product();
        let mut shapes = vec![xshape];
        if weight { shapes.push(normalized.clone()); }
        if bias { shapes.push(normalized.clone()); }
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| layer_norm_ref(x, d));
        let d = [rows, len, weight as usize, bias as usize];
        check(&xs, &shapes, |g, x| {
            let (w, b) = (weight.then(|| x[1]), bias.then(|| x[1 + weight as usize]));
            g.layer_norm(x[0], &normalized, w, b, EPS)
        }, &r, &d, seed);
    }
}

/// Train mode updates the running statistics as PyTorch: `(1 − m)·old + m·batch`, the variance
/// with the unbiased batch variance; eval mode reads them and leaves them unchanged; without
/// running statistics train mode still normalises by the batch.
#[test]
fn batch_norm_running_statistics() {
    let xs: Vec<f64> = (0..24).map(|v| ((v * 7) % 11) as f64 * 0.5 - 2.0).collect();
    let (n, c, inner) = (2, 3, 4);
    let mut g = Graph::<f64>::new();
    let x = g.input(&xs, &[n, c, 2, 2]);
    let (mut rm, mut rv) = (vec![0.5, -1.0, 2.0], vec![1.0, 2.0, 0.25]);
    let (rm0, rv0) = (rm.clone(), rv.clone());
    let momentum = 0.3;
    let y = g.batch_norm(x, None, None, Some((&mut rm, &mut rv)), momentum, EPS);
    for k in 0..c {
        let vals: Vec<f64> = (0..n)
            .flat_map(|s| xs[(s * c + k) * inner..(s * c + k + 1) * inner].to_vec())
            .collect();
        let m = vals.len() as f64;
        let mean = vals.iter().sum::<f64>() / m;
        let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m;
        let want_m = (1.0 - momentum) * rm0[k] + momentum * mean;
        let want_v = (1.0 - momentum) * rv0[k] + momentum * var * m / (m - 1.0);
        assert!((rm[k] - want_m).abs() < 1e-12, "running mean {k}");
        assert!((rv[k] - want_v).abs() < 1e-12, "running var {k}");
        // normalised by the biased batch variance
        let y0 = g.value(y)[k * inner];
        assert!((y0 - (vals[0] - mean) / (var + EPS).sqrt()).abs() < 1e-12);
    }
    let no_running = g.batch_norm(x, None, None, None, momentum, EPS);
    assert_eq!(g.value(no_running), g.value(y));

    g.set_training(false);
    let (rm1, rv1) = (rm.clone(), rv.clone());
    let z = g.batch_norm(x, None, None, Some((&mut rm, &mut rv)), momentum, EPS);
    assert_eq!((&rm, &rv), (&rm1, &rv1));
    for (i, &zv) in g.value(z).iter().enumerate() {
        let k = (i / inner) % c;
        assert!((zv - (xs[i] - rm[k]) / (rv[k] + EPS).sqrt()).abs() < 1e-12);
    }
}

#[test]
fn batch_norm_refusals() {
    let refused = |f: fn(&mut Graph<f64>), needle: &str| {
        let err = std::panic::catch_unwind(|| f(&mut Graph::new())).expect_err(needle);
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains(needle), "{needle}: {msg}");
    };
    refused(
        |g| {
            let x = g.input(&[1.0, 2.0], &[1, 2]);
            g.batch_norm(x, None, None, None, 0.1, EPS);
        },
        "more than one value per channel",
    );
    refused(
        |g| {
            g.set_training(false);
            let x = g.input(&[1.0, 2.0], &[2, 1]);
            g.batch_norm(x, None, None, None, 0.1, EPS);
        },
        "running statistics",
    );
}

/// With inputs, weights and upstream gradients from 0, −0, 1, −2.5, ±∞ and NaN, the gradients
/// of `batch_norm` (train and eval mode, with and without the affine weight and bias) and
/// `layer_norm` have the scalar tape's values and classes: the strong zeros included.
#[test]
fn nonfinite_gradients_match_the_scalar_tape() {
    let mut nonfinite = 0;
    for (case, (train, affine)) in [(true, true), (true, false), (false, true)]
        .into_iter()
        .enumerate()
    {
        let (n, c, inner) = (3, 2, 2);
        let mut shapes = vec![vec![n, c, inner]];
        if affine {
            shapes.extend([vec![c], vec![c]]);
        }
        let r = reference!(|x, d| batch_norm_ref(x, d));
        let d = [
            n,
            c,
            inner,
            affine as usize,
            affine as usize,
            train as usize,
        ];
        nonfinite += common::check_nonfinite(
            &shapes,
            |g, x| {
                g.set_training(train);
                let (w, b) = if affine {
                    (Some(x[1]), Some(x[2]))
                } else {
                    (None, None)
                };
                let (mut rm, mut rv) = running(c);
                g.batch_norm(x[0], w, b, Some((&mut rm, &mut rv)), 0.1, EPS)
            },
            &r,
            &d,
            150,
            case as u64,
        );
    }
    let shapes = vec![vec![3, 4], vec![4], vec![4]];
    let r = reference!(|x, d| layer_norm_ref(x, d));
    nonfinite += common::check_nonfinite(
        &shapes,
        |g, x| g.layer_norm(x[0], &[4], Some(x[1]), Some(x[2]), EPS),
        &r,
        &[3, 4, 1, 1],
        150,
        7,
    );
    assert!(nonfinite > 500, "{nonfinite}");
}

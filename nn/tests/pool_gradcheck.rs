//! Pooling and the maximum along an axis: `max_pool2d`, `max_pool1d`, `avg_pool2d`,
//! `adaptive_avg_pool2d` and `max_axis` against direct loops written with `Scalar` ops, their
//! backward against forward-mode `Dual`s and the scalar reverse tape on those loops and central
//! differences (`common::check`), on random shapes (odd sizes, stride > 1, padding). The maxima's
//! inputs are distinct grid values, so that no central difference crosses a tie; ties, NaN and
//! `argmax` have their own tests.

#[macro_use]
mod common;

use common::check;
use diffprog_dual::Scalar;
use diffprog_nn::Graph;
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// `numel(shape)` distinct values `0.05 · k − 1`, shuffled.
fn distinct(shape: &[usize], seed: u64) -> Vec<f64> {
    let n: usize = shape.iter().product();
    let mut v: Vec<f64> = (0..n).map(|k| 0.05 * k as f64 - 1.0).collect();
    v.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    v
}

/// Window `o` of a strided pooling along an axis of length `len`, clipped: `(start, end)`.
fn strided(o: usize, len: usize, k: usize, s: usize, p: usize) -> (usize, usize) {
    let start = (o * s) as isize - p as isize;
    let end = (start + k as isize).min(len as isize);
    (start.max(0) as usize, end.max(0) as usize)
}

/// `d = [planes, h, w, kh, kw, sh, sw, ph, pw, mode]`; mode 0: max, 1: average (divisor
/// kh·kw), 2: adaptive average to `kh × kw` outputs.
fn pool_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    let [planes, h, w, kh, kw, sh, sw, ph, pw, mode] = d[..10] else {
        unreachable!()
    };
    let (ho, wo) = if mode == 2 {
        (kh, kw)
    } else {
        ((h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1)
    };
    let mut out = Vec::new();
    for p in 0..planes {
        for oh in 0..ho {
            for ow in 0..wo {
                let ((hs, he), (ws, we)) = if mode == 2 {
                    (
                        (oh * h / ho, ((oh + 1) * h).div_ceil(ho)),
                        (ow * w / wo, ((ow + 1) * w).div_ceil(wo)),
                    )
                } else {
                    (strided(oh, h, kh, sh, ph), strided(ow, w, kw, sw, pw))
                };
                let at = |i: usize, j: usize| x[0][(p * h + i) * w + j];
                let mut best = at(hs, ws);
                let mut sum = T::zero();
                for i in hs..he {
                    for j in ws..we {
                        if at(i, j) > best {
                            best = at(i, j);
                        }
                        sum += at(i, j);
                    }
                }
                out.push(match mode {
                    0 => best,
                    1 => sum / (kh * kw) as f64,
                    _ => sum / ((he - hs) * (we - ws)) as f64,
                });
            }
        }
    }
    out
}

fn shape4(n: usize, c: usize, h: usize, w: usize) -> Vec<usize> {
    vec![n, c, h, w]
}

proptest! {
    #![proptest_config(diffprog_testkit::config(24))]

    #[test]
    fn max_and_avg_pool2d(
        n in 1usize..3, c in 1usize..3, kh in 1usize..4, kw in 1usize..4, sh in 1usize..4,
        sw in 1usize..4, ph in 0usize..2, pw in 0usize..2, eh in 0usize..5, ew in 0usize..5,
        avg in any::<bool>(), seed in any::<u64>(),
    ) {
        let (ph, pw) = (ph.min(kh / 2), pw.min(kw / 2));
        let (h, w) = ((kh - 2 * ph).max(1) + eh, (kw - 2 * pw).max(1) + ew);
        let shape = shape4(n, c, h, w);
        let xs = vec![distinct(&shape, seed)];
        let r = reference!(|x, d| pool_ref(x, d));
        let d = [n * c, h, w, kh, kw, sh, sw, ph, pw, avg as usize];
        check(&xs, &[shape], |g, x| {
            if avg {
                g.avg_pool2d(x[0], [kh, kw], [sh, sw], [ph, pw])
            } else {
                g.max_pool2d(x[0], [kh, kw], [sh, sw], [ph, pw])
            }
        }, &r, &d, seed);
    }

    #[test]
    fn max_pool1d(
        n in 1usize..3, c in 1usize..3, k in 1usize..5, s in 1usize..4, p in 0usize..3,
        extra in 0usize..7, seed in any::<u64>(),
    ) {
        let p = p.min(k / 2);
        let l = (k - 2 * p).max(1) + extra;
        let shape = vec![n, c, l];
        let xs = vec![distinct(&shape, seed)];
        let r = reference!(|x, d| pool_ref(x, d));
        let d = [n * c, 1, l, 1, k, 1, s, 0, p, 0];
        check(&xs, &[shape], |g, x| g.max_pool1d(x[0], k, s, p), &r, &d, seed);
    }

    #[test]
    fn adaptive_avg_pool2d(
        n in 1usize..3, c in 1usize..3, h in 1usize..9, w in 1usize..9, oh in 1usize..6,
        ow in 1usize..6, seed in any::<u64>(),
    ) {
        // outputs larger than the input too: the windows then overlap
        let shape = shape4(n, c, h, w);
        let xs = common::rand_inputs(std::slice::from_ref(&shape), -2.0, 2.0, seed);
        let r = reference!(|x, d| pool_ref(x, d));
        let d = [n * c, h, w, oh, ow, 0, 0, 0, 0, 2];
        check(&xs, &[shape], |g, x| g.adaptive_avg_pool2d(x[0], [oh, ow]), &r, &d, seed);
    }

    #[test]
    fn max_axis(dims in prop::collection::vec(1usize..5, 1..4), axis in 0usize..3, seed in any::<u64>()) {
        let axis = axis % dims.len();
        let xs = vec![distinct(&dims, seed)];
        let mut d = vec![axis, dims.len()];
        d.extend(&dims);
        let r = reference!(|x, d| {
            let (axis, dims) = (d[0], &d[2..2 + d[1]]);
            let outer: usize = dims[..axis].iter().product();
            let inner: usize = dims[axis + 1..].iter().product();
            let len = dims[axis];
            let mut out = Vec::new();
            for o in 0..outer {
                for i in 0..inner {
                    let mut best = x[0][o * len * inner + i];
                    for l in 1..len {
                        let v = x[0][(o * len + l) * inner + i];
                        if v > best {
                            best = v;
                        }
                    }
                    out.push(best);
                }
            }
            out
        });
        check(&xs, &[dims], |g, x| g.max_axis(x[0], axis), &r, &d, seed);
    }
}

/// Ties go to the first maximum of each window in row-major order (PyTorch), also where
/// overlapping windows share elements; the gradient of an element is the sum over the windows
/// that picked it.
#[test]
fn max_pool2d_ties_go_to_the_first_maximum() {
    let mut g = Graph::<f64>::new();
    #[rustfmt::skip]
    let x = g.leaf(&[
        1.0, 2.0, 2.0,
        2.0, 0.0, 2.0,
        2.0, 2.0, 1.0,
    ], &[1, 1, 3, 3]);
    let y = g.max_pool2d(x, [2, 2], [1, 1], [0, 0]);
    assert_eq!(g.value(y), &[2.0; 4]);
    g.backward_with_grad(y, &[1.0, 10.0, 100.0, 1000.0]);
    // windows: (0,0) picks (0,1); (0,1) picks (0,1); (1,0) picks (1,0); (1,1) picks (1,2)
    #[rustfmt::skip]
    assert_eq!(g.grad(x).unwrap(), &[
        0.0, 11.0, 0.0,
        100.0, 0.0, 1000.0,
        0.0, 0.0, 0.0,
    ]);
}

/// With padding, an all −∞ window picks its first element inside the image (padding is never
/// picked), and a NaN is the maximum of its window.
#[test]
fn max_pool_padding_and_nan() {
    let inf = f64::INFINITY;
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[-inf, -inf, 3.0, f64::NAN, 1.0], &[1, 1, 5]);
    let y = g.max_pool1d(x, 2, 2, 1); // windows [pad, −∞], [−∞, 3], [NaN, 1]
    let v = g.value(y).to_vec();
    assert_eq!(&v[..2], &[-inf, 3.0]);
    assert!(v[2].is_nan());
    g.backward_with_grad(y, &[1.0, 10.0, 100.0]);
    assert_eq!(g.grad(x).unwrap(), &[1.0, 0.0, 10.0, 100.0, 0.0]);
}

#[test]
fn max_axis_and_argmax_ties_and_nan() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[3.0, 1.0, 3.0, 0.0, 2.0, f64::NAN, 5.0, f64::NAN], &[2, 4]);
    assert_eq!(g.argmax(x, 1), vec![0, 1]);
    assert_eq!(g.argmax(x, 0), vec![0, 1, 1, 1]);
    let m = g.max_axis(x, 1);
    assert_eq!(g.value(m)[0], 3.0);
    assert!(g.value(m)[1].is_nan());
    g.backward_with_grad(m, &[1.0, 2.0]);
    assert_eq!(
        g.grad(x).unwrap(),
        &[1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0]
    );
}

/// Average pooling counts the zero padding in the divisor (`count_include_pad=True`), and the
/// gradient of an element is the sum of 1/divisor over the windows that contain it.
#[test]
fn avg_pool2d_counts_the_padding() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[4.0, 8.0, 12.0, 16.0], &[1, 1, 2, 2]);
    let y = g.avg_pool2d(x, [3, 3], [2, 2], [1, 1]);
    assert_eq!(g.shape(y).dims(), &[1, 1, 1, 1]);
    assert_eq!(g.value(y), &[40.0 / 9.0]);
    let s = g.sum(y);
    g.backward(s);
    assert_eq!(g.grad(x).unwrap(), &[1.0 / 9.0; 4]);
}

/// Global average pooling of any size, and PyTorch's overlapping adaptive windows (5 → 3:
/// 0..2, 1..4, 3..5).
#[test]
fn adaptive_avg_pool2d_windows() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        &[1, 2, 1, 5],
    );
    let gp = g.adaptive_avg_pool2d(x, [1, 1]);
    assert_eq!(g.value(gp), &[3.0, 8.0]);
    let y = g.adaptive_avg_pool2d(x, [1, 3]);
    assert_eq!(g.value(y), &[1.5, 3.0, 4.5, 6.5, 8.0, 9.5]);
    g.backward_with_grad(y, &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    let third = 1.0 / 3.0;
    assert_eq!(
        g.grad(x).unwrap(),
        &[
            0.5,
            0.5 + third,
            third,
            0.5 + third,
            0.5,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0
        ]
    );
}

/// The pooling reference with PyTorch's NaN rule (a NaN is the maximum), for the non-finite
/// cases.
fn pool_ref_nan<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    if d[9] != 0 {
        return pool_ref(x, d);
    }
    let [planes, h, w, kh, kw, sh, sw, ph, pw, _] = d[..10] else {
        unreachable!()
    };
    let (ho, wo) = ((h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
    let mut out = Vec::new();
    for p in 0..planes {
        for oh in 0..ho {
            for ow in 0..wo {
                let ((hs, he), (ws, we)) = (strided(oh, h, kh, sh, ph), strided(ow, w, kw, sw, pw));
                let at = |i: usize, j: usize| x[0][(p * h + i) * w + j];
                let mut best = at(hs, ws);
                for i in hs..he {
                    for j in ws..we {
                        if !best.is_nan() && (at(i, j) > best || at(i, j).is_nan()) {
                            best = at(i, j);
                        }
                    }
                }
                out.push(best);
            }
        }
    }
    out
}

/// With inputs and upstream gradients from 0, −0, 1, −2.5, ±∞ and NaN, the pooling gradients
/// have the scalar tape's values and classes (ties among the repeated grid values included:
/// the first maximum wins on both sides).
#[test]
fn nonfinite_gradients_match_the_scalar_tape() {
    let shape = vec![2, 2, 5, 4];
    let r = reference!(|x, d| pool_ref_nan(x, d));
    let mut nonfinite = 0;
    for (avg, k, s, p) in [(0, 2, 2, 1), (0, 3, 1, 1), (1, 2, 2, 1), (1, 3, 2, 0)] {
        let d = [4, 5, 4, k, k, s, s, p, p, avg];
        nonfinite += common::check_nonfinite(
            std::slice::from_ref(&shape),
            |g, x| {
                if avg == 1 {
                    g.avg_pool2d(x[0], [k, k], [s, s], [p, p])
                } else {
                    g.max_pool2d(x[0], [k, k], [s, s], [p, p])
                }
            },
            &r,
            &d,
            60,
            k as u64,
        );
    }
    let d = [4, 5, 4, 3, 2, 0, 0, 0, 0, 2];
    nonfinite += common::check_nonfinite(
        std::slice::from_ref(&shape),
        |g, x| g.adaptive_avg_pool2d(x[0], [3, 2]),
        &r,
        &d,
        60,
        9,
    );
    assert!(nonfinite > 200, "{nonfinite}");
}

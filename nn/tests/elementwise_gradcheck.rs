//! Selection, clamping, log-sum-exp and padding: `where_cond`, `masked_fill`, `clamp`,
//! `logsumexp` and `pad` against scalar references, their backward against forward-mode `Dual`s
//! and the scalar reverse tape on those references and central differences (`common::check`),
//! on random shapes; and `clamp` at its bounds (the rule table's tie) and at NaN.

#[macro_use]
mod common;

use common::{check, rand_inputs};
use diffprog_nn::Graph;
use proptest::prelude::*;

/// Integer codes of the bounds: `(code − 30) / 10`.
fn bound(code: usize) -> f64 {
    (code as f64 - 30.0) / 10.0
}

proptest! {
    #![proptest_config(diffprog_testkit::config(24))]

    #[test]
    fn clamp(dims in prop::collection::vec(1usize..5, 1..4), lo in 0usize..60, width in 0usize..30, seed in any::<u64>()) {
        let hi = lo + width;
        let shapes = vec![dims];
        let xs = rand_inputs(&shapes, -3.0, 3.0, seed);
        // no element within the central differences' reach of a bound (a kink)
        prop_assume!(xs[0].iter().all(|v| (v - bound(lo)).abs() > 1e-3 && (v - bound(hi)).abs() > 1e-3));
        let r = reference!(|x, d| {
            let (lo, hi) = (T::from_f64(bound(d[0])), T::from_f64(bound(d[1])));
            x[0].iter().map(|&v| v.max(lo).min(hi)).collect()
        });
        check(&xs, &shapes, |g, x| g.clamp(x[0], bound(lo), bound(hi)), &r, &[lo, hi], seed);
    }

    #[test]
    fn where_cond_and_masked_fill(dims in prop::collection::vec(1usize..5, 1..4), flags in prop::collection::vec(any::<bool>(), 64), fill in any::<bool>(), seed in any::<u64>()) {
        let n: usize = dims.iter().product();
        let cond = flags[..n].to_vec();
        let shapes = if fill { vec![dims.clone()] } else { vec![dims.clone(), dims.clone()] };
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let d: Vec<usize> = cond.iter().map(|&c| c as usize).collect();
        let r = reference!(|x, d| {
            (0..x[0].len())
                .map(|i| if d[i] == 1 { x[0][i] } else if x.len() == 2 { x[1][i] } else { T::from_f64(-7.5) })
                .collect()
        });
        let mask: Vec<bool> = cond.iter().map(|&c| !c).collect();
        check(&xs, &shapes, |g, x| {
            if fill { g.masked_fill(x[0], &mask, -7.5) } else { g.where_cond(&cond, x[0], x[1]) }
        }, &r, &d, seed);
    }

    #[test]
    fn logsumexp(dims in prop::collection::vec(1usize..5, 1..4), axis in 0usize..3, seed in any::<u64>()) {
        let axis = axis % dims.len();
        let shapes = vec![dims.clone()];
        let xs = rand_inputs(&shapes, -4.0, 4.0, seed);
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
                    let s: T = (0..len).map(|l| x[0][(o * len + l) * inner + i].exp()).sum();
                    out.push(s.ln());
                }
            }
            out
        });
        check(&xs, &shapes, |g, x| g.logsumexp(x[0], axis), &r, &d, seed);
    }

    #[test]
    fn pad(dims in prop::collection::vec(1usize..4, 1..4), pads in prop::collection::vec((0usize..3, 0usize..3), 3), count in 0usize..4, seed in any::<u64>()) {
        let count = count.min(dims.len());
        let padding: Vec<[usize; 2]> = pads[..count].iter().map(|&(b, e)| [b, e]).collect();
        let shapes = vec![dims.clone()];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        // d = [ndim, dims.., before.., after..] over every axis
        let nd = dims.len();
        let mut d = vec![nd];
        d.extend(&dims);
        let full: Vec<[usize; 2]> = (0..nd).map(|a| if a + count >= nd { padding[a + count - nd] } else { [0, 0] }).collect();
        d.extend(full.iter().map(|p| p[0]));
        d.extend(full.iter().map(|p| p[1]));
        let r = reference!(|x, d| {
            let nd = d[0];
            let dims = &d[1..1 + nd];
            let before = &d[1 + nd..1 + 2 * nd];
            let after = &d[1 + 2 * nd..1 + 3 * nd];
            let out: Vec<usize> = (0..nd).map(|a| dims[a] + before[a] + after[a]).collect();
            let total: usize = out.iter().product();
            (0..total).map(|o| {
                // the output's multi-index, then the input element or the constant
                let mut rem = o;
                let mut idx = vec![0; nd];
                for a in (0..nd).rev() { idx[a] = rem % out[a]; rem /= out[a]; }
                let mut off = 0;
                for a in 0..nd {
                    if idx[a] < before[a] || idx[a] >= before[a] + dims[a] {
                        return T::from_f64(0.25);
                    }
                    off = off * dims[a] + idx[a] - before[a];
                }
                x[0][off]
            }).collect()
        });
        check(&xs, &shapes, |g, x| g.pad(x[0], &padding, 0.25), &r, &d, seed);
    }
}

/// At a bound the derivative is the rule table's ½ (`max`/`min` at a tie), 0 outside, 1 inside,
/// NaN at NaN; a zero upstream gradient gives 0 even there.
#[test]
fn clamp_at_its_bounds_and_at_nan() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[-1.0, 1.0, 0.0, 2.0, f64::NAN, f64::NAN], &[6]);
    let y = g.clamp(x, -1.0, 1.0);
    g.backward_with_grad(y, &[1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
    let d = g.grad(x).unwrap();
    assert_eq!(&d[..4], &[0.5, 0.5, 1.0, 0.0]);
    assert!(d[4].is_nan());
    assert_eq!(d[5], 0.0);
    assert!(g.value(y)[4].is_nan());
}

/// logsumexp of −∞ everywhere is −∞ (no NaN from the shift), and its gradient with a zero
/// upstream weight is 0.
#[test]
fn logsumexp_of_minus_infinity() {
    let mut g = Graph::<f64>::new();
    let x = g.leaf(&[f64::NEG_INFINITY, f64::NEG_INFINITY, 1.0, 2.0], &[2, 2]);
    let y = g.logsumexp(x, 1);
    assert_eq!(g.value(y)[0], f64::NEG_INFINITY);
    g.backward_with_grad(y, &[0.0, 1.0]);
    let d = g.grad(x).unwrap();
    assert_eq!(&d[..2], &[0.0, 0.0]);
    let e = (2.0_f64.exp() + 1.0_f64.exp()).ln();
    assert!((d[2] - (1.0 - e).exp()).abs() < 1e-15 && (d[3] - (2.0 - e).exp()).abs() < 1e-15);
}

/// With inputs and upstream gradients from 0, −0, 1, −2.5, ±∞ and NaN, the gradients of
/// `where_cond`, `clamp`, `pad` and `logsumexp` have the scalar tape's values and classes.
#[test]
fn nonfinite_gradients_match_the_scalar_tape() {
    let shape = vec![3, 4];
    let cond: Vec<bool> = (0..12).map(|i| i % 3 != 1).collect();
    let flags: Vec<usize> = cond.iter().map(|&c| c as usize).collect();
    let r = reference!(|x, d| {
        (0..x[0].len())
            .map(|i| if d[i] == 1 { x[0][i] } else { x[1][i] })
            .collect()
    });
    let mut nonfinite = common::check_nonfinite(
        &[shape.clone(), shape.clone()],
        |g, x| g.where_cond(&cond, x[0], x[1]),
        &r,
        &flags,
        90,
        1,
    );
    let r = reference!(|x, d| {
        let (lo, hi) = (T::from_f64(bound(d[0])), T::from_f64(bound(d[1])));
        x[0].iter().map(|&v| v.max(lo).min(hi)).collect()
    });
    // bounds −1 and 1: the grid's 1 sits on a bound (the rules' tie)
    nonfinite += common::check_nonfinite(
        std::slice::from_ref(&shape),
        |g, x| g.clamp(x[0], -1.0, 1.0),
        &r,
        &[20, 40],
        90,
        2,
    );
    let r = reference!(|x, d| {
        let (len, inner) = (d[1], d[2]);
        let outer = x[0].len() / (len * inner);
        let mut out = Vec::new();
        for o in 0..outer {
            for i in 0..inner {
                let s: T = (0..len)
                    .map(|l| x[0][(o * len + l) * inner + i].exp())
                    .sum();
                out.push(s.ln());
            }
        }
        out
    });
    for (axis, len, inner) in [(0, 3, 4), (1, 4, 1)] {
        nonfinite += common::check_nonfinite(
            std::slice::from_ref(&shape),
            |g, x| g.logsumexp(x[0], axis),
            &r,
            &[axis, len, inner],
            90,
            3 + axis as u64,
        );
    }
    let r = reference!(|x, d| {
        let mut out = vec![T::from_f64(0.0); 5 * 6];
        for i in 0..3 {
            for j in 0..4 {
                out[(i + 1) * 6 + j + 2] = x[0][i * 4 + j];
            }
        }
        out
    });
    nonfinite += common::check_nonfinite(
        std::slice::from_ref(&shape),
        |g, x| g.pad(x[0], &[[1, 1], [2, 0]], 0.0),
        &r,
        &[],
        90,
        5,
    );
    assert!(nonfinite > 200, "{nonfinite}");
}

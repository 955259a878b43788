//! Convolutions: `conv2d`, `conv1d` and `conv_transpose2d` forward against direct loops (the
//! seven-loop convolution; the transposed one as a scatter loop), and their backward (input,
//! weight, bias) against forward-mode `Dual`s and the scalar reverse tape on those loops and
//! central differences of the tensor forward (`common::check`). Shapes are random (proptest):
//! odd sizes, stride > 1, padding, dilation, groups (depthwise included), with and without bias.

#[macro_use]
mod common;

use common::{check, rand_inputs};
use diffprog_dual::Scalar;
use diffprog_nn::{ConvOptions, Graph};
use proptest::prelude::*;

/// The parameters of a case: `[n, c_in, h, w, c_out, kh, kw, sh, sw, ph, pw, dh, dw, groups,
/// bias]`.
#[derive(Clone, Copy, Debug)]
struct Case {
    n: usize,
    c_in: usize,
    h: usize,
    w: usize,
    c_out: usize,
    kh: usize,
    kw: usize,
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    groups: usize,
    bias: bool,
}

impl Case {
    fn params(&self) -> Vec<usize> {
        vec![
            self.n,
            self.c_in,
            self.h,
            self.w,
            self.c_out,
            self.kh,
            self.kw,
            self.stride[0],
            self.stride[1],
            self.padding[0],
            self.padding[1],
            self.dilation[0],
            self.dilation[1],
            self.groups,
            self.bias as usize,
        ]
    }
    fn options(&self) -> ConvOptions {
        ConvOptions {
            stride: self.stride,
            padding: self.padding,
            dilation: self.dilation,
            groups: self.groups,
            output_padding: [0, 0],
        }
    }
}

fn out_len(len: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (len + 2 * p - d * (k - 1) - 1) / s + 1
}

/// The direct convolution: seven loops (sample, output channel, output row, output column,
/// input channel of the group, kernel row, kernel column); padding taps are skipped.
fn conv2d_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    let [n, c, h, w, co, kh, kw, sh, sw, ph, pw, dh, dw, groups, _] = d[..15] else {
        unreachable!()
    };
    let (ho, wo) = (out_len(h, kh, sh, ph, dh), out_len(w, kw, sw, pw, dw));
    let (cig, cog) = (c / groups, co / groups);
    let (xs, ws) = (&x[0], &x[1]);
    let mut out = Vec::with_capacity(n * co * ho * wo);
    for s in 0..n {
        for oc in 0..co {
            let grp = oc / cog;
            for oh in 0..ho {
                for ow in 0..wo {
                    let mut acc = if x.len() == 3 { x[2][oc] } else { T::zero() };
                    for ic in 0..cig {
                        for i in 0..kh {
                            for j in 0..kw {
                                let ih = (oh * sh + i * dh) as isize - ph as isize;
                                let iw = (ow * sw + j * dw) as isize - pw as isize;
                                if ih < 0 || iw < 0 || ih as usize >= h || iw as usize >= w {
                                    continue;
                                }
                                let xi =
                                    ((s * c + grp * cig + ic) * h + ih as usize) * w + iw as usize;
                                let wi = ((oc * cig + ic) * kh + i) * kw + j;
                                acc += xs[xi] * ws[wi];
                            }
                        }
                    }
                    out.push(acc);
                }
            }
        }
    }
    out
}

/// The direct transposed convolution: every input element scatters `x · W` into the output
/// window it maps to. `d` as for [`conv2d_ref`] with `c_in`/`c_out`, `h`/`w` those of the
/// transposed op's input and output channels and input size, followed by the output padding.
fn conv_transpose2d_ref<T: Scalar>(x: &[Vec<T>], d: &[usize]) -> Vec<T> {
    let [n, c, h, w, co, kh, kw, sh, sw, ph, pw, dh, dw, groups, _, oph, opw] = d[..17] else {
        unreachable!()
    };
    let ho = (h - 1) * sh + dh * (kh - 1) + oph + 1 - 2 * ph;
    let wo = (w - 1) * sw + dw * (kw - 1) + opw + 1 - 2 * pw;
    let (cig, cog) = (c / groups, co / groups);
    let mut out = vec![T::zero(); n * co * ho * wo];
    for s in 0..n {
        for ic in 0..c {
            let grp = ic / cig;
            for ih in 0..h {
                for iw in 0..w {
                    let xv = x[0][((s * c + ic) * h + ih) * w + iw];
                    for oc in 0..cog {
                        for i in 0..kh {
                            for j in 0..kw {
                                let oh = (ih * sh + i * dh) as isize - ph as isize;
                                let ow = (iw * sw + j * dw) as isize - pw as isize;
                                if oh < 0 || ow < 0 || oh as usize >= ho || ow as usize >= wo {
                                    continue;
                                }
                                let o = ((s * co + grp * cog + oc) * ho + oh as usize) * wo
                                    + ow as usize;
                                out[o] += xv * x[1][((ic * cog + oc) * kh + i) * kw + j];
                            }
                        }
                    }
                }
            }
        }
    }
    if x.len() == 3 {
        for (i, v) in out.iter_mut().enumerate() {
            *v += x[2][(i / (ho * wo)) % co];
        }
    }
    out
}

/// A random case: each spatial size at least the dilated kernel minus the padding, so that the
/// output is never empty.
#[allow(clippy::too_many_arguments)]
fn case(
    n: usize,
    groups: usize,
    cig: usize,
    cog: usize,
    k: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    extra: [usize; 2],
    bias: bool,
) -> Case {
    let size = |a: usize| {
        (dilation[a] * (k[a] - 1) + 1)
            .saturating_sub(2 * padding[a])
            .max(1)
            + extra[a]
    };
    Case {
        n,
        c_in: cig * groups,
        h: size(0),
        w: size(1),
        c_out: cog * groups,
        kh: k[0],
        kw: k[1],
        stride,
        padding,
        dilation,
        groups,
        bias,
    }
}

fn pair(max: usize, min: usize) -> impl Strategy<Value = [usize; 2]> {
    (min..max, min..max).prop_map(|(a, b)| [a, b])
}

fn run_conv2d(c: Case, seed: u64) {
    let mut shapes = vec![
        vec![c.n, c.c_in, c.h, c.w],
        vec![c.c_out, c.c_in / c.groups, c.kh, c.kw],
    ];
    if c.bias {
        shapes.push(vec![c.c_out]);
    }
    let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
    let r = reference!(|x, d| conv2d_ref(x, d));
    let o = c.options();
    check(
        &xs,
        &shapes,
        |g, x| g.conv2d(x[0], x[1], x.get(2).copied(), o),
        &r,
        &c.params(),
        seed,
    );
}

proptest! {
    #![proptest_config(diffprog_testkit::config(24))]

    #[test]
    fn conv2d(
        n in 1usize..3, groups in 1usize..4, cig in 1usize..3, cog in 1usize..3,
        k in pair(4, 1), stride in pair(4, 1), padding in pair(3, 0), dilation in pair(3, 1),
        extra in pair(5, 0), bias in any::<bool>(), seed in any::<u64>(),
    ) {
        run_conv2d(case(n, groups, cig, cog, k, stride, padding, dilation, extra, bias), seed);
    }

    #[test]
    fn conv2d_depthwise(
        n in 1usize..3, channels in 1usize..5, multiplier in 1usize..3, k in pair(4, 1),
        stride in pair(3, 1), padding in pair(2, 0), extra in pair(4, 0), bias in any::<bool>(),
        seed in any::<u64>(),
    ) {
        // groups = input channels, one filter bank per channel
        let c = case(n, channels, 1, multiplier, k, stride, padding, [1, 1], extra, bias);
        run_conv2d(c, seed);
    }

    #[test]
    fn conv2d_pointwise(
        n in 1usize..3, groups in 1usize..3, cig in 1usize..4, cog in 1usize..4,
        extra in pair(4, 0), bias in any::<bool>(), seed in any::<u64>(),
    ) {
        // a 1×1 kernel, stride 1, no padding: the GEMM reads the image directly
        let c = case(n, groups, cig, cog, [1, 1], [1, 1], [0, 0], [1, 1], extra, bias);
        run_conv2d(c, seed);
    }

    #[test]
    fn conv1d(
        n in 1usize..3, groups in 1usize..3, cig in 1usize..3, cog in 1usize..3, k in 1usize..5,
        stride in 1usize..4, padding in 0usize..3, dilation in 1usize..3, extra in 0usize..6,
        bias in any::<bool>(), seed in any::<u64>(),
    ) {
        let c = case(n, groups, cig, cog, [1, k], [1, stride], [0, padding], [1, dilation], [0, extra], bias);
        let mut shapes = vec![vec![c.n, c.c_in, c.w], vec![c.c_out, cig, k]];
        if bias {
            shapes.push(vec![c.c_out]);
        }
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| conv2d_ref(x, d));
        // the 1-d options set through the setters (both axes), which conv1d reads on the width
        let o = ConvOptions::new().stride(stride).padding(padding).dilation(dilation).groups(groups);
        check(&xs, &shapes, |g, x| g.conv1d(x[0], x[1], x.get(2).copied(), o), &r, &c.params(), seed);
    }

    #[test]
    fn conv_transpose2d(
        n in 1usize..3, groups in 1usize..3, cig in 1usize..3, cog in 1usize..3,
        k in pair(4, 1), stride in pair(4, 1), padding in pair(3, 0), dilation in pair(3, 1),
        output_padding in pair(3, 0), extra in pair(4, 1), bias in any::<bool>(), seed in any::<u64>(),
    ) {
        // output padding below the stride or the dilation; the output at least one element
        let op = [0, 1].map(|a| output_padding[a] % stride[a].max(dilation[a]));
        let c_in = cig * groups;
        let (h, w) = (extra[0], extra[1]);
        let full = |a: usize, len: usize| (len - 1) * stride[a] + dilation[a] * (k[a] - 1) + op[a] + 1;
        prop_assume!(full(0, h) > 2 * padding[0] && full(1, w) > 2 * padding[1]);
        let mut shapes = vec![vec![n, c_in, h, w], vec![c_in, cog, k[0], k[1]]];
        if bias {
            shapes.push(vec![cog * groups]);
        }
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let params = vec![
            n, c_in, h, w, cog * groups, k[0], k[1], stride[0], stride[1], padding[0], padding[1],
            dilation[0], dilation[1], groups, bias as usize, op[0], op[1],
        ];
        let r = reference!(|x, d| conv_transpose2d_ref(x, d));
        let o = ConvOptions { stride, padding, dilation, groups, output_padding: op };
        check(&xs, &shapes, |g, x| g.conv_transpose2d(x[0], x[1], x.get(2).copied(), o), &r, &params, seed);
    }

    /// The transposed convolution is the convolution's adjoint: ⟨conv2d(x), y⟩ = ⟨x,
    /// conv_transpose2d(y)⟩ with the same weight and options.
    #[test]
    fn conv_transpose2d_is_the_adjoint_of_conv2d(
        n in 1usize..3, groups in 1usize..3, cig in 1usize..3, cog in 1usize..3,
        k in pair(4, 1), stride in pair(3, 1), padding in pair(2, 0), dilation in pair(3, 1),
        extra in pair(5, 0), seed in any::<u64>(),
    ) {
        let c = case(n, groups, cig, cog, k, stride, padding, dilation, extra, false);
        let (ho, wo) = (
            out_len(c.h, c.kh, stride[0], padding[0], dilation[0]),
            out_len(c.w, c.kw, stride[1], padding[1], dilation[1]),
        );
        // the output padding that gives back the input size
        let op = [
            c.h + 2 * padding[0] - ((ho - 1) * stride[0] + dilation[0] * (c.kh - 1) + 1),
            c.w + 2 * padding[1] - ((wo - 1) * stride[1] + dilation[1] * (c.kw - 1) + 1),
        ];
        prop_assume!(op[0] < stride[0].max(dilation[0]) && op[1] < stride[1].max(dilation[1]));
        let shapes = vec![
            vec![c.n, c.c_in, c.h, c.w],
            vec![c.c_out, cig, c.kh, c.kw],
            vec![c.n, c.c_out, ho, wo],
        ];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let mut g = Graph::<f64>::new();
        let x = g.input(&xs[0], &shapes[0]);
        let w = g.input(&xs[1], &shapes[1]);
        let y = g.input(&xs[2], &shapes[2]);
        let cx = g.conv2d(x, w, None, c.options());
        let ty = g.conv_transpose2d(y, w, None, ConvOptions { output_padding: op, ..c.options() });
        prop_assert_eq!(g.shape(ty).dims().to_vec(), shapes[0].clone());
        let lhs: f64 = g.value(cx).iter().zip(&xs[2]).map(|(a, b)| a * b).sum();
        let rhs: f64 = g.value(ty).iter().zip(&xs[0]).map(|(a, b)| a * b).sum();
        prop_assert!((lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()), "{} vs {}", lhs, rhs);
    }
}

/// `f32` forward on a larger layer (a 3×3, 8 → 6 channel convolution with stride 2, padding 1,
/// dilation 2 and 2 groups on 2×8×13×11 inputs) against the direct loops in `f64`.
#[test]
fn conv2d_f32_matches_the_direct_loops() {
    let c = Case {
        n: 2,
        c_in: 8,
        h: 13,
        w: 11,
        c_out: 6,
        kh: 3,
        kw: 3,
        stride: [2, 2],
        padding: [1, 1],
        dilation: [2, 2],
        groups: 2,
        bias: true,
    };
    let shapes = [
        vec![c.n, c.c_in, c.h, c.w],
        vec![c.c_out, c.c_in / c.groups, c.kh, c.kw],
        vec![c.c_out],
    ];
    let xs = rand_inputs(&shapes, -1.0, 1.0, 7);
    let x32: Vec<Vec<f32>> = xs
        .iter()
        .map(|v| v.iter().map(|&a| a as f32).collect())
        .collect();
    let exact = conv2d_ref(
        &x32.iter()
            .map(|v| v.iter().map(|&a| a as f64).collect())
            .collect::<Vec<Vec<f64>>>(),
        &c.params(),
    );
    let mut g = Graph::<f32>::new();
    let x = g.input(&x32[0], &shapes[0]);
    let w = g.input(&x32[1], &shapes[1]);
    let b = g.input(&x32[2], &shapes[2]);
    let y = g.conv2d(x, w, Some(b), c.options());
    assert_eq!(g.shape(y).dims(), &[2, 6, 6, 5]);
    for (i, (&a, &e)) in g.value(y).iter().zip(&exact).enumerate() {
        // 37 terms of magnitude ≤ 1 in f32
        assert!((a as f64 - e).abs() <= 1e-5, "y[{i}] = {a}, exact {e}");
    }
}

/// Inputs of the wrong shape are refused with a message naming the problem.
#[test]
fn mismatched_shapes_are_refused() {
    let cases: [(&str, Vec<usize>, Vec<usize>, ConvOptions); 4] = [
        (
            "divisible",
            vec![1, 3, 5, 5],
            vec![4, 1, 3, 3],
            ConvOptions::new().groups(2),
        ),
        (
            "larger than the padded input",
            vec![1, 1, 2, 2],
            vec![1, 1, 3, 3],
            ConvOptions::new(),
        ),
        (
            "positive",
            vec![1, 1, 5, 5],
            vec![1, 1, 3, 3],
            ConvOptions::new().stride(0),
        ),
        (
            "4 axes",
            vec![1, 5, 5],
            vec![1, 1, 3, 3],
            ConvOptions::new(),
        ),
    ];
    for (needle, sx, sw, o) in cases {
        let r = std::panic::catch_unwind(|| {
            let mut g = Graph::<f64>::new();
            let x = g.input(&vec![0.0; sx.iter().product()], &sx);
            let w = g.input(&vec![0.0; sw.iter().product()], &sw);
            g.conv2d(x, w, None, o);
        });
        let err = r.expect_err(needle);
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
}

/// Non-finite values: with inputs, weights and upstream gradients drawn from 0, −0, 1, −2.5,
/// ±∞ and NaN, every gradient (input, weight, bias) has the value and the class (finite, ±∞,
/// NaN) the scalar reverse tape gives on the direct loops — the chain rule's strong zeros
/// included: a zero upstream gradient or a padding tap contributes exactly 0.
#[test]
fn nonfinite_gradients_match_the_scalar_tape() {
    use rand::{Rng, SeedableRng};
    const VALUES: [f64; 7] = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut nonfinite_grads = 0;
    for case in 0..400 {
        let transposed = case % 2 == 1;
        let groups = 1 + (case / 2) % 2;
        let (cig, cog, k) = (1 + (case / 4) % 2, 1 + (case / 8) % 2, 2);
        let (c_in, c_out, h, w) = (cig * groups, cog * groups, 3, 2);
        let o = ConvOptions::new().padding(1).groups(groups);
        let shapes = if transposed {
            vec![
                vec![1, c_in, h, w],
                vec![c_in, cog, k, k],
                vec![cog * groups],
            ]
        } else {
            vec![vec![1, c_in, h, w], vec![c_out, cig, k, k], vec![c_out]]
        };
        // a case's share of non-finite values: none, a few or many
        let p = [0.0, 0.05, 0.3][case % 3];
        let mut draw = |n: usize| -> Vec<f64> {
            (0..n)
                .map(|_| {
                    if rng.random_bool(p) {
                        VALUES[rng.random_range(4..7)]
                    } else {
                        VALUES[rng.random_range(0..4)]
                    }
                })
                .collect()
        };
        let xs: Vec<Vec<f64>> = shapes.iter().map(|s| draw(s.iter().product())).collect();
        let mut g = Graph::<f64>::new();
        let ids: Vec<_> = xs.iter().zip(&shapes).map(|(x, s)| g.leaf(x, s)).collect();
        let y = if transposed {
            g.conv_transpose2d(ids[0], ids[1], Some(ids[2]), o)
        } else {
            g.conv2d(ids[0], ids[1], Some(ids[2]), o)
        };
        let up = draw(g.shape(y).numel());
        g.backward_with_grad(y, &up);
        let tensor: Vec<f64> = ids
            .iter()
            .flat_map(|&i| g.grad(i).unwrap().to_vec())
            .collect();

        let out_c = if transposed { cog * groups } else { c_out };
        let mut params = vec![1, c_in, h, w, out_c, k, k, 1, 1, 1, 1, 1, 1, groups, 1];
        if transposed {
            params.extend([0, 0]);
        }
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let sizes: Vec<usize> = xs.iter().map(Vec::len).collect();
        let (_, tape) = diffprog_reverse::gradient(
            |v: &[diffprog_reverse::Var]| {
                let mut parts = Vec::new();
                let mut off = 0;
                for &n in &sizes {
                    parts.push(v[off..off + n].to_vec());
                    off += n;
                }
                let out = if transposed {
                    conv_transpose2d_ref(&parts, &params)
                } else {
                    conv2d_ref(&parts, &params)
                };
                out.into_iter()
                    .zip(&up)
                    .map(|(o, &u)| o * u)
                    .sum::<diffprog_reverse::Var>()
            },
            &flat,
        );
        for (i, (&a, &b)) in tensor.iter().zip(&tape).enumerate() {
            assert!(
                same(a, b),
                "case {case} (transposed {transposed}, groups {groups}): gradient {i}: tensor \
                 {a} vs scalar tape {b}\ninputs {xs:?}\nupstream {up:?}"
            );
            nonfinite_grads += !a.is_finite() as usize;
        }
    }
    // the cases do exercise non-finite gradients
    assert!(nonfinite_grads > 100, "{nonfinite_grads}");
}

/// Layers large enough that every product goes to the GEMM (the proptests' shapes mostly take
/// the small-product loop, which `Element::gemm` uses when a side is at most 5): value and
/// gradients of `conv2d` and `conv_transpose2d` (12 → 12 channels, 3×3, 7×9 images, with and
/// without groups and stride) against the scalar reverse tape on the direct loops, in `f64`, and
/// the `f32` gradients against the `f64` ones.
#[test]
fn gemm_sized_layers_match_the_scalar_tape() {
    for (transposed, groups, stride) in [(false, 1, 1), (false, 2, 2), (true, 1, 1), (true, 2, 2)] {
        let (n, c, h, w, k, p) = (2, 12, 7, 9, 3, 1);
        let o = ConvOptions::new().stride(stride).padding(p).groups(groups);
        let shapes = [vec![n, c, h, w], vec![c, c / groups, k, k], vec![c]];
        let xs = rand_inputs(&shapes, -1.0, 1.0, 3 + stride as u64);
        let mut params = vec![n, c, h, w, c, k, k, stride, stride, p, p, 1, 1, groups, 1];
        if transposed {
            params.extend([0, 0]);
        }
        let reference = |parts: &[Vec<diffprog_reverse::Var>]| {
            if transposed {
                conv_transpose2d_ref(parts, &params)
            } else {
                conv2d_ref(parts, &params)
            }
        };
        let record = |g: &mut Graph<f64>, ids: &[diffprog_nn::NodeId]| {
            if transposed {
                g.conv_transpose2d(ids[0], ids[1], Some(ids[2]), o)
            } else {
                g.conv2d(ids[0], ids[1], Some(ids[2]), o)
            }
        };
        let mut g = Graph::<f64>::new();
        let ids: Vec<_> = xs.iter().zip(&shapes).map(|(x, s)| g.leaf(x, s)).collect();
        let y = record(&mut g, &ids);
        let up: Vec<f64> = (0..g.shape(y).numel())
            .map(|i| ((i * 7) % 13) as f64 / 6.0 - 1.0)
            .collect();
        g.backward_with_grad(y, &up);
        let tensor: Vec<f64> = ids
            .iter()
            .flat_map(|&i| g.grad(i).unwrap().to_vec())
            .collect();
        let value = g.value(y).to_vec();
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let sizes: Vec<usize> = xs.iter().map(Vec::len).collect();
        let split = |v: &[diffprog_reverse::Var]| {
            let mut parts = Vec::new();
            let mut off = 0;
            for &s in &sizes {
                parts.push(v[off..off + s].to_vec());
                off += s;
            }
            parts
        };
        let (_, tape) = diffprog_reverse::gradient(
            |v: &[diffprog_reverse::Var]| {
                reference(&split(v))
                    .into_iter()
                    .zip(&up)
                    .map(|(o, &u)| o * u)
                    .sum()
            },
            &flat,
        );
        let exact = conv_ref_f64(transposed, &xs, &params);
        for (i, (a, b)) in value.iter().zip(&exact).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                "value {i}: {a} vs {b}"
            );
        }
        for (i, (a, b)) in tensor.iter().zip(&tape).enumerate() {
            assert!(
                (a - b).abs() <= 1e-11 * (1.0 + b.abs()),
                "gradient {i}: {a} vs {b}"
            );
        }
        // f32: the same gradients to single precision
        let mut g32 = Graph::<f32>::new();
        let x32: Vec<Vec<f32>> = xs
            .iter()
            .map(|v| v.iter().map(|&a| a as f32).collect())
            .collect();
        let ids: Vec<_> = x32
            .iter()
            .zip(&shapes)
            .map(|(x, s)| g32.leaf(x, s))
            .collect();
        let y = if transposed {
            g32.conv_transpose2d(ids[0], ids[1], Some(ids[2]), o)
        } else {
            g32.conv2d(ids[0], ids[1], Some(ids[2]), o)
        };
        let up32: Vec<f32> = up.iter().map(|&u| u as f32).collect();
        g32.backward_with_grad(y, &up32);
        let grads32: Vec<f32> = ids
            .iter()
            .flat_map(|&i| g32.grad(i).unwrap().to_vec())
            .collect();
        for (i, (&a, &b)) in grads32.iter().zip(&tensor).enumerate() {
            // sums of up to 2·7·9·… terms of magnitude ≤ 1 in f32
            assert!(
                (a as f64 - b).abs() <= 2e-4 * (1.0 + b.abs()),
                "f32 gradient {i}: {a} vs {b}"
            );
        }
    }
}

fn conv_ref_f64(transposed: bool, xs: &[Vec<f64>], params: &[usize]) -> Vec<f64> {
    if transposed {
        conv_transpose2d_ref(xs, params)
    } else {
        conv2d_ref(xs, params)
    }
}

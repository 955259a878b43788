//! Every tensor op's forward against a scalar reference written with `Scalar` ops, and its
//! backward against (1) forward-mode `Dual` derivatives of that reference, (2) the scalar
//! reverse tape (`diffprog_reverse`) on the same reference, and (3) central differences of the
//! tensor forward itself. Shapes and values are random (proptest).

#[macro_use]
mod common;

use common::{check, rand_inputs};
use diffprog_dual::Scalar;
use diffprog_nn::{BinaryOp, Unary};
use proptest::prelude::*;

/// Row-major matrix product reference.
fn mm<T: Scalar>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    let mut out = vec![T::zero(); m * n];
    for i in 0..m {
        for j in 0..n {
            for l in 0..k {
                out[i * n + j] += a[i * k + l] * b[l * n + j];
            }
        }
    }
    out
}

fn unary_ref<T: Scalar>(x: &[T], f: usize) -> Vec<T> {
    x.iter()
        .map(|&v| match f {
            0 => v,
            1 => v.relu(),
            2 => {
                if v > 0.0 {
                    v
                } else {
                    v * 0.1
                }
            }
            3 => v.sigmoid(),
            4 => v.tanh(),
            5 => v.softplus(),
            6 => v.exp(),
            7 => v.ln(),
            8 => -v,
            9 => v * v,
            10 => v.sqrt(),
            11 => v.abs(),
            // GELU through erfc: a different composition than the rule's
            12 => v * 0.5 * (-(v * std::f64::consts::FRAC_1_SQRT_2)).erfc(),
            13 => v.sin(),
            14 => v.cos(),
            // x^2.5 = x² · √x (inputs positive)
            _ => v * v * v.sqrt(),
        })
        .collect()
}

fn unary_of(f: usize) -> Unary<f64> {
    [
        Unary::Identity,
        Unary::Relu,
        Unary::LeakyRelu(0.1),
        Unary::Sigmoid,
        Unary::Tanh,
        Unary::Softplus,
        Unary::Exp,
        Unary::Ln,
        Unary::Neg,
        Unary::Square,
        Unary::Sqrt,
        Unary::Abs,
        Unary::Gelu,
        Unary::Sin,
        Unary::Cos,
        Unary::Powf(2.5),
    ][f]
}

const BINARY_OPS: [BinaryOp; 7] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
    BinaryOp::Pow,
];

/// Divisors away from 0; powers of bases in [0.5, 2.5); for maxima and minima, operands on two
/// interleaved grids (multiples of 0.01, and those plus 0.005), so that any two elements the
/// broadcast pairs differ by at least 0.005 and no central difference crosses a tie.
fn keep_in_domain(op: usize, xs: &mut [Vec<f64>]) {
    match op {
        3 => xs[1]
            .iter_mut()
            .for_each(|v| *v = v.signum() * (v.abs() + 0.5)),
        4 | 5 => {
            xs[0]
                .iter_mut()
                .for_each(|v| *v = (*v * 100.0).round() / 100.0);
            xs[1]
                .iter_mut()
                .for_each(|v| *v = (*v * 100.0).round() / 100.0 + 0.005);
        }
        6 => xs[0].iter_mut().for_each(|v| *v = v.abs() + 0.5),
        _ => {}
    }
}

/// Broadcast reference: out shape from NumPy rules, index arithmetic by hand.
fn bcast<T: Scalar>(a: &[T], b: &[T], d: &[usize], op: usize) -> Vec<T> {
    // d = [na, a dims.., nb, b dims..]
    let na = d[0];
    let da = &d[1..1 + na];
    let nb = d[1 + na];
    let db = &d[2 + na..2 + na + nb];
    let n = na.max(nb);
    let pad = |s: &[usize]| {
        let mut v = vec![1; n - s.len()];
        v.extend_from_slice(s);
        v
    };
    let (pa, pb) = (pad(da), pad(db));
    let out: Vec<usize> = (0..n).map(|i| pa[i].max(pb[i])).collect();
    let total: usize = out.iter().product();
    let mut res = Vec::with_capacity(total);
    for o in 0..total {
        let mut rem = o;
        let mut idx = vec![0; n];
        for i in (0..n).rev() {
            idx[i] = rem % out[i];
            rem /= out[i];
        }
        let off = |p: &[usize]| {
            let mut f = 0;
            for i in 0..n {
                f = f * p[i] + if p[i] == 1 { 0 } else { idx[i] };
            }
            f
        };
        let (x, y) = (a[off(&pa)], b[off(&pb)]);
        res.push(match op {
            0 => x + y,
            1 => x - y,
            2 => x * y,
            3 => x / y,
            4 => x.max(y),
            5 => x.min(y),
            _ => x.pow(y),
        });
    }
    res
}

fn log_softmax_ref<T: Scalar>(x: &[T], w: usize) -> Vec<T> {
    let mut out = Vec::new();
    for row in x.chunks(w) {
        let lse = row.iter().map(|v| v.exp()).sum::<T>().ln();
        out.extend(row.iter().map(|&v| v - lse));
    }
    out
}

proptest! {
    #![proptest_config(diffprog_testkit::config(12))]

    #[test]
    fn matmul(m in 1usize..8, k in 1usize..8, n in 1usize..8, seed in any::<u64>()) {
        let shapes = vec![vec![m, k], vec![k, n]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| mm(&x[0], &x[1], d[0], d[1], d[2]));
        check(&xs, &shapes, |g, x| g.matmul(x[0], x[1]), &r, &[m, k, n], seed);
    }

    #[test]
    fn matmul_batched_lhs(b in 1usize..4, m in 1usize..4, k in 1usize..7, n in 1usize..7, seed in any::<u64>()) {
        let shapes = vec![vec![b, m, k], vec![k, n]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| mm(&x[0], &x[1], d[0], d[1], d[2]));
        check(&xs, &shapes, |g, x| g.matmul(x[0], x[1]), &r, &[b * m, k, n], seed);
    }

    #[test]
    fn matmul_batched_rhs(b in 1usize..4, p in 1usize..3, m in 1usize..4, k in 1usize..7, n in 1usize..7, four_d in any::<bool>(), seed in any::<u64>()) {
        // a: [b, m, k] or [b, p, m, k] (rows of a block flattened), b: [b, k, n]
        let a_shape = if four_d { vec![b, p, m, k] } else { vec![b, m, k] };
        let rows = if four_d { p * m } else { m };
        let shapes = vec![a_shape, vec![b, k, n]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| {
            let (b, m, k, n) = (d[0], d[1], d[2], d[3]);
            (0..b)
                .flat_map(|i| mm(&x[0][i * m * k..(i + 1) * m * k], &x[1][i * k * n..(i + 1) * k * n], m, k, n))
                .collect()
        });
        check(&xs, &shapes, |g, x| g.matmul(x[0], x[1]), &r, &[b, rows, k, n], seed);
    }

    #[test]
    fn linear_fused(m in 1usize..9, k in 1usize..9, n in 1usize..9, act in 0usize..6, bias in any::<bool>(), seed in any::<u64>()) {
        let mut shapes = vec![vec![m, k], vec![k, n]];
        if bias { shapes.push(vec![n]); }
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        if act == 1 || act == 2 {
            // ReLU and leaky ReLU have a kink at 0, across which central differences measure
            // neither side: keep the pre-activations out of the stencil's reach (a step moves
            // them by ≤ 2·1e-6·(1 + |x|) per input). A deep run found a pre-activation 2.5e-6
            // from 0 that the step for one input carried across (tensor, Dual and tape agreed).
            let mut z = mm(&xs[0], &xs[1], m, k, n);
            if bias {
                for (i, v) in z.iter_mut().enumerate() { *v += xs[2][i % n]; }
            }
            prop_assume!(z.iter().all(|v| v.abs() > 1e-3));
        }
        let r = reference!(|x, d| {
            let (m, k, n, act) = (d[0], d[1], d[2], d[3]);
            let mut z = mm(&x[0], &x[1], m, k, n);
            if x.len() == 3 { for (i, v) in z.iter_mut().enumerate() { *v += x[2][i % n]; } }
            unary_ref(&z, act)
        });
        check(&xs, &shapes, |g, x| g.linear(x[0], x[1], x.get(2).copied(), unary_of(act)), &r, &[m, k, n, act], seed);
    }

    #[test]
    fn unary(dims in prop::collection::vec(1usize..5, 1..4), f in 0usize..16, seed in any::<u64>()) {
        let shapes = vec![dims];
        // ln, sqrt and x^2.5 need positive inputs; keep |x| away from the kinks for the finite
        // differences
        let (lo, hi) = if f == 7 || f == 10 || f == 15 { (0.2, 3.0) } else { (-3.0, 3.0) };
        let mut xs = rand_inputs(&shapes, lo, hi, seed);
        for v in xs[0].iter_mut() { if v.abs() < 1e-3 { *v += 0.01; } }
        let r = reference!(|x, d| unary_ref(&x[0], d[0]));
        check(&xs, &shapes, |g, x| g.unary(x[0], unary_of(f)), &r, &[f], seed);
    }

    #[test]
    fn broadcast_binary(a in prop::collection::vec(1usize..4, 1..4), mask in prop::collection::vec(any::<bool>(), 3), drop in 0usize..3, op in 0usize..7, swap in any::<bool>(), seed in any::<u64>()) {
        // b: a's trailing axes (dropping `drop` leading ones), with some sizes set to 1
        let mut b: Vec<usize> = a[drop.min(a.len() - 1)..].to_vec();
        for (i, v) in b.iter_mut().enumerate() { if mask[i % 3] { *v = 1; } }
        let (sa, sb) = if swap { (b.clone(), a.clone()) } else { (a.clone(), b.clone()) };
        let shapes = vec![sa.clone(), sb.clone()];
        let mut xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        keep_in_domain(op, &mut xs);
        let mut d = vec![sa.len()]; d.extend(&sa); d.push(sb.len()); d.extend(&sb); d.push(op);
        let r = reference!(|x, d| bcast(&x[0], &x[1], d, d[d.len() - 1]));
        let bop = BINARY_OPS[op];
        check(&xs, &shapes, |g, x| g.binary(x[0], x[1], bop), &r, &d, seed);
    }

    #[test]
    fn broadcast_one_element_operand(a in prop::collection::vec(1usize..5, 0..4), zero_d in any::<bool>(), op in 0usize..7, swap in any::<bool>(), seed in any::<u64>()) {
        // one side has one element (shape [] or [1]): what Graph::mul_var and friends record
        let b: Vec<usize> = if zero_d { vec![] } else { vec![1] };
        let (sa, sb) = if swap { (b.clone(), a.clone()) } else { (a.clone(), b.clone()) };
        let shapes = vec![sa.clone(), sb.clone()];
        let mut xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        keep_in_domain(op, &mut xs);
        let mut d = vec![sa.len()]; d.extend(&sa); d.push(sb.len()); d.extend(&sb); d.push(op);
        let r = reference!(|x, d| bcast(&x[0], &x[1], d, d[d.len() - 1]));
        let bop = BINARY_OPS[op];
        check(&xs, &shapes, |g, x| g.binary(x[0], x[1], bop), &r, &d, seed);
    }

    #[test]
    fn scalar_shift_and_scale(dims in prop::collection::vec(1usize..5, 0..4), seed in any::<u64>()) {
        let shapes = vec![dims];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| x[0].iter().map(|&v| (v + 1.5) * -0.75).collect());
        check(&xs, &shapes, |g, x| { let y = g.add_scalar(x[0], 1.5); g.mul_scalar(y, -0.75) }, &r, &[], seed);
    }

    #[test]
    fn reductions(dims in prop::collection::vec(1usize..5, 1..5), axis in 0usize..4, mean in any::<bool>(), all in any::<bool>(), seed in any::<u64>()) {
        let axis = axis % dims.len();
        let shapes = vec![dims.clone()];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let mut d = vec![axis, mean as usize, all as usize, dims.len()];
        d.extend(&dims);
        let r = reference!(|x, d| {
            let (axis, mean, all) = (d[0], d[1] == 1, d[2] == 1);
            let dims = &d[4..4 + d[3]];
            if all {
                let s: T = x[0].iter().copied().sum();
                return vec![if mean { s / x[0].len() as f64 } else { s }];
            }
            let outer: usize = dims[..axis].iter().product();
            let len = dims[axis];
            let inner: usize = dims[axis + 1..].iter().product();
            let mut out = vec![T::zero(); outer * inner];
            for o in 0..outer { for l in 0..len { for i in 0..inner {
                out[o * inner + i] += x[0][(o * len + l) * inner + i];
            }}}
            if mean { out.iter_mut().for_each(|v| *v /= len as f64); }
            out
        });
        check(&xs, &shapes, |g, x| match (all, mean) {
            (true, true) => g.mean(x[0]),
            (true, false) => g.sum(x[0]),
            (false, true) => g.mean_axis(x[0], axis),
            (false, false) => g.sum_axis(x[0], axis),
        }, &r, &d, seed);
    }

    #[test]
    fn permute_and_reshape(dims in prop::collection::vec(1usize..4, 2..5), rot in 0usize..4, seed in any::<u64>()) {
        let nd = dims.len();
        let perm: Vec<usize> = (0..nd).map(|i| (i + rot) % nd).collect();
        let shapes = vec![dims.clone()];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let mut d = vec![nd]; d.extend(&dims); d.extend(&perm);
        let r = reference!(|x, d| {
            let nd = d[0];
            let dims = &d[1..1 + nd];
            let perm = &d[1 + nd..1 + 2 * nd];
            let od: Vec<usize> = perm.iter().map(|&p| dims[p]).collect();
            let total: usize = dims.iter().product();
            let mut st = vec![1; nd];
            for i in (0..nd - 1).rev() { st[i] = st[i + 1] * dims[i + 1]; }
            (0..total).map(|o| {
                let mut rem = o; let mut off = 0;
                for i in (0..nd).rev() { off += (rem % od[i]) * st[perm[i]]; rem /= od[i]; }
                x[0][off] * 2.0
            }).collect()
        });
        let total: usize = dims.iter().product();
        check(&xs, &shapes, |g, x| {
            let p = g.permute(x[0], &perm);
            let flat = g.reshape(p, &[total]);
            g.mul_scalar(flat, 2.0)
        }, &r, &d, seed);
    }

    #[test]
    fn transpose(m in 1usize..6, n in 1usize..6, seed in any::<u64>()) {
        let shapes = vec![vec![m, n]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| { let (m, n) = (d[0], d[1]); (0..n * m).map(|o| x[0][(o % m) * n + o / m]).collect() });
        check(&xs, &shapes, |g, x| g.transpose(x[0]), &r, &[m, n], seed);
    }

    #[test]
    fn slice_and_concat(a in 1usize..4, b in 1usize..5, c in 1usize..4, b2 in 1usize..4, start in 0usize..4, len in 1usize..4, seed in any::<u64>()) {
        let start = start % b;
        let len = len.min(b - start);
        let shapes = vec![vec![a, b, c], vec![a, b2, c]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let r = reference!(|x, d| {
            let (a, b, c, b2, start, len) = (d[0], d[1], d[2], d[3], d[4], d[5]);
            // concat([x0[:, start..start+len, :], x1], axis 1)
            let mut out = Vec::new();
            for o in 0..a {
                out.extend_from_slice(&x[0][(o * b + start) * c..(o * b + start + len) * c]);
                out.extend_from_slice(&x[1][o * b2 * c..(o + 1) * b2 * c]);
            }
            out
        });
        check(&xs, &shapes, |g, x| { let s = g.slice(x[0], 1, start, len); g.concat(&[s, x[1]], 1) }, &r, &[a, b, c, b2, start, len], seed);
    }

    #[test]
    fn index_select(rows in 1usize..5, w in 1usize..4, picks in prop::collection::vec(0usize..100, 1..6), seed in any::<u64>()) {
        let picks: Vec<usize> = picks.iter().map(|p| p % rows).collect();
        let shapes = vec![vec![rows, w]];
        let xs = rand_inputs(&shapes, -2.0, 2.0, seed);
        let mut d = vec![w]; d.extend(&picks);
        let r = reference!(|x, d| { let w = d[0]; d[1..].iter().flat_map(|&p| x[0][p * w..(p + 1) * w].to_vec()).collect() });
        check(&xs, &shapes, |g, x| g.index_select(x[0], &picks), &r, &d, seed);
    }

    #[test]
    fn log_softmax_and_softmax(rows in 1usize..5, w in 1usize..6, soft in any::<bool>(), seed in any::<u64>()) {
        let shapes = vec![vec![rows, w]];
        let xs = rand_inputs(&shapes, -4.0, 4.0, seed);
        let r = reference!(|x, d| {
            let l = log_softmax_ref(&x[0], d[0]);
            if d[1] == 1 { l.into_iter().map(|v| v.exp()).collect() } else { l }
        });
        check(&xs, &shapes, |g, x| if soft { g.softmax(x[0]) } else { g.log_softmax(x[0]) }, &r, &[w, soft as usize], seed);
    }

    #[test]
    fn gather_and_cross_entropy(rows in 1usize..6, w in 1usize..6, labels in prop::collection::vec(0usize..100, 6), fused in any::<bool>(), seed in any::<u64>()) {
        let labels: Vec<usize> = labels[..rows].iter().map(|l| l % w).collect();
        let shapes = vec![vec![rows, w]];
        let xs = rand_inputs(&shapes, -4.0, 4.0, seed);
        let mut d = vec![w]; d.extend(&labels);
        let r = reference!(|x, d| {
            let w = d[0];
            let l = log_softmax_ref(&x[0], w);
            let n = d.len() - 1;
            let s: T = d[1..].iter().enumerate().map(|(i, &lab)| -l[i * w + lab]).sum();
            vec![s / n as f64]
        });
        check(&xs, &shapes, |g, x| {
            if fused { g.cross_entropy(x[0], &labels) } else {
                let l = g.log_softmax(x[0]);
                let p = g.gather(l, &labels);
                let m = g.mean(p);
                g.neg(m)
            }
        }, &r, &d, seed);
    }
}

//! Random programs: reverse-mode gradients equal forward mode and central differences; the mixed
//! mode's Hessian equals diffprog-hyperdual's and is exactly symmetric; HVPs equal H·v.
//!
//! Programs are expression trees over the inputs built from smooth operations (so central
//! differences are meaningful), with a value-dependent branch and a loop. `PROPTEST_CASES`
//! deepens the run.

use diffprog_dual::Scalar;
use diffprog_reverse::{
    gradient, hessian, hessian_chunked, hessian_vector_product, jacobian, vjp, Var,
};
use diffprog_testkit::fd;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    Const(f64),
    Unary(u8, Box<Expr>),
    Binary(u8, Box<Expr>, Box<Expr>),
    /// if a > b { c } else { d }
    Branch(Box<Expr>, Box<Expr>, Box<Expr>, Box<Expr>),
    /// k times: acc = sin(acc) · body + acc
    Loop(u8, Box<Expr>),
}

const N_INPUTS: usize = 4;

fn eval<T: Scalar>(e: &Expr, x: &[T]) -> T {
    match e {
        Expr::Input(i) => x[*i],
        Expr::Const(c) => T::constant(*c),
        Expr::Unary(op, a) => {
            let a = eval(a, x);
            match op % 10 {
                0 => a.sin(),
                1 => a.cos(),
                2 => a.tanh(),
                3 => a.atan(),
                4 => a.sigmoid(),
                5 => a.softplus(),
                6 => a.sin().exp(),
                7 => (a * a + 1.0).sqrt(),
                8 => (a * a + 1.0).ln(),
                _ => -a * 0.5,
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, x), eval(b, x));
            match op % 6 {
                0 => a + b,
                1 => a - b,
                2 => a * b,
                3 => a / (b * b + 1.0),
                4 => a.hypot(b + 2.0),
                _ => a.atan2(b * b + 1.0),
            }
        }
        Expr::Branch(a, b, c, d) => {
            if eval(a, x) > eval(b, x) {
                eval(c, x)
            } else {
                eval(d, x)
            }
        }
        Expr::Loop(k, body) => {
            let mut acc = T::zero();
            for _ in 0..(k % 4) {
                acc = acc.sin() * eval(body, x) + acc;
            }
            acc + eval(body, x)
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    expr_over(N_INPUTS)
}

/// Random programs reading inputs `0..n`.
fn expr_over(n: usize) -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (0..n).prop_map(Expr::Input),
        1 => (-2.0..2.0f64).prop_map(Expr::Const),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            3 => (any::<u8>(), inner.clone()).prop_map(|(op, a)| Expr::Unary(op, Box::new(a))),
            4 => (any::<u8>(), inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| Expr::Binary(op, Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner.clone(), inner.clone(), inner.clone()).prop_map(
                |(a, b, c, d)| Expr::Branch(Box::new(a), Box::new(b), Box::new(c), Box::new(d))
            ),
            1 => (any::<u8>(), inner).prop_map(|(k, b)| Expr::Loop(k, Box::new(b))),
        ]
    })
}

fn point() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-1.5..1.5f64, N_INPUTS)
}

/// Central difference of `f` in direction `i`, with its truncation + rounding error estimate
/// (the third derivative is estimated from a second, wider difference).
fn central(f: impl Fn(&[f64]) -> f64, x: &[f64], i: usize) -> (f64, f64) {
    let h = 1e-5;
    let at = |d: f64| f(&fd::shifted(x, i, d));
    let (d1, d2) = fd::two_steps([at(-2.0 * h), at(-h), at(h), at(2.0 * h)], h);
    // Richardson: the difference between the two estimates bounds the truncation error; the
    // rounding error is ~ ε·|f|/h.
    let scale = at(0.0).abs().max(1.0);
    (d1, (d1 - d2).abs() + 1e-15 * scale / h * 8.0)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The same value, bit for bit (or both NaN).
fn identical(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    #[test]
    fn gradient_equals_forward_mode_and_central_differences(e in expr(), x in point()) {
        let (v, g) = gradient(|x: &[Var]| eval(&e, x), &x);
        let plain = eval(&e, &x);
        prop_assert!(v == plain || (v.is_nan() && plain.is_nan()));
        let (vf, gf) = diffprog_dual::gradient(|x| eval(&e, x), &x);
        prop_assert!(close(v, vf, 1e-14 * v.abs().max(1.0)));
        for i in 0..N_INPUTS {
            // same rules, different summation order: agreement to rounding
            let scale = g[i].abs().max(gf[i].abs()).max(1.0);
            prop_assert!(close(g[i], gf[i], 1e-12 * scale), "d/dx{i}: reverse {} forward {}", g[i], gf[i]);
            // central differences, unless a branch flips within the stencil
            let (fd, err) = central(|y| eval(&e, y), &x, i);
            if err < 1e-4 {
                prop_assert!(close(g[i], fd, 10.0 * err + 1e-8 * scale), "d/dx{i}: reverse {} fd {} (err {err})", g[i], fd);
            }
        }
    }

    #[test]
    fn jacobian_and_vjp_equal_forward_jacobian(e1 in expr(), e2 in expr(), x in point(), w in proptest::collection::vec(-2.0..2.0f64, 2)) {
        let (vals, j) = jacobian(|x: &[Var]| vec![eval(&e1, x), eval(&e2, x)], &x);
        let (valsf, jf) = diffprog_dual::jacobian(|x| vec![eval(&e1, x), eval(&e2, x)], &x);
        for k in 0..2 {
            prop_assert!(close(vals[k], valsf[k], 1e-14 * vals[k].abs().max(1.0)));
        }
        for k in 0..2 {
            for i in 0..N_INPUTS {
                let scale = jf[(k, i)].abs().max(1.0);
                prop_assert!(close(j[(k, i)], jf[(k, i)], 1e-12 * scale));
            }
        }
        let (vals2, wj) = vjp(|x: &[Var]| vec![eval(&e1, x), eval(&e2, x)], &x, &w);
        prop_assert_eq!(&vals2, &vals);
        for i in 0..N_INPUTS {
            let expect = w[0] * jf[(0, i)] + w[1] * jf[(1, i)];
            let scale = (w[0] * jf[(0, i)]).abs() + (w[1] * jf[(1, i)]).abs() + 1.0;
            prop_assert!(close(wj[i], expect, 1e-12 * scale));
        }
    }

    #[test]
    fn hessian_equals_hyperdual_and_is_symmetric(e in expr(), x in point(), v in point()) {
        let (val, g, h) = hessian(|x| eval(&e, x), &x);
        let (valh, gh, hh) = diffprog_hyperdual::hessian(|x| eval(&e, x), &x);
        prop_assert!(close(val, valh, 1e-14 * val.abs().max(1.0)));
        for i in 0..N_INPUTS {
            let gs = gh[i].abs().max(1.0);
            prop_assert!(close(g[i], gh[i], 1e-12 * gs));
            for j in 0..N_INPUTS {
                prop_assert_eq!(h[(i, j)].to_bits(), h[(j, i)].to_bits(), "not exactly symmetric");
                let s = hh[(i, j)].abs().max(1.0);
                prop_assert!(close(h[(i, j)], hh[(i, j)], 1e-11 * s), "H[{i},{j}]: mixed {} hyperdual {}", h[(i, j)], hh[(i, j)]);
            }
        }
        // Hessian–vector product: one sweep over Dual elements
        let (valv, gv, hv) = hessian_vector_product(|x| eval(&e, x), &x, &v);
        // Every mode's value is the plain f64 evaluation, bit for bit (`Dual` division once
        // computed a·(1/b), a few ulps from a/b, and this check had a tolerance for it).
        prop_assert!(identical(val, gradient(|x: &[Var]| eval(&e, x), &x).0));
        prop_assert!(identical(valv, val), "HVP value {} vs {}", valv, val);
        for i in 0..N_INPUTS {
            prop_assert!(close(gv[i], g[i], 1e-13 * g[i].abs().max(1.0)));
            let expect: f64 = (0..N_INPUTS).map(|j| h[(i, j)] * v[j]).sum();
            let scale: f64 = (0..N_INPUTS).map(|j| (h[(i, j)] * v[j]).abs()).sum::<f64>() + 1.0;
            prop_assert!(close(hv[i], expect, 1e-11 * scale), "Hv[{i}]: {} vs {}", hv[i], expect);
        }
    }
}

/// A larger Hessian spanning several chunks (n = 19 > 2·8) against hyperdual.
#[test]
fn hessian_over_several_chunks() {
    fn f<T: Scalar>(x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s += a * a * 100.0 + b * b + (x[i] * x[x.len() - 1 - i]).sin();
        }
        s
    }
    let x: Vec<f64> = (0..19).map(|i| 0.3 + 0.05 * i as f64).collect();
    let (v, g, h) = hessian(f, &x);
    let (vh, gh, hh) = diffprog_hyperdual::hessian(f, &x);
    assert!((v - vh).abs() <= 1e-14 * v.abs());
    for i in 0..x.len() {
        assert!((g[i] - gh[i]).abs() <= 1e-12 * gh[i].abs().max(1.0));
        for j in 0..x.len() {
            assert_eq!(h[(i, j)], h[(j, i)]);
            assert!((h[(i, j)] - hh[(i, j)]).abs() <= 1e-11 * hh[(i, j)].abs().max(1.0));
        }
    }
}

/// The shapes the block sweeps' bounds must handle (they compute only tangents a curved record
/// reads, and stop past the last such reader of the block's active records): a long linear
/// chain whose end is squared (every tangent along the chain is needed), a curved record that
/// reads an early input after everything else, a curved record with a zero adjoint, and a
/// running sum that no curved record reads (its tangents are skipped).
#[test]
fn hessian_of_linear_chains_and_late_readers() {
    fn f<T: Scalar>(x: &[T]) -> T {
        let n = x.len();
        let mut chain = T::zero();
        let mut sum = T::zero();
        for i in 0..n {
            chain = chain * 0.5 + x[i]; // linear in every input
            sum += (x[i] * x[(i + 1) % n]).sin(); // curved, local, summed linearly
        }
        let dead = x[3].exp() * 0.0; // curved record with a zero adjoint
        chain * chain + sum + x[0] * x[n - 1] * x[n / 2] + dead
    }
    let x: Vec<f64> = (0..27).map(|i| -0.6 + 0.045 * i as f64).collect();
    let (v, g, h) = hessian(f, &x);
    let (vh, gh, hh) = diffprog_hyperdual::hessian(f, &x);
    assert!((v - vh).abs() <= 1e-14 * v.abs().max(1.0));
    for i in 0..x.len() {
        assert!((g[i] - gh[i]).abs() <= 1e-12 * gh[i].abs().max(1.0));
        for j in 0..x.len() {
            assert_eq!(h[(i, j)].to_bits(), h[(j, i)].to_bits());
            assert!(
                (h[(i, j)] - hh[(i, j)]).abs() <= 1e-11 * hh[(i, j)].abs().max(1.0),
                "H[{i},{j}]: {} vs hyperdual {}",
                h[(i, j)],
                hh[(i, j)]
            );
        }
    }
    // The chain couples every pair: no entry is zero.
    assert!(h.iter().all(|&e| e != 0.0));
}

/// Inputs of the sparse programs below: three Hessian blocks of `hessian` (8 columns each).
const WIDE: usize = 21;

proptest! {
    #![proptest_config(diffprog_testkit::config(24))]

    /// Sums of small random programs over 21 inputs: sparse Hessians with couplings across
    /// blocks, and subexpressions of unseeded inputs recorded before the seeded ones are read
    /// (the block sweeps skip records by activity and start at the first reader of a block's
    /// inputs, so these are the cases that could go wrong). Checked against the re-recording
    /// `Var<DualVec>` Hessian and the hyperdual one.
    #[test]
    fn sparse_hessians_over_several_blocks_agree(
        terms in proptest::collection::vec(expr_over(WIDE), 1..6),
        x in proptest::collection::vec(-1.5..1.5f64, WIDE),
    ) {
        fn total<T: Scalar>(terms: &[Expr], x: &[T]) -> T {
            // Evaluate the terms in reverse so late inputs are often read first.
            terms.iter().rev().map(|t| eval(t, x)).fold(T::zero(), |a, b| a + b)
        }
        let (v, g, h) = hessian(|x| total(&terms, x), &x);
        let (v4, g4, h4) = hessian_chunked::<4, _>(|x| total(&terms, x), &x);
        let (vh, gh, hh) = diffprog_hyperdual::hessian(|x| total(&terms, x), &x);
        // Values bit for bit (see the HVP check above).
        prop_assert!(identical(v, gradient(|x: &[Var]| total(&terms, x), &x).0));
        prop_assert!(identical(v4, v), "{} vs re-recording {}", v, v4);
        prop_assert!(identical(vh, v), "{} vs hyperdual {}", v, vh);
        for i in 0..WIDE {
            prop_assert!(close(g[i], g4[i], 1e-12 * g[i].abs().max(1.0)));
            prop_assert!(close(g[i], gh[i], 1e-12 * g[i].abs().max(1.0)));
            for j in 0..WIDE {
                prop_assert_eq!(h[(i, j)].to_bits(), h[(j, i)].to_bits(), "not exactly symmetric");
                let s = hh[(i, j)].abs().max(1.0);
                prop_assert!(close(h[(i, j)], h4[(i, j)], 1e-11 * s), "H[{i},{j}]: {} vs re-recording {}", h[(i, j)], h4[(i, j)]);
                prop_assert!(close(h[(i, j)], hh[(i, j)], 1e-11 * s), "H[{i},{j}]: {} vs hyperdual {}", h[(i, j)], hh[(i, j)]);
            }
        }
    }
}

//! Shared by the gradient-check suites (`ops_gradcheck.rs`, `conv_gradcheck.rs`,
//! `pool_gradcheck.rs`, `norm_gradcheck.rs`): [`check`] records a tensor op on random inputs and
//! compares its value with a scalar reference written with `Scalar` ops, and its backward pass
//! with (1) forward-mode `Dual` derivatives of that reference, (2) the scalar reverse tape
//! (`diffprog_reverse`) on the same reference and (3) central differences of the tensor forward.
#![allow(dead_code)] // each suite uses a part

use diffprog_dual::Dual;
use diffprog_nn::{Graph, NodeId};
use diffprog_reverse::Var;
use diffprog_testkit::fd;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn numel(s: &[usize]) -> usize {
    s.iter().product()
}

pub fn values(shape: &[usize], lo: f64, hi: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..numel(shape))
        .map(|_| rng.random_range(lo..hi))
        .collect()
}

/// The reference: plain `f64` and `Dual<f64>` instantiations of one generic scalar function
/// of the inputs and some integer parameters (sizes, axes, labels).
pub type RefFn<T> = fn(&[Vec<T>], &[usize]) -> Vec<T>;

pub struct Reference {
    pub f64: RefFn<f64>,
    pub dual: RefFn<Dual<f64>>,
    pub var: RefFn<Var>,
}

/// A [`Reference`] from one generic body: `reference!(|x, d| ...)` with `x: &[Vec<T>]` the
/// inputs and `d: &[usize]` the integer parameters.
#[allow(unused_macros)] // a suite may build its references otherwise
macro_rules! reference {
    (|$x:ident, $d:ident| $body:expr) => {{
        #[allow(unused_variables)]
        fn r<T: diffprog_dual::Scalar>($x: &[Vec<T>], $d: &[usize]) -> Vec<T> {
            $body
        }
        $crate::common::Reference {
            f64: r::<f64>,
            dual: r::<diffprog_dual::Dual<f64>>,
            var: r::<diffprog_reverse::Var>,
        }
    }};
}

/// Records `tensor` on leaves with the given values, checks value and gradient of the
/// weighted sum Σ wᵢ outᵢ (random w) against the reference and central differences.
pub fn check(
    inputs: &[Vec<f64>],
    shapes: &[Vec<usize>],
    tensor: impl Fn(&mut Graph<f64>, &[NodeId]) -> NodeId,
    reference: &Reference,
    params: &[usize],
    seed: u64,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let run = |xs: &[Vec<f64>]| -> (Vec<f64>, Vec<usize>) {
        let mut g = Graph::<f64>::new();
        let ids: Vec<NodeId> = xs.iter().zip(shapes).map(|(x, s)| g.input(x, s)).collect();
        let out = tensor(&mut g, &ids);
        (g.value(out).to_vec(), g.shape(out).dims().to_vec())
    };
    let (value, out_shape) = run(inputs);
    let expected = (reference.f64)(inputs, params);
    assert_eq!(
        value.len(),
        expected.len(),
        "output size differs from the reference"
    );
    for (i, (a, b)) in value.iter().zip(&expected).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
            "value[{i}]: tensor {a} vs reference {b}"
        );
    }
    let w: Vec<f64> = (0..value.len())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();

    // tensor backward
    let mut g = Graph::<f64>::new();
    let ids: Vec<NodeId> = inputs
        .iter()
        .zip(shapes)
        .map(|(x, s)| g.leaf(x, s))
        .collect();
    let out = tensor(&mut g, &ids);
    let wn = g.input(&w, &out_shape);
    let prod = g.mul(out, wn);
    let loss = g.sum(prod);
    g.backward(loss);
    let grads: Vec<Vec<f64>> = ids
        .iter()
        .zip(inputs)
        .map(|(&id, x)| g.grad(id).map(|v| v.to_vec()).unwrap_or(vec![0.0; x.len()]))
        .collect();

    // the scalar reverse tape on the reference
    let flat: Vec<f64> = inputs.iter().flatten().copied().collect();
    let (_, tape_grad) = diffprog_reverse::gradient(
        |v: &[Var]| {
            let mut xs = Vec::new();
            let mut off = 0;
            for x in inputs {
                xs.push(v[off..off + x.len()].to_vec());
                off += x.len();
            }
            (reference.var)(&xs, params)
                .into_iter()
                .zip(&w)
                .map(|(o, &wi)| o * wi)
                .sum()
        },
        &flat,
    );
    let mut flat_i = 0;

    for (k, x) in inputs.iter().enumerate() {
        for j in 0..x.len() {
            // forward mode on the reference
            let dual_in: Vec<Vec<Dual<f64>>> = inputs
                .iter()
                .enumerate()
                .map(|(kk, xx)| {
                    xx.iter()
                        .enumerate()
                        .map(|(jj, &v)| Dual::new(v, if kk == k && jj == j { 1.0 } else { 0.0 }))
                        .collect()
                })
                .collect();
            let d: f64 = (reference.dual)(&dual_in, params)
                .iter()
                .zip(&w)
                .map(|(o, wi)| o.eps * wi)
                .sum();
            // central difference of the tensor forward
            let h = 1e-6 * (1.0 + x[j].abs());
            let weighted = |y: &[f64]| -> f64 {
                let mut xs = inputs.to_vec();
                xs[k] = y.to_vec();
                run(&xs).0.iter().zip(&w).map(|(a, b)| a * b).sum()
            };
            let fd = fd::partial(weighted, x, j, h);
            let got = grads[k][j];
            let scale = 1.0 + d.abs();
            assert!(
                (got - d).abs() <= 1e-10 * scale,
                "input {k}[{j}]: tensor grad {got} vs Dual {d}"
            );
            let t = tape_grad[flat_i];
            flat_i += 1;
            assert!(
                (got - t).abs() <= 1e-10 * scale,
                "input {k}[{j}]: tensor grad {got} vs scalar tape {t}"
            );
            assert!(
                (got - fd).abs() <= 1e-5 * scale,
                "input {k}[{j}]: tensor grad {got} vs central difference {fd}"
            );
        }
    }
}

pub fn rand_inputs(shapes: &[Vec<usize>], lo: f64, hi: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    shapes.iter().map(|s| values(s, lo, hi, &mut rng)).collect()
}

/// The grid of non-finite-test values: finite ones (zeros of both signs included) and ±∞, NaN.
pub const FINITE: [f64; 4] = [0.0, -0.0, 1.0, -2.5];
pub const NONFINITE: [f64; 3] = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN];

/// Records `tensor` on leaves with values from [`FINITE`] and [`NONFINITE`] (each element
/// non-finite with a per-case probability of 0, 0.1 or 0.4), seeds its backward pass with
/// upstream gradients from the same grid, and checks every gradient against the scalar reverse
/// tape on `reference`: the same class (finite, +∞, −∞, NaN) and, where finite, the same value
/// within 1e-12 relative. Returns how many gradients were not finite (for the caller to check
/// that the cases exercise them).
pub fn check_nonfinite(
    shapes: &[Vec<usize>],
    tensor: impl Fn(&mut Graph<f64>, &[NodeId]) -> NodeId,
    reference: &Reference,
    params: &[usize],
    cases: usize,
    seed: u64,
) -> usize {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut nonfinite = 0;
    for case in 0..cases {
        let p = [0.0, 0.1, 0.4][case % 3];
        let mut draw = |n: usize| -> Vec<f64> {
            (0..n)
                .map(|_| {
                    if rng.random_bool(p) {
                        NONFINITE[rng.random_range(0..3)]
                    } else {
                        FINITE[rng.random_range(0..4)]
                    }
                })
                .collect()
        };
        let xs: Vec<Vec<f64>> = shapes.iter().map(|s| draw(numel(s))).collect();
        let mut g = Graph::<f64>::new();
        let ids: Vec<NodeId> = xs.iter().zip(shapes).map(|(x, s)| g.leaf(x, s)).collect();
        let out = tensor(&mut g, &ids);
        let up = draw(g.shape(out).numel());
        g.backward_with_grad(out, &up);
        let got: Vec<f64> = ids
            .iter()
            .zip(&xs)
            .flat_map(|(&id, x)| g.grad(id).map(|v| v.to_vec()).unwrap_or(vec![0.0; x.len()]))
            .collect();
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let (_, tape) = diffprog_reverse::gradient(
            |v: &[Var]| {
                let mut parts = Vec::new();
                let mut off = 0;
                for x in &xs {
                    parts.push(v[off..off + x.len()].to_vec());
                    off += x.len();
                }
                (reference.var)(&parts, params)
                    .into_iter()
                    .zip(&up)
                    .map(|(o, &u)| o * u)
                    .sum()
            },
            &flat,
        );
        for (i, (&a, &b)) in got.iter().zip(&tape).enumerate() {
            let same = if a.is_finite() && b.is_finite() {
                (a - b).abs() <= 1e-12 * (1.0 + b.abs())
            } else {
                a == b || (a.is_nan() && b.is_nan())
            };
            assert!(
                same,
                "case {case}: gradient {i}: tensor {a} vs scalar tape {b}\ninputs {xs:?}\n\
                 upstream {up:?}"
            );
            nonfinite += !a.is_finite() as usize;
        }
    }
    nonfinite
}

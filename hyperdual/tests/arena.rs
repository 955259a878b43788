//! The arena numbers of `hessian` against the inline representation: identical Hessians on random
//! programs (all elementary functions, non-finite inputs included), the structural pass skipping
//! exactly the block pairs that never interact, misuse of numbers outside their pass, nesting,
//! nalgebra.

use diffprog_dual::Scalar;
use diffprog_hyperdual::{
    hessian, hessian_with_arena_chunk, hessian_with_chunk, ArenaHyperDual, HessianNumber,
    HyperDualVec, HESSIAN_BLOCK,
};
use nalgebra::{DMatrix, Matrix3};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::hint::black_box;

/// Random programs over every kind of operation, including ones that produce infinities and
/// NaNs (division by a value that may be 0, `ln`/`sqrt` of negative numbers, `pow`).
#[derive(Clone, Debug)]
enum Expr {
    Var(usize),
    Const(f64),
    Unary(u8, Box<Expr>),
    Binary(u8, Box<Expr>, Box<Expr>),
}

fn eval<T: Scalar>(e: &Expr, x: &[T]) -> T {
    match e {
        Expr::Var(i) => x[*i % x.len()],
        Expr::Const(c) => T::from_f64(*c),
        Expr::Unary(op, a) => {
            let a = eval(a, x);
            match op % 20 {
                0 => a.sin(),
                1 => a.cos() * 2.0,
                2 => a.exp(),
                3 => a.ln(),
                4 => a.sqrt(),
                5 => a.abs(),
                6 => a.tanh(),
                7 => a.atan(),
                8 => a.recip(),
                // Exponents hidden from the optimiser: with a visible constant, LLVM may turn
                // `pow(x, 0.5)` (inside the rule of `powf(x, 1.5)`) into a `sqrt`, which rounds
                // differently, in one inlining context and not in the other.
                9 => a.powi(black_box(3)),
                10 => a.powf(black_box(1.5)),
                11 => a.cbrt(),
                12 => a.sigmoid(),
                13 => a.relu(),
                14 => -a,
                15 => T::one() - a,
                16 => a * 0.5 + 3.0,
                17 => T::from_f64(2.0) / a,
                18 => a.asinh(),
                _ => a.erf(),
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, x), eval(b, x));
            match op % 11 {
                0 => a + b,
                1 => a - b,
                2 => a * b,
                3 => a / b,
                4 => a.hypot(b),
                5 => a.atan2(b),
                6 => a.max(b),
                7 => a.min(b),
                8 => a.abs().pow(b),
                9 => a * a - b,
                _ => a.mul_add(b, a),
            }
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (0usize..24).prop_map(Expr::Var),
        1 => (-2.0f64..2.0).prop_map(Expr::Const),
    ];
    leaf.prop_recursive(6, 60, 2, |inner| {
        prop_oneof![
            (any::<u8>(), inner.clone()).prop_map(|(o, a)| Expr::Unary(o, Box::new(a))),
            (any::<u8>(), inner.clone(), inner).prop_map(|(o, a, b)| Expr::Binary(
                o,
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

/// Inputs: mostly moderate values, sometimes the special ones.
fn input() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -2.0f64..2.0,
        1 => prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e300,
            -1e-300,
        ]),
    ]
}

/// Equal as values: the same number, or both NaN (±0 compare equal).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn assert_same_results(
    what: &str,
    (va, ga, ha): &(f64, Vec<f64>, DMatrix<f64>),
    (vb, gb, hb): &(f64, Vec<f64>, DMatrix<f64>),
) -> Result<(), TestCaseError> {
    prop_assert!(same(*va, *vb), "{}: value {} vs {}", what, va, vb);
    for (i, (a, b)) in ga.iter().zip(gb).enumerate() {
        prop_assert!(same(*a, *b), "{}: gradient[{}] {} vs {}", what, i, a, b);
    }
    prop_assert_eq!(ha.shape(), hb.shape());
    for i in 0..ha.nrows() {
        for j in 0..ha.ncols() {
            let (a, b) = (ha[(i, j)], hb[(i, j)]);
            prop_assert!(same(a, b), "{}: H[{},{}] {} vs {}", what, i, j, a, b);
        }
    }
    Ok(())
}

proptest! {
    // 64 cases by default; `PROPTEST_CASES` sets more for a deep run.
    #![proptest_config(diffprog_testkit::config(64))]
    /// The arena numbers compute exactly what the inline numbers compute, for chunk sizes with
    /// one, two and many blocks (so with and without the structural pass).
    #[test]
    fn arena_hessian_equals_the_inline_hessian(
        e in expr(),
        x in prop::collection::vec(input(), 1..20),
    ) {
        let f = |z: &[_]| eval(&e, z);
        assert_same_results(
            "chunk 1",
            &hessian_with_arena_chunk::<1>(|z| eval(&e, z), &x),
            &hessian_with_chunk::<1>(|z| eval(&e, z), &x),
        )?;
        assert_same_results(
            "chunk 3",
            &hessian_with_arena_chunk::<3>(|z| eval(&e, z), &x),
            &hessian_with_chunk::<3>(|z| eval(&e, z), &x),
        )?;
        assert_same_results(
            "chunk 8 (hessian)",
            &hessian(f, &x),
            &hessian_with_chunk::<HESSIAN_BLOCK>(|z| eval(&e, z), &x),
        )?;
    }
}

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

#[test]
fn the_structural_pass_skips_exactly_the_blocks_that_never_interact() {
    // 40 inputs in blocks of 4: 10 blocks, 55 block pairs.
    // Rosenbrock couples neighbours: 10 diagonal + 9 adjacent pairs, plus the structural pass.
    let calls = Cell::new(0);
    let x: Vec<f64> = (0..40).map(|i| 0.1 * i as f64 - 1.0).collect();
    let (_, _, h) = hessian_with_arena_chunk::<4>(
        |z| {
            calls.set(calls.get() + 1);
            rosenbrock(z)
        },
        &x,
    );
    assert_eq!(calls.get(), 1 + 10 + 9);
    assert_eq!(h, hessian_with_chunk::<4>(rosenbrock, &x).2);
    // A separable sum: only the diagonal blocks.
    calls.set(0);
    let (_, _, h) = hessian_with_arena_chunk::<4>(
        |z| {
            calls.set(calls.get() + 1);
            z.iter().map(|&v| v.sin() * v).sum()
        },
        &x,
    );
    assert_eq!(calls.get(), 1 + 10);
    assert_eq!(
        h,
        hessian_with_chunk::<4>(|z| z.iter().map(|&v| v.sin() * v).sum(), &x).2
    );
    // A dense function: every pair. Linear terms couple nothing: (Σx)·x₀ couples x₀ with all,
    // Σxᵢ² + 3·Σxᵢ only the diagonal blocks.
    calls.set(0);
    let dense = |z: &[ArenaHyperDual<4>]| {
        calls.set(calls.get() + 1);
        let s: ArenaHyperDual<4> = z.iter().copied().sum();
        (s * s).exp()
    };
    let _ = hessian_with_arena_chunk::<4>(dense, &x);
    assert_eq!(calls.get(), 1 + 55);
    calls.set(0);
    let star = |z: &[ArenaHyperDual<4>]| {
        calls.set(calls.get() + 1);
        let s: ArenaHyperDual<4> = z.iter().copied().sum();
        s * z[0]
            + z.iter()
                .map(|&v| v * v + v * 3.0)
                .sum::<ArenaHyperDual<4>>()
    };
    let (_, _, h) = hessian_with_arena_chunk::<4>(star, &x);
    // Pairs (block 0, any) and the diagonal: 10 + 9.
    assert_eq!(calls.get(), 1 + 10 + 9);
    for i in 0..40 {
        for j in 0..40 {
            let want = match (i, j) {
                (0, 0) => 4.0,
                (0, _) | (_, 0) => 1.0,
                _ if i == j => 2.0,
                _ => 0.0,
            };
            assert_eq!(h[(i, j)], want, "H[{i},{j}]");
        }
    }
}

#[test]
fn one_or_two_blocks_take_no_structural_pass() {
    let calls = Cell::new(0);
    let x = [0.5, -1.0, 2.0, 0.25, 1.5];
    let _ = hessian_with_arena_chunk::<4>(
        |z| {
            calls.set(calls.get() + 1);
            rosenbrock(z)
        },
        &x,
    );
    // Blocks {0..4}, {4}: (0,0), (0,1), (1,1).
    assert_eq!(calls.get(), 3);
}

#[test]
#[should_panic(expected = "has ended")]
fn a_number_kept_after_its_pass_is_refused() {
    let kept: RefCell<Option<HessianNumber>> = RefCell::new(None);
    let _ = hessian(
        |z| {
            let y = z[0] * z[1];
            *kept.borrow_mut() = Some(y);
            y
        },
        [1.0, 2.0],
    );
    let y = kept.borrow().unwrap();
    let _ = y * y;
}

#[test]
#[should_panic(expected = "was used in pass")]
fn a_number_from_an_earlier_call_is_refused_in_a_later_pass() {
    let kept: RefCell<Option<HessianNumber>> = RefCell::new(None);
    let _ = hessian(
        |z| {
            let y = z[0] * z[1];
            *kept.borrow_mut() = Some(y);
            y
        },
        [1.0, 2.0],
    );
    let old = kept.borrow().unwrap();
    let _ = hessian(|z| z[0] * old, [3.0]);
}

/// The value, the node index and the 64-bit pass id, whatever N is.
#[test]
fn the_numbers_are_small_handles() {
    assert_eq!(std::mem::size_of::<HessianNumber>(), 24);
    assert_eq!(std::mem::size_of::<ArenaHyperDual<32>>(), 24);
}

#[test]
#[should_panic(expected = "on another thread")]
fn a_number_used_on_another_thread_is_refused() {
    let _ = hessian(
        |z| {
            let y = z[0] * z[1];
            // The other thread's arena has no open pass: its parts cannot be found there.
            std::thread::scope(|s| s.spawn(|| y * y).join())
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        },
        [1.0, 2.0],
    );
}

#[test]
#[should_panic(expected = "was used in pass")]
fn a_number_used_in_another_threads_pass_is_refused() {
    let _ = hessian(
        |z| {
            let y = z[0] * z[1];
            // The other thread runs a pass of its own: the number is still not from it.
            std::thread::scope(|s| s.spawn(|| hessian(|w| w[0] * y, [1.0]).0).join())
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            y
        },
        [1.0, 2.0],
    );
}

#[test]
fn constants_work_outside_any_pass() {
    let c = HessianNumber::constant(1.5);
    let d = (c * c + 2.0).ln() / c;
    assert_eq!(d.re(), (1.5f64 * 1.5 + 2.0).ln() / 1.5);
    assert_eq!(d.eps1(), [0.0; HESSIAN_BLOCK]);
    assert_eq!(
        format!("{}", HessianNumber::constant(2.5))
            .split(' ')
            .next(),
        Some("2.5")
    );
}

#[test]
fn arena_hessians_nest_at_different_chunk_sizes() {
    // The outer function uses the Hessian of an inner one at plain values of its inputs.
    let (v, g, h) = hessian(
        |z| {
            let (_, _, inner) = hessian_with_arena_chunk::<2>(
                |w| w[0] * w[0] * w[1] * w[1] * w[2],
                &[z[0].value(), 2.0, 3.0],
            );
            z[0] * z[1] * inner[(1, 1)]
        },
        [1.5, 4.0],
    );
    // inner H[1][1] = 2·w0²·w2 = 2·2.25·3 = 13.5, a constant for the outer level.
    assert_eq!(v, 1.5 * 4.0 * 13.5);
    assert_eq!(g, vec![4.0 * 13.5, 1.5 * 13.5]);
    assert_eq!(h[(0, 1)], 13.5);
    assert_eq!(h[(0, 0)], 0.0);
}

#[test]
fn determinant_hessian_through_nalgebra_matches_the_inline_numbers() {
    fn det<T: Scalar + nalgebra::RealField + Copy>(v: &[T]) -> T {
        let m = Matrix3::from_row_slice(v);
        m.lu().determinant()
    }
    let x = [2.0, 0.5, -1.0, 0.3, 3.0, 0.7, -0.4, 1.1, 4.0];
    let (va, ga, ha) = hessian(det, x);
    let (vb, gb, hb) = hessian_with_chunk::<HESSIAN_BLOCK>(det, &x);
    assert!((va - vb).abs() < 1e-14 * vb.abs());
    for (a, b) in ga.iter().zip(&gb) {
        assert!((a - b).abs() < 1e-13 * (1.0 + b.abs()), "{a} vs {b}");
    }
    for (a, b) in ha.iter().zip(hb.iter()) {
        assert!((a - b).abs() < 1e-13 * (1.0 + b.abs()), "{a} vs {b}");
    }
    // ∂²det/∂a₀₀∂a₁₁ = a₂₂.
    assert!((ha[(0, 4)] - 4.0).abs() < 1e-13);
}

#[test]
fn hyperdualvec_division_by_zero_keeps_inactive_parts_zero() {
    // 1/y at y = 0 with y seeded only in ε₂: the ε₁ part does not depend on y and stays 0.
    let y = HyperDualVec::<f64, 1, 1>::variable(0.0, None, Some(0));
    let q = HyperDualVec::<f64, 1, 1>::lift(1.0) / y;
    assert_eq!(q.eps1(), &[0.0]);
    assert_eq!(q.eps12(), &[[0.0]]);
    assert!(q.eps2()[0].is_nan() || q.eps2()[0].is_infinite());
}

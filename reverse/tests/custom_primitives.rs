//! `Var::custom` with any number of parents — inputs, intermediates carrying two entries,
//! constants, the same parent twice — gives the gradients of the linear combination of its
//! parents it stands for. (One and two parents take the unary and binary operations' path, more
//! are chained one by one: every path is covered.)

use diffprog_dual::Scalar;
use diffprog_reverse::{gradient, Var};
use proptest::prelude::*;

/// The parent pool: inputs, intermediates of one and two entries, a constant.
fn pool(x: &[Var]) -> Vec<Var> {
    vec![
        x[0],
        x[1],
        x[2],
        x[0] * x[1],
        x[1].sin() * x[2],
        x[2].exp(),
        Var::constant(2.5),
    ]
}

/// `out(y) = y² + y` of `y = Σ d·p` over the chosen parents, written once with `Var::custom`
/// (value and partials given) and once with operations.
fn out(x: &[Var], chosen: &[(usize, f64)], use_custom: bool) -> Var {
    let p = pool(x);
    let y = if use_custom {
        let value: f64 = chosen.iter().map(|&(k, d)| d * p[k].primal()).sum();
        let parents: Vec<(Var, f64)> = chosen.iter().map(|&(k, d)| (p[k], d)).collect();
        Var::custom(value, &parents)
    } else {
        chosen
            .iter()
            .fold(Var::constant(0.0), |acc, &(k, d)| acc + p[k] * d)
    };
    y * y + y
}

fn check(x: &[f64], chosen: &[(usize, f64)]) {
    let (v_custom, g_custom) = gradient(|v: &[Var]| out(v, chosen, true), x);
    let (v_ops, g_ops) = gradient(|v: &[Var]| out(v, chosen, false), x);
    let scale = g_ops.iter().fold(1.0_f64, |m, g| m.max(g.abs()));
    assert!(
        (v_custom - v_ops).abs() <= 1e-12 * v_ops.abs().max(1.0),
        "{chosen:?}: value {v_custom} vs {v_ops}"
    );
    for (k, (a, b)) in g_custom.iter().zip(&g_ops).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 * scale,
            "{chosen:?}: component {k}: custom {a} vs operations {b}"
        );
    }
}

#[test]
fn every_parent_count_and_kind() {
    let x = [0.7, -1.3, 0.4];
    check(&x, &[]);
    check(&x, &[(0, 2.0)]);
    check(&x, &[(3, -1.5)]); // one parent with two entries
    check(&x, &[(6, 3.0)]); // a constant only: the result is a constant
    check(&x, &[(0, 2.0), (1, -0.5)]);
    check(&x, &[(0, 2.0), (0, 0.25)]); // the same parent twice
    check(&x, &[(3, 1.0), (4, -2.0)]); // two parents of two entries each: a record
    check(&x, &[(6, 1.0), (2, 4.0)]); // a constant and a variable
    check(&x, &[(0, 1.0), (1, 2.0), (2, 3.0)]);
    check(&x, &[(3, 1.0), (4, 1.0), (5, 1.0), (0, -1.0), (6, 2.0)]);
}

#[test]
fn the_bessel_example_two_ways() {
    // J₀ with J₀' = −J₁ (the doc example), and a two-parent primitive f(a, b) = a·J₀(b).
    let (v, g) = gradient(
        |x: &[Var]| {
            let (a, b) = (x[0].primal(), x[1].primal());
            Var::custom(
                a * libm::j0(b),
                &[(x[0], libm::j0(b)), (x[1], -a * libm::j1(b))],
            )
        },
        [1.5, 2.0],
    );
    assert_eq!(v, 1.5 * libm::j0(2.0));
    assert_eq!(g, vec![libm::j0(2.0), -1.5 * libm::j1(2.0)]);
}

proptest! {
    #[test]
    fn random_parents_match_the_operations(
        x in prop::collection::vec(-2.0f64..2.0, 3),
        chosen in prop::collection::vec((0usize..7, -3.0f64..3.0), 0..7),
    ) {
        check(&x, &chosen);
    }
}

//! The cross-mode property suite: random programs, written once, differentiated in every mode;
//! the modes must agree with each other and with central finite differences.
//!
//! The programs and the checks live in the test kit (`diffprog_testkit::programs`, the feature
//! `programs`), shared with the fuzz target `fuzz/fuzz_targets/programs.rs`:
//!
//! - `program`: the [`Program`](program::Program) type, its readable `Display`, the proptest
//!   strategies, and the decoder from the fuzzer's bytes;
//! - `eval`: the one generic evaluator;
//! - `tolerance`: every tolerance, stated once, with its derivation;
//! - `checks`: the comparisons, one function per question (gradient, Jacobian, Hessian, and
//!   the NaN/∞ patterns at non-finite inputs and singular points);
//! - `flow`: the chain rule's sums of a program, term by term, to find the ones whose order
//!   of summation decides a NaN/∞ pattern (which the pattern comparisons then leave out).
//!
//! This file is the proptest driver, with the fixed regression cases (from deep runs and from
//! the fuzz target).
//!
//! Each test runs `PROPTEST_CASES` programs if that variable is set (a deep run:
//! `PROPTEST_CASES=100000 cargo test --release --test cross_mode -- --nocapture`, fresh random
//! programs each run), else a fixed, deterministic set of programs
//! sized for CI. With `--nocapture` each test prints how many cases it checked and how many
//! finite-difference comparisons it skipped, and why.

use diffprog_testkit::programs::checks::{self, Stats};
use diffprog_testkit::programs::eval;
use diffprog_testkit::programs::program::{
    self, case, Case, ALL_BINARY, ALL_UNARY, MAX_INPUTS, MAX_NODES,
};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestCaseResult, TestError, TestRng, TestRunner};

/// The proptest configuration: `default_cases` programs unless `PROPTEST_CASES` is set.
fn config(default_cases: u32) -> Config {
    let cases = diffprog_testkit::cases(default_cases);
    Config {
        cases,
        // Cases whose values are not finite are rejected (and counted); never fail for that.
        max_global_rejects: cases.max(1024),
        max_local_rejects: u32::MAX,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs `check` on `default_cases` random cases; on failure prints the shrunk program readably.
fn run(name: &str, default_cases: u32, check: impl Fn(&Case, &Stats) -> TestCaseResult) {
    let stats = run_on(name, default_cases, case(MAX_INPUTS, MAX_NODES), check);
    println!("{name}: {}", stats.summary());
    stats.assert_enough_checked(name);
}

/// Runs `check` on `default_cases` cases drawn from `strategy`; returns the counters.
fn run_on(
    name: &str,
    default_cases: u32,
    strategy: impl Strategy<Value = Case>,
    check: impl Fn(&Case, &Stats) -> TestCaseResult,
) -> Stats {
    let stats = Stats::default();
    // CI (no PROPTEST_CASES) runs a fixed, deterministic set of programs; a deep run draws fresh
    // random programs every time.
    let cfg = config(default_cases);
    let mut runner = if std::env::var_os("PROPTEST_CASES").is_some() {
        TestRunner::new(cfg)
    } else {
        let rng = TestRng::deterministic_rng(cfg.rng_algorithm);
        TestRunner::new_with_rng(cfg, rng)
    };
    let result = runner.run(&strategy, |c| check(&c, &stats));
    match result {
        Ok(()) => stats,
        Err(TestError::Fail(reason, c)) => {
            panic!("{name}: modes disagree on the (shrunk) case\n{c}\n{reason}")
        }
        Err(TestError::Abort(reason)) => panic!("{name}: aborted: {reason}"),
    }
}

#[test]
fn gradients_agree_across_modes() {
    run("gradient", 8000, checks::gradient);
}

#[test]
fn jacobians_agree_across_modes() {
    run("jacobian", 6000, checks::jacobian);
}

#[test]
fn hessians_agree_across_modes() {
    run("hessian", 5000, checks::hessian);
}

/// At points with infinite and NaN inputs, every mode has the same NaN/∞ pattern (the
/// strong-zero rule of the edge table) and the same finite values.
#[test]
fn nonfinite_patterns_agree_across_modes() {
    let name = "patterns at non-finite inputs";
    let stats = run_on(
        name,
        3000,
        program::nonfinite_case(MAX_INPUTS, MAX_NODES),
        checks::patterns,
    );
    println!("{name}: {}", stats.pattern_summary());
    stats.assert_patterns_compared(name);
}

/// A node applying a unary operation with constant `c` to reference `a` (for the fixed cases).
fn unary_node(op: program::Unary, c: f64, a: usize) -> program::Node<usize> {
    program::Node::Expr(program::Expr::Unary { op, c, a })
}

/// A node applying a binary operation to references `a` and `b` (for the fixed cases).
fn binary_node(op: program::Binary, a: usize, b: usize) -> program::Node<usize> {
    program::Node::Expr(program::Expr::Binary { op, a, b })
}

/// Runs one check on a fixed case (printing it first) and panics with its report if it fails;
/// returns the counters.
fn check_case(case: Case, check: fn(&Case, &Stats) -> TestCaseResult) -> Stats {
    println!("{case}");
    let stats = Stats::default();
    if let Err(e) = check(&case, &stats) {
        panic!("{e}");
    }
    stats
}

/// A case a deep run found: `atan2` 0.034 from the origin on arguments from a cancellation
/// (`x − ln(1 + 0.9·tanh x) ≈ 0.016`). The central difference of the second derivative along `v`
/// was 1.1·10⁻⁶ from the exact third derivative 5.2433319121067 (mpmath), outside the
/// finite-difference bound before that bound allowed for singular points (see `tolerance.rs`);
/// Taylor3 was within 8·10⁻¹¹ relative. The program is the shrunk case as printed.
#[test]
fn finite_differences_near_a_singular_point_regression() {
    check_case(
        finite_differences_near_a_singular_point_case(),
        checks::hessian,
    );
}

/// The case of [`finite_differences_near_a_singular_point_regression`].
fn finite_differences_near_a_singular_point_case() -> Case {
    use program::{Binary::*, Node, Program, Step, Unary::*};
    // Input x0 is reference 0, node vₖ is reference k + 1.
    let nodes = vec![
        unary_node(Ln1p, 0.0, 0),    // v0 = ln_1p(0.9·tanh x0)
        binary_node(Sub, 0, 1),      // v1 = x0 − v0
        binary_node(DivPos, 2, 0),   // v2 = v1/(1.5 + tanh x0)
        binary_node(Atan2, 3, 2),    // v3 = atan2(v2, v1)
        binary_node(Add, 2, 3),      // v4 = v1 + v2
        binary_node(Add, 2, 2),      // v5 = v1 + v1
        unary_node(Powi(5), 0.0, 6), // v6 = v5⁵
        Node::Loop {
            init: 4,
            count: 1,
            max: 2,
            body: vec![Step::Unary {
                op: Powi(5),
                c: 0.0,
            }],
        }, // v7
        binary_node(Hypot, 2, 5),    // v8 = hypot(v1, v4)
        binary_node(DivPos, 5, 4),   // v9 = v4/(1.5 + tanh v3)
        binary_node(DivPos, 2, 0),   // v10 = v1/(1.5 + tanh x0)
        unary_node(Ln, 0.0, 5),      // v11 = ln(1 + v4²)
        unary_node(Affine, -0.3409502569846208, 2), // v12
        unary_node(Ln1p, 0.0, 2),    // v13 = ln_1p(0.9·tanh v1)
        binary_node(DivPos, 0, 2),   // v14 = x0/(1.5 + tanh v1)
        unary_node(Exp, 0.0, 4),     // v15 = exp(v3)
        binary_node(DivNeg, 5, 5),   // v16 = v4/(−1.5 + tanh v4)
        binary_node(Hypot, 8, 14),   // v17 = hypot(v7, v13)
        unary_node(Recip, -1.0, 8),  // v18 = 1/(−1.5 + tanh v7)
    ];
    let program = Program {
        n_inputs: 1,
        nodes,
        outputs: vec![7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19],
    };
    Case {
        program,
        x: vec![-2.0112096725364847],
        v: vec![0.5928313569017976],
        w: vec![0.0; 11],
    }
}

/// A deep run's case (`PROPTEST_CASES=100000`, eighth session): `atan2(v7, v7)` is constant, but
/// its argument moves fast — `v7 = 0.75·sin v2 + cos v2` with `v2 = exp_m1(v1) ≈ 1200`, so
/// `dv7/dx ≈ −2.3·10⁴` and `d²v7/dx² ≈ −4.6·10⁸` (mpmath) — and its second-order terms, of size
/// ≈ 5·10⁸, cancel. The exact `H[0,0]` is 66.53144995528235 (mpmath, with or without the atan2
/// node); hyper-dual numbers and `hessian_chunked::<2>` gave it to an ulp, the `HessianVar` engine
/// (`reverse::hessian`) gave 66.53145012348304 — 1.7·10⁻⁷ off, 0.3 ulp of the terms it summed,
/// outside the mode-vs-mode tolerance before that tolerance allowed for the size of the
/// second-order terms (see `tolerance.rs`). The program is the shrunk case as printed.
#[test]
fn hessian_with_cancelling_second_order_terms_regression() {
    check_case(
        hessian_with_cancelling_second_order_terms_case(),
        checks::hessian,
    );
}

/// The case of [`hessian_with_cancelling_second_order_terms_regression`].
fn hessian_with_cancelling_second_order_terms_case() -> Case {
    use program::{Binary::*, Expr, Node, Program, Rhs, Unary::*};
    // Input x0 is reference 0, node vₖ is reference k + 1.
    let nodes = vec![
        unary_node(Sqrt, 0.46096727569695095, 0), // v0 = sqrt(x0² + 0.5609672756969509)
        binary_node(Pow, 0, 1),                   // v1 = (0.5 + x0²)^v0
        unary_node(ExpM1, 0.0, 2),                // v2 = exp_m1(v1)
        Node::Branch {
            lhs: 2,
            rhs: Rhs::Node(0),
            then: Expr::Binary {
                op: DivPos,
                a: 1,
                b: 3,
            },
            els: Expr::Binary {
                op: Min,
                a: 0,
                b: 1,
            },
        }, // v3 = if v1 < x0 { v0/(1.5 + tanh v2) } else { min(x0, v0) }
        unary_node(AffineAssign, -1.0000351973299124, 4), // v4
        binary_node(Hypot, 1, 4),                 // v5 = hypot(v0, v3)
        binary_node(Add, 1, 1),                   // v6 = v0 + v0
        unary_node(SinCos, 0.0, 3),               // v7 = 0.75·sin v2 + cos v2
        unary_node(AffineAssign, 0.8442206443210035, 7), // v8
        binary_node(Add, 7, 2),                   // v9 = v6 + v1
        unary_node(Powi(-3), 0.0, 7),             // v10 = (v6² + 0.5)^-3
        binary_node(Atan2, 8, 8),                 // v11 = atan2(v7, v7)
    ];
    let program = Program {
        n_inputs: 1,
        nodes,
        outputs: vec![5, 6, 9, 10, 11, 12],
    };
    Case {
        program,
        x: vec![1.593593238784836],
        v: vec![0.0],
        w: vec![0.0; 6],
    }
}

/// A deep run's case (`PROPTEST_CASES=200000 … --test cross_mode`, eighth session), reduced by
/// hand: `atan2(y, x)` with x < 0 on its branch cut, where `y = (x₁ − x₁)·max(x₁, x₀)` is zero at
/// every point of the finite-difference stencil but +0 for x₀ > 0 and −0 for x₀ < 0, so atan2 is
/// +π on one side and −π on the other. The trace recorded the side of the cut as that of the
/// value, the same (0) for both zeros, so the jump went unnoticed and the central difference (0)
/// was compared with the derivative (π). Now zeros are told apart by their sign and the case is
/// skipped as a path change. (The deep run's case: 16 nodes, the same atan2 of `(x₁ − x₁)·v` at
/// x = [0, −0.5], reverse 3.2538 against a central difference 0.1122.)
#[test]
fn branch_cut_at_a_signed_zero_regression() {
    let stats = check_case(branch_cut_at_a_signed_zero_case(), checks::gradient);
    assert_eq!(stats.path_changes(), 1, "the jump is a path change");
}

/// The case of [`branch_cut_at_a_signed_zero_regression`].
fn branch_cut_at_a_signed_zero_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Max, 1, 0),   // v0 = max(x1, x0): x0 near x0 = 0 > x1
        binary_node(Sub, 1, 1),   // v1 = x1 − x1 = +0
        binary_node(Mul, 3, 2),   // v2 = v1·v0: ±0 with the sign of x0
        binary_node(Atan2, 4, 1), // v3 = atan2(v2, x1) = ±π
        binary_node(Mul, 5, 2),   // v4 = v3·v0 = π·|x0|
    ];
    let program = Program {
        n_inputs: 2,
        nodes,
        outputs: vec![6],
    };
    Case {
        program,
        x: vec![0.0, -0.5],
        v: vec![0.0, 0.0],
        w: vec![0.0],
    }
}

/// A deep run's case (`PROPTEST_CASES=200000 … --test cross_mode`, eighth session): a loop
/// raises `s ≈ 4` to the fifth power (`v7 ≈ 1053`) and a second loop takes `cos` of it, so the
/// gradient carries the rounding of a value near 10³ multiplied by intermediate derivatives near
/// 10⁴. The central difference of the reverse gradient for `H[1,0]` was −9.5079406175, 8.7·10⁻⁶
/// from the exact −9.5079319354314 (mpmath), outside the bound 6.5·10⁻⁶ computed with the
/// rounding of the values alone; `reverse::hessian` gave −9.507931935425 (6·10⁻¹³ relative).
/// The finite-difference bound now allows for the intermediate derivatives (see
/// `tolerance.rs`). The program is the shrunk case as printed.
#[test]
fn finite_differences_of_a_gradient_with_large_intermediate_derivatives_regression() {
    check_case(
        finite_differences_of_a_gradient_with_large_intermediate_derivatives_case(),
        checks::hessian,
    );
}

/// The case of [`finite_differences_of_a_gradient_with_large_intermediate_derivatives_regression`].
fn finite_differences_of_a_gradient_with_large_intermediate_derivatives_case() -> Case {
    use program::{Binary::*, Expr, Node, Program, Rhs, Step, Unary::*};
    // Inputs x0, x1, x2 are references 0, 1, 2; node vₖ is reference k + 3.
    let nodes = vec![
        unary_node(Log10, 0.0, 0), // v0 = log10(1 + x0²)
        unary_node(Tan, 0.0, 1),   // v1 = tan(1.4·tanh x1)
        binary_node(Sub, 3, 4),    // v2 = v0 − v1
        binary_node(Sub, 1, 4),    // v3 = x1 − v1
        Node::Branch {
            lhs: 0,
            rhs: Rhs::Node(2),
            then: Expr::Unary {
                op: Tan,
                c: 0.0,
                a: 6,
            },
            els: Expr::Binary {
                op: Max,
                a: 3,
                b: 1,
            },
        }, // v4 = if x0 < x2 { tan(1.4·tanh v3) } else { max(v0, x1) }
        unary_node(Atanh, 0.0, 6), // v5 = atanh(0.9·tanh v3)
        unary_node(Recip, 0.0, 8), // v6 = 1/(1.5 + tanh v5)
        Node::Loop {
            init: 6,
            count: 5,
            max: 1,
            body: vec![
                Step::Unary { op: Log2, c: 0.0 },
                Step::Unary {
                    op: Powi(5),
                    c: 0.0,
                },
            ],
        }, // v7
        unary_node(Sigmoid, 0.0, 5), // v8 = sigmoid(v2)
        Node::Branch {
            lhs: 5,
            rhs: Rhs::Const(-0.2961822762765539),
            then: Expr::Unary {
                op: Atanh,
                c: 0.0,
                a: 6,
            },
            els: Expr::Binary {
                op: Min,
                a: 8,
                b: 3,
            },
        }, // v9
        binary_node(Sub, 5, 1),    // v10 = v2 − x1
        Node::Loop {
            init: 11,
            count: 12,
            max: 5,
            body: vec![
                Step::Binary { op: Add, other: 10 },
                Step::Unary { op: Cos, c: 0.0 },
            ],
        }, // v11
    ];
    let program = Program {
        n_inputs: 3,
        nodes,
        outputs: vec![7, 9, 13, 14],
    };
    Case {
        program,
        x: vec![-2.3266682644466403, -1.8703034264035523, 0.0],
        v: vec![0.0; 3],
        w: vec![0.0; 4],
    }
}

/// A deep run's case (`PROPTEST_CASES=100000 cargo test --release --workspace`, eighth
/// session): a loop of `s ← 0.6·s + (0.5 + s²)^c; s ← 0.6·s + eˢ; s ← 0.6·s + 0.75·sin s + cos s`
/// reaches `s ≈ 10⁴` with `∂s/∂x₄ ≈ 3·10⁴`, so `s` moves by more than 1 across the stencil
/// (h = 1.9·10⁻⁵) and `sin s`, `cos s` alias; the output (`atan2` of it) moves slowly, so the
/// resolution test, which looked at the output only, let the central difference (5.9·10⁻³) be
/// compared with the derivative (6.4·10⁻⁴). The test now looks at every intermediate value's
/// rate of change along the stencil (see `tolerance.rs`). The program is the shrunk case as
/// printed.
#[test]
fn finite_differences_across_an_aliasing_intermediate_regression() {
    check_case(
        finite_differences_across_an_aliasing_intermediate_case(),
        checks::gradient,
    );
}

/// The case of [`finite_differences_across_an_aliasing_intermediate_regression`].
fn finite_differences_across_an_aliasing_intermediate_case() -> Case {
    use program::{Binary::*, Node, Program, Step, Unary::*};
    // Inputs x0…x6 are references 0…6; node vₖ is reference k + 7.
    let nodes = vec![
        unary_node(Log2, 0.0, 3),                        // v0 = log2(1 + x3²)
        Node::MulAdd { a: 6, b: 7, c: 6 },               // v1 = mul_add(x6, v0, x6)
        unary_node(Powf, 1.0, 6),                        // v2 = (x6² + 0.5)^1
        unary_node(AffineAssign, 2.3308748901069922, 2), // v3
        unary_node(Acosh, 0.0, 0),                       // v4 = acosh(x0² + 1.1)
        Node::MulAdd { a: 9, b: 9, c: 11 },              // v5 = mul_add(v2, v2, v4)
        Node::Loop {
            init: 9,
            count: 8,
            max: 2,
            body: vec![Step::Unary { op: Ln, c: 0.0 }],
        }, // v6
        unary_node(Exp2, 0.0, 12),                       // v7 = exp2(v5)
        Node::Loop {
            init: 4,
            count: 5,
            max: 3,
            body: vec![
                Step::Binary { op: Pow, other: 10 },
                Step::Unary { op: Exp, c: 0.0 },
                Step::Unary { op: SinCos, c: 0.0 },
            ],
        }, // v8
        Node::Const(-0.4367804612830784),                // v9
        binary_node(Atan2, 15, 12),                      // v10 = atan2(v8, v5)
        binary_node(Min, 1, 15),                         // v11 = min(x1, v8)
        Node::Const(0.7331293170222604),                 // v12
        unary_node(Cosh, 0.0, 8),                        // v13 = cosh(v1)
        binary_node(Pow, 19, 19),                        // v14 = (0.5 + v12²)^v12
    ];
    let program = Program {
        n_inputs: 7,
        nodes,
        outputs: vec![13, 14, 16, 17, 18, 20, 21],
    };
    let x = vec![
        0.0,
        0.0,
        1.8010118830510016,
        0.0,
        1.9179518048174236,
        2.40006602731536,
        0.0,
    ];
    Case {
        program,
        x,
        v: vec![0.0; 7],
        w: vec![0.0; 7],
    }
}

/// The fuzz target's first finding, reduced by hand: `atan2(0, x)` at a subnormal `x`. Its value
/// is finite (0), but the rule's partials overflow: `∂/∂y = 1/x` is +∞, and the second partials
/// (`−1/x²` and 0), computed from `x² + y²`, which underflows to 0, come out NaN in the modes
/// that differentiate the rule (hyper-dual numbers: `d²/dx² atan2(0, x)` is 0·(1/0)). Where
/// such a partial meets a zero tangent, the strong-zero rule decides, and the modes group the
/// sums differently: the hyper-dual Hessian was 0, forward-over-reverse NaN. That is the
/// situation at a singular point itself, where the suite compares NaN/∞ patterns (with the flow
/// analysis of the orders of summation), not values; the evaluator now calls a point singular
/// when a first or second partial of ∛, atan2 or hypot is not finite, not only at the exact
/// singular point. (The fuzz case: 5 nodes, `atan2((x₁ − x₁)·max(x₁, x₀), x₁)` at
/// x = [2.5, 1.39·10⁻³⁰⁹].)
#[test]
fn atan2_at_a_subnormal_distance_from_the_origin_regression() {
    let stats = check_case(
        atan2_at_a_subnormal_distance_from_the_origin_case(),
        checks::hessian,
    );
    assert!(stats.singular_by_pattern() == 1, "compared by pattern");
}

/// The case of [`atan2_at_a_subnormal_distance_from_the_origin_regression`].
fn atan2_at_a_subnormal_distance_from_the_origin_case() -> Case {
    use program::{Binary::*, Program};
    // Input x0 is reference 0, node vₖ is reference k + 1.
    let nodes = vec![
        binary_node(Sub, 0, 0),   // v0 = x0 − x0 = 0
        binary_node(Atan2, 1, 0), // v1 = atan2(v0, x0)
    ];
    Case {
        program: Program {
            n_inputs: 1,
            nodes,
            outputs: vec![2],
        },
        x: vec![1.390671161566996e-309],
        v: vec![0.5],
        w: vec![1.0],
    }
}

/// Fuzz findings, reduced by hand: `hypot(x₀·x₁, x₁)` at x = [5·10⁻³²⁴, 5·10⁻³²⁴] (the smallest
/// subnormal). With `a = x₀·x₁` (0, underflowed) and `b = x₁`, hypot's second partial
/// `∂²/∂a² = b²/h³ = 1/b` overflows to +∞, and the tangents `∂a/∂x₀ = x₁`, `∂a/∂x₁ = x₀` are
/// subnormal: their product underflows to 0. So `∂²f/∂x₀²` is `∞·(u₁·u₂) = ∞·0 = 0` (strong zero)
/// in one order of multiplication and `(∞·u₁)·u₂ = ∞` in the other (the exact value is `x₁`, a
/// subnormal); the hyper-dual Hessian was 0, `reverse::hessian` +∞ and NaN. It is the mirror of
/// the products that overflow in one order and not in another (`OVERFLOW_RANGE` in `flow.rs`):
/// the flow analysis now leaves out the derivatives of an order whose sums have a product of
/// two non-zero factors below the smallest normal number. (Three more fuzz cases, with 12 to 24
/// nodes at subnormal inputs, disagreed in the same way, in first and second derivatives.)
#[test]
fn products_that_underflow_regression() {
    check_case(products_that_underflow_case(), checks::patterns);
}

/// The case of [`products_that_underflow_regression`].
fn products_that_underflow_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Mul, 1, 0),   // v0 = x1·x0
        binary_node(Hypot, 2, 1), // v1 = hypot(v0, x1)
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![3],
        },
        x: vec![5e-324, 5e-324],
        v: vec![0.5, 0.5],
        w: vec![1.0],
    }
}

/// The CI set's case when erfc and gelu joined the generator, reduced by hand:
/// `atan2(x₀, x₁)·x₂` at x = [0.5, −0.5, ∞]. atan2's `∂²/∂y∂x = (x² − y²)/(x² + y²)²` is exactly
/// zero where |y| = |x|, but the rule (through `hypot`, for range) gives a few ulps: −3·10⁻¹⁶
/// on hyper-dual numbers, of another sign or size on the mixed tape's unit seeds. Times the
/// adjoint ∞ that `x₂` brings, `∂²f/∂x₀∂x₁` was −∞ by `hyperdual::hessian` and +∞ by
/// `reverse::hessian`. The flow analysis now recognises a second partial at rounding level
/// around an exact zero (`rounding_noise` in `flow.rs`) meeting an infinite or NaN factor, and
/// leaves the second derivatives uncompared there.
#[test]
fn a_second_partial_at_rounding_level_times_infinity_regression() {
    check_case(a_second_partial_at_rounding_level_case(), checks::patterns);
}

/// The case of [`a_second_partial_at_rounding_level_times_infinity_regression`].
fn a_second_partial_at_rounding_level_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1, x2 are references 0, 1, 2; node vₖ is reference k + 3.
    let nodes = vec![
        binary_node(Atan2, 0, 1), // v0 = atan2(x0, x1)
        binary_node(Mul, 3, 2),   // v1 = v0·x2
    ];
    Case {
        program: Program {
            n_inputs: 3,
            nodes,
            outputs: vec![4],
        },
        x: vec![0.5, -0.5, f64::INFINITY],
        v: vec![0.5, 0.5, 0.5],
        w: vec![1.0],
    }
}

/// A fuzz finding, reduced by hand: `(0.5 + x₁²)^x₀` at x = [0, −2.25·10²²⁷]. The value is
/// `∞⁰ = 1`, finite, but the input itself is far beyond the magnitudes the mode-vs-mode
/// tolerances are derived for, and the derivatives are not finite (`∂/∂x₀ = ln(∞)·1`), so
/// `wᵀJ` with `w = 0` was 0 by `vjp` (strong zeros) and NaN by the check's own `Σ wᵢ·Jᵢⱼ`. The
/// largest intermediate magnitude, which decides that a case is beyond
/// [`MAX_MAGNITUDE`](diffprog_testkit::programs::tolerance::MAX_MAGNITUDE) (not compared value by
/// value), now counts the inputs too, not only the nodes; such a case is compared by NaN/∞
/// pattern only. (The fuzz case: 12 nodes of powers.)
#[test]
fn a_huge_input_with_finite_values_regression() {
    let stats = check_case(a_huge_input_with_finite_values_case(), checks::jacobian);
    check_case(a_huge_input_with_finite_values_case(), checks::patterns);
    assert_eq!(stats.magnitude_skips(), 1, "beyond the magnitudes compared");
}

/// The case of [`a_huge_input_with_finite_values_regression`].
fn a_huge_input_with_finite_values_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Pow, 1, 0), // v0 = (0.5 + x1²)^x0
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![2],
        },
        x: vec![0.0, -2.250506878210063e227],
        v: vec![0.5, 0.5],
        w: vec![0.0],
    }
}

/// A fuzz finding, reduced by hand: `atan2(x₀, x₁)·x₁` at x = [−0, −0.5], on atan2's branch cut.
/// The Taylor numbers differentiate along the line `x + t·v` at t = 0, whose point is
/// x + 0·v = [+0, −0.5] (−0 + 0 is +0): there atan2 is +π, at x it is −π, so `d/dt f(x + tv)`
/// was 0.5 + π/2 against ∇f·v = 0.5 − π/2 at x. The check now compares the Taylor derivatives
/// with ∇f·v and vᵀHv only where the two points take the same path (the sign of a zero that a
/// decision turns on is part of the path), and with each other always. (The fuzz case: 16
/// nodes, `mul_add(atan2(x₁, x₃³), x₀, x₃)` at x₁ = −0.)
#[test]
fn taylor_line_across_a_branch_cut_at_a_signed_zero_regression() {
    check_case(
        taylor_line_across_a_branch_cut_at_a_signed_zero_case(),
        checks::hessian,
    );
}

/// The case of [`taylor_line_across_a_branch_cut_at_a_signed_zero_regression`].
fn taylor_line_across_a_branch_cut_at_a_signed_zero_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Atan2, 0, 1), // v0 = atan2(x0, x1) = −π
        binary_node(Mul, 2, 1),   // v1 = v0·x1
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![3],
        },
        x: vec![-0.0, -0.5],
        v: vec![0.5, 0.5],
        w: vec![1.0],
    }
}

/// A fuzz finding, reduced by hand: `hypot(x₁, x₀)` at x = [1.4·10⁻³⁰⁹, −0] (a subnormal distance
/// from the origin). The first partials are finite (0 and 1), but the second ones, `b²/h³`,
/// `−ab/h³` and `a²/h³`, overflow or meet `0/0` inside the rule (`h²` underflows), and what a
/// mode gets then depends on the tangents it evaluates the rule with: the HVP along e₁ (the rule
/// evaluated on that column's tangent) gave `H[0,1] = 0`, `hessian_chunked` (both orders,
/// averaged) NaN. That is what the pattern comparison already leaves out between these ways of
/// evaluating a rule's second partials where a tangent is infinite
/// (`Flow::second_order_across_seedings`); it now leaves it out too where a rule's first
/// partials are finite and a second partial is not. (The fuzz case: 16 nodes,
/// `hypot(min(x₃, x₃), x₀)` among them, at x₀ = 1.4·10⁻³⁰⁹, x₃ = −0.)
#[test]
fn second_partials_that_overflow_inside_a_rule_regression() {
    check_case(
        second_partials_that_overflow_inside_a_rule_case(),
        checks::patterns,
    );
}

/// The case of [`second_partials_that_overflow_inside_a_rule_regression`].
fn second_partials_that_overflow_inside_a_rule_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Hypot, 1, 0), // v0 = hypot(x1, x0)
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![2],
        },
        x: vec![1.415137773036885e-309, -0.0],
        v: vec![0.5, 0.5],
        w: vec![1.0],
    }
}

/// A fuzz finding, reduced by hand: `x₀/(1.5 + tanh x₁)` at x = [−1.09·10³⁰⁸, −1]. The quotient
/// `q = x₀/d`, `d = 0.74`, is finite (−1.48·10³⁰⁸), and so is the exact `∂f/∂x₁ = −q·sech²x₁/d`
/// (8.4·10³⁰⁷), but the partial `∂q/∂d = −q/d` (2·10³⁰⁸) is beyond `f64::MAX`: the tapes store
/// it as +∞ and multiplied it into the adjoint (reverse mode, `reverse::hessian`, forward over
/// reverse: +∞), while forward mode forms `q·ḋ` first and divides by `d` afterwards
/// (8.4·10³⁰⁷). The flow analysis saw that +∞ as a genuine infinite partial; it leaves out the
/// derivatives whose terms reach its overflow range, but the term here was not finite to
/// measure. The evaluator now notes a quotient's partial that overflows (first or second order),
/// and the flow analysis leaves out the derivatives of that order, as for terms beyond its
/// overflow range. The same quotient under a ∛ shows that the derivative itself need not be
/// large: +∞ against 10¹⁰². (The fuzz case: 16 nodes, `−x₁/(1.5 + tanh x₃)` among them.)
#[test]
fn a_quotient_partial_that_overflows_regression() {
    check_case(a_quotient_partial_that_overflows_case(), checks::patterns);
    let mut cube_root = a_quotient_partial_that_overflows_case();
    cube_root
        .program
        .nodes
        .push(unary_node(program::Unary::Cbrt, 0.0, 2)); // v1 = cbrt(v0)
    cube_root.program.outputs = vec![3];
    check_case(cube_root, checks::patterns);
}

/// The case of [`a_quotient_partial_that_overflows_regression`].
fn a_quotient_partial_that_overflows_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(DivPos, 0, 1), // v0 = x0/(1.5 + tanh x1)
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![2],
        },
        x: vec![-1.0904785937367025e308, -1.0],
        v: vec![0.5, 0.5],
        w: vec![1.0],
    }
}

/// A fuzz finding, reduced by hand: `atan2(x₀, x₁)` at x = [1.9·10⁻³¹³, 0] (a subnormal distance
/// from the origin, a singular point for the suite). The mixed partial `∂²/∂y∂x atan2(y, x) =
/// (y² − x²)/(x² + y²)²` is `1/y²` here, beyond `f64::MAX`. Differentiated one way, the rule's
/// `∂/∂y = x/r²` along x gives +∞; the other way, its `∂/∂x = −y/r²` along y meets `1/r = +∞`
/// times a tangent that cancels to 0, `∞ − ∞`, NaN. The second-order tape stores the first
/// (`reverse::hessian`: `H[0,1] = +∞`), the hyper-dual numbers take the second for this order of
/// the arguments (NaN). The pattern comparison took the two for the same rule evaluation; the
/// evaluator now notes a rule whose mixed partial differs in class between the two orders of
/// differentiation, and the pattern comparison leaves out the second derivatives between the
/// tape and the hyper-dual numbers there, as between the ways of seeding a rule
/// (`Flow::second_order_across_orders`). (The fuzz case: 15 nodes, `atan2(x₀, −x₃)` among them,
/// at x₀ = 1.9·10⁻³¹³, x₃ = −0.)
#[test]
fn a_mixed_partial_that_depends_on_the_order_regression() {
    check_case(
        a_mixed_partial_that_depends_on_the_order_case(),
        checks::patterns,
    );
    let mut swapped = a_mixed_partial_that_depends_on_the_order_case();
    swapped.x.reverse(); // atan2(0, 1.9·10⁻³¹³): the tape NaN, the hyper-dual numbers −∞
    check_case(swapped, checks::patterns);
}

/// The case of [`a_mixed_partial_that_depends_on_the_order_regression`].
fn a_mixed_partial_that_depends_on_the_order_case() -> Case {
    use program::{Binary::*, Program};
    // Inputs x0, x1 are references 0, 1; node vₖ is reference k + 2.
    let nodes = vec![
        binary_node(Atan2, 0, 1), // v0 = atan2(x0, x1)
    ];
    Case {
        program: Program {
            n_inputs: 2,
            nodes,
            outputs: vec![2],
        },
        x: vec![1.91026104854e-313, 0.0],
        v: vec![0.5, 0.5],
        w: vec![1.0],
    }
}

/// A deep run's finding, reduced by hand: `t = tanh(x₂ − mul_add(x₁, x₀, x₂))`, `t − t`, at
/// x = [∞, 0, 0]. The `mul_add` is `0·∞ + 0 = NaN`, with partials ∞, 0 and 1, and so are `t` and
/// tanh's partial. `∂f/∂x₂` passes that NaN partial between two sums that cancel exactly: along
/// x₂ the tangent of `x₂ − mul_add(…)` is `1 − 1 = 0`, and the adjoint of `t` is `1 − 1 = 0`.
/// Forward mode sums the first before the NaN (`NaN·0 = 0` by the strong-zero rule), the flow
/// analysis's backward sweep the second (`0·NaN = 0`), so neither saw terms of both signs
/// through the NaN; the tape's preaccumulation distributes the NaN over both sums (it multiplies
/// tanh's partial into the entries `1` on x₂ and `−1` on the `mul_add`'s record, then adds the
/// entries of `t − t` on each record: `NaN − NaN`): reverse mode NaN, forward mode 0. The flow
/// analysis now notes the sums that cancel to exactly zero and leaves out a derivative through
/// an infinite or NaN partial with such a zero on each side (`between` in `flow.rs`). (The deep
/// run's case: 15 nodes, `ln_1p(0.9·tanh v₁)` used as `v₄ − v₄`, at x = [−∞, ∞, 0, 0, 0].)
#[test]
fn a_nan_partial_between_two_cancelled_sums_regression() {
    check_case(
        a_nan_partial_between_two_cancelled_sums_case(),
        checks::patterns,
    );
}

/// The case of [`a_nan_partial_between_two_cancelled_sums_regression`].
fn a_nan_partial_between_two_cancelled_sums_case() -> Case {
    use program::{Binary::*, Node, Program, Unary::*};
    // Inputs x0, x1, x2 are references 0, 1, 2; node vₖ is reference k + 3.
    let nodes = vec![
        Node::MulAdd { a: 1, b: 0, c: 2 }, // v0 = mul_add(x1, x0, x2) = NaN
        binary_node(Sub, 2, 3),            // v1 = x2 − v0
        unary_node(Tanh, 0.0, 4),          // v2 = tanh(v1)
        binary_node(Sub, 5, 5),            // v3 = v2 − v2
    ];
    Case {
        program: Program {
            n_inputs: 3,
            nodes,
            outputs: vec![6],
        },
        x: vec![f64::INFINITY, 0.0, 0.0],
        v: vec![0.5, 0.5, 0.5],
        w: vec![1.0],
    }
}

/// The fuzz target's seeds (`fuzz/corpus/programs/`) are the fixed cases above, encoded by
/// `Case::to_bytes`, each also at a point with non-finite components, and one at huge and tiny
/// ones; each decodes back to its case. `DIFFPROG_WRITE_SEEDS=1` writes them anew.
#[test]
fn fuzz_seeds_are_the_fixed_cases() {
    let fixed = [
        (
            "near_singular_point",
            finite_differences_near_a_singular_point_case(),
        ),
        (
            "cancelling_second_order_terms",
            hessian_with_cancelling_second_order_terms_case(),
        ),
        (
            "branch_cut_at_signed_zero",
            branch_cut_at_a_signed_zero_case(),
        ),
        (
            "large_intermediate_derivatives",
            finite_differences_of_a_gradient_with_large_intermediate_derivatives_case(),
        ),
        (
            "aliasing_intermediate",
            finite_differences_across_an_aliasing_intermediate_case(),
        ),
        (
            "atan2_at_subnormal_distance",
            atan2_at_a_subnormal_distance_from_the_origin_case(),
        ),
        ("products_that_underflow", products_that_underflow_case()),
        (
            "huge_input_finite_values",
            a_huge_input_with_finite_values_case(),
        ),
        (
            "taylor_line_across_branch_cut",
            taylor_line_across_a_branch_cut_at_a_signed_zero_case(),
        ),
        (
            "second_partials_overflow_in_rule",
            second_partials_that_overflow_inside_a_rule_case(),
        ),
        (
            "second_partial_at_rounding_level",
            a_second_partial_at_rounding_level_case(),
        ),
        (
            "quotient_partial_overflows",
            a_quotient_partial_that_overflows_case(),
        ),
        (
            "mixed_partial_order",
            a_mixed_partial_that_depends_on_the_order_case(),
        ),
        (
            "nan_partial_between_cancelled_sums",
            a_nan_partial_between_two_cancelled_sums_case(),
        ),
    ];
    let poison = [f64::INFINITY, f64::NAN, -0.0, f64::NEG_INFINITY, 0.0];
    let mut seeds = Vec::new();
    for (name, case) in fixed {
        let mut nonfinite = case.clone();
        for (i, x) in nonfinite.x.iter_mut().enumerate() {
            *x = poison[i % poison.len()];
        }
        seeds.push((name.to_string(), case));
        seeds.push((format!("{name}_nonfinite"), nonfinite));
    }
    let mut extreme = branch_cut_at_a_signed_zero_case();
    extreme.x = vec![1e300, -5e-324];
    seeds.push(("branch_cut_huge_and_tiny".to_string(), extreme));

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/programs");
    let write = std::env::var_os("DIFFPROG_WRITE_SEEDS").is_some();
    for (name, case) in seeds {
        let bytes = case.to_bytes();
        assert_eq!(
            format!("{:?}", Case::from_bytes(&bytes)),
            format!("{case:?}"),
            "{name} does not decode back to itself"
        );
        let path = dir.join(&name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (DIFFPROG_WRITE_SEEDS=1 writes it)", path.display())
        });
        assert!(
            committed == bytes,
            "{} is not the encoded case (DIFFPROG_WRITE_SEEDS=1 writes it anew)",
            path.display()
        );
    }
}

/// The generator uses every elementary operation, loops and branches, and programs of every size.
#[test]
fn generator_covers_every_operation() {
    let mut runner = TestRunner::deterministic();
    let strategy = case(MAX_INPUTS, MAX_NODES);
    let mut unary = std::collections::HashSet::new();
    let mut binary = std::collections::HashSet::new();
    let (mut loops, mut branches, mut max_n, mut vector) = (0, 0, 0, 0);
    for _ in 0..3000 {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        let (u, b) = c.program.ops();
        unary.extend(u);
        binary.extend(b);
        for node in &c.program.nodes {
            match node {
                program::Node::Loop { .. } => loops += 1,
                program::Node::Branch { .. } => branches += 1,
                _ => {}
            }
        }
        max_n = max_n.max(c.program.n_inputs);
        vector += (c.program.outputs.len() > 1) as usize;
    }
    for op in ALL_UNARY {
        assert!(unary.contains(op), "the generator never produced {op:?}");
    }
    for op in ALL_BINARY {
        assert!(binary.contains(op), "the generator never produced {op:?}");
    }
    assert!(
        loops > 100 && branches > 100,
        "{loops} loops, {branches} branches"
    );
    assert_eq!(max_n, MAX_INPUTS);
    assert!(vector > 1000, "only {vector} vector-valued programs");
}

/// A program prints as readable formulas.
#[test]
fn programs_print_readably() {
    use program::{Binary, Expr, Node, Program, Rhs, Step, Unary};
    let p = Program {
        n_inputs: 2,
        nodes: vec![
            Node::Expr(Expr::Unary {
                op: Unary::Ln,
                c: 0.0,
                a: 1,
            }),
            Node::Loop {
                init: 2,
                count: 0,
                max: 3,
                body: vec![Step::Binary {
                    op: Binary::Mul,
                    other: 1,
                }],
            },
            Node::Branch {
                lhs: 0,
                rhs: Rhs::Const(0.5),
                then: Expr::Binary {
                    op: Binary::Pow,
                    a: 3,
                    b: 0,
                },
                els: Expr::Unary {
                    op: Unary::Acos,
                    c: 0.0,
                    a: 3,
                },
            },
        ],
        outputs: vec![4],
    };
    let text = p.to_string();
    assert!(text.contains("v0 = ln(1 + x1²)"), "{text}");
    assert!(
        text.contains("v1 = s = v0; repeat min(3, ⌊1.5·|x0|⌋) times { s ← 0.6·s + s·x1 }; s"),
        "{text}"
    );
    assert!(
        text.contains("v2 = if x0 < 0.5 { (0.5 + v1²)^x0 } else { acos(0.95·tanh v1) }"),
        "{text}"
    );
    assert!(text.contains("outputs: [v2]"), "{text}");
    // and the evaluator computes what it prints
    let x = [1.2, -0.7];
    let (out, trace) = eval::eval::<f64>(&p, &x);
    let v0 = (1.0 + 0.49_f64).ln();
    let mut s = v0;
    for _ in 0..1 {
        s = s * 0.6 + s * -0.7;
    }
    assert_eq!(trace.path, vec![1, 0]);
    assert_eq!(out, vec![(s.tanh() * 0.95).acos()]);
}

/// Every operation alone, at a grid of points: the Hessian from the hyperdual numbers, from
/// forward-over-reverse and from central differences of the reverse gradient agree. (Pinpoints a
/// faulty second-order rule that the random programs would only show inside a large program.)
#[test]
fn every_operation_second_order_agrees() {
    use program::{Binary, Expr, Node, Program, Unary};
    let points = [-1.7, -0.6, 0.3, 0.9, 2.2];
    let mut failures = Vec::new();
    let mut check = |p: Program, x: Vec<f64>, what: String| {
        let c = Case {
            v: vec![0.5; x.len()],
            w: vec![1.0; p.outputs.len()],
            program: p,
            x,
        };
        let stats = checks::Stats::default();
        if let Err(e) = checks::hessian(&c, &stats) {
            failures.push(format!("{what}: {e}"));
        }
    };
    for &op in ALL_UNARY {
        for &a in &points {
            let p = Program {
                n_inputs: 1,
                nodes: vec![Node::Expr(Expr::Unary { op, c: 0.7, a: 0 })],
                outputs: vec![1],
            };
            check(p, vec![a], format!("{op:?} at {a}"));
        }
    }
    for &op in ALL_BINARY {
        for &a in &points {
            for &b in &points {
                let p = Program {
                    n_inputs: 2,
                    nodes: vec![Node::Expr(Expr::Binary { op, a: 0, b: 1 })],
                    outputs: vec![2],
                };
                check(p, vec![a, b], format!("{op:?} at ({a}, {b})"));
            }
        }
    }
    let _ = Unary::Neg;
    let _ = Binary::Add;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The random programs meet every elementary function of the list (`mul_add` as its own kind of
/// node): a new entry fails this until the generator draws it.
#[test]
fn programs_cover_every_elementary_function() {
    let unary = ALL_UNARY.iter().filter_map(|u| u.method());
    let binary = ALL_BINARY.iter().filter_map(|b| b.method());
    diffprog_testkit::assert_covers(
        "the cross-mode programs (Unary, Binary, mul_add)",
        diffprog::dual::ELEMENTARY_FUNCTIONS,
        unary.chain(binary).chain(["mul_add"]),
    );
}

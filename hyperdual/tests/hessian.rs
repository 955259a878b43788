//! Hessians: analytic references, agreement with the forward-mode Jacobian of the forward-mode
//! gradient on random programs, exact symmetry, partial Hessians, third partials, nesting.

use diffprog_dual::{gradient_at, jacobian_with_chunk, DualVec, Scalar};
use diffprog_hyperdual::{
    hessian, hessian_with_chunk, partial_hessian, partial_hessian_with_chunk, third_partial,
    HessianNumber,
};
use diffprog_testkit::fd;
use nalgebra::DMatrix;
use proptest::prelude::*;
use std::f64::consts::PI;

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

fn rosenbrock_hessian(x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    let mut h = DMatrix::zeros(n, n);
    for i in 0..n - 1 {
        h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[(i + 1, i + 1)] += 200.0;
        h[(i, i + 1)] -= 400.0 * x[i];
        h[(i + 1, i)] -= 400.0 * x[i];
    }
    h
}

fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        g[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
    }
    g
}

fn himmelblau<T: Scalar>(v: &[T]) -> T {
    let (x, y) = (v[0], v[1]);
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    a * a + b * b
}

const A: f64 = 10.0;

fn rastrigin<T: Scalar>(x: &[T]) -> T {
    let mut s = T::from_f64(A * x.len() as f64);
    for &xi in x {
        s += xi * xi - (xi * (2.0 * PI)).cos() * A;
    }
    s
}

fn assert_matrix_close(got: &DMatrix<f64>, want: &DMatrix<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shapes");
    for i in 0..want.nrows() {
        for j in 0..want.ncols() {
            let (g, w) = (got[(i, j)], want[(i, j)]);
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "{what}: entry ({i}, {j}) is {g}, expected {w}"
            );
        }
    }
}

fn assert_exactly_symmetric(h: &DMatrix<f64>) {
    for i in 0..h.nrows() {
        for j in 0..i {
            assert_eq!(
                h[(i, j)].to_bits(),
                h[(j, i)].to_bits(),
                "H[{i},{j}] ≠ H[{j},{i}]"
            );
        }
    }
}

#[test]
fn rosenbrock_hessian_matches_the_analytic_one_for_any_n_and_chunk() {
    for n in [2, 3, 7, 8, 9, 17, 30] {
        let x: Vec<f64> = (0..n).map(|i| 0.3 * i as f64 - 1.1).collect();
        let want = rosenbrock_hessian(&x);
        let (v, g, h) = hessian(rosenbrock, &x);
        assert_eq!(v, rosenbrock(&x));
        for (a, b) in g.iter().zip(rosenbrock_gradient(&x)) {
            assert!(
                (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                "gradient {a} vs {b}"
            );
        }
        assert_matrix_close(&h, &want, 1e-13, &format!("Rosenbrock n = {n}"));
        assert_exactly_symmetric(&h);
        let (_, _, h3) = hessian_with_chunk::<3>(rosenbrock, &x);
        assert_matrix_close(&h3, &want, 1e-13, &format!("Rosenbrock n = {n}, chunk 3"));
        let (_, _, h1) = hessian_with_chunk::<1>(rosenbrock, &x);
        assert_matrix_close(&h1, &want, 1e-13, &format!("Rosenbrock n = {n}, chunk 1"));
    }
}

#[test]
fn himmelblau_hessian() {
    for (x, y) in [(3.0, 2.0), (-2.805118, 3.131312), (0.3, -1.7), (0.0, 0.0)] {
        let (v, g, h) = hessian(himmelblau, [x, y]);
        let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
        assert_eq!(v, a * a + b * b);
        let gx = 4.0 * x * a + 2.0 * b;
        let gy = 2.0 * a + 4.0 * y * b;
        assert!((g[0] - gx).abs() < 1e-12 && (g[1] - gy).abs() < 1e-12);
        let want = DMatrix::from_row_slice(
            2,
            2,
            &[
                12.0 * x * x + 4.0 * y - 42.0,
                4.0 * (x + y),
                4.0 * (x + y),
                12.0 * y * y + 4.0 * x - 26.0,
            ],
        );
        assert_matrix_close(&h, &want, 1e-14, "Himmelblau");
    }
}

#[test]
fn rastrigin_hessian_is_diagonal_and_analytic() {
    for n in [1, 5, 12] {
        let x: Vec<f64> = (0..n).map(|i| 0.37 * i as f64 - 0.9).collect();
        let (_, g, h) = hessian(rastrigin, &x);
        let mut want = DMatrix::zeros(n, n);
        for i in 0..n {
            let w = 2.0 * PI;
            want[(i, i)] = 2.0 + A * w * w * (w * x[i]).cos();
            let gi = 2.0 * x[i] + A * w * (w * x[i]).sin();
            assert!((g[i] - gi).abs() < 1e-12 * (1.0 + gi.abs()));
        }
        assert_matrix_close(&h, &want, 1e-13, "Rastrigin");
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    assert_eq!(h[(i, j)], 0.0, "Rastrigin off-diagonal ({i}, {j})");
                }
            }
        }
    }
}

#[test]
fn a_function_of_no_inputs_and_of_one() {
    let (v, g, h) = hessian(|_: &[_]| HessianNumber::lift(3.0), []);
    assert_eq!((v, g.len(), h.shape()), (3.0, 0, (0, 0)));
    let (v, g, h) = hessian(|x| x[0] * x[0] * x[0], [2.0]);
    assert_eq!((v, g[0], h[(0, 0)]), (8.0, 12.0, 12.0));
}

#[test]
fn partial_hessian_is_the_off_diagonal_block_of_the_hessian() {
    fn f<T: Scalar>(x: &[T], y: &[T]) -> T {
        let mut s = T::zero();
        for (i, &xi) in x.iter().enumerate() {
            for (j, &yj) in y.iter().enumerate() {
                s += (xi * yj * (1.0 + i as f64) + yj.sin()).tanh() * (j as f64 + 0.5);
            }
        }
        s + x[0].exp() * y[y.len() - 1]
    }
    let x: Vec<f64> = (0..11).map(|i| 0.1 * i as f64 - 0.4).collect();
    let y: Vec<f64> = (0..9).map(|i| 0.7 - 0.13 * i as f64).collect();
    let joined: Vec<f64> = x.iter().chain(&y).copied().collect();
    let (v, g, h) = hessian(|z| f(&z[..11], &z[11..]), &joined);
    let (pv, gx, gy, hxy) = partial_hessian(f, &x, &y);
    assert_eq!(pv, v);
    assert_matrix_close(
        &hxy,
        &h.view((0, 11), (11, 9)).into_owned(),
        1e-13,
        "partial",
    );
    for (a, b) in gx.iter().chain(&gy).zip(&g) {
        assert!((a - b).abs() < 1e-13 * (1.0 + b.abs()));
    }
    let (_, _, _, h23) = partial_hessian_with_chunk::<2, 3>(f, &x, &y);
    assert_matrix_close(&h23, &hxy, 1e-13, "partial, chunks 2×3");
}

#[test]
fn third_partials_match_differences_of_the_hessian() {
    fn f<T: Scalar>(v: &[T]) -> T {
        (v[0] * v[1]).sin() * v[2].exp() + v[0].powi(3) * v[1] / (v[2] * v[2] + 1.0)
    }
    let x = [0.7, -0.4, 0.3];
    for (i, j, k) in [(0, 1, 2), (0, 0, 0), (1, 1, 0), (2, 2, 2), (0, 2, 1)] {
        let (v, d) = third_partial(f, x, (i, j, k));
        assert_eq!(v, f(&x));
        let fd = fd::partial(|y| hessian(f, y).2[(i, j)], &x, k, 1e-5);
        assert!(
            (d - fd).abs() < 1e-7 * (1.0 + fd.abs()),
            "∂³f/∂{i}∂{j}∂{k}: {d} vs {fd}"
        );
    }
}

#[test]
#[should_panic(expected = "same number type")]
fn nested_hessian_at_the_same_type_is_refused() {
    let _ = hessian(
        |x| {
            let (_, _, inner) = hessian(|y| y[0] * y[0], [1.0]);
            x[0] * inner[(0, 0)]
        },
        [1.0],
    );
}

/// Random programs: expression trees over the inputs.
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
            match op % 9 {
                0 => a.sin(),
                1 => a.cos(),
                2 => a.tanh().exp(),
                3 => (a * a + 1.0).sqrt(),
                4 => a.atan(),
                5 => a.sigmoid(),
                6 => a.softplus(),
                7 => (a * a + 1.0).ln(),
                _ => a * a * a,
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
                _ => (a * b).sin() + a,
            }
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0usize..16).prop_map(Expr::Var),
        (-2.0f64..2.0).prop_map(Expr::Const),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn hessian_equals_the_jacobian_of_the_forward_gradient(
        e in expr(),
        x in prop::collection::vec(-1.5f64..1.5, 1..12),
    ) {
        let (v, g, h) = hessian(|z| eval(&e, z), &x);
        let (_, hc) = (0, hessian_with_chunk::<3>(|z| eval(&e, z), &x).2);
        // Forward over forward with first-order numbers: J(∇f), ∇f itself by DualVec chunks.
        let (gv, jac) = jacobian_with_chunk::<4>(
            |z: &[DualVec<f64, 4>]| gradient_at::<DualVec<f64, 4>, 4>(|w| eval(&e, w), z).1,
            &x,
        );
        prop_assert_eq!(v, eval(&e, &x[..]));
        for (a, b) in g.iter().zip(&gv) {
            prop_assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "gradient {} vs {}", a, b);
        }
        let scale = 1.0 + jac.amax();
        for i in 0..x.len() {
            for j in 0..x.len() {
                let want = jac[(i, j)];
                prop_assert!((h[(i, j)] - want).abs() <= 1e-11 * scale,
                    "H[{},{}] = {} vs J(∇f) = {}", i, j, h[(i, j)], want);
                prop_assert!((hc[(i, j)] - want).abs() <= 1e-11 * scale);
            }
        }
        assert_exactly_symmetric(&h);
    }
}

/// Newton's method with a Levenberg shift (H + μI positive definite) and backtracking.
pub fn newton(
    f: impl Fn(&[f64]) -> f64,
    fh: impl Fn(&[f64]) -> (f64, Vec<f64>, DMatrix<f64>),
    x0: &[f64],
    tol: f64,
    max: usize,
    line_search: bool,
) -> (Vec<f64>, usize) {
    let n = x0.len();
    let mut x = x0.to_vec();
    for step in 0..max {
        let (fx, g, h) = fh(&x);
        let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if gnorm < tol {
            return (x, step);
        }
        let g = nalgebra::DVector::from_vec(g);
        let mut mu = 0.0;
        let d = loop {
            let shifted = &h + DMatrix::identity(n, n) * mu;
            if let Some(c) = shifted.cholesky() {
                break -c.solve(&g);
            }
            mu = if mu == 0.0 {
                1e-3 * (1.0 + h.amax())
            } else {
                mu * 10.0
            };
        };
        if !line_search {
            x = x.iter().zip(d.iter()).map(|(a, b)| a + b).collect();
            continue;
        }
        let mut t = 1.0;
        let slope = g.dot(&d);
        loop {
            let trial: Vec<f64> = x.iter().zip(d.iter()).map(|(a, b)| a + t * b).collect();
            if f(&trial) <= fx + 1e-4 * t * slope || t < 1e-12 {
                x = trial;
                break;
            }
            t *= 0.5;
        }
    }
    (x, max)
}

#[test]
fn newton_solves_a_quadratic_in_one_step() {
    fn q<T: Scalar>(x: &[T]) -> T {
        let a = x[0] - 5.0;
        let c = x[2] - 1.0;
        a * a + x[1] * x[1] + c * c
    }
    let x0 = [-3.0, 7.5, 0.25];
    let (_, g, h) = hessian(q, x0);
    let step = h.cholesky().unwrap().solve(&nalgebra::DVector::from_vec(g));
    let x1: Vec<f64> = x0.iter().zip(step.iter()).map(|(a, s)| a - s).collect();
    // Exact up to the rounding of the Cholesky solve.
    for (a, b) in x1.iter().zip([5.0, 0.0, 1.0]) {
        assert!(
            (a - b).abs() <= 4.0 * f64::EPSILON * 5.0,
            "Newton step gave {x1:?}"
        );
    }
    let (_, g1, _) = hessian(q, &x1);
    assert!(
        g1.iter().all(|g| g.abs() < 1e-13),
        "gradient after one step {g1:?}"
    );
}

/// Pure Newton (full steps, Levenberg shift only where H is not positive definite) on Rosenbrock.
/// From (−1.2, 1, 1, …) with n = 10 it converges to the chained Rosenbrock function's well-known
/// *local* minimum near (−0.9933, 0.9966, …) (f ≈ 3.9866, which exists for 4 ≤ n ≤ 30), as any
/// local method started there does; from n = 2's classic start, and from the n = 10 start
/// (0.2, …), it reaches the global minimum (1, …, 1).
#[test]
fn newton_minimises_rosenbrock_10_in_under_100_steps() {
    let mut classic = vec![1.0; 10];
    classic[0] = -1.2;
    let (x, steps) = newton(
        rosenbrock,
        |x| hessian(rosenbrock, x),
        &classic,
        1e-10,
        100,
        false,
    );
    assert!(steps < 100, "Newton took {steps} steps");
    let (f, g, h) = hessian(rosenbrock, &x);
    assert!(g.iter().all(|g| g.abs() < 1e-10), "not stationary: {g:?}");
    assert!(
        h.cholesky().is_some(),
        "not a minimum: H is not positive definite"
    );
    assert!(
        (x[0] + 0.99326).abs() < 1e-4 && (f - 3.98662).abs() < 1e-4,
        "{x:?}, f = {f}"
    );

    for x0 in [vec![-1.2, 1.0], vec![0.2; 10]] {
        let (x, steps) = newton(
            rosenbrock,
            |x| hessian(rosenbrock, x),
            &x0,
            1e-10,
            100,
            false,
        );
        assert!(steps < 100, "Newton took {steps} steps from {x0:?}");
        for xi in &x {
            assert!((xi - 1.0).abs() < 1e-8, "Newton from {x0:?} ended at {x:?}");
        }
    }
}

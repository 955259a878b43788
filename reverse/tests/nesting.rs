//! Nested derivatives in every pair of modes: reverse inside reverse (a tape of `Var<f64>`
//! elements), reverse inside forward (a tape of dual numbers), forward inside reverse
//! (`DualVec<Var>`), forward inside forward; against each other, against forward over forward
//! and central differences, and against perturbation confusion. Also the exact Hessian diagonal.

use diffprog_dual::{DualVec, Number, Scalar};
use diffprog_reverse::{gradient, gradient_at, hessian_diagonal, hessian_vector_product, Var};
use diffprog_testkit::fd;

/// An inner function of y with parameters x: loops, a branch, sums of many terms (so the inner
/// tape writes records, whose partials are outer numbers when nested).
fn inner<S: Scalar>(y: &[S], x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..y.len() {
        let j = (i + 1) % y.len();
        let a = x[i] * y[i];
        s += a.sin() * y[j] + (y[i] - x[j]).powi(2) * x[0];
    }
    let t: S = y.iter().copied().sum();
    if t > 0.0 {
        s + t * t * x[1]
    } else {
        s - t.exp()
    }
}

/// The outer function of x: a weighted sum of the inner gradient at y = x / 2 (the point depends
/// on x too).
fn outer_of<S: Scalar>(x: &[S], inner_gradient: Vec<S>) -> S {
    inner_gradient
        .iter()
        .zip(x)
        .map(|(&g, &xi)| g * xi.cos())
        .sum::<S>()
}

fn half<S: Scalar>(x: &[S]) -> Vec<S> {
    x.iter().map(|&v| v * 0.5).collect()
}

/// The outer function with the inner gradient by reverse mode at the outer number type `T`.
fn g_inner_reverse<T>(x: &[T]) -> T
where
    T: Scalar + diffprog_reverse::TapeElement,
{
    let lifted: Vec<Var<T>> = x.iter().map(|&v| Var::lift(v)).collect();
    let (_, grad) = gradient_at(|y: &[Var<T>]| inner(y, &lifted), half(x));
    outer_of(x, grad)
}

/// The outer function with the inner gradient by forward mode at the outer number type `T`.
fn g_inner_forward<T: Scalar>(x: &[T]) -> T {
    let lifted: Vec<DualVec<T, 4>> = x.iter().map(|&v| DualVec::lift(v)).collect();
    let (_, grad) =
        diffprog_dual::gradient_at::<T, 4>(|y: &[DualVec<T, 4>]| inner(y, &lifted), &half(x));
    outer_of(x, grad)
}

const X: [f64; 4] = [0.7, -0.4, 1.3, 0.2];

fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}[{i}]: {x} vs {y}"
        );
    }
}

#[test]
fn every_pair_of_modes_agrees_with_central_differences() {
    // Plain values: both inner modes give the same function.
    let v_r = g_inner_reverse(&X);
    let v_f = g_inner_forward(&X);
    assert!((v_r - v_f).abs() < 1e-13, "{v_r} vs {v_f}");

    let (vrr, rr) = gradient(g_inner_reverse::<Var>, X);
    let (vrf, rf) = gradient(g_inner_forward::<Var>, X);
    let (vfr, fr) = diffprog_dual::gradient_with_chunk::<4>(g_inner_reverse, &X);
    let (vff, ff) = diffprog_dual::gradient_with_chunk::<4>(g_inner_forward, &X);
    for v in [vrr, vrf, vfr, vff] {
        assert!((v - v_r).abs() < 1e-13);
    }
    let h = 1e-5;
    let central: Vec<f64> = (0..4)
        .map(|i| fd::partial(g_inner_reverse, &X, i, h))
        .collect();
    close(&ff, &central, 1e-7, "ff vs central differences");
    close(&rr, &ff, 1e-12, "rr vs ff");
    close(&rf, &ff, 1e-12, "rf vs ff");
    close(&fr, &ff, 1e-12, "fr vs ff");
}

fn rosenbrock_branchy<S: Scalar>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = S::one() - x[i];
        let c = if a > 0.0 { a.sin() } else { a * a.exp() };
        s += a * a * 100.0 + b * b + c * x[(i + 2) % x.len()];
    }
    s
}

/// The Hessian as the Jacobian of the gradient, reverse over reverse, equals forward over
/// forward (`hyperdual::hessian`) and central differences of the gradient.
#[test]
fn reverse_over_reverse_hessian() {
    let x = [0.3, -1.1, 0.8, 1.9, -0.5, 0.05];
    let n = x.len();
    let (value, jac) = diffprog_reverse::jacobian(
        |v: &[Var]| gradient_at(rosenbrock_branchy::<Var<Var>>, v).1,
        x,
    );
    let (_, grad, h) = diffprog_hyperdual::hessian(rosenbrock_branchy, x);
    close(&value, &grad, 1e-13, "inner gradient");
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (jac[(i, j)], h[(i, j)]);
            assert!(
                (a - b).abs() <= 1e-11 * (1.0 + b.abs()),
                "H[{i},{j}]: {a} vs {b}"
            );
        }
        let column = fd::partials(
            |p| diffprog_reverse::gradient(rosenbrock_branchy, p).1,
            &x,
            i,
            1e-6,
        );
        let ours: Vec<f64> = (0..n).map(|k| jac[(k, i)]).collect();
        close(&ours, &column, 1e-6, "H column vs central differences");
    }
}

/// d/dx [x · d/dy (x + y)] = 1 in every pair of modes (a confused implementation gives 2), and
/// d/dx [x · d/dy (x · y)|_{y = x}] = 2x, where the inner point depends on the outer variable.
#[test]
fn no_perturbation_confusion() {
    fn first<T: Scalar + diffprog_reverse::TapeElement>(x: T, rev: bool) -> T {
        let inner = if rev {
            gradient_at(|y: &[Var<T>]| Var::lift(x) + y[0], [T::one()]).1[0]
        } else {
            diffprog_dual::derivative_at(|y| diffprog_dual::Dual::lift(x) + y, T::one()).1
        };
        x * inner
    }
    fn second<T: Scalar + diffprog_reverse::TapeElement>(x: T, rev: bool) -> T {
        let inner = if rev {
            gradient_at(|y: &[Var<T>]| Var::lift(x) * y[0], [x]).1[0]
        } else {
            diffprog_dual::derivative_at(|y| diffprog_dual::Dual::lift(x) * y, x).1
        };
        x * inner
    }
    for rev in [true, false] {
        let rr = gradient(|x: &[Var]| first(x[0], rev), [3.0]).1[0];
        let fr = diffprog_dual::derivative(|x| first(x, rev), 3.0).1;
        assert_eq!((rr, fr), (1.0, 1.0), "inner reverse: {rev}");
        let rr = gradient(|x: &[Var]| second(x[0], rev), [3.0]).1[0];
        let fr = diffprog_dual::derivative(|x| second(x, rev), 3.0).1;
        assert_eq!((rr, fr), (6.0, 6.0), "inner reverse: {rev}");
    }
}

/// A reverse gradient inside another at the same element type is refused (it could confuse the
/// levels); nesting goes through `gradient_at` at the outer type.
#[test]
#[should_panic(expected = "already active")]
fn same_type_nesting_panics() {
    let _ = gradient(
        |x: &[Var]| {
            let inner = gradient(|y: &[Var]| y[0] * y[0], [2.0]).1[0];
            x[0] * inner
        },
        [1.0],
    );
}

/// Reverse over reverse, repeatedly on one thread (the inner tape is reused), with an inner
/// gradient taken many times inside one outer recording, as an optimiser loop does.
#[test]
fn inner_tape_is_reused_within_and_across_outer_recordings() {
    for round in 0..3 {
        let (_, g) = gradient(
            |x: &[Var]| {
                let mut y = x[0];
                for _ in 0..20 {
                    // one gradient step on (y − x₁)², from y
                    let d =
                        gradient_at(|v: &[Var<Var>]| (v[0] - Var::lift(x[1])).powi(2), [y]).1[0];
                    y -= d * 0.1;
                }
                y
            },
            [1.0 + round as f64, 2.0],
        );
        // y_k = x₁ + 0.8^k (x₀ − x₁): ∂/∂x₀ = 0.8²⁰, ∂/∂x₁ = 1 − 0.8²⁰
        let p = 0.8_f64.powi(20);
        close(&g, &[p, 1.0 - p], 1e-13, "unrolled steps");
    }
}

fn mixed_terms<S: Scalar>(v: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..v.len() {
        s += (v[i] * v[(i + 3) % v.len()]).sin() + v[i].powi(3) * 0.5;
    }
    s * s.cos()
}

fn separable<S: Scalar>(v: &[S]) -> S {
    v.iter()
        .enumerate()
        .map(|(i, &x)| (x - i as f64 * 0.1).powi(2) * (i + 1) as f64 + x.exp())
        .sum()
}

/// `hessian_diagonal` is the diagonal of the Hessian for any f (here across two blocks of 8),
/// against forward over forward and central differences of the gradient; where the Hessian is
/// diagonal, H·1 gives the same.
#[test]
fn hessian_diagonal_is_exact() {
    let x: Vec<f64> = (0..11).map(|i| 0.3 * (i as f64).sin() + 0.1).collect();
    let (value, grad, diag) = hessian_diagonal(mixed_terms, &x);
    let (v2, g2, h) = diffprog_hyperdual::hessian(mixed_terms, &x);
    assert_eq!(value, v2);
    close(&grad, &g2, 1e-13, "gradient");
    let want: Vec<f64> = (0..x.len()).map(|i| h[(i, i)]).collect();
    close(&diag, &want, 1e-12, "diagonal vs hyperdual");
    for (i, d) in diag.iter().enumerate() {
        let fd = fd::partials(|p| gradient(mixed_terms, p).1, &x, i, 1e-6)[i];
        assert!(
            (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
            "{i}: {d} vs {fd}"
        );
    }
    let (_, _, diag) = hessian_diagonal(separable, &x);
    let (_, _, ones) = hessian_vector_product(separable, &x, vec![1.0; x.len()]);
    close(&ones, &diag, 1e-14, "H·1 for a diagonal Hessian");
    let (v, g, d) = hessian_diagonal(|_: &[Var<DualVec<f64, 8>>]| Var::zero(), []);
    assert_eq!((v, g, d), (0.0, vec![], vec![]));
}

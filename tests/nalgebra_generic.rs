//! nalgebra-generic user code, written the way a user writes it (`T: RealScalar`, plain method
//! calls, `use diffprog::prelude::*` next to nalgebra's imports), differentiated in every mode and
//! checked against central differences, an analytic derivative and the other modes. The functions
//! are generic over the primal float too (`T: RealScalar<F>`), so the same code runs on `f32`
//! numbers.

use diffprog::prelude::*;
use nalgebra::{DMatrix, DVector, SMatrix, SVector};

/// log det(B Bᵀ + I) through the Cholesky factor, B the n × n matrix of `x` (row-major).
fn log_det<F: Real, T: RealScalar<F>>(x: &[T]) -> T {
    let n = (x.len() as f64).sqrt() as usize;
    let b = DMatrix::from_row_slice(n, n, x);
    let a = &b * b.transpose() + DMatrix::identity(n, n);
    let l = a.cholesky().expect("B Bᵀ + I is positive definite").l();
    let mut s = T::zero();
    for d in l.diagonal().iter() {
        s += d.ln();
    }
    s + s
}

/// The residual norm of the linear least-squares fit of `Y` by the columns exp(−θⱼ tᵢ)
/// (variable projection): the normal equations solved by Cholesky.
fn residual_norm<F: Real, T: RealScalar<F>>(theta: &[T]) -> T {
    const T_POINTS: [f64; 8] = [0.0, 0.3, 0.7, 1.1, 1.6, 2.2, 3.0, 4.0];
    const Y: [f64; 8] = [3.1, 2.2, 1.6, 1.1, 0.8, 0.55, 0.4, 0.3];
    let a = DMatrix::from_fn(T_POINTS.len(), theta.len(), |i, j| {
        (-theta[j] * F::from_f64(T_POINTS[i])).exp()
    });
    let y = DVector::from_iterator(Y.len(), Y.iter().map(|&v| T::constant(F::from_f64(v))));
    let at = a.transpose();
    let c = (&at * &a)
        .cholesky()
        .expect("distinct rates make AᵀA positive definite")
        .solve(&(&at * &y));
    (a * c - y).norm()
}

/// det A + Σ A⁻¹ + (A⁻¹ b)·1 of a 3 × 3 `SMatrix` (LU, inverse and solve on the stack).
fn smatrix_det<F: Real, T: RealScalar<F>>(x: &[T]) -> T {
    let a = SMatrix::<T, 3, 3>::from_row_slice(x);
    let b = SVector::<T, 3>::new(T::one(), T::one() + T::one(), -T::one());
    let inverse = a.try_inverse().expect("A is invertible");
    let solved = a.lu().solve(&b).expect("A is invertible");
    a.determinant() + inverse.sum() + solved.sum()
}

const LOG_DET_X: [f64; 9] = [1.0, 0.2, -0.3, 0.5, 1.5, 0.1, -0.2, 0.4, 0.8];
const THETA: [f64; 2] = [0.4, 1.7];
const SMATRIX_X: [f64; 9] = [2.0, 0.5, -1.0, 0.3, 1.5, 0.2, -0.4, 0.6, 1.8];

fn central_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[i] += h;
            down[i] -= h;
            (f(&up) - f(&down)) / (2.0 * h)
        })
        .collect()
}

fn assert_close(what: &str, a: f64, b: f64, tolerance: f64) {
    assert!(
        (a - b).abs() <= tolerance * b.abs().max(1.0),
        "{what}: {a} against {b} (tolerance {tolerance})"
    );
}

/// A function of a slice of numbers of type `T`.
type Of<T> = fn(&[T]) -> T;

/// One generic function instantiated at the number type of every mode.
struct Instances {
    plain: Of<f64>,
    forward: Of<DualVec<f64, 10>>,
    reverse: Of<Var>,
    hyper: Of<ArenaHyperDual<8>>,
    mixed: Of<HessianVar>,
    hvp: Of<Var<Dual<f64>>>,
}

macro_rules! instances {
    ($f:ident) => {
        Instances {
            plain: $f,
            forward: $f,
            reverse: $f,
            hyper: $f,
            mixed: $f,
            hvp: $f,
        }
    };
}

/// Gradients in forward and reverse mode, Hessians by hyperdual numbers and by the mixed mode,
/// and the mixed mode's Hessian–vector product, each against the others and finite differences.
fn check_every_mode(name: &str, x: &[f64], f: Instances) {
    let Instances {
        plain,
        forward,
        reverse,
        hyper,
        mixed,
        hvp,
    } = f;
    let value = plain(x);
    let (value_forward, g_forward) = diffprog::dual::gradient(forward, x);
    let (value_reverse, g_reverse) = diffprog::reverse::gradient(reverse, x);
    let (value_hyper, g_hyper, h_hyper) = diffprog::hyperdual::hessian(hyper, x);
    let (value_mixed, g_mixed, h_mixed) = diffprog::reverse::hessian(mixed, x);
    for v in [value_forward, value_reverse, value_hyper, value_mixed] {
        assert_close(&format!("{name} value"), v, value, 1e-14);
    }
    let g_numeric = central_gradient(plain, x);
    for i in 0..x.len() {
        let what = format!("{name} ∂/∂x{i}");
        assert_close(&what, g_forward[i], g_numeric[i], 1e-6);
        assert_close(&what, g_reverse[i], g_forward[i], 1e-12);
        assert_close(&what, g_hyper[i], g_forward[i], 1e-12);
        assert_close(&what, g_mixed[i], g_forward[i], 1e-12);
    }
    let direction: Vec<f64> = (0..x.len()).map(|i| 0.5 - 0.3 * i as f64).collect();
    let (_, _, h_v) = diffprog::reverse::hessian_vector_product(hvp, x, &direction);
    for i in 0..x.len() {
        // the i-th row of the Hessian: central differences of the reverse gradient
        let row = central_gradient(|y| diffprog::reverse::gradient(reverse, y).1[i], x);
        let mut h_times_v = 0.0;
        for j in 0..x.len() {
            let what = format!("{name} ∂²/∂x{i}∂x{j}");
            assert_close(&what, h_hyper[(i, j)], row[j], 1e-5);
            assert_close(&what, h_mixed[(i, j)], h_hyper[(i, j)], 1e-10);
            h_times_v += h_mixed[(i, j)] * direction[j];
        }
        assert_close(&format!("{name} (H v)_{i}"), h_v[i], h_times_v, 1e-10);
    }
}

#[test]
fn log_det_through_cholesky_in_every_mode() {
    check_every_mode("log det", &LOG_DET_X, instances!(log_det));
}

#[test]
fn log_det_gradient_is_the_analytic_one() {
    // ∂ log det(B Bᵀ + I) / ∂B = 2 (B Bᵀ + I)⁻¹ B
    let b = DMatrix::from_row_slice(3, 3, &LOG_DET_X);
    let a = &b * b.transpose() + DMatrix::identity(3, 3);
    let analytic = a.try_inverse().unwrap() * &b * 2.0;
    let (_, g) = diffprog::reverse::gradient(log_det, LOG_DET_X);
    for i in 0..3 {
        for j in 0..3 {
            assert_close("∂ log det / ∂B", g[3 * i + j], analytic[(i, j)], 1e-13);
        }
    }
}

#[test]
fn least_squares_residual_in_every_mode() {
    check_every_mode("residual norm", &THETA, instances!(residual_norm));
}

#[test]
fn smatrix_determinant_inverse_and_solve_in_every_mode() {
    check_every_mode("SMatrix", &SMATRIX_X, instances!(smatrix_det));
}

#[test]
fn f32_numbers_run_the_same_generic_code() {
    // Derivatives of the three functions in f32 (Dual<f32> along e₀, the f32 tape, Taylor2<f32>
    // for the second derivative along e₀) against the f64 ones.
    type Case = (
        &'static str,
        &'static [f64],
        Of<Dual<f32>>,
        Of<Var<f32>>,
        Of<Taylor2<f32>>,
        Of<HessianVar>,
    );
    let cases: [Case; 3] = [
        ("log det", &LOG_DET_X, log_det, log_det, log_det, log_det),
        (
            "residual norm",
            &THETA,
            residual_norm,
            residual_norm,
            residual_norm,
            residual_norm,
        ),
        (
            "SMatrix",
            &SMATRIX_X,
            smatrix_det,
            smatrix_det,
            smatrix_det,
            smatrix_det,
        ),
    ];
    for (name, x, forward32, reverse32, second32, mixed64) in cases {
        let (value, g, h) = diffprog::reverse::hessian(mixed64, x);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (value_forward, slope) = diffprog::dual::derivative_at(
            |t: Dual<f32>| {
                let y: Vec<Dual<f32>> = x32
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| if i == 0 { t } else { Dual::new(v, 0.0) })
                    .collect();
                forward32(&y)
            },
            x32[0],
        );
        assert_close(
            &format!("{name} f32 value"),
            value_forward as f64,
            value,
            1e-5,
        );
        assert_close(&format!("{name} f32 ∂/∂x0"), slope as f64, g[0], 1e-4);
        let (value_reverse, g32) = diffprog::reverse::gradient_at(reverse32, &x32);
        assert_close(
            &format!("{name} f32 tape value"),
            value_reverse as f64,
            value,
            1e-5,
        );
        for i in 0..x.len() {
            assert_close(
                &format!("{name} f32 tape ∂/∂x{i}"),
                g32[i] as f64,
                g[i],
                1e-4,
            );
        }
        let (_, _, curvature) = diffprog::hyperdual::second_derivative(
            |t: Taylor2<f32>| {
                let y: Vec<Taylor2<f32>> = x32
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| if i == 0 { t } else { Taylor2::constant(v) })
                    .collect();
                second32(&y)
            },
            x32[0],
        );
        assert_close(
            &format!("{name} f32 ∂²/∂x0²"),
            curvature as f64,
            h[(0, 0)],
            1e-3,
        );
    }
}

//! nalgebra on dual numbers: factorisations and their derivatives.

use diffprog_dual::{derivative, Dual, DualVec, Scalar};
use nalgebra::{DMatrix, DVector};

fn a_matrix() -> DMatrix<f64> {
    // symmetric positive definite
    DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0])
}

fn b_matrix() -> DMatrix<f64> {
    DMatrix::from_row_slice(3, 3, &[0.3, -0.1, 0.7, 0.2, 0.5, -0.4, 0.9, 0.1, -0.6])
}

/// A + tB as a matrix of duals seeded in t.
fn a_plus_t_b(t: Dual<f64>) -> DMatrix<Dual<f64>> {
    let (a, b) = (a_matrix(), b_matrix());
    DMatrix::from_fn(3, 3, |i, j| t * b[(i, j)] + a[(i, j)])
}

fn trace_ainv_b() -> f64 {
    (a_matrix().try_inverse().unwrap() * b_matrix()).trace()
}

#[test]
fn log_det_derivative_is_trace_of_ainv_b() {
    let (value, d) = derivative(|t| a_plus_t_b(t).determinant().ln(), 0.0);
    assert!((value - a_matrix().determinant().ln()).abs() < 1e-14);
    let expected = trace_ainv_b();
    assert!(
        (d - expected).abs() < 1e-14 * expected.abs().max(1.0),
        "{d} vs {expected}"
    );
}

#[test]
fn lu_solve_and_its_derivative() {
    // x(t) = (A + tB)⁻¹ c; dx/dt = −A⁻¹ B x at t = 0.
    let c = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let m = a_plus_t_b(Dual::variable(0.0));
    let rhs = c.map(Dual::lift);
    let x = m.clone().lu().solve(&rhs).expect("nonsingular");
    let a = a_matrix();
    let x0 = a.clone().lu().solve(&c).unwrap();
    let dx = -(a.try_inverse().unwrap() * b_matrix() * &x0);
    for i in 0..3 {
        assert!((x[i].re - x0[i]).abs() < 1e-14);
        assert!(
            (x[i].eps - dx[i]).abs() < 1e-14,
            "{} vs {}",
            x[i].eps,
            dx[i]
        );
    }
    // residual in the dual sense: M x = c exactly to rounding, in value and tangent
    let r = &m * &x - &rhs;
    for i in 0..3 {
        assert!(r[i].re.abs() < 1e-14 && r[i].eps.abs() < 1e-14);
    }
}

#[test]
fn inverse_derivative_is_minus_ainv_b_ainv() {
    let inv = a_plus_t_b(Dual::variable(0.0))
        .try_inverse()
        .expect("invertible");
    let ai = a_matrix().try_inverse().unwrap();
    let expected = -(&ai * b_matrix() * &ai);
    for i in 0..3 {
        for j in 0..3 {
            assert!((inv[(i, j)].re - ai[(i, j)]).abs() < 1e-14);
            assert!((inv[(i, j)].eps - expected[(i, j)]).abs() < 1e-14);
        }
    }
}

#[test]
fn singular_matrix_is_reported_singular() {
    let m = DMatrix::from_fn(2, 2, |_, _| Dual::variable(1.0));
    assert!(m.try_inverse().is_none());
}

#[test]
fn cholesky_of_symmetric_perturbation() {
    // Symmetric perturbation: A + t·S with S = B + Bᵀ. d/dt log det = tr(A⁻¹S), and
    // log det = 2 Σ ln Lᵢᵢ.
    let (a, b) = (a_matrix(), b_matrix());
    let s = &b + b.transpose();
    let (value, d) = derivative(
        |t| {
            let m = DMatrix::from_fn(3, 3, |i, j| t * s[(i, j)] + a[(i, j)]);
            let l = m.cholesky().expect("positive definite").l();
            (0..3).map(|i| l[(i, i)].ln()).sum::<Dual<f64>>() * 2.0
        },
        0.0,
    );
    let expected = (a.clone().try_inverse().unwrap() * &s).trace();
    assert!((value - a.determinant().ln()).abs() < 1e-14);
    assert!(
        (d - expected).abs() < 1e-14 * expected.abs().max(1.0),
        "{d} vs {expected}"
    );
}

#[test]
fn dualvec_determinant_gradient_is_cofactor_matrix() {
    // ∂ det A / ∂A_ij = det(A) (A⁻¹)ᵀ_ij; all four entries of a 2×2 in one pass.
    let vals = [2.0, 1.0, 0.5, 3.0];
    let m = DMatrix::from_fn(2, 2, |i, j| {
        DualVec::<f64, 4>::variable(vals[2 * i + j], 2 * i + j)
    });
    let det = m.determinant();
    assert_eq!(det.re, 2.0 * 3.0 - 1.0 * 0.5);
    assert_eq!(*det.eps(), [3.0, -0.5, -1.0, 2.0]);
}

#[test]
fn nested_dual_matrix_second_derivative() {
    // d²/dt² log det(A + tB) at 0 = −tr((A⁻¹B)²).
    let x = Dual::new(Dual::variable(0.0), Dual::new(1.0, 0.0));
    let (a, b) = (a_matrix(), b_matrix());
    let m = DMatrix::from_fn(3, 3, |i, j| x * b[(i, j)] + a[(i, j)]);
    let ld = Scalar::ln(m.determinant());
    let c = a.try_inverse().unwrap() * b;
    let expected = -(&c * &c).trace();
    assert!(
        (ld.eps.eps - expected).abs() < 1e-13,
        "{} vs {expected}",
        ld.eps.eps
    );
    assert!((ld.eps.re - trace_ainv_b()).abs() < 1e-14);
}

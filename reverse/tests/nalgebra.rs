//! `DMatrix<Var>`: LU solve, inverse and determinant are recorded scalar by scalar; their
//! gradients equal forward mode's (`DMatrix<DualVec>`).

use diffprog_dual::Scalar;
use diffprog_reverse::{gradient, Var};
use nalgebra::{ComplexField, DMatrix, DVector, RealField};

/// A scalar summary of LU solve, inverse and determinant of a 3×3 matrix built from x.
fn linear_algebra<T: Scalar + RealField + ComplexField<RealField = T>>(x: &[T]) -> T {
    let a = DMatrix::from_fn(3, 3, |i, j| {
        let v = x[(3 * i + j) % x.len()];
        if i == j {
            v + <T as Scalar>::constant(4.0)
        } else {
            v
        }
    });
    let b = DVector::from_fn(3, |i, _| x[i] * x[i + 1]);
    let solved = a.clone().lu().solve(&b).expect("nonsingular");
    let inv = a.clone().try_inverse().expect("nonsingular");
    let det = a.determinant();
    solved.iter().copied().sum::<T>() + inv[(0, 2)] * det + Scalar::sin(det)
}

#[test]
fn lu_inverse_determinant_gradients_equal_forward_mode() {
    let x: Vec<f64> = (0..9)
        .map(|i| 0.3 + 0.17 * i as f64 - 0.02 * (i * i) as f64)
        .collect();
    let (v, g) = gradient(linear_algebra::<Var>, &x);
    let (vf, gf) = diffprog_dual::gradient(linear_algebra, &x);
    assert!((v - vf).abs() <= 1e-13 * vf.abs().max(1.0));
    assert_eq!(v, linear_algebra(&x));
    for (a, b) in g.iter().zip(&gf) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn lu_inverse_determinant_hessians_agree_across_methods() {
    let x: Vec<f64> = (0..9)
        .map(|i| 0.3 + 0.17 * i as f64 - 0.02 * (i * i) as f64)
        .collect();
    let (v, g, h) = diffprog_reverse::hessian(linear_algebra, &x);
    let (v8, g8, h8) = diffprog_reverse::hessian_chunked::<8, _>(linear_algebra, &x);
    let (vh, gh, hh) = diffprog_hyperdual::hessian(linear_algebra, &x);
    assert_eq!(v, gradient(linear_algebra::<Var>, &x).0);
    assert!((v - v8).abs() <= 1e-13 * v.abs().max(1.0));
    assert!((v - vh).abs() <= 1e-13 * v.abs().max(1.0));
    for i in 0..9 {
        assert!((g[i] - g8[i]).abs() <= 1e-12 * g[i].abs().max(1.0));
        assert!((g[i] - gh[i]).abs() <= 1e-12 * g[i].abs().max(1.0));
        for j in 0..9 {
            let s = hh[(i, j)].abs().max(1.0);
            assert_eq!(h[(i, j)], h[(j, i)]);
            assert!((h[(i, j)] - h8[(i, j)]).abs() <= 1e-11 * s, "H[{i},{j}]");
            assert!((h[(i, j)] - hh[(i, j)]).abs() <= 1e-11 * s, "H[{i},{j}]");
        }
    }
}

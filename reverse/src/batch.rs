//! Parallel batches of the recording drivers: one function, many points, every core (rayon).
//! Each worker thread records on its own thread-local tape; the results come in the order of the
//! points and equal the sequential drivers' bit for bit (each point is one ordinary driver call).
//! For a function whose control flow does not change between the points, a recorded
//! [`Program`](crate::replay::Program)'s batches (`Program::gradient_batch`, …) skip the
//! recordings.

use crate::{HessianVar, Var};
use nalgebra::DMatrix;
use rayon::prelude::*;

/// [`gradient`](crate::gradient) at every point, in parallel, in the order of the points.
///
/// ```
/// use diffprog_reverse::gradient_batch;
/// use diffprog_dual::Scalar;
///
/// fn f<T: Scalar>(x: &[T]) -> T {
///     x[0].sin() * x[1]
/// }
/// let points: Vec<Vec<f64>> = (0..100).map(|k| vec![k as f64 * 0.1, 2.0]).collect();
/// let results = gradient_batch(f, &points);
/// assert_eq!(results[7], diffprog_reverse::gradient(f, &points[7]));
/// ```
///
/// # Panics
/// If `f` panics at a point (the panic is passed on).
pub fn gradient_batch<P: AsRef<[f64]> + Sync>(
    f: impl Fn(&[Var]) -> Var + Sync,
    points: &[P],
) -> Vec<(f64, Vec<f64>)> {
    points
        .par_iter()
        .map(|x| crate::gradient(&f, x.as_ref()))
        .collect()
}

/// [`jacobian`](crate::jacobian) at every point, in parallel, in the order of the points.
///
/// ```
/// use diffprog_reverse::jacobian_batch;
/// let points = vec![[1.0, 2.0], [3.0, 4.0]];
/// let results = jacobian_batch(|x| vec![x[0] * x[1], x[0] + x[1]], &points);
/// assert_eq!(results[1].0, vec![12.0, 7.0]);
/// assert_eq!(results[1].1[(0, 0)], 4.0);
/// ```
pub fn jacobian_batch<P: AsRef<[f64]> + Sync, Y: AsRef<[Var]>>(
    f: impl Fn(&[Var]) -> Y + Sync,
    points: &[P],
) -> Vec<(Vec<f64>, DMatrix<f64>)> {
    points
        .par_iter()
        .map(|x| crate::jacobian(&f, x.as_ref()))
        .collect()
}

/// [`hessian`](crate::hessian) at every point, in parallel, in the order of the points.
///
/// ```
/// use diffprog_reverse::hessian_batch;
/// let points = vec![[1.0, 2.0], [3.0, 4.0]];
/// let results = hessian_batch(|x| x[0] * x[0] * x[1], &points);
/// assert_eq!(results[1].2[(0, 1)], 6.0);
/// ```
pub fn hessian_batch<P: AsRef<[f64]> + Sync>(
    f: impl Fn(&[HessianVar]) -> HessianVar + Sync,
    points: &[P],
) -> Vec<(f64, Vec<f64>, DMatrix<f64>)> {
    points
        .par_iter()
        .map(|x| crate::hessian(&f, x.as_ref()))
        .collect()
}

//! A program's parallel batches: one program, many points, every core (rayon; each worker
//! thread its own buffers). Results come in the order of the points.

use super::dual_planes::DualPlanes;
use super::evaluate::Scratch;
use super::guards::GuardFailure;
use super::program::{
    gradient_with, hessian_with, hvp_with, jacobian_with, Program, ValueGradientHessian,
    ValueGradientHv, ValuesAndJacobian,
};
use rayon::prelude::*;

impl Program {
    /// [`gradient`](Self::gradient) at every point, in parallel; the `k`-th result is the
    /// `k`-th point's, equal to the sequential call's.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// let program = record(|x| x[0] * x[0] * x[1], &[1.0, 1.0]);
    /// let points = vec![[1.0, 2.0], [3.0, 4.0]];
    /// let results = program.gradient_batch(&points);
    /// assert_eq!(results[1], Ok((36.0, vec![24.0, 9.0])));
    /// ```
    ///
    /// # Panics
    /// If a point has another length than the recording point, or the program has several
    /// outputs.
    pub fn gradient_batch<P: AsRef<[f64]> + Sync>(
        &self,
        points: &[P],
    ) -> Vec<Result<(f64, Vec<f64>), GuardFailure>> {
        points
            .par_iter()
            .map_init(Scratch::default, |s, x| {
                let x = x.as_ref();
                self.check_input("gradient_batch", x);
                self.check_scalar("gradient_batch");
                let mut grad = vec![0.0; x.len()];
                gradient_with(&self.code, s, x, &mut grad).map(|v| (v, grad))
            })
            .collect()
    }

    /// [`jacobian`](Self::jacobian) at every point, in parallel, in the order of the points.
    ///
    /// # Panics
    /// If a point has another length than the recording point.
    pub fn jacobian_batch<P: AsRef<[f64]> + Sync>(
        &self,
        points: &[P],
    ) -> Vec<Result<ValuesAndJacobian, GuardFailure>> {
        points
            .par_iter()
            .map_init(Scratch::default, |s, x| {
                let x = x.as_ref();
                self.check_input("jacobian_batch", x);
                jacobian_with(&self.code, s, x)
            })
            .collect()
    }

    /// [`hessian_vector_product`](Self::hessian_vector_product) at every (point, direction)
    /// pair, in parallel, in order.
    ///
    /// # Panics
    /// If a point or direction has another length than the recording point, or the program
    /// has several outputs.
    pub fn hessian_vector_product_batch<P: AsRef<[f64]> + Sync>(
        &self,
        points_and_directions: &[(P, P)],
    ) -> Vec<Result<ValueGradientHv, GuardFailure>> {
        points_and_directions
            .par_iter()
            .map_init(DualPlanes::default, |s, (x, v)| {
                let (x, v) = (x.as_ref(), v.as_ref());
                self.check_input("hessian_vector_product_batch", x);
                self.check_input("hessian_vector_product_batch (the direction)", v);
                self.check_scalar("hessian_vector_product_batch");
                hvp_with(&self.code, s, x, v)
            })
            .collect()
    }

    /// [`hessian`](Self::hessian) at every point, in parallel, in order.
    ///
    /// # Panics
    /// If a point has another length than the recording point, or the program has several
    /// outputs.
    pub fn hessian_batch<P: AsRef<[f64]> + Sync>(
        &self,
        points: &[P],
    ) -> Vec<Result<ValueGradientHessian, GuardFailure>> {
        points
            .par_iter()
            .map_init(Scratch::default, |s, x| {
                let x = x.as_ref();
                self.check_input("hessian_batch", x);
                self.check_scalar("hessian_batch");
                hessian_with(&self.code, s, x)
            })
            .collect()
    }
}

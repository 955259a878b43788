//! What `particle` and `saddle` share: GradBench's gradient-descent solver (`gd.hpp`), written
//! once generic over [`Scalar`] so that an outer derivative can differentiate through it, and
//! the two ways of taking the inner gradient, forward and reverse, each a call of the library's
//! generic driver at the outer level's number type.
//!
//! Nesting: the outer argmin differentiates (at `Dual<f64>` or `DualVec<f64, 2>` forward, at
//! `Var<f64>` reverse) a function whose body takes an inner gradient. The inner gradient runs at
//! the outer number type `T`: forward by `diffprog_dual::gradient_at::<T, 2>` on `DualVec<T, 2>`
//! numbers, reverse by `diffprog_reverse::gradient_at::<T>` on a tape of `T` elements
//! (`Var<Dual<f64>>`, `Var<DualVec<f64, 2>>`, or `Var<Var<f64>>` for reverse over reverse). The
//! inner function's parameters, outer numbers, enter the inner level as constants (`lift`).

use diffprog_dual::{DualVec, Scalar};
use diffprog_reverse::{TapeElement, Var};

/// A function of a point `y` with parameters of the number type `T`, evaluable at any number type
/// `S` the parameters can be lifted into: the inner function of a nested derivative.
pub trait Inner<T> {
    /// The function at `y`, its parameters converted by `lift` (a constant of the inner level).
    fn eval<S: Scalar>(&self, y: &[S], lift: &dyn Fn(T) -> S) -> S;
}

/// A mode of the inner gradient, at the outer number type `T`.
pub trait InnerMode<T> {
    /// The gradient of `f` at `y`.
    fn gradient<F: Inner<T>>(f: &F, y: &[T]) -> Vec<T>;
}

/// The inner gradient by forward mode: `diffprog_dual::gradient_at` on `DualVec<T, 2>` (both
/// evals' inner points have two coordinates: one pass).
pub struct Forward;

/// The inner gradient by reverse mode: `diffprog_reverse::gradient_at` on a tape of `T`.
pub struct Reverse;

impl<T: Scalar> InnerMode<T> for Forward {
    fn gradient<F: Inner<T>>(f: &F, y: &[T]) -> Vec<T> {
        diffprog_dual::gradient_at::<T, 2>(|y| f.eval(y, &DualVec::lift), y).1
    }
}

impl<T: Scalar + TapeElement> InnerMode<T> for Reverse {
    fn gradient<F: Inner<T>>(f: &F, y: &[T]) -> Vec<T> {
        diffprog_reverse::gradient_at(|y: &[Var<T>]| f.eval(y, &Var::lift), y).1
    }
}

/// The Euclidean norm of the values (a stopping test: no derivative flows through it).
fn magnitude<T: Scalar>(v: &[T]) -> f64 {
    v.iter().map(|x| x.value() * x.value()).sum::<f64>().sqrt()
}

/// GradBench's `multivariate_argmin` (`cpp/gradbench/gd.hpp`): gradient descent from `x0` with
/// step η = 10⁻⁵, doubled after 10 accepted steps in a row and halved after a rejected one (a step
/// is accepted if it lowers `f`); stops when the gradient's norm or the step's length is at most
/// 10⁻⁵. Generic over the number type, so that an outer derivative differentiates through it:
/// its comparisons look at values, its arithmetic carries derivatives.
pub fn argmin<T: Scalar>(f: impl Fn(&[T]) -> T, g: impl Fn(&[T]) -> Vec<T>, x0: &[T]) -> Vec<T> {
    let mut x = x0.to_vec();
    let mut fx = f(&x);
    let mut gx = g(&x);
    let mut accepted = 0;
    let mut eta = 1e-5;
    loop {
        if magnitude(&gx) <= 1e-5 {
            return x;
        } else if accepted == 10 {
            eta *= 2.0;
            accepted = 0;
        } else {
            let x_prime: Vec<T> = x.iter().zip(&gx).map(|(&x, &g)| x - g * eta).collect();
            let step: Vec<T> = x.iter().zip(&x_prime).map(|(&a, &b)| a - b).collect();
            if magnitude(&step) <= 1e-5 {
                return x;
            }
            let fx_prime = f(&x_prime);
            if fx_prime < fx {
                x = x_prime;
                fx = fx_prime;
                gx = g(&x);
                accepted += 1;
            } else {
                eta /= 2.0;
                accepted = 0;
            }
        }
    }
}

/// GradBench's `multivariate_argmax`: [`argmin`] of −f with gradient −g.
pub fn argmax<T: Scalar>(f: impl Fn(&[T]) -> T, g: impl Fn(&[T]) -> Vec<T>, x0: &[T]) -> Vec<T> {
    argmin(|x| -f(x), |x| g(x).into_iter().map(|gi| -gi).collect(), x0)
}

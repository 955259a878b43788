//! The peer ad_trait, called the way its documentation shows: a problem wrapped as a
//! `DifferentiableFunctionTrait` and differentiated by a `FunctionEngine` with a derivative
//! method — `ReverseAD` (its `adr` tape, rebuilt on every call as diffprog's is),
//! `ForwardADMulti<adfn<8>>` (8 tangents per pass), and for Hessians `HessianAD_FOR<8>`
//! (forward-over-reverse) and `HessianAD<8>` (forward-over-forward).
//!
//! Each function returns the answer flattened as [`crate::modes::Mode`] wants it.

use crate::problems::{ScalarProblem, VectorProblem};
use ad_trait::differentiable_function::{
    DerivativeMethodTrait, DifferentiableFunctionTrait, ForwardADMulti, HessianAD, HessianAD_FOR,
    HessianMethodTrait, ReverseAD,
};
use ad_trait::forward_ad::adfn::adfn;
use ad_trait::function_engine::FunctionEngine;
use ad_trait::AD;

/// Tangents per forward pass (ad_trait's `adfn<N>`, and the `N` of its Hessian methods): 8, as
/// diffprog's Hessian blocks.
pub const WIDTH: usize = 8;

/// A scalar problem as an ad_trait function (one output).
#[derive(Clone)]
pub struct AdScalar<P>(pub P);

impl<P: ScalarProblem, T: AD> DifferentiableFunctionTrait<T> for AdScalar<P> {
    const NAME: &'static str = "diffprog-benches scalar problem";
    fn call(&self, inputs: &[T], _freeze: bool) -> Vec<T> {
        vec![self.0.eval_ad(inputs)]
    }
    fn num_inputs(&self) -> usize {
        self.0.n()
    }
    fn num_outputs(&self) -> usize {
        1
    }
}

/// A vector problem as an ad_trait function.
#[derive(Clone)]
pub struct AdVector<P>(pub P);

impl<P: VectorProblem, T: AD> DifferentiableFunctionTrait<T> for AdVector<P> {
    const NAME: &'static str = "diffprog-benches vector problem";
    fn call(&self, inputs: &[T], _freeze: bool) -> Vec<T> {
        self.0.eval_ad(inputs)
    }
    fn num_inputs(&self) -> usize {
        self.0.n()
    }
    fn num_outputs(&self) -> usize {
        self.0.m()
    }
}

/// A call computing the Jacobian (m × n, row-major) of `f` at `x` by the derivative method
/// `method`; the engine is built once, outside the call.
fn jacobian_call<F, E>(f: F, method: E, x: Vec<f64>) -> impl Fn() -> Vec<f64>
where
    F: DifferentiableFunctionTrait<f64> + DifferentiableFunctionTrait<E::T> + Clone,
    E: DerivativeMethodTrait,
{
    let engine = FunctionEngine::new(f.clone(), f, method);
    move || {
        let (_, j) = engine.derivative(&x);
        j.transpose().as_slice().to_vec()
    }
}

/// The gradient of `p` at `x` by ad_trait's reverse mode.
pub fn gradient_reverse<P: ScalarProblem>(p: &P, x: Vec<f64>) -> impl Fn() -> Vec<f64> + use<P> {
    jacobian_call(AdScalar(p.clone()), ReverseAD::new(), x)
}

/// The gradient by ad_trait's forward mode, [`WIDTH`] tangents per pass.
pub fn gradient_forward<P: ScalarProblem>(p: &P, x: Vec<f64>) -> impl Fn() -> Vec<f64> + use<P> {
    jacobian_call(AdScalar(p.clone()), ForwardADMulti::<adfn<WIDTH>>::new(), x)
}

/// The Jacobian of `p` at `x` by ad_trait's reverse mode (one sweep per output).
pub fn jacobian_reverse<P: VectorProblem>(p: &P, x: Vec<f64>) -> impl Fn() -> Vec<f64> + use<P> {
    jacobian_call(AdVector(p.clone()), ReverseAD::new(), x)
}

/// The Jacobian by ad_trait's forward mode, [`WIDTH`] tangents per pass.
pub fn jacobian_forward<P: VectorProblem>(p: &P, x: Vec<f64>) -> impl Fn() -> Vec<f64> + use<P> {
    jacobian_call(AdVector(p.clone()), ForwardADMulti::<adfn<WIDTH>>::new(), x)
}

/// A call computing the Hessian (n × n) of `f` at `x` by the Hessian method `method`.
fn hessian_call<F, E>(f: F, method: E, x: Vec<f64>) -> impl Fn() -> Vec<f64>
where
    F: DifferentiableFunctionTrait<f64> + DifferentiableFunctionTrait<E::T> + Clone,
    E: HessianMethodTrait,
{
    let engine = FunctionEngine::new(f.clone(), f, method);
    move || {
        let (_, _, h) = engine.hessian(&x);
        h[0].as_slice().to_vec()
    }
}

/// The Hessian by ad_trait's forward-over-reverse method, [`WIDTH`] rows per pass.
pub fn hessian_forward_over_reverse<P: ScalarProblem>(
    p: &P,
    x: Vec<f64>,
) -> impl Fn() -> Vec<f64> + use<P> {
    hessian_call(AdScalar(p.clone()), HessianAD_FOR::<WIDTH>::new(), x)
}

/// The Hessian by ad_trait's forward-over-forward method, [`WIDTH`] × [`WIDTH`] blocks per pass.
pub fn hessian_forward_over_forward<P: ScalarProblem>(
    p: &P,
    x: Vec<f64>,
) -> impl Fn() -> Vec<f64> + use<P> {
    hessian_call(AdScalar(p.clone()), HessianAD::<WIDTH>::new(), x)
}

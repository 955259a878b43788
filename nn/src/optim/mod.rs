//! Optimisers and learning-rate schedules.
//!
//! Every optimiser reads the gradients accumulated in a [`Params`] store and updates the values in
//! place; its state (moments, accumulators) is allocated on the first step and reused. Weight
//! decay is *coupled* (added to the gradient, `g ← g + λθ`, as PyTorch's `weight_decay`) except in
//! [`Adam::adamw`], where it is decoupled (`θ ← θ − lr·λ·θ`). Each optimiser's `param_group`
//! gives chosen parameters their own learning rate (PyTorch's parameter groups).

mod adagrad;
mod adam;
mod clip;
mod groups;
mod rmsprop;
mod schedule;
mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use clip::clip_grad_norm;
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::{Momentum, Sgd};

use crate::{Element, Params};

/// An optimiser: one [`step`](Optimizer::step) updates every parameter from its gradient.
pub trait Optimizer<F: Element> {
    /// Updates the parameters from their current gradients.
    fn step(&mut self, params: &mut Params<F>);
    /// The current learning rate.
    fn learning_rate(&self) -> f64;
    /// Sets the learning rate (schedules call this).
    fn set_learning_rate(&mut self, lr: f64);
}

/// One zero buffer per parameter, sized like the store (allocated once).
pub(crate) fn ensure_state<F: Element>(state: &mut Vec<Vec<F>>, params: &Params<F>) {
    if state.len() != params.len() {
        *state = params
            .ids()
            .map(|id| vec![F::zero(); params.value(id).len()])
            .collect();
    }
}

/// The gradient with coupled weight decay: g + λθ.
#[inline(always)]
pub(crate) fn decayed<F: Element>(g: F, theta: F, wd: F) -> F {
    g + wd * theta
}

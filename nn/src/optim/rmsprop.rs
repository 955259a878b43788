//! RMSprop.

use super::groups::{param_group_methods, ParamGroups};
use super::{decayed, ensure_state, Optimizer};
use crate::element::c;
use crate::{Element, Params};

/// RMSprop (as PyTorch): s ← αs + (1 − α)g²; θ ← θ − lr·g / (√s + ε).
/// Defaults α = 0.99, ε = 1e-8.
#[derive(Clone, Debug)]
pub struct RmsProp<F = f32> {
    lr: f64,
    groups: ParamGroups,
    /// Smoothing constant α.
    pub alpha: f64,
    /// ε added to the denominator.
    pub eps: f64,
    /// Coupled weight decay.
    pub weight_decay: f64,
    square_avg: Vec<Vec<F>>,
}

impl<F: Element> RmsProp<F> {
    /// RMSprop with the given learning rate and the default constants.
    pub fn new(lr: f64) -> Self {
        RmsProp {
            lr,
            groups: ParamGroups::default(),
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            square_avg: Vec::new(),
        }
    }
}

param_group_methods!(RmsProp);

impl<F: Element> Optimizer<F> for RmsProp<F> {
    fn step(&mut self, params: &mut Params<F>) {
        ensure_state(&mut self.square_avg, params);
        let (a, eps, wd): (F, F, F) = (c(self.alpha), c(self.eps), c(self.weight_decay));
        for id in params.ids() {
            if !params.is_trainable(id) {
                continue; // frozen, or a buffer
            }
            let lr: F = c(self.lr * self.groups.scale(id));
            let (theta, grad) = params.value_and_grad_mut(id);
            for ((t, &g), s) in theta
                .iter_mut()
                .zip(grad)
                .zip(self.square_avg[id.index()].iter_mut())
            {
                let g = decayed(g, *t, wd);
                *s = a * *s + (F::one() - a) * g * g;
                *t -= lr * g / (s.sqrt() + eps);
            }
        }
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}

//! Adagrad.

use super::groups::{param_group_methods, ParamGroups};
use super::{decayed, ensure_state, Optimizer};
use crate::element::c;
use crate::{Element, Params};

/// Adagrad (as PyTorch): s ← s + g²; θ ← θ − lr·g / (√s + ε). Default ε = 1e-10.
#[derive(Clone, Debug)]
pub struct Adagrad<F = f32> {
    lr: f64,
    groups: ParamGroups,
    /// ε added to the denominator.
    pub eps: f64,
    /// Coupled weight decay.
    pub weight_decay: f64,
    sum: Vec<Vec<F>>,
}

impl<F: Element> Adagrad<F> {
    /// Adagrad with the given learning rate.
    pub fn new(lr: f64) -> Self {
        Adagrad {
            lr,
            groups: ParamGroups::default(),
            eps: 1e-10,
            weight_decay: 0.0,
            sum: Vec::new(),
        }
    }
}

param_group_methods!(Adagrad);

impl<F: Element> Optimizer<F> for Adagrad<F> {
    fn step(&mut self, params: &mut Params<F>) {
        ensure_state(&mut self.sum, params);
        let (eps, wd): (F, F) = (c(self.eps), c(self.weight_decay));
        for id in params.ids() {
            if !params.is_trainable(id) {
                continue; // frozen, or a buffer
            }
            let lr: F = c(self.lr * self.groups.scale(id));
            let (theta, grad) = params.value_and_grad_mut(id);
            for ((t, &g), s) in theta
                .iter_mut()
                .zip(grad)
                .zip(self.sum[id.index()].iter_mut())
            {
                let g = decayed(g, *t, wd);
                *s += g * g;
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

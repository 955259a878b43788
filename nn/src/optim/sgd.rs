//! Stochastic gradient descent, with the momentum variants.

use super::groups::{param_group_methods, ParamGroups};
use super::{decayed, ensure_state, Optimizer};
use crate::element::c;
use crate::{Element, Params};

/// The momentum rule of [`Sgd`]. With velocity `v` (zero at the start) and gradient `g`:
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Momentum {
    /// Plain SGD: θ ← θ − lr·g.
    None,
    /// PyTorch's heavy ball: v ← μv + g; θ ← θ − lr·v.
    Torch(f64),
    /// The lecture's exponentially weighted average: V ← βV + (1 − β)g; θ ← θ − lr·V.
    /// (Equal to `Torch(β)` with the learning rate scaled by 1 − β.)
    Ewa(f64),
    /// Nesterov, as PyTorch: v ← μv + g; θ ← θ − lr·(g + μv).
    Nesterov(f64),
}

/// SGD with optional momentum and (coupled) weight decay.
///
/// ```
/// use diffprog_nn::{optim::{Momentum, Optimizer, Sgd}, Params, Tensor};
/// let mut p = Params::<f64>::new();
/// let w = p.add("w", Tensor::from_vec(vec![1.0], &[1]));
/// p.grad_mut(w)[0] = 0.5;
/// let mut opt = Sgd::new(0.1, Momentum::Torch(0.9));
/// opt.step(&mut p); // v = 0.5, θ = 1 − 0.05
/// opt.step(&mut p); // v = 0.9·0.5 + 0.5 = 0.95, θ = 0.95 − 0.095
/// assert!((p.value(w)[0] - 0.855).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<F = f32> {
    lr: f64,
    groups: ParamGroups,
    momentum: Momentum,
    weight_decay: f64,
    velocity: Vec<Vec<F>>,
}

impl<F: Element> Sgd<F> {
    /// SGD with the given learning rate and momentum rule.
    pub fn new(lr: f64, momentum: Momentum) -> Self {
        Sgd {
            lr,
            groups: ParamGroups::default(),
            momentum,
            weight_decay: 0.0,
            velocity: Vec::new(),
        }
    }
    /// With coupled weight decay λ (g ← g + λθ).
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self
    }
}

param_group_methods!(Sgd);

impl<F: Element> Optimizer<F> for Sgd<F> {
    fn step(&mut self, params: &mut Params<F>) {
        let wd: F = c(self.weight_decay);
        if !matches!(self.momentum, Momentum::None) {
            ensure_state(&mut self.velocity, params);
        }
        for id in params.ids() {
            if !params.is_trainable(id) {
                continue; // frozen, or a buffer
            }
            let lr: F = c(self.lr * self.groups.scale(id));
            let (theta, grad) = params.value_and_grad_mut(id);
            match self.momentum {
                Momentum::None => {
                    for (t, &g) in theta.iter_mut().zip(grad) {
                        *t -= lr * decayed(g, *t, wd);
                    }
                }
                Momentum::Torch(mu) | Momentum::Ewa(mu) | Momentum::Nesterov(mu) => {
                    let mu: F = c(mu);
                    let gscale: F = if let Momentum::Ewa(b) = self.momentum {
                        c(1.0 - b)
                    } else {
                        F::one()
                    };
                    let nesterov = matches!(self.momentum, Momentum::Nesterov(_));
                    let v = &mut self.velocity[id.index()];
                    for ((t, &g), vi) in theta.iter_mut().zip(grad).zip(v.iter_mut()) {
                        let g = decayed(g, *t, wd);
                        *vi = mu * *vi + gscale * g;
                        *t -= lr * if nesterov { g + mu * *vi } else { *vi };
                    }
                }
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

//! Adam and AdamW.

use super::groups::{param_group_methods, ParamGroups};
use super::{decayed, ensure_state, Optimizer};
use crate::element::c;
use crate::{Element, Params};

/// Adam with bias correction (as PyTorch), optionally AdamW:
///
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m / (1 − β₁ᵗ); v̂ = v / (1 − β₂ᵗ);
/// θ ← θ − lr·m̂ / (√v̂ + ε).
///
/// Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8. [`Adam::new`]'s weight decay is coupled (g ← g + λθ);
/// [`Adam::adamw`]'s is decoupled (θ ← θ·(1 − lr·λ) before the update).
#[derive(Clone, Debug)]
pub struct Adam<F = f32> {
    lr: f64,
    groups: ParamGroups,
    /// β₁.
    pub beta1: f64,
    /// β₂.
    pub beta2: f64,
    /// ε.
    pub eps: f64,
    weight_decay: f64,
    decoupled: bool,
    t: u64,
    m: Vec<Vec<F>>,
    v: Vec<Vec<F>>,
}

impl<F: Element> Adam<F> {
    /// Adam with the given learning rate and the default constants.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            groups: ParamGroups::default(),
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }
    /// AdamW: Adam with decoupled weight decay λ (PyTorch's default λ is 0.01).
    pub fn adamw(lr: f64, weight_decay: f64) -> Self {
        Adam {
            weight_decay,
            decoupled: true,
            ..Self::new(lr)
        }
    }
    /// With coupled weight decay λ (g ← g + λθ), as PyTorch's `Adam(weight_decay=λ)`.
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self.decoupled = false;
        self
    }
    /// The number of steps taken.
    pub fn steps(&self) -> u64 {
        self.t
    }
}

param_group_methods!(Adam);

impl<F: Element> Optimizer<F> for Adam<F> {
    fn step(&mut self, params: &mut Params<F>) {
        ensure_state(&mut self.m, params);
        ensure_state(&mut self.v, params);
        self.t += 1;
        let t = self.t as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2 = 1.0 - self.beta2.powi(t);
        // θ −= lr·(m/bc1)/(√(v/bc2) + ε) = step·m / (√v + ε·√bc2) with step = lr·√bc2/bc1
        let eps_hat: F = c(self.eps * bc2.sqrt());
        let (b1, b2): (F, F) = (c(self.beta1), c(self.beta2));
        let (ob1, ob2) = (F::one() - b1, F::one() - b2);
        for id in params.ids() {
            if !params.is_trainable(id) {
                continue; // frozen, or a buffer
            }
            let lr = self.lr * self.groups.scale(id);
            let step: F = c(lr * bc2.sqrt() / bc1);
            let (wd_coupled, shrink): (F, F) = if self.decoupled {
                (F::zero(), c(1.0 - lr * self.weight_decay))
            } else {
                (c(self.weight_decay), F::one())
            };
            let i = id.index();
            let (theta, grad) = params.value_and_grad_mut(id);
            let (m, v) = (&mut self.m[i], &mut self.v[i]);
            for (((t, &g), mi), vi) in theta
                .iter_mut()
                .zip(grad)
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                let g = decayed(g, *t, wd_coupled);
                *mi = b1 * *mi + ob1 * g;
                *vi = b2 * *vi + ob2 * g * g;
                *t = *t * shrink - step * *mi / (vi.sqrt() + eps_hat);
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

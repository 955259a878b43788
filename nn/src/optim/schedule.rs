//! Learning-rate schedules.

use super::Optimizer;
use crate::Element;

/// A learning-rate schedule, advanced once per epoch with [`Schedule::step`].
///
/// ```
/// use diffprog_nn::optim::{Adam, Optimizer, Schedule};
/// let mut opt = Adam::<f32>::new(0.1);
/// let mut s = Schedule::step_lr(0.1, 2, 0.5); // halve every 2 epochs
/// for _ in 0..4 { s.step(&mut opt); }
/// assert!((opt.learning_rate() - 0.025).abs() < 1e-15);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// lr = base · γ^⌊epoch / step_size⌋ (PyTorch's `StepLR`).
    Step {
        /// The initial learning rate.
        base: f64,
        /// Epochs between decays.
        step_size: usize,
        /// The decay factor.
        gamma: f64,
        /// Epochs completed.
        epoch: usize,
    },
    /// lr = base · γ^epoch (PyTorch's `ExponentialLR`).
    Exponential {
        /// The initial learning rate.
        base: f64,
        /// The decay factor.
        gamma: f64,
        /// Epochs completed.
        epoch: usize,
    },
}

impl Schedule {
    /// `StepLR(base, step_size, gamma)`.
    pub fn step_lr(base: f64, step_size: usize, gamma: f64) -> Self {
        assert!(
            step_size > 0,
            "Schedule::step_lr: step_size must be positive"
        );
        Schedule::Step {
            base,
            step_size,
            gamma,
            epoch: 0,
        }
    }
    /// `ExponentialLR(base, gamma)`.
    pub fn exponential(base: f64, gamma: f64) -> Self {
        Schedule::Exponential {
            base,
            gamma,
            epoch: 0,
        }
    }
    /// The learning rate after `epoch` completed epochs.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        match *self {
            Schedule::Step {
                base,
                step_size,
                gamma,
                ..
            } => base * gamma.powi((epoch / step_size) as i32),
            Schedule::Exponential { base, gamma, .. } => base * gamma.powi(epoch as i32),
        }
    }
    /// Marks one more epoch done and sets the optimiser's learning rate accordingly.
    pub fn step<F: Element>(&mut self, opt: &mut impl Optimizer<F>) {
        let e = match self {
            Schedule::Step { epoch, .. } | Schedule::Exponential { epoch, .. } => {
                *epoch += 1;
                *epoch
            }
        };
        opt.set_learning_rate(self.lr_at(e));
    }
}

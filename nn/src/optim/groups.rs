//! Parameter groups: parameters trained with their own learning rate.

use crate::ParamId;

/// Each parameter's learning rate as a multiple of the optimiser's base rate (1 for a parameter
/// in no group).
///
/// A group's rate is given as an absolute learning rate and kept as its ratio to the base rate, so
/// a [`Schedule`](super::Schedule) that changes the base rate changes every group's rate by the
/// same factor — as PyTorch's schedulers scale every `param_group`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ParamGroups {
    scale: Vec<f64>,
}

impl ParamGroups {
    /// Gives `ids` the learning rate `lr` while the base rate is `base`.
    pub(crate) fn add(&mut self, ids: impl IntoIterator<Item = ParamId>, lr: f64, base: f64) {
        assert!(
            lr.is_finite() && lr >= 0.0,
            "param_group: the learning rate must be finite and ≥ 0, got {lr}"
        );
        assert!(
            base.is_finite() && base > 0.0,
            "param_group: the optimiser's base learning rate is {base}; a group's rate is kept as \
             a multiple of it, so give the optimiser a positive rate before adding groups"
        );
        for id in ids {
            let i = id.index();
            if self.scale.len() <= i {
                self.scale.resize(i + 1, 1.0);
            }
            self.scale[i] = lr / base;
        }
    }
    /// The multiple of the base rate that parameter `id` trains with.
    #[inline]
    pub(crate) fn scale(&self, id: ParamId) -> f64 {
        self.scale.get(id.index()).copied().unwrap_or(1.0)
    }
}

/// The builder `param_group` and the getter `group_learning_rate` on an optimiser with fields
/// `lr: f64` and `groups: ParamGroups`.
macro_rules! param_group_methods {
    ($t:ident) => {
        impl<F: $crate::Element> $t<F> {
            /// Trains the parameters `ids` with learning rate `lr` instead of the base rate (a
            /// PyTorch `param_group`; e.g. a pretrained backbone with a smaller rate than a new
            /// head). A schedule scales every group's rate with the base rate.
            ///
            /// # Panics
            /// If `lr` is negative or not finite, or the base learning rate is not positive.
            ///
            /// ```
            /// use diffprog_nn::optim::{Optimizer, Sgd, Momentum};
            /// use diffprog_nn::{Params, Tensor};
            ///
            /// let mut p = Params::<f64>::new();
            /// let backbone = p.add("backbone.weight", Tensor::from_vec(vec![1.0], &[1]));
            /// let head = p.add("head.weight", Tensor::from_vec(vec![1.0], &[1]));
            /// let mut opt = Sgd::new(0.1, Momentum::None).param_group([backbone], 0.01);
            /// p.grad_mut(backbone)[0] = 1.0;
            /// p.grad_mut(head)[0] = 1.0;
            /// opt.step(&mut p);
            /// assert!((p.value(backbone)[0] - 0.99).abs() < 1e-15);
            /// assert!((p.value(head)[0] - 0.9).abs() < 1e-15);
            /// ```
            pub fn param_group(
                mut self,
                ids: impl IntoIterator<Item = $crate::ParamId>,
                lr: f64,
            ) -> Self {
                self.groups.add(ids, lr, self.lr);
                self
            }
            /// The learning rate parameter `id` trains with now.
            pub fn group_learning_rate(&self, id: $crate::ParamId) -> f64 {
                self.lr * self.groups.scale(id)
            }
        }
    };
}
pub(crate) use param_group_methods;

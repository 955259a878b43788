//! [`BatchNorm`] (PyTorch's `nn.BatchNorm1d`, `nn.BatchNorm2d`) with its running statistics,
//! and [`LayerNorm`] (`nn.LayerNorm`).

use crate::{Element, Graph, NodeId, ParamId, Params, Tensor};

/// Batch normalisation over channels (axis 1): `weight` (γ, ones) and `bias` (β, zeros) of
/// shape `[c]`, and the running statistics `running_mean` (zeros) and `running_var` (ones) as
/// *buffers* of the [`Params`] store ([`Params::add_buffer`]): saved in checkpoints, no gradient,
/// skipped by optimisers. In train mode ([`Graph::is_training`]) it normalises by the batch's
/// statistics and updates the running ones with `momentum`; in eval mode it uses the running
/// ones ([`Graph::batch_norm`]). As [`Layer::BatchNorm1d`](super::Layer::BatchNorm1d) it takes
/// `[n, c]` or `[n, c, l]`, as [`Layer::BatchNorm2d`](super::Layer::BatchNorm2d) `[n, c, h, w]`.
///
/// ```
/// use diffprog_nn::{layers::BatchNorm, Graph};
/// let mut g = Graph::<f64>::new();
/// let bn = BatchNorm::new(g.params_mut(), "bn1", 2);
/// let x = g.input(&[1.0, 10.0, 3.0, 30.0], &[2, 2]);
/// let y = bn.forward(&mut g, x);
/// // per channel (x − μ) / √(σ² + ε): σ² = 1 and 100
/// let e = [-1.0 / (1.0 + 1e-5f64).sqrt(), -10.0 / (100.0 + 1e-5f64).sqrt()];
/// let want = [e[0], e[1], -e[0], -e[1]];
/// assert!(g.value(y).iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12));
/// // running mean 0.9 · 0 + 0.1 · (2, 20)
/// let m = g.params().value(bn.running_mean).to_vec();
/// assert!((m[0] - 0.2).abs() < 1e-12 && (m[1] - 2.0).abs() < 1e-12);
/// g.set_training(false); // eval: the running statistics, unchanged
/// let z = bn.forward(&mut g, x);
/// assert!((g.value(z)[0] - (1.0 - 0.2) / (0.9f64 + 0.1 * 2.0 + 1e-5).sqrt()).abs() < 1e-12);
/// assert_eq!(g.params().value(bn.running_mean), &m[..]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm {
    /// γ, `[c]`, if affine.
    pub weight: Option<ParamId>,
    /// β, `[c]`, if affine.
    pub bias: Option<ParamId>,
    /// The running mean, `[c]` (a buffer).
    pub running_mean: ParamId,
    /// The running (unbiased) variance, `[c]` (a buffer).
    pub running_var: ParamId,
    /// Channels.
    pub num_features: usize,
    /// The running statistics' update rate (PyTorch: 0.1).
    pub momentum: f64,
    /// Added to the variance (PyTorch: 1e-5).
    pub eps: f64,
}

impl BatchNorm {
    /// PyTorch's defaults (affine, momentum 0.1, eps 1e-5): `{name}.weight` = 1,
    /// `{name}.bias` = 0 and the buffers `{name}.running_mean` = 0, `{name}.running_var` = 1.
    ///
    /// # Panics
    /// If `num_features` is 0.
    pub fn new<F: Element>(params: &mut Params<F>, name: &str, num_features: usize) -> Self {
        Self::with_options(params, name, num_features, 0.1, 1e-5, true)
    }
    /// With the given momentum, eps and affine flag (no γ, β when `affine` is false).
    ///
    /// # Panics
    /// If `num_features` is 0, `momentum` is outside `[0, 1]` or `eps` is negative.
    pub fn with_options<F: Element>(
        params: &mut Params<F>,
        name: &str,
        num_features: usize,
        momentum: f64,
        eps: f64,
        affine: bool,
    ) -> Self {
        assert!(num_features > 0, "BatchNorm: no channels");
        assert!(
            (0.0..=1.0).contains(&momentum) && eps >= 0.0,
            "BatchNorm: momentum {momentum} must be in [0, 1] and eps {eps} non-negative"
        );
        let c = num_features;
        let ones = || Tensor::from_vec(vec![F::one(); c], &[c]);
        let (weight, bias) = if affine {
            (
                Some(params.add(format!("{name}.weight"), ones())),
                Some(params.add(format!("{name}.bias"), Tensor::zeros(&[c]))),
            )
        } else {
            (None, None)
        };
        let running_mean = params.add_buffer(format!("{name}.running_mean"), Tensor::zeros(&[c]));
        let running_var = params.add_buffer(format!("{name}.running_var"), ones());
        BatchNorm {
            weight,
            bias,
            running_mean,
            running_var,
            num_features,
            momentum,
            eps,
        }
    }
    /// Records [`Graph::batch_norm`] of `x: [n, c, ..]` with the layer's parameters, updating the
    /// running statistics in the graph's store in train mode.
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let w = self.weight.map(|w| g.param(w));
        let b = self.bias.map(|b| g.param(b));
        // The op updates the statistics in place; they live in the store the graph owns, so they
        // are moved out for the call (no copy, no allocation) and put back.
        let (mi, vi) = (self.running_mean.index(), self.running_var.index());
        let mut mean = std::mem::take(&mut g.params_mut().values[mi]);
        let mut var = std::mem::take(&mut g.params_mut().values[vi]);
        let y = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            g.batch_norm(
                x,
                w,
                b,
                Some((&mut mean, &mut var)),
                self.momentum,
                self.eps,
            )
        }));
        g.params_mut().values[mi] = mean;
        g.params_mut().values[vi] = var;
        match y {
            Ok(y) => y,
            Err(e) => std::panic::resume_unwind(e),
        }
    }
}

/// Layer normalisation over the trailing axes `normalized_shape` (PyTorch's `nn.LayerNorm`):
/// `weight` (ones) and `bias` (zeros) of shape `normalized_shape`, eps 1e-5
/// ([`Graph::layer_norm`]); the same in train and eval mode.
///
/// ```
/// use diffprog_nn::{layers::LayerNorm, Graph};
/// let mut g = Graph::<f64>::new();
/// let ln = LayerNorm::new(g.params_mut(), "ln", &[2]);
/// let x = g.input(&[1.0, 3.0, 10.0, 30.0], &[2, 2]);
/// let y = ln.forward(&mut g, x);
/// let r = 1.0 / (1.0 + 1e-5f64).sqrt();
/// assert!((g.value(y)[1] - r).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LayerNorm {
    /// The scale, shape `normalized_shape`, if affine.
    pub weight: Option<ParamId>,
    /// The shift, shape `normalized_shape`, if affine.
    pub bias: Option<ParamId>,
    /// The trailing axes normalised together.
    pub normalized_shape: Vec<usize>,
    /// Added to the variance (PyTorch: 1e-5).
    pub eps: f64,
}

impl LayerNorm {
    /// PyTorch's defaults (affine, eps 1e-5): `{name}.weight` = 1, `{name}.bias` = 0.
    ///
    /// # Panics
    /// If `normalized_shape` is empty or has a zero axis.
    pub fn new<F: Element>(params: &mut Params<F>, name: &str, normalized_shape: &[usize]) -> Self {
        Self::with_options(params, name, normalized_shape, 1e-5, true)
    }
    /// With the given eps and affine flag.
    ///
    /// # Panics
    /// As [`new`](Self::new), or if `eps` is negative.
    pub fn with_options<F: Element>(
        params: &mut Params<F>,
        name: &str,
        normalized_shape: &[usize],
        eps: f64,
        affine: bool,
    ) -> Self {
        let len: usize = normalized_shape.iter().product();
        assert!(
            !normalized_shape.is_empty() && len > 0 && eps >= 0.0,
            "LayerNorm: normalized_shape {normalized_shape:?} must be non-empty with positive \
             axes and eps {eps} non-negative"
        );
        let (weight, bias) = if affine {
            (
                Some(params.add(
                    format!("{name}.weight"),
                    Tensor::from_vec(vec![F::one(); len], normalized_shape),
                )),
                Some(params.add(format!("{name}.bias"), Tensor::zeros(normalized_shape))),
            )
        } else {
            (None, None)
        };
        LayerNorm {
            weight,
            bias,
            normalized_shape: normalized_shape.to_vec(),
            eps,
        }
    }
    /// Records [`Graph::layer_norm`] of `x` with the layer's parameters.
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let w = self.weight.map(|w| g.param(w));
        let b = self.bias.map(|b| g.param(b));
        g.layer_norm(x, &self.normalized_shape, w, b, self.eps)
    }
}

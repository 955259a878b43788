//! Gradient clipping by global norm (PyTorch's `clip_grad_norm_`).

use crate::element::c;
use crate::{Element, ParamId, Params};

/// Scales the gradients of `ids` (every parameter of the store when `None`) so that their
/// global L2 norm — the norm of all their elements taken together — is at most `max_norm`, and
/// returns the norm before clipping (PyTorch's `clip_grad_norm_` with `norm_type = 2`).
///
/// As PyTorch: the factor is `max_norm / (norm + 1e-6)` clamped to at most 1, and every gradient
/// is multiplied by it (a plain IEEE product, not a chain-rule one: a NaN norm makes every
/// gradient NaN, an infinite one turns infinite gradients into NaN and the finite ones into 0).
/// The squares are summed in `f64`.
///
/// ```
/// use diffprog_nn::{optim::clip_grad_norm, Params, Tensor};
/// let mut p = Params::<f64>::new();
/// let a = p.add("a", Tensor::zeros(&[1]));
/// let b = p.add("b", Tensor::zeros(&[1]));
/// p.grad_mut(a)[0] = 3.0;
/// p.grad_mut(b)[0] = 4.0;
/// let norm = clip_grad_norm(&mut p, None, 1.0);
/// assert_eq!(norm, 5.0);
/// let scale = 1.0 / (5.0 + 1e-6);
/// assert_eq!(p.grad(a)[0], 3.0 * scale);
/// assert_eq!(p.grad(b)[0], 4.0 * scale);
/// ```
///
/// # Panics
/// If `max_norm` is negative or NaN.
pub fn clip_grad_norm<F: Element>(
    params: &mut Params<F>,
    ids: Option<&[ParamId]>,
    max_norm: f64,
) -> f64 {
    assert!(
        max_norm >= 0.0,
        "clip_grad_norm: max_norm must be non-negative, got {max_norm}"
    );
    let all: Vec<ParamId>;
    let ids = match ids {
        Some(ids) => ids,
        None => {
            all = params.ids().collect();
            &all
        }
    };
    let sum: f64 = ids
        .iter()
        .flat_map(|&id| params.grad(id).iter())
        .map(|&g| {
            let g = g.to_f64();
            g * g
        })
        .sum();
    let norm = sum.sqrt();
    let scale = (max_norm / (norm + 1e-6)).min(1.0);
    // `min` ignores a NaN operand; PyTorch's clamp keeps it
    let scale = if norm.is_nan() { f64::NAN } else { scale };
    let s: F = c(scale);
    for &id in ids {
        params.grad_mut(id).iter_mut().for_each(|g| *g *= s);
    }
    norm
}

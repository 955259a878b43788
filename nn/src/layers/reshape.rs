//! [`Flatten`]: PyTorch's `nn.Flatten` (every axis after the batch axis into one), and its
//! inverse `nn.Unflatten` ([`Layer::Unflatten`](super::Layer::Unflatten)).

use crate::{Element, Graph, NodeId};

/// Flattens `x: [n, d1, d2, ..]` into `[n, d1·d2·..]` (PyTorch's `nn.Flatten()` with its
/// defaults `start_dim = 1`, `end_dim = −1`): between the convolutional part of a network and its
/// dense part.
///
/// ```
/// use diffprog_nn::{layers::flatten, Graph};
/// let mut g = Graph::<f64>::new();
/// let x = g.input(&[0.0; 2 * 3 * 4 * 5], &[2, 3, 4, 5]);
/// let y = flatten(&mut g, x);
/// assert_eq!(g.shape(y).dims(), &[2, 60]);
/// ```
///
/// # Panics
/// If `x` has no axis.
pub fn flatten<F: Element>(g: &mut Graph<F>, x: NodeId) -> NodeId {
    let s = g.shape(x);
    assert!(s.ndim() >= 1, "Flatten: a scalar has no batch axis");
    let n = s.dim(0);
    let rest: usize = s.dims()[1..].iter().product();
    g.reshape(x, &[n, rest])
}

/// Reshapes `x: [n, d]` into `[n] ++ shape` (PyTorch's `nn.Unflatten(1, shape)`): flat rows
/// (a [`Dataset`](crate::data::Dataset)'s features) into images for a convolution.
///
/// ```
/// use diffprog_nn::{layers::unflatten, Graph};
/// let mut g = Graph::<f64>::new();
/// let x = g.input(&[0.0; 2 * 16], &[2, 16]);
/// let y = unflatten(&mut g, x, &[1, 4, 4]);
/// assert_eq!(g.shape(y).dims(), &[2, 1, 4, 4]);
/// ```
///
/// # Panics
/// If `x`'s elements after the batch axis are not `shape`'s product.
pub fn unflatten<F: Element>(g: &mut Graph<F>, x: NodeId, shape: &[usize]) -> NodeId {
    let s = g.shape(x);
    assert!(s.ndim() >= 1, "Unflatten: a scalar has no batch axis");
    let n = s.dim(0);
    let per: usize = s.dims()[1..].iter().product();
    let want: usize = shape.iter().product();
    assert_eq!(
        per, want,
        "Unflatten: {per} values per sample (shape {s:?}) cannot become {shape:?}"
    );
    let mut dims = vec![n];
    dims.extend_from_slice(shape);
    g.reshape(x, &dims)
}

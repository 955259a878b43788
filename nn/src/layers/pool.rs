//! Pooling layers (PyTorch's `nn.MaxPool2d`, `nn.AvgPool2d`, `nn.AdaptiveAvgPool2d`): no
//! parameters, a forward that records the pooling op.

use crate::{Element, Graph, NodeId};

/// 2-d pooling geometry: kernel, stride (PyTorch's default: the kernel) and zero padding,
/// `[height, width]` each. The layer [`Layer::MaxPool2d`](super::Layer::MaxPool2d) or
/// [`Layer::AvgPool2d`](super::Layer::AvgPool2d) decides which pooling it is.
///
/// ```
/// use diffprog_nn::{layers::Pool2d, Graph};
/// let mut g = Graph::<f64>::new();
/// let x = g.input(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 2, 2]);
/// let p = Pool2d::new(2);
/// let m = p.forward_max(&mut g, x);
/// let a = p.forward_avg(&mut g, x);
/// assert_eq!((g.value(m), g.value(a)), (&[4.0][..], &[2.5][..]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2d {
    /// The window, `[kh, kw]`.
    pub kernel: [usize; 2],
    /// The step between windows, `[sh, sw]`.
    pub stride: [usize; 2],
    /// Zero (average) or −∞ (max) padding on both sides, `[ph, pw]`.
    pub padding: [usize; 2],
}

impl Pool2d {
    /// A square window of `kernel` with PyTorch's defaults: stride = kernel, no padding.
    pub fn new(kernel: usize) -> Self {
        Pool2d {
            kernel: [kernel, kernel],
            stride: [kernel, kernel],
            padding: [0, 0],
        }
    }
    /// The same stride along both axes.
    pub fn stride(mut self, s: usize) -> Self {
        self.stride = [s, s];
        self
    }
    /// The same padding along both axes.
    pub fn padding(mut self, p: usize) -> Self {
        self.padding = [p, p];
        self
    }
    /// Records [`Graph::max_pool2d`] of `x: [n, c, h, w]`.
    pub fn forward_max<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        g.max_pool2d(x, self.kernel, self.stride, self.padding)
    }
    /// Records [`Graph::avg_pool2d`] of `x: [n, c, h, w]`.
    pub fn forward_avg<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        g.avg_pool2d(x, self.kernel, self.stride, self.padding)
    }
}

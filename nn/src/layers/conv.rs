//! [`Conv1d`], [`Conv2d`] and [`ConvTranspose2d`] (PyTorch's `nn.Conv1d`, `nn.Conv2d`,
//! `nn.ConvTranspose2d`): parameters with PyTorch's names, shapes and default initialisation,
//! and a forward that records the convolution op.

use crate::{ConvOptions, Element, Graph, NodeId, ParamId, Params, Tensor};
use rand::Rng;

/// PyTorch's default for convolution weights and biases: `kaiming_uniform_(a = √5)` on the
/// weight, which is U(−1/√fan_in, 1/√fan_in), and the bias from the same range.
fn torch_conv_init<F: Element>(
    params: &mut Params<F>,
    name: &str,
    dims: &[usize],
    fan_in: usize,
    bias: Option<usize>,
    rng: &mut impl Rng,
) -> (ParamId, Option<ParamId>) {
    let b = 1.0 / (fan_in.max(1) as f64).sqrt();
    let w = params.add(format!("{name}.weight"), Tensor::uniform(dims, -b, b, rng));
    let bias = bias.map(|c| params.add(format!("{name}.bias"), Tensor::uniform(&[c], -b, b, rng)));
    (w, bias)
}

fn check_channels(what: &str, c_in: usize, c_out: usize, groups: usize) {
    assert!(
        c_in > 0
            && c_out > 0
            && groups > 0
            && c_in.is_multiple_of(groups)
            && c_out.is_multiple_of(groups),
        "{what}: {c_in} input and {c_out} output channels must be positive and divisible by the \
         {groups} groups"
    );
}

/// A 2-d convolution layer (PyTorch's `nn.Conv2d`): `weight` `[c_out, c_in / groups, kh, kw]`,
/// `bias` `[c_out]`, both U(−1/√fan_in, 1/√fan_in) with `fan_in = c_in / groups · kh · kw`.
/// Input `[n, c_in, h, w]`, output `[n, c_out, ho, wo]` ([`Graph::conv2d`]).
///
/// ```
/// use diffprog_nn::{layers::{seeded_rng, Conv2d}, ConvOptions, Graph};
/// let mut g = Graph::<f32>::new();
/// let conv = Conv2d::new(g.params_mut(), "conv1", 1, 8, [5, 5], ConvOptions::new().padding(2), true, &mut seeded_rng(0));
/// assert_eq!(g.params().shape(conv.weight).dims(), &[8, 1, 5, 5]);
/// let x = g.input(&[0.5; 2 * 28 * 28], &[2, 1, 28, 28]);
/// let y = conv.forward(&mut g, x);
/// assert_eq!(g.shape(y).dims(), &[2, 8, 28, 28]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d {
    /// The filters, `[c_out, c_in / groups, kh, kw]`.
    pub weight: ParamId,
    /// The bias `[c_out]`, if any.
    pub bias: Option<ParamId>,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size `[kh, kw]`.
    pub kernel: [usize; 2],
    /// Stride, padding, dilation and groups.
    pub options: ConvOptions,
}

impl Conv2d {
    /// Registers the parameters as `{name}.weight` and `{name}.bias`, initialised as PyTorch.
    ///
    /// # Panics
    /// If a channel count or kernel size is 0, or the channels are not divisible by the groups.
    #[allow(clippy::too_many_arguments)]
    pub fn new<F: Element>(
        params: &mut Params<F>,
        name: &str,
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        options: ConvOptions,
        bias: bool,
        rng: &mut impl Rng,
    ) -> Self {
        check_channels("Conv2d", in_channels, out_channels, options.groups);
        assert!(
            kernel[0] > 0 && kernel[1] > 0,
            "Conv2d: empty kernel {kernel:?}"
        );
        let cig = in_channels / options.groups;
        let (weight, bias) = torch_conv_init(
            params,
            name,
            &[out_channels, cig, kernel[0], kernel[1]],
            cig * kernel[0] * kernel[1],
            bias.then_some(out_channels),
            rng,
        );
        Conv2d {
            weight,
            bias,
            in_channels,
            out_channels,
            kernel,
            options,
        }
    }
    /// Records the convolution of `x: [n, c_in, h, w]`.
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let w = g.param(self.weight);
        let b = self.bias.map(|b| g.param(b));
        g.conv2d(x, w, b, self.options)
    }
}

/// A 1-d convolution layer (PyTorch's `nn.Conv1d`): `weight` `[c_out, c_in / groups, k]`,
/// `bias` `[c_out]`, initialised as [`Conv2d`] with `fan_in = c_in / groups · k`. Input
/// `[n, c_in, l]`, output `[n, c_out, lo]` ([`Graph::conv1d`]; the options' width entries).
///
/// ```
/// use diffprog_nn::{layers::{seeded_rng, Conv1d}, ConvOptions, Graph};
/// let mut g = Graph::<f64>::new();
/// let conv = Conv1d::new(g.params_mut(), "c", 2, 4, 3, ConvOptions::new(), true, &mut seeded_rng(0));
/// assert_eq!(g.params().shape(conv.weight).dims(), &[4, 2, 3]);
/// let x = g.input(&[1.0; 2 * 10], &[1, 2, 10]);
/// let y = conv.forward(&mut g, x);
/// assert_eq!(g.shape(y).dims(), &[1, 4, 8]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv1d {
    /// The filters, `[c_out, c_in / groups, k]`.
    pub weight: ParamId,
    /// The bias `[c_out]`, if any.
    pub bias: Option<ParamId>,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Stride, padding, dilation (width entries) and groups.
    pub options: ConvOptions,
}

impl Conv1d {
    /// Registers the parameters as `{name}.weight` and `{name}.bias`, initialised as PyTorch.
    ///
    /// # Panics
    /// As [`Conv2d::new`].
    #[allow(clippy::too_many_arguments)]
    pub fn new<F: Element>(
        params: &mut Params<F>,
        name: &str,
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        options: ConvOptions,
        bias: bool,
        rng: &mut impl Rng,
    ) -> Self {
        check_channels("Conv1d", in_channels, out_channels, options.groups);
        assert!(kernel > 0, "Conv1d: empty kernel");
        let cig = in_channels / options.groups;
        let (weight, bias) = torch_conv_init(
            params,
            name,
            &[out_channels, cig, kernel],
            cig * kernel,
            bias.then_some(out_channels),
            rng,
        );
        Conv1d {
            weight,
            bias,
            in_channels,
            out_channels,
            kernel,
            options,
        }
    }
    /// Records the convolution of `x: [n, c_in, l]`.
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let w = g.param(self.weight);
        let b = self.bias.map(|b| g.param(b));
        g.conv1d(x, w, b, self.options)
    }
}

/// A transposed 2-d convolution layer (PyTorch's `nn.ConvTranspose2d`): `weight`
/// `[c_in, c_out / groups, kh, kw]`, `bias` `[c_out]`, both U(−1/√fan_in, 1/√fan_in) with
/// PyTorch's `fan_in = c_out / groups · kh · kw` (computed from the weight's second axis).
/// Input `[n, c_in, h, w]`, output `[n, c_out, ho, wo]` ([`Graph::conv_transpose2d`]).
///
/// ```
/// use diffprog_nn::{layers::{seeded_rng, ConvTranspose2d}, ConvOptions, Graph};
/// let mut g = Graph::<f32>::new();
/// let up = ConvTranspose2d::new(g.params_mut(), "up", 4, 2, [2, 2], ConvOptions::new().stride(2), true, &mut seeded_rng(0));
/// assert_eq!(g.params().shape(up.weight).dims(), &[4, 2, 2, 2]);
/// let x = g.input(&[1.0; 4 * 3 * 3], &[1, 4, 3, 3]);
/// let y = up.forward(&mut g, x);
/// assert_eq!(g.shape(y).dims(), &[1, 2, 6, 6]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConvTranspose2d {
    /// The filters, `[c_in, c_out / groups, kh, kw]`.
    pub weight: ParamId,
    /// The bias `[c_out]`, if any.
    pub bias: Option<ParamId>,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size `[kh, kw]`.
    pub kernel: [usize; 2],
    /// Stride, padding, dilation, groups and output padding.
    pub options: ConvOptions,
}

impl ConvTranspose2d {
    /// Registers the parameters as `{name}.weight` and `{name}.bias`, initialised as PyTorch.
    ///
    /// # Panics
    /// As [`Conv2d::new`].
    #[allow(clippy::too_many_arguments)]
    pub fn new<F: Element>(
        params: &mut Params<F>,
        name: &str,
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        options: ConvOptions,
        bias: bool,
        rng: &mut impl Rng,
    ) -> Self {
        check_channels("ConvTranspose2d", in_channels, out_channels, options.groups);
        assert!(
            kernel[0] > 0 && kernel[1] > 0,
            "ConvTranspose2d: empty kernel {kernel:?}"
        );
        let cog = out_channels / options.groups;
        let (weight, bias) = torch_conv_init(
            params,
            name,
            &[in_channels, cog, kernel[0], kernel[1]],
            cog * kernel[0] * kernel[1],
            bias.then_some(out_channels),
            rng,
        );
        ConvTranspose2d {
            weight,
            bias,
            in_channels,
            out_channels,
            kernel,
            options,
        }
    }
    /// Records the transposed convolution of `x: [n, c_in, h, w]`.
    pub fn forward<F: Element>(&self, g: &mut Graph<F>, x: NodeId) -> NodeId {
        let w = g.param(self.weight);
        let b = self.bias.map(|b| g.param(b));
        g.conv_transpose2d(x, w, b, self.options)
    }
}

//! [`ConvOptions`]: stride, padding, dilation, groups (and, for a transposed convolution, the
//! output padding) of a convolution, with PyTorch's defaults.

/// The geometry of a convolution besides its kernel: per spatial axis `(height, width)` the
/// stride, zero padding on both sides and dilation, the number of groups, and — for
/// [`conv_transpose2d`](crate::Graph::conv_transpose2d) only — the output padding. The defaults
/// are PyTorch's: stride 1, no padding, dilation 1, one group, no output padding.
///
/// The setters take one value for both axes (PyTorch's `stride=2`); the fields take a pair
/// (`stride=(2, 1)`). A 1-d convolution reads the width entries.
///
/// ```
/// use diffprog_nn::ConvOptions;
/// let o = ConvOptions::new().stride(2).padding(1);
/// assert_eq!((o.stride, o.padding, o.dilation, o.groups), ([2, 2], [1, 1], [1, 1], 1));
/// let depthwise = ConvOptions { padding: [1, 0], groups: 8, ..ConvOptions::default() };
/// assert_eq!(depthwise.padding, [1, 0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvOptions {
    /// The step between two output positions, `[height, width]`.
    pub stride: [usize; 2],
    /// Zeros added on both sides of the input, `[height, width]`.
    pub padding: [usize; 2],
    /// The spacing between kernel taps, `[height, width]`.
    pub dilation: [usize; 2],
    /// Input and output channels are split into this many groups, each convolved with its own
    /// filters (`groups` = input channels: a depthwise convolution).
    pub groups: usize,
    /// Extra rows and columns at the bottom and right of a transposed convolution's output
    /// (each smaller than the stride or the dilation); must be 0 for a convolution.
    pub output_padding: [usize; 2],
}

impl Default for ConvOptions {
    fn default() -> Self {
        ConvOptions {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
            output_padding: [0, 0],
        }
    }
}

impl ConvOptions {
    /// PyTorch's defaults (see [`ConvOptions`]).
    pub fn new() -> Self {
        Self::default()
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
    /// The same dilation along both axes.
    pub fn dilation(mut self, d: usize) -> Self {
        self.dilation = [d, d];
        self
    }
    /// The number of groups.
    pub fn groups(mut self, g: usize) -> Self {
        self.groups = g;
        self
    }
    /// The same output padding along both axes (transposed convolutions).
    pub fn output_padding(mut self, p: usize) -> Self {
        self.output_padding = [p, p];
        self
    }
}

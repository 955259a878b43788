//! [`Shape`]: the dimensions of an N-d tensor (up to [`MAX_DIMS`]), stored inline.

use std::fmt;

/// The largest number of dimensions a tensor may have.
pub const MAX_DIMS: usize = 6;

/// The dimensions of a row-major (C-order) tensor: `Copy`, no heap.
///
/// ```
/// use diffprog_nn::Shape;
/// let s = Shape::new(&[2, 3, 4]);
/// assert_eq!(s.numel(), 24);
/// assert_eq!(s.dims(), &[2, 3, 4]);
/// assert_eq!(s.strides()[..3], [12, 4, 1]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    dims: [usize; MAX_DIMS],
    ndim: u8,
}

impl Shape {
    /// A shape with the given dimensions.
    ///
    /// # Panics
    /// If there are more than [`MAX_DIMS`] dimensions.
    pub fn new(dims: &[usize]) -> Self {
        assert!(
            dims.len() <= MAX_DIMS,
            "Shape::new: {} dimensions given but tensors have at most {MAX_DIMS}; reshape first",
            dims.len()
        );
        let mut d = [1; MAX_DIMS];
        d[..dims.len()].copy_from_slice(dims);
        Shape {
            dims: d,
            ndim: dims.len() as u8,
        }
    }
    /// The shape of a scalar (no dimensions, one element).
    pub fn scalar() -> Self {
        Self::new(&[])
    }
    /// The dimensions.
    #[inline]
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.ndim as usize]
    }
    /// The number of dimensions.
    #[inline]
    pub fn ndim(&self) -> usize {
        self.ndim as usize
    }
    /// The size of dimension `axis`.
    ///
    /// # Panics
    /// If `axis` is out of range.
    #[inline]
    pub fn dim(&self, axis: usize) -> usize {
        assert!(
            axis < self.ndim(),
            "axis {axis} out of range for a tensor of shape {self:?}"
        );
        self.dims[axis]
    }
    /// The number of elements (1 for a scalar).
    #[inline]
    pub fn numel(&self) -> usize {
        self.dims().iter().product()
    }
    /// Row-major strides (in elements); entries past `ndim` are 1.
    pub fn strides(&self) -> [usize; MAX_DIMS] {
        let mut s = [1; MAX_DIMS];
        let n = self.ndim();
        for i in (0..n.saturating_sub(1)).rev() {
            s[i] = s[i + 1] * self.dims[i + 1];
        }
        s
    }
    /// The sizes before, at and after `axis`: (outer, len, inner), so the tensor is an
    /// `outer × len × inner` block.
    pub fn split_at_axis(&self, axis: usize) -> (usize, usize, usize) {
        let len = self.dim(axis);
        let outer = self.dims()[..axis].iter().product();
        let inner = self.dims()[axis + 1..].iter().product();
        (outer, len, inner)
    }
    /// This shape with dimension `axis` replaced by `len`.
    pub fn with_dim(&self, axis: usize, len: usize) -> Self {
        let mut s = *self;
        s.dims[axis] = len;
        s
    }
    /// This shape with dimension `axis` removed.
    pub fn without(&self, axis: usize) -> Self {
        let n = self.ndim();
        assert!(
            axis < n,
            "axis {axis} out of range for a tensor of shape {self:?}"
        );
        let mut s = *self;
        for i in axis..n - 1 {
            s.dims[i] = s.dims[i + 1];
        }
        s.dims[n - 1] = 1;
        s.ndim -= 1;
        s
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Self {
        Shape::new(&d)
    }
}
impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Self {
        Shape::new(d)
    }
}

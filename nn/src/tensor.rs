//! [`Tensor`]: an owned N-d array (shape + contiguous row-major data), the currency between the
//! tape, the data pipeline and checkpoints.

use crate::{Element, Shape};
use rand::Rng;

/// An owned, contiguous, row-major N-d array of `f32` or `f64`.
///
/// Tensors are plain values: they do not record anything. Put one on a [`Graph`](crate::Graph)
/// with [`Graph::input`](crate::Graph::input) (or make it a parameter) to differentiate through
/// it; read a recorded result back with [`Graph::tensor`](crate::Graph::tensor).
///
/// ```
/// use diffprog_nn::Tensor;
/// let t = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
/// assert_eq!(t.shape().dims(), &[2, 3]);
/// assert_eq!(t.at(&[1, 2]), 6.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor<F = f32> {
    shape: Shape,
    data: Vec<F>,
}

impl<F: Element> Tensor<F> {
    /// A tensor from row-major data.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `dims`.
    pub fn from_vec(data: Vec<F>, dims: &[usize]) -> Self {
        let shape = Shape::new(dims);
        assert_eq!(
            data.len(),
            shape.numel(),
            "Tensor::from_vec: {} values given for shape {shape:?} ({} elements)",
            data.len(),
            shape.numel()
        );
        Tensor { shape, data }
    }
    /// A tensor of zeros.
    pub fn zeros(dims: &[usize]) -> Self {
        let shape = Shape::new(dims);
        Tensor {
            shape,
            data: vec![F::zero(); shape.numel()],
        }
    }
    /// A tensor filled with `value`.
    pub fn full(dims: &[usize], value: F) -> Self {
        let shape = Shape::new(dims);
        Tensor {
            shape,
            data: vec![value; shape.numel()],
        }
    }
    /// A scalar (0-d) tensor.
    pub fn scalar(value: F) -> Self {
        Tensor {
            shape: Shape::scalar(),
            data: vec![value],
        }
    }
    /// Values drawn uniformly from `[lo, hi)`.
    pub fn uniform(dims: &[usize], lo: f64, hi: f64, rng: &mut impl Rng) -> Self {
        let shape = Shape::new(dims);
        let data = (0..shape.numel())
            .map(|_| <F as diffprog_dual::Real>::from_f64(rng.random_range(lo..hi)))
            .collect();
        Tensor { shape, data }
    }
    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }
    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }
    /// The number of elements.
    pub fn numel(&self) -> usize {
        self.data.len()
    }
    /// The data, row-major.
    pub fn data(&self) -> &[F] {
        &self.data
    }
    /// The data, mutable.
    pub fn data_mut(&mut self) -> &mut [F] {
        &mut self.data
    }
    /// The data, by value.
    pub fn into_vec(self) -> Vec<F> {
        self.data
    }
    /// The element at a multi-index.
    ///
    /// # Panics
    /// If the index has the wrong length or is out of range.
    pub fn at(&self, index: &[usize]) -> F {
        self.data[self.offset(index)]
    }
    /// The row-major offset of a multi-index.
    ///
    /// # Panics
    /// If the index has the wrong length or is out of range.
    pub fn offset(&self, index: &[usize]) -> usize {
        assert_eq!(
            index.len(),
            self.shape.ndim(),
            "Tensor index {index:?} has {} entries but the tensor has shape {:?}",
            index.len(),
            self.shape
        );
        let strides = self.shape.strides();
        let mut off = 0;
        for (a, (&i, &d)) in index.iter().zip(self.dims()).enumerate() {
            assert!(
                i < d,
                "Tensor index {index:?} out of range along axis {a} of shape {:?}",
                self.shape
            );
            off += i * strides[a];
        }
        off
    }
    /// The same data with another shape of equal size.
    ///
    /// # Panics
    /// If the sizes differ.
    pub fn reshape(mut self, dims: &[usize]) -> Self {
        let shape = Shape::new(dims);
        assert_eq!(
            shape.numel(),
            self.data.len(),
            "Tensor::reshape: cannot view {:?} ({} elements) as {shape:?}",
            self.shape,
            self.data.len()
        );
        self.shape = shape;
        self
    }
    /// Rows `rows` of the first axis, gathered into a new tensor (a mini-batch).
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        let mut out = Tensor {
            shape: self.shape,
            data: Vec::new(),
        };
        self.select_rows_into(rows, &mut out);
        out
    }
    /// Like [`select_rows`](Self::select_rows), into an existing tensor (reusing its memory).
    pub fn select_rows_into(&self, rows: &[usize], out: &mut Self) {
        let row = self.data.len() / self.shape.dim(0).max(1);
        out.data.clear();
        for &r in rows {
            assert!(
                r < self.shape.dim(0),
                "select_rows: row {r} out of range for shape {:?}",
                self.shape
            );
            out.data
                .extend_from_slice(&self.data[r * row..(r + 1) * row]);
        }
        out.shape = self.shape.with_dim(0, rows.len());
    }
    /// Converts every element to another float type.
    pub fn cast<G: Element>(&self) -> Tensor<G> {
        Tensor {
            shape: self.shape,
            data: self
                .data
                .iter()
                .map(|&x| <G as diffprog_dual::Real>::from_f64(diffprog_dual::Real::to_f64(x)))
                .collect(),
        }
    }
}

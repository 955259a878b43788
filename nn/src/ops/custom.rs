//! Custom primitives applied elementwise: a user-defined function of one or two variables
//! ([`diffprog_dual::custom`]) as one tensor op.

use super::Op;
use crate::graph::Grads;
use crate::{Element, Graph, NodeId};
use diffprog_dual::custom::{self, BinaryPrimitive, UnaryPrimitive};
use std::any::type_name;

impl<F: Element> Graph<F> {
    /// A custom primitive applied to every element: `y[i] = f(x[i])`, with f given by its value
    /// and derivatives on the element type ([`UnaryPrimitive`], the same description that
    /// [`Scalar::custom_unary`](diffprog_dual::Scalar::custom_unary) differentiates in the
    /// scalar modes). The op takes the value (order 0) and, if the result needs a gradient, the
    /// first derivative, which it keeps for the backward pass: `∂x += g ⊙ f′(x)`, each product
    /// the chain rule's ([`diffprog_dual::chain`]).
    ///
    /// ```
    /// use diffprog_dual::custom::UnaryPrimitive;
    /// use diffprog_nn::Graph;
    ///
    /// /// x³, by its derivatives.
    /// struct Cube;
    /// impl UnaryPrimitive for Cube {
    ///     fn name(&self) -> &str {
    ///         "cube"
    ///     }
    ///     fn derivative(&self, order: usize, x: f64) -> Option<f64> {
    ///         [x * x * x, 3.0 * x * x, 6.0 * x, 6.0].get(order).copied()
    ///     }
    /// }
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 2.0], &[2]);
    /// let y = g.custom_unary(x, &Cube);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.value(y), &[1.0, 8.0]);
    /// assert_eq!(g.grad(x).unwrap(), &[3.0, 12.0]);
    /// ```
    ///
    /// # Panics
    /// If the primitive lacks the value, or the first derivative where a gradient is needed.
    pub fn custom_unary(&mut self, x: NodeId, primitive: &dyn UnaryPrimitive<F>) -> NodeId {
        let a = self.check(x);
        let shape = self.metas[a as usize].shape;
        let rg = self.rg(&[a]);
        let n = self.push(Op::CustomUnary { a }, shape, rg);
        let number_type = type_name::<Self>();
        let mut partials = std::mem::take(&mut self.aux[n as usize]);
        partials.clear();
        let (v, y) = self.split(n);
        let xs = v.get(a);
        for (o, &xi) in y.iter_mut().zip(xs) {
            *o = custom::unary_derivative(primitive, 0, xi, number_type);
        }
        if rg {
            partials.extend(
                xs.iter()
                    .map(|&xi| custom::unary_derivative(primitive, 1, xi, number_type)),
            );
        }
        self.aux[n as usize] = partials;
        self.id(n)
    }

    /// A custom primitive of two variables applied elementwise to two tensors of the same
    /// shape: `y[i] = f(a[i], b[i])`, with f given by its value and partial derivatives on the
    /// element type ([`BinaryPrimitive`]). Where the result needs a gradient, the op keeps both
    /// first partials for the backward pass.
    ///
    /// ```
    /// use diffprog_dual::custom::BinaryPrimitive;
    /// use diffprog_nn::Graph;
    ///
    /// /// a·b², by its partials (up to the first order).
    /// struct Weighted;
    /// impl BinaryPrimitive for Weighted {
    ///     fn name(&self) -> &str {
    ///         "weighted"
    ///     }
    ///     fn partial(&self, i: usize, j: usize, a: f64, b: f64) -> Option<f64> {
    ///         match (i, j) {
    ///             (0, 0) => Some(a * b * b),
    ///             (1, 0) => Some(b * b),
    ///             (0, 1) => Some(2.0 * a * b),
    ///             _ => None,
    ///         }
    ///     }
    /// }
    /// let mut g = Graph::<f64>::new();
    /// let a = g.leaf(&[1.0, 2.0], &[2]);
    /// let b = g.leaf(&[3.0, 4.0], &[2]);
    /// let y = g.custom_binary(a, b, &Weighted);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.value(y), &[9.0, 32.0]);
    /// assert_eq!(g.grad(a).unwrap(), &[9.0, 16.0]);
    /// assert_eq!(g.grad(b).unwrap(), &[6.0, 16.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes differ, or the primitive lacks the value or, where a gradient is needed, a
    /// first partial.
    pub fn custom_binary(
        &mut self,
        a: NodeId,
        b: NodeId,
        primitive: &dyn BinaryPrimitive<F>,
    ) -> NodeId {
        let (ia, ib) = (self.check(a), self.check(b));
        let shape = self.metas[ia as usize].shape;
        assert_eq!(
            shape, self.metas[ib as usize].shape,
            "Graph::custom_binary: the operands' shapes differ (the op is elementwise, without \
             broadcasting)"
        );
        let rg = self.rg(&[ia, ib]);
        let n = self.push(Op::CustomBinary { a: ia, b: ib }, shape, rg);
        let number_type = type_name::<Self>();
        let mut partials = std::mem::take(&mut self.aux[n as usize]);
        partials.clear();
        let (v, y) = self.split(n);
        let (xs, ys) = (v.get(ia), v.get(ib));
        for ((o, &xi), &yi) in y.iter_mut().zip(xs).zip(ys) {
            *o = custom::binary_partial(primitive, (0, 0), xi, yi, number_type);
        }
        if rg {
            // ∂f/∂a for every element, then ∂f/∂b.
            for orders in [(1, 0), (0, 1)] {
                partials.extend(xs.iter().zip(ys).map(|(&xi, &yi)| {
                    custom::binary_partial(primitive, orders, xi, yi, number_type)
                }));
            }
        }
        self.aux[n as usize] = partials;
        self.id(n)
    }
}

/// ∂x += g ⊙ f′(x), with the derivatives kept by the forward pass (chain rule's products).
pub(crate) fn backward_unary<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, partials: &[F]) {
    add_chained(g, gout, a, partials);
}

/// ∂a += g ⊙ ∂f/∂a, ∂b += g ⊙ ∂f/∂b, with the partials kept by the forward pass (first every
/// ∂f/∂a, then every ∂f/∂b).
pub(crate) fn backward_binary<F: Element>(
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    b: u32,
    partials: &[F],
) {
    let (da, db) = partials.split_at(gout.len());
    add_chained(g, gout, a, da);
    add_chained(g, gout, b, db);
}

/// ∂x += chain(partial, g) elementwise.
fn add_chained<F: Element>(g: &mut Grads<F>, gout: &[F], x: u32, partials: &[F]) {
    if let Some(gx) = g.get(x) {
        for ((d, &s), &p) in gx.iter_mut().zip(gout).zip(partials) {
            *d += F::chain(p, s);
        }
    }
}

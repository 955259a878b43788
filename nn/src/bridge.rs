//! The bridge between tensor nodes and the scalar reverse tape (`diffprog_reverse::Var`).
//!
//! A tensor's elements become scalar variables of a [`Recording`]; any scalar code runs on them;
//! the scalar backward sweep gives their adjoints ∂L/∂element; those seed the tensor backward
//! ([`Graph::backward_with_grad`]), which carries ∂L on through the tensor ops into the
//! parameters. The two tapes stay separate arenas; the seam is one vector–Jacobian product.

use crate::{Element, Graph, NodeId};
use diffprog_reverse::{Adjoints, Recording, TapeElement, Var};

impl<F: Element + TapeElement> Graph<F> {
    /// The node's elements as new independent variables of `rec` (row-major order).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// use diffprog_reverse::Recording;
    /// use diffprog_dual::Scalar;
    ///
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 2.0], &[2]);
    /// let y = g.mul_scalar(x, 3.0); // tensor op
    /// let rec = Recording::<f64>::new();
    /// let v = g.to_vars(&rec, y);
    /// let loss = v[0] * v[1] + v[0].sin(); // scalar ops on the tensor's elements
    /// g.backward_from_vars(y, &v, &rec.backward(loss));
    /// // d/dx₀ = 3·(y₁ + cos y₀), d/dx₁ = 3·y₀
    /// let gx = g.grad(x).unwrap();
    /// assert!((gx[0] - 3.0 * (6.0 + 3.0_f64.cos())).abs() < 1e-12);
    /// assert!((gx[1] - 9.0).abs() < 1e-12);
    /// ```
    pub fn to_vars(&self, rec: &Recording<F>, x: NodeId) -> Vec<Var<F>> {
        rec.variables(self.value(x))
    }

    /// Continues a scalar backward sweep into the tensor tape: seeds the backward pass at `x` with
    /// the adjoints of `vars` (the variables [`to_vars`](Self::to_vars) made for `x`).
    ///
    /// # Panics
    /// If `vars` does not have one variable per element of `x`, or they belong to another
    /// recording than `adjoints`.
    pub fn backward_from_vars(&mut self, x: NodeId, vars: &[Var<F>], adjoints: &Adjoints<F>) {
        let n = self.shape(x).numel();
        assert_eq!(
            vars.len(),
            n,
            "Graph::backward_from_vars: {} variables for a node of {n} elements; pass the \
             variables to_vars made for this node",
            vars.len()
        );
        let seed = adjoints.wrt_all(vars);
        self.backward_with_grad(x, &seed);
    }
}

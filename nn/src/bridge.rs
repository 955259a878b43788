//! The bridge between tensor nodes and the scalar reverse tape (`diffprog_reverse::Var`), in both
//! directions, with one backward call for the whole mixed program.
//!
//! - Tensor → scalar: [`Graph::to_vars`] puts a node's elements on the active [`Recording`] as
//!   new variables; scalar code runs on them.
//! - Scalar → tensor: [`Graph::from_vars`] makes a tensor leaf out of `Var`s (any scalar code
//!   may have computed them); [`Graph::mul_var`], [`div_var`](Graph::div_var),
//!   [`add_var`](Graph::add_var) and [`sub_var`](Graph::sub_var) broadcast one `Var` over a
//!   tensor (a learned temperature, a scalar gain).
//! - [`Graph::backward_mixed`] (loss = a `Var`) or [`Graph::backward_mixed_node`] (loss = a
//!   one-element node) differentiates the whole interleaved program: it adds ∂loss/∂θ into every
//!   parameter's gradient, leaves ∂loss/∂node in [`Graph::grad`], and returns the scalar
//!   [`Adjoints`], whose [`wrt`](Adjoints::wrt) gives ∂loss/∂v for every `Var` of the recording.
//!
//! # How the combined backward pass works
//!
//! The graph logs every crossing in program order: a *to-vars* crossing (node X → new variables
//! u) and a *from-vars* crossing (variables v → new leaf L). The adjoint is linear, so seeds may be
//! added in any grouping as long as each quantity is read only when it is final. The pass walks
//! the crossings from the last to the first:
//!
//! - at a from-vars crossing it runs the tensor backward rules of every node recorded after L
//!   (each node's rule runs once per pass: the tensor sweep is cut into segments at the
//!   from-vars leaves, never repeated). Every node that can reach L was recorded after L, and
//!   every to-vars crossing of such a node happened after this crossing, so it has already
//!   seeded the graph: ∂loss/∂L is final. It becomes the weight of v in the scalar seeds;
//! - at a to-vars crossing it needs ∂loss/∂u. A scalar variable that depends on u was recorded
//!   after u, so any from-vars crossing consuming it happened later and its seed is already
//!   in. If seeds were added since the last scalar sweep, one scalar sweep
//!   ([`Recording::backward_weighted`] with *all* seeds so far: the loss and every v with its
//!   weight) makes the adjoints current; their values at u seed node X of the graph.
//!
//! After the first crossing the remaining tensor nodes are swept and, if seeds were added, a last
//! scalar sweep gives the returned adjoints. The cost is one tensor sweep in total plus one
//! scalar sweep per alternation "from-vars crossings, then a to-vars crossing" met on the way
//! back, plus one: a loss on a network with a learned temperature (v → tensor → u → loss)
//! takes two scalar sweeps; a pure tensor-then-scalar program, one. Each scalar sweep runs over
//! the whole scalar recording (the tape has no partial sweep), so many alternations on a long
//! scalar recording cost many sweeps over it.
//!
//! The crossings add and pass on gradients but multiply none: a from-vars leaf's gradient
//! becomes a weight of the scalar sweep, which multiplies it into the partials with the chain
//! rule's product ([`diffprog_dual::chain`], zero weights skipped), and a to-vars crossing's
//! adjoints are added into the node's gradient; the tensor kernels on either side apply the
//! same strong-zero rule, so a mixed program has the NaN/∞ pattern of the same program written
//! with scalar `Var`s (tested at ±0, ±∞, NaN).
//!
//! On a network with a learned temperature the scalar tape itself (recording, two sweeps) is a
//! small part of the step; most of the extra cost over a constant temperature is the broadcast
//! division and its reduction for ∂T (`cargo bench -p diffprog-nn --bench mixed`; figures in
//! `benches/PERFORMANCE.md`, "Tensor programs with scalar `Var` code").
//!
//! # Misuse
//!
//! A `Var` from an ended or another recording panics at the crossing (each crossing checks its
//! `Var`s and the recording of earlier crossings with [`Var::assert_in_active_recording`]). A
//! graph that consumed `Var`s refuses [`Graph::backward`] and [`Graph::backward_with_grad`] —
//! they would drop the gradients of those `Var`s — and asks for `backward_mixed`. Nodes from another graph or an earlier
//! recording panic as everywhere. [`Graph::reset`] forgets the crossings: record the scalar and
//! tensor parts of one loss between two resets.

use crate::crossings::{Crossing, Crossings};
use crate::graph::NodeId;
use crate::ops::BinaryOp;
use crate::{Element, Graph, Shape};
use diffprog_dual::Number;
use diffprog_reverse::{Adjoints, Recording, TapeElement, Var};

impl<F: Element + TapeElement> Graph<F> {
    /// The node's elements as new independent variables of `rec` (row-major order); scalar code
    /// may use them, and [`backward_mixed`](Self::backward_mixed) carries their adjoints back
    /// into the graph.
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
    /// g.backward_mixed(&rec, loss);
    /// // d/dx₀ = 3·(y₁ + cos y₀), d/dx₁ = 3·y₀
    /// let gx = g.grad(x).unwrap();
    /// assert!((gx[0] - 3.0 * (6.0 + 3.0_f64.cos())).abs() < 1e-12);
    /// assert!((gx[1] - 9.0).abs() < 1e-12);
    /// ```
    ///
    /// # Panics
    /// If earlier crossings of this graph recording used another (e.g. an ended) recording.
    pub fn to_vars(&mut self, rec: &Recording<F>, x: NodeId) -> Vec<Var<F>> {
        let i = self.check(x);
        let vars = rec.variables(self.value(x));
        if self.metas[i as usize].requires_grad && !vars.is_empty() {
            self.crossings.check_recording(vars[0]);
            let start = self.crossings.vars.len() as u32;
            self.crossings.vars.extend_from_slice(&vars);
            self.crossings.log.push(Crossing::ToVars {
                node: i,
                start,
                len: vars.len() as u32,
            });
        }
        vars
    }

    /// A tensor leaf of shape `dims` whose elements are the given scalar `Var`s (row-major):
    /// the gradient that reaches it flows on into the scalar tape through
    /// [`backward_mixed`](Self::backward_mixed).
    ///
    /// Constant `Var`s are plain data; if every `Var` is constant, or inside
    /// [`no_grad`](Self::no_grad), the node is an [`input`](Self::input).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// use diffprog_reverse::Recording;
    ///
    /// let mut g = Graph::<f64>::new();
    /// let rec = Recording::<f64>::new();
    /// let a = rec.variable(2.0);
    /// let m = g.from_vars(&[a, a * a, a * 3.0, rec.variable(1.0)], &[2, 2]); // scalar → tensor
    /// let s = g.sum(m); // a + a² + 3a + 1
    /// let adj = g.backward_mixed_node(&rec, s);
    /// assert_eq!(adj.wrt(a), 1.0 + 2.0 * 2.0 + 3.0);
    /// ```
    ///
    /// # Panics
    /// If `vars.len()` is not the number of elements of `dims`; if a `Var` belongs to an ended
    /// or another recording than earlier crossings of this graph recording.
    pub fn from_vars(&mut self, vars: &[Var<F>], dims: &[usize]) -> NodeId {
        let shape = Shape::new(dims);
        assert_eq!(
            vars.len(),
            shape.numel(),
            "Graph::from_vars: {} Vars given for shape {shape:?} ({} elements); pass one Var per \
             element, row-major",
            vars.len(),
            shape.numel()
        );
        let values: Vec<F> = vars.iter().map(Var::primal).collect();
        let first = vars.iter().find(|v| !v.is_constant());
        let Some(&first) = first.filter(|_| self.is_grad_enabled()) else {
            return self.input(&values, dims);
        };
        self.crossings.check_recording(first);
        // Each variable enters through a copy made now (partial 1), checked to belong to the
        // active recording; the copy is the seed point later.
        let start = self.crossings.vars.len() as u32;
        for &v in vars {
            v.assert_in_active_recording();
            let copy = if v.is_constant() {
                v
            } else {
                Var::custom(v.primal(), &[(v, <F as Number>::one())])
            };
            self.crossings.vars.push(copy);
        }
        let node = self.leaf(&values, dims);
        self.crossings.log.push(Crossing::FromVars {
            node: node.index,
            start,
            len: vars.len() as u32,
        });
        self.crossings.consumes_vars = true;
        node
    }

    /// A one-element node (shape `[]`) holding the scalar `Var` `v`; broadcasts over any tensor.
    pub fn var_node(&mut self, v: Var<F>) -> NodeId {
        self.from_vars(&[v], &[])
    }

    /// Broadcasting `x ∘ v` for a scalar `Var` `v`.
    pub fn binary_var(&mut self, x: NodeId, v: Var<F>, op: BinaryOp) -> NodeId {
        self.check(x);
        let s = self.var_node(v);
        self.binary(x, s, op)
    }

    /// `x · v` for a scalar `Var` `v` (a learned gain).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// use diffprog_reverse::Recording;
    ///
    /// let mut g = Graph::<f64>::new();
    /// let rec = Recording::<f64>::new();
    /// let a = rec.variable(3.0);
    /// let x = g.leaf(&[1.0, 2.0], &[2]);
    /// let y = g.mul_var(x, a);
    /// let s = g.sum(y);
    /// let v = g.to_vars(&rec, s);
    /// let loss = v[0] * a; // 3a² in total
    /// let adj = g.backward_mixed(&rec, loss);
    /// assert_eq!(adj.wrt(a), 6.0 * 3.0);
    /// assert_eq!(g.grad(x).unwrap(), &[9.0, 9.0]);
    /// ```
    pub fn mul_var(&mut self, x: NodeId, v: Var<F>) -> NodeId {
        self.binary_var(x, v, BinaryOp::Mul)
    }

    /// `x / v` for a scalar `Var` `v` (a learned temperature).
    pub fn div_var(&mut self, x: NodeId, v: Var<F>) -> NodeId {
        self.binary_var(x, v, BinaryOp::Div)
    }

    /// `x + v` for a scalar `Var` `v` (a learned offset).
    pub fn add_var(&mut self, x: NodeId, v: Var<F>) -> NodeId {
        self.binary_var(x, v, BinaryOp::Add)
    }

    /// `x − v` for a scalar `Var` `v`.
    pub fn sub_var(&mut self, x: NodeId, v: Var<F>) -> NodeId {
        self.binary_var(x, v, BinaryOp::Sub)
    }

    /// Back-propagates a scalar loss through the whole mixed program — scalar code, tensor ops
    /// and every crossing between them in either direction (module docs: how, and what it
    /// costs). Each parameter's gradient in the store is *increased* by ∂loss/∂parameter
    /// (as [`backward`](Self::backward) does), [`grad`](Self::grad) gives ∂loss/∂node, and the
    /// returned adjoints give ∂loss/∂v for every `Var` of `rec`.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// use diffprog_reverse::Recording;
    /// use diffprog_dual::Scalar;
    ///
    /// // scalar → tensor → scalar → tensor → scalar
    /// let mut g = Graph::<f64>::new();
    /// let rec = Recording::<f64>::new();
    /// let t = rec.variable(0.5);
    /// let s = t.exp(); // scalar
    /// let x = g.leaf(&[1.0, -1.0], &[2]);
    /// let y = g.mul_var(x, s); // tensor: y = eᵗ x
    /// let y2 = g.square(y);
    /// let q = g.sum(y2);
    /// let u = g.to_vars(&rec, q)[0]; // scalar: u = e²ᵗ Σx²
    /// let z = g.add_var(x, u.sin()); // tensor: z = x + sin u
    /// let z = g.sum(z);
    /// let loss = g.to_vars(&rec, z)[0] * t; // scalar: t·(Σx + 2 sin u)
    /// let adj = g.backward_mixed(&rec, loss);
    /// // dloss/dt = Σx + 2 sin u + t · 2 cos u · du/dt, du/dt = 2u
    /// let uv = (1.0_f64).exp() * 2.0;
    /// let expected = 2.0 * uv.sin() + 0.5 * 2.0 * uv.cos() * 2.0 * uv;
    /// assert!((adj.wrt(t) - expected).abs() < 1e-12);
    /// ```
    ///
    /// # Panics
    /// If `loss` or a crossing's `Var`s belong to another recording than `rec`.
    pub fn backward_mixed(&mut self, rec: &Recording<F>, loss: Var<F>) -> Adjoints<F> {
        self.mixed_pass(rec, Some(loss), None)
    }

    /// [`backward_mixed`](Self::backward_mixed) for a loss that is a one-element node of the
    /// graph (e.g. a cross-entropy whose logits were divided by a learned `Var`).
    ///
    /// # Panics
    /// If `loss` has more than one element, or a crossing's `Var`s belong to another recording
    /// than `rec`.
    pub fn backward_mixed_node(&mut self, rec: &Recording<F>, loss: NodeId) -> Adjoints<F> {
        let i = self.check(loss);
        assert_eq!(
            self.metas[i as usize].shape.numel(),
            1,
            "Graph::backward_mixed_node: the loss has shape {:?}; it needs one element — reduce \
             it (sum, mean)",
            self.metas[i as usize].shape
        );
        self.mixed_pass(rec, None, Some(i))
    }

    fn mixed_pass(
        &mut self,
        rec: &Recording<F>,
        loss: Option<Var<F>>,
        loss_node: Option<u32>,
    ) -> Adjoints<F> {
        // Scalar seeds: the loss and, as the pass goes, each from-vars copy with its gradient.
        let mut outs: Vec<Var<F>> = loss.into_iter().collect();
        let mut weights: Vec<F> = loss.map(|_| <F as Number>::one()).into_iter().collect();
        let mut adj: Option<Adjoints<F>> = None;
        let mut stale = true; // `adj` does not reflect every seed
        self.begin_backward();
        if let Some(i) = loss_node {
            self.add_seed(i, &[<F as Number>::one()]);
        }
        // The tensor nodes at or after `frontier` have run their backward rules.
        let mut frontier = self.metas.len();
        let log = std::mem::take(&mut self.crossings.log);
        let vars = std::mem::take(&mut self.crossings.vars);
        let mut seed = Vec::new();
        for &c in log.iter().rev() {
            match c {
                Crossing::ToVars { node, start, len } => {
                    if outs.is_empty() {
                        continue; // no scalar seed yet: every adjoint is zero
                    }
                    if stale {
                        adj = Some(rec.backward_weighted(&outs, &weights));
                        stale = false;
                    }
                    let a = adj.as_ref().expect("a sweep was just taken");
                    seed.clear();
                    seed.extend(
                        vars[Crossings::<F>::range(start, len)]
                            .iter()
                            .map(|&u| a.wrt(u)),
                    );
                    debug_assert!((node as usize) < frontier);
                    if seed.iter().any(|s| !s.is_identically_zero()) {
                        self.add_seed(node, &seed);
                    }
                }
                Crossing::FromVars { node, start, len } => {
                    self.sweep_down_to(frontier, node as usize + 1);
                    frontier = node as usize;
                    if self.has_grad(node) {
                        let grads = &self.grads[node as usize];
                        for (&v, &w) in vars[Crossings::<F>::range(start, len)].iter().zip(grads) {
                            if !v.is_constant() && !w.is_identically_zero() {
                                outs.push(v);
                                weights.push(w);
                                stale = true;
                            }
                        }
                    }
                }
            }
        }
        self.sweep_down_to(frontier, 0);
        self.crossings.log = log;
        self.crossings.vars = vars;
        match adj {
            Some(a) if !stale => a,
            _ => rec.backward_weighted(&outs, &weights),
        }
    }

    /// Continues a scalar backward sweep into the tensor tape: seeds the backward pass at `x` with
    /// the adjoints of `vars` (the variables [`to_vars`](Self::to_vars) made for `x`). The
    /// one-direction predecessor of [`backward_mixed`](Self::backward_mixed), which also handles
    /// `Var`s flowing into the graph and needs no scalar sweep by hand.
    ///
    /// # Panics
    /// If `vars` does not have one variable per element of `x`, they belong to another
    /// recording than `adjoints`, or the graph consumed `Var`s (use `backward_mixed`).
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

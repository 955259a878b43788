//! [`Graph`]: the tensor tape — an arena of whole-array op records with reusable buffers.

use crate::ops::{Op, NONE};
use crate::{Element, ParamId, Params, Shape, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicU64, Ordering};

/// Recording ids, unique across graphs and resets, so a `NodeId` from another graph or an earlier
/// recording is recognised. 64-bit and never reused (a 32-bit id wraps after 2³² resets, and a
/// kept `NodeId` would then alias a node of a new recording).
static NEXT_GEN: AtomicU64 = AtomicU64::new(1);

/// The largest recording id handed out (half the range, so the counter cannot wrap).
const LAST_GEN: u64 = u64::MAX / 2;

fn next_gen() -> u64 {
    let g = NEXT_GEN.fetch_add(1, Ordering::Relaxed);
    if g > LAST_GEN {
        panic!("diffprog-nn: 2⁶³ graph recordings were made in this process; recording ids are never reused, so no more can start");
    }
    g
}

/// Advances the recording-id counter as if `count` graph recordings had been made (for the
/// tests that check that ids never alias).
#[cfg(test)]
pub(crate) fn skip_recording_ids(count: u64) {
    NEXT_GEN.fetch_add(count, Ordering::Relaxed);
}

/// A node of a [`Graph`]: a recorded tensor. `Copy`; valid until the graph's next
/// [`reset`](Graph::reset) (using it afterwards panics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId {
    pub(crate) index: u32,
    pub(crate) generation: u64,
}

impl NodeId {
    /// The position of the node in its recording.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta<F> {
    pub(crate) op: Op<F>,
    pub(crate) shape: Shape,
    pub(crate) requires_grad: bool,
}

/// The tensor tape: records whole-array operations and runs their hand-written backward kernels.
///
/// A graph owns the model's [`Params`]. One training step is
/// [`reset`](Graph::reset) → record the forward pass ([`input`](Graph::input),
/// [`param`](Graph::param), ops such as [`matmul`](Graph::matmul) or [`linear`](Graph::linear))
/// → [`backward`](Graph::backward) on the scalar loss, which adds ∂loss/∂parameter into the
/// parameters' gradients → an optimiser step.
///
/// Records are structure-of-arrays: an op code with parent indices and a shape per node, and
/// for each node a value buffer, a gradient buffer and side buffers. `reset` forgets the records
/// but keeps every buffer; when the next step records the same sequence of ops (the usual case),
/// each node finds buffers of the right size and the step allocates nothing.
///
/// ```
/// use diffprog_nn::Graph;
/// let mut g = Graph::<f64>::new();
/// let x = g.leaf(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
/// let y = g.matmul(x, x); // x·x
/// let s = g.sum(y);
/// g.backward(s);
/// // d/dx sum(x·x) = 1·xᵀ + xᵀ·1 (1 = all-ones)
/// assert_eq!(g.grad(x).unwrap(), &[7.0, 11.0, 9.0, 13.0]);
/// ```
pub struct Graph<F: Element = f32> {
    pub(crate) params: Params<F>,
    pub(crate) metas: Vec<Meta<F>>,
    pub(crate) vals: Vec<Vec<F>>,
    pub(crate) grads: Vec<Vec<F>>,
    pub(crate) aux: Vec<Vec<F>>,
    pub(crate) idx: Vec<Vec<usize>>,
    pub(crate) touched: Vec<bool>,
    pub(crate) generation: u64,
    /// The crossings between this recording and the scalar tape (see `bridge.rs`).
    pub(crate) crossings: crate::crossings::Crossings<F>,
    grad_enabled: bool,
    training: bool,
    pub(crate) rng: ChaCha8Rng,
}

impl<F: Element> Default for Graph<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// Read access to node values during a kernel (parameters' values come from the store).
pub(crate) struct Vals<'a, F: Element> {
    pub(crate) vals: &'a [Vec<F>],
    pub(crate) metas: &'a [Meta<F>],
    pub(crate) param_values: &'a [Vec<F>],
}

impl<'a, F: Element> Vals<'a, F> {
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &'a [F] {
        match self.metas[i as usize].op {
            Op::Param(p) => &self.param_values[p as usize],
            _ => &self.vals[i as usize],
        }
    }
    #[inline]
    pub(crate) fn shape(&self, i: u32) -> Shape {
        self.metas[i as usize].shape
    }
}

/// Write access to parents' gradients during a backward kernel: `get` returns `None` for a
/// parent that needs no gradient, and zeroes a buffer the first time it is touched. A parameter
/// node's gradient is the store's gradient buffer itself (accumulated into, never zeroed here).
pub(crate) struct Grads<'a, F: Element> {
    pub(crate) grads: &'a mut [Vec<F>],
    pub(crate) param_grads: &'a mut [Vec<F>],
    pub(crate) touched: &'a mut [bool],
    pub(crate) metas: &'a [Meta<F>],
}

impl<F: Element> Grads<'_, F> {
    #[inline]
    pub(crate) fn get(&mut self, i: u32) -> Option<&mut [F]> {
        if i == NONE {
            return None;
        }
        let i = i as usize;
        if !self.metas[i].requires_grad {
            return None;
        }
        if let Op::Param(p) = self.metas[i].op {
            self.touched[i] = true;
            return Some(&mut self.param_grads[p as usize]);
        }
        let g = &mut self.grads[i];
        if !self.touched[i] {
            self.touched[i] = true;
            g.clear();
            g.resize(self.metas[i].shape.numel(), F::zero());
        }
        Some(g)
    }

    /// As [`get`](Self::get), with the flag `fresh` instead of the zeroing: if true, this is the
    /// first contribution to the buffer, whose contents are unspecified, and the kernel must
    /// write every element as `0 + contribution` (the value an accumulation into zeros gives,
    /// −0 included); if false, it adds as with `get`.
    #[inline]
    pub(crate) fn get_unzeroed(&mut self, i: u32) -> Option<(&mut [F], bool)> {
        if i == NONE {
            return None;
        }
        let i = i as usize;
        if !self.metas[i].requires_grad {
            return None;
        }
        if let Op::Param(p) = self.metas[i].op {
            self.touched[i] = true;
            return Some((&mut self.param_grads[p as usize], false));
        }
        let g = &mut self.grads[i];
        let fresh = !self.touched[i];
        if fresh {
            self.touched[i] = true;
            let numel = self.metas[i].shape.numel();
            if g.len() != numel {
                g.clear();
                g.resize(numel, F::zero());
            }
        }
        Some((g, fresh))
    }
}

impl<F: Element> Graph<F> {
    /// An empty graph with no parameters.
    pub fn new() -> Self {
        Self::with_params(Params::new())
    }
    /// An empty graph owning the given parameters.
    pub fn with_params(params: Params<F>) -> Self {
        Graph {
            params,
            metas: Vec::new(),
            vals: Vec::new(),
            grads: Vec::new(),
            aux: Vec::new(),
            idx: Vec::new(),
            touched: Vec::new(),
            generation: next_gen(),
            crossings: crate::crossings::Crossings::new(),
            grad_enabled: true,
            training: true,
            rng: ChaCha8Rng::seed_from_u64(0),
        }
    }
    /// The parameters.
    pub fn params(&self) -> &Params<F> {
        &self.params
    }
    /// The parameters, mutable (to register layers, step an optimiser, load a checkpoint).
    pub fn params_mut(&mut self) -> &mut Params<F> {
        &mut self.params
    }
    /// Reseeds the random generator used by dropout.
    pub fn seed(&mut self, seed: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }
    /// Train mode (dropout active) or eval mode (dropout is the identity). Default: train.
    pub fn set_training(&mut self, training: bool) {
        self.training = training;
    }
    /// True in train mode.
    pub fn is_training(&self) -> bool {
        self.training
    }
    /// Whether new parameter and leaf nodes request gradients (see [`no_grad`](Self::no_grad)).
    pub fn set_grad_enabled(&mut self, enabled: bool) {
        self.grad_enabled = enabled;
    }
    /// True unless inside [`no_grad`](Self::no_grad) or after `set_grad_enabled(false)`.
    pub fn is_grad_enabled(&self) -> bool {
        self.grad_enabled
    }
    /// Runs `f` with gradients disabled: parameters and leaves used inside are constants, so
    /// nothing recorded inside needs or receives a gradient (PyTorch's `torch.no_grad()`).
    ///
    /// ```
    /// use diffprog_nn::{Graph, Tensor};
    /// let mut g = Graph::<f64>::new();
    /// let w = g.params_mut().add("w", Tensor::from_vec(vec![2.0], &[1]));
    /// let y = g.no_grad(|g| { let p = g.param(w); g.mul_scalar(p, 3.0) });
    /// assert!(!g.requires_grad(y));
    /// assert_eq!(g.value(y), &[6.0]);
    /// ```
    pub fn no_grad<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let old = self.grad_enabled;
        self.grad_enabled = false;
        let r = f(self);
        self.grad_enabled = old;
        r
    }
    /// Starts a new recording: forgets every node (their `NodeId`s become invalid) but keeps all
    /// buffers for reuse. It also forgets the crossings with the scalar tape
    /// ([`to_vars`](Self::to_vars), [`from_vars`](Self::from_vars)): a scalar loss recorded before
    /// the reset no longer reaches the tensor ops, so reset only between two losses.
    pub fn reset(&mut self) {
        self.metas.clear();
        self.crossings.clear();
        self.generation = next_gen();
    }
    /// The number of nodes recorded since the last reset.
    pub fn len(&self) -> usize {
        self.metas.len()
    }
    /// True if nothing has been recorded since the last reset.
    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
    }
    /// Total capacity of the value, gradient and side buffers, in elements (to check that memory
    /// stays flat over many steps).
    pub fn buffer_capacity(&self) -> usize {
        self.vals.iter().map(Vec::capacity).sum::<usize>()
            + self.grads.iter().map(Vec::capacity).sum::<usize>()
            + self.aux.iter().map(Vec::capacity).sum::<usize>()
            + self.idx.iter().map(Vec::capacity).sum::<usize>()
            + self.metas.capacity()
    }

    #[inline]
    #[track_caller]
    pub(crate) fn check(&self, x: NodeId) -> u32 {
        if x.generation != self.generation || x.index as usize >= self.metas.len() {
            panic!(
                "NodeId {} is from an earlier recording of this graph (or another graph): nodes are \
                 valid only until Graph::reset; record the value again",
                x.index
            );
        }
        x.index
    }

    /// Appends a node and sizes its value buffer (contents unspecified); returns its index.
    pub(crate) fn push(&mut self, op: Op<F>, shape: Shape, requires_grad: bool) -> u32 {
        let n = self.metas.len();
        self.metas.push(Meta {
            op,
            shape,
            requires_grad,
        });
        if self.vals.len() <= n {
            self.vals.push(Vec::new());
            self.grads.push(Vec::new());
            self.aux.push(Vec::new());
            self.idx.push(Vec::new());
            self.touched.push(false);
        }
        let numel = if matches!(op, Op::Param(_)) {
            0
        } else {
            shape.numel()
        };
        let v = &mut self.vals[n];
        if v.len() != numel {
            v.clear();
            v.resize(numel, F::zero());
        }
        n as u32
    }

    /// The value buffers of the nodes before `n` and `n`'s own, for a forward kernel.
    pub(crate) fn split(&mut self, n: u32) -> (Vals<'_, F>, &mut Vec<F>) {
        let (lo, hi) = self.vals.split_at_mut(n as usize);
        (
            Vals {
                vals: lo,
                metas: &self.metas,
                param_values: &self.params.values,
            },
            &mut hi[0],
        )
    }

    pub(crate) fn id(&self, n: u32) -> NodeId {
        NodeId {
            index: n,
            generation: self.generation,
        }
    }

    pub(crate) fn rg(&self, parents: &[u32]) -> bool {
        parents
            .iter()
            .any(|&p| p != NONE && self.metas[p as usize].requires_grad)
    }

    fn data_node(&mut self, op: Op<F>, data: &[F], dims: &[usize], rg: bool) -> NodeId {
        let shape = Shape::new(dims);
        assert_eq!(
            data.len(),
            shape.numel(),
            "Graph: {} values given for shape {shape:?} ({} elements)",
            data.len(),
            shape.numel()
        );
        let n = self.push(op, shape, rg);
        self.vals[n as usize].copy_from_slice(data);
        self.id(n)
    }

    /// Data with no gradient (a batch of inputs, targets).
    pub fn input(&mut self, data: &[F], dims: &[usize]) -> NodeId {
        self.data_node(Op::Input, data, dims, false)
    }
    /// [`input`](Self::input) from a tensor.
    pub fn input_tensor(&mut self, t: &Tensor<F>) -> NodeId {
        self.input(t.data(), t.dims())
    }
    /// Data that requests a gradient, read back with [`grad`](Self::grad) after
    /// [`backward`](Self::backward) (a constant inside [`no_grad`](Self::no_grad)).
    pub fn leaf(&mut self, data: &[F], dims: &[usize]) -> NodeId {
        let rg = self.grad_enabled;
        self.data_node(Op::Leaf, data, dims, rg)
    }
    /// A parameter on the tape (no copy: its value is read from the store). Its gradient is added
    /// into the store's gradient by [`backward`](Self::backward); a frozen parameter
    /// ([`Params::set_trainable`]) is a constant.
    pub fn param(&mut self, id: ParamId) -> NodeId {
        assert!(
            id.index() < self.params.len(),
            "Graph::param: parameter {} does not belong to this graph's store ({} parameters)",
            id.index(),
            self.params.len()
        );
        let shape = self.params.shape(id);
        let rg = self.grad_enabled && self.params.is_trainable(id);
        let n = self.push(Op::Param(id.0), shape, rg);
        self.id(n)
    }
    /// The same value, cut off from the gradient (PyTorch's `detach`).
    pub fn detach(&mut self, x: NodeId) -> NodeId {
        let a = self.check(x);
        let shape = self.metas[a as usize].shape;
        let n = self.push(Op::Detach, shape, false);
        let (v, out) = self.split(n);
        out.copy_from_slice(v.get(a));
        self.id(n)
    }

    /// A node's value (row-major).
    pub fn value(&self, x: NodeId) -> &[F] {
        let i = self.check(x);
        match self.metas[i as usize].op {
            Op::Param(p) => self.params.value(ParamId(p)),
            _ => &self.vals[i as usize],
        }
    }
    /// A node's shape.
    pub fn shape(&self, x: NodeId) -> Shape {
        self.metas[self.check(x) as usize].shape
    }
    /// A node's value as a tensor (a copy).
    pub fn tensor(&self, x: NodeId) -> Tensor<F> {
        Tensor::from_vec(self.value(x).to_vec(), self.shape(x).dims())
    }
    /// The value of a one-element node.
    ///
    /// # Panics
    /// If the node has more than one element.
    pub fn item(&self, x: NodeId) -> F {
        let v = self.value(x);
        assert_eq!(
            v.len(),
            1,
            "Graph::item: the node has shape {:?}, not one element",
            self.shape(x)
        );
        v[0]
    }
    /// True if gradients flow into this node.
    pub fn requires_grad(&self, x: NodeId) -> bool {
        self.metas[self.check(x) as usize].requires_grad
    }
    /// The gradient of the last backward pass's output with respect to this node, if the pass
    /// reached it (`None` if it needs no gradient or does not influence the output). For a
    /// parameter node this is the parameter's gradient in the store, which accumulates over
    /// backward passes until [`Params::zero_grad`].
    pub fn grad(&self, x: NodeId) -> Option<&[F]> {
        let i = self.check(x) as usize;
        if !self.touched.get(i).copied().unwrap_or(false) {
            return None;
        }
        match self.metas[i].op {
            Op::Param(p) => Some(self.params.grad(ParamId(p))),
            _ => Some(&self.grads[i]),
        }
    }

    /// Back-propagates from a one-element node (the loss): every node's gradient becomes
    /// ∂loss/∂node, and each parameter's gradient in the store is *increased* by ∂loss/∂parameter.
    ///
    /// # Panics
    /// If `loss` has more than one element (use [`backward_with_grad`](Self::backward_with_grad)),
    /// or scalar `Var`s entered this recording ([`from_vars`](Self::from_vars),
    /// [`mul_var`](Self::mul_var), ...): their gradients need
    /// [`backward_mixed`](Self::backward_mixed).
    pub fn backward(&mut self, loss: NodeId) {
        let n = self.shape(loss).numel();
        assert_eq!(
            n,
            1,
            "Graph::backward: the output has shape {:?}; backward needs one element — reduce it \
             (sum, mean) or seed it with backward_with_grad",
            self.shape(loss)
        );
        self.backward_seeded(loss, None);
    }

    /// Back-propagates from any node, seeded with the given gradient ∂L/∂output (a
    /// vector–Jacobian product). [`backward_mixed`](Self::backward_mixed) uses the same
    /// machinery to continue a scalar-tape loss into the tensor ops.
    ///
    /// # Panics
    /// If `seed` does not have one value per element of `output`, or scalar `Var`s entered this
    /// recording (use [`backward_mixed`](Self::backward_mixed)).
    pub fn backward_with_grad(&mut self, output: NodeId, seed: &[F]) {
        let n = self.shape(output).numel();
        assert_eq!(
            seed.len(),
            n,
            "Graph::backward_with_grad: {} seed values for an output of shape {:?} ({n} elements)",
            seed.len(),
            self.shape(output)
        );
        self.backward_seeded(output, Some(seed));
    }

    fn backward_seeded(&mut self, output: NodeId, seed: Option<&[F]>) {
        let root = self.check(output);
        self.crossings.forbid_plain_backward();
        self.begin_backward();
        let one = [F::one()];
        self.add_seed(root, seed.unwrap_or(&one));
        self.sweep_down_to(root as usize + 1, 0);
    }

    /// Starts a backward pass: no node has a gradient yet.
    pub(crate) fn begin_backward(&mut self) {
        for t in self.touched.iter_mut() {
            *t = false;
        }
    }

    /// Adds `seed` (one value per element) to the gradient of node `i`, which the sweep has not
    /// processed yet. A parameter's seed goes straight into the store's gradient.
    pub(crate) fn add_seed(&mut self, i: u32, seed: &[F]) {
        let i = i as usize;
        debug_assert_eq!(seed.len(), self.metas[i].shape.numel());
        if !self.metas[i].requires_grad {
            return;
        }
        let acc: &mut [F] = match self.metas[i].op {
            Op::Param(p) => self.params.grad_mut(ParamId(p)),
            _ => {
                let g = &mut self.grads[i];
                if !self.touched[i] {
                    g.clear();
                    g.resize(seed.len(), F::zero());
                }
                g
            }
        };
        acc.iter_mut().zip(seed).for_each(|(a, &s)| *a += s);
        self.touched[i] = true;
    }

    /// Runs the backward rules of the nodes `hi − 1, hi − 2, ..., lo` (those that need and have
    /// a gradient), in that order.
    pub(crate) fn sweep_down_to(&mut self, hi: usize, lo: usize) {
        for i in (lo..hi).rev() {
            if self.metas[i].requires_grad && self.touched[i] {
                self.backward_node(i);
            }
        }
    }

    /// True if the last backward pass gave node `i` a gradient.
    pub(crate) fn has_grad(&self, i: u32) -> bool {
        self.touched.get(i as usize).copied().unwrap_or(false)
    }

    /// The table of backward rules: one arm per op.
    fn backward_node(&mut self, i: usize) {
        use crate::ops::*;
        let Graph {
            params,
            metas,
            vals,
            grads,
            aux,
            idx,
            touched,
            ..
        } = self;
        let (glo, ghi) = grads.split_at_mut(i);
        let gout: &[F] = &ghi[0];
        let (tlo, _) = touched.split_at_mut(i);
        let v = Vals {
            vals,
            metas,
            param_values: &params.values,
        };
        let mut g = Grads {
            grads: glo,
            param_grads: &mut params.grads,
            touched: tlo,
            metas,
        };
        let me = metas[i];
        let y: &[F] = &vals[i];
        match me.op {
            Op::Input | Op::Leaf | Op::Param(_) | Op::Detach => {}
            Op::MatMul {
                a,
                b,
                batch,
                m,
                k,
                n,
            } => matmul::backward(&v, &mut g, gout, a, b, batch, m, k, n),
            Op::Linear {
                x,
                w,
                bias,
                act,
                m,
                k,
                n,
            } => linear::backward(&v, &mut g, gout, y, &mut aux[i], x, w, bias, act, m, k, n),
            Op::Binary { a, b, op } => broadcast::backward(&v, &mut g, gout, me.shape, a, b, op),
            Op::AddScalar { a } => unary::backward_add_scalar(&mut g, gout, a),
            Op::MulScalar { a, c } => unary::backward_mul_scalar(&mut g, gout, a, c),
            Op::Unary { a, f } => unary::backward(&v, &mut g, gout, y, a, f),
            Op::Reduce { a, axis, scale } => reduce::backward(&v, &mut g, gout, a, axis, scale),
            Op::Reshape { a } => shape_ops::backward_reshape(&mut g, gout, a),
            Op::Permute { a, perm } => shape_ops::backward_permute(&v, &mut g, gout, a, perm),
            Op::Slice { a, axis, start } => {
                shape_ops::backward_slice(&v, &mut g, gout, me.shape, a, axis, start)
            }
            Op::Concat { axis } => shape_ops::backward_concat(&v, &mut g, gout, &idx[i], axis),
            Op::IndexSelect { a } => shape_ops::backward_index_select(&v, &mut g, gout, a, &idx[i]),
            Op::LogSoftmax { a } => softmax::backward_log_softmax(&v, &mut g, gout, y, a),
            Op::Softmax { a } => softmax::backward_softmax(&v, &mut g, gout, y, a),
            Op::Gather { a } => gather::backward(&v, &mut g, gout, a, &idx[i]),
            Op::Embedding { weight, padding } => {
                embedding::backward(&v, &mut g, gout, weight, padding, &idx[i])
            }
            Op::RecurrentCell { kind } => {
                recurrent::backward(&v, &mut g, gout, &mut aux[i], &idx[i], kind)
            }
            Op::Collect { parts, len, width } => {
                collect::backward(&mut g, gout, parts, len, width, &idx[i])
            }
            Op::CrossEntropy { a } => {
                softmax::backward_cross_entropy(&v, &mut g, gout, a, &aux[i], &idx[i])
            }
            Op::Dropout { a } => unary::backward_dropout(&mut g, gout, a, &aux[i]),
            Op::CustomUnary { a } => custom::backward_unary(&mut g, gout, a, &aux[i]),
            Op::CustomBinary { a, b } => custom::backward_binary(&mut g, gout, a, b, &aux[i]),
            Op::Conv {
                x,
                w,
                bias,
                transposed,
            } => conv::backward(
                &v,
                &mut g,
                gout,
                &mut aux[i],
                &idx[i],
                x,
                w,
                bias,
                transposed,
            ),
            Op::Pick { a } => pick::backward(&mut g, gout, a, &idx[i]),
            Op::MaxPoolTiles { a, h, w, kh, kw } => {
                pool_tiles::backward(&mut g, gout, a, [h, w, kh, kw], &idx[i])
            }
            Op::AvgPool { a } => pool::backward_avg(&mut g, gout, a, &idx[i]),
            Op::Where { a, b } => select::backward_where(&mut g, gout, a, b, &idx[i]),
            Op::Clamp { a, lo, hi } => select::backward_clamp(&v, &mut g, gout, a, lo, hi),
            Op::Pad { a } => pad::backward(&v, &mut g, gout, me.shape, a, &idx[i]),
            Op::LogSumExp { a, axis } => {
                softmax::backward_logsumexp(&v, &mut g, gout, y, &mut aux[i], a, axis)
            }
            Op::Norm {
                x,
                w,
                b,
                batch_stats,
                per_channel,
            } => norm::backward(
                &v,
                &mut g,
                gout,
                &mut aux[i],
                x,
                w,
                b,
                batch_stats,
                per_channel,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `NodeId` kept across a reset is refused however many resets later it is used (with
    /// 32-bit ids, the recording 2³² resets later had the same id and the kept `NodeId` named a
    /// node of the new recording).
    #[test]
    fn a_node_id_of_an_earlier_recording_never_aliases_a_later_one() {
        let mut g = Graph::<f64>::new();
        g.reset();
        let kept = g.leaf(&[1.0, 2.0], &[2]);
        skip_recording_ids((1 << 32) - 1);
        g.reset();
        let _fresh = g.leaf(&[3.0, 4.0], &[2]);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.sum(kept)));
        let err = result.expect_err("a NodeId of an earlier recording must be refused");
        let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("earlier recording"), "{message}");
    }
}

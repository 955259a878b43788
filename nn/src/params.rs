//! [`Params`]: the named parameter arrays of a model, with their gradients.

use crate::{Element, Shape, Tensor};

/// A handle to one parameter array in a [`Params`] store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub(crate) u32);

impl ParamId {
    /// The position of the parameter in its store (registration order).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The parameters of a model: named arrays that request gradients, each with a gradient buffer of
/// the same shape.
///
/// Layers register their arrays here when built; a [`Graph`](crate::Graph) owns one store, reads
/// the values when a parameter is used in a recording, and *accumulates* (adds) into the
/// gradients on [`backward`](crate::Graph::backward), as PyTorch does — call
/// [`zero_grad`](Params::zero_grad) between steps. Optimisers update the values from the
/// gradients; checkpoints save and load the named arrays.
#[derive(Clone, Debug, Default)]
pub struct Params<F = f32> {
    pub(crate) names: Vec<String>,
    pub(crate) shapes: Vec<Shape>,
    pub(crate) values: Vec<Vec<F>>,
    pub(crate) grads: Vec<Vec<F>>,
    pub(crate) trainable: Vec<bool>,
}

impl<F: Element> Params<F> {
    /// An empty store.
    pub fn new() -> Self {
        Params {
            names: Vec::new(),
            shapes: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
            trainable: Vec::new(),
        }
    }
    /// Registers a new parameter with the given name and initial value.
    ///
    /// # Panics
    /// If the name is already taken.
    pub fn add(&mut self, name: impl Into<String>, value: Tensor<F>) -> ParamId {
        let name = name.into();
        assert!(
            !self.names.contains(&name),
            "Params::add: a parameter named {name:?} already exists; give each parameter a unique name"
        );
        let shape = value.shape();
        self.names.push(name);
        self.shapes.push(shape);
        self.grads.push(vec![F::zero(); shape.numel()]);
        self.values.push(value.into_vec());
        self.trainable.push(true);
        ParamId(self.names.len() as u32 - 1)
    }
    /// Registers a non-trainable array (PyTorch's *buffer*, e.g. batch norm's running
    /// statistics): saved and loaded with the parameters, but it gets no gradient on the tape
    /// and optimisers skip it ([`set_trainable`](Self::set_trainable) `false`).
    ///
    /// ```
    /// use diffprog_nn::{Params, Tensor};
    /// let mut p = Params::<f64>::new();
    /// let w = p.add("w", Tensor::zeros(&[2]));
    /// let m = p.add_buffer("bn.running_mean", Tensor::zeros(&[2]));
    /// assert!(p.is_trainable(w) && !p.is_trainable(m));
    /// assert_eq!(p.trainable_ids().collect::<Vec<_>>(), vec![w]);
    /// ```
    pub fn add_buffer(&mut self, name: impl Into<String>, value: Tensor<F>) -> ParamId {
        let id = self.add(name, value);
        self.trainable[id.index()] = false;
        id
    }
    /// Freezes (`false`) or unfreezes (`true`) a parameter — PyTorch's `requires_grad_`: a
    /// frozen parameter is a constant on the tape (no gradient) and optimisers skip it.
    pub fn set_trainable(&mut self, id: ParamId, trainable: bool) {
        self.trainable[id.index()] = trainable;
    }
    /// Whether the parameter is trained (see [`set_trainable`](Self::set_trainable)).
    pub fn is_trainable(&self, id: ParamId) -> bool {
        self.trainable[id.index()]
    }
    /// The trained parameters, in order: what optimisers update.
    pub fn trainable_ids(&self) -> impl Iterator<Item = ParamId> + '_ {
        self.ids().filter(|&id| self.trainable[id.index()])
    }
    /// A layer name not yet used: `prefix` followed by the first number `i` such that no
    /// parameter is named `{prefix}{i}` or `{prefix}{i}.…`.
    pub fn fresh_name(&self, prefix: &str) -> String {
        (0..)
            .map(|i| format!("{prefix}{i}"))
            .find(|n| {
                let dotted = format!("{n}.");
                !self.names.iter().any(|x| x == n || x.starts_with(&dotted))
            })
            .expect("unbounded")
    }
    /// The number of parameter arrays.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// The handles, in registration order.
    pub fn ids(&self) -> impl Iterator<Item = ParamId> + use<F> {
        (0..self.len() as u32).map(ParamId)
    }
    /// The total number of scalar parameters.
    pub fn numel(&self) -> usize {
        self.values.iter().map(Vec::len).sum()
    }
    /// A parameter's name.
    pub fn name(&self, id: ParamId) -> &str {
        &self.names[id.index()]
    }
    /// A parameter's shape.
    pub fn shape(&self, id: ParamId) -> Shape {
        self.shapes[id.index()]
    }
    /// A parameter's value.
    pub fn value(&self, id: ParamId) -> &[F] {
        &self.values[id.index()]
    }
    /// A parameter's value, mutable.
    pub fn value_mut(&mut self, id: ParamId) -> &mut [F] {
        &mut self.values[id.index()]
    }
    /// A parameter's accumulated gradient.
    pub fn grad(&self, id: ParamId) -> &[F] {
        &self.grads[id.index()]
    }
    /// A parameter's gradient, mutable.
    pub fn grad_mut(&mut self, id: ParamId) -> &mut [F] {
        &mut self.grads[id.index()]
    }
    /// A parameter's value and gradient together (for optimisers).
    pub fn value_and_grad_mut(&mut self, id: ParamId) -> (&mut [F], &[F]) {
        (&mut self.values[id.index()], &self.grads[id.index()])
    }
    /// A parameter's value as a tensor (a copy).
    pub fn tensor(&self, id: ParamId) -> Tensor<F> {
        Tensor::from_vec(
            self.values[id.index()].clone(),
            self.shapes[id.index()].dims(),
        )
    }
    /// Sets every gradient to zero.
    pub fn zero_grad(&mut self) {
        for g in &mut self.grads {
            g.iter_mut().for_each(|x| *x = F::zero());
        }
    }
    /// Every value concatenated in registration order (the vector the generic forward
    /// functions' `theta` follows).
    pub fn flatten(&self) -> Vec<F> {
        self.values.iter().flatten().copied().collect()
    }
    /// Every gradient concatenated in registration order.
    pub fn flatten_grads(&self) -> Vec<F> {
        self.grads.iter().flatten().copied().collect()
    }
    /// The offset of each parameter in [`flatten`](Self::flatten)'s vector.
    pub fn offsets(&self) -> Vec<usize> {
        let mut off = 0;
        self.values
            .iter()
            .map(|v| {
                let o = off;
                off += v.len();
                o
            })
            .collect()
    }
    /// Overwrites every value from a flat vector in registration order.
    ///
    /// # Panics
    /// If the length is not [`numel`](Self::numel).
    pub fn unflatten(&mut self, flat: &[F]) {
        assert_eq!(
            flat.len(),
            self.numel(),
            "Params::unflatten: {} values given but the model has {} parameters",
            flat.len(),
            self.numel()
        );
        let mut off = 0;
        for v in &mut self.values {
            let n = v.len();
            v.copy_from_slice(&flat[off..off + n]);
            off += n;
        }
    }
    /// The named arrays `(name, shape, values)` in registration order (for checkpoints).
    pub fn named_arrays(&self) -> Vec<(String, Vec<usize>, Vec<F>)> {
        (0..self.len())
            .map(|i| {
                (
                    self.names[i].clone(),
                    self.shapes[i].dims().to_vec(),
                    self.values[i].clone(),
                )
            })
            .collect()
    }
    /// Loads named arrays into this store: every parameter must be present exactly once, with its
    /// shape; nothing is changed on error.
    pub fn load_named_arrays(
        &mut self,
        arrays: &[(String, Vec<usize>, Vec<F>)],
    ) -> Result<(), ParamsMismatch> {
        if arrays.len() != self.len() {
            return Err(ParamsMismatch(format!(
                "the file has {} parameter arrays but the model has {}",
                arrays.len(),
                self.len()
            )));
        }
        let mut order = Vec::with_capacity(arrays.len());
        for (i, name) in self.names.iter().enumerate() {
            let Some(j) = arrays.iter().position(|(n, _, _)| n == name) else {
                return Err(ParamsMismatch(format!(
                    "the file has no parameter named {name:?}"
                )));
            };
            let (_, dims, vals) = &arrays[j];
            if dims.as_slice() != self.shapes[i].dims() {
                return Err(ParamsMismatch(format!(
                    "parameter {name:?} has shape {dims:?} in the file but {:?} in the model",
                    self.shapes[i]
                )));
            }
            if vals.len() != self.shapes[i].numel() {
                return Err(ParamsMismatch(format!(
                    "parameter {name:?} has {} values in the file, its shape {dims:?} needs {}",
                    vals.len(),
                    self.shapes[i].numel()
                )));
            }
            order.push(j);
        }
        for (i, j) in order.into_iter().enumerate() {
            self.values[i].copy_from_slice(&arrays[j].2);
        }
        Ok(())
    }
}

/// Why named arrays do not fit a model (see [`Params::load_named_arrays`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsMismatch(pub String);

impl std::fmt::Display for ParamsMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "parameters do not match the model: {}", self.0)
    }
}
impl std::error::Error for ParamsMismatch {}

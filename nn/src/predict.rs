//! Inference with a [`Sequential`] network: [`predict`](Sequential::predict),
//! [`predict_proba`](Sequential::predict_proba) and
//! [`predict_classes`](Sequential::predict_classes).

use crate::layers::{Layer, Sequential};
use crate::metrics::predictions;
use crate::{Element, Graph, Tensor, Unary};

/// Rows per forward pass of the `predict` methods.
const PREDICT_BATCH: usize = 256;

impl<F: Element> Sequential<F> {
    /// Output width (of the last dense layer; softmax, activations and dropout keep the width).
    pub fn out_dim(&self) -> Option<usize> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Linear(lin) => Some(lin.out_dim),
            _ => None,
        })
    }

    /// The network's outputs on row-major `features` (`n × in_dim`), as a tensor `[n, out_dim]`:
    /// in eval mode (dropout off), without gradients, in batches of 256 rows. The graph's
    /// recording is reset (as a training step does) and its train/eval mode restored.
    ///
    /// ```
    /// use diffprog_nn::layers::{seeded_rng, Init, Sequential};
    /// use diffprog_nn::{Graph, Unary};
    ///
    /// let mut g = Graph::<f64>::new();
    /// let model = Sequential::mlp(g.params_mut(), &[2, 4, 3], Unary::Tanh, Init::XavierUniform, &mut seeded_rng(0));
    /// let y = model.predict(&mut g, &[0.5, -1.0, 2.0, 0.0]); // two samples
    /// assert_eq!(y.dims(), &[2, 3]);
    /// // the same numbers as the one-sample generic forward
    /// let y1 = model.forward_generic(g.params(), &[2.0, 0.0]);
    /// assert!((y.data()[3] - y1[0]).abs() < 1e-14);
    /// ```
    ///
    /// # Panics
    /// If the network has no dense layer (its input width is then unknown) or `features.len()`
    /// is not a multiple of the input width.
    pub fn predict(&self, g: &mut Graph<F>, features: &[F]) -> Tensor<F> {
        let (d, out) = match (self.in_dim(), self.out_dim()) {
            (Some(d), Some(o)) => (d, o),
            _ => panic!("Sequential::predict: the network has no dense layer, so its input width is unknown"),
        };
        assert!(
            features.len().is_multiple_of(d),
            "Sequential::predict: {} values are not whole rows of the network's {d} inputs",
            features.len()
        );
        let n = features.len() / d;
        let was_training = g.is_training();
        g.set_training(false);
        let mut values = Vec::with_capacity(n.saturating_mul(out));
        for chunk in features.chunks(PREDICT_BATCH * d) {
            g.reset();
            let y = g.no_grad(|g| {
                let x = g.input(chunk, &[chunk.len() / d, d]);
                self.forward(g, x)
            });
            values.extend_from_slice(g.value(y));
        }
        g.set_training(was_training);
        Tensor::from_vec(values, &[n, out])
    }

    /// Class probabilities `[n, out_dim]` for row-major `features`: the softmax of each output
    /// row, or the outputs themselves if the network ends with a softmax, their exponential if it
    /// ends with a log-softmax. With one output column (a binary classifier) the probability of
    /// class 1: the sigmoid of the logit, or the output itself if the network ends with a
    /// sigmoid.
    ///
    /// ```
    /// use diffprog_nn::layers::{seeded_rng, Init, Sequential};
    /// use diffprog_nn::{Graph, Unary};
    ///
    /// let mut g = Graph::<f32>::new();
    /// let model = Sequential::mlp(g.params_mut(), &[2, 8, 3], Unary::Relu, Init::KaimingUniform, &mut seeded_rng(0));
    /// let p = model.predict_proba(&mut g, &[0.5, -1.0, 2.0, 0.0]);
    /// for row in p.data().chunks(3) {
    ///     assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    /// }
    /// let classes = model.predict_classes(&mut g, &[0.5, -1.0, 2.0, 0.0]);
    /// assert_eq!(classes.len(), 2);
    /// ```
    ///
    /// # Panics
    /// As [`predict`](Self::predict).
    pub fn predict_proba(&self, g: &mut Graph<F>, features: &[F]) -> Tensor<F> {
        let mut y = self.predict(g, features);
        let width = y.dims()[1];
        let last = self
            .layers
            .iter()
            .rev()
            .find(|l| !matches!(l, Layer::Dropout(_)));
        if width == 1 {
            if !matches!(last, Some(Layer::Activation(Unary::Sigmoid))) {
                for v in y.data_mut() {
                    *v = F::unary_value(Unary::Sigmoid, *v);
                }
            }
            return y;
        }
        match last {
            Some(Layer::Softmax) => {}
            Some(Layer::LogSoftmax) => {
                for v in y.data_mut() {
                    *v = v.exp();
                }
            }
            _ => {
                for row in y.data_mut().chunks_exact_mut(width) {
                    softmax_row(row);
                }
            }
        }
        y
    }

    /// The predicted class of every row of `features`: the argmax of the outputs (ties to the
    /// lowest index), or with one output column, 1 where the probability of
    /// [`predict_proba`](Self::predict_proba) exceeds ½ and 0 elsewhere.
    ///
    /// # Panics
    /// As [`predict`](Self::predict).
    pub fn predict_classes(&self, g: &mut Graph<F>, features: &[F]) -> Vec<usize> {
        let p = self.predict_proba(g, features);
        let width = p.dims()[1];
        if width == 1 {
            let half = F::from_f64(0.5);
            p.data().iter().map(|&v| usize::from(v > half)).collect()
        } else {
            predictions(p.data(), width)
        }
    }
}

/// softmax in place, shifted by the row's largest finite value.
fn softmax_row<F: Element>(row: &mut [F]) {
    let m = row
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(F::neg_infinity(), |a, b| if b > a { b } else { a });
    let m = if m.is_finite() { m } else { F::zero() };
    let mut sum = F::zero();
    for v in row.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
    }
    for v in row.iter_mut() {
        *v /= sum;
    }
}

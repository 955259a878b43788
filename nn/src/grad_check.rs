//! [`grad_check`]: the course's gradient checker (lab 1) — an analytic gradient against central
//! differences at randomly chosen components, reporting the worst relative error.

use crate::{Element, Graph, NodeId, Tensor};
use rand::Rng;

/// How [`grad_check_with`] and [`check_gradient`] sample: how many components, the difference
/// step and the random seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheckOptions {
    /// How many components are checked (drawn with replacement; all of them if the tensor has
    /// no more elements than this, in order).
    pub checks: usize,
    /// The central-difference step `h`; `None` picks ε^(1/3) of the element type (about 6e-6
    /// for `f64`, 5e-3 for `f32`), the step that balances truncation and rounding error.
    pub step: Option<f64>,
    /// The seed of the component draw.
    pub seed: u64,
}

impl Default for GradCheckOptions {
    fn default() -> Self {
        GradCheckOptions {
            checks: 10,
            step: None,
            seed: 0,
        }
    }
}

/// One checked component.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComponentCheck {
    /// The component's flat (row-major) index.
    pub index: usize,
    /// `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`.
    pub numeric: f64,
    /// The analytic gradient's component.
    pub analytic: f64,
    /// `|numeric − analytic| / (|numeric| + |analytic| + 1e-8)`.
    pub relative_error: f64,
}

/// The result of a gradient check: every checked component and the worst one.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckReport {
    /// The checked components, in the order drawn.
    pub checks: Vec<ComponentCheck>,
}

impl GradCheckReport {
    /// The largest relative error (0 if nothing was checked; NaN if any error is NaN).
    pub fn worst(&self) -> f64 {
        self.worst_check().map_or(0.0, |c| c.relative_error)
    }
    /// The component with the largest relative error (a NaN error counts as the largest).
    pub fn worst_check(&self) -> Option<&ComponentCheck> {
        self.checks.iter().reduce(|a, b| {
            if b.relative_error.is_nan() || b.relative_error > a.relative_error {
                if a.relative_error.is_nan() {
                    a
                } else {
                    b
                }
            } else {
                a
            }
        })
    }
    /// Whether every relative error is at most `tolerance` (NaN fails).
    pub fn passes(&self, tolerance: f64) -> bool {
        self.checks.iter().all(|c| c.relative_error <= tolerance)
    }
}

impl std::fmt::Display for GradCheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in &self.checks {
            writeln!(
                f,
                "component {:>6}: numeric {:>14.6e}  analytic {:>14.6e}  relative error {:.3e}",
                c.index, c.numeric, c.analytic, c.relative_error
            )?;
        }
        write!(f, "worst relative error: {:.3e}", self.worst())
    }
}

/// Checks a *given* gradient `grad` of the scalar function `f` at `x` (a hand-derived
/// gradient, as in the course's lab 1): central differences at randomly chosen components.
///
/// ```
/// use diffprog_nn::{check_gradient, GradCheckOptions};
/// // f(x) = Σ xᵢ³, ∇f = 3xᵢ²
/// let x = [0.5f64, -1.0, 2.0];
/// let grad: Vec<f64> = x.iter().map(|v| 3.0 * v * v).collect();
/// let r = check_gradient(|x: &[f64]| x.iter().map(|v| v * v * v).sum(), &x, &grad, GradCheckOptions::default());
/// assert!(r.worst() < 1e-8, "{r}");
/// // a wrong gradient is caught
/// let r = check_gradient(|x: &[f64]| x.iter().map(|v| v * v * v).sum(), &x, &[1.5, 3.0, 12.0], GradCheckOptions::default());
/// assert!(r.worst() > 0.1);
/// ```
///
/// # Panics
/// If `grad` does not have one value per component of `x`, or the step is not positive.
pub fn check_gradient<F: Element>(
    mut f: impl FnMut(&[F]) -> F,
    x: &[F],
    grad: &[F],
    options: GradCheckOptions,
) -> GradCheckReport {
    assert_eq!(
        grad.len(),
        x.len(),
        "check_gradient: the gradient has {} values for {} components",
        grad.len(),
        x.len()
    );
    let h = options.step.unwrap_or_else(|| F::epsilon().to_f64().cbrt());
    assert!(
        h > 0.0,
        "check_gradient: the step must be positive, got {h}"
    );
    let indices: Vec<usize> = if x.len() <= options.checks {
        (0..x.len()).collect()
    } else {
        let mut rng = crate::layers::seeded_rng(options.seed);
        (0..options.checks)
            .map(|_| rng.random_range(0..x.len()))
            .collect()
    };
    let mut xs = x.to_vec();
    let checks = indices
        .into_iter()
        .map(|i| {
            let x0 = xs[i];
            xs[i] = F::from_f64(x0.to_f64() + h);
            let hi = xs[i];
            let fp = f(&xs).to_f64();
            xs[i] = F::from_f64(x0.to_f64() - h);
            let lo = xs[i];
            let fm = f(&xs).to_f64();
            xs[i] = x0;
            // divide by the step actually taken (x ± h rounded to F)
            let numeric = (fp - fm) / (hi.to_f64() - lo.to_f64());
            let analytic = grad[i].to_f64();
            ComponentCheck {
                index: i,
                numeric,
                analytic,
                relative_error: (numeric - analytic).abs()
                    / (numeric.abs() + analytic.abs() + 1e-8),
            }
        })
        .collect();
    GradCheckReport { checks }
}

/// Checks the tape's gradient of a scalar function of a tensor: `f` records the function of
/// its input node on a graph and returns a one-element node; its gradient at `x` from
/// [`Graph::backward`] is compared with central differences at 10 random components (see
/// [`grad_check_with`] for the options). Each evaluation runs on a fresh graph in train mode
/// with gradients enabled, so `f` can hold any tensor code; [`grad_check_in`] runs it on a
/// graph of yours, with its parameters (a network's loss).
///
/// ```
/// use diffprog_nn::{grad_check, Graph, Tensor};
/// // a softmax-regression loss of a 2×3 weight matrix
/// let theta = Tensor::from_vec(vec![0.1, -0.2, 0.3, 0.0, 0.5, -0.1], &[2, 3]);
/// let r = grad_check(|g: &mut Graph<f64>, w| {
///     let x = g.input(&[1.0, 2.0, -1.0, 0.5], &[2, 2]);
///     let z = g.matmul(x, w);
///     g.cross_entropy(z, &[2, 0])
/// }, &theta);
/// assert!(r.worst() < 1e-6, "{r}");
/// ```
///
/// # Panics
/// If `f` returns a node with more than one element.
pub fn grad_check<F: Element>(
    f: impl FnMut(&mut Graph<F>, NodeId) -> NodeId,
    x: &Tensor<F>,
) -> GradCheckReport {
    grad_check_with(f, x, GradCheckOptions::default())
}

/// [`grad_check`] with the number of components, step and seed of `options`.
pub fn grad_check_with<F: Element>(
    f: impl FnMut(&mut Graph<F>, NodeId) -> NodeId,
    x: &Tensor<F>,
    options: GradCheckOptions,
) -> GradCheckReport {
    grad_check_in(&mut Graph::new(), f, x, options)
}

/// [`grad_check_with`] on the graph `g`, so that `f` can use `g`'s parameters (a network's
/// loss in its input, in `g`'s train or eval mode). Each evaluation starts with
/// [`Graph::reset`]; the parameters' values and gradients (batch-norm running statistics
/// included) are restored afterwards, so the check leaves `g`'s store as it found it.
///
/// ```
/// use diffprog_nn::{grad_check_in, layers::{seeded_rng, Init, Sequential}, GradCheckOptions, Graph, Tensor, Unary};
/// let mut g = Graph::<f64>::new();
/// let net = Sequential::mlp(g.params_mut(), &[3, 4, 2], Unary::Tanh, Init::XavierUniform, &mut seeded_rng(0));
/// let x = Tensor::from_vec(vec![0.5, -1.0, 0.25], &[1, 3]);
/// let r = grad_check_in(&mut g, |g, x| {
///     let y = net.forward(g, x);
///     g.cross_entropy(y, &[1])
/// }, &x, GradCheckOptions::default());
/// assert!(r.passes(1e-6), "{r}");
/// ```
pub fn grad_check_in<F: Element>(
    g: &mut Graph<F>,
    mut f: impl FnMut(&mut Graph<F>, NodeId) -> NodeId,
    x: &Tensor<F>,
    options: GradCheckOptions,
) -> GradCheckReport {
    let dims = x.dims().to_vec();
    let values = g.params().flatten();
    let grads: Vec<Vec<F>> = {
        let p = g.params();
        p.ids().map(|id| p.grad(id).to_vec()).collect()
    };
    let mut eval = |g: &mut Graph<F>, data: &[F], want_grad: bool| -> (F, Vec<F>) {
        g.reset();
        let xn = g.leaf(data, &dims);
        let y = f(g, xn);
        assert_eq!(
            g.shape(y).numel(),
            1,
            "grad_check: the function must return one value, got shape {:?}",
            g.shape(y)
        );
        let v = g.value(y)[0];
        let grad = if want_grad {
            g.backward(y);
            g.grad(xn)
                .map_or_else(|| vec![F::zero(); data.len()], |s| s.to_vec())
        } else {
            Vec::new()
        };
        g.params_mut().unflatten(&values);
        (v, grad)
    };
    let (_, grad) = eval(g, x.data(), true);
    let report = check_gradient(|d: &[F]| eval(g, d, false).0, x.data(), &grad, options);
    let p = g.params_mut();
    for (id, saved) in p.ids().zip(grads) {
        p.grad_mut(id).copy_from_slice(&saved);
    }
    report
}

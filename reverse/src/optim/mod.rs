//! Second-order and quasi-Newton minimisation of a smooth `f: Rⁿ → R` with exact derivatives:
//! [`newton`] (exact Hessians, Armijo backtracking), [`trust_region_newton_cg`] (Steihaug's
//! truncated conjugate gradients on Hessian–vector products, no Hessian stored) and [`lbfgs`]
//! (two-loop recursion, strong-Wolfe line search).
//!
//! # Why here
//!
//! The optimisers need nothing but this crate's drivers — [`gradient`](crate::gradient),
//! [`hessian`](crate::hessian) and [`hessian_vector_product`](crate::hessian_vector_product) —
//! and nalgebra's Cholesky factorisation, so they live next to them, in `diffprog-reverse`,
//! usable without the tensors of `diffprog-nn`. nn's `optim` is another concept: first-order
//! steps (SGD, Adam) that update a network's parameters from accumulated gradients, one batch
//! at a time; these solve a deterministic problem to a tolerance.
//!
//! # The objective
//!
//! An [`Objective`] is the function written once, generic over [`Scalar`]: the optimisers run it
//! on `f64` (line-search trials), on [`Var`](crate::Var) (gradients), on
//! [`HessianVar`](crate::HessianVar) (Hessians) and on `Var<Dual<f64>>` (Hessian–vector
//! products) — one generic method, since a Rust closure has a single argument type.
//!
//! # Results
//!
//! Every optimiser returns a [`Minimum`]: the point, value and gradient norm, the iterations,
//! the evaluations of each kind ([`Evaluations`]) and the [`Termination`] reason. They stop when
//! `‖∇f‖₂ ≤ gradient_tolerance`, when a step is below `step_tolerance·(1 + ‖x‖₂)` (for the
//! trust region: the radius), after `max_iterations`, or when the line search finds no
//! acceptable point. Iteration counts and times against echidna-optim: `benches/PERFORMANCE.md`,
//! "Second-order optimisers".

mod lbfgs;
mod line_search;
mod newton;
mod trust_region;

pub use lbfgs::lbfgs;
pub use newton::newton;
pub use trust_region::trust_region_newton_cg;

use diffprog_dual::{Dual, Scalar};

/// A function `f: Rⁿ → R` to minimise, written once for every number type.
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::optim::Objective;
///
/// /// Himmelblau's function: four minima where it is 0.
/// struct Himmelblau;
/// impl Objective for Himmelblau {
///     fn value<T: Scalar>(&self, x: &[T]) -> T {
///         let a = x[0] * x[0] + x[1] - 11.0;
///         let b = x[0] + x[1] * x[1] - 7.0;
///         a * a + b * b
///     }
/// }
/// assert_eq!(Himmelblau.value(&[3.0, 2.0]), 0.0);
/// ```
pub trait Objective {
    /// `f(x)`.
    fn value<T: Scalar>(&self, x: &[T]) -> T;
}

/// Stopping rules and method parameters shared by the optimisers.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Stop when `‖∇f(x)‖₂` is at most this (default `1e-8`).
    pub gradient_tolerance: f64,
    /// Stop when a step (the trust region: its radius) is below this times `1 + ‖x‖₂` (default
    /// `1e-14`).
    pub step_tolerance: f64,
    /// Stop after this many iterations (default 10 000).
    pub max_iterations: usize,
    /// The number of correction pairs L-BFGS keeps (default 10).
    pub lbfgs_memory: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            gradient_tolerance: 1e-8,
            step_tolerance: 1e-14,
            max_iterations: 10_000,
            lbfgs_memory: 10,
        }
    }
}

/// Why an optimiser stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// `‖∇f‖₂ ≤ gradient_tolerance`: converged.
    GradientNorm,
    /// The step (or trust radius) became negligible before the gradient tolerance was met.
    StepSize,
    /// `max_iterations` reached.
    MaxIterations,
    /// The line search found no point with enough decrease (a non-smooth or badly scaled
    /// function, or a tolerance below rounding).
    LineSearchFailed,
}

/// How many times each derivative was evaluated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evaluations {
    /// Values alone (`f64` evaluations of the objective).
    pub values: usize,
    /// Values with gradients (reverse sweeps).
    pub gradients: usize,
    /// Values with gradients and full Hessians.
    pub hessians: usize,
    /// Hessian–vector products (each with the value and gradient).
    pub hessian_vector_products: usize,
}

/// What an optimiser returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The last iterate.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub value: f64,
    /// `‖∇f(x)‖₂`.
    pub gradient_norm: f64,
    /// Iterations (accepted or rejected steps for the trust region; line searches otherwise).
    pub iterations: usize,
    /// Evaluation counts.
    pub evaluations: Evaluations,
    /// Why it stopped.
    pub termination: Termination,
}

/// An objective with evaluation counters, reached through this crate's drivers.
pub(crate) struct Counted<'a, O: ?Sized> {
    objective: &'a O,
    pub(crate) evaluations: Evaluations,
}

impl<'a, O: Objective + ?Sized> Counted<'a, O> {
    /// Checks the start point (and the value there) and wraps the objective.
    pub(crate) fn start(method: &str, objective: &'a O, x0: &[f64]) -> Self {
        assert!(
            !x0.is_empty(),
            "optim::{method}: the start point x0 is empty; give at least one variable"
        );
        if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
            panic!(
                "optim::{method}: the start point x0 has the non-finite component x0[{i}] = {}; \
                 start from a finite point",
                x0[i]
            );
        }
        let value = objective.value(x0);
        assert!(
            value.is_finite(),
            "optim::{method}: the objective is {value} at the start point; start where it is finite"
        );
        Counted {
            objective,
            evaluations: Evaluations {
                values: 1,
                ..Evaluations::default()
            },
        }
    }

    pub(crate) fn value(&mut self, x: &[f64]) -> f64 {
        self.evaluations.values += 1;
        self.objective.value(x)
    }

    pub(crate) fn gradient(&mut self, x: &[f64]) -> (f64, Vec<f64>) {
        self.evaluations.gradients += 1;
        crate::gradient(|v| self.objective.value(v), x)
    }

    pub(crate) fn hessian(&mut self, x: &[f64]) -> (f64, Vec<f64>, nalgebra::DMatrix<f64>) {
        self.evaluations.hessians += 1;
        crate::hessian(|v| self.objective.value(v), x)
    }

    /// The result at the last iterate `x`, with `f(x)`, `∇f(x)` and the counts so far.
    pub(crate) fn finish(
        self,
        x: Vec<f64>,
        value: f64,
        gradient: &[f64],
        iterations: usize,
        termination: Termination,
    ) -> Minimum {
        Minimum {
            gradient_norm: norm(gradient),
            x,
            value,
            iterations,
            evaluations: self.evaluations,
            termination,
        }
    }

    /// `∇²f(x)·v`.
    pub(crate) fn hessian_vector_product(&mut self, x: &[f64], v: &[f64]) -> Vec<f64> {
        self.evaluations.hessian_vector_products += 1;
        let objective = self.objective;
        crate::hessian_vector_product(|y: &[crate::Var<Dual<f64>>]| objective.value(y), x, v).2
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// `x + t·d`.
pub(crate) fn offset(x: &[f64], t: f64, d: &[f64]) -> Vec<f64> {
    x.iter().zip(d).map(|(a, b)| a + t * b).collect()
}

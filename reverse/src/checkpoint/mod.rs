//! Binomial checkpointing (revolve): the gradient of a loss of the final state of a long
//! time-stepping loop `x_{k+1} = step(x_k, p)` without a tape of the whole loop.
//!
//! [`checkpointed_gradient`] keeps at most a given number of states (*snapshots*, the initial
//! state included) and the tape of **one** step. The adjoint sweep goes backwards through the
//! steps; each step's vector–Jacobian product is taken by recording that step alone on the
//! reverse tape (inputs `x_k` and `p`) and sweeping it with the adjoint of `x_{k+1}` (the last
//! step is recorded together with the loss). The states it needs are recomputed from the
//! nearest snapshot by plain evaluations of the step on `F` (no tape). Snapshots are placed by
//! the binomial schedule of Griewank and Walther, which needs the least number of such forward
//! evaluations for the budget ([`optimal_forward_steps`]): with `s` snapshots and `steps` steps
//! the steps are evaluated at most `r·steps` times forward, plus once each recorded, `r` the least integer
//! with `C(s + r, s) ≥ steps` — `r = 3` for 10⁵ steps and ⌈√steps⌉ = 317 snapshots
//! ([`Snapshots::SqrtSteps`]), 2.49 forward evaluations per step on average.
//!
//! The step is a [`TimeStep`]: a method generic over the number type, because the driver runs
//! it on `F` (forward evaluations) and on [`Var<F>`] (recorded steps). The gradient equals the
//! gradient of the whole loop recorded on one tape (tested to 1e-12); the memory is
//! `snapshots · n` numbers plus one step's tape instead of every step's.
//! Measurements against the full tape: `benches/PERFORMANCE.md`, "Checkpointing".

mod schedule;

pub use schedule::optimal_forward_steps;

use crate::tape::TapeElement;
use crate::{Recording, Var};
use diffprog_dual::{Number, Real, Scalar};

/// One step `x_{k+1} = step(x_k, p)` of a time-stepping loop, written once for every number
/// type: [`checkpointed_gradient`] evaluates it on `F` to recompute states and on [`Var<F>`]
/// to take its vector–Jacobian product. `params` are the parameters `p` the step depends on
/// (the same at every step; empty if there are none).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::checkpoint::TimeStep;
///
/// /// Explicit Euler for the pendulum θ'' = −(g/L) sin θ, with p = [g/L].
/// struct Pendulum { dt: f64 }
/// impl TimeStep for Pendulum {
///     fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
///         vec![x[0] + x[1] * self.dt, x[1] - p[0] * x[0].sin() * self.dt]
///     }
/// }
/// let next = Pendulum { dt: 0.1 }.step(&[0.0, 1.0], &[9.81]);
/// assert_eq!(next, vec![0.1, 1.0]);
/// ```
pub trait TimeStep<F: Real = f64> {
    /// The state after one step from `x` with parameters `params` (as many values as `x`).
    fn step<T: Scalar<F>>(&self, x: &[T], params: &[T]) -> Vec<T>;
}

/// How many states [`checkpointed_gradient`] may hold at once, the initial state included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshots {
    /// At most this many (at least 1). With as many as the steps or more, every state is stored
    /// once and nothing is recomputed.
    Budget(usize),
    /// ⌈√steps⌉: memory O(√steps) and at most 3·steps forward evaluations, whatever the number
    /// of steps `l` (the repetition number is at most 3, since `C(s + 3, 3) ≥ s² ≥ l` for
    /// `s = ⌈√l⌉`).
    SqrtSteps,
}

impl Snapshots {
    /// The number of snapshots for a loop of `steps` steps.
    ///
    /// ```
    /// use diffprog_reverse::checkpoint::Snapshots;
    /// assert_eq!(Snapshots::SqrtSteps.for_steps(100_000), 317);
    /// assert_eq!(Snapshots::Budget(5).for_steps(100_000), 5);
    /// ```
    pub fn for_steps(self, steps: usize) -> usize {
        match self {
            Snapshots::Budget(s) => s,
            Snapshots::SqrtSteps => (steps as f64).sqrt().ceil().max(1.0) as usize,
        }
    }
}

/// What [`checkpointed_gradient`] returns: the loss, its gradients and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointedGradient<F> {
    /// The loss of the final state.
    pub loss: F,
    /// ∂loss/∂x₀.
    pub gradient: Vec<F>,
    /// ∂loss/∂p (empty without parameters).
    pub parameter_gradient: Vec<F>,
    /// The final state `x_steps`.
    pub final_state: Vec<F>,
    /// Evaluations of the step on `F` (recomputing states); [`optimal_forward_steps`].
    pub forward_steps: usize,
    /// Evaluations of the step on `Var<F>` (one per step, each recorded and swept once).
    pub recorded_steps: usize,
    /// The most states held at once (never more than the budget).
    pub peak_snapshots: usize,
    /// The longest tape of one step (the last step's includes the loss), in records
    /// ([`Recording::len`]).
    pub peak_tape_records: usize,
}

/// The loss `loss(x_steps)` of the final state of `x_{k+1} = step(x_k, params)` from `x0`, and its
/// gradients with respect to `x0` and to `params`, by reverse mode with binomial checkpointing:
/// at most `snapshots` states held at once and one step's tape (see the [module docs](self)).
///
/// ```
/// use diffprog_dual::Scalar;
/// use diffprog_reverse::checkpoint::{checkpointed_gradient, Snapshots, TimeStep};
/// use diffprog_reverse::{gradient, Var};
///
/// struct Pendulum { dt: f64 }
/// impl TimeStep for Pendulum {
///     fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
///         vec![x[0] + x[1] * self.dt, x[1] - p[0] * x[0].sin() * self.dt]
///     }
/// }
/// let pendulum = Pendulum { dt: 0.01 };
/// let energy = |x: &[Var]| x[1] * x[1] * 0.5 - x[0].cos() * 9.81;
/// let r = checkpointed_gradient(&pendulum, energy, [0.3, 0.0], [9.81], 1000, Snapshots::SqrtSteps);
/// assert!(r.peak_snapshots <= 32);
///
/// // The same gradient from one tape of all 1000 steps:
/// let (loss, g) = gradient(
///     |v: &[Var]| {
///         let mut x = v[..2].to_vec();
///         for _ in 0..1000 {
///             x = pendulum.step(&x, &v[2..]);
///         }
///         energy(&x)
///     },
///     [0.3, 0.0, 9.81],
/// );
/// assert_eq!(r.loss, loss);
/// assert!((r.gradient[0] - g[0]).abs() < 1e-12 && (r.gradient[1] - g[1]).abs() < 1e-12);
/// assert!((r.parameter_gradient[0] - g[2]).abs() < 1e-12);
/// ```
///
/// # Panics
/// If `x0` is empty, if `snapshots` allows fewer than 1 state, if the step returns a state of
/// another length than `x0`, or if a recording of element type `F` is already active on this
/// thread (as [`gradient`](crate::gradient)).
pub fn checkpointed_gradient<F, S>(
    step: &S,
    loss: impl Fn(&[Var<F>]) -> Var<F>,
    x0: impl AsRef<[F]>,
    params: impl AsRef<[F]>,
    steps: usize,
    snapshots: Snapshots,
) -> CheckpointedGradient<F>
where
    F: Real + Scalar<F> + TapeElement,
    S: TimeStep<F> + ?Sized,
{
    let (x0, params) = (x0.as_ref(), params.as_ref());
    assert!(
        !x0.is_empty(),
        "checkpointed_gradient: the initial state x0 is empty; give the state as a nonempty slice"
    );
    let budget = snapshots.for_steps(steps);
    assert!(
        budget >= 1,
        "checkpointed_gradient: a budget of {budget} snapshots cannot hold the initial state; \
         allow at least 1 (or use Snapshots::SqrtSteps)"
    );
    let mut run = Run {
        step,
        params,
        n: x0.len(),
        steps,
        inputs: Vec::with_capacity(x0.len() + params.len()),
        adjoint: Vec::new(),
        parameter_gradient: vec![<F as Number>::zero(); params.len()],
        loss: <F as Number>::zero(),
        final_state: Vec::new(),
        forward_steps: 0,
        recorded_steps: 0,
        peak_tape_records: 0,
    };
    if steps == 0 {
        run.reverse_step(x0, None, &loss);
        return run.finish(1);
    }
    // Snapshots (step index, state), innermost last; the steps [top, end) remain to be reversed.
    let mut snaps: Vec<(usize, Vec<F>)> = vec![(0, x0.to_vec())];
    let mut peak_snapshots = 1;
    let mut end = steps;
    loop {
        let (start, state) = snaps.last().expect("the initial snapshot is never popped");
        let start = *start;
        let remaining = end - start;
        let free = budget - snaps.len() + 1;
        if remaining == 1 {
            run.reverse_step(state, Some(start), &loss);
            end = start;
            if start == 0 {
                break;
            }
            snaps.pop();
        } else if free == 1 {
            let x = run.advance(state.clone(), remaining - 1);
            run.reverse_step(&x, Some(end - 1), &loss);
            end -= 1;
        } else {
            let m = schedule::first_advance(remaining, free);
            let x = run.advance(state.clone(), m);
            snaps.push((start + m, x));
            peak_snapshots = peak_snapshots.max(snaps.len());
        }
    }
    run.finish(peak_snapshots)
}

/// The state of one [`checkpointed_gradient`] call.
struct Run<'a, F, S: ?Sized> {
    step: &'a S,
    params: &'a [F],
    n: usize,
    steps: usize,
    /// The recorded step's inputs `x_k ‖ p` (a reused buffer).
    inputs: Vec<F>,
    /// The adjoint of the state after the next step to reverse.
    adjoint: Vec<F>,
    parameter_gradient: Vec<F>,
    loss: F,
    final_state: Vec<F>,
    forward_steps: usize,
    recorded_steps: usize,
    peak_tape_records: usize,
}

impl<F, S> Run<'_, F, S>
where
    F: Real + Scalar<F> + TapeElement,
    S: TimeStep<F> + ?Sized,
{
    /// `k` plain steps from `x`.
    fn advance(&mut self, mut x: Vec<F>, k: usize) -> Vec<F> {
        for _ in 0..k {
            x = self.step.step(&x, self.params);
            self.check_len(x.len());
        }
        self.forward_steps += k;
        x
    }

    fn check_len(&self, len: usize) {
        assert_eq!(
            len, self.n,
            "checkpointed_gradient: the step returned a state of length {len} from a state of \
             length {}; a step must return as many values as it takes",
            self.n
        );
    }

    /// Records step `k` from `x` (or, for `None`, no step: the loss of `x` itself) and sweeps it
    /// back: the last step with the loss, the others with the adjoint of their output. Leaves
    /// the adjoint of `x` in `self.adjoint` and adds the parameters' to the parameter gradient.
    fn reverse_step(&mut self, x: &[F], k: Option<usize>, loss: &impl Fn(&[Var<F>]) -> Var<F>) {
        let (n, np) = (self.n, self.params.len());
        let last = k.is_none_or(|k| k + 1 == self.steps);
        let mut inputs = std::mem::take(&mut self.inputs);
        inputs.clear();
        inputs.extend_from_slice(x);
        inputs.extend_from_slice(self.params);
        let rec = Recording::<F>::start("checkpoint::checkpointed_gradient");
        let step = self.step;
        let (outputs, final_state) = rec.with_variables(inputs.iter().copied(), |v| {
            let (xv, pv) = v.split_at(n);
            let y = match k {
                Some(_) => step.step(xv, pv),
                None => xv.to_vec(),
            };
            self.check_len(y.len());
            if last {
                (vec![loss(&y)], y.iter().map(|v| v.value).collect())
            } else {
                (y, Vec::new())
            }
        });
        self.inputs = inputs;
        if last {
            self.final_state = final_state;
        }
        if k.is_some() {
            self.recorded_steps += 1;
        }
        self.peak_tape_records = self.peak_tape_records.max(rec.len());
        F::with_tape(|t| {
            if last {
                self.loss = outputs[0].value;
                t.sweep([(outputs[0], <F as Number>::one())]);
            } else {
                t.sweep(outputs.iter().copied().zip(self.adjoint.iter().copied()));
            }
            let adj = &t.adjoints()[1..=n + np];
            self.adjoint.clear();
            self.adjoint.extend_from_slice(&adj[..n]);
            for (g, &a) in self.parameter_gradient.iter_mut().zip(&adj[n..]) {
                *g += a;
            }
        });
        drop(rec);
    }

    fn finish(self, peak_snapshots: usize) -> CheckpointedGradient<F> {
        CheckpointedGradient {
            loss: self.loss,
            gradient: self.adjoint,
            parameter_gradient: self.parameter_gradient,
            final_state: self.final_state,
            forward_steps: self.forward_steps,
            recorded_steps: self.recorded_steps,
            peak_snapshots,
            peak_tape_records: self.peak_tape_records,
        }
    }
}

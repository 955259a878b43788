//! Binomial checkpointing (`diffprog_reverse::checkpoint`): the gradient equals the one-tape
//! gradient of the whole loop (and forward mode, and central differences), the number of forward
//! step evaluations is revolve's optimum (checked against a brute-force recursion), and the
//! snapshots held never exceed the budget.

use diffprog_dual::{DualVec, Scalar, GRADIENT_CHUNK};
use diffprog_reverse::checkpoint::{
    checkpointed_gradient, optimal_forward_steps, CheckpointedGradient, Snapshots, TimeStep,
};
use diffprog_reverse::{gradient, Var};
use diffprog_testkit::fd;
use std::cell::Cell;

/// Explicit Euler for a damped pendulum θ'' = −a sin θ − b θ', parameters p = [a, b]; counts its
/// evaluations.
struct Pendulum {
    dt: f64,
    evaluations: Cell<usize>,
}

impl Pendulum {
    fn new(dt: f64) -> Self {
        Pendulum {
            dt,
            evaluations: Cell::new(0),
        }
    }
}

impl TimeStep for Pendulum {
    fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
        self.evaluations.set(self.evaluations.get() + 1);
        let acceleration = -(p[0] * x[0].sin()) - p[1] * x[1];
        vec![x[0] + x[1] * self.dt, x[1] + acceleration * self.dt]
    }
}

/// The loss of the final state: its energy plus a nonlinear term.
fn energy<T: Scalar>(x: &[T]) -> T {
    x[1] * x[1] * 0.5 - x[0].cos() * 9.81 + (x[0] * x[1]).tanh()
}

/// The loop run whole on any number type: state then parameters in `v`.
fn whole_loop<T: Scalar>(step: &impl TimeStep, v: &[T], n: usize, steps: usize) -> T {
    let mut x = v[..n].to_vec();
    for _ in 0..steps {
        x = step.step(&x, &v[n..]);
    }
    energy(&x)
}

/// The one-tape gradient of the whole loop: (loss, ∂/∂x₀ ‖ ∂/∂p).
fn full_tape(step: &impl TimeStep, point: &[f64], n: usize, steps: usize) -> (f64, Vec<f64>) {
    gradient(|v: &[Var]| whole_loop(step, v, n, steps), point)
}

fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * y.abs().max(1.0),
            "{what}[{i}]: {x} vs {y} (difference {:e})",
            (x - y).abs()
        );
    }
}

fn run(steps: usize, budget: usize) -> (Pendulum, CheckpointedGradient<f64>) {
    let pendulum = Pendulum::new(0.01);
    let r = checkpointed_gradient(
        &pendulum,
        energy::<Var>,
        [0.7, -0.2],
        [9.81, 0.3],
        steps,
        Snapshots::Budget(budget),
    );
    (pendulum, r)
}

#[test]
fn the_gradient_is_the_full_tapes_and_the_cost_revolves_optimum() {
    for (steps, budget) in [
        (1, 1),
        (2, 1),
        (9, 1),
        (10, 2),
        (10, 3),
        (57, 4),
        (100, 10),
        (300, 6),
        (100, 100),
        (40, 200),
    ] {
        let (pendulum, r) = run(steps, budget);
        let case = format!("{steps} steps, {budget} snapshots");
        let (loss, g) = full_tape(&pendulum, &[0.7, -0.2, 9.81, 0.3], 2, steps);
        assert_eq!(r.loss, loss, "{case}: loss");
        assert_close(&format!("{case}: ∂/∂x₀"), &r.gradient, &g[..2], 1e-12);
        assert_close(
            &format!("{case}: ∂/∂p"),
            &r.parameter_gradient,
            &g[2..],
            1e-12,
        );
        let expected_forward = optimal_forward_steps(steps, budget);
        assert_eq!(r.forward_steps, expected_forward, "{case}: forward steps");
        assert_eq!(r.recorded_steps, steps, "{case}: recorded steps");
        // Every evaluation of the step is counted: the full-tape run adds `steps`.
        assert_eq!(
            pendulum.evaluations.get(),
            expected_forward + 2 * steps,
            "{case}: evaluations of the step"
        );
        assert!(
            r.peak_snapshots <= budget,
            "{case}: {} snapshots held",
            r.peak_snapshots
        );
        assert_eq!(
            r.peak_snapshots,
            budget.min(steps),
            "{case}: the budget is used"
        );
        assert_eq!(r.final_state.len(), 2);
    }
}

#[test]
fn every_small_schedule_is_optimal_and_within_budget() {
    /// x' = x + 0.1·sin(x·p): one state, one parameter.
    struct Tiny(Cell<usize>);
    impl TimeStep for Tiny {
        fn step<T: Scalar>(&self, x: &[T], p: &[T]) -> Vec<T> {
            self.0.set(self.0.get() + 1);
            vec![x[0] + (x[0] * p[0]).sin() * 0.1]
        }
    }
    let square = |x: &[Var]| x[0] * x[0];
    for steps in 1..=40 {
        let (_, g) = gradient(
            |v: &[Var]| {
                let mut x = vec![v[0]];
                for _ in 0..steps {
                    x = Tiny(Cell::new(0)).step(&x, &v[1..]);
                }
                square(&x)
            },
            [0.4, 1.3],
        );
        for budget in 1..=7 {
            let tiny = Tiny(Cell::new(0));
            let r = checkpointed_gradient(
                &tiny,
                square,
                [0.4],
                [1.3],
                steps,
                Snapshots::Budget(budget),
            );
            let case = format!("{steps} steps, {budget} snapshots");
            assert_eq!(
                tiny.0.get(),
                optimal_forward_steps(steps, budget) + steps,
                "{case}"
            );
            assert_eq!(
                r.forward_steps,
                optimal_forward_steps(steps, budget),
                "{case}"
            );
            assert!(r.peak_snapshots <= budget, "{case}");
            assert_close(&case, &[r.gradient[0], r.parameter_gradient[0]], &g, 1e-12);
        }
    }
}

/// The least number of forward steps by brute force over every first advance:
/// `P(l, s) = min over m of m + P(m, s) + P(l − m, s − 1)`, `P(1, s) = 0`, `P(l, 1) = l(l − 1)/2`.
#[test]
fn the_closed_form_count_is_the_brute_force_optimum() {
    const L: usize = 45;
    const S: usize = 7;
    let mut p = vec![vec![0_usize; S + 1]; L + 1];
    for l in 1..=L {
        p[l][1] = l * (l - 1) / 2;
        for s in 2..=S {
            p[l][s] = if l == 1 {
                0
            } else {
                (1..l).map(|m| m + p[m][s] + p[l - m][s - 1]).min().unwrap()
            };
        }
    }
    for (l, row) in p.iter().enumerate().skip(1) {
        for (s, &count) in row.iter().enumerate().skip(1) {
            assert_eq!(optimal_forward_steps(l, s), count, "l = {l}, s = {s}");
        }
    }
    assert_eq!(optimal_forward_steps(0, 3), 0);
}

#[test]
fn the_gradient_agrees_with_forward_mode_and_central_differences() {
    let pendulum = Pendulum::new(0.02);
    let point = [0.7, -0.2, 9.81, 0.3];
    let steps = 200;
    let r = checkpointed_gradient(
        &pendulum,
        energy::<Var>,
        &point[..2],
        &point[2..],
        steps,
        Snapshots::SqrtSteps,
    );
    assert_eq!(r.peak_snapshots, 15);
    let ours: Vec<f64> = r
        .gradient
        .iter()
        .chain(&r.parameter_gradient)
        .copied()
        .collect();
    let (value, forward) = diffprog_dual::gradient(
        |v: &[DualVec<f64, GRADIENT_CHUNK>]| whole_loop(&pendulum, v, 2, steps),
        point,
    );
    assert_eq!(value, r.loss);
    assert_close("forward mode", &ours, &forward, 1e-12);
    let fd: Vec<f64> = (0..4)
        .map(|i| fd::partial(|v| whole_loop(&pendulum, v, 2, steps), &point, i, 1e-6))
        .collect();
    assert_close("central differences", &ours, &fd, 1e-7);
}

#[test]
fn zero_steps_is_the_gradient_of_the_loss() {
    let (pendulum, r) = run(0, 1);
    let (loss, g) = gradient(energy::<Var>, [0.7, -0.2]);
    assert_eq!((r.loss, r.gradient.clone()), (loss, g));
    assert_eq!(r.parameter_gradient, vec![0.0, 0.0]);
    assert_eq!((r.forward_steps, r.recorded_steps), (0, 0));
    assert_eq!(pendulum.evaluations.get(), 0);
}

#[test]
#[should_panic(expected = "allow at least 1")]
fn a_budget_of_zero_snapshots_panics() {
    run(10, 0);
}

#[test]
#[should_panic(expected = "x0 is empty")]
fn an_empty_state_panics() {
    checkpointed_gradient(
        &Pendulum::new(0.1),
        energy::<Var>,
        [],
        [1.0, 0.0],
        3,
        Snapshots::SqrtSteps,
    );
}

#[test]
#[should_panic(expected = "a step must return as many values as it takes")]
fn a_step_changing_the_state_length_panics() {
    struct Grows;
    impl TimeStep for Grows {
        fn step<T: Scalar>(&self, x: &[T], _: &[T]) -> Vec<T> {
            let mut y = x.to_vec();
            y.push(x[0]);
            y
        }
    }
    checkpointed_gradient(&Grows, |x: &[Var]| x[0], [1.0], [], 4, Snapshots::Budget(2));
}

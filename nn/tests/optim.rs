//! Each optimiser's first steps against values computed by hand (written out below), on one
//! parameter θ₀ = 1 with the constant gradient sequence g = 0.5, then −0.2 (set by hand before
//! each step), plus weight-decay variants and the learning-rate schedules.

use diffprog_nn::optim::{Adagrad, Adam, Momentum, Optimizer, RmsProp, Schedule, Sgd};
use diffprog_nn::{ParamId, Params, Tensor};

const GRADS: [f64; 2] = [0.5, -0.2];

/// θ after each step.
fn run(opt: &mut impl Optimizer<f64>) -> Vec<f64> {
    let mut p = Params::<f64>::new();
    let w = p.add("w", Tensor::from_vec(vec![1.0], &[1]));
    GRADS
        .iter()
        .map(|&g| {
            p.grad_mut(w)[0] = g;
            opt.step(&mut p);
            p.value(w)[0]
        })
        .collect()
}

fn close(got: &[f64], want: &[f64]) {
    for (a, b) in got.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "got {got:?}, want {want:?}");
    }
}

#[test]
fn sgd_plain() {
    // θ1 = 1 − 0.1·0.5 = 0.95; θ2 = 0.95 + 0.1·0.2 = 0.97
    close(&run(&mut Sgd::new(0.1, Momentum::None)), &[0.95, 0.97]);
}

#[test]
fn sgd_torch_momentum() {
    // v1 = 0.5, θ1 = 0.95; v2 = 0.9·0.5 − 0.2 = 0.25, θ2 = 0.95 − 0.025 = 0.925
    close(
        &run(&mut Sgd::new(0.1, Momentum::Torch(0.9))),
        &[0.95, 0.925],
    );
}

#[test]
fn sgd_ewa_momentum() {
    // V1 = 0.1·0.5 = 0.05, θ1 = 1 − 0.005 = 0.995; V2 = 0.9·0.05 + 0.1·(−0.2) = 0.025,
    // θ2 = 0.995 − 0.0025 = 0.9925
    close(
        &run(&mut Sgd::new(0.1, Momentum::Ewa(0.9))),
        &[0.995, 0.9925],
    );
}

#[test]
fn sgd_nesterov() {
    // v1 = 0.5, θ1 = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905;
    // v2 = 0.45 − 0.2 = 0.25, θ2 = 0.905 − 0.1·(−0.2 + 0.225) = 0.9025
    close(
        &run(&mut Sgd::new(0.1, Momentum::Nesterov(0.9))),
        &[0.905, 0.9025],
    );
}

#[test]
fn sgd_weight_decay() {
    // g1 = 0.5 + 0.1·1 = 0.6, θ1 = 0.94; g2 = −0.2 + 0.094 = −0.106, θ2 = 0.9506
    close(
        &run(&mut Sgd::new(0.1, Momentum::None).weight_decay(0.1)),
        &[0.94, 0.9506],
    );
}

#[test]
fn rmsprop() {
    // s1 = 0.01·0.25 = 0.0025, θ1 = 1 − 0.01·0.5/(0.05 + 1e-8)
    // s2 = 0.99·0.0025 + 0.01·0.04 = 0.002875, θ2 = θ1 + 0.01·0.2/(√0.002875 + 1e-8)
    let t1 = 1.0 - 0.01 * 0.5 / (0.05 + 1e-8);
    let t2 = t1 + 0.01 * 0.2 / (0.002875f64.sqrt() + 1e-8);
    close(&run(&mut RmsProp::new(0.01)), &[t1, t2]);
    assert!((t1 - 0.9).abs() < 1e-6); // the familiar first step of size lr/√(1−α)
}

#[test]
fn adagrad() {
    // s1 = 0.25, θ1 = 1 − 0.1·0.5/0.5 = 0.9; s2 = 0.29, θ2 = 0.9 + 0.1·0.2/√0.29
    let t1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-10);
    let t2 = t1 + 0.1 * 0.2 / (0.29f64.sqrt() + 1e-10);
    close(&run(&mut Adagrad::new(0.1)), &[t1, t2]);
}

#[test]
fn adam() {
    // m1 = 0.05, v1 = 0.00025, m̂ = 0.5, v̂ = 0.25: θ1 = 1 − 0.1·0.5/(0.5 + 1e-8)
    // m2 = 0.045 − 0.02 = 0.025, v2 = 0.999·0.00025 + 0.001·0.04 = 0.00028975
    // m̂2 = 0.025/0.19, v̂2 = 0.00028975/(1 − 0.999²) = 0.00028975/0.001999
    let t1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8);
    let m2 = 0.025 / (1.0 - 0.81);
    let v2: f64 = 0.00028975 / (1.0 - 0.998001);
    let t2 = t1 - 0.1 * m2 / (v2.sqrt() + 1e-8);
    close(&run(&mut Adam::new(0.1)), &[t1, t2]);
}

#[test]
fn adam_coupled_weight_decay() {
    // g1 = 0.5 + 0.5·1 = 1.0: θ1 = 1 − 0.1·1/(1 + 1e-8)
    let t1 = 1.0 - 0.1 / (1.0 + 1e-8);
    let g2 = -0.2 + 0.5 * t1;
    let m2 = 0.9 * 0.1 + 0.1 * g2;
    let v2: f64 = 0.999 * 0.001 + 0.001 * g2 * g2;
    let t2 = t1 - 0.1 * (m2 / 0.19) / ((v2 / 0.001999).sqrt() + 1e-8);
    let got = run(&mut Adam::new(0.1).weight_decay(0.5));
    assert!(
        (got[0] - t1).abs() < 1e-12 && (got[1] - t2).abs() < 1e-9,
        "{got:?} vs [{t1}, {t2}]"
    );
}

#[test]
fn adamw_decoupled() {
    // θ1 = 1·(1 − 0.1·0.5) − 0.1·0.5/(0.5 + 1e-8) = 0.95 − 0.1
    let t1 = 0.95 - 0.1 * 0.5 / (0.5 + 1e-8);
    let m2 = 0.025 / 0.19;
    let v2: f64 = 0.00028975 / 0.001999;
    let t2 = t1 * 0.95 - 0.1 * m2 / (v2.sqrt() + 1e-8);
    let got = run(&mut Adam::adamw(0.1, 0.5));
    assert!(
        (got[0] - t1).abs() < 1e-12 && (got[1] - t2).abs() < 1e-9,
        "{got:?} vs [{t1}, {t2}]"
    );
}

#[test]
fn schedules() {
    let s = Schedule::step_lr(1.0, 3, 0.1);
    let lrs: Vec<f64> = (0..7).map(|e| s.lr_at(e)).collect();
    close(&lrs, &[1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01]);
    let mut e = Schedule::exponential(0.5, 0.5);
    let mut opt = Sgd::<f64>::new(0.5, Momentum::None);
    e.step(&mut opt);
    e.step(&mut opt);
    assert!((opt.learning_rate() - 0.125).abs() < 1e-15);
}

/// θ of the two parameters after each step, the second one in a group with rate `group_lr`.
fn run_grouped<O: Optimizer<f64>>(
    make: impl Fn() -> O,
    group: impl Fn(O, ParamId) -> O,
) -> [Vec<f64>; 2] {
    let mut p = Params::<f64>::new();
    let a = p.add("a", Tensor::from_vec(vec![1.0], &[1]));
    let b = p.add("b", Tensor::from_vec(vec![1.0], &[1]));
    let mut opt = group(make(), b);
    let mut out = [Vec::new(), Vec::new()];
    for &g in &GRADS {
        p.grad_mut(a)[0] = g;
        p.grad_mut(b)[0] = g;
        opt.step(&mut p);
        out[0].push(p.value(a)[0]);
        out[1].push(p.value(b)[0]);
    }
    out
}

#[test]
fn a_parameter_group_trains_exactly_as_an_optimiser_with_its_rate() {
    // every optimiser: the grouped parameter follows the trajectory of a separate optimiser
    // whose base rate is the group's, the other parameter the base rate's trajectory
    fn check<O: Optimizer<f64>>(make: impl Fn(f64) -> O, group: impl Fn(O, ParamId, f64) -> O) {
        let [base, grouped] = run_grouped(|| make(0.1), |o, id| group(o, id, 0.03));
        close(&base, &run(&mut make(0.1)));
        close(&grouped, &run(&mut make(0.03)));
        assert_ne!(base, grouped);
    }
    check(
        |lr| Sgd::new(lr, Momentum::Torch(0.9)),
        |o, id, lr| o.param_group([id], lr),
    );
    check(
        |lr| Sgd::new(lr, Momentum::None).weight_decay(0.1),
        |o, id, lr| o.param_group([id], lr),
    );
    check(Adam::new, |o, id, lr| o.param_group([id], lr));
    check(
        |lr| Adam::adamw(lr, 0.1),
        |o, id, lr| o.param_group([id], lr),
    );
    check(RmsProp::new, |o, id, lr| o.param_group([id], lr));
    check(Adagrad::new, |o, id, lr| o.param_group([id], lr));
}

#[test]
fn a_schedule_scales_every_group_with_the_base_rate() {
    let mut p = Params::<f64>::new();
    let a = p.add("a", Tensor::from_vec(vec![1.0], &[1]));
    let mut opt = Sgd::<f64>::new(0.1, Momentum::None).param_group([a], 0.02);
    let mut s = Schedule::step_lr(0.1, 1, 0.5);
    assert!((opt.group_learning_rate(a) - 0.02).abs() < 1e-15);
    s.step(&mut opt);
    assert!((opt.learning_rate() - 0.05).abs() < 1e-15);
    assert!((opt.group_learning_rate(a) - 0.01).abs() < 1e-15);
}

#[test]
#[should_panic(expected = "give the optimiser a positive rate before adding groups")]
fn a_group_on_a_zero_base_rate_is_refused() {
    let _ = Adam::<f64>::new(0.0).param_group([], 0.01);
}

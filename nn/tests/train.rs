//! The training helper on a slice of the digits: loss falls, the callback sees every epoch and can
//! stop the run, the schedule is applied, evaluation metrics are consistent.

use diffprog_nn::data::digits;
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::optim::{Adam, Optimizer, Schedule};
use diffprog_nn::train::{evaluate, Control, Trainer};
use diffprog_nn::{Graph, Unary};

#[test]
fn fit_trains_calls_back_stops_and_schedules() {
    let data = digits();
    let (train, test) = data.split(3, 400);
    let test = test.subset(&(0..200).collect::<Vec<_>>());
    let mut g = Graph::<f32>::new();
    let net = Sequential::mlp(
        g.params_mut(),
        &[64, 32, 10],
        Unary::Relu,
        Init::KaimingUniform,
        &mut seeded_rng(0),
    );
    let mut opt = Adam::new(1e-2);
    let mut sched = Schedule::step_lr(1e-2, 1, 0.5);
    let mut seen = Vec::new();
    let history = Trainer::new(&mut g, &net, &mut opt)
        .epochs(10)
        .batch_size(32)
        .progress(false)
        .validation(&test)
        .schedule(&mut sched)
        .on_epoch(|r, _| {
            seen.push(r.epoch);
            if r.epoch == 4 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .fit(&train);
    assert_eq!(seen, [1, 2, 3, 4]);
    assert_eq!(history.len(), 4);
    assert!((opt.learning_rate() - 1e-2 / 16.0).abs() < 1e-12);
    let first = &history.epochs[0];
    let last = history.last().unwrap();
    assert!(last.train_loss < first.train_loss);
    let e = evaluate(&mut g, &net, &test, 64);
    assert!(
        e.accuracy() > 0.8,
        "accuracy {} after 4 epochs on 400 digits",
        e.accuracy()
    );
    assert!((e.accuracy() - last.test_accuracy.unwrap()).abs() < 1e-12);
    assert!((e.loss - last.test_loss.unwrap()).abs() < 1e-6);
    assert!(e.top_k(3) >= e.accuracy());
    let cm = e.confusion();
    assert_eq!(
        (0..10)
            .map(|i| (0..10).map(|j| cm.get(i, j)).sum::<usize>())
            .sum::<usize>(),
        200
    );
    assert!(g.is_training(), "evaluate restores the mode");
}

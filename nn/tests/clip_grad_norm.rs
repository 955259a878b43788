//! Gradient clipping by global norm against PyTorch's `clip_grad_norm_` formula.

use diffprog_nn::optim::clip_grad_norm;
use diffprog_nn::{Params, Tensor};
use proptest::prelude::*;

fn store(grads: &[Vec<f64>]) -> Params<f64> {
    let mut p = Params::new();
    for (k, g) in grads.iter().enumerate() {
        let id = p.add(format!("p{k}"), Tensor::zeros(&[g.len()]));
        p.grad_mut(id).copy_from_slice(g);
    }
    p
}

proptest! {
    #![proptest_config(diffprog_testkit::config(64))]

    #[test]
    fn clips_to_the_global_norm(grads in prop::collection::vec(prop::collection::vec(-10.0f64..10.0, 1..6), 1..5), max_norm in 0.0f64..20.0) {
        let mut p = store(&grads);
        let norm = clip_grad_norm(&mut p, None, max_norm);
        let want: f64 = grads.iter().flatten().map(|g| g * g).sum::<f64>().sqrt();
        prop_assert!((norm - want).abs() <= 1e-12 * want.max(1.0));
        let scale = (max_norm / (want + 1e-6)).min(1.0);
        for (k, id) in p.ids().enumerate() {
            for (&got, &g) in p.grad(id).iter().zip(&grads[k]) {
                prop_assert_eq!(got, g * scale);
            }
        }
        let after: f64 = p.flatten_grads().iter().map(|g| g * g).sum::<f64>().sqrt();
        prop_assert!(after <= max_norm.max(0.0) + 1e-9);
        if want < max_norm {
            // below the bound: untouched
            prop_assert_eq!(p.flatten_grads(), grads.concat());
        }
    }
}

#[test]
fn only_the_given_parameters_count_and_change() {
    let mut p = store(&[vec![3.0], vec![4.0], vec![100.0]]);
    let ids: Vec<_> = p.ids().collect();
    let norm = clip_grad_norm(&mut p, Some(&ids[..2]), 1.0);
    assert_eq!(norm, 5.0);
    assert_eq!(p.grad(ids[0])[0], 3.0 / (5.0 + 1e-6));
    assert_eq!(p.grad(ids[1])[0], 4.0 / (5.0 + 1e-6));
    assert_eq!(p.grad(ids[2])[0], 100.0);
}

#[test]
fn non_finite_norms_follow_pytorch() {
    // an infinite norm: factor 0, so infinite gradients become NaN and finite ones 0
    let mut p = store(&[vec![f64::INFINITY, 2.0]]);
    let id = p.ids().next().unwrap();
    assert_eq!(clip_grad_norm(&mut p, None, 1.0), f64::INFINITY);
    assert!(p.grad(id)[0].is_nan());
    assert_eq!(p.grad(id)[1], 0.0);
    // a NaN norm: every gradient NaN
    let mut p = store(&[vec![f64::NAN, 2.0]]);
    let id = p.ids().next().unwrap();
    assert!(clip_grad_norm(&mut p, None, 1.0).is_nan());
    assert!(p.grad(id).iter().all(|g| g.is_nan()));
}

#[test]
fn f32_gradients_are_clipped_with_an_f64_norm() {
    let mut p = Params::<f32>::new();
    let id = p.add("w", Tensor::zeros(&[2]));
    // 1e20² overflows f32; the norm is summed in f64
    p.grad_mut(id).copy_from_slice(&[3e20, 4e20]);
    let norm = clip_grad_norm(&mut p, None, 1.0);
    assert!((norm - 5e20).abs() <= 5e20 * 1e-7);
    let g = p.grad(id);
    assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
}

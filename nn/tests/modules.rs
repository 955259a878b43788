//! A user-defined module (PyTorch's `nn.Module`) composing layers and a `Sequential`: its
//! parameters by hierarchical name, freezing a child, train/eval through the graph, and the
//! intermediate activations of a `Sequential`.

use diffprog_nn::layers::{seeded_rng, BatchNorm, Conv2d, Init, Layer, Linear, Pool2d, Sequential};
use diffprog_nn::optim::{Adam, Optimizer};
use diffprog_nn::train::Module;
use diffprog_nn::{ConvOptions, Graph, NodeId, ParamId, Unary};

struct Net {
    features: Sequential<f64>,
    fc: Linear,
}

impl Module<f64> for Net {
    fn forward(&self, g: &mut Graph<f64>, x: NodeId) -> NodeId {
        let h = self.features.forward(g, x);
        let h = g.reshape(h, &[g.shape(h).dim(0), 8]);
        Module::forward(&self.fc, g, h)
    }
    fn param_ids(&self) -> Vec<ParamId> {
        let mut v = Module::<f64>::param_ids(&self.features);
        v.extend(Module::<f64>::param_ids(&self.fc));
        v
    }
}

fn net(g: &mut Graph<f64>) -> Net {
    let mut rng = seeded_rng(0);
    let p = g.params_mut();
    let conv = Conv2d::new(
        p,
        "features.conv1",
        1,
        2,
        [3, 3],
        ConvOptions::new().padding(1),
        true,
        &mut rng,
    );
    let bn = BatchNorm::new(p, "features.bn1", 2);
    let fc = Linear::new(p, "fc", 8, 2, true, Init::TorchDefault, &mut rng);
    Net {
        features: Sequential::new()
            .push(Layer::Conv2d(conv))
            .push(Layer::BatchNorm2d(bn))
            .push(Layer::Activation(Unary::Relu))
            .push(Layer::MaxPool2d(Pool2d::new(2))),
        fc,
    }
}

#[test]
fn parameters_are_listed_by_hierarchical_name() {
    let mut g = Graph::<f64>::new();
    let n = net(&mut g);
    let names: Vec<&str> = n
        .named_params(g.params())
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        names,
        [
            "features.conv1.weight",
            "features.conv1.bias",
            "features.bn1.weight",
            "features.bn1.bias",
            "fc.weight",
            "fc.bias"
        ]
    );
}

#[test]
fn a_frozen_child_does_not_train_and_the_rest_does() {
    let mut g = Graph::<f64>::new();
    let n = net(&mut g);
    n.features.set_frozen(g.params_mut(), true);
    let frozen: Vec<Vec<f64>> = Module::<f64>::param_ids(&n.features)
        .into_iter()
        .map(|id| g.params().value(id).to_vec())
        .collect();
    let fc_before = g.params().value(n.fc.weight).to_vec();
    let mut opt = Adam::new(0.05);
    for step in 0..5 {
        g.reset();
        let xv: Vec<f64> = (0..4 * 16)
            .map(|i| ((i * 7 + step) % 5) as f64 - 2.0)
            .collect();
        let x = g.input(&xv, &[4, 1, 4, 4]);
        let y = n.forward(&mut g, x);
        let l = g.cross_entropy(y, &[0, 1, 0, 1]);
        g.params_mut().zero_grad();
        g.backward(l);
        opt.step(g.params_mut());
    }
    for (id, v) in Module::<f64>::param_ids(&n.features)
        .into_iter()
        .zip(frozen)
    {
        assert_eq!(g.params().value(id), &v[..], "{}", g.params().name(id));
    }
    assert_ne!(g.params().value(n.fc.weight), &fc_before[..]);
    // unfreezing makes them train again
    n.features.set_frozen(g.params_mut(), false);
    assert!(Module::<f64>::param_ids(&n.features)
        .into_iter()
        .all(|id| g.params().is_trainable(id)));
}

#[test]
fn intermediate_activations_are_each_layers_output() {
    let mut g = Graph::<f64>::new();
    let n = net(&mut g);
    let xv: Vec<f64> = (0..2 * 16).map(|i| (i % 6) as f64 - 2.5).collect();
    let x = g.input(&xv, &[2, 1, 4, 4]);
    let acts = n.features.forward_activations(&mut g, x);
    assert_eq!(acts.len(), 4);
    assert_eq!(g.shape(acts[0]).dims(), &[2, 2, 4, 4]); // the feature maps after conv1
    assert_eq!(g.shape(acts[3]).dims(), &[2, 2, 2, 2]);
    assert!(g.value(acts[2]).iter().all(|&v| v >= 0.0)); // after ReLU
    g.set_training(false);
    let y = n.features.forward(&mut g, x);
    let acts = n.features.forward_activations(&mut g, x);
    assert_eq!(g.value(*acts.last().unwrap()), g.value(y));
}

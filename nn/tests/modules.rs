//! A user-defined module (PyTorch's `nn.Module`) composing layers and a `Sequential`: its
//! parameters by hierarchical name, freezing a child, train/eval through the graph, and the
//! intermediate activations of a `Sequential`.

use diffprog_nn::layers::{seeded_rng, BatchNorm, Conv2d, Init, Layer, Linear, Pool2d, Sequential};
use diffprog_nn::optim::{Adam, Optimizer};
use diffprog_nn::train::Module;
use diffprog_nn::{ConvOptions, Graph, NodeId, Unary};

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
    fn children(&self) -> Vec<&dyn Module<f64>> {
        vec![&self.features, &self.fc]
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

/// A module of modules: a user module (`Net`) and a layer, collected two levels deep.
struct Outer {
    net: Net,
    head: Linear,
}

impl Module<f64> for Outer {
    fn forward(&self, g: &mut Graph<f64>, x: NodeId) -> NodeId {
        let h = self.net.forward(g, x);
        Module::forward(&self.head, g, h)
    }
    fn children(&self) -> Vec<&dyn Module<f64>> {
        vec![&self.net, &self.head]
    }
}

#[test]
fn children_of_children_are_collected_and_a_group_trains_them_with_its_rate() {
    let mut g = Graph::<f64>::new();
    let net = net(&mut g);
    let head = Linear::new(
        g.params_mut(),
        "head",
        2,
        2,
        false,
        Init::TorchDefault,
        &mut seeded_rng(1),
    );
    let outer = Outer { net, head };
    let names: Vec<&str> = outer
        .named_params(g.params())
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(names.len(), 7);
    assert_eq!(names[..2], ["features.conv1.weight", "features.conv1.bias"]);
    assert_eq!(names[6], "head.weight");
    // the inner network at a zero rate (a frozen-by-rate backbone), the head at the base rate
    let mut opt = Adam::new(0.05).param_group(outer.net.param_ids(), 0.0);
    let before: Vec<Vec<f64>> = outer
        .param_ids()
        .into_iter()
        .map(|id| g.params().value(id).to_vec())
        .collect();
    g.reset();
    let xv: Vec<f64> = (0..4 * 16).map(|i| (i % 5) as f64 - 2.0).collect();
    let x = g.input(&xv, &[4, 1, 4, 4]);
    let y = outer.forward(&mut g, x);
    let l = g.cross_entropy(y, &[0, 1, 0, 1]);
    g.params_mut().zero_grad();
    g.backward(l);
    opt.step(g.params_mut());
    for (id, v) in outer.param_ids().into_iter().zip(before) {
        let moved = g.params().value(id) != &v[..];
        assert_eq!(moved, id == outer.head.weight, "{}", g.params().name(id));
    }
}

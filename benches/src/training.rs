//! The training workloads of the `training` criterion bench and of the `train-cpu-time`
//! program, single thread, `f32`, ReLU, Adam: the digits MLP 64-64-10 (the overhead-bound case)
//! and an MLP 784-784-10 on MNIST-shaped batches of random data (the GEMM-bound case).

use diffprog_nn::data::{digits, DataLoader, Dataset};
use diffprog_nn::layers::{seeded_rng, Init, Sequential};
use diffprog_nn::optim::Adam;
use diffprog_nn::rand::Rng;
use diffprog_nn::train::train_step;
use diffprog_nn::{Graph, Unary};

/// A model, the graph holding its parameters, and its optimiser.
pub struct Trainer {
    /// The graph (owns the parameters).
    pub graph: Graph<f32>,
    /// The model.
    pub model: Sequential<f32>,
    /// The optimiser.
    pub opt: Adam<f32>,
}

impl Trainer {
    /// An MLP of the given layer widths (ReLU, PyTorch's default initialisation from seed 0)
    /// with Adam at learning rate 10⁻³.
    pub fn mlp(widths: &[usize]) -> Trainer {
        let mut graph = Graph::<f32>::new();
        let model = Sequential::mlp(
            graph.params_mut(),
            widths,
            Unary::Relu,
            Init::TorchDefault,
            &mut seeded_rng(0),
        );
        Trainer {
            graph,
            model,
            opt: Adam::new(1e-3),
        }
    }

    /// One training step on `batch`; returns its loss.
    pub fn step(&mut self, batch: &Dataset<f32>) -> f32 {
        let (g, model, opt) = (&mut self.graph, &self.model, &mut self.opt);
        let (features, labels) = (batch.features(), batch.labels());
        train_step(g, model, opt, features, labels, batch.feature_len()).0
    }

    /// One epoch: a step per batch of `loader`; returns the last step's loss.
    pub fn epoch(&mut self, loader: &mut DataLoader<'_, f32>) -> f32 {
        let (g, model, opt) = (&mut self.graph, &self.model, &mut self.opt);
        let mut last = 0.0;
        while let Some(b) = loader.next_batch() {
            last = train_step(g, model, opt, b.features, b.labels, b.feature_len).0;
        }
        last
    }
}

/// The digits workload's training set: 1500 of the 8×8 digits.
pub fn digits_train_set() -> Dataset<f32> {
    digits().split(0, 1500).0
}

/// The digits workload's batches: 32 samples, shuffled with seed 1 (47 steps per epoch).
pub fn digits_loader(train: &Dataset<f32>) -> DataLoader<'_, f32> {
    DataLoader::new(train, 32).shuffle(1)
}

/// `n` MNIST-shaped samples (784 uniform pixels, labels 0..10) drawn from `seed`.
pub fn random_mnist(n: usize, seed: u64) -> Dataset<f32> {
    let mut rng = seeded_rng(seed);
    let x: Vec<f32> = (0..n * 784).map(|_| rng.random::<f32>()).collect();
    let y: Vec<usize> = (0..n).map(|_| rng.random_range(0..10)).collect();
    Dataset::with_classes(x, y, 784, 10)
}

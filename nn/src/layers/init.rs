//! Weight initialisation from a seeded `rand` generator: Kaiming (He) and Xavier (Glorot),
//! uniform and normal, and PyTorch's `nn.Linear` default.

use crate::{Element, Tensor};
use rand::Rng;

/// How a dense layer's weights (shape `[fan_in, fan_out]`) and bias are initialised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// PyTorch's `nn.Linear` default: weights and bias ~ U(−1/√fan_in, 1/√fan_in).
    TorchDefault,
    /// Kaiming/He uniform for ReLU: U(−b, b), b = √(6 / fan_in); bias 0.
    KaimingUniform,
    /// Kaiming/He normal for ReLU: N(0, 2 / fan_in); bias 0.
    KaimingNormal,
    /// Xavier/Glorot uniform: U(−b, b), b = √(6 / (fan_in + fan_out)); bias 0.
    XavierUniform,
    /// Xavier/Glorot normal: N(0, 2 / (fan_in + fan_out)); bias 0.
    XavierNormal,
}

/// The seeded generator used across diffprog-nn (ChaCha8): the same seed gives the same
/// initialisation on every platform.
pub fn seeded_rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    rand::SeedableRng::seed_from_u64(seed)
}

/// A standard normal draw (Box–Muller).
pub fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Init {
    /// The weight tensor `[fan_in, fan_out]`.
    pub fn weights<F: Element>(
        self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) -> Tensor<F> {
        let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
        let dims = [fan_in, fan_out];
        match self {
            Init::TorchDefault => {
                let b = 1.0 / fi.sqrt();
                Tensor::uniform(&dims, -b, b, rng)
            }
            Init::KaimingUniform => {
                let b = (6.0 / fi).sqrt();
                Tensor::uniform(&dims, -b, b, rng)
            }
            Init::XavierUniform => {
                let b = (6.0 / (fi + fo)).sqrt();
                Tensor::uniform(&dims, -b, b, rng)
            }
            Init::KaimingNormal => normal_tensor((2.0 / fi).sqrt(), &dims, rng),
            Init::XavierNormal => normal_tensor((2.0 / (fi + fo)).sqrt(), &dims, rng),
        }
    }
    /// The bias `[fan_out]`.
    pub fn bias<F: Element>(self, fan_in: usize, fan_out: usize, rng: &mut impl Rng) -> Tensor<F> {
        match self {
            Init::TorchDefault => {
                let b = 1.0 / (fan_in.max(1) as f64).sqrt();
                Tensor::uniform(&[fan_out], -b, b, rng)
            }
            _ => Tensor::zeros(&[fan_out]),
        }
    }
}

/// A tensor of N(0, std²) draws.
pub fn normal_tensor<F: Element>(std: f64, dims: &[usize], rng: &mut impl Rng) -> Tensor<F> {
    let n: usize = dims.iter().product();
    let data = (0..n)
        .map(|_| <F as diffprog_dual::Real>::from_f64(std * standard_normal(rng)))
        .collect();
    Tensor::from_vec(data, dims)
}

//! The reference problems, each written once against diffprog's [`Scalar`] — and, for the peers
//! (feature `peers`), against num-dual's `DualNum`, `num_traits::Float` (echidna) and ad_trait's
//! `AD` with the same operations in the same order, so every library evaluates the same
//! arithmetic.

#[cfg(feature = "peers")]
use ad_trait::AD;
use diffprog_dual::Scalar;
#[cfg(feature = "peers")]
use num_dual::DualNum;
#[cfg(feature = "peers")]
use num_traits::Float;

/// A deterministic pseudo-random number in [−1, 1) from an index (splitmix64).
pub fn noise(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// A scalar function `f: Rⁿ → R` written once for every number type.
pub trait ScalarProblem: Clone + 'static {
    /// A short name for tables ("rosenbrock").
    fn name(&self) -> String;
    /// The number of inputs.
    fn n(&self) -> usize;
    /// The point the benchmarks differentiate at.
    fn point(&self) -> Vec<f64>;
    /// The function, on any diffprog number type.
    fn eval<T: Scalar>(&self, x: &[T]) -> T;
    /// The same function on num-dual numbers.
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, x: &[D]) -> D;
    /// The same function on echidna (or any `num_traits::Float`) numbers.
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, x: &[T]) -> T;
    /// The same function on ad_trait numbers (constants as `T::constant`).
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, x: &[T]) -> T;
}

/// A vector function `f: Rⁿ → Rᵐ` written once for every number type.
pub trait VectorProblem: Clone + 'static {
    /// A short name for tables.
    fn name(&self) -> String;
    /// The number of inputs.
    fn n(&self) -> usize;
    /// The number of outputs.
    fn m(&self) -> usize;
    /// The point.
    fn point(&self) -> Vec<f64>;
    /// The function, on any diffprog number type.
    fn eval<T: Scalar>(&self, x: &[T]) -> Vec<T>;
    /// On num-dual numbers.
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, x: &[D]) -> Vec<D>;
    /// On echidna numbers.
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, x: &[T]) -> Vec<T>;
    /// On ad_trait numbers.
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, x: &[T]) -> Vec<T>;
}

/// The n-dimensional Rosenbrock function `Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²` on any diffprog
/// number type (n = `x.len()` ≥ 2): [`Rosenbrock`]'s function, also used by the profiling
/// programs.
#[inline]
pub fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// The n-dimensional Rosenbrock function `Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²` ([`rosenbrock`]).
#[derive(Clone, Debug)]
pub struct Rosenbrock {
    /// The number of inputs (at least 2).
    pub n: usize,
}

impl ScalarProblem for Rosenbrock {
    fn name(&self) -> String {
        "rosenbrock".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn point(&self) -> Vec<f64> {
        (0..self.n).map(|i| 0.5 + 0.4 * noise(i as u64)).collect()
    }
    fn eval<T: Scalar>(&self, x: &[T]) -> T {
        rosenbrock(x)
    }
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, x: &[D]) -> D {
        let mut s = D::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1].clone() - x[i].clone() * &x[i];
            let b = D::one() - &x[i];
            s += a.clone() * &a * 100.0 + b.clone() * &b;
        }
        s
    }
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, x: &[T]) -> T {
        let hundred = T::from(100.0).unwrap();
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s = s + a * a * hundred + b * b;
        }
        s
    }
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, x: &[T]) -> T {
        let hundred = T::constant(100.0);
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s += a * a * hundred + b * b;
        }
        s
    }
}

/// The dense quadratic form `xᵀAx` with a fixed pseudo-random `A` (entries in [−1, 1)).
#[derive(Clone, Debug)]
pub struct Quadratic {
    /// The number of inputs.
    pub n: usize,
    /// `A`, row-major, n × n.
    pub a: Vec<f64>,
}

impl Quadratic {
    /// The quadratic form of size `n`.
    pub fn new(n: usize) -> Quadratic {
        let a = (0..n * n).map(|k| noise(1_000_003 + k as u64)).collect();
        Quadratic { n, a }
    }
}

impl ScalarProblem for Quadratic {
    fn name(&self) -> String {
        "quadratic xᵀAx".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn point(&self) -> Vec<f64> {
        (0..self.n).map(|i| noise(7 + i as u64)).collect()
    }
    fn eval<T: Scalar>(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for (i, row) in self.a.chunks_exact(self.n).enumerate() {
            let mut r = T::zero();
            for (xj, &aij) in x.iter().zip(row) {
                r += *xj * aij;
            }
            s += x[i] * r;
        }
        s
    }
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, x: &[D]) -> D {
        let mut s = D::zero();
        for (i, row) in self.a.chunks_exact(self.n).enumerate() {
            let mut r = D::zero();
            for (xj, &aij) in x.iter().zip(row) {
                r += xj.clone() * aij;
            }
            s += x[i].clone() * r;
        }
        s
    }
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for (i, row) in self.a.chunks_exact(self.n).enumerate() {
            let mut r = T::zero();
            for (xj, &aij) in x.iter().zip(row) {
                r = r + *xj * T::from(aij).unwrap();
            }
            s = s + x[i] * r;
        }
        s
    }
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for (i, row) in self.a.chunks_exact(self.n).enumerate() {
            let mut r = T::zero();
            for (xj, &aij) in x.iter().zip(row) {
                r += *xj * T::constant(aij);
            }
            s += x[i] * r;
        }
        s
    }
}

/// A vector function with `m` outputs: `yₖ = tanh(Σⱼ Wₖⱼ xⱼ) · x₍ₖ mod n₎`, with a fixed
/// pseudo-random `W` scaled by 1/√n. Costs O(nm) per evaluation.
#[derive(Clone, Debug)]
pub struct VectorFn {
    /// The number of inputs.
    pub n: usize,
    /// The number of outputs.
    pub m: usize,
    /// `W`, row-major, m × n.
    pub w: Vec<f64>,
}

impl VectorFn {
    /// The function with `n` inputs and `m` outputs.
    pub fn new(n: usize, m: usize) -> VectorFn {
        let scale = 1.0 / (n as f64).sqrt();
        let w = (0..n * m)
            .map(|k| scale * noise(2_000_003 + k as u64))
            .collect();
        VectorFn { n, m, w }
    }
}

impl VectorProblem for VectorFn {
    fn name(&self) -> String {
        format!("vector fn n={} m={}", self.n, self.m)
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn point(&self) -> Vec<f64> {
        (0..self.n).map(|i| noise(11 + i as u64)).collect()
    }
    fn eval<T: Scalar>(&self, x: &[T]) -> Vec<T> {
        self.w
            .chunks_exact(self.n)
            .enumerate()
            .map(|(k, row)| {
                let mut s = T::zero();
                for (xj, &wkj) in x.iter().zip(row) {
                    s += *xj * wkj;
                }
                s.tanh() * x[k % self.n]
            })
            .collect()
    }
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, x: &[D]) -> Vec<D> {
        self.w
            .chunks_exact(self.n)
            .enumerate()
            .map(|(k, row)| {
                let mut s = D::zero();
                for (xj, &wkj) in x.iter().zip(row) {
                    s += xj.clone() * wkj;
                }
                s.tanh() * &x[k % self.n]
            })
            .collect()
    }
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, x: &[T]) -> Vec<T> {
        self.w
            .chunks_exact(self.n)
            .enumerate()
            .map(|(k, row)| {
                let mut s = T::zero();
                for (xj, &wkj) in x.iter().zip(row) {
                    s = s + *xj * T::from(wkj).unwrap();
                }
                s.tanh() * x[k % self.n]
            })
            .collect()
    }
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, x: &[T]) -> Vec<T> {
        self.w
            .chunks_exact(self.n)
            .enumerate()
            .map(|(k, row)| {
                let mut s = T::zero();
                for (xj, &wkj) in x.iter().zip(row) {
                    s += *xj * T::constant(wkj);
                }
                s.tanh() * x[k % self.n]
            })
            .collect()
    }
}

/// The mean squared error of a small tanh MLP (`d → h → h → 1`) on a fixed batch, as a function
/// of its flattened parameters.
#[derive(Clone, Debug)]
pub struct Mlp {
    /// Input width.
    pub d: usize,
    /// Hidden width.
    pub h: usize,
    /// The batch inputs, `batch × d`, row-major.
    pub inputs: Vec<f64>,
    /// The batch targets.
    pub targets: Vec<f64>,
}

impl Mlp {
    /// An MLP with input width `d`, hidden width `h`, on a batch of `batch` samples.
    pub fn new(d: usize, h: usize, batch: usize) -> Mlp {
        let inputs: Vec<f64> = (0..batch * d)
            .map(|k| noise(3_000_017 + k as u64))
            .collect();
        let targets = inputs
            .chunks_exact(d)
            .map(|row| (row.iter().sum::<f64>()).sin())
            .collect();
        Mlp {
            d,
            h,
            inputs,
            targets,
        }
    }

    /// The number of parameters: `d·h + h + h·h + h + h + 1`.
    pub fn n_params(&self) -> usize {
        self.d * self.h + self.h + self.h * self.h + self.h + self.h + 1
    }
}

/// One dense layer `tanh(W·a + b)` (or without tanh), shared by the four implementations through
/// a macro, since the four number traits spell constants differently.
macro_rules! mlp_loss {
    ($self:ident, $p:ident, $zero:expr, $tanh:expr, $from:expr, $clone:expr) => {{
        let (d, h) = ($self.d, $self.h);
        let (w1, rest) = $p.split_at(d * h);
        let (b1, rest) = rest.split_at(h);
        let (w2, rest) = rest.split_at(h * h);
        let (b2, rest) = rest.split_at(h);
        let (w3, b3) = rest.split_at(h);
        let mut loss = $zero;
        let batch = $self.targets.len();
        for (row, &target) in $self.inputs.chunks_exact(d).zip(&$self.targets) {
            let a1: Vec<_> = (0..h)
                .map(|j| {
                    let mut s = $clone(&b1[j]);
                    for k in 0..d {
                        s = s + $clone(&w1[j * d + k]) * $from(row[k]);
                    }
                    $tanh(s)
                })
                .collect();
            let a2: Vec<_> = (0..h)
                .map(|j| {
                    let mut s = $clone(&b2[j]);
                    for k in 0..h {
                        s = s + $clone(&w2[j * h + k]) * $clone(&a1[k]);
                    }
                    $tanh(s)
                })
                .collect();
            let mut out = $clone(&b3[0]);
            for k in 0..h {
                out = out + $clone(&w3[k]) * $clone(&a2[k]);
            }
            let e = out - $from(target);
            loss = loss + $clone(&e) * e;
        }
        loss * $from(1.0 / batch as f64)
    }};
}

// One macro body serves four number traits; `num_traits::Float` has no `+=`, so it uses `a = a + b`.
#[allow(clippy::assign_op_pattern)]
impl ScalarProblem for Mlp {
    fn name(&self) -> String {
        format!("MLP {}-{}-{}-1 loss", self.d, self.h, self.h)
    }
    fn n(&self) -> usize {
        self.n_params()
    }
    fn point(&self) -> Vec<f64> {
        (0..self.n_params())
            .map(|i| 0.5 * noise(5_000_011 + i as u64))
            .collect()
    }
    fn eval<T: Scalar>(&self, p: &[T]) -> T {
        mlp_loss!(
            self,
            p,
            T::zero(),
            |s: T| s.tanh(),
            |c: f64| T::constant(c),
            |v: &T| *v
        )
    }
    #[cfg(feature = "peers")]
    fn eval_nd<D: DualNum<Primitive = f64>>(&self, p: &[D]) -> D {
        mlp_loss!(
            self,
            p,
            D::zero(),
            |s: D| s.tanh(),
            |c: f64| D::from(c),
            |v: &D| v.clone()
        )
    }
    #[cfg(feature = "peers")]
    fn eval_ec<T: Float>(&self, p: &[T]) -> T {
        mlp_loss!(
            self,
            p,
            T::zero(),
            |s: T| s.tanh(),
            |c: f64| T::from(c).unwrap(),
            |v: &T| *v
        )
    }
    #[cfg(feature = "peers")]
    fn eval_ad<T: AD>(&self, p: &[T]) -> T {
        mlp_loss!(
            self,
            p,
            T::zero(),
            |s: T| s.tanh(),
            |c: f64| T::constant(c),
            |v: &T| *v
        )
    }
}

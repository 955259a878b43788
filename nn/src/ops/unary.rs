//! Elementwise functions (activations and friends), constant shifts and scales, dropout.

use super::Op;
use crate::element::c;
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId};
use rand::Rng;

/// An elementwise function with its derivative rule.
///
/// The rules agree with the scalar rule table `diffprog_dual::rules` (ReLU's derivative at 0 is 0,
/// as there).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unary<F> {
    /// x.
    Identity,
    /// max(x, 0).
    Relu,
    /// x for x > 0, slope·x otherwise.
    LeakyRelu(F),
    /// 1 / (1 + e⁻ˣ).
    Sigmoid,
    /// tanh x.
    Tanh,
    /// ln(1 + eˣ).
    Softplus,
    /// eˣ.
    Exp,
    /// ln x.
    Ln,
    /// −x.
    Neg,
    /// x².
    Square,
    /// √x.
    Sqrt,
    /// |x| (derivative sign(x), 0 at 0).
    Abs,
}

/// 1 / (1 + e⁻ˣ) without overflow (as `Scalar::sigmoid`).
#[inline(always)]
pub(crate) fn sigmoid<F: Element>(x: F) -> F {
    if x >= F::zero() {
        F::one() / (F::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (F::one() + e)
    }
}

/// ln(1 + eˣ) without overflow (as `Scalar::softplus`).
#[inline(always)]
pub(crate) fn softplus<F: Element>(x: F) -> F {
    if x.is_nan() {
        return x;
    }
    x.max(F::zero()) + (-x.abs()).exp().ln_1p()
}

impl<F: Element> Unary<F> {
    /// f(x).
    #[inline(always)]
    pub fn apply(self, x: F) -> F {
        let zero = F::zero();
        match self {
            Unary::Identity => x,
            // as `Scalar::relu`: NaN stays NaN
            Unary::Relu => {
                if x <= zero {
                    zero
                } else {
                    x
                }
            }
            Unary::LeakyRelu(s) => {
                if x > zero {
                    x
                } else {
                    s * x
                }
            }
            Unary::Sigmoid => sigmoid(x),
            Unary::Tanh => x.tanh(),
            Unary::Softplus => softplus(x),
            Unary::Exp => x.exp(),
            Unary::Ln => x.ln(),
            Unary::Neg => -x,
            Unary::Square => x * x,
            Unary::Sqrt => x.sqrt(),
            Unary::Abs => x.abs(),
        }
    }
    /// f'(x), given x and y = f(x).
    #[inline(always)]
    pub fn derivative(self, x: F, y: F) -> F {
        let (zero, one) = (F::zero(), F::one());
        match self {
            Unary::Identity => one,
            Unary::Relu => {
                if x > zero {
                    one
                } else {
                    zero
                }
            }
            Unary::LeakyRelu(s) => {
                if x > zero {
                    one
                } else {
                    s
                }
            }
            Unary::Sigmoid => y * (one - y),
            Unary::Tanh => one - y * y,
            Unary::Softplus => sigmoid(x),
            Unary::Exp => y,
            Unary::Ln => one / x,
            Unary::Neg => -one,
            Unary::Square => x + x,
            Unary::Sqrt => one / (y + y),
            Unary::Abs => {
                if x > zero {
                    one
                } else if x < zero {
                    -one
                } else {
                    zero
                }
            }
        }
    }
    /// True if f'(x) is a function of y = f(x) alone (what the fused [`Graph::linear`] needs).
    pub fn derivative_from_output_available(self) -> bool {
        match self {
            Unary::Identity | Unary::Relu | Unary::Sigmoid | Unary::Tanh | Unary::Softplus => true,
            Unary::LeakyRelu(s) => s > F::zero(),
            _ => false,
        }
    }
    /// f'(x) from y = f(x), for the functions where
    /// [`derivative_from_output_available`](Self::derivative_from_output_available).
    #[inline(always)]
    pub fn derivative_from_output(self, y: F) -> F {
        let (zero, one) = (F::zero(), F::one());
        match self {
            Unary::Relu => {
                if y > zero {
                    one
                } else {
                    zero
                }
            }
            Unary::LeakyRelu(s) => {
                if y > zero {
                    one
                } else {
                    s
                }
            }
            Unary::Sigmoid => y * (one - y),
            Unary::Tanh => one - y * y,
            // softplus' = σ(x) = 1 − e^(−softplus(x))
            Unary::Softplus => -(-y).exp_m1(),
            _ => one,
        }
    }
    pub(crate) fn apply_in_place(self, y: &mut [F]) {
        match self {
            Unary::Identity => {}
            Unary::Relu => y.iter_mut().for_each(|v| {
                if *v <= F::zero() {
                    *v = F::zero()
                }
            }),
            _ => y.iter_mut().for_each(|v| *v = self.apply(*v)),
        }
    }
}

impl<F: Element> Graph<F> {
    /// An elementwise function.
    pub fn unary(&mut self, x: NodeId, f: Unary<F>) -> NodeId {
        let a = self.check(x);
        let shape = self.metas[a as usize].shape;
        let rg = self.rg(&[a]);
        let n = self.push(Op::Unary { a, f }, shape, rg);
        let (v, y) = self.split(n);
        for (o, &i) in y.iter_mut().zip(v.get(a)) {
            *o = f.apply(i);
        }
        self.id(n)
    }
    /// max(x, 0) elementwise.
    pub fn relu(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Relu)
    }
    /// Leaky ReLU with the given negative slope.
    pub fn leaky_relu(&mut self, x: NodeId, slope: f64) -> NodeId {
        self.unary(x, Unary::LeakyRelu(c(slope)))
    }
    /// The logistic function.
    pub fn sigmoid(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Sigmoid)
    }
    /// tanh.
    pub fn tanh(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Tanh)
    }
    /// ln(1 + eˣ), without overflow.
    pub fn softplus(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Softplus)
    }
    /// eˣ.
    pub fn exp(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Exp)
    }
    /// ln x.
    pub fn ln(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Ln)
    }
    /// −x.
    pub fn neg(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Neg)
    }
    /// x².
    pub fn square(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Square)
    }
    /// √x.
    pub fn sqrt(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Sqrt)
    }
    /// |x|.
    pub fn abs(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Abs)
    }
    /// x + c for a constant c.
    pub fn add_scalar(&mut self, x: NodeId, cst: f64) -> NodeId {
        let a = self.check(x);
        let shape = self.metas[a as usize].shape;
        let rg = self.rg(&[a]);
        let n = self.push(Op::AddScalar { a }, shape, rg);
        let cst: F = c(cst);
        let (v, y) = self.split(n);
        for (o, &i) in y.iter_mut().zip(v.get(a)) {
            *o = i + cst;
        }
        self.id(n)
    }
    /// c · x for a constant c.
    pub fn mul_scalar(&mut self, x: NodeId, cst: f64) -> NodeId {
        let a = self.check(x);
        let shape = self.metas[a as usize].shape;
        let rg = self.rg(&[a]);
        let cst: F = c(cst);
        let n = self.push(Op::MulScalar { a, c: cst }, shape, rg);
        let (v, y) = self.split(n);
        for (o, &i) in y.iter_mut().zip(v.get(a)) {
            *o = i * cst;
        }
        self.id(n)
    }
    /// Inverted dropout: in train mode each element is zeroed with probability `p` and the rest
    /// scaled by 1/(1 − p) (drawn from the graph's seeded generator, see [`Graph::seed`]); in eval
    /// mode, the identity (no record).
    ///
    /// # Panics
    /// If `p` is not in `[0, 1)`.
    pub fn dropout(&mut self, x: NodeId, p: f64) -> NodeId {
        assert!(
            (0.0..1.0).contains(&p),
            "Graph::dropout: the drop probability must be in [0, 1), got {p}"
        );
        let a = self.check(x);
        if !self.is_training() || p == 0.0 {
            return x;
        }
        let shape = self.metas[a as usize].shape;
        let rg = self.rg(&[a]);
        let n = self.push(Op::Dropout { a }, shape, rg);
        let scale: F = c(1.0 / (1.0 - p));
        let mut mask = std::mem::take(&mut self.aux[n as usize]);
        mask.clear();
        let rng = &mut self.rng;
        mask.extend((0..shape.numel()).map(|_| {
            if rng.random::<f64>() < p {
                F::zero()
            } else {
                scale
            }
        }));
        let (v, y) = self.split(n);
        for ((o, &i), &m) in y.iter_mut().zip(v.get(a)).zip(&mask) {
            *o = i * m;
        }
        self.aux[n as usize] = mask;
        self.id(n)
    }
}

/// ∂x += g ⊙ f'(x).
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    a: u32,
    f: Unary<F>,
) {
    let x = v.get(a);
    if let Some(ga) = g.get(a) {
        for i in 0..ga.len() {
            ga[i] += gout[i] * f.derivative(x[i], y[i]);
        }
    }
}

/// ∂x += g.
pub(crate) fn backward_add_scalar<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32) {
    if let Some(ga) = g.get(a) {
        for (d, &s) in ga.iter_mut().zip(gout) {
            *d += s;
        }
    }
}

/// ∂x += c · g.
pub(crate) fn backward_mul_scalar<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, cst: F) {
    if let Some(ga) = g.get(a) {
        for (d, &s) in ga.iter_mut().zip(gout) {
            *d += s * cst;
        }
    }
}

/// ∂x += g ⊙ mask.
pub(crate) fn backward_dropout<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, mask: &[F]) {
    if let Some(ga) = g.get(a) {
        for ((d, &s), &m) in ga.iter_mut().zip(gout).zip(mask) {
            *d += s * m;
        }
    }
}

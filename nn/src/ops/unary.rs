//! Elementwise functions (activations and friends), constant shifts and scales, dropout.

use super::Op;
use crate::element::{add_scaled, c};
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId};
use diffprog_dual::{rules, Number, Real, Scalar};
use rand::Rng;

/// An elementwise function with its derivative rule.
///
/// Values and derivatives come from the scalar rule table [`diffprog_dual::rules`] — the table
/// every mode of diffprog uses — evaluated on the element type (`f32` or `f64`): a tensor op's
/// value and derivative are bit for bit the rule's, which a `Dual`, a `Var` or a hyperdual
/// number applies to the same function, at the edges too (ReLU′(0) = 0, √′(±0) = +∞, ln′ = NaN
/// below 0, |·|′(±0) = 0, ...; the edge table is in `diffprog_dual`'s crate docs). In
/// particular σ′ and tanh′ are computed in forms that do not cancel in the tails (see
/// [`rules::sigmoid`] and [`rules::tanh`]), not as `y(1 − y)` and `1 − y²`. The functions the
/// table does not have are defined by their scalar code (the generic forward,
/// [`apply_generic`](crate::layers::apply_generic)): the identity (derivative 1), `Neg`
/// (derivative −1) and `LeakyRelu(s)`, `if x > 0 { x } else { s · x }` (derivative 1 or s, so
/// s at NaN).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unary<F> {
    /// x.
    Identity,
    /// max(x, 0) ([`rules::relu`]).
    Relu,
    /// x for x > 0, slope·x otherwise.
    LeakyRelu(F),
    /// 1 / (1 + e⁻ˣ) ([`rules::sigmoid`]).
    Sigmoid,
    /// tanh x ([`rules::tanh`]).
    Tanh,
    /// ln(1 + eˣ) ([`rules::softplus`]).
    Softplus,
    /// x·Φ(x), Φ the standard normal distribution function ([`rules::gelu`]): PyTorch's
    /// `GELU()` (the exact form, not the tanh approximation).
    Gelu,
    /// eˣ ([`rules::exp`]).
    Exp,
    /// ln x ([`rules::ln`]).
    Ln,
    /// −x.
    Neg,
    /// x² ([`rules::powi`] with n = 2).
    Square,
    /// √x ([`rules::sqrt`]).
    Sqrt,
    /// |x| ([`rules::abs`]: derivative sign(x), 0 at ±0).
    Abs,
    /// sin x ([`rules::sin`]).
    Sin,
    /// cos x ([`rules::cos`]).
    Cos,
    /// xᵖ for a constant p ([`rules::powf`]: derivative p·xᵖ⁻¹, exactly 0 for p = 0).
    Powf(F),
}

/// `(f(x), f′(x))` from the rule table, for an element type that is a `Scalar` of itself (the
/// implementation of [`Element::unary_rule`]).
#[inline(always)]
pub(crate) fn rule<F: Real + Scalar<F>>(f: Unary<F>, x: F) -> (F, F) {
    let one = <F as Number>::one();
    match f {
        Unary::Identity => (x, one),
        Unary::Relu => rules::relu::<F, F>(x),
        Unary::LeakyRelu(s) => {
            if x > <F as Number>::zero() {
                (x, one)
            } else {
                (x * s, s)
            }
        }
        Unary::Sigmoid => rules::sigmoid::<F, F>(x),
        Unary::Tanh => rules::tanh::<F, F>(x),
        Unary::Softplus => rules::softplus::<F, F>(x),
        Unary::Gelu => rules::gelu::<F, F>(x),
        Unary::Exp => rules::exp::<F, F>(x),
        Unary::Ln => rules::ln::<F, F>(x),
        Unary::Neg => (-x, -one),
        Unary::Square => rules::powi::<F, F>(x, 2),
        Unary::Sqrt => rules::sqrt::<F, F>(x),
        Unary::Abs => rules::abs::<F, F>(x),
        Unary::Sin => rules::sin::<F, F>(x),
        Unary::Cos => rules::cos::<F, F>(x),
        Unary::Powf(p) => rules::powf::<F, F>(x, p),
    }
}

/// `f(x)` as the element's `Scalar` methods compute it, bit for bit the value of [`rule`] (the
/// implementation of [`Element::unary_value`]; the forward pass needs no derivative).
#[inline(always)]
pub(crate) fn value<F: Real + Scalar<F>>(f: Unary<F>, x: F) -> F {
    match f {
        Unary::Identity => x,
        Unary::Relu => Scalar::relu(x),
        Unary::LeakyRelu(s) => {
            if x > <F as Number>::zero() {
                x
            } else {
                x * s
            }
        }
        Unary::Sigmoid => Scalar::sigmoid(x),
        Unary::Tanh => Scalar::tanh(x),
        Unary::Softplus => Scalar::softplus(x),
        Unary::Gelu => Scalar::gelu(x),
        Unary::Exp => Scalar::exp(x),
        Unary::Ln => Scalar::ln(x),
        Unary::Neg => -x,
        // `x.powi(2)`, the rule's value, is exactly x · x
        Unary::Square => x * x,
        Unary::Sqrt => Scalar::sqrt(x),
        Unary::Abs => Scalar::abs(x),
        Unary::Sin => Scalar::sin(x),
        Unary::Cos => Scalar::cos(x),
        Unary::Powf(p) => Scalar::powf(x, p),
    }
}

impl<F: Element> Unary<F> {
    /// f(x): the value of the rule in [`diffprog_dual::rules`], bit for bit.
    #[inline(always)]
    pub fn apply(self, x: F) -> F {
        F::unary_value(self, x)
    }
    /// `(f(x), f′(x))` from [`diffprog_dual::rules`].
    ///
    /// ```
    /// use diffprog_nn::Unary;
    /// // σ′(30) = e⁻³⁰/(1 + e⁻³⁰)², to full accuracy (σ(1 − σ) keeps 3 digits here)
    /// let (_, d) = Unary::<f64>::Sigmoid.value_and_derivative(30.0);
    /// let exact = 1.0 / (4.0 * 15.0_f64.cosh().powi(2));
    /// assert!((d - exact).abs() <= 4.0 * f64::EPSILON * exact);
    /// ```
    #[inline(always)]
    pub fn value_and_derivative(self, x: F) -> (F, F) {
        F::unary_rule(self, x)
    }
    /// f′(x), given x and y = f(x): the rule's derivative (for `Exp` read from y, which is the
    /// rule's derivative exactly).
    #[inline(always)]
    pub fn derivative(self, x: F, y: F) -> F {
        match self {
            Unary::Exp => y,
            _ => self.value_and_derivative(x).1,
        }
    }
    /// True if [`derivative_from_output`](Self::derivative_from_output) gives the rule's
    /// derivative exactly from y = f(x) alone: the identity, ReLU, leaky ReLU with a positive
    /// slope (the sign of y is the sign of x), `Exp` (f′ = f) and `Neg`. For the others (σ′ from
    /// σ, tanh′ from tanh, ... lose digits or all of them: tanh 20 rounds to 1) the fused
    /// [`Graph::linear`] keeps the pre-activation.
    pub fn derivative_from_output_available(self) -> bool {
        match self {
            Unary::Identity | Unary::Relu | Unary::Exp | Unary::Neg => true,
            Unary::LeakyRelu(s) => s > F::zero(),
            _ => false,
        }
    }
    /// f′(x) from y = f(x), for the functions where
    /// [`derivative_from_output_available`](Self::derivative_from_output_available) (for the
    /// others, 1).
    #[inline(always)]
    pub fn derivative_from_output(self, y: F) -> F {
        let (zero, one) = (F::zero(), F::one());
        match self {
            // the rule's mask: 1 for x > 0, NaN for NaN, 0 otherwise (y has x's sign and NaN)
            Unary::Relu => {
                if y > zero {
                    one
                } else if y.is_nan() {
                    y
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
            Unary::Exp => y,
            Unary::Neg => -one,
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
        let x = v.get(a);
        // one loop per function, so that the function inlines into a loop without a dispatch
        // per element (and the cheap ones vectorise)
        match f {
            Unary::Identity => apply_loop(y, x, Unary::Identity),
            Unary::Relu => apply_loop(y, x, Unary::Relu),
            Unary::LeakyRelu(s) => apply_loop(y, x, Unary::LeakyRelu(s)),
            Unary::Neg => apply_loop(y, x, Unary::Neg),
            Unary::Square => apply_loop(y, x, Unary::Square),
            Unary::Abs => apply_loop(y, x, Unary::Abs),
            Unary::Exp => apply_loop(y, x, Unary::Exp),
            _ => apply_loop(y, x, f),
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
    /// GELU, x·Φ(x) (the exact form, as PyTorch's `GELU()`).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[-1.0, 0.0, 2.0], &[3]);
    /// let y = g.gelu(x);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// // GELU(2) = 2·Φ(2); GELU′(0) = Φ(0) = ½
    /// assert!((g.value(y)[2] - 2.0 * 0.977_249_868_051_820_8).abs() < 1e-15);
    /// assert_eq!(g.grad(x).unwrap()[1], 0.5);
    /// ```
    pub fn gelu(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Gelu)
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
    /// sin x.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[0.0, 1.0], &[2]);
    /// let y = g.sin(x);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.grad(x).unwrap(), &[1.0, 1.0_f64.cos()]);
    /// ```
    pub fn sin(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Sin)
    }
    /// cos x.
    pub fn cos(&mut self, x: NodeId) -> NodeId {
        self.unary(x, Unary::Cos)
    }
    /// xᵖ elementwise for a constant exponent p (PyTorch's `x ** p`, `torch.pow(x, p)`); for a
    /// tensor exponent see [`pow`](Self::pow).
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[4.0, 9.0], &[2]);
    /// let y = g.powf(x, 1.5);
    /// assert_eq!(g.value(y), &[8.0, 27.0]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// assert_eq!(g.grad(x).unwrap(), &[3.0, 4.5]); // 1.5·√x
    /// ```
    pub fn powf(&mut self, x: NodeId, p: f64) -> NodeId {
        self.unary(x, Unary::Powf(c(p)))
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
        dropout_mask(&mut self.rng, shape.numel(), p, scale, &mut mask);
        let (v, y) = self.split(n);
        for ((o, &i), &m) in y.iter_mut().zip(v.get(a)).zip(&mask) {
            *o = i * m;
        }
        self.aux[n as usize] = mask;
        self.id(n)
    }
}

/// ∂x += g ⊙ f′(x), each product the chain rule's ([`Element::chain`]: a zero gradient or a
/// zero derivative contributes 0 even where the other factor is ±∞ or NaN). The first
/// contribution to ∂x is written (as 0 + product) rather than added to a zeroed buffer.
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    y: &[F],
    a: u32,
    f: Unary<F>,
) {
    let x = v.get(a);
    if let Some((ga, fresh)) = g.get_unzeroed(a) {
        // one loop per function, so that the rule inlines into a loop without a dispatch per
        // element (and the cheap rules vectorise)
        match f {
            Unary::Identity => chain_loop(ga, fresh, x, y, gout, Unary::Identity),
            Unary::Relu => chain_loop(ga, fresh, x, y, gout, Unary::Relu),
            Unary::LeakyRelu(s) => chain_loop(ga, fresh, x, y, gout, Unary::LeakyRelu(s)),
            Unary::Neg => chain_loop(ga, fresh, x, y, gout, Unary::Neg),
            Unary::Square => chain_loop(ga, fresh, x, y, gout, Unary::Square),
            Unary::Abs => chain_loop(ga, fresh, x, y, gout, Unary::Abs),
            Unary::Exp => chain_loop(ga, fresh, x, y, gout, Unary::Exp),
            _ => chain_loop(ga, fresh, x, y, gout, f),
        }
    }
}

/// Appends `len` mask values to `mask`: 0 where a uniform draw `u` in [0, 1) is below `p`,
/// `scale` elsewhere, one draw per element in order. `u` is `rng.random::<f64>()`, that is
/// `(next_u64 >> 11) · 2⁻⁵³`, and `u < p` exactly when `next_u64 >> 11 < ⌈p · 2⁵³⌉`: the words
/// are drawn in blocks and compared as integers, the same mask and generator state as a draw
/// of `f64`s one by one.
fn dropout_mask<F: Element, R: Rng>(rng: &mut R, len: usize, p: f64, scale: F, mask: &mut Vec<F>) {
    let threshold = (p * (1u64 << 53) as f64).ceil() as u64;
    let mut words = [0u64; 256];
    let mut left = len;
    while left > 0 {
        let block = &mut words[..left.min(256)];
        rng.fill(block);
        mask.extend(block.iter().map(|&w| {
            if w >> 11 < threshold {
                F::zero()
            } else {
                scale
            }
        }));
        left -= block.len();
    }
}

/// y = f(x) elementwise.
#[inline(always)]
fn apply_loop<F: Element>(y: &mut [F], x: &[F], f: Unary<F>) {
    let x = &x[..y.len()];
    for i in 0..y.len() {
        y[i] = f.apply(x[i]);
    }
}

/// ∂x += f′(x) · g elementwise (the chain rule's product); with `fresh`, ∂x = 0 + f′(x) · g.
#[inline(always)]
fn chain_loop<F: Element>(ga: &mut [F], fresh: bool, x: &[F], y: &[F], gout: &[F], f: Unary<F>) {
    let n = ga.len();
    let (x, y, gout) = (&x[..n], &y[..n], &gout[..n]);
    if fresh {
        for i in 0..n {
            ga[i] = F::zero() + F::chain(f.derivative(x[i], y[i]), gout[i]);
        }
    } else {
        for i in 0..n {
            ga[i] += F::chain(f.derivative(x[i], y[i]), gout[i]);
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

/// ∂x += c · g (chain rule's products: c = 0 gives 0 also where g is ±∞ or NaN).
pub(crate) fn backward_mul_scalar<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, cst: F) {
    if let Some(ga) = g.get(a) {
        add_scaled(ga, gout, cst);
    }
}

/// ∂x += g ⊙ mask (chain rule's products: a dropped element gets 0 whatever g is); the first
/// contribution written as 0 + product.
pub(crate) fn backward_dropout<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, mask: &[F]) {
    if let Some((ga, fresh)) = g.get_unzeroed(a) {
        let n = ga.len();
        let (gout, mask) = (&gout[..n], &mask[..n]);
        if fresh {
            for i in 0..n {
                ga[i] = F::zero() + F::chain(mask[i], gout[i]);
            }
        } else {
            for i in 0..n {
                ga[i] += F::chain(mask[i], gout[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dropout_mask;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The block-drawn mask equals one `f64` draw per element compared with `p`, and leaves the
    /// generator where those draws leave it (lengths across the generator's and the blocks'
    /// boundaries, odd offsets into the generator's buffer).
    #[test]
    fn dropout_mask_matches_one_draw_per_element() {
        let mut zeros = 0;
        for (k, &p) in [0.2, 0.5, 0.9, 1e-3, 0.1 + 1e-17].iter().enumerate() {
            for len in [1, 3, 17, 255, 256, 257, 1000] {
                let mut a = ChaCha8Rng::seed_from_u64(k as u64);
                let mut b = a.clone();
                let _: u32 = a.random();
                let _: u32 = b.random();
                let mut mask = Vec::new();
                dropout_mask(&mut a, len, p, 2.0_f32, &mut mask);
                let expected: Vec<f32> = (0..len)
                    .map(|_| if b.random::<f64>() < p { 0.0 } else { 2.0 })
                    .collect();
                assert_eq!(mask, expected, "p = {p}, {len} elements");
                assert_eq!(a.random::<u64>(), b.random::<u64>());
                zeros += mask.iter().filter(|&&m| m == 0.0).count();
            }
        }
        assert!(zeros > 1000, "{zeros}");
    }
}

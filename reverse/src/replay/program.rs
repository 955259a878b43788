//! [`Program`]: a recorded function, evaluated and differentiated at new inputs.

use super::code::Code;
use super::dual_planes::DualPlanes;
use super::evaluate::Scratch;
use super::guards::GuardFailure;
use diffprog_dual::{DualVec, Number};
use nalgebra::DMatrix;

/// The values `f(x)` and the Jacobian (m × n), as [`Program::jacobian`] returns them.
pub type ValuesAndJacobian = (Vec<f64>, DMatrix<f64>);
/// The value, gradient and `∇²f(x)·v`, as [`Program::hessian_vector_product`] returns them.
pub type ValueGradientHv = (f64, Vec<f64>, Vec<f64>);
/// The value, gradient and Hessian, as [`Program::hessian`] returns them.
pub type ValueGradientHessian = (f64, Vec<f64>, DMatrix<f64>);

/// Hessian columns per forward-over-reverse pass of [`Program::hessian`].
pub(crate) const HESSIAN_COLUMNS: usize = 8;

/// A function recorded once by [`record`](super::record) or
/// [`record_vector`](super::record_vector), evaluated and differentiated at new inputs without
/// calling the function again: [`value`](Self::value), [`gradient`](Self::gradient),
/// [`vjp`](Self::vjp), [`jacobian`](Self::jacobian),
/// [`hessian_vector_product`](Self::hessian_vector_product), [`hessian`](Self::hessian), and
/// their parallel batches over many points ([`gradient_batch`](Self::gradient_batch), …).
///
/// Every method checks the program's guards (the comparisons made while recording) at the new
/// input and returns a [`GuardFailure`] where one has another outcome; otherwise the answer is
/// what a fresh recording at that input gives (the same rules, the same operations in the same
/// order: values bit for bit, derivatives to rounding). The buffers are kept between calls: after
/// the first call, [`gradient_into`](Self::gradient_into) allocates nothing.
///
/// ```
/// use diffprog_reverse::replay::record;
/// use diffprog_dual::Scalar;
///
/// fn rosenbrock<T: Scalar>(x: &[T]) -> T {
///     let mut s = T::zero();
///     for i in 0..x.len() - 1 {
///         let a = x[i + 1] - x[i] * x[i];
///         let b = T::one() - x[i];
///         s += a * a * 100.0 + b * b;
///     }
///     s
/// }
/// let mut program = record(rosenbrock, &[0.0; 3]);
/// let x = [-1.2, 1.0, 0.5];
/// let (value, grad) = program.gradient(&x).unwrap();
/// assert_eq!(value, rosenbrock(&x));
/// let (_, fresh) = diffprog_reverse::gradient(rosenbrock, &x);
/// for (a, b) in grad.iter().zip(&fresh) {
///     assert!((a - b).abs() <= 1e-12 * b.abs());
/// }
/// let (_, _, hv) = program.hessian_vector_product(&x, &[1.0, 0.0, 0.0]).unwrap();
/// let (_, _, h) = program.hessian(&x).unwrap();
/// assert_eq!(hv, h.column(0).as_slice());
/// ```
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) code: Code,
    scratch: Scratch<f64>,
    dual: DualPlanes,
}

impl Program {
    pub(crate) fn new(code: Code) -> Program {
        Program {
            code,
            scratch: Scratch::default(),
            dual: DualPlanes::default(),
        }
    }

    /// The number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.code.n_inputs
    }

    /// The number of outputs (1 for [`record`](super::record)).
    pub fn n_outputs(&self) -> usize {
        self.code.outputs.len()
    }

    /// The number of instructions after the record optimisations.
    pub fn len(&self) -> usize {
        self.code.ops.len()
    }

    /// True if the program has no instructions (its outputs are inputs or constants).
    pub fn is_empty(&self) -> bool {
        self.code.ops.is_empty()
    }

    /// The number of guards (comparisons of recorded values made while recording).
    pub fn guards(&self) -> usize {
        self.code.guards.len()
    }

    pub(crate) fn check_input(&self, what: &str, x: &[f64]) {
        assert_eq!(
            x.len(),
            self.code.n_inputs,
            "diffprog-reverse: Program::{what}: the input has length {} but the program was \
             recorded with {} inputs; pass a point of the recorded length",
            x.len(),
            self.code.n_inputs
        );
    }

    pub(crate) fn check_scalar(&self, what: &str) {
        assert_eq!(
            self.code.outputs.len(),
            1,
            "diffprog-reverse: Program::{what} needs a scalar function, but the program has {} \
             outputs; use `values`, `vjp` or `jacobian`",
            self.code.outputs.len()
        );
    }

    /// The value of a scalar program at `x`.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// use diffprog_dual::Scalar;
    /// let mut p = record(|x| x[0].exp() * x[1], &[0.0, 1.0]);
    /// assert_eq!(p.value(&[1.0, 2.0]), Ok(1.0_f64.exp() * 2.0));
    /// ```
    ///
    /// # Panics
    /// If `x` has another length than the recording point, or the program has several outputs.
    pub fn value(&mut self, x: impl AsRef<[f64]>) -> Result<f64, GuardFailure> {
        self.check_scalar("value");
        Ok(self.values(x)?[0])
    }

    /// The values of the outputs at `x`.
    ///
    /// ```
    /// use diffprog_reverse::replay::record_vector;
    /// let mut p = record_vector(|x| vec![x[0] + x[1], x[0] * x[1]], &[0.0, 0.0]);
    /// assert_eq!(p.values(&[2.0, 3.0]), Ok(vec![5.0, 6.0]));
    /// ```
    ///
    /// # Panics
    /// If `x` has another length than the recording point.
    pub fn values(&mut self, x: impl AsRef<[f64]>) -> Result<Vec<f64>, GuardFailure> {
        let x = x.as_ref();
        self.check_input("values", x);
        let code = &self.code;
        self.scratch.forward(code, |i| x[i], x, false)?;
        Ok((0..code.outputs.len())
            .map(|j| self.scratch.output(code, j))
            .collect())
    }

    /// The value and gradient of a scalar program at `x`: one forward pass and one adjoint
    /// sweep.
    ///
    /// # Panics
    /// If `x` has another length than the recording point, or the program has several outputs.
    pub fn gradient(&mut self, x: impl AsRef<[f64]>) -> Result<(f64, Vec<f64>), GuardFailure> {
        let x = x.as_ref();
        let mut grad = vec![0.0; x.len()];
        let value = self.gradient_into(x, &mut grad)?;
        Ok((value, grad))
    }

    /// Like [`gradient`](Self::gradient), writing the gradient into `grad` (allocation-free
    /// after the first call). On a guard failure `grad` is left unchanged.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// let mut p = record(|x| x[0] * x[0] * x[1], &[1.0, 1.0]);
    /// let mut g = [0.0; 2];
    /// assert_eq!(p.gradient_into(&[3.0, 2.0], &mut g), Ok(18.0));
    /// assert_eq!(g, [12.0, 9.0]);
    /// ```
    ///
    /// # Panics
    /// If `x` or `grad` has another length than the recording point, or the program has several
    /// outputs.
    pub fn gradient_into(
        &mut self,
        x: impl AsRef<[f64]>,
        grad: &mut [f64],
    ) -> Result<f64, GuardFailure> {
        let x = x.as_ref();
        self.check_input("gradient", x);
        self.check_scalar("gradient");
        assert_eq!(
            grad.len(),
            x.len(),
            "diffprog-reverse: Program::gradient_into: the gradient buffer has length {} but x \
             has length {}; pass a buffer of length x.len()",
            grad.len(),
            x.len()
        );
        gradient_with(&self.code, &mut self.scratch, x, grad)
    }

    /// The values `f(x)` and the vector–Jacobian product `wᵀJ` (one adjoint sweep seeded with
    /// `w`).
    ///
    /// ```
    /// use diffprog_reverse::replay::record_vector;
    /// let mut p = record_vector(|x| [x[0] * x[1], x[0] + x[1]], &[0.0, 0.0]);
    /// let (y, wj) = p.vjp(&[2.0, 3.0], &[1.0, 10.0]).unwrap();
    /// assert_eq!((y, wj), (vec![6.0, 5.0], vec![13.0, 12.0]));
    /// ```
    ///
    /// # Panics
    /// If `x` has another length than the recording point, or `w` than the outputs.
    pub fn vjp(
        &mut self,
        x: impl AsRef<[f64]>,
        w: impl AsRef<[f64]>,
    ) -> Result<(Vec<f64>, Vec<f64>), GuardFailure> {
        let (x, w) = (x.as_ref(), w.as_ref());
        self.check_input("vjp", x);
        assert_eq!(
            w.len(),
            self.code.outputs.len(),
            "diffprog-reverse: Program::vjp: the weights have length {} but the program has {} \
             outputs",
            w.len(),
            self.code.outputs.len()
        );
        let code = &self.code;
        let s = &mut self.scratch;
        s.forward(code, |i| x[i], x, true)?;
        let y = (0..code.outputs.len()).map(|j| s.output(code, j)).collect();
        s.reverse(code, |j| w[j]);
        Ok((y, s.adjoints[..code.n_inputs].to_vec()))
    }

    /// The values `f(x)` and the Jacobian (m × n): with at least as many inputs as outputs, one
    /// forward pass and m adjoint sweeps; with fewer inputs than outputs, forward passes carrying
    /// up to 8 tangents each (`DualVec<f64, N>`, N = 2, 4 or 8 by n), one Jacobian column per
    /// tangent.
    ///
    /// ```
    /// use diffprog_reverse::replay::record_vector;
    /// use diffprog_dual::Scalar;
    /// let mut p = record_vector(|x| vec![x[0] * x[1], x[0].sin()], &[0.0, 0.0]);
    /// let (y, j) = p.jacobian(&[2.0, 3.0]).unwrap();
    /// assert_eq!(y, vec![6.0, 2.0_f64.sin()]);
    /// assert_eq!(j[(0, 0)], 3.0);
    /// assert_eq!(j[(1, 0)], 2.0_f64.cos());
    /// assert_eq!(j[(1, 1)], 0.0);
    /// ```
    ///
    /// # Panics
    /// If `x` has another length than the recording point.
    pub fn jacobian(
        &mut self,
        x: impl AsRef<[f64]>,
    ) -> Result<(Vec<f64>, DMatrix<f64>), GuardFailure> {
        let x = x.as_ref();
        self.check_input("jacobian", x);
        jacobian_with(&self.code, &mut self.scratch, x)
    }

    /// The value, gradient and Hessian–vector product `∇²f(x)·v` of a scalar program: forward
    /// over reverse, one pass on dual numbers `xᵢ + vᵢε` (the tangents) and one adjoint sweep
    /// whose dual parts are the second-order adjoints.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// use diffprog_dual::Scalar;
    /// // f = x²y + sin y; ∇²f = [[2y, 2x], [2x, −sin y]]
    /// let mut p = record(|v| v[0] * v[0] * v[1] + v[1].sin(), &[0.0, 0.0]);
    /// let (_, _, hv) = p.hessian_vector_product(&[1.5, 0.5], &[1.0, 2.0]).unwrap();
    /// assert!((hv[0] - (2.0 * 0.5 + 2.0 * 1.5 * 2.0)).abs() < 1e-15);
    /// assert!((hv[1] - (2.0 * 1.5 - 0.5_f64.sin() * 2.0)).abs() < 1e-15);
    /// ```
    ///
    /// # Panics
    /// If `x` or `v` has another length than the recording point, or the program has several
    /// outputs.
    pub fn hessian_vector_product(
        &mut self,
        x: impl AsRef<[f64]>,
        v: impl AsRef<[f64]>,
    ) -> Result<(f64, Vec<f64>, Vec<f64>), GuardFailure> {
        let (x, v) = (x.as_ref(), v.as_ref());
        self.check_input("hessian_vector_product", x);
        self.check_input("hessian_vector_product (the direction)", v);
        self.check_scalar("hessian_vector_product");
        hvp_with(&self.code, &mut self.dual, x, v)
    }

    /// Like [`hessian_vector_product`](Self::hessian_vector_product), writing the gradient into
    /// `grad` and `∇²f(x)·v` into `hv` (allocation-free after the first call, for loops such as
    /// a conjugate-gradient solve). On a guard failure both are left unchanged.
    ///
    /// ```
    /// use diffprog_reverse::replay::record;
    /// // f = x²y; ∇f = (2xy, x²); ∇²f = [[2y, 2x], [2x, 0]]
    /// let mut p = record(|v| v[0] * v[0] * v[1], &[1.0, 1.0]);
    /// let (mut g, mut hv) = ([0.0; 2], [0.0; 2]);
    /// assert_eq!(p.hessian_vector_product_into(&[3.0, 2.0], &[1.0, 0.0], &mut g, &mut hv), Ok(18.0));
    /// assert_eq!((g, hv), ([12.0, 9.0], [4.0, 6.0]));
    /// ```
    ///
    /// # Panics
    /// If `x`, `v`, `grad` or `hv` has another length than the recording point, or the program
    /// has several outputs.
    pub fn hessian_vector_product_into(
        &mut self,
        x: impl AsRef<[f64]>,
        v: impl AsRef<[f64]>,
        grad: &mut [f64],
        hv: &mut [f64],
    ) -> Result<f64, GuardFailure> {
        let (x, v) = (x.as_ref(), v.as_ref());
        self.check_input("hessian_vector_product_into", x);
        self.check_input("hessian_vector_product_into (the direction)", v);
        self.check_scalar("hessian_vector_product_into");
        for (name, buffer) in [("gradient", &*grad), ("product", &*hv)] {
            assert_eq!(
                buffer.len(),
                x.len(),
                "diffprog-reverse: Program::hessian_vector_product_into: the {name} buffer has \
                 length {} but x has length {}; pass buffers of length x.len()",
                buffer.len(),
                x.len()
            );
        }
        let (value, g, h) = hvp_planes(&self.code, &mut self.dual, x, v)?;
        grad.copy_from_slice(g);
        hv.copy_from_slice(h);
        Ok(value)
    }

    /// The value, gradient and Hessian of a scalar program: forward over reverse on
    /// `DualVec<f64, 8>` numbers, ⌈n/8⌉ passes of 8 columns. The Hessian is symmetrised
    /// (`(H + Hᵀ)/2`, which changes entries by rounding only).
    ///
    /// # Panics
    /// If `x` has another length than the recording point, or the program has several outputs.
    pub fn hessian(
        &mut self,
        x: impl AsRef<[f64]>,
    ) -> Result<(f64, Vec<f64>, DMatrix<f64>), GuardFailure> {
        let x = x.as_ref();
        self.check_input("hessian", x);
        self.check_scalar("hessian");
        hessian_with(&self.code, &mut Scratch::default(), x)
    }
}

/// [`Program::gradient_into`] on given buffers.
pub(crate) fn gradient_with(
    code: &Code,
    s: &mut Scratch<f64>,
    x: &[f64],
    grad: &mut [f64],
) -> Result<f64, GuardFailure> {
    s.forward(code, |i| x[i], x, true)?;
    s.reverse(code, |_| 1.0);
    grad.copy_from_slice(&s.adjoints[..code.n_inputs]);
    Ok(s.output(code, 0))
}

/// [`Program::jacobian`] on given buffers.
pub(crate) fn jacobian_with(
    code: &Code,
    s: &mut Scratch<f64>,
    x: &[f64],
) -> Result<(Vec<f64>, DMatrix<f64>), GuardFailure> {
    let (n, m) = (code.n_inputs, code.outputs.len());
    match n {
        _ if n == 0 || n >= m => {}
        1..=2 => return jacobian_by_tangents::<2>(code, x),
        3..=4 => return jacobian_by_tangents::<4>(code, x),
        _ => return jacobian_by_tangents::<8>(code, x),
    }
    s.forward(code, |i| x[i], x, true)?;
    let y = (0..m).map(|j| s.output(code, j)).collect();
    let mut jac = DMatrix::zeros(m, code.n_inputs);
    for row in 0..m {
        s.reverse(code, |j| if j == row { 1.0 } else { 0.0 });
        for (i, &a) in s.adjoints[..code.n_inputs].iter().enumerate() {
            jac[(row, i)] = a;
        }
    }
    Ok((y, jac))
}

/// Input `i` at value `x` for the pass over columns `start..start + N`: tangent `e_{i − start}`
/// if `i` is one of them, else a constant.
fn unit_tangent<const N: usize>(x: f64, i: usize, start: usize) -> DualVec<f64, N> {
    let mut eps = [0.0; N];
    if (start..start + N).contains(&i) {
        eps[i - start] = 1.0;
    }
    DualVec::new(x, eps)
}

/// The Jacobian by forward passes of `N` tangents (columns `start..start + N` per pass), for
/// programs with fewer inputs than outputs.
fn jacobian_by_tangents<const N: usize>(
    code: &Code,
    x: &[f64],
) -> Result<(Vec<f64>, DMatrix<f64>), GuardFailure> {
    let s = &mut Scratch::<DualVec<f64, N>>::default();
    let (n, m) = (code.n_inputs, code.outputs.len());
    let mut jac = DMatrix::zeros(m, n);
    let mut y = vec![0.0; m];
    for start in (0..n).step_by(N) {
        let seed = |i: usize| unit_tangent::<N>(x[i], i, start);
        s.forward(code, seed, x, false)?;
        for (j, y) in y.iter_mut().enumerate() {
            let out = s.output(code, j);
            *y = out.re;
            for (c, &e) in out.eps().iter().enumerate().take(n - start) {
                jac[(j, start + c)] = e;
            }
        }
    }
    Ok((y, jac))
}

/// [`Program::hessian_vector_product`] on given buffers.
pub(crate) fn hvp_with(
    code: &Code,
    s: &mut DualPlanes,
    x: &[f64],
    v: &[f64],
) -> Result<(f64, Vec<f64>, Vec<f64>), GuardFailure> {
    let (value, grad, hv) = hvp_planes(code, s, x, v)?;
    Ok((value, grad.to_vec(), hv.to_vec()))
}

/// The value, gradient and `∇²f(x)·v`, the last two in `s`'s buffers.
fn hvp_planes<'s>(
    code: &Code,
    s: &'s mut DualPlanes,
    x: &[f64],
    v: &[f64],
) -> Result<(f64, &'s [f64], &'s [f64]), GuardFailure> {
    s.forward(code, x, v)?;
    let value = s.output(code, 0).re;
    let (grad, hv) = s.reverse(code);
    Ok((value, grad, hv))
}

/// [`Program::hessian`] on given buffers.
pub(crate) fn hessian_with(
    code: &Code,
    s: &mut Scratch<DualVec<f64, HESSIAN_COLUMNS>>,
    x: &[f64],
) -> Result<(f64, Vec<f64>, DMatrix<f64>), GuardFailure> {
    const N: usize = HESSIAN_COLUMNS;
    let n = code.n_inputs;
    let mut h = DMatrix::zeros(n, n);
    let mut grad = vec![0.0; n];
    let mut value = if n == 0 {
        s.forward(code, |_| unreachable!(), x, false)?;
        s.output(code, 0).re
    } else {
        0.0
    };
    for start in (0..n).step_by(N) {
        let seed = |i: usize| unit_tangent::<N>(x[i], i, start);
        s.forward(code, seed, x, true)?;
        s.reverse(code, |_| DualVec::one());
        value = s.output(code, 0).re;
        for (i, a) in s.adjoints[..n].iter().enumerate() {
            grad[i] = a.re;
            for (c, &e) in a.eps().iter().enumerate() {
                if start + c < n {
                    h[(i, start + c)] = e;
                }
            }
        }
    }
    let h = (&h + h.transpose()) * 0.5;
    Ok((value, grad, h))
}

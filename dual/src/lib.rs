//! Forward-mode automatic differentiation for diffprog: the [`Scalar`] trait that generic
//! numeric code is written against, the dual numbers [`Dual`] and [`DualVec`], and the forward
//! drivers [`derivative`], [`gradient`], [`jacobian`] and [`jvp`].
//!
//! # The model
//!
//! Write a function once, generic over `T: Scalar`:
//!
//! ```
//! use diffprog_dual::{derivative, gradient, Scalar};
//!
//! fn rosenbrock<T: Scalar>(x: &[T]) -> T {
//!     let mut s = T::zero();
//!     for i in 0..x.len() - 1 {
//!         let a = x[i + 1] - x[i] * x[i];
//!         let b = T::one() - x[i];
//!         s += a * a * 100.0 + b * b;
//!     }
//!     s
//! }
//!
//! assert_eq!(rosenbrock(&[1.0, 2.0]), 100.0); // plain f64
//! let (value, grad) = gradient(rosenbrock, &[1.0, 2.0]);
//! assert_eq!((value, grad), (100.0, vec![-400.0, 200.0]));
//! ```
//!
//! A **dual number** `a + bε` with ε² = 0 carries a value and a tangent; evaluating `f` on
//! `x + 1ε` yields `f(x) + f'(x)ε`, exactly (no truncation error), because every operation applies
//! its derivative rule to the tangent. [`Dual<T>`] holds one tangent; [`DualVec<T, N>`] holds `N`
//! in a stack array, so one evaluation yields `N` directional derivatives. [`gradient`] and
//! [`jacobian`] seed the n inputs in chunks of [`GRADIENT_CHUNK`] (= 10) unit directions, taking
//! ⌈n/10⌉ evaluations; [`gradient_with_chunk`] picks another width. The tangent loops are fixed-size
//! loops over arrays, which LLVM turns into packed SIMD instructions. Forward mode costs about
//! n/N evaluations of `f` for a gradient, so it suits few inputs (or many outputs); for large n the
//! reverse mode of `diffprog-reverse` is cheaper. Structured Jacobians have their own drivers:
//! [`jacobian_array`] takes one small block (`K` inputs, `M` outputs, on the stack) in one pass, for
//! functions made of many small pieces; [`jacobian_colored`] takes a sparse Jacobian compressed by a
//! column colouring, one tangent per colour instead of one per input ([`ColoredJacobian`] keeps its
//! buffers between calls).
//!
//! Every derivative rule lives in one place, [`rules`], generic over `Scalar`; the number types
//! apply them through the macros of this crate, and the other diffprog crates (second-order
//! numbers, the reverse-mode tape) use the same rules, so all modes agree, also at the edges
//! (table below). Comparisons (`<`, `==`, `max`) look at the primal value only, so branches and
//! loops behave as on floats and differentiate the path taken.
//!
//! # Custom primitives
//!
//! A function diffprog does not have — a special function from another crate, a solver whose
//! derivative is known analytically — is described once by its value and derivatives on the
//! plain float, as a [`custom::UnaryPrimitive`] or [`custom::BinaryPrimitive`] implemented on a
//! type of your own, and called as [`Scalar::custom_unary`] / [`Scalar::custom_binary`] in
//! generic code. Every number type then differentiates it, taking the orders it needs (f′ for
//! `Dual`, f″ as well for the second-order numbers and the Hessian tapes, more when nested), and
//! multiplies them into its tangents by the strong-zero rule like an elementary function's:
//!
//! ```
//! use diffprog_dual::custom::UnaryPrimitive;
//! use diffprog_dual::{derivative, gradient, Scalar};
//!
//! /// The Bessel function J₀ from `libm`, with J₀′ = −J₁ (first order only).
//! struct BesselJ0;
//! impl UnaryPrimitive for BesselJ0 {
//!     fn name(&self) -> &str {
//!         "bessel_j0"
//!     }
//!     fn derivative(&self, order: usize, x: f64) -> Option<f64> {
//!         match order {
//!             0 => Some(libm::j0(x)),
//!             1 => Some(-libm::j1(x)),
//!             _ => None, // a second-order number asking for J₀″ panics, naming it
//!         }
//!     }
//! }
//! fn f<T: Scalar>(x: &[T]) -> T {
//!     x[0].custom_unary(&BesselJ0) * x[1]
//! }
//! let (value, grad) = gradient(f, &[1.5, 2.0]);
//! assert_eq!(value, libm::j0(1.5) * 2.0);
//! assert_eq!(grad, vec![-libm::j1(1.5) * 2.0, libm::j0(1.5)]);
//! assert_eq!(derivative(|x| x.custom_unary(&BesselJ0), 0.5).1, -libm::j1(0.5));
//! ```
//!
//! The module [`custom`] has the details and an implicit function solved by Newton's method
//! (its derivatives from the implicit-function theorem); `examples/17_custom_primitive.rs`
//! differentiates one in forward, second-order and reverse mode.
//!
//! # Nesting and perturbation confusion
//!
//! The components of `Dual<T>` and `DualVec<T, N>` are any `Scalar`, so number types nest:
//! `Dual<Dual<f64>>` carries second derivatives. A derivative inside a derivative is computed by
//! running the inner driver **at the outer number type** with the generic drivers
//! [`derivative_at`] / [`gradient_at`]: the inner numbers are then `Dual<Dual<f64>>`, a different
//! type from the outer `Dual<f64>`, and an outer number captured by the inner closure enters with
//! [`Dual::lift`] (a constant at the inner level). The two levels' tangents live in different
//! fields and cannot be confused:
//!
//! ```
//! use diffprog_dual::{derivative, derivative_at, Dual, Scalar};
//! // d/dx [x · d/dy (x + y)] at x = 1 is 1 (num-dual and autodiff return 2).
//! let (_, d) = derivative(
//!     |x: Dual<f64>| x * derivative_at(|y| Dual::lift(x) + y, Dual::constant(1.0)).1,
//!     1.0,
//! );
//! assert_eq!(d, 1.0);
//! ```
//!
//! Mixing levels without `lift` does not compile (`Dual<f64> + Dual<Dual<f64>>` has no
//! operator). The remaining confusing form, an inner driver at the *same* number type as an
//! enclosing one (`derivative` inside `derivative`, both at `Dual<f64>`), is caught at run time:
//! every driver holds a [`nesting::DriverLevel`] for its number type during the call, and entering
//! a level whose type is already active on the thread panics with a message explaining the fix.
//! The guard is a few thread-local accesses per driver call (`benches/PERFORMANCE.md`, "The
//! nesting guard").
//!
//! # `f32`
//!
//! `Scalar<F>` is generic over the primal float `F` (`f64` by default). Code for `f32` is written
//! against `T: Scalar<f32>` (or generic over both, `fn f<F: Real, T: Scalar<F>>`), and the
//! drivers [`derivative`], [`gradient`], [`jacobian`] and [`jvp`] differentiate it at an `f32`
//! point: the primal float is inferred from the point, `gradient(f, &[1.0_f32, 2.0])`.
//! `Dual<f32>` and `DualVec<f32, N>` are `Scalar<f32>`. The drivers with an explicit width have
//! generic forms for `f32` ([`gradient_at`], [`jacobian_at`]). The `f64` literal constructor
//! [`Scalar::from_f64`] rounds for `f32` numbers.
//!
//! # What the drivers take
//!
//! Points and directions are any `impl AsRef<[F]>`: slices, arrays, `Vec`s, nalgebra's
//! `DVector` and `SVector`, by value or by reference; vector functions return any
//! `impl AsRef<[T]>` of their number type (`Vec<T>`, `[T; M]`, `DVector<T>`, `SVector<T, M>`).
//! The drivers read the point through `as_ref()`: its components are not copied.
//!
//! A point written only with literals (`&[1.0, 2.0]`) given with a closure that names no type
//! leaves the float to Rust's default, `f64`, which is applied at the end of type checking: the
//! results compare and compute with `f64`s, but a method called on them directly
//! (`g[0].abs()`) needs the type named first (`&[1.0_f64, 2.0]`, or `|x: &[GradientNumber]|`).
//! A point of type `[f64; N]`, `Vec<f64>` or `DVector<f64>`, or a generic `fn f<T: Scalar>`
//! (which names `f64`), fixes it:
//!
//! ```
//! use diffprog_dual::gradient;
//!
//! let (_, g) = gradient(|x| x[0] * x[1], &[1.0_f64, 2.0]);
//! assert!((g[0] - 2.0).abs() < 1e-15);
//! ```
//!
//! # nalgebra
//!
//! `Dual<T>` and `DualVec<T, N>` (for every `T: Scalar`, `f32`-based ones included) implement
//! nalgebra's `RealField` and `ComplexField`, so `DMatrix<Dual<f64>>` solves, inverts and
//! factorises (`lu`, `try_inverse`, `determinant`, `cholesky`), and derivatives flow through the
//! factorisations. Other number types get the same by invoking [`impl_nalgebra_real_field!`].
//! Generic code that calls nalgebra is written against [`RealScalar`], which is both (a bound
//! `T: Scalar + RealField` makes `x.ln()` ambiguous: the names coincide). With both `Scalar` and
//! nalgebra's `ComplexField` in scope, call methods on concrete dual types as `Scalar::sin(x)`.
//!
//! # Edge conventions
//!
//! One table for every mode of diffprog (forward here, second-order and reverse in their
//! crates). "Derivative" is the derivative with respect to the argument; the rules are in
//! [`rules`], and `tests/edges.rs` checks every entry at ±0, ±∞, NaN, ±1e±300 and the domain
//! edges.
//!
//! | function | point | value | derivative |
//! |---|---|---|---|
//! | every function | NaN argument | NaN | NaN (exceptions: `powi(x, 0)`, `powf(x, 0)` → value 1, derivative 0) |
//! | every function | a tangent or adjoint that is exactly 0, or a partial that is exactly 0 | f(x) | the chain rule's product is exactly 0, even times ±∞ or NaN (the strong-zero rule below) |
//! | `x * y`, `x / y`, `x * c`, `x / c` | a non-finite factor | IEEE | by the same rule: a constant times ∞ has tangent 0, `0 · y` at y = ∞ has ∂/∂y = 0; `x / 0` has tangent +∞ |
//! | `abs` | ±0 | 0 | 0 (midpoint of the subgradient) |
//! | `relu` | 0 | 0 | 0 (as PyTorch); 1 for x > 0 |
//! | `signum` | anywhere | −1, 0 (at ±0), 1 | 0 (NaN for NaN) |
//! | `max(x, y)`, `min(x, y)` | x = y | x | ½ to each argument |
//! | `max`, `min` | NaN in either | NaN | NaN for both (unlike `f64::max`) |
//! | `sqrt`, `cbrt` | ±0 | ±0 | +∞ |
//! | `sqrt` | x < 0 | NaN | NaN |
//! | `sqrt`, `cbrt` | +∞ (`cbrt`: ±∞) | ±∞ | 0 |
//! | `ln`, `log2`, `log10`, `log(b)` | ±0 | −∞ | +∞ (−∞ for a base b < 1) |
//! | `ln`, `log2`, `log10`, `log(b)` | x < 0 | NaN | NaN |
//! | `ln_1p` | −1 / below −1 | −∞ / NaN | +∞ / NaN |
//! | `recip` | ±0 | ±∞ | −∞ |
//! | `powi(x, n)` | n = 0 | 1 | exactly 0 (also at 0, ∞, NaN) |
//! | `powf(x, p)` | p = 0 | 1 | exactly 0 (also at 0, ∞, NaN) |
//! | `powf(x, p)` | x = 0, 0 < p < 1 | 0 | +∞ |
//! | `pow(x, y)` | ∂/∂y at x = 0, y > 0 | 0 | 0 (the limit; `ln 0 · 0` would be NaN) |
//! | `pow(x, y)` | ∂/∂y at x = 0, y = 0 | 1 | −∞ |
//! | `pow(x, y)` | x < 0 (integer y) | IEEE | ∂/∂x = y·x^(y−1); ∂/∂y NaN (only seen if y varies) |
//! | `asin`, `acos` | ±1 / outside [−1, 1] | ±π/2, 0, π / NaN | +∞ (`acos`: −∞) / NaN |
//! | `atanh` | ±1 / outside [−1, 1] | ±∞ / NaN | +∞ / NaN |
//! | `acosh` | 1 / below 1 | 0 / NaN | +∞ / NaN |
//! | `atan2(y, x)` | origin | 0 | NaN for both |
//! | `atan2(y, x)` | x or y infinite | IEEE angle | 0 for both (the limit) |
//! | `hypot(x, y)` | origin | 0 | 0 for both (minimum-norm subgradient, as `abs`) |
//! | `hypot(x, y)` | x infinite (y finite) | +∞ | (sign x, 0); both infinite: (±1/√2, ±1/√2) |
//! | `exp`, `exp2`, `exp_m1`, `sinh`, `cosh` | overflow | ±∞ | ±∞ |
//! | `exp`, `exp2`, `exp_m1` | −∞ | 0 (−1) | 0 |
//! | `tanh`, `sigmoid`, `erf`, `erfc`, `atan`, `asinh` | ±∞, ±1e300 | the limit | 0 (computed without overflow to NaN) |
//! | `gelu` | −∞ / +∞ | −0 / +∞ | 0 / 1 (the limits Φ(∓∞); x·φ(x) would be ∞·0) |
//! | `softplus` | ±∞ | +∞ / 0 | 1 / 0 (computed without overflow) |
//! | `sin`, `cos`, `tan` | ±∞ | NaN | NaN |
//!
//! Where a function is finite and smooth, no rule produces a NaN derivative: large arguments are
//! handled in forms that do not overflow (`1/hypot(x, 1)` for `asinh`, `√(x−1)·√(x+1)` for
//! `acosh`, `4e/(1 + e)²` with e = e^(∓2x) for `tanh`, limits for `atan2` and `hypot` at
//! infinity). Nor does one lose digits to cancellation in the tails: `tanh′`, `σ′` and
//! `exp_m1′` are not computed as `1 − tanh²`, `σ(1 − σ)` and `(eˣ − 1) + 1` where those cancel
//! (they kept 3 of 16 digits at tanh′(15) and σ′(30), none at exp_m1′(−40)); derivatives of
//! every order through the rules stay within a few ulps there (tested against cosh/sinh forms).
//!
//! # Non-finite values: the strong-zero rule
//!
//! Every mode — forward, second-order, reverse, mixed, and the tensor kernels of
//! `diffprog-nn` — multiplies a local partial derivative into a tangent or an adjoint by one
//! rule, [`chain`] ([`Number::strong_zero_mul`]): **in derivative arithmetic an exact zero
//! factor is a strong zero**, `0 · ∞ = 0 · NaN = 0`; every other product is IEEE. Values stay
//! IEEE (`0 · ∞` is NaN as a value). So:
//!
//! - a variable that does not influence the result gets an exact 0, whatever the other inputs
//!   are: ∂/∂x₁ of `max(x₀, x₁) · x₂` at (1, 0, ∞) is 0 in every mode (the maximum picks x₀),
//!   ∂/∂x₀ is +∞ and ∂/∂x₂ is 1;
//! - a zero partial stops an infinite or NaN tangent: `signum(∛x)` and `∛(relu x)` have
//!   derivative 0 at x = 0, where the inner derivative is +∞;
//! - the modes agree, because the rule is symmetric: forward mode skips a term whose *tangent*
//!   or *partial* is zero, reverse mode a record whose *adjoint* is zero and a parent whose
//!   *partial* is zero, and the second-order numbers and sweeps apply it to every part.
//!
//! JAX and PyTorch multiply with IEEE arithmetic, so both give NaN in the examples above (the
//! well-known NaN gradients through `where` and `relu` at singular points); ForwardDiff.jl's
//! "NaN-safe" mode applies the same rule as diffprog to forward mode. The price of the rule is
//! at a cusp reached through a zero partial: `(∛x)²` at 0 has derivative 0 here (`2∛x = 0`
//! times `∛′(0) = ∞`), where IEEE arithmetic gives NaN and the one-sided limits are ±∞.
//!
//! What the rule cannot settle is the order of summation. The modes sum the chain rule's terms in
//! different orders, and IEEE arithmetic with an infinity is not distributive: where finite
//! coefficients of both signs meet a common infinite or NaN factor X, the order that sums them
//! first gives `(a + b)·X` — ±∞ for a non-zero sum, 0 (a strong zero) for a sum that cancels —
//! and the order that distributes X gives `a·X + b·X = ∞ − ∞ = NaN`. `(0.6·s − 1.25·s)` at
//! s = x², x = −∞ has derivative +∞ summed one way and NaN the other; `x₁·(y − y)` with x₁ = NaN
//! has ∂/∂y = 0 one way and NaN the other. The cross-mode suite (`tests/cross_mode`, `flow.rs`)
//! finds such sums in random programs and leaves them out of its comparisons (counted); every
//! other derivative has the same NaN/∞ pattern in every mode. Second derivatives add one more
//! such place: the Hessian drivers that take a rule's second partials at unit tangents (the
//! hyperdual numbers, the second-order tape) and forward over reverse, which evaluates the rule
//! on the tangents themselves, can differ where a tangent is infinite and the rule's own
//! derivative sums terms that cancel (hypot's ∂(y/h)/∂y = (h − y·y/h)/h², zero at x = 0).
//! At the edges of the exponent range the order of multiplication decides as well: the
//! quotient's partial −q/b, which the tapes of reverse mode store, can overflow to ±∞ where
//! forward mode's (q·ḃ)/b stays finite; and where a rule's second partials overflow inside it
//! (atan2 at a subnormal distance from the origin), its mixed partial can differ in class
//! between the two orders of differentiation, which the second-order tape and the hyperdual
//! numbers take differently.
//!
//! Every number type's *value* is the plain `f64` (or `f32`) evaluation bit for bit — quotients
//! are `a / b`, `x / c` and `c / x`, not products with a reciprocal, and `Sum` starts from the
//! zero `f64`'s does — so `gradient(f, x).0 == f(x)` in every mode (tested on random programs).
//!
//! # Safety
//!
//! The crate has no `unsafe` blocks or operations. It is `#![deny(unsafe_code)]` rather than `forbid`, because
//! simba's `SimdValue` trait (required by nalgebra) declares two `unsafe fn` methods; the
//! nalgebra module implements them with safe bodies under a local `allow`.
// Not `#![forbid(unsafe_code)]` but `deny`: simba's `SimdValue` trait has two `unsafe fn` methods, which the nalgebra
// impls (module `nalgebra_impls`, the only `allow`) implement with safe bodies.
#![deny(unsafe_code)]

pub mod custom;
mod drivers;
mod dual;
mod dual_vec;
pub mod elementary;
mod forward_macros;
mod nalgebra_impls;
pub mod nesting;
mod real;
mod real_scalar;
pub mod rules;
mod scalar;

pub use drivers::{
    derivative, derivative_at, gradient, gradient_at, gradient_with_chunk, jacobian,
    jacobian_array, jacobian_at, jacobian_colored, jacobian_with_chunk, jvp, ColoredJacobian,
    GradientNumber, GRADIENT_CHUNK,
};
pub use dual::{chain, is_finite_number, Dual};
pub use dual_vec::DualVec;
pub use elementary::ELEMENTARY_FUNCTIONS;
#[doc(hidden)]
pub use forward_macros::sum_start;
pub use real::Real;
pub use real_scalar::{RealScalar, RealScalarMethods};
pub use scalar::{Number, Scalar};

/// Re-exports used by [`impl_nalgebra_real_field!`], so invoking crates need no direct dependency
/// on simba, num-traits or approx.
#[doc(hidden)]
pub mod __nalgebra_deps {
    pub use approx;
    pub use num_traits;
    pub use simba;
}

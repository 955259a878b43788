//! Second- and third-order forward-mode automatic differentiation: hyperdual and Taylor numbers,
//! Hessians, partial Hessians, third derivatives.
//!
//! Write a function once, generic over [`Scalar`](diffprog_dual::Scalar), and these drivers
//! evaluate it on second-order numbers:
//!
//! ```
//! use diffprog_dual::Scalar;
//! use diffprog_hyperdual::{hessian, second_derivative};
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
//! let (f, grad, h) = hessian(rosenbrock, &[-1.2, 1.0]);
//! assert_eq!(grad, vec![-215.59999999999997, -87.99999999999999]);
//! assert_eq!((h[(0, 0)], h[(0, 1)], h[(1, 0)], h[(1, 1)]), (1330.0, 480.0, 480.0, 200.0));
//! let (_, _, d2) = second_derivative(|x| x.sin() * x, 0.5);
//! assert!((d2 - (2.0 * 0.5_f64.cos() - 0.5 * 0.5_f64.sin())).abs() < 1e-15);
//! ```
//!
//! # The numbers
//!
//! | type | parts | used by |
//! |---|---|---|
//! | [`Taylor2<T>`] | f, f′, f″ along one direction | [`second_derivative`] |
//! | [`HyperDual<T>`] | f + f₁ε₁ + f₂ε₂ + f₁₂ε₁ε₂ (ε₁² = ε₂² = 0) | one mixed partial ∂²f/∂xᵢ∂xⱼ; nesting ([`third_partial`]) |
//! | [`HyperDualVec<T, N, M>`] | f, ε₁ block `[T; N]`, ε₂ block `[T; M]`, cross block `[[T; M]; N]` | [`partial_hessian`], [`hessian_with_chunk`] |
//! | [`ArenaHyperDual<N>`] | the algebra of `HyperDualVec<f64, N, N>`, parts stored in a per-pass arena | [`hessian`] |
//! | [`Taylor3<T>`] | f, f′, f″, f‴ along one direction | [`third_derivative`] |
//!
//! All are `Copy`, `Display`, implement [`Scalar`](diffprog_dual::Scalar) (so generic user code
//! runs unchanged) and nalgebra's `RealField`/`ComplexField` (through `diffprog_dual`'s shared
//! `impl_nalgebra_real_field!`, `f32`-based numbers included), and take any `Scalar` as components:
//! `HyperDual<Dual<f64>>` carries third partials, `Dual<HyperDual<f64>>` and `Taylor2<Dual<f64>>`
//! work too. Second derivatives are exact — no step size, no subtractive cancellation.
//!
//! **One rule table.** No second-order derivative formula is written here. An elementary function
//! of a second-order number evaluates the rule of [`diffprog_dual::rules`] on a *dual* number
//! (`rule(x + ẋε) = (f + f′ẋε, f′ + f″ẋε)`), which yields f″ for free; [`Taylor3`] evaluates the same
//! rule on a [`Taylor2`] to get f‴. Binary functions (`pow`, `atan2`, `hypot`, `min`, `max`) use
//! one directional evaluation in the scalar types (the ε₁-direction of the rule's partials is
//! exactly what the ε₁ε₂ part needs) and two in `HyperDualVec`. The generated code is as fast as
//! num-dual's hand-written second derivatives (`benches/PERFORMANCE.md`, "Hyperdual blocks").
//!
//! # The Hessian driver
//!
//! [`hessian`] splits the n inputs into blocks of [`HESSIAN_BLOCK`] (8). For a pair of blocks
//! I ≤ J, a pass seeds block I in the ε₁ directions and block J in the ε₂ directions and yields
//! the 8×8 block ∂²f/∂x_I∂x_J, so a dense Hessian takes ⌈n/8⌉(⌈n/8⌉ + 1)/2 passes, O(n²/N²), on
//! numbers of fixed size (no O(n²)-sized numbers). Two things make it fast:
//!
//! - **Only the blocks that can be non-zero are evaluated.** With three or more blocks, a first
//!   *structural* pass evaluates `f` once on numbers that carry, instead of derivatives, the set of
//!   input blocks they depend on, and records every pair of blocks that meet in a nonlinear
//!   operation (a product, a quotient's divisor, an elementary function of a value that depends
//!   on both). Pairs that never meet have an exactly zero block — a pass over them would find its
//!   cross part never activated — and are skipped. Rosenbrock couples neighbours only: at n = 100,
//!   1 + 13 + 12 = 26 passes instead of 91. The pattern over-approximates (it is structural, at the
//!   evaluation point, so branches take the path of `x`), which costs passes, never accuracy.
//! - **The numbers are small handles** ([`ArenaHyperDual`], 24 bytes: the value, the index of
//!   its parts in a per-thread arena that lives for one pass, and the pass's id). A number that depends on neither
//!   block of the pass — most of them — costs an `f64` operation and a test; `x + c` shares `x`'s
//!   parts instead of copying them; parts that are zero are absent, so an operation touches only
//!   the parts that exist. In a diagonal pass (I = J) the ε₁ and ε₂ parts are equal and stored
//!   once, and the ε₁ε₂ block is symmetric and stored as its upper triangle (36 of 64 numbers).
//!
//! The diagonal blocks fill the upper triangle and mirror it, so the result is exactly symmetric.
//! The arithmetic is that of [`HyperDualVec`] (the same formulas in the same order; tested equal
//! on random programs, non-finite inputs included), and [`hessian_with_chunk`] runs the same
//! algorithm on inline `HyperDualVec` numbers (every block pair, no arena; generic, also `f32`:
//! [`hessian_at`], and [`hessian_f32`], the `f32` twin of `hessian`, whose arena is `f64`).
//! Every driver takes its points as any `impl AsRef<[F]>`: slices, arrays, `Vec`s, nalgebra's
//! `DVector` and `SVector`.
//! [`partial_hessian`] computes only the ∂²f/∂x∂y block of a function of two groups of inputs.
//!
//! **Why this representation, and N = 8.** Inline `HyperDualVec<f64, N, N>` numbers (400 bytes
//! for N = 6: 1 + 6 + 6 + 36) are copied whole by every operation, also numbers that depend on
//! neither block, so a pass costs in proportion to the number's size; activity flags inside the
//! inline number skip the arithmetic of those parts but not their copies. Parts out of line (the
//! arena) remove the copies, the structural pass removes the passes whose block is zero, and the
//! packed diagonal halves the block work of the remaining diagonal passes. With the arena the
//! cost per pass no longer grows with N for most numbers, so larger blocks (fewer passes) pay
//! off until the N² block work dominates: [`HESSIAN_BLOCK`] = 8 was the fastest block size
//! measured (`benches/PERFORMANCE.md`, "Hyperdual blocks"). A `Dual2Vec`-style number (one
//! gradient block and a symmetric N×N block) only computes diagonal blocks, so covering the
//! off-diagonal ones needs 2N-sized numbers and computes every diagonal block ⌈n/N⌉ times; here
//! it is used only for the diagonal passes. [`Taylor2`] costs 3 components per operation against
//! `HyperDual`'s 4 and is the cheapest for a scalar f″.
//!
//! **Costs of the arena.** An operation on numbers that have parts goes through a thread-local
//! `RefCell` and appends its result's parts to the arena; for small problems, where every number
//! depends on the single block, inline numbers are faster ([`hessian_with_chunk`]`::<6>` at
//! n = 10, say). Like a
//! reverse-mode tape, the arena holds the parts of every number of a pass until the pass ends,
//! so a pass needs memory in proportion to the number of operations that depend on its blocks
//! (up to 2N + N² numbers each, N + N(N + 1)/2 in a diagonal pass); between calls it
//! keeps at most 8 MiB. For a function with millions of operations that all depend on every
//! input, inline numbers ([`hessian_with_chunk`], no heap) may be the better choice. Arena numbers are
//! meaningful only inside the function during the driver call that created them; using one after
//! its pass has ended, in another pass or on another thread panics.
//!
//! # Measurements
//!
//! `cargo bench -p diffprog-hyperdual --bench second_order` compares these numbers and drivers
//! with num-dual's; `cargo run --release -p diffprog-benches --bin chunk-sizes` times `hessian`
//! and `hessian_with_chunk` per block size. The figures, and what the arena, the structural pass
//! and the block sizes changed: `benches/PERFORMANCE.md`, "Hyperdual blocks".
//!
//! # Edge conventions, second order
//!
//! The first-order conventions are `diffprog_dual`'s table (derivative ½ to each argument of
//! `max`/`min` at a tie, 0 for `abs` and `relu` at 0, +∞ for `sqrt` at 0). Every product of
//! derivative arithmetic in every part — a value or a partial times a part, a part times a part
//! (the ε₁ε₂ cross terms), a part times a plain float — follows `diffprog_dual`'s strong-zero
//! rule ("Non-finite values" there): an exact zero factor gives exactly zero, also times ±∞ or
//! NaN. So a variable that does not influence the result gets an exact 0 in every part of the
//! gradient and the Hessian, and a zero partial stops an infinite or NaN part, as in `Dual`.
//! Values stay IEEE. An operation takes the plain products when a guard makes them exact (the
//! factors it multiplies into parts finite and non-zero, every component of two parts it
//! multiplies finite): one test per operation, not per element, for finite inputs.
//!
//! Every second-order type gives the same f and f′ as `Dual`, and all of them (`Taylor2`,
//! `HyperDual`, `HyperDualVec`, `Taylor3`) the same f″ as a dual number over a dual number,
//! tested in `tests/edges.rs` (and `ArenaHyperDual` the same as `HyperDualVec`,
//! `tests/arena.rs`); `tests/nonfinite.rs` compares every driver's gradient, Hessian and line
//! derivatives with nested forward mode at inputs ±0, ±∞ and NaN:
//!
//! | f at x | f | f′ | f″ | note |
//! |---|---|---|---|---|
//! | `abs`, `relu`, `signum` at 0; `hypot(x, 0)` at 0 | 0 | 0 | 0 | |
//! | `max(x, 0)`, `min(x, 0)` at 0 | 0 | ½ | 0 | the tie rule; f″ of the constant ½ |
//! | `max(x², 2x − 1)` at 1 | 1 | 2 | 1 | tie: ½(2 + 2), ½(2 + 0) |
//! | `powf(x, ½)` at 0 | 0 | +∞ | −∞ | the limits |
//! | `asin` at 1, `atanh` at 1 | π/2, +∞ | +∞ | +∞ | the limits |
//! | `acosh` at 1 | 0 | +∞ | −∞ | the limit |
//! | `sqrt` at 0 | 0 | +∞ | −∞ | the limits from the right (−0 is treated as +0) |
//! | `cbrt` at 0 | 0 | +∞ | 0 | f″ is the derivative of 1/(3∛x²), and (∛x)² has derivative 2∛x·∛′x = 0·∞ = 0 by the strong-zero rule (the one-sided limits of −(2/9)x^(−5/3) are ±∞) |
//! | `ln` at 0 | −∞ | +∞ | −∞ | the limits from the right |
//! | `ln` at −1 | NaN | NaN | NaN | outside the domain every order is NaN |
//! | `powf(x, 2)`, `powi(x, 2)` at 0 | 0 | 0 | 2 | |
//! | `powf(x, 0)`, `powi(x, 0)` at 0 | 1 | 0 | 0 | |
//! | `x·x` at +∞ | +∞ | +∞ | 2 | the zero ε₁ε₂ parts of the factors times ∞ stay 0 |
//! | `exp` at −∞; `sigmoid` at 800; `softplus` at −800 | 0, 1, 0 | 0 | 0 | no overflow |
//! | any f at NaN | NaN | NaN | NaN | |
//!
//! Away from these points all second and third
//! derivatives are checked against the analytic ones and against central differences.
//!
//! # Nesting
//!
//! Every driver holds a [`nesting::DriverLevel`](diffprog_dual::nesting::DriverLevel) for its
//! number type, so a `hessian` inside a `hessian` at the same type panics instead of confusing
//! perturbations; nest by using a different type (e.g. [`third_partial`] runs on
//! `HyperDual<Dual<f64>>`).
#![forbid(unsafe_code)]

mod arena;
mod arena_hyperdual;
mod drivers;
mod hyperdual;
mod hyperdual_vec;
mod macros;
mod nalgebra;
mod products;
mod taylor2;
mod taylor3;

pub use arena_hyperdual::ArenaHyperDual;
pub use drivers::{
    hessian, hessian_at, hessian_f32, hessian_with_arena_chunk, hessian_with_chunk,
    partial_hessian, partial_hessian_at, partial_hessian_with_chunk, second_derivative,
    third_derivative, third_partial, HessianNumber, HessianNumberF32, PartialHessianNumber,
    HESSIAN_BLOCK, PARTIAL_HESSIAN_BLOCK,
};
pub use hyperdual::HyperDual;
pub use hyperdual_vec::HyperDualVec;
pub use taylor2::Taylor2;
pub use taylor3::Taylor3;

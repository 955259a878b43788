//! Record once, differentiate many times: a function recorded on [`ReplayVar`]s becomes a
//! [`Program`] — plain data, an instruction list over a value buffer — that evaluates the value,
//! gradient, VJP, Jacobian, Hessian–vector product and Hessian **at new inputs** without calling
//! the function again, one point at a time or in parallel batches.
//!
//! # Guards
//!
//! A recorded program is the function's path through its branches at the recording point. Every
//! comparison of recorded values made while recording (`<`, `<=`, `>`, `>=`, `==`, `!=`,
//! `partial_cmp`, `is_nan`, `is_finite` — whether in the function's own `if`s and loops or in
//! code it calls) stores its outcome as a *guard*. A replay re-evaluates every guard at the new
//! input and, where an outcome differs, returns a [`GuardFailure`] naming the guard, the source
//! location of the comparison and the input — never a value or derivative of the wrong branch.
//! [`Rerecording`] records again itself when a guard fails and counts how often it did.
//!
//! Elementary functions with kinks (`abs`, `max`, `min`, `relu`, `signum`, `hypot`…) are single
//! instructions evaluated by their rule at the new input, on whichever side of the kink it lies,
//! exactly as a fresh recording would: they need no guard, and a `max`-based function replays
//! across its kinks. Branching on [`Scalar::value`](diffprog_dual::Scalar::value) (a plain
//! `f64`) escapes the guards: compare the numbers themselves.
//!
//! # Record optimisations
//!
//! Constants are folded while recording (an operation on constants records nothing, and a
//! constant operand becomes part of its instruction: `x · 2`, `1 − x`); instructions whose value
//! reaches neither an output nor a guard are dropped.
//!
//! # Cost
//!
//! A replayed gradient is one forward pass of the interpreter (values and local partials) and
//! one adjoint sweep; a Hessian–vector product is the same on dual numbers. The measured ratios
//! to the plain `f64` evaluation, and where the time goes, are in `benches/PERFORMANCE.md`,
//! "Replayed programs".
//!
//! ```
//! use diffprog_reverse::replay::{record, Rerecording};
//! use diffprog_dual::Scalar;
//!
//! // A loop whose trip count depends on the input.
//! fn halvings<T: Scalar>(x: &[T]) -> T {
//!     let mut y = x[0];
//!     while y > 1.0 {
//!         y = y * 0.5;
//!     }
//!     y * x[1]
//! }
//! let mut program = record(halvings, &[3.0, 1.0]); // two halvings: y = x₀/4
//! assert_eq!(program.gradient(&[2.5, 2.0]).unwrap(), (2.5 / 4.0 * 2.0, vec![0.5, 2.5 / 4.0]));
//! assert!(program.gradient(&[5.0, 2.0]).is_err()); // three halvings there
//!
//! let mut f = Rerecording::new(halvings, &[3.0, 1.0]);
//! assert_eq!(f.gradient(&[5.0, 2.0]), (5.0 / 8.0 * 2.0, vec![0.25, 5.0 / 8.0]));
//! assert_eq!(f.rerecordings(), 1);
//! ```

mod batch;
mod code;
mod dual_planes;
mod evaluate;
mod first_writes;
mod guards;
mod listing;
mod ops;
mod program;
mod recorder;
mod rerecording;
mod runs;
mod slice_number;
mod var;

pub use guards::GuardFailure;
pub use program::{Program, ValueGradientHessian, ValueGradientHv, ValuesAndJacobian};
pub use rerecording::Rerecording;
pub use var::ReplayVar;

pub(crate) use code::Code;
// For the sparse drivers (crate::sparse): the instructions, and the interpreter on other numbers.
use diffprog_dual::nesting::DriverLevel;
pub(crate) use evaluate::Scratch;
pub(crate) use guards::Operand;
pub(crate) use ops::{BinaryFn, Op, UnaryFn, NO_SLOT};
pub(crate) use runs::{Shape, SliceKind};

/// Records `f: Rⁿ → R` at `x0` as a [`Program`] to evaluate and differentiate at other points.
///
/// `f` is a closure or a generic function written against [`Scalar`](diffprog_dual::Scalar),
/// called once, on [`ReplayVar`]s.
///
/// ```
/// use diffprog_reverse::replay::record;
/// use diffprog_dual::Scalar;
///
/// fn f<T: Scalar>(v: &[T]) -> T {
///     v[0] * v[1] + v[0].sin()
/// }
/// let mut program = record(f, &[0.5, 4.2]);
/// for x in [[1.0, 2.0], [-3.0, 0.25]] {
///     let (value, grad) = program.gradient(&x).unwrap();
///     assert_eq!(value, f(&x));
///     assert_eq!(grad, vec![x[1] + x[0].cos(), x[0]]);
/// }
/// ```
///
/// # Panics
/// If called inside another `record` on the same thread, or if `f` panics (the recording is
/// ended first), or applies a custom primitive to a recorded value.
pub fn record(f: impl FnOnce(&[ReplayVar]) -> ReplayVar, x0: impl AsRef<[f64]>) -> Program {
    record_vector(|x| [f(x)], x0)
}

/// Records `f: Rⁿ → Rᵐ` at `x0` as a [`Program`] (for [`Program::values`], [`Program::vjp`],
/// [`Program::jacobian`]). `f` returns any `impl AsRef<[ReplayVar]>`: a `Vec`, an array, a
/// `DVector`.
///
/// ```
/// use diffprog_reverse::replay::record_vector;
/// use diffprog_dual::Scalar;
///
/// let mut p = record_vector(|x| vec![x[0] * x[1], x[0].exp()], &[1.0, 1.0]);
/// let (y, j) = p.jacobian(&[2.0, 3.0]).unwrap();
/// assert_eq!(y, vec![6.0, 2.0_f64.exp()]);
/// assert_eq!(j.row(0).iter().copied().collect::<Vec<_>>(), vec![3.0, 2.0]);
/// ```
///
/// # Panics
/// As [`record`].
pub fn record_vector<V: AsRef<[ReplayVar]>>(
    f: impl FnOnce(&[ReplayVar]) -> V,
    x0: impl AsRef<[f64]>,
) -> Program {
    let x0 = x0.as_ref();
    let _level = DriverLevel::<ReplayVar>::enter("reverse::replay::record");
    let id = recorder::start(x0.len());
    let end = recorder::EndOnDrop;
    let inputs: Vec<ReplayVar> = x0
        .iter()
        .enumerate()
        .map(|(i, &v)| ReplayVar {
            value: v,
            slot: i as u32,
            recording: id,
        })
        .collect();
    let y = f(&inputs);
    let outputs = y
        .as_ref()
        .iter()
        .map(|v| {
            if v.recording == 0 {
                Operand::Constant(v.value)
            } else if v.recording == id {
                Operand::Slot(v.slot)
            } else {
                recorder::misuse(id, v.recording)
            }
        })
        .collect();
    let recorded = recorder::finish();
    drop(end);
    Program::new(Code::new(recorded, outputs))
}

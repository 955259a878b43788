//! The explicit recording API: record once, take several adjoints; user-defined primitives.

use crate::tape::{misuse, TapeElement};
use crate::Var;
use std::marker::PhantomData;

/// An active recording on this thread's tape for the element type `T`.
///
/// The drivers ([`gradient`](crate::gradient), [`vjp`](crate::vjp), ...) manage a recording for
/// you; use one directly to record a computation once and take several adjoints of it (PyTorch's
/// `backward(weights)`), or to read adjoints of chosen intermediate `Var`s.
///
/// While a `Recording<T>` is alive, operations on its `Var<T>`s are recorded on the thread's tape
/// (see [`Var`] for what is written); dropping it ends the recording (its `Var`s become invalid:
/// using them panics; the memory is kept for the next recording). Only one recording per element
/// type can be active on a thread at a time; starting a second one (or calling a driver at the
/// same element type inside it) panics. That one-per-type rule is also what rejects a reverse
/// driver nested inside another at the same element type (perturbation confusion), so a
/// `Recording` needs no [`DriverLevel`](diffprog_dual::nesting::DriverLevel) of its own.
///
/// A `Recording` that is never dropped (`mem::forget`, `Box::leak`, an `Rc` cycle) never ends:
/// the next recording of its element type on the thread panics saying so, and
/// [`Recording::end_forgotten_recording`] ends it.
///
/// The course lab: z = 2x + sin x and v = 4x + cos x at x = 1, differentiated separately and
/// together from one recording.
/// ```
/// use diffprog_reverse::Recording;
/// use diffprog_dual::Scalar;
///
/// let rec = Recording::<f64>::new();
/// let x = rec.variable(1.0);
/// let z = x * 2.0 + x.sin();
/// let v = x * 4.0 + x.cos();
/// assert_eq!(rec.backward(z).wrt(x), 2.0 + 1.0_f64.cos());
/// assert_eq!(rec.backward(v).wrt(x), 4.0 - 1.0_f64.sin());
/// // backward with weights: d(1·z + 1·v)/dx
/// let both = rec.backward_weighted(&[z, v], &[1.0, 1.0]);
/// assert!((both.wrt(x) - (6.0 + 1.0_f64.cos() - 1.0_f64.sin())).abs() < 1e-15);
/// ```
pub struct Recording<T: TapeElement = f64> {
    generation: u64,
    /// The tape is thread-local: a recording cannot move to another thread.
    _not_send: PhantomData<(*const (), T)>,
}

impl<T: TapeElement> Recording<T> {
    /// Starts a recording on this thread's tape for `T`.
    ///
    /// # Panics
    /// If a recording (or a reverse-mode driver) of the same element type is already active on
    /// this thread.
    pub fn new() -> Self {
        Self::start("Recording::new")
    }

    pub(crate) fn start(driver: &'static str) -> Self {
        if T::with_tape(|t| t.is_active()) {
            let ty = std::any::type_name::<T>();
            panic!(
                "diffprog-reverse: `{driver}` was called while a recording of element type `{ty}` \
                 is already active on this thread: a gradient inside a gradient at the same type, \
                 two `Recording`s at once, or a `Recording` that was forgotten (`mem::forget`, \
                 `Box::leak`, an `Rc` cycle) and so never ended. Nested reverse mode at one \
                 element type is not supported: run the inner gradient at the outer number \
                 type (`diffprog_reverse::gradient_at` on a tape of `Var` elements, lifting \
                 captured numbers with `Var::lift`), or with forward mode \
                 (`diffprog_dual::derivative_at` on `Dual<Var>`), or end the first \
                 recording; a forgotten one is ended by \
                 `Recording::<{ty}>::end_forgotten_recording()`"
            );
        }
        let generation = T::with_tape(|t| t.start());
        Recording {
            generation,
            _not_send: PhantomData,
        }
    }

    /// Ends the recording of element type `T` active on this thread, if any, whether or not its
    /// `Recording` still exists: the way out after a `Recording` was forgotten (`mem::forget`,
    /// `Box::leak`, an `Rc` cycle), which otherwise keeps the thread's tape for `T` busy for
    /// good. The recording's `Var`s become invalid (using them panics), and a `Recording` value
    /// that does still exist ends nothing when dropped. Returns whether a recording was active.
    ///
    /// ```
    /// use diffprog_reverse::{gradient, Recording};
    ///
    /// std::mem::forget(Recording::<f64>::new()); // never dropped: the tape stays busy
    /// assert!(Recording::<f64>::end_forgotten_recording());
    /// assert_eq!(gradient(|x| x[0] * x[0], &[3.0]), (9.0, vec![6.0]));
    /// ```
    pub fn end_forgotten_recording() -> bool {
        T::with_tape(|t| t.end_active())
    }

    /// A new independent variable with value `x`.
    pub fn variable(&self, x: T) -> Var<T> {
        T::with_tape(|t| t.leaf(x))
    }

    /// New independent variables, one per value.
    pub fn variables(&self, xs: &[T]) -> Vec<Var<T>> {
        T::with_tape(|t| xs.iter().map(|&x| t.leaf(x)).collect())
    }

    /// Runs `f` on fresh variables with the values `xs`, lent as a slice from a buffer that is
    /// reused across recordings (no allocation after warm-up).
    pub(crate) fn with_variables<R>(
        &self,
        xs: impl ExactSizeIterator<Item = T>,
        f: impl FnOnce(&[Var<T>]) -> R,
    ) -> R {
        let buf: Vec<Var<T>> = T::with_tape(|t| t.take_inputs(xs));
        let r = f(&buf);
        T::with_tape(|t| *t.inputs = buf);
        r
    }

    /// The number of records so far: one per input, per retained value, and per operation that
    /// met more than two records (other operations carry their partials inline, see
    /// [`crate::preaccumulate`]).
    pub fn len(&self) -> usize {
        T::with_tape(|t| t.len()) - 1
    }

    /// True if nothing has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The adjoints of everything recorded so far with respect to `output` (seed 1): `wrt(v)` is
    /// ∂output/∂v.
    pub fn backward(&self, output: Var<T>) -> Adjoints<T> {
        self.backward_weighted(&[output], &[T::one()])
    }

    /// The adjoints of `Σₖ weights[k] · outputs[k]`: one backward sweep gives the vector–Jacobian
    /// product `wᵀJ` (PyTorch's `backward(weights)` on several outputs).
    ///
    /// # Panics
    /// If the lengths differ, or an output belongs to another recording.
    pub fn backward_weighted(&self, outputs: &[Var<T>], weights: &[T]) -> Adjoints<T> {
        assert_eq!(
            outputs.len(),
            weights.len(),
            "Recording::backward_weighted: {} outputs but {} weights; give one weight per output",
            outputs.len(),
            weights.len()
        );
        T::with_tape(|t| {
            t.sweep(outputs.iter().copied().zip(weights.iter().copied()));
            Adjoints {
                generation: self.generation,
                values: t.adjoints().to_vec(),
            }
        })
    }
}

impl<T: TapeElement> Default for Recording<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: TapeElement> Drop for Recording<T> {
    fn drop(&mut self) {
        T::with_tape(|t| t.end(self.generation));
    }
}

/// The adjoints from one backward sweep of a [`Recording`]: `wrt(v)` reads ∂(seeded outputs)/∂v
/// for any `Var` of that recording (input or intermediate).
#[derive(Clone, Debug)]
pub struct Adjoints<T = f64> {
    generation: u64,
    values: Vec<T>,
}

impl<T: TapeElement> Adjoints<T> {
    /// The adjoint of `v`: ∂(seeded outputs)/∂v. Zero for a constant.
    ///
    /// `v` must be the value of a tape record: an input ([`Recording::variable`]) or an
    /// intermediate passed through [`Var::retain_adjoint`] when it was made. (Other
    /// intermediates carry their partials inline and have no adjoint of their own, as PyTorch
    /// keeps `.grad` only for leaves unless asked.) Precisely: this reads the adjoint of the
    /// record `v` depends on with partial exactly 1, so a value equal to a record up to a
    /// constant shift (`x + c`) reads that record's adjoint (here, x's).
    ///
    /// # Panics
    /// If `v` belongs to another recording, or is an intermediate without a record of its own.
    pub fn wrt(&self, v: Var<T>) -> T {
        if v.generation == 0 {
            return T::zero();
        }
        if v.generation != self.generation {
            misuse::<T>(self.generation, v.generation);
        }
        let Some(index) = v.own_record() else {
            panic!(
                "diffprog-reverse: Adjoints::wrt was given an intermediate Var that has no tape \
                 record of its own (its partials were folded into the values computed from it). \
                 Adjoints are kept for inputs and for values passed through \
                 `Var::retain_adjoint()` when they are made (like PyTorch's `retain_grad`)"
            )
        };
        self.values
            .get(index as usize)
            .copied()
            .unwrap_or_else(T::zero)
    }

    /// The adjoints of several `Var`s.
    pub fn wrt_all(&self, vs: &[Var<T>]) -> Vec<T> {
        vs.iter().map(|&v| self.wrt(v)).collect()
    }
}

impl<T: TapeElement> Var<T> {
    /// A user-defined primitive: a `Var` with the given `value` whose partial derivative with
    /// respect to each parent is given. The partials are chained into the parents' like any
    /// operation's (see [`Var`]; a record is written only where more than two records meet).
    /// Constant parents are ignored; with none, the result is a constant.
    ///
    /// This is how a function the tape cannot see into — a special function from another crate,
    /// a solver with an analytic derivative, a block computed elsewhere (e.g. a tensor kernel) —
    /// enters a recording. It is also a way to make a hot expression cheaper: with one or two
    /// parents (a slice literal), `custom` costs one unary or binary operation, whatever the
    /// work inside (a Rosenbrock term `100 (y − x²)² + (1 − x)²` with its two partials written
    /// by hand records as fast as `x · y`).
    ///
    /// `custom` is the tape's lower-level form, for reverse mode only: the caller computes the
    /// value and the partials. To write a function once for **every** mode — forward, second
    /// order, reverse, the Hessian tapes, nn's tensors — describe it by its value and
    /// derivatives as a [`UnaryPrimitive`](diffprog_dual::custom::UnaryPrimitive) (or
    /// [`BinaryPrimitive`](diffprog_dual::custom::BinaryPrimitive)) and call
    /// [`Scalar::custom_unary`](diffprog_dual::Scalar::custom_unary) (or
    /// [`custom_binary`](diffprog_dual::Scalar::custom_binary)); on a `Var` it records one
    /// operation, as `custom` with one or two parents does (see [`diffprog_dual::custom`]).
    ///
    /// ```
    /// use diffprog_reverse::{gradient, Var};
    /// use diffprog_dual::Scalar;
    ///
    /// /// The Bessel function J₀ from a plain-f64 library, with J₀' = −J₁.
    /// fn bessel_j0(x: Var) -> Var {
    ///     let v = x.primal();
    ///     Var::custom(libm::j0(v), &[(x, -libm::j1(v))])
    /// }
    /// let (value, g) = gradient(|x: &[Var]| bessel_j0(x[0]) * x[1], &[1.5, 2.0]);
    /// assert_eq!(value, libm::j0(1.5) * 2.0);
    /// assert_eq!(g, vec![-libm::j1(1.5) * 2.0, libm::j0(1.5)]);
    /// ```
    ///
    /// # Panics
    /// If a parent belongs to another recording or none is active.
    #[inline(always)]
    pub fn custom(value: T, parents: &[(Var<T>, T)]) -> Var<T> {
        // One or two parents (the length is known once inlined, for a literal slice) are exactly
        // a unary or binary operation; more are chained in one by one, each like an operand
        // (which checks its recording).
        match *parents {
            [] => Var::lift(value),
            [(p, d)] => p.record1(value, d),
            [(p, dp), (q, dq)] => p.record2(q, value, dp, dq),
            _ => {
                let mut result = Var::lift(value);
                for &(p, d) in parents {
                    result = result.record2(p, value, T::one(), d);
                }
                result
            }
        }
    }
}

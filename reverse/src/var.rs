//! [`Var`]: the reverse-mode number. Each operation on `Var`s chains its local partials into its
//! operands' (see [`crate::preaccumulate`]), writing a record to the thread's tape for the
//! element type only where more than two records meet; operations between constants record
//! nothing.

use crate::tape::{misuse, pack, unpack, TapeElement, SINK};
use diffprog_dual::custom::{self, BinaryPrimitive, UnaryPrimitive};
use diffprog_dual::{rules, Number, Real, Scalar};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A reverse-mode number: a value of type `T` and, unless it is a constant, its partial
/// derivatives with respect to (at most two) tape records.
///
/// `Var` is `Copy` and `'static` (40 bytes for `T = f64`): it holds no reference to the tape,
/// only its value, two record indices with a partial each, and the id of the recording it
/// belongs to (0 for a constant). Every arithmetic operation and elementary function on a
/// non-constant `Var` computes its local partial derivatives from [`rules`] and chains them into
/// its operands' partials; when the result would depend on more than two records, it appends
/// one record — parent indices and partials — to the tape of the current thread for the element
/// type `T` and depends on that record instead (see [`crate::preaccumulate`]). Inputs are
/// records. Constants ([`Scalar::constant`], `T::zero()`, values that do not depend on any
/// variable) never record anything.
///
/// A `Var` is only meaningful inside the recording that created it: the drivers
/// ([`gradient`](crate::gradient), [`vjp`](crate::vjp), [`jacobian`](crate::jacobian), the mixed
/// mode) and an explicit [`Recording`](crate::Recording). Any operation on it afterwards, in
/// another recording or on another thread panics with a message saying so; reading its value
/// ([`primal`](Self::primal), [`Scalar::value`], comparisons, formatting) stays allowed, since
/// a value carries no derivative.
///
/// ```
/// use diffprog_reverse::{gradient, Var};
/// use diffprog_dual::Scalar;
///
/// // f(x, y) = x·y + sin x
/// let (value, grad) = gradient(|v: &[Var]| v[0] * v[1] + v[0].sin(), &[0.5, 4.2]);
/// assert_eq!(value, 0.5 * 4.2 + 0.5_f64.sin());
/// assert_eq!(grad, vec![4.2 + 0.5_f64.cos(), 0.5]);
/// ```
#[derive(Clone, Copy)]
pub struct Var<T = f64> {
    pub(crate) value: T,
    /// The (at most two) tape records the value depends on, packed (see
    /// [`pack`]); [`SINK`] marks an unused slot, 0 a constant.
    pub(crate) nodes: u64,
    /// ∂value/∂(record in each slot); meaningless for an unused slot.
    pub(crate) partials: [T; 2],
    /// The recording id; 0 for a constant.
    pub(crate) generation: u64,
}

impl<T: TapeElement> Var<T> {
    /// A constant of the element type `T` (records nothing; its adjoint is always zero).
    #[inline(always)]
    pub fn lift(value: T) -> Self {
        Var {
            value,
            nodes: 0,
            partials: [T::zero(), T::zero()],
            generation: 0,
        }
    }

    /// The value of record `index` of recording `gen`.
    #[inline(always)]
    pub(crate) fn node(value: T, index: u32, generation: u64) -> Self {
        Var {
            value,
            nodes: pack(index, SINK),
            partials: [T::one(), T::zero()],
            generation,
        }
    }

    /// The value, of the tape's element type `T` (for `Var<Dual<f64>>` a `Dual<f64>`;
    /// [`Scalar::value`] gives the innermost `f64`).
    #[inline(always)]
    pub fn primal(&self) -> T {
        self.value
    }

    /// True if this `Var` is a constant (depends on no variable).
    #[inline(always)]
    pub fn is_constant(&self) -> bool {
        self.generation == 0
    }

    /// The index of this `Var`'s own tape record, if it is the value of a record: an input, a
    /// [`retain_adjoint`](Self::retain_adjoint) result, or a result that needed a record (see
    /// [`Var`]). `None` for a constant and for an intermediate that carries its partials
    /// inline. Indices grow in recording order; useful to relate a `Var` to
    /// [`Recording::len`](crate::Recording::len).
    pub fn tape_index(&self) -> Option<usize> {
        self.own_record().map(|i| i as usize)
    }

    /// Panics unless this `Var` is a constant or belongs to the active recording of its element
    /// type on this thread, with the message the operations give. Every operation checks its
    /// operands; this is for code that takes `Var`s without operating on them yet and wants a
    /// misuse reported where it happens — a bridge to another tape, say.
    ///
    /// ```should_panic
    /// use diffprog_reverse::Recording;
    ///
    /// let rec = Recording::<f64>::new();
    /// let x = rec.variable(2.0);
    /// x.assert_in_active_recording(); // fine
    /// drop(rec);
    /// x.assert_in_active_recording(); // panics: "used after its recording ended"
    /// ```
    pub fn assert_in_active_recording(&self) {
        let active = T::active_recording();
        if self.generation != 0 && self.generation != active {
            misuse::<T>(active, self.generation);
        }
    }

    /// The record whose value this is (one entry with partial exactly 1).
    pub(crate) fn own_record(&self) -> Option<u32> {
        let [first, second] = unpack(self.nodes);
        // (`==` on nested numbers compares primal values only: require exactly 1.)
        (self.generation != 0
            && second == SINK
            && (self.partials[0] - T::one()).is_identically_zero())
        .then_some(first)
    }

    /// The records this value depends on, with the partial derivative with respect to each.
    #[inline]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u32, T)> + use<T> {
        let nodes = unpack(self.nodes);
        let partials = self.partials;
        (0..2)
            .filter(move |&k| nodes[k] != SINK)
            .map(move |k| (nodes[k], partials[k]))
    }

    /// The same value as a record of its own, so that its adjoint can be read with
    /// [`Adjoints::wrt`](crate::Adjoints::wrt) (PyTorch's `retain_grad`). Intermediate values
    /// usually carry their partials inline instead of a record (see [`Var`]); this writes one
    /// record (with the value's entries as parents). Constants are returned unchanged.
    ///
    /// ```
    /// use diffprog_reverse::Recording;
    /// use diffprog_dual::Scalar;
    ///
    /// let rec = Recording::<f64>::new();
    /// let x = rec.variable(0.5);
    /// let s = x.sin().retain_adjoint(); // keep s's adjoint
    /// let y = s * s * 3.0;
    /// let adj = rec.backward(y);
    /// assert_eq!(adj.wrt(s), 6.0 * 0.5_f64.sin()); // ∂y/∂s
    /// assert_eq!(adj.wrt(x), 6.0 * 0.5_f64.sin() * 0.5_f64.cos()); // ∂y/∂x
    /// ```
    ///
    /// # Panics
    /// If the `Var` belongs to a recording that is not active.
    pub fn retain_adjoint(self) -> Self {
        if self.generation == 0 {
            return self;
        }
        let active = T::active_recording();
        if self.generation != active {
            misuse::<T>(active, self.generation);
        }
        // Always a new record: a Var with one entry of partial 1 may be another value's record
        // (`0 − (0 − x)` carries x's record with partial 1), whose adjoint is not this value's.
        let [n0, n1] = unpack(self.nodes);
        let d1 = if n1 == SINK {
            T::zero()
        } else {
            self.partials[1]
        };
        let (zero, parents) = (T::zero(), [pack(n0, n1), 0]);
        let index = T::record(parents, self.partials[0], d1, zero, zero);
        Var::node(self.value, index, self.generation)
    }

    /// A unary operation with value `value` and local partial `d` (∂value/∂self); a constant
    /// if `self` is one.
    #[inline(always)]
    pub(crate) fn record1(self, value: T, d: T) -> Self {
        self.unary_op(value, |x| T::unary(x, value, d))
    }

    /// A unary operation whose local partial is the primal constant `c` (`x · c`, `x / c`):
    /// the partials are scaled by `c` (for dual-number elements, cheaper than multiplying by
    /// the dual constant `c + 0ε`).
    #[inline(always)]
    fn scaled<F: Real>(self, value: T, c: F) -> Self
    where
        T: Scalar<F>,
    {
        if c.is_finite() && c != F::zero() {
            self.unary_op(value, |x| x.chained(value, |p| p * c))
        } else {
            // The chain rule's product: a zero `c` (or a zero partial times an infinite `c`)
            // gives exactly zero.
            let c = T::constant(c);
            self.unary_op(value, |x| x.chained(value, |p| p.strong_zero_mul(c)))
        }
    }

    /// A unary operation with local partial 1 (`x + c`, `x − c`): the same partials, a new value.
    /// Checked like every operation, so a `Var` of an ended recording cannot pass through it
    /// unnoticed.
    #[inline(always)]
    fn shifted(self, value: T) -> Self {
        self.unary_op(value, |x| Var { value, ..x })
    }

    /// A unary operation with local partial −1 (`−x`, `c − x`).
    #[inline(always)]
    fn negated(self, value: T) -> Self {
        self.unary_op(value, |x| x.chained(value, |p| -p))
    }

    /// The result with value `value` whose partials are this variable's mapped by `chain`.
    #[inline(always)]
    fn chained(self, value: T, chain: impl Fn(T) -> T) -> Self {
        Var {
            value,
            partials: [chain(self.partials[0]), chain(self.partials[1])],
            ..self
        }
    }

    /// A unary operation: `op(self)` for a variable of the active recording, a constant with
    /// value `value` for a constant; panics for a `Var` of another recording.
    ///
    /// One comparison with the active recording's id decides both "variable of this
    /// recording" and "constant while no recording is active"; in the latter case `op` chains
    /// the constant's meaningless partials, which are never read (a constant has no entries).
    #[inline(always)]
    fn unary_op(self, value: T, op: impl FnOnce(Self) -> Self) -> Self {
        let active = T::active_recording();
        if self.generation == active {
            op(self)
        } else if self.generation == 0 {
            constant_path();
            Var::lift(value)
        } else {
            misuse::<T>(active, self.generation)
        }
    }

    /// A binary operation (value, ∂/∂self, ∂/∂other); unary or constant when an operand is
    /// constant. As in [`record1`](Self::record1), the common case — both operands of the
    /// active recording — costs one comparison.
    #[inline(always)]
    pub(crate) fn record2(self, other: Self, value: T, d_self: T, d_other: T) -> Self {
        match Self::operands(self, other) {
            Operands::Both => T::binary(self, other, value, d_self, d_other),
            Operands::First => T::unary(self, value, d_self),
            Operands::Second => T::unary(other, value, d_other),
        }
    }

    /// Which operands of a binary operation are variables, checking that they belong to the
    /// active recording (panics otherwise). `Both` also covers two constants: the merge of two
    /// constants is a constant.
    #[inline(always)]
    fn operands(a: Self, b: Self) -> Operands {
        // Ordered for the common cases: two variables (two comparisons), or a constant known at
        // compile time and a variable (the checks on the constant fold away).
        let active = T::active_recording();
        if a.generation == b.generation {
            if a.generation == active {
                return Operands::Both;
            }
            if a.generation == 0 {
                constant_path();
                return Operands::Both;
            }
        } else if b.generation == 0 {
            if a.generation == active {
                return Operands::First;
            }
        } else if a.generation == 0 && b.generation == active {
            return Operands::Second;
        }
        misuse::<T>(
            active,
            if a.generation != active {
                a.generation
            } else {
                b.generation
            },
        )
    }

    /// Applies a unary rule `(f(x), f'(x))` from [`rules`].
    #[inline(always)]
    fn rule1(self, (value, d): (T, T)) -> Self {
        self.record1(value, d)
    }

    /// Applies a binary rule `(f(x, y), ∂f/∂x, ∂f/∂y)` from [`rules`].
    ///
    /// A local partial that is exactly zero — `max` and `min` away from a tie select one operand,
    /// `hypot` at the origin — contributes nothing to any adjoint (the strong-zero rule), so the
    /// result carries only the other operand's entries: a running maximum `a = a.max(x)` then
    /// stays the entries of the current maximum instead of writing a record per step. Both
    /// operands are still checked against the active recording.
    #[inline(always)]
    fn rule2(self, other: Self, (value, dx, dy): (T, T, T)) -> Self {
        match Self::operands(self, other) {
            Operands::Both if dy.is_identically_zero() => T::unary(self, value, dx),
            Operands::Both if dx.is_identically_zero() => T::unary(other, value, dy),
            Operands::Both => T::binary(self, other, value, dx, dy),
            Operands::First => T::unary(self, value, dx),
            Operands::Second => T::unary(other, value, dy),
        }
    }
}

/// Marks the path it is called on as unlikely (operations whose operands are all constants), so
/// that the compiler tests "variable of the active recording" first.
#[cold]
#[inline(always)]
fn constant_path() {}

/// See [`Var::operands`].
enum Operands {
    Both,
    First,
    Second,
}

impl<T: TapeElement> fmt::Display for Var<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<T: TapeElement> fmt::Debug for Var<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.generation == 0 {
            write!(f, "Var({:?}, constant)", self.value)
        } else {
            let entries: Vec<(u32, T)> = self.entries().collect();
            write!(
                f,
                "Var({:?}, partials {:?} on records of recording {})",
                self.value, entries, self.generation
            )
        }
    }
}

impl<T: TapeElement> Add for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        let value = self.value + rhs.value;
        match Self::operands(self, rhs) {
            Operands::Both => T::add_variables(self, rhs, value),
            // x + c has the same partials as x.
            Operands::First => Var { value, ..self },
            Operands::Second => Var { value, ..rhs },
        }
    }
}

impl<T: TapeElement> Sub for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        let value = self.value - rhs.value;
        match Self::operands(self, rhs) {
            Operands::Both => T::subtract_variables(self, rhs, value),
            Operands::First => Var { value, ..self },
            Operands::Second => rhs.negated(value),
        }
    }
}

impl<T: TapeElement> Mul for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        self.record2(rhs, self.value * rhs.value, rhs.value, self.value)
    }
}

impl<T: TapeElement> Div for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        // The value is the plain quotient (bit-identical to evaluating on T).
        let q = self.value / rhs.value;
        let inv = T::one() / rhs.value;
        self.record2(rhs, q, inv, -(q * inv))
    }
}

impl<T: TapeElement> Neg for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.negated(-self.value)
    }
}

impl<F: Real, T: TapeElement + Scalar<F>> Add<F> for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: F) -> Self {
        // Same partials as `self`: no record, but the recording is checked as for any operation.
        let value = self.value + rhs;
        self.shifted(value)
    }
}

impl<F: Real, T: TapeElement + Scalar<F>> Sub<F> for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: F) -> Self {
        let value = self.value - rhs;
        self.shifted(value)
    }
}

impl<F: Real, T: TapeElement + Scalar<F>> Mul<F> for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: F) -> Self {
        self.scaled(self.value * rhs, rhs)
    }
}

impl<F: Real, T: TapeElement + Scalar<F>> Div<F> for Var<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: F) -> Self {
        self.scaled(self.value / rhs, F::one() / rhs)
    }
}

diffprog_dual::forward_number_boilerplate!([T: TapeElement] [F: Real, T: TapeElement + Scalar<F>] Var<T>, value);
diffprog_dual::float_lhs_operators!([T: TapeElement + Scalar<f64>] Var<T>, f64);
diffprog_dual::float_lhs_operators!([T: TapeElement + Scalar<f32>] Var<T>, f32);

impl<T: TapeElement> Number for Var<T> {
    type Primal = T::Primal;
    #[inline(always)]
    fn zero() -> Self {
        Var::lift(T::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Var::lift(T::one())
    }
    /// True for a constant whose value is identically zero (a variable may have a non-zero
    /// derivative even where its value is 0).
    #[inline(always)]
    fn is_identically_zero(&self) -> bool {
        self.generation == 0 && self.value.is_identically_zero()
    }
    #[inline(always)]
    fn derivative_parts_are_zero(&self) -> bool {
        self.generation == 0 && self.value.derivative_parts_are_zero()
    }
    /// The product with a strong zero in the value too (where `Var`s are the parts of a nested
    /// number, `Dual<Var>`): the value is the element type's strong product, the partials those
    /// of `x · y`.
    #[inline(always)]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        let value = self.value.strong_zero_mul(rhs.value);
        self.record2(rhs, value, rhs.value, self.value)
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.value.has_finite_nonzero_primal()
    }
}

/// The elementary functions of the list ([`diffprog_dual::elementary_functions!`]): a constant
/// argument computes the plain function, a variable one records the rule's partials.
macro_rules! elementary_functions {
    (
        ()
        unary: [$($unary:ident),*],
        binary: [$($binary:ident),*],
        parametric: [$($parametric:ident($arg:ident: $ty:ty)),*],
    ) => {
        $(
            #[inline]
            fn $unary(self) -> Self {
                if self.generation == 0 {
                    constant_path();
                    Var::lift(Scalar::<F>::$unary(self.value))
                } else {
                    self.rule1(rules::$unary(self.value))
                }
            }
        )*
        // Binary elementary functions (rules giving both partials), forced inline like the
        // operators: each holds a merge (and possibly a record push), which LLVM otherwise keeps
        // out of line once a crate calls the function in a few places, passing the `Var`s through
        // memory (`benches/PERFORMANCE.md`, "Compound assignment").
        $(
            #[inline(always)]
            fn $binary(self, other: Self) -> Self {
                if self.generation == 0 && other.generation == 0 {
                    constant_path();
                    Var::lift(Scalar::<F>::$binary(self.value, other.value))
                } else {
                    self.rule2(other, rules::$binary(self.value, other.value))
                }
            }
        )*
        $(
            #[inline]
            fn $parametric(self, $arg: $ty) -> Self {
                if self.generation == 0 {
                    Var::lift(self.value.$parametric($arg))
                } else {
                    self.rule1(rules::$parametric(self.value, $arg))
                }
            }
        )*
    };
}

impl<F: Real, T: TapeElement + Scalar<F>> Scalar<F> for Var<T> {
    #[inline(always)]
    fn constant(value: F) -> Self {
        Var::lift(T::constant(value))
    }
    #[inline(always)]
    fn value(&self) -> F {
        self.value.value()
    }

    diffprog_dual::elementary_functions!(elementary_functions!());

    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        let (s, c) = self.value.sin_cos();
        if self.generation == 0 {
            (Var::lift(s), Var::lift(c))
        } else {
            (self.record1(s, c), self.record1(c, -s))
        }
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    /// One operation: the value and the partial are the primitive's derivatives of orders
    /// `order` and `order + 1` at the element type `T` (see [`diffprog_dual::custom`]).
    #[inline]
    fn custom_unary_derivative(
        self,
        primitive: &dyn UnaryPrimitive<F>,
        order: usize,
        number_type: &'static str,
    ) -> Self {
        if self.generation == 0 {
            Var::lift(
                self.value
                    .custom_unary_derivative(primitive, order, number_type),
            )
        } else {
            self.rule1(custom::unary_rule(
                primitive,
                order,
                number_type,
                self.value,
            ))
        }
    }
    /// One operation, as [`custom_unary_derivative`](Scalar::custom_unary_derivative), with
    /// both partials.
    #[inline]
    fn custom_binary_partial(
        self,
        other: Self,
        primitive: &dyn BinaryPrimitive<F>,
        orders: (usize, usize),
        number_type: &'static str,
    ) -> Self {
        if self.generation == 0 && other.generation == 0 {
            Var::lift(
                self.value
                    .custom_binary_partial(other.value, primitive, orders, number_type),
            )
        } else {
            self.rule2(
                other,
                custom::binary_rule(primitive, orders, number_type, self.value, other.value),
            )
        }
    }
    /// One primitive: the partials (the other operand's values) are written three per record
    /// (see [`crate::wide`]).
    #[inline]
    fn dot(a: &[Self], b: &[Self]) -> Self {
        Var::dot_primitive(a, b)
    }
    /// One primitive: the partials (the softmax) are written three per record.
    #[inline]
    fn logsumexp(xs: &[Self]) -> Self {
        Var::logsumexp_primitive(xs)
    }
    /// Each term is differentiated as soon as it is recorded and its records discarded; the sum
    /// is one primitive over the records its terms reached (see [`crate::wide`]).
    #[inline]
    fn sum_of(n: usize, term: impl FnMut(usize) -> Self) -> Self {
        Var::sum_of_primitive(n, term)
    }
}

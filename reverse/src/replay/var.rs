//! [`ReplayVar`]: the number a function is recorded on for replay. Each operation on a recorded
//! value appends one instruction to the thread's recorder; each comparison appends a guard.

use super::guards::{ordering_outcome, Comparison, Operand};
use super::ops::{BinaryFn, Op, Slot, UnaryFn, NO_SLOT};
use super::recorder::{self, active, misuse};
use diffprog_dual::custom::{BinaryPrimitive, UnaryPrimitive};
use diffprog_dual::{Number, Scalar};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::panic::Location;

/// The number type of a recording for replay ([`record`](crate::replay::record)): a value and
/// the slot of the recorded program that holds it (none for a constant).
///
/// Arithmetic and elementary functions on recorded values append instructions; operations on
/// constants only compute (constants are folded into the program). Every comparison of a
/// recorded value (`<`, `<=`, `>`, `>=`, `==`, `!=`, `partial_cmp`, [`Scalar::is_nan`],
/// [`Scalar::is_finite`]) appends a guard with its outcome, so that a replay can tell when the
/// function would branch differently. Branches on [`Scalar::value`] (a plain `f64`) escape the
/// guards: compare the numbers themselves.
///
/// ```
/// use diffprog_reverse::replay::{record, ReplayVar};
/// use diffprog_dual::Scalar;
///
/// let mut program = record(|x: &[ReplayVar]| x[0] * x[1] + x[0].sin(), &[0.5, 4.2]);
/// let (value, grad) = program.gradient(&[1.0, 2.0]).unwrap();
/// assert_eq!(value, 1.0 * 2.0 + 1.0_f64.sin());
/// assert_eq!(grad, vec![2.0 + 1.0_f64.cos(), 1.0]);
/// ```
#[derive(Clone, Copy)]
pub struct ReplayVar {
    pub(crate) value: f64,
    /// The program slot holding the value; [`NO_SLOT`] for a constant.
    pub(crate) slot: Slot,
    /// The recording id; 0 for a constant.
    pub(crate) recording: u64,
}

impl ReplayVar {
    /// A constant (records nothing).
    #[inline]
    pub fn constant(value: f64) -> ReplayVar {
        ReplayVar {
            value,
            slot: NO_SLOT,
            recording: 0,
        }
    }

    /// True if the value does not depend on the inputs.
    #[inline]
    pub fn is_constant(&self) -> bool {
        self.recording == 0
    }

    /// The active recording's id if `self` is one of its variables, 0 if it is a constant;
    /// panics for a variable of another recording.
    #[inline]
    fn checked(self) -> u64 {
        if self.recording == 0 {
            return 0;
        }
        let a = active();
        if self.recording != a {
            misuse(a, self.recording);
        }
        a
    }

    /// A unary instruction (a constant if `self` is one).
    #[inline]
    fn unary(self, op: impl FnOnce(Slot) -> Op, plain: impl FnOnce(f64) -> f64) -> ReplayVar {
        match self.checked() {
            0 => ReplayVar::constant(plain(self.value)),
            id => {
                let op = op(self.slot);
                recorder::push(op, op.value(self.value, 0.0), id)
            }
        }
    }

    /// A binary instruction: `both` for two variables, `first`/`second` when only the
    /// first/second operand is one (the other a constant folded in), `plain` for two constants.
    #[inline]
    fn binary(
        self,
        other: ReplayVar,
        both: impl FnOnce(Slot, Slot) -> Op,
        first: impl FnOnce(Slot, f64) -> Op,
        second: impl FnOnce(f64, Slot) -> Op,
        plain: impl FnOnce(f64, f64) -> f64,
    ) -> ReplayVar {
        let (a, b) = (self.checked(), other.checked());
        let (op, x, y) = match (a, b) {
            (0, 0) => return ReplayVar::constant(plain(self.value, other.value)),
            (_, 0) => (first(self.slot, other.value), self.value, 0.0),
            (0, _) => (second(self.value, other.slot), other.value, 0.0),
            _ => (both(self.slot, other.slot), self.value, other.value),
        };
        recorder::push(op, op.value(x, y), a.max(b))
    }

    /// The slot of a recorded value; for a constant, a `Const` instruction holding it.
    fn materialised(self, id: u64) -> Slot {
        if self.recording == 0 {
            recorder::push(Op::Const(self.value), self.value, id).slot
        } else {
            self.slot
        }
    }

    /// A binary elementary function (constant operands become `Const` instructions).
    #[inline]
    fn binary_fn(self, other: ReplayVar, f: BinaryFn) -> ReplayVar {
        let (a, b) = (self.checked(), other.checked());
        let id = a.max(b);
        if id == 0 {
            let op = Op::Binary(f, 0, 0);
            return ReplayVar::constant(op.value(self.value, other.value));
        }
        let op = Op::Binary(f, self.materialised(id), other.materialised(id));
        recorder::push(op, op.value(self.value, other.value), id)
    }

    /// The comparison's operand for a guard: a slot of the active recording, or a constant (a
    /// constant, or a stale variable whose value is all that is left of it).
    fn operand(self) -> Operand {
        if self.recording != 0 && self.recording == active() {
            Operand::Slot(self.slot)
        } else {
            Operand::Constant(self.value)
        }
    }

    /// Appends a guard if a recorded value takes part in the comparison.
    #[inline]
    fn guard(
        comparison: Comparison,
        lhs: Operand,
        rhs: Operand,
        outcome: i8,
        location: &'static Location<'static>,
    ) {
        if matches!(lhs, Operand::Slot(_)) || matches!(rhs, Operand::Slot(_)) {
            recorder::guard(comparison, lhs, rhs, outcome, location);
        }
    }

    /// `self <comparison> other` (one of `<`, `<=`, `>`, `>=`), recorded as a guard with the
    /// caller's location.
    #[track_caller]
    #[inline]
    fn ordered(&self, comparison: Comparison, (operand, value): (Operand, f64)) -> bool {
        let outcome = comparison.outcome(self.value, value);
        ReplayVar::guard(
            comparison,
            self.operand(),
            operand,
            outcome,
            Location::caller(),
        );
        outcome == 1
    }
}

/// The operand of the right-hand side of a comparison with another `ReplayVar`, with its value.
fn rhs_of(other: &ReplayVar) -> (Operand, f64) {
    (other.operand(), other.value)
}

macro_rules! comparison {
    ($rhs:ty, $to_operand:expr) => {
        impl PartialEq<$rhs> for ReplayVar {
            /// Compares values; records a guard (see [`ReplayVar`]).
            #[track_caller]
            #[inline]
            fn eq(&self, other: &$rhs) -> bool {
                let (operand, value): (Operand, f64) = $to_operand(other);
                let outcome = Comparison::Eq.outcome(self.value, value);
                ReplayVar::guard(
                    Comparison::Eq,
                    self.operand(),
                    operand,
                    outcome,
                    Location::caller(),
                );
                outcome == 1
            }
        }

        impl PartialOrd<$rhs> for ReplayVar {
            /// Compares values; records a guard (see [`ReplayVar`]).
            #[track_caller]
            #[inline]
            fn partial_cmp(&self, other: &$rhs) -> Option<Ordering> {
                let (operand, value): (Operand, f64) = $to_operand(other);
                let ordering = self.value.partial_cmp(&value);
                ReplayVar::guard(
                    Comparison::PartialCmp,
                    self.operand(),
                    operand,
                    ordering_outcome(ordering),
                    Location::caller(),
                );
                ordering
            }
            #[track_caller]
            #[inline]
            fn lt(&self, other: &$rhs) -> bool {
                self.ordered(Comparison::Lt, $to_operand(other))
            }
            #[track_caller]
            #[inline]
            fn le(&self, other: &$rhs) -> bool {
                self.ordered(Comparison::Le, $to_operand(other))
            }
            #[track_caller]
            #[inline]
            fn gt(&self, other: &$rhs) -> bool {
                self.ordered(Comparison::Gt, $to_operand(other))
            }
            #[track_caller]
            #[inline]
            fn ge(&self, other: &$rhs) -> bool {
                self.ordered(Comparison::Ge, $to_operand(other))
            }
        }
    };
}

comparison!(ReplayVar, rhs_of);
comparison!(f64, |c: &f64| (Operand::Constant(*c), *c));

impl fmt::Display for ReplayVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl fmt::Debug for ReplayVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.recording == 0 {
            write!(f, "ReplayVar({:?}, constant)", self.value)
        } else {
            write!(
                f,
                "ReplayVar({:?}, slot {} of recording {})",
                self.value, self.slot, self.recording
            )
        }
    }
}

impl Add for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn add(self, rhs: ReplayVar) -> ReplayVar {
        self.binary(
            rhs,
            Op::Add,
            Op::AddConst,
            |c, b| Op::AddConst(b, c),
            |a, b| a + b,
        )
    }
}

impl Sub for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn sub(self, rhs: ReplayVar) -> ReplayVar {
        self.binary(
            rhs,
            Op::Sub,
            |a, c| Op::AddConst(a, -c),
            Op::ConstSub,
            |a, b| a - b,
        )
    }
}

impl Mul for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn mul(self, rhs: ReplayVar) -> ReplayVar {
        self.binary(
            rhs,
            Op::Mul,
            Op::MulConst,
            |c, b| Op::MulConst(b, c),
            |a, b| a * b,
        )
    }
}

impl Div for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn div(self, rhs: ReplayVar) -> ReplayVar {
        self.binary(rhs, Op::Div, Op::DivConst, Op::ConstDiv, |a, b| a / b)
    }
}

impl Neg for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn neg(self) -> ReplayVar {
        self.unary(Op::Neg, |a| -a)
    }
}

impl Add<f64> for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn add(self, rhs: f64) -> ReplayVar {
        self + ReplayVar::constant(rhs)
    }
}

impl Sub<f64> for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn sub(self, rhs: f64) -> ReplayVar {
        self - ReplayVar::constant(rhs)
    }
}

impl Mul<f64> for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn mul(self, rhs: f64) -> ReplayVar {
        self * ReplayVar::constant(rhs)
    }
}

impl Div<f64> for ReplayVar {
    type Output = ReplayVar;
    #[inline]
    fn div(self, rhs: f64) -> ReplayVar {
        self / ReplayVar::constant(rhs)
    }
}

impl Default for ReplayVar {
    fn default() -> Self {
        ReplayVar::constant(0.0)
    }
}

impl std::iter::Sum for ReplayVar {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a ReplayVar> for ReplayVar {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + *b)
    }
}

impl std::iter::Product for ReplayVar {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(ReplayVar::constant(1.0), |a, b| a * b)
    }
}

impl<'a> std::iter::Product<&'a ReplayVar> for ReplayVar {
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(ReplayVar::constant(1.0), |a, b| a * *b)
    }
}

macro_rules! assign_operators {
    ($($trait:ident $method:ident $op:tt),*) => {
        $(
            impl std::ops::$trait for ReplayVar {
                #[inline]
                fn $method(&mut self, rhs: ReplayVar) {
                    *self = *self $op rhs;
                }
            }
            impl std::ops::$trait<f64> for ReplayVar {
                #[inline]
                fn $method(&mut self, rhs: f64) {
                    *self = *self $op rhs;
                }
            }
        )*
    };
}

assign_operators!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

diffprog_dual::float_lhs_operators!([] ReplayVar, f64);

impl Number for ReplayVar {
    type Primal = f64;
    #[inline]
    fn zero() -> Self {
        ReplayVar::constant(0.0)
    }
    #[inline]
    fn one() -> Self {
        ReplayVar::constant(1.0)
    }
    #[inline]
    fn is_identically_zero(&self) -> bool {
        self.recording == 0 && self.value == 0.0
    }
    #[inline]
    fn derivative_parts_are_zero(&self) -> bool {
        self.recording == 0
    }
    /// The product (recorded as `·`; the strong zero applies to the value at the recording
    /// point only).
    #[inline]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        if self.recording == 0 && rhs.recording == 0 {
            ReplayVar::constant(self.value.strong_zero_mul(rhs.value))
        } else {
            self * rhs
        }
    }
    #[inline]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.value.has_finite_nonzero_primal()
    }
}

/// The elementary functions of the list: one instruction each.
macro_rules! replay_functions {
    (
        ()
        unary: [$($unary:ident),*],
        binary: [$($binary:ident),*],
        parametric: [$($parametric:tt)*],
    ) => {
        $(
            #[inline]
            fn $unary(self) -> Self {
                self.unary(|a| Op::Unary(UnaryFn::$unary, a), Scalar::<f64>::$unary)
            }
        )*
        $(
            #[inline]
            fn $binary(self, other: Self) -> Self {
                self.binary_fn(other, BinaryFn::$binary)
            }
        )*
    };
}

impl Scalar<f64> for ReplayVar {
    #[inline]
    fn constant(value: f64) -> Self {
        ReplayVar::constant(value)
    }
    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    diffprog_dual::elementary_functions!(replay_functions!());

    #[inline]
    fn powi(self, n: i32) -> Self {
        self.unary(|a| Op::Powi(a, n), |x| x.powi(n))
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        self.unary(|a| Op::Powf(a, p), |x| Scalar::<f64>::powf(x, p))
    }
    #[inline]
    fn log(self, base: f64) -> Self {
        self.unary(|a| Op::Log(a, base), |x| Scalar::<f64>::log(x, base))
    }
    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    /// Guarded like a comparison (the outcome may steer the function).
    #[track_caller]
    fn is_nan(&self) -> bool {
        let outcome = Comparison::IsNan.outcome(self.value, 0.0);
        ReplayVar::guard(
            Comparison::IsNan,
            self.operand(),
            Operand::Constant(0.0),
            outcome,
            Location::caller(),
        );
        outcome == 1
    }
    /// Guarded like a comparison (the outcome may steer the function).
    #[track_caller]
    fn is_finite(&self) -> bool {
        let outcome = Comparison::IsFinite.outcome(self.value, 0.0);
        ReplayVar::guard(
            Comparison::IsFinite,
            self.operand(),
            Operand::Constant(0.0),
            outcome,
            Location::caller(),
        );
        outcome == 1
    }
    /// On constants only: a program cannot hold a custom primitive (a borrowed object).
    fn custom_unary_derivative(
        self,
        primitive: &dyn UnaryPrimitive<f64>,
        order: usize,
        number_type: &'static str,
    ) -> Self {
        if self.recording != 0 {
            no_custom(primitive.name());
        }
        ReplayVar::constant(
            self.value
                .custom_unary_derivative(primitive, order, number_type),
        )
    }
    /// On constants only, as [`custom_unary_derivative`](Scalar::custom_unary_derivative).
    fn custom_binary_partial(
        self,
        other: Self,
        primitive: &dyn BinaryPrimitive<f64>,
        orders: (usize, usize),
        number_type: &'static str,
    ) -> Self {
        if self.recording != 0 || other.recording != 0 {
            no_custom(primitive.name());
        }
        ReplayVar::constant(self.value.custom_binary_partial(
            other.value,
            primitive,
            orders,
            number_type,
        ))
    }
}

#[cold]
#[inline(never)]
fn no_custom(name: &str) -> ! {
    panic!(
        "diffprog-reverse: the custom primitive `{name}` was applied to a recorded value; a \
         program recorded for replay cannot hold custom primitives. Differentiate this function \
         with the recording drivers (`reverse::gradient`, `hessian_vector_product`, ...) instead"
    )
}

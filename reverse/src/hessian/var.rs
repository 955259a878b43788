//! [`HessianVar`]: the reverse-mode number of the [`hessian`](crate::hessian) driver. Its records
//! carry, next to the local partials, the local *second* partials of each operation, so one
//! recording serves every Hessian column (the records: `tape.rs`; the sweeps: `sweep.rs`).

use super::tape::record;
use crate::tape::SINK;
use diffprog_dual::custom::{self, BinaryPrimitive, UnaryPrimitive};
use diffprog_dual::{rules, Dual, DualVec, Number, Scalar};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A reverse-mode number recording first and second local partials: the number type the
/// [`hessian`](crate::hessian) driver evaluates the user function on.
///
/// Like [`Var`](crate::Var) it is `Copy` and `'static` (a value, a record index and a recording
/// id) and implements [`Scalar`], so generic user code runs on it unchanged. Each operation on a
/// variable appends one record to a thread-local tape: its parents, `∂v/∂parent` and the three
/// second partials `∂²v/∂p₀²`, `∂²v/∂p₀∂p₁`, `∂²v/∂p₁²`, all from the single rule table
/// [`rules`] evaluated on dual numbers (`Dual` for unary functions, `DualVec<f64, 2>` for binary
/// ones), so the edge conventions are the same as in every other mode. It only exists inside a
/// `hessian` call; use it through generic functions or closures typed `&[HessianVar]`.
///
/// ```
/// use diffprog_reverse::{hessian, HessianVar};
/// use diffprog_dual::Scalar;
///
/// let (v, g, h) = hessian(|x: &[HessianVar]| x[0] * x[1].sin(), &[2.0, 0.5]);
/// assert_eq!(v, 2.0 * 0.5_f64.sin());
/// assert_eq!(g, vec![0.5_f64.sin(), 2.0 * 0.5_f64.cos()]);
/// assert_eq!(h[(0, 1)], 0.5_f64.cos());
/// assert_eq!(h[(1, 1)], -2.0 * 0.5_f64.sin());
/// ```
#[derive(Clone, Copy)]
pub struct HessianVar {
    pub(crate) value: f64,
    pub(crate) index: u32,
    /// The recording id; 0 for a constant.
    pub(crate) generation: u64,
}

impl HessianVar {
    /// A constant (records nothing).
    #[inline(always)]
    pub fn lift(value: f64) -> Self {
        HessianVar {
            value,
            index: SINK,
            generation: 0,
        }
    }

    /// True if this is a constant (depends on no input).
    #[inline(always)]
    pub fn is_constant(&self) -> bool {
        self.generation == 0
    }

    /// Records a unary operation on a variable: value, first and second derivative.
    #[inline]
    fn unary(self, value: f64, d: f64, h: f64) -> Self {
        let (index, generation) = record(
            [self.index, SINK],
            [self.generation, self.generation],
            [d, 0.0],
            [h, 0.0, 0.0],
        );
        HessianVar {
            value,
            index,
            generation,
        }
    }

    /// Records a binary operation (or a unary one / a constant when an operand is constant).
    #[inline]
    fn binary(self, other: Self, value: f64, d: [f64; 2], h: [f64; 3]) -> Self {
        match (self.generation != 0, other.generation != 0) {
            (true, true) => {
                let (index, generation) = record(
                    [self.index, other.index],
                    [self.generation, other.generation],
                    d,
                    h,
                );
                HessianVar {
                    value,
                    index,
                    generation,
                }
            }
            (true, false) => self.unary(value, d[0], h[0]),
            (false, true) => other.unary(value, d[1], h[2]),
            (false, false) => HessianVar::lift(value),
        }
    }

    /// Applies a unary rule on a variable: `value` is the rule's value on `f64` (so values are
    /// bit-identical to [`Var`](crate::Var)'s), and the rule evaluated on `Dual(x, 1)` gives the
    /// partial f'(x) with tangent f''(x).
    #[inline]
    fn rule1(self, value: f64, rule: impl FnOnce(Dual<f64>) -> (Dual<f64>, Dual<f64>)) -> Self {
        let (_, d) = rule(Dual::variable(self.value));
        self.unary(value, d.re, d.eps)
    }

    /// Applies a binary rule: evaluated on `DualVec<f64, 2>` seeded with both unit vectors, the
    /// partials' tangents are the 2 × 2 Hessian of the operation.
    #[inline]
    fn rule2(
        self,
        other: Self,
        value: f64,
        rule: impl FnOnce(
            DualVec<f64, 2>,
            DualVec<f64, 2>,
        ) -> (DualVec<f64, 2>, DualVec<f64, 2>, DualVec<f64, 2>),
    ) -> Self {
        let (_, dx, dy) = rule(
            DualVec::variable(self.value, 0),
            DualVec::variable(other.value, 1),
        );
        self.binary(
            other,
            value,
            [dx.re, dy.re],
            [dx.eps()[0], dx.eps()[1], dy.eps()[1]],
        )
    }
}

impl fmt::Display for HessianVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl fmt::Debug for HessianVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.generation == 0 {
            write!(f, "HessianVar({:?}, constant)", self.value)
        } else {
            write!(
                f,
                "HessianVar({:?}, record {} of recording {})",
                self.value, self.index, self.generation
            )
        }
    }
}

impl Add for HessianVar {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        let value = self.value + rhs.value;
        match (self.generation != 0, rhs.generation != 0) {
            (true, true) => self.binary(rhs, value, [1.0, 1.0], [0.0; 3]),
            // x + c has the same derivatives as x: share its record.
            (true, false) => HessianVar { value, ..self },
            (false, true) => HessianVar { value, ..rhs },
            (false, false) => HessianVar::lift(value),
        }
    }
}

impl Sub for HessianVar {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        let value = self.value - rhs.value;
        match (self.generation != 0, rhs.generation != 0) {
            (true, false) => HessianVar { value, ..self },
            _ => self.binary(rhs, value, [1.0, -1.0], [0.0; 3]),
        }
    }
}

impl Mul for HessianVar {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        self.binary(
            rhs,
            self.value * rhs.value,
            [rhs.value, self.value],
            [0.0, 1.0, 0.0],
        )
    }
}

impl Div for HessianVar {
    type Output = Self;
    #[inline]
    fn div(self, rhs: Self) -> Self {
        // q = x / y: ∂q/∂x = 1/y, ∂q/∂y = −q/y, the partials every number type's `/` uses; their
        // own derivatives (∂²q/∂x∂y = −1/y², ∂²q/∂y² = 2q/y²) come from evaluating them on dual
        // numbers, as the forward-over-reverse modes do, so the modes agree also where y or q is
        // zero or infinite.
        let q = self.value / rhs.value;
        if self.generation == 0 && rhs.generation == 0 {
            return HessianVar::lift(q);
        }
        self.rule2(rhs, q, |x, y| {
            let (q, inv) = (x / y, y.recip());
            (q, inv, -(q * inv))
        })
    }
}

impl Neg for HessianVar {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        if self.generation == 0 {
            HessianVar::lift(-self.value)
        } else {
            self.unary(-self.value, -1.0, 0.0)
        }
    }
}

impl Add<f64> for HessianVar {
    type Output = Self;
    #[inline]
    fn add(self, rhs: f64) -> Self {
        HessianVar {
            value: self.value + rhs,
            ..self
        }
    }
}

impl Sub<f64> for HessianVar {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: f64) -> Self {
        HessianVar {
            value: self.value - rhs,
            ..self
        }
    }
}

impl Mul<f64> for HessianVar {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: f64) -> Self {
        let value = self.value * rhs;
        if self.generation == 0 {
            HessianVar::lift(value)
        } else {
            self.unary(value, rhs, 0.0)
        }
    }
}

impl Div<f64> for HessianVar {
    type Output = Self;
    #[inline]
    fn div(self, rhs: f64) -> Self {
        let value = self.value / rhs;
        if self.generation == 0 {
            HessianVar::lift(value)
        } else {
            self.unary(value, 1.0 / rhs, 0.0)
        }
    }
}

/// Assignment operators and comparisons with `f64` (the forward types get these from
/// `forward_number_boilerplate!`, which is generic over the float type).
macro_rules! f64_boilerplate {
    ($($tr:ident $method:ident $op:tt),*) => {
        $(
            impl $tr<f64> for HessianVar {
                #[inline]
                fn $method(&mut self, rhs: f64) {
                    *self = *self $op rhs;
                }
            }
            impl $tr for HessianVar {
                #[inline]
                fn $method(&mut self, rhs: Self) {
                    *self = *self $op rhs;
                }
            }
        )*
    };
}
f64_boilerplate!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl PartialEq for HessianVar {
    /// Compares values only (as `<` does).
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl PartialOrd for HessianVar {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}
impl PartialEq<f64> for HessianVar {
    fn eq(&self, other: &f64) -> bool {
        self.value == *other
    }
}
impl PartialOrd<f64> for HessianVar {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.value.partial_cmp(other)
    }
}
impl Default for HessianVar {
    fn default() -> Self {
        HessianVar::lift(0.0)
    }
}
impl std::iter::Sum for HessianVar {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + b)
    }
}
impl<'a> std::iter::Sum<&'a HessianVar> for HessianVar {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(diffprog_dual::sum_start(), |a, b| a + *b)
    }
}
impl std::iter::Product for HessianVar {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(HessianVar::lift(1.0), |a, b| a * b)
    }
}
impl<'a> std::iter::Product<&'a HessianVar> for HessianVar {
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(HessianVar::lift(1.0), |a, b| a * *b)
    }
}
diffprog_dual::float_lhs_operators!([] HessianVar, f64);

impl Number for HessianVar {
    type Primal = f64;
    #[inline(always)]
    fn zero() -> Self {
        HessianVar::lift(0.0)
    }
    #[inline(always)]
    fn one() -> Self {
        HessianVar::lift(1.0)
    }
    /// True for a constant whose value is zero.
    #[inline(always)]
    fn is_identically_zero(&self) -> bool {
        self.generation == 0 && self.value == 0.0
    }
    #[inline(always)]
    fn derivative_parts_are_zero(&self) -> bool {
        self.generation == 0
    }
    /// The product with a strong zero in the value too (see
    /// [`Number::strong_zero_mul`]); the partials are those of `x · y`.
    #[inline]
    fn strong_zero_mul(self, rhs: Self) -> Self {
        self.binary(
            rhs,
            self.value.strong_zero_mul(rhs.value),
            [rhs.value, self.value],
            [0.0, 1.0, 0.0],
        )
    }
    #[inline(always)]
    fn has_finite_nonzero_primal(&self) -> bool {
        self.value.has_finite_nonzero_primal()
    }
}

/// The primal float of `HessianVar`, named `F` for the parametric entries of the list of
/// elementary functions.
type F = f64;

/// The elementary functions of the list ([`diffprog_dual::elementary_functions!`]): a constant
/// argument computes the plain function; a variable one records the rule's value and partials,
/// the partials' derivatives from the rule evaluated on dual numbers.
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
                    HessianVar::lift(Scalar::<f64>::$unary(self.value))
                } else {
                    self.rule1(rules::$unary(self.value).0, rules::$unary)
                }
            }
        )*
        $(
            #[inline]
            fn $binary(self, other: Self) -> Self {
                if self.generation == 0 && other.generation == 0 {
                    HessianVar::lift(Scalar::<f64>::$binary(self.value, other.value))
                } else {
                    self.rule2(other, rules::$binary(self.value, other.value).0, rules::$binary)
                }
            }
        )*
        $(
            #[inline]
            fn $parametric(self, $arg: $ty) -> Self {
                if self.generation == 0 {
                    HessianVar::lift(Scalar::<f64>::$parametric(self.value, $arg))
                } else {
                    self.rule1(rules::$parametric(self.value, $arg).0, |x| {
                        rules::$parametric(x, $arg)
                    })
                }
            }
        )*
    };
}

impl Scalar<f64> for HessianVar {
    #[inline(always)]
    fn constant(value: f64) -> Self {
        HessianVar::lift(value)
    }
    #[inline(always)]
    fn value(&self) -> f64 {
        self.value
    }

    diffprog_dual::elementary_functions!(elementary_functions!());

    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    /// One record: the primitive's derivatives of orders `order`, `order + 1` and `order + 2`
    /// (see [`diffprog_dual::custom`]).
    #[inline]
    fn custom_unary_derivative(
        self,
        primitive: &dyn UnaryPrimitive<f64>,
        order: usize,
        number_type: &'static str,
    ) -> Self {
        let value = self
            .value
            .custom_unary_derivative(primitive, order, number_type);
        if self.generation == 0 {
            HessianVar::lift(value)
        } else {
            self.rule1(value, |x| {
                custom::unary_rule(primitive, order, number_type, x)
            })
        }
    }
    /// One record: the primitive's partials up to two orders above `orders`.
    #[inline]
    fn custom_binary_partial(
        self,
        other: Self,
        primitive: &dyn BinaryPrimitive<f64>,
        orders: (usize, usize),
        number_type: &'static str,
    ) -> Self {
        let value = self
            .value
            .custom_binary_partial(other.value, primitive, orders, number_type);
        if self.generation == 0 && other.generation == 0 {
            HessianVar::lift(value)
        } else {
            self.rule2(other, value, |x, y| {
                custom::binary_rule(primitive, orders, number_type, x, y)
            })
        }
    }
}

diffprog_dual::impl_nalgebra_real_field!([] HessianVar);

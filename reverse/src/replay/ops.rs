//! The instructions of a recorded program: plain data, an op-code with the value-buffer slots of
//! its operands (and a constant where an operand is one), and the elementary functions by name.
//!
//! Slots `0..n` of the value buffer hold the inputs; instruction `k` writes slot `n + k`. Every
//! instruction evaluates its value and its local partial derivatives with the rule table
//! [`diffprog_dual::rules`], the same rules a fresh recording on [`Var`](crate::Var) uses, so a
//! replay computes what a recording at the new point computes (elementary functions with kinks
//! — `abs`, `max`, `relu`… — evaluate their rule at the new point, on whichever side of the
//! kink it lies).

use diffprog_dual::{rules, Scalar};

/// A value-buffer slot.
pub(crate) type Slot = u32;

/// Marks an unused parent slot (unary instructions, constants).
pub(crate) const NO_SLOT: Slot = u32::MAX;

/// Writes the enums of the elementary functions from the list of
/// [`diffprog_dual::elementary_functions!`] (the parametric ones are instructions of their own).
macro_rules! function_enums {
    (
        ()
        unary: [$($unary:ident),*],
        binary: [$($binary:ident),*],
        parametric: [$($parametric:tt)*],
    ) => {
        /// A unary elementary function of [`Scalar`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum UnaryFn {
            $($unary),*
        }

        impl UnaryFn {
            /// The function's value and derivative at `x` (the rule table's).
            #[inline(always)]
            pub(crate) fn rule<T: Scalar<f64>>(self, x: T) -> (T, T) {
                match self {
                    $(UnaryFn::$unary => rules::$unary(x)),*
                }
            }

            /// The function's name in `Scalar`.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(UnaryFn::$unary => stringify!($unary)),*
                }
            }
        }

        /// A binary elementary function of [`Scalar`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum BinaryFn {
            $($binary),*
        }

        impl BinaryFn {
            /// The function's value and partials at `(x, y)` (the rule table's).
            #[inline(always)]
            pub(crate) fn rule<T: Scalar<f64>>(self, x: T, y: T) -> (T, T, T) {
                match self {
                    $(BinaryFn::$binary => rules::$binary(x, y)),*
                }
            }

            /// The function's name in `Scalar`.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(BinaryFn::$binary => stringify!($binary)),*
                }
            }
        }
    };
}

diffprog_dual::elementary_functions!(function_enums!());

/// One instruction. Operands are slots; `f64` fields are constants folded in at recording.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    /// `a + b`
    Add(Slot, Slot),
    /// `a − b`
    Sub(Slot, Slot),
    /// `a · b`
    Mul(Slot, Slot),
    /// `a / b`
    Div(Slot, Slot),
    /// `a + c` (also `a − c`, as `a + (−c)`, which IEEE arithmetic makes the same number)
    AddConst(Slot, f64),
    /// `c − a`
    ConstSub(f64, Slot),
    /// `a · c`
    MulConst(Slot, f64),
    /// `a / c`
    DivConst(Slot, f64),
    /// `c / a`
    ConstDiv(f64, Slot),
    /// `−a`
    Neg(Slot),
    /// An elementary function of one argument.
    Unary(UnaryFn, Slot),
    /// An elementary function of two arguments.
    Binary(BinaryFn, Slot, Slot),
    /// `aⁿ`
    Powi(Slot, i32),
    /// `aᵖ`, `p` a constant
    Powf(Slot, f64),
    /// `log_b a`, `b` a constant
    Log(Slot, f64),
    /// A constant operand of a binary elementary function (`x.max(0.0)`).
    Const(f64),
}

impl Op {
    /// The slots the instruction reads, [`NO_SLOT`] for none.
    pub(crate) fn operands(self) -> [Slot; 2] {
        match self {
            Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::Div(a, b) => [a, b],
            Op::Binary(_, a, b) => [a, b],
            Op::AddConst(a, _)
            | Op::ConstSub(_, a)
            | Op::MulConst(a, _)
            | Op::DivConst(a, _)
            | Op::ConstDiv(_, a)
            | Op::Neg(a)
            | Op::Unary(_, a)
            | Op::Powi(a, _)
            | Op::Powf(a, _)
            | Op::Log(a, _) => [a, NO_SLOT],
            Op::Const(_) => [NO_SLOT, NO_SLOT],
        }
    }

    /// The same instruction reading `map(slot)` for each operand slot.
    pub(crate) fn remapped(self, map: impl Fn(Slot) -> Slot) -> Op {
        match self {
            Op::Add(a, b) => Op::Add(map(a), map(b)),
            Op::Sub(a, b) => Op::Sub(map(a), map(b)),
            Op::Mul(a, b) => Op::Mul(map(a), map(b)),
            Op::Div(a, b) => Op::Div(map(a), map(b)),
            Op::AddConst(a, c) => Op::AddConst(map(a), c),
            Op::ConstSub(c, a) => Op::ConstSub(c, map(a)),
            Op::MulConst(a, c) => Op::MulConst(map(a), c),
            Op::DivConst(a, c) => Op::DivConst(map(a), c),
            Op::ConstDiv(c, a) => Op::ConstDiv(c, map(a)),
            Op::Neg(a) => Op::Neg(map(a)),
            Op::Unary(f, a) => Op::Unary(f, map(a)),
            Op::Binary(f, a, b) => Op::Binary(f, map(a), map(b)),
            Op::Powi(a, n) => Op::Powi(map(a), n),
            Op::Powf(a, p) => Op::Powf(map(a), p),
            Op::Log(a, b) => Op::Log(map(a), b),
            Op::Const(c) => Op::Const(c),
        }
    }

    /// The instruction's name, for error messages and `Debug` listings.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Add(..) => "+",
            Op::Sub(..) => "−",
            Op::Mul(..) => "·",
            Op::Div(..) => "/",
            Op::AddConst(..) => "+ constant",
            Op::ConstSub(..) => "constant −",
            Op::MulConst(..) => "· constant",
            Op::DivConst(..) => "/ constant",
            Op::ConstDiv(..) => "constant /",
            Op::Neg(..) => "negation",
            Op::Unary(f, _) => f.name(),
            Op::Binary(f, ..) => f.name(),
            Op::Powi(..) => "powi",
            Op::Powf(..) => "powf",
            Op::Log(..) => "log",
            Op::Const(..) => "constant",
        }
    }

    /// The value of the instruction and its partials with respect to its two operands (zero for
    /// an unused one), computed on the numbers `T` from the operands' values `a` and `b` (`b` is
    /// meaningless for unary instructions). The same arithmetic as [`Var`](crate::Var)'s
    /// operations, so the values are the plain evaluation's bit for bit.
    #[inline(always)]
    pub(crate) fn evaluate<T: Scalar<f64>>(self, a: T, b: T) -> (T, T, T) {
        let zero = T::zero();
        match self {
            Op::Add(..) => (a + b, T::one(), T::one()),
            Op::Sub(..) => (a - b, T::one(), -T::one()),
            Op::Mul(..) => (a * b, b, a),
            Op::Div(..) => {
                let q = a / b;
                let inv = T::one() / b;
                (q, inv, -(q * inv))
            }
            Op::AddConst(_, c) => (a + c, T::one(), zero),
            Op::ConstSub(c, _) => (-a + c, -T::one(), zero),
            Op::MulConst(_, c) => (a * c, T::constant(c), zero),
            Op::DivConst(_, c) => (a / c, T::constant(1.0 / c), zero),
            Op::ConstDiv(c, _) => {
                let q = T::constant(c) / a;
                let inv = T::one() / a;
                (q, -(q * inv), zero)
            }
            Op::Neg(_) => (-a, -T::one(), zero),
            Op::Unary(f, _) => {
                let (v, d) = f.rule(a);
                (v, d, zero)
            }
            Op::Binary(f, ..) => f.rule(a, b),
            Op::Powi(_, n) => {
                let (v, d) = rules::powi(a, n);
                (v, d, zero)
            }
            Op::Powf(_, p) => {
                let (v, d) = rules::powf(a, p);
                (v, d, zero)
            }
            Op::Log(_, base) => {
                let (v, d) = rules::log(a, base);
                (v, d, zero)
            }
            Op::Const(c) => (T::constant(c), zero, zero),
        }
    }

    /// The value alone (no partials), on plain `f64`s.
    #[inline(always)]
    pub(crate) fn value(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add(..) => a + b,
            Op::Sub(..) => a - b,
            Op::Mul(..) => a * b,
            Op::Div(..) => a / b,
            Op::AddConst(_, c) => a + c,
            Op::ConstSub(c, _) => -a + c,
            Op::MulConst(_, c) => a * c,
            Op::DivConst(_, c) => a / c,
            Op::ConstDiv(c, _) => c / a,
            Op::Neg(_) => -a,
            _ => self.evaluate(a, b).0,
        }
    }
}

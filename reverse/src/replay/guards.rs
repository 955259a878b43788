//! Branch guards: every comparison of recorded values made while recording stores its outcome;
//! a replay re-evaluates each on the new values and refuses to answer where one differs (the
//! recorded control flow is not the one the function would take there).

use super::ops::Slot;
use std::cmp::Ordering;
use std::fmt;
use std::panic::Location;

/// Which comparison a guard repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparison {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    /// `partial_cmp` (the outcome is the ordering, or unordered).
    PartialCmp,
    IsNan,
    IsFinite,
}

impl Comparison {
    /// The comparison as written in the function.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Eq => "==",
            Comparison::PartialCmp => "partial_cmp",
            Comparison::IsNan => "is_nan",
            Comparison::IsFinite => "is_finite",
        }
    }

    /// The outcome on values `a` and `b` (`b` unused by the one-argument tests): 0 or 1 for the
    /// predicates, −1, 0, 1 or 2 (unordered) for `partial_cmp`.
    #[inline]
    pub(crate) fn outcome(self, a: f64, b: f64) -> i8 {
        match self {
            Comparison::Lt => (a < b) as i8,
            Comparison::Le => (a <= b) as i8,
            Comparison::Gt => (a > b) as i8,
            Comparison::Ge => (a >= b) as i8,
            Comparison::Eq => (a == b) as i8,
            Comparison::PartialCmp => ordering_outcome(a.partial_cmp(&b)),
            Comparison::IsNan => a.is_nan() as i8,
            Comparison::IsFinite => a.is_finite() as i8,
        }
    }

    /// Words for an outcome.
    pub(crate) fn describe(self, outcome: i8) -> &'static str {
        match (self, outcome) {
            (Comparison::PartialCmp, -1) => "Less",
            (Comparison::PartialCmp, 0) => "Equal",
            (Comparison::PartialCmp, 1) => "Greater",
            (Comparison::PartialCmp, _) => "unordered (NaN)",
            (_, 0) => "false",
            _ => "true",
        }
    }

    fn unary(self) -> bool {
        matches!(self, Comparison::IsNan | Comparison::IsFinite)
    }
}

/// The encoding of a `partial_cmp` result in a guard's outcome.
pub(crate) fn ordering_outcome(o: Option<Ordering>) -> i8 {
    match o {
        Some(Ordering::Less) => -1,
        Some(Ordering::Equal) => 0,
        Some(Ordering::Greater) => 1,
        None => 2,
    }
}

/// A compared value: a slot of the program, or a constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Operand {
    Slot(Slot),
    Constant(f64),
}

impl Operand {
    pub(crate) fn remapped(self, map: impl Fn(Slot) -> Slot) -> Operand {
        match self {
            Operand::Slot(s) => Operand::Slot(map(s)),
            c => c,
        }
    }

    fn describe(self, n_inputs: usize) -> String {
        match self {
            Operand::Slot(s) if (s as usize) < n_inputs => format!("input {s}"),
            Operand::Slot(s) => format!("value {s}"),
            Operand::Constant(c) => format!("the constant {c}"),
        }
    }
}

/// One recorded comparison and its outcome at the recording point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Guard {
    pub(crate) comparison: Comparison,
    pub(crate) lhs: Operand,
    pub(crate) rhs: Operand,
    pub(crate) outcome: i8,
    /// Where the comparison is written.
    pub(crate) location: &'static Location<'static>,
}

/// A replay refused: the recorded control flow does not hold at this input, because a
/// comparison made while recording (the guard) has another outcome here. Nothing is computed
/// from a program whose guard fails; record again at this input (or use
/// [`Rerecording`](crate::replay::Rerecording), which does so itself).
///
/// ```
/// use diffprog_reverse::replay::record;
/// use diffprog_dual::Scalar;
///
/// fn f<T: Scalar>(x: &[T]) -> T {
///     if x[0] > 1.0 { x[0] * x[0] } else { x[0] }
/// }
/// let mut program = record(f, &[2.0]);
/// assert_eq!(program.gradient(&[3.0]).unwrap(), (9.0, vec![6.0]));
/// let failure = program.gradient(&[0.5]).unwrap_err();
/// assert_eq!(failure.guard(), 0);
/// assert_eq!(failure.input(), &[0.5]);
/// assert!(failure.to_string().contains("`>`"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GuardFailure {
    guard: usize,
    message: String,
    location: &'static Location<'static>,
    input: Vec<f64>,
}

impl GuardFailure {
    pub(crate) fn new(
        guards: &[Guard],
        (index, a, b): (usize, f64, f64),
        n_inputs: usize,
        input: &[f64],
    ) -> GuardFailure {
        let g = guards[index];
        let c = g.comparison;
        let compared = if c.unary() {
            format!("{} (now {a})", g.lhs.describe(n_inputs))
        } else {
            format!(
                "{} and {} (now {a} and {b})",
                g.lhs.describe(n_inputs),
                g.rhs.describe(n_inputs)
            )
        };
        let message = format!(
            "guard {index} of {total}, `{symbol}` at {location} on {compared}, was {then} when \
             recorded and is {now} at this input: the function takes another branch here, so the \
             recorded program does not apply; record again at this input (or replay through \
             `Rerecording`, which does)",
            total = guards.len(),
            symbol = c.symbol(),
            location = g.location,
            then = c.describe(g.outcome),
            now = c.describe(c.outcome(a, b)),
        );
        GuardFailure {
            guard: index,
            message,
            location: g.location,
            input: input.to_vec(),
        }
    }

    /// The guard's index, in the order the comparisons were made while recording.
    pub fn guard(&self) -> usize {
        self.guard
    }

    /// Where the comparison is written in the source.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The input at which the replay was refused.
    pub fn input(&self) -> &[f64] {
        &self.input
    }
}

impl fmt::Display for GuardFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "diffprog-reverse: replay refused: {}", self.message)?;
        const SHOWN: usize = 8;
        let shown: Vec<String> = self
            .input
            .iter()
            .take(SHOWN)
            .map(|x| x.to_string())
            .collect();
        let more = if self.input.len() > SHOWN {
            ", …"
        } else {
            ""
        };
        write!(f, " (input [{}{more}])", shown.join(", "))
    }
}

impl std::error::Error for GuardFailure {}

//! The one list of elementary functions, which every number type expands its methods from.
//!
//! An elementary function of diffprog has three parts, each written once:
//!
//! 1. its **rule** in [`rules`](crate::rules): value and partial derivative(s), generic over
//!    [`Scalar`](crate::Scalar), edge conventions included (and its row in the edge table of
//!    the crate docs);
//! 2. its **method on [`Scalar`](crate::Scalar)**: the declaration with its doc, and the plain
//!    `f32`/`f64` implementation in `scalar.rs`;
//! 3. its **entry in the list below**, [`elementary_functions!`](crate::elementary_functions),
//!    under `unary` (`fn f(self) -> Self`), `binary` (`fn f(self, other: Self) -> Self`) or
//!    `parametric` (`fn f(self, p: P) -> Self` with a plain parameter).
//!
//! Every other number type — `Dual`, `DualVec`, the second-order numbers of
//! `diffprog-hyperdual`, the reverse-mode `Var` and `HessianVar` — writes its methods from the
//! list, each applying the rule its own way, so a new entry reaches all of them. Two methods are
//! not in the list because their shape is their own: `sin_cos` (two results) and `mul_add`
//! (three arguments); each number type writes them by hand.
//!
//! The test suites check that they cover the list ([`ELEMENTARY_FUNCTIONS`]), so a new entry
//! fails them until it is tested. CONTRIBUTING.md walks through adding one.

/// Calls the macro `callback` with the list of elementary functions:
///
/// ```text
/// callback! {
///     (args...)
///     unary: [recip, sqrt, ...],
///     binary: [pow, atan2, ...],
///     parametric: [powi(n: i32), powf(p: F), log(base: F)],
/// }
/// ```
///
/// `args` are passed through unchanged; `F` in the parametric entries is the primal float type,
/// which the expansion site must name (a generic parameter `F`, or an alias). The callback is a
/// path to a macro (`crate::my_macro`, `$crate::my_macro`). See the [module docs](self).
#[doc(hidden)]
#[macro_export]
macro_rules! elementary_functions {
    ($($callback:tt)::+ ! ($($args:tt)*)) => {
        $($callback)::+ ! {
            ($($args)*)
            unary: [
                recip, sqrt, cbrt, exp, exp2, exp_m1, ln, ln_1p, log2, log10, sin, cos, tan,
                asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, abs, signum, sigmoid,
                softplus, relu, erf, erfc, gelu
            ],
            binary: [pow, atan2, min, max, hypot],
            parametric: [powi(n: i32), powf(p: F), log(base: F)],
        }
    };
}

/// Writes the names of the listed functions as a slice (see [`ELEMENTARY_FUNCTIONS`]).
macro_rules! names {
    (() unary: [$($u:ident),*], binary: [$($b:ident),*], parametric: [$($p:ident($a:ident: $t:ty)),*],) => {
        &[$(stringify!($u),)* $(stringify!($b),)* $(stringify!($p),)* "sin_cos", "mul_add"]
    };
}

/// The names of every elementary function of [`Scalar`](crate::Scalar): the list of
/// [`elementary_functions!`](crate::elementary_functions) and the two written by hand
/// (`sin_cos`, `mul_add`). Test suites check that they cover every one.
///
/// ```
/// assert!(diffprog_dual::ELEMENTARY_FUNCTIONS.contains(&"atan2"));
/// ```
pub const ELEMENTARY_FUNCTIONS: &[&str] = crate::elementary_functions!(names!());

/// Writes the names of one part of the list as a slice.
macro_rules! part {
    ((unary) unary: [$($u:ident),*], binary: [$($b:ident),*], parametric: [$($p:ident($a:ident: $t:ty)),*],) => {
        &[$(stringify!($u)),*]
    };
    ((binary) unary: [$($u:ident),*], binary: [$($b:ident),*], parametric: [$($p:ident($a:ident: $t:ty)),*],) => {
        &[$(stringify!($b)),*]
    };
    ((parametric) unary: [$($u:ident),*], binary: [$($b:ident),*], parametric: [$($p:ident($a:ident: $t:ty)),*],) => {
        &[$(stringify!($p)),*]
    };
}

/// The one-argument functions of the list (`fn f(self) -> Self`): what a test suite of unary
/// functions must cover.
///
/// ```
/// assert!(diffprog_dual::elementary::UNARY.contains(&"tan"));
/// assert!(!diffprog_dual::elementary::UNARY.contains(&"atan2"));
/// ```
pub const UNARY: &[&str] = crate::elementary_functions!(part!(unary));

/// The two-argument functions of the list (`fn f(self, other: Self) -> Self`).
///
/// ```
/// assert!(diffprog_dual::elementary::BINARY.contains(&"hypot"));
/// ```
pub const BINARY: &[&str] = crate::elementary_functions!(part!(binary));

/// The functions of the list with a plain parameter (`powi`, `powf`, `log`).
///
/// ```
/// assert_eq!(diffprog_dual::elementary::PARAMETRIC, &["powi", "powf", "log"]);
/// ```
pub const PARAMETRIC: &[&str] = crate::elementary_functions!(part!(parametric));

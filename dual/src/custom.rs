//! Custom primitives: a function diffprog does not have, described once by its value and
//! derivatives on the plain float, and differentiated in every mode.
//!
//! # Defining a primitive
//!
//! Implement [`UnaryPrimitive`] (or [`BinaryPrimitive`] for two arguments) on a type of your own,
//! which can carry parameters: `derivative(order, x)` returns f(x) for order 0, f′(x) for 1, f″(x)
//! for 2, f‴(x) for 3, and `None` for an order it does not provide. Then call
//! [`Scalar::custom_unary`] (or [`Scalar::custom_binary`]) on any number type: `f32`/`f64`
//! evaluate the value; `Dual` and `DualVec` take f′; the second-order numbers of
//! `diffprog-hyperdual` (hyperdual, Taylor, arena numbers) and the reverse-mode `HessianVar` take
//! f″ as well, `Taylor3` f‴; the reverse-mode `Var` records one operation whose partial is f′
//! computed at its element type (so `Var<Dual<f64>>`, the mixed mode, takes f″ as well).
//! `diffprog-nn` applies a primitive elementwise to a tensor (`Graph::custom_unary`).
//!
//! A nested number asks its components for the derivatives it needs, shifted by its own order:
//! `Dual<T>` evaluates derivative k as `T`'s derivatives k and k + 1, so `Dual<Dual<f64>>` asks
//! the `f64`s for orders 0, 1 and 2, and every order of every nesting is exact. Each derivative is
//! multiplied into a tangent or an adjoint by the chain rule's product
//! ([`chain`](crate::chain)), so custom primitives follow the strong-zero rule like the
//! elementary functions (see "Non-finite values" in the crate docs).
//!
//! A derivative the number type needs and the primitive does not provide panics, naming the
//! primitive, the order and the number type ("custom primitive `lambert_w0` has no 2nd
//! derivative, which HyperDual<f64> needs; provide it in `derivative(2, x)`"). The forward and
//! second-order numbers ask for the orders their type needs whatever the values, a constant
//! argument included; the tapes (`Var`, `HessianVar`) and nn's op ask for derivatives only where
//! they record an operation that needs them (an argument that depends on a variable, a tensor
//! that needs a gradient).
//!
//! ```
//! use diffprog_dual::custom::UnaryPrimitive;
//! use diffprog_dual::{derivative, derivative_at, Dual, Real, Scalar};
//!
//! /// y(x) solving y + eʸ = x, by Newton's method; its derivatives from the implicit-function
//! /// theorem: y′ = 1/(1 + eʸ), y″ = −eʸ/(1 + eʸ)³.
//! struct Implicit;
//!
//! impl<F: Real> UnaryPrimitive<F> for Implicit {
//!     fn name(&self) -> &str {
//!         "implicit_y"
//!     }
//!     fn derivative(&self, order: usize, x: F) -> Option<F> {
//!         // Newton from the right of the root (y + eʸ − x is convex and increasing).
//!         let mut y = if x < F::one() { x } else { x.ln() };
//!         for _ in 0..100 {
//!             let step = (y + y.exp() - x) / (F::one() + y.exp());
//!             if !(step > F::zero()) {
//!                 break;
//!             }
//!             y = y - step;
//!         }
//!         let e = y.exp();
//!         match order {
//!             0 => Some(y),
//!             1 => Some(F::one() / (F::one() + e)),
//!             2 => Some(-e / (F::one() + e).powi(3)),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! // one generic function, every mode
//! fn f<T: Scalar>(x: T) -> T {
//!     x.custom_unary(&Implicit) * x
//! }
//! let y1 = f(1.0); // y(1) = 0, since 0 + e⁰ = 1
//! assert_eq!(y1, 0.0);
//! let (value, slope) = derivative(f, 1.0);
//! assert_eq!((value, slope), (0.0, 0.5)); // y + x·y′ = 0 + 1·½
//! // f32 too, from the same implementation
//! let (_, slope32) = derivative_at(|x: Dual<f32>| x.custom_unary(&Implicit), 1.0_f32);
//! assert_eq!(slope32, 0.5);
//! ```
//!
//! A primitive that lacks a derivative a number type needs:
//!
//! ```should_panic
//! # use diffprog_dual::custom::UnaryPrimitive;
//! # use diffprog_dual::{Dual, Scalar};
//! struct FirstOrderOnly;
//! impl UnaryPrimitive for FirstOrderOnly {
//!     fn name(&self) -> &str {
//!         "first_order_only"
//!     }
//!     fn derivative(&self, order: usize, x: f64) -> Option<f64> {
//!         [Some(x.sin()), Some(x.cos())].get(order).copied().flatten()
//!     }
//! }
//! // panics: "custom primitive `first_order_only` has no 2nd derivative, which
//! // Dual<Dual<f64>> needs; provide it in `derivative(2, x)`"
//! let _ = Dual::variable(Dual::variable(1.0)).custom_unary(&FirstOrderOnly);
//! ```
//!
//! The reverse-mode tape has a lower-level form too, `Var::custom` of `diffprog-reverse`, which
//! takes a value and partials already computed; it serves one mode only.

use crate::{Real, Scalar};

/// A user-defined function of one variable, given by its value and derivatives on the plain float
/// `F` (`f64` or `f32`): what [`Scalar::custom_unary`] differentiates in every mode (see the
/// [module docs](self)).
///
/// Implement it on a type of your own; the type can carry parameters (a tolerance, the
/// coefficients of an implicit equation).
pub trait UnaryPrimitive<F: Real = f64> {
    /// The primitive's name, used in the message of a missing derivative.
    fn name(&self) -> &str;

    /// The derivative of order `order` at `x`: the value f(x) for 0, f′(x) for 1, f″(x) for 2,
    /// f‴(x) for 3, ... — or `None` if this order is not provided. A number type asks for the
    /// orders it needs (up to 1 for first-order numbers, 2 for second-order ones, 3 for
    /// `Taylor3`, more for nested numbers) and panics on a `None`.
    fn derivative(&self, order: usize, x: F) -> Option<F>;
}

/// A user-defined function of two variables, given by its value and partial derivatives on the
/// plain float `F`: what [`Scalar::custom_binary`] differentiates in every mode (see the
/// [module docs](self)).
pub trait BinaryPrimitive<F: Real = f64> {
    /// The primitive's name, used in the message of a missing partial derivative.
    fn name(&self) -> &str;

    /// The partial derivative ∂ⁱ⁺ʲf/∂xⁱ∂yʲ at `(x, y)` (the value for `i = j = 0`), or `None` if
    /// it is not provided. First-order numbers need `i + j ≤ 1`, second-order ones `i + j ≤ 2`,
    /// `Taylor3` `i + j ≤ 3`.
    fn partial(&self, i: usize, j: usize, x: F, y: F) -> Option<F>;
}

/// The derivative of order `order` of `primitive` at the plain float `x`.
///
/// This is the `f32`/`f64` implementation of [`Scalar::custom_unary_derivative`], which every
/// other number type reaches through its components.
///
/// # Panics
/// If the primitive does not provide this order, with a message naming `number_type` (the type
/// the primitive was called on, a [`std::any::type_name`], shortened by [`short_type_name`]).
#[inline]
pub fn unary_derivative<F: Real>(
    primitive: &dyn UnaryPrimitive<F>,
    order: usize,
    x: F,
    number_type: &str,
) -> F {
    match primitive.derivative(order, x) {
        Some(d) => d,
        None => missing_unary(primitive.name(), order, number_type),
    }
}

/// The partial derivative ∂ⁱ⁺ʲf/∂xⁱ∂yʲ of `primitive` at the plain floats `(x, y)`: the
/// `f32`/`f64` implementation of [`Scalar::custom_binary_partial`].
///
/// # Panics
/// If the primitive does not provide this partial (see [`unary_derivative`]).
#[inline]
pub fn binary_partial<F: Real>(
    primitive: &dyn BinaryPrimitive<F>,
    (i, j): (usize, usize),
    x: F,
    y: F,
    number_type: &str,
) -> F {
    match primitive.partial(i, j, x, y) {
        Some(d) => d,
        None => missing_binary(primitive.name(), (i, j), number_type),
    }
}

/// The rule of a unary primitive at derivative order `order`, in the form of
/// [`rules`](crate::rules): `(f⁽ᵏ⁾(x), f⁽ᵏ⁺¹⁾(x))` with k = `order`, each evaluated at the
/// number type `T` (so that a rule on a dual number carries the next order as well). The number
/// types apply it as they apply an elementary function's rule.
#[inline]
pub fn unary_rule<F: Real, T: Scalar<F>>(
    primitive: &dyn UnaryPrimitive<F>,
    order: usize,
    number_type: &'static str,
    x: T,
) -> (T, T) {
    (
        x.custom_unary_derivative(primitive, order, number_type),
        x.custom_unary_derivative(primitive, order + 1, number_type),
    )
}

/// The rule of a binary primitive at the partial derivative `(i, j)`, in the form of
/// [`rules`](crate::rules): `(∂ⁱ⁺ʲf, ∂/∂x of it, ∂/∂y of it)` at `(x, y)`, evaluated at the
/// number type `T`.
#[inline]
pub fn binary_rule<F: Real, T: Scalar<F>>(
    primitive: &dyn BinaryPrimitive<F>,
    (i, j): (usize, usize),
    number_type: &'static str,
    x: T,
    y: T,
) -> (T, T, T) {
    (
        x.custom_binary_partial(y, primitive, (i, j), number_type),
        x.custom_binary_partial(y, primitive, (i + 1, j), number_type),
        x.custom_binary_partial(y, primitive, (i, j + 1), number_type),
    )
}

#[cold]
#[inline(never)]
fn missing_unary(name: &str, order: usize, number_type: &str) -> ! {
    let what = if order == 0 {
        "value".to_string()
    } else {
        format!("{} derivative", ordinal(order))
    };
    panic!(
        "custom primitive `{name}` has no {what}, which {} needs; provide it in \
         `derivative({order}, x)`",
        short_type_name(number_type)
    )
}

#[cold]
#[inline(never)]
fn missing_binary(name: &str, (i, j): (usize, usize), number_type: &str) -> ! {
    let what = if i + j == 0 {
        "value".to_string()
    } else {
        let power = |v: &str, k: usize| match k {
            0 => String::new(),
            1 => format!("∂{v}"),
            _ => format!("∂{v}{}", superscript(k)),
        };
        let top = if i + j == 1 {
            String::new()
        } else {
            superscript(i + j)
        };
        format!(
            "partial derivative ∂{top}f/{}{}",
            power("x", i),
            power("y", j)
        )
    };
    panic!(
        "custom primitive `{name}` has no {what}, which {} needs; provide it in \
         `partial({i}, {j}, x, y)`",
        short_type_name(number_type)
    )
}

/// "1st", "2nd", "3rd", "4th", ..., "11th", "12th", "13th", "21st", ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The decimal digits of `n` as superscripts.
fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// A [`std::any::type_name`] without its module paths: `diffprog_dual::dual::Dual<f64>` becomes
/// `Dual<f64>`.
///
/// ```
/// use diffprog_dual::custom::short_type_name;
/// assert_eq!(
///     short_type_name("diffprog_reverse::var::Var<diffprog_dual::dual::Dual<f64>>"),
///     "Var<Dual<f64>>"
/// );
/// assert_eq!(short_type_name("f64"), "f64");
/// ```
pub fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    // Where the current path segment starts in `out`: a `::` drops what precedes it.
    let mut segment = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(segment);
            continue;
        }
        out.push(c);
        if !(c.is_alphanumeric() || c == '_') {
            segment = out.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_and_superscripts() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 103]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd"]
        );
        assert_eq!(superscript(12), "¹²");
    }

    struct Nothing;
    impl BinaryPrimitive for Nothing {
        fn name(&self) -> &str {
            "nothing"
        }
        fn partial(&self, _: usize, _: usize, _: f64, _: f64) -> Option<f64> {
            None
        }
    }

    fn message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let err = std::panic::catch_unwind(f).expect_err("must panic");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn binary_messages_name_the_partial() {
        let m = message(|| {
            binary_partial(
                &Nothing,
                (2, 1),
                1.0,
                2.0,
                "diffprog_hyperdual::Taylor3<f64>",
            );
        });
        assert_eq!(
            m,
            "custom primitive `nothing` has no partial derivative ∂³f/∂x²∂y, which \
             Taylor3<f64> needs; provide it in `partial(2, 1, x, y)`"
        );
        let m = message(|| {
            binary_partial(&Nothing, (0, 1), 1.0, 2.0, "f64");
        });
        assert!(
            m.contains("no partial derivative ∂f/∂y, which f64 needs"),
            "{m}"
        );
        let m = message(|| {
            binary_partial(&Nothing, (0, 0), 1.0, 2.0, "f64");
        });
        assert!(m.contains("has no value, which f64 needs"), "{m}");
    }
}

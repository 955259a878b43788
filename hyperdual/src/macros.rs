//! The elementary functions of every second- and third-order number, written once.
//!
//! A number type here implements two inherent methods,
//!
//! - `fn unary(self, rule: impl Fn(L) -> (L, L)) -> Self` and
//! - `fn binary(self, other: Self, rule: impl Fn(L, L) -> (L, L, L)) -> Self`,
//!
//! where `L` is a *lower-order* number (a [`Dual`](diffprog_dual::Dual) for the second-order
//! types, a [`Taylor2`](crate::Taylor2) for the third-order one). The method evaluates the rule of
//! [`diffprog_dual::rules`] on `L` — which yields the function's value, first derivative *and*
//! the derivative of that derivative — and assembles the result. So the derivative table stays in
//! one place (the `dual` crate), and this macro only routes each `Scalar` method to its rule.

/// Writes the elementary functions of `Scalar<F>` for a type with `unary`/`binary` (see the module
/// docs): the list of [`diffprog_dual::elementary_functions!`], `sin_cos` and `mul_add`, and the
/// custom primitives' methods from their rules ([`diffprog_dual::custom`]). Must be invoked
/// inside `impl<F: Real, ...> Scalar<F> for ...`.
macro_rules! second_order_elementary_functions {
    () => {
        diffprog_dual::elementary_functions!($crate::macros::second_order_rules!());
        #[inline]
        fn sin_cos(self) -> (Self, Self) {
            (self.sin(), self.cos())
        }
        #[inline]
        fn mul_add(self, a: Self, b: Self) -> Self {
            self * a + b
        }
        #[inline]
        fn custom_unary_derivative(
            self,
            primitive: &dyn diffprog_dual::custom::UnaryPrimitive<F>,
            order: usize,
            number_type: &'static str,
        ) -> Self {
            self.unary(|x| diffprog_dual::custom::unary_rule(primitive, order, number_type, x))
        }
        #[inline]
        fn custom_binary_partial(
            self,
            other: Self,
            primitive: &dyn diffprog_dual::custom::BinaryPrimitive<F>,
            orders: (usize, usize),
            number_type: &'static str,
        ) -> Self {
            self.binary(other, |x, y| {
                diffprog_dual::custom::binary_rule(primitive, orders, number_type, x, y)
            })
        }
    };
}

/// The callback of [`second_order_elementary_functions!`]: each listed function evaluates its
/// rule on the lower-order number.
macro_rules! second_order_rules {
    (
        ()
        unary: [$($unary:ident),*],
        binary: [$($binary:ident),*],
        parametric: [$($parametric:ident($arg:ident: $ty:ty)),*],
    ) => {
        $(
            #[inline]
            fn $unary(self) -> Self {
                self.unary(|x| rules::$unary::<F, _>(x))
            }
        )*
        $(
            #[inline]
            fn $binary(self, other: Self) -> Self {
                self.binary(other, |x, y| rules::$binary::<F, _>(x, y))
            }
        )*
        $(
            #[inline]
            fn $parametric(self, $arg: $ty) -> Self {
                self.unary(|x| rules::$parametric::<F, _>(x, $arg))
            }
        )*
    };
}

pub(crate) use second_order_elementary_functions;
pub(crate) use second_order_rules;

/// Writes everything that is linear in the parts of a fixed-size second- or third-order number
/// `$ty { $re, $($part),* }` (constructed by `$ty::new($re, $($part),*)`, with `lift`): negation,
/// `±` and `·`/`÷` by a plain float (the parts times the float by the strong-zero rule of
/// [`chain`](diffprog_dual::chain): times 0 every part is 0, times ±∞ or NaN a zero part stays
/// 0), the comparison/assignment/sum boilerplate, `Number`, and `Scalar` with
/// [`second_order_elementary_functions!`]. The products and quotients of two numbers, which differ
/// per type, stay with the type.
macro_rules! fixed_parts_number {
    ($ty:ident { $re:ident $(, $part:ident)* }) => {
        impl<T: Number> std::ops::Neg for $ty<T> {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                Self::new(-self.$re $(, -self.$part)*)
            }
        }
        impl<F: Real, T: Scalar<F>> std::ops::Add<F> for $ty<T> {
            type Output = Self;
            #[inline(always)]
            fn add(self, r: F) -> Self {
                Self::new(self.$re + r $(, self.$part)*)
            }
        }
        impl<F: Real, T: Scalar<F>> std::ops::Sub<F> for $ty<T> {
            type Output = Self;
            #[inline(always)]
            fn sub(self, r: F) -> Self {
                Self::new(self.$re - r $(, self.$part)*)
            }
        }
        impl<F: Real, T: Scalar<F>> std::ops::Mul<F> for $ty<T> {
            type Output = Self;
            #[inline(always)]
            fn mul(self, r: F) -> Self {
                // The plain products are the chain rule's when `r` is finite and not zero.
                if r.is_finite() && r != F::zero() {
                    Self::new(self.$re * r $(, self.$part * r)*)
                } else {
                    let c = T::constant(r);
                    Self::new(self.$re * r $(, diffprog_dual::chain(c, self.$part))*)
                }
            }
        }
        impl<F: Real, T: Scalar<F>> std::ops::Div<F> for $ty<T> {
            type Output = Self;
            #[inline(always)]
            fn div(self, r: F) -> Self {
                // The parts scale by 1/c; the value is the plain quotient (bit-identical).
                let mut q = self * (F::one() / r);
                q.$re = self.$re / r;
                q
            }
        }

        diffprog_dual::forward_number_boilerplate!([T: Number] [F: Real, T: Scalar<F>] $ty<T>, $re);
        diffprog_dual::float_lhs_operators!([T: Scalar<f64>] $ty<T>, f64);
        diffprog_dual::float_lhs_operators!([T: Scalar<f32>] $ty<T>, f32);

        impl<T: Number> Number for $ty<T> {
            type Primal = T::Primal;
            #[inline(always)]
            fn zero() -> Self {
                Self::lift(T::zero())
            }
            #[inline(always)]
            fn one() -> Self {
                Self::lift(T::one())
            }
            #[inline(always)]
            fn is_identically_zero(&self) -> bool {
                self.$re.is_identically_zero() $(&& self.$part.is_identically_zero())*
            }
            #[inline]
            fn derivative_parts_are_zero(&self) -> bool {
                self.$re.derivative_parts_are_zero() $(&& self.$part.is_identically_zero())*
            }
            /// The product `*` with the value's product strong as well: `*` already multiplies
            /// every part by the strong-zero rule, and only the value by IEEE.
            #[inline(always)]
            fn strong_zero_mul(self, rhs: Self) -> Self {
                let mut p = self * rhs;
                p.$re = self.$re.strong_zero_mul(rhs.$re);
                p
            }
            #[inline(always)]
            fn has_finite_nonzero_primal(&self) -> bool {
                self.$re.has_finite_nonzero_primal()
            }
        }

        impl<F: Real, T: Scalar<F>> Scalar<F> for $ty<T> {
            #[inline(always)]
            fn constant(value: F) -> Self {
                Self::lift(T::constant(value))
            }
            #[inline(always)]
            fn value(&self) -> F {
                self.$re.value()
            }
            $crate::macros::second_order_elementary_functions!();
        }
    };
}
pub(crate) use fixed_parts_number;

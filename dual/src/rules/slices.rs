//! Slice forms of the σ and tanh rules: value and derivative of a whole slice at once, in the
//! same non-cancelling forms as the scalar rules ([`sigmoid`](super::sigmoid),
//! [`tanh`](super::tanh)), from one exponential per element.
//!
//! The exponential is a branch-free kernel in safe Rust that the compiler vectorises: for
//! `y ≤ 0`, Cody–Waite range reduction `y = k·ln 2 + r`, |r| ≤ ½ ln 2 (k by the 1.5·2ᵐ
//! rounding trick, ln 2 in two parts so that `k·ln2_hi` is exact), then `eʳ − 1` by its Taylor
//! polynomial (degree 7 for `f32`, 13 for `f64`, truncation below a tenth of an ulp), and
//! `eʸ = 2ᵏ(1 + p)`, `eʸ − 1 = 2ᵏp + (2ᵏ − 1)`, with 2ᵏ built from its bits as two factors so
//! that results down to the subnormals are right. Only `e^(−|x|)` and `e^(−2|x|)` are needed
//! (the rules' e = e^(∓x) never exceeds 1), so nothing overflows. With `e = e^(−|x|)`:
//! σ(|x|) = 1/(1 + e), σ(−|x|) = e/(1 + e), σ′ = e/(1 + e)²; with `e = e^(−2|x|)` and
//! `m = e − 1`: tanh |x| = −m/(2 + m) (no cancellation near 0), tanh′ = 4e/(1 + e)².
//!
//! Accuracy (tested over 2·10⁶ points of a dense sweep, every power of two down to the
//! subnormals, and ±0, ±∞, NaN, the largest and smallest floats): in `f32`, σ(x), σ(−x) and
//! tanh are within 2 ulp, σ′ and tanh′ within 4 ulp of the values computed in `f64` with
//! std's `exp`/`tanh` and rounded — never worse than the scalar rules on `f32` (libm's
//! `expf`, `tanhf`), which are 4 ulp off there too; in `f64`, everything is within 4 ulp of
//! the scalar rules (std's `exp`, `tanh`). The edge values are the scalar rules' (within
//! 1 ulp): σ(+∞) = 1 and σ(−∞) = 0 with σ′ = 0; tanh(±∞) = ±1 with tanh′ = 0; tanh(±0) = ±0
//! with tanh′ = 1; NaN gives NaN value and derivative.

use crate::Real;

/// `(eʸ, eʸ − 1)` for `y ≤ 0` (NaN for NaN): the `f32` and `f64` kernels, reached through
/// [`Real::exp_and_exp_m1_nonpositive`].
macro_rules! exp_kernel {
    ($name:ident, $f:ty, $bits:ty, $ibits:ty, $mant:expr, $bias:expr, $lowest:expr, $ln2_hi:expr,
     $ln2_lo:expr, [$($c:expr),*]) => {
            #[inline(always)]
            pub(crate) fn $name(y: $f) -> ($f, $f) {
                // below `lowest`, eʸ rounds to 0 and eʸ − 1 to −1 (−∞ included)
                let yc = if y < $lowest { $lowest } else { y };
                // k = round(y / ln 2): adding 1.5·2ᵐ leaves k in the low mantissa bits
                let magic: $f = 1.5 * (1u64 << $mant) as $f;
                let t = yc * core::f64::consts::LOG2_E as $f + magic;
                let kf = t - magic;
                let k = (t.to_bits() as $ibits).wrapping_sub(magic.to_bits() as $ibits);
                let r = (yc - kf * $ln2_hi) - kf * $ln2_lo;
                // eʳ − 1 = r + r²(1/2! + r(1/3! + ...)), Horner
                let coefficients: &[$f] = &[$($c),*];
                let mut q: $f = 0.0;
                for &c in coefficients.iter().rev() {
                    q = q * r + c;
                }
                let p = r + r * r * q;
                // 2ᵏ = 2^k1 · 2^k2, each factor a normal number (k ≥ lowest / ln 2)
                let k1 = k >> 1;
                let k2 = k - k1;
                let two_to = |e: $ibits| <$f>::from_bits(((e + $bias) as $bits) << $mant);
                let (s1, s2) = (two_to(k1), two_to(k2));
                let s = s1 * s2;
                let e = (1.0 + p) * s1 * s2;
                let em = p * s + (s - 1.0);
                if y != y {
                    (y, y)
                } else {
                    (e, em)
                }
            }
    };
}

exp_kernel!(
    exp_kernel_f32,
    f32,
    u32,
    i32,
    23,
    127,
    -104.0f32,
    0.693_145_75_f32,
    1.428_606_8e-6_f32,
    [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0
    ]
);

exp_kernel!(
    exp_kernel_f64,
    f64,
    u64,
    i64,
    52,
    1023,
    -746.0f64,
    6.931_471_803_691_238e-1_f64,
    1.908_214_929_270_587_7e-10_f64,
    [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362880.0,
        1.0 / 3628800.0,
        1.0 / 39916800.0,
        1.0 / 479001600.0,
        1.0 / 6227020800.0
    ]
);

/// `(σ(x), σ(−x), σ′(x))` from one exponential.
#[inline(always)]
fn sigmoid_one<F: Real>(x: F) -> (F, F, F) {
    let (e, _) = (-x.abs()).exp_and_exp_m1_nonpositive();
    let big = F::one() / (F::one() + e); // σ(|x|)
    let small = e * big; // σ(−|x|)
    let d = small * big;
    if x >= F::zero() {
        (big, small, d)
    } else if x < F::zero() {
        (small, big, d)
    } else {
        (x, x, x) // NaN
    }
}

/// `(tanh x, tanh′ x)` from one exponential.
#[inline(always)]
fn tanh_one<F: Real>(x: F) -> (F, F) {
    let two = F::one() + F::one();
    let (e, m) = (-two * x.abs()).exp_and_exp_m1_nonpositive();
    let t = -m / (two + m); // tanh |x|
    let inv = F::one() / (F::one() + e);
    let d = (two + two) * e * inv * inv;
    (t.copysign(x), d)
}

fn check_lengths(what: &str, n: usize, others: &[usize]) {
    assert!(
        others.iter().all(|&m| m == n),
        "rules::{what}: the input has {n} elements but the outputs have {others:?}; give \
         slices of one length"
    );
}

/// σ over a slice: `value[i] = σ(x[i])`, `derivative[i] = σ′(x[i]) = e/(1 + e)²` with
/// `e = e^(−|x[i]|)` — the scalar rule [`sigmoid`](super::sigmoid)'s non-cancelling form, from
/// one vectorised exponential per element (accuracy: see the [module docs](self)).
///
/// ```
/// use diffprog_dual::rules;
/// let x = [-30.0f32, 0.0, 2.0, f32::INFINITY];
/// let (mut v, mut d) = ([0.0; 4], [0.0; 4]);
/// rules::sigmoid_slice(&x, &mut v, &mut d);
/// assert_eq!(v[1], 0.5);
/// assert_eq!(d[1], 0.25);
/// assert_eq!((v[3], d[3]), (1.0, 0.0));
/// // σ′(−30) = e⁻³⁰/(1 + e⁻³⁰)² to full accuracy (σ(1 − σ) would cancel at +30)
/// let exact = (-30.0f64).exp() / (1.0 + (-30.0f64).exp()).powi(2);
/// assert!(((d[0] as f64) - exact).abs() <= 2.0 * f32::EPSILON as f64 * exact);
/// ```
///
/// # Panics
/// If the slices' lengths differ.
pub fn sigmoid_slice<F: Real>(x: &[F], value: &mut [F], derivative: &mut [F]) {
    check_lengths("sigmoid_slice", x.len(), &[value.len(), derivative.len()]);
    for ((&x, v), d) in x.iter().zip(value.iter_mut()).zip(derivative.iter_mut()) {
        let (s, _, ds) = sigmoid_one(x);
        *v = s;
        *d = ds;
    }
}

/// [`sigmoid_slice`] that also writes `complement[i] = σ(−x[i]) = 1 − σ(x[i])`, computed as
/// σ(−x) so that it does not cancel as σ(x) → 1 (a GRU's `1 − z`).
///
/// ```
/// use diffprog_dual::rules;
/// let x = [20.0f64];
/// let (mut v, mut c, mut d) = ([0.0], [0.0], [0.0]);
/// rules::sigmoid_slice_with_complement(&x, &mut v, &mut c, &mut d);
/// let e = (-20.0f64).exp();
/// assert!((c[0] - e / (1.0 + e)).abs() <= 2.0 * f64::EPSILON * c[0]); // 1 − v[0] would keep 8 digits
/// ```
///
/// # Panics
/// If the slices' lengths differ.
pub fn sigmoid_slice_with_complement<F: Real>(
    x: &[F],
    value: &mut [F],
    complement: &mut [F],
    derivative: &mut [F],
) {
    check_lengths(
        "sigmoid_slice_with_complement",
        x.len(),
        &[value.len(), complement.len(), derivative.len()],
    );
    for (((&x, v), c), d) in x
        .iter()
        .zip(value.iter_mut())
        .zip(complement.iter_mut())
        .zip(derivative.iter_mut())
    {
        let (s, sc, ds) = sigmoid_one(x);
        *v = s;
        *c = sc;
        *d = ds;
    }
}

/// tanh over a slice: `value[i] = tanh x[i]`, `derivative[i] = tanh′ x[i] = 4e/(1 + e)²` with
/// `e = e^(−2|x[i]|)` — the scalar rule [`tanh`](super::tanh)'s non-cancelling form (not
/// `1 − tanh²`), from one vectorised exponential per element (accuracy: see the
/// [module docs](self)).
///
/// ```
/// use diffprog_dual::rules;
/// let x = [-0.0f64, 0.5, 20.0];
/// let (mut v, mut d) = ([0.0; 3], [0.0; 3]);
/// rules::tanh_slice(&x, &mut v, &mut d);
/// assert!(v[0] == 0.0 && v[0].is_sign_negative());
/// assert_eq!(d[0], 1.0);
/// // tanh′(20) = 1/cosh²(20), to full accuracy (1 − tanh² would give 0)
/// let exact = 1.0 / 20.0f64.cosh().powi(2);
/// assert!((d[2] - exact).abs() <= 4.0 * f64::EPSILON * exact);
/// ```
///
/// # Panics
/// If the slices' lengths differ.
pub fn tanh_slice<F: Real>(x: &[F], value: &mut [F], derivative: &mut [F]) {
    check_lengths("tanh_slice", x.len(), &[value.len(), derivative.len()]);
    for ((&x, v), d) in x.iter().zip(value.iter_mut()).zip(derivative.iter_mut()) {
        let (t, dt) = tanh_one(x);
        *v = t;
        *d = dt;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place (0 for two NaNs or equal values; ±0 are 1 apart).
    fn ulps<F: Real>(a: F, b: F) -> u64 {
        if a == b && a.is_sign_negative() == b.is_sign_negative() || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        if a.is_nan() != b.is_nan() {
            return u64::MAX;
        }
        let key = |x: F| -> i128 {
            let bits = if core::mem::size_of::<F>() == 4 {
                i128::from((x.to_f64() as f32).to_bits() & 0x7fff_ffff)
            } else {
                i128::from(x.to_f64().to_bits() & 0x7fff_ffff_ffff_ffff)
            };
            if x.is_sign_negative() {
                -bits
            } else {
                bits
            }
        };
        (key(a) - key(b)).unsigned_abs() as u64
    }

    /// The largest ulp distance of `got` from `want` over `xs`, with the worst argument.
    fn worst<F: Real>(xs: &[F], got: &[F], want: impl Fn(F) -> F) -> (u64, F) {
        xs.iter()
            .zip(got)
            .map(|(&x, &g)| (ulps(g, want(x)), x))
            .fold((0, F::zero()), |a, b| if b.0 > a.0 { b } else { a })
    }

    /// A dense sweep of [−lim, lim] plus every power of two down to the subnormals, both signs.
    fn sweep<F: Real>(lim: f64, n: usize) -> Vec<F> {
        let mut xs: Vec<F> = (0..=n)
            .map(|i| F::from_f64(-lim + 2.0 * lim * i as f64 / n as f64))
            .collect();
        let mut p = F::one();
        while p > F::zero() {
            xs.extend([p, -p, p * F::from_f64(1.37), -p * F::from_f64(1.37)]);
            p /= F::from_f64(2.0);
        }
        xs
    }

    /// σ, σ(−x), σ′ in f64 from std's `exp`, for the f32 reference (rounded once to f32).
    fn sigmoid_f64(x: f64) -> (f64, f64, f64) {
        let e = (-x.abs()).exp();
        let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
        let d = e / ((1.0 + e) * (1.0 + e));
        if x >= 0.0 {
            (big, small, d)
        } else {
            (small, big, d)
        }
    }

    /// tanh, tanh′ in f64 from std's `tanh` and `exp`.
    fn tanh_f64(x: f64) -> (f64, f64) {
        let e = (-2.0 * x.abs()).exp();
        (x.tanh(), 4.0 * e / ((1.0 + e) * (1.0 + e)))
    }

    fn run_sigmoid<F: Real>(xs: &[F]) -> (Vec<F>, Vec<F>, Vec<F>) {
        let n = xs.len();
        let (mut v, mut c, mut d) = (vec![F::zero(); n], vec![F::zero(); n], vec![F::zero(); n]);
        sigmoid_slice_with_complement(xs, &mut v, &mut c, &mut d);
        let (mut v2, mut d2) = (vec![F::zero(); n], vec![F::zero(); n]);
        sigmoid_slice(xs, &mut v2, &mut d2);
        assert!(v
            .iter()
            .zip(&v2)
            .chain(d.iter().zip(&d2))
            .all(|(a, b)| ulps(*a, *b) == 0));
        (v, c, d)
    }

    fn run_tanh<F: Real>(xs: &[F]) -> (Vec<F>, Vec<F>) {
        let n = xs.len();
        let (mut v, mut d) = (vec![F::zero(); n], vec![F::zero(); n]);
        tanh_slice(xs, &mut v, &mut d);
        (v, d)
    }

    /// f32: σ, σ(−x), tanh within 2 ulp and σ′, tanh′ within 4 ulp of the values computed in
    /// f64 from std and rounded to f32, over 2·10⁶ points of [−110, 110] and the powers of two
    /// down to the subnormals; no worse than the scalar rules on f32.
    #[test]
    fn f32_slices_are_within_two_to_four_ulp_of_std_and_no_worse_than_the_scalar_rule() {
        let xs: Vec<f32> = sweep(110.0, 2_000_000);
        let (v, c, d) = run_sigmoid(&xs);
        let (t, dt) = run_tanh(&xs);
        let r = |f: fn(f64) -> f64| move |x: f32| f(x as f64) as f32;
        let results = [
            ("σ", worst(&xs, &v, r(|x| sigmoid_f64(x).0))),
            ("σ(−x)", worst(&xs, &c, r(|x| sigmoid_f64(x).1))),
            ("σ′", worst(&xs, &d, r(|x| sigmoid_f64(x).2))),
            ("tanh", worst(&xs, &t, r(|x| tanh_f64(x).0))),
            ("tanh′", worst(&xs, &dt, r(|x| tanh_f64(x).1))),
        ];
        // σ, σ(−x), tanh within 2 ulp; σ′, tanh′ within 4 (their three roundings after eˣ)
        for ((name, (u, x)), bound) in results.iter().zip([2, 2, 4, 2, 4]) {
            assert!(*u <= bound, "{name}: {u} ulp at x = {x:e}");
        }
        // and never worse than the scalar rule on f32 (libm's expf, tanhf) over the same points
        let scalar = |f: fn(f32) -> f32, want: fn(f64) -> f64| {
            let g: Vec<f32> = xs.iter().map(|&x| f(x)).collect();
            worst(&xs, &g, r(want)).0
        };
        let scalar_rule = [
            scalar(
                |x| crate::rules::sigmoid::<f32, f32>(x).0,
                |x| sigmoid_f64(x).0,
            ),
            scalar(
                |x| crate::rules::sigmoid::<f32, f32>(-x).0,
                |x| sigmoid_f64(x).1,
            ),
            scalar(
                |x| crate::rules::sigmoid::<f32, f32>(x).1,
                |x| sigmoid_f64(x).2,
            ),
            scalar(|x| crate::rules::tanh::<f32, f32>(x).0, |x| tanh_f64(x).0),
            scalar(|x| crate::rules::tanh::<f32, f32>(x).1, |x| tanh_f64(x).1),
        ];
        for ((name, (u, _)), s) in results.iter().zip(scalar_rule) {
            assert!(*u <= s.max(1), "{name}: slice {u} ulp, scalar rule {s}");
        }
    }

    /// f64: within 4 ulp of the scalar rules (std's `exp`, `tanh`) over 2·10⁶ points of
    /// [−800, 800] and the powers of two down to the subnormals.
    #[test]
    fn f64_slices_are_within_four_ulp_of_the_scalar_rules() {
        let xs: Vec<f64> = sweep(800.0, 2_000_000);
        let (v, c, d) = run_sigmoid(&xs);
        let (t, dt) = run_tanh(&xs);
        let results = [
            (
                "σ",
                worst(&xs, &v, |x| crate::rules::sigmoid::<f64, f64>(x).0),
            ),
            (
                "σ(−x)",
                worst(&xs, &c, |x| crate::rules::sigmoid::<f64, f64>(-x).0),
            ),
            (
                "σ′",
                worst(&xs, &d, |x| crate::rules::sigmoid::<f64, f64>(x).1),
            ),
            (
                "tanh",
                worst(&xs, &t, |x| crate::rules::tanh::<f64, f64>(x).0),
            ),
            (
                "tanh′",
                worst(&xs, &dt, |x| crate::rules::tanh::<f64, f64>(x).1),
            ),
        ];
        for (name, (u, x)) in results {
            assert!(u <= 4, "{name}: {u} ulp at x = {x:e}");
        }
    }

    /// ±0, ±∞, NaN, the largest and the smallest floats give the scalar rules' values.
    #[test]
    fn edge_inputs_give_the_scalar_rules_values() {
        fn check<F: Real + crate::Scalar<F>>(edges: &[F]) {
            let (v, c, d) = run_sigmoid(edges);
            let (t, dt) = run_tanh(edges);
            for (i, &x) in edges.iter().enumerate() {
                let (sv, sd) = crate::rules::sigmoid::<F, F>(x);
                let (tv, td) = crate::rules::tanh::<F, F>(x);
                let sc = crate::rules::sigmoid::<F, F>(-x).0;
                for (name, got, want) in [
                    ("σ", v[i], sv),
                    ("σ(−x)", c[i], sc),
                    ("σ′", d[i], sd),
                    ("tanh", t[i], tv),
                    ("tanh′", dt[i], td),
                ] {
                    assert!(
                        ulps(got, want) <= 1,
                        "{name}({x:e}) = {got:e}, rule {want:e}"
                    );
                }
            }
        }
        check::<f32>(&[
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            88.0,
            -104.5,
        ]);
        check::<f64>(&[
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            709.0,
            -746.5,
        ]);
        let mut v = [0.0f64; 2];
        let mut d = [0.0f64; 2];
        tanh_slice(&[0.0, -0.0], &mut v, &mut d);
        assert!(v[0].is_sign_positive() && v[1].is_sign_negative() && d == [1.0, 1.0]);
    }

    #[test]
    #[should_panic(expected = "give slices of one length")]
    fn slices_of_different_lengths_are_refused() {
        tanh_slice(&[1.0f32, 2.0], &mut [0.0; 2], &mut [0.0; 1]);
    }
}

//! Central differences: the quotient `(f(x + h) − f(x − h))/2h` of a function at a point, along
//! one axis of a function of several variables, or along a direction; and the values at `±h`,
//! `±2h` that a Richardson error estimate compares.
//!
//! The step and the tolerance stay with each test: they depend on what the test differentiates
//! (see `programs::tolerance` for the cross-mode suite's, with their derivation).

/// `(f(x + h) − f(x − h))/2h`.
pub fn central(mut f: impl FnMut(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// `x` with `t` added to its component `i`.
pub fn shifted(x: &[f64], i: usize, t: f64) -> Vec<f64> {
    let mut y = x.to_vec();
    y[i] += t;
    y
}

/// `x + t·d`.
pub fn offset(x: &[f64], d: &[f64], t: f64) -> Vec<f64> {
    x.iter().zip(d).map(|(a, b)| a + t * b).collect()
}

/// The central difference of a function of several variables along axis `i`:
/// `(f(x + h·eᵢ) − f(x − h·eᵢ))/2h`.
pub fn partial(mut f: impl FnMut(&[f64]) -> f64, x: &[f64], i: usize, h: f64) -> f64 {
    (f(&shifted(x, i, h)) - f(&shifted(x, i, -h))) / (2.0 * h)
}

/// The central differences of a vector-valued function (a gradient, say) along axis `i`, one per
/// component.
pub fn partials(mut f: impl FnMut(&[f64]) -> Vec<f64>, x: &[f64], i: usize, h: f64) -> Vec<f64> {
    quotients(&f(&shifted(x, i, h)), &f(&shifted(x, i, -h)), h)
}

/// The central differences of a vector-valued function along the direction `d`:
/// `(f(x + h·d) − f(x − h·d))/2h`, one per component.
pub fn along(mut f: impl FnMut(&[f64]) -> Vec<f64>, x: &[f64], d: &[f64], h: f64) -> Vec<f64> {
    quotients(&f(&offset(x, d, h)), &f(&offset(x, d, -h)), h)
}

fn quotients(plus: &[f64], minus: &[f64], h: f64) -> Vec<f64> {
    plus.iter()
        .zip(minus)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

/// The central differences with steps `h` and `2h`, `(D(h), D(2h))`, from the values
/// `[f(x − 2h), f(x − h), f(x + h), f(x + 2h)]`. Their difference estimates the truncation error:
/// `D(h) − D(2h) ≈ −h²·f‴/2`, three times that of `D(h)`.
pub fn two_steps([m2, m1, p1, p2]: [f64; 4], h: f64) -> (f64, f64) {
    ((p1 - m1) / (2.0 * h), (p2 - m2) / (4.0 * h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_differences_of_a_cubic() {
        // exact up to rounding for a quadratic, h² f‴/6 off for a cubic
        let d = central(|x| x * x * x, 2.0, 1e-3);
        assert!((d - 12.0).abs() < 2e-6, "{d}");
        let g = |x: &[f64]| x[0] * x[0] * x[1];
        assert!((partial(g, &[3.0, 2.0], 0, 1e-4) - 12.0).abs() < 1e-7);
        assert!((partial(g, &[3.0, 2.0], 1, 1e-4) - 9.0).abs() < 1e-7);
        let grad = |x: &[f64]| vec![2.0 * x[0] * x[1], x[0] * x[0]];
        let col = partials(grad, &[3.0, 2.0], 0, 1e-4);
        assert!((col[0] - 4.0).abs() < 1e-7 && (col[1] - 6.0).abs() < 1e-7);
        let dir = along(grad, &[3.0, 2.0], &[1.0, 1.0], 1e-4);
        assert!((dir[0] - 10.0).abs() < 1e-7 && (dir[1] - 6.0).abs() < 1e-7);
        let h = 1e-2;
        let values = [-2.0, -1.0, 1.0, 2.0].map(|k: f64| (2.0 + k * h).powi(3));
        let (d1, d2) = two_steps(values, h);
        // D(h) = f' + h²f‴/6, D(2h) = f' + 4h²f‴/6 with f‴ = 6
        assert!((d1 - (12.0 + h * h)).abs() < 1e-9, "{d1}");
        assert!((d2 - (12.0 + 4.0 * h * h)).abs() < 1e-9, "{d2}");
    }

    #[test]
    fn shifts_and_offsets() {
        assert_eq!(shifted(&[1.0, 2.0], 1, 0.5), vec![1.0, 2.5]);
        assert_eq!(offset(&[1.0, 2.0], &[0.0, 2.0], -0.5), vec![1.0, 1.0]);
    }
}

//! The structured-Jacobian drivers: `jacobian_array` (one small block on the stack) and
//! `jacobian_colored` (a sparse Jacobian compressed by a column colouring), each against the
//! dense forward `jacobian` and against central differences; several passes when the colours
//! outnumber the tangents; the `ColoredJacobian` workspace over repeated calls; the checks of
//! their arguments.

use diffprog_dual::{
    jacobian, jacobian_array, jacobian_colored, jacobian_with_chunk, ColoredJacobian, Scalar,
};
use diffprog_testkit::fd;

/// A reprojection-like block: 5 inputs (a rotation angle, a 2-D offset, a scale, a weight), 2
/// outputs, with a division, trigonometry and products.
fn block<T: Scalar>(p: &[T]) -> [T; 2] {
    let (s, c) = p[0].sin_cos();
    let x = c * p[1] - s * p[2] + 0.5;
    let y = s * p[1] + c * p[2] + 2.0;
    let r = (x * x + y * y).sqrt();
    [p[4] * (x / y * p[3] - 0.1), p[4] * (r.ln() + p[3] * p[3])]
}

fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{what}: {a} vs {b}");
}

#[test]
fn jacobian_array_matches_the_dense_jacobian_and_central_differences() {
    let x = [0.3, 1.2, -0.4, 1.7, 0.9];
    let (value, j) = jacobian_array(|p: &[_; 5]| block(p), &x);
    let (dense_value, dense) = jacobian(|p| block(p).to_vec(), x);
    assert_eq!(value.to_vec(), dense_value);
    for (i, row) in j.iter().enumerate() {
        for (k, &d) in row.iter().enumerate() {
            assert_eq!(d, dense[(i, k)], "({i}, {k})");
            let fd = fd::partials(|q| block(q).to_vec(), &x, k, 1e-6);
            assert_close(d, fd[i], 1e-7, &format!("central difference ({i}, {k})"));
        }
    }
    assert_eq!(value, block(&x));
}

#[test]
fn jacobian_array_of_one_input_and_of_no_output() {
    let (v, j) = jacobian_array(|p: &[_; 1]| [p[0] * p[0], p[0].exp()], &[2.0]);
    assert_eq!(v, [4.0, 2.0_f64.exp()]);
    assert_eq!(j, [[4.0], [2.0_f64.exp()]]);
    let (v, j) = jacobian_array(|_: &[_; 3]| [], &[1.0, 2.0, 3.0]);
    assert_eq!((v, j), ([], []));
}

/// Shared parameters `a` (3) and per-item pairs `(u, v)`: item i's three outputs read `a` and its
/// own pair only, as in hand tracking's correspondences.
fn items<T: Scalar>(x: &[T]) -> Vec<T> {
    let a = &x[..3];
    x[3..]
        .chunks(2)
        .flat_map(|uv| {
            let (u, v) = (uv[0], uv[1]);
            [
                a[0] * u + a[1] * v,
                (a[2] * u).sin() + v * v,
                a[0] * a[1] * (T::one() - u - v),
            ]
        })
        .collect()
}

fn items_point(n_items: usize) -> (Vec<f64>, Vec<usize>) {
    let mut x = vec![0.7, -1.3, 0.4];
    let mut colors = vec![2, 3, 4];
    for i in 0..n_items {
        x.extend([0.2 + 0.1 * i as f64, 0.5 - 0.07 * i as f64]);
        colors.extend([0, 1]);
    }
    (x, colors)
}

#[test]
fn jacobian_colored_matches_the_dense_jacobian_and_central_differences() {
    let (x, colors) = items_point(6);
    for (passes, (value, compressed)) in [
        (1, jacobian_colored::<5>(items, &x, &colors)),
        (1, jacobian_colored::<8>(items, &x, &colors)),
        (3, jacobian_colored::<2>(items, &x, &colors)),
    ] {
        let (dense_value, dense) = jacobian_with_chunk::<4>(items, &x);
        assert_eq!(value, dense_value, "{passes} passes");
        let c = 5;
        assert_eq!(compressed.len(), value.len() * c);
        for i in 0..value.len() {
            let item = i / 3;
            // The inputs output i depends on: a, and its own item's pair.
            for j in [0, 1, 2, 3 + 2 * item, 4 + 2 * item] {
                let d = compressed[i * c + colors[j]];
                assert_eq!(d, dense[(i, j)], "({i}, {j}), {passes} passes");
                let fd = fd::partials(items, &x, j, 1e-6);
                assert_close(d, fd[i], 1e-7, &format!("central difference ({i}, {j})"));
            }
            // Every other column of the dense Jacobian is zero in row i.
            for j in (3..x.len()).filter(|&j| (j - 3) / 2 != item) {
                assert_eq!(dense[(i, j)], 0.0);
            }
        }
    }
}

#[test]
fn jacobian_colored_with_every_input_its_own_colour_is_the_jacobian() {
    let (x, _) = items_point(2);
    let colors: Vec<usize> = (0..x.len()).collect();
    let (value, compressed) = jacobian_colored::<3>(items, &x, &colors);
    let (dense_value, dense) = jacobian(items, &x);
    assert_eq!(value, dense_value);
    for i in 0..value.len() {
        for j in 0..x.len() {
            assert_eq!(compressed[i * x.len() + j], dense[(i, j)]);
        }
    }
}

#[test]
fn jacobian_colored_of_no_input() {
    let (v, j) = jacobian_colored::<4>(|_| vec![Scalar::from_f64(2.0)], &[], &[]);
    assert_eq!((v, j), (vec![2.0], vec![]));
}

#[test]
#[should_panic(expected = "one colour per input")]
fn jacobian_colored_needs_a_colour_per_input() {
    let _ = jacobian_colored::<4>(items, &[1.0, 2.0, 3.0], &[0, 1]);
}

#[test]
fn colored_jacobian_workspace_reuses_its_buffers_across_points() {
    let (x, colors) = items_point(5);
    let mut workspace = ColoredJacobian::<5>::new(colors.clone());
    assert_eq!(workspace.colors(), 5);
    for shift in [0.0, 0.3, -0.2] {
        let y: Vec<f64> = x.iter().map(|v| v + shift).collect();
        let (value, compressed) = workspace.compute(
            |a, out| {
                out.clear();
                out.extend(items(a));
            },
            &y,
        );
        let expected = jacobian_colored::<5>(items, &y, &colors);
        assert_eq!((value.to_vec(), compressed.to_vec()), expected);
        assert_eq!(workspace.last().1, expected.1.as_slice());
    }
}

//! Sparse Jacobians and Hessians (`diffprog_reverse::sparse`): the detected patterns cover every
//! nonzero of the dense Jacobian / Hessian at random points, the colourings are valid and small,
//! and the compressed results equal the dense drivers' (`reverse::jacobian`,
//! `reverse::hessian`) and central differences — on Rosenbrock, arrowhead and banded
//! functions, a bundle-adjustment residual and random sparse functions, at points other than
//! the recording point.

use diffprog_dual::Scalar;
use diffprog_reverse::replay::{record, record_vector, ReplayVar};
use diffprog_reverse::sparse::{
    column_coloring, hessian_pattern, jacobian_pattern, row_coloring, star_coloring, CscMatrix,
    CsrMatrix, JacobianMode, SparseHessian, SparseJacobian, SparsityPattern,
};
use diffprog_testkit::fd;
use nalgebra::DMatrix;

/// SplitMix64: reproducible points and functions without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn point(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}

fn dense(m: &CsrMatrix<f64>) -> DMatrix<f64> {
    DMatrix::from(m)
}

fn in_pattern(p: &SparsityPattern, i: usize, j: usize) -> bool {
    p.lane(i).binary_search(&j).is_ok()
}

/// Every nonzero of `full` lies in `pattern`.
fn assert_covers(pattern: &SparsityPattern, full: &DMatrix<f64>, what: &str) {
    assert_eq!((pattern.major_dim(), pattern.minor_dim()), full.shape());
    for i in 0..full.nrows() {
        for j in 0..full.ncols() {
            assert!(
                full[(i, j)] == 0.0 || in_pattern(pattern, i, j),
                "{what}: nonzero ({i}, {j}) = {} outside the detected pattern",
                full[(i, j)]
            );
        }
    }
}

/// The sparse matrix equals the dense one: entries in the pattern to 1e-12 relative to
/// max(|entry|, 1), and the dense one is exactly zero outside it.
fn assert_equals_dense(sparse: &CsrMatrix<f64>, full: &DMatrix<f64>, what: &str) {
    assert_covers(sparse.pattern(), full, what);
    for (i, j, &v) in sparse.triplet_iter() {
        let d = full[(i, j)];
        assert!(
            (v - d).abs() <= 1e-12 * d.abs().max(1.0),
            "{what}: entry ({i}, {j}) is {v}, the dense driver's {d}"
        );
    }
}

/// Central differences of the exact gradient, column by column: `H[:, j] ≈ (∇f(x + h eⱼ) −
/// ∇f(x − h eⱼ)) / 2h`.
fn assert_hessian_matches_differences(
    f: impl Fn(&[diffprog_reverse::Var]) -> diffprog_reverse::Var + Copy,
    x: &[f64],
    h: &CsrMatrix<f64>,
    what: &str,
) {
    let full = dense(h);
    for j in 0..x.len() {
        let col = fd::partials(|y| diffprog_reverse::gradient(f, y).1, x, j, 1e-5);
        for (i, c) in col.iter().enumerate() {
            assert!(
                (full[(i, j)] - c).abs() <= 1e-6 * (1.0 + c.abs()),
                "{what}: H({i}, {j}) = {} but central differences give {c}",
                full[(i, j)]
            );
        }
    }
}

/// Central differences of the values, column by column.
fn assert_jacobian_matches_differences(
    f: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    j: &CsrMatrix<f64>,
    what: &str,
) {
    let full = dense(j);
    for col in 0..x.len() {
        let d = fd::partials(&f, x, col, 1e-6);
        for (row, c) in d.iter().enumerate() {
            assert!(
                (full[(row, col)] - c).abs() <= 1e-6 * (1.0 + c.abs()),
                "{what}: J({row}, {col}) = {} but central differences give {c}",
                full[(row, col)]
            );
        }
    }
}

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

#[test]
fn rosenbrock_hessian_is_tridiagonal_with_three_colours() {
    let mut rng = Rng(1);
    for n in [2, 3, 20, 200] {
        let mut h = SparseHessian::new(rosenbrock, rng.point(n, -1.0, 1.0));
        let p = h.pattern();
        assert_eq!(p.nnz(), 3 * n - 2, "n = {n}");
        for i in 0..n {
            let expected: Vec<usize> = (i.saturating_sub(1)..(i + 2).min(n)).collect();
            assert_eq!(p.lane(i), &expected[..], "n = {n}, row {i}");
        }
        assert!(h.coloring().count() <= 3, "n = {n}: {:?}", h.coloring());
        assert!(h.coloring().is_star_coloring_of(h.pattern()));
        assert_eq!(h.sweeps(), 1);
        for _ in 0..3 {
            let x = rng.point(n, -1.5, 1.5);
            let (value, gradient, hessian) = h.evaluate(&x).unwrap();
            let (dv, dg, dh) = diffprog_reverse::hessian(rosenbrock, &x);
            assert_eq!(value, rosenbrock(&x));
            assert!((value - dv).abs() <= 1e-12 * dv.abs());
            for (a, b) in gradient.iter().zip(&dg) {
                assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
            }
            assert_equals_dense(&hessian, &dh, "Rosenbrock");
            // Exactly symmetric.
            let d = dense(&hessian);
            assert_eq!(d, d.transpose());
            if n <= 20 {
                assert_hessian_matches_differences(rosenbrock, &x, &hessian, "Rosenbrock");
            }
        }
    }
}

/// x₀ meets every variable, the others themselves; plus a pentadiagonal coupling.
fn arrow_banded<T: Scalar>(x: &[T]) -> T {
    let n = x.len();
    let mut s = T::zero();
    for i in 1..n {
        s += (x[0] * x[i]).sin() + x[i].exp() * 0.1;
    }
    for i in 0..n - 2 {
        s += (x[i] - x[i + 2]).powi(2) * x[i + 1].cos();
    }
    s
}

fn arrowhead<T: Scalar>(x: &[T]) -> T {
    let mut s = x[0].cosh();
    for i in 1..x.len() {
        s += (x[0] * x[i]).sin() + x[i] * x[i] * x[i];
    }
    s
}

/// Half-bandwidth 3: xᵢ meets xᵢ₊₁, xᵢ₊₂, xᵢ₊₃.
fn banded<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 3 {
        s += (x[i] * x[i + 3] + x[i + 1] * x[i + 2]).tanh() + x[i].powi(4);
    }
    s
}

#[test]
fn arrowhead_and_banded_hessians() {
    let mut rng = Rng(2);
    let n = 30;
    let x0 = rng.point(n, -1.0, 1.0);
    let mut arrow = SparseHessian::new(arrowhead, &x0);
    // An arrowhead: two colours (a distance-2 colouring would need n).
    assert_eq!(arrow.coloring().count(), 2);
    assert_eq!(arrow.pattern().nnz(), 3 * n - 2);
    let mut band = SparseHessian::new(banded, &x0);
    for i in 0..n {
        let expected: Vec<usize> = (i.saturating_sub(3)..(i + 4).min(n)).collect();
        assert_eq!(band.pattern().lane(i), &expected[..], "row {i}");
    }
    // A star colouring of a band of half-bandwidth b needs at least b + 1 colours; greedy
    // largest-first stays near it.
    let c = band.coloring().count();
    assert!((4..=7).contains(&c), "{c} colours for half-bandwidth 3");
    let mut both = SparseHessian::new(arrow_banded, &x0);
    // The hub's colour and at most 2b + 1 = 5 for the band of half-bandwidth 2 (what a
    // distance-2 colouring of the band needs).
    assert!(both.coloring().count() <= 6, "{:?}", both.coloring());
    for (h, f, what) in [
        (
            &mut arrow,
            arrowhead::<diffprog_reverse::Var> as fn(&[_]) -> _,
            "arrowhead",
        ),
        (&mut band, banded, "banded"),
        (&mut both, arrow_banded, "arrowhead + band"),
    ] {
        assert!(h.coloring().is_star_coloring_of(h.pattern()), "{what}");
        for _ in 0..2 {
            let x = rng.point(n, -1.0, 1.0);
            let (_, _, hessian) = h.evaluate(&x).unwrap();
            let dense_f = |v: &[diffprog_reverse::HessianVar]| match what {
                "arrowhead" => arrowhead(v),
                "banded" => banded(v),
                _ => arrow_banded(v),
            };
            let (_, _, dh) = diffprog_reverse::hessian(dense_f, &x);
            assert_equals_dense(&hessian, &dh, what);
            assert_hessian_matches_differences(f, &x, &hessian, what);
        }
    }
}

/// Observations of a bundle-adjustment problem: (camera, point, observed u, observed v).
fn observations(cameras: usize, points: usize, rng: &mut Rng) -> Vec<(usize, usize, f64, f64)> {
    let mut obs = Vec::new();
    for p in 0..points {
        let a = p % cameras;
        let b = (a + 1 + rng.below(cameras - 1)) % cameras;
        for c in [a, b] {
            obs.push((c, p, rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)));
        }
    }
    obs
}

const CAMERA: usize = 9;

/// Reprojection residuals, two per observation: camera `c` has 9 parameters (axis-angle
/// rotation, translation, focal length, two radial distortion coefficients) at `9c`, point `p`
/// three coordinates after the cameras.
fn reprojection<T: Scalar>(x: &[T], cameras: usize, obs: &[(usize, usize, f64, f64)]) -> Vec<T> {
    let mut r = Vec::with_capacity(2 * obs.len());
    for &(c, p, u_obs, v_obs) in obs {
        let cam = &x[CAMERA * c..CAMERA * (c + 1)];
        let q = &x[CAMERA * cameras + 3 * p..CAMERA * cameras + 3 * p + 3];
        let theta = (cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2]).sqrt();
        let (s, co) = (theta.sin(), theta.cos());
        let k = [cam[0] / theta, cam[1] / theta, cam[2] / theta];
        let kx = k[0] * q[0] + k[1] * q[1] + k[2] * q[2];
        let cross = [
            k[1] * q[2] - k[2] * q[1],
            k[2] * q[0] - k[0] * q[2],
            k[0] * q[1] - k[1] * q[0],
        ];
        let rotated: Vec<T> = (0..3)
            .map(|i| q[i] * co + cross[i] * s + k[i] * kx * (T::one() - co) + cam[3 + i])
            .collect();
        let (u, v) = (-rotated[0] / rotated[2], -rotated[1] / rotated[2]);
        let rr = u * u + v * v;
        let d = T::one() + cam[7] * rr + cam[8] * rr * rr;
        r.push(cam[6] * d * u - u_obs);
        r.push(cam[6] * d * v - v_obs);
    }
    r
}

fn bundle_point(cameras: usize, points: usize, rng: &mut Rng) -> Vec<f64> {
    let mut x = Vec::new();
    for _ in 0..cameras {
        x.extend(rng.point(3, 0.05, 0.3)); // rotation
        x.extend([
            rng.uniform(-0.2, 0.2),
            rng.uniform(-0.2, 0.2),
            rng.uniform(4.0, 6.0),
        ]);
        x.extend([
            rng.uniform(0.8, 1.2),
            rng.uniform(-0.1, 0.1),
            rng.uniform(-0.05, 0.05),
        ]);
    }
    for _ in 0..points {
        x.extend([
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
        ]);
    }
    x
}

#[test]
fn bundle_adjustment_jacobian_colours_do_not_grow_with_points() {
    let mut rng = Rng(3);
    for (cameras, points) in [(3, 20), (5, 60)] {
        let obs = observations(cameras, points, &mut rng);
        let x0 = bundle_point(cameras, points, &mut rng);
        let mut jac = SparseJacobian::new(|x| reprojection(x, cameras, &obs), &x0);
        assert_eq!(jac.mode(), JacobianMode::Forward);
        // A row meets one camera's 9 parameters and one point's 3: 12 colours, however many
        // points.
        assert_eq!(
            jac.coloring().count(),
            CAMERA + 3,
            "{cameras} cameras, {points} points"
        );
        assert_eq!(jac.sweeps(), 2);
        assert_eq!(jac.pattern().nnz(), 2 * obs.len() * (CAMERA + 3));
        assert!(jac.coloring().is_column_coloring_of(jac.pattern()));
        let x = bundle_point(cameras, points, &mut rng);
        let (y, j) = jac.evaluate(&x).unwrap();
        assert_eq!(y, reprojection(&x, cameras, &obs));
        let (_, dj) = diffprog_reverse::jacobian(|v| reprojection(v, cameras, &obs), &x);
        assert_equals_dense(&j, &dj, "bundle adjustment");
        if points <= 20 {
            assert_jacobian_matches_differences(
                |v| reprojection(v, cameras, &obs),
                &x,
                &j,
                "bundle adjustment",
            );
        }
        // The reverse compression gives the same Jacobian.
        let program = record_vector(|v| reprojection(v, cameras, &obs), &x0);
        let mut reverse = SparseJacobian::with_mode(program, JacobianMode::Reverse);
        assert!(reverse
            .coloring()
            .is_column_coloring_of(&reverse.pattern().transpose()));
        let (y2, j2) = reverse.evaluate(&x).unwrap();
        assert_eq!(y2, y);
        assert_equals_dense(&j2, &dj, "bundle adjustment, reverse");
        // CSC holds the same entries.
        let csc = CscMatrix::from(&j);
        assert_eq!(DMatrix::from(&csc), dense(&j));
    }
}

/// A term of a random sparse function: operation `op` on inputs `a`, `b`, `c`.
#[derive(Clone, Copy, Debug)]
struct Term {
    op: usize,
    a: usize,
    b: usize,
    c: usize,
}

const OPS: usize = 16;

fn term<T: Scalar>(t: Term, x: &[T]) -> T {
    let (a, b, c) = (x[t.a], x[t.b], x[t.c]);
    match t.op {
        0 => a * b * 0.7,
        1 => (a * b + c).sin(),
        2 => (a * 0.3).exp() * b,
        3 => a / (b * b + 1.0),
        4 => a.hypot(b + 2.0),
        5 => a.atan2(b * b + 1.0),
        6 => (a - b).powi(3),
        7 => a.softplus() * c.tanh(),
        8 => a.abs() * b,
        9 => a.max(b) * c,
        10 => (a * a + 1.0).powf(1.5),
        11 => (a * a + b * b + 1.0).sqrt(),
        12 => (a * a + 1.0).ln() + b * 2.0,
        13 => a.relu() * b * b,
        14 => a * 3.0 - b,
        _ => a.signum() * b + (c * 2.0).cos(),
    }
}

fn random_terms(rng: &mut Rng, n: usize, count: usize) -> Vec<Term> {
    (0..count)
        .map(|_| {
            let a = rng.below(n);
            // Mostly near neighbours, sometimes far: sparse but irregular.
            let near = |rng: &mut Rng| {
                if rng.below(4) == 0 {
                    rng.below(n)
                } else {
                    (a + rng.below(3)) % n
                }
            };
            Term {
                op: rng.below(OPS),
                a,
                b: near(rng),
                c: near(rng),
            }
        })
        .collect()
}

fn sum_of<T: Scalar>(terms: &[Term], x: &[T]) -> T {
    terms.iter().fold(T::zero(), |s, &t| s + term(t, x))
}

#[test]
fn random_sparse_hessians() {
    let mut rng = Rng(4);
    for case in 0..12 {
        let n = 6 + rng.below(20);
        let count = n + rng.below(n);
        let terms = random_terms(&mut rng, n, count);
        let x0 = rng.point(n, -1.5, 1.5);
        let program = record(|x: &[ReplayVar]| sum_of(&terms, x), &x0);
        let pattern = hessian_pattern(&program);
        assert_eq!(pattern, pattern.transpose(), "case {case}: symmetric");
        let mut h = SparseHessian::from_program(program);
        assert!(h.coloring().is_star_coloring_of(h.pattern()), "case {case}");
        assert!(h.coloring().count() <= n);
        for _ in 0..3 {
            let x = rng.point(n, -1.5, 1.5);
            let (value, gradient, hessian) = h.evaluate(&x).unwrap();
            let (dv, dg, dh) = diffprog_reverse::hessian(|v| sum_of(&terms, v), &x);
            let what = format!("case {case}: {terms:?} at {x:?}");
            assert!((value - dv).abs() <= 1e-12 * dv.abs().max(1.0), "{what}");
            for (a, b) in gradient.iter().zip(&dg) {
                assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{what}");
            }
            assert_equals_dense(&hessian, &dh, &what);
            assert_hessian_matches_differences(|v| sum_of(&terms, v), &x, &hessian, &what);
        }
    }
}

/// Outputs of a random sparse vector function: one or two terms each, plus a constant output
/// and an output that is an input.
fn outputs<T: Scalar>(terms: &[Term], x: &[T]) -> Vec<T> {
    let mut y: Vec<T> = terms.chunks(2).map(|pair| sum_of(pair, x)).collect();
    y.push(T::constant(2.5));
    y.push(x[x.len() / 2]);
    y
}

#[test]
fn random_sparse_jacobians() {
    let mut rng = Rng(5);
    for case in 0..12 {
        let n = 4 + rng.below(20);
        let count = 2 * n + rng.below(n);
        let terms = random_terms(&mut rng, n, count);
        let x0 = rng.point(n, -1.5, 1.5);
        let program = record_vector(|x: &[ReplayVar]| outputs(&terms, x), &x0);
        let pattern = jacobian_pattern(&program);
        let m = pattern.major_dim();
        assert_eq!(pattern.lane(m - 2), &[] as &[usize], "the constant output");
        assert_eq!(pattern.lane(m - 1), &[n / 2], "the output that is an input");
        let mut forward = SparseJacobian::with_mode(program.clone(), JacobianMode::Forward);
        let mut reverse = SparseJacobian::with_mode(program.clone(), JacobianMode::Reverse);
        let mut auto = SparseJacobian::from_program(program);
        assert!(forward.coloring().is_column_coloring_of(&pattern));
        assert!(reverse
            .coloring()
            .is_column_coloring_of(&pattern.transpose()));
        assert_eq!(
            auto.coloring().count(),
            column_coloring(&pattern)
                .count()
                .min(row_coloring(&pattern).count())
        );
        for _ in 0..3 {
            let x = rng.point(n, -1.5, 1.5);
            let what = format!("case {case}: {terms:?} at {x:?}");
            let (dy, dj) = diffprog_reverse::jacobian(|v| outputs(&terms, v), &x);
            for jac in [&mut forward, &mut reverse, &mut auto] {
                let (y, j) = jac.evaluate(&x).unwrap();
                assert_eq!(y, dy, "{what}");
                assert_equals_dense(&j, &dj, &what);
            }
            let (_, j) = forward.evaluate(&x).unwrap();
            assert_jacobian_matches_differences(|v| outputs(&terms, v), &x, &j, &what);
        }
    }
}

#[test]
fn random_colourings_are_valid() {
    let mut rng = Rng(6);
    for _ in 0..30 {
        let n = 2 + rng.below(40);
        // A random symmetric pattern with its diagonal.
        let mut rows: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        for _ in 0..rng.below(3 * n) {
            let (i, j) = (rng.below(n), rng.below(n));
            rows[i].push(j);
            rows[j].push(i);
        }
        let pattern = csr_pattern(&mut rows, n);
        let star = star_coloring(&pattern);
        assert!(star.is_star_coloring_of(&pattern), "{pattern:?}: {star:?}");
        let columns = column_coloring(&pattern);
        assert!(columns.is_column_coloring_of(&pattern));
        // A star colouring is also a distance-1 colouring of the adjacency graph.
        for i in 0..n {
            for &j in pattern.lane(i) {
                assert!(i == j || star.color(i) != star.color(j));
            }
        }
    }
}

fn csr_pattern(rows: &mut [Vec<usize>], columns: usize) -> SparsityPattern {
    let mut offsets = vec![0];
    let mut indices = Vec::new();
    for row in rows.iter_mut() {
        row.sort_unstable();
        row.dedup();
        indices.extend_from_slice(row);
        offsets.push(indices.len());
    }
    SparsityPattern::try_from_offsets_and_indices(rows.len(), columns, offsets, indices).unwrap()
}

#[test]
fn invalid_colourings_are_recognised() {
    // The path 0 – 1 – 2 – 3 coloured 0, 1, 0, 1 is distance-1 but two-coloured.
    let path = csr_pattern(
        &mut [vec![0, 1], vec![0, 1, 2], vec![1, 2, 3], vec![2, 3]],
        4,
    );
    let star = star_coloring(&path);
    assert!(star.is_star_coloring_of(&path));
    let two = column_coloring(&csr_pattern(&mut [vec![0, 1], vec![2, 3]], 4));
    // Columns {0, 1} and {2, 3} of that pattern: colours [0, 1, 0, 1].
    assert_eq!(two.colors(), &[0, 1, 0, 1]);
    assert!(!two.is_star_coloring_of(&path));
    assert!(!two.is_column_coloring_of(&path));
}

#[test]
fn a_different_branch_is_refused_and_the_pattern_reused_on_the_recorded_one() {
    fn piecewise<T: Scalar>(x: &[T]) -> T {
        if x[0] > 0.0 {
            x[0] * x[1] + x[2] * x[2]
        } else {
            x[0] * x[2]
        }
    }
    let mut h = SparseHessian::new(piecewise, [1.0, 2.0, 3.0]);
    assert_eq!(h.pattern().nnz(), 3); // (0, 1), (1, 0), (2, 2)
    let (_, _, m) = h.evaluate([0.5, -1.0, 4.0]).unwrap();
    assert_eq!(m.get_entry(0, 1).unwrap().into_value(), 1.0);
    assert_eq!(m.get_entry(2, 2).unwrap().into_value(), 2.0);
    let failure = h.evaluate([-0.5, 1.0, 1.0]).unwrap_err();
    assert!(failure.to_string().contains("`>`"), "{failure}");
    let mut jac = SparseJacobian::new(|x| [piecewise(x), x[1] * 2.0], [1.0, 2.0, 3.0]);
    assert!(jac.evaluate([-0.5, 1.0, 1.0]).is_err());
    assert!(jac.evaluate([0.5, 1.0, 1.0]).is_ok());
}

#[test]
fn patterns_of_special_programs() {
    // Linear: an empty Hessian pattern, still a value and gradient.
    let mut h = SparseHessian::new(|x| x[0] * 2.0 - x[1] + 1.0, [1.0, 1.0]);
    assert_eq!(h.pattern().nnz(), 0);
    let (v, g, m) = h.evaluate([3.0, 4.0]).unwrap();
    assert_eq!((v, g, m.nnz()), (3.0, vec![2.0, -1.0], 0));
    // A quotient: a's inputs meet b's, b's meet themselves, a's do not.
    let p = hessian_pattern(&record(|x| (x[0] + x[1]) / x[2], [1.0, 1.0, 1.0]));
    assert_eq!(p.lane(0), &[2]);
    assert_eq!(p.lane(1), &[2]);
    assert_eq!(p.lane(2), &[0, 1, 2]);
    // A value only a guard reads adds nothing.
    let p = hessian_pattern(&record(
        |x: &[ReplayVar]| {
            if (x[0] * x[1]).sin() > 0.0 {
                x[2] * x[2]
            } else {
                x[2]
            }
        },
        [1.0, 1.0, 1.0],
    ));
    assert_eq!(p.nnz(), 1);
    assert_eq!(p.lane(2), &[2]);
}

/// Residuals whose instructions the replay runs as loops over slices (`10(xᵢ₊₁ − xᵢ²)`,
/// `1 − xᵢ`, `xᵢ·xᵢ₊₁`) and a running sum (a scan), plus a dense last output.
fn sliced<T: Scalar>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let mut r: Vec<T> = (0..n - 1)
        .map(|i| (x[i + 1] - x[i] * x[i]) * 10.0)
        .collect();
    r.extend((0..n - 1).map(|i| -x[i] + 1.0));
    r.extend((0..n - 1).map(|i| x[i] * x[i + 1]));
    let mut s = T::zero();
    for xi in x {
        s += xi.sin();
    }
    r.push(s);
    r
}

#[test]
fn jacobians_through_slice_and_scan_runs() {
    let mut rng = Rng(7);
    let n = 40;
    let program = record_vector(sliced::<ReplayVar>, rng.point(n, -1.0, 1.0));
    let listing = format!("{program:?}");
    assert!(
        listing.contains("Slices") && listing.contains("Scan"),
        "{listing}"
    );
    for mode in [JacobianMode::Forward, JacobianMode::Reverse] {
        let mut jac = SparseJacobian::with_mode(program.clone(), mode);
        for _ in 0..2 {
            let x = rng.point(n, -1.0, 1.0);
            let (y, j) = jac.evaluate(&x).unwrap();
            let (dy, dj) = diffprog_reverse::jacobian(sliced, &x);
            assert_eq!(y, dy);
            assert_equals_dense(&j, &dj, &format!("{mode:?}"));
            assert_jacobian_matches_differences(sliced, &x, &j, &format!("{mode:?}"));
        }
    }
}

#[test]
#[should_panic(expected = "needs a scalar function")]
fn a_sparse_hessian_of_several_outputs_is_refused() {
    SparseHessian::from_program(record_vector(|x| [x[0] * x[1], x[1]], [1.0, 2.0]));
}

#[test]
#[should_panic(expected = "recorded with 3 inputs")]
fn a_point_of_another_length_is_refused() {
    let mut jac = SparseJacobian::new(|x| [x[0] * x[1], x[2]], [1.0, 2.0, 3.0]);
    let _ = jac.evaluate([1.0, 2.0]);
}

//! `ba`: bundle adjustment (ADBench). `objective` is every observation's reprojection error and
//! every weight error; `jacobian` their sparse Jacobian, (2p + p) × (11n + 3m + p), in the CSR
//! layout of GradBench's `SparseMat`.
//!
//! The input is one camera, point, weight and feature and the sizes n (cameras), m (points), p
//! (observations); the problem replicates them (observation i sees camera i mod n and point
//! i mod m). Every observation is computed: nothing takes advantage of the copies.
//!
//! The Jacobian has a block structure: observation i's two residuals read 11 camera parameters, 3
//! point coordinates and 1 weight, and weight error i reads weight i. Each 2 × 15 block is one
//! forward pass of [`reprojection_error`] on 15 tangents ([`diffprog_dual::jacobian_array`]), in
//! the `forward` mode (the default); the `reverse` mode records each block on the tape and sweeps
//! it twice ([`diffprog_reverse::jacobian`]).

use crate::gradbench::json::{count, finite, finite_list, number, object, vector};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::{jacobian_array, Scalar};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// The eval: forward mode by blocks first, reverse mode by blocks second.
pub const EVAL: Eval = Eval {
    name: "ba",
    modes: &[Mode::Forward, Mode::Reverse],
    functions: &["objective", "jacobian"],
    workloads,
    prepare,
};

/// Parameters of one camera: rotation (3, angle-axis), centre (3), focal length, principal point
/// (2), radial distortion (2).
pub const CAMERA: usize = 11;

/// Columns of one observation's block: a camera, a point and a weight.
pub const BLOCK: usize = CAMERA + 3 + 1;

/// The Jacobian entries GradBench's output keeps from the start of each CSR array (two rows of
/// one observation); the last entry follows them.
const SHOWN: usize = 2 * BLOCK;

/// `pt` rotated by the angle-axis vector `rot` (Rodrigues' formula; the first-order form at a
/// zero angle).
#[inline(always)]
fn rodrigues_rotate_point<T: Scalar>(rot: &[T], pt: &[T; 3]) -> [T; 3] {
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let (sintheta, costheta) = theta.sin_cos();
        let inv = theta.recip();
        let w = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
        let w_cross_pt = cross(&w, pt);
        let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (T::one() - costheta);
        let rotated = |i: usize| pt[i] * costheta + w_cross_pt[i] * sintheta + w[i] * tmp;
        [rotated(0), rotated(1), rotated(2)]
    } else {
        let rot_cross_pt = cross(&[rot[0], rot[1], rot[2]], pt);
        [
            pt[0] + rot_cross_pt[0],
            pt[1] + rot_cross_pt[1],
            pt[2] + rot_cross_pt[2],
        ]
    }
}

#[inline(always)]
fn cross<T: Scalar>(a: &[T; 3], b: &[T; 3]) -> [T; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// The image of point `x` in camera `cam`: rotated about the camera centre, divided by depth,
/// radially distorted, scaled by the focal length and moved by the principal point.
#[inline(always)]
fn project<T: Scalar>(cam: &[T], x: &[T]) -> [T; 2] {
    let centred = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let xcam = rodrigues_rotate_point(&cam[0..3], &centred);
    let p = [xcam[0] / xcam[2], xcam[1] / xcam[2]];
    let rsq = p[0] * p[0] + p[1] * p[1];
    let distortion = T::one() + cam[9] * rsq + cam[10] * rsq * rsq;
    [
        p[0] * distortion * cam[6] + cam[7],
        p[1] * distortion * cam[6] + cam[8],
    ]
}

/// One observation's weighted reprojection error: `w · (project(cam, x) − feat)`. `cam` has
/// [`CAMERA`] parameters and `x` 3 coordinates.
#[inline(always)]
pub fn reprojection_error<T: Scalar>(cam: &[T], x: &[T], w: T, feat: &[f64; 2]) -> [T; 2] {
    let proj = project(cam, x);
    [w * (proj[0] - feat[0]), w * (proj[1] - feat[1])]
}

/// One weight's error, `1 − w²`.
pub fn weight_error<T: Scalar>(w: T) -> T {
    T::one() - w * w
}

/// The objective: the reprojection errors of every observation (two each, into `reproj`) and the
/// weight errors (one each, into `w_err`).
#[allow(clippy::too_many_arguments)]
pub fn objective<T: Scalar>(
    cams: &[T],
    points: &[T],
    weights: &[T],
    obs: &[[u32; 2]],
    feats: &[[f64; 2]],
    reproj: &mut [T],
    w_err: &mut [T],
) {
    for (i, (&[c, p], out)) in obs.iter().zip(reproj.chunks_exact_mut(2)).enumerate() {
        let (c, p) = (c as usize, p as usize);
        let e = reprojection_error(
            &cams[c * CAMERA..(c + 1) * CAMERA],
            &points[p * 3..p * 3 + 3],
            weights[i],
            &feats[i],
        );
        out.copy_from_slice(&e);
    }
    for (e, &w) in w_err.iter_mut().zip(weights) {
        *e = weight_error(w);
    }
}

/// A problem: n cameras, m points, p observations (camera and point of each) with their
/// features and weights.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Number of cameras.
    pub n: usize,
    /// Number of points.
    pub m: usize,
    /// [`CAMERA`] parameters per camera.
    pub cams: Vec<f64>,
    /// Three coordinates per point.
    pub points: Vec<f64>,
    /// One weight per observation.
    pub weights: Vec<f64>,
    /// Camera and point of each observation.
    pub obs: Vec<[u32; 2]>,
    /// The measured image point of each observation.
    pub feats: Vec<[f64; 2]>,
}

impl Problem {
    /// The eval's problem: the one camera, point, weight and feature replicated, observation i
    /// seeing camera i mod n and point i mod m.
    pub fn from_input(input: &Value) -> Result<Problem, String> {
        let (n, m, p) = (count(input, "n")?, count(input, "m")?, count(input, "p")?);
        let cam = vector(input, "cam")?;
        let x = vector(input, "x")?;
        let w = number(input, "w")?;
        let feat = vector(input, "feat")?;
        if cam.len() != CAMERA || x.len() != 3 || feat.len() != 2 {
            return Err(format!(
                "`cam`, `x` and `feat` must have 11, 3 and 2 numbers, got {}, {} and {}",
                cam.len(),
                x.len(),
                feat.len()
            ));
        }
        if n == 0 || m == 0 || p == 0 {
            return Err(format!("n, m and p must be positive, got {n}, {m} and {p}"));
        }
        let columns = CAMERA * n + 3 * m + p;
        if columns > u32::MAX as usize || (2 * BLOCK + 1) * p > u32::MAX as usize {
            return Err(format!(
                "the problem is too large for 32-bit indices: n = {n}, m = {m}, p = {p}"
            ));
        }
        Ok(Problem {
            n,
            m,
            cams: cam.repeat(n),
            points: x.repeat(m),
            weights: vec![w; p],
            obs: (0..p).map(|i| [(i % n) as u32, (i % m) as u32]).collect(),
            feats: vec![[feat[0], feat[1]]; p],
        })
    }

    /// The number of observations.
    pub fn p(&self) -> usize {
        self.obs.len()
    }

    /// Observation i's 15 block inputs: its camera, its point, its weight.
    fn block_point(&self, i: usize) -> [f64; BLOCK] {
        let [c, p] = self.obs[i];
        let (c, p) = (c as usize, p as usize);
        let mut x = [0.0; BLOCK];
        x[..CAMERA].copy_from_slice(&self.cams[c * CAMERA..(c + 1) * CAMERA]);
        x[CAMERA..CAMERA + 3].copy_from_slice(&self.points[p * 3..p * 3 + 3]);
        x[BLOCK - 1] = self.weights[i];
        x
    }
}

/// The Jacobian in compressed sparse rows: row i's entries are `cols[rows[i]..rows[i + 1]]`
/// with values `vals[…]` (GradBench's `SparseMat`).
#[derive(Clone, Debug, Default)]
pub struct Csr {
    /// Row pointers (3p + 1).
    pub rows: Vec<u32>,
    /// Column of each entry.
    pub cols: Vec<u32>,
    /// Value of each entry.
    pub vals: Vec<f64>,
}

impl Csr {
    /// The Jacobian's arrays for `p` observations, allocated and written once (zeros), so that
    /// filling them in the timed runs neither grows nor first touches them.
    pub fn for_observations(p: usize) -> Csr {
        let nnz = 2 * BLOCK * p + p;
        Csr {
            rows: vec![0; 3 * p + 1],
            cols: vec![0; nnz],
            vals: vec![0.0; nnz],
        }
    }

    /// Writes observation i's two rows (block `j`: rows are residuals, columns camera, point,
    /// weight): rows 2i and 2i + 1, entries from 2·15·i.
    fn set_block(&mut self, problem: &Problem, i: usize, j: &[[f64; BLOCK]; 2]) {
        let [c, p] = problem.obs[i];
        let point_base = (CAMERA * problem.n) as u32;
        let weight_col = point_base + 3 * problem.m as u32 + i as u32;
        for (r, row) in j.iter().enumerate() {
            let start = (2 * i + r) * BLOCK;
            self.rows[2 * i + r + 1] = (start + BLOCK) as u32;
            let cols = &mut self.cols[start..start + BLOCK];
            for (k, col) in cols[..CAMERA].iter_mut().enumerate() {
                *col = CAMERA as u32 * c + k as u32;
            }
            for (k, col) in cols[CAMERA..CAMERA + 3].iter_mut().enumerate() {
                *col = point_base + 3 * p + k as u32;
            }
            cols[BLOCK - 1] = weight_col;
            self.vals[start..start + BLOCK].copy_from_slice(row);
        }
    }

    /// Writes weight error i's row (row 2p + i, after every observation's).
    fn set_weight(&mut self, problem: &Problem, i: usize, d: f64) {
        let p = problem.p();
        let k = 2 * BLOCK * p + i;
        self.rows[2 * p + i + 1] = (k + 1) as u32;
        self.cols[k] = (CAMERA * problem.n + 3 * problem.m + i) as u32;
        self.vals[k] = d;
    }
}

/// The Jacobian of [`objective`] in `mode` (forward or reverse, by blocks), into `out`.
///
/// # Panics
/// If `out` is not sized for the problem ([`Csr::for_observations`]).
pub fn jacobian(problem: &Problem, mode: Mode, out: &mut Csr) {
    assert_eq!(
        out.rows.len(),
        3 * problem.p() + 1,
        "ba::jacobian: the CSR arrays are not sized for the problem"
    );
    for i in 0..problem.p() {
        let x = problem.block_point(i);
        let feat = &problem.feats[i];
        let block = match mode {
            Mode::Reverse => {
                let (_, j) = diffprog_reverse::jacobian(
                    |v| {
                        reprojection_error(&v[..CAMERA], &v[CAMERA..CAMERA + 3], v[BLOCK - 1], feat)
                            .to_vec()
                    },
                    x,
                );
                std::array::from_fn(|r| std::array::from_fn(|k| j[(r, k)]))
            }
            _ => {
                jacobian_array(
                    |v| {
                        reprojection_error(&v[..CAMERA], &v[CAMERA..CAMERA + 3], v[BLOCK - 1], feat)
                    },
                    &x,
                )
                .1
            }
        };
        out.set_block(problem, i, &block);
    }
    for (i, &w) in problem.weights.iter().enumerate() {
        let d = match mode {
            Mode::Reverse => diffprog_reverse::gradient(|v| weight_error(v[0]), [w]).1[0],
            _ => diffprog_dual::derivative(weight_error, w).1,
        };
        out.set_weight(problem, i, d);
    }
}

struct Objective {
    problem: Problem,
    reproj: Vec<f64>,
    w_err: Vec<f64>,
}

impl Workload for Objective {
    fn run(&mut self) {
        let p = &self.problem;
        objective(
            std::hint::black_box(&p.cams),
            &p.points,
            &p.weights,
            &p.obs,
            &p.feats,
            &mut self.reproj,
            &mut self.w_err,
        );
    }
    fn output(&self) -> Result<Value, String> {
        let p = self.problem.p();
        Ok(json!({
            "reproj_error": {
                "elements": finite_list(&self.reproj[..2], "reproj_error")?,
                "repeated": p,
            },
            "w_err": {"element": finite(self.w_err[0], "w_err")?, "repeated": p},
        }))
    }
}

struct Jacobian {
    problem: Problem,
    mode: Mode,
    csr: Csr,
}

impl Workload for Jacobian {
    fn run(&mut self) {
        jacobian(
            std::hint::black_box(&self.problem),
            self.mode,
            &mut self.csr,
        );
    }
    fn output(&self) -> Result<Value, String> {
        fn shown<T: Copy>(xs: &[T]) -> Vec<T> {
            let mut out = xs[..SHOWN.min(xs.len())].to_vec();
            out.extend(xs.last());
            out
        }
        Ok(object([
            ("rows", json!(shown(&self.csr.rows))),
            ("cols", json!(shown(&self.csr.cols))),
            ("vals", finite_list(&shown(&self.csr.vals), "vals")?),
        ]))
    }
}

fn prepare(function: &str, input: &Value, mode: Mode) -> Result<Box<dyn Workload>, String> {
    let problem = Problem::from_input(input)?;
    let p = problem.p();
    match function {
        "objective" => Ok(Box::new(Objective {
            problem,
            reproj: vec![0.0; 2 * p],
            w_err: vec![0.0; p],
        })),
        "jacobian" => Ok(Box::new(Jacobian {
            csr: Csr::for_observations(p),
            problem,
            mode,
        })),
        other => Err(unknown_function("ba", other, EVAL.functions)),
    }
}

/// The sizes (n, m, p) of ADBench's data files ba1 … ba14.
const SIZES: [(usize, usize, usize); 14] = [
    (49, 7776, 31843),
    (21, 11315, 36455),
    (161, 48126, 182072),
    (372, 47423, 204472),
    (257, 65132, 225911),
    (539, 65220, 277273),
    (93, 61203, 287451),
    (88, 64298, 383937),
    (810, 88814, 393775),
    (1197, 126327, 563734),
    (1723, 156502, 678718),
    (253, 163691, 899155),
    (245, 198739, 1091386),
    (356, 226730, 1255268),
];

/// ba1's camera, point, weight and feature (the eval's data file).
const BA1_CAM: [f64; CAMERA] = [
    -0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426,
    -8.51887, 0.087812, 0.002739,
];
const BA1_X: [f64; 3] = [7.203245, 0.001144, 3.023326];
const BA1_W: f64 = 0.417022;
const BA1_FEAT: [f64; 2] = [271.760969, 834.209256];

/// ba1 … ba14 at the data files' sizes: ba1 with its own camera, point, weight and feature, the
/// others with ba1's perturbed by up to 10 % (seeded), since their files are not at hand.
fn workloads() -> Vec<(String, Value)> {
    let mut rng = ChaCha8Rng::seed_from_u64(31337);
    SIZES
        .iter()
        .enumerate()
        .map(|(k, &(n, m, p))| {
            let mut jitter = |xs: &[f64]| -> Vec<f64> {
                xs.iter()
                    .map(|&x| {
                        if k == 0 {
                            x
                        } else {
                            x * (1.0 + rng.random_range(-0.1..0.1))
                        }
                    })
                    .collect()
            };
            let input = json!({
                "n": n, "m": m, "p": p,
                "cam": jitter(&BA1_CAM), "x": jitter(&BA1_X), "w": jitter(&[BA1_W])[0],
                "feat": jitter(&BA1_FEAT),
            });
            (format!("ba{}_n{n}_m{m}_p{p}", k + 1), input)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small problem with distinct cameras, points, weights and features (not replicated).
    fn small() -> Problem {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (n, m, p) = (3, 4, 7);
        let mut cams = Vec::new();
        for _ in 0..n {
            cams.extend(
                BA1_CAM
                    .iter()
                    .map(|&c| c * (1.0 + rng.random_range(-0.2..0.2))),
            );
        }
        Problem {
            n,
            m,
            cams,
            points: (0..3 * m).map(|_| rng.random_range(-5.0..5.0)).collect(),
            weights: (0..p).map(|_| rng.random_range(0.2..1.5)).collect(),
            obs: (0..p)
                .map(|i| [(i * 2 % n) as u32, (i * 3 % m) as u32])
                .collect(),
            feats: (0..p)
                .map(|_| [rng.random_range(0.0..500.0), rng.random_range(0.0..900.0)])
                .collect(),
        }
    }

    /// Every residual of the problem at the flat parameters `cams ++ points ++ weights`.
    fn residuals(problem: &Problem, x: &[f64]) -> Vec<f64> {
        let (cn, pn) = (CAMERA * problem.n, 3 * problem.m);
        let p = problem.p();
        let mut reproj = vec![0.0; 2 * p];
        let mut w_err = vec![0.0; p];
        objective(
            &x[..cn],
            &x[cn..cn + pn],
            &x[cn + pn..],
            &problem.obs,
            &problem.feats,
            &mut reproj,
            &mut w_err,
        );
        reproj.extend(w_err);
        reproj
    }

    fn dense(csr: &Csr, columns: usize) -> Vec<Vec<f64>> {
        let mut out = vec![vec![0.0; columns]; csr.rows.len() - 1];
        for (r, row) in out.iter_mut().enumerate() {
            for k in csr.rows[r] as usize..csr.rows[r + 1] as usize {
                row[csr.cols[k] as usize] += csr.vals[k];
            }
        }
        out
    }

    #[test]
    fn jacobian_matches_reverse_mode_and_central_differences() {
        let problem = small();
        let columns = CAMERA * problem.n + 3 * problem.m + problem.p();
        let (mut forward, mut reverse) = (
            Csr::for_observations(problem.p()),
            Csr::for_observations(problem.p()),
        );
        jacobian(&problem, Mode::Forward, &mut forward);
        jacobian(&problem, Mode::Reverse, &mut reverse);
        assert_eq!(forward.rows, reverse.rows);
        assert_eq!(forward.cols, reverse.cols);
        assert_eq!(forward.rows.len(), 3 * problem.p() + 1);
        assert_eq!(forward.vals.len(), (2 * BLOCK + 1) * problem.p());
        for (a, b) in forward.vals.iter().zip(&reverse.vals) {
            assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
        let j = dense(&forward, columns);
        let x: Vec<f64> = [
            problem.cams.clone(),
            problem.points.clone(),
            problem.weights.clone(),
        ]
        .concat();
        for col in 0..columns {
            let h = 1e-6 * (1.0 + x[col].abs());
            let mut plus = x.clone();
            plus[col] += h;
            let mut minus = x.clone();
            minus[col] -= h;
            let (fp, fm) = (residuals(&problem, &plus), residuals(&problem, &minus));
            for (r, row) in j.iter().enumerate() {
                let fd = (fp[r] - fm[r]) / (2.0 * h);
                assert!(
                    (row[col] - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
                    "row {r}, column {col}: {} vs central difference {fd}",
                    row[col]
                );
            }
        }
    }

    #[test]
    fn zero_rotation_takes_the_first_order_form() {
        let mut problem = small();
        problem.cams[..3].copy_from_slice(&[0.0; 3]);
        let mut csr = Csr::for_observations(problem.p());
        jacobian(&problem, Mode::Forward, &mut csr);
        assert!(csr.vals.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn the_output_keeps_the_first_thirty_entries_and_the_last() {
        let input = json!({"n": 2, "m": 3, "p": 20, "cam": BA1_CAM, "x": BA1_X, "w": BA1_W, "feat": BA1_FEAT});
        let mut w = prepare("jacobian", &input, Mode::Forward).unwrap();
        w.run();
        let out = w.output().unwrap();
        for key in ["rows", "cols", "vals"] {
            assert_eq!(out[key].as_array().unwrap().len(), 31, "{key}");
        }
        assert_eq!(out["rows"][29], json!(29 * BLOCK));
        assert_eq!(out["rows"][30], json!(2 * BLOCK * 20 + 20));
        assert_eq!(out["cols"][30], json!(CAMERA * 2 + 3 * 3 + 19));
        assert_eq!(out["vals"][30], json!(-2.0 * BA1_W));
        assert!(prepare("objective", &json!({"n": 0}), Mode::Forward).is_err());
    }
}

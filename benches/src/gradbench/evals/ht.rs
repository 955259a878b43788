//! `ht`: hand tracking (ADBench). A skinned hand model posed by 26 parameters θ (global rotation
//! and translation, then the finger joints); `objective` is the 3 residuals of each
//! correspondence between a measured point and the posed hand; `jacobian` their dense Jacobian.
//!
//! Two variants, told apart by `us`: in the *simple* one (`us` empty) a correspondence is a
//! vertex and the Jacobian is 3c × 26 (θ); in the *complicated* one it is a triangle with the
//! barycentric coordinates `us[i] = (u, v)`, and the Jacobian is 3c × 28: ∂/∂u and ∂/∂v of each
//! correspondence's residuals (their own u, v) first, then θ.
//!
//! The derivative is one forward pass ([`diffprog_dual::jacobian_colored`]; the timed runs use
//! its workspace [`ColoredJacobian`], which keeps the buffers between runs): θ's 26 parameters
//! are 26 tangent directions, and in the complicated variant every correspondence's u shares one
//! more direction and every v another, since residual i depends on `us[i]` only (a column
//! colouring of the 3c × (26 + 2c) Jacobian, which compresses it to the 28 columns the eval
//! asks for).

use crate::gradbench::json::{field, finite_list, finite_rows, matrix, vector};
use crate::gradbench::{unknown_function, Eval, Mode, Workload};
use diffprog_dual::{jacobian_colored, ColoredJacobian, Scalar};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// The eval: forward mode (one pass with a tangent per Jacobian column).
pub const EVAL: Eval = Eval {
    name: "ht",
    modes: &[Mode::Forward],
    functions: &["objective", "jacobian"],
    workloads,
    prepare,
};

/// The number of pose parameters θ.
pub const THETA: usize = 26;

type Mat4<T> = [[T; 4]; 4];

/// The hand model: bones in an order where each parent precedes its children, and the mesh.
#[derive(Clone, Debug)]
pub struct Model {
    /// Each bone's parent (`None` for the root).
    pub parents: Vec<Option<usize>>,
    /// Each bone's rest transform relative to its parent (row-major).
    pub base_relatives: Vec<Mat4<f64>>,
    /// The inverses of the bones' rest transforms relative to the model (row-major).
    pub inverse_base_absolutes: Vec<Mat4<f64>>,
    /// Each vertex's rest position (homogeneous).
    pub base_positions: Vec<[f64; 4]>,
    /// Each vertex's skinning weights, the non-zero ones as (bone, weight): the
    /// weights of vertex k are `weights[weight_starts[k]..weight_starts[k + 1]]`.
    pub weights: Vec<(usize, f64)>,
    /// Where each vertex's weights start in `weights` (one more entry than vertices).
    pub weight_starts: Vec<usize>,
    /// The mesh's triangles (vertex indices).
    pub triangles: Vec<[usize; 3]>,
    /// Whether the model is a mirrored (left) hand: x is negated.
    pub is_mirrored: bool,
}

/// A model and the measured points with their correspondences (vertices in the simple variant,
/// triangles in the complicated one).
#[derive(Clone, Debug)]
pub struct Data {
    /// The hand model.
    pub model: Model,
    /// The vertex (simple) or triangle (complicated) of each point.
    pub correspondences: Vec<usize>,
    /// The measured points.
    pub points: Vec<[f64; 3]>,
}

fn mat_mul<T: Scalar, A: Copy, B: Copy>(
    a: &Mat4<A>,
    b: &Mat4<B>,
    mul: impl Fn(A, B) -> T,
) -> Mat4<T> {
    std::array::from_fn(|r| {
        std::array::from_fn(|c| {
            mul(a[r][0], b[0][c])
                + mul(a[r][1], b[1][c])
                + mul(a[r][2], b[2][c])
                + mul(a[r][3], b[3][c])
        })
    })
}

fn mat_mul3<T: Scalar>(a: &[[T; 3]; 3], b: &[[T; 3]; 3]) -> [[T; 3]; 3] {
    std::array::from_fn(|r| {
        std::array::from_fn(|c| a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c])
    })
}

/// The rotation of Euler angles given in the order (x, z, y): R = Rz · Ry · Rx.
fn euler_angles_to_rotation<T: Scalar>(xzy: [T; 3]) -> [[T; 3]; 3] {
    let (o, z) = (T::one(), T::zero());
    let (sx, cx) = xzy[0].sin_cos();
    let (sy, cy) = xzy[2].sin_cos();
    let (sz, cz) = xzy[1].sin_cos();
    let rx = [[o, z, z], [z, cx, -sx], [z, sx, cx]];
    let ry = [[cy, z, sy], [z, o, z], [-sy, z, cy]];
    let rz = [[cz, -sz, z], [sz, cz, z], [z, z, o]];
    mat_mul3(&mat_mul3(&rz, &ry), &rx)
}

/// The rotation of an angle-axis vector (the identity below an angle of 1e-4).
fn angle_axis_to_rotation<T: Scalar>(a: &[T]) -> [[T; 3]; 3] {
    let norm = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
    let (o, z) = (T::one(), T::zero());
    if norm < 1e-4 {
        return [[o, z, z], [z, o, z], [z, z, o]];
    }
    let (x, y, w) = (a[0] / norm, a[1] / norm, a[2] / norm);
    let (s, c) = norm.sin_cos();
    let d = o - c;
    [
        [
            x * x + (o - x * x) * c,
            x * y * d - w * s,
            x * w * d + y * s,
        ],
        [
            x * y * d + w * s,
            y * y + (o - y * y) * c,
            y * w * d - x * s,
        ],
        [
            x * w * d - y * s,
            w * y * d + x * s,
            w * w + (o - w * w) * c,
        ],
    ]
}

/// The pose: three numbers per bone (Euler angles), from θ. θ is the global rotation (3), the
/// global translation (3), then per finger (thumb, index, middle, ring, pinky; bones 1–4, 5–8, …)
/// two angles of its second bone and one of each of the next two; the wrist, each finger's first
/// bone and the forearm stay at rest (ADBench's layout of the pose parameters).
fn bone_angles<T: Scalar>(theta: &[T], bones: usize) -> Vec<[T; 3]> {
    let mut angles = vec![[T::zero(); 3]; bones];
    let mut t = 6;
    for finger in 0..5 {
        let first = 2 + 4 * finger;
        angles[first][0] = theta[t];
        angles[first][1] = theta[t + 1];
        angles[first + 1][0] = theta[t + 2];
        angles[first + 2][0] = theta[t + 3];
        t += 4;
    }
    angles
}

/// The posed positions of every vertex: each bone's transform from its posed joint angles down
/// the skeleton, blended per vertex by the skinning weights, mirrored if the model is, then
/// rotated and translated globally.
pub fn vertex_positions<T: Scalar>(theta: &[T], model: &Model) -> Vec<[T; 3]> {
    let bones = model.parents.len();
    let angles = bone_angles(theta, bones);
    let mut absolutes: Vec<Mat4<T>> = Vec::with_capacity(bones);
    let mut transforms: Vec<Mat4<T>> = Vec::with_capacity(bones);
    for (b, &angle) in angles.iter().enumerate() {
        let r = euler_angles_to_rotation(angle);
        let (o, z) = (T::one(), T::zero());
        let pose = [
            [r[0][0], r[0][1], r[0][2], z],
            [r[1][0], r[1][1], r[1][2], z],
            [r[2][0], r[2][1], r[2][2], z],
            [z, z, z, o],
        ];
        let relative = mat_mul(&model.base_relatives[b], &pose, |a: f64, t: T| t * a);
        let absolute = match model.parents[b] {
            None => relative,
            Some(p) => mat_mul(&absolutes[p], &relative, |a: T, b: T| a * b),
        };
        transforms.push(mat_mul(
            &absolute,
            &model.inverse_base_absolutes[b],
            |t: T, a: f64| t * a,
        ));
        absolutes.push(absolute);
    }
    let rotation = angle_axis_to_rotation(&theta[0..3]);
    let translation = [theta[3], theta[4], theta[5]];
    let sign = if model.is_mirrored { -1.0 } else { 1.0 };
    model
        .base_positions
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let mut skinned = [T::zero(); 3];
            for &(b, w) in &model.weights[model.weight_starts[k]..model.weight_starts[k + 1]] {
                let t = &transforms[b];
                for (r, s) in skinned.iter_mut().enumerate() {
                    *s += (t[r][0] * p[0] + t[r][1] * p[1] + t[r][2] * p[2] + t[r][3] * p[3]) * w;
                }
            }
            skinned[0] *= sign;
            std::array::from_fn(|r| {
                rotation[r][0] * skinned[0]
                    + rotation[r][1] * skinned[1]
                    + rotation[r][2] * skinned[2]
                    + translation[r]
            })
        })
        .collect()
}

/// The objective: for each correspondence, the measured point minus the posed hand's point —
/// the vertex (simple variant, `us` empty) or the point `u·a + v·b + (1 − u − v)·c` of the
/// triangle (a, b, c) (complicated variant, `us = [u₀, v₀, u₁, v₁, …]`). 3 numbers per
/// correspondence.
pub fn objective<T: Scalar>(theta: &[T], us: &[T], data: &Data) -> Vec<T> {
    let mut err = Vec::with_capacity(3 * data.points.len());
    objective_into(theta, us, data, &mut err);
    err
}

/// [`objective`] written into `err` (cleared first), so that repeated evaluations reuse it.
pub fn objective_into<T: Scalar>(theta: &[T], us: &[T], data: &Data, err: &mut Vec<T>) {
    let positions = vertex_positions(theta, &data.model);
    err.clear();
    if us.is_empty() {
        for (&v, point) in data.correspondences.iter().zip(&data.points) {
            err.extend((0..3).map(|j| T::constant(point[j]) - positions[v][j]));
        }
    } else {
        for ((&t, point), uv) in data
            .correspondences
            .iter()
            .zip(&data.points)
            .zip(us.chunks_exact(2))
        {
            let [a, b, c] = data.model.triangles[t];
            let (u, v) = (uv[0], uv[1]);
            let w = T::one() - u - v;
            err.extend((0..3).map(|j| {
                T::constant(point[j])
                    - (u * positions[a][j] + v * positions[b][j] + w * positions[c][j])
            }));
        }
    }
}

/// The Jacobian of [`objective`], row-major: 3c rows of 26 (simple) or 28 (complicated: ∂u, ∂v,
/// then θ) columns.
pub fn jacobian(theta: &[f64], us: &[f64], data: &Data) -> Vec<f64> {
    if us.is_empty() {
        let colors: Vec<usize> = (0..THETA).collect();
        jacobian_colored::<THETA>(|x| objective(x, &[], data), theta, &colors).1
    } else {
        let x: Vec<f64> = theta.iter().chain(us).copied().collect();
        let colors = complicated_colors(us.len());
        jacobian_colored::<{ THETA + 2 }>(
            |x| objective(&x[..THETA], &x[THETA..], data),
            &x,
            &colors,
        )
        .1
    }
}

fn index(v: &Value, what: &str, below: usize) -> Result<usize, String> {
    v.as_u64()
        .map(|i| i as usize)
        .filter(|&i| i < below)
        .ok_or_else(|| format!("`{what}` must be an index below {below}, got {v}"))
}

fn matrices(v: &Value, what: &str) -> Result<Vec<Mat4<f64>>, String> {
    let list = v
        .as_array()
        .ok_or_else(|| format!("`{what}` must be a list of 4 × 4 matrices"))?;
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let (flat, columns) =
                matrix(&json!({ "m": m }), "m").map_err(|e| format!("`{what}[{i}]`: {e}"))?;
            if columns != 4 || flat.len() != 16 {
                return Err(format!("`{what}[{i}]` must be a 4 × 4 matrix"));
            }
            Ok(std::array::from_fn(|r| {
                std::array::from_fn(|c| flat[4 * r + c])
            }))
        })
        .collect()
}

/// θ, `us` (flat, empty in the simple variant) and the data, from the eval's input.
pub fn from_input(input: &Value) -> Result<(Vec<f64>, Vec<f64>, Data), String> {
    let theta = vector(input, "theta")?;
    if theta.len() != THETA {
        return Err(format!(
            "`theta` must have {THETA} numbers, got {}",
            theta.len()
        ));
    }
    let (us, us_columns) = matrix(input, "us")?;
    let data = field(input, "data")?;
    let model = field(data, "model")?;
    let parents = field(model, "parents")?
        .as_array()
        .ok_or("`parents` must be a list of integers")?
        .iter()
        .enumerate()
        .map(|(b, p)| match p.as_i64() {
            Some(-1) => Ok(None),
            Some(p) if p >= 0 && (p as usize) < b => Ok(Some(p as usize)),
            _ => Err(format!(
                "`parents[{b}]` must be -1 or an earlier bone, got {p}"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bones = parents.len();
    if bones < 22 {
        return Err(format!("the hand model must have at least 22 bones (5 fingers of 4, wrist, forearm), got {bones}"));
    }
    let base_relatives = matrices(field(model, "base_relatives")?, "base_relatives")?;
    let inverse_base_absolutes = matrices(
        field(model, "inverse_base_absolutes")?,
        "inverse_base_absolutes",
    )?;
    if base_relatives.len() != bones || inverse_base_absolutes.len() != bones {
        return Err(format!(
            "the model has {bones} bones but {} base_relatives and {} inverse_base_absolutes",
            base_relatives.len(),
            inverse_base_absolutes.len()
        ));
    }
    let (positions, columns) = matrix(model, "base_positions")?;
    if columns != 4 {
        return Err("`base_positions` must have 4 numbers per vertex".into());
    }
    let base_positions: Vec<[f64; 4]> = positions
        .chunks(4)
        .map(|p| [p[0], p[1], p[2], p[3]])
        .collect();
    let vertices = base_positions.len();
    let (dense_weights, weight_columns) = matrix(model, "weights")?;
    if dense_weights.len() != vertices * bones || (vertices > 0 && weight_columns != bones) {
        return Err(format!(
            "`weights` must have {bones} numbers for each of the {vertices} vertices"
        ));
    }
    let mut weights = Vec::new();
    let mut weight_starts = vec![0];
    for row in dense_weights.chunks(bones.max(1)) {
        weights.extend(
            row.iter()
                .enumerate()
                .filter(|&(_, &w)| w != 0.0)
                .map(|(b, &w)| (b, w)),
        );
        weight_starts.push(weights.len());
    }
    let triangles = field(model, "triangles")?
        .as_array()
        .ok_or("`triangles` must be a list of triples")?
        .iter()
        .map(|t| match t.as_array().map(|a| a.as_slice()) {
            Some([a, b, c]) => Ok([
                index(a, "triangles", vertices)?,
                index(b, "triangles", vertices)?,
                index(c, "triangles", vertices)?,
            ]),
            _ => Err(format!(
                "`triangles` must hold triples of vertices, got {t}"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let is_mirrored = field(model, "is_mirrored")?
        .as_bool()
        .ok_or("`is_mirrored` must be a boolean")?;
    let complicated = !us.is_empty();
    let below = if complicated {
        triangles.len()
    } else {
        vertices
    };
    let correspondences = field(data, "correspondences")?
        .as_array()
        .ok_or("`correspondences` must be a list of indices")?
        .iter()
        .map(|c| index(c, "correspondences", below))
        .collect::<Result<Vec<_>, _>>()?;
    let (points, point_columns) = matrix(data, "points")?;
    if points.len() != 3 * correspondences.len() || (!points.is_empty() && point_columns != 3) {
        return Err(format!(
            "`points` must hold 3 numbers for each of the {} correspondences",
            correspondences.len()
        ));
    }
    if complicated && (us_columns != 2 || us.len() != 2 * correspondences.len()) {
        return Err(format!(
            "`us` must hold 2 numbers for each of the {} correspondences",
            correspondences.len()
        ));
    }
    let data = Data {
        model: Model {
            parents,
            base_relatives,
            inverse_base_absolutes,
            base_positions,
            weights,
            weight_starts,
            triangles,
            is_mirrored,
        },
        correspondences,
        points: points.chunks(3).map(|p| [p[0], p[1], p[2]]).collect(),
    };
    Ok((theta, us, data))
}

/// What a run computes, with the buffers it reuses.
enum Work {
    Objective(Vec<f64>),
    Simple(ColoredJacobian<THETA>),
    Complicated(ColoredJacobian<{ THETA + 2 }>, Vec<f64>),
}

struct Ht {
    theta: Vec<f64>,
    us: Vec<f64>,
    data: Data,
    work: Work,
}

impl Workload for Ht {
    fn run(&mut self) {
        let (theta, us, data) = (std::hint::black_box(&self.theta), &self.us, &self.data);
        match &mut self.work {
            Work::Objective(err) => objective_into(theta, us, data, err),
            Work::Simple(jac) => {
                jac.compute(|x, out| objective_into(x, &[], data, out), theta);
            }
            Work::Complicated(jac, x) => {
                x.clear();
                x.extend(theta.iter().chain(us));
                jac.compute(
                    |x, out| objective_into(&x[..THETA], &x[THETA..], data, out),
                    x,
                );
            }
        }
    }
    fn output(&self) -> Result<Value, String> {
        match &self.work {
            Work::Objective(err) => finite_list(err, "the residuals"),
            Work::Simple(jac) => finite_rows(jac.last().1, THETA, "the Jacobian"),
            Work::Complicated(jac, _) => finite_rows(jac.last().1, THETA + 2, "the Jacobian"),
        }
    }
}

/// The colours of the complicated variant's inputs θ ++ us: ∂u first, ∂v second, then θ's 26.
fn complicated_colors(us: usize) -> Vec<usize> {
    (2..THETA + 2).chain((0..us).map(|k| k % 2)).collect()
}

fn prepare(function: &str, input: &Value, _mode: Mode) -> Result<Box<dyn Workload>, String> {
    let (theta, us, data) = from_input(input)?;
    let work = match function {
        "objective" => Work::Objective(Vec::new()),
        "jacobian" if us.is_empty() => Work::Simple(ColoredJacobian::new((0..THETA).collect())),
        "jacobian" => Work::Complicated(
            ColoredJacobian::new(complicated_colors(us.len())),
            Vec::new(),
        ),
        other => return Err(unknown_function("ht", other, EVAL.functions)),
    };
    Ok(Box::new(Ht {
        theta,
        us,
        data,
        work,
    }))
}

/// The input of the conformance transcript `name` (`ht` or `ht-simple`): hand1 of the big model.
fn transcript_input(name: &str) -> Value {
    use std::io::Read;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("gradbench/transcripts/{name}.jsonl.gz"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find_map(|l| l.get("message").map(|m| m["input"].clone()))
        .unwrap_or_else(|| panic!("no evaluate message in {}", path.display()))
}

/// `input` with `c` correspondences drawn at random (seeded), their points scattered over the
/// range of the original ones, and (complicated variant) random barycentric coordinates.
fn scaled(mut input: Value, c: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let complicated = input["us"].as_array().is_some_and(|u| !u.is_empty());
    let below = if complicated {
        input["data"]["model"]["triangles"]
            .as_array()
            .unwrap()
            .len()
    } else {
        input["data"]["model"]["base_positions"]
            .as_array()
            .unwrap()
            .len()
    };
    let (points, _) = matrix(&input["data"], "points").unwrap();
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &p| {
            (l.min(p), h.max(p))
        });
    input["data"]["correspondences"] = json!((0..c)
        .map(|_| rng.random_range(0..below))
        .collect::<Vec<_>>());
    input["data"]["points"] = json!((0..c)
        .map(|_| (0..3)
            .map(|_| rng.random_range(lo..hi))
            .collect::<Vec<f64>>())
        .collect::<Vec<_>>());
    if complicated {
        input["us"] = json!((0..c)
            .map(|_| {
                let u: f64 = rng.random_range(0.0..1.0);
                [u, rng.random_range(0.0..1.0 - u)]
            })
            .collect::<Vec<_>>());
    }
    input
}

/// hand1 (c = 100, the transcripts' inputs) and hand11 (c = 51 200, the same model and θ with
/// seeded random correspondences, points and `us`) of the big model, simple and complicated.
fn workloads() -> Vec<(String, Value)> {
    let simple = transcript_input("ht-simple");
    let complicated = transcript_input("ht");
    vec![
        ("simple_big/hand1_t26_c100".into(), simple.clone()),
        ("complicated_big/hand1_t26_c100".into(), complicated.clone()),
        (
            "simple_big/hand11_t26_c51200".into(),
            scaled(simple, 51200, 11),
        ),
        (
            "complicated_big/hand11_t26_c51200".into(),
            scaled(complicated, 51200, 11),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// hand1's data (the transcript's) cut down to a few correspondences.
    fn small(name: &str) -> (Vec<f64>, Vec<f64>, Data) {
        let (theta, mut us, mut data) = from_input(&transcript_input(name)).unwrap();
        data.correspondences.truncate(4);
        data.points.truncate(4);
        us.truncate(if us.is_empty() { 0 } else { 8 });
        (theta, us, data)
    }

    fn check_against_central_differences(name: &str) {
        let (theta, us, data) = small(name);
        let j = jacobian(&theta, &us, &data);
        let rows = 3 * data.points.len();
        let columns = j.len() / rows;
        assert_eq!(columns, if us.is_empty() { THETA } else { THETA + 2 });
        let h = 1e-6;
        let offset = columns - THETA;
        for col in 0..columns {
            for r in 0..rows {
                let (mut tp, mut tm, mut up, mut um) =
                    (theta.clone(), theta.clone(), us.clone(), us.clone());
                if col < offset {
                    // ∂/∂u or ∂/∂v: the residuals of correspondence r / 3 move with their own us.
                    up[2 * (r / 3) + col] += h;
                    um[2 * (r / 3) + col] -= h;
                } else {
                    tp[col - offset] += h;
                    tm[col - offset] -= h;
                }
                let fd =
                    (objective(&tp, &up, &data)[r] - objective(&tm, &um, &data)[r]) / (2.0 * h);
                let d = j[r * columns + col];
                assert!(
                    (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "{name}: row {r}, column {col}: {d} vs {fd}"
                );
            }
        }
    }

    #[test]
    fn simple_jacobian_matches_central_differences() {
        check_against_central_differences("ht-simple");
    }

    #[test]
    fn complicated_jacobian_matches_central_differences() {
        check_against_central_differences("ht");
    }

    #[test]
    fn the_colored_jacobian_matches_the_dense_one() {
        let (theta, us, data) = small("ht");
        let compressed = jacobian(&theta, &us, &data);
        let x: Vec<f64> = theta.iter().chain(&us).copied().collect();
        let (_, dense) =
            diffprog_dual::jacobian(|x| objective(&x[..THETA], &x[THETA..], &data), &x);
        for r in 0..3 * data.points.len() {
            let item = r / 3;
            assert_eq!(compressed[r * 28], dense[(r, THETA + 2 * item)]);
            assert_eq!(compressed[r * 28 + 1], dense[(r, THETA + 2 * item + 1)]);
            for k in 0..THETA {
                assert_eq!(compressed[r * 28 + 2 + k], dense[(r, k)]);
            }
        }
    }

    #[test]
    fn mirrored_hands_and_small_rotations() {
        let (mut theta, us, mut data) = small("ht");
        data.model.is_mirrored = true;
        theta[..3].copy_from_slice(&[1e-5, 0.0, 0.0]);
        let mirrored = objective(&theta, &us, &data);
        data.model.is_mirrored = false;
        let plain = objective(&theta, &us, &data);
        assert_ne!(mirrored, plain);
        assert!(jacobian(&theta, &us, &data).iter().all(|v| v.is_finite()));
    }
}

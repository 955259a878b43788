//! The comparisons: one function per question, each running every mode that answers it.

use super::eval::{eval, outputs, scalar, Trace};
use super::flow::Comparable;
use super::program::{Case, Program};
use super::tolerance::{
    exact_agree, fd_rounding_scale, step, FdEstimate, FD_MARGIN, MAX_MAGNITUDE, VALUE_FLOOR,
};
use crate::fd::offset;
use diffprog::{dual, hyperdual, reverse, Number, Scalar};
use nalgebra::DMatrix;
use proptest::test_runner::{TestCaseError, TestCaseResult};
use std::cell::Cell;
use std::fmt::Write;

/// Counters of one test run: how many cases were checked, and how many finite-difference
/// comparisons were skipped and why. `Stats::default()` asks for every comparison;
/// [`Stats::modes_only`] leaves out the finite differences.
#[derive(Default)]
pub struct Stats {
    /// Compare the modes with each other only, not with finite differences.
    modes_only: bool,
    cases: Cell<usize>,
    nonfinite: Cell<usize>,
    fd_cases: Cell<usize>,
    skip_path: Cell<usize>,
    skip_singular: Cell<usize>,
    skip_magnitude: Cell<usize>,
    fd_components: Cell<usize>,
    fd_inconclusive: Cell<usize>,
    singular_by_pattern: Cell<usize>,
    pattern_compared: [Cell<usize>; 2],
    pattern_nonfinite: [Cell<usize>; 2],
    pattern_ambiguous: [Cell<usize>; 2],
    pattern_other_seeding: Cell<usize>,
}

impl Stats {
    /// Counters for runs that compare the modes with each other only: `gradient`, `jacobian`
    /// and `hessian` leave out the finite differences (and the evaluations around the point
    /// that decide whether they may judge the case). The fuzz target runs this way, for speed.
    pub fn modes_only() -> Stats {
        Stats {
            modes_only: true,
            ..Stats::default()
        }
    }

    /// One line for the pattern comparisons: cases, derivatives compared (how many of them
    /// non-finite in some mode) and not compared for a cancellation.
    pub fn pattern_summary(&self) -> String {
        let order = |k: usize, name: &str| {
            format!(
                "{name}: {} derivatives compared, {} of them ±∞ or NaN in some mode, {} not \
                 compared (an ambiguous sum met an infinity, or a product overflowed or \
                 underflowed: the order of summation decides)",
                self.pattern_compared[k].get(),
                self.pattern_nonfinite[k].get(),
                self.pattern_ambiguous[k].get(),
            )
        };
        format!(
            "{} cases; {}; {}, and {} not compared between the unit-tangent and the \
             forward-over-reverse second derivatives (an infinite tangent, or second partials \
             that overflowed inside a rule) or between the tape's and the hyper-dual Hessians (a \
             rule's mixed partial that depends on the order of differentiation)",
            self.cases.get(),
            order(0, "first order"),
            order(1, "second order"),
            self.pattern_other_seeding.get(),
        )
    }

    /// The pattern comparisons must compare: for each order, at least half the derivatives
    /// compared, and at least 1 % of those non-finite.
    pub fn assert_patterns_compared(&self, name: &str) {
        for k in 0..2 {
            let compared = self.pattern_compared[k].get();
            let ambiguous = self.pattern_ambiguous[k].get();
            assert!(
                self.cases.get() < 20
                    || (compared >= ambiguous && self.pattern_nonfinite[k].get() * 100 >= compared),
                "{name}: too few pattern comparisons: {}",
                self.pattern_summary()
            );
        }
    }

    /// How many cases were compared by NaN/∞ pattern because they were at a singular point.
    pub fn singular_by_pattern(&self) -> usize {
        self.singular_by_pattern.get()
    }

    /// How many cases were not compared (with finite differences, nor across modes) for a
    /// magnitude above `MAX_MAGNITUDE`.
    pub fn magnitude_skips(&self) -> usize {
        self.skip_magnitude.get()
    }

    /// How many cases the finite-difference checks skipped for a path change.
    pub fn path_changes(&self) -> usize {
        self.skip_path.get()
    }
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

impl Stats {
    /// One line: the counts.
    pub fn summary(&self) -> String {
        let cases = self.cases.get();
        let pct = |k: usize| 100.0 * k as f64 / cases.max(1) as f64;
        format!(
            "{cases} cases generated with finite values ({} more rejected: a value not finite); \
             finite differences on {} cases ({:.1}%), skipped on {} ({:.1}%) for a path change \
             within {FD_MARGIN} steps (branch, loop count, kink), {} ({:.1}%) near a singular \
             point, {} ({:.1}%) for a magnitude above {MAX_MAGNITUDE:e} (not compared across modes \
             either); {} derivative components \
             compared with finite differences, {} more inconclusive (estimated FD error too large); \
             {} cases exactly at an infinite partial compared by NaN/∞ pattern instead",
            self.nonfinite.get(),
            self.fd_cases.get(),
            pct(self.fd_cases.get()),
            self.skip_path.get(),
            pct(self.skip_path.get()),
            self.skip_singular.get(),
            pct(self.skip_singular.get()),
            self.skip_magnitude.get(),
            pct(self.skip_magnitude.get()),
            self.fd_components.get(),
            self.fd_inconclusive.get(),
            self.singular_by_pattern.get(),
        )
    }

    /// The finite-difference checks must not be skipped so often that they check nothing: at
    /// least half the cases must be compared with finite differences.
    pub fn assert_enough_checked(&self, name: &str) {
        let cases = self.cases.get();
        assert!(
            cases < 20 || 2 * self.fd_cases.get() >= cases,
            "{name}: finite differences judged only {} of {cases} cases: {}",
            self.fd_cases.get(),
            self.summary()
        );
    }
}

/// Why a case is not compared with finite differences.
enum Skip {
    Path,
    Singular,
    Magnitude,
    /// The run compares the modes only ([`Stats::modes_only`]).
    NotAsked,
}

/// Collected disagreements of one case.
struct Report {
    text: String,
    /// The program's largest intermediate |value| (for the absolute floor of `exact_tol`).
    values: f64,
    /// The distance to the nearest singular point (for the conditioning of `exact_tol`).
    singular_distance: f64,
}

impl Report {
    fn new(t0: &Trace) -> Report {
        Report {
            text: String::new(),
            values: t0.max_abs,
            singular_distance: t0.singular_distance,
        }
    }
    fn exact(&mut self, what: &str, a: f64, b: f64, scale: f64) {
        if !exact_agree(a, b, scale, self.values, self.singular_distance) {
            let _ = writeln!(
                self.text,
                "  {what}: {a:e} vs {b:e} (difference {:e}, scale {scale:e})",
                (a - b).abs()
            );
        }
    }
    /// Values (not derivatives) of every mode are the plain `f64` evaluation bit for bit: each
    /// number type computes its value with the same `f64` operations (NaN equals NaN here).
    fn identical(&mut self, what: &str, a: f64, b: f64) {
        if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
            let _ = writeln!(self.text, "  {what}: {a:e} vs {b:e}, not bit-identical");
        }
    }
    fn fd(&mut self, what: &str, ad: f64, est: &FdEstimate, stats: &Stats) {
        if !est.conclusive(ad) {
            bump(&stats.fd_inconclusive);
            return;
        }
        bump(&stats.fd_components);
        if !est.agrees(ad) {
            let _ = writeln!(
                self.text,
                "  {what}: AD {ad:e} vs central difference {:e} ± {:e}",
                est.value, est.err
            );
        }
    }
    fn finish(self, case: &Case) -> TestCaseResult {
        if self.text.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "disagreements:\n{}\ncase:\n{case}",
                self.text
            )))
        }
    }
}

fn max_abs<'a>(it: impl IntoIterator<Item = &'a f64>) -> f64 {
    it.into_iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

/// The points `x + t·v` as numbers of type `T` (for one-dimensional restrictions).
fn line<T: Scalar>(x: &[f64], v: &[f64], t: T) -> Vec<T> {
    x.iter().zip(v).map(|(&a, &b)| t * b + a).collect()
}

/// The starting checks shared by every test: rejects cases whose values are not finite, and
/// decides whether finite differences may judge the case (the path must be the same at every
/// point within `FD_MARGIN` steps along each axis and along `v`).
fn prepare(case: &Case, stats: &Stats) -> Result<(Trace, Option<Skip>), TestCaseError> {
    let (_, t0) = eval::<f64>(&case.program, &case.x);
    if !t0.finite() {
        bump(&stats.nonfinite);
        return Err(TestCaseError::reject("a value is not finite"));
    }
    bump(&stats.cases);
    let skip = if stats.modes_only {
        Some(Skip::NotAsked)
    } else {
        fd_skip(case, &t0)
    };
    match skip {
        None => bump(&stats.fd_cases),
        Some(Skip::Path) => bump(&stats.skip_path),
        Some(Skip::Singular) => bump(&stats.skip_singular),
        Some(Skip::Magnitude) => bump(&stats.skip_magnitude),
        Some(Skip::NotAsked) => {}
    }
    Ok((t0, skip))
}

fn fd_skip(case: &Case, t0: &Trace) -> Option<Skip> {
    if t0.max_abs > MAX_MAGNITUDE {
        return Some(Skip::Magnitude);
    }
    if t0.near_singular {
        return Some(Skip::Singular);
    }
    let n = case.x.len();
    let hv = step(max_abs(&case.x));
    let dirs = (0..n)
        .map(|i| (unit(n, i), step(case.x[i])))
        .chain(std::iter::once((case.v.clone(), hv)));
    for (d, h) in dirs {
        for k in [-FD_MARGIN, -2.0, -1.0, 1.0, 2.0, FD_MARGIN] {
            let (_, t) = eval::<f64>(&case.program, &offset(&case.x, &d, k * h));
            if !t.finite() || t.max_abs > MAX_MAGNITUDE {
                return Some(Skip::Magnitude);
            }
            if t.near_singular {
                return Some(Skip::Singular);
            }
            if t.path != t0.path {
                return Some(Skip::Path);
            }
        }
    }
    None
}

/// Central-difference estimates of the derivative of `g` (vector-valued, computed by the
/// program `p`) at `x` along `d`, step `h`; `s` is the magnitude of the intermediate values
/// behind `g`.
fn fd_vec(
    p: &Program,
    g: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    d: &[f64],
    h: f64,
    s: f64,
) -> Vec<FdEstimate> {
    let vals: Vec<Vec<f64>> = [-2.0, -1.0, 1.0, 2.0]
        .iter()
        .map(|k| g(&offset(x, d, k * h)))
        .collect();
    let speed = intermediate_speed(p, x, d);
    (0..vals[0].len())
        .map(|i| {
            FdEstimate::new(
                [vals[0][i], vals[1][i], vals[2][i], vals[3][i]],
                h,
                s,
                speed,
            )
        })
        .collect()
}

/// Gradients: `Dual` (n passes through `jvp`), `DualVec` chunked (width 8 and 3), reverse `Var`,
/// and central differences.
pub fn gradient(case: &Case, stats: &Stats) -> TestCaseResult {
    let (t0, skip) = prepare(case, stats)?;
    if t0.singular {
        // Exactly at a singular point (an infinite partial): the values are finite, the
        // derivatives meet ∞; compared by NaN/∞ pattern (finite differences say nothing here).
        bump(&stats.singular_by_pattern);
        return compare_patterns(case, stats);
    }
    if t0.max_abs > MAX_MAGNITUDE {
        return Ok(());
    }
    let (p, x) = (&case.program, &case.x[..]);
    let n = x.len();
    let f0: f64 = scalar::<f64>(p, x);
    let mut r = Report::new(&t0);

    let (vr, gr) = reverse::gradient(|x| scalar(p, x), x);
    let (vf, gf) = dual::gradient(|x| scalar(p, x), x);
    let (vc, gc) = dual::gradient_with_chunk::<3>(|x| scalar(p, x), x);
    let gd: Vec<f64> = (0..n)
        .map(|i| dual::jvp(|x| vec![scalar(p, x)], x, unit(n, i)).1[0])
        .collect();
    r.identical("value reverse vs f64", vr, f0);
    r.identical("value DualVec<8> vs f64", vf, f0);
    r.identical("value DualVec<3> vs f64", vc, f0);
    let scale = max_abs(&gr);
    for i in 0..n {
        r.exact(
            &format!("∂f/∂x{i} DualVec<8> vs reverse"),
            gf[i],
            gr[i],
            scale,
        );
        r.exact(
            &format!("∂f/∂x{i} DualVec<3> vs reverse"),
            gc[i],
            gr[i],
            scale,
        );
        r.exact(
            &format!("∂f/∂x{i} Dual (jvp) vs reverse"),
            gd[i],
            gr[i],
            scale,
        );
    }
    if skip.is_none() {
        for i in 0..n {
            let est = fd_vec(
                p,
                |y| vec![scalar::<f64>(p, y)],
                x,
                &unit(n, i),
                step(x[i]),
                fd_rounding_scale(t0.max_abs, t0.singular_distance, 1),
            );
            r.fd(&format!("∂f/∂x{i} reverse vs FD"), gr[i], &est[0], stats);
        }
    }
    r.finish(case)
}

/// Jacobians: forward (`DualVec` chunks) vs reverse (m sweeps) vs central differences; `J·v` by
/// `jvp` and `wᵀJ` by `vjp` against the products with the Jacobian.
pub fn jacobian(case: &Case, stats: &Stats) -> TestCaseResult {
    let (t0, skip) = prepare(case, stats)?;
    if t0.singular {
        // Exactly at a singular point (an infinite partial): the values are finite, the
        // derivatives meet ∞; compared by NaN/∞ pattern (finite differences say nothing here).
        bump(&stats.singular_by_pattern);
        return compare_patterns(case, stats);
    }
    if t0.max_abs > MAX_MAGNITUDE {
        return Ok(());
    }
    let (p, x, v, w) = (&case.program, &case.x[..], &case.v[..], &case.w[..]);
    let (n, m) = (x.len(), p.outputs.len());
    let y0 = outputs::<f64>(p, x);
    let mut r = Report::new(&t0);

    let (yf, jf) = dual::jacobian(|x| outputs(p, x), x);
    let (yr, jr) = reverse::jacobian(|x| outputs(p, x), x);
    let (yv, jv) = dual::jvp(|x| outputs(p, x), x, v);
    let (yw, wj) = reverse::vjp(|x| outputs(p, x), x, w);
    assert_eq!((jf.nrows(), jf.ncols()), (m, n), "forward Jacobian shape");
    assert_eq!((jr.nrows(), jr.ncols()), (m, n), "reverse Jacobian shape");
    for i in 0..m {
        r.identical(&format!("y{i} forward vs f64"), yf[i], y0[i]);
        r.identical(&format!("y{i} reverse vs f64"), yr[i], y0[i]);
        r.identical(&format!("y{i} jvp vs f64"), yv[i], y0[i]);
        r.identical(&format!("y{i} vjp vs f64"), yw[i], y0[i]);
    }
    let scale = max_abs(jr.iter());
    for i in 0..m {
        for j in 0..n {
            r.exact(
                &format!("J[{i},{j}] forward vs reverse"),
                jf[(i, j)],
                jr[(i, j)],
                scale,
            );
        }
        let terms = (0..n)
            .map(|j| (jr[(i, j)] * v[j]).abs())
            .fold(0.0, f64::max);
        let jv_i: f64 = (0..n).map(|j| jr[(i, j)] * v[j]).sum();
        r.exact(&format!("(J·v)[{i}] jvp vs J·v"), jv[i], jv_i, terms);
    }
    for j in 0..n {
        let terms = (0..m)
            .map(|i| (w[i] * jf[(i, j)]).abs())
            .fold(0.0, f64::max);
        let wj_j: f64 = (0..m).map(|i| w[i] * jf[(i, j)]).sum();
        r.exact(&format!("(wᵀJ)[{j}] vjp vs wᵀ·J"), wj[j], wj_j, terms);
    }
    if skip.is_none() {
        for j in 0..n {
            let est = fd_vec(
                p,
                |y| outputs::<f64>(p, y),
                x,
                &unit(n, j),
                step(x[j]),
                fd_rounding_scale(t0.max_abs, t0.singular_distance, 1),
            );
            for i in 0..m {
                r.fd(
                    &format!("J[{i},{j}] reverse vs FD"),
                    jr[(i, j)],
                    &est[i],
                    stats,
                );
            }
        }
    }
    r.finish(case)
}

fn mat_vec(h: &DMatrix<f64>, v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = v.len();
    let hv = (0..n)
        .map(|i| (0..n).map(|j| h[(i, j)] * v[j]).sum())
        .collect();
    let terms = (0..n)
        .map(|i| (0..n).map(|j| (h[(i, j)] * v[j]).abs()).fold(0.0, f64::max))
        .collect();
    (hv, terms)
}

/// `p` with every input and node as an output, to look at the intermediate values.
fn every_node(p: &Program) -> Program {
    Program {
        outputs: (0..p.n_inputs + p.nodes.len()).collect(),
        ..p.clone()
    }
}

/// The largest rate of change of an intermediate value of `p` at `x` along `d` (every node
/// evaluated on dual numbers): how fast the arguments of the operations move across a
/// finite-difference stencil along `d` (see [`FD_RESOLUTION`](super::tolerance::FD_RESOLUTION)).
fn intermediate_speed(p: &Program, x: &[f64], d: &[f64]) -> f64 {
    let seeded: Vec<diffprog::Dual<f64>> = x
        .iter()
        .zip(d)
        .map(|(&xi, &di)| diffprog::Dual::new(xi, di))
        .collect();
    outputs(&every_node(p), &seeded)
        .iter()
        .fold(0.0, |m: f64, v| m.max(v.eps.abs()))
}

/// The sizes of the intermediate derivatives of `p` at `x`, over the program's nodes `v` and
/// inputs `xᵢ` (every node evaluated on hyper-dual numbers, one input at a time): the largest
/// `|∂v/∂xᵢ|`, `|∂²v/∂xᵢ²|` and `|v·∂v/∂xᵢ|`. See `tolerance.rs` for what they bound.
struct NodeDerivatives {
    first: f64,
    second: f64,
    value_times_first: f64,
}

fn node_derivatives(p: &Program, x: &[f64]) -> NodeDerivatives {
    let all = every_node(p);
    let mut d = NodeDerivatives {
        first: 0.0,
        second: 0.0,
        value_times_first: 0.0,
    };
    for i in 0..x.len() {
        let seeded: Vec<hyperdual::HyperDual<f64>> = (0..x.len())
            .map(|j| {
                let t = if j == i { 1.0 } else { 0.0 };
                hyperdual::HyperDual::new(x[j], t, t, 0.0)
            })
            .collect();
        for v in outputs(&all, &seeded) {
            d.first = d.first.max(v.eps1.abs());
            d.second = d.second.max(v.eps12.abs());
            d.value_times_first = d.value_times_first.max((v.re * v.eps1).abs());
        }
    }
    d
}

/// Hessians: hyperdual (blocks of 8 and 3), forward-over-reverse (8 and 2 columns per sweep),
/// the partial Hessian block, central differences of the reverse gradient; `∇²f·v` from
/// forward-over-reverse against `H·v`; along the line `x + t·v`, the second derivative from
/// `Taylor2` and `Taylor3` against `vᵀHv`, and the third derivative against central differences
/// of the second.
pub fn hessian(case: &Case, stats: &Stats) -> TestCaseResult {
    let (t0, skip) = prepare(case, stats)?;
    if t0.singular {
        // Exactly at a singular point (an infinite partial): the values are finite, the
        // derivatives meet ∞; compared by NaN/∞ pattern (finite differences say nothing here).
        bump(&stats.singular_by_pattern);
        return compare_patterns(case, stats);
    }
    if t0.max_abs > MAX_MAGNITUDE {
        return Ok(());
    }
    let (p, x, v) = (&case.program, &case.x[..], &case.v[..]);
    let n = x.len();
    let f0: f64 = scalar::<f64>(p, x);
    let mut r = Report::new(&t0);

    let (_, g) = reverse::gradient(|x| scalar(p, x), x);
    let (vh, gh, hh) = hyperdual::hessian(|x| scalar(p, x), x);
    let (vh3, _, hh3) = hyperdual::hessian_with_chunk::<3>(|x| scalar(p, x), x);
    let (vr, gr, hr) = reverse::hessian(|x| scalar(p, x), x);
    let (vr2, _, hr2) = reverse::hessian_chunked::<2, _>(|x| scalar(p, x), x);
    let (vv, gv, hv) = reverse::hessian_vector_product(|x| scalar(p, x), x, v);
    let (v2, d1, d2) = hyperdual::second_derivative(|t| scalar(p, &line(x, v, t)), 0.0);
    let (v3, e1, e2, e3) = hyperdual::third_derivative(|t| scalar(p, &line(x, v, t)), 0.0);

    for (what, val) in [
        ("value hyperdual", vh),
        ("value hyperdual (blocks of 3)", vh3),
        ("value forward-over-reverse", vr),
        ("value forward-over-reverse (chunks of 2)", vr2),
        ("value hvp", vv),
    ] {
        r.identical(what, val, f0);
    }
    // (x + 0·v is x but for −0, which becomes +0 where vᵢ ≥ 0.)
    let x_line = line(x, v, 0.0);
    let f_line = scalar::<f64>(p, &x_line);
    r.identical("value Taylor2", v2, f_line);
    r.identical("value Taylor3", v3, f_line);
    let gs = max_abs(&g);
    for i in 0..n {
        r.exact(&format!("∂f/∂x{i} hyperdual vs reverse"), gh[i], g[i], gs);
        r.exact(
            &format!("∂f/∂x{i} f-o-r hessian vs reverse"),
            gr[i],
            g[i],
            gs,
        );
        r.exact(&format!("∂f/∂x{i} hvp vs reverse"), gv[i], g[i], gs);
    }
    // A component that cancels down to far below the second-order terms it is summed from keeps
    // their rounding (see `tolerance.rs`): a floor under the scales of the exact comparisons.
    let sizes = node_derivatives(p, x);
    let terms_floor = VALUE_FLOOR * (sizes.first * sizes.first).max(sizes.second);
    let hs = max_abs(hr.iter()).max(terms_floor);
    for i in 0..n {
        for j in 0..n {
            let reference = hr[(i, j)];
            r.exact(
                &format!("H[{i},{j}] hyperdual<8> vs f-o-r"),
                hh[(i, j)],
                reference,
                hs,
            );
            r.exact(
                &format!("H[{i},{j}] hyperdual<3> vs f-o-r"),
                hh3[(i, j)],
                reference,
                hs,
            );
            r.exact(
                &format!("H[{i},{j}] f-o-r<2> vs f-o-r<8>"),
                hr2[(i, j)],
                reference,
                hs,
            );
        }
    }
    if n >= 2 {
        let k = n / 2;
        let (_, _, _, block) = hyperdual::partial_hessian(
            |a, b| {
                let all: Vec<_> = a.iter().chain(b).copied().collect();
                scalar(p, &all)
            },
            &x[..k],
            &x[k..],
        );
        for i in 0..k {
            for j in 0..n - k {
                r.exact(
                    &format!("∂²f/∂x{i}∂x{} partial_hessian vs f-o-r", k + j),
                    block[(i, j)],
                    hr[(i, k + j)],
                    hs,
                );
            }
        }
    }
    let (h_v, terms) = mat_vec(&hr, v);
    let vs = max_abs(v);
    let hv_scale = max_abs(&terms).max(terms_floor * vs);
    for i in 0..n {
        r.exact(&format!("(H·v)[{i}] hvp vs H·v"), hv[i], h_v[i], hv_scale);
    }
    // along the line: first derivative g·v, second vᵀHv
    let gv_dot: f64 = g.iter().zip(v).map(|(a, b)| a * b).sum();
    let gv_scale = g
        .iter()
        .zip(v)
        .fold(0.0, |m: f64, (a, b)| m.max((a * b).abs()));
    // The Taylor numbers differentiate at x + 0·v. Where a decision turns on the sign of a zero
    // that this point changes (atan2 on its branch cut: ±π), they are on another branch than the
    // gradient and the Hessian at x, and only compared with each other.
    let same_branch = eval::<f64>(p, &x_line).1.path == t0.path;
    if same_branch {
        r.exact("d/dt f(x+tv) Taylor2 vs ∇f·v", d1, gv_dot, gv_scale);
        r.exact("d/dt f(x+tv) Taylor3 vs ∇f·v", e1, gv_dot, gv_scale);
    } else {
        r.exact("d/dt f(x+tv) Taylor3 vs Taylor2", e1, d1, gv_scale);
    }
    let vhv: f64 = v.iter().zip(&h_v).map(|(a, b)| a * b).sum();
    let vhv_scale = hv_scale * vs * n as f64;
    if same_branch {
        r.exact("d²/dt² f(x+tv) Taylor2 vs vᵀHv", d2, vhv, vhv_scale);
    }
    r.exact("d²/dt² f(x+tv) Taylor3 vs Taylor2", e2, d2, vhv_scale);

    if skip.is_none() {
        // central differences of the reverse gradient, column by column
        // The gradient carries the rounding of the values multiplied by the intermediate
        // derivatives (see `tolerance.rs`).
        let gmag = t0.max_abs.max(gs).max(sizes.value_times_first);
        for j in 0..n {
            let est = fd_vec(
                p,
                |y| reverse::gradient(|z| scalar(p, z), y).1,
                x,
                &unit(n, j),
                step(x[j]),
                fd_rounding_scale(gmag, t0.singular_distance, 2),
            );
            for i in 0..n {
                r.fd(
                    &format!("H[{i},{j}] f-o-r vs FD of ∇f"),
                    hr[(i, j)],
                    &est[i],
                    stats,
                );
            }
        }
        // the third derivative along v against central differences of the second
        let hstep = step(max_abs(x));
        let est = fd_vec(
            p,
            |y| vec![hyperdual::second_derivative(|t| scalar(p, &line(y, v, t)), 0.0).2],
            x,
            v,
            hstep,
            // d² is a sum of the terms of vᵀHv: its rounding scales with theirs
            fd_rounding_scale(gmag.max(d2.abs()).max(vhv_scale), t0.singular_distance, 3),
        );
        r.fd(
            "d³/dt³ f(x+tv) Taylor3 vs FD of Taylor2",
            e3,
            &est[0],
            stats,
        );
    }
    r.finish(case)
}

/// The class of a derivative for the pattern comparison: finite, +∞, −∞ or NaN.
fn class(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v == f64::INFINITY {
        "+∞"
    } else if v == f64::NEG_INFINITY {
        "−∞"
    } else {
        "finite"
    }
}

/// Relative agreement of finite derivatives in the pattern comparisons: the cases have non-finite
/// values somewhere (or singular points), so the magnitudes met are not bounded as in the
/// finite-value checks; the point here is the pattern, with a loose check on the finite values.
const PATTERN_TOLERANCE: f64 = 1e-8;

/// Pattern comparisons of one case (see [`patterns`]).
struct PatternReport<'a> {
    text: String,
    stats: &'a Stats,
    /// The largest finite terms of the first- and second-order sums (see `flow.rs`).
    terms: [f64; 2],
}

impl PatternReport<'_> {
    /// Compares `a[k]` with `b[k]` as `how(k)` allows: the same class, and finite values equal up
    /// to [`PATTERN_TOLERANCE`] of the largest finite magnitude among them.
    fn compare(&mut self, what: &str, a: &[f64], b: &[f64], how: impl Fn(usize) -> Comparable) {
        // Rounding scales with the terms a derivative was summed from, not with its own size.
        let terms = if what.starts_with('H') {
            self.terms[1]
        } else {
            self.terms[0]
        };
        let scale = a
            .iter()
            .chain(b)
            .filter(|v| v.is_finite())
            .fold(terms, |m: f64, v| m.max(v.abs()));
        // Second-order comparisons are the ones of Hessian entries.
        let order = usize::from(what.starts_with('H'));
        for k in 0..a.len() {
            let how = how(k);
            match how {
                Comparable::No => {
                    bump(&self.stats.pattern_ambiguous[order]);
                    continue;
                }
                Comparable::OtherSeeding => {
                    bump(&self.stats.pattern_other_seeding);
                    continue;
                }
                Comparable::Fully | Comparable::Class => {}
            }
            bump(&self.stats.pattern_compared[order]);
            if !a[k].is_finite() || !b[k].is_finite() {
                bump(&self.stats.pattern_nonfinite[order]);
            }
            let close = (a[k] - b[k]).abs() <= PATTERN_TOLERANCE * scale;
            let same = class(a[k]) == class(b[k])
                && (!a[k].is_finite() || how == Comparable::Class || close);
            if !same {
                let _ = writeln!(self.text, "  {what}[{k}]: {:e} vs {:e}", a[k], b[k]);
            }
        }
    }
}

/// NaN/∞ patterns at any point, non-finite inputs included: every gradient, Jacobian and Hessian
/// driver must give the same class (finite, +∞, −∞, NaN) for every derivative, and the same
/// value where finite, as the strong-zero rule promises; values are the plain `f64` evaluation
/// bit for bit (NaN equal to NaN). Derivatives whose sums cancel (see `flow.rs`) while something
/// is infinite are not compared, and counted.
pub fn patterns(case: &Case, stats: &Stats) -> TestCaseResult {
    bump(&stats.cases);
    compare_patterns(case, stats)
}

/// The comparisons of [`patterns`], without counting the case.
fn compare_patterns(case: &Case, stats: &Stats) -> TestCaseResult {
    let (p, x, w) = (&case.program, &case.x[..], &case.w[..]);
    let (n, m) = (x.len(), p.outputs.len());
    let flow = super::flow::flow(p, x);
    let mut r = PatternReport {
        text: String::new(),
        stats,
        terms: [flow.first_terms, flow.second_terms],
    };
    let f0: f64 = scalar::<f64>(p, x);
    let same_value = |a: f64| a.to_bits() == f0.to_bits() || (a.is_nan() && f0.is_nan());

    let (v_forward, g_forward) = dual::gradient(|x| scalar(p, x), x);
    let (_, g_forward_3) = dual::gradient_with_chunk::<3>(|x| scalar(p, x), x);
    let (v_reverse, g_reverse) = reverse::gradient(|x| scalar(p, x), x);
    let (v_hyper, g_hyper, h_hyper) = hyperdual::hessian(|x| scalar(p, x), x);
    let (_, g_hyper_3, h_hyper_3) = hyperdual::hessian_with_chunk::<3>(|x| scalar(p, x), x);
    let (v_mixed, g_mixed, h_mixed) = reverse::hessian(|x| scalar(p, x), x);
    let (_, g_chunked, h_chunked) = reverse::hessian_chunked::<2, _>(|x| scalar(p, x), x);
    for (what, v) in [
        ("forward", v_forward),
        ("reverse", v_reverse),
        ("hyperdual", v_hyper),
        ("reverse::hessian", v_mixed),
    ] {
        if !same_value(v) {
            let _ = writeln!(r.text, "  value {what}: {v:e} vs f64 {f0:e}");
        }
    }
    let gradient_keep = |i: usize| flow.gradient(i);
    for (what, g) in [
        ("∇f DualVec<3> vs DualVec<10>", &g_forward_3),
        ("∇f reverse vs forward", &g_reverse),
        ("∇f hyperdual vs forward", &g_hyper),
        ("∇f hyperdual<3> vs forward", &g_hyper_3),
        ("∇f reverse::hessian vs forward", &g_mixed),
        ("∇f hessian_chunked vs forward", &g_chunked),
    ] {
        r.compare(what, g, &g_forward, gradient_keep);
    }

    let (_, j_forward) = dual::jacobian(|x| outputs(p, x), x);
    let (_, j_reverse) = reverse::jacobian(|x| outputs(p, x), x);
    let jacobian_keep = |k: usize| flow.jacobian(k % m, k / m);
    r.compare(
        "J reverse vs forward (column-major)",
        j_reverse.as_slice(),
        j_forward.as_slice(),
        jacobian_keep,
    );
    // wᵀJ against the reverse Jacobian's rows summed: the sum over the outputs is a sum of its own, ambiguous where its terms are.
    let (_, wj) = reverse::vjp(|x| outputs(p, x), x, w);
    let wj_rows: Vec<(f64, bool)> = (0..n)
        .map(|i| {
            let terms: Vec<f64> = (0..m)
                .map(|j| w[j].strong_zero_mul(j_reverse[(j, i)]))
                .collect();
            super::flow::sum_terms(&terms)
        })
        .collect();
    let sums: Vec<f64> = wj_rows.iter().map(|&(v, _)| v).collect();
    r.compare("wᵀJ vjp vs reverse J", &wj, &sums, |i| {
        match wj_rows[i].1 {
            true if flow.nonfinite => Comparable::No,
            true => flow.first_order().max(Comparable::Class),
            false => flow.first_order(),
        }
    });

    // Second order: a cancelled first-order sum can meet an infinity in the second-order sums
    // too, so a case with any ambiguity, of first or second order, is not compared.
    // The modes that take a rule's second partials at unit tangents (the hyperdual drivers,
    // the second-order tape) agree with each other, but where a rule's mixed partial differs
    // between the two orders of differentiation, which they take differently (see
    // `Flow::second_order_across_orders`). Forward over reverse evaluates each rule on the
    // tangents themselves, one order of differentiation per column (the HVP), or both, averaged
    // (`hessian_chunked`): it is compared with them, and the HVP with it, only where no tangent
    // is infinite (see `Flow::second_order_across_seedings`).
    let hessian_keep = |_: usize| flow.second_order();
    let across_orders = |_: usize| flow.second_order_across_orders();
    let across = |_: usize| flow.second_order_across_seedings();
    r.compare(
        "H hyperdual<3> vs hyperdual",
        h_hyper_3.as_slice(),
        h_hyper.as_slice(),
        hessian_keep,
    );
    r.compare(
        "H reverse::hessian vs hyperdual",
        h_mixed.as_slice(),
        h_hyper.as_slice(),
        across_orders,
    );
    let hyper_vs_chunked = "H hessian_chunked vs hyperdual";
    r.compare(
        hyper_vs_chunked,
        h_chunked.as_slice(),
        h_hyper.as_slice(),
        across,
    );
    for k in 0..n {
        let (_, g_hvp, hv) = reverse::hessian_vector_product(|x| scalar(p, x), x, unit(n, k));
        r.compare("∇f hvp vs forward", &g_hvp, &g_forward, gradient_keep);
        let column: Vec<f64> = h_chunked.column(k).iter().copied().collect();
        let what = format!("H·e{k} hvp vs hessian_chunked column");
        r.compare(&what, &hv, &column, across);
    }
    if r.text.is_empty() {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!(
            "NaN/∞ patterns disagree:\n{}\ncase:\n{case}",
            r.text
        )))
    }
}

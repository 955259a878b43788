//! [`plot_contour_with_trajectories`]: the level sets of a function of two variables with
//! optimisation paths drawn over them, as an SVG file.

use super::{drawing_at, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// A path drawn over a contour plot: its legend label and its points `[x, y]`, in order (an
/// optimiser's iterates).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trajectory<'a> {
    /// The legend label.
    pub label: &'a str,
    /// The points, first to last.
    pub points: &'a [[f64; 2]],
}

/// The frame and levels of [`plot_contour_with_trajectories`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContourOptions<'a> {
    /// The caption.
    pub title: &'a str,
    /// The x interval drawn.
    pub x_range: (f64, f64),
    /// The y interval drawn.
    pub y_range: (f64, f64),
    /// Grid nodes per axis at which the function is evaluated (default 150).
    pub resolution: usize,
    /// The number of contour levels (default 24).
    pub levels: usize,
    /// Levels evenly spaced in ln(1 + f − m), m the smallest value on the grid, rather than in
    /// f (default `true`): a function that spans orders of magnitude (Himmelblau's, Rastrigin's)
    /// keeps visible levels near its minima.
    pub log_scale: bool,
    /// Points marked with a cross (known minima, a start point).
    pub markers: &'a [[f64; 2]],
}

impl<'a> ContourOptions<'a> {
    /// Options with the given caption and frame and the defaults: a 150 × 150 grid, 24 levels,
    /// log scale, no markers.
    pub fn new(title: &'a str, x_range: (f64, f64), y_range: (f64, f64)) -> Self {
        ContourOptions {
            title,
            x_range,
            y_range,
            resolution: 150,
            levels: 24,
            log_scale: true,
            markers: &[],
        }
    }
}

/// Draws the contour lines of `f` over `options`' frame, the `trajectories` over them (each a
/// line through its points, a circle at its start and a filled circle at its end, with a legend
/// entry) and the `options.markers` (black crosses), into an SVG file at `path`.
///
/// The contours are traced by marching squares on a `resolution × resolution` grid of `f`'s
/// values (a cell with a non-finite corner is left blank); level colours run from dark blue
/// (low) to yellow (high). Trajectory points outside the frame are clipped.
///
/// ```no_run
/// use diffprog_nn::plot::{plot_contour_with_trajectories, ContourOptions, Trajectory};
///
/// let f = |x: f64, y: f64| (x - 1.0).powi(2) + 10.0 * (y + 0.5).powi(2);
/// let path = [[-2.0, 1.5], [-1.0, 0.5], [0.0, -0.2], [0.8, -0.45]];
/// let options = ContourOptions {
///     markers: &[[1.0, -0.5]],
///     ..ContourOptions::new("a quadratic bowl", (-3.0, 3.0), (-2.0, 2.0))
/// };
/// plot_contour_with_trajectories(
///     "bowl.svg",
///     f,
///     &options,
///     &[Trajectory { label: "gradient descent", points: &path }],
/// )?;
/// # Ok::<(), diffprog_nn::plot::PlotError>(())
/// ```
///
/// # Errors
/// [`PlotError::NothingToPlot`] if `f` has no finite value on the grid,
/// [`PlotError::Drawing`] (naming the path) if the file cannot be written.
///
/// # Panics
/// If a range is empty or not finite, `resolution < 2` or `levels == 0`.
pub fn plot_contour_with_trajectories(
    path: impl AsRef<Path>,
    f: impl Fn(f64, f64) -> f64,
    options: &ContourOptions<'_>,
    trajectories: &[Trajectory<'_>],
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let (x0, x1) = options.x_range;
    let (y0, y1) = options.y_range;
    for (name, lo, hi) in [("x_range", x0, x1), ("y_range", y0, y1)] {
        assert!(
            lo.is_finite() && hi.is_finite() && lo < hi,
            "plot_contour_with_trajectories: {name} ({lo}, {hi}) must be finite with lo < hi"
        );
    }
    let n = options.resolution;
    assert!(
        n >= 2,
        "plot_contour_with_trajectories: resolution must be at least 2 grid nodes per axis, got {n}"
    );
    assert!(
        options.levels > 0,
        "plot_contour_with_trajectories: levels must be positive"
    );
    let xs: Vec<f64> = (0..n)
        .map(|i| x0 + (x1 - x0) * i as f64 / (n - 1) as f64)
        .collect();
    let ys: Vec<f64> = (0..n)
        .map(|j| y0 + (y1 - y0) * j as f64 / (n - 1) as f64)
        .collect();
    // values[j * n + i] = f(xs[i], ys[j])
    let mut values: Vec<f64> = ys
        .iter()
        .flat_map(|&y| xs.iter().map(move |&x| (x, y)))
        .map(|(x, y)| f(x, y))
        .collect();
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return Err(PlotError::NothingToPlot);
    }
    let (lo, hi) = if options.log_scale {
        values.iter_mut().for_each(|v| *v = (*v - lo).ln_1p());
        (0.0, (hi - lo).ln_1p())
    } else {
        (lo, hi)
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let levels: Vec<f64> = (0..options.levels)
        .map(|k| lo + span * (k as f64 + 0.5) / options.levels as f64)
        .collect();

    let draw = |e: String| drawing_at(path, e);
    let root = SVGBackend::new(path, (760, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(options.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| draw(e.to_string()))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x")
        .y_desc("y")
        .draw()
        .map_err(|e| draw(e.to_string()))?;
    for (k, &level) in levels.iter().enumerate() {
        let colour = level_colour(k as f64 / (options.levels.max(2) - 1) as f64);
        let lines = join_segments(contour_segments(&values, &xs, &ys, level));
        chart
            .draw_series(
                lines
                    .into_iter()
                    .map(|line| PathElement::new(line, colour.stroke_width(1))),
            )
            .map_err(|e| draw(e.to_string()))?;
    }
    let palette = [RED, MAGENTA, BLACK, BLUE, GREEN, CYAN];
    let inside = |p: &[f64; 2]| (x0..=x1).contains(&p[0]) && (y0..=y1).contains(&p[1]);
    for (t, colour) in trajectories.iter().zip(palette.iter().cycle()) {
        let colour = *colour;
        let pts: Vec<(f64, f64)> = t.points.iter().map(|p| (p[0], p[1])).collect();
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))
            .map_err(|e| draw(e.to_string()))?
            .label(t.label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        let first = t.points.first().filter(|p| inside(p));
        let last = t.points.last().filter(|p| inside(p));
        chart
            .draw_series(
                first
                    .map(|p| Circle::new((p[0], p[1]), 5, colour.stroke_width(2)))
                    .into_iter()
                    .chain(last.map(|p| Circle::new((p[0], p[1]), 5, colour.filled()))),
            )
            .map_err(|e| draw(e.to_string()))?;
    }
    chart
        .draw_series(
            options
                .markers
                .iter()
                .filter(|p| inside(p))
                .map(|p| Cross::new((p[0], p[1]), 6, BLACK.stroke_width(2))),
        )
        .map_err(|e| draw(e.to_string()))?;
    if !trajectories.is_empty() {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw(e.to_string()))?;
    }
    root.present().map_err(|e| draw(e.to_string()))?;
    Ok(())
}

/// The colour of a level at `t ∈ [0, 1]`: dark blue → teal → green → yellow.
fn level_colour(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 4] = [
        (68.0, 1.0, 84.0),
        (49.0, 104.0, 142.0),
        (53.0, 183.0, 121.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let u = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

type Point = (f64, f64);

/// The segments of the level set `{v = level}` of the grid values `values[j · nx + i]` at
/// nodes `(xs[i], ys[j])`, by marching squares: in each cell, the level crosses each edge whose
/// ends lie on opposite sides (one `≥ level`, the other below) at the linearly interpolated
/// point; two crossings make a segment, four (a saddle) two segments, paired by the side of the
/// cell's mean value. Cells with a non-finite corner contribute nothing.
pub(crate) fn contour_segments(
    values: &[f64],
    xs: &[f64],
    ys: &[f64],
    level: f64,
) -> Vec<[Point; 2]> {
    let nx = xs.len();
    let mut out = Vec::new();
    for j in 0..ys.len().saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            // corners counter-clockwise from the lower left: a, b, c, d
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let v = corners.map(|(ci, cj)| values[cj * nx + ci]);
            if v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let above = v.map(|x| x >= level);
            // crossing on edge e (between corners e and e + 1), if any; interpolated from the
            // corner nearer the grid's origin, so that the two cells sharing an edge compute the
            // same point (and `join_segments` can chain them)
            let crossing = |e: usize| -> Option<Point> {
                let (p, q) = if e < 2 { (e, e + 1) } else { ((e + 1) % 4, e) };
                if above[p] == above[q] {
                    return None;
                }
                let t = (level - v[p]) / (v[q] - v[p]);
                let (pi, pj) = corners[p];
                let (qi, qj) = corners[q];
                Some((
                    xs[pi] + t * (xs[qi] - xs[pi]),
                    ys[pj] + t * (ys[qj] - ys[pj]),
                ))
            };
            let c: Vec<(usize, Point)> =
                (0..4).filter_map(|e| crossing(e).map(|p| (e, p))).collect();
            match c.len() {
                2 => out.push([c[0].1, c[1].1]),
                4 => {
                    let centre_above = v.iter().sum::<f64>() / 4.0 >= level;
                    if centre_above == above[0] {
                        // corner a's region reaches c's through the centre: cut off b and d
                        out.push([c[0].1, c[1].1]);
                        out.push([c[2].1, c[3].1]);
                    } else {
                        out.push([c[3].1, c[0].1]);
                        out.push([c[1].1, c[2].1]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Chains segments that share end points (bit for bit) into polylines: every segment appears
/// in exactly one polyline, in order along it.
pub(crate) fn join_segments(segments: Vec<[Point; 2]>) -> Vec<Vec<Point>> {
    use std::collections::HashMap;
    let key = |p: Point| (p.0.to_bits(), p.1.to_bits());
    let mut at: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
    for (i, s) in segments.iter().enumerate() {
        for &p in s {
            at.entry(key(p)).or_default().push(i);
        }
    }
    let mut used = vec![false; segments.len()];
    // the other end of an unused segment at `p`, marking it used
    let mut next = |p: Point, used: &mut Vec<bool>| -> Option<Point> {
        let list = at.get_mut(&key(p))?;
        while let Some(i) = list.pop() {
            if !used[i] {
                used[i] = true;
                let [a, b] = segments[i];
                return Some(if key(a) == key(p) { b } else { a });
            }
        }
        None
    };
    let mut lines = Vec::new();
    for i in 0..segments.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let [a, b] = segments[i];
        let mut forward = vec![a, b];
        while let Some(p) = next(*forward.last().expect("non-empty"), &mut used) {
            forward.push(p);
        }
        let mut backward = Vec::new();
        let mut end = a;
        while let Some(p) = next(end, &mut used) {
            backward.push(p);
            end = p;
        }
        backward.reverse();
        backward.extend(forward);
        lines.push(backward);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The level set {x² + y² = r²} on a grid: every segment end lies on the circle up to the
    /// interpolation error, and the segments close around it (total length ≈ 2πr).
    #[test]
    fn marching_squares_traces_a_circle() {
        let n = 81;
        let xs: Vec<f64> = (0..n)
            .map(|i| -2.0 + 4.0 * i as f64 / (n - 1) as f64)
            .collect();
        let ys = xs.clone();
        let values: Vec<f64> = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| x * x + y * y))
            .collect();
        let segs = contour_segments(&values, &xs, &ys, 1.0);
        assert!(segs.len() > 100, "{} segments", segs.len());
        let h = 4.0 / (n - 1) as f64;
        for [a, b] in &segs {
            for p in [a, b] {
                let r = (p.0 * p.0 + p.1 * p.1).sqrt();
                assert!((r - 1.0).abs() < h * h, "point {p:?} at radius {r}");
            }
        }
        let length: f64 = segs
            .iter()
            .map(|[a, b]| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
            .sum();
        assert!(
            (length - 2.0 * std::f64::consts::PI).abs() < 0.01,
            "{length}"
        );
        // neighbouring cells compute their shared crossing identically: one closed polyline
        let n_segs = segs.len();
        let lines = join_segments(segs);
        assert_eq!(lines.len(), 1, "{} polylines", lines.len());
        assert_eq!(lines[0].len(), n_segs + 1);
        assert_eq!(lines[0].first(), lines[0].last());
    }

    /// A saddle cell (opposite corners on the same side) gives two segments that do not cross
    /// the side the centre lies on.
    #[test]
    fn a_saddle_cell_pairs_by_the_centre() {
        let (xs, ys) = (vec![0.0, 1.0], vec![0.0, 1.0]);
        // a = 1, b = 0, c = 1, d = 0 (counter-clockwise); mean 0.5 ≥ 0.4: a and c connect
        let values = vec![1.0, 0.0, 0.0, 1.0]; // row j = 0: a, b; row j = 1: d, c
        let segs = contour_segments(&values, &xs, &ys, 0.4);
        assert_eq!(segs.len(), 2);
        // one segment cuts off b = (1, 0): its ends are on edges ab (y = 0) and bc (x = 1)
        let cuts_b = segs
            .iter()
            .any(|[p, q]| p.1 == 0.0 && q.0 == 1.0 && p.0 > 0.5 && q.1 < 0.5);
        assert!(cuts_b, "{segs:?}");
        // with the centre below the level, the segments cut off a and c instead
        let segs = contour_segments(&values, &xs, &ys, 0.6);
        let cuts_a = segs
            .iter()
            .any(|[p, q]| p.0 == 0.0 && q.1 == 0.0 && p.1 < 0.5 && q.0 < 0.5);
        assert!(cuts_a, "{segs:?}");
    }

    #[test]
    fn writes_an_svg_with_the_trajectories_and_refuses_an_unwritable_path() {
        let dir = std::env::temp_dir().join(format!("diffprog-nn-contour-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bowl.svg");
        let path = [[-2.0, 1.5], [-1.0, 0.5], [0.5, -0.4]];
        let options = ContourOptions {
            markers: &[[1.0, -0.5]],
            resolution: 40,
            ..ContourOptions::new("bowl", (-3.0, 3.0), (-2.0, 2.0))
        };
        let f = |x: f64, y: f64| (x - 1.0).powi(2) + 10.0 * (y + 0.5).powi(2);
        let trajectories = [Trajectory {
            label: "descent path",
            points: &path,
        }];
        plot_contour_with_trajectories(&file, f, &options, &trajectories).unwrap();
        let svg = std::fs::read_to_string(&file).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..50.min(svg.len())]);
        assert!(svg.contains("descent path") && svg.contains("bowl"));
        assert!(
            svg.matches("<polyline").count() > 10,
            "contour lines missing"
        );
        let _ = std::fs::remove_dir_all(&dir);

        let bad = Path::new("/nonexistent-diffprog-dir/bowl.svg");
        let err = plot_contour_with_trajectories(bad, f, &options, &trajectories).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, PlotError::Drawing(_))
                && msg.contains("/nonexistent-diffprog-dir/bowl.svg"),
            "{msg}"
        );

        let nan = |_: f64, _: f64| f64::NAN;
        let err = plot_contour_with_trajectories(&file, nan, &options, &[]).unwrap_err();
        assert!(matches!(err, PlotError::NothingToPlot), "{err}");
    }

    #[test]
    #[should_panic(expected = "x_range (1, 1) must be finite with lo < hi")]
    fn an_empty_range_is_refused() {
        let options = ContourOptions::new("", (1.0, 1.0), (0.0, 1.0));
        let _ = plot_contour_with_trajectories("never.svg", |x, _| x, &options, &[]);
    }
}

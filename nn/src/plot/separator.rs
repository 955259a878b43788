//! [`plot_linear_separator`]: two classes of points in the plane with a linear classifier's
//! decision line and margins, as an SVG file.

use super::{drawing_at, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// Draws the `points` of two classes (`classes[i]` is 0 or 1; blue and red, legend entries
/// `class_names`), the decision line `w·p + b = 0` of the linear classifier with weights `w`
/// and bias `b` (solid) and its margins `w·p + b = ±1` (dashed; a soft-margin SVM's margin is
/// the band between them, of width 2/‖w‖), into an SVG file at `path`. The frame is the points'
/// bounding box, widened by 5 % on each side; lines are clipped to it.
///
/// ```no_run
/// use diffprog_nn::plot::plot_linear_separator;
///
/// let points = [[-1.0, -1.2], [-1.5, -0.4], [1.1, 0.9], [0.7, 1.6]];
/// let classes = [0, 0, 1, 1];
/// plot_linear_separator("svm.svg", "a separator", &points, &classes, ["−1", "+1"], [1.0, 1.0], 0.0)?;
/// # Ok::<(), diffprog_nn::plot::PlotError>(())
/// ```
///
/// # Errors
/// [`PlotError::NothingToPlot`] if there are no points with finite coordinates,
/// [`PlotError::Drawing`] (naming the path) if the file cannot be written.
///
/// # Panics
/// If `classes` does not have one entry per point, a class is neither 0 nor 1, or `w` is zero
/// or not finite, or `b` is not finite.
pub fn plot_linear_separator(
    path: impl AsRef<Path>,
    title: &str,
    points: &[[f64; 2]],
    classes: &[usize],
    class_names: [&str; 2],
    w: [f64; 2],
    b: f64,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    assert_eq!(
        classes.len(),
        points.len(),
        "plot_linear_separator: {} classes for {} points; give one class (0 or 1) per point",
        classes.len(),
        points.len()
    );
    if let Some(c) = classes.iter().find(|&&c| c > 1) {
        panic!("plot_linear_separator: class {c} given; the classes are 0 and 1");
    }
    assert!(
        w.iter().all(|v| v.is_finite()) && w != [0.0, 0.0] && b.is_finite(),
        "plot_linear_separator: the weights {w:?} must be finite and not both zero, and the bias \
         {b} finite"
    );
    let finite: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].iter().all(|v| v.is_finite()))
        .collect();
    if finite.is_empty() {
        return Err(PlotError::NothingToPlot);
    }
    let bound = |axis: usize| {
        let vals = finite.iter().map(|&i| points[i][axis]);
        let lo = vals.clone().fold(f64::INFINITY, f64::min);
        let hi = vals.fold(f64::NEG_INFINITY, f64::max);
        let pad = ((hi - lo) * 0.05).max(1e-3);
        (lo - pad, hi + pad)
    };
    let (x_range, y_range) = (bound(0), bound(1));

    let draw = |e: String| drawing_at(path, e);
    let root = SVGBackend::new(path, (720, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(|e| draw(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("x₀")
        .y_desc("x₁")
        .draw()
        .map_err(|e| draw(e.to_string()))?;
    for (class, colour) in [(0, BLUE), (1, RED)] {
        chart
            .draw_series(
                finite.iter().filter(|&&i| classes[i] == class).map(|&i| {
                    Circle::new((points[i][0], points[i][1]), 3, colour.mix(0.6).filled())
                }),
            )
            .map_err(|e| draw(e.to_string()))?
            .label(class_names[class])
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
    }
    for (offset, name) in [(0.0, "w·x + b = 0"), (1.0, "w·x + b = ±1"), (-1.0, "")] {
        let Some([p, q]) = clip_line(w, offset - b, x_range, y_range) else {
            continue;
        };
        if offset == 0.0 {
            chart
                .draw_series(LineSeries::new([p, q], BLACK.stroke_width(2)))
                .map_err(|e| draw(e.to_string()))?
                .label(name)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        } else {
            let series = chart
                .draw_series(DashedLineSeries::new([p, q], 8, 5, BLACK.stroke_width(1)))
                .map_err(|e| draw(e.to_string()))?;
            if !name.is_empty() {
                series.label(name).legend(|(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(1))
                });
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw(e.to_string()))?;
    root.present().map_err(|e| draw(e.to_string()))?;
    Ok(())
}

/// The part of the line `w·p = c` inside the box `x_range × y_range`: its two ends, or `None`
/// if it misses the box.
fn clip_line(
    w: [f64; 2],
    c: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
) -> Option<[(f64, f64); 2]> {
    let mut ends: Vec<(f64, f64)> = Vec::with_capacity(4);
    let tol = 1e-12 * (x_range.1 - x_range.0).max(y_range.1 - y_range.0);
    let inside = |v: f64, (lo, hi): (f64, f64)| v >= lo - tol && v <= hi + tol;
    if w[1] != 0.0 {
        for x in [x_range.0, x_range.1] {
            let y = (c - w[0] * x) / w[1];
            if inside(y, y_range) {
                ends.push((x, y));
            }
        }
    }
    if w[0] != 0.0 {
        for y in [y_range.0, y_range.1] {
            let x = (c - w[1] * y) / w[0];
            if inside(x, x_range) {
                ends.push((x, y));
            }
        }
    }
    let dist = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2);
    let mut best: Option<[(f64, f64); 2]> = None;
    for (i, &a) in ends.iter().enumerate() {
        for &b in &ends[i + 1..] {
            if best.is_none_or(|[p, q]| dist(a, b) > dist(p, q)) {
                best = Some([a, b]);
            }
        }
    }
    best.filter(|[p, q]| dist(*p, *q) > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_chord_inside_the_box() {
        // x + y = 0 through the square [−1, 1]²: the diagonal from (−1, 1) to (1, −1)
        let [p, q] = clip_line([1.0, 1.0], 0.0, (-1.0, 1.0), (-1.0, 1.0)).unwrap();
        let mut ends = [p, q];
        ends.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(ends, [(-1.0, 1.0), (1.0, -1.0)]);
        // a vertical line x = 0.5
        let [p, q] = clip_line([2.0, 0.0], 1.0, (-1.0, 1.0), (-1.0, 1.0)).unwrap();
        assert_eq!((p.0, q.0), (0.5, 0.5));
        assert_eq!((p.1 - q.1).abs(), 2.0);
        // a line that misses the box, and one that only touches a corner
        assert!(clip_line([1.0, 1.0], 5.0, (-1.0, 1.0), (-1.0, 1.0)).is_none());
        assert!(clip_line([1.0, 1.0], 2.0, (-1.0, 1.0), (-1.0, 1.0)).is_none());
    }

    #[test]
    fn writes_an_svg_and_refuses_an_unwritable_path() {
        let dir =
            std::env::temp_dir().join(format!("diffprog-nn-separator-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("svm.svg");
        let points = [[-1.0, -1.2], [-1.5, -0.4], [1.1, 0.9], [0.7, 1.6]];
        let classes = [0, 0, 1, 1];
        plot_linear_separator(
            &file,
            "separator",
            &points,
            &classes,
            ["minus", "plus"],
            [1.0, 1.0],
            0.0,
        )
        .unwrap();
        let svg = std::fs::read_to_string(&file).unwrap();
        assert!(svg.contains("minus") && svg.contains("plus") && svg.contains("w·x + b = ±1"));
        assert!(
            svg.matches("<circle").count() >= 4,
            "the points are missing"
        );
        let _ = std::fs::remove_dir_all(&dir);

        let bad = Path::new("/nonexistent-diffprog-dir/svm.svg");
        let err = plot_linear_separator(bad, "", &points, &classes, ["a", "b"], [1.0, 1.0], 0.0)
            .unwrap_err();
        assert!(
            matches!(err, PlotError::Drawing(_))
                && err
                    .to_string()
                    .contains("/nonexistent-diffprog-dir/svm.svg"),
            "{err}"
        );
        let none: [[f64; 2]; 0] = [];
        let err =
            plot_linear_separator(&file, "", &none, &[], ["a", "b"], [1.0, 1.0], 0.0).unwrap_err();
        assert!(matches!(err, PlotError::NothingToPlot));
    }

    #[test]
    #[should_panic(expected = "class 2 given; the classes are 0 and 1")]
    fn a_third_class_is_refused() {
        let _ = plot_linear_separator(
            "never.svg",
            "",
            &[[0.0, 0.0]],
            &[2],
            ["a", "b"],
            [1.0, 0.0],
            0.0,
        );
    }
}

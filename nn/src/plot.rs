//! Plots: [`plot_training_curves`] (the loss and accuracy curves of a run, SVG),
//! [`plot_contour_with_trajectories`] (level sets of a function of two variables with
//! optimisation paths over them, SVG), [`plot_linear_separator`] (two classes of points in the
//! plane, a linear decision line and its margins, SVG) and [`plot_image_grid`] (small grey images
//! tiled into a PNG file).

use crate::train::{EpochRecord, History};
use plotters::prelude::*;
use std::fmt;
use std::path::Path;

mod contour;
mod image_grid;
mod separator;

pub use contour::{plot_contour_with_trajectories, ContourOptions, Trajectory};
pub use image_grid::{plot_image_grid, GreyScale, ImageGrid};
pub use separator::plot_linear_separator;

/// Why a plot could not be drawn.
#[derive(Debug)]
#[non_exhaustive]
pub enum PlotError {
    /// There is no finite value to draw (a history with no finite value, a function with no
    /// finite value on the grid, no points).
    NothingToPlot,
    /// The drawing backend failed (e.g. the file could not be written).
    Drawing(String),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::NothingToPlot => write!(f, "there is no finite value to plot"),
            PlotError::Drawing(e) => write!(f, "could not draw the plot: {e}"),
        }
    }
}

impl std::error::Error for PlotError {}

fn drawing<E: fmt::Display>(e: E) -> PlotError {
    PlotError::Drawing(e.to_string())
}

/// A drawing error that names the file being drawn.
fn drawing_at(path: &Path, e: impl fmt::Display) -> PlotError {
    PlotError::Drawing(format!("{}: {e}", path.display()))
}

type Series = Vec<(f64, f64)>;

/// Finite `(epoch, value)` points of one column of the history.
fn series(history: &History, pick: impl Fn(&EpochRecord) -> Option<f64>) -> Series {
    history
        .epochs
        .iter()
        .filter_map(|r| {
            pick(r)
                .filter(|v| v.is_finite())
                .map(|v| (r.epoch as f64, v))
        })
        .collect()
}

fn range(points: &[&Series], floor_zero: bool) -> (f64, f64) {
    let vals = points.iter().flat_map(|s| s.iter().map(|p| p.1));
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let lo = if floor_zero { lo.min(0.0) } else { lo };
    let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.05).max(1e-6);
    (
        lo - if floor_zero && lo == 0.0 { 0.0 } else { pad },
        hi + pad,
    )
}

/// Draws two panels side by side — loss (train and test) and accuracy (train and test, in
/// percent) against the epoch — into an SVG file at `path`. Series that were never recorded
/// (`None`) or are not finite are left out.
///
/// ```no_run
/// use diffprog_nn::train::{EpochRecord, History};
/// use diffprog_nn::plot::plot_training_curves;
///
/// let mut h = History::new();
/// for epoch in 1..=10 {
///     let loss = 2.0 / epoch as f64;
///     h.push(EpochRecord {
///         epoch,
///         train_loss: loss,
///         test_loss: Some(loss * 1.1),
///         train_accuracy: Some(1.0 - loss / 4.0),
///         test_accuracy: Some(1.0 - loss / 3.0),
///     });
/// }
/// plot_training_curves("curves.svg", &h).unwrap();
/// ```
pub fn plot_training_curves(path: impl AsRef<Path>, history: &History) -> Result<(), PlotError> {
    let train_loss = series(history, |r| Some(r.train_loss));
    let test_loss = series(history, |r| r.test_loss);
    let train_acc = series(history, |r| r.train_accuracy.map(|a| 100.0 * a));
    let test_acc = series(history, |r| r.test_accuracy.map(|a| 100.0 * a));
    let all = [&train_loss, &test_loss, &train_acc, &test_acc];
    if all.iter().all(|s| s.is_empty()) {
        return Err(PlotError::NothingToPlot);
    }
    let xs = all.iter().flat_map(|s| s.iter().map(|p| p.0));
    let e_lo = xs.clone().fold(f64::INFINITY, f64::min);
    let e_hi = xs.fold(f64::NEG_INFINITY, f64::max);
    let epochs = (e_lo.floor(), e_hi.ceil().max(e_lo.floor() + 1.0));

    let root = SVGBackend::new(path.as_ref(), (1100, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(drawing)?;
    let panels = root.split_evenly((1, 2));
    let specs: [(&str, &str, [&Series; 2], bool); 2] = [
        ("Loss", "loss", [&train_loss, &test_loss], true),
        ("Accuracy", "accuracy (%)", [&train_acc, &test_acc], false),
    ];
    for (area, (title, y_label, data, is_loss)) in panels.iter().zip(specs) {
        let (y_lo, y_hi) = if data.iter().all(|s| s.is_empty()) {
            (0.0, 1.0)
        } else if is_loss {
            range(&data, true)
        } else {
            let (lo, hi) = range(&data, false);
            (lo.max(0.0), hi.min(100.0).max(lo + 1.0))
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(epochs.0..epochs.1, y_lo..y_hi)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|x| {
                if x.fract() == 0.0 {
                    format!("{x:.0}")
                } else {
                    String::new()
                }
            })
            .y_desc(y_label)
            .draw()
            .map_err(drawing)?;
        for (s, name, color) in [(data[0], "train", BLUE), (data[1], "test", RED)] {
            if s.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(s.iter().copied(), color.stroke_width(2)))
                .map_err(drawing)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(s.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(drawing)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(drawing)?;
    }
    root.present().map_err(drawing)?;
    Ok(())
}

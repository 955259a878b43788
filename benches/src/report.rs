//! Measuring a list of modes, and presenting the measurements: markdown tables, recommendations
//! with crossovers, log-log SVG plots.

use crate::modes::{Mode, Question};
use crate::timing::{format_time, time_per_call};
use plotters::prelude::*;
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

/// One mode's measurement.
#[derive(Clone, Debug)]
pub struct Row {
    /// The mode.
    pub mode: &'static str,
    /// True for a peer library.
    pub peer: bool,
    /// Seconds per call.
    pub seconds: f64,
    /// The largest difference from the reference mode's answer, relative to the reference's
    /// largest component (0 for the reference itself).
    pub max_diff: f64,
}

/// The measurements of every mode on one problem instance.
#[derive(Clone, Debug)]
pub struct Table {
    /// The question.
    pub question: Question,
    /// The problem's name.
    pub problem: String,
    /// Inputs.
    pub n: usize,
    /// Outputs.
    pub m: usize,
    /// Seconds per plain `f64` evaluation.
    pub baseline: f64,
    /// One row per mode; the first is the reference.
    pub rows: Vec<Row>,
}

/// The largest |a − b| over the components, relative to the largest |b|.
pub fn max_rel_diff(a: &[f64], reference: &[f64]) -> f64 {
    assert_eq!(
        a.len(),
        reference.len(),
        "max_rel_diff: the answers have {} and {} components",
        a.len(),
        reference.len()
    );
    let scale = reference.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(reference)
        .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
    if scale > 0.0 {
        diff / scale
    } else {
        diff
    }
}

/// Rounds per measurement (see [`measure_all`]).
pub const ROUNDS: usize = 5;

/// A problem instance being measured: its modes' agreement with the reference mode (checked
/// once, at creation) and the fastest time so far of the plain evaluation and of every mode.
pub struct Measurement {
    question: Question,
    problem: String,
    n: usize,
    m: usize,
    baseline: Mode,
    modes: Vec<Mode>,
    max_diffs: Vec<f64>,
    best_baseline: f64,
    best: Vec<f64>,
}

impl Measurement {
    /// Runs every mode once and compares its answer with the first mode's (the reference).
    pub fn new(
        question: Question,
        problem: String,
        (n, m): (usize, usize),
        baseline: Mode,
        modes: Vec<Mode>,
    ) -> Measurement {
        let reference = (modes[0].run)();
        let max_diffs = modes
            .iter()
            .map(|mode| max_rel_diff(&(mode.run)(), &reference))
            .collect();
        let best = vec![f64::INFINITY; modes.len()];
        Measurement {
            question,
            problem,
            n,
            m,
            baseline,
            modes,
            max_diffs,
            best_baseline: f64::INFINITY,
            best,
        }
    }

    /// One round: times the plain evaluation, then every mode, each for at least `time`, and
    /// keeps each one's fastest time so far.
    pub fn round(&mut self, time: Duration) {
        let baseline = &self.baseline;
        self.best_baseline = self
            .best_baseline
            .min(time_per_call(|| (baseline.run)(), time));
        for (b, mode) in self.best.iter_mut().zip(&self.modes) {
            *b = b.min(time_per_call(|| (mode.run)(), time));
        }
    }

    /// The table of the fastest times (infinite for a measurement that had no round).
    pub fn table(&self) -> Table {
        let rows = self
            .modes
            .iter()
            .zip(&self.max_diffs)
            .zip(&self.best)
            .map(|((mode, &max_diff), &seconds)| Row {
                mode: mode.name,
                peer: mode.peer,
                seconds,
                max_diff,
            })
            .collect();
        Table {
            question: self.question,
            problem: self.problem.clone(),
            n: self.n,
            m: self.m,
            baseline: self.best_baseline,
            rows,
        }
    }
}

/// Times every measurement in [`ROUNDS`] rounds, each round visiting every measurement once
/// (the plain evaluation and every mode, each for at least `min_time / ROUNDS`); each keeps its
/// fastest round. `progress` is called before each round with its number (from 1).
///
/// The machine's speed drifts — on a shared VM by up to 2× for seconds to minutes at a time,
/// and throughput-bound code such as a tape suffers more from it than a latency-bound plain
/// evaluation. Rounds that each sweep the whole run spread every table's five chances over
/// all of it, so one slow stretch cannot decide a table's figures (timing a table's rounds
/// one after the other put all five in the same stretch).
pub fn measure_all<'a>(
    measurements: impl IntoIterator<Item = &'a mut Measurement>,
    min_time: Duration,
    mut progress: impl FnMut(usize),
) {
    let mut all: Vec<&mut Measurement> = measurements.into_iter().collect();
    let per_round = min_time / ROUNDS as u32;
    for round in 1..=ROUNDS {
        progress(round);
        for m in all.iter_mut() {
            m.round(per_round);
        }
    }
}

impl Table {
    /// The fastest diffprog mode (peers excluded).
    pub fn fastest_own(&self) -> &Row {
        self.rows
            .iter()
            .filter(|r| !r.peer)
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .expect("a table has at least one diffprog mode")
    }

    /// The row of a mode, if it was measured.
    pub fn row(&self, mode: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.mode == mode)
    }

    /// The table as markdown.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "#### {} — {}, n = {}, m = {} (f64 evaluation: {})\n",
            self.question.name(),
            self.problem,
            self.n,
            self.m,
            format_time(self.baseline)
        );
        let _ = writeln!(
            s,
            "| mode | time / call | × f64 evaluation | max rel. diff vs {} |",
            self.rows[0].mode
        );
        let _ = writeln!(s, "|---|---:|---:|---:|");
        let fastest = self.fastest_own().mode;
        for r in &self.rows {
            let name = if r.peer {
                format!("{} *(peer)*", r.mode)
            } else if r.mode == fastest {
                format!("**{}**", r.mode)
            } else {
                r.mode.to_string()
            };
            let diff = if r.mode == self.rows[0].mode {
                "reference".to_string()
            } else {
                format!("{:.1e}", r.max_diff)
            };
            let _ = writeln!(
                s,
                "| {name} | {} | {:.1} | {diff} |",
                format_time(r.seconds),
                r.seconds / self.baseline
            );
        }
        s
    }
}

/// Where the fastest diffprog mode changes along a series of tables of growing n (same question
/// and problem): "between n = a and n = b, X overtakes Y (equal near n ≈ c)", with `c` from
/// log-log interpolation of the two modes' time ratio.
pub fn crossovers(series: &[&Table]) -> Vec<String> {
    let mut out = Vec::new();
    for w in series.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (wa, wb) = (a.fastest_own().mode, b.fastest_own().mode);
        if wa == wb {
            continue;
        }
        let estimate = match (a.row(wa), a.row(wb), b.row(wa), b.row(wb)) {
            (Some(aa), Some(ab), Some(ba), Some(bb)) => {
                let (ra, rb) = (
                    (aa.seconds / ab.seconds).ln(),
                    (ba.seconds / bb.seconds).ln(),
                );
                let (la, lb) = ((a.n as f64).ln(), (b.n as f64).ln());
                // ra ≤ 0 (wa faster at a), rb ≥ 0: zero crossing of the log ratio
                let t = ra / (ra - rb);
                format!(" (equal near n ≈ {:.0})", (la + t * (lb - la)).exp())
            }
            _ => String::new(),
        };
        out.push(format!(
            "{} of {}: between n = {} and n = {}, {} overtakes {}{estimate}",
            a.question.name(),
            a.problem,
            a.n,
            b.n,
            wb,
            wa
        ));
    }
    out
}

/// The recommendation for one table: the fastest diffprog mode, its cost in f64 evaluations,
/// and the fastest peer if that is faster.
pub fn recommendation(t: &Table) -> String {
    let best = t.fastest_own();
    let mut s = format!(
        "{} of {} (n = {}, m = {}): use {} ({}, {:.1}× an f64 evaluation)",
        t.question.name(),
        t.problem,
        t.n,
        t.m,
        best.mode,
        format_time(best.seconds),
        best.seconds / t.baseline
    );
    if let Some(peer) = t
        .rows
        .iter()
        .filter(|r| r.peer)
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
    {
        let _ = write!(
            s,
            "; fastest peer: {} at {:.2}× that time",
            peer.mode,
            peer.seconds / best.seconds
        );
    }
    s
}

fn drawing<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Draws time per call against n, log-log, one line per mode (and the f64 evaluation), for a
/// series of tables of the same question and problem, into an SVG file.
///
/// # Errors
/// If the file cannot be written.
pub fn plot(series: &[&Table], title: &str, path: &Path) -> Result<(), String> {
    let mut modes: Vec<(&'static str, bool)> = Vec::new();
    for t in series {
        for r in &t.rows {
            if !modes.iter().any(|(m, _)| *m == r.mode) {
                modes.push((r.mode, r.peer));
            }
        }
    }
    let all_times = series
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| r.seconds).chain([t.baseline]));
    let (lo, hi) = all_times.fold((f64::INFINITY, 0.0_f64), |(l, h), v| (l.min(v), h.max(v)));
    let n_lo = series.iter().map(|t| t.n).min().unwrap_or(1) as f64;
    let n_hi = series.iter().map(|t| t.n).max().unwrap_or(2) as f64;

    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(drawing)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(
            (n_lo * 0.8..n_hi * 1.25).log_scale(),
            (lo * 0.5..hi * 2.0).log_scale(),
        )
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .x_desc("n (inputs)")
        .y_desc("time per call")
        .y_label_formatter(&|v| format_time(*v))
        .draw()
        .map_err(drawing)?;
    let palette = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    // (label, points, is a peer)
    type Line = (String, Vec<(f64, f64)>, bool);
    let mut lines: Vec<Line> = vec![(
        "f64 evaluation".into(),
        series.iter().map(|t| (t.n as f64, t.baseline)).collect(),
        false,
    )];
    for (mode, peer) in &modes {
        let pts = series
            .iter()
            .filter_map(|t| t.row(mode).map(|r| (t.n as f64, r.seconds)))
            .collect();
        let label = if *peer {
            format!("{mode} (peer)")
        } else {
            mode.to_string()
        };
        lines.push((label, pts, *peer));
    }
    for (k, (label, pts, peer)) in lines.into_iter().enumerate() {
        let color = if k == 0 {
            BLACK
        } else {
            palette[(k - 1) % palette.len()]
        };
        let style = if peer {
            color.stroke_width(1)
        } else {
            color.stroke_width(3)
        };
        chart
            .draw_series(LineSeries::new(pts.clone(), style))
            .map_err(drawing)?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(drawing)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(drawing)?;
    root.present().map_err(drawing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A mode whose answer is `answer` and which counts its calls in `calls`.
    fn counting_mode(name: &'static str, answer: f64, calls: &Rc<Cell<usize>>) -> Mode {
        let calls = Rc::clone(calls);
        Mode {
            name,
            peer: false,
            run: Box::new(move || {
                calls.set(calls.get() + 1);
                vec![answer, 2.0]
            }),
        }
    }

    #[test]
    fn every_round_visits_every_measurement_in_turn() {
        let log = Rc::new(std::cell::RefCell::new(Vec::new()));
        let counts: Vec<Rc<Cell<usize>>> = (0..4).map(|_| Rc::new(Cell::new(0))).collect();
        let mut measurements: Vec<Measurement> = (0..2)
            .map(|k| {
                Measurement::new(
                    Question::Gradient,
                    format!("p{k}"),
                    (2, 1),
                    counting_mode("plain", 0.0, &counts[2 * k]),
                    vec![
                        counting_mode("reference", 1.0, &counts[2 * k + 1]),
                        counting_mode("other", 1.0 + 1e-3, &counts[2 * k + 1]),
                    ],
                )
            })
            .collect();
        // Before any round: the answers are compared, nothing is timed.
        assert!(measurements[0].table().baseline.is_infinite());
        let after_creation: Vec<usize> = counts.iter().map(|c| c.get()).collect();
        let seen = Rc::clone(&log);
        measure_all(&mut measurements, Duration::from_millis(5), |round| {
            // Each round starts after the previous one visited both measurements.
            seen.borrow_mut()
                .push((round, counts[0].get(), counts[2].get()));
        });
        let log = log.borrow();
        assert_eq!(
            log.iter().map(|e| e.0).collect::<Vec<_>>(),
            (1..=ROUNDS).collect::<Vec<_>>()
        );
        for w in log.windows(2) {
            assert!(
                w[1].1 > w[0].1 && w[1].2 > w[0].2,
                "a round skipped a measurement: {log:?}"
            );
        }
        for (c, before) in counts.iter().zip(after_creation) {
            assert!(c.get() > before, "a measurement was never timed");
        }
        for m in &measurements {
            let t = m.table();
            assert!(t.baseline.is_finite() && t.baseline > 0.0);
            assert!(t
                .rows
                .iter()
                .all(|r| r.seconds.is_finite() && r.seconds > 0.0));
            assert_eq!(t.rows[0].max_diff, 0.0);
            assert!(
                (t.rows[1].max_diff - 5e-4).abs() < 1e-12,
                "{}",
                t.rows[1].max_diff
            );
        }
    }

    fn table(n: usize, fwd: f64, rev: f64) -> Table {
        Table {
            question: Question::Gradient,
            problem: "p".into(),
            n,
            m: 1,
            baseline: 1.0,
            rows: vec![
                Row {
                    mode: "reverse",
                    peer: false,
                    seconds: rev,
                    max_diff: 0.0,
                },
                Row {
                    mode: "forward",
                    peer: false,
                    seconds: fwd,
                    max_diff: 0.0,
                },
            ],
        }
    }

    #[test]
    fn finds_the_crossover_by_log_interpolation() {
        // forward ∝ n, reverse constant 10: equal at n = 10
        let (a, b) = (table(1, 1.0, 10.0), table(100, 100.0, 10.0));
        let c = crossovers(&[&a, &b]);
        assert_eq!(c.len(), 1);
        assert!(c[0].contains("reverse overtakes forward"), "{}", c[0]);
        assert!(c[0].contains("n ≈ 10)"), "{}", c[0]);
        assert!(crossovers(&[&a, &table(2, 2.0, 10.0)]).is_empty());
    }

    #[test]
    fn relative_difference() {
        assert_eq!(max_rel_diff(&[1.0, 2.5], &[1.0, 2.0]), 0.25);
        assert_eq!(max_rel_diff(&[0.0], &[0.0]), 0.0);
    }
}

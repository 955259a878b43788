//! [`Progress`]: an `indicatif` progress bar that stays quiet when nobody is watching.
//!
//! The bar draws on stderr only when stderr is a terminal and the caller did not ask for quiet;
//! otherwise every call is a cheap no-op, so test logs and CI output stay clean and a training
//! loop need not branch.
//!
//! ```
//! use diffprog_nn::progress::Progress;
//!
//! let p = Progress::new(3, "epochs", true); // quiet: never draws
//! assert!(p.is_hidden());
//! for epoch in 1..=3 {
//!     p.set_message(format!("epoch {epoch}: loss 0.1"));
//!     p.inc(1);
//! }
//! p.finish();
//! assert_eq!(p.position(), 3);
//! ```

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::borrow::Cow;
use std::io::IsTerminal;

/// A progress bar over `total` steps (epochs or batches), hidden when stderr is not a terminal
/// or when constructed quiet.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: ProgressBar,
}

/// True when a bar created with `quiet` would draw: not quiet and stderr is a terminal.
pub fn should_draw(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

impl Progress {
    /// A bar of `total` steps labelled `label`; draws only if [`should_draw(quiet)`](should_draw).
    pub fn new(total: u64, label: impl Into<Cow<'static, str>>, quiet: bool) -> Self {
        let target = if should_draw(quiet) {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template(
            "{prefix:>8} [{bar:30.cyan/blue}] {pos}/{len} {msg} ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label);
        Progress { bar }
    }

    /// A bar that never draws.
    pub fn hidden(total: u64) -> Self {
        Self::new(total, "", true)
    }

    /// Whether the bar is invisible.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    /// Advances by `n` steps.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Sets the current step.
    pub fn set_position(&self, pos: u64) {
        self.bar.set_position(pos);
    }

    /// The current step.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Sets the text shown after the counts (e.g. the latest loss).
    pub fn set_message(&self, msg: impl Into<Cow<'static, str>>) {
        self.bar.set_message(msg);
    }

    /// Prints a line above the bar (nothing when hidden, so quiet runs stay quiet).
    pub fn println(&self, line: impl AsRef<str>) {
        self.bar.println(line);
    }

    /// Marks the bar complete (position = total) and leaves it on screen.
    pub fn finish(&self) {
        self.bar.finish();
    }

    /// Stops the bar where it is (e.g. after early stopping) and leaves it on screen.
    pub fn abandon(&self) {
        self.bar.abandon();
    }

    /// Removes the bar from the screen.
    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }

    /// The underlying `indicatif` bar, for anything not wrapped here.
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }
}

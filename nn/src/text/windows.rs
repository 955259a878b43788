//! [`Windows`]: fixed-length windows of a token sequence with the next token as the target.

/// Windows of `window` tokens taken every `step` tokens, each with the token that follows it
/// as its target (the lab's 40-character windows, step 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Windows {
    inputs: Vec<usize>,
    targets: Vec<usize>,
    window: usize,
}

/// The windows `ids[s..s + window]` for `s = 0, step, 2·step, …` while a next token
/// `ids[s + window]` exists, with that token as the target.
///
/// # Panics
/// If `window` or `step` is 0.
pub fn next_token_windows(ids: &[usize], window: usize, step: usize) -> Windows {
    assert!(
        window > 0 && step > 0,
        "next_token_windows: window ({window}) and step ({step}) must be positive"
    );
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    let mut s = 0;
    while s + window < ids.len() {
        inputs.extend_from_slice(&ids[s..s + window]);
        targets.push(ids[s + window]);
        s += step;
    }
    Windows {
        inputs,
        targets,
        window,
    }
}

impl Windows {
    /// The number of windows.
    pub fn len(&self) -> usize {
        self.targets.len()
    }
    /// True if the text was too short for one window.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
    /// The window length.
    pub fn window_len(&self) -> usize {
        self.window
    }
    /// Window `i`.
    pub fn window(&self, i: usize) -> &[usize] {
        &self.inputs[i * self.window..(i + 1) * self.window]
    }
    /// Every window, row-major (`len × window`).
    pub fn inputs(&self) -> &[usize] {
        &self.inputs
    }
    /// The targets, one per window.
    pub fn targets(&self) -> &[usize] {
        &self.targets
    }
    /// The windows `rows` as a time-major batch (`[window, rows.len()]`, the layout of
    /// [`Graph::embedding`](crate::Graph::embedding) followed by a time-major
    /// [`Graph::recurrent`](crate::Graph::recurrent)) and their targets.
    ///
    /// ```
    /// use diffprog_nn::text::next_token_windows;
    /// let w = next_token_windows(&[0, 1, 2, 3, 4, 5], 2, 2); // [0 1]→2, [2 3]→4
    /// let (x, y) = w.time_major_batch(&[1, 0]);
    /// assert_eq!(x, vec![2, 0, 3, 1]);
    /// assert_eq!(y, vec![4, 2]);
    /// ```
    pub fn time_major_batch(&self, rows: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let mut x = Vec::with_capacity(self.window * rows.len());
        for t in 0..self.window {
            x.extend(rows.iter().map(|&r| self.inputs[r * self.window + t]));
        }
        (x, rows.iter().map(|&r| self.targets[r]).collect())
    }
}

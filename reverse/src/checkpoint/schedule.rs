//! The binomial (revolve) schedule of Griewank and Walther: how many times a step is repeated
//! with a given number of snapshots, where to place the next snapshot, and the optimal number
//! of forward steps.
//!
//! With `s` snapshot slots and `r` repetitions, at most `β(s, r) = C(s + r, s)` steps can be
//! reversed; the repetition number of `l` steps is the least `r` with `β(s, r) ≥ l`, and the least
//! number of forward steps (advances that record nothing; the `l` recorded steps of the reversal
//! come on top) is `r·l − β(s + 1, r − 1)` (Griewank & Walther, *Algorithm 799: revolve*, ACM
//! TOMS 26, 2000). Reversing `l` steps from a snapshot with `s` slots, the first advance of `m`
//! steps to the next snapshot is optimal for every `m` with `β(s, r − 2) ≤ m ≤ β(s, r − 1)` and
//! `β(s − 1, r − 1) ≤ l − m ≤ β(s − 1, r)`: the cost `m + P(m, s) + P(l − m, s − 1)` is then
//! `r·l − β(s + 1, r − 2) − β(s, r − 1) = r·l − β(s + 1, r − 1)` by Pascal's rule.

/// Binomials beyond this are "more steps than any computation has": saturated.
const SATURATED: u128 = 1 << 80;

/// `β(s, r) = C(s + r, s)`, 0 for `r < 0`, saturated at 2⁸⁰.
pub(crate) fn beta(s: usize, r: isize) -> u128 {
    if r < 0 {
        return 0;
    }
    let n = s as u128 + r as u128;
    let k = (s as u128).min(r as u128);
    let mut b: u128 = 1;
    for i in 1..=k {
        // b = C(n − k + i − 1, i − 1) here, so b·(n − k + i)/i = C(n − k + i, i) is exact.
        b = b * (n - k + i) / i;
        if b >= SATURATED {
            return SATURATED;
        }
    }
    b
}

/// The repetition number of `steps ≥ 1` steps with `snapshots ≥ 1` slots: the least `r` with
/// `β(snapshots, r) ≥ steps`.
pub(crate) fn repetitions(steps: usize, snapshots: usize) -> isize {
    let (l, s) = (steps as u128, snapshots as u128);
    let (mut r, mut b) = (0_u128, 1_u128); // b = β(s, r)
    while b < l {
        r += 1;
        b = b * (s + r) / r;
    }
    r as isize
}

/// The least number of forward steps (advances, not counting the `steps` recorded steps of the
/// reversal) with which binomial checkpointing reverses `steps` steps holding at most
/// `snapshots` states (the initial state included): `r·steps − β(snapshots + 1, r − 1)` with
/// `r` the repetition number. This is the count [`checkpointed_gradient`](super::checkpointed_gradient)
/// performs.
///
/// ```
/// use diffprog_reverse::checkpoint::optimal_forward_steps;
///
/// // One snapshot (the initial state): advance 0→2, then 0→1, then nothing: 3 forward steps.
/// assert_eq!(optimal_forward_steps(3, 1), 3);
/// // As many snapshots as steps: one pass, storing every state but the last.
/// assert_eq!(optimal_forward_steps(100, 100), 99);
/// // 10⁵ steps with 317 snapshots (⌈√steps⌉): repetition number 3, about 2.5 forward
/// // evaluations per step.
/// assert_eq!(optimal_forward_steps(100_000, 317), 3 * 100_000 - 319 * 320 / 2);
/// ```
///
/// # Panics
/// If `snapshots` is 0 (the initial state needs a slot).
pub fn optimal_forward_steps(steps: usize, snapshots: usize) -> usize {
    assert!(
        snapshots >= 1,
        "optimal_forward_steps: snapshots must be at least 1 (the initial state is one)"
    );
    if steps == 0 {
        return 0;
    }
    let r = repetitions(steps, snapshots);
    (r as u128 * steps as u128 - beta(snapshots + 1, r - 1)) as usize
}

/// How many steps to advance from a snapshot before taking the next one, when `steps ≥ 2`
/// steps are to be reversed with `snapshots ≥ 2` slots (the first holding the start): an
/// optimal split (see the module docs).
pub(crate) fn first_advance(steps: usize, snapshots: usize) -> usize {
    debug_assert!(steps >= 2 && snapshots >= 2);
    let l = steps as u128;
    let s = snapshots;
    let r = repetitions(steps, snapshots);
    let low = beta(s, r - 2).max(l.saturating_sub(beta(s - 1, r))).max(1);
    let high = beta(s, r - 1).min(l - beta(s - 1, r - 1).min(l)).min(l - 1);
    debug_assert!(
        low <= high,
        "revolve split: empty range for l = {l}, s = {s}"
    );
    high as usize
}

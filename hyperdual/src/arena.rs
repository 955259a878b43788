//! The per-thread arena that holds the derivative parts of [`ArenaHyperDual`](crate::ArenaHyperDual)
//! numbers during one pass of [`hessian`](crate::hessian).
//!
//! A pass opens a [`Pass`]; every number created in it stores, instead of its parts, the offsets of
//! those parts in the arena (or [`NONE`] for a part that is exactly zero). Parts are written once
//! and never changed, so copies of a number can share them. Closing the pass (dropping the guard,
//! also when the user's function panics) truncates the arena back to where the pass started, so
//! the memory of one pass is reused by the next. Passes nest (a driver called inside the function
//! of another one, at a different chunk size), but a number is only usable in the pass that made
//! it: the arena checks the pass id stored in every number with parts.
//!
//! A pass runs in one of three modes. A **diagonal** pass (block I = J) stores the ε₁ part once
//! (ε₂ equals it) and the upper triangle of the symmetric ε₁ε₂ block; an **off-diagonal** pass
//! (`Full`) stores ε₁, ε₂ and the whole N×N block. A **structural** pass stores, in place of the ε₁ part, the set of input blocks a number depends
//! on (a bit set), and records for every nonlinear operation the pairs of blocks whose mixed
//! second derivative it can make non-zero: that is the block sparsity pattern of the Hessian at `x`.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// The offset of a part that is exactly zero (absent).
pub(crate) const NONE: u32 = u32::MAX;

/// The offsets of a number's parts in the arena ([`NONE`]: exactly zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    /// The ε₁ part (N numbers); in a structural pass, the dependency set.
    pub(crate) e1: u32,
    /// The ε₂ part (N numbers).
    pub(crate) e2: u32,
    /// The ε₁ε₂ block (see [`Mode`] for its layout).
    pub(crate) e12: u32,
}

impl Node {
    /// The node of a constant.
    pub(crate) const CONSTANT: Node = Node {
        e1: NONE,
        e2: NONE,
        e12: NONE,
    };
}

/// What the offsets of a pass's numbers point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A diagonal block (I = J): ε₁ at `e1` and ε₂ = ε₁ (`e2 == e1`), the symmetric ε₁ε₂ block
    /// as its packed upper triangle (N(N + 1)/2 numbers, row by row) at `e12`, all in `data`.
    Diagonal,
    /// An off-diagonal block (I ≠ J): ε₁ at `e1`, ε₂ at `e2`, the full ε₁ε₂ block (N² numbers,
    /// row-major) at `e12`, all in `data`.
    Full,
    /// The block dependency set at `e1`, in `sets` (`words` words each).
    Structural,
}

/// The arena of the current thread.
pub(crate) struct Arena {
    /// The nodes of the numbers of the open passes.
    pub(crate) nodes: Vec<Node>,
    /// Numeric parts.
    pub(crate) data: Vec<f64>,
    /// Structural dependency sets.
    pub(crate) sets: Vec<u64>,
    /// Structural mode: the symmetric block-pair matrix, `blocks` rows of `words` words.
    pub(crate) pairs: Vec<u64>,
    /// Words per dependency set.
    pub(crate) words: usize,
    /// The id of the open pass (0: none).
    pub(crate) id: u64,
    /// The mode of the open pass.
    pub(crate) mode: Mode,
    /// Outer passes, restored when the inner one closes.
    saved: Vec<Saved>,
}

/// An outer pass's state while an inner one is open.
struct Saved {
    id: u64,
    mode: Mode,
    words: usize,
    pairs: Vec<u64>,
    nodes_len: usize,
    data_len: usize,
    sets_len: usize,
}

thread_local! {
    static ARENA: RefCell<Arena> = const {
        RefCell::new(Arena {
            nodes: Vec::new(),
            data: Vec::new(),
            sets: Vec::new(),
            pairs: Vec::new(),
            words: 0,
            id: 0,
            mode: Mode::Full,
            saved: Vec::new(),
        })
    };
}

/// Runs `f` on this thread's arena.
#[inline(always)]
pub(crate) fn with<R>(f: impl FnOnce(&mut Arena) -> R) -> R {
    ARENA.with(|a| f(&mut a.borrow_mut()))
}

impl Arena {
    /// Panics unless a number of pass `pass` (one that has parts) may be used now.
    #[inline(always)]
    pub(crate) fn check(&self, pass: u64) {
        if pass != self.id {
            stale(pass, self.id);
        }
    }

    /// The node of a number of pass `pass` (index `node`, or [`NONE`] for a constant).
    ///
    /// # Panics
    /// If the number is not a constant and its pass is not the open one.
    #[inline(always)]
    pub(crate) fn node(&self, node: u32, pass: u64) -> Node {
        if node == NONE {
            return Node::CONSTANT;
        }
        self.check(pass);
        self.nodes[node as usize]
    }

    /// Stores a node; returns its index ([`NONE`] for a constant's).
    #[inline(always)]
    pub(crate) fn new_node(&mut self, n: Node) -> u32 {
        if n == Node::CONSTANT {
            return NONE;
        }
        let i = self.nodes.len();
        self.nodes.push(n);
        offset(i)
    }

    /// Appends `part` to `data`; returns its offset.
    #[inline(always)]
    pub(crate) fn push(&mut self, part: &[f64]) -> u32 {
        let o = self.data.len();
        self.data.extend_from_slice(part);
        offset(o)
    }

    /// The `K` numbers at offset `o`.
    #[inline(always)]
    pub(crate) fn get<const K: usize>(&self, o: u32) -> &[f64; K] {
        let o = o as usize;
        self.data[o..o + K]
            .try_into()
            .expect("arena part of the declared length")
    }

    /// The `K × K` block at offset `o` (row-major).
    #[inline(always)]
    pub(crate) fn get_block<const K: usize>(&self, o: u32) -> &[[f64; K]] {
        let o = o as usize;
        self.data[o..o + K * K].as_chunks::<K>().0
    }

    /// A new dependency set `{block}`; returns its offset.
    pub(crate) fn singleton(&mut self, block: usize) -> u32 {
        let o = self.sets.len();
        self.sets.resize(o + self.words, 0);
        self.sets[o + block / 64] |= 1 << (block % 64);
        offset(o)
    }

    /// The union of two dependency sets (either may be [`NONE`]); shares an operand when it can.
    pub(crate) fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == NONE || a == b {
            return b;
        }
        if b == NONE {
            return a;
        }
        let (a, b, w) = (a as usize, b as usize, self.words);
        if (0..w).all(|k| self.sets[a + k] | self.sets[b + k] == self.sets[a + k]) {
            return offset(a);
        }
        if (0..w).all(|k| self.sets[a + k] | self.sets[b + k] == self.sets[b + k]) {
            return offset(b);
        }
        let o = self.sets.len();
        for k in 0..w {
            let v = self.sets[a + k] | self.sets[b + k];
            self.sets.push(v);
        }
        offset(o)
    }

    /// Records that every block of set `a` may interact with every block of set `b` (and the
    /// mirror pairs). Either may be [`NONE`] (then nothing is recorded).
    pub(crate) fn interact(&mut self, a: u32, b: u32) {
        if a == NONE || b == NONE {
            return;
        }
        self.interact_one_way(a as usize, b as usize);
        if a != b {
            self.interact_one_way(b as usize, a as usize);
        }
    }

    /// `pairs[i] |= b` for every block `i` in `a`.
    fn interact_one_way(&mut self, a: usize, b: usize) {
        let w = self.words;
        for ka in 0..w {
            let mut bits = self.sets[a + ka];
            while bits != 0 {
                let i = ka * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                for kb in 0..w {
                    self.pairs[i * w + kb] |= self.sets[b + kb];
                }
            }
        }
    }
}

/// Pass ids are unique across threads (so a number sent to another thread that has a pass
/// open is refused there too); 0 means "no pass". They are 64-bit and never reused (a 32-bit id
/// wrapped after 2³² passes, and a kept number then aliased the parts of a new pass).
static NEXT_PASS_ID: AtomicU64 = AtomicU64::new(1);

/// The largest pass id handed out (half the range, so the counter cannot wrap).
const LAST_PASS_ID: u64 = u64::MAX / 2;

/// A fresh pass id: never 0, never reused.
fn next_pass_id() -> u64 {
    let id = NEXT_PASS_ID.fetch_add(1, Ordering::Relaxed);
    if id > LAST_PASS_ID {
        panic!("hessian: 2⁶³ passes were made in this process; pass ids are never reused, so no more can start");
    }
    id
}

/// Advances the pass-id counter as if `count` passes had been opened and closed (for the tests
/// that check that ids never alias).
#[cfg(test)]
pub(crate) fn skip_pass_ids(count: u64) {
    NEXT_PASS_ID.fetch_add(count, Ordering::Relaxed);
}

/// An offset as stored in a number.
#[inline(always)]
pub(crate) fn offset(o: usize) -> u32 {
    assert!(
        o < NONE as usize,
        "hessian: a pass needs more than 2³² arena entries; use a smaller chunk size"
    );
    o as u32
}

#[cold]
#[inline(never)]
fn stale(pass: u64, current: u64) -> ! {
    if current == 0 {
        panic!(
            "ArenaHyperDual: this number's derivative parts were stored for a `hessian` pass that \
             has ended, or on another thread (pass {pass}); arena numbers can only be used inside \
             the function being differentiated, on its thread, during the driver call that \
             created them"
        );
    }
    panic!(
        "ArenaHyperDual: a number from pass {pass} was used in pass {current}; arena numbers can \
         only be used inside the function being differentiated, on its thread, during the driver \
         call (and the pass) that created them — do not keep them between calls, send them to \
         other threads, or mix the numbers of nested `hessian` calls"
    );
}

/// An open pass; closes it (restoring the outer pass and freeing this pass's arena entries) on
/// drop.
#[must_use = "the pass closes when the guard is dropped"]
pub(crate) struct Pass {
    _private: (),
}

impl Pass {
    /// Opens a pass in `mode`; a structural pass tracks `blocks` input blocks.
    pub(crate) fn open(mode: Mode, blocks: usize) -> Pass {
        with(|a| {
            let words = if mode == Mode::Structural {
                blocks.div_ceil(64).max(1)
            } else {
                0
            };
            let pairs = if mode == Mode::Structural {
                vec![0; blocks * words]
            } else {
                Vec::new()
            };
            a.saved.push(Saved {
                id: a.id,
                mode: a.mode,
                words: a.words,
                pairs: std::mem::replace(&mut a.pairs, pairs),
                nodes_len: a.nodes.len(),
                data_len: a.data.len(),
                sets_len: a.sets.len(),
            });
            a.id = next_pass_id();
            a.mode = mode;
            a.words = words;
        });
        Pass { _private: () }
    }

    /// Structural mode: the block-pair matrix recorded so far (`blocks` rows of `words` words).
    pub(crate) fn pairs(&self) -> (Vec<u64>, usize) {
        with(|a| (a.pairs.clone(), a.words))
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        with(|a| {
            let s = a.saved.pop().expect("a saved state for every open pass");
            a.nodes.truncate(s.nodes_len);
            a.data.truncate(s.data_len);
            a.sets.truncate(s.sets_len);
            a.id = s.id;
            a.mode = s.mode;
            a.words = s.words;
            a.pairs = s.pairs;
            if a.saved.is_empty() {
                // Between driver calls keep at most a modest arena (the next call reuses it);
                // one huge pass should not hold its memory for the rest of the thread's life.
                a.nodes.shrink_to(KEEP / 4);
                a.data.shrink_to(KEEP);
                a.sets.shrink_to(KEEP / 4);
            }
        });
    }
}

/// Entries of `data` (8 MiB) kept allocated between driver calls.
const KEEP: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ArenaHyperDual;

    /// A number kept from a closed pass is refused by every later pass, however many passes were
    /// opened in between (with 32-bit ids, the pass 2³² passes later had the same id and the
    /// kept number read that pass's arena entries as its own).
    #[test]
    fn a_number_of_a_closed_pass_never_aliases_a_later_pass() {
        let kept = {
            let _pass = Pass::open(Mode::Full, 1);
            ArenaHyperDual::<2>::seed(1.5, Some(0), None)
        };
        skip_pass_ids((1 << 32) - 1);
        let result = std::panic::catch_unwind(|| {
            let _pass = Pass::open(Mode::Full, 1);
            let y = ArenaHyperDual::<2>::seed(2.0, Some(1), None);
            (kept * y).eps1()
        });
        let err = result.expect_err("a number of a closed pass must be refused");
        let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("was used in pass"), "{message}");
    }
}

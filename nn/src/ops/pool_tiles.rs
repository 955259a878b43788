//! Max pooling over non-overlapping windows that tile the input (kernel = stride, no padding),
//! the common case (`MaxPool2d(2)`): the same maxima and picks as the general kernel in
//! `pool.rs` (the first maximum of a window in row-major order wins a tie, a NaN wins), computed
//! by output row with the running maxima and their offsets in the output row itself, so that
//! the loop over the windows of a row has no branch and vectorises. The 2 × 2 case reads a pair
//! of input rows at once.
//!
//! The backward pass writes every element of the input's gradient when it is the first
//! contribution to it (0 to the elements no window picked), so the buffer needs no zeroing
//! pass; otherwise it adds into the picked elements as `pick::backward` does.

use super::Op;
use crate::graph::Grads;
use crate::{Element, Graph, NodeId, Shape};

/// The geometry of a tiled pooling: images of `h × w` (as many as the buffers hold) cut into
/// `ho × wo` windows of `kh × kw` from the top left (rows and columns beyond `ho·kh`, `wo·kw`
/// belong to no window).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tiles {
    pub(crate) h: usize,
    pub(crate) w: usize,
    pub(crate) kh: usize,
    pub(crate) kw: usize,
}

impl Tiles {
    fn ho(self) -> usize {
        self.h / self.kh
    }
    fn wo(self) -> usize {
        self.w / self.kw
    }
}

/// The running maximum `(m, at)` after the next element `v` at `o` of a window (PyTorch's rule:
/// `v` replaces a non-NaN maximum if it is larger or NaN), without a branch.
#[inline(always)]
fn step<F: Element>(m: F, at: usize, v: F, o: usize) -> (F, usize) {
    let take = (v > m) | v.is_nan();
    let take = take & !m.is_nan();
    (if take { v } else { m }, if take { o } else { at })
}

/// The maxima `y` and their offsets in `x` (`picks`) of every tile, row-major; `y` and `picks`
/// have `ho · wo` elements per image of `x`.
pub(crate) fn max_tiles<F: Element>(x: &[F], t: Tiles, y: &mut [F], picks: &mut [usize]) {
    let (ho, wo) = (t.ho(), t.wo());
    if wo == 0 {
        return;
    }
    let rows = y.chunks_exact_mut(wo).zip(picks.chunks_exact_mut(wo));
    for (r, (yrow, prow)) in rows.enumerate() {
        let (plane, oh) = (r / ho, r % ho);
        let top = plane * t.h * t.w + oh * t.kh * t.w;
        if t.kh == 2 && t.kw == 2 {
            let (r0, r1) = (&x[top..top + t.w], &x[top + t.w..top + 2 * t.w]);
            max_row_2x2(r0, r1, top, t.w, yrow, prow);
            continue;
        }
        let first = &x[top..top + t.w];
        for (j, (m, at)) in yrow.iter_mut().zip(prow.iter_mut()).enumerate() {
            *m = first[j * t.kw];
            *at = top + j * t.kw;
        }
        for i in 0..t.kh {
            let row = &x[top + i * t.w..top + (i + 1) * t.w];
            for c in (i == 0) as usize..t.kw {
                let o0 = top + i * t.w + c;
                for j in 0..wo {
                    let o = j * t.kw + c;
                    (yrow[j], prow[j]) = step(yrow[j], prow[j], row[o], o0 + j * t.kw);
                }
            }
        }
    }
}

/// One output row of a 2 × 2 pooling from input rows `r0`, `r1` (starting at offset `top`).
#[inline]
fn max_row_2x2<F: Element>(
    r0: &[F],
    r1: &[F],
    top: usize,
    w: usize,
    yrow: &mut [F],
    prow: &mut [usize],
) {
    let n = yrow.len();
    let (r0, r1, prow) = (&r0[..2 * n], &r1[..2 * n], &mut prow[..n]);
    for j in 0..n {
        let (mut best, mut k) = (r0[2 * j], 0);
        (best, k) = step(best, k, r0[2 * j + 1], 1);
        (best, k) = step(best, k, r1[2 * j], w);
        (best, k) = step(best, k, r1[2 * j + 1], w + 1);
        yrow[j] = best;
        prow[j] = top + 2 * j + k;
    }
}

/// ∂x from the upstream gradient `gout` of a tiled pooling whose picks are `picks`: every
/// element of `ga` written as `0 + g` (picked) or `0` (not picked, or in no window), the values
/// an accumulation into a zeroed buffer gives. One image at a time (zeroed, then its picks
/// written), so each image is in cache for both.
pub(crate) fn write_tiles_grad<F: Element>(ga: &mut [F], gout: &[F], picks: &[usize], t: Tiles) {
    let (plane, out) = (t.h * t.w, t.ho() * t.wo());
    let z = F::zero();
    let images = ga
        .chunks_exact_mut(plane)
        .zip(gout.chunks_exact(out).zip(picks.chunks_exact(out)));
    for (i, (img, (go, pk))) in images.enumerate() {
        img.fill(z);
        let base = i * plane;
        // the tiles do not overlap: each element is picked at most once
        for (&g, &p) in go.iter().zip(pk) {
            img[p - base] = z + g;
        }
    }
}

impl<F: Element> Graph<F> {
    /// Max pooling of `x` by the tiles `t` (the caller has checked that they fit); `out` is the
    /// pooled shape (`⌊h/kh⌋ · ⌊w/kw⌋` elements per image).
    pub(crate) fn max_pool_tiles(&mut self, x: NodeId, out: Shape, t: Tiles) -> NodeId {
        let a = self.check(x);
        let rg = self.rg(&[a]);
        let [h, w, kh, kw] = [t.h, t.w, t.kh, t.kw].map(|v| v as u32);
        let n = self.push(Op::MaxPoolTiles { a, h, w, kh, kw }, out, rg);
        let mut picks = std::mem::take(&mut self.idx[n as usize]);
        if picks.len() != out.numel() {
            // every element is written below: only a change of size needs the fill
            picks.clear();
            picks.resize(out.numel(), 0);
        }
        let (v, y) = self.split(n);
        max_tiles(v.get(a), t, y, &mut picks);
        self.idx[n as usize] = picks;
        self.id(n)
    }
}

/// The backward rule of a tiled max pooling: written in full on the first contribution to
/// `a`'s gradient, added into the picked elements otherwise.
/// `[h, w, kh, kw]` are the op's fields.
pub(crate) fn backward<F: Element>(
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    [h, w, kh, kw]: [u32; 4],
    picks: &[usize],
) {
    if let Some((ga, fresh)) = g.get_unzeroed(a) {
        if fresh {
            let [h, w, kh, kw] = [h, w, kh, kw].map(|v| v as usize);
            let t = Tiles { h, w, kh, kw };
            write_tiles_grad(ga, gout, picks, t);
        } else {
            for (&i, &s) in picks.iter().zip(gout) {
                ga[i] += s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::pool::max_windows;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Values from a small set (many ties), with some −∞, +∞ and NaN.
    fn tie_heavy(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        (0..n)
            .map(|_| match rng.random_range(0..20) {
                0 => f32::NAN,
                1 => f32::NEG_INFINITY,
                2 => f32::INFINITY,
                3 => -0.0,
                k => (k % 4) as f32,
            })
            .collect()
    }

    /// The tiled kernel picks what the general window kernel picks (ties, NaN, ±∞, sizes that
    /// are not multiples of the kernel), and its written gradient equals a scatter into zeros.
    #[test]
    fn tiles_match_the_general_kernel() {
        let mut rng = ChaCha8Rng::seed_from_u64(24);
        let (mut cases, mut ties, mut nans) = (0, 0, 0);
        for (kh, kw) in [(2, 2), (1, 2), (2, 1), (3, 3), (2, 3), (1, 1), (4, 2)] {
            for _ in 0..12 {
                let planes = rng.random_range(1..4);
                let h = kh * rng.random_range(1..5) + rng.random_range(0..kh);
                let w = kw * rng.random_range(1..6) + rng.random_range(0..kw);
                let t = Tiles { h, w, kh, kw };
                let x = tie_heavy(planes * h * w, &mut rng);
                let n = planes * t.ho() * t.wo();
                let (mut y, mut picks) = (vec![7.0_f32; n], vec![usize::MAX; n]);
                max_tiles(&x, t, &mut y, &mut picks);
                let mut expected = Vec::new();
                max_windows(
                    &x,
                    planes,
                    [h, w],
                    [kh, kw],
                    [kh, kw],
                    [0, 0],
                    &mut expected,
                );
                assert_eq!(picks, expected, "{kh}×{kw} tiles of {planes}×{h}×{w}");
                for (v, &p) in y.iter().zip(&picks) {
                    assert_eq!(v.to_bits(), x[p].to_bits());
                    // a tie: another element of the window equals the maximum
                    let tile = |o: usize| (o / (h * w), o % (h * w) / w / kh, o % w / kw);
                    let window = |o: usize| tile(o) == tile(p);
                    ties += (0..x.len()).any(|o| o != p && window(o) && x[o] == x[p]) as usize;
                    nans += v.is_nan() as usize;
                }
                let gout: Vec<f32> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
                let mut written = vec![f32::NAN; x.len()];
                write_tiles_grad(&mut written, &gout, &picks, t);
                let mut scattered = vec![0.0_f32; x.len()];
                for (&p, &g) in picks.iter().zip(&gout) {
                    scattered[p] += g;
                }
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&written), bits(&scattered));
                cases += 1;
            }
        }
        assert_eq!(cases, 84);
        assert!(
            ties > 100 && nans > 100,
            "{ties} windows with ties, {nans} with NaN"
        );
    }
}

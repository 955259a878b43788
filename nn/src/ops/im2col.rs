//! The geometry of a 2-d convolution and its two data movements: `im2col` (each output
//! position's receptive field as a column, so that the convolution is a GEMM) and its adjoint
//! `col2im` (columns added back into the image). A 1-d convolution is the 2-d one with height 1;
//! a transposed convolution is the adjoint of a convolution, so it uses the same geometry with
//! the roles of input and output exchanged.
//!
//! Layouts, per sample: the image is `[c_in, h, w]` row-major; the columns are
//! `[c_in · kh · kw, ho · wo]` row-major, row `(c, i, j)` holding, for every output position
//! `(oh, ow)`, the input element `(c, oh·sh − ph + i·dh, ow·sw − pw + j·dw)` or 0 where that is
//! in the padding. With `groups` groups, group `k`'s rows are the contiguous block of channels
//! `k · c_in/groups ..`, so each group's GEMM reads contiguous memory.

use crate::Element;

/// The sizes of one convolution, `x: [n, c_in, h, w]` → `y: [n, c_out, ho, wo]` with a weight
/// `[c_out, c_in / groups, kh, kw]`. For a transposed convolution, `x` is its *output* and `y`
/// its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub(crate) n: usize,
    pub(crate) c_in: usize,
    pub(crate) h: usize,
    pub(crate) w: usize,
    pub(crate) c_out: usize,
    pub(crate) ho: usize,
    pub(crate) wo: usize,
    pub(crate) kh: usize,
    pub(crate) kw: usize,
    pub(crate) stride: [usize; 2],
    pub(crate) padding: [usize; 2],
    pub(crate) dilation: [usize; 2],
    pub(crate) groups: usize,
}

/// The number of `usize`s [`Geometry::encode`] writes.
const ENCODED: usize = 16;

impl Geometry {
    /// The output length of a convolution along one axis (PyTorch's formula, rounding down), or
    /// `None` if the dilated kernel does not fit in the padded input.
    pub(crate) fn out_len(
        len: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        dilation: usize,
    ) -> Option<usize> {
        let span = dilation * (kernel - 1) + 1;
        let padded = len + 2 * padding;
        (padded >= span).then(|| (padded - span) / stride + 1)
    }
    /// Columns per group and sample: `(c_in / groups) · kh · kw` rows.
    #[inline]
    pub(crate) fn col_rows_per_group(&self) -> usize {
        self.c_in / self.groups * self.kh * self.kw
    }
    /// Output positions per sample, `ho · wo` (the columns' width).
    #[inline]
    pub(crate) fn out_plane(&self) -> usize {
        self.ho * self.wo
    }
    /// Elements of one sample's image, `c_in · h · w`.
    #[inline]
    pub(crate) fn in_sample(&self) -> usize {
        self.c_in * self.h * self.w
    }
    /// Elements of one sample's output, `c_out · ho · wo`.
    #[inline]
    pub(crate) fn out_sample(&self) -> usize {
        self.c_out * self.out_plane()
    }
    /// Elements of one sample's columns.
    #[inline]
    pub(crate) fn cols_len(&self) -> usize {
        self.c_in * self.kh * self.kw * self.out_plane()
    }
    /// True if the columns are the image itself (a 1×1 kernel, stride 1, no padding): the
    /// kernels then multiply the image directly.
    #[inline]
    pub(crate) fn is_pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == [1, 1] && self.padding == [0, 0]
    }
    /// The geometry as integers (kept in a node's index buffer for the backward pass).
    pub(crate) fn encode(&self, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&[
            self.n,
            self.c_in,
            self.h,
            self.w,
            self.c_out,
            self.ho,
            self.wo,
            self.kh,
            self.kw,
            self.stride[0],
            self.stride[1],
            self.padding[0],
            self.padding[1],
            self.dilation[0],
            self.dilation[1],
            self.groups,
        ]);
    }
    /// The geometry [`encode`](Self::encode) wrote.
    pub(crate) fn decode(v: &[usize]) -> Self {
        assert_eq!(
            v.len(),
            ENCODED,
            "a convolution record without its geometry"
        );
        Geometry {
            n: v[0],
            c_in: v[1],
            h: v[2],
            w: v[3],
            c_out: v[4],
            ho: v[5],
            wo: v[6],
            kh: v[7],
            kw: v[8],
            stride: [v[9], v[10]],
            padding: [v[11], v[12]],
            dilation: [v[13], v[14]],
            groups: v[15],
        }
    }

    /// One sample's image `x` (`[c_in, h, w]`) as columns (`[c_in · kh · kw, ho · wo]`).
    pub(crate) fn im2col<F: Element>(&self, x: &[F], cols: &mut [F]) {
        let plane = self.out_plane();
        let mut rows = cols[..self.cols_len()].chunks_exact_mut(plane);
        for c in 0..self.c_in {
            let img = &x[c * self.h * self.w..(c + 1) * self.h * self.w];
            for i in 0..self.kh {
                for j in 0..self.kw {
                    let row = rows.next().expect("columns sized by the geometry");
                    self.for_each_row_segment(i, j, |oh, ih, lo, hi, off| {
                        let dst = &mut row[oh * self.wo..(oh + 1) * self.wo];
                        let Some(ih) = ih else {
                            dst.fill(F::zero());
                            return;
                        };
                        let src = &img[ih * self.w..(ih + 1) * self.w];
                        dst[..lo].fill(F::zero());
                        dst[hi..].fill(F::zero());
                        let sw = self.stride[1];
                        if sw == 1 {
                            if hi > lo {
                                let start = (lo as isize + off) as usize;
                                dst[lo..hi].copy_from_slice(&src[start..start + (hi - lo)]);
                            }
                        } else {
                            for (ow, d) in dst.iter_mut().enumerate().take(hi).skip(lo) {
                                *d = src[(ow as isize * sw as isize + off) as usize];
                            }
                        }
                    });
                }
            }
        }
    }

    /// The adjoint of [`im2col`](Self::im2col): every column entry added into the image element
    /// it was read from (`x += col2im(cols)`; padding entries are dropped).
    pub(crate) fn col2im_add<F: Element>(&self, cols: &[F], x: &mut [F]) {
        let plane = self.out_plane();
        let mut rows = cols[..self.cols_len()].chunks_exact(plane);
        for c in 0..self.c_in {
            let img = &mut x[c * self.h * self.w..(c + 1) * self.h * self.w];
            for i in 0..self.kh {
                for j in 0..self.kw {
                    let row = rows.next().expect("columns sized by the geometry");
                    self.for_each_row_segment(i, j, |oh, ih, lo, hi, off| {
                        let Some(ih) = ih else { return };
                        let src = &row[oh * self.wo..(oh + 1) * self.wo];
                        let dst = &mut img[ih * self.w..(ih + 1) * self.w];
                        let sw = self.stride[1] as isize;
                        if hi == lo {
                            return;
                        }
                        if sw == 1 {
                            let start = (lo as isize + off) as usize;
                            let dst = &mut dst[start..start + (hi - lo)];
                            for (d, &s) in dst.iter_mut().zip(&src[lo..hi]) {
                                *d += s;
                            }
                        } else {
                            for (ow, &s) in src.iter().enumerate().take(hi).skip(lo) {
                                dst[(ow as isize * sw + off) as usize] += s;
                            }
                        }
                    });
                }
            }
        }
    }

    /// For kernel offset `(i, j)`, calls `f(oh, ih, lo, hi, off)` for every output row `oh`:
    /// `ih` is the input row it reads (`None` in the padding), `lo..hi` the output columns whose
    /// input column `ow · sw + off` is inside the image.
    #[inline]
    fn for_each_row_segment(
        &self,
        i: usize,
        j: usize,
        mut f: impl FnMut(usize, Option<usize>, usize, usize, isize),
    ) {
        let off_h = (i * self.dilation[0]) as isize - self.padding[0] as isize;
        let off_w = (j * self.dilation[1]) as isize - self.padding[1] as isize;
        let (lo, hi) = valid_range(off_w, self.stride[1], self.w, self.wo);
        for oh in 0..self.ho {
            let ih = oh as isize * self.stride[0] as isize + off_h;
            let ih = (ih >= 0 && (ih as usize) < self.h).then_some(ih as usize);
            f(oh, ih, lo, hi, off_w);
        }
    }
}

/// The output positions `o` in `0..out_len` with `0 ≤ o · stride + off < in_len`, as a range
/// `lo..hi` (empty: `lo == hi`).
fn valid_range(off: isize, stride: usize, in_len: usize, out_len: usize) -> (usize, usize) {
    let s = stride as isize;
    let lo = if off >= 0 {
        0
    } else {
        ((-off + s - 1) / s) as usize
    };
    let last = in_len as isize - 1 - off; // o · s ≤ last
    let hi = if last < 0 {
        0
    } else {
        ((last / s) as usize + 1).min(out_len)
    };
    let lo = lo.min(out_len);
    (lo, hi.max(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(h: usize, w: usize, k: usize, s: usize, p: usize, d: usize) -> Geometry {
        let ho = Geometry::out_len(h, k, s, p, d).unwrap();
        let wo = Geometry::out_len(w, k, s, p, d).unwrap();
        Geometry {
            n: 1,
            c_in: 2,
            h,
            w,
            c_out: 1,
            ho,
            wo,
            kh: k,
            kw: k,
            stride: [s, s],
            padding: [p, p],
            dilation: [d, d],
            groups: 1,
        }
    }

    /// im2col against its definition, and col2im as its adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.
    #[test]
    fn im2col_matches_its_definition_and_col2im_is_its_adjoint() {
        for &(h, w, k, s, p, d) in &[
            (5, 7, 3, 1, 1, 1),
            (6, 5, 3, 2, 1, 1),
            (7, 7, 2, 3, 1, 2),
            (5, 9, 3, 2, 0, 2),
            (3, 3, 1, 1, 0, 1),
            (5, 4, 3, 3, 1, 1),
            // taps that miss the image entirely (padding and dilation wider than it)
            (1, 1, 3, 1, 2, 2),
            (2, 1, 3, 1, 3, 3),
        ] {
            let gm = geometry(h, w, k, s, p, d);
            let x: Vec<f64> = (0..gm.in_sample()).map(|v| v as f64 + 1.0).collect();
            let mut cols = vec![f64::NAN; gm.cols_len()];
            gm.im2col(&x, &mut cols);
            for c in 0..gm.c_in {
                for i in 0..k {
                    for j in 0..k {
                        for oh in 0..gm.ho {
                            for ow in 0..gm.wo {
                                let ih = (oh * s + i * d) as isize - p as isize;
                                let iw = (ow * s + j * d) as isize - p as isize;
                                let inside =
                                    ih >= 0 && iw >= 0 && (ih as usize) < h && (iw as usize) < w;
                                let want = if inside {
                                    x[(c * h + ih as usize) * w + iw as usize]
                                } else {
                                    0.0
                                };
                                let row = (c * k + i) * k + j;
                                assert_eq!(cols[row * gm.out_plane() + oh * gm.wo + ow], want);
                            }
                        }
                    }
                }
            }
            let c: Vec<f64> = (0..gm.cols_len()).map(|v| (v % 7) as f64 - 3.0).collect();
            let mut back = vec![0.0; gm.in_sample()];
            gm.col2im_add(&c, &mut back);
            let lhs: f64 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
            let rhs: f64 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
            assert_eq!(lhs, rhs);
        }
    }

    #[test]
    fn valid_ranges() {
        assert_eq!(valid_range(-1, 1, 5, 5), (1, 5));
        assert_eq!(valid_range(1, 1, 5, 5), (0, 4));
        assert_eq!(valid_range(-3, 2, 5, 4), (2, 4));
        assert_eq!(valid_range(7, 1, 5, 3), (0, 0));
    }
}

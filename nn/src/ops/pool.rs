//! Pooling over the trailing spatial axes of NCHW (NCW) tensors, with PyTorch's semantics:
//! `max_pool2d`/`max_pool1d` (kernel, stride, padding; the argmax kept for the backward pass,
//! the first maximum of a window winning a tie — pick records, `pick.rs`), `avg_pool2d` (zero
//! padding counted in the divisor, PyTorch's default `count_include_pad=True`) and
//! `adaptive_avg_pool2d` (window `i` of `out` over `len` is `⌊i·len/out⌋ .. ⌈(i+1)·len/out⌉`).

use super::pick::beats;
use super::pool_tiles::Tiles;
use super::Op;
use crate::element::c;
use crate::graph::Grads;
use crate::{Element, Graph, NodeId, Shape};

/// The windows of one spatial axis: output `o` averages or maximises over input positions
/// `start(o) .. end(o)` (clipped to the input) and an average divides by `divisor(o)`.
#[derive(Clone, Copy, Debug)]
enum Windows {
    /// `o · stride − padding .. + kernel`; the divisor is the kernel (padding counted).
    Strided {
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    /// PyTorch's adaptive windows of `out` outputs over `len` inputs; the divisor is the
    /// window's length.
    Adaptive { out: usize },
}

impl Windows {
    /// `(start, end, divisor)` of output `o` over an axis of length `len`.
    #[inline]
    fn window(self, o: usize, len: usize) -> (usize, usize, usize) {
        match self {
            Windows::Strided {
                kernel,
                stride,
                padding,
            } => {
                let s = (o * stride) as isize - padding as isize;
                let e = s + kernel as isize;
                let (s, e) = (s.max(0) as usize, (e.max(0) as usize).min(len));
                (s, e.max(s), kernel)
            }
            Windows::Adaptive { out } => {
                let s = o * len / out;
                let e = ((o + 1) * len).div_ceil(out);
                (s, e, e - s)
            }
        }
    }
    fn encode(self) -> [usize; 4] {
        match self {
            Windows::Strided {
                kernel,
                stride,
                padding,
            } => [0, kernel, stride, padding],
            Windows::Adaptive { out } => [1, out, 0, 0],
        }
    }
    fn decode(v: &[usize]) -> Self {
        if v[0] == 0 {
            Windows::Strided {
                kernel: v[1],
                stride: v[2],
                padding: v[3],
            }
        } else {
            Windows::Adaptive { out: v[1] }
        }
    }
}

/// `(planes, h, w)` of an `[.., h, w]` tensor with the given number of spatial axes (1: h = 1).
fn planes(what: &str, s: Shape, spatial: usize) -> (usize, usize, usize) {
    let nd = s.ndim();
    assert!(
        nd == spatial + 2,
        "{what}: needs an input with {} axes ([n, c, {}]), got shape {s:?}",
        spatial + 2,
        if spatial == 2 { "h, w" } else { "l" }
    );
    let (h, w) = if spatial == 2 {
        (s.dim(nd - 2), s.dim(nd - 1))
    } else {
        (1, s.dim(nd - 1))
    };
    (s.numel() / (h * w).max(1), h, w)
}

/// The output length of a strided pooling window along one axis, checked as PyTorch does.
fn pooled_len(what: &str, len: usize, kernel: usize, stride: usize, padding: usize) -> usize {
    assert!(
        kernel > 0 && stride > 0,
        "{what}: kernel and stride must be positive, got {kernel} and {stride}"
    );
    assert!(
        2 * padding <= kernel,
        "{what}: padding {padding} must be at most half the kernel {kernel}"
    );
    assert!(
        len + 2 * padding >= kernel,
        "{what}: the kernel {kernel} is larger than the padded input ({len} + 2·{padding})"
    );
    (len + 2 * padding - kernel) / stride + 1
}

/// The output shape: `s` with its last `spatial` axes set to `ho`, `wo`.
fn pooled_shape(s: Shape, spatial: usize, ho: usize, wo: usize) -> Shape {
    let nd = s.ndim();
    if spatial == 2 {
        s.with_dim(nd - 2, ho).with_dim(nd - 1, wo)
    } else {
        s.with_dim(nd - 1, wo)
    }
}

impl<F: Element> Graph<F> {
    /// 2-d max pooling of `x: [n, c, h, w]` (PyTorch's `F.max_pool2d` with those three
    /// arguments; PyTorch's default stride is the kernel): `[n, c, ho, wo]` with
    /// `ho = ⌊(h + 2·padding − kernel) / stride⌋ + 1`. Padding never wins (it is −∞). The gradient
    /// goes to each window's maximum, the first in row-major order at a tie; a NaN counts as
    /// the maximum.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 3.0, 2.0, 0.0, 3.0, 1.0, 5.0, 5.0, 0.0, 2.0, 1.0, 1.0, 4.0, 0.0, 1.0, 1.0], &[1, 1, 4, 4]);
    /// let y = g.max_pool2d(x, [2, 2], [2, 2], [0, 0]);
    /// assert_eq!(g.value(y), &[3.0, 5.0, 4.0, 1.0]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// // ties: the first maximum of each window (row-major) gets the gradient
    /// assert_eq!(g.grad(x).unwrap(), &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If `x` is not 4-d, a kernel or stride is 0, a padding exceeds half its kernel, or the
    /// kernel is larger than the padded input.
    pub fn max_pool2d(
        &mut self,
        x: NodeId,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> NodeId {
        self.max_pool(x, 2, kernel, stride, padding, "max_pool2d")
    }

    /// 1-d max pooling of `x: [n, c, l]` (PyTorch's `F.max_pool1d`); as
    /// [`max_pool2d`](Self::max_pool2d) along one axis.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 3.0, 2.0, 0.0, 5.0], &[1, 1, 5]);
    /// let y = g.max_pool1d(x, 2, 2, 1); // windows [pad, 1], [3, 2], [0, 5]
    /// assert_eq!(g.value(y), &[1.0, 3.0, 5.0]);
    /// ```
    ///
    /// # Panics
    /// As [`max_pool2d`](Self::max_pool2d), for a 3-d `x`.
    pub fn max_pool1d(
        &mut self,
        x: NodeId,
        kernel: usize,
        stride: usize,
        padding: usize,
    ) -> NodeId {
        self.max_pool(x, 1, [1, kernel], [1, stride], [0, padding], "max_pool1d")
    }

    fn max_pool(
        &mut self,
        x: NodeId,
        spatial: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        what: &str,
    ) -> NodeId {
        let sx = self.shape(x);
        let (p, h, w) = planes(what, sx, spatial);
        let ho = pooled_len(what, h, kernel[0], stride[0], padding[0]);
        let wo = pooled_len(what, w, kernel[1], stride[1], padding[1]);
        let out = pooled_shape(sx, spatial, ho, wo);
        if kernel == stride && padding == [0, 0] {
            let [kh, kw] = kernel;
            return self.max_pool_tiles(x, out, Tiles { h, w, kh, kw });
        }
        self.record_pick(x, out, |xv, picks| {
            max_windows(xv, p, [h, w], kernel, stride, padding, picks)
        })
    }

    /// 2-d average pooling of `x: [n, c, h, w]` (PyTorch's `F.avg_pool2d` with its defaults
    /// `count_include_pad=True`, `ceil_mode=False`): each output is the sum of its window
    /// divided by `kernel[0] · kernel[1]`, the zero padding counted.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 2, 2]);
    /// let y = g.avg_pool2d(x, [2, 2], [1, 1], [1, 1]);
    /// assert_eq!(g.shape(y).dims(), &[1, 1, 3, 3]);
    /// assert_eq!(g.value(y)[0], 0.25); // window {pad, pad, pad, 1}: 1/4
    /// assert_eq!(g.value(y)[4], 2.5);
    /// ```
    ///
    /// # Panics
    /// As [`max_pool2d`](Self::max_pool2d).
    pub fn avg_pool2d(
        &mut self,
        x: NodeId,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> NodeId {
        const WHAT: &str = "avg_pool2d";
        let sx = self.shape(x);
        let (_, h, w) = planes(WHAT, sx, 2);
        let ho = pooled_len(WHAT, h, kernel[0], stride[0], padding[0]);
        let wo = pooled_len(WHAT, w, kernel[1], stride[1], padding[1]);
        let wh = Windows::Strided {
            kernel: kernel[0],
            stride: stride[0],
            padding: padding[0],
        };
        let ww = Windows::Strided {
            kernel: kernel[1],
            stride: stride[1],
            padding: padding[1],
        };
        self.record_avg_pool(x, pooled_shape(sx, 2, ho, wo), wh, ww)
    }

    /// Adaptive 2-d average pooling of `x: [n, c, h, w]` to `[n, c, out[0], out[1]]` (PyTorch's
    /// `F.adaptive_avg_pool2d`): output `i` along an axis of length `len` averages inputs
    /// `⌊i·len/out⌋ .. ⌈(i+1)·len/out⌉`. With `out = [1, 1]`, global average pooling for any
    /// input size.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 1, 1, 6]);
    /// let y = g.adaptive_avg_pool2d(x, [1, 4]);
    /// // windows 0..2, 1..3, 3..5, 4..6
    /// assert_eq!(g.value(y), &[1.5, 2.5, 4.5, 5.5]);
    /// ```
    ///
    /// # Panics
    /// If `x` is not 4-d or an output size is 0.
    pub fn adaptive_avg_pool2d(&mut self, x: NodeId, out: [usize; 2]) -> NodeId {
        const WHAT: &str = "adaptive_avg_pool2d";
        let sx = self.shape(x);
        planes(WHAT, sx, 2);
        assert!(
            out[0] > 0 && out[1] > 0,
            "{WHAT}: the output size must be positive, got {out:?}"
        );
        let (wh, ww) = (
            Windows::Adaptive { out: out[0] },
            Windows::Adaptive { out: out[1] },
        );
        self.record_avg_pool(x, pooled_shape(sx, 2, out[0], out[1]), wh, ww)
    }

    fn record_avg_pool(&mut self, x: NodeId, out: Shape, wh: Windows, ww: Windows) -> NodeId {
        let a = self.check(x);
        let sx = self.metas[a as usize].shape;
        let (p, h, w) = planes("avg_pool", sx, 2);
        let nd = out.ndim();
        let (ho, wo) = (out.dim(nd - 2), out.dim(nd - 1));
        let rg = self.rg(&[a]);
        let n = self.push(Op::AvgPool { a }, out, rg);
        let geo = &mut self.idx[n as usize];
        geo.clear();
        geo.extend_from_slice(&[h, w, ho, wo]);
        geo.extend_from_slice(&wh.encode());
        geo.extend_from_slice(&ww.encode());
        let (v, y) = self.split(n);
        let xv = v.get(a);
        let mut o = 0;
        for plane in 0..p {
            let img = &xv[plane * h * w..(plane + 1) * h * w];
            for oh in 0..ho {
                let (hs, he, dh) = wh.window(oh, h);
                for ow in 0..wo {
                    let (ws, we, dw) = ww.window(ow, w);
                    let mut s = F::zero();
                    for row in img[hs * w..he * w].chunks_exact(w) {
                        for &v in &row[ws..we] {
                            s += v;
                        }
                    }
                    y[o] = s / c::<F>((dh * dw) as f64);
                    o += 1;
                }
            }
        }
        self.id(n)
    }
}

/// The offset in `x` of the maximum of every window of a strided max pooling of `planes`
/// images of `h × w`, appended to `picks` row-major: PyTorch's rule (the window's first element,
/// replaced by any larger element or NaN, so a tie goes to the first maximum in row-major order).
pub(crate) fn max_windows<F: Element>(
    x: &[F],
    planes: usize,
    [h, w]: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    picks: &mut Vec<usize>,
) {
    let [ho, wo] = [0, 1].map(|i| (([h, w][i] + 2 * padding[i] - kernel[i]) / stride[i]) + 1);
    let wh = Windows::Strided {
        kernel: kernel[0],
        stride: stride[0],
        padding: padding[0],
    };
    let ww = Windows::Strided {
        kernel: kernel[1],
        stride: stride[1],
        padding: padding[1],
    };
    for plane in 0..planes {
        let base = plane * h * w;
        for oh in 0..ho {
            let (hs, he, _) = wh.window(oh, h);
            for ow in 0..wo {
                let (ws, we, _) = ww.window(ow, w);
                let mut best = base + hs * w + ws;
                let mut max = F::neg_infinity();
                for ih in hs..he {
                    for iw in ws..we {
                        let o = base + ih * w + iw;
                        if beats(x[o], max) && !max.is_nan() {
                            max = x[o];
                            best = o;
                        }
                    }
                }
                picks.push(best);
            }
        }
    }
}

/// ∂x[window] += g / divisor for every output of an average pooling.
pub(crate) fn backward_avg<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32, geo: &[usize]) {
    let [h, w, ho, wo] = [geo[0], geo[1], geo[2], geo[3]];
    let (wh, ww) = (Windows::decode(&geo[4..8]), Windows::decode(&geo[8..12]));
    if let Some(ga) = g.get(a) {
        if ho * wo == 0 {
            return;
        }
        for (img, go) in ga.chunks_exact_mut(h * w).zip(gout.chunks_exact(ho * wo)) {
            for oh in 0..ho {
                let (hs, he, dh) = wh.window(oh, h);
                for ow in 0..wo {
                    let (ws, we, dw) = ww.window(ow, w);
                    // the divisor is finite and positive: the chain rule's product is the plain one
                    let share = go[oh * wo + ow] / c::<F>((dh * dw) as f64);
                    for row in img[hs * w..he * w].chunks_exact_mut(w) {
                        row[ws..we].iter_mut().for_each(|d| *d += share);
                    }
                }
            }
        }
    }
}

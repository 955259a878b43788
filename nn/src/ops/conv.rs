//! Convolutions (`conv1d`, `conv2d`, NCW/NCHW, with stride, padding, dilation, groups and an
//! optional bias) as GEMMs over `im2col` columns, one sample and one group at a time; the
//! three kernels here (the convolution, its adjoint in the input, its adjoint in the weight) also
//! make the transposed convolution (`conv_transpose.rs`), whose forward is the convolution's
//! input adjoint.
//!
//! The columns of one sample live in the node's side buffer (reused across steps); the backward
//! pass rebuilds them rather than keeping every sample's. Backward products are the chain rule's
//! ([`gemm_chain`]: GEMMs when the operands are finite, strong zeros otherwise), so a zero
//! upstream gradient or a padding zero contributes exactly 0 to a gradient.

use super::im2col::Geometry;
use super::{ConvOptions, Op, NONE};
use crate::element::{all_finite, gemm_chain};
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId, Shape};

/// `c += op(a) · op(b)` as [`gemm_chain`] computes it, where `plain` says that every operand is
/// finite (checked once per kernel call, not per block): then the plain GEMM is the chain
/// rule's.
#[allow(clippy::too_many_arguments)]
#[inline]
fn gemm_acc<F: Element>(
    plain: bool,
    m: usize,
    k: usize,
    n: usize,
    a: &[F],
    ta: bool,
    b: &[F],
    tb: bool,
    c: &mut [F],
) {
    if plain {
        F::gemm(m, k, n, F::one(), a, ta, b, tb, F::one(), c);
    } else {
        gemm_chain(m, k, n, a, ta, b, tb, c);
    }
}

/// The batch's samples split into contiguous runs, one per worker: `(samples per run, runs)`,
/// or `None` when one run does it all (one thread, one sample, or empty samples).
#[cfg(feature = "threads")]
fn sample_runs(gm: &Geometry) -> Option<(usize, usize)> {
    let threads = rayon::current_num_threads().min(gm.n);
    if threads <= 1 || gm.in_sample() == 0 || gm.out_sample() == 0 {
        return None;
    }
    let per = gm.n.div_ceil(threads);
    Some((per, gm.n.div_ceil(per)))
}

/// `cols` sized for `runs` column buffers of one sample each (none for a pointwise
/// convolution), split into one buffer per run.
#[cfg(feature = "threads")]
fn run_buffers<'a, F: Element>(
    gm: &Geometry,
    cols: &'a mut Vec<F>,
    runs: usize,
) -> Vec<&'a mut [F]> {
    if gm.is_pointwise() {
        return (0..runs).map(|_| <&mut [F]>::default()).collect();
    }
    cols.resize(runs * gm.cols_len(), F::zero());
    cols.chunks_mut(gm.cols_len()).collect()
}

/// `y[s] += W · im2col(x[s])` for every sample `s`, group by group (`x` on the geometry's
/// input side, `y` on its output side). With `chain`, the products are the chain rule's. With
/// the feature `threads`, runs of samples go to rayon's threads, each with its own columns.
pub(crate) fn apply<F: Element>(
    gm: &Geometry,
    x: &[F],
    w: &[F],
    y: &mut [F],
    cols: &mut Vec<F>,
    chain: bool,
) {
    // the columns hold elements of x and zeros: finite when x is
    let plain = !chain || (all_finite(x) && all_finite(w));
    #[cfg(feature = "threads")]
    if let Some((per, runs)) = sample_runs(gm) {
        use rayon::prelude::*;
        let bufs = run_buffers(gm, cols, runs);
        let ys: Vec<&mut [F]> = y.chunks_mut(per * gm.out_sample()).collect();
        ys.into_par_iter()
            .zip(bufs)
            .enumerate()
            .for_each(|(r, (yr, buf))| {
                let xr =
                    &x[r * per * gm.in_sample()..][..yr.len() / gm.out_sample() * gm.in_sample()];
                apply_samples(gm, xr, w, yr, buf, plain);
            });
        return;
    }
    if !gm.is_pointwise() {
        cols.resize(gm.cols_len(), F::zero());
    }
    apply_samples(gm, x, w, y, cols, plain);
}

/// [`apply`] on the samples of `y` (and the matching ones of `x`), `cols` one sample's columns.
fn apply_samples<F: Element>(
    gm: &Geometry,
    x: &[F],
    w: &[F],
    y: &mut [F],
    cols: &mut [F],
    plain: bool,
) {
    let (g, plane) = (gm.groups, gm.out_plane());
    let (rows, cog) = (gm.col_rows_per_group(), gm.c_out / g);
    let n = if gm.out_sample() == 0 {
        gm.n
    } else {
        y.len() / gm.out_sample()
    };
    for s in 0..n {
        let xs = &x[s * gm.in_sample()..(s + 1) * gm.in_sample()];
        let c: &[F] = if gm.is_pointwise() {
            xs
        } else {
            gm.im2col(xs, cols);
            cols
        };
        let ys = &mut y[s * gm.out_sample()..(s + 1) * gm.out_sample()];
        for k in 0..g {
            let (wk, ck) = (
                &w[k * cog * rows..(k + 1) * cog * rows],
                &c[k * rows * plane..(k + 1) * rows * plane],
            );
            let yk = &mut ys[k * cog * plane..(k + 1) * cog * plane];
            gemm_acc(plain, cog, rows, plane, wk, false, ck, false, yk);
        }
    }
}

/// `x[s] += col2im(Wᵀ · y[s])` for every sample: the adjoint of [`apply`] in its input (`y` on
/// the output side, `x` on the input side). With `chain`, the products are the chain rule's.
/// With the feature `threads`, runs of samples go to rayon's threads, each with its own columns.
pub(crate) fn adjoint_input<F: Element>(
    gm: &Geometry,
    y: &[F],
    w: &[F],
    x: &mut [F],
    cols: &mut Vec<F>,
    chain: bool,
) {
    let plain = !chain || (all_finite(y) && all_finite(w));
    #[cfg(feature = "threads")]
    if let Some((per, runs)) = sample_runs(gm) {
        use rayon::prelude::*;
        let bufs = run_buffers(gm, cols, runs);
        let xs: Vec<&mut [F]> = x.chunks_mut(per * gm.in_sample()).collect();
        xs.into_par_iter()
            .zip(bufs)
            .enumerate()
            .for_each(|(r, (xr, buf))| {
                let yr =
                    &y[r * per * gm.out_sample()..][..xr.len() / gm.in_sample() * gm.out_sample()];
                adjoint_input_samples(gm, yr, w, xr, buf, plain);
            });
        return;
    }
    if !gm.is_pointwise() {
        cols.resize(gm.cols_len(), F::zero());
    }
    adjoint_input_samples(gm, y, w, x, cols, plain);
}

/// [`adjoint_input`] on the samples of `x` (and the matching ones of `y`), `cols` one sample's
/// columns.
fn adjoint_input_samples<F: Element>(
    gm: &Geometry,
    y: &[F],
    w: &[F],
    x: &mut [F],
    cols: &mut [F],
    plain: bool,
) {
    let (g, plane) = (gm.groups, gm.out_plane());
    let (rows, cog) = (gm.col_rows_per_group(), gm.c_out / g);
    let pointwise = gm.is_pointwise();
    let n = if gm.in_sample() == 0 {
        gm.n
    } else {
        x.len() / gm.in_sample()
    };
    for s in 0..n {
        let ys = &y[s * gm.out_sample()..(s + 1) * gm.out_sample()];
        let xs = &mut x[s * gm.in_sample()..(s + 1) * gm.in_sample()];
        for k in 0..g {
            let wk = &w[k * cog * rows..(k + 1) * cog * rows];
            let yk = &ys[k * cog * plane..(k + 1) * cog * plane];
            if pointwise {
                let dst = &mut xs[k * rows * plane..(k + 1) * rows * plane];
                gemm_acc(plain, rows, cog, plane, wk, true, yk, false, dst);
            } else {
                let dst = &mut cols[k * rows * plane..(k + 1) * rows * plane];
                if plain {
                    F::gemm(
                        rows,
                        cog,
                        plane,
                        F::one(),
                        wk,
                        true,
                        yk,
                        false,
                        F::zero(),
                        dst,
                    );
                } else {
                    dst.fill(F::zero());
                    gemm_chain(rows, cog, plane, wk, true, yk, false, dst);
                }
            }
        }
        if !pointwise {
            gm.col2im_add(cols, xs);
        }
    }
}

/// `dW += Σ_s y[s] · im2col(x[s])ᵀ`, group by group, with the chain rule's products: the adjoint
/// of [`apply`] in its weight. With the feature `threads`, runs of samples go to rayon's
/// threads, each with its own columns and its own sum, and the runs' sums are added to `dW` in
/// the runs' order (the same result for the same number of threads).
pub(crate) fn adjoint_weight<F: Element>(
    gm: &Geometry,
    x: &[F],
    y: &[F],
    dw: &mut [F],
    cols: &mut Vec<F>,
) {
    let plain = all_finite(x) && all_finite(y);
    #[cfg(feature = "threads")]
    if let Some((per, runs)) = sample_runs(gm) {
        use rayon::prelude::*;
        let bufs = run_buffers(gm, cols, runs);
        let sums: Vec<Vec<F>> = bufs
            .into_par_iter()
            .enumerate()
            .map(|(r, buf)| {
                let samples = per.min(gm.n - r * per);
                let xr = &x[r * per * gm.in_sample()..][..samples * gm.in_sample()];
                let yr = &y[r * per * gm.out_sample()..][..samples * gm.out_sample()];
                let mut sum = vec![F::zero(); dw.len()];
                adjoint_weight_samples(gm, xr, yr, &mut sum, buf, plain);
                sum
            })
            .collect();
        for sum in &sums {
            for (d, s) in dw.iter_mut().zip(sum) {
                *d += *s;
            }
        }
        return;
    }
    if !gm.is_pointwise() {
        cols.resize(gm.cols_len(), F::zero());
    }
    adjoint_weight_samples(gm, x, y, dw, cols, plain);
}

/// [`adjoint_weight`] on the samples of `y` (and the matching ones of `x`), `cols` one sample's
/// columns.
fn adjoint_weight_samples<F: Element>(
    gm: &Geometry,
    x: &[F],
    y: &[F],
    dw: &mut [F],
    cols: &mut [F],
    plain: bool,
) {
    let (g, plane) = (gm.groups, gm.out_plane());
    let (rows, cog) = (gm.col_rows_per_group(), gm.c_out / g);
    let n = if gm.out_sample() == 0 {
        gm.n
    } else {
        y.len() / gm.out_sample()
    };
    for s in 0..n {
        let xs = &x[s * gm.in_sample()..(s + 1) * gm.in_sample()];
        let c: &[F] = if gm.is_pointwise() {
            xs
        } else {
            gm.im2col(xs, cols);
            cols
        };
        let ys = &y[s * gm.out_sample()..(s + 1) * gm.out_sample()];
        for k in 0..g {
            let yk = &ys[k * cog * plane..(k + 1) * cog * plane];
            let ck = &c[k * rows * plane..(k + 1) * rows * plane];
            let dwk = &mut dw[k * cog * rows..(k + 1) * cog * rows];
            gemm_acc(plain, cog, plane, rows, yk, false, ck, true, dwk);
        }
    }
}

/// `db[c] += Σ` over samples and positions of `y[s, c, ..]` (`plane` positions per channel).
pub(crate) fn bias_grad<F: Element>(y: &[F], channels: usize, plane: usize, db: &mut [F]) {
    if plane == 0 {
        return;
    }
    for (i, chunk) in y.chunks_exact(plane).enumerate() {
        db[i % channels] += chunk.iter().copied().fold(F::zero(), |a, b| a + b);
    }
}

/// Checks a convolution's arguments and returns its geometry: `x: [n, c_in, h, w]`,
/// `w: [c_out, c_in / groups, kh, kw]`.
fn conv_geometry(what: &str, sx: [usize; 4], sw: [usize; 4], o: &ConvOptions) -> Geometry {
    let [n, c_in, h, w] = sx;
    let [c_out, cig, kh, kw] = sw;
    check_options(what, o);
    assert!(
        o.output_padding == [0, 0],
        "{what}: output_padding is for transposed convolutions, got {:?}",
        o.output_padding
    );
    let g = o.groups;
    assert!(
        c_in % g == 0 && c_out % g == 0 && cig * g == c_in,
        "{what}: {c_in} input channels and {c_out} output channels in {g} groups need a weight \
         [c_out, c_in / groups, ..] = [{c_out}, {}, ..] with both channel counts divisible by \
         the groups, got [{c_out}, {cig}, {kh}, {kw}]",
        c_in / g.max(1)
    );
    assert!(kh > 0 && kw > 0, "{what}: the kernel is empty ({kh}×{kw})");
    let out =
        |len, k, a: usize| Geometry::out_len(len, k, o.stride[a], o.padding[a], o.dilation[a]);
    let (Some(ho), Some(wo)) = (out(h, kh, 0), out(w, kw, 1)) else {
        panic!(
            "{what}: the kernel {kh}×{kw} with dilation {:?} is larger than the padded input \
             {h}×{w} (padding {:?})",
            o.dilation, o.padding
        );
    };
    Geometry {
        n,
        c_in,
        h,
        w,
        c_out,
        ho,
        wo,
        kh,
        kw,
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
        groups: g,
    }
}

pub(crate) fn check_options(what: &str, o: &ConvOptions) {
    assert!(
        o.stride.iter().all(|&s| s > 0) && o.dilation.iter().all(|&d| d > 0) && o.groups > 0,
        "{what}: stride, dilation and groups must be positive, got {o:?}"
    );
}

fn dims4(what: &str, name: &str, s: Shape) -> [usize; 4] {
    assert!(
        s.ndim() == 4,
        "{what}: {name} must have 4 axes, got shape {s:?}"
    );
    [s.dim(0), s.dim(1), s.dim(2), s.dim(3)]
}

fn dims3(what: &str, name: &str, s: Shape) -> [usize; 3] {
    assert!(
        s.ndim() == 3,
        "{what}: {name} must have 3 axes, got shape {s:?}"
    );
    [s.dim(0), s.dim(1), s.dim(2)]
}

impl<F: Element> Graph<F> {
    /// 2-d convolution (PyTorch's `F.conv2d`, a cross-correlation): `x: [n, c_in, h, w]`,
    /// `weight: [c_out, c_in / groups, kh, kw]`, `bias: [c_out]` (optional); the result is
    /// `[n, c_out, ho, wo]` with `ho = ⌊(h + 2·pad − dil·(kh − 1) − 1) / stride⌋ + 1` (likewise
    /// `wo`). One record; forward and backward are GEMMs over `im2col` columns.
    ///
    /// ```
    /// use diffprog_nn::{ConvOptions, Graph};
    /// let mut g = Graph::<f64>::new();
    /// // a 3×3 image, a 2×2 kernel of ones: each output is the sum of a 2×2 window
    /// let x = g.leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1, 1, 3, 3]);
    /// let w = g.leaf(&[1.0; 4], &[1, 1, 2, 2]);
    /// let y = g.conv2d(x, w, None, ConvOptions::new());
    /// assert_eq!(g.shape(y).dims(), &[1, 1, 2, 2]);
    /// assert_eq!(g.value(y), &[12.0, 16.0, 24.0, 28.0]);
    /// let s = g.sum(y);
    /// g.backward(s);
    /// // ∂/∂x: how many windows cover each pixel
    /// assert_eq!(g.grad(x).unwrap(), &[1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit together, the channels are not divisible by the groups, a
    /// stride, dilation or the groups are 0, or the kernel is larger than the padded input.
    pub fn conv2d(
        &mut self,
        x: NodeId,
        weight: NodeId,
        bias: Option<NodeId>,
        options: ConvOptions,
    ) -> NodeId {
        let (sx, sw) = (self.shape(x), self.shape(weight));
        let gm = conv_geometry(
            "conv2d",
            dims4("conv2d", "x", sx),
            dims4("conv2d", "weight", sw),
            &options,
        );
        let out = Shape::new(&[gm.n, gm.c_out, gm.ho, gm.wo]);
        self.record_conv(x, weight, bias, gm, out, "conv2d")
    }

    /// 1-d convolution (PyTorch's `F.conv1d`): `x: [n, c_in, l]`, `weight: [c_out, c_in / groups,
    /// k]`, `bias: [c_out]` (optional); the result is `[n, c_out, lo]`. It reads the width
    /// entries of the options (`stride[1]`, `padding[1]`, `dilation[1]`; the setters set both).
    /// The 2-d convolution with height 1.
    ///
    /// ```
    /// use diffprog_nn::{ConvOptions, Graph};
    /// let mut g = Graph::<f64>::new();
    /// let x = g.input(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 1, 5]);
    /// let w = g.input(&[1.0, -1.0], &[1, 1, 2]);
    /// let y = g.conv1d(x, w, None, ConvOptions::new().stride(2).padding(1));
    /// // windows [0, 1], [2, 3], [4, 5] (0 = padding): x[i] − x[i + 1]
    /// assert_eq!(g.value(y), &[-1.0, -1.0, -1.0]);
    /// ```
    ///
    /// # Panics
    /// As [`conv2d`](Self::conv2d).
    pub fn conv1d(
        &mut self,
        x: NodeId,
        weight: NodeId,
        bias: Option<NodeId>,
        options: ConvOptions,
    ) -> NodeId {
        let (sx, sw) = (self.shape(x), self.shape(weight));
        let [n, c, l] = dims3("conv1d", "x", sx);
        let [co, cig, k] = dims3("conv1d", "weight", sw);
        let o = ConvOptions {
            stride: [1, options.stride[1]],
            padding: [0, options.padding[1]],
            dilation: [1, options.dilation[1]],
            ..options
        };
        let gm = conv_geometry("conv1d", [n, c, 1, l], [co, cig, 1, k], &o);
        let out = Shape::new(&[gm.n, gm.c_out, gm.wo]);
        self.record_conv(x, weight, bias, gm, out, "conv1d")
    }

    fn record_conv(
        &mut self,
        x: NodeId,
        weight: NodeId,
        bias: Option<NodeId>,
        gm: Geometry,
        out: Shape,
        what: &str,
    ) -> NodeId {
        let (xi, wi) = (self.check(x), self.check(weight));
        let bi = bias.map(|b| self.check(b)).unwrap_or(NONE);
        if bi != NONE {
            let sb = self.metas[bi as usize].shape;
            assert!(
                sb.numel() == gm.c_out,
                "{what}: bias has shape {sb:?} but the convolution has {} output channels",
                gm.c_out
            );
        }
        let rg = self.rg(&[xi, wi, bi]);
        let n = self.push(
            Op::Conv {
                x: xi,
                w: wi,
                bias: bi,
                transposed: false,
            },
            out,
            rg,
        );
        let mut cols = std::mem::take(&mut self.aux[n as usize]);
        gm.encode(&mut self.idx[n as usize]);
        let (v, y) = self.split(n);
        let plane = gm.out_plane();
        if bi != NONE && plane > 0 {
            let b = v.get(bi);
            for (i, row) in y.chunks_exact_mut(plane).enumerate() {
                row.fill(b[i % gm.c_out]);
            }
        } else {
            y.fill(F::zero());
        }
        apply(&gm, v.get(xi), v.get(wi), y, &mut cols, false);
        self.aux[n as usize] = cols;
        self.id(n)
    }
}

/// The backward rule of a convolution or transposed convolution record.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    cols: &mut Vec<F>,
    geometry: &[usize],
    x: u32,
    w: u32,
    bias: u32,
    transposed: bool,
) {
    let gm = Geometry::decode(geometry);
    let (xv, wv) = (v.get(x), v.get(w));
    if transposed {
        // y = col2im(Wᵀ · x) with x on the geometry's output side and y on its input side
        if let Some(gb) = g.get(bias) {
            bias_grad(gout, gm.c_in, gm.h * gm.w, gb);
        }
        if let Some(gw) = g.get(w) {
            adjoint_weight(&gm, gout, xv, gw, cols);
        }
        if let Some(gx) = g.get(x) {
            apply(&gm, gout, wv, gx, cols, true);
        }
    } else {
        if let Some(gb) = g.get(bias) {
            bias_grad(gout, gm.c_out, gm.out_plane(), gb);
        }
        if let Some(gw) = g.get(w) {
            adjoint_weight(&gm, xv, gout, gw, cols);
        }
        if let Some(gx) = g.get(x) {
            adjoint_input(&gm, gout, wv, gx, cols, true);
        }
    }
}

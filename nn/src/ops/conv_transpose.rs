//! The transposed 2-d convolution (PyTorch's `F.conv_transpose2d`, the decoder's upsampling):
//! the adjoint of a convolution in its input. Its forward is the convolution's input backward
//! (`col2im(Wᵀ · x)`), its input backward the convolution's forward, with the kernels of
//! `conv.rs` and one geometry whose input side is this op's output.

use super::conv::{adjoint_input, check_options};
use super::im2col::Geometry;
use super::{ConvOptions, Op, NONE};
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    /// Transposed 2-d convolution: `x: [n, c_in, h, w]`, `weight: [c_in, c_out / groups, kh,
    /// kw]` (PyTorch's layout), `bias: [c_out]` (optional); the result is `[n, c_out, ho, wo]`
    /// with `ho = (h − 1)·stride − 2·pad + dil·(kh − 1) + output_pad + 1` (likewise `wo`).
    /// Each input element adds `x · W` into the output window it maps to; it is the adjoint
    /// (the input gradient) of [`conv2d`](Self::conv2d) with the same weight and options.
    ///
    /// ```
    /// use diffprog_nn::{ConvOptions, Graph};
    /// let mut g = Graph::<f64>::new();
    /// // stride 2, a 2×2 kernel: each input pixel becomes a 2×2 block scaled by it
    /// let x = g.input(&[1.0, 2.0], &[1, 1, 1, 2]);
    /// let w = g.input(&[1.0, 10.0, 100.0, 1000.0], &[1, 1, 2, 2]);
    /// let y = g.conv_transpose2d(x, w, None, ConvOptions::new().stride(2));
    /// assert_eq!(g.shape(y).dims(), &[1, 1, 2, 4]);
    /// assert_eq!(g.value(y), &[1.0, 10.0, 2.0, 20.0, 100.0, 1000.0, 200.0, 2000.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit together, the channels are not divisible by the groups, a
    /// stride, dilation or the groups are 0, an output padding is not smaller than the stride or
    /// the dilation along its axis, or the output would be empty.
    pub fn conv_transpose2d(
        &mut self,
        x: NodeId,
        weight: NodeId,
        bias: Option<NodeId>,
        options: ConvOptions,
    ) -> NodeId {
        const WHAT: &str = "conv_transpose2d";
        let (xi, wi) = (self.check(x), self.check(weight));
        let bi = bias.map(|b| self.check(b)).unwrap_or(NONE);
        let (sx, sw) = (self.metas[xi as usize].shape, self.metas[wi as usize].shape);
        assert!(
            sx.ndim() == 4 && sw.ndim() == 4,
            "{WHAT}: x must be [n, c_in, h, w] and weight [c_in, c_out / groups, kh, kw], got \
             {sx:?} and {sw:?}"
        );
        check_options(WHAT, &options);
        let o = options;
        let (n, c_in, h, w) = (sx.dim(0), sx.dim(1), sx.dim(2), sx.dim(3));
        let (wc, cog, kh, kw) = (sw.dim(0), sw.dim(1), sw.dim(2), sw.dim(3));
        let g = o.groups;
        assert!(
            wc == c_in && c_in % g == 0,
            "{WHAT}: weight {sw:?} must be [c_in, c_out / groups, kh, kw] with c_in = {c_in} \
             divisible by the {g} groups"
        );
        assert!(kh > 0 && kw > 0, "{WHAT}: the kernel is empty ({kh}×{kw})");
        let c_out = cog * g;
        let out_len = |len: usize, k: usize, a: usize| -> usize {
            assert!(
                o.output_padding[a] < o.stride[a] || o.output_padding[a] < o.dilation[a],
                "{WHAT}: output padding {:?} must be smaller than the stride {:?} or the \
                 dilation {:?}",
                o.output_padding,
                o.stride,
                o.dilation
            );
            let full = (len - 1) * o.stride[a] + o.dilation[a] * (k - 1) + o.output_padding[a] + 1;
            assert!(
                len > 0 && full > 2 * o.padding[a],
                "{WHAT}: the output would be empty (input {sx:?}, padding {:?})",
                o.padding
            );
            full - 2 * o.padding[a]
        };
        let (ho, wo) = (out_len(h, kh, 0), out_len(w, kw, 1));
        if bi != NONE {
            let sb = self.metas[bi as usize].shape;
            assert!(
                sb.numel() == c_out,
                "{WHAT}: bias has shape {sb:?} but the output has {c_out} channels"
            );
        }
        // the convolution of which this is the adjoint: from the output [c_out, ho, wo] to the
        // input [c_in, h, w]
        let gm = Geometry {
            n,
            c_in: c_out,
            h: ho,
            w: wo,
            c_out: c_in,
            ho: h,
            wo: w,
            kh,
            kw,
            stride: o.stride,
            padding: o.padding,
            dilation: o.dilation,
            groups: g,
        };
        let rg = self.rg(&[xi, wi, bi]);
        let node = self.push(
            Op::Conv {
                x: xi,
                w: wi,
                bias: bi,
                transposed: true,
            },
            Shape::new(&[n, c_out, ho, wo]),
            rg,
        );
        let mut cols = std::mem::take(&mut self.aux[node as usize]);
        gm.encode(&mut self.idx[node as usize]);
        let (v, y) = self.split(node);
        y.fill(F::zero());
        adjoint_input(&gm, v.get(xi), v.get(wi), y, &mut cols, false);
        let plane = ho * wo;
        if bi != NONE && plane > 0 {
            let b = v.get(bi);
            for (i, row) in y.chunks_exact_mut(plane).enumerate() {
                let bc = b[i % c_out];
                row.iter_mut().for_each(|v| *v += bc);
            }
        }
        self.aux[node as usize] = cols;
        self.id(node)
    }
}

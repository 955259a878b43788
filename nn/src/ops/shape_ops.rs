//! Reshape, permute/transpose, slice, concatenate and row selection: ops that move data.

use super::Op;
use crate::graph::{Grads, Vals};
use crate::shape::MAX_DIMS;
use crate::{Element, Graph, NodeId, Shape};

/// Input strides permuted into output order.
fn permuted_strides(sa: Shape, perm: [u8; MAX_DIMS]) -> [usize; MAX_DIMS] {
    let st = sa.strides();
    let mut r = [0; MAX_DIMS];
    for i in 0..sa.ndim() {
        r[i] = st[perm[i] as usize];
    }
    r
}

/// Visits every output index `o` of `out` with the matching input offset.
fn for_each_permuted(out: Shape, st: [usize; MAX_DIMS], mut f: impl FnMut(usize, usize)) {
    let n = out.ndim();
    let total = out.numel();
    if n == 0 {
        f(0, 0);
        return;
    }
    let dims = out.dims();
    let mut idx = [0usize; MAX_DIMS];
    let mut off = 0usize;
    let last = n - 1;
    let mut o = 0;
    while o < total {
        for j in 0..dims[last] {
            f(o + j, off + j * st[last]);
        }
        o += dims[last];
        let mut ax = last;
        while ax > 0 {
            ax -= 1;
            idx[ax] += 1;
            off += st[ax];
            if idx[ax] < dims[ax] {
                break;
            }
            off -= st[ax] * dims[ax];
            idx[ax] = 0;
        }
    }
}

impl<F: Element> Graph<F> {
    /// The same data with another shape of equal size.
    ///
    /// # Panics
    /// If the sizes differ.
    pub fn reshape(&mut self, x: NodeId, dims: &[usize]) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let out = Shape::new(dims);
        assert_eq!(
            sa.numel(),
            out.numel(),
            "reshape: cannot view {sa:?} ({} elements) as {out:?} ({} elements)",
            sa.numel(),
            out.numel()
        );
        let rg = self.rg(&[a]);
        let n = self.push(Op::Reshape { a }, out, rg);
        let (v, y) = self.split(n);
        y.copy_from_slice(v.get(a));
        self.id(n)
    }
    /// Axes permuted: output axis `i` is input axis `perm[i]`.
    ///
    /// # Panics
    /// If `perm` is not a permutation of `0..ndim`.
    pub fn permute(&mut self, x: NodeId, perm: &[usize]) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let nd = sa.ndim();
        let mut seen = [false; MAX_DIMS];
        assert!(
            perm.len() == nd
                && perm
                    .iter()
                    .all(|&p| p < nd && !std::mem::replace(&mut seen[p], true)),
            "permute: {perm:?} is not a permutation of the {nd} axes of {sa:?}"
        );
        let mut p = [0u8; MAX_DIMS];
        let mut d = [0usize; MAX_DIMS];
        for i in 0..nd {
            p[i] = perm[i] as u8;
            d[i] = sa.dims()[perm[i]];
        }
        let out = Shape::new(&d[..nd]);
        let rg = self.rg(&[a]);
        let n = self.push(Op::Permute { a, perm: p }, out, rg);
        let (v, y) = self.split(n);
        let av = v.get(a);
        for_each_permuted(out, permuted_strides(sa, p), |o, i| y[o] = av[i]);
        self.id(n)
    }
    /// The last two axes swapped (the matrix transpose for 2-d tensors).
    ///
    /// # Panics
    /// If the tensor has fewer than two axes.
    pub fn transpose(&mut self, x: NodeId) -> NodeId {
        let nd = self.shape(x).ndim();
        assert!(
            nd >= 2,
            "transpose: needs at least 2 axes, the tensor has shape {:?}",
            self.shape(x)
        );
        let mut perm = [0usize; MAX_DIMS];
        for (i, p) in perm.iter_mut().enumerate().take(nd) {
            *p = i;
        }
        perm.swap(nd - 2, nd - 1);
        self.permute(x, &perm[..nd])
    }
    /// `x[.., start..start + len, ..]` along `axis`.
    ///
    /// # Panics
    /// If the range is out of bounds.
    pub fn slice(&mut self, x: NodeId, axis: usize, start: usize, len: usize) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        assert!(
            axis < sa.ndim() && start + len <= sa.dim(axis),
            "slice: range {start}..{} along axis {axis} is out of bounds for shape {sa:?}",
            start + len
        );
        let out = sa.with_dim(axis, len);
        let rg = self.rg(&[a]);
        let n = self.push(
            Op::Slice {
                a,
                axis: axis as u8,
                start: start as u32,
            },
            out,
            rg,
        );
        let (v, y) = self.split(n);
        let av = v.get(a);
        let (outer, lin, inner) = sa.split_at_axis(axis);
        for o in 0..outer {
            let src = &av[(o * lin + start) * inner..(o * lin + start + len) * inner];
            y[o * len * inner..(o + 1) * len * inner].copy_from_slice(src);
        }
        self.id(n)
    }
    /// The tensors joined along `axis` (all other axes equal).
    ///
    /// # Panics
    /// If `xs` is empty or the shapes do not fit.
    pub fn concat(&mut self, xs: &[NodeId], axis: usize) -> NodeId {
        assert!(!xs.is_empty(), "concat: nothing to concatenate");
        let first = self.shape(xs[0]);
        assert!(
            axis < first.ndim(),
            "concat: axis {axis} out of range for shape {first:?}"
        );
        let mut total = 0;
        for &x in xs {
            let s = self.shape(x);
            assert!(
                s.ndim() == first.ndim()
                    && (0..s.ndim()).all(|i| i == axis || s.dim(i) == first.dim(i)),
                "concat: shape {s:?} does not fit {first:?} along axis {axis}"
            );
            total += s.dim(axis);
        }
        let out = first.with_dim(axis, total);
        let parents: Vec<u32> = xs.iter().map(|&x| x.index).collect();
        let rg = self.rg(&parents);
        let n = self.push(Op::Concat { axis: axis as u8 }, out, rg);
        let mut list = std::mem::take(&mut self.idx[n as usize]);
        list.clear();
        list.extend(parents.iter().map(|&p| p as usize));
        let (v, y) = self.split(n);
        let (outer, _, inner) = out.split_at_axis(axis);
        let mut pos = 0;
        for o in 0..outer {
            for &p in &list {
                let len = v.shape(p as u32).dim(axis) * inner;
                y[pos..pos + len].copy_from_slice(&v.get(p as u32)[o * len..(o + 1) * len]);
                pos += len;
            }
        }
        self.idx[n as usize] = list;
        self.id(n)
    }
    /// Rows (entries of the first axis) picked by index, repeats allowed.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn index_select(&mut self, x: NodeId, rows: &[usize]) -> NodeId {
        let a = self.check(x);
        let sa = self.metas[a as usize].shape;
        let nrows = sa.dim(0);
        if let Some(&bad) = rows.iter().find(|&&r| r >= nrows) {
            panic!("index_select: row {bad} out of range for shape {sa:?}");
        }
        let out = sa.with_dim(0, rows.len());
        let rg = self.rg(&[a]);
        let n = self.push(Op::IndexSelect { a }, out, rg);
        let mut list = std::mem::take(&mut self.idx[n as usize]);
        list.clear();
        list.extend_from_slice(rows);
        let (v, y) = self.split(n);
        let av = v.get(a);
        let w = sa.numel() / nrows.max(1);
        for (k, &r) in list.iter().enumerate() {
            y[k * w..(k + 1) * w].copy_from_slice(&av[r * w..(r + 1) * w]);
        }
        self.idx[n as usize] = list;
        self.id(n)
    }
}

fn add_into<F: Element>(dst: &mut [F], src: &[F]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// ∂x += g (same data, other shape).
pub(crate) fn backward_reshape<F: Element>(g: &mut Grads<F>, gout: &[F], a: u32) {
    if let Some(ga) = g.get(a) {
        add_into(ga, gout);
    }
}

/// ∂x[perm⁻¹] += g.
pub(crate) fn backward_permute<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    perm: [u8; MAX_DIMS],
) {
    let sa = v.shape(a);
    let nd = sa.ndim();
    let mut d = [0usize; MAX_DIMS];
    for i in 0..nd {
        d[i] = sa.dims()[perm[i] as usize];
    }
    let out = Shape::new(&d[..nd]);
    if let Some(ga) = g.get(a) {
        for_each_permuted(out, permuted_strides(sa, perm), |o, i| ga[i] += gout[o]);
    }
}

/// ∂x[.., start..start+len, ..] += g.
pub(crate) fn backward_slice<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    out: Shape,
    a: u32,
    axis: u8,
    start: u32,
) {
    let sa = v.shape(a);
    let (outer, lin, inner) = sa.split_at_axis(axis as usize);
    let len = out.dim(axis as usize);
    let start = start as usize;
    if let Some(ga) = g.get(a) {
        for o in 0..outer {
            add_into(
                &mut ga[(o * lin + start) * inner..(o * lin + start + len) * inner],
                &gout[o * len * inner..(o + 1) * len * inner],
            );
        }
    }
}

/// Each parent gets its block of g.
pub(crate) fn backward_concat<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    parents: &[usize],
    axis: u8,
) {
    let axis = axis as usize;
    let s0 = v.shape(parents[0] as u32);
    let (outer, _, inner) = s0.split_at_axis(axis);
    let row: usize = parents
        .iter()
        .map(|&p| v.shape(p as u32).dim(axis) * inner)
        .sum();
    let mut col = 0;
    for &p in parents {
        let len = v.shape(p as u32).dim(axis) * inner;
        if let Some(gp) = g.get(p as u32) {
            for o in 0..outer {
                add_into(
                    &mut gp[o * len..(o + 1) * len],
                    &gout[o * row + col..o * row + col + len],
                );
            }
        }
        col += len;
    }
}

/// ∂x[rows[k]] += g[k] (scatter-add).
pub(crate) fn backward_index_select<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    a: u32,
    rows: &[usize],
) {
    let sa = v.shape(a);
    let w = sa.numel() / sa.dim(0).max(1);
    if let Some(ga) = g.get(a) {
        for (k, &r) in rows.iter().enumerate() {
            add_into(&mut ga[r * w..(r + 1) * w], &gout[k * w..(k + 1) * w]);
        }
    }
}

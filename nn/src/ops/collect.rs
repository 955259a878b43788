//! Collect: equal-length blocks of other nodes' values stacked into one tensor, optionally with
//! rows zeroed by a mask (the recurrent functions' outputs and final states: each step's `h` read
//! out of its record, padded steps zero).

use super::Op;
use crate::graph::Grads;
use crate::{Element, Graph, NodeId, Shape};

impl<F: Element> Graph<F> {
    /// Records `out = [parts[0] | parts[1] | ...]` of shape `dims`, part `k` being the `len`
    /// values of node `parts[k].0` from offset `parts[k].1`. With `mask = Some((flags, width))`
    /// the output's rows of `width` elements whose flag is false are zero and pass no gradient.
    pub(crate) fn collect(
        &mut self,
        parts: &[(u32, usize)],
        len: usize,
        dims: &[usize],
        mask: Option<(&[bool], usize)>,
    ) -> NodeId {
        let shape = Shape::new(dims);
        assert_eq!(shape.numel(), parts.len() * len, "collect: sizes differ");
        for &(p, off) in parts {
            assert!(
                off + len <= self.metas[p as usize].shape.numel(),
                "collect: block out of range"
            );
        }
        let width = match mask {
            Some((flags, w)) => {
                assert!(
                    w > 0 && flags.len() * w == shape.numel(),
                    "collect: mask size"
                );
                w
            }
            None => 0,
        };
        let nodes: Vec<u32> = parts.iter().map(|&(p, _)| p).collect();
        let rg = self.rg(&nodes);
        let n = self.push(
            Op::Collect {
                parts: parts.len() as u32,
                len: len as u32,
                width: width as u32,
            },
            shape,
            rg,
        );
        let mut list = std::mem::take(&mut self.idx[n as usize]);
        list.clear();
        for &(p, off) in parts {
            list.push(p as usize);
            list.push(off);
        }
        if let Some((flags, _)) = mask {
            list.extend(flags.iter().map(|&f| f as usize));
        }
        let (v, y) = self.split(n);
        for (k, &(p, off)) in parts.iter().enumerate() {
            y[k * len..(k + 1) * len].copy_from_slice(&v.get(p)[off..off + len]);
        }
        if let Some((flags, w)) = mask {
            for (row, &f) in y.chunks_exact_mut(w).zip(flags) {
                if !f {
                    row.iter_mut().for_each(|x| *x = F::zero());
                }
            }
        }
        self.idx[n as usize] = list;
        self.id(n)
    }
}

/// ∂parts[k][off..off + len] += g[k·len..(k + 1)·len], skipping masked rows.
pub(crate) fn backward<F: Element>(
    g: &mut Grads<F>,
    gout: &[F],
    parts: u32,
    len: u32,
    width: u32,
    list: &[usize],
) {
    let (parts, len, width) = (parts as usize, len as usize, width as usize);
    let flags = &list[2 * parts..];
    for k in 0..parts {
        let (p, off) = (list[2 * k] as u32, list[2 * k + 1]);
        if let Some(gp) = g.get(p) {
            let src = &gout[k * len..(k + 1) * len];
            let dst = &mut gp[off..off + len];
            match (width > 0).then_some(width) {
                None => {
                    for (d, &s) in dst.iter_mut().zip(src) {
                        *d += s;
                    }
                }
                Some(w) => {
                    for (e, (d, &s)) in dst.iter_mut().zip(src).enumerate() {
                        if flags[(k * len + e) / w] != 0 {
                            *d += s;
                        }
                    }
                }
            }
        }
    }
}

//! Normalisation layers' ops, each one record with a fused backward: [`Graph::batch_norm`]
//! (statistics per channel, axis 1, over the batch and every trailing axis: `BatchNorm1d` on
//! `[n, c]` or `[n, c, l]`, `BatchNorm2d` on `[n, c, h, w]`) and [`Graph::layer_norm`]
//! (statistics per sample over the trailing axes).
//!
//! Both normalise groups of `m` values `x` as `x̂ = (x − μ) · r`, `r = 1/√(σ² + ε)` with the
//! biased variance `σ²`, then apply `y = x̂ · γ + β`. The backward pass is the closed form
//! `∂x = r · (d − mean(d) − x̂ · mean(d · x̂))` with `d = g · γ` for batch statistics, and
//! `∂x = r · d` for fixed (running) statistics; `∂γ = Σ g · x̂`, `∂β = Σ g`. The record keeps μ
//! and r per group (side buffer) and recomputes x̂ from the input.
//!
//! The closed forms are plain arithmetic, the chain rule's where every input, parameter and
//! upstream gradient is finite; otherwise the backward pass goes through the scalar computation
//! term by term with the chain rule's products, so that a zero factor gives the strong zeros of
//! `diffprog_dual::chain` as in every other kernel.

use super::{Op, NONE};
use crate::element::{all_finite, c};
use crate::graph::{Grads, Vals};
use crate::{Element, Graph, NodeId};

/// How a normalisation record groups its input: `outer × groups × inner` elements, group `k`
/// made of `x[o, k, i]` for every `o`, `i` (batch norm: `o` the sample, `k` the channel, `i`
/// the position; layer norm: [`Layout::of_rows`]).
#[derive(Clone, Copy, Debug)]
struct Layout {
    outer: usize,
    groups: usize,
    inner: usize,
}

impl Layout {
    /// Layer norm: each of `rows` contiguous rows of `len` elements is a group.
    fn of_rows(rows: usize, len: usize) -> Self {
        Layout {
            outer: 1,
            groups: rows,
            inner: len,
        }
    }
    /// Elements per group.
    fn count(&self) -> usize {
        self.outer * self.inner
    }
    /// Calls `f(k, block)` for every contiguous block of group `k`'s elements (offset into the
    /// data, length `inner`).
    #[inline]
    fn blocks(&self, mut f: impl FnMut(usize, usize)) {
        for o in 0..self.outer {
            for k in 0..self.groups {
                f(k, (o * self.groups + k) * self.inner);
            }
        }
    }
}

/// The statistics a record keeps per group: μ, r = 1/√(σ² + ε), the biased variance σ² and
/// σ² + ε (`[μ.., r.., σ².., σ² + ε..]`).
const STATS: usize = 4;

/// The statistics ([`STATS`]) of every group, into `stats`.
fn group_stats<F: Element>(x: &[F], lay: Layout, eps: F, stats: &mut Vec<F>) {
    let (g, inner) = (lay.groups, lay.inner);
    let count = c::<F>(lay.count() as f64);
    stats.clear();
    stats.resize(STATS * g, F::zero());
    let (mean, rest) = stats.split_at_mut(g);
    let (rstd, rest) = rest.split_at_mut(g);
    let (var, ve) = rest.split_at_mut(g);
    lay.blocks(|k, off| {
        mean[k] += x[off..off + inner].iter().fold(F::zero(), |a, &v| a + v);
    });
    mean.iter_mut().for_each(|m| *m /= count);
    lay.blocks(|k, off| {
        let m = mean[k];
        var[k] += x[off..off + inner]
            .iter()
            .fold(F::zero(), |a, &v| a + (v - m) * (v - m));
    });
    for ((r, v), e) in rstd.iter_mut().zip(var.iter_mut()).zip(ve.iter_mut()) {
        *v /= count;
        *e = *v + eps;
        *r = F::one() / e.sqrt();
    }
}

/// `y = (x − μ) · r · γ + β` per element, `γ`, `β` indexed by `affine(k, i)` (group k, position
/// i in the block) — a channel for batch norm, a position for layer norm.
#[allow(clippy::too_many_arguments)]
fn normalise<F: Element>(
    x: &[F],
    y: &mut [F],
    lay: Layout,
    mean: &[F],
    rstd: &[F],
    gamma: Option<&[F]>,
    beta: Option<&[F]>,
    per_channel: bool,
) {
    let inner = lay.inner;
    lay.blocks(|k, off| {
        for i in 0..inner {
            let a = if per_channel { k } else { i };
            let mut v = (x[off + i] - mean[k]) * rstd[k];
            if let Some(gm) = gamma {
                v *= gm[a];
            }
            if let Some(b) = beta {
                v += b[a];
            }
            y[off + i] = v;
        }
    });
}

impl<F: Element> Graph<F> {
    /// Batch normalisation (PyTorch's `F.batch_norm`) of `x: [n, c, ..]` per channel (axis 1),
    /// over the batch and every trailing axis: `BatchNorm1d` on `[n, c]` or `[n, c, l]`,
    /// `BatchNorm2d` on `[n, c, h, w]`. `weight` and `bias` (`[c]`, optional) are the affine
    /// γ and β; `running` is `(running_mean, running_var)`, `c` values each.
    ///
    /// - Train mode ([`Graph::is_training`]): normalises by the batch's mean and biased variance
    ///   and, if `running` is given, updates it in place with `momentum`:
    ///   `mean ← (1 − momentum) · mean + momentum · μ`, and likewise the variance with the
    ///   batch's *unbiased* variance (`m/(m − 1) · σ²`, m values per channel), as PyTorch.
    ///   Gradients flow through the statistics.
    /// - Eval mode: normalises by the running statistics (required), which are not changed; the
    ///   op is then affine per channel.
    ///
    /// PyTorch's defaults are `momentum = 0.1`, `eps = 1e-5`.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 10.0, 3.0, 30.0], &[2, 2]); // two samples, two channels
    /// let (mut mean, mut var) = (vec![0.0; 2], vec![1.0; 2]);
    /// let y = g.batch_norm(x, None, None, Some((&mut mean, &mut var)), 0.1, 0.0);
    /// assert_eq!(g.value(y), &[-1.0, -1.0, 1.0, 1.0]);
    /// // running mean 0.9·0 + 0.1·(2, 20); running variance 0.9·1 + 0.1·(2, 200) (unbiased)
    /// assert!((mean[1] - 2.0).abs() < 1e-12 && (var[1] - 20.9).abs() < 1e-12);
    /// g.set_training(false);
    /// let z = g.batch_norm(x, None, None, Some((&mut mean, &mut var)), 0.1, 0.0);
    /// assert!((g.value(z)[1] - (10.0 - 2.0) / 20.9_f64.sqrt()).abs() < 1e-12);
    /// ```
    ///
    /// # Panics
    /// If `x` has fewer than 2 axes, `weight`, `bias` or the running statistics do not have
    /// one value per channel, in train mode a channel has a single value (n · trailing = 1),
    /// or in eval mode `running` is `None`.
    pub fn batch_norm(
        &mut self,
        x: NodeId,
        weight: Option<NodeId>,
        bias: Option<NodeId>,
        running: Option<(&mut [F], &mut [F])>,
        momentum: f64,
        eps: f64,
    ) -> NodeId {
        const WHAT: &str = "batch_norm";
        let xi = self.check(x);
        let sx = self.metas[xi as usize].shape;
        assert!(
            sx.ndim() >= 2,
            "{WHAT}: x must be [n, c, ..], got shape {sx:?}"
        );
        let (outer, groups, inner) = sx.split_at_axis(1);
        let lay = Layout {
            outer,
            groups,
            inner,
        };
        let wi = self.affine_param(WHAT, "weight", weight, groups);
        let bi = self.affine_param(WHAT, "bias", bias, groups);
        let training = self.is_training();
        if let Some((m, v)) = &running {
            assert!(
                m.len() == groups && v.len() == groups,
                "{WHAT}: running statistics of {} and {} values for {groups} channels",
                m.len(),
                v.len()
            );
        }
        assert!(
            training || running.is_some(),
            "{WHAT}: eval mode normalises by the running statistics; none were given"
        );
        let count = lay.count();
        assert!(
            !training || count > 1,
            "{WHAT}: train mode needs more than one value per channel, got shape {sx:?}"
        );
        let rg = self.rg(&[xi, wi, bi]);
        let n = self.push(
            Op::Norm {
                x: xi,
                w: wi,
                b: bi,
                batch_stats: training,
                per_channel: true,
            },
            sx,
            rg,
        );
        let eps_f: F = c(eps);
        let mut stats = std::mem::take(&mut self.aux[n as usize]);
        {
            let (v, y) = self.split(n);
            let xv = v.get(xi);
            if training {
                group_stats(xv, lay, eps_f, &mut stats);
                if let Some((rm, rv)) = running {
                    let (mo, keep) = (c::<F>(momentum), c::<F>(1.0 - momentum));
                    let unbias = c::<F>(count as f64 / (count as f64 - 1.0));
                    for k in 0..groups {
                        rm[k] = keep * rm[k] + mo * stats[k];
                        rv[k] = keep * rv[k] + mo * (stats[2 * groups + k] * unbias);
                    }
                }
            } else {
                let (rm, rv) = running.expect("checked above");
                stats.clear();
                stats.extend_from_slice(rm);
                stats.extend(rv.iter().map(|&s| F::one() / (s + eps_f).sqrt()));
                stats.extend_from_slice(rv);
                stats.extend(rv.iter().map(|&s| s + eps_f));
            }
            let (mean, rest) = stats.split_at(groups);
            let rstd = &rest[..groups];
            let gamma = (wi != NONE).then(|| v.get(wi));
            let beta = (bi != NONE).then(|| v.get(bi));
            normalise(xv, y, lay, mean, rstd, gamma, beta, true);
        }
        self.aux[n as usize] = stats;
        self.id(n)
    }

    /// Layer normalisation (PyTorch's `F.layer_norm`) over the trailing axes
    /// `normalized_shape` of `x`: each sample's last `normalized_shape.len()` axes are
    /// normalised by their own mean and biased variance, then scaled by `weight` and shifted by
    /// `bias` (both of shape `normalized_shape`, optional). The same in train and eval mode.
    ///
    /// ```
    /// use diffprog_nn::Graph;
    /// let mut g = Graph::<f64>::new();
    /// let x = g.leaf(&[1.0, 3.0, 10.0, 30.0], &[2, 2]);
    /// let y = g.layer_norm(x, &[2], None, None, 0.0);
    /// assert_eq!(g.value(y), &[-1.0, 1.0, -1.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// If `normalized_shape` is not the trailing axes of `x`, or `weight`/`bias` do not have
    /// its number of elements.
    pub fn layer_norm(
        &mut self,
        x: NodeId,
        normalized_shape: &[usize],
        weight: Option<NodeId>,
        bias: Option<NodeId>,
        eps: f64,
    ) -> NodeId {
        const WHAT: &str = "layer_norm";
        let xi = self.check(x);
        let sx = self.metas[xi as usize].shape;
        let k = normalized_shape.len();
        assert!(
            k <= sx.ndim() && sx.dims()[sx.ndim() - k..] == *normalized_shape,
            "{WHAT}: normalized_shape {normalized_shape:?} is not the trailing axes of {sx:?}"
        );
        let len: usize = normalized_shape.iter().product();
        assert!(
            len > 0,
            "{WHAT}: normalized_shape {normalized_shape:?} is empty"
        );
        let lay = Layout::of_rows(sx.numel() / len, len);
        let wi = self.affine_param(WHAT, "weight", weight, len);
        let bi = self.affine_param(WHAT, "bias", bias, len);
        let rg = self.rg(&[xi, wi, bi]);
        let n = self.push(
            Op::Norm {
                x: xi,
                w: wi,
                b: bi,
                batch_stats: true,
                per_channel: false,
            },
            sx,
            rg,
        );
        let mut stats = std::mem::take(&mut self.aux[n as usize]);
        {
            let (v, y) = self.split(n);
            let xv = v.get(xi);
            group_stats(xv, lay, c(eps), &mut stats);
            let (mean, rest) = stats.split_at(lay.groups);
            let rstd = &rest[..lay.groups];
            let gamma = (wi != NONE).then(|| v.get(wi));
            let beta = (bi != NONE).then(|| v.get(bi));
            normalise(xv, y, lay, mean, rstd, gamma, beta, false);
        }
        self.aux[n as usize] = stats;
        self.id(n)
    }

    /// The node index of an optional affine parameter with `len` elements (or `NONE`).
    fn affine_param(&self, what: &str, name: &str, p: Option<NodeId>, len: usize) -> u32 {
        match p {
            None => NONE,
            Some(p) => {
                let i = self.check(p);
                let s = self.metas[i as usize].shape;
                assert!(
                    s.numel() == len,
                    "{what}: {name} has shape {s:?} but needs {len} elements"
                );
                i
            }
        }
    }
}

/// The backward rule of a normalisation record (see the module docs for the formulas). `side`
/// holds the forward pass's statistics ([`STATS`] per group); two sums per group are appended
/// to it. With an infinite or NaN input, weight or upstream gradient, the rule goes through
/// the scalar computation term by term ([`Group::backward_chain`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    side: &mut Vec<F>,
    x: u32,
    w: u32,
    b: u32,
    batch_stats: bool,
    per_channel: bool,
) {
    let sx = v.shape(x);
    let lay = if per_channel {
        let (outer, groups, inner) = sx.split_at_axis(1);
        Layout {
            outer,
            groups,
            inner,
        }
    } else {
        let groups = side.len() / STATS;
        Layout::of_rows(groups, sx.numel() / groups.max(1))
    };
    let (groups, inner) = (lay.groups, lay.inner);
    side.resize((STATS + 2) * groups, F::zero());
    let (stats, scratch) = side.split_at_mut(STATS * groups);
    let (mean, rest) = stats.split_at(groups);
    let (rstd, ve) = (&rest[..groups], &rest[2 * groups..3 * groups]);
    let xv = v.get(x);
    let gamma = (w != NONE).then(|| v.get(w));
    if !(all_finite(xv) && all_finite(gout) && gamma.is_none_or(all_finite)) {
        let gm = Group {
            lay,
            mean,
            rstd,
            ve,
            x: xv,
            gout,
            gamma,
            per_channel,
        };
        return gm.backward_chain(g, scratch, x, w, b, batch_stats);
    }
    let affine = |k: usize, i: usize| if per_channel { k } else { i };
    if let Some(gb) = g.get(b) {
        lay.blocks(|k, off| {
            for i in 0..inner {
                gb[affine(k, i)] += gout[off + i];
            }
        });
    }
    if let Some(gw) = g.get(w) {
        lay.blocks(|k, off| {
            for i in 0..inner {
                gw[affine(k, i)] += gout[off + i] * (xv[off + i] - mean[k]) * rstd[k];
            }
        });
    }
    if let Some(gx) = g.get(x) {
        // d = g · γ; per group: Σ d and Σ d · x̂
        let d = |k: usize, i: usize, off: usize| match gamma {
            Some(gm) => gout[off + i] * gm[affine(k, i)],
            None => gout[off + i],
        };
        if batch_stats {
            scratch.fill(F::zero());
            let (sum_d, sum_dx) = scratch.split_at_mut(groups);
            lay.blocks(|k, off| {
                for i in 0..inner {
                    let dd = d(k, i, off);
                    sum_d[k] += dd;
                    sum_dx[k] += dd * (xv[off + i] - mean[k]) * rstd[k];
                }
            });
            let inv_m = F::one() / c::<F>(lay.count() as f64);
            lay.blocks(|k, off| {
                let (md, mdx) = (sum_d[k] * inv_m, sum_dx[k] * inv_m);
                for i in 0..inner {
                    let xhat = (xv[off + i] - mean[k]) * rstd[k];
                    gx[off + i] += rstd[k] * (d(k, i, off) - md - xhat * mdx);
                }
            });
        } else {
            lay.blocks(|k, off| {
                for i in 0..inner {
                    gx[off + i] += rstd[k] * d(k, i, off);
                }
            });
        }
    }
}

/// One normalisation record's data, for [`Group::backward_chain`].
struct Group<'a, F> {
    lay: Layout,
    mean: &'a [F],
    rstd: &'a [F],
    ve: &'a [F],
    x: &'a [F],
    gout: &'a [F],
    gamma: Option<&'a [F]>,
    per_channel: bool,
}

impl<F: Element> Group<'_, F> {
    /// The chain rule through the scalar computation of the forward pass, term by term, with
    /// the chain rule's products ([`Element::chain`]) and the rule table's √′, in the order the
    /// scalar tape takes it (for batch statistics): `μ = Σx / m`, `σ² = Σ (x − μ)(x − μ) / m`,
    /// `r = 1 / √(σ² + ε)`, `y = (x − μ) · r · γ + β`. So a zero upstream gradient or a zero
    /// factor contributes exactly 0 where the other factor is ±∞ or NaN.
    fn backward_chain(
        &self,
        g: &mut Grads<F>,
        scratch: &mut [F],
        x: u32,
        w: u32,
        b: u32,
        batch_stats: bool,
    ) {
        let Group {
            lay,
            mean,
            rstd,
            ve,
            x: xv,
            gout,
            gamma,
            per_channel,
        } = *self;
        let inner = lay.inner;
        let affine = |k: usize, i: usize| if per_channel { k } else { i };
        let diff = |k: usize, o: usize| xv[o] - mean[k];
        if let Some(gb) = g.get(b) {
            lay.blocks(|k, off| {
                for i in 0..inner {
                    gb[affine(k, i)] += gout[off + i];
                }
            });
        }
        if let Some(gw) = g.get(w) {
            lay.blocks(|k, off| {
                for i in 0..inner {
                    let xhat = diff(k, off + i) * rstd[k];
                    gw[affine(k, i)] += F::chain(xhat, gout[off + i]);
                }
            });
        }
        let Some(gx) = g.get(x) else { return };
        // ∂L/∂x̂
        let adj_xhat = |k: usize, i: usize, off: usize| match gamma {
            Some(gm) => F::chain(gm[affine(k, i)], gout[off + i]),
            None => gout[off + i],
        };
        if !batch_stats {
            lay.blocks(|k, off| {
                for i in 0..inner {
                    gx[off + i] += F::chain(rstd[k], adj_xhat(k, i, off));
                }
            });
            return;
        }
        let groups = lay.groups;
        let (adj_r, adj_mean) = scratch.split_at_mut(groups);
        adj_r.fill(F::zero());
        adj_mean.fill(F::zero());
        // x̂ = (x − μ) · r
        lay.blocks(|k, off| {
            for i in 0..inner {
                adj_r[k] += F::chain(diff(k, off + i), adj_xhat(k, i, off));
            }
        });
        let inv_m = F::one() / c::<F>(lay.count() as f64);
        // r = 1/s (partial −r·r), s = √(σ² + ε), σ² = Σ/m: ∂L/∂Σ(x − μ)² per group, in adj_r
        for k in 0..groups {
            let adj_s = F::chain(-(rstd[k] * rstd[k]), adj_r[k]);
            let adj_ve = F::chain(super::Unary::Sqrt.value_and_derivative(ve[k]).1, adj_s);
            adj_r[k] = F::chain(inv_m, adj_ve);
        }
        // each (x − μ): from x̂ and twice from the square; μ gets the negated sum
        lay.blocks(|k, off| {
            for i in 0..inner {
                let o = off + i;
                let sq = F::chain(diff(k, o), adj_r[k]);
                let direct = F::chain(rstd[k], adj_xhat(k, i, off)) + sq + sq;
                gx[o] += direct;
                adj_mean[k] -= direct;
            }
        });
        // μ = Σx / m
        lay.blocks(|k, off| {
            let adj_sum = F::chain(inv_m, adj_mean[k]);
            for d in &mut gx[off..off + inner] {
                *d += adj_sum;
            }
        });
    }
}

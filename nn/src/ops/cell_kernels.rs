//! The forward and backward kernels of a recurrent cell step (see [`recurrent`](super::recurrent)
//! for the formulas and the record's layout).
//!
//! The forward kernel evaluates every gate's activation once, with its derivative, by the
//! slice forms of the rule table ([`rules::sigmoid_slice`], [`rules::tanh_slice`], ...: σ′ and
//! tanh′ in their non-cancelling forms, one vectorised exponential per element), and keeps
//! values and derivatives in the record's side buffer; the backward kernel is then products and
//! GEMMs only. Side buffer, with `n = B·H`:
//!
//! - RNN: pre-activations `n`, derivatives `n`;
//! - LSTM: gate values `4n` (i, f, g, o blocks per row), their derivatives `4n`, `tanh c'` and
//!   its derivative `n` each, one row of scratch (`4H`);
//! - GRU: `gi` and `gh` (`3n` each; `gh`'s n block is needed by the backward pass), gate values
//!   (r, z, n) `3n`, their derivatives `3n`, `1 − z = σ(−a_z)` `n`, one row of scratch (`3H`).
//!
//! The backward pass appends its own scratch (the gates' gradients, the direct state gradients).
//!
//! With a row mask whose active rows come first (the lengths sorted longest first, as
//! `pack_padded_sequence` wants them), the GEMMs of both passes run on the active rows only:
//! the rows whose sequence has ended cost nothing.

use super::recurrent::{CellKind, Nonlinearity, Step};
use super::{Unary, NONE};
use crate::element::{all_finite, gemm_chain_known};
use crate::graph::{Grads, Vals};
use crate::Element;
use diffprog_dual::rules;

/// The rows the GEMMs compute: all `B`, or the active rows when they are a prefix.
fn computed_rows(st: &Step) -> usize {
    match st.mask {
        None => st.b,
        Some(m) => {
            let active = m.iter().take_while(|&&f| f != 0).count();
            if m[active..].iter().all(|&f| f == 0) {
                active
            } else {
                st.b
            }
        }
    }
}

/// The length of the side buffer the forward kernel fills.
pub(super) fn forward_len(kind: CellKind, b: usize, hid: usize) -> usize {
    let n = b * hid;
    match kind {
        CellKind::Rnn(_) => 2 * n,
        CellKind::Lstm => 10 * n + 4 * hid,
        CellKind::Gru => 13 * n + 3 * hid,
    }
}

/// `rows ← bias (+ bias2)` per row (zero without biases), then `rows += inp · wᵀ`.
#[allow(clippy::too_many_arguments)]
fn affine<F: Element>(
    rows: &mut [F],
    b: usize,
    k: usize,
    gh: usize,
    inp: &[F],
    w: &[F],
    bias: Option<&[F]>,
    bias2: Option<&[F]>,
) {
    for row in rows.chunks_exact_mut(gh) {
        match (bias, bias2) {
            (Some(p), Some(q)) => {
                for ((o, &u), &v) in row.iter_mut().zip(p).zip(q) {
                    *o = u + v;
                }
            }
            (Some(p), None) | (None, Some(p)) => row.copy_from_slice(p),
            (None, None) => row.iter_mut().for_each(|o| *o = F::zero()),
        }
    }
    F::gemm(b, k, gh, F::one(), inp, false, w, true, F::one(), rows);
}

/// The previous state's row `r` (zeros without a state).
fn copy_row<F: Element>(dst: &mut [F], src: Option<&[F]>, r: usize, hid: usize) {
    match src {
        Some(s) => dst.copy_from_slice(&s[r * hid..(r + 1) * hid]),
        None => dst.iter_mut().for_each(|o| *o = F::zero()),
    }
}

/// The forward kernel: activations with their derivatives into `side` (see the module docs),
/// the new state into `y`.
pub(super) fn cell_forward<F: Element>(
    v: &Vals<F>,
    y: &mut [F],
    side: &mut [F],
    st: &Step,
    kind: CellKind,
    gh: usize,
) {
    let (b, hid, n) = (st.b, st.hid, st.b * st.hid);
    let m = computed_rows(st);
    let get = |p: u32| (p != NONE).then(|| v.get(p));
    let xv = &v.get(st.x)[st.x_off..st.x_off + m * st.i];
    let hv = get(st.h).map(|h| &h[st.h_off..st.h_off + b * hid]);
    let cv = get(st.c).map(|c| &c[st.c_off..st.c_off + b * hid]);
    let (wih, whh) = (v.get(st.w_ih), v.get(st.w_hh));
    let (bih, bhh) = (get(st.b_ih), get(st.b_hh));
    let zero = F::zero();
    let rows = |r: usize| r * hid..(r + 1) * hid;
    let gates = |r: usize| r * gh..(r + 1) * gh;
    // the gate pre-activations of the computed rows, into `pre`
    let pre_activations = |pre: &mut [F]| {
        affine(&mut pre[..m * gh], m, st.i, gh, xv, wih, bih, bhh);
        if let Some(h) = hv {
            let h = &h[..m * hid];
            F::gemm(
                m,
                hid,
                gh,
                F::one(),
                h,
                false,
                whh,
                true,
                F::one(),
                &mut pre[..m * gh],
            );
        }
    };
    match kind {
        CellKind::Rnn(act) => {
            let (pre, der) = side.split_at_mut(n);
            pre_activations(pre);
            for r in 0..b {
                let (o, a, d) = (&mut y[rows(r)], &pre[rows(r)], &mut der[rows(r)]);
                if !st.active(r) {
                    copy_row(o, hv, r, hid);
                    continue;
                }
                match act {
                    Nonlinearity::Tanh => rules::tanh_slice(a, o, d),
                    Nonlinearity::Relu => {
                        for ((o, d), &a) in o.iter_mut().zip(d.iter_mut()).zip(a) {
                            (*o, *d) = Unary::<F>::Relu.value_and_derivative(a);
                        }
                    }
                }
            }
        }
        CellKind::Lstm => {
            let (act, rest) = side.split_at_mut(4 * n);
            let (der, rest) = rest.split_at_mut(4 * n);
            let (tc, rest) = rest.split_at_mut(n);
            let (dtc, scratch) = rest.split_at_mut(n);
            pre_activations(act);
            let (yh, yc) = y.split_at_mut(n);
            for r in 0..b {
                if !st.active(r) {
                    copy_row(&mut yh[rows(r)], hv, r, hid);
                    copy_row(&mut yc[rows(r)], cv, r, hid);
                    continue;
                }
                let (a, d) = (&mut act[gates(r)], &mut der[gates(r)]);
                scratch.copy_from_slice(a);
                let (sif, s) = scratch.split_at(2 * hid);
                let (sg, so) = s.split_at(hid);
                let (aif, a) = a.split_at_mut(2 * hid);
                let (ag, ao) = a.split_at_mut(hid);
                let (dif, d) = d.split_at_mut(2 * hid);
                let (dg, dout) = d.split_at_mut(hid);
                rules::sigmoid_slice(sif, aif, dif);
                rules::tanh_slice(sg, ag, dg);
                rules::sigmoid_slice(so, ao, dout);
                let (ai, af) = aif.split_at(hid);
                let c1 = &mut yc[rows(r)];
                match cv {
                    Some(c) => {
                        let c = &c[rows(r)];
                        for j in 0..hid {
                            c1[j] = af[j] * c[j] + ai[j] * ag[j];
                        }
                    }
                    None => {
                        for j in 0..hid {
                            c1[j] = af[j] * zero + ai[j] * ag[j];
                        }
                    }
                }
                let (t, dt) = (&mut tc[rows(r)], &mut dtc[rows(r)]);
                rules::tanh_slice(c1, t, dt);
                for ((h, &o), &t) in yh[rows(r)].iter_mut().zip(&*ao).zip(&*t) {
                    *h = o * t;
                }
            }
        }
        CellKind::Gru => {
            let (gi, rest) = side.split_at_mut(3 * n);
            let (ghh, rest) = rest.split_at_mut(3 * n);
            let (act, rest) = rest.split_at_mut(3 * n);
            let (der, rest) = rest.split_at_mut(3 * n);
            let (omz, scratch) = rest.split_at_mut(n);
            affine(&mut gi[..m * gh], m, st.i, gh, xv, wih, bih, None);
            match hv {
                Some(h) => affine(
                    &mut ghh[..m * gh],
                    m,
                    hid,
                    gh,
                    &h[..m * hid],
                    whh,
                    bhh,
                    None,
                ),
                None => {
                    for row in ghh[..m * gh].chunks_exact_mut(gh) {
                        match bhh {
                            Some(p) => row.copy_from_slice(p),
                            None => row.iter_mut().for_each(|o| *o = zero),
                        }
                    }
                }
            }
            for r in 0..b {
                if !st.active(r) {
                    copy_row(&mut y[rows(r)], hv, r, hid);
                    continue;
                }
                let (gir, ghr) = (&gi[gates(r)], &ghh[gates(r)]);
                let (a, d) = (&mut act[gates(r)], &mut der[gates(r)]);
                let (s_rz, s_n) = scratch.split_at_mut(2 * hid);
                for ((s, &p), &q) in s_rz.iter_mut().zip(gir).zip(ghr) {
                    *s = p + q;
                }
                let (ar, a) = a.split_at_mut(hid);
                let (az, an) = a.split_at_mut(hid);
                let (dr, d) = d.split_at_mut(hid);
                let (dz, dn) = d.split_at_mut(hid);
                let omz = &mut omz[rows(r)];
                rules::sigmoid_slice(&s_rz[..hid], ar, dr);
                rules::sigmoid_slice_with_complement(&s_rz[hid..], az, omz, dz);
                for j in 0..hid {
                    s_n[j] = gir[2 * hid + j] + ar[j] * ghr[2 * hid + j];
                }
                rules::tanh_slice(s_n, an, dn);
                let o = &mut y[rows(r)];
                match hv {
                    Some(h) => {
                        let h = &h[rows(r)];
                        for j in 0..hid {
                            o[j] = omz[j] * an[j] + az[j] * h[j];
                        }
                    }
                    None => {
                        for j in 0..hid {
                            o[j] = omz[j] * an[j] + az[j] * zero;
                        }
                    }
                }
            }
        }
    }
}

/// Column sums of `d` (`rows × n`) added into `acc`.
fn add_column_sums<F: Element>(acc: &mut [F], d: &[F], n: usize) {
    for row in d.chunks_exact(n) {
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += v;
        }
    }
}

/// The backward rule of a step: the gate pre-activations' gradients from the derivatives the
/// forward kernel kept, then `∂x += dgi·W_ih`, `∂W_ih += dgiᵀ·x`, `∂b_ih += Σ dgi`, and the
/// same with `dgh`, `h`, `W_hh`, `b_hh` (`dgi = dgh` except for the GRU's n gate), plus the
/// direct paths `∂c += f⊙∂c'` (LSTM) and `∂h += z⊙∂h'` (GRU); the products are the chain
/// rule's. Inactive rows pass their state's gradient through and contribute nothing else.
pub(crate) fn backward<F: Element>(
    v: &Vals<F>,
    g: &mut Grads<F>,
    gout: &[F],
    side: &mut Vec<F>,
    list: &[usize],
    kind: CellKind,
) {
    let st = Step::read(list);
    let (b, hid, n) = (st.b, st.hid, st.b * st.hid);
    let m = computed_rows(&st);
    let gh = kind.gates() * hid;
    let gru = kind == CellKind::Gru;
    let zero = F::zero();
    let fwd = forward_len(kind, b, hid);
    let dsize = if gru { 2 } else { 1 } * b * gh;
    let len = fwd + dsize + 2 * n;
    if side.len() < len {
        side.resize(len, zero);
    }
    let (saved, scratch) = side[..len].split_at_mut(fwd);
    let (dgates, direct) = scratch.split_at_mut(dsize);
    let (dh_direct, dc_direct) = direct.split_at_mut(n);
    let get = |p: u32| (p != NONE).then(|| v.get(p));
    let hv = get(st.h).map(|h| &h[st.h_off..st.h_off + b * hid]);
    let cv = get(st.c).map(|c| &c[st.c_off..st.c_off + b * hid]);
    let ch = F::chain;
    let rows = |r: usize| r * hid..(r + 1) * hid;
    let gates = |r: usize| r * gh..(r + 1) * gh;
    for r in 0..b {
        if !st.active(r) {
            dh_direct[rows(r)].copy_from_slice(&gout[rows(r)]);
            match kind {
                CellKind::Lstm => {
                    dc_direct[rows(r)].copy_from_slice(&gout[n + r * hid..n + (r + 1) * hid])
                }
                _ => dc_direct[rows(r)].fill(zero),
            }
            dgates[gates(r)].fill(zero);
            if gru {
                dgates[b * gh + r * gh..b * gh + (r + 1) * gh].fill(zero);
            }
            continue;
        }
        let dh = &gout[rows(r)];
        match kind {
            CellKind::Rnn(_) => {
                let der = &saved[n + r * hid..n + (r + 1) * hid];
                for ((o, &d), &g) in dgates[gates(r)].iter_mut().zip(der).zip(dh) {
                    *o = ch(d, g);
                }
                dh_direct[rows(r)].fill(zero);
                dc_direct[rows(r)].fill(zero);
            }
            CellKind::Lstm => {
                let (act, rest) = saved.split_at(4 * n);
                let (der, rest) = rest.split_at(4 * n);
                let (tc, dtc) = rest.split_at(n);
                let (tc, dtc) = (&tc[rows(r)], &dtc[rows(r)]);
                let (a, d) = (&act[gates(r)], &der[gates(r)]);
                let (ai, a) = a.split_at(hid);
                let (af, a) = a.split_at(hid);
                let (ag, ao) = a.split_at(hid);
                let (di, d) = d.split_at(hid);
                let (df, d) = d.split_at(hid);
                let (dg, dout) = d.split_at(hid);
                let dc_out = &gout[n + r * hid..n + (r + 1) * hid];
                let out = &mut dgates[gates(r)];
                let (oi, out) = out.split_at_mut(hid);
                let (of, out) = out.split_at_mut(hid);
                let (og, oo) = out.split_at_mut(hid);
                // the previous c (zeros without one: the zero row of ∂h's direct part)
                let dhd = &mut dh_direct[rows(r)];
                dhd.fill(zero);
                let cp: &[F] = cv.map_or(&*dhd, |c| &c[rows(r)]);
                let dcd = &mut dc_direct[rows(r)];
                // short loops over zipped rows, each vectorised; `dcd` holds ∂c' in full
                // (∂c' + tanh′(c')·o·∂h') until its last loop turns it into f·∂c'
                for ((((t, &c), &d), &o), &g) in dcd.iter_mut().zip(dc_out).zip(dtc).zip(ao).zip(dh)
                {
                    *t = c + ch(d, ch(o, g));
                }
                for (((o, &d), &a), &t) in oi.iter_mut().zip(di).zip(ag).zip(&*dcd) {
                    *o = ch(d, ch(a, t));
                }
                for (((o, &d), &c), &t) in of.iter_mut().zip(df).zip(cp).zip(&*dcd) {
                    *o = ch(d, ch(c, t));
                }
                for (((o, &d), &a), &t) in og.iter_mut().zip(dg).zip(ai).zip(&*dcd) {
                    *o = ch(d, ch(a, t));
                }
                for (((o, &d), &t), &g) in oo.iter_mut().zip(dout).zip(tc).zip(dh) {
                    *o = ch(d, ch(t, g));
                }
                for (t, &f) in dcd.iter_mut().zip(af) {
                    *t = ch(f, *t);
                }
            }
            CellKind::Gru => {
                let (_, rest) = saved.split_at(3 * n);
                let (ghh, rest) = rest.split_at(3 * n);
                let (act, rest) = rest.split_at(3 * n);
                let (der, omz) = rest.split_at(3 * n);
                let ghn = &ghh[r * gh + 2 * hid..(r + 1) * gh];
                let omz = &omz[rows(r)];
                let (a, d) = (&act[gates(r)], &der[gates(r)]);
                let (ar, a) = a.split_at(hid);
                let (az, an) = a.split_at(hid);
                let (dr, d) = d.split_at(hid);
                let (dz, dn) = d.split_at(hid);
                let (di, dhh) = dgates.split_at_mut(b * gh);
                let (di, dhh) = (&mut di[gates(r)], &mut dhh[gates(r)]);
                let (di_r, di) = di.split_at_mut(hid);
                let (di_z, di_n) = di.split_at_mut(hid);
                let (dh_r, dhh) = dhh.split_at_mut(hid);
                let (dh_z, dh_n) = dhh.split_at_mut(hid);
                // the previous h (zeros without one: the zero row of ∂c's direct part)
                let dcd = &mut dc_direct[rows(r)];
                dcd.fill(zero);
                let hp: &[F] = hv.map_or(&*dcd, |h| &h[rows(r)]);
                let dhd = &mut dh_direct[rows(r)];
                // equal lengths, so the loop has no bounds checks and vectorises
                let (hp, dh, omz, ghn) = (&hp[..hid], &dh[..hid], &omz[..hid], &ghn[..hid]);
                let (ar, az, an, dr, dz, dn) = (
                    &ar[..hid],
                    &az[..hid],
                    &an[..hid],
                    &dr[..hid],
                    &dz[..hid],
                    &dn[..hid],
                );
                let (di_r, di_z, di_n) = (&mut di_r[..hid], &mut di_z[..hid], &mut di_n[..hid]);
                let (dh_r, dh_z, dh_n, dhd) = (
                    &mut dh_r[..hid],
                    &mut dh_z[..hid],
                    &mut dh_n[..hid],
                    &mut dhd[..hid],
                );
                for j in 0..hid {
                    // h' = (1 − z)·n + z·h
                    let adj_n = ch(omz[j], dh[j]);
                    let adj_z = ch(hp[j], dh[j]) - ch(an[j], dh[j]);
                    let dan = ch(dn[j], adj_n);
                    let adj_r = ch(ghn[j], dan);
                    let (dar, daz) = (ch(dr[j], adj_r), ch(dz[j], adj_z));
                    di_r[j] = dar;
                    di_z[j] = daz;
                    di_n[j] = dan;
                    dh_r[j] = dar;
                    dh_z[j] = daz;
                    dh_n[j] = ch(ar[j], dan);
                    dhd[j] = ch(az[j], dh[j]);
                }
            }
        }
    }
    // the GEMMs over the computed rows (the others' gate gradients are zero)
    let (dgi, dgh) = if gru {
        let (p, q) = dgates.split_at(b * gh);
        (&p[..m * gh], &q[..m * gh])
    } else {
        (&dgates[..m * gh], &dgates[..m * gh])
    };
    let xv = &v.get(st.x)[st.x_off..st.x_off + m * st.i];
    let (wih, whh) = (v.get(st.w_ih), v.get(st.w_hh));
    // each operand scanned once for the GEMMs it takes part in (see `gemm_chain`)
    let dgi_finite = all_finite(dgi);
    let dgh_finite = if gru { all_finite(dgh) } else { dgi_finite };
    if let Some(gb) = g.get(st.b_ih) {
        add_column_sums(gb, dgi, gh);
    }
    if let Some(gb) = g.get(st.b_hh) {
        add_column_sums(gb, dgh, gh);
    }
    if let Some(gw) = g.get(st.w_ih) {
        let finite = dgi_finite && all_finite(xv);
        gemm_chain_known(finite, gh, m, st.i, dgi, true, xv, false, gw);
    }
    if let Some(h) = hv
        && let Some(gw) = g.get(st.w_hh)
    {
        let h = &h[..m * hid];
        let finite = dgh_finite && all_finite(h);
        gemm_chain_known(finite, gh, m, hid, dgh, true, h, false, gw);
    }
    if let Some(gx) = g.get(st.x) {
        let gx = &mut gx[st.x_off..st.x_off + m * st.i];
        let finite = dgi_finite && all_finite(wih);
        gemm_chain_known(finite, m, gh, st.i, dgi, false, wih, false, gx);
    }
    if let Some(gs) = g.get(st.h) {
        let gs = &mut gs[st.h_off..st.h_off + b * hid];
        for (a, &d) in gs.iter_mut().zip(dh_direct.iter()) {
            *a += d;
        }
        let finite = dgh_finite && all_finite(whh);
        gemm_chain_known(
            finite,
            m,
            gh,
            hid,
            dgh,
            false,
            whh,
            false,
            &mut gs[..m * hid],
        );
    }
    if let Some(gs) = g.get(st.c) {
        let gs = &mut gs[st.c_off..st.c_off + b * hid];
        for (a, &d) in gs.iter_mut().zip(dc_direct.iter()) {
            *a += d;
        }
    }
}

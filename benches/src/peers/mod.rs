//! The peers in the benchmarks — num-dual, echidna and ad_trait — behind the feature `peers`
//! (`cargo run --release -p diffprog-benches --features peers --bin compare-modes`), so that
//! building the workspace's tests does not compile them (ad_trait alone pulls in bevy). Each
//! function appends the peers' modes for one question to diffprog's (see [`crate::modes`]).

pub mod ad_trait_peer;

use crate::modes::{Mode, MAX_N_LINEAR_PASSES, MAX_N_PEER_HESSIAN};
use crate::problems::{ScalarProblem, VectorProblem};
use nalgebra::DVector;
use num_dual::{Dual2DVec64, DualDVec64};
use std::cell::RefCell;

/// The peers' gradient modes.
pub fn gradient_modes<P: ScalarProblem>(modes: &mut Vec<Mode>, p: &P, x: &[f64]) {
    let n = p.n();
    let x = x.to_vec();
    if n <= MAX_N_LINEAR_PASSES {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("num-dual DualDVec", true, move || {
            let xv = DVector::from_vec(x.clone());
            let (_, g) = num_dual::gradient(|v: DVector<DualDVec64>| p.eval_nd(v.as_slice()), &xv);
            g.as_slice().to_vec()
        }));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("echidna Reverse", true, move || {
            echidna::grad(|v: &[echidna::Reverse<f64>]| p.eval_ec(v), &x)
        }));
    }
    {
        // Recorded once, replayed at the point: echidna's `record` and `gradient_with_buf`.
        let (tape, _) = echidna::record(|v: &[echidna::BReverse<f64>]| p.eval_ec(v), &x);
        let (tape, buf, x) = (RefCell::new(tape), RefCell::new(Vec::new()), x.clone());
        modes.push(Mode::new("echidna bytecode replay", true, move || {
            tape.borrow_mut()
                .gradient_with_buf(&x, &mut buf.borrow_mut())
        }));
    }
    modes.push(Mode::new(
        "ad_trait adr (reverse)",
        true,
        ad_trait_peer::gradient_reverse(p, x.clone()),
    ));
    if n <= MAX_N_LINEAR_PASSES {
        modes.push(Mode::new(
            "ad_trait adfn<8>",
            true,
            ad_trait_peer::gradient_forward(p, x.clone()),
        ));
    }
}

/// The peers' Jacobian modes.
pub fn jacobian_modes<P: VectorProblem>(modes: &mut Vec<Mode>, p: &P, x: &[f64]) {
    let x = x.to_vec();
    if p.n() <= MAX_N_LINEAR_PASSES {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("num-dual DualDVec", true, move || {
            let xv = DVector::from_vec(x.clone());
            let (_, j) = num_dual::jacobian(
                |v: DVector<DualDVec64>| DVector::from_vec(p.eval_nd(v.as_slice())),
                &xv,
            );
            j.transpose().as_slice().to_vec()
        }));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("echidna Dual (n passes)", true, move || {
            let (_, j) = echidna::jacobian(|v: &[echidna::Dual<f64>]| p.eval_ec(v), &x);
            j.concat()
        }));
    }
    modes.push(Mode::new(
        "ad_trait adr (m sweeps)",
        true,
        ad_trait_peer::jacobian_reverse(p, x.clone()),
    ));
    modes.push(Mode::new(
        "ad_trait adfn<8>",
        true,
        ad_trait_peer::jacobian_forward(p, x.clone()),
    ));
}

/// The peers' Hessian modes.
pub fn hessian_modes<P: ScalarProblem>(modes: &mut Vec<Mode>, p: &P, x: &[f64]) {
    let n = p.n();
    let x = x.to_vec();
    if n <= MAX_N_PEER_HESSIAN {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("num-dual Dual2DVec", true, move || {
            let xv = DVector::from_vec(x.clone());
            let (_, _, h) =
                num_dual::hessian(|v: DVector<Dual2DVec64>| p.eval_nd(v.as_slice()), &xv);
            h.as_slice().to_vec()
        }));
    }
    {
        let (p, x) = (p.clone(), x.clone());
        modes.push(Mode::new("echidna bytecode", true, move || {
            let (_, _, h) = echidna::hessian(|v: &[echidna::BReverse<f64>]| p.eval_ec(v), &x);
            h.concat()
        }));
    }
    if n <= MAX_N_PEER_HESSIAN {
        modes.push(Mode::new(
            "ad_trait forward-over-reverse<8>",
            true,
            ad_trait_peer::hessian_forward_over_reverse(p, x.clone()),
        ));
        modes.push(Mode::new(
            "ad_trait forward-over-forward<8>",
            true,
            ad_trait_peer::hessian_forward_over_forward(p, x.clone()),
        ));
    }
}

/// The peers' Hessian–vector product modes.
pub fn hvp_modes<P: ScalarProblem>(modes: &mut Vec<Mode>, p: &P, x: &[f64], v: &[f64]) {
    let (x, v) = (x.to_vec(), v.to_vec());
    {
        let (p, x, v) = (p.clone(), x.clone(), v.clone());
        modes.push(Mode::new("echidna bytecode", true, move || {
            echidna::hvp(|a: &[echidna::BReverse<f64>]| p.eval_ec(a), &x, &v).1
        }));
    }
    {
        let (tape, _) = echidna::record(|a: &[echidna::BReverse<f64>]| p.eval_ec(a), &x);
        let bufs = RefCell::new((Vec::new(), Vec::new()));
        modes.push(Mode::new("echidna bytecode replay", true, move || {
            let (dv, adj) = &mut *bufs.borrow_mut();
            tape.hvp_with_buf(&x, &v, dv, adj).1
        }));
    }
}

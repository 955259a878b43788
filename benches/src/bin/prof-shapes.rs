//! Profiling program: reverse gradient time / plain evaluation time for functions of different
//! shapes, to see where preaccumulation helps and where it does not (see
//! `benches/PERFORMANCE.md`).
//!
//! `cargo run --release -p diffprog-benches --bin prof-shapes [-- n]` (n = 1000 by default)
use diffprog_benches::problems::rosenbrock; // local chains: each term depends on two neighbours
use diffprog_benches::profiling::{best_of_interleaved, point};
use diffprog_dual::Scalar;
use diffprog_reverse::{gradient_into, Var};
use std::hint::black_box;

/// Rosenbrock's terms (partials included) summed as plain numbers, not `Var`s (`Var` only): the
/// same operations without the running sum's records and their sweep, i.e. what those cost.
/// (`black_box` keeps each term's partials alive; it also stores the term, a little extra.)
fn rosenbrock_terms_only(x: &[Var]) -> Var {
    let (mut s, mut last) = (0.0, Var::lift(0.0));
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = Var::lift(1.0) - x[i];
        last = black_box(a * a * 100.0 + b * b);
        s += last.primal();
    }
    last + s
}

/// Rosenbrock with each term a user-defined primitive ([`Var::custom`]) with hand-derived
/// partials (`Var` only): the same tape as [`rosenbrock`] — one record per term, for the running
/// sum — without the per-operation work of recording the term's eight operations, i.e. what
/// that work costs.
fn rosenbrock_custom_terms(x: &[Var]) -> Var {
    let mut s = Var::lift(0.0);
    for i in 0..x.len() - 1 {
        let (xi, xj) = (x[i].primal(), x[i + 1].primal());
        let (a, b) = (xj - xi * xi, 1.0 - xi);
        // ∂/∂xⱼ = 200a, ∂/∂xᵢ = −400a·xᵢ − 2b
        let d_j = 200.0 * a;
        let d_i = -2.0 * xi * d_j - 2.0 * b;
        s += Var::custom(a * a * 100.0 + b * b, &[(x[i], d_i), (x[i + 1], d_j)]);
    }
    s
}

/// One product and one record per term.
fn neighbour_products<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s += x[i] * x[i + 1];
    }
    s
}

/// Unary-heavy chains.
fn sin_exp<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s += x[i].sin() * x[i + 1].exp() / (x[i] * x[i] + T::one());
    }
    s
}

/// A running product.
fn product<T: Scalar>(x: &[T]) -> T {
    let mut p = T::one();
    for &xi in x {
        p *= xi * 0.001 + T::one();
    }
    p
}

/// One intermediate of two inputs, reused by every term.
fn shared<T: Scalar>(x: &[T]) -> T {
    let t = x[0] * x[1];
    let mut s = T::zero();
    for &xi in x {
        s += t * xi;
    }
    s
}

/// `shared` with the intermediate kept as a record of its own (`Var` only).
fn shared_retained(x: &[Var]) -> Var {
    let t = (x[0] * x[1]).retain_adjoint();
    let mut s = Var::lift(0.0);
    for &xi in x {
        s += t * xi;
    }
    s
}

/// Dense: all pairs (n/10 inputs).
fn dense<T: Scalar>(x: &[T]) -> T {
    let m = x.len() / 10;
    let mut s = T::zero();
    for i in 0..m {
        for j in 0..m {
            s += x[i] * x[j];
        }
    }
    s
}

fn measure(name: &str, f: fn(&[Var]) -> Var, plain: fn(&[f64]) -> f64, n: usize) {
    let x = point(n);
    let mut g = vec![0.0; n];
    let reps = (2_000_000 / n).max(10);
    let (dt, dp, acc) = best_of_interleaved(
        reps,
        || gradient_into(f, black_box(&x), &mut g),
        reps * 10,
        || plain(black_box(&x[..])),
    );
    println!(
        "{name:>10}: gradient {:9.3} us, plain {:8.3} us, ratio {:6.1}  ({acc:.3e})",
        dt * 1e6,
        dp * 1e6,
        dt / dp
    );
}

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1000, |s| s.parse().unwrap());
    measure("rosenbrock", rosenbrock, rosenbrock, n);
    // Against Rosenbrock's plain evaluation: the difference to the line above is the records.
    measure("rosen-terms", rosenbrock_terms_only, rosenbrock, n);
    measure("rosen-custom", rosenbrock_custom_terms, rosenbrock, n);
    measure("xᵢxᵢ₊₁", neighbour_products, neighbour_products, n);
    measure("sin_exp", sin_exp, sin_exp, n);
    measure("product", product, product, n);
    measure("shared", shared, shared, n);
    measure("shared+retain", shared_retained, shared, n);
    measure("dense", dense, dense, n);
}

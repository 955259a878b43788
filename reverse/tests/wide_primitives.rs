//! `Scalar::dot`, `Scalar::logsumexp` and `Scalar::sum_of`: the `Var` primitives against forward
//! mode, against central differences, against the same program written with plain operations,
//! and in the mixed mode (Hessian–vector products through them).

use diffprog_dual::Scalar;
use diffprog_reverse::{gradient, hessian_vector_product, Recording, Var};

/// A program using all three: shared operands, constants, intermediates computed before the sum
/// and reused by every term, a dot product of a vector with itself.
fn program<T: Scalar>(x: &[T]) -> T {
    let e: Vec<T> = x.iter().map(|&v| v.exp() * 0.5).collect();
    let data = [0.3, -1.2, 2.0, 0.7];
    let s = T::sum_of(5, |i| {
        let c: Vec<T> = x
            .iter()
            .map(|&v| v - data[(i + 1) % 4] * i as f64)
            .collect();
        let q = T::dot(&e, &c) + T::dot(&c[1..], &x[..x.len() - 1]);
        let consts: Vec<T> = (0..x.len()).map(|j| T::constant(data[j % 4])).collect();
        let terms = [
            q * 0.1,
            T::dot(&consts, &c),
            x[0] * x[i % x.len()],
            T::constant(1.5),
        ];
        T::logsumexp(&terms)
    });
    s + T::dot(x, x) + T::logsumexp(&x[2..])
}

/// The same program with the generic loops instead of the primitives.
fn plain<T: Scalar>(x: &[T]) -> T {
    fn dot<T: Scalar>(a: &[T], b: &[T]) -> T {
        let mut s = T::zero();
        for (&p, &q) in a.iter().zip(b) {
            s += p * q;
        }
        s
    }
    fn lse<T: Scalar>(xs: &[T]) -> T {
        let m = xs
            .iter()
            .map(|v| v.value())
            .fold(f64::NEG_INFINITY, f64::max);
        let mut s = T::zero();
        for &v in xs {
            s += (v - m).exp();
        }
        s.ln() + m
    }
    let e: Vec<T> = x.iter().map(|&v| v.exp() * 0.5).collect();
    let data = [0.3, -1.2, 2.0, 0.7];
    let mut s = T::zero();
    for i in 0..5 {
        let c: Vec<T> = x
            .iter()
            .map(|&v| v - data[(i + 1) % 4] * i as f64)
            .collect();
        let q = dot(&e, &c) + dot(&c[1..], &x[..x.len() - 1]);
        let consts: Vec<T> = (0..x.len()).map(|j| T::constant(data[j % 4])).collect();
        let terms = [
            q * 0.1,
            dot(&consts, &c),
            x[0] * x[i % x.len()],
            T::constant(1.5),
        ];
        s += lse(&terms);
    }
    s + dot(x, x) + lse(&x[2..])
}

const X: [f64; 6] = [0.4, -0.3, 1.1, 0.25, -0.8, 0.6];

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn values_are_those_of_the_plain_evaluation() {
    let (value, _) = gradient(program::<Var>, X);
    assert_eq!(value, program::<f64>(&X));
    let (forward, _) = diffprog_dual::gradient(program, X);
    assert_eq!(forward, value);
}

#[test]
fn gradients_match_forward_mode_plain_operations_and_central_differences() {
    let (_, g) = gradient(program::<Var>, X);
    let (_, forward) = diffprog_dual::gradient(program, X);
    let (_, plain_reverse) = gradient(plain::<Var>, X);
    for i in 0..X.len() {
        assert!(
            close(g[i], forward[i], 1e-12),
            "{i}: {} vs forward {}",
            g[i],
            forward[i]
        );
        assert!(
            close(g[i], plain_reverse[i], 1e-12),
            "{i}: {} vs plain {}",
            g[i],
            plain_reverse[i]
        );
        let h = 1e-6;
        let (mut up, mut down) = (X, X);
        up[i] += h;
        down[i] -= h;
        let central = (program::<f64>(&up) - program::<f64>(&down)) / (2.0 * h);
        assert!(
            close(g[i], central, 1e-6),
            "{i}: {} vs central {central}",
            g[i]
        );
    }
}

#[test]
fn hessian_vector_products_go_through_the_primitives() {
    let v = [1.0, -0.5, 0.25, 2.0, 0.0, 1.0];
    let (_, g, hv) = hessian_vector_product(program, X, v);
    let (_, g_plain, hv_plain) = hessian_vector_product(plain, X, v);
    for i in 0..X.len() {
        assert!(close(g[i], g_plain[i], 1e-12));
        assert!(
            close(hv[i], hv_plain[i], 1e-10),
            "{i}: {} vs {}",
            hv[i],
            hv_plain[i]
        );
    }
}

#[test]
fn sum_of_keeps_one_term_on_the_tape() {
    let rec = Recording::<f64>::new();
    let x = rec.variables(&X);
    let before = rec.len();
    let s = <Var as Scalar>::sum_of(1000, |i| {
        let mut t = <Var as diffprog_dual::Number>::zero();
        for (j, &v) in x.iter().enumerate() {
            t += (v * (i + j) as f64).sin() * x[(j + 1) % 6];
        }
        t
    });
    // One chained primitive over the six inputs: two records, whatever the number of terms.
    assert_eq!(rec.len() - before, 2);
    let adj = rec.backward(s);
    let expected: f64 = (0..1000)
        .map(|i| ((X[0] * i as f64).cos() * i as f64) * X[1] + (X[5] * (i + 5) as f64).sin())
        .sum();
    assert!(close(adj.wrt(x[0]), expected, 1e-12));
}

#[test]
fn small_primitives_carry_their_entries_inline() {
    let rec = Recording::<f64>::new();
    let x = rec.variables(&[2.0, 3.0]);
    let before = rec.len();
    let d = <Var as Scalar>::dot(
        &x,
        &[
            <Var as Scalar>::constant(4.0),
            <Var as Scalar>::constant(5.0),
        ],
    );
    let c = <Var as Scalar>::dot(
        &[<Var as Scalar>::constant(1.0)],
        &[<Var as Scalar>::constant(2.0)],
    );
    assert_eq!(rec.len(), before);
    assert!(c.is_constant());
    assert_eq!(c.primal(), 2.0);
    let adj = rec.backward(d);
    assert_eq!((adj.wrt(x[0]), adj.wrt(x[1])), (4.0, 5.0));
}

#[test]
fn edges_follow_the_conventions() {
    // −∞ entries: the softmax weight of an −∞ is exactly zero; an empty log-sum-exp is −∞.
    let (v, g) = gradient(
        |x: &[Var]| <Var as Scalar>::logsumexp(&[x[0], x[1] * f64::INFINITY * -1.0]),
        [0.5, 1.0],
    );
    assert_eq!(v, 0.5);
    assert_eq!(g[0], 1.0);
    assert_eq!(f64::logsumexp(&[]), f64::NEG_INFINITY);
    let (v, _) = gradient(
        |x: &[Var]| <Var as Scalar>::logsumexp(&x[..0]) + x[0],
        [1.0],
    );
    assert_eq!(v, f64::NEG_INFINITY);
    // a zero times an infinite partial contributes zero, as with plain operations
    let f = |x: &[Var]| <Var as Scalar>::dot(&[x[0].sqrt()], &[x[1]]);
    let (_, g) = gradient(f, [0.0, 0.0]);
    let (_, g_plain) = gradient(|x: &[Var]| x[0].sqrt() * x[1], [0.0, 0.0]);
    assert_eq!(g, g_plain);
}

#[test]
#[should_panic(expected = "inside a `Scalar::sum_of` term")]
fn a_sweep_inside_a_term_is_refused() {
    let rec = Recording::<f64>::new();
    let x = rec.variable(1.0);
    let _ = <Var as Scalar>::sum_of(2, |_| {
        let y = x * x;
        rec.backward(y);
        y
    });
}

#[test]
#[should_panic(expected = "another recording")]
fn operands_of_another_recording_are_refused() {
    let stale = {
        let rec = Recording::<f64>::new();
        rec.variable(1.0)
    };
    let _ = gradient(|x: &[Var]| <Var as Scalar>::dot(&[x[0]], &[stale]), [1.0]);
}

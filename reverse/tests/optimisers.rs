//! The optimisers of `diffprog_reverse::optim` on Rosenbrock (n = 2 … 1000), Himmelblau and a
//! regularised logistic regression: they reach the known minima (or, for the regression, a point
//! where the gradient vanishes, the Hessian is positive definite and all three methods agree),
//! and bad input panics with a clear message.

use diffprog_dual::Scalar;
use diffprog_reverse::optim::{
    lbfgs, newton, trust_region_newton_cg, Minimum, Objective, Options, Termination,
};
use diffprog_reverse::{gradient, hessian};

/// The chained Rosenbrock function, minimum 0 at all ones.
struct Rosenbrock;
impl Objective for Rosenbrock {
    fn value<T: Scalar>(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let (a, b) = (x[i + 1] - x[i] * x[i], -x[i] + 1.0);
            s += a * a * 100.0 + b * b;
        }
        s
    }
}

/// The classic start (−1.2, 1, −1.2, 1, …). For n ≥ 4 the chained function also has a local
/// minimum near (−1, 1, …, 1), where Newton's method ends from this start for n = 10 and 100.
fn alternating_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

struct Himmelblau;
impl Objective for Himmelblau {
    fn value<T: Scalar>(&self, x: &[T]) -> T {
        let a = x[0] * x[0] + x[1] - 11.0;
        let b = x[0] + x[1] * x[1] - 7.0;
        a * a + b * b
    }
}

/// Himmelblau's four minima (value 0).
const HIMMELBLAU_MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805_118_086_952_745, 3.131_312_518_250_573],
    [-3.779_310_253_377_747, -3.283_185_991_286_17],
    [3.584_428_340_330_492, -1.848_126_526_964_404],
];

/// An optimiser of `O`.
type Solver<O> = fn(&O, &[f64], &Options) -> Minimum;
type Method = Solver<Rosenbrock>;

fn methods<O: Objective>() -> [(&'static str, Solver<O>); 3] {
    [
        ("newton", newton::<O>),
        ("trust_region_newton_cg", trust_region_newton_cg::<O>),
        ("lbfgs", lbfgs::<O>),
    ]
}

fn assert_converged(what: &str, m: &Minimum, options: &Options) {
    assert_eq!(m.termination, Termination::GradientNorm, "{what}: {m:?}");
    assert!(m.gradient_norm <= options.gradient_tolerance, "{what}");
}

#[test]
fn rosenbrock_minimum_at_all_ones() {
    let options = Options::default();
    let all = ["newton", "trust_region_newton_cg", "lbfgs"];
    // Newton stores and factors dense n × n Hessians: at n = 1000, too slow for a test. From the
    // alternating start (or most others) at n = 1000 the valley takes some 5000 iterations: a
    // benchmark, not a test.
    let cases: [(usize, Vec<f64>, &[&str]); 6] = [
        (2, alternating_start(2), &all),
        (10, alternating_start(10), &all[1..]),
        (100, alternating_start(100), &all[1..]),
        (10, vec![0.5; 10], &all),
        (100, vec![0.5; 100], &all),
        (1000, vec![0.5; 1000], &all[1..]),
    ];
    for (n, start, names) in cases {
        for (name, method) in methods::<Rosenbrock>() {
            if !names.contains(&name) {
                continue;
            }
            let m = method(&Rosenbrock, &start, &options);
            let what = format!("{name}, n = {n} from {:?}…", &start[..2]);
            assert_converged(&what, &m, &options);
            let worst = m.x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-7, "{what}: max |xᵢ − 1| = {worst:e}");
            assert!(m.value < 1e-14, "{what}: f = {:e}", m.value);
            // The reported gradient norm is the gradient driver's at the returned point (Newton's
            // comes from the Hessian driver: equal up to rounding).
            let (value, g) = gradient(|x| Rosenbrock.value(x), &m.x);
            assert_eq!(value, m.value, "{what}");
            let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((gnorm - m.gradient_norm).abs() <= 1e-12 * gnorm, "{what}");
            let e = m.evaluations;
            match name {
                "newton" => assert_eq!((e.hessians, e.gradients), (m.iterations + 1, 0), "{what}"),
                "lbfgs" => assert_eq!(e.hessians + e.hessian_vector_products, 0, "{what}"),
                _ => {
                    assert_eq!(e.hessians, 0, "{what}");
                    assert!(e.hessian_vector_products >= m.iterations, "{what}");
                }
            }
        }
    }
}

#[test]
fn newton_converges_quadratically_near_the_minimum() {
    // From close to the minimum, full Newton steps: the gradient norm squares each iteration.
    let m = newton(
        &Rosenbrock,
        &[1.01, 1.03],
        &Options {
            gradient_tolerance: 1e-300,
            ..Options::default()
        },
    );
    assert!(m.iterations <= 8, "{m:?}");
    assert_eq!(m.x, vec![1.0, 1.0]);
}

#[test]
fn himmelblau_reaches_one_of_its_four_minima() {
    let options = Options::default();
    // (−0.27, −0.92) is next to the local maximum, (0, 0) and (3, −3) have indefinite Hessians.
    let starts = [
        [0.0, 0.0],
        [-0.27, -0.92],
        [3.0, -3.0],
        [-1.0, 4.0],
        [-4.0, -4.0],
        [5.0, 5.0],
    ];
    let mut reached = [false; 4];
    for start in starts {
        for (name, method) in methods::<Himmelblau>() {
            let m = method(&Himmelblau, &start, &options);
            let what = format!("{name} from {start:?}");
            assert_converged(&what, &m, &options);
            let k = HIMMELBLAU_MINIMA
                .iter()
                .position(|min| (m.x[0] - min[0]).abs() < 1e-8 && (m.x[1] - min[1]).abs() < 1e-8)
                .unwrap_or_else(|| panic!("{what}: {:?} is none of the four minima", m.x));
            reached[k] = true;
        }
    }
    assert_eq!(
        reached, [true; 4],
        "every minimum is reached from some start"
    );
    // The starts with an indefinite Hessian exercise Newton's modification.
    for start in [[0.0, 0.0], [-0.27, -0.92]] {
        let (_, _, h) = hessian(|x| Himmelblau.value(x), start);
        assert!(h.symmetric_eigenvalues().min() < 0.0, "{start:?}");
    }
}

/// L2-regularised logistic regression (labels in {0, 1}, weights then bias).
struct Logistic {
    features: Vec<[f64; 3]>,
    labels: Vec<f64>,
    lambda: f64,
}

/// A deterministic pseudo-random number in [0, 1) from an index (splitmix64).
fn uniform(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl Logistic {
    /// 200 points, labels drawn with probability σ(1.5x₀ − 2x₁ + 0.5x₂ + 0.3): not separable.
    fn synthetic() -> Self {
        let mut features = Vec::new();
        let mut labels = Vec::new();
        for i in 0..200_u64 {
            let x = [0, 1, 2].map(|j| 4.0 * uniform(3 * i + j) - 2.0);
            let z = 1.5 * x[0] - 2.0 * x[1] + 0.5 * x[2] + 0.3;
            let p = 1.0 / (1.0 + (-z).exp());
            labels.push(if uniform(1000 + i) < p { 1.0 } else { 0.0 });
            features.push(x);
        }
        Logistic {
            features,
            labels,
            lambda: 1e-2,
        }
    }
}

impl Objective for Logistic {
    fn value<T: Scalar>(&self, w: &[T]) -> T {
        let mut loss = T::zero();
        for (x, &y) in self.features.iter().zip(&self.labels) {
            let z = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3];
            // log(1 + eᶻ) − y·z
            loss += (z.exp() + 1.0).ln() - z * y;
        }
        let ridge = w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
        loss / self.labels.len() as f64 + ridge * (0.5 * self.lambda)
    }
}

#[test]
fn logistic_regression_methods_agree_on_a_stationary_minimum() {
    let problem = Logistic::synthetic();
    let options = Options {
        gradient_tolerance: 1e-10,
        ..Options::default()
    };
    let results: Vec<Minimum> = methods::<Logistic>()
        .iter()
        .map(|(name, method)| {
            let m = method(&problem, &[0.0; 4], &options);
            assert_converged(name, &m, &options);
            m
        })
        .collect();
    for m in &results[1..] {
        for (a, b) in m.x.iter().zip(&results[0].x) {
            assert!((a - b).abs() < 1e-8, "{:?} vs {:?}", m.x, results[0].x);
        }
        assert!((m.value - results[0].value).abs() < 1e-14);
    }
    // A minimum: zero gradient (by the driver) and a positive definite Hessian.
    let (_, g, h) = hessian(|w| problem.value(w), &results[0].x);
    assert!(g.iter().all(|v| v.abs() < 1e-10), "{g:?}");
    assert!(h.symmetric_eigenvalues().min() > 0.0);
    // The fit recovers the generating weights' signs.
    let w = &results[0].x;
    assert!(w[0] > 0.5 && w[1] < -0.5, "{w:?}");
}

#[test]
fn iteration_limit_is_reported() {
    let options = Options {
        max_iterations: 3,
        ..Options::default()
    };
    for (name, method) in methods::<Rosenbrock>() {
        let m: Minimum = (method as Method)(&Rosenbrock, &alternating_start(10), &options);
        assert_eq!(m.termination, Termination::MaxIterations, "{name}");
        assert_eq!(m.iterations, 3, "{name}");
    }
}

#[test]
#[should_panic(expected = "the start point x0 is empty")]
fn an_empty_start_panics() {
    lbfgs(&Himmelblau, &[], &Options::default());
}

#[test]
#[should_panic(expected = "non-finite component x0[1] = NaN")]
fn a_non_finite_start_panics() {
    newton(&Himmelblau, &[1.0, f64::NAN], &Options::default());
}

#[test]
#[should_panic(expected = "the objective is inf at the start point")]
fn a_start_outside_the_domain_panics() {
    struct Log;
    impl Objective for Log {
        fn value<T: Scalar>(&self, x: &[T]) -> T {
            -x[0].ln()
        }
    }
    trust_region_newton_cg(&Log, &[0.0], &Options::default());
}

#[test]
#[should_panic(expected = "lbfgs_memory is 0")]
fn no_lbfgs_memory_panics() {
    lbfgs(
        &Himmelblau,
        &[1.0, 1.0],
        &Options {
            lbfgs_memory: 0,
            ..Options::default()
        },
    );
}

//! Profiling program: how fast is a one-record-per-operation tape of a Rosenbrock gradient on
//! this machine, with no recording cost at all? A hand-built op-code tape of the function (no
//! thread-local, no checks) is replayed: a forward pass computing values and local partials, and
//! the backward adjoint loop. Its time over the plain f64 evaluation bounds what a
//! one-record-per-operation tape can do, to compare with `prof-gradient` (`Var`, which
//! preaccumulates and writes one record per term instead of eight). See
//! `benches/PERFORMANCE.md`.
//!
//! `cargo run --release -p diffprog-benches --bin tape-interpreter-bound`

use diffprog_benches::problems::rosenbrock;
use diffprog_benches::profiling::point;

#[derive(Clone, Copy)]
enum Op {
    Input,
    Add,
    Sub,
    Mul,
    MulConst,
    ConstSub,
}

#[derive(Clone, Copy)]
struct Record {
    op: Op,
    parents: [u32; 2],
    constant: f64,
}

/// A one-record-per-operation tape of `rosenbrock` (8 records per term, inputs at 1..=n).
fn rosenbrock_tape(n: usize) -> Vec<Record> {
    let input = Record {
        op: Op::Input,
        parents: [0, 0],
        constant: 0.0,
    };
    let mut tape = vec![input; n + 1];
    let push = |tape: &mut Vec<Record>, op, p0: usize, p1: usize, constant| {
        tape.push(Record {
            op,
            parents: [p0 as u32, p1 as u32],
            constant,
        });
        tape.len() - 1
    };
    let mut s = 0;
    for i in 1..n {
        let m = push(&mut tape, Op::Mul, i, i, 0.0);
        let a = push(&mut tape, Op::Sub, i + 1, m, 0.0);
        let aa = push(&mut tape, Op::Mul, a, a, 0.0);
        let t = push(&mut tape, Op::MulConst, aa, 0, 100.0);
        let b = push(&mut tape, Op::ConstSub, i, 0, 1.0);
        let bb = push(&mut tape, Op::Mul, b, b, 0.0);
        let u = push(&mut tape, Op::Add, t, bb, 0.0);
        s = if s == 0 {
            u
        } else {
            push(&mut tape, Op::Add, s, u, 0.0)
        };
    }
    tape
}

struct Buffers {
    values: Vec<f64>,
    partials: Vec<[f64; 2]>,
    adjoints: Vec<f64>,
}

fn replay_gradient(tape: &[Record], x: &[f64], buf: &mut Buffers, grad: &mut [f64]) -> f64 {
    let len = tape.len();
    buf.values.resize(len, 0.0);
    buf.partials.resize(len, [0.0; 2]);
    buf.values[1..=x.len()].copy_from_slice(x);
    for (i, &r) in tape.iter().enumerate().skip(x.len() + 1) {
        let (a, b) = (
            buf.values[r.parents[0] as usize],
            buf.values[r.parents[1] as usize],
        );
        let (value, d) = match r.op {
            Op::Input => (buf.values[i], [0.0, 0.0]),
            Op::Add => (a + b, [1.0, 1.0]),
            Op::Sub => (a - b, [1.0, -1.0]),
            Op::Mul => (a * b, [b, a]),
            Op::MulConst => (a * r.constant, [r.constant, 0.0]),
            Op::ConstSub => (r.constant - a, [-1.0, 0.0]),
        };
        buf.values[i] = value;
        buf.partials[i] = d;
    }
    buf.adjoints.clear();
    buf.adjoints.resize(len, 0.0);
    buf.adjoints[len - 1] = 1.0;
    for i in (x.len() + 1..len).rev() {
        let a = buf.adjoints[i];
        if a == 0.0 {
            continue;
        }
        let [p0, p1] = tape[i].parents;
        let [d0, d1] = buf.partials[i];
        buf.adjoints[p0 as usize] += a * d0;
        buf.adjoints[p1 as usize] += a * d1;
    }
    grad.copy_from_slice(&buf.adjoints[1..=x.len()]);
    buf.values[len - 1]
}

fn main() {
    for n in [1000usize, 10_000] {
        let x = point(n);
        let tape = rosenbrock_tape(n);
        let mut buf = Buffers {
            values: Vec::new(),
            partials: Vec::new(),
            adjoints: Vec::new(),
        };
        let mut grad = vec![0.0; n];
        // Check against the reverse crate before timing.
        let (value, expected) = diffprog_reverse::gradient(rosenbrock, &x);
        assert_eq!(replay_gradient(&tape, &x, &mut buf, &mut grad), value);
        // `Var` preaccumulates (one record per term), so its sums run in another order.
        for (a, b) in grad.iter().zip(&expected) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
        let reps = 2000;
        let mut acc = 0.0;
        let t = std::time::Instant::now();
        for _ in 0..reps {
            acc += replay_gradient(&tape, std::hint::black_box(&x), &mut buf, &mut grad);
        }
        let replay = t.elapsed().as_secs_f64() / reps as f64;
        let t = std::time::Instant::now();
        for _ in 0..reps * 10 {
            acc += rosenbrock(std::hint::black_box(&x[..]));
        }
        let plain = t.elapsed().as_secs_f64() / (reps * 10) as f64;
        println!(
            "n = {n}: replayed tape gradient {:.1} us, plain {:.2} us, ratio {:.1} (checksum {acc:.3e})",
            replay * 1e6,
            plain * 1e6,
            replay / plain
        );
    }
}

//! A program's readable listing (`Display`): its instructions, outputs and guards.

use super::guards::Operand;
use super::ops::{Op, Slot};
use super::runs::Shape;
use super::Program;
use std::fmt;

fn slot(s: Slot, n: usize) -> String {
    if (s as usize) < n {
        format!("x{s}")
    } else {
        format!("v{s}")
    }
}

fn operand(o: Operand, n: usize) -> String {
    match o {
        Operand::Slot(s) => slot(s, n),
        Operand::Constant(c) => format!("{c}"),
    }
}

/// A header (counts, and the runs the interpreter executes: loops over slices, running sums and
/// runs of instructions interpreted one by one), one line per instruction (`v5 = x0 · x1`, `v7 = sin(v6)`) in the order
/// executed, then the outputs and the guards with their recorded outcomes and source locations.
///
/// ```
/// use diffprog_reverse::replay::record;
/// use diffprog_dual::Scalar;
/// let p = record(|x| (x[0] * x[1]).sin() + 1.0, &[1.0, 2.0]);
/// assert_eq!(
///     p.to_string(),
///     "program: 2 inputs, 3 instructions, 1 output, 0 guards; 1 run (0 over slices, 0 running sums)\n  v2 = x0 · x1\n  v3 = sin(v2)\n  v4 = v3 + 1\n  output 0 = v4\n"
/// );
/// ```
impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.code;
        let n = c.n_inputs;
        let plural = |k: usize, word: &str| format!("{k} {word}{}", if k == 1 { "" } else { "s" });
        let slices = c
            .runs
            .iter()
            .filter(|r| matches!(r.shape, Shape::Slices { .. }))
            .count();
        let scans = c
            .runs
            .iter()
            .filter(|r| matches!(r.shape, Shape::Scan { .. }))
            .count();
        writeln!(
            f,
            "program: {}, {}, {}, {}; {} ({slices} over slices, {scans} running sums)",
            plural(n, "input"),
            plural(c.ops.len(), "instruction"),
            plural(c.outputs.len(), "output"),
            plural(c.guards.len(), "guard"),
            plural(c.runs.len(), "run"),
        )?;
        for (k, op) in c.ops.iter().enumerate() {
            let s = |x: Slot| slot(x, n);
            let rhs = match *op {
                Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::Div(a, b) => {
                    format!("{} {} {}", s(a), op.name(), s(b))
                }
                Op::AddConst(a, x) => format!("{} + {x}", s(a)),
                Op::ConstSub(x, a) => format!("{x} − {}", s(a)),
                Op::MulConst(a, x) => format!("{} · {x}", s(a)),
                Op::DivConst(a, x) => format!("{} / {x}", s(a)),
                Op::ConstDiv(x, a) => format!("{x} / {}", s(a)),
                Op::Neg(a) => format!("−{}", s(a)),
                Op::Unary(_, a) => format!("{}({})", op.name(), s(a)),
                Op::Binary(_, a, b) => format!("{}({}, {})", op.name(), s(a), s(b)),
                Op::Powi(a, p) => format!("powi({}, {p})", s(a)),
                Op::Powf(a, p) => format!("powf({}, {p})", s(a)),
                Op::Log(a, b) => format!("log({}, {b})", s(a)),
                Op::Const(x) => format!("{x}"),
            };
            writeln!(f, "  v{} = {rhs}", n + k)?;
        }
        for (j, o) in c.outputs.iter().enumerate() {
            writeln!(f, "  output {j} = {}", operand(*o, n))?;
        }
        for (i, g) in c.guards.iter().enumerate() {
            writeln!(
                f,
                "  guard {i}: {} ({}, {}) was {} at {}",
                g.comparison.symbol(),
                operand(g.lhs, n),
                operand(g.rhs, n),
                g.comparison.describe(g.outcome),
                g.location
            )?;
        }
        Ok(())
    }
}

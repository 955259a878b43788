//! A total decoder from bytes to a [`Case`] (for the fuzz target), and its inverse (for the
//! fuzz target's seed corpus and for turning a finding into a readable test).
//!
//! Every byte string decodes to a valid case: the bytes are read in order, and past the end every
//! byte reads as 0. The layout, byte by byte:
//!
//! - the number of inputs − 1 (mod [`MAX_INPUTS`]), the number of nodes − 1 (mod [`MAX_NODES`]);
//! - each node: a tag, `tag % 22` picking the kind with the weights of the proptest strategy
//!   (0–15 an operation, 16 a constant, 17 `mul_add`, 18–19 a loop, 20–21 a branch), then
//!   - an operation: an *operation byte* (below 128: `ALL_UNARY[b % ALL_UNARY.len()]` followed by a
//!     *constant* and a reference; from 128: `ALL_BINARY[(b − 128) % 10]` followed by two references);
//!   - a constant: a *constant*;
//!   - `mul_add`: three references;
//!   - a loop: `init`, `count` (references), `max − 1` (mod 5), the number of steps − 1 (mod 3),
//!     and each step an operation byte followed by a constant (unary) or a reference (binary);
//!   - a branch: `lhs` (a reference), a byte whose bit 0 picks a constant (1) or a reference
//!     (0) for the right-hand side, that constant or reference, then the two operations;
//! - a reference is one byte, taken modulo the number of inputs and earlier nodes;
//! - a *constant* is a tag: 0, 1, 2 are 0, 0.5, 1; 3 is followed by 8 bytes, an `f64` (little
//!   endian) reduced into the generator's range [−2.5, 2.5] by `%` (0 if not finite); 4–255 are
//!   the grid −2.5 + 5·(tag − 4)/251;
//! - the point: per input a tag, `tag % 16`: 0–5 the grid −2.5 + 5·b/255 of the next byte `b`;
//!   6, 7, 8, 9: 0, −0, 1, −0.5; 10, 11, 12: +∞, −∞, NaN; 13: a huge value (the next byte: bit 0
//!   the sign, the rest picks from [`HUGE`]); 14: a tiny one (likewise from [`TINY`]); 15: the
//!   next 8 bytes, any `f64`;
//! - the direction `v` (one per input) and the output weights `w` (one per output, the outputs
//!   being the sinks, as in the strategy): per component a tag, 0 followed by 8 bytes, an `f64`
//!   reduced into [−1, 1] (0 if not finite), or 1–255 the grid −1 + 2·(tag − 1)/254.
//!
//! So a program has at most [`MAX_INPUTS`] inputs and [`MAX_NODES`] nodes, and its loops at most
//! 5 trips of at most 3 steps, as the strategy's: a case is small and quick to check.
//! [`Case::to_bytes`] writes every number in its exact 8-byte form, so it is the inverse of
//! [`Case::from_bytes`] on every case whose program's outputs are its sinks and whose numbers
//! are in the decoder's ranges (every case of the strategies).

use super::program::{
    Binary, Case, Expr, Node, Program, Ref, Rhs, Step, Unary, ALL_BINARY, ALL_UNARY, MAX_INPUTS,
    MAX_NODES,
};

/// The huge magnitudes a point's component can take (tag 13).
pub const HUGE: [f64; 8] = [
    1e6,
    1e8,
    1e20,
    1e100,
    1e200,
    1e300,
    8.98846567431158e307,
    f64::MAX,
];

/// The tiny magnitudes a point's component can take (tag 14): normal ones down to the smallest,
/// and subnormal ones down to the smallest of all.
pub const TINY: [f64; 8] = [
    1e-6,
    1e-20,
    1e-100,
    1e-200,
    1e-300,
    f64::MIN_POSITIVE,
    1e-310,
    5e-324,
];

/// The bytes in order, 0 past the end.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b
    }

    fn raw(&mut self) -> f64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.byte();
        }
        f64::from_le_bytes(b)
    }

    fn constant(&mut self) -> f64 {
        match self.byte() {
            0 => 0.0,
            1 => 0.5,
            2 => 1.0,
            3 => into_range(self.raw(), 2.5),
            t => -2.5 + 5.0 * f64::from(t - 4) / 251.0,
        }
    }

    fn op(&mut self) -> Result<Unary, Binary> {
        let b = self.byte();
        if b < 128 {
            Ok(ALL_UNARY[usize::from(b) % ALL_UNARY.len()])
        } else {
            Err(ALL_BINARY[usize::from(b - 128) % ALL_BINARY.len()])
        }
    }

    fn expr(&mut self) -> Expr<u8> {
        match self.op() {
            Ok(op) => {
                let c = self.constant();
                Expr::Unary {
                    op,
                    c,
                    a: self.byte(),
                }
            }
            Err(op) => Expr::Binary {
                op,
                a: self.byte(),
                b: self.byte(),
            },
        }
    }

    fn node(&mut self) -> Node<u8> {
        match self.byte() % 22 {
            0..=15 => Node::Expr(self.expr()),
            16 => Node::Const(self.constant()),
            17 => Node::MulAdd {
                a: self.byte(),
                b: self.byte(),
                c: self.byte(),
            },
            18 | 19 => {
                let init = self.byte();
                let count = self.byte();
                let max = 1 + u32::from(self.byte() % 5);
                let len = 1 + self.byte() % 3;
                let body = (0..len)
                    .map(|_| match self.op() {
                        Ok(op) => Step::Unary {
                            op,
                            c: self.constant(),
                        },
                        Err(op) => Step::Binary {
                            op,
                            other: self.byte(),
                        },
                    })
                    .collect();
                Node::Loop {
                    init,
                    count,
                    max,
                    body,
                }
            }
            _ => {
                let lhs = self.byte();
                let rhs = if self.byte() & 1 == 1 {
                    Rhs::Const(self.constant())
                } else {
                    Rhs::Node(self.byte())
                };
                let then = self.expr();
                let els = self.expr();
                Node::Branch {
                    lhs,
                    rhs,
                    then,
                    els,
                }
            }
        }
    }

    fn point(&mut self) -> f64 {
        match self.byte() % 16 {
            0..=5 => -2.5 + 5.0 * f64::from(self.byte()) / 255.0,
            6 => 0.0,
            7 => -0.0,
            8 => 1.0,
            9 => -0.5,
            10 => f64::INFINITY,
            11 => f64::NEG_INFINITY,
            12 => f64::NAN,
            13 => self.signed(&HUGE),
            14 => self.signed(&TINY),
            _ => self.raw(),
        }
    }

    fn signed(&mut self, table: &[f64; 8]) -> f64 {
        let b = self.byte();
        let m = table[usize::from(b >> 1) % table.len()];
        if b & 1 == 1 {
            -m
        } else {
            m
        }
    }

    fn unit(&mut self) -> f64 {
        match self.byte() {
            0 => into_range(self.raw(), 1.0),
            t => -1.0 + 2.0 * f64::from(t - 1) / 254.0,
        }
    }
}

/// `r` reduced into [−bound, bound]: itself if it is there, else `r % bound`; 0 if not finite.
fn into_range(r: f64, bound: f64) -> f64 {
    if !r.is_finite() {
        0.0
    } else if r.abs() <= bound {
        r
    } else {
        r % bound
    }
}

impl Case {
    /// Decodes any bytes into a case (see the [module docs](self) for the layout): a program of
    /// at most [`MAX_INPUTS`] inputs and [`MAX_NODES`] nodes, a point whose components are often
    /// ±0, ±∞, NaN, huge or tiny, a direction and output weights in [−1, 1].
    pub fn from_bytes(data: &[u8]) -> Case {
        let mut r = Reader { data, pos: 0 };
        let n = 1 + usize::from(r.byte()) % MAX_INPUTS;
        let n_nodes = 1 + usize::from(r.byte()) % MAX_NODES;
        let genes: Vec<Node<u8>> = (0..n_nodes).map(|_| r.node()).collect();
        let program = Program::resolve_with(n, genes, |g, available| usize::from(g) % available);
        let x = (0..n).map(|_| r.point()).collect();
        let v = (0..n).map(|_| r.unit()).collect();
        let w = (0..program.outputs.len()).map(|_| r.unit()).collect();
        Case { program, x, v, w }
    }

    /// The bytes that [`Case::from_bytes`] decodes into this case, every number in its exact
    /// 8-byte form.
    ///
    /// # Panics
    /// If the program has more than [`MAX_INPUTS`] inputs or [`MAX_NODES`] nodes, an operation
    /// that is not in [`ALL_UNARY`] or [`ALL_BINARY`], a loop of more than 5 trips or 3 steps, or
    /// if `x`, `v`, `w` are not as long as the program has inputs, inputs and outputs. (The case
    /// decodes back to itself if moreover its outputs are the program's sinks, its constants in
    /// [−2.5, 2.5] and `v`, `w` in [−1, 1].)
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = &self.program;
        assert!((1..=MAX_INPUTS).contains(&p.n_inputs), "too many inputs");
        assert!((1..=MAX_NODES).contains(&p.nodes.len()), "too many nodes");
        assert_eq!(self.x.len(), p.n_inputs, "x");
        assert_eq!(self.v.len(), p.n_inputs, "v");
        assert_eq!(self.w.len(), p.outputs.len(), "w");
        let mut out = vec![(p.n_inputs - 1) as u8, (p.nodes.len() - 1) as u8];
        for node in &p.nodes {
            write_node(&mut out, node);
        }
        for &x in &self.x {
            out.push(15);
            out.extend(x.to_le_bytes());
        }
        for &u in self.v.iter().chain(&self.w) {
            out.push(0);
            out.extend(u.to_le_bytes());
        }
        out
    }
}

fn write_ref(out: &mut Vec<u8>, r: Ref) {
    out.push(u8::try_from(r).expect("a reference below 256"));
}

fn write_constant(out: &mut Vec<u8>, c: f64) {
    if c.to_bits() == 0.0f64.to_bits() {
        out.push(0);
    } else if c == 0.5 {
        out.push(1);
    } else if c == 1.0 {
        out.push(2);
    } else {
        out.push(3);
        out.extend(c.to_le_bytes());
    }
}

fn unary_byte(op: Unary) -> u8 {
    let i = ALL_UNARY.iter().position(|&u| u == op);
    i.expect("an operation of ALL_UNARY") as u8
}

fn binary_byte(op: Binary) -> u8 {
    let i = ALL_BINARY.iter().position(|&b| b == op);
    128 + i.expect("an operation of ALL_BINARY") as u8
}

fn write_expr(out: &mut Vec<u8>, e: &Expr<Ref>) {
    match *e {
        Expr::Unary { op, c, a } => {
            out.push(unary_byte(op));
            write_constant(out, c);
            write_ref(out, a);
        }
        Expr::Binary { op, a, b } => {
            out.push(binary_byte(op));
            write_ref(out, a);
            write_ref(out, b);
        }
    }
}

fn write_node(out: &mut Vec<u8>, node: &Node<Ref>) {
    match node {
        Node::Expr(e) => {
            out.push(0);
            write_expr(out, e);
        }
        Node::Const(c) => {
            out.push(16);
            write_constant(out, *c);
        }
        Node::MulAdd { a, b, c } => {
            out.push(17);
            for &r in [a, b, c] {
                write_ref(out, r);
            }
        }
        Node::Loop {
            init,
            count,
            max,
            body,
        } => {
            assert!((1..=5).contains(max) && (1..=3).contains(&body.len()));
            out.push(18);
            write_ref(out, *init);
            write_ref(out, *count);
            out.push((max - 1) as u8);
            out.push((body.len() - 1) as u8);
            for step in body {
                match *step {
                    Step::Unary { op, c } => {
                        out.push(unary_byte(op));
                        write_constant(out, c);
                    }
                    Step::Binary { op, other } => {
                        out.push(binary_byte(op));
                        write_ref(out, other);
                    }
                }
            }
        }
        Node::Branch {
            lhs,
            rhs,
            then,
            els,
        } => {
            out.push(20);
            write_ref(out, *lhs);
            match *rhs {
                Rhs::Const(c) => {
                    out.push(1);
                    write_constant(out, c);
                }
                Rhs::Node(r) => {
                    out.push(0);
                    write_ref(out, r);
                }
            }
            write_expr(out, then);
            write_expr(out, els);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::eval::eval;
    use super::super::program::{case, nonfinite_case};
    use super::*;
    use proptest::prelude::*;

    /// Every reference of a node points to an input or an earlier node.
    fn valid(p: &Program) -> bool {
        let mut ok = true;
        for (k, node) in p.nodes.iter().enumerate() {
            let available = p.n_inputs + k;
            node.clone().map(&mut |r: Ref| ok &= r < available);
        }
        ok
    }

    fn in_ranges(c: &Case) -> bool {
        c.v.iter().chain(&c.w).all(|u| u.abs() <= 1.0)
            && c.program.nodes.iter().all(|n| match n {
                Node::Const(c) => c.abs() <= 2.5,
                _ => true,
            })
    }

    #[test]
    fn the_empty_input_is_a_case() {
        let c = Case::from_bytes(&[]);
        assert_eq!((c.program.n_inputs, c.program.nodes.len()), (1, 1));
        assert_eq!(c.program.outputs, vec![1]);
        assert_eq!((c.x.len(), c.v.len(), c.w.len()), (1, 1, 1));
        assert!(valid(&c.program));
    }

    #[test]
    fn special_points_decode() {
        // one input, one node (the tag 0 operation byte 0: −x0), then the point's tag
        let at = |tags: &[u8]| Case::from_bytes(&[&[0, 0, 0, 0, 0, 0][..], tags].concat()).x[0];
        assert_eq!(at(&[6]).to_bits(), 0.0f64.to_bits());
        assert_eq!(at(&[7]).to_bits(), (-0.0f64).to_bits());
        assert_eq!(at(&[10]), f64::INFINITY);
        assert_eq!(at(&[11]), f64::NEG_INFINITY);
        assert!(at(&[12]).is_nan());
        assert_eq!(at(&[13, 15]), -f64::MAX);
        assert_eq!(at(&[13, 10]), 1e300);
        assert_eq!(at(&[14, 14]), 5e-324);
        assert_eq!(at(&[31, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), 1.0);
        assert_eq!(at(&[0, 255]), 2.5);
    }

    proptest! {
        #![proptest_config(crate::config(512))]

        /// Any bytes make a valid case that evaluates without a panic.
        #[test]
        fn any_bytes_decode_to_a_valid_case(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let c = Case::from_bytes(&data);
            let p = &c.program;
            prop_assert!((1..=MAX_INPUTS).contains(&p.n_inputs));
            prop_assert!((1..=MAX_NODES).contains(&p.nodes.len()));
            prop_assert!(valid(p));
            prop_assert!(!p.outputs.is_empty());
            prop_assert_eq!((c.x.len(), c.v.len(), c.w.len()), (p.n_inputs, p.n_inputs, p.outputs.len()));
            prop_assert!(in_ranges(&c));
            let (out, _) = eval::<f64>(p, &c.x);
            prop_assert_eq!(out.len(), p.outputs.len());
            // and it encodes back to bytes that decode to the same case
            let again = Case::from_bytes(&c.to_bytes());
            prop_assert_eq!(format!("{again:?}"), format!("{c:?}"));
        }

        /// Every case of the strategies encodes to bytes that decode back to it.
        #[test]
        fn generated_cases_survive_the_round_trip(
            c in case(MAX_INPUTS, MAX_NODES),
            d in nonfinite_case(MAX_INPUTS, MAX_NODES),
        ) {
            for c in [c, d] {
                let again = Case::from_bytes(&c.to_bytes());
                prop_assert_eq!(format!("{again:?}"), format!("{c:?}"));
            }
        }
    }
}

//! Forward tangents over a recorded program's linearisation: after one `f64` forward pass with
//! partials, W tangent lanes swept through the instructions (`ṫ = ∂₀·ṫ_a + ∂₁·ṫ_b`), the runs
//! over slices and the running sums by their own rules. This is forward mode with the partials
//! computed once on `f64`, instead of re-deriving them on `DualVec` numbers in every pass.

use crate::replay::{Code, Scratch, Shape, SliceKind, NO_SLOT};

/// `d · t`, lane by lane, by the strong-zero rule where `d` is not finite (a zero tangent stays
/// zero, as in the adjoint sweep).
#[inline(always)]
fn scaled<const W: usize>(d: f64, t: &[f64; W]) -> [f64; W] {
    if d.is_finite() {
        t.map(|x| d * x)
    } else {
        t.map(|x| if x == 0.0 { 0.0 } else { d * x })
    }
}

#[inline(always)]
fn add<const W: usize>(a: [f64; W], b: [f64; W]) -> [f64; W] {
    std::array::from_fn(|l| a[l] + b[l])
}

/// The tangents of every slot into `t` (`W` lanes each), the inputs seeded by `seed(i)`, after
/// `s.forward(code, .., with_partials = true)`.
pub(crate) fn sweep<const W: usize>(
    code: &Code,
    s: &Scratch<f64>,
    seed: impl Fn(usize) -> [f64; W],
    t: &mut Vec<[f64; W]>,
) {
    let n = code.n_inputs;
    t.resize(code.slots(), [0.0; W]);
    for (i, ti) in t[..n].iter_mut().enumerate() {
        *ti = seed(i);
    }
    let v = &s.values;
    for run in &code.runs {
        let (start, len) = (run.start as usize, run.len as usize);
        let (head, tail) = t.split_at_mut(n + start);
        let out = &mut tail[..len];
        match run.shape {
            Shape::Each => {
                for k in start..start + len {
                    let [p0, p1] = code.parents[k];
                    let [d0, d1] = s.partials[k];
                    let at = |p: u32, out: &[[f64; W]]| {
                        let p = p as usize;
                        if p < n + start {
                            head[p]
                        } else {
                            out[p - n - start]
                        }
                    };
                    let mut tk = [0.0; W];
                    if p0 != NO_SLOT {
                        tk = scaled(d0, &at(p0, out));
                    }
                    if p1 != NO_SLOT {
                        tk = add(tk, scaled(d1, &at(p1, out)));
                    }
                    out[k - start] = tk;
                }
            }
            Shape::Slices {
                kind,
                a,
                a_step,
                b,
                b_step,
            } => {
                let (a, sa, b, sb) = (a as usize, a_step as usize, b as usize, b_step as usize);
                for (k, o) in out.iter_mut().enumerate() {
                    let (ia, ib) = (a + k * sa, b + k * sb);
                    *o = match kind {
                        SliceKind::Add => add(head[ia], head[ib]),
                        SliceKind::Sub => add(head[ia], scaled(-1.0, &head[ib])),
                        SliceKind::Mul => add(scaled(v[ib], &head[ia]), scaled(v[ia], &head[ib])),
                        SliceKind::AddConst(_) => head[ia],
                        SliceKind::ConstSub(_) | SliceKind::Neg => scaled(-1.0, &head[ia]),
                        SliceKind::MulConst(c) => scaled(c, &head[ia]),
                    };
                }
            }
            Shape::Scan { a, b } => {
                let mut acc = head[a as usize];
                for (o, tb) in out.iter_mut().zip(&head[b as usize..b as usize + len]) {
                    acc = add(acc, *tb);
                    *o = acc;
                }
            }
        }
    }
}

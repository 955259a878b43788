//! What a reverse-mode gradient costs here, where the time goes, and what was measured on the
//! way (documentation only: this module has no items).
//!
//! All figures are ratios to the plain `f64` evaluation of the same generic function, measured
//! on a 2-core VM (AMD EPYC, Zen 3, ≈ 3 GHz) whose slow periods hurt the tape more than the
//! plain evaluation; two builds are compared by alternating them in one run. The programs:
//!
//! - `cargo run --release -p diffprog-reverse --example prof_gradient [n] [reps] [hvp|sweep]`:
//!   Rosenbrock gradient (or Hessian–vector product, or one backward sweep) / plain evaluation,
//!   best of 15 interleaved rounds.
//! - `cargo run --release -p diffprog-reverse --example prof_shapes`: the same for program
//!   shapes where preaccumulation gains or loses (below).
//! - `cargo run --release -p diffprog-reverse --example prof_hessian`: the Hessian driver.
//! - `cargo run --release -p diffprog-benches --bin compare-modes` and
//!   `cargo bench -p diffprog-reverse --bench reverse`: every mode and the peer libraries
//!   (`benches/RESULTS.md` holds a full run).
//!
//! # Where it stands
//!
//! The Rosenbrock gradient costs 10.8–11.8 plain evaluations at n = 1000 and 12.2–13.8 at
//! n = 10 000 (compare-modes; the buffers leave L2 at n = 10 000), 8–10× less than echidna's
//! `grad` and 10–14× less than ad_trait's reverse mode on the same calls. At n = 1000 it splits
//! into the driver's own work ≈ 1.0, the backward sweep ≈ 2.8 (`prof_gradient -- 1000 2000
//! sweep`: 2.65–2.88) and the forward pass — the operations on `Var`s and the record pushes
//! — ≈ 7.7. A Hessian–vector product costs about two gradients, a Rosenbrock Hessian at
//! n = 100 about 240–320 plain evaluations.
//!
//! # The path from 59 to 12 plain evaluations
//!
//! Rosenbrock gradient at n = 1000 (`prof_gradient`, best of 15 rounds): a
//! one-record-per-operation tape with the record call out of line, ≈ 59; inlining the record
//! call, 42; skipping the sink in the backward loop, 34; preaccumulation (one record per term
//! instead of eight, see [`crate::preaccumulate`]), ≈ 20; then parent indices stored as the
//! packed pairs the operands carry (building a `[u32; 4]` went through the stack with a
//! store-forwarding stall), inputs not stored, the register carry in the backward loop, and
//! sums, differences and scalings without multiplications by constants: ≈ 13 (n = 10 000
//! likewise; ≈ 228 instructions per term, `valgrind --tool=callgrind`, against ≈ 18 for the
//! plain evaluation).
//!
//! The backward loop's layout: unused parent slots hold a sink index; a record's parents fill
//! its slots from the first, and the loop stops at the first unused one (accumulating
//! `adj[sink] += a · 0` instead made one long chain of dependent loads and stores). The loop
//! keeps the contribution to the record just below the current one (a running sum's previous
//! record) in a register rather than in memory, so the next iteration does not wait for a
//! store to be forwarded to its load; a record's parents being distinct (debug-asserted), that
//! contribution is assigned rather than added, which leaves one multiplication and one
//! addition on the chain from record to record (the sweep alone: 3.6 → 3.3 plain
//! evaluations).
//!
//! Both passes are bound by instruction throughput, not by a dependency chain: `llvm-mca`
//! (`-mcpu=znver3`, this VM's core) on the path one term executes (read off a callgrind
//! profile) predicts 26 cycles for the forward pass's 153 instructions, 37 of them branches
//! (dispatch-bound; ≈ 28 measured at ≈ 3 GHz), and 8.6 cycles for the sweep's 50 instructions
//! per record (≈ 10 measured). From there:
//!
//! - Marking the all-constant paths of the recording-id checks cold, so that the compiler
//!   tests "variable of the active recording" first, took 12 instructions per term off the
//!   forward pass (153 → 141) and measured ≈ 3 % faster in `prof_gradient` (12.6–12.9× against
//!   13.0–13.4×, interleaved), within the noise in criterion and `prof_shapes`.
//! - Testing the sweep's common record shape first (three or four parents, the third the
//!   record just below: a running sum's) took the sweep from 50 to 43 instructions per record
//!   and the gradient from 12.6–13.0× to 11.6–12.1× (ten interleaved runs each; 212
//!   instructions per term, 141 of them the forward pass).
//! - `s += t` must cost what `s = s + t` costs. With `#[inline]` alone, LLVM kept `add_assign`
//!   — which holds the whole merge and record push — out of line as soon as a crate had a few
//!   `+=` sites (`prof_gradient` has one; `prof_shapes`, the benchmarks and most user code
//!   have more), and the call took `self` through memory; the compound assignments of every
//!   number type are now `#[inline(always)]` (diffprog-dual's operator macro). In a crate with
//!   two `+=` sites the Rosenbrock gradient at n = 1000 went from 15.1× to 12.0× and
//!   `Σ xᵢxᵢ₊₁` from 13.1× to 11.2× (fastest of eight interleaved runs each); compare-modes'
//!   Rosenbrock gradient at n = 1000 from 14.4× (15.3 µs) to 12.0–12.4× (13.7–14.3 µs, three
//!   runs). The binary elementary functions (`max`, `min`, `atan2`, `pow`, `hypot`) and
//!   `mul_add` hold a merge too and went out of line the same way (three `max` sites in a
//!   crate: a `call` of `Var::max`); forced inline, `Σ max(xᵢ, xᵢ₊₁)·xᵢ` went from 16.0× to
//!   13.5× and a `max`/`mul_add` sum from 11.6× to 10.2× (fastest of eight interleaved runs
//!   each, n = 1000).
//! - The driver's own work — starting the recording, writing the inputs, zeroing the adjoints,
//!   copying the gradient out — was measured with a function that returns `x[0]`: at n = 1000
//!   it cost 1.14 plain Rosenbrock evaluations, most of it writing the 1000 input `Var`s (four
//!   stores each into a 40 KB buffer). The drivers reuse that buffer, and when the previous
//!   call left `Var`s of the same records (every driver call starts at record 1) they rewrite
//!   only each input's value and recording id: 0.97–1.02 plain evaluations, and the Rosenbrock
//!   gradient 12.0–12.5× → 11.4–11.6× (one run alternating the old and new builds),
//!   compare-modes 12.2–12.6× → 11.4–11.8× at n = 1000 (three runs before, seven after).
//!
//! # Where the rest goes: bounds measured on throw-away builds
//!
//! - **The operator interface.** The same gradient with each term's value and two partials
//!   computed as plain numbers and written as one record (what a compile-time,
//!   expression-template tool would emit; a throw-away example using crate internals) ran at
//!   6.1–6.5× at n = 1000 against 11.9–12.3× for the operators in the same runs (before the
//!   input-buffer change; 5.6–5.9× in later runs). About half of the gradient is therefore the
//!   price of recording operation by operation: the partials chained through every operation,
//!   and the merge's decisions on which records two operands share (the recording-id checks
//!   cost little, see below).
//! - **The merge's decisions.** A merge hard-wired to Rosenbrock's three shapes (wrong for other
//!   programs) ran at 9.7–9.9× where the unchanged code ran at 11.9–12.3×: the general decision
//!   tree costs ≈ 2.5 plain evaluations here, and it is close to minimal for the shapes it must
//!   tell apart (three reorderings each save at most one or two tests per term). A one-test
//!   path for two single-entry operands (`x·y`), which adds a test to the other shapes, helped
//!   the shapes built of products of two inputs (`prof_shapes`, four alternating runs:
//!   `Σ xᵢxᵢ₊₁` 10.6× against 11.6×, dense 9.9–10.1× against 10.6–11.6×) and not Rosenbrock
//!   (11.65–12.0× against 11.3–11.8× in a `gradient_into` loop); not adopted.
//! - **The safety checks.** The tape in an `UnsafeCell` instead of a `RefCell`, pushes and
//!   adjoint reads and writes unchecked, and no recording-id comparisons at all (unsound, not
//!   adopted) ran 190 instead of 213 instructions per term and was no faster (best of ten
//!   interleaved runs: 11.74× safe, 11.78× without the `RefCell` and bounds checks, 11.93×
//!   without the id checks too).
//! - **No recording-id checks and a Rosenbrock-only merge, together** (the lowest this tape,
//!   sweep and driver reach on an unchanged generic function; unsound and wrong for other
//!   programs). Unary operations tested nothing, binary ones compared only their operands' ids
//!   with each other (no active-recording load), and the merge knew only Rosenbrock's shapes:
//!   same records, two single entries, a single entry on the other's second. `prof_gradient`,
//!   five rounds alternating it with the shipped code in one run: best 9.33× against 12.22× at
//!   n = 1000 and 9.71× against 12.64× at n = 10 000 (rounds in a slow stretch up to 13.0×
//!   against 16.9×); 112 instructions per term in the forward pass against 141 (callgrind).
//!   The id checks alone, removed the same way with the general merge kept, left the count at
//!   142 and the time within the noise (best 11.81× against 12.09×, nine alternating rounds).
//!   So the merge's decisions, not the id checks, are the bookkeeping that costs here, and
//!   even without any of it the gradient stays near 10× at n = 10 000. Of this bound's 9.3× at
//!   n = 1000, about 6 is what the hand-fed tape above costs (values, partials, record pushes,
//!   sweep, driver) and about 3.5 the operations on `Var`s themselves: the partials chained
//!   through every operation, and the bound's three merge tests.
//! - **Lazy recording-id checks.** Checking recording ids only where derivatives are recorded or
//!   read (14 instructions per term fewer) measured ≈ 4 % faster (12.4–12.6× against
//!   12.9–13.2×, ten interleaved runs each), before the sweep's common-shape test; on top of
//!   it, 3 instructions per term fewer and no faster. Re-measured later together with the
//!   one-test `x·y` path: 3 % faster in compare-modes (n = 1000: 11.0–11.5× against
//!   11.5–11.8×, three interleaved runs each) and 7–10 % in `gradient_into` loops. Not
//!   adopted: a `Var` of an ended recording would panic only where it reaches a derivative
//!   rather than at its first operation (see [`crate`]'s "Misuse is caught").
//! - **The record pushes.** A build whose push stores nothing (its gradients are wrong) ran at
//!   9.1–9.4× against 11.8–12.1× (eight interleaved runs), the difference being about the
//!   sweep's own time (2.7–2.9 plain evaluations): the operations on `Var`s — values,
//!   partials, merges — are about 8.5 of the 12 plain evaluations. Rosenbrock's operations
//!   with the terms summed as plain numbers — no records, no sweep — cost 7.1×
//!   (`prof_shapes`' `rosen-terms`, 12.9× for its gradient in the same run), and `Σ xᵢxᵢ₊₁`,
//!   one product and one record per term, 11.8×.
//! - **The sweep's dependency chain and bounds checks.** Skipping the multiplication on the
//!   sweep's carry when the partial is exactly 1 (a running sum's), which halves the chain
//!   from record to record, was no faster (the sweep alone 3.08–3.36 against 2.73–3.19 plain
//!   evaluations, eight interleaved runs). Bounds checks replaced by an index `min` (a
//!   conditional move) left the sweep where it was (2.71–3.12 against 2.70–2.88, four
//!   alternating pairs). Bounds checks replaced by masks on a power-of-two adjoint buffer
//!   (−6 instructions per record) were not faster either, and made
//!   [`Recording::backward`](crate::Recording::backward) ≈ 3× slower at n ≥ 700, the extra time
//!   in the `memmove` that copies the adjoints out (`perf record -e cpu-clock`; the buffers'
//!   placement, not the sweep).
//! - **Wider `Var`s.** Three entries and six-parent records, one record per two Rosenbrock
//!   terms, made the sweep cheaper (3.3 → 2.3 plain evaluations) and every operation dearer
//!   (more registers per `Var`, longer decision trees): the gradient went from 13.3× to 15.3×
//!   (interleaved runs), so `Var`s keep two entries. As a bound, the expression-template
//!   example above with one record per two terms ran at 4.4–4.5× against 5.6–5.7×: halving the
//!   records saves ≈ 1.2 plain evaluations.
//! - **Whole-program optimisation.** `codegen-units = 1` with fat LTO
//!   (`CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_LTO=fat`) was no faster in
//!   `prof_gradient` (seven alternating pairs in a noisy stretch, best 12.6× against 12.1×
//!   for the workspace's profile); the hot paths are generic and forced inline, so they are
//!   compiled in the user's crate either way.
//!
//! The element types differ in what is inlined: the record push and the merge are inlined for
//! `f64`, `f32` and `Dual` tapes and out of line for larger element types (inlining them for
//! `DualVec` made generic code minutes slower to compile).
//!
//! # Preaccumulation by program shape
//!
//! Preaccumulation is not free everywhere (`prof_shapes`). Measured with the
//! one-record-per-operation tape (before the later improvements above): local chains gained
//! (Rosenbrock 35× → 21×, sin·exp chains 3.5× → 3.1×), a running product was unchanged (13×),
//! but an intermediate of two inputs reused by every term (`t = x₀x₁; Σ t·xᵢ`) cost 25×
//! instead of 13× and a dense double sum 17× instead of 11×: there each use copies the
//! intermediate's two entries into a three- or four-parent record, so the record count does
//! not drop while each record costs more. With the current tape (one run in a quiet period):
//! Rosenbrock 12.9×, sin·exp 2.5×, product 7.1×, shared intermediate 14.0× (12.6× with
//! [`Var::retain_adjoint`](crate::Var::retain_adjoint)), dense 10.6×.
//!
//! Writing each Rosenbrock term as one [`Var::custom`](crate::Var::custom) primitive with
//! hand-derived partials (`rosen-custom`: the same records) cost 16.5× while `Var::custom`
//! chained its parents one by one from the slice, a loop the compiler kept; with one or two
//! parents it is now exactly a unary or binary operation (the slice's length is known once
//! inlined): 10.4–11.4× against 15.8–18.7× (three runs alternating the two builds), so a hot
//! term whose partials the user supplies costs less than the operations it replaces
//! (Rosenbrock's 11.8–12.7× in the same runs).
//!
//! # Mixed mode
//!
//! Over `Dual<f64>` elements, sums and differences chain their operands' dual partials without
//! multiplying them by the dual constant 1, `x · c` scales them by the primal `c`, and `x · x`
//! on a one-record `x` skips the meaningless second slot; with that a Rosenbrock
//! Hessian–vector product costs 2.1–2.5 gradients at n = 100…10 000 (`prof_gradient -- 1000
//! 500 hvp`, interleaved rounds; 3.1–3.4 before), and 1.7–2.0 in criterion and compare-modes.
//!
//! The Hessian driver's bounds (skip records that do not depend on a block's inputs, compute
//! only the tangents a curved record reads, end a block's sweeps past its last reader): the
//! Rosenbrock Hessian at n = 100 costs ≈ 280–320 plain evaluations in criterion
//! (`benches/reverse.rs`: 32–37 µs, echidna's bytecode `hessian` 37–49× slower, num-dual's
//! 280–295×, ad_trait's forward-over-reverse and forward-over-forward Hessians 1 200–1 400×);
//! `prof_hessian` gives 51–57 µs against 66–73 µs before the last two bounds, alternating the
//! two builds (−35 % instructions, `valgrind --tool=callgrind`).

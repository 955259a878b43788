#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after another, then prints per target the
# executions, libFuzzer's final coverage (cov: edges, ft: features), the corpus size and whether
# it found a crash.
#
#   fuzz/run.sh [SECONDS]            all targets
#   TARGETS="csv checkpoint" fuzz/run.sh 60
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The committed seeds in
# fuzz/corpus/<target> are only read; what the fuzzer adds goes to fuzz/work/<target> (ignored by
# git), its log to fuzz/work/<target>.log, a crashing input to fuzz/artifacts/<target>/.
set -u
cd "$(dirname "$0")"
secs=${1:-600}
targets=${TARGETS:-"csv idx_images idx_labels idx_gzip checkpoint programs"}

# Release build with debug assertions and overflow checks, so an overflow is a finding too.
cargo +nightly fuzz build --debug-assertions || exit 1

failed=0
results=()
for t in $targets; do
    mkdir -p "work/$t"
    log="work/$t.log"
    echo "== $t: ${secs}s, log in fuzz/$log"
    cargo +nightly fuzz run --debug-assertions "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
    ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' <<<"$last" | awk '{print $2}')
    if [ "$rc" -eq 0 ]; then finding="none"; else finding="CRASH (exit $rc; see fuzz/$log and fuzz/artifacts/$t)"; failed=1; fi
    results+=("$(printf '%-11s execs %-10s cov %-6s ft %-7s corpus %-12s findings: %s' \
        "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$finding")")
    echo "${results[-1]}"
done
echo
echo "== summary (${secs}s per target)"
printf '%s\n' "${results[@]}"
exit $failed

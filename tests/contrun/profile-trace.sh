#!/bin/sh
# contrun --profile=FILE --trace=FILE on the deadlock program (2 ranks x 2
# threads, 64 messages per rank): the table is printed and written, the JSON
# forms parse (jq), and their counts match what the program did: 128
# MPI_Recv and 128 MPI_Send in tasks, 2 MPI_Allreduce outside; then
# contrun-timeline draws the trace.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=2 OMP_MAX_TASK_PRIORITY=1
out=$("${srcdir:-.}/run-mpi.sh" 2 ../contrun/contrun --profile="$tmp/prof" --trace="$tmp/trace.json" \
      ./contrun_deadlock 64 2>&1)
rc=$?
printf '%s\n' "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ $rc -eq 0 ] || fail "exit status $rc"
# The table: "<metric> min mean max total".
total() { printf '%s\n' "$2" | awk -v m="$1" 'index($0, m) == 1 { print $NF; exit }'; }
for src in "$out" "$(cat "$tmp/prof")"; do
    printf '%s\n' "$src" | grep -q '^contrun profile: 2 ranks x 2 OpenMP threads, MPI_THREAD_MULTIPLE' ||
        fail "no profile header"
    [ "$(total 'MPI_Recv calls in tasks' "$src")" = 128 ] || fail "MPI_Recv calls in tasks != 128"
    [ "$(total 'MPI_Send calls in tasks' "$src")" = 128 ] || fail "MPI_Send calls in tasks != 128"
    [ "$(total 'MPI_Allreduce calls outside tasks' "$src")" = 2 ] || fail "MPI_Allreduce != 2"
done
j=$(jq -r '.metrics[] | select(.name == "MPI_Recv calls in tasks") | .total' "$tmp/prof.json") ||
    fail "prof.json does not parse"
[ "$j" = 128 ] || fail "prof.json: MPI_Recv calls in tasks = $j"
[ "$(jq -r '.ranks' "$tmp/prof.json")" = 2 ] || fail "prof.json: ranks"
n=$(jq '[.histograms.completion_to_resume_us.counts[]] | add' "$tmp/prof.json")
[ "$n" -ge 1 ] || fail "prof.json: empty resume histogram"
# The trace.
count() { jq "[.traceEvents[] | select($1)] | length" "$tmp/trace.json"; }
[ "$(count '.ph == "X" and .cat == "task-wait" and .name == "MPI_Recv"')" = 128 ] || fail "trace: MPI_Recv"
[ "$(count '.ph == "X" and .cat == "task-wait" and .name == "MPI_Send"')" = 128 ] || fail "trace: MPI_Send"
[ "$(count '.ph == "X" and .cat == "blocked" and .name == "MPI_Allreduce"')" = 2 ] || fail "trace: MPI_Allreduce"
[ "$(jq '[.traceEvents[] | .pid] | unique' -c "$tmp/trace.json")" = '[0,1]' ] || fail "trace: pids"
[ "$(count '.ph == "X" and .dur < 0')" = 0 ] || fail "trace: negative durations"
# The picture.
"${srcdir:-.}/../contrun/contrun-timeline" "$tmp/trace.json" "$tmp/t.svg" || fail "contrun-timeline"
grep -q '</svg>' "$tmp/t.svg" || fail "no SVG"
echo "profile-trace: OK"

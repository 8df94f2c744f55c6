#!/bin/sh
# CONT_* configuration, checked at MPI_Init on a small continuation ring
# (mr_ring, 2 ranks): unknown variables and bad values make the job fail
# with a message naming the variable (never a hang, never silently ignored);
# valid values run correctly; the one-line "no progress thread" notice
# appears exactly once (rank 0) when MPI_THREAD_MULTIPLE is not provided and
# CONT_VERBOSE=1, and never otherwise.
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/env-config.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
MPIEXEC_TIMEOUT=30
export MPIEXEC_TIMEOUT
# Start from a clean CONT_* environment (only what each case sets).
for v in $(env | sed -n 's/^\(CONT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
CONT_VERBOSE=0
export CONT_VERBOSE
fail=0
n=0

# run "VAR=VAL ..." RING-ARGS...: run mr_ring with the given environment.
# Each rank writes its stderr straight to a file: when a job aborts, mpiexec
# (hydra) sometimes drops the output it has not forwarded yet (seen about
# once in 40 aborted runs), and the messages are what these cases check.
run() {
    envs=$1
    shift
    n=$((n + 1))
    rm -f "$tmp"/err.*
    env $envs "$srcdir/run-mpi.sh" 2 \
        sh -c 'exec "$0" "$@" 2>"'"$tmp"'/err.${PMI_RANK:-x}"' ./mr_ring -l 50 -r 1 "$@" \
        >"$tmp/out" 2>"$tmp/mpiexec.err"
    rc=$?
    # a newline after each rank's file: a rank killed by another's abort
    # may have written half a line, which must not run into the next file's
    # first line (seen once in an ASan CI run)
    for f in "$tmp"/err.* "$tmp/mpiexec.err"; do
        [ -f "$f" ] && { cat "$f"; echo; }
    done >>"$tmp/out"
}

bad() {
    echo "env-config: FAIL: [$envs] mr_ring $*; exit $rc; output:" >&2
    sed 's/^/    /' "$tmp/out" >&2
    fail=1
}

# expect_fail "ENV" "REGEX" [RING-ARGS]: the job fails, clearly.
expect_fail() {
    e=$1 re=$2
    shift 2
    run "$e" "$@"
    if [ $rc = 0 ]; then
        bad "$@" "(expected the job to fail)"
    elif [ $rc = 124 ] || [ $rc = 137 ] || grep -q "TIMED OUT" "$tmp/out"; then
        bad "$@" "(timed out instead of failing)"
    elif ! grep -q "$re" "$tmp/out"; then
        bad "$@" "(no message matching '$re')"
    else
        echo "env-config: [$e] fails as expected"
    fi
}

# expect_ok "ENV" NOTICES RING-ARGS: the ring runs correctly and the
# "no progress thread" notice appears NOTICES times.
expect_ok() {
    e=$1 notices=$2
    shift 2
    run "$e" "$@"
    got=$(grep -c "no progress thread" "$tmp/out")
    if [ $rc != 0 ] || ! grep -q "^mr_ring: OK" "$tmp/out"; then
        bad "$@" "(expected success)"
    elif [ "$got" != "$notices" ]; then
        bad "$@" "(the 'no progress thread' notice appeared $got times, expected $notices)"
    elif [ "$notices" = 1 ] && ! grep -q "^libcont: MPI_THREAD_[A-Z]* provided, not MPI_THREAD_MULTIPLE: no progress thread; continuations run inside MPI_Test/MPI_Wait on continuation requests$" "$tmp/out"; then
        bad "$@" "(the notice is not the expected single line)"
    elif [ "$notices" = 1 ] && ! grep -q "no progress thread" "$tmp/err.0"; then
        bad "$@" "(the notice does not come from rank 0)"
    else
        echo "env-config: [$e] mr_ring $* runs correctly"
    fi
}

# Unknown variables and bad values.
expect_fail "CONT_FOO=1" "^libcont: unknown environment variable CONT_FOO"
expect_fail "CONT_FOO=1" "invalid CONT_\* configuration, aborting"
expect_fail "CONT_PROGRESS_THREADS=on" "unknown environment variable CONT_PROGRESS_THREADS"
expect_fail "CONT_POLL_SPIN=abc" "^libcont: CONT_POLL_SPIN='abc': expected an integer"
expect_fail "CONT_POLL_SPIN=" "^libcont: CONT_POLL_SPIN='': expected an integer"
expect_fail "CONT_POLL_SPIN=12x" "^libcont: CONT_POLL_SPIN='12x': expected an integer"
expect_fail "CONT_POLL_MAX_SLEEP_US=0" "^libcont: CONT_POLL_MAX_SLEEP_US='0': expected an integer in 1\.\."
expect_fail "CONT_PROGRESS_PACE=-1" "^libcont: CONT_PROGRESS_PACE='-1': expected an integer in 0\.\.1000"
expect_fail "CONT_PROGRESS_PACE=1001" "^libcont: CONT_PROGRESS_PACE='1001': expected an integer in 0\.\.1000"
expect_fail "CONT_FINALIZE_TIMEOUT_MS=-5" "^libcont: CONT_FINALIZE_TIMEOUT_MS='-5'"
expect_fail "CONT_VERBOSE=7" "^libcont: CONT_VERBOSE='7'"
expect_fail "CONT_PROGRESS_THREAD=maybe" "^libcont: CONT_PROGRESS_THREAD='maybe': expected auto, on or off"
expect_fail "CONT_PROGRESS_CPU=banana" "^libcont: CONT_PROGRESS_CPU='banana'"
expect_fail "CONT_PROGRESS_CPU=banana" "CONT_PROGRESS_CPU: use a core index"
expect_fail "CONT_PROGRESS_CPU=9999" "^libcont: CONT_PROGRESS_CPU=9999: this machine has [0-9]* cores"
expect_fail "CONT_PROGRESS_THREAD=on" \
    "^libcont: CONT_PROGRESS_THREAD=on needs MPI_THREAD_MULTIPLE, but MPI provided MPI_THREAD_SINGLE" \
    -t single

# Valid values.
expect_ok "CONT_PROGRESS_CPU=auto" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_CPU=0" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_CPU=none" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_CPU=auto CONT_VERBOSE=2" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_THREAD=off" 0 -t multiple -p 0
expect_ok "CONT_PROGRESS_THREAD=on" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_THREAD=auto" 0 -t multiple -p 1
expect_ok "CONT_POLL_MAX_SLEEP_US=10" 0 -t multiple -p 1
expect_ok "CONT_POLL_SPIN=0 CONT_POLL_YIELD=0 CONT_POLL_MAX_SLEEP_US=10" 0 -t multiple -p 1
expect_ok "CONT_MAX_INLINE_DEPTH=1 CONT_FINALIZE_TIMEOUT_MS=0" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_PACE=0" 0 -t multiple -p 1
expect_ok "CONT_PROGRESS_PACE=1000" 0 -t multiple -p 1

# expect_oversub "ENV" REGEX: on two cores (taskset -c 0,1) 2 ranks fit but
# not with their progress threads: the ring still runs, and rank 0 says
# which polling it chose (CONT_VERBOSE=2; explicit settings win).
expect_oversub() {
    e=$1 re=$2
    run "$e CONT_VERBOSE=2 taskset -c 0,1" -t multiple -p 1
    if [ $rc != 0 ] || ! grep -q "^mr_ring: OK" "$tmp/out"; then
        bad "(oversubscribed, expected success)"
    elif ! grep -q "$re" "$tmp/err.0"; then
        bad "(oversubscribed: rank 0 printed no line matching '$re')"
    else
        echo "env-config: [$e] on two cores: $(grep -o "oversubscribed;.*" "$tmp/err.0")"
    fi
}
expect_oversub "" "^libcont: 2 rank(s) x (1 thread(s) + a progress thread) on 2 core(s): oversubscribed; the progress thread polls with spin 0, yield 0$"
expect_oversub "CONT_POLL_SPIN=7" "oversubscribed; the progress thread polls with spin 7, yield 0$"

# The "no progress thread" notice: once, on rank 0, only without MULTIPLE
# and with CONT_VERBOSE=1.
expect_ok "CONT_VERBOSE=1" 1 -t single -p 0
expect_ok "CONT_VERBOSE=1" 1 -t funneled -p 0
expect_ok "CONT_VERBOSE=1" 0 -t multiple -p 1
expect_ok "CONT_VERBOSE=0" 0 -t single -p 0

echo "env-config: $n runs"
exit $fail

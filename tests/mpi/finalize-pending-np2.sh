#!/bin/sh
# MPI_Finalize with continuations that can never run must return in bounded
# time (short CONT_FINALIZE_TIMEOUT_MS, hard MPIEXEC_TIMEOUT) and report, per
# rank, how many could not run and why; a rank with nothing pending reports
# nothing.  Run 1: progress thread, only rank 0 has pending work.  Run 2:
# CONT_PROGRESS_THREAD=off, every rank has pending work.
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/finalize-pending.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
MPIEXEC_TIMEOUT=30
CONT_FINALIZE_TIMEOUT_MS=200
export MPIEXEC_TIMEOUT CONT_FINALIZE_TIMEOUT_MS
fail=0
bad() { echo "finalize-pending: FAIL: $*" >&2; fail=1; }

report() {   # the summary line libcont prints for rank $1
    echo "libcont: rank $1: MPI_Finalize: 6 continuation(s) on 3 continuation request(s) could not run (2 never started, 1 ready on POLL_ONLY requests not tested, 3 waiting for operations)"
}

check_rank() {   # check_rank RANK PENDING(0|1) OUT ERR
    r=$1
    grep -q "^mr_finalize_pending: rank $r: MPI_Finalize returned$" "$3" ||
        bad "rank $r: MPI_Finalize did not return"
    n=$(grep -c "^libcont: rank $r: MPI_Finalize:" "$4")
    per=$(grep -c "^libcont: rank $r:   continuation request " "$4")
    if [ "$2" = 1 ]; then
        [ "$(grep -cxF "$(report "$r")" "$4")" = 1 ] ||
            bad "rank $r: expected exactly one report line: $(report "$r")"
        [ "$n" = 1 ] || bad "rank $r: $n report lines, expected 1"
        [ "$per" = 3 ] || bad "rank $r: $per per-request lines, expected 3"
        grep -q "^libcont: rank $r:   continuation request 0x[0-9a-f]*: 3 (operations still pending)$" "$4" ||
            bad "rank $r: no line for the CR with 3 continuations waiting for operations"
        grep -q "^libcont: rank $r:   continuation request 0x[0-9a-f]*: 2 (the request was never started)$" "$4" ||
            bad "rank $r: no line for the never-started CR with 2 continuations"
        grep -q "^libcont: rank $r:   continuation request 0x[0-9a-f]*: 1 (POLL_ONLY and not tested again)$" "$4" ||
            bad "rank $r: no line for the untested POLL_ONLY CR with 1 continuation"
    else
        [ "$n" = 0 ] && [ "$per" = 0 ] ||
            bad "rank $r had nothing pending but printed a report ($n + $per lines)"
    fi
}

run() {   # run NAME NP ARGS...: run the program, keep stdout/stderr
    name=$1 np=$2
    shift 2
    "$srcdir/run-mpi.sh" "$np" ./mr_finalize_pending "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ $rc != 0 ]; then
        bad "$name: exit status $rc"
        cat "$tmp/$name.out" "$tmp/$name.err" >&2
    fi
}

run pt 2 -m 0 -p 1
check_rank 0 1 "$tmp/pt.out" "$tmp/pt.err"
check_rank 1 0 "$tmp/pt.out" "$tmp/pt.err"

CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
run nopt 2 -m all -p 0
unset CONT_PROGRESS_THREAD
check_rank 0 1 "$tmp/nopt.out" "$tmp/nopt.err"
check_rank 1 1 "$tmp/nopt.out" "$tmp/nopt.err"

if [ $fail != 0 ]; then
    for f in "$tmp"/*; do echo "--- $f"; cat "$f"; done >&2
    exit 1
fi
echo "finalize-pending: OK"

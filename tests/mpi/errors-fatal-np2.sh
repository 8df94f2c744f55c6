#!/bin/sh
# With the default error handler (MPI_ERRORS_ARE_FATAL), a bad libcont call
# on rank 0 aborts the whole job (rank 1 waits in MPI_Barrier): non-zero exit,
# not a timeout, and libcont's message naming the call and the problem on
# stderr.
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/errors-fatal.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
MPIEXEC_TIMEOUT=30
export MPIEXEC_TIMEOUT
fail=0

expect() {   # expect CASE REGEX
    # Each rank writes its stderr straight to a file: when a job aborts,
    # mpiexec (hydra) sometimes drops output it has not forwarded yet.
    rm -f "$tmp"/err.*
    "$srcdir/run-mpi.sh" 2 \
        sh -c 'exec "$0" "$@" 2>"'"$tmp"'/err.${PMI_RANK:-x}"' ./mr_errors_fatal fatal "$1" \
        >"$tmp/out" 2>"$tmp/mpiexec.err"
    rc=$?
    cat "$tmp"/err.* "$tmp/mpiexec.err" >>"$tmp/out" 2>/dev/null
    why=
    if [ $rc = 0 ]; then
        why="exit status 0, expected the job to abort"
    elif [ $rc = 124 ] || [ $rc = 137 ] || grep -q "TIMED OUT" "$tmp/out"; then
        why="timed out (exit $rc) instead of aborting"
    elif grep -q "FAIL" "$tmp/out"; then
        why="the bad call returned"
    elif ! grep -q "^libcont: $2" "$tmp/out"; then
        why="no message matching 'libcont: $2'"
    fi
    if [ -n "$why" ]; then
        echo "errors-fatal: FAIL: case $1: $why; output:" >&2
        cat "$tmp/out" >&2
        fail=1
    else
        echo "errors-fatal: case $1: aborted (exit $rc) with the expected message"
    fi
}

expect null-cb 'MPIX_Continue: the callback is NULL (MPI_ERR_ARG)'
expect bad-flags 'MPIX_Continue: unknown flag bits 0x1000 (MPI_ERR_ARG)'
expect not-cr 'MPIX_Continue: cont_req 0x[0-9a-f]* is not a continuation request.*(MPI_ERR_REQUEST)'
expect start-twice 'MPI_Start: continuation request 0x[0-9a-f]* is already active.*(MPI_ERR_REQUEST)'
expect owned 'MPI_Test: request 0x[0-9a-f]* has a continuation attached.*(MPI_ERR_REQUEST)'
expect free-held 'MPI_Request_free: continuation request 0x[0-9a-f]* has 1 continuation(s) registered but was never started.*(MPI_ERR_REQUEST)'
expect init-flags 'MPIX_Continue_init: flag bits 0x8 belong to MPIX_Continue\[all\].*(MPI_ERR_ARG)'
expect null-then-bad 'MPIX_Continueall: request 1 is cont_req itself (MPI_ERR_REQUEST)'
expect continueall-count 'MPIX_Continueall: count -1 is negative (MPI_ERR_COUNT)'
exit $fail

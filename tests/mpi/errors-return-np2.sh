#!/bin/sh
# With MPI_ERRORS_RETURN, each bad libcont call returns its error class,
# registers nothing and sets cont_last_error(); libcont stays quiet on stderr
# (CONT_VERBOSE < 2) and keeps working afterwards.
srcdir=${srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/errors-return.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
"$srcdir/run-mpi.sh" 2 ./mr_errors_fatal return >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
if [ $rc != 0 ]; then
    echo "errors-return: FAIL: exit status $rc" >&2
    cat "$tmp/err" >&2
    exit 1
fi
if grep -q "^libcont: " "$tmp/err"; then
    echo "errors-return: FAIL: libcont printed errors although MPI_ERRORS_RETURN is set:" >&2
    cat "$tmp/err" >&2
    exit 1
fi
exit 0

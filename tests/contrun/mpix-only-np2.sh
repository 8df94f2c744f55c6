#!/bin/sh
# A program written against MPI + MPIX_Continue only, not linked to libcont,
# runs under contrun: 200 continuations per rank, each exactly once with the
# right payload.
out=$(OMP_NUM_THREADS=1 "${srcdir:-.}/run-mpi.sh" 2 ../contrun/contrun ./contrun_mpix_only 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^mpix-only: OK: 2 ranks, 200 continuations per rank, 0 wrong' ||
    { echo "FAIL: exit $rc"; exit 1; }

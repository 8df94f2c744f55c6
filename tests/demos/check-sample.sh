#!/bin/sh
# check-sample.sh NP THREADS PROGRAM [ARGS...]: run a sample under mpiexec
# (with MPIEXEC_TIMEOUT) and require its verdict line to end in OK.
np=$1 threads=$2; shift 2
out=$(OMP_NUM_THREADS=$threads "${srcdir:-.}/run-mpi.sh" "$np" "$@" 2>&1)
rc=$?
echo "$out"
if [ $rc -ne 0 ] || ! echo "$out" | grep -q 'OK$'; then
    echo "FAILED: $np ranks x $threads threads: $*"
    exit 1
fi

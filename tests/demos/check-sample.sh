#!/bin/sh
# check-sample.sh NP THREADS PROGRAM [ARGS...]: run a sample under mpiexec
# (with MPIEXEC_TIMEOUT) and require its verdict line to end in OK.
np=$1 threads=$2; shift 2
# A known libomp 19 abort is run once more (../libomp-retry.sh).
out=$(OMP_NUM_THREADS=$threads "${srcdir:-.}/libomp-retry.sh" "${srcdir:-.}/run-mpi.sh" "$np" "$@")
rc=$?
echo "$out"
if [ $rc -ne 0 ] || ! echo "$out" | grep -q 'OK$'; then
    echo "FAILED: $np ranks x $threads threads: $*"
    exit 1
fi

#!/bin/sh
# deadlock-check.sh NP: the deadlock program (blocking MPI_Recv/MPI_Send in
# OpenMP tasks, receives first) under contrun on NP ranks x 2 threads must
# finish with every payload right.  Without contrun it hangs (checked once,
# on 2 ranks, with a short MPIEXEC_TIMEOUT, so the test cannot pass for the
# wrong reason).
np=$1
export OMP_NUM_THREADS=2 OMP_MAX_TASK_PRIORITY=1
run="${srcdir:-.}/run-mpi.sh"
if [ "$np" = 2 ]; then
    out=$(MPIEXEC_TIMEOUT=5 "$run" 2 ./contrun_deadlock 16 2>&1)
    if printf '%s\n' "$out" | grep -q '^deadlock: OK'; then
        echo "FAIL: without contrun the program did not deadlock; the test proves nothing"
        exit 1
    fi
    echo "without contrun: no result within 5 s (deadlock, as expected)"
fi
out=$("$run" "$np" ../contrun/contrun ./contrun_deadlock 64 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^deadlock: OK: $np ranks x 2 threads, 64 messages per rank, 0 wrong" ||
    { echo "FAIL: exit $rc"; exit 1; }

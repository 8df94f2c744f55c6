#!/bin/sh
# The blocked Gauss-Seidel wavefront (wavefront.c: blocking MPI_Send/Recv in
# dependent tasks, MPI_THREAD_SINGLE asked for) unmodified under contrun, at
# 1, 2 and 4 ranks x 1, 2 and 4 threads: every run must finish and match
# the serial sweep bit for bit.  Once, for the record, the same program
# with the task pause off (CONT_TASK_PAUSE=off: waits nest through
# taskyield) at 2 x 2 with a short time limit: it normally hangs there,
# which is what the pause removes (reported, not judged: a nested wait can
# also get lucky).
run="${srcdir:-.}/run-mpi.sh"
args="256 256 16 10"
out=$(OMP_NUM_THREADS=2 CONT_TASK_PAUSE=off MPIEXEC_TIMEOUT=8 "$run" 2 ../contrun/contrun \
      ./contrun_wavefront $args 2>&1)
if printf '%s\n' "$out" | grep -q '^wavefront: OK'; then
    echo "with CONT_TASK_PAUSE=off at 2 x 2: finished this time (nested waits got lucky)"
else
    echo "with CONT_TASK_PAUSE=off at 2 x 2: no result within 8 s (nested waits deadlock)"
fi
fail=0
for np in 1 2 4; do
    for threads in 1 2 4; do
        out=$(OMP_NUM_THREADS=$threads "$run" $np ../contrun/contrun ./contrun_wavefront $args 2>&1)
        rc=$?
        printf '%s\n' "$out"
        [ $rc -eq 0 ] && printf '%s\n' "$out" |
            grep -q "^wavefront: OK: tasks, $np ranks x $threads threads, .* 0 cells differ" ||
            { echo "FAIL: $np ranks x $threads threads: exit $rc"; fail=1; }
    done
done
exit $fail

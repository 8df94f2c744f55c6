#!/bin/sh
# contrun's stall detector: a receive in a task that no send matches is
# named (kind, peer, tag, communicator) within CONT_STALL_TIMEOUT and the
# job ends with a non-zero status; a slow run that keeps progressing (a
# message every 0.5 s for 4 s, timeout 3 s) is never stopped.
run="${srcdir:-.}/run-mpi.sh"
fail=0
out=$(CONT_STALL_TIMEOUT=2 MPIEXEC_TIMEOUT=60 "$run" 2 ../contrun/contrun ./contrun_stall never 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -ne 0 ] || { echo "FAIL: the stalled job exited 0"; fail=1; }
# The first rank to abort ends the job: at least one names its receive.
printf '%s\n' "$out" |
    grep -Eq "^contrun: rank (0:   thread [0-9]+: MPI_Recv from rank 1|1:   thread [0-9]+: MPI_Recv from rank 0), tag 99 on MPI_COMM_WORLD, nesting 1" ||
    { echo "FAIL: the pending receive is not named"; fail=1; }
printf '%s\n' "$out" | grep -q "likely cause: receives that no send matches" ||
    { echo "FAIL: no likely cause given"; fail=1; }
printf '%s\n' "$out" | grep -q "^stall: FAIL" && fail=1
out=$(CONT_STALL_TIMEOUT=3 OMP_NUM_THREADS=2 "$run" 2 ../contrun/contrun ./contrun_stall slow 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^stall: OK" ||
    { echo "FAIL: the slow but progressing run was stopped (exit $rc)"; fail=1; }
exit $fail

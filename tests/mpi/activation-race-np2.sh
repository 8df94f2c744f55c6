#!/bin/sh
# Starting a CR while its held continuations' operations complete, and the
# "MPI_Test; if complete MPI_Start" loop while callbacks register more
# continuations with the same CR: exactly once, never before the start.
# Run 1 with the progress thread; run 2 with CONT_PROGRESS_THREAD=off, where
# the main thread's MPI_Test loop on a CR is all that drives progress (a hang
# there, cut by MPIEXEC_TIMEOUT, means MPI_Test on a CR that completes at
# once does not drive the engine).
fail=0
"${srcdir:-.}/run-mpi.sh" 2 ./mr_activation_race -T 2 -R 150 -B 40 -C 8 -L 400 || fail=1
MPIEXEC_TIMEOUT=20
CONT_PROGRESS_THREAD=off
export MPIEXEC_TIMEOUT CONT_PROGRESS_THREAD
"${srcdir:-.}/run-mpi.sh" 2 ./mr_activation_race -T 2 -R 100 -B 20 -C 4 -L 200 || {
    echo "activation-race: FAIL without a progress thread (a timeout means the MPI_Test/MPI_Start" \
         "loop on a CR never drove the chains registered with another CR)" >&2
    fail=1
}
exit $fail

#!/bin/sh
# 1,000,000 continuations (STRESS_CONTINUATIONS) over 2 ranks x 4 threads,
# with the progress thread.
MPIEXEC_TIMEOUT=${STRESS_TIMEOUT:-400}
export MPIEXEC_TIMEOUT
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_stress -T 4

#!/bin/sh
# 1,000,000 continuations (STRESS_CONTINUATIONS) over 4 ranks x 4 threads,
# 256 iterations in flight per thread (16 workers + 4 progress threads on
# however few cores: every interleaving of registration, completion and
# progress gets its chance).
MPIEXEC_TIMEOUT=${STRESS_TIMEOUT:-400}
export MPIEXEC_TIMEOUT
exec "${srcdir:-.}/run-mpi.sh" 4 ./mr_stress -T 4 -B 256

#!/bin/sh
# As stress-np2.sh without a progress thread: the workers' MPI_Test calls on
# their CRs drive the engine, one owner at a time.
MPIEXEC_TIMEOUT=${STRESS_TIMEOUT:-400}
CONT_PROGRESS_THREAD=off
export MPIEXEC_TIMEOUT CONT_PROGRESS_THREAD
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_stress -T 4

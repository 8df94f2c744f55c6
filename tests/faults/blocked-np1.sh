#!/bin/sh
# A callback that blocks does not stop other threads' continuations (POLL_ONLY
# and ordinary CRs), with the progress thread and without it.
MPIEXEC_TIMEOUT=${FAULT_TIMEOUT:-60}
export MPIEXEC_TIMEOUT
"${srcdir:-.}/run-mpi.sh" 1 ./mr_faults -m blocked || exit 1
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
exec "${srcdir:-.}/run-mpi.sh" 1 ./mr_faults -m blocked

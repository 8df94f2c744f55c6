#!/bin/sh
# run-mpi.sh NP PROGRAM [ARGS...]: run a multi-rank test program under
# mpiexec with a hard time limit (MPIEXEC_TIMEOUT), so a hang is a failure.
np=$1; shift
: "${MPIEXEC:=mpiexec}"
: "${MPIEXEC_TIMEOUT:=120}"
export MPIEXEC_TIMEOUT
exec timeout -k 5 $((MPIEXEC_TIMEOUT + 15)) $MPIEXEC -n "$np" "$@"

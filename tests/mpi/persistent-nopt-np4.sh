#!/bin/sh
# As persistent-np2.sh on 4 ranks with CONT_PROGRESS_THREAD=off: the chains
# progress only inside MPI_Wait/MPI_Waitall on the CRs.
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
exec "${srcdir:-.}/run-mpi.sh" 4 ./mr_persistent_collective -n 1000

#!/bin/sh
# Token ring with MPI_THREAD_MULTIPLE but CONT_PROGRESS_THREAD=off: progress
# comes from MPI_Wait on the CR, so every callback runs in the main thread.
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_ring -l 2000 -r 2 -t multiple -p 0

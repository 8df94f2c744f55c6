#!/bin/sh
# Token ring in an application that asks only for MPI_THREAD_SINGLE: no
# progress thread; continuations run inside MPI_Wait on the CR.
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_ring -l 2000 -r 2 -t single -p 0

#!/bin/sh
# Token ring at every thread level below MULTIPLE (and plain MPI_Init):
# never a progress thread, callbacks only in the main thread.
for level in init funneled serialized; do
    "${srcdir:-.}/run-mpi.sh" 2 ./mr_ring -l 300 -r 2 -t $level -p 0 || {
        echo "ring-levels: mr_ring -t $level failed" >&2
        exit 1
    }
done

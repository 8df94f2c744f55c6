#!/bin/sh
# Token ring driven by continuation chains, 2 ranks, progress thread.
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_ring -l 2000 -r 2 -t multiple -p 1

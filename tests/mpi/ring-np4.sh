#!/bin/sh
# Token ring driven by continuation chains, 4 ranks (oversubscribed), progress thread.
exec "${srcdir:-.}/run-mpi.sh" 4 ./mr_ring -l 500 -r 2 -t multiple -p 1

#!/bin/sh
# 4 threads per rank registering 25000 slots each (send + receive
# continuations, MPIX_Continue and MPIX_Continueall mixed) while the progress
# thread completes them; exactly-once, payloads, CR completion.  2 ranks.
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_concurrent -T 4 -N 25000 -W 128 -R 2

#!/bin/sh
# MPI_Abort(MPI_COMM_WORLD, 7) called from a callback, on the progress thread
# and (CONT_PROGRESS_THREAD=off) inside MPI_Wait: the job ends with status 7.
d=${srcdir:-.}/faults
"$d/expect-fault.sh" abort-np2-pt 7 2 -m abort -k 1 -n 1000 || exit 1
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
exec "$d/expect-fault.sh" abort-np2-nopt 7 2 -m abort -k 0 -n 1000

#!/bin/sh
# POLL_ONLY CRs, one per thread (4 threads per rank, 2 ranks): callbacks run
# only in the thread that tests the CR, at most max_poll per MPI_Test; with
# the progress thread, then with CONT_PROGRESS_THREAD=off.
"${srcdir:-.}/run-mpi.sh" 2 ./mr_poll_only_threads -T 4 -K 1500 || exit 1
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_poll_only_threads -T 4 -K 1000

#!/bin/sh
# A thread driving progress itself (ompc_drive_begin/end), 2 ranks: one
# thread and two, with libcont's progress thread, without it (omp-glue's
# poller), and with a foreign thread polling libcont the whole time.
run() { env $VARS "${srcdir:-.}/run-mpi.sh" 2 ./mr_drive "$@" || exit 1; }
VARS=
run -t 1
run -t 2
run -t 1 -p
run -t 2 -p
VARS=CONT_PROGRESS_THREAD=off
run -t 1
run -t 2 -p

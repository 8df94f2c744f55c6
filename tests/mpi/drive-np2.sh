#!/bin/sh
# A thread driving progress itself (ompc_drive_begin/end), 2 ranks: one
# thread and two, with libcont's progress thread, without it (omp-glue's
# poller), with a foreign thread polling libcont the whole time, and with
# a creation window waited for with ompc_drive_step.
run() { env $VARS "${srcdir:-.}/run-mpi.sh" 2 ./mr_drive "$@" || exit 1; }
VARS=
run -t 1
run -t 2
run -t 1 -p
run -t 2 -p
run -t 1 -w 1 -p
run -t 2 -w 3
VARS=CONT_PROGRESS_THREAD=off
run -t 1
run -t 2 -p

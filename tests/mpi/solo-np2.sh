#!/bin/sh
# Detached tasks in teams of one thread whose events other threads fulfil
# (mr_solo.c), 2 ranks: libcont's progress thread, omp-glue's poller
# (CONT_PROGRESS_THREAD=off), and the program's own thread in both.
run() { env $VARS "${srcdir:-.}/run-mpi.sh" 2 ./mr_solo "$@" || exit 1; }
VARS=
run -r 60
VARS=CONT_PROGRESS_THREAD=off
run -r 60

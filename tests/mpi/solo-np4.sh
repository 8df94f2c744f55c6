#!/bin/sh
# mr_solo.c at 4 ranks (two per core on a 2-core machine: the team's
# thread is often off its core when an event is fulfilled).
exec "${srcdir:-.}/run-mpi.sh" 4 ./mr_solo -r 40

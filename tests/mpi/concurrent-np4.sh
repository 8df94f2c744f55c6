#!/bin/sh
# As concurrent-np2.sh on 4 ranks (oversubscribed), with a tighter window and
# three rounds per thread CR.
exec "${srcdir:-.}/run-mpi.sh" 4 ./mr_concurrent -T 4 -N 25000 -W 16 -R 3

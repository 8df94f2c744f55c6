#!/bin/sh
# As persistent-np2.sh on 3 ranks (not a power of two).
exec "${srcdir:-.}/run-mpi.sh" 3 ./mr_persistent_collective -n 1000

#!/bin/sh
# Persistent send/recv ring, persistent allreduce and bcast, each restarted
# from its own continuation; graph of CRs; 2 ranks with the progress thread.
exec "${srcdir:-.}/run-mpi.sh" 2 ./mr_persistent_collective -n 3000

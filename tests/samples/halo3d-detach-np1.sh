#!/bin/sh
# halo3d-offload-host, detach variant, 1 rank(s), 1 and 2 threads, --check.
exec "${srcdir:-.}/samples/halo3d-check.sh" 1 detach --n 14 --iters 6 --slabs 3

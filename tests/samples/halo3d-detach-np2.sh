#!/bin/sh
# halo3d-offload-host, detach variant, 2 rank(s) split along x, 1 and 2 threads, --check.
exec "${srcdir:-.}/samples/halo3d-check.sh" 2 detach --n 13 --iters 6 --slabs 3 --dims 2x1x1

#!/bin/sh
# halo3d-offload-host, bsp variant, 4 rank(s) (1x2x2: split along y and z), 1 and 2 threads, --check.
exec "${srcdir:-.}/samples/halo3d-check.sh" 4 bsp --n 13 --iters 6 --slabs 3

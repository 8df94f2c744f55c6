#!/bin/sh
# halo2d --variant detach verifies bit for bit against a serial run on 1, 2 and
# 4 ranks.
# One thread and two; check-sample.sh runs a known libomp 19 abort once more.
s="${srcdir:-.}/demos/check-sample.sh"
for np in 1 2 4; do
    for t in 1 2; do
        "$s" $np $t ../samples/halo2d --variant detach --n 96 --iters 12 --tile 16 --check || exit 1
    done
done

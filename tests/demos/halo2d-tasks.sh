#!/bin/sh
# halo2d --variant tasks verifies bit for bit against a serial run on 1, 2 and
# 4 ranks.

s="${srcdir:-.}/demos/check-sample.sh"
for np in 1 2 4; do
    for t in 1 2; do
        "$s" $np $t ../samples/halo2d --variant tasks --n 96 --iters 12 --tile 16 --check || exit 1
    done
done

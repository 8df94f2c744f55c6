#!/bin/sh
# halo2d --variant tasks (an exchange task blocking in MPI_Waitall) under
# contrun --profile on 4 ranks x 2 threads: verifies bit for bit against a
# serial run, and the profile counts one MPI_Waitall in a task per rank and
# iteration (4 x 12 = 48).
out=$(OMP_NUM_THREADS=2 "${srcdir:-.}/run-mpi.sh" 4 \
      ../contrun/contrun --profile ../samples/halo2d --variant tasks --n 96 --iters 12 --tile 16 --check 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; exit 1; }
printf '%s\n' "$out" | grep -q '^halo2d: check against a serial run: .*: OK$' || { echo "FAIL: no OK"; exit 1; }
n=$(printf '%s\n' "$out" | awk 'index($0, "MPI_Waitall calls in tasks") == 1 { print $NF }')
[ "$n" = 48 ] || { echo "FAIL: MPI_Waitall calls in tasks = '$n', expected 48"; exit 1; }

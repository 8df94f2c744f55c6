#!/bin/sh
# A program told exactly the thread level it asked for under contrun (each
# of the four, and MPI_Init), with blocking MPI in tasks working at 1 and 2
# threads per rank; 2 ranks.
run="${srcdir:-.}/run-mpi.sh"
fail=0
for threads in 1 2; do
    for level in init single funneled serialized multiple; do
        out=$(OMP_NUM_THREADS=$threads "$run" 2 ../contrun/contrun ./contrun_thread_level \
              "$level" 2>&1)
        rc=$?
        printf '%s\n' "$out"
        [ $rc -eq 0 ] && printf '%s\n' "$out" |
            grep -q "^thread-level: OK: asked $level, .* 2 ranks x $threads threads, 0 wrong" ||
            { echo "FAIL: $level at $threads threads: exit $rc"; fail=1; }
    done
done
exit $fail

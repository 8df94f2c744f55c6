#!/bin/sh
# semantics.c with TAMPI 3's and TAMPI 4's calls, 2 ranks x 1 and 2
# threads, linked and under contrun, asking MPI_THREAD_MULTIPLE and
# MPI_TASK_MULTIPLE (told MPI_TASK_MULTIPLE only under contrun).
run="${srcdir:-.}/run-mpi.sh"
fail=0
for api in 3 4; do
    for launch in linked contrun; do
        wrap=
        [ $launch = contrun ] && wrap=../contrun/contrun
        for threads in 1 2; do
            for level in multiple task-multiple; do
                out=$(OMP_NUM_THREADS=$threads "$run" 2 $wrap ./tampi_semantics$api $level 2>&1)
                rc=$?
                printf '%s %s: %s\n' "$launch" "$level" "$out"
                [ $rc -eq 0 ] && printf '%s\n' "$out" |
                    grep -q "^tampi-semantics: OK (.* checks, TAMPI $api calls, $threads threads, $launch)" ||
                    { echo "FAIL: TAMPI $api, $launch, $threads threads, $level: exit $rc"; fail=1; }
            done
        done
    done
done
exit $fail

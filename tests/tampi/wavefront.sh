#!/bin/sh
# The wavefront written for TAMPI (wavefront-tampi.c), with TAMPI 3's calls
# and with TAMPI 4's, at 1, 2 and 4 ranks x 1, 2 and 4 threads, linked and
# under contrun: every run must finish and match the serial sweep bit for
# bit.
run="${srcdir:-.}/run-mpi.sh"
args="256 256 16 10"
fail=0
for api in 3 4; do
    for launch in linked contrun; do
        wrap=
        [ $launch = contrun ] && wrap=../contrun/contrun
        for np in 1 2 4; do
            for threads in 1 2 4; do
                out=$(OMP_NUM_THREADS=$threads "$run" $np $wrap ./tampi_wavefront$api $args 2>&1)
                rc=$?
                printf '%s: %s\n' "$launch" "$out"
                [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q \
                    "^wavefront-tampi: OK: TAMPI $api calls, $np ranks x $threads threads, .* 0 cells differ" ||
                    { echo "FAIL: TAMPI $api, $launch, $np ranks x $threads threads: exit $rc"; fail=1; }
            done
        done
    done
done
# The benchmarks' omp-glue variant (detach(ev) + ompc_irecv/isend): with
# one-thread teams (libomp 19's children >= 0 abort before their events were
# fulfilled on their own thread) and two, with TAMPI off and on (every task
# hooked: one-thread teams hung at their barrier before)
for mode in --glue --glue-hooked; do
    for threads in 1 2; do
        out=$(OMP_NUM_THREADS=$threads "$run" 2 ./tampi_wavefront4 $mode $args 2>&1)
        rc=$?
        printf '%s: %s\n' "$mode" "$out"
        [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q \
            "^wavefront-tampi: OK: omp-glue calls, 2 ranks x $threads threads, .* 0 cells differ" ||
            { echo "FAIL: omp-glue variant $mode, 2 ranks x $threads threads: exit $rc"; fail=1; }
    done
done
exit $fail

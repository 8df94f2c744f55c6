#!/bin/sh
# The wavefront written for TAMPI (wavefront-tampi.c), with TAMPI 3's calls
# and with TAMPI 4's, at 1, 2 and 4 ranks x 1, 2 and 4 threads, linked and
# under contrun: every run must finish and match the serial sweep bit for
# bit.
run="${srcdir:-.}/run-mpi.sh"
args="256 256 16 10"
fail=0
# check LABEL NP THREADS CALLS [WRAPPER] PROGRAM [OPTION]: one run, which must
# print the OK line for CALLS ("TAMPI 3", "omp-glue") at NP x THREADS.
check() {
    label=$1 np=$2 threads=$3 calls=$4
    shift 4
    out=$(OMP_NUM_THREADS=$threads "$run" "$np" "$@" $args 2>&1)
    rc=$?
    printf '%s: %s\n' "$label" "$out"
    [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q \
        "^wavefront-tampi: OK: $calls calls, $np ranks x $threads threads, .* 0 cells differ" ||
        { echo "FAIL: $calls, $label, $np ranks x $threads threads: exit $rc"; fail=1; }
}
for api in 3 4; do
    for np in 1 2 4; do
        for threads in 1 2 4; do
            check linked $np $threads "TAMPI $api" ./tampi_wavefront$api
            check contrun $np $threads "TAMPI $api" ../contrun/contrun ./tampi_wavefront$api
        done
    done
done
# The benchmarks' omp-glue variant (detach(ev) + ompc_irecv/isend): with
# one-thread teams (libomp 19's children >= 0 abort before their events were
# fulfilled on their own thread) and two, with TAMPI off and on (every task
# hooked: one-thread teams hung at their barrier before)
for mode in --glue --glue-hooked; do
    for threads in 1 2; do
        check "$mode" 2 $threads omp-glue ./tampi_wavefront4 $mode
    done
done
exit $fail

#!/bin/sh
# halo3d-check.sh NP VARIANT [ARGS...]: run ../samples/halo3d-offload-host
# (x86_64 host offload) on NP ranks with --check, once with OMP_NUM_THREADS=1
# and once with 2; fail unless both exit 0 and report the check OK.
# On 4 ranks only 2 threads: there libomp 19 aborts in about 2% of the runs
# with one thread ("kmp_tasking.cpp(4368): task_team != NULL", reproduced
# without MPI: a normal task depending on a target nowait task), a runtime
# bug the test cannot do anything about.
np=$1 variant=$2
shift 2
prog=../samples/halo3d-offload-host
status=0
threads="1 2"
[ "$np" -ge 4 ] && threads=2
for t in $threads; do
    echo "== OMP_NUM_THREADS=$t: $np ranks, $prog --variant $variant $* --check"
    out=$(OMP_NUM_THREADS=$t "${srcdir:-.}/run-mpi.sh" "$np" $prog --variant "$variant" "$@" --check 2>&1)
    rc=$?
    # libomp 19's own abort (reproduced without MPI, see above; also seen once
    # in 18 suite runs with 2 threads on 2 ranks): run once more, and say so.
    if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'kmp_tasking.cpp(4368): task_team'; then
        printf '%s\n' "$out"
        echo "KNOWN libomp 19 abort (kmp_tasking.cpp:4368 task_team != NULL): running once more"
        out=$(OMP_NUM_THREADS=$t "${srcdir:-.}/run-mpi.sh" "$np" $prog --variant "$variant" "$@" --check 2>&1)
        rc=$?
    fi
    printf '%s\n' "$out"
    if [ $rc -ne 0 ]; then
        echo "FAIL: exit status $rc (OMP_NUM_THREADS=$t)"
        status=1
    elif ! printf '%s\n' "$out" | grep -q '^halo3d-offload: check against a serial run: .*: OK$'; then
        echo "FAIL: no OK from --check (OMP_NUM_THREADS=$t)"
        status=1
    fi
done
exit $status

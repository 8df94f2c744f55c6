#!/bin/sh
# halo3d-check.sh NP VARIANT [ARGS...]: run ../samples/halo3d-offload-host
# (x86_64 host offload) on NP ranks with --check, once with OMP_NUM_THREADS=1
# and once with 2; fail unless both exit 0 and report the check OK.
# libomp 19 aborts now and then on kmp_tasking.cpp(4368) when a host task
# depends on a target nowait task in a one-thread team; ../libomp-retry.sh
# runs such a run once more (and only such a run).
np=$1 variant=$2
shift 2
prog=../samples/halo3d-offload-host
status=0
threads="1 2"
for t in $threads; do
    echo "== OMP_NUM_THREADS=$t: $np ranks, $prog --variant $variant $* --check"
    out=$(OMP_NUM_THREADS=$t "${srcdir:-.}/libomp-retry.sh" "${srcdir:-.}/run-mpi.sh" "$np" \
              $prog --variant "$variant" "$@" --check)
    rc=$?
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

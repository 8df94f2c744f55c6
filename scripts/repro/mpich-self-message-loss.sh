#!/bin/sh
# mpich-self-message-loss.sh [RUNS [RANKS [MODE [TRANSPORT]]]]
#
# Reproducer of MPICH 4.0.2's lost self-message under MPI_THREAD_MULTIPLE,
# with plain MPI and no libcont (see mpich-self-message-loss.c).  Builds the
# program, runs it RUNS times (default 20) on RANKS ranks (default 1) with
# MODE testsome|waitall (default testsome) over TRANSPORT shm|tcp (default
# shm; tcp is UCX_TLS=tcp,self), each run under a 30 s limit, and prints how
# many runs hung.  It is nondeterministic, and MPICH's bug: not part of CI.
# Exit status: 0 when no run hung, 1 otherwise.
set -u
runs=${1:-20} ranks=${2:-1} mode=${3:-testsome} transport=${4:-shm}
here=$(cd "$(dirname "$0")" && pwd)
: "${MPICC:=mpicc.mpich}" "${MPIEXEC:=mpiexec.mpich}"
# clang: gcc 12 warns falsely on MPICH's MPI_STATUSES_IGNORE
command -v clang-19 >/dev/null && : "${MPICH_CC:=clang-19}" && export MPICH_CC
bin=$(mktemp -d)/self-message-loss
trap 'rm -rf "$(dirname "$bin")"' EXIT
$MPICC -O2 -pthread -o "$bin" "$here/mpich-self-message-loss.c" || exit 2
case $transport in
    shm) ;;
    tcp) UCX_TLS=tcp,self; export UCX_TLS ;;
    *) echo "transport: shm or tcp" >&2; exit 2 ;;
esac
hung=0 failed=0
i=1
while [ "$i" -le "$runs" ]; do
    timeout -k 5 30 $MPIEXEC -n "$ranks" "$bin" -r 200 -m "$mode" >/dev/null 2>&1
    rc=$?
    case $rc in
        0) ;;
        124|137) hung=$((hung + 1)) ;;
        *) failed=$((failed + 1)) ;;
    esac
    i=$((i + 1))
done
echo "$($MPIEXEC --version 2>/dev/null | sed -n 's/.*Version: *//p' | head -1) $ranks rank(s), $mode, $transport: $hung of $runs runs hung, $failed failed otherwise"
[ "$hung" -eq 0 ] && [ "$failed" -eq 0 ]

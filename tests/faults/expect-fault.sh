#!/bin/sh
# expect-fault.sh NAME STATUS NP ARGS...: run ./mr_faults ARGS on NP ranks and
# check that the job ended by itself (not by MPIEXEC_TIMEOUT) with exit
# status STATUS ("nonzero": any but 0), and that no process of it is left
# afterwards.  Used by kill-np4.sh and abort-np2.sh.
name=$1 want=$2 np=$3
shift 3
srcdir=${srcdir:-.}
MPIEXEC_TIMEOUT=${FAULT_TIMEOUT:-30}
export MPIEXEC_TIMEOUT
token=fault$$x$(date +%s)
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
t0=$(date +%s)
"$srcdir/run-mpi.sh" "$np" ./mr_faults "$@" -t "$token" >"$out" 2>&1
rc=$?
t1=$(date +%s)
fail=0
bad() { echo "$name: FAIL: $*"; fail=1; }
if grep -qi 'timed\{0,1\} out\|timeout' "$out" || [ $rc = 124 ] || [ $rc = 137 ]; then
    bad "the job did not end by itself: MPIEXEC_TIMEOUT ($MPIEXEC_TIMEOUT s) stopped it (status $rc)"
elif [ "$want" = nonzero ]; then
    [ $rc != 0 ] || bad "exit status 0, expected non-zero"
else
    [ $rc = "$want" ] || bad "exit status $rc, expected $want"
fi
# Every process of the job must be gone (none left spinning).
n=0
while pgrep -f "$token" >/dev/null 2>&1 && [ $n -lt 20 ]; do
    sleep 0.5
    n=$((n + 1))
done
if pgrep -f "$token" >/dev/null 2>&1; then
    bad "processes left after the job ended: $(pgrep -f "$token" | tr '\n' ' ')"
    pkill -9 -f "$token"
fi
sed 's/^/  | /' "$out"
echo "$name: job ended with status $rc after $((t1 - t0)) s"
[ $fail = 0 ] && echo "$name: OK"
exit $fail

#!/bin/sh
# lg_detach_poll (BT-MZ detach port's pattern, 202005 API) at 2 ranks x 2
# and x 4 threads and 4 ranks x 2, with and without the progress thread;
# with -n the poll task starts inside the compute task (it hangs there
# without the task hook's pause for yielding tasks).
run="${srcdir:-.}/run-mpi.sh"
fail=0
for cfg in "2 2 on" "2 2 off" "2 4 on" "2 4 off" "4 2 on" "2 2 on -n" "2 2 off -n" "2 4 on -n"; do
    set -- $cfg
    out=$(OMP_NUM_THREADS=$2 CONT_PROGRESS_THREAD=$3 "$run" "$1" ./lg_detach_poll $4 2>&1)
    rc=$?
    printf '%s\n' "$out" | tail -n 1
    [ $rc -eq 0 ] && printf '%s\n' "$out" |
        grep -q "^detach-poll: OK ($1 ranks x $2 threads, .* progress thread $3[,;]" ||
        { printf '%s\n' "$out" | head -n 30; echo "FAIL: $1 ranks x $2 threads, progress thread $3 $4: exit $rc"; fail=1; }
done
exit $fail

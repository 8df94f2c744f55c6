#!/bin/sh
# Every revision's rules (lg_<yyyymm>) at 1, 2 and 4 ranks, with and without
# the progress thread; for the revisions before 202211 also with the user's
# own KMP_TASK_STEALING_CONSTRAINT, which must win over the header's.
run="${srcdir:-.}/run-mpi.sh"
fail=0
check() {   # check REV NP PT [TSC]
    rev=$1 np=$2 pt=$3 tsc=$4
    if [ -n "$tsc" ]; then
        out=$(CONT_PROGRESS_THREAD=$pt KMP_TASK_STEALING_CONSTRAINT=$tsc LG_EXPECT_TSC=$tsc \
            "$run" "$np" ./lg_$rev 2>&1)
    else
        out=$(CONT_PROGRESS_THREAD=$pt "$run" "$np" ./lg_$rev 2>&1)
    fi
    rc=$?
    printf '%s\n' "$out" | tail -n 1
    [ $rc -eq 0 ] && printf '%s\n' "$out" |
        grep -q "^legacy $rev: OK (.* checks, $np ranks, progress thread $pt)" ||
        { printf '%s\n' "$out" | head -n 30; echo "FAIL: revision $rev, $np ranks, progress thread $pt${tsc:+, KMP_TASK_STEALING_CONSTRAINT=$tsc}: exit $rc"; fail=1; }
}
for rev in 202005 202009 202010 202012 202110 202206 202211 202309 202411; do
    check $rev 1 off
    check $rev 2 on
    check $rev 2 off
done
for rev in 202005 202110 202206 202411; do
    check $rev 4 on
done
check 202005 1 on 1
check 202206 2 on 1
exit $fail

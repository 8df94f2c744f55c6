#!/bin/sh
# Bad configuration stops contrun at start with a clear message: unknown
# option, missing program, unwritable output file (launcher and library),
# unknown CONT_* variable, bad value.
c=../contrun/contrun
p=./contrun_mpix_only
run="${srcdir:-.}/run-mpi.sh"
status=0
expect() {   # expect WHAT EXIT-CODE('nonzero' or N) PATTERN -- command...
    what=$1 want=$2 pat=$3
    shift 4
    out=$("$@" 2>&1)
    rc=$?
    if { [ "$want" = nonzero ] && [ $rc -eq 0 ]; } || { [ "$want" != nonzero ] && [ $rc -ne "$want" ]; }; then
        echo "FAIL: $what: exit $rc, expected $want"; printf '%s\n' "$out"; status=1; return
    fi
    if ! printf '%s\n' "$out" | grep -q -- "$pat"; then
        echo "FAIL: $what: no message matching '$pat'"; printf '%s\n' "$out"; status=1; return
    fi
    echo "ok: $what: $(printf '%s\n' "$out" | grep -m1 -- "$pat")"
}
expect "unknown option" 2 "unknown option '--bogus'" -- $c --bogus $p
expect "no program" 2 "no program given" -- $c --profile
expect "missing program" 127 "program not found" -- $c ./no-such-program
expect "unwritable --profile" 2 "cannot create" -- $c --profile=/nonexistent/dir/p $p
expect "unwritable --trace" 2 "cannot create" -- $c --trace=/nonexistent/dir/t.json $p
expect "bad --trace-max-events" 2 "not a number" -- $c --trace-max-events=lots $p
expect "help" 0 "usage: mpiexec -n N contrun" -- $c --help
export OMP_NUM_THREADS=1
expect "unknown CONT_ variable" nonzero "unknown environment variable CONT_BOGUS" -- \
    env CONT_BOGUS=1 "$run" 1 $c $p
expect "bad CONT_TRACE_MAX_EVENTS" nonzero "CONT_TRACE_MAX_EVENTS='abc'" -- \
    env CONT_TRACE_MAX_EVENTS=abc "$run" 1 $c $p
expect "bad CONT_TASK_AWARE" nonzero "CONT_TASK_AWARE='maybe'" -- \
    env CONT_TASK_AWARE=maybe "$run" 1 $c $p
expect "unwritable CONT_PROFILE_FILE (library)" nonzero "cannot write the profile to /nonexistent" -- \
    env CONT_PROFILE_FILE=/nonexistent/p LD_PRELOAD=../contrun/.libs/libcontrun.so "$run" 1 $p
exit $status

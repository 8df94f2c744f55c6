#!/bin/sh
# libomp-retry.sh COMMAND [ARGS...]: run COMMAND; if it fails with one of
# libomp 19's own internal assertions, print that run, say so, and run it once
# more.  The output of the run that counts goes to stdout; the exit status is
# that run's.
#
# Why: libomp 19 (Debian's libomp-19) intermittently aborts in
#   kmp_tasking.cpp(1189) / (4482): children >= 0
#       one-thread team whose detach events another thread fulfils
#       (halo2d/halo3d detach on 4 ranks x 1 thread on 2 cores: ~5% of runs);
#   kmp_tasking.cpp(4368): task_team != NULL
#       a normal task depending on a `target nowait` task (~2%).
# Both are counter/ownership checks inside libomp's proxy-task completion
# path; libcont's exactly-once fulfilment is proved separately (tests/glue,
# tests/mpi).  A run that fails twice in a row, or fails any other way, fails.
out=$("$@" 2>&1)
rc=$?
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'Assertion failure at kmp_tasking.cpp'; then
    printf '%s\n' "$out"
    echo "KNOWN libomp 19 abort ($(printf '%s\n' "$out" | grep -m1 -o 'kmp_tasking.cpp([0-9]*)')): running once more"
    out=$("$@" 2>&1)
    rc=$?
fi
printf '%s\n' "$out"
exit $rc

# Sourced by the test environment of sanitizer builds (tests/sanitizers.am),
# with SANITIZER_KIND (thread, or address,undefined), SANITIZER_DIR (this
# directory), ARCHER_LIB and TSAN_PRELOAD set.  A sanitizer report must fail
# the test: the process stops at the first one with exit status 66 (mpiexec
# and Criterion turn that into a failure), and scripts/test-summary also
# fails a test whose log holds a report.

# UCX intercepts malloc/mmap for its memory-event cache (UCX_MEM_EVENTS);
# those hooks fight the sanitizers' allocators (crashes at MPI_Init).
UCX_MEM_EVENTS=no
export UCX_MEM_EVENTS

# Readable reports: the sanitizers reject the /usr/bin symlink, so resolve it.
symbolizer=$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer) &&
    symbolizer=$(readlink -f "$symbolizer") && symbolizer=":external_symbolizer_path=$symbolizer"

case ${SANITIZER_KIND:-} in
thread)
    # ignore_noninstrumented_modules: MPICH, UCX, Criterion and libomp are not
    # instrumented; their interceptor calls (memcpy, free) are not ours to check.
    TSAN_OPTIONS="halt_on_error=1:exitcode=66:ignore_noninstrumented_modules=1:second_deadlock_stack=1$symbolizer:suppressions=$SANITIZER_DIR/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
    export TSAN_OPTIONS
    # Shims for uninstrumented code (tests/sanitizers/*.c, built by sanitizers.am).
    LD_PRELOAD=$TSAN_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}
    export LD_PRELOAD
    # Archer tells TSan about libomp's synchronisation (task dependences,
    # taskwait, barriers, detach events), which TSan cannot see otherwise.
    if [ -n "${ARCHER_LIB:-}" ]; then
        OMP_TOOL_LIBRARIES=$ARCHER_LIB
        ARCHER_OPTIONS="verbose=0${ARCHER_OPTIONS:+ $ARCHER_OPTIONS}"
        export OMP_TOOL_LIBRARIES ARCHER_OPTIONS
    fi
    ;;
*address*|*undefined*)
    # detect_stack_use_after_return=0: the fake stacks break MPICH/UCX's
    # stack-allocated progress state handed between threads.
    # quarantine_size_mb=32 (default 256): freed memory is kept from reuse for
    # 32 MiB of later frees, enough to catch a use after free, and the
    # stress tests' resident set can still be held to STRESS_MAX_RSS_MIB.
    ASAN_OPTIONS="halt_on_error=1:exitcode=66:detect_stack_use_after_return=0:detect_leaks=1:quarantine_size_mb=32$symbolizer${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    LSAN_OPTIONS="exitcode=66:print_suppressions=0:suppressions=$SANITIZER_DIR/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1$symbolizer${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
    export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
    ;;
esac

# Stress: 50,000 continuations instead of a million (the instrumented runs
# are 5-20 times slower).  Shadow memory, the allocators' caches and ASan's
# quarantine grow the resident set by tens of MiB that are not libcont's
# (measured growth per rank: TSan up to 20 MiB, ASan up to 60 MiB); in the
# ASan build LeakSanitizer is the exact leak check.
STRESS_CONTINUATIONS=${STRESS_CONTINUATIONS:-50000}
case ${SANITIZER_KIND:-} in
thread) STRESS_MAX_RSS_MIB=${STRESS_MAX_RSS_MIB:-64} ;;
*) STRESS_MAX_RSS_MIB=${STRESS_MAX_RSS_MIB:-128} ;;
esac
export STRESS_CONTINUATIONS STRESS_MAX_RSS_MIB

/* Helpers shared by the multi-rank test programs (tests/mpi/mr_*.c).
 *
 * A check that fails prints one line "[rank R] FAIL file:line: message" to
 * stderr (the first MR_MAX_PRINT of them per process) and counts the
 * failure; mr_finish() sums the failures over all ranks, prints a summary on
 * rank 0 and returns the exit status (0 only if no rank failed).  Checks are
 * on values, counts and orderings, never on timings. */
#ifndef MR_COMMON_H
#define MR_COMMON_H

#include "mpi-continue.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#define MR_MAX_PRINT 20

static int mr_rank = -1;
static atomic_long mr_failures;

static void mr_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mr_fail(const char *file, int line, const char *fmt, ...)
{
    long n = atomic_fetch_add(&mr_failures, 1);
    if (n >= MR_MAX_PRINT) {
        if (n == MR_MAX_PRINT)
            fprintf(stderr, "[rank %d] FAIL ... (further failures not printed)\n", mr_rank);
        return;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[rank %d] FAIL %s:%d: %s\n", mr_rank, file, line, buf);
    fflush(stderr);
}

#define FAIL(...) mr_fail(__FILE__, __LINE__, __VA_ARGS__)
#define CHECK(cond, ...)          \
    do {                          \
        if (!(cond))              \
            FAIL(__VA_ARGS__);    \
    } while (0)
/* An MPI call that must succeed. */
#define MPI_OK(call)                                                          \
    do {                                                                      \
        int mr_rc_ = (call);                                                  \
        if (mr_rc_ != MPI_SUCCESS)                                            \
            FAIL("%s returned %d (%s)", #call, mr_rc_, cont_last_error());    \
    } while (0)

/* A fatal setup problem: report and abort the job at once. */
#define DIE(...)                                                              \
    do {                                                                      \
        FAIL(__VA_ARGS__);                                                    \
        MPI_Abort(MPI_COMM_WORLD, 3);                                         \
    } while (0)

/* MPI_Init_thread asking for MPI_THREAD_MULTIPLE; sets mr_rank, returns the
 * number of ranks.  need_multiple: abort the job if MPI provides less. */
static inline int mr_init(int *argc, char ***argv, int need_multiple)
{
    int provided, size;
    MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &mr_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (need_multiple && provided != MPI_THREAD_MULTIPLE)
        DIE("MPI_THREAD_MULTIPLE not provided");
    return size;
}

static inline void mr_pause(int *n)
{
    /* Back-off for application-side waiting loops (not a timing check). */
    if ((*n)++ < 64) {
        sched_yield();
    } else {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

/* Check libcont's counters against what the program registered. */
static inline void mr_check_stats(unsigned long long registered, unsigned long long failed)
{
    cont_stats_t s;
    MPI_OK(cont_get_stats(&s));
    CHECK(s.registered == registered, "cont_get_stats: registered %llu, expected %llu",
          s.registered, registered);
    CHECK(s.run_inline + s.run_engine == registered - failed,
          "cont_get_stats: run_inline %llu + run_engine %llu, expected %llu callbacks run",
          s.run_inline, s.run_engine, registered - failed);
    CHECK(s.failed == failed, "cont_get_stats: failed %llu, expected %llu", s.failed, failed);
}

/* Sum the failures of every rank; rank 0 prints the verdict.  Call before
 * MPI_Finalize; returns the process exit status. */
static inline int mr_finish(const char *name)
{
    long mine = atomic_load(&mr_failures), all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (mr_rank == 0) {
        if (all)
            printf("%s: FAILED (%ld failed check(s) over %d ranks)\n", name, all, size);
        else
            printf("%s: OK (%d ranks)\n", name, size);
        fflush(stdout);
    }
    return all ? 1 : 0;
}

#endif

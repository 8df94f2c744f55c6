/* bench-idle: does the progress thread burn a core when there is nothing to
 * do?  One rank sleeps for a window (default 2 s) and reports the CPU time
 * the process's other threads used meanwhile (process CPU time minus the
 * main thread's), as a percentage of one core:
 *   nothing-pending  no operation outstanding;
 *   one-pending      one receive with a continuation that never completes
 *                    during the window (the progress thread polls, backing
 *                    off to bounded sleeps).
 * With libcont's progress thread that is its CPU time (plus MPI's own
 * threads); run with MPIR_CVAR_ASYNC_PROGRESS=1 CONT_PROGRESS_THREAD=off to
 * see MPICH's progress thread instead.  Unit: % of a core.
 * Usage: bench-idle [common options] (--iters: window in ms) */
#define _GNU_SOURCE   /* RUSAGE_THREAD */
#include "bench.h"
#include "mpi-continue.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double cpu(int who)
{
    struct rusage u;
    getrusage(who, &u);
    return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec +
           (double)u.ru_stime.tv_sec + 1e-6 * (double)u.ru_stime.tv_usec;
}

/* CPU of the threads other than this one over a sleep of `sec`, % of a core. */
static double others_cpu(double sec)
{
    double p0 = cpu(RUSAGE_SELF), m0 = cpu(RUSAGE_THREAD), w0 = bench_now();
    struct timespec ts = {(time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
    double p1 = cpu(RUSAGE_SELF), m1 = cpu(RUSAGE_THREAD), w1 = bench_now();
    double pct = 100.0 * ((p1 - p0) - (m1 - m0)) / (w1 - w0);
    return pct > 0 ? pct : 0;   /* getrusage ticks can make it slightly negative */
}

static int noop_cb(int rc, void *data)
{
    (void)data;
    return rc;
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    double window = o.iters ? (double)o.iters / 1000 : 2.0;
    double *s = malloc(2 * (size_t)o.reps * sizeof *s);
    MPI_Request cr;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr);
    for (int rep = 0; rep < o.reps; rep++) {
        s[rep] = others_cpu(window);
        char rbuf, sbuf = 0;
        MPI_Request r;
        MPI_Start(&cr);
        MPI_Irecv(&rbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r);
        MPIX_Continue(&r, noop_cb, NULL, 0, MPI_STATUS_IGNORE, cr);
        s[o.reps + rep] = others_cpu(window);
        MPI_Send(&sbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF);
        MPI_Wait(&cr, MPI_STATUS_IGNORE);
    }
    bench_record(&o, "idle", "nothing-pending", "seconds", window, "%core", s, o.reps);
    bench_record(&o, "idle", "one-pending", "seconds", window, "%core", s + o.reps, o.reps);
    MPI_Request_free(&cr);
    free(s);
    MPI_Finalize();
    return 0;
}

/* bench-overhead: what a continuation costs on top of the operation.
 * One rank, self Irecv/Isend pairs of 8 bytes, per iteration:
 *   wait            MPI_Waitall on the pair (the floor);
 *   cont-immediate  MPIX_Continueall on the complete pair: the callback runs
 *                   inside the registration (the CR stays active all along);
 *   cont-poll       MPI_Start on a POLL_ONLY CR, register (DEFER_COMPLETE, so
 *                   the engine must find the completion), MPI_Wait on the CR;
 *   cont-thread     the same on a plain CR, where the progress thread may run
 *                   the callback.
 * Unit: ns per iteration.  Usage: bench-overhead [common options] */
#include "bench.h"
#include "mpi-continue.h"

#include <stdio.h>

static long fired;

static int count_cb(int rc, void *data)
{
    (void)rc, (void)data;
    fired++;   /* one thread registers and runs callbacks at a time here */
    return MPI_SUCCESS;
}

static void post_pair(char *rbuf, char *sbuf, MPI_Request r[2])
{
    MPI_Irecv(rbuf, 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[0]);
    MPI_Isend(sbuf, 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[1]);
}

enum { WAIT, IMMEDIATE, POLL, THREAD, NVARIANTS };
static const char *names[NVARIANTS] = {"wait", "cont-immediate", "cont-poll", "cont-thread"};

typedef struct {
    long iters;
    MPI_Request cr[NVARIANTS];
} overhead_t;

/* One repetition of variant v (a tenth as long for a warm-up): ns/iteration. */
static double run(int v, int warmup, void *ctx)
{
    overhead_t *c = ctx;
    long iters = warmup ? c->iters / 10 + 1 : c->iters;
    MPI_Request *cr = c->cr;
    char rbuf[8], sbuf[8] = {0};
    MPI_Request r[2];
    fired = 0;
    if (v == IMMEDIATE)
        MPI_Start(&cr[v]);
    double t0 = bench_now();
    for (long i = 0; i < iters; i++) {
        post_pair(rbuf, sbuf, r);
        if (v == WAIT) {
            MPI_Waitall(2, r, MPI_STATUSES_IGNORE);
        } else if (v == IMMEDIATE) {
            MPIX_Continueall(2, r, count_cb, NULL, 0, MPI_STATUSES_IGNORE, cr[v]);
        } else {
            MPI_Start(&cr[v]);
            MPIX_Continueall(2, r, count_cb, NULL, MPIX_CONT_DEFER_COMPLETE,
                             MPI_STATUSES_IGNORE, cr[v]);
            MPI_Wait(&cr[v], MPI_STATUS_IGNORE);
        }
    }
    double t = bench_now() - t0;
    if (v == IMMEDIATE)
        MPI_Wait(&cr[v], MPI_STATUS_IGNORE);
    if (v != WAIT && fired != iters) {
        fprintf(stderr, "bench-overhead: %s: %ld callbacks for %ld iterations\n", names[v],
                fired, iters);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return t / (double)iters * 1e9;
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    overhead_t c = {.iters = o.iters ? o.iters : o.quick ? 20000 : 100000};
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &c.cr[IMMEDIATE]);
    MPIX_Continue_init(MPIX_CONT_POLL_ONLY, 0, MPI_INFO_NULL, &c.cr[POLL]);
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &c.cr[THREAD]);
    bench_series(&o, "overhead", names, NVARIANTS, "bytes", 8, "ns", run, &c);
    for (int v = IMMEDIATE; v < NVARIANTS; v++)
        MPI_Request_free(&c.cr[v]);
    MPI_Finalize();
    return 0;
}

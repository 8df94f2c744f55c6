/* bench-scale: completion cost per continuation with N outstanding
 * operations (one rank, self messages of 8 bytes; N receives are posted,
 * each with its own continuation on one CR, then the N matching sends):
 *   wait-together      baseline: post the sends, MPI_Waitall the receives;
 *   cont-together      post the sends, MPI_Wait on the CR (all complete at once);
 *   wait-in-order      send one message, MPI_Wait its receive, next;
 *   cont-in-order      send one message, wait until its callback has run
 *                      (the progress thread runs it), next: every completion
 *                      is found among the N - i still outstanding.
 * In-order runs time the first min(N, 256) completions (64 with --quick; the
 * rest then complete together, untimed).  Unit: ns per completion; param: N.
 * Usage: bench-scale [common options] */
#include "bench.h"
#include "mpi-continue.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_long fired;
static char sbuf[8];

static int count_cb(int rc, void *data)
{
    (void)data;
    atomic_fetch_add_explicit(&fired, 1, memory_order_release);
    return rc;
}

enum { WAIT_TOGETHER, CONT_TOGETHER, WAIT_IN_ORDER, CONT_IN_ORDER, NVARIANTS };
static const char *names[NVARIANTS] = {"wait-together", "cont-together", "wait-in-order",
                                       "cont-in-order"};
static int in_order_max = 256;

typedef struct {
    int n;               /* outstanding receives */
    char *rbuf;
    MPI_Request *r, *s;  /* receives, sends */
    MPI_Request cr;
} scale_t;

/* One repetition of variant v (warm-ups are the same): ns/completion. */
static double run(int v, int warmup, void *ctx)
{
    scale_t *c = ctx;
    int n = c->n;
    char *rbuf = c->rbuf;
    MPI_Request *r = c->r, *s = c->s, cr = c->cr;
    (void)warmup;
    int cont = v == CONT_TOGETHER || v == CONT_IN_ORDER;
    atomic_store(&fired, 0);
    for (int i = 0; i < n; i++)
        MPI_Irecv(&rbuf[8 * (size_t)i], 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[i]);
    if (cont) {
        MPI_Start(&cr);
        for (int i = 0; i < n; i++)
            MPIX_Continue(&r[i], count_cb, NULL, 0, MPI_STATUS_IGNORE, cr);
    }
    int timed = v == WAIT_IN_ORDER || v == CONT_IN_ORDER ? (n < in_order_max ? n : in_order_max) : n;
    double t0 = bench_now();
    if (v == WAIT_TOGETHER || v == CONT_TOGETHER) {
        for (int i = 0; i < n; i++)
            MPI_Isend(sbuf, 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &s[i]);
        if (cont)
            MPI_Wait(&cr, MPI_STATUS_IGNORE);
        else
            MPI_Waitall(n, r, MPI_STATUSES_IGNORE);
    } else {
        for (int i = 0; i < timed; i++) {
            MPI_Isend(sbuf, 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &s[i]);
            if (cont)
                while (atomic_load_explicit(&fired, memory_order_acquire) <= i)
                    sched_yield();   /* the progress thread runs the callback */
            else
                MPI_Wait(&r[i], MPI_STATUS_IGNORE);
        }
    }
    double t = bench_now() - t0;
    for (int i = timed; i < n; i++)   /* in order: complete the rest */
        MPI_Isend(sbuf, 8, MPI_BYTE, 0, 0, MPI_COMM_SELF, &s[i]);
    if (cont)
        MPI_Wait(&cr, MPI_STATUS_IGNORE);
    else
        MPI_Waitall(n, r, MPI_STATUSES_IGNORE);
    MPI_Waitall(n, s, MPI_STATUSES_IGNORE);
    if (cont && atomic_load(&fired) != n) {
        fprintf(stderr, "bench-scale: %s: %ld callbacks for %d\n", names[v], atomic_load(&fired), n);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return t / timed * 1e9;
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    if (o.quick)
        in_order_max = 64;
    if (!cont_has_progress_thread()) {   /* cont-in-order spins on its callbacks */
        fprintf(stderr, "bench-scale: needs libcont's progress thread\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    enum { MAXN = 65536 };
    scale_t c = {.rbuf = malloc(8 * (size_t)MAXN), .r = malloc(2 * (size_t)MAXN * sizeof *c.r)};
    c.s = c.r + MAXN;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &c.cr);
    for (c.n = 1; c.n <= MAXN; c.n *= 16)
        bench_series(&o, "scale", names, NVARIANTS, "outstanding", c.n, "ns", run, &c);
    MPI_Request_free(&c.cr);
    free(c.r), free(c.rbuf);
    MPI_Finalize();
    return 0;
}

/* bench-hop: cost per hop of a chain of OpenMP tasks, each waiting on a
 * message to itself (one rank, run it with one OpenMP thread so that the
 * progress thread has the other core):
 *   wait    each task posts the receive and the send and blocks in MPI_Waitall;
 *   detach  each task is detached: it posts the receive, binds it to its
 *           event (ompc_bind, not yet complete), then posts the send; the
 *           progress engine fulfils the event and the next task runs;
 *   drive   detach, with the creating thread driving progress itself
 *           (ompc_drive_begin/end): the thread that waits polls, so no
 *           other thread needs to be scheduled per hop.
 * Unit: us per hop.  Usage: bench-hop [common options] */
#include "bench.h"
#include "omp-continue.h"


static char token;   /* the chain's dependence */

static void hop_wait(void)
{
    char rbuf, sbuf = 0;
    MPI_Request r[2];
    MPI_Irecv(&rbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[0]);
    MPI_Isend(&sbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[1]);
    MPI_Waitall(2, r, MPI_STATUSES_IGNORE);
}

static void hop_detach(char *rbuf, omp_event_handle_t ev)
{
    static const char sbuf = 0;
    MPI_Request r, s;
    MPI_Irecv(rbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r);
    ompc_bind(&r, ev);
    MPI_Isend(&sbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &s);
    MPI_Request_free(&s);   /* a self send completes once matched */
}

/* One repetition: a chain of *ctx hops (a tenth for a warm-up); us per hop. */
static double chain(int variant, int warmup, void *ctx)
{
    long n = warmup ? *(long *)ctx / 10 + 1 : *(long *)ctx;
    static char rbuf;
    double t0 = bench_now();
#pragma omp parallel
#pragma omp single
    {
        if (variant == 2)
            ompc_drive_begin();
        for (long i = 0; i < n; i++) {
            if (variant > 0) {
                omp_event_handle_t ev;
#pragma omp task detach(ev) depend(inout: token)
                hop_detach(&rbuf, ev);
            } else {
#pragma omp task depend(inout: token)
                hop_wait();
            }
        }
        if (variant == 2)
            ompc_drive_end();
    }
    return (bench_now() - t0) / (double)n * 1e6;
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    long n = o.iters ? o.iters : o.quick ? 5000 : 20000;
    static const char *const names[] = {"wait", "detach", "drive"};
    bench_series(&o, "hop", names, 3, "threads", 1, "us", chain, &n);
    MPI_Finalize();
    return 0;
}

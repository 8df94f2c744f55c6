/* bench-latency: two-rank ping-pong, one-way latency (half a round trip)
 * from 8 bytes to 1 MiB, side by side:
 *   wait        MPI_Irecv, MPI_Send, MPI_Wait (the floor);
 *   cont-chain  each continuation posts the next receive and send and
 *               registers the next continuation; the main thread only waits
 *               on the CR, which completes when the whole chain has run;
 *   omp-detach  one detached OpenMP task per message (omp-glue), the next
 *               one depending on it (as samples/pingpong-tasks);
 *   omp-drive   the same, the creating thread driving progress itself
 *               (ompc_drive_begin/end) instead of the progress thread;
 *   tasks       one OpenMP task per message that calls MPI_Irecv+MPI_Wait or
 *               MPI_Send (blocking MPI in tasks; run it under contrun).
 * Unit: us.  Usage: mpiexec -n 2 bench-latency [common options] */
#include "bench.h"
#include "omp-continue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, other;
static char *sbuf, *rbuf, token;   /* token: the tasks' dependence */
static int msg_bytes;

static void pp_wait(long n)
{
    for (long i = 0; i < n; i++) {
        MPI_Request r;
        if (rank == 0) {
            MPI_Irecv(rbuf, msg_bytes, MPI_BYTE, other, 1, MPI_COMM_WORLD, &r);
            MPI_Send(sbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD);
            MPI_Wait(&r, MPI_STATUS_IGNORE);
        } else {
            MPI_Irecv(rbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD, &r);
            MPI_Wait(&r, MPI_STATUS_IGNORE);
            MPI_Send(sbuf, msg_bytes, MPI_BYTE, other, 1, MPI_COMM_WORLD);
        }
    }
}

/* cont-chain: the state of one rank's chain. */
typedef struct {
    long left;          /* messages this rank still receives */
    MPI_Request cr;
} chain_t;

static int chain_cb(int rc, void *data);

/* Post the next receive (if any is left) with the send, and chain them. */
static void chain_step(chain_t *c, int send)
{
    MPI_Request r[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    if (c->left > 0)
        MPI_Irecv(rbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD, &r[0]);
    if (send)
        MPI_Isend(sbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD, &r[1]);
    if (c->left > 0)
        MPIX_Continueall(2, r, chain_cb, c, 0, MPI_STATUSES_IGNORE, c->cr);
    else if (send)
        MPIX_Continue(&r[1], chain_cb, NULL, 0, MPI_STATUS_IGNORE, c->cr);
}

static int chain_cb(int rc, void *data)
{
    chain_t *c = data;
    if (c) {   /* a message arrived: answer it (rank 0 stops after the last) */
        c->left--;
        int send = rank == 1 || c->left > 0;
        if (send)
            chain_step(c, send);
    }
    return rc;
}

static void pp_chain(long n)
{
    chain_t c = {.left = n};
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &c.cr);
    MPI_Start(&c.cr);
    chain_step(&c, rank == 0);   /* rank 0 sends first */
    MPI_Wait(&c.cr, MPI_STATUS_IGNORE);
    MPI_Request_free(&c.cr);
}

/* A message i goes from rank i%2 to the other; every rank handles 2n.
 * drive: the creating thread drives progress (ompc_drive_begin/end). */
static void pp_detach_run(long n, int drive)
{
#pragma omp parallel
#pragma omp single
    {
        if (drive)
            ompc_drive_begin();
        for (long i = 0; i < 2 * n; i++) {
            omp_event_handle_t ev;
            if (i % 2 == rank) {
#pragma omp task detach(ev) depend(inout: token)
                ompc_isend(sbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD, ev);
            } else {
#pragma omp task detach(ev) depend(inout: token)
                ompc_irecv(rbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE, ev);
            }
        }
        if (drive)
            ompc_drive_end();
    }
}

static void pp_detach(long n) { pp_detach_run(n, 0); }
static void pp_drive(long n) { pp_detach_run(n, 1); }

static void pp_tasks(long n)
{
#pragma omp parallel
#pragma omp single
    for (long i = 0; i < 2 * n; i++) {
        if (i % 2 == rank) {
#pragma omp task depend(inout: token)
            MPI_Send(sbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD);
        } else {
#pragma omp task depend(inout: token)
            {
                MPI_Request r;
                MPI_Irecv(rbuf, msg_bytes, MPI_BYTE, other, 0, MPI_COMM_WORLD, &r);
                MPI_Wait(&r, MPI_STATUS_IGNORE);
            }
        }
    }
}

typedef void (*pp_fn)(long);
static const char *names[] = {"wait", "cont-chain", "omp-detach", "omp-drive", "tasks"};
static const pp_fn fns[] = {pp_wait, pp_chain, pp_detach, pp_drive, pp_tasks};
enum { NVARIANTS = 5, MAXBYTES = 1 << 20 };

/* One timed repetition: n round trips, one-way latency in us. */
static double timed(int v, long n)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    fns[v](n);
    double t = MPI_Wtime() - t0, tmax;
    MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return tmax / (2.0 * (double)n) * 1e6;
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "bench-latency: run on 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    other = 1 - rank;
    sbuf = calloc(MAXBYTES, 1);
    rbuf = calloc(MAXBYTES, 1);
    double *s = malloc(NVARIANTS * (size_t)o.reps * sizeof *s);
    int step = o.quick ? 8 : 4;   /* sizes 8 B .. 1 MiB, x16 or x8 apart */
    for (msg_bytes = 8; msg_bytes <= MAXBYTES; msg_bytes = msg_bytes * step > MAXBYTES &&
                                               msg_bytes < MAXBYTES ? MAXBYTES : msg_bytes * step) {
        /* Each variant's round trips per repetition: enough for about 20 ms
         * (quick) or 100 ms, from a timed warm-up, so a slow variant on a
         * busy machine does not take minutes. */
        long n[NVARIANTS];
        double target_us = o.quick ? 2e4 : 1e5;
        for (int v = 0; v < NVARIANTS; v++)
            if (bench_selected(&o, names[v])) {
                double us = timed(v, 20);   /* warm-up; one-way us */
                long k = o.iters ? o.iters : (long)(target_us / (2 * us));
                n[v] = k < 10 ? 10 : k > 100000 ? 100000 : k;
            }
        for (int rep = 0; rep < o.reps; rep++)
            for (int v = 0; v < NVARIANTS; v++)
                if (bench_selected(&o, names[v]))
                    s[v * o.reps + rep] = timed(v, n[v]);
        for (int v = 0; v < NVARIANTS; v++)
            if (bench_selected(&o, names[v]))
                bench_record(&o, "latency", names[v], "bytes", msg_bytes, "us", &s[v * o.reps],
                             o.reps);
    }
    free(s);
    free(sbuf);
    free(rbuf);
    MPI_Finalize();
    return 0;
}

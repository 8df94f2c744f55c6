/* bench-register: registrations per second from T threads at once (one
 * rank).  Each thread posts B self receives (untimed), then registers one
 * continuation on each with its own CR (timed, all threads released together
 * by a barrier), then sends the messages and waits on its CR (untimed).
 * Rate = T * B / (last thread done - first thread started).
 * Unit: registrations/s; param: threads (1, 2, 4, ... up to --threads).
 * Usage: bench-register [common options] */
#include "bench.h"
#include "mpi-continue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAXT = 256 };

typedef struct {
    int id, batch;
    double t0, t1;
} worker_t;

static pthread_barrier_t start_bar, end_bar;

static int noop_cb(int rc, void *data)
{
    (void)data;
    return rc;
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    int b = w->batch;
    char *rbuf = malloc((size_t)b), sbuf = 0;
    MPI_Request *r = malloc((size_t)b * sizeof *r), cr;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr);
    MPI_Start(&cr);
    for (int i = 0; i < b; i++)   /* the tag keeps each thread's messages apart */
        MPI_Irecv(&rbuf[i], 1, MPI_BYTE, 0, w->id, MPI_COMM_SELF, &r[i]);
    pthread_barrier_wait(&start_bar);
    w->t0 = bench_now();
    for (int i = 0; i < b; i++)
        MPIX_Continue(&r[i], noop_cb, NULL, 0, MPI_STATUS_IGNORE, cr);
    w->t1 = bench_now();
    pthread_barrier_wait(&end_bar);
    for (int i = 0; i < b; i++)
        MPI_Send(&sbuf, 1, MPI_BYTE, 0, w->id, MPI_COMM_SELF);
    MPI_Wait(&cr, MPI_STATUS_IGNORE);
    MPI_Request_free(&cr);
    free(r), free(rbuf);
    return NULL;
}

/* One repetition with t threads: registrations per second. */
static double run(int t, int batch)
{
    pthread_t th[MAXT];
    worker_t w[MAXT];
    pthread_barrier_init(&start_bar, NULL, (unsigned)t);
    pthread_barrier_init(&end_bar, NULL, (unsigned)t);
    for (int i = 0; i < t; i++) {
        w[i] = (worker_t){.id = i, .batch = batch};
        pthread_create(&th[i], NULL, worker, &w[i]);
    }
    double t0 = 1e300, t1 = 0;
    for (int i = 0; i < t; i++) {
        pthread_join(th[i], NULL);
        t0 = w[i].t0 < t0 ? w[i].t0 : t0;
        t1 = w[i].t1 > t1 ? w[i].t1 : t1;
    }
    pthread_barrier_destroy(&start_bar);
    pthread_barrier_destroy(&end_bar);
    return (double)t * batch / (t1 - t0);
}

int main(int argc, char **argv)
{
    bench_opts_t o;
    bench_init(&argc, &argv, &o);
    int batch = o.iters ? (int)o.iters : o.quick ? 20000 : 50000;
    int maxt = o.threads < MAXT ? o.threads : MAXT;
    double *s = malloc((size_t)o.reps * sizeof *s);
    run(1, batch / 10 + 1);   /* warm-up */
    for (int t = 1; t <= maxt; t = t * 2 > maxt && t < maxt ? maxt : t * 2) {
        for (int rep = 0; rep < o.reps; rep++)
            s[rep] = run(t, batch);
        bench_record(&o, "register", "cont", "threads", t, "1/s", s, o.reps);
    }
    free(s);
    MPI_Finalize();
    return 0;
}

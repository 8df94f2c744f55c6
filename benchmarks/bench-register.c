/* bench-register: registrations per second from T threads at once (one
 * rank).  The main thread posts B self receives per thread (untimed); the
 * threads, released together by a barrier, each register one continuation
 * on each of theirs with their own CR (timed); then the main thread sends
 * the messages in the order the receives were posted and each thread waits
 * on its CR (untimed).  (In posting order every send matches the head of
 * MPI's posted queue: MPICH matches in O(posted), and threads sending their
 * own messages made each send scan past the other threads' receives, which
 * took seconds to minutes per repetition at 4 x 50000.)
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
    int batch;
    MPI_Request *r;   /* this thread's receives, posted by the main thread */
    double t0, t1;
} worker_t;

/* start: the threads begin together; registered: the main thread may send;
 * sent: the threads may wait on their CRs.  All count the main thread. */
static pthread_barrier_t start_bar, registered_bar, sent_bar;

static int noop_cb(int rc, void *data)
{
    (void)data;
    return rc;
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    MPI_Request cr;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr);
    MPI_Start(&cr);
    pthread_barrier_wait(&start_bar);
    w->t0 = bench_now();
    for (int i = 0; i < w->batch; i++)
        MPIX_Continue(&w->r[i], noop_cb, NULL, 0, MPI_STATUS_IGNORE, cr);
    w->t1 = bench_now();
    pthread_barrier_wait(&registered_bar);
    pthread_barrier_wait(&sent_bar);
    MPI_Wait(&cr, MPI_STATUS_IGNORE);
    MPI_Request_free(&cr);
    return NULL;
}

/* One repetition with t threads: registrations per second. */
static double run(int t, int batch)
{
    pthread_t th[MAXT];
    worker_t w[MAXT];
    char *rbuf = malloc((size_t)t * batch), sbuf = 0;
    MPI_Request *r = malloc((size_t)t * batch * sizeof *r);
    for (int i = 0; i < t * batch; i++)
        MPI_Irecv(&rbuf[i], 1, MPI_BYTE, 0, 0, MPI_COMM_SELF, &r[i]);
    pthread_barrier_init(&start_bar, NULL, (unsigned)t);
    pthread_barrier_init(&registered_bar, NULL, (unsigned)t + 1);
    pthread_barrier_init(&sent_bar, NULL, (unsigned)t + 1);
    for (int i = 0; i < t; i++) {
        w[i] = (worker_t){.batch = batch, .r = r + (size_t)i * batch};
        pthread_create(&th[i], NULL, worker, &w[i]);
    }
    pthread_barrier_wait(&registered_bar);
    for (int i = 0; i < t * batch; i++)   /* posting order: each matches the head */
        MPI_Send(&sbuf, 1, MPI_BYTE, 0, 0, MPI_COMM_SELF);
    pthread_barrier_wait(&sent_bar);
    double t0 = 1e300, t1 = 0;
    for (int i = 0; i < t; i++) {
        pthread_join(th[i], NULL);
        t0 = w[i].t0 < t0 ? w[i].t0 : t0;
        t1 = w[i].t1 > t1 ? w[i].t1 : t1;
    }
    pthread_barrier_destroy(&start_bar);
    pthread_barrier_destroy(&registered_bar);
    pthread_barrier_destroy(&sent_bar);
    free(r), free(rbuf);
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

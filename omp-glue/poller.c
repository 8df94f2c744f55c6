/* Progress when libcont has no progress thread.
 *
 * OpenMP threads that wait for a detached task (taskwait, taskgroup,
 * barriers) spin inside the OpenMP runtime and never call MPI, so something
 * else must drive libcont's engine while bound operations are pending:
 *  - under MPI_THREAD_MULTIPLE (libcont's thread turned off with
 *    CONT_PROGRESS_THREAD=off): a poller thread of omp-glue, which runs only
 *    while bindings are pending (bounded back-off, at most 50 us between
 *    polls) and sleeps on a condition variable otherwise (0% CPU);
 *  - below MPI_THREAD_MULTIPLE no other thread may call MPI, so a bind
 *    completes its operations before it returns, as MPI_Wait would: correct,
 *    but without overlap (and a receive whose send this rank posts later
 *    would wait for ever: use MPI_THREAD_MULTIPLE).
 * (An OpenMP "poller task" was tried first and rejected: libomp runs tasks
 * at once when its deque is full or the team has one thread, so the poller
 * ended up spinning inside the task-creating thread, which deadlocks.) */
#include "config.h"
#include "omp-continue.h"
#include "glue-internal.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started, sleeping;

static long pending(void)
{
    return atomic_load_explicit(&ompc_pending_count, memory_order_acquire);
}

static void *poller_main(void *arg)
{
    (void)arg;
    int idle = 0;
    for (;;) {
        if (pending() > 0) {
            if (cont_progress_poll() > 0) {
                idle = 0;
            } else if (++idle > 64) {   /* spin a little, then sleep 1..50 us */
                int n = (idle - 64) / 8;
                long us = n < 6 ? 1L << n : 50;
                struct timespec ts = {0, (us > 50 ? 50 : us) * 1000L};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        pthread_mutex_lock(&mtx);
        sleeping = 1;
        while (pending() == 0)
            pthread_cond_wait(&cv, &mtx);
        sleeping = 0;
        pthread_mutex_unlock(&mtx);
        idle = 0;
    }
    return NULL;
}

/* Start the poller thread on first use; wake it if it sleeps. */
static int poller_wake(void)
{
    int ok = 1;
    pthread_mutex_lock(&mtx);
    if (!started) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        started = ok = pthread_create(&t, &a, poller_main, NULL) == 0;
        pthread_attr_destroy(&a);
    } else if (sleeping) {
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mtx);
    return ok;
}

void ompc_poller_ensure(int thread_multiple)
{
    if (pending() == 0)
        return;
    if (thread_multiple && poller_wake())
        return;
    while (pending() > 0)   /* no other thread may progress: complete now */
        cont_progress_poll();
}

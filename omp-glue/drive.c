/* An OpenMP thread that drives progress itself (ompc_drive_begin/end).
 *
 * Why: a thread waiting in taskwait or a barrier spins inside libomp and
 * never calls MPI, so without this the progress thread notices every
 * completion.  With one OpenMP thread per core there is no core for it: each
 * completion then waits until the scheduler switches threads (Task Bench
 * stencil, 2 ranks x 1 thread on 2 cores: 0.3-3.8 ms per step, against
 * 8 us with the OpenMP thread polling).  The driver polls between tasks and
 * fulfils events on its own thread, so their dependents start on it at once.
 *
 * Fulfilment on the driver's thread only.  libomp completes a detached task
 * fulfilled from outside its team by queueing the rest of the completion
 * (the "bottom half") for a team thread; a team of one thread runs that
 * queue only in a barrier or taskwait, never in taskyield, so while its only
 * thread drives, an event fulfilled by the progress thread would complete
 * never and the driver would wait for ever.  So while a driver exists,
 * every other thread hands the events it would fulfil to a list that the
 * drivers empty (fulfil_or_hand_off).  A handed-off event is fulfilled
 * exactly once: the last driver empties the list after it stops driving,
 * and a thread that handed off re-checks that a driver still exists and
 * empties the list itself if none does.
 *
 * Only ompc_drive_end empties the list, never a bind: fulfilling an event
 * runs its dependent tasks on the spot, and a bind that ran other tasks
 * inside a task body would break code that keeps state across the call
 * (measured: Task Bench's per-thread request array, overwritten by a
 * nested receive task, completed a task with another step's data). */
#include "config.h"
#include "omp-continue.h"
#include "glue-internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

static atomic_int drivers;          /* threads between begin and end */
static _Thread_local int driving;   /* this thread's begin/end depth */

static pthread_mutex_t list_mtx = PTHREAD_MUTEX_INITIALIZER;
static omp_event_handle_t *list;    /* events handed to the drivers */
static size_t list_n, list_cap;
static atomic_int list_nonempty;

static void fulfil_now(omp_event_handle_t ev)
{
    omp_fulfill_event(ev);
    atomic_fetch_sub_explicit(&ompc_pending_count, 1, memory_order_release);
}

/* Fulfil every handed-off event on this thread. */
static void drain(void)
{
    if (!atomic_load_explicit(&list_nonempty, memory_order_acquire))
        return;
    pthread_mutex_lock(&list_mtx);
    omp_event_handle_t *mine = list;
    size_t n = list_n;
    list = NULL;
    list_n = list_cap = 0;
    atomic_store(&list_nonempty, 0);
    pthread_mutex_unlock(&list_mtx);
    for (size_t i = 0; i < n; i++)
        fulfil_now(mine[i]);
    free(mine);
}

static int hand_off(omp_event_handle_t ev)
{
    int ok = 1;
    pthread_mutex_lock(&list_mtx);
    if (list_n == list_cap) {
        size_t cap = list_cap ? 2 * list_cap : 64;
        omp_event_handle_t *l = realloc(list, cap * sizeof *l);
        if (l) {
            list = l;
            list_cap = cap;
        } else {
            ok = 0;
        }
    }
    if (ok) {
        list[list_n++] = ev;
        atomic_store(&list_nonempty, 1);
    }
    pthread_mutex_unlock(&list_mtx);
    return ok;
}

void ompc_fulfil_or_hand_off(omp_event_handle_t ev)
{
    if (driving || atomic_load(&drivers) == 0 || !hand_off(ev)) {
        fulfil_now(ev);   /* (out of memory: as without a driver) */
        return;
    }
    if (atomic_load(&drivers) == 0)   /* the last driver may have emptied the list already */
        drain();
}

/* libcont's progress thread steps back from the first begin to the last
 * end (it polls only after a millisecond in which no one did). */
int ompc_drive_begin(void)
{
    int rc = ompc_glue_init();
    if (rc != MPI_SUCCESS)
        return rc;
    if (driving++ == 0) {
        atomic_fetch_add(&drivers, 1);
        cont_progress_driver_begin();
    }
    return MPI_SUCCESS;
}

static _Thread_local unsigned idle_rounds;

/* One round: fulfil handed-off events, poll, fulfil, run a ready task. */
static void drive_round(void)
{
    drain();
    int work = cont_progress_poll();
    drain();
#pragma omp taskyield
    if (work)
        idle_rounds = 0;
    else if (++idle_rounds > 4096)   /* a long wait: let other threads of this core in */
        sched_yield();
}

static int not_driving(const char *fn)
{
    return cont_error(MPI_ERR_OTHER, "%s: the calling thread is not driving progress "
                      "(no ompc_drive_begin on this thread)", fn);
}

int ompc_drive_step(void)
{
    if (driving == 0)
        return not_driving("ompc_drive_step");
    drive_round();
    return MPI_SUCCESS;
}

/* Rounds until no binding is pending and none was made during the last two
 * (a task that ran here, or on another thread, may have bound new
 * operations). */
static void drive_until_idle(void)
{
    long seen = atomic_load(&ompc_bound_count);
    for (int quiet = 0; quiet < 2;) {
        drive_round();
        long bound = atomic_load(&ompc_bound_count);
        quiet = atomic_load(&ompc_pending_count) == 0 && bound == seen ? quiet + 1 : 0;
        seen = bound;
    }
}

int ompc_drive_end(void)
{
    if (driving == 0)
        return not_driving("ompc_drive_end");
    if (driving == 1)
        drive_until_idle();
    if (--driving == 0) {
        cont_progress_driver_end();
        atomic_fetch_sub(&drivers, 1);
        drain();   /* what other threads handed off meanwhile */
    }
    return MPI_SUCCESS;
}

int ompc_driving(void)
{
    return driving > 0;
}

/* Binding MPI requests to OpenMP detach events through one continuation
 * request per process.  The callbacks do nothing heavier than
 * omp_fulfill_event (they run on libcont's progress thread): the event
 * handle itself is the callback data, so a binding allocates nothing. */
#include "config.h"
#include "omp-continue.h"
#include "glue-internal.h"
#include "taskhook.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static MPI_Request glue_cr = MPI_REQUEST_NULL;
static atomic_int ready;
static int have_progress_thread, thread_multiple;
static pthread_mutex_t init_mtx = PTHREAD_MUTEX_INITIALIZER;
atomic_long ompc_pending_count, ompc_bound_count;
static atomic_long failure_count;

/* The CR is started once and never tested, so it stays active for good:
 * continuations run as soon as their operations complete.  (The poller
 * drives the engine with cont_progress_poll, which does not complete it.) */
int ompc_glue_init(void)
{
    if (atomic_load_explicit(&ready, memory_order_acquire))
        return MPI_SUCCESS;
    pthread_mutex_lock(&init_mtx);
    int rc = MPI_SUCCESS;
    if (!atomic_load(&ready)) {
        rc = MPIX_Continue_init(0, 0, MPI_INFO_NULL, &glue_cr);
        if (rc == MPI_SUCCESS)
            rc = MPI_Start(&glue_cr);
        if (rc == MPI_SUCCESS) {
            int level;
            MPI_Query_thread(&level);
            thread_multiple = level == MPI_THREAD_MULTIPLE;
            have_progress_thread = cont_has_progress_thread();
            atomic_store_explicit(&ready, 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&init_mtx);
    return rc;
}

static void fulfil(void *data)
{
    ompc_fulfil_or_hand_off((omp_event_handle_t)(uintptr_t)data);
}

/* Bound with statuses: the consumer checks them. */
static int fulfil_checked(int rc, void *data)
{
    if (rc != MPI_SUCCESS)
        atomic_fetch_add(&failure_count, 1);
    fulfil(data);
    return MPI_SUCCESS;
}

/* Bound without statuses: a failure must not pass unseen. */
static int fulfil_strict(int rc, void *data)
{
    if (rc != MPI_SUCCESS) {
        atomic_fetch_add(&failure_count, 1);
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
            snprintf(msg, sizeof msg, "error %d", rc);
        fprintf(stderr, "omp-glue: an MPI operation bound to a detached task without a status "
                "failed (%.200s); its dependents run without the data\n", msg);
        MPI_Comm_call_errhandler(MPI_COMM_WORLD, rc);
    }
    fulfil(data);
    return MPI_SUCCESS;
}

/* A team of one thread gets its events fulfilled on its own thread.
 * Measured: libomp 19 now and then aborts on an internal assertion
 * (kmp_tasking.cpp(1189)/(4482) "children >= 0", (4368) "task_team !=
 * NULL") when a thread outside a one-thread team fulfils its detach events
 * (halo3d-offload-host detach, 4 ranks x 1 thread on 2 busy cores: 4 runs in
 * 40).  The task hook's CONT_TH_HOME hands such fulfilments to the team's
 * thread, whose waits drive progress themselves (home_idle); the hook must
 * precede libomp in the program's link (pkg-config ompcont gives it). */
static int home_taken;

static int home_idle(void)
{
    return atomic_load_explicit(&ompc_pending_count, memory_order_relaxed) > 0
               ? cont_progress_poll()
               : 0;
}

__attribute__((constructor)) static void take_home(void)
{
    int (*enable)(size_t, int (*)(void), unsigned);
    *(void **)&enable = dlsym(RTLD_DEFAULT, "cont_th_enable");
    home_taken = enable && enable(0, home_idle, CONT_TH_HOME) == 0;
}

/* Without the hook, say so once rather than let the abort surprise. */
static void warn_one_thread_team(void)
{
    static atomic_int warned;
    const char *v = getenv("CONT_VERBOSE");
    if (home_taken || (v && atoi(v) == 0) || atomic_exchange(&warned, 1))
        return;
    fprintf(stderr, "omp-glue: warning: detached tasks in an OpenMP team of one thread without "
            "the task hook (link `pkg-config --libs ompcont`, which puts -lompcont-hook before "
            "libomp): libomp 19 may abort on an internal assertion (kmp_tasking.cpp children >= "
            "0) when events are fulfilled by the progress thread\n");
}

int ompc_bindall(int count, MPI_Request requests[], MPI_Status statuses[], omp_event_handle_t ev)
{
    int rc = ompc_glue_init();
    if (rc != MPI_SUCCESS)
        return rc;
    atomic_fetch_add_explicit(&ompc_pending_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&ompc_bound_count, 1, memory_order_relaxed);
    rc = MPIX_Continueall(count, requests,
                          statuses == MPI_STATUSES_IGNORE ? fulfil_strict : fulfil_checked,
                          (void *)(uintptr_t)ev, MPIX_CONT_INVOKE_FAILED, statuses, glue_cr);
    if (rc != MPI_SUCCESS) {
        atomic_fetch_sub(&ompc_pending_count, 1);
        return rc;
    }
    if (!have_progress_thread)
        ompc_poller_ensure(thread_multiple);
    else if (!ompc_driving() && omp_get_num_threads() == 1)
        warn_one_thread_team();
    return MPI_SUCCESS;
}

int ompc_bind(MPI_Request *request, omp_event_handle_t ev)
{
    return ompc_bind_status(request, MPI_STATUS_IGNORE, ev);
}

int ompc_bind_status(MPI_Request *request, MPI_Status *status, omp_event_handle_t ev)
{
    if (!request) /* let libcont raise it with its own message */
        return MPIX_Continue(NULL, fulfil_strict, NULL, 0, MPI_STATUS_IGNORE, MPI_REQUEST_NULL);
    return ompc_bindall(1, request, status == MPI_STATUS_IGNORE ? MPI_STATUSES_IGNORE : status, ev);
}

long ompc_pending(void)
{
    return atomic_load(&ompc_pending_count);
}

long ompc_failures(void)
{
    return atomic_load(&failure_count);
}

int ompc_progress(void)
{
    return cont_progress_poll();
}

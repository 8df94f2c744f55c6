/* Task-aware waiting.  A blocking MPI call made inside an OpenMP task hands
 * its requests to libcont (a continuation) and only libcont's engine tests
 * them.  Then, where the task hook allows (omp-glue/taskhook.h: a hooked
 * body with nothing of libomp's open on its stack), the body suspends: its
 * thread returns to the OpenMP scheduler, and the continuation resumes the
 * body on that thread once the operations completed.  Otherwise it waits in
 * place: it yields to the OpenMP runtime (taskyield) until the continuation
 * ran, the thread running other ready tasks on top of its stack meanwhile;
 * such a wait resumes only once those tasks have finished (the limitation of
 * any taskyield-based scheme: Schuchart et al., "The impact of taskyield on
 * the design of tasks communicating through MPI", IWOMP 2018), which the
 * suspension removes.  The OpenMP entry points are looked up at run time,
 * so a program without libomp is simply never "in a task". */
#define _GNU_SOURCE
#include "contrun-internal.h"
#include "cont-layer.h"
#include "taskhook.h"

#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>

/* libomp's ident_t, for the __kmpc entry points (location: unknown). */
typedef struct {
    int32_t reserved_1, flags, reserved_2, reserved_3;
    const char *psource;
} ctr_ident_t;
static ctr_ident_t loc = {0, 2 /* KMP_IDENT_KMPC */, 0, 0, ";contrun;unknown;0;0;;"};

static int (*p_in_explicit_task)(void);
static int32_t (*p_global_thread_num)(ctr_ident_t *);
static int32_t (*p_taskyield)(ctr_ident_t *, int32_t gtid, int end_part);
static int aware;   /* MPI_THREAD_MULTIPLE and CONT_TASK_AWARE on */
static MPI_Request task_cr = MPI_REQUEST_NULL;

void ctr_omp_resolve(void)
{
    p_in_explicit_task = (int (*)(void))dlsym(RTLD_DEFAULT, "omp_in_explicit_task");
    p_global_thread_num = (int32_t(*)(ctr_ident_t *))dlsym(RTLD_DEFAULT,
                                                            "__kmpc_global_thread_num");
    p_taskyield = (int32_t(*)(ctr_ident_t *, int32_t, int))dlsym(RTLD_DEFAULT,
                                                                  "__kmpc_omp_taskyield");
    if (!p_global_thread_num || !p_taskyield)
        p_in_explicit_task = NULL;   /* not libomp: no task awareness */
}

int ctr_omp_present(void)
{
    return p_in_explicit_task != NULL;
}

int ctr_task_aware_ok(void)
{
    return aware;
}

/* In a task, and the thread did not turn its awareness off (TAMPI's
 * TAMPI_PROPERTY_THREAD_TASKAWARE). */
int ctr_in_task(void)
{
    return aware && p_in_explicit_task() && cont_thread_task_aware_get();
}

void ctr_task_yield(void)
{
    if (cont_th_poll())
        return;   /* bodies of this thread resumed: that was the yield */
    if (p_taskyield)
        p_taskyield(&loc, p_global_thread_num(&loc), 0);
    else
        sched_yield();
}

/* What a thread of the task hook does when it has nothing to run: without a
 * progress thread, the engine must be driven by someone. */
static int idle_poll(void)
{
    return cont_has_progress_thread() ? 0 : cont_progress_poll();
}

void ctr_taskwait_init(int provided)
{
    aware = provided == MPI_THREAD_MULTIPLE && ctr_opt.task_aware && p_in_explicit_task;
    if (aware && MPIX_Continue_init(0, 0, MPI_INFO_NULL, &task_cr) == MPI_SUCCESS)
        MPI_Start(&task_cr);
    else
        aware = 0;
    if (aware && ctr_opt.task_pause && cont_th_enable(0, idle_poll, CONT_TH_FIBERS) != 0 && ctr_rank == 0)
        fprintf(stderr, "contrun: this OpenMP runtime cannot be hooked: tasks blocked in MPI "
                "wait in place\n");
}

void ctr_taskwait_fini(void)
{
    if (task_cr != MPI_REQUEST_NULL)
        MPI_Request_free(&task_cr);
}

typedef struct {
    atomic_int done;
    int rc;
    uint64_t t_done;
    cont_th_wait_t pause;   /* pause.fiber set: the body suspends */
} waiter_t;

/* The continuation: tiny, runs wherever libcont sees completion. */
static int wake(int rc, void *data)
{
    waiter_t *w = data;
    w->rc = rc;
    w->t_done = ctr_prof_on ? cont_now_ns() : 0;
    if (w->pause.fiber)
        cont_th_wake(&w->pause);   /* last touch of *w */
    else
        atomic_store_explicit(&w->done, 1, memory_order_release);   /* last touch of *w */
    return MPI_SUCCESS;
}

int ctr_task_waitall(ctr_kind_t kind, int n, MPI_Request reqs[], MPI_Status statuses[],
                     MPI_Comm comm, int in_status, int peer, int tag)
{
    ctr_pending_t pend = {.listed = 0};
    ctr_stall_enter(&pend, kind, peer, tag, comm);
    uint64_t t0 = ctr_t0();
    waiter_t w = {.rc = MPI_SUCCESS};
    int pause = cont_th_prepare(&w.pause);
    int rc = MPIX_Continueall(n, reqs, wake, &w, MPIX_CONT_INVOKE_FAILED, statuses, task_cr);
    if (rc != MPI_SUCCESS) {
        ctr_stall_leave(&pend);
        return rc;
    }
    int driver = !cont_has_progress_thread();
    if (pause)   /* the hook's idle loops drive the engine when driver (idle_poll) */
        cont_th_suspend(&w.pause);
    /* taskyield returns at once when no task may run here (tied tasks only
     * run descendants of a suspended one): back off like the progress
     * thread does, so a long wait does not take the core from the threads
     * that compute (measured: 55% of halo2d's time in libomp otherwise). */
    cont_backoff_t b = {0};
    while (!pause && !atomic_load_explicit(&w.done, memory_order_acquire)) {
        if (driver)
            cont_progress_poll();
        ctr_task_yield();
        cont_backoff(&b);
    }
    ctr_stall_leave(&pend);
    if (t0) {
        uint64_t t1 = cont_now_ns();
        ctr_prof_resume(w.t_done, t1);
        ctr_prof_call(kind, 1, t0);
    }
    if (w.rc == MPI_SUCCESS)
        return MPI_SUCCESS;
    /* An operation failed: raise it as the blocking call would have. */
    int code = in_status ? MPI_ERR_IN_STATUS : w.rc;
    PMPI_Comm_call_errhandler(comm, code);
    return code;
}

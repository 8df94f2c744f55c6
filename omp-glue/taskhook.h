/* The task hook: libomp's task creation, interposed, so that a task body
 * that blocks can be suspended without holding its thread's stack.
 *
 * Every explicit tied task of the outermost parallel region is created
 * through libomp's __kmpc_omp_task_alloc (the compiler's ABI); the hook
 * marks it detachable, and its body runs on a fiber (fiber.h).  A body that
 * must wait (contrun's task-aware MPI calls) suspends: its fiber is put
 * aside, the task's routine returns to libomp with the task's completion
 * event still pending (so its dependents stay blocked), and the thread goes
 * on running other tasks.  When the wait is over the body resumes on the
 * same thread at the next task scheduling point there, and when it ends the
 * event is fulfilled, which releases the dependents.  No stack frame of one
 * task sits above another's, so no wait can be held hostage by nesting.
 *
 * A thread never spins inside libomp while it holds suspended bodies:
 * barriers, taskwait, taskgroup ends and the end of the parallel region
 * (the interposed entry points) first run the thread's share of the work
 * (ready bodies, queued tasks) until libomp's own wait has nothing left that
 * needs this thread.
 *
 * What a resumed body may rely on: the same OS thread, the same
 * omp_get_thread_num(), its stack and thread-local data as before, MPI, and
 * every OpenMP construct (task creation and taskwait run in a stand-in task
 * context, so a taskwait waits for the children created after the wait).
 * A body suspends only when nothing of libomp's is open on its stack: it has
 * created no task since it last started or resumed, is not inside a
 * taskgroup or an undeferred (if(0)) task of its own; otherwise it waits in
 * place as before (running other tasks on top of its stack).  Tasks the
 * hook leaves alone: untied, already detachable (detach clause), taskloop,
 * target and nested-parallel tasks; they wait in place.
 *
 * Off (one load per task creation) until cont_th_enable(); contrun enables
 * it at MPI_Init when blocking MPI in tasks is task-aware. */
#ifndef CONT_TASKHOOK_H
#define CONT_TASKHOOK_H

#include <stdatomic.h>
#include <stddef.h>

/* Turn the hook on for tasks created from now on.  stack_size: bytes per
 * body's stack (0: the default, 4 MiB, as libomp gives its threads); idle:
 * called by a thread that waits in the hook with nothing to run (e.g. to
 * drive MPI progress), returns how much it did; may be NULL.  Returns 0, or
 * -1 when the program has no libomp (nothing to hook). */
int cont_th_enable(size_t stack_size, int (*idle)(void));

/* One wait of a task body.  Threading: prepare and wait on the waiting
 * thread; wake from any thread, exactly once per prepare. */
typedef struct {
    void *fiber;        /* set by prepare: the body to resume; NULL: wait in place */
    atomic_int state;
} cont_th_wait_t;

/* 1 if the calling code is a hooked task body that may suspend now (then w
 * is ready for cont_th_wake / cont_th_suspend), 0 if it must wait in place. */
int cont_th_prepare(cont_th_wait_t *w);
/* The awaited operations completed (any thread; e.g. a continuation). */
void cont_th_wake(cont_th_wait_t *w);
/* Suspend the calling body until cont_th_wake(w) (returns at once if that
 * already happened). */
void cont_th_suspend(cont_th_wait_t *w);
/* Resume the calling thread's bodies whose waits are over; for loops that
 * wait in place.  Returns how many ran. */
int cont_th_poll(void);

/* Counts, for the profile and the tests. */
typedef struct {
    unsigned long long hooked;     /* task bodies run on a fiber */
    unsigned long long suspended;  /* waits that suspended a body */
    unsigned long long in_place;   /* waits in a hooked body that could not */
    unsigned long long stacks;     /* fiber stacks mapped */
    unsigned long long ended;      /* hooked bodies ended */
} cont_th_stats_t;
void cont_th_get_stats(cont_th_stats_t *s);

#endif

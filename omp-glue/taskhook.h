/* The task hook: libomp's task creation, interposed, so that a task body
 * that blocks can be suspended without holding its thread's stack.
 *
 * Every explicit tied task of the outermost parallel region is created
 * through libomp's __kmpc_omp_task_alloc (the compiler's ABI); the hook
 * marks it detachable, and (with CONT_TH_FIBERS) its body runs on a fiber
 * (fiber.h).  A body that must wait (contrun's task-aware MPI calls)
 * suspends: its fiber is put
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
 * Bindings (the TAMPI layer): a hooked body may bind its task's completion
 * to operations that complete later (cont_th_bind); the task then completes
 * (its dependents run) only when the body has ended and every bound
 * operation has been reported done (cont_th_unbind).  The body goes on at
 * once; it needs no fiber for that.
 *
 * Off (one load per task creation) until cont_th_enable(); contrun enables
 * it (with fibers) at MPI_Init when blocking MPI in tasks is task-aware, the
 * TAMPI layer (without) for its bindings; omp-glue turns on CONT_TH_HOME
 * alone (below: only one-thread teams' detach-clause tasks are hooked) in
 * every program that links the hook.
 *
 * Built as its own shared library, libompcont-hook (one copy per process,
 * whoever enables it): it must come before libomp in the symbol search
 * order, so a program links it directly (-lompcont-hook, before the
 * -fopenmp the compiler adds at the end) or contrun preloads it. */
#ifndef CONT_TASKHOOK_H
#define CONT_TASKHOOK_H

#include <stdatomic.h>
#include <stddef.h>

#define CONT_TH_API __attribute__((visibility("default")))

/* cont_th_enable's flags */
#define CONT_TH_FIBERS 1u   /* run bodies on fibers, so that a wait can suspend one */
/* With CONT_TH_FIBERS: a taskyield in a hooked body that may suspend (see
 * cont_th_prepare) suspends it, ready at once: its thread goes back to
 * whatever started or resumed the body (a taskwait below it can end, other
 * tasks run), and the body goes on at the thread's next scheduling point.
 * Without it a yielding body stays on its thread's stack and the tasks the
 * thread runs meanwhile sit on top of it: a task that polls in a taskyield
 * loop until its sibling finishes, picked up inside that sibling's
 * taskwait, would hold the sibling under it for good.  The earlier
 * continuation APIs' poll tasks are such loops (mpi-continue-legacy.h). */
#define CONT_TH_YIELD 2u
/* A team of one thread completes its detached tasks on its own thread.
 * libomp 19 aborts now and then (kmp_tasking.cpp: "children >= 0",
 * "task_team != NULL") when a thread outside a one-thread team fulfils a
 * detach event of that team (its out-of-order proxy completion).  With
 * CONT_TH_HOME every task with a detach clause created in a one-thread team
 * is hooked (no fiber: its body runs as before) and omp_fulfill_event is
 * interposed: a fulfilment from another thread (libcont's progress thread,
 * a poller, a user thread) is handed to the team's thread, which fulfils
 * the event at its next task scheduling point; the team's waits (taskwait,
 * taskgroup end, barriers, the region's end, a reduction's end) run there
 * until the tasks they wait for are complete, calling the idle functions
 * (e.g. to drive MPI progress themselves) meanwhile.  Teams of two or more
 * threads are left alone.  omp-glue turns it on for every program that has
 * the hook linked. */
#define CONT_TH_HOME 4u

/* Turn the hook on for tasks created from now on; each caller's flags add
 * up (fibers stay on once one asked).  stack_size: bytes per body's stack
 * (0: the default, 4 MiB, as libomp gives its threads); idle: called by a
 * thread that waits in the hook with nothing to run (e.g. to drive MPI
 * progress), returns how much it did; may be NULL (two callers' are kept).
 * Returns 0, or -1 when the program has no libomp reachable after this
 * library (nothing to hook). */
CONT_TH_API int cont_th_enable(size_t stack_size, int (*idle)(void), unsigned flags);

/* Bind the completion of the calling task to n more operations (n > 0).
 * Returns a handle for cont_th_unbind, or NULL when the caller is not a
 * hooked task body (outside any task, a nested-parallel, untied, taskloop or
 * detach-clause task, the hook off): then the caller must wait itself.
 * Threading: called by the task's body. */
CONT_TH_API void *cont_th_bind(int n);
/* One bound operation is done (any thread, e.g. a continuation callback;
 * once per operation bound).  When the body has also ended, the task is
 * handed to its home thread, which completes it at its next scheduling
 * point (never a fulfilment from outside the team). */
CONT_TH_API void cont_th_unbind(void *handle);

/* One wait of a task body.  Threading: prepare and wait on the waiting
 * thread; wake from any thread, exactly once per prepare. */
typedef struct {
    void *fiber;        /* set by prepare: the body to resume; NULL: wait in place */
    atomic_int state;
} cont_th_wait_t;

/* 1 if the calling code is a hooked task body that may suspend now (then w
 * is ready for cont_th_wake / cont_th_suspend), 0 if it must wait in place. */
CONT_TH_API int cont_th_prepare(cont_th_wait_t *w);
/* The awaited operations completed (any thread; e.g. a continuation). */
CONT_TH_API void cont_th_wake(cont_th_wait_t *w);
/* Suspend the calling body until cont_th_wake(w) (returns at once if that
 * already happened). */
CONT_TH_API void cont_th_suspend(cont_th_wait_t *w);
/* Resume the calling thread's bodies whose waits are over; for loops that
 * wait in place.  Returns how many ran. */
CONT_TH_API int cont_th_poll(void);

/* Counts, for the profile and the tests. */
typedef struct {
    unsigned long long hooked;     /* task bodies run on a fiber */
    unsigned long long suspended;  /* waits that suspended a body */
    unsigned long long yielded;    /* taskyields that suspended a body (CONT_TH_YIELD) */
    unsigned long long in_place;   /* waits in a hooked body that could not */
    unsigned long long stacks;     /* fiber stacks mapped */
    unsigned long long ended;      /* hooked bodies ended */
    unsigned long long bound;      /* tasks whose completion was bound to operations */
    unsigned long long home_tasks; /* detach-clause tasks of one-thread teams (CONT_TH_HOME) */
    unsigned long long handed;     /* their fulfilments from other threads, handed home */
    unsigned long long stranded;   /* of those, fulfilled by the other thread after all: the
                                      team's thread waited inside libomp (taskwait depend,
                                      an undeferred task's dependences) */
} cont_th_stats_t;
CONT_TH_API void cont_th_get_stats(cont_th_stats_t *s);

#endif

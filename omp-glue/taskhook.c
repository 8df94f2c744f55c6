/* The task hook (taskhook.h): libomp's task creation and synchronisation
 * entry points, interposed, and task bodies on fibers.
 *
 * The interposed functions are libomp's compiler ABI (kmp.h of LLVM 19;
 * the same since LLVM 5): a preloaded library, or one linked before libomp,
 * defines them and forwards to libomp's (dlsym RTLD_NEXT).  With the hook
 * off each costs one load and a forward.
 *
 * A hooked task: __kmpc_omp_task_alloc is asked for room for a hook_task_t
 * after the compiler's kmp_task_t + privates (libomp places the shareds
 * after it), the task is made detachable (flag 0x40, no event yet), its
 * routine becomes trampoline() and the byte offset of the hook_task_t is
 * kept in part_id (which only untied tasks use; they are not hooked).
 *
 * Counting: every hooked task is counted in its parent's children (the
 * running hooked body, or the creating thread's implicit task), in the
 * innermost open taskgroup of its creator (inherited by its descendants)
 * and in the per-thread created / done counts (all hooked tasks of the
 * outermost region: none is left when the sums are equal) until it is
 * complete: its body ended and, if operations were bound to it
 * (cont_th_bind), they completed too.  taskwait, taskgroup ends and
 * barriers wait on these counts while resuming bodies, completing bound
 * tasks and running tasks (wait_for), so libomp's own wait that follows
 * has nothing of the hook's left to run. */
#define _GNU_SOURCE
#include "taskhook.h"
#include "fiber.h"
#include "lfstack.h"

#include <dlfcn.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#pragma GCC visibility push(hidden)

/* ThreadSanitizer cannot see libomp (not instrumented) free a task's memory
 * and hand it to the next __kmpc_omp_task_alloc: the hook's last touch of a
 * task releases its address, the allocation that gets it acquires it. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
__attribute__((visibility("default"))) void __tsan_acquire(void *addr);
__attribute__((visibility("default"))) void __tsan_release(void *addr);
#define TSAN_ACQUIRE(p) __tsan_acquire(p)
#define TSAN_RELEASE(p) __tsan_release(p)
#endif
#endif
#ifndef TSAN_ACQUIRE
#define TSAN_ACQUIRE(p) ((void)0)
#define TSAN_RELEASE(p) ((void)0)
#endif

/* ------------------------------------------------------------ libomp's ABI */
typedef int32_t (*routine_t)(int32_t gtid, void *task);
typedef struct {
    void *shareds;
    routine_t routine;
    int32_t part_id;
} ktask_t;   /* the head of kmp_task_t */
typedef struct {
    int32_t reserved_1, flags, reserved_2, reserved_3;
    const char *psource;
} ident_t;
typedef void (*microtask_t)(int32_t *gtid, int32_t *btid, ...);

enum { F_TIED = 0x1, F_PROXY = 0x10, F_DETACHABLE = 0x40, F_HIDDEN_HELPER = 0x80 };

static ident_t loc = {0, 2 /* KMP_IDENT_KMPC */, 0, 0, ";libcont;taskhook;0;0;;"};

static struct {
    void *(*alloc)(ident_t *, int32_t, int32_t, size_t, size_t, routine_t);
    void *(*allow_event)(ident_t *, int32_t, void *);
    void (*fulfill)(uintptr_t);
    int32_t (*taskyield)(ident_t *, int32_t, int);
    int32_t (*task)(ident_t *, int32_t, void *);
    void *(*target_task_alloc)(ident_t *, int32_t, int32_t, size_t, size_t, routine_t, int64_t);
    int32_t (*taskwait)(ident_t *, int32_t);
    void (*barrier)(ident_t *, int32_t);
    void (*taskgroup)(ident_t *, int32_t);
    void (*end_taskgroup)(ident_t *, int32_t);
    void (*begin_if0)(ident_t *, int32_t, void *);
    void (*complete_if0)(ident_t *, int32_t, void *);
    void (*fork_call)(ident_t *, int32_t, microtask_t, ...);
    void (*serialized_parallel)(ident_t *, int32_t);
    void (*end_serialized_parallel)(ident_t *, int32_t);
    int (*invoke_microtask)(microtask_t, int, int, int, void **, void **);
    void (*taskloop)(ident_t *, int32_t, void *, int32_t, uint64_t *, uint64_t *, int64_t,
                     int32_t, int32_t, uint64_t, void *);
    void (*taskloop_5)(ident_t *, int32_t, void *, int32_t, uint64_t *, uint64_t *, int64_t,
                       int32_t, int32_t, uint64_t, int32_t, void *);
    void (*end_reduce)(ident_t *, int32_t, void *);
    void (*copyprivate)(ident_t *, int32_t, size_t, void *, void (*)(void *, void *), int32_t);
    void (*wait_deps)(ident_t *, int32_t, int32_t, void *, int32_t, void *);
    void (*taskwait_deps)(ident_t *, int32_t, int32_t, void *, int32_t, void *, int32_t);
    int32_t (*gtid)(ident_t *);
    int (*get_level)(void);
    int (*num_threads)(void);
} kmp;
static pthread_once_t resolved = PTHREAD_ONCE_INIT;

static void *next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void resolve_all(void)
{
    kmp.alloc = next("__kmpc_omp_task_alloc");
    kmp.allow_event = next("__kmpc_task_allow_completion_event");
    kmp.fulfill = next("omp_fulfill_event");
    kmp.taskyield = next("__kmpc_omp_taskyield");
    kmp.task = next("__kmpc_omp_task");
    kmp.target_task_alloc = next("__kmpc_omp_target_task_alloc");
    kmp.taskwait = next("__kmpc_omp_taskwait");
    kmp.barrier = next("__kmpc_barrier");
    kmp.taskgroup = next("__kmpc_taskgroup");
    kmp.end_taskgroup = next("__kmpc_end_taskgroup");
    kmp.begin_if0 = next("__kmpc_omp_task_begin_if0");
    kmp.complete_if0 = next("__kmpc_omp_task_complete_if0");
    kmp.fork_call = next("__kmpc_fork_call");
    kmp.serialized_parallel = next("__kmpc_serialized_parallel");
    kmp.end_serialized_parallel = next("__kmpc_end_serialized_parallel");
    kmp.invoke_microtask = next("__kmp_invoke_microtask");
    kmp.taskloop = next("__kmpc_taskloop");
    kmp.taskloop_5 = next("__kmpc_taskloop_5");
    kmp.end_reduce = next("__kmpc_end_reduce");
    kmp.copyprivate = next("__kmpc_copyprivate");
    kmp.wait_deps = next("__kmpc_omp_wait_deps");
    kmp.taskwait_deps = next("__kmpc_omp_taskwait_deps_51");
    kmp.gtid = next("__kmpc_global_thread_num");
    kmp.get_level = next("omp_get_level");
    kmp.num_threads = next("omp_get_num_threads");
}

/* The real entry point, found at the first call (libomp may be loaded after
 * this library's constructor ran). */
#define KMP(fn) (pthread_once(&resolved, resolve_all), kmp.fn)

/* ------------------------------------------------------------ state */
#define KTASK_SIZE 40   /* sizeof(kmp_task_t) */
#define HOOK_MAGIC 0x6b6f6f68u   /* "hook" */

typedef struct group {
    atomic_int count;        /* hooked tasks of the group not ended */
    struct group *up;        /* the enclosing group of the same context */
} group_t;

typedef struct fiber fiber_t;
typedef struct th_thread th_thread_t;

/* Hooked children of one context (a hooked body, or a thread's implicit
 * task) whose bodies have not ended.  Only the context's own thread (the
 * owner) creates them and waits for them, and most end there too: the
 * owner counts those with plain stores, the others end with a locked add
 * on a separate word, so a thread that creates and runs its own tasks pays
 * no locked instruction for the count. */
typedef struct {
    th_thread_t *owner;
    unsigned made, done_here;   /* the owner's alone */
    atomic_uint *done_away;     /* ended on other threads (a thread's own
                                   cache line for an implicit task's) */
    atomic_uint away;           /* a hooked body's done_away */
} kids_t;

typedef struct hook_task {
    lf_node_t node;           /* in its home thread's finished stack */
    unsigned magic;
    unsigned counted : 1;     /* in the counts below until it is complete */
    unsigned in_place : 1;    /* may never suspend (detach clause, no fiber) */
    unsigned own_event : 1;   /* the program's detach clause: never bound */
    unsigned suspended : 1;   /* suspended once: libomp's current task is another since */
    unsigned binding : 1;     /* operations were bound to its completion */
    unsigned home_event : 1;  /* detach clause in a one-thread team: complete at home */
    atomic_int handed;        /* its fulfilment was taken (home_event) */
    atomic_int bound;         /* bound operations pending, + 1 until the body ends */
    routine_t body;
    ktask_t *ktask;
    int32_t gtid;
    th_thread_t *home;
    fiber_t *fiber;
    uintptr_t event;          /* the completion event, taken when it first suspended */
    uintptr_t own;            /* home_event: the detach clause's event */
    lf_node_t hnode;          /* home_event: in its home thread's fulfils stack */
    kids_t children;
    kids_t *parent_kids;
    th_thread_t *parent_owner;   /* copies of parent_kids' owner and done_away: */
    atomic_uint *parent_away;    /* the ender reads no line the owner writes */
    group_t *group;           /* innermost taskgroup it counts in (NULL: none) */
    group_t *open;            /* groups it opened and has not ended */
    int created;              /* tasks created since it last started or resumed */
    int undeferred;           /* if(0) tasks running on its stack */
    int waiting;              /* waits in place (taskyield) on its stack */
    void *standin;            /* libomp task standing in as current task, when open */
} hook_task_t;

struct fiber {
    lf_node_t node;           /* in its home thread's ready stack */
    cont_ctx_t ctx;
    cont_ctx_t *resumer;      /* where it goes when it suspends or ends */
    hook_task_t *task;
    int done;
    int yielded;              /* it last left by a taskyield (CONT_TH_YIELD) */
    fiber_t *free_next;
};

struct th_thread {
    cont_ctx_t native;
    lf_stack_t ready;         /* woken bodies, pushed by any thread */
    lf_stack_t finished;      /* ended bodies whose last bound operation completed */
    lf_stack_t fulfils;       /* home_event tasks whose events other threads fulfilled */
    atomic_int in_libomp;     /* in a libomp wait the hook cannot run (see omp_fulfill_event) */
    atomic_int in_queue;      /* in run_queued's taskgroup end (a one-thread team) */
    atomic_uint wake;         /* run_queued's sentinel sleeps on it */
    int solo;                 /* this thread's outermost team has one thread */
    hook_task_t *cur;         /* the hooked body running here; NULL: implicit task */
    fiber_t *cur_fiber;
    fiber_t *free;            /* stack pool */
    kids_t implicit_children;
    int level;                /* omp_get_level() here, kept by region() */
    group_t *implicit_open;   /* taskgroups open in the implicit task */
    unsigned barriers;        /* team barriers passed in this region */
    th_thread_t *all_next;    /* every thread's state, for the statistics */
    /* statistics: written by this thread only (a load and a store), summed
     * by cont_th_get_stats */
    atomic_ullong n_hooked, n_ended, n_suspended, n_in_place, n_stacks, n_bound, n_yielded,
        n_home;
    /* hooked tasks this thread created / whose counts it ended (no locked
     * instruction on the task path; the team barrier compares the sums) */
    atomic_ullong n_created, n_done;
    /* the implicit task's children ended on other threads: a line of its
     * own, away from the fields this thread writes for every task */
    _Alignas(64) atomic_uint implicit_away;
};

static atomic_int hook_on;
static atomic_int fibers_on;        /* else every body runs in place (bindings only) */
static atomic_int yield_on;         /* CONT_TH_YIELD */
static atomic_int home_on;          /* CONT_TH_HOME */
static atomic_ullong n_handed;      /* fulfilments handed home (by any thread) */
static atomic_ullong n_stranded;    /* handed home, fulfilled by another thread after all */
/* libomp's event handle lies inside the task's descriptor, which precedes
 * the kmp_task_t: (char *)task - (char *)event, learnt from the first
 * event the hook sees handed out (0: none yet). */
static _Atomic ptrdiff_t event_to_task;
static int (*_Atomic idle_fns[3])(void);
static size_t stack_size = 4u << 20;
static atomic_uint arrived;         /* barrier arrivals in this region, all threads */
static _Atomic(th_thread_t *) all_threads;

/* One thread's counter, one writer: no locked instruction on the task path.
 * Release: a reader that sees a task done also sees the children it created
 * (none_left relies on it). */
#define BUMP(me, field)                                                                   \
    atomic_store_explicit(&(me)->field,                                                   \
                          atomic_load_explicit(&(me)->field, memory_order_relaxed) + 1,   \
                          memory_order_release)
/* Initial-exec: this code lives in a library preloaded or linked at start
 * (libcontrun), so its TLS is static: no __tls_get_addr on the task path. */
static __thread th_thread_t *tls __attribute__((tls_model("initial-exec")));

static th_thread_t *self(void)
{
    th_thread_t *me = tls;
    if (!me) {
        me = aligned_alloc(64, sizeof *me);
        if (me)
            memset(me, 0, sizeof *me);
        if (!me) {
            fprintf(stderr, "libcont: out of memory for a thread's task state\n");
            abort();
        }
        me->implicit_children.owner = me;
        me->implicit_children.done_away = &me->implicit_away;
        tls = me;
        th_thread_t *head = atomic_load(&all_threads);
        do
            me->all_next = head;
        while (!atomic_compare_exchange_weak(&all_threads, &head, me));
    }
    return me;
}

static hook_task_t *area(void *task)
{
    ktask_t *k = task;
    if (k->part_id <= 0 || k->part_id > (1 << 24))
        return NULL;
    hook_task_t *t = (hook_task_t *)((char *)task + k->part_id);
    return t->magic == HOOK_MAGIC ? t : NULL;
}

/* ------------------------------------------------------------ running bodies */
static void fiber_main(void *arg)
{
    fiber_t *f = arg;
    for (;;) {   /* one body per turn; the stack is reused for the next */
        hook_task_t *t = f->task;
        t->body(t->gtid, t->ktask);
        f->done = 1;
        cont_fiber_switch(&f->ctx, f->resumer);
    }
}

static fiber_t *fiber_get(th_thread_t *me)
{
    fiber_t *f = me->free;
    if (f) {
        me->free = f->free_next;
    } else {
        f = calloc(1, sizeof *f);
        if (!f || cont_fiber_make(&f->ctx, stack_size, fiber_main, f)) {
            free(f);
            return NULL;
        }
        BUMP(me, n_stacks);
    }
    f->done = 0;
    return f;
}

/* The hook's view of which task is current follows libomp's: a body that
 * suspended once resumes under another current task, so before it creates
 * or waits for tasks a stand-in undeferred task becomes current (its
 * children are the body's children from then on). */
static void own_context(hook_task_t *t)
{
    if (!t->suspended || t->standin)
        return;
    int32_t gtid = KMP(gtid)(&loc);
    t->standin = kmp.alloc(&loc, gtid, F_TIED, KTASK_SIZE, 0, NULL);
    kmp.begin_if0(&loc, gtid, t->standin);
}

static void close_standin(hook_task_t *t)
{
    kmp.complete_if0(&loc, KMP(gtid)(&loc), t->standin);
    t->standin = NULL;
}

/* Switch to f from wherever this thread is; back here when it suspends or
 * ends. */
static void run(th_thread_t *me, fiber_t *f)
{
    hook_task_t *saved = me->cur;
    fiber_t *saved_f = me->cur_fiber;
    cont_ctx_t *from = saved_f ? &saved_f->ctx : &me->native;
    f->resumer = from;
    me->cur = f->task;
    me->cur_fiber = f;
    f->task->created = 0;
    cont_fiber_switch(from, &f->ctx);
    me->cur = saved;
    me->cur_fiber = saved_f;
    if (f->task->standin)
        close_standin(f->task);
}

/* Out of the counts: the task is complete (or will never run through
 * trampoline). */
static void uncount(hook_task_t *t)
{
    if (!t->counted)
        return;
    t->counted = 0;
    if (t->group)
        atomic_fetch_sub_explicit(&t->group->count, 1, memory_order_release);
    th_thread_t *me = self();
    if (t->parent_owner == me)
        t->parent_kids->done_here++;
    else
        atomic_fetch_add_explicit(t->parent_away, 1, memory_order_release);
    BUMP(me, n_done);
}

/* The task is complete: out of the counts and, if its event was taken
 * (it suspended, or operations were bound to it), the event fulfilled,
 * which may free the task (read first).  Always on the task's home thread:
 * libomp never sees a fulfilment from outside the team. */
static void complete(hook_task_t *t)
{
    uintptr_t ev = t->event;
    uncount(t);
    TSAN_RELEASE(t->ktask);   /* the hook's last touch of the task */
    if (ev)
        kmp.fulfill(ev);
}

/* A body ended: complete unless bound operations are pending (the last
 * one's cont_th_unbind hands the task back to this thread). */
static void body_ended(th_thread_t *me, hook_task_t *t)
{
    BUMP(me, n_ended);
    if (t->binding && atomic_fetch_sub_explicit(&t->bound, 1, memory_order_acq_rel) != 1)
        return;
    complete(t);
}

/* A body on a fiber ended: its stack back to the pool first. */
static void ended(th_thread_t *me, fiber_t *f)
{
    hook_task_t *t = f->task;
    f->task = NULL;
    f->free_next = me->free;
    me->free = f;
    body_ended(me, t);
}

/* CONT_TH_HOME: t's detach-clause event fulfilled.  t->bound holds the
 * body's share and the event's: the last share takes the task out of the
 * counts, before the fulfilment (which may free it).  On the home thread,
 * except for fulfil_stranded's. */
static void home_fulfil(hook_task_t *t)
{
    uintptr_t ev = t->own;
    if (atomic_fetch_sub_explicit(&t->bound, 1, memory_order_acq_rel) == 1) {
        uncount(t);
        TSAN_RELEASE(t->ktask);
    }
    kmp.fulfill(ev);
}

static int take_fulfils(th_thread_t *home)
{
    int n = 0;
    for (lf_node_t *x = lf_take_all_fifo(&home->fulfils), *nx; x; x = nx, n++) {
        nx = x->next;
        home_fulfil((hook_task_t *)((char *)x - offsetof(hook_task_t, hnode)));
    }
    return n;
}

static int poll_thread(th_thread_t *me)
{
    int n = 0;
    if (!lf_empty(&me->fulfils))
        n += take_fulfils(me);
    if (!lf_empty(&me->finished))
        for (lf_node_t *x = lf_take_all_fifo(&me->finished), *nx; x; x = nx, n++) {
            nx = x->next;
            complete((hook_task_t *)x);
        }
    if (lf_empty(&me->ready))
        return n;
    /* A body that yields again has made no progress that a waiting loop
     * should count (it would never get to run other tasks); it is back in
     * the ready stack for the next call, not this one. */
    for (lf_node_t *x = lf_take_all_fifo(&me->ready), *nx; x; x = nx) {
        nx = x->next;
        fiber_t *f = (fiber_t *)x;
        f->yielded = 0;
        run(me, f);
        if (f->done) {
            ended(me, f);
            n++;
        } else if (!f->yielded) {
            n++;
        }
    }
    return n;
}

static void wake_home(th_thread_t *home);

static int32_t trampoline(int32_t gtid, void *task)
{
    hook_task_t *t = area(task);
    if (!t->own_event)   /* (a detach clause's event leads back to its task through
                            part_id, whichever thread fulfils it) */
        ((ktask_t *)task)->part_id = 0;
    th_thread_t *me = self();
    poll_thread(me);   /* bodies that can go on first: they are older work */
    fiber_t *f = atomic_load_explicit(&fibers_on, memory_order_relaxed) ? fiber_get(me) : NULL;
    th_thread_t *wakes = t->home_event ? t->home : me;   /* (t may be gone at the end) */
    t->gtid = gtid;
    if (!t->home_event)   /* (its team's thread, even when a hidden helper
                             thread of libomp's runs its body) */
        t->home = me;
    t->children.owner = me;   /* its body runs on this thread alone */
    t->children.done_away = &t->children.away;
    BUMP(me, n_hooked);
    if (!f) {   /* no fibers, or no stack to be had: the body runs here, waits in place */
        t->in_place = 1;
        hook_task_t *saved = me->cur;
        me->cur = t;
        t->body(gtid, task);
        me->cur = saved;
        body_ended(me, t);   /* complete at once: the event, if any, is fulfilled early */
        wake_home(wakes);
        return 0;
    }
    f->task = t;
    t->fiber = f;
    run(me, f);
    if (!f->done) {
        /* Suspended: take the event now, in the task's own context, so the
         * task stays incomplete (dependents blocked) when we return.  Only
         * this thread resumes the body, so the event is set before it can
         * end. */
        t->event = (uintptr_t)kmp.allow_event(&loc, gtid, task);
        return 0;
    }
    ended(me, f);
    wake_home(wakes);
    return 0;
}

/* ------------------------------------------------------------ one-thread teams
 * A team of one thread is serialised in libomp: its taskyield runs nothing.
 * Its tasks run when created or when released, on the thread that releases
 * them, so the hook's waits (wait_for) need libomp for nothing, except in
 * programs with target tasks: libomp queues tasks that their completion
 * releases for the team's thread, and only libomp's own waits run those.
 * There run_queued lets libomp's wait run them for a while: the end of a
 * taskgroup of the current task whose one member is a sentinel task on a
 * hidden helper thread, which ends when this thread is needed back (a
 * fulfilment handed to it, a hooked task ended here) or after SENTINEL_NS.
 * (Measured: a sentinel in every idle wait, in programs without target
 * tasks too, hung 1 run in 9 of mr_solo at 4 ranks on 2 busy cores: the
 * first hidden helper task of a process sometimes never ran.) */
#define SENTINEL_NS 1000000L

static void wake_home(th_thread_t *home)
{
    if (atomic_load_explicit(&home->in_queue, memory_order_seq_cst)) {
        atomic_store_explicit(&home->wake, 1, memory_order_seq_cst);
        syscall(SYS_futex, &home->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static int32_t sentinel(int32_t gtid, void *task)
{
    (void)gtid;
    th_thread_t *home = *(th_thread_t **)((char *)task + KTASK_SIZE);
    struct timespec t0, now, step = {0, SENTINEL_NS};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!atomic_load_explicit(&home->wake, memory_order_acquire)) {
        syscall(SYS_futex, &home->wake, FUTEX_WAIT_PRIVATE, 0, &step, NULL, 0);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000000000L + now.tv_nsec - t0.tv_nsec >= SENTINEL_NS)
            break;
    }
    return 0;
}

/* The program created target tasks (libomp queues what they release). */
static atomic_int targets_seen;

static void run_queued(th_thread_t *me)
{
    int32_t gtid = KMP(gtid)(&loc);
    /* A taskgroup of the current task, not a taskwait in a stand-in:
     * libomp's task scheduling constraint then allows what a wait of the
     * current task allows (any task of the team, in the implicit task). */
    kmp.taskgroup(&loc, gtid);
    char *h = kmp.alloc(&loc, gtid, F_TIED | F_HIDDEN_HELPER, KTASK_SIZE + sizeof me, 0, sentinel);
    *(th_thread_t **)(h + KTASK_SIZE) = me;
    atomic_store(&me->wake, 0);
    atomic_store(&me->in_queue, 1);
    if (!lf_empty(&me->fulfils))
        atomic_store(&me->wake, 1);
    kmp.task(&loc, gtid, h);
    kmp.end_taskgroup(&loc, gtid);
    atomic_store(&me->in_queue, 0);
}

static int run_idle(void)
{
    int n = 0;
    for (int i = 0; i < 3; i++) {
        int (*fn)(void) = atomic_load_explicit(&idle_fns[i], memory_order_acquire);
        if (fn)
            n += fn();
    }
    return n;
}

/* Wait until done(arg), resuming this thread's bodies and running other
 * tasks meanwhile; back off to the OS scheduler when nothing moves (cores
 * are often shared with a progress thread). */
static void wait_for(th_thread_t *me, int (*done)(const void *), const void *arg)
{
    int32_t gtid = KMP(gtid)(&loc);
    hook_task_t *t = me->cur;
    if (t)
        t->waiting++;
    /* done() is not asked right after a hooked task ran here: it reads the
     * other threads' counters, and asking it between every two tasks of a
     * stream would bounce their cache lines (the next turn asks it). */
    for (unsigned idle = 0, ran = 0; ran || !done(arg);) {
        if (poll_thread(me) || run_idle()) {
            idle = 0;
            ran = 0;
            continue;
        }
        unsigned long long before = atomic_load_explicit(&me->n_hooked, memory_order_relaxed);
        if (!me->solo)
            kmp.taskyield(&loc, gtid, 0);
        else if (atomic_load_explicit(&targets_seen, memory_order_relaxed))
            run_queued(me);
        ran = atomic_load_explicit(&me->n_hooked, memory_order_relaxed) != before;
        if (ran)
            idle = 0;
        else if (++idle > 64)
            sched_yield();
    }
    if (t)
        t->waiting--;
}

/* Whether the interposed waits of this thread do the hook's work: every
 * outermost team with the hook on, a one-thread team with CONT_TH_HOME. */
static int active(const th_thread_t *me)
{
    return atomic_load_explicit(&hook_on, memory_order_relaxed) ||
           (me->solo && atomic_load_explicit(&home_on, memory_order_relaxed));
}

static int count_is_zero(const void *count)
{
    return atomic_load_explicit((atomic_int *)count, memory_order_acquire) == 0;
}

static void wait_until(th_thread_t *me, atomic_int *count)
{
    wait_for(me, count_is_zero, count);
}

/* Called by the owner only. */
static int kids_none(const void *kids)
{
    const kids_t *k = kids;
    return k->made - k->done_here ==
           atomic_load_explicit(k->done_away, memory_order_acquire);
}

/* ------------------------------------------------------------ the API */
int cont_th_enable(size_t size, int (*idle_fn)(void), unsigned flags)
{
    if (!KMP(alloc) || !kmp.allow_event || !kmp.fulfill || !kmp.taskyield || !kmp.gtid ||
        !kmp.get_level || !kmp.begin_if0 || !kmp.complete_if0 || !kmp.num_threads)
        return -1;
    if (size)
        stack_size = size;
    for (int i = 0; idle_fn && i < 3; i++) {   /* each function once, in a free slot */
        int (*none)(void) = NULL;
        if (atomic_compare_exchange_strong(&idle_fns[i], &none, idle_fn) || none == idle_fn)
            break;
    }
    if (flags & CONT_TH_FIBERS)
        atomic_store(&fibers_on, 1);
    if (flags & CONT_TH_YIELD)
        atomic_store(&yield_on, 1);
    if (flags & CONT_TH_HOME)
        atomic_store(&home_on, 1);
    if (flags != CONT_TH_HOME)   /* every task of the outermost regions */
        atomic_store(&hook_on, 1);
    return 0;
}

/* ------------------------------------------------------------ bindings */
void *cont_th_bind(int n)
{
    th_thread_t *me = tls;
    hook_task_t *t = me ? me->cur : NULL;
    if (!t || t->own_event || n <= 0)
        return NULL;
    if (!t->binding) {
        /* the task's own event, taken in its body: the task stays
         * incomplete when its routine returns until the event is fulfilled */
        t->event = (uintptr_t)kmp.allow_event(&loc, t->gtid, t->ktask);
        atomic_store_explicit(&t->bound, 1, memory_order_relaxed);   /* the body's */
        t->binding = 1;
        BUMP(me, n_bound);
    }
    atomic_fetch_add_explicit(&t->bound, n, memory_order_relaxed);
    return t;
}

void cont_th_unbind(void *h)
{
    hook_task_t *t = h;
    th_thread_t *home = t->home;   /* read first: t may be complete after the sub */
    if (atomic_fetch_sub_explicit(&t->bound, 1, memory_order_acq_rel) == 1)
        lf_push(&home->finished, &t->node);
}

enum { W_IDLE, W_ARMED, W_WOKEN };

/* 1 if the body may leave its stack now: it runs on a fiber and nothing of
 * libomp's is open on that stack (see taskhook.h). */
static int may_suspend(const hook_task_t *t)
{
    return !t->in_place && t->fiber && !t->created && !t->open && !t->undeferred &&
           !t->waiting;
}

int cont_th_prepare(cont_th_wait_t *w)
{
    th_thread_t *me = tls;
    hook_task_t *t = me ? me->cur : NULL;
    w->fiber = NULL;
    atomic_init(&w->state, W_IDLE);
    if (!t)
        return 0;
    if (!may_suspend(t)) {
        BUMP(me, n_in_place);
        return 0;
    }
    w->fiber = t->fiber;
    return 1;
}

void cont_th_wake(cont_th_wait_t *w)
{
    fiber_t *f = w->fiber;   /* read before the exchange: w may be gone after it */
    th_thread_t *home = f->task->home;
    if (atomic_exchange_explicit(&w->state, W_WOKEN, memory_order_acq_rel) == W_ARMED)
        lf_push(&home->ready, &f->node);
}

void cont_th_suspend(cont_th_wait_t *w)
{
    fiber_t *f = w->fiber;
    hook_task_t *t = f->task;
    if (atomic_exchange_explicit(&w->state, W_ARMED, memory_order_acq_rel) == W_WOKEN)
        return;   /* already over (e.g. complete at registration): go on */
    /* From here a wake may push f at any time; only this thread pops it,
     * after the switch below. */
    t->suspended = 1;
    BUMP(t->home, n_suspended);
    cont_fiber_switch(&f->ctx, f->resumer);
}

/* CONT_TH_YIELD: the calling body leaves its stack, ready at once; only
 * this thread pops its ready stack, and not before the switch below. */
static void yield_body(th_thread_t *me, hook_task_t *t)
{
    fiber_t *f = t->fiber;
    t->suspended = 1;
    f->yielded = 1;
    BUMP(me, n_yielded);
    lf_push(&me->ready, &f->node);
    cont_fiber_switch(&f->ctx, f->resumer);
}

int cont_th_poll(void)
{
    th_thread_t *me = tls;
    return me ? poll_thread(me) : 0;
}

void cont_th_get_stats(cont_th_stats_t *s)
{
    memset(s, 0, sizeof *s);
    for (th_thread_t *me = atomic_load(&all_threads); me; me = me->all_next) {
        s->hooked += atomic_load_explicit(&me->n_hooked, memory_order_relaxed);
        s->ended += atomic_load_explicit(&me->n_ended, memory_order_relaxed);
        s->suspended += atomic_load_explicit(&me->n_suspended, memory_order_relaxed);
        s->in_place += atomic_load_explicit(&me->n_in_place, memory_order_relaxed);
        s->stacks += atomic_load_explicit(&me->n_stacks, memory_order_relaxed);
        s->bound += atomic_load_explicit(&me->n_bound, memory_order_relaxed);
        s->yielded += atomic_load_explicit(&me->n_yielded, memory_order_relaxed);
        s->home_tasks += atomic_load_explicit(&me->n_home, memory_order_relaxed);
    }
    s->handed = atomic_load_explicit(&n_handed, memory_order_relaxed);
    s->stranded = atomic_load_explicit(&n_stranded, memory_order_relaxed);
}

#pragma GCC visibility pop

/* ------------------------------------------------------------ interposed */
#define EXPORT __attribute__((visibility("default")))

EXPORT void *__kmpc_omp_task_alloc(ident_t *l, int32_t gtid, int32_t flags, size_t size,
                                   size_t shareds, routine_t routine)
{
    th_thread_t *me = tls;
    hook_task_t *p = me ? me->cur : NULL;
    if (p) {
        own_context(p);
        p->created++;
    }
    /* me->level is 1 only inside an outermost region that region() runs */
    if (!me || me->level != 1 || !(flags & F_TIED) || (flags & (F_PROXY | F_HIDDEN_HELPER)))
        return KMP(alloc)(l, gtid, flags, size, shareds, routine);
    int home = me->solo && (flags & F_DETACHABLE);
    if (!atomic_load_explicit(&hook_on, memory_order_relaxed) &&
        !(home && atomic_load_explicit(&home_on, memory_order_relaxed)))
        return KMP(alloc)(l, gtid, flags, size, shareds, routine);
    size_t off = (size + 15) & ~(size_t)15;
    ktask_t *task = kmp.alloc(l, gtid, flags | F_DETACHABLE, off + sizeof(hook_task_t), shareds,
                              routine);
    if (!task)
        return NULL;
    TSAN_ACQUIRE(task);
    hook_task_t *t = (hook_task_t *)((char *)task + off);
    memset(t, 0, sizeof *t);
    t->magic = HOOK_MAGIC;
    t->own_event = t->in_place = (flags & F_DETACHABLE) != 0;   /* a detach clause */
    t->body = task->routine;
    t->ktask = task;
    task->routine = trampoline;
    task->part_id = (int32_t)off;
    kids_t *k = p ? &p->children : &me->implicit_children;
    t->parent_kids = k;
    t->parent_owner = k->owner;
    t->parent_away = k->done_away;
    group_t *g = p ? (p->open ? p->open : p->group) : me->implicit_open;
    t->group = g;
    t->counted = 1;
    if (home) {   /* complete when both the body and the event are done */
        t->home_event = t->binding = 1;
        t->home = me;
        atomic_store_explicit(&t->bound, 2, memory_order_relaxed);
        BUMP(me, n_home);
    }
    if (g)
        atomic_fetch_add_explicit(&g->count, 1, memory_order_relaxed);
    k->made++;
    BUMP(me, n_created);
    return task;
}

/* Out of the counts: for tasks whose routine libomp will not run through
 * trampoline (undeferred, taskloop patterns). */
static void unhook(void *task)
{
    hook_task_t *t = area(task);
    if (!t)
        return;
    ((ktask_t *)task)->routine = t->body;
    ((ktask_t *)task)->part_id = 0;
    uncount(t);
    t->magic = 0;
}

EXPORT void __kmpc_omp_task_begin_if0(ident_t *l, int32_t gtid, void *task)
{
    th_thread_t *me = tls;
    hook_task_t *p = me ? me->cur : NULL;
    unhook(task);
    if (p) {
        own_context(p);
        p->undeferred++;
    }
    KMP(begin_if0)(l, gtid, task);
}

EXPORT void __kmpc_omp_task_complete_if0(ident_t *l, int32_t gtid, void *task)
{
    th_thread_t *me = tls;
    KMP(complete_if0)(l, gtid, task);
    if (me && me->cur)
        me->cur->undeferred--;
}

EXPORT void __kmpc_taskloop(ident_t *l, int32_t gtid, void *task, int32_t if_val, uint64_t *lb,
                            uint64_t *ub, int64_t st, int32_t nogroup, int32_t sched,
                            uint64_t grainsize, void *task_dup)
{
    unhook(task);
    KMP(taskloop)(l, gtid, task, if_val, lb, ub, st, nogroup, sched, grainsize, task_dup);
}

EXPORT void __kmpc_taskloop_5(ident_t *l, int32_t gtid, void *task, int32_t if_val,
                              uint64_t *lb, uint64_t *ub, int64_t st, int32_t nogroup,
                              int32_t sched, uint64_t grainsize, int32_t modifier, void *task_dup)
{
    unhook(task);
    KMP(taskloop_5)(l, gtid, task, if_val, lb, ub, st, nogroup, sched, grainsize, modifier,
                    task_dup);
}

EXPORT int32_t __kmpc_omp_taskyield(ident_t *l, int32_t gtid, int end_part)
{
    th_thread_t *me = tls;
    hook_task_t *t = me ? me->cur : NULL;
    if (t && atomic_load_explicit(&yield_on, memory_order_relaxed) && may_suspend(t)) {
        yield_body(me, t);
        return 0;
    }
    if (t) {
        own_context(t);
        t->waiting++;
    }
    if (me)
        poll_thread(me);
    int32_t rc = KMP(taskyield)(l, gtid, end_part);
    if (t)
        t->waiting--;
    return rc;
}

EXPORT int32_t __kmpc_omp_taskwait(ident_t *l, int32_t gtid)
{
    th_thread_t *me = tls;
    if (me && active(me)) {
        hook_task_t *t = me->cur;
        if (t)
            own_context(t);
        wait_for(me, kids_none, t ? &t->children : &me->implicit_children);
    }
    return KMP(taskwait)(l, gtid);
}

EXPORT void __kmpc_taskgroup(ident_t *l, int32_t gtid)
{
    th_thread_t *me = self();
    hook_task_t *t = me->cur;
    if (t)
        own_context(t);
    group_t *g = calloc(1, sizeof *g);
    if (!g) {
        fprintf(stderr, "libcont: out of memory for a taskgroup\n");
        abort();
    }
    group_t **open = t ? &t->open : &me->implicit_open;
    g->up = *open;
    *open = g;
    KMP(taskgroup)(l, gtid);
}

EXPORT void __kmpc_end_taskgroup(ident_t *l, int32_t gtid)
{
    th_thread_t *me = self();
    hook_task_t *t = me->cur;
    group_t **open = t ? &t->open : &me->implicit_open;
    group_t *g = *open;
    if (g)
        wait_until(me, &g->count);   /* the open group keeps the body from suspending */
    KMP(end_taskgroup)(l, gtid);
    if (g) {
        *open = g->up;
        free(g);
    }
}

/* A team barrier of the outermost region (explicit, implicit after a
 * construct, or the region's end): every thread runs its share until all
 * have arrived and no hooked task is left, so libomp's barrier that follows
 * runs no hooked task (one that suspended there would leave its thread
 * spinning inside libomp with nobody to resume it). */
/* No hooked task left: the tasks done, summed first, equal the tasks
 * created, summed after.  Each count only grows, so equal sums mean that
 * when the first sum was complete every task created by then had ended (and
 * none was created until the second was read). */
static int none_left(void)
{
    unsigned long long done = 0, created = 0;
    for (th_thread_t *t = atomic_load(&all_threads); t; t = t->all_next)
        done += atomic_load_explicit(&t->n_done, memory_order_acquire);
    atomic_thread_fence(memory_order_seq_cst);
    for (th_thread_t *t = atomic_load(&all_threads); t; t = t->all_next)
        created += atomic_load_explicit(&t->n_created, memory_order_acquire);
    return done == created;
}

static int barrier_passed(const void *target)
{
    return atomic_load_explicit(&arrived, memory_order_acquire) >= *(const unsigned *)target &&
           none_left();
}

static void team_barrier(void)
{
    th_thread_t *me = self();
    atomic_fetch_add_explicit(&arrived, 1, memory_order_acq_rel);
    unsigned k = ++me->barriers;
    if (!active(me))
        return;
    unsigned target = k * (unsigned)kmp.num_threads();
    wait_for(me, barrier_passed, &target);
}

/* Where this thread runs the outermost region that region() (or a
 * serialised region) set up. */
static int outermost(void)
{
    return tls && tls->level == 1;
}

EXPORT void __kmpc_barrier(ident_t *l, int32_t gtid)
{
    if (outermost())
        team_barrier();
    KMP(barrier)(l, gtid);
}

/* The outermost region: the one region whose threads the hook serves (its
 * counts and barrier arrivals are global), entered from level 0 by a thread
 * outside any region while no other outermost region runs.  Others (a
 * parallel region inside a host target or teams region, whose
 * omp_get_level() starts again; regions that libomp's hidden helper threads
 * run meanwhile) are nested for the hook: level above 1, restored after. */
static atomic_int outer_busy;

static int enter_outermost(th_thread_t *me)
{
    int none = 0;
    return me->level == 0 && atomic_compare_exchange_strong(&outer_busy, &none, 1);
}

static void begin_outermost(th_thread_t *me, int solo)
{
    me->level = 1;
    me->barriers = 0;
    me->solo = solo;
}

/* A region the compiler serialises itself (parallel if(0)): one thread. */
EXPORT void __kmpc_serialized_parallel(ident_t *l, int32_t gtid)
{
    KMP(serialized_parallel)(l, gtid);
    th_thread_t *me = self();
    if (enter_outermost(me)) {
        atomic_store(&arrived, 0);
        begin_outermost(me, 1);
    } else {
        me->level += 2;
    }
}

EXPORT void __kmpc_end_serialized_parallel(ident_t *l, int32_t gtid)
{
    th_thread_t *me = self();
    int outer = me->level == 1;
    if (outer)
        team_barrier();
    KMP(end_serialized_parallel)(l, gtid);
    if (outer) {
        me->level = me->solo = 0;
        atomic_store(&outer_busy, 0);
    } else {
        me->level -= 2;
    }
}

/* __kmpc_fork_call is variadic: the region's arguments are packed and the
 * region runs through region(), which ends with the team barrier above. */
typedef struct {
    microtask_t mt;
    int argc;
    void **argv;
    int outer;
} region_t;

static void region(int32_t *gtid, int32_t *btid, region_t *r)
{
    th_thread_t *me = self();
    int saved = me->level;
    if (r->outer)
        begin_outermost(me, kmp.num_threads() == 1);
    else
        me->level = saved + 2;
    void *exit_frame = NULL;
    kmp.invoke_microtask(r->mt, *gtid, *btid, r->argc, r->argv, &exit_frame);
    if (r->outer)
        team_barrier();
    me->level = saved;
    if (r->outer)
        me->solo = 0;
}

EXPORT void __kmpc_fork_call(ident_t *l, int32_t argc, microtask_t mt, ...)
{
    void *argv[argc > 0 ? argc : 1];
    va_list ap;
    va_start(ap, mt);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, void *);
    va_end(ap);
    if (!KMP(invoke_microtask)) {
        fprintf(stderr, "libcont: this libomp has no __kmp_invoke_microtask; cannot run a "
                "parallel region through the task hook\n");
        abort();
    }
    region_t r = {mt, argc, argv, enter_outermost(self())};
    if (r.outer)
        atomic_store(&arrived, 0);
    kmp.fork_call(l, 1, (microtask_t)region, &r);
    if (r.outer)
        atomic_store(&outer_busy, 0);
}

/* ------------------------------------------------------------ one-thread teams
 * (CONT_TH_HOME) */

/* The home_event task whose detach-clause event ev is, or NULL. */
static hook_task_t *home_task(uintptr_t ev)
{
    ptrdiff_t d = atomic_load_explicit(&event_to_task, memory_order_acquire);
    if (!d || !ev)
        return NULL;
    hook_task_t *t = area((char *)ev + d);
    return t && t->home_event ? t : NULL;
}

EXPORT void *__kmpc_task_allow_completion_event(ident_t *l, int32_t gtid, void *task)
{
    void *ev = KMP(allow_event)(l, gtid, task);
    hook_task_t *t = ev ? area(task) : NULL;
    if (t && t->home_event) {
        t->own = (uintptr_t)ev;
        if (!atomic_load_explicit(&event_to_task, memory_order_relaxed))
            atomic_store_explicit(&event_to_task, (char *)task - (char *)ev,
                                  memory_order_release);
    }
    return ev;
}

/* Events handed to a home thread that sits in a libomp wait the hook cannot
 * run (in_libomp): fulfilled by the caller, as libomp alone would. */
static void fulfil_stranded(th_thread_t *home)
{
    atomic_fetch_add_explicit(&n_stranded, (unsigned long long)take_fulfils(home),
                              memory_order_relaxed);
}

EXPORT void omp_fulfill_event(uintptr_t ev)
{
    hook_task_t *t = home_task(ev);
    if (!t) {
        KMP(fulfill)(ev);
        return;
    }
    if (atomic_exchange_explicit(&t->handed, 1, memory_order_relaxed))
        return;   /* fulfilled already: libomp ignores it too */
    th_thread_t *home = t->home;
    if (tls == home) {
        home_fulfil(t);
        return;
    }
    /* From here the home thread may complete (and free) t at any time. */
    atomic_fetch_add_explicit(&n_handed, 1, memory_order_relaxed);
    lf_push(&home->fulfils, &t->hnode);
    wake_home(home);
    /* Either the home thread's take after it marked in_libomp sees the push,
     * or this load sees the mark (both seq_cst). */
    if (atomic_load(&home->in_libomp))
        fulfil_stranded(home);
}

/* A libomp wait that waits for every task of a one-thread team (a barrier
 * inside it): first complete them here. */
static int mine_done(const void *arg)
{
    const th_thread_t *me = arg;
    return atomic_load_explicit(&me->n_done, memory_order_relaxed) ==
           atomic_load_explicit(&me->n_created, memory_order_relaxed);
}

static void settle_solo(void)
{
    th_thread_t *me = tls;
    if (me && me->level == 1 && me->solo && active(me))
        wait_for(me, mine_done, me);
}

EXPORT void __kmpc_end_reduce(ident_t *l, int32_t gtid, void *lck)
{
    settle_solo();
    KMP(end_reduce)(l, gtid, lck);
}

EXPORT void __kmpc_copyprivate(ident_t *l, int32_t gtid, size_t size, void *data,
                               void (*cpy)(void *, void *), int32_t didit)
{
    settle_solo();
    KMP(copyprivate)(l, gtid, size, data, cpy, didit);
}

/* Waits for given dependences, which the hook cannot tell apart: the thread
 * waits inside libomp, and fulfilments from other threads meanwhile go to
 * libomp directly (the one place a one-thread team still gets them). */
static th_thread_t *enter_libomp(void)
{
    th_thread_t *me = tls;
    if (!me || me->level != 1 || !me->solo)
        return NULL;
    atomic_fetch_add(&me->in_libomp, 1);
    take_fulfils(me);
    return me;
}

static void leave_libomp(th_thread_t *me)
{
    if (me)
        atomic_fetch_sub(&me->in_libomp, 1);
}

EXPORT void __kmpc_omp_wait_deps(ident_t *l, int32_t gtid, int32_t ndeps, void *deps,
                                 int32_t nnoalias, void *noalias)
{
    th_thread_t *me = enter_libomp();
    KMP(wait_deps)(l, gtid, ndeps, deps, nnoalias, noalias);
    leave_libomp(me);
}

EXPORT void __kmpc_omp_taskwait_deps_51(ident_t *l, int32_t gtid, int32_t ndeps, void *deps,
                                        int32_t nnoalias, void *noalias, int32_t nowait)
{
    th_thread_t *me = enter_libomp();
    KMP(taskwait_deps)(l, gtid, ndeps, deps, nnoalias, noalias, nowait);
    leave_libomp(me);
}

EXPORT void *__kmpc_omp_target_task_alloc(ident_t *l, int32_t gtid, int32_t flags, size_t size,
                                          size_t shareds, routine_t routine, int64_t device)
{
    if (!atomic_load_explicit(&targets_seen, memory_order_relaxed))
        atomic_store(&targets_seen, 1);
    return KMP(target_task_alloc)(l, gtid, flags, size, shareds, routine, device);
}

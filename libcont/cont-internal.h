/* libcont internals: the objects and the functions the source files share.
 *
 * Objects
 *  - cont_t: one continuation (callback + its operations).  Its `pending`
 *    counter is the number of operations not yet accounted for, plus one
 *    "guard" unit held by the registering thread until registration is over;
 *    whoever takes it to zero fires the continuation, so it fires exactly
 *    once.  Each operation slot has an atomic state (PENDING -> DONE or
 *    ABANDONED) so its status is written by exactly one thread.  `refs` keeps
 *    the object alive while the engine or an attached CR still points at it.
 *  - cr_t: one continuation request.  `state` packs the active bit with the
 *    number of registered continuations not yet run, so "active with nothing
 *    left" (complete) is a single compare-and-swap.  `refs` keeps the object
 *    alive past MPI_Request_free while continuations still point at it.
 *
 * Threads: registration is lock-free; the engine (engine.c) has one owner at
 * a time (a try-lock); callbacks run with no libcont lock held.
 */
#ifndef CONT_INTERNAL_H
#define CONT_INTERNAL_H

#include "config.h"
#include "mpi-continue.h"
#include "lfstack.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Everything declared below is private to the library: hidden, so calls
 * between libcont's files are direct (no PLT, inlinable at link time) and no
 * application can interpose on them.  The public API (mpi-continue.h) and the
 * MPI functions libcont interposes are declared above and stay exported. */
#pragma GCC visibility push(hidden)

#define CONT_CONTINUE_FLAGS                                                        \
    (MPIX_CONT_REQBUF_VOLATILE | MPIX_CONT_REQUESTS_FREE | MPIX_CONT_DEFER_COMPLETE | \
     MPIX_CONT_INVOKE_FAILED | MPIX_CONT_IMMEDIATE | MPIX_CONT_FORGET)
#define CONT_ALL_FLAGS (CONT_CONTINUE_FLAGS | MPIX_CONT_POLL_ONLY)

/* ------------------------------------------------------------ config.c */
typedef enum { CONT_PT_AUTO, CONT_PT_ON, CONT_PT_OFF } cont_pt_mode_t;

typedef struct {
    cont_pt_mode_t progress_thread;
    int progress_cpu;        /* -2 none, -1 auto, >= 0 core index */
    int poll_spin;           /* busy polls before yielding */
    int poll_yield;          /* yielding polls before sleeping */
    int poll_set;            /* bit 0: CONT_POLL_SPIN given, bit 1: CONT_POLL_YIELD */
    int poll_max_sleep_us;   /* longest sleep between polls while pending */
    int progress_pace;       /* the progress thread's pause after a sweep, in sweeps */
    int finalize_timeout_ms; /* how long MPI_Finalize lets pending work finish */
    int max_inline_depth;    /* nesting of callbacks run inside MPIX_Continue */
    int verbose;             /* 0 quiet, 1 notices, 2 every error too */
} cont_config_t;

extern cont_config_t cont_cfg;
/* Read and validate every CONT_* variable; on error, prints why and returns
 * non-zero. */
int cont_config_load(void);
/* Apply one environment entry "NAME=VALUE" (entries not starting with CONT_
 * are ignored; CONT_ names of other layers are accepted unchecked); prints
 * why and returns non-zero when the name is unknown or the value bad. */
int cont_config_set(const char *entry);
/* Back to the defaults (for tests and the fuzzers). */
void cont_config_reset(void);
/* ------------------------------------------------------------ oversub.c */
/* At start-up: when this node's ranks x threads leave no core for the
 * progress threads, the progress thread polls without spinning or yielding
 * (unless CONT_POLL_SPIN / CONT_POLL_YIELD say otherwise) or pacing, and
 * keeps the kernel's timer slack; threads waiting in MPI_Wait keep the configured
 * polling.  Returns 1 when the node is oversubscribed. */
int cont_oversub_adjust(void);
extern int cont_oversubscribed, cont_pt_poll_spin, cont_pt_poll_yield, cont_pt_pace;

/* The i-th known CONT_* name, NULL past the end. */
const char *cont_config_name(size_t i);
/* Value parsers shared with contrun; on a bad value they print
 * "WHO: NAME='VALUE': expected ..." and return 1.  An integer is an
 * optional '-' and decimal digits, nothing else. */
int cont_parse_long(const char *who, const char *name, const char *v, long lo, long hi,
                    long *out);
int cont_parse_bool(const char *who, const char *name, const char *v, int *out);

/* ------------------------------------------------------------ wrapper.c */
/* Hooks for a layer built into the same shared library: contrun's preload
 * (contrun/) plugs in here from a constructor; all NULL in plain libcont.
 * The hot paths pay one load of `cont_wrapper` when nothing is plugged in.
 *  - init_level: the thread level to ask MPI for, given what the program
 *    asked; after_init: MPI and libcont are up; before_finalize: MPI still
 *    usable (reductions, file output).
 *  - wait*: MPI_Wait[all|any|some] on ordinary requests only (no CR, none
 *    owned by libcont); the hook decides whether the caller is inside an
 *    OpenMP task and forwards otherwise.
 *  - on_sweep / on_callbacks: profiling and tracing of the engine; set only
 *    while profiling is on.  Times in ns of CLOCK_MONOTONIC (cont_now_ns). */
typedef struct {
    int (*init_level)(int required);
    void (*after_init)(int required, int provided);
    void (*before_finalize)(void);
    int (*wait)(MPI_Request *req, MPI_Status *status);
    int (*waitall)(int count, MPI_Request reqs[], MPI_Status statuses[]);
    int (*waitany)(int count, MPI_Request reqs[], int *index, MPI_Status *status);
    int (*waitsome)(int count, MPI_Request reqs[], int *outcount, int indices[],
                    MPI_Status statuses[]);
    void (*on_sweep)(uint64_t t0, uint64_t t1, int completed);
    void (*on_callbacks)(uint64_t t_seen, uint64_t t0, uint64_t t1, int ran);
    int (*task_aware)(void);   /* blocking calls in tasks are task-aware */
} cont_wrapper_t;

/* ------------------------------------------------------------ layers.c */
/* The registered layers' hooks (cont-layer.h), in MPI_Init / MPI_Finalize. */
int cont_layers_level(int required);
void cont_layers_after_init(int required, int provided, int *told);
void cont_layers_before_finalize(void);

extern cont_wrapper_t *cont_wrapper;
uint64_t cont_now_ns(void);

/* ------------------------------------------------------------ error.c */
/* Format a message, invoke MPI_COMM_WORLD's error handler with errclass and
 * return errclass. */
/* Exported (omp-glue reports its errors through it, glue-internal.h). */
__attribute__((visibility("default"))) int cont_error(int errclass, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* As cont_error, for array functions: returns MPI_ERR_IN_STATUS. */
int cont_error_in_status(const char *fn);
void cont_empty_status(MPI_Status *st, int err);

/* ------------------------------------------------------------ reqmap.c */
/* Which MPI request handles libcont owns (has a continuation on), and which
 * are persistent.  Lock-free bitmaps indexed by MPICH's handle layout. */
int cont_reqmap_init(void);
void cont_reqmap_fini(void);
int cont_req_claim(MPI_Request h);   /* 1 if claimed, 0 if already owned */
/* 1 if h is owned by a continuation, waiting out the engine's window between
 * PMPI_Testsome freeing a handle (MPICH may reuse its value at once) and the
 * engine releasing its claim. */
int cont_req_owned_stable(MPI_Request h);
void cont_req_release(MPI_Request h);
int cont_req_owned(MPI_Request h);
void cont_req_set_persistent(MPI_Request h);
void cont_req_clear_persistent(MPI_Request h);
int cont_req_is_persistent(MPI_Request h);

/* ------------------------------------------------------------ crtable.c */
/* A CR handle: MPICH's request object type with the "invalid" kind bits
 * (which MPICH never hands out except for MPI_REQUEST_NULL) and a non-zero
 * generation:slot payload.  Cheap to recognise without a lookup. */
#define CONT_CR_TAG 0x2c000000u
#define CONT_CR_TAG_MASK 0xfc000000u
static inline int cont_is_cr_handle(MPI_Request h)
{
    return ((unsigned)h & CONT_CR_TAG_MASK) == CONT_CR_TAG && h != MPI_REQUEST_NULL;
}

struct cont;
typedef struct cr {
    MPI_Request handle;
    _Atomic uint64_t state;       /* CR_ACTIVE | count * CR_ONE */
    atomic_int refs;              /* user handle + continuations + transient */
    int poll_only;
    int max_poll;                 /* <= 0: no limit */
    lf_stack_t held;              /* fired while inactive: wait for MPI_Start */
    lf_stack_t ready;             /* POLL_ONLY: ready, waiting for a tester */
    fifo_t ready_local;           /* tester-private part of `ready` */
    uint8_t always_active;        /* earlier revisions: created active, never deactivated
                                     (completion leaves it active; MPI_Start refused) */
    uint8_t enqueue_complete;     /* earlier revisions' info key: never run inside
                                     MPIX_Continue (legacy.c adds DEFER_COMPLETE) */
    uint8_t forget;               /* the hidden CR of MPIX_CONT_FORGET continuations */
    uint8_t app_threads;          /* earlier revisions: callbacks run only in application
                                     threads' MPI calls, never on the progress thread */
    _Atomic(struct cont *) parent;/* continuation this CR is an operation of */
    int parent_idx;
    pthread_mutex_t fail_mtx;     /* failed-continuation list (rare path) */
    void **failed;
    int nfailed, failcap;
    atomic_int first_err;
    struct cr *all_prev, *all_next; /* every live CR object, for finalize */
} cr_t;

#define CR_ACTIVE ((uint64_t)1)
#define CR_ONE ((uint64_t)2)
#define CR_COUNT(s) ((s) >> 1)

int cont_crtable_alloc(cr_t *cr);            /* sets cr->handle; 0 on success */
void cont_crtable_release(MPI_Request h);
cr_t *cont_crtable_lookup(MPI_Request h);    /* NULL if not a live CR */
void cont_crtable_fini(void);

/* ------------------------------------------------------------ crequest.c */
/* Make a CR (MPIX_Continue_init's work once its arguments are checked):
 * inactive, with the given POLL_ONLY and max_poll.  Raises errors as fn. */
int cont_cr_create(const char *fn, int poll_only, int max_poll, cr_t **out);
/* The process's CR of MPIX_CONT_FORGET continuations, app_threads: the one
 * whose callbacks run only in application threads (MPICH's revision, 202411)
 * (made on first use;
 * active, never completes, never tested by the application). */
cr_t *cont_forget_cr(int app_threads);
/* Find the live CR of handle h, or raise MPI_ERR_REQUEST naming fn/what. */
int cont_cr_lookup_or_error(MPI_Request h, const char *fn, const char *what, cr_t **out);
void cont_cr_complete_to_parent(cr_t *cr);
void cont_cr_ref(cr_t *cr);
void cont_cr_unref(cr_t *cr);
int cont_cr_start(cr_t *cr, const char *fn);
/* One non-blocking step: drive progress, run ready POLL_ONLY continuations
 * (up to max_poll), and complete the CR if nothing is left.  Returns the
 * CR's error on completion, else MPI_SUCCESS; errors are not raised. */
int cont_cr_test(cr_t *cr, int *flag, MPI_Status *status);
/* Complete an active CR if nothing is left (no progress, no callbacks). */
int cont_cr_try_complete(cr_t *cr);
void cont_cr_reactivate(cr_t *cr);
int cont_cr_is_complete(cr_t *cr);
int cont_cr_free(MPI_Request *req, const char *fn);
int cont_cr_wait(cr_t *cr, MPI_Status *status);
int cont_cr_get_status(cr_t *cr, int *flag, MPI_Status *status);
void cont_cr_record_failure(cr_t *cr, void *cb_data, int err);
void cont_cr_continuation_done(cr_t *cr);
void cont_cr_hold(cr_t *cr, struct cont *c);
void cont_cr_for_each(void (*fn)(cr_t *, void *), void *arg);
int cont_cr_run_ready(cr_t *cr);

/* ------------------------------------------------------------ continuation.c */
enum { OP_PENDING = 0, OP_DONE = 1, OP_ABANDONED = 2 };
typedef struct cont_op {
    MPI_Request req;        /* ordinary operation (or MPI_REQUEST_NULL) */
    cr_t *cr_op;            /* or a CR used as an operation */
    _Atomic uint8_t state;
    uint8_t tracked;        /* the engine tests it */
} cont_op_t;

typedef enum { CTX_REGISTER, CTX_START, CTX_ENGINE, CTX_CALLBACK } cont_ctx_t;

/* How a callback is called: the current revision's int (*)(int rc, void *),
 * and the earlier revisions' forms (legacy.c). */
typedef enum {
    CONT_CB_RC,          /* int (*)(int rc, void *data); a non-success return fails it */
    CONT_CB_RC_IGNORED,  /* the same, return value ignored (MPICH's PR) */
    CONT_CB_DATA,        /* void (*)(void *data) (202005, 202009) */
    CONT_CB_STATUS       /* void (*)(MPI_Status *statuses, void *data) (202010-202110) */
} cont_cb_kind_t;
typedef void (cont_cb_data_fn)(void *data);
typedef void (cont_cb_status_fn)(MPI_Status *statuses, void *data);

/* Call cb as its kind says; statuses: the registration's array (or
 * MPI_STATUSES_IGNORE), for CONT_CB_STATUS.  Returns the callback's verdict. */
static inline int cont_invoke(int kind, MPIX_Continue_cb_function *cb, int rc, void *data,
                              MPI_Status *statuses)
{
    switch (kind) {
    case CONT_CB_RC:
        return cb(rc, data);
    case CONT_CB_RC_IGNORED:
        cb(rc, data);
        return MPI_SUCCESS;
    case CONT_CB_DATA:
        ((cont_cb_data_fn *)(void (*)(void))cb)(data);
        return MPI_SUCCESS;
    default:
        ((cont_cb_status_fn *)(void (*)(void))cb)(statuses, data);
        return MPI_SUCCESS;
    }
}

/* Registration options beyond the public flags (legacy.c). */
enum {
    CONT_REG_NULL_UNTOUCHED = 1 << 0,  /* leave the statuses of MPI_REQUEST_NULL entries alone */
    CONT_REG_APP_THREADS = 1 << 1      /* MPIX_CONT_FORGET: the hidden CR whose callbacks run
                                          only in application threads (202411) */
};
/* MPIX_Continueall's argument checks (count, array, callback, statuses);
 * MPI_SUCCESS or the error raised. */
int cont_check_register_args(const char *fn, int count, MPI_Request reqs[],
                             MPIX_Continue_cb_function *cb, MPI_Status statuses[]);
/* MPIX_Continueall's work, for a callback of any kind; fn names the API
 * call in error messages. */
int cont_register_as(const char *fn, int count, MPI_Request reqs[],
                     MPIX_Continue_cb_function *cb, int kind, void *cb_data, int flags,
                     int options, MPI_Status statuses[], MPI_Request cont_req);

typedef struct cont {
    lf_node_t node;         /* first member: queues link through it */
    cr_t *cr;
    MPIX_Continue_cb_function *cb;
    void *cb_data;
    int flags;
    int count;
    uint8_t kind;           /* cont_cb_kind_t */
    MPI_Status *statuses;   /* NULL: ignored */
    atomic_int pending;
    atomic_int refs;
    atomic_int err;         /* first error of the operations */
    cont_op_t ops[];
} cont_t;

void cont_op_complete(cont_t *c, int idx, const MPI_Status *st, int err, cont_ctx_t ctx);
/* The two steps of cont_op_complete, for batches (see continuation.c). */
int cont_op_mark(cont_t *c, int idx, const MPI_Status *st, int err);
void cont_op_settle(cont_t *c, int idx, int marked, int err, cont_ctx_t ctx);
void cont_fire(cont_t *c, cont_ctx_t ctx);
void cont_run(cont_t *c);
void cont_unref(cont_t *c);

/* ------------------------------------------------------------ engine.c */
typedef struct {
    atomic_flag owner;                 /* try-lock: one engine owner */
    lf_stack_t reg_q;                  /* continuations with operations to track */
    lf_stack_t ready_q;                /* fired continuations to run */
    atomic_int n_active;               /* operations in the array (approx.) */
    atomic_int pollers;                /* threads polling the engine themselves: in MPI_Wait
                                          on a CR, or between cont_progress_driver_begin/end */
    atomic_uint release_seq;           /* odd while a sweep may hold stale claims */
    lf_stack_t app_q;                  /* ready continuations of app_threads CRs that the
                                          progress thread saw: run by cont_app_run */
} cont_engine_t;
extern cont_engine_t cont_engine;

/* Try to own the engine and sweep once, then run the callbacks that became
 * ready.  Returns the number of operations completed plus continuations run
 * (0: nothing happened or someone else owns the engine). */
int cont_progress(void);
/* As cont_progress; *sweep_ns gets how long this call spent testing the
 * operations in MPI and *tested how many it tested (0 if it did not own
 * the engine or had none).  Both pointers NULL (cont_progress) or both set. */
int cont_progress_timed(uint64_t *sweep_ns, int *tested);
/* Run this thread's batch of ready continuations (on the progress thread,
 * those of app_threads CRs go to app_q instead). */
int cont_run_local(void);
/* Run the continuations waiting in app_q (an application thread in an MPI
 * call); returns how many ran. */
int cont_app_run(void);
void cont_local_append(cont_t *c);
int cont_engine_has_work(void);
void cont_engine_submit(cont_t *c);    /* reg_q, wakes the progress thread */
void cont_engine_submit_ready(cont_t *c);
void cont_engine_fini(void);
/* For the finalize report: for each tracked operation's continuation. */
int cont_engine_pending_ops(void);

/* Polling back-off: spin, then sched_yield, then sleeps of at most
 * CONT_POLL_MAX_SLEEP_US.  pt: the progress thread's spin and yield counts;
 * wait: a thread waiting in MPI_Wait, which never sleeps (it has nothing
 * else to do, and a sleep is added to the latency of what it waits for). */
typedef struct { int n, pt, wait; } cont_backoff_t;
void cont_backoff(cont_backoff_t *b);

/* ------------------------------------------------------------ progress.c */
/* Validate CONT_PROGRESS_CPU and choose the cpuset (0 on success). */
int cont_progress_cpu_check(void);
void cont_progress_cpu_release(void);
int cont_progress_thread_start(void);
void cont_progress_thread_stop(void);
void cont_progress_wake(void);
/* A thread starts / stops polling the engine itself (MPI_Wait on a CR, a
 * driver): the progress thread steps back while any does. */
void cont_pollers_enter(void);
void cont_pollers_leave(void);
double cont_progress_thread_cpu(void);
int cont_progress_thread_running(void);
int cont_progress_thread_is_self(void);
extern _Thread_local int cont_tls_is_progress_thread;

/* ------------------------------------------------------------ init.c */
typedef struct {
    atomic_int initialized;      /* 1 between MPI_Init and MPI_Finalize */
    int thread_level;            /* what MPI provides */
    int told_level;              /* what the program was told (MPI_Query_thread) */
    int rank;
    atomic_ullong sweeps;        /* also how the progress thread sees pollers poll */
    atomic_int any_call_progress;/* an earlier revision's CR exists: without a progress
                                    thread, MPI calls on any request drive the engine */
    atomic_ullong max_outstanding;
} cont_global_t;
extern cont_global_t cont_g;

/* ------------------------------------------------------------ anycall.c */
/* The revisions before 202211 run continuations from the progress of any
 * MPI call (Open MPI's opal_progress hook), in the threads that call MPI.
 * Once such a CR exists, the MPI calls libcont interposes, on any request,
 * run the continuations of app_threads CRs that are ready, and drive the
 * engine when no progress thread does: the tests once per call, the waits
 * while they wait. */
static inline int cont_any_call(void)
{
    return __builtin_expect(atomic_load_explicit(&cont_g.any_call_progress,
                                                 memory_order_relaxed), 0);
}
/* One step: drive the engine when no progress thread does, and run the
 * continuations the progress thread left to application threads. */
static inline int cont_any_call_step(void)
{
    return (cont_progress_thread_running() ? 0 : cont_progress()) + cont_app_run();
}
static inline void cont_any_call_poll(void)
{
    if (cont_any_call())
        cont_any_call_step();
}
/* legacy.c: at MPI_Init, rank 0 says once when a program of an earlier
 * revision runs OpenMP without the task hook's pause for yielding tasks. */
void cont_legacy_notice(void);

int cont_any_call_wait(MPI_Request *req, MPI_Status *status);
int cont_any_call_waitall(int count, MPI_Request reqs[], MPI_Status statuses[]);
int cont_any_call_waitany(int count, MPI_Request reqs[], int *index, MPI_Status *status);
int cont_any_call_waitsome(int count, MPI_Request reqs[], int *outcount, int indices[],
                           MPI_Status statuses[]);

/* Lazily initialise libcont if MPI is initialised (by whatever route);
 * returns non-zero if MPI is not initialised. */
int cont_ensure_init(void);
#define CONT_CHECK_INIT(fn)                                                      \
    do {                                                                         \
        if (!atomic_load_explicit(&cont_g.initialized, memory_order_acquire) &&  \
            cont_ensure_init())                                                  \
            return cont_error(MPI_ERR_OTHER, "%s: MPI is not initialized", fn);  \
    } while (0)

/* ------------------------------------------------------------ stats.c */
/* Counters of cont_stats_t kept per thread (the others live in cont_g). */
enum {
    CONT_ST_registered, CONT_ST_run_inline, CONT_ST_run_engine, CONT_ST_failed,
    CONT_ST_ops_completed, CONT_NSTATS
};
typedef struct cont_tstats {
    atomic_ullong v[CONT_NSTATS];   /* written by the owning thread only */
    struct cont_tstats *prev, *next;
} cont_tstats_t;
extern _Thread_local cont_tstats_t *cont_tls_stats;
void cont_stat_add_slow(int i, unsigned long long v);
/* The totals: exited threads' counts plus every live thread's block. */
void cont_stats_sum(unsigned long long out[CONT_NSTATS]);

/* Add v to this thread's counter i: a load and a store, no locked
 * instruction and no cache line shared with other threads. */
static inline void cont_stat_add(int i, unsigned long long v)
{
    cont_tstats_t *t = cont_tls_stats;
    if (__builtin_expect(t != NULL, 1))
        atomic_store_explicit(&t->v[i], atomic_load_explicit(&t->v[i], memory_order_relaxed) + v,
                              memory_order_relaxed);
    else
        cont_stat_add_slow(i, v);
}
#define CONT_STAT_ADD(field, v) cont_stat_add(CONT_ST_##field, (v))

/* Thread-local nesting depth of callbacks run by this thread. */
extern _Thread_local int cont_tls_depth;

#pragma GCC visibility pop

#endif

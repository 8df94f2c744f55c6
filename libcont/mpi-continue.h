/*
 * mpi-continue.h -- MPI continuations (MPIX_Continue) for an unmodified MPI.
 *
 * libcont implements the MPI Forum hybrid working group's continuations
 * proposal (mpiwg-hybrid/hybrid-issues#6, API as in the Open MPI extension
 * `ompi/mpiext/continue`) on top of MPICH through the PMPI profiling
 * interface.  A *continuation* is a callback attached to one or more MPI
 * operation requests; it runs once all of them are complete.  Continuations
 * are registered with a *continuation request* (CR), a persistent request
 * made by MPIX_Continue_init that completes once every continuation
 * registered with it has run.
 *
 * This header includes <mpi.h>, so `-include mpi-continue.h` works on a
 * source that already includes <mpi.h>.  Link with -lcont before the MPI
 * library (`pkg-config --libs libcont`): libcont provides its own MPI_Start,
 * MPI_Test*, MPI_Wait*, MPI_Request_free, MPI_Request_get_status, MPI_Cancel,
 * MPI_Init*, MPI_Finalize and the persistent-request constructors, which
 * recognise continuation requests and pass every other request straight to
 * the MPI library.
 *
 * Threads.  With MPI_THREAD_MULTIPLE, libcont starts a progress thread at
 * MPI_Init_thread that tests registered operations and runs ready
 * continuations (callbacks of POLL_ONLY CRs excepted).  With a lower thread
 * level (or CONT_PROGRESS_THREAD=off) there is no progress thread and
 * continuations run inside MPI_Test / MPI_Wait calls on CRs (and inside
 * MPIX_Continue when the operations are already complete).  All functions
 * below are thread safe under MPI_THREAD_MULTIPLE; as for any MPI request,
 * one CR must not be tested, waited on, started or freed by two threads at
 * the same time.
 *
 * Errors.  Every function returns MPI_SUCCESS or an MPI error code, after
 * invoking the error handler of MPI_COMM_WORLD like MPI itself does (so the
 * default handler aborts the job).  Before aborting, libcont prints a line
 * that names the call and the problem; with MPI_ERRORS_RETURN the same text
 * is available from cont_last_error().  An erroneous call registers nothing
 * and changes nothing.
 *
 * Environment variables (all read and validated at MPI_Init; an unknown
 * CONT_* variable or a bad value is an error): see docs/reference-config.md.
 *
 * Revisions.  The proposal's API changed several times since 2020, and codes
 * written for it use the revision of their day.  -DLIBCONT_CONTINUE_API=N
 * selects one (default LIBCONT_CONTINUE_API_LATEST); each declares exactly
 * what its source declared, and libcont gives it that revision's semantics
 * over the one engine (docs in mpi-continue-legacy.h):
 *   202005  MPI_Continue_init(MPI_Request *); MPI_Continue[all] with int *flag;
 *           void (*)(void *) callbacks            (devreal/ompi e2f4abbb4f)
 *   202009  the same, renamed MPIX_               (bc8176ea0c)
 *   202010  callbacks get the statuses: void (*)(MPI_Status *, void *)
 *                                                 (8093862203)
 *   202012  MPIX_Continue_init(MPI_Request *, MPI_Info) and its continue_* keys
 *                                                 (continfo branch, 241a8fef94)
 *   202110  the first Open MPI extension: no flag argument, mpi_continue_* keys
 *                                                 (39aae5efd8 .. 55ea6b3736)
 *   202206  MPIX_Continue_init(max_poll, flags, MPI_Request *, MPI_Info), int
 *           callbacks with rc, flags, MPIX_Continue_get_failed  (0bb73528a6)
 *   202211  MPIX_Continue_init(flags, max_poll, info, MPI_Request *),
 *           DEFER_COMPLETE, INVOKE_FAILED; bit 1 is MPIX_CONT_PERSISTENT
 *                                                 (584c8b0445)
 *   202309  the current proposal (this file's API; bit 1 MPIX_CONT_REQUESTS_FREE)
 *                                                 (ffe13411cf .. dcb9df5c45)
 *   202411  MPICH's pending implementation (pmodels/mpich PR 7164, fb6a5c4a5f):
 *           cont_request may be MPI_REQUEST_NULL, the callback's return value
 *           is ignored, MPIX_CONT_IMMEDIATE; no MPIX_Continue_get_failed;
 *           callbacks only in application threads' MPI calls
 * libcont's own extensions (cont_*) are declared in every revision.
 */
#ifndef MPI_CONTINUE_H
#define MPI_CONTINUE_H

#include <mpi.h>

/** The newest revision of the API (the default). */
#define LIBCONT_CONTINUE_API_LATEST 202309
#ifndef LIBCONT_CONTINUE_API
#define LIBCONT_CONTINUE_API LIBCONT_CONTINUE_API_LATEST
#endif
#if LIBCONT_CONTINUE_API != 202005 && LIBCONT_CONTINUE_API != 202009 &&                \
    LIBCONT_CONTINUE_API != 202010 && LIBCONT_CONTINUE_API != 202012 &&                \
    LIBCONT_CONTINUE_API != 202110 && LIBCONT_CONTINUE_API != 202206 &&                \
    LIBCONT_CONTINUE_API != 202211 && LIBCONT_CONTINUE_API != 202309 &&                \
    LIBCONT_CONTINUE_API != 202411
#error "LIBCONT_CONTINUE_API: unknown revision; known: 202005 202009 202010 202012 202110 202206 202211 202309 202411 (see mpi-continue.h)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Feature test macro: libcont's continuations (any revision). */
#define MPIX_CONTINUE 1

#if LIBCONT_CONTINUE_API < 202211
#include "mpi-continue-legacy.h"
#else

/* ---------------------------------------------------------------------- */
/* Flags                                                                  */
/* ---------------------------------------------------------------------- */

/** Deprecated alias of MPIX_CONT_REQUESTS_FREE (MPIX_Continue[all]). */
#define MPIX_CONT_REQBUF_VOLATILE (1 << 0)
#if LIBCONT_CONTINUE_API == 202309
/** The request array may be freed as soon as MPIX_Continue[all] returns
 *  (libcont always copies it, so this never changes behaviour). */
#define MPIX_CONT_REQUESTS_FREE   (1 << 1)
#else
/** 202211 and MPICH's name of bit 1 ("the continuation is persistent"):
 *  never implemented by anyone; accepted, and changes nothing. */
#define MPIX_CONT_PERSISTENT      (1 << 1)
#endif
/** MPIX_Continue_init: run this CR's continuations only inside
 *  MPI_Test / MPI_Wait (any form) calls on this CR, by the calling thread, at most
 *  max_poll per call.  (Continuations whose operations are complete at
 *  registration still run inside MPIX_Continue[all], see below.) */
#define MPIX_CONT_POLL_ONLY       (1 << 2)
/** MPIX_Continue[all]: never run the callback inside MPIX_Continue[all],
 *  even if every operation is already complete. */
#define MPIX_CONT_DEFER_COMPLETE  (1 << 3)
/** MPIX_Continue[all]: run the callback also when an operation failed, with
 *  rc set to the first error; statuses of operations that had not completed
 *  then hold MPI_ERR_PENDING. */
#define MPIX_CONT_INVOKE_FAILED   (1 << 4)
/** MPIX_Continue[all] (MPICH's extension): run the callback as soon as
 *  completion is seen, by whichever thread sees it, also on a POLL_ONLY CR. */
#define MPIX_CONT_IMMEDIATE       (1 << 5)
/** MPIX_Continue[all] (MPICH's continue-wip branch): the continuation
 *  belongs to no continuation request; cont_req is ignored (and may be
 *  MPI_REQUEST_NULL).  Nothing waits for it: it runs once its operations
 *  complete, like any other, and a failure is only counted (cont_get_stats)
 *  and reported at MPI_Finalize if it could never run. */
#define MPIX_CONT_FORGET          (1 << 6)

/* ---------------------------------------------------------------------- */
/* Callback type                                                          */
/* ---------------------------------------------------------------------- */

/**
 * A continuation callback.  rc is MPI_SUCCESS, or with
 * MPIX_CONT_INVOKE_FAILED the first error of the operations.  cb_data is
 * the pointer given at registration.  Return MPI_SUCCESS; anything else
 * marks the continuation failed (see MPIX_Continue_get_failed).
 *
 * A callback may call MPI, including MPIX_Continue (chains), MPI_Start and
 * MPI_Test/Wait on other CRs.  No lock of libcont is held while it runs.  It
 * runs on the progress thread, in MPIX_Continue[all], or in a thread that
 * tests or waits on a CR: keep it short, and do not block in it waiting for
 * something only another continuation can do.
 */
typedef int (MPIX_Continue_cb_function)(int rc, void *cb_data);

/* ---------------------------------------------------------------------- */
/* API                                                                    */
/* ---------------------------------------------------------------------- */

/**
 * Create a continuation request, inactive.  Start it with MPI_Start (or
 * MPI_Startall); it completes (in MPI_Test/MPI_Wait (any form)) once every
 * continuation registered with it has run, and is then inactive again.  An
 * active CR with nothing registered is complete.  Free it with
 * MPI_Request_free.
 *
 * flags:    0 or MPIX_CONT_POLL_ONLY.
 * max_poll: most continuations one MPI_Test on the CR runs (POLL_ONLY CRs);
 *           any value <= 0, MPI_UNDEFINED included, means no limit.
 * info:     MPI_INFO_NULL or an info object (no keys are interpreted yet).
 *
 * Errors: MPI_ERR_ARG (cont_req NULL, unknown flag bits), MPI_ERR_OTHER
 * (MPI not initialised, out of memory or of CR handles).
 */
int MPIX_Continue_init(int flags, int max_poll, MPI_Info info,
                       MPI_Request *cont_req);

/**
 * Attach a continuation to one operation request.  Equivalent to
 * MPIX_Continueall(1, op_request, cb, cb_data, flags, status, cont_req)
 * with `status` in place of the statuses array.
 */
int MPIX_Continue(MPI_Request *op_request, MPIX_Continue_cb_function *cb,
                  void *cb_data, int flags, MPI_Status *status,
                  MPI_Request cont_req);

/**
 * Attach a continuation (cb, cb_data) to `count` operation requests and
 * register it with cont_req.  The callback runs exactly once, after all the
 * operations completed:
 *  - inside this call, before it returns, when every operation is already
 *    complete, cont_req is active and MPIX_CONT_DEFER_COMPLETE is not set
 *    (also for POLL_ONLY CRs; when such callbacks nest deeper than
 *    CONT_MAX_INLINE_DEPTH, the innermost is deferred instead to bound the
 *    stack);
 *  - otherwise by the progress engine (the progress thread or a thread
 *    testing/waiting on a CR), or, for a POLL_ONLY CR without
 *    MPIX_CONT_IMMEDIATE, by a thread inside MPI_Test/MPI_Wait (any form) on cont_req;
 *  - never before cont_req has been started, if registered while inactive.
 *
 * op_requests: non-persistent requests are taken over by libcont: their
 *   handles are set to MPI_REQUEST_NULL before this call returns and libcont
 *   frees them when they complete.  Persistent requests keep their handles;
 *   once complete they are inactive and may be started again (by the
 *   callback, for instance).  MPI_REQUEST_NULL entries count as complete.
 *   An entry may be another CR (graphs of continuations): it counts as
 *   complete when that CR completes.  The array may go away when the call
 *   returns.
 * statuses: MPI_STATUSES_IGNORE or `count` statuses, filled before the
 *   callback runs; they must stay valid until then.
 * flags: MPIX_CONT_REQBUF_VOLATILE, MPIX_CONT_REQUESTS_FREE (202211 and
 *   MPICH: MPIX_CONT_PERSISTENT), MPIX_CONT_DEFER_COMPLETE,
 *   MPIX_CONT_INVOKE_FAILED, MPIX_CONT_IMMEDIATE, MPIX_CONT_FORGET (then
 *   cont_req is not used and may be MPI_REQUEST_NULL).
 *
 * An operation that fails (MPI_ERRORS_RETURN on its communicator): without
 * MPIX_CONT_INVOKE_FAILED the callback does not run, cb_data is recorded as
 * failed and cont_req completes with the error in its status; with it, the
 * callback runs with rc = the first error.
 *
 * Errors (nothing is registered): MPI_ERR_ARG (cb or a needed array NULL,
 * unknown or misplaced flag bits), MPI_ERR_COUNT (count < 0),
 * MPI_ERR_REQUEST (cont_req not a live CR; an operation request that
 * already has a continuation, appears twice, is cont_req itself, or is a
 * CR attached elsewhere), MPI_ERR_OTHER (MPI not initialised, out of
 * memory).  An invalid MPI request handle is reported by MPI itself.
 */
int MPIX_Continueall(int count, MPI_Request op_requests[],
                     MPIX_Continue_cb_function *cb, void *cb_data, int flags,
                     MPI_Status statuses[], MPI_Request cont_req);

#if LIBCONT_CONTINUE_API != 202411
/**
 * Take the cb_data pointers of failed continuations of cont_req (those
 * whose operation failed without MPIX_CONT_INVOKE_FAILED, or whose callback
 * returned an error), oldest first.  *count is the capacity of cb_data on
 * input and the number stored on output.  Once every failed continuation has
 * been taken, the CR's error is cleared.  Thread safe.
 *
 * Errors: MPI_ERR_ARG (count NULL, or cb_data NULL with *count > 0),
 * MPI_ERR_COUNT (*count < 0), MPI_ERR_REQUEST (not a live CR).
 */
int MPIX_Continue_get_failed(MPI_Request cont_req, int *count, void **cb_data);
#else
/* MPICH's implementation: a NULL cont_request means MPIX_CONT_FORGET, and
 * the callback's return value is ignored (never a failed continuation).
 * MPICH has no progress thread: callbacks run only inside MPI calls of
 * application threads (MPI_Test*, MPI_Wait*, MPI_Start*,
 * MPI_Request_get_status on any request), FORGET ones included; libcont's
 * progress thread completes the operations and leaves the callbacks to
 * those calls (see mpi-continue-legacy.h, which the earlier revisions share
 * this with). */
int cont_v202411_continue_init(int flags, int max_poll, MPI_Info info, MPI_Request *cont_req);
int cont_v202411_continue(MPI_Request *op_request, MPIX_Continue_cb_function *cb,
                          void *cb_data, int flags, MPI_Status *status,
                          MPI_Request cont_request);
int cont_v202411_continueall(int count, MPI_Request op_requests[],
                             MPIX_Continue_cb_function *cb, void *cb_data, int flags,
                             MPI_Status statuses[], MPI_Request cont_request);
#define MPIX_Continue_init cont_v202411_continue_init
#define MPIX_Continue cont_v202411_continue
#define MPIX_Continueall cont_v202411_continueall
#endif
#endif /* LIBCONT_CONTINUE_API >= 202211 */

/* ---------------------------------------------------------------------- */
/* libcont's own extensions (cont_ prefix)                                */
/* ---------------------------------------------------------------------- */

/** Counters of this process, since MPI_Init. */
typedef struct cont_stats {
    unsigned long long registered;      /**< continuations registered */
    unsigned long long run_inline;      /**< callbacks run inside MPIX_Continue[all] */
    unsigned long long run_engine;      /**< callbacks run by the engine / testers */
    unsigned long long failed;          /**< continuations recorded as failed */
    unsigned long long ops_completed;   /**< operation requests seen complete */
    unsigned long long sweeps;          /**< PMPI_Testsome sweeps */
    unsigned long long max_outstanding; /**< most operations tracked at once */
    double progress_thread_cpu_s;       /**< CPU time of the progress thread */
} cont_stats_t;

/** Fill *stats (any thread, any time after MPI_Init).  Errors: MPI_ERR_ARG. */
int cont_get_stats(cont_stats_t *stats);

/**
 * Drive libcont's progress engine once from the calling thread: test the
 * pending operations and run the continuations that became ready (those of
 * POLL_ONLY requests excepted).  For code without a progress thread that
 * waits somewhere other than MPI_Test/MPI_Wait on a CR (an OpenMP taskwait,
 * say).  Returns how many operations completed plus continuations ran; 0 if
 * none, if another thread drives progress at this moment, or before MPI_Init.
 * Thread rules as for MPI_Test (call it serialised below
 * MPI_THREAD_MULTIPLE).
 */
int cont_progress_poll(void);

/** 1 if a progress thread runs, else 0 (after MPI_Init). */
int cont_has_progress_thread(void);

/**
 * Say that the calling thread polls the engine itself (cont_progress_poll
 * in a loop) from now until the matching cont_progress_driver_end: the
 * progress thread steps back meanwhile, so that the two do not compete for
 * one core.  It blocks, and polls only in a millisecond in which no thread
 * polled (a driver busy elsewhere delays completions by up to that much).
 * Pairs may nest and come from any number of threads at once; the progress
 * thread resumes at once when the last one ends.  Thread safe; no error.
 */
void cont_progress_driver_begin(void);

/** End what cont_progress_driver_begin began (see there). */
void cont_progress_driver_end(void);

/** The text of the last libcont error raised in the calling thread ("" if
 *  none).  Valid until the thread's next libcont call. */
const char *cont_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* MPI_CONTINUE_H */

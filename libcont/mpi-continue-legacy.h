/*
 * mpi-continue-legacy.h -- the earlier revisions of the continuations API.
 *
 * Included by mpi-continue.h when LIBCONT_CONTINUE_API selects a revision
 * before 202211; do not include it directly.  Each revision declares what
 * its source declared (devreal/ompi, the commits named in mpi-continue.h);
 * the names are macros for libcont's versioned functions (cont_v<yyyymm>_*),
 * so that revisions whose functions share a name but not a signature live in
 * one library.  PMPI_/PMPIX_ names are the same functions.
 *
 * What the revisions before 202206 have in common, and libcont keeps:
 *  - A continuation request (CR) is created complete and active and stays
 *    active: MPI_Test / MPI_Wait on it return once every continuation
 *    registered with it has run, and leave it active; the next registration
 *    makes it incomplete again.  MPI_Start on it is an error
 *    (MPI_ERR_REQUEST); MPI_Request_free frees it (continuations still
 *    registered then still run).
 *  - Continuations run from the progress of any MPI call, in application
 *    threads only (Open MPI had no progress thread; codes count completions
 *    in thread-local variables of the thread that polls): inside any
 *    MPI_Test*, MPI_Wait*, MPI_Start*, MPI_Request_get_status call of any
 *    thread, on any request (MPI calls libcont does not interpose, MPI_Recv
 *    or MPI_Barrier say, do not run them).  libcont's progress thread, when
 *    there is one, completes their operations and leaves the callbacks to
 *    the next such call.
 *  - A callback is run even when an operation failed (its status says so):
 *    these revisions have no failed continuations.
 *  - Non-persistent operation requests are set to MPI_REQUEST_NULL by the
 *    registration; persistent ones keep their handles.
 *
 * 202005, 202009, 202010, 202012 (the `flag` revisions):
 *   *flag is set to 1 when every operation is already complete when
 *   MPI_Continue[all] is called (MPI_REQUEST_NULL entries count as
 *   complete; count 0 too): the callback is then NOT run, the continuation
 *   is dropped, and the statuses are filled.  Otherwise *flag is 0 and the
 *   callback runs exactly once, later (never inside the call).  Statuses of
 *   MPI_REQUEST_NULL entries are left as they were.
 *   202012's info keys (MPIX_Continue_init): "continue_test_poll" (boolean:
 *   run the CR's continuations only inside MPI_Test/MPI_Wait on it, like
 *   MPIX_CONT_POLL_ONLY), "continue_max_poll" (integer > 0: most
 *   continuations one test of the CR runs), "continue_enqueue_complete"
 *   (boolean: never drop a complete registration; *flag stays 0 and the
 *   callback runs later).  Booleans as Open MPI reads them: a number (non-zero
 *   is true), or "true"/"yes" (any case) for true, anything else false.
 *
 * 202110 (no flag argument):
 *   A registration whose operations are already complete is run later, not
 *   inside MPIX_Continue[all]; one with only MPI_REQUEST_NULL entries (or
 *   count 0) runs inside the call, unless the CR's
 *   "mpi_continue_enqueue_complete" key is true.  Keys: "mpi_continue_poll_only",
 *   "mpi_continue_max_poll", "mpi_continue_enqueue_complete", read as above.
 *   MPI_REQUEST_NULL entries get an empty status.
 *
 * 202206 (the first int-returning callbacks):
 *   MPIX_Continue_init(max_poll, flags, cont_req, info): the CR is created
 *   inactive and must be started (MPI_Start); completion (MPI_Test/MPI_Wait)
 *   makes it inactive again, as in the current revision.  Callbacks receive
 *   rc (MPI_SUCCESS) and return an error to mark themselves failed; an
 *   operation that fails marks the continuation failed without running it;
 *   MPIX_Continue_get_failed lists them.  Operations already complete are
 *   run later, as in 202110; the 202110 info keys still apply.  Flags:
 *   MPIX_CONT_REQBUF_VOLATILE and MPIX_CONT_PERSISTENT (accepted; no effect),
 *   MPIX_CONT_POLL_ONLY (MPIX_Continue_init), and MPICH's MPIX_CONT_IMMEDIATE
 *   and MPIX_CONT_FORGET (see mpi-continue.h; FORGET callbacks too run only
 *   in application threads, as the CRs' do).
 *
 * Task scheduling (all these revisions): their codes poll from an OpenMP
 * task that yields (BT-MZ's mpi_poll_service).  Under libomp's task
 * scheduling constraint a thread inside a task may run only that task's
 * descendants, so the polling thread runs no other task and a thread in a
 * taskwait finds its deque's tail barred: measured on 2 cores, BT-MZ class
 * W at 2 ranks x 2 threads did not finish in 120 s (1.8 s without the
 * constraint).  Including this header therefore makes the program lift it
 * (KMP_TASK_STEALING_CONSTRAINT=0, set by a constructor before main,
 * unless the environment sets it), as contrun and libcont's TAMPI do.
 * Lifted, a thread in the compute task's taskwait may pick the poll task up
 * (when no other thread did first), and that task loops until the compute
 * task below it ends: a hang (1 of 20 BT-MZ runs at 2 x 2).  The same
 * constructor therefore turns on omp-glue's task hook with its pause for
 * yielding tasks (taskhook.h, CONT_TH_YIELD: a yielding poll task leaves
 * its thread's stack), when the program links it before libomp, as
 * `pkg-config --libs libcont` does; MPI_Init says so on rank 0 when an
 * OpenMP program runs without it.
 *
 * Where libcont differs from its source on purpose (their bugs): count 0
 * with a flag revision completes (flag = 1) instead of leaving the CR
 * pending for good; in 202206 a CR started with nothing registered is
 * complete (the source kept it pending until something ran); non-VOLATILE
 * handles in 202206 are set to MPI_REQUEST_NULL at registration, not when
 * each operation completes (a program may not use them meanwhile either way).
 *
 * Errors, all revisions: MPI_ERR_ARG (cont_req, flag or cb NULL, unknown
 * flags), MPI_ERR_COUNT, MPI_ERR_REQUEST (not a live CR, a request that
 * already has a continuation, MPI_Start on an always-active CR), through
 * MPI_COMM_WORLD's error handler, as for the current revision.
 */
#ifndef MPI_CONTINUE_LEGACY_H
#define MPI_CONTINUE_LEGACY_H

#ifndef MPI_CONTINUE_H
#error "include mpi-continue.h (with -DLIBCONT_CONTINUE_API=...), not mpi-continue-legacy.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* libcont's versioned functions (declared in every revision)              */
/* ---------------------------------------------------------------------- */

typedef void (cont_v2020_cb_function)(void *user_data);
typedef void (cont_vstatus_cb_function)(MPI_Status *statuses, void *user_data);
typedef int (cont_vrc_cb_function)(int rc, void *cb_data);

/* 202005 (MPI_ names) and 202009 (MPIX_ names) */
int cont_v202005_continue_init(MPI_Request *cont_req);
int cont_v202005_continue(MPI_Request *request, int *flag, cont_v2020_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req);
int cont_v202005_continueall(int count, MPI_Request requests[], int *flag,
                             cont_v2020_cb_function *cb, void *cb_data, MPI_Status statuses[],
                             MPI_Request cont_req);
int cont_v202009_continue_init(MPI_Request *cont_req);
int cont_v202009_continue(MPI_Request *request, int *flag, cont_v2020_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req);
int cont_v202009_continueall(int count, MPI_Request requests[], int *flag,
                             cont_v2020_cb_function *cb, void *cb_data, MPI_Status statuses[],
                             MPI_Request cont_req);
/* 202010 and 202012: status callbacks; 202012's init takes an info */
int cont_v202010_continue(MPI_Request *request, int *flag, cont_vstatus_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req);
int cont_v202010_continueall(int count, MPI_Request requests[], int *flag,
                             cont_vstatus_cb_function *cb, void *cb_data,
                             MPI_Status statuses[], MPI_Request cont_req);
int cont_v202012_continue_init(MPI_Request *cont_req, MPI_Info info);
/* 202110 */
int cont_v202110_continue_init(MPI_Request *cont_req, MPI_Info info);
int cont_v202110_continue(MPI_Request *request, cont_vstatus_cb_function *cb, void *cb_data,
                          MPI_Status *status, MPI_Request cont_req);
int cont_v202110_continueall(int count, MPI_Request requests[], cont_vstatus_cb_function *cb,
                             void *cb_data, MPI_Status statuses[], MPI_Request cont_req);
/* 202206 */
int cont_v202206_continue_init(int max_poll, int flags, MPI_Request *cont_req, MPI_Info info);
int cont_v202206_continue(MPI_Request *request, cont_vrc_cb_function *cb, void *cb_data,
                          int flags, MPI_Status *status, MPI_Request cont_req);
int cont_v202206_continueall(int count, MPI_Request requests[], cont_vrc_cb_function *cb,
                             void *cb_data, int flags, MPI_Status statuses[],
                             MPI_Request cont_req);

/* ---------------------------------------------------------------------- */
/* The selected revision's names                                          */
/* ---------------------------------------------------------------------- */

#if LIBCONT_CONTINUE_API == 202005
typedef void (MPI_Continue_cb_t)(void *user_data);
#define MPI_Continue_init cont_v202005_continue_init
#define MPI_Continue cont_v202005_continue
#define MPI_Continueall cont_v202005_continueall
#define PMPI_Continue_init cont_v202005_continue_init
#define PMPI_Continue cont_v202005_continue
#define PMPI_Continueall cont_v202005_continueall

#elif LIBCONT_CONTINUE_API == 202009
typedef void (MPIX_Continue_cb_function)(void *user_data);
#define MPIX_Continue_init cont_v202009_continue_init
#define MPIX_Continue cont_v202009_continue
#define MPIX_Continueall cont_v202009_continueall

#elif LIBCONT_CONTINUE_API == 202010 || LIBCONT_CONTINUE_API == 202012
typedef void (MPIX_Continue_cb_function)(MPI_Status *statuses, void *user_data);
#if LIBCONT_CONTINUE_API == 202010
#define MPIX_Continue_init cont_v202009_continue_init
#else
#define MPIX_Continue_init cont_v202012_continue_init
#endif
#define MPIX_Continue cont_v202010_continue
#define MPIX_Continueall cont_v202010_continueall

#elif LIBCONT_CONTINUE_API == 202110
typedef void (MPIX_Continue_cb_function)(MPI_Status *statuses, void *user_data);
#define MPIX_Continue_init cont_v202110_continue_init
#define MPIX_Continue cont_v202110_continue
#define MPIX_Continueall cont_v202110_continueall

#elif LIBCONT_CONTINUE_API == 202206
#define MPIX_CONT_REQBUF_VOLATILE (1 << 0)
/** "The continuation is persistent": declared, never implemented (no effect). */
#define MPIX_CONT_PERSISTENT      (1 << 1)
#define MPIX_CONT_POLL_ONLY       (1 << 2)
/** MPICH's flags (mpi-continue.h), also accepted in this revision. */
#define MPIX_CONT_IMMEDIATE       (1 << 5)
#define MPIX_CONT_FORGET          (1 << 6)
typedef int (MPIX_Continue_cb_function)(int rc, void *user_data);
#define MPIX_Continue_init cont_v202206_continue_init
#define MPIX_Continue cont_v202206_continue
#define MPIX_Continueall cont_v202206_continueall
int MPIX_Continue_get_failed(MPI_Request cont_req, int *count, void **cb_data);
#endif

/* Called by every translation unit that includes this header, before
 * main (see "Task scheduling" above); idempotent.  Not for direct use. */
int cont_legacy_announce(int revision);
#if (defined(__GNUC__) || defined(__clang__)) && !defined(CONT_INTERNAL_H)
__attribute__((constructor, used)) static void cont_legacy_announce_tu(void)
{
    (void)cont_legacy_announce(LIBCONT_CONTINUE_API);
}
#endif

#if LIBCONT_CONTINUE_API != 202005
#define PMPIX_Continue_init MPIX_Continue_init
#define PMPIX_Continue MPIX_Continue
#define PMPIX_Continueall MPIX_Continueall
#endif
#if LIBCONT_CONTINUE_API == 202206
#define PMPIX_Continue_get_failed MPIX_Continue_get_failed
#endif

#ifdef __cplusplus
}
#endif
#endif /* MPI_CONTINUE_LEGACY_H */

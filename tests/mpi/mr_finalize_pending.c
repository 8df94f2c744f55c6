/* mr_finalize_pending: MPI_Finalize with continuations that can never run.
 *
 * On every rank that has pending work (rank 0, or every rank with -m all):
 *   CR "wait"  (started):   3 continuations whose operations never complete
 *                           (2 MPIX_Continue on receives nobody matches, 1
 *                           MPIX_Continueall on two such receives);
 *   CR "held"  (never started): 2 continuations (one on MPI_REQUEST_NULL,
 *                           ready at once, one on an unmatched receive);
 *   CR "poll"  (POLL_ONLY, started, never tested): 1 continuation on
 *                           MPI_REQUEST_NULL with DEFER_COMPLETE (ready);
 * plus, on every rank, CRs whose continuations all ran (one completed with
 * MPI_Wait, one started and left active with nothing registered), which must
 * not be reported, and a CR "run" (started, never waited on) with one
 * DEFER_COMPLETE continuation on a receive whose message the neighbour sent
 * before the final barrier: it can run, so MPI_Finalize must run it (without
 * a progress thread nothing else drives it) and not report it; likewise a
 * continuation of a CR freed (MPI_Request_free) while still active.  Then MPI_Finalize: it must return (the script runs this
 * under a short CONT_FINALIZE_TIMEOUT_MS and MPIEXEC_TIMEOUT), no pending
 * callback may have run, and libcont's report on stderr must say, for rank R:
 *   libcont: rank R: MPI_Finalize: 6 continuation(s) on 3 continuation
 *   request(s) could not run (2 never started, 1 ready on POLL_ONLY requests
 *   not tested, 3 waiting for operations)
 * (the script checks it); a rank with nothing pending prints no report.
 * Each rank prints "mr_finalize_pending: rank R: MPI_Finalize returned" after
 * MPI_Finalize, then exits 0 if its own checks passed.
 *
 * Usage: mr_finalize_pending [-m 0|all] [-p 0|1 (expected cont_has_progress_thread())]
 */
#include "mr_common.h"

#include <unistd.h>

static atomic_int pending_ran;   /* callbacks that must never run */
static atomic_int done_ran;      /* callbacks that must run */
static atomic_int late_ran;      /* the continuation MPI_Finalize must run */
static int late_buf = -1, freed_buf = -1;
static atomic_int freed_ran;     /* continuation of a freed active CR */

static int cb_freed(int rc, void *d)
{
    (void)d;
    if (rc != MPI_SUCCESS)
        fprintf(stderr, "[rank %d] FAIL: freed-CR continuation: rc %d\n", mr_rank, rc);
    atomic_fetch_add(&freed_ran, 1);
    return MPI_SUCCESS;
}

static int cb_late(int rc, void *d)
{
    (void)d;
    if (rc != MPI_SUCCESS)
        fprintf(stderr, "[rank %d] FAIL: late continuation: rc %d\n", mr_rank, rc);
    atomic_fetch_add(&late_ran, 1);
    return MPI_SUCCESS;
}

static int cb_never(int rc, void *d)
{
    (void)rc;
    (void)d;
    atomic_fetch_add(&pending_ran, 1);
    return MPI_SUCCESS;
}

static int cb_done(int rc, void *d)
{
    (void)d;
    CHECK(rc == MPI_SUCCESS, "rc %d", rc);
    atomic_fetch_add(&done_ran, 1);
    return MPI_SUCCESS;
}

int main(int argc, char **argv)
{
    int all = 0, expect_pt = -1, opt;
    while ((opt = getopt(argc, argv, "m:p:")) != -1) {
        if (opt == 'm')
            all = !strcmp(optarg, "all");
        else if (opt == 'p')
            expect_pt = atoi(optarg);
        else
            return 2;
    }
    int size = mr_init(&argc, &argv, 0);
    if (size < 2)
        DIE("needs >= 2 ranks");
    int left = (mr_rank + size - 1) % size, right = (mr_rank + 1) % size;
    int pending = all || mr_rank == 0;
    if (expect_pt >= 0)
        CHECK(cont_has_progress_thread() == expect_pt, "cont_has_progress_thread() = %d, "
              "expected %d", cont_has_progress_thread(), expect_pt);
    static int never_buf[8];
    MPI_Request cr_wait, cr_held, cr_poll, cr_ok, cr_idle, cr_run, cr_freed;

    /* Work that completes: an exchange with the neighbours, waited for. */
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_ok));
    MPI_OK(MPI_Start(&cr_ok));
    int in = -1, out = 1000 + mr_rank;
    MPI_Request q[2];
    MPI_OK(MPI_Irecv(&in, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &q[0]));
    MPI_OK(MPI_Isend(&out, 1, MPI_INT, right, 1, MPI_COMM_WORLD, &q[1]));
    MPI_OK(MPIX_Continueall(2, q, cb_done, NULL, 0, MPI_STATUSES_IGNORE, cr_ok));
    MPI_OK(MPI_Wait(&cr_ok, MPI_STATUS_IGNORE));
    CHECK(in == 1000 + left, "received %d, expected %d", in, 1000 + left);
    CHECK(atomic_load(&done_ran) == 1, "the completed continuation ran %d times",
          atomic_load(&done_ran));
    /* Active, everything run, never waited: nothing to report. */
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_idle));
    MPI_OK(MPI_Start(&cr_idle));
    MPI_Request nul = MPI_REQUEST_NULL;
    MPI_OK(MPIX_Continue(&nul, cb_done, NULL, 0, MPI_STATUS_IGNORE, cr_idle));
    CHECK(atomic_load(&done_ran) == 2, "a continuation on MPI_REQUEST_NULL did not run inline");

    if (pending) {
        MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_wait));
        MPI_OK(MPI_Start(&cr_wait));
        for (int k = 0; k < 2; k++) {
            MPI_Request r;
            MPI_OK(MPI_Irecv(&never_buf[k], 1, MPI_INT, left, 999, MPI_COMM_WORLD, &r));
            MPI_OK(MPIX_Continue(&r, cb_never, NULL, 0, MPI_STATUS_IGNORE, cr_wait));
        }
        MPI_Request two[2];
        MPI_OK(MPI_Irecv(&never_buf[2], 1, MPI_INT, left, 999, MPI_COMM_WORLD, &two[0]));
        MPI_OK(MPI_Irecv(&never_buf[3], 1, MPI_INT, right, 998, MPI_COMM_WORLD, &two[1]));
        MPI_OK(MPIX_Continueall(2, two, cb_never, NULL, 0, MPI_STATUSES_IGNORE, cr_wait));

        MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_held));
        nul = MPI_REQUEST_NULL;
        MPI_OK(MPIX_Continue(&nul, cb_never, NULL, 0, MPI_STATUS_IGNORE, cr_held));
        MPI_Request r;
        MPI_OK(MPI_Irecv(&never_buf[4], 1, MPI_INT, left, 997, MPI_COMM_WORLD, &r));
        MPI_OK(MPIX_Continue(&r, cb_never, NULL, 0, MPI_STATUS_IGNORE, cr_held));

        MPI_OK(MPIX_Continue_init(MPIX_CONT_POLL_ONLY, 0, MPI_INFO_NULL, &cr_poll));
        MPI_OK(MPI_Start(&cr_poll));
        nul = MPI_REQUEST_NULL;
        MPI_OK(MPIX_Continue(&nul, cb_never, NULL, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                             cr_poll));

        /* Give the engine a chance (it must still not run any of them). */
        int flag = 1;
        MPI_OK(MPI_Request_get_status(cr_wait, &flag, MPI_STATUS_IGNORE));
        CHECK(!flag, "CR with unmatched receives reported complete");
        MPI_OK(MPI_Request_get_status(cr_poll, &flag, MPI_STATUS_IGNORE));
        CHECK(!flag, "POLL_ONLY CR with an untested continuation reported complete");
        cont_stats_t s;
        cont_get_stats(&s);
        CHECK(s.registered == 8, "registered %llu, expected 8", s.registered);
    }
    /* Runnable, never waited on: the message is sent before the barrier. */
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_run));
    MPI_OK(MPI_Start(&cr_run));
    MPI_Request lr;
    MPI_OK(MPI_Irecv(&late_buf, 1, MPI_INT, right, 50, MPI_COMM_WORLD, &lr));
    MPI_OK(MPIX_Continue(&lr, cb_late, NULL, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr_run));
    /* Freed while active: its continuation still runs. */
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr_freed));
    MPI_OK(MPI_Start(&cr_freed));
    MPI_OK(MPI_Irecv(&freed_buf, 1, MPI_INT, right, 51, MPI_COMM_WORLD, &lr));
    MPI_OK(MPIX_Continue(&lr, cb_freed, NULL, 0, MPI_STATUS_IGNORE, cr_freed));
    MPI_OK(MPI_Request_free(&cr_freed));
    CHECK(cr_freed == MPI_REQUEST_NULL, "MPI_Request_free left the CR handle set");
    int late_out = 5000 + mr_rank, freed_out = 6000 + mr_rank;
    MPI_OK(MPI_Send(&late_out, 1, MPI_INT, left, 50, MPI_COMM_WORLD));
    MPI_OK(MPI_Send(&freed_out, 1, MPI_INT, left, 51, MPI_COMM_WORLD));

    CHECK(atomic_load(&pending_ran) == 0, "%d pending callbacks ran before MPI_Finalize",
          atomic_load(&pending_ran));
    int rc = mr_finish("mr_finalize_pending");
    fflush(stdout);
    fflush(stderr);
    MPI_Finalize();
    int ran = atomic_load(&pending_ran);
    if (ran) {
        fprintf(stderr, "[rank %d] FAIL: %d callback(s) that could never run ran inside "
                "MPI_Finalize\n", mr_rank, ran);
        rc = 1;
    }
    if (atomic_load(&late_ran) != 1 || late_buf != 5000 + right) {
        fprintf(stderr, "[rank %d] FAIL: a continuation that could run ran %d times by the end "
                "of MPI_Finalize (received %d)\n", mr_rank, atomic_load(&late_ran), late_buf);
        rc = 1;
    }
    if (atomic_load(&freed_ran) != 1 || freed_buf != 6000 + right) {
        fprintf(stderr, "[rank %d] FAIL: the continuation of a freed active CR ran %d times by "
                "the end of MPI_Finalize (received %d)\n", mr_rank, atomic_load(&freed_ran),
                freed_buf);
        rc = 1;
    }
    printf("mr_finalize_pending: rank %d: MPI_Finalize returned\n", mr_rank);
    fflush(stdout);
    return rc;
}

/* mr_status_errors: statuses and failed operations across ranks.
 *
 * Ranks work in pairs (rank ^ 1); MPI_ERRORS_RETURN on MPI_COMM_WORLD and on
 * the communicator used for the traffic.  Phases (one CR, restarted):
 *  1. statuses: MPIX_Continueall {recv, MPI_REQUEST_NULL, send} with
 *     statuses prefilled with garbage: the receive's status has the peer's
 *     source/tag/count and MPI_SUCCESS, the send's MPI_SUCCESS, and the
 *     MPI_REQUEST_NULL entry the empty status (source MPI_ANY_SOURCE, tag
 *     MPI_ANY_TAG, error MPI_SUCCESS), as MPI_Waitall gives for null handles.
 *  2. failed operation, no INVOKE_FAILED: a receive truncated by the peer's
 *     longer message.  The callback must not run; MPI_Wait on the CR returns
 *     an error of class MPI_ERR_TRUNCATE and its status carries it; the
 *     operation status too; MPIX_Continue_get_failed hands back the cb_data
 *     once, then the error is cleared and the next round succeeds.
 *  3. failed operation with INVOKE_FAILED: MPIX_Continueall {truncated
 *     receive, receive satisfied only later}: the callback runs with rc of
 *     class MPI_ERR_TRUNCATE, statuses[0] has that error and statuses[1]
 *     MPI_ERR_PENDING; it returns MPI_SUCCESS so the CR completes without
 *     error.  The late message is then sent and its (abandoned) receive
 *     completes inside libcont without running anything.
 *  4. a callback that returns an error (MPI_ERR_OTHER) marks its
 *     continuation failed: MPI_Wait on the CR returns MPI_ERR_OTHER and
 *     MPIX_Continue_get_failed returns its cb_data.
 *  5. many operations: MPIX_Continueall over 24 receives and 24 sends (more
 *     than libcont keeps on its stack), tags 0..23, posted in reverse tag
 *     order: each status holds its own tag and count, each payload arrives.
 * libcont's counters are checked at the end.
 *
 * Usage: mr_status_errors (even number of ranks)
 */
#include "mr_common.h"

static int rank, peer;
static MPI_Comm comm;
static MPI_Request cr;
static atomic_int runs[8];
static int tags[8];   /* distinct cb_data pointers */

static int err_class(int code)
{
    int c = code;
    if (code != MPI_SUCCESS)
        MPI_Error_class(code, &c);
    return c;
}

/* ----------------------------------------------------------- phase 1 */
static int rbuf1[2], sbuf1[2];
static MPI_Status st1[3];

static int cb1(int rc, void *d)
{
    CHECK(rc == MPI_SUCCESS, "phase 1: rc %d", rc);
    CHECK(st1[0].MPI_SOURCE == peer && st1[0].MPI_TAG == 11 && st1[0].MPI_ERROR == MPI_SUCCESS,
          "phase 1: receive status source %d tag %d error %d", st1[0].MPI_SOURCE,
          st1[0].MPI_TAG, st1[0].MPI_ERROR);
    int n = -1;
    MPI_Get_count(&st1[0], MPI_INT, &n);
    CHECK(n == 2, "phase 1: receive count %d, expected 2", n);
    CHECK(rbuf1[0] == 100 + peer && rbuf1[1] == 200 + peer, "phase 1: received %d %d",
          rbuf1[0], rbuf1[1]);
    CHECK(st1[2].MPI_ERROR == MPI_SUCCESS, "phase 1: send status error %d", st1[2].MPI_ERROR);
    CHECK(st1[1].MPI_SOURCE == MPI_ANY_SOURCE && st1[1].MPI_TAG == MPI_ANY_TAG &&
          st1[1].MPI_ERROR == MPI_SUCCESS,
          "phase 1: status of the MPI_REQUEST_NULL entry not empty: source %d tag %d error %d "
          "(expected %d %d %d, as MPI_Waitall sets for null requests)", st1[1].MPI_SOURCE,
          st1[1].MPI_TAG, st1[1].MPI_ERROR, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS);
    atomic_fetch_add(&runs[1], 1);
    return MPI_SUCCESS;
}

/* ----------------------------------------------------------- phase 2 */
static int rbuf2, sbuf2[2];
static MPI_Status st2;

static int cb_never(int rc, void *d)
{
    FAIL("a continuation whose operation failed ran without MPIX_CONT_INVOKE_FAILED (rc %d)",
         rc);
    atomic_fetch_add(&runs[2], 1);
    return MPI_SUCCESS;
}

/* ----------------------------------------------------------- phase 3 */
static int rbuf3a, rbuf3b = -1, sbuf3a[2], sbuf3b;
static MPI_Status st3[2];

static int cb3(int rc, void *d)
{
    CHECK(d == &tags[3], "phase 3: cb_data %p", d);
    CHECK(err_class(rc) == MPI_ERR_TRUNCATE, "phase 3: rc %d (class %d), expected class "
          "MPI_ERR_TRUNCATE", rc, err_class(rc));
    CHECK(err_class(st3[0].MPI_ERROR) == MPI_ERR_TRUNCATE,
          "phase 3: statuses[0].MPI_ERROR %d, expected class MPI_ERR_TRUNCATE", st3[0].MPI_ERROR);
    CHECK(st3[1].MPI_ERROR == MPI_ERR_PENDING,
          "phase 3: statuses[1].MPI_ERROR %d, expected MPI_ERR_PENDING (%d)", st3[1].MPI_ERROR,
          MPI_ERR_PENDING);
    atomic_fetch_add(&runs[3], 1);
    return MPI_SUCCESS;
}

/* ----------------------------------------------------------- phase 5 */
#define MANY 24
static int rbuf5[MANY][3], sbuf5[MANY][3];
static MPI_Status st5[2 * MANY];

static int cb5(int rc, void *d)
{
    CHECK(rc == MPI_SUCCESS, "phase 5: rc %d", rc);
    for (int j = 0; j < MANY; j++) {
        int tag = MANY - 1 - j;   /* receives were posted in reverse tag order */
        MPI_Status *st = &st5[j];
        int n = -1;
        MPI_Get_count(st, MPI_INT, &n);
        CHECK(st->MPI_SOURCE == peer && st->MPI_TAG == tag && st->MPI_ERROR == MPI_SUCCESS &&
              n == 1 + tag % 3, "phase 5: receive %d: source %d tag %d error %d count %d", j,
              st->MPI_SOURCE, st->MPI_TAG, st->MPI_ERROR, n);
        for (int x = 0; x < 1 + tag % 3; x++)
            CHECK(rbuf5[j][x] == peer * 10000 + tag * 10 + x, "phase 5: receive %d item %d: %d",
                  j, x, rbuf5[j][x]);
        CHECK(st5[MANY + j].MPI_ERROR == MPI_SUCCESS, "phase 5: send %d: error %d", j,
              st5[MANY + j].MPI_ERROR);
    }
    atomic_fetch_add(&runs[5], 1);
    return MPI_SUCCESS;
}

/* ----------------------------------------------------------- phase 4 */
static int rbuf4, sbuf4;

static int cb4(int rc, void *d)
{
    CHECK(rc == MPI_SUCCESS, "phase 4: rc %d", rc);
    atomic_fetch_add(&runs[4], 1);
    return d == &tags[4] ? MPI_ERR_OTHER : MPI_SUCCESS;
}

static void take_failed(const char *phase, void *want)
{
    void *got[4] = {0};
    int n = 4;
    MPI_OK(MPIX_Continue_get_failed(cr, &n, got));
    CHECK(n == 1 && got[0] == want, "%s: MPIX_Continue_get_failed gave %d entries (first %p), "
          "expected 1 (%p)", phase, n, got[0], want);
    n = 4;
    MPI_OK(MPIX_Continue_get_failed(cr, &n, got));
    CHECK(n == 0, "%s: MPIX_Continue_get_failed gave %d entries the second time", phase, n);
}

/* A round that succeeds: the CR's error was cleared. */
static void clean_round(const char *phase)
{
    MPI_OK(MPI_Start(&cr));
    MPI_Request nul = MPI_REQUEST_NULL;
    MPI_OK(MPIX_Continue(&nul, cb4, NULL, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr));
    MPI_Status st;
    st.MPI_ERROR = -1;
    int rc = MPI_Wait(&cr, &st);
    CHECK(rc == MPI_SUCCESS && st.MPI_ERROR == MPI_SUCCESS, "%s: the next round of the CR "
          "returned %d (status error %d), expected success once the failures were taken",
          phase, rc, st.MPI_ERROR);
}

int main(int argc, char **argv)
{
    int size = mr_init(&argc, &argv, 0);
    rank = mr_rank;
    if (size % 2)
        DIE("needs an even number of ranks");
    peer = rank ^ 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr));
    unsigned long long nreg = 0, nfailed = 0;

    /* 1. statuses */
    MPI_OK(MPI_Start(&cr));
    for (int j = 0; j < 3; j++) {
        st1[j].MPI_SOURCE = st1[j].MPI_TAG = 4242;
        st1[j].MPI_ERROR = 4242;
    }
    sbuf1[0] = 100 + rank;
    sbuf1[1] = 200 + rank;
    MPI_Request a[3];
    MPI_OK(MPI_Irecv(rbuf1, 2, MPI_INT, peer, 11, comm, &a[0]));
    a[1] = MPI_REQUEST_NULL;
    MPI_OK(MPI_Isend(sbuf1, 2, MPI_INT, peer, 11, comm, &a[2]));
    MPI_OK(MPIX_Continueall(3, a, cb1, NULL, 0, st1, cr));
    nreg++;
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    CHECK(atomic_load(&runs[1]) == 1, "phase 1: callback ran %d times", atomic_load(&runs[1]));

    /* 2. failed operation without INVOKE_FAILED */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_Start(&cr));
    st2.MPI_ERROR = 4242;
    MPI_Request r;
    MPI_OK(MPI_Irecv(&rbuf2, 1, MPI_INT, peer, 12, comm, &r));
    MPI_OK(MPIX_Continue(&r, cb_never, &tags[2], 0, &st2, cr));
    nreg++;
    nfailed++;
    MPI_OK(MPI_Send(sbuf2, 2, MPI_INT, peer, 12, comm));   /* truncates the peer's receive */
    MPI_Status cst;
    cst.MPI_ERROR = 4242;
    int rc = MPI_Wait(&cr, &cst);
    CHECK(err_class(rc) == MPI_ERR_TRUNCATE, "phase 2: MPI_Wait on the CR returned %d (class "
          "%d), expected class MPI_ERR_TRUNCATE", rc, err_class(rc));
    CHECK(err_class(cst.MPI_ERROR) == MPI_ERR_TRUNCATE, "phase 2: CR status error %d, expected "
          "class MPI_ERR_TRUNCATE", cst.MPI_ERROR);
    CHECK(err_class(st2.MPI_ERROR) == MPI_ERR_TRUNCATE, "phase 2: operation status error %d",
          st2.MPI_ERROR);
    CHECK(atomic_load(&runs[2]) == 0, "phase 2: callback ran");
    take_failed("phase 2", &tags[2]);
    clean_round("phase 2");
    nreg++;

    /* 3. failed operation with INVOKE_FAILED */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_Start(&cr));
    st3[0].MPI_ERROR = st3[1].MPI_ERROR = 4242;
    MPI_Request b[2];
    MPI_OK(MPI_Irecv(&rbuf3a, 1, MPI_INT, peer, 13, comm, &b[0]));
    MPI_OK(MPI_Irecv(&rbuf3b, 1, MPI_INT, peer, 14, comm, &b[1]));
    MPI_OK(MPIX_Continueall(2, b, cb3, &tags[3], MPIX_CONT_INVOKE_FAILED, st3, cr));
    nreg++;
    MPI_OK(MPI_Send(sbuf3a, 2, MPI_INT, peer, 13, comm));
    cst.MPI_ERROR = 4242;
    rc = MPI_Wait(&cr, &cst);
    CHECK(rc == MPI_SUCCESS && cst.MPI_ERROR == MPI_SUCCESS, "phase 3: MPI_Wait on the CR "
          "returned %d (status error %d): the callback ran and returned MPI_SUCCESS", rc,
          cst.MPI_ERROR);
    CHECK(atomic_load(&runs[3]) == 1, "phase 3: callback ran %d times", atomic_load(&runs[3]));
    MPI_Barrier(MPI_COMM_WORLD);   /* both callbacks ran: now send the late message */
    sbuf3b = 300 + rank;
    MPI_OK(MPI_Ssend(&sbuf3b, 1, MPI_INT, peer, 14, comm));
    int n = 4;
    void *got[4];
    MPI_OK(MPIX_Continue_get_failed(cr, &n, got));
    CHECK(n == 0, "phase 3: %d failed continuations, expected 0", n);

    /* 4. a callback returning an error */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_Start(&cr));
    MPI_OK(MPI_Irecv(&rbuf4, 1, MPI_INT, peer, 15, comm, &r));
    MPI_OK(MPIX_Continue(&r, cb4, &tags[4], 0, MPI_STATUS_IGNORE, cr));
    nreg++;
    nfailed++;
    sbuf4 = 400 + rank;
    MPI_OK(MPI_Send(&sbuf4, 1, MPI_INT, peer, 15, comm));
    cst.MPI_ERROR = 4242;
    rc = MPI_Wait(&cr, &cst);
    CHECK(err_class(rc) == MPI_ERR_OTHER && err_class(cst.MPI_ERROR) == MPI_ERR_OTHER,
          "phase 4: MPI_Wait on the CR returned %d, status error %d, expected MPI_ERR_OTHER",
          rc, cst.MPI_ERROR);
    CHECK(rbuf4 == 400 + peer, "phase 4: received %d", rbuf4);
    take_failed("phase 4", &tags[4]);
    clean_round("phase 4");
    nreg++;

    /* 5. many operations */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPI_Start(&cr));
    MPI_Request m[2 * MANY];
    for (int j = 0; j < MANY; j++) {
        int tag = MANY - 1 - j;
        MPI_OK(MPI_Irecv(rbuf5[j], 3, MPI_INT, peer, tag, comm, &m[j]));
    }
    for (int j = 0; j < MANY; j++) {
        for (int x = 0; x < 3; x++)
            sbuf5[j][x] = rank * 10000 + j * 10 + x;
        MPI_OK(MPI_Isend(sbuf5[j], 1 + j % 3, MPI_INT, peer, j, comm, &m[MANY + j]));
    }
    MPI_OK(MPIX_Continueall(2 * MANY, m, cb5, NULL, 0, st5, cr));
    nreg++;
    for (int j = 0; j < 2 * MANY; j++)
        CHECK(m[j] == MPI_REQUEST_NULL, "phase 5: request %d not nulled", j);
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    CHECK(atomic_load(&runs[5]) == 1, "phase 5: callback ran %d times", atomic_load(&runs[5]));

    /* Counters: a failed continuation whose callback ran (phase 4) counts
     * as run and as failed. */
    cont_stats_t s;
    MPI_OK(cont_get_stats(&s));
    CHECK(s.registered == nreg, "registered %llu, expected %llu", s.registered, nreg);
    CHECK(s.failed == nfailed, "failed %llu, expected %llu", s.failed, nfailed);
    CHECK(s.run_inline + s.run_engine == nreg - 1, "%llu callbacks run, expected %llu",
          s.run_inline + s.run_engine, nreg - 1);
    MPI_OK(MPI_Request_free(&cr));
    rc = mr_finish("mr_status_errors");
    MPI_Comm_free(&comm);
    MPI_Finalize();
    return rc;
}

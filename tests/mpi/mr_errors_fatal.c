/* mr_errors_fatal: erroneous libcont calls across a job.
 *
 * mr_errors_fatal fatal CASE: with the default error handler
 * (MPI_ERRORS_ARE_FATAL), rank 0 makes one bad call while the other ranks
 * wait in MPI_Barrier.  The job must abort: the script expects a non-zero
 * exit (not a timeout) and libcont's message on stderr.  If the bad call
 * returns, the program says so ("FAIL: ... returned") and exits 3.
 * CASEs: null-cb, bad-flags, not-cr, start-twice, owned, free-held,
 *        init-flags, null-then-bad, continueall-count.
 *
 * mr_errors_fatal return: with MPI_ERRORS_RETURN on MPI_COMM_WORLD, every bad call
 * returns its error class, registers nothing (libcont's counters do not
 * move), leaves the handles and statuses alone and sets cont_last_error(); afterwards
 * the library still works (a neighbour exchange through continuations).
 */
#include "mr_common.h"

static int cb(int rc, void *d)
{
    (void)rc;
    atomic_fetch_add((atomic_int *)d, 1);
    return MPI_SUCCESS;
}

static atomic_int ran;
static MPI_Request owned_p = MPI_REQUEST_NULL, held_cr = MPI_REQUEST_NULL;
static int owned_buf;
static MPI_Status bad_st[2];

/* Make the bad call of `what` on this rank; returns its result.  Operation
 * requests it creates are left in ops[0..1] (the call must not take them). */
static int bad_call(const char *what, MPI_Request cr, MPI_Request ops[2])
{
    static int dummy[2];
    int left, size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    left = (mr_rank + size - 1) % size;
    if (!strcmp(what, "null-cb")) {
        MPI_Irecv(&dummy[0], 1, MPI_INT, left, 77, MPI_COMM_WORLD, &ops[0]);
        return MPIX_Continue(&ops[0], NULL, NULL, 0, MPI_STATUS_IGNORE, cr);
    }
    if (!strcmp(what, "bad-flags")) {
        MPI_Irecv(&dummy[0], 1, MPI_INT, left, 77, MPI_COMM_WORLD, &ops[0]);
        return MPIX_Continue(&ops[0], cb, &ran, 1 << 12, MPI_STATUS_IGNORE, cr);
    }
    if (!strcmp(what, "not-cr")) {
        MPI_Irecv(&dummy[0], 1, MPI_INT, left, 77, MPI_COMM_WORLD, &ops[0]);
        MPI_Irecv(&dummy[1], 1, MPI_INT, left, 78, MPI_COMM_WORLD, &ops[1]);
        return MPIX_Continue(&ops[0], cb, &ran, 0, MPI_STATUS_IGNORE, ops[1]);
    }
    if (!strcmp(what, "start-twice"))
        return MPI_Start(&cr);   /* cr is active */
    if (!strcmp(what, "owned")) {
        MPI_Recv_init(&owned_buf, 1, MPI_INT, left, 79, MPI_COMM_WORLD, &owned_p);
        MPI_Start(&owned_p);
        int rc = MPIX_Continue(&owned_p, cb, &ran, 0, MPI_STATUS_IGNORE, cr);
        CHECK(rc == MPI_SUCCESS, "MPIX_Continue on a persistent receive: %d", rc);
        CHECK(owned_p != MPI_REQUEST_NULL, "MPIX_Continue nulled a persistent request handle");
        int flag = 0;
        return MPI_Test(&owned_p, &flag, MPI_STATUS_IGNORE);   /* libcont owns it now */
    }
    if (!strcmp(what, "free-held")) {
        MPIX_Continue_init(0, 0, MPI_INFO_NULL, &held_cr);
        MPI_Request nul = MPI_REQUEST_NULL;
        MPIX_Continue(&nul, cb, &ran, 0, MPI_STATUS_IGNORE, held_cr);
        return MPI_Request_free(&held_cr);   /* never started, 1 continuation */
    }
    if (!strcmp(what, "init-flags")) {
        MPI_Request x;
        return MPIX_Continue_init(MPIX_CONT_DEFER_COMPLETE, 0, MPI_INFO_NULL, &x);
    }
    if (!strcmp(what, "null-then-bad")) {
        /* A valid MPI_REQUEST_NULL entry before an invalid one (cont_req
         * itself): the refused call must not write the statuses either. */
        for (int j = 0; j < 2; j++) {
            bad_st[j].MPI_SOURCE = bad_st[j].MPI_TAG = 4242;
            bad_st[j].MPI_ERROR = 4242;
        }
        MPI_Request a[2] = {MPI_REQUEST_NULL, cr};
        return MPIX_Continueall(2, a, cb, &ran, 0, bad_st, cr);
    }
    if (!strcmp(what, "continueall-count")) {
        MPI_Request a[1] = {MPI_REQUEST_NULL};
        return MPIX_Continueall(-1, a, cb, &ran, 0, MPI_STATUSES_IGNORE, cr);
    }
    fprintf(stderr, "mr_errors_fatal: unknown case %s\n", what);
    exit(2);
}

static const struct {
    const char *name;
    int errclass;
    const char *text;   /* must appear in cont_last_error() */
} cases[] = {
    {"null-cb", MPI_ERR_ARG, "callback is NULL"},
    {"bad-flags", MPI_ERR_ARG, "unknown flag bits"},
    {"not-cr", MPI_ERR_REQUEST, "not a continuation request"},
    {"start-twice", MPI_ERR_REQUEST, "already active"},
    {"owned", MPI_ERR_REQUEST, "has a continuation attached"},
    {"free-held", MPI_ERR_REQUEST, "never started"},
    {"init-flags", MPI_ERR_ARG, "MPIX_Continue_init"},
    {"null-then-bad", MPI_ERR_REQUEST, "cont_req itself"},
    {"continueall-count", MPI_ERR_COUNT, "negative"},
};

int main(int argc, char **argv)
{
    int size = mr_init(&argc, &argv, 0);
    if (argc < 2 || (strcmp(argv[1], "fatal") && strcmp(argv[1], "return")) ||
        (!strcmp(argv[1], "fatal") && argc < 3)) {
        if (mr_rank == 0)
            fprintf(stderr, "usage: mr_errors_fatal fatal CASE | mr_errors_fatal return\n");
        MPI_Finalize();
        return 2;
    }
    MPI_Request cr;
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr));
    MPI_OK(MPI_Start(&cr));

    if (!strcmp(argv[1], "fatal")) {
        if (mr_rank == 0) {
            MPI_Request ops[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
            int rc = bad_call(argv[2], cr, ops);
            fprintf(stderr, "[rank 0] FAIL: the bad call (%s) returned %d instead of aborting "
                    "the job\n", argv[2], rc);
            fflush(stderr);
            MPI_Abort(MPI_COMM_WORLD, 3);
        }
        MPI_Barrier(MPI_COMM_WORLD);   /* the abort must end these ranks too */
        fprintf(stderr, "[rank %d] FAIL: passed the barrier\n", mr_rank);
        MPI_Finalize();
        return 3;
    }

    /* return: every bad call returns its class and changes nothing. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    cont_stats_t s0, s1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        MPI_Request ops[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
        int owned = !strcmp(cases[k].name, "owned"), held = !strcmp(cases[k].name, "free-held");
        cont_get_stats(&s0);
        int rc = bad_call(cases[k].name, cr, ops);
        cont_get_stats(&s1);
        int cls = MPI_SUCCESS;
        if (rc != MPI_SUCCESS)
            MPI_Error_class(rc, &cls);
        CHECK(cls == cases[k].errclass, "%s: returned class %d, expected %d", cases[k].name, cls,
              cases[k].errclass);
        CHECK(strstr(cont_last_error(), cases[k].text) != NULL,
              "%s: cont_last_error() = \"%s\", expected it to contain \"%s\"", cases[k].name,
              cont_last_error(), cases[k].text);
        /* The setup of 'owned' and 'free-held' registers one continuation
         * legitimately; the bad call itself registers nothing. */
        CHECK(s1.registered == s0.registered + (owned || held),
              "%s: registered %llu -> %llu", cases[k].name, s0.registered, s1.registered);
        if (held) {
            CHECK(held_cr != MPI_REQUEST_NULL, "refused MPI_Request_free nulled the handle");
            CHECK(atomic_load(&ran) == 0, "a continuation of a never-started CR ran");
            MPI_OK(MPI_Start(&held_cr));   /* now it can run */
            MPI_OK(MPI_Wait(&held_cr, MPI_STATUS_IGNORE));
            MPI_OK(MPI_Request_free(&held_cr));
        }
        if (!strcmp(cases[k].name, "null-then-bad"))
            for (int j = 0; j < 2; j++)
                CHECK(bad_st[j].MPI_SOURCE == 4242 && bad_st[j].MPI_TAG == 4242 &&
                      bad_st[j].MPI_ERROR == 4242, "null-then-bad: the refused "
                      "MPIX_Continueall wrote statuses[%d] (source %d tag %d error %d)", j,
                      bad_st[j].MPI_SOURCE, bad_st[j].MPI_TAG, bad_st[j].MPI_ERROR);
        /* Operation handles of a refused call are untouched and still
         * usable: cancel and complete them. */
        int nops = !strcmp(cases[k].name, "not-cr") ? 2 : ops[0] != MPI_REQUEST_NULL;
        if (!strcmp(cases[k].name, "null-cb") || !strcmp(cases[k].name, "bad-flags") ||
            !strcmp(cases[k].name, "not-cr"))
            CHECK(nops >= 1 && ops[0] != MPI_REQUEST_NULL,
                  "%s: the refused call took the operation request", cases[k].name);
        for (int j = 0; j < 2; j++)
            if (ops[j] != MPI_REQUEST_NULL) {
                MPI_OK(MPI_Cancel(&ops[j]));
                MPI_OK(MPI_Wait(&ops[j], MPI_STATUS_IGNORE));
            }
    }
    CHECK(atomic_load(&ran) == 1, "%d callbacks ran, expected 1 (the free-held one is held, "
          "the owned one pending)", atomic_load(&ran));

    /* Still works: an exchange with the neighbours through continuations.
     * The 'owned' case left a persistent receive (tag 79) with a
     * continuation on cr: satisfy it too. */
    int left = (mr_rank + size - 1) % size, right = (mr_rank + 1) % size;
    MPI_Barrier(MPI_COMM_WORLD);   /* nobody sends tag 79 before every 'owned' case ran */
    int in = -1, out = 500 + mr_rank, out79 = 79;
    MPI_Request q[3];
    MPI_OK(MPI_Irecv(&in, 1, MPI_INT, left, 5, MPI_COMM_WORLD, &q[0]));
    MPI_OK(MPI_Isend(&out, 1, MPI_INT, right, 5, MPI_COMM_WORLD, &q[1]));
    MPI_OK(MPI_Isend(&out79, 1, MPI_INT, right, 79, MPI_COMM_WORLD, &q[2]));
    MPI_OK(MPIX_Continueall(3, q, cb, &ran, 0, MPI_STATUSES_IGNORE, cr));
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    CHECK(in == 500 + left, "received %d, expected %d", in, 500 + left);
    CHECK(atomic_load(&ran) == 3, "%d callbacks ran, expected 3", atomic_load(&ran));
    CHECK(owned_buf == 79, "persistent receive got %d, expected 79", owned_buf);
    MPI_OK(MPI_Request_free(&owned_p));
    MPI_OK(MPI_Request_free(&cr));
    int rc = mr_finish("mr_errors_fatal");
    MPI_Finalize();
    return rc;
}

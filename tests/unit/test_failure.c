/* Failed operations and failed callbacks: without INVOKE_FAILED the callback
 * does not run and the continuation is recorded as failed; with it the
 * callback runs with rc = the first error; MPIX_Continue_get_failed hands the
 * failed cb_data back, oldest first, and clears the CR's error once all are
 * taken.  Failing operations: receiving 4 ints into a 1-int buffer
 * (MPI_ERR_TRUNCATE, with MPI_ERRORS_RETURN on MPI_COMM_WORLD). */
#include "common.h"

TestSuite(failure, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(failure_nopt, .init = init_nopt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* A receive that fails once `fail_now` sends it too much. */
typedef struct {
    int buf;
    int tag;
    MPI_Request r;
} failing_t;

static void failing_post(failing_t *f)
{
    f->tag = new_tag();
    post_recv(&f->buf, 1, f->tag, &f->r);
}

static void failing_trigger(failing_t *f)
{
    send_self(1, 4, f->tag);   /* 4 ints into 1: MPI_ERR_TRUNCATE */
}

/* Wait on the CR; returns MPI_Wait's code and stores the status. */
static int wait_cr(MPI_Request *cr, MPI_Status *st)
{
    st->MPI_ERROR = -77;
    return MPI_Wait(cr, st);
}

TEST_BOTH(failure, failed_op_skips_the_callback_and_fails_the_cr)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    static int marker;
    probe_t p = {0};
    cont_stats_t s0 = stats_now();
    cr_assert_eq(MPIX_Continue(&f.r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status st;
    int rc = wait_cr(&cr, &st);
    assert_error(rc, MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE, "status.MPI_ERROR %d", st.MPI_ERROR);
    cr_assert_eq(atomic_load(&p.runs), 0, "the callback ran for a failed operation");
    cont_stats_t s1 = stats_now();
    cr_assert_eq(s1.failed - s0.failed, 1);
    void *got[4] = {&marker, &marker, &marker, &marker};
    int count = 4;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &p);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, failed_op_complete_at_registration_skips_the_callback)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    failing_trigger(&f);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&f.r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(f.r, MPI_REQUEST_NULL);
    cr_assert_eq(atomic_load(&p.runs), 0);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE);
    void *got[1];
    int count = 1;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &p);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, test_on_a_failed_cr_returns_the_error)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&f.r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    int flag = 0, rc = MPI_SUCCESS;
    MPI_Status st;
    POLL_WHILE(!flag)
        rc = MPI_Test(&cr, &flag, &st);
    cr_assert_eq(flag, 1);
    assert_libcont_error(rc, MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE);
    cr_assert_eq(atomic_load(&n), 0);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, error_is_cleared_once_get_failed_took_everything)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&f.r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    /* not taken yet: the next completion still carries the error */
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE);
    void *got[2];
    int count = 2;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &n);
    /* all taken: clean completion */
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(wait_cr(&cr, &st), MPI_SUCCESS);
    cr_assert_eq(st.MPI_ERROR, MPI_SUCCESS);
    count = 2;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 0);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, other_continuations_still_run_when_one_fails)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int bad = 0, good = 0;
    cr_assert_eq(MPIX_Continue(&f.r, cb_count, &bad, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPIX_Continue(&r, cb_count, &good, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    send_self(5, 1, tag);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    cr_assert_eq(atomic_load(&bad), 0);
    cr_assert_eq(atomic_load(&good), 1);
    void *got[4];
    int count = 4;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &bad);
    MPI_Request_free(&cr);
}

/* Continueall: one failed operation fails the whole continuation, which
 * does not wait for the others; their later completion changes nothing. */
TEST_BOTH(failure, failed_op_in_continueall_fails_it_without_waiting_for_the_rest)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    int tag = new_tag();
    static int buf;
    MPI_Request r[2];
    r[0] = f.r;
    post_recv(&buf, 1, tag, &r[1]);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continueall(2, r, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    cr_assert_eq(atomic_load(&n), 0);
    /* the other operation completes later: nothing runs */
    cont_stats_t s0 = stats_now();
    send_self(3, 1, tag);
    MPI_Request drv = new_cr(0, 0);
    MPI_Request d = MPI_REQUEST_NULL;
    atomic_int dn = 0;
    POLL_WHILE(stats_now().ops_completed == s0.ops_completed) {
        /* drive progress through a CR with a deferred continuation */
        cr_assert_eq(MPIX_Continue(&d, cb_count, &dn, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   drv), MPI_SUCCESS);
        cr_assert_eq(MPI_Wait(&drv, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(MPI_Start(&drv), MPI_SUCCESS);
    }
    cr_assert_gt(stats_now().ops_completed, s0.ops_completed);
    cr_assert_eq(buf, 3);
    cr_assert_eq(atomic_load(&n), 0, "the continuation of a failed operation ran");
    int count = 4;
    void *got[4];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1, "failed %d times", count);
    MPI_Request_free(&drv);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ INVOKE_FAILED */

typedef struct {
    atomic_int runs;
    int rc;
    MPI_Status *st;
    int n;
    int err[4];
    int ret;   /* what the callback returns */
} invoked_t;

static int cb_invoked(int rc, void *d)
{
    invoked_t *v = d;
    v->rc = rc;
    for (int i = 0; i < v->n; i++)
        v->err[i] = v->st[i].MPI_ERROR;
    atomic_fetch_add(&v->runs, 1);
    return v->ret;
}

TEST_BOTH(failure, invoke_failed_runs_the_callback_with_the_error)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    MPI_Status st;
    invoked_t v = {.st = &st, .n = 1, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continue(&f.r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, &st, cr),
                 MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status cst;
    cr_assert_eq(wait_cr(&cr, &cst), MPI_SUCCESS, "the callback handled the error");
    cr_assert_eq(atomic_load(&v.runs), 1);
    cr_assert_eq(error_class(v.rc), MPI_ERR_TRUNCATE, "rc %d", v.rc);
    cr_assert_eq(error_class(v.err[0]), MPI_ERR_TRUNCATE);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 0, "a failure handled by its callback was recorded");
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, invoke_failed_complete_at_registration_runs_inline_with_the_error)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    failing_trigger(&f);
    MPI_Status st;
    invoked_t v = {.st = &st, .n = 1, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continue(&f.r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, &st, cr),
                 MPI_SUCCESS);
    cr_assert_eq(atomic_load(&v.runs), 1);
    cr_assert_eq(error_class(v.rc), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(v.err[0]), MPI_ERR_TRUNCATE);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, invoke_failed_marks_unfinished_ops_err_pending)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    int t_ok = new_tag(), t_pend = new_tag();
    static int b_ok, b_pend;
    MPI_Request r[3];
    r[0] = f.r;
    post_recv(&b_ok, 1, t_ok, &r[1]);
    post_recv(&b_pend, 1, t_pend, &r[2]);
    MPI_Status st[3];
    memset(st, 0x5a, sizeof st);
    invoked_t v = {.st = st, .n = 3, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continueall(3, r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, st, cr),
                 MPI_SUCCESS);
    /* the good one is seen complete (by the engine) before the failure */
    cont_stats_t s0 = stats_now();
    send_self(8, 1, t_ok);
    POLL_WHILE(stats_now().ops_completed == s0.ops_completed)
        cr_assert_eq(test_cr(&cr), 0);
    cr_assert_eq(stats_now().ops_completed - s0.ops_completed, 1);
    failing_trigger(&f);
    MPI_Status cst;
    cr_assert_eq(wait_cr(&cr, &cst), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&v.runs), 1);
    cr_assert_eq(error_class(v.rc), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(v.err[0]), MPI_ERR_TRUNCATE, "status 0: %d", v.err[0]);
    cr_assert_eq(v.err[1], MPI_SUCCESS, "status 1: %d", v.err[1]);
    cr_assert_eq(v.err[2], MPI_ERR_PENDING, "status 2: %d", v.err[2]);
    /* the pending one completes later: the callback does not run again */
    send_self(9, 1, t_pend);
    MPI_Request drv = new_cr(0, 0);
    POLL_WHILE(b_pend != 9) {
        MPI_Request d = MPI_REQUEST_NULL;
        atomic_int dn = 0;
        MPIX_Continue(&d, cb_count, &dn, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, drv);
        MPI_Wait(&drv, MPI_STATUS_IGNORE);
        MPI_Start(&drv);
    }
    cr_assert_eq(b_pend, 9);
    sleep_ms(5);
    cr_assert_eq(atomic_load(&v.runs), 1);
    MPI_Wait(&drv, MPI_STATUS_IGNORE);
    MPI_Request_free(&drv);
    MPI_Request_free(&cr);
}

/* With INVOKE_FAILED a callback finds which operation failed by its status;
 * a MPI_REQUEST_NULL entry must then read as a success, not garbage. */
TEST_BOTH(failure, invoke_failed_null_entry_status_is_success)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    MPI_Request r[2] = {MPI_REQUEST_NULL, f.r};
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    invoked_t v = {.st = st, .n = 2, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continueall(2, r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, st, cr),
                 MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status cst;
    cr_assert_eq(wait_cr(&cr, &cst), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&v.runs), 1);
    cr_assert_eq(error_class(v.err[1]), MPI_ERR_TRUNCATE);
    cr_assert_eq(v.err[0], MPI_SUCCESS, "status of the null entry: MPI_ERROR %d", v.err[0]);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, invoke_failed_callback_returning_an_error_is_recorded)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    MPI_Status st;
    invoked_t v = {.st = &st, .n = 1, .ret = MPI_ERR_OTHER};
    cr_assert_eq(MPIX_Continue(&f.r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, &st, cr),
                 MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status cst;
    assert_error(wait_cr(&cr, &cst), MPI_ERR_OTHER);
    cr_assert_eq(atomic_load(&v.runs), 1);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &v);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ callback errors */

static int cb_fail(int rc, void *d)
{
    atomic_fetch_add((atomic_int *)d, 1);
    return MPI_ERR_OTHER;
}

TEST_BOTH(failure, callback_returning_an_error_fails_its_continuation)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cont_stats_t s0 = stats_now();
    cr_assert_eq(MPIX_Continue(&r, cb_fail, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(1, 1, tag);
    MPI_Status st;
    int rc = wait_cr(&cr, &st);
    assert_libcont_error(rc, MPI_ERR_OTHER);
    cr_assert_eq(st.MPI_ERROR, MPI_ERR_OTHER);
    cr_assert_eq(atomic_load(&n), 1, "the callback ran %d times", atomic_load(&n));
    cr_assert_eq(stats_now().failed - s0.failed, 1);
    int count = 3;
    void *got[3];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &n);
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, inline_callback_error_fails_the_cr_not_the_registration)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_fail, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS,
                 "MPIX_Continue must not return the callback's error");
    cr_assert_eq(atomic_load(&n), 1);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_OTHER);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    MPI_Request_free(&cr);
}

static int cb_fail_custom(int rc, void *d)
{
    return 12345;   /* not an MPI error code */
}

Test(failure, callback_returning_a_non_mpi_value_fails_its_continuation)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    static int data;
    cr_assert_eq(MPIX_Continue(&r, cb_fail_custom, &data, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Status st;
    int rc = wait_cr(&cr, &st);
    cr_assert_neq(rc, MPI_SUCCESS);
    cr_assert_neq(st.MPI_ERROR, MPI_SUCCESS);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &data);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ get_failed */

TEST_BOTH(failure, get_failed_returns_them_in_parts_oldest_first)
{
    MPI_Request cr = new_cr(0, 0);
    static atomic_int ids[5];
    for (int i = 0; i < 5; i++) {
        MPI_Request r = MPI_REQUEST_NULL;   /* runs inline: the order is known */
        cr_assert_eq(MPIX_Continue(&r, cb_fail, &ids[i], 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_OTHER);
    void *got[2];
    int count;
    const int parts[3][2] = {{0, 1}, {2, 3}, {4, -1}};
    for (int p = 0; p < 3; p++) {
        count = 2;
        got[0] = got[1] = NULL;
        cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
        cr_assert_eq(count, p < 2 ? 2 : 1, "part %d: %d", p, count);
        for (int k = 0; k < count; k++)
            cr_assert_eq(got[k], (void *)&ids[parts[p][k]], "part %d entry %d", p, k);
        if (p < 2) {   /* some left: the error is still there */
            cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
            assert_error(wait_cr(&cr, &st), MPI_ERR_OTHER);
        }
    }
    count = 2;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(wait_cr(&cr, &st), MPI_SUCCESS);
    MPI_Request_free(&cr);
}

Test(failure, get_failed_with_count_zero_takes_nothing)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_fail, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_OTHER);
    int count = 0;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, NULL), MPI_SUCCESS);
    cr_assert_eq(count, 0);
    /* still there */
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    assert_error(wait_cr(&cr, &st), MPI_ERR_OTHER);
    void *got[1];
    count = 1;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &n);
    MPI_Request_free(&cr);
}

Test(failure, get_failed_on_a_clean_cr_returns_zero)
{
    MPI_Request cr = new_cr(0, 0);
    void *got[3] = {0};
    int count = 3;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 0);
    cr_assert_eq(got[0], NULL);
    MPI_Request_free(&cr);
}

Test(failure, get_failed_works_on_an_active_cr_and_an_inactive_one)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_fail, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    /* still active (not tested yet) */
    count = 1;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &n);
    MPI_Status st;
    cr_assert_eq(wait_cr(&cr, &st), MPI_SUCCESS, "all failures were taken before completion");
    MPI_Request_free(&cr);
}

TEST_BOTH(failure, many_failures_are_all_recorded)
{
    enum { N = 100 };
    MPI_Request cr = new_cr(0, 0);
    static atomic_int ids[N];
    failing_t f[N];
    for (int i = 0; i < N; i++) {
        failing_post(&f[i]);
        cr_assert_eq(MPIX_Continue(&f[i].r, cb_count, &ids[i], 0, MPI_STATUS_IGNORE, cr),
                     MPI_SUCCESS);
    }
    for (int i = 0; i < N; i++)
        failing_trigger(&f[i]);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    static void *got[N + 1];
    int count = N + 1;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, N);
    static char seen[N];
    for (int k = 0; k < N; k++) {
        int i = (int)((atomic_int *)got[k] - ids);
        cr_assert(i >= 0 && i < N);
        cr_assert_eq(seen[i], 0, "cb_data %d returned twice", i);
        seen[i] = 1;
        cr_assert_eq(atomic_load(&ids[i]), 0);
    }
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ POLL_ONLY */

TEST_BOTH(failure, failure_on_a_poll_only_cr)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 1);
    failing_t f;
    failing_post(&f);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&f.r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    failing_trigger(&f);
    MPI_Status st;
    assert_error(wait_cr(&cr, &st), MPI_ERR_TRUNCATE);
    cr_assert_eq(atomic_load(&n), 0);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(cr, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ completed vs pending */

/* A failure abandons only the operations that had not completed: one that
 * completed successfully keeps its own status (MPI_SUCCESS, its tag), not
 * MPI_ERR_PENDING, whatever order libcont accounts them in.  Here the
 * failed and the good receive are both complete at registration (libcont's
 * first PMPI_Testall reports MPI_ERR_IN_STATUS with [error, success,
 * pending]). */
TEST_BOTH(failure, invoke_failed_keeps_the_status_of_an_op_that_completed)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    int t_ok = new_tag(), t_pend = new_tag();
    static int b_ok, b_pend;
    MPI_Request r[3];
    r[0] = f.r;
    post_recv(&b_ok, 1, t_ok, &r[1]);
    post_recv(&b_pend, 1, t_pend, &r[2]);
    failing_trigger(&f);
    send_self(8, 1, t_ok);
    MPI_Status st[3];
    memset(st, 0x5a, sizeof st);
    invoked_t v = {.st = st, .n = 3, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continueall(3, r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, st, cr),
                 MPI_SUCCESS);
    cr_assert_eq(atomic_load(&v.runs), 1, "all that will complete had completed: run inline");
    cr_assert_eq(error_class(v.rc), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(v.err[0]), MPI_ERR_TRUNCATE, "status 0: %d", v.err[0]);
    cr_assert_eq(v.err[2], MPI_ERR_PENDING, "status 2: %d", v.err[2]);
    cr_assert_eq(v.err[1], MPI_SUCCESS,
                 "the receive that completed successfully got MPI_ERROR %d (%s)", v.err[1],
                 v.err[1] == MPI_ERR_PENDING ? "MPI_ERR_PENDING" : "?");
    cr_assert_eq(st[1].MPI_TAG, t_ok, "status 1 was not filled (MPI_TAG %d)", st[1].MPI_TAG);
    send_self(9, 1, t_pend);   /* let the abandoned receive finish */
    MPI_Status cst;
    cr_assert_eq(wait_cr(&cr, &cst), MPI_SUCCESS);
    MPI_Request_free(&cr);
}

/* The same in one engine sweep: without a progress thread nothing is
 * tested until MPI_Wait, so both operations complete in the same
 * PMPI_Testsome. */
Test(failure_nopt, invoke_failed_keeps_the_status_of_an_op_completed_in_the_same_sweep)
{
    MPI_Request cr = new_cr(0, 0);
    failing_t f;
    failing_post(&f);
    int t_ok = new_tag();
    static int b_ok;
    MPI_Request r[2];
    r[0] = f.r;
    post_recv(&b_ok, 1, t_ok, &r[1]);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    invoked_t v = {.st = st, .n = 2, .ret = MPI_SUCCESS};
    cr_assert_eq(MPIX_Continueall(2, r, cb_invoked, &v, MPIX_CONT_INVOKE_FAILED, st, cr),
                 MPI_SUCCESS);
    failing_trigger(&f);
    send_self(8, 1, t_ok);
    MPI_Status cst;
    cr_assert_eq(wait_cr(&cr, &cst), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&v.runs), 1);
    cr_assert_eq(error_class(v.err[0]), MPI_ERR_TRUNCATE);
    cr_assert_eq(v.err[1], MPI_SUCCESS, "the receive that completed got MPI_ERROR %d", v.err[1]);
    cr_assert_eq(st[1].MPI_TAG, t_ok);
    MPI_Request_free(&cr);
}

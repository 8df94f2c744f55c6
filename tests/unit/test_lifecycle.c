/* The continuation request (CR) lifecycle: init -> inactive, MPI_Start ->
 * active, MPI_Test/Wait complete it once nothing registered is left unrun
 * (inactive again, handle still valid), MPI_Request_free,
 * MPI_Request_get_status, and the report at MPI_Finalize. */
#include "common.h"

#include <criterion/redirect.h>

TestSuite(lifecycle, .init = init_pt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(lifecycle_nopt, .init = init_nopt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

Test(lifecycle, init_gives_an_inactive_cr_that_tests_complete_at_once)
{
    MPI_Request cr = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    cr_assert_neq(cr, MPI_REQUEST_NULL);
    MPI_Status st;
    st.MPI_ERROR = -77;
    int flag = 0;
    cr_assert_eq(MPI_Test(&cr, &flag, &st), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(st.MPI_ERROR, MPI_SUCCESS);
    /* still valid, not freed */
    cr_assert_neq(cr, MPI_REQUEST_NULL);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    cr_assert_eq(cr, MPI_REQUEST_NULL);
}

Test(lifecycle, init_accepts_an_info_object)
{
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "mpi_continue_thread", "application");
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, info, &cr), MPI_SUCCESS);
    MPI_Info_free(&info);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

Test(lifecycle, starting_an_active_cr_is_err_request)
{
    errors_return();
    MPI_Request cr = new_cr(0, 0);
    int rc = MPI_Start(&cr);
    assert_libcont_error(rc, MPI_ERR_REQUEST);
    cr_assert_neq(cr, MPI_REQUEST_NULL);
    /* still usable: it completes and can be started again */
    cr_assert_eq(test_cr(&cr), 1);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

Test(lifecycle, startall_with_an_active_cr_is_err_request)
{
    errors_return();
    MPI_Request cr = new_cr(0, 0);
    MPI_Request arr[1] = {cr};
    assert_libcont_error(MPI_Startall(1, arr), MPI_ERR_REQUEST);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, active_cr_with_nothing_registered_completes_on_test)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Status st;
    st.MPI_ERROR = -77;
    int flag = 0;
    cr_assert_eq(MPI_Test(&cr, &flag, &st), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(st.MPI_ERROR, MPI_SUCCESS);
    cr_assert_neq(cr, MPI_REQUEST_NULL, "a CR is persistent: completion keeps the handle");
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, active_cr_with_nothing_registered_completes_on_wait)
{
    MPI_Request cr = new_cr(0, 0);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_neq(cr, MPI_REQUEST_NULL);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, completion_makes_the_cr_inactive_again)
{
    errors_return();
    MPI_Request cr = new_cr(0, 0);
    cr_assert_eq(test_cr(&cr), 1);
    /* inactive: starting it is allowed again (once) */
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    assert_libcont_error(MPI_Start(&cr), MPI_ERR_REQUEST);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, test_start_loop_reuses_the_same_handle_many_times)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    const MPI_Request h = cr;
    atomic_int n = 0;
    int completions = 0;
    for (int i = 0; i < 2000; i++) {
        cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS, "start %d", i);
        int tag = new_tag();
        int buf = -1;
        MPI_Request r;
        post_recv(&buf, 1, tag, &r);
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
        send_self(i, 1, tag);
        int flag = 0;
        while (!flag)
            cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
        completions++;
        cr_assert_eq(buf, i);
        cr_assert_eq(atomic_load(&n), i + 1, "the CR completed before its continuation ran");
        cr_assert_eq(cr, h, "the handle must stay the same");
    }
    cr_assert_eq(completions, 2000);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
}

TEST_BOTH(lifecycle, cr_with_a_pending_continuation_does_not_complete)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    for (int i = 0; i < 200; i++)
        cr_assert_eq(test_cr(&cr), 0, "completed with a continuation pending (test %d)", i);
    cr_assert_eq(atomic_load(&n), 0);
    send_self(7, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(buf, 7);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, request_free_on_an_inactive_cr_nulls_the_handle_and_invalidates_it)
{
    errors_return();
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    MPI_Request copy = cr;
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    cr_assert_eq(cr, MPI_REQUEST_NULL);
    int flag;
    assert_libcont_error(MPI_Test(&copy, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Start(&copy), MPI_ERR_REQUEST);
}

TEST_BOTH(lifecycle, request_free_on_a_completed_cr_succeeds)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    cr_assert_eq(cr, MPI_REQUEST_NULL);
    cr_assert_eq(atomic_load(&n), 1);
}

/* An active CR may be freed: its continuations still run (the progress
 * thread runs them; nobody can test a freed CR). */
Test(lifecycle, freeing_an_active_cr_lets_its_continuations_run)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    cr_assert_eq(cr, MPI_REQUEST_NULL);
    send_self(5, 1, tag);
    cr_assert_eq(wait_atomic(&n, 1, 10000), 1, "the continuation of a freed CR never ran");
    cr_assert_eq(buf, 5);
}

TEST_BOTH(lifecycle, get_status_reports_complete_without_completing)
{
    errors_return();
    MPI_Request cr = new_cr(0, 0);
    int flag = 0;
    MPI_Status st;
    st.MPI_ERROR = -77;
    cr_assert_eq(MPI_Request_get_status(cr, &flag, &st), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(st.MPI_ERROR, MPI_SUCCESS);
    /* twice: still complete, still not completed */
    cr_assert_eq(MPI_Request_get_status(cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    /* still active: it cannot be started */
    assert_libcont_error(MPI_Start(&cr), MPI_ERR_REQUEST);
    /* MPI_Test completes it; then it can be started again */
    cr_assert_eq(test_cr(&cr), 1);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, get_status_reports_pending_while_a_continuation_is_pending)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    int flag = -1;
    cr_assert_eq(MPI_Request_get_status(cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    send_self(1, 1, tag);
    /* get_status drives progress, so it eventually reports complete */
    POLL_WHILE(!flag)
        cr_assert_eq(MPI_Request_get_status(cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(lifecycle, status_of_a_completed_cr_is_empty)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    MPI_Status st;
    memset(&st, 0x5a, sizeof st);
    cr_assert_eq(MPI_Wait(&cr, &st), MPI_SUCCESS);
    cr_assert_eq(st.MPI_SOURCE, MPI_ANY_SOURCE);
    cr_assert_eq(st.MPI_TAG, MPI_ANY_TAG);
    cr_assert_eq(st.MPI_ERROR, MPI_SUCCESS);
    int cnt = -1, cancelled = -1;
    MPI_Get_count(&st, MPI_BYTE, &cnt);
    MPI_Test_cancelled(&st, &cancelled);
    cr_assert_eq(cnt, 0);
    cr_assert_eq(cancelled, 0);
    MPI_Request_free(&cr);
}

Test(lifecycle, get_status_on_an_inactive_cr_reports_flag_1)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    int flag = 0;
    cr_assert_eq(MPI_Request_get_status(cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    MPI_Request_free(&cr);
}

Test(lifecycle, startall_activates_every_cr_of_the_array)
{
    errors_return();
    MPI_Request crs[3];
    for (int i = 0; i < 3; i++)
        cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &crs[i]), MPI_SUCCESS);
    cr_assert_eq(MPI_Startall(3, crs), MPI_SUCCESS);
    for (int i = 0; i < 3; i++) {
        MPI_Request h = crs[i];
        assert_libcont_error(MPI_Start(&h), MPI_ERR_REQUEST);
    }
    cr_assert_eq(MPI_Waitall(3, crs, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    for (int i = 0; i < 3; i++) {
        cr_assert_neq(crs[i], MPI_REQUEST_NULL);
        cr_assert_eq(MPI_Start(&crs[i]), MPI_SUCCESS);
        cr_assert_eq(test_cr(&crs[i]), 1);
        MPI_Request_free(&crs[i]);
    }
}

Test(lifecycle, a_new_cr_handle_differs_from_a_freed_one)
{
    errors_return();
    MPI_Request a, b;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a), MPI_SUCCESS);
    MPI_Request old = a;
    MPI_Request_free(&a);
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &b), MPI_SUCCESS);
    cr_assert_neq(b, old, "a freed handle must not name the new CR");
    assert_libcont_error(MPI_Start(&old), MPI_ERR_REQUEST);
    cr_assert_eq(MPI_Start(&b), MPI_SUCCESS);
    cr_assert_eq(test_cr(&b), 1);
    MPI_Request_free(&b);
}

Test(lifecycle, many_crs_alive_at_once)
{
    enum { N = 2000 };
    static MPI_Request crs[N];
    atomic_int n = 0;
    for (int i = 0; i < N; i++) {
        cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &crs[i]), MPI_SUCCESS);
        for (int j = 0; j < i; j += 97)
            cr_assert_neq(crs[i], crs[j]);
        cr_assert_eq(MPI_Start(&crs[i]), MPI_SUCCESS);
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE,
                                   MPI_STATUS_IGNORE, crs[i]), MPI_SUCCESS);
    }
    cr_assert_eq(MPI_Waitall(N, crs, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(MPI_Request_free(&crs[i]), MPI_SUCCESS);
}

/* ---------------------------------------------------------------- threads */

Test(lifecycle, progress_thread_runs_with_thread_multiple)
{
    cr_assert_eq(cont_has_progress_thread(), 1);
}

Test(lifecycle_nopt, progress_thread_off_means_no_thread)
{
    cr_assert_eq(cont_has_progress_thread(), 0);
}

TestSuite(lifecycle_single, .init = init_single, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

Test(lifecycle_single, thread_single_has_no_progress_thread_and_waits_run_continuations)
{
    cr_assert_eq(cont_has_progress_thread(), 0);
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(3, 1, tag);
    sleep_ms(20);
    cr_assert_eq(atomic_load(&p.runs), 0, "ran with nobody testing the CR");
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

/* ---------------------------------------------------------------- finalize */

/* The report of continuations that can never run goes to stderr. */
static void init_finalize(void)
{
    cr_redirect_stderr();
    setenv("CONT_FINALIZE_TIMEOUT_MS", "100", 1);
    init_pt();
}

TestSuite(lifecycle_finalize, .init = init_finalize, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

static char *read_stderr(void)
{
    fflush(stderr);
    FILE *f = cr_get_redirected_stderr();
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    return text;
}

Test(lifecycle_finalize, finalize_reports_continuations_of_a_never_started_cr)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    atomic_int n = 0;
    for (int i = 0; i < 3; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    cr_assert_eq(MPI_Finalize(), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 0, "a never started CR ran its continuations");
    char *text = read_stderr();
    cr_assert(strstr(text, "MPI_Finalize: 3 continuation(s)") != NULL, "stderr: %s", text);
    cr_assert(strstr(text, "never started") != NULL, "stderr: %s", text);
}

Test(lifecycle_finalize, finalize_reports_pending_operations_without_hanging)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag();
    static int buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Finalize(), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 0);
    char *text = read_stderr();
    cr_assert(strstr(text, "1 continuation(s)") != NULL, "stderr: %s", text);
    cr_assert(strstr(text, "waiting for operations") != NULL, "stderr: %s", text);
}

Test(lifecycle_finalize, finalize_is_quiet_when_everything_ran)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(MPI_Finalize(), MPI_SUCCESS);
    char *text = read_stderr();
    cr_assert(strstr(text, "could not run") == NULL, "stderr: %s", text);
}

Test(lifecycle_finalize, finalize_reports_untested_poll_only_continuations)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    atomic_int n = 0;
    for (int i = 0; i < 2; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    cr_assert_eq(MPI_Finalize(), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 0, "finalize ran POLL_ONLY continuations");
    char *text = read_stderr();
    cr_assert(strstr(text, "2 continuation(s)") != NULL, "stderr: %s", text);
    cr_assert(strstr(text, "2 ready on POLL_ONLY") != NULL, "stderr: %s", text);
}

/* Who runs a callback, and when: inside MPIX_Continue when everything is
 * complete, DEFER_COMPLETE, CRs registered while inactive, the progress
 * thread, and (without one) MPI_Test/MPI_Wait on the CR.  Exactly once. */
#include "common.h"

TestSuite(invoke, .init = init_pt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(invoke_nopt, .init = init_nopt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* ------------------------------------------------------------ immediate */

TEST_BOTH(invoke, complete_op_runs_callback_before_continue_returns_in_calling_thread)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    complete_recv(&buf, tag, &r);
    cont_stats_t s0 = stats_now();
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1, "the callback had not run when MPIX_Continue returned");
    cr_assert(pthread_equal(p.thread, pthread_self()), "the callback ran in another thread");
    cr_assert_eq(p.rc, MPI_SUCCESS);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(s1.registered - s0.registered, 1);
    cr_assert_eq(s1.run_inline - s0.run_inline, 1);
    cr_assert_eq(s1.run_engine - s0.run_engine, 0);
    cr_assert_eq(test_cr(&cr), 1);
    cr_assert_eq(atomic_load(&p.runs), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, null_op_runs_callback_before_continue_returns)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, continueall_of_complete_ops_runs_before_return)
{
    MPI_Request cr = new_cr(0, 0);
    int b[3];
    MPI_Request r[3];
    for (int i = 0; i < 3; i++)
        complete_recv(&b[i], new_tag(), &r[i]);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continueall(3, r, cb_probe, &p, 0, MPI_STATUSES_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, callback_gets_its_cb_data_and_rc_success)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    p.rc = -1;
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(9, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert_eq(p.rc, MPI_SUCCESS);
    cr_assert_eq(buf, 9, "the callback ran before the data was there");
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ DEFER_COMPLETE */

static atomic_int in_call;

TEST_BOTH(invoke, defer_complete_never_runs_inside_continue)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    complete_recv(&buf, tag, &r);
    probe_t p = {0};
    p.in_call_flag = &in_call;
    atomic_store(&in_call, 1);
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    atomic_store(&in_call, 0);
    if (atomic_load(&p.runs))   /* only the progress thread may have run it meanwhile */
        cr_assert(!pthread_equal(p.thread, pthread_self()),
                  "DEFER_COMPLETE callback ran inside MPIX_Continue");
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    MPI_Request_free(&cr);
}

Test(invoke_nopt, defer_complete_runs_only_at_the_wait)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 0);
    sleep_ms(20);
    cr_assert_eq(atomic_load(&p.runs), 0);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

Test(invoke, defer_complete_is_run_by_the_progress_thread)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    cr_assert_eq(wait_atomic(&p.runs, 1, 10000), 1, "nobody ran the deferred callback");
    cr_assert(!pthread_equal(p.thread, pthread_self()));
    /* the CR completes once the engine has accounted for the callback */
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ inactive CR */

TEST_BOTH(invoke, continuation_on_an_inactive_cr_waits_for_start)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    MPI_Request r = MPI_REQUEST_NULL;
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 0, "ran inside MPIX_Continue on an inactive CR");
    for (int i = 0; i < 100; i++) {
        int flag = 0;
        /* an inactive CR tests complete at once, and runs nothing */
        cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(flag, 1);
    }
    sleep_ms(20);
    cr_assert_eq(atomic_load(&p.runs), 0, "ran before the CR was started");
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, pending_op_on_an_inactive_cr_completes_but_waits_for_start)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cont_stats_t s0 = stats_now();
    send_self(11, 1, tag);
    /* let the operation complete (progress thread, or tests of another CR
     * that has a pending continuation of its own, so it drives progress) */
    MPI_Request other = new_cr(0, 0);
    int otag = new_tag(), obuf = 0;
    MPI_Request orq;
    post_recv(&obuf, 1, otag, &orq);
    atomic_int on = 0;
    cr_assert_eq(MPIX_Continue(&orq, cb_count, &on, 0, MPI_STATUS_IGNORE, other), MPI_SUCCESS);
    POLL_WHILE(stats_now().ops_completed == s0.ops_completed)
        cr_assert_eq(test_cr(&other), 0);
    cr_assert_gt(stats_now().ops_completed, s0.ops_completed, "the operation never completed");
    cr_assert_eq(test_cr(&cr), 1);
    cr_assert_eq(atomic_load(&n), 0, "ran before the CR was started");
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(buf, 11);
    send_self(0, 1, otag);
    cr_assert_eq(MPI_Wait(&other, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&on), 1);
    MPI_Request_free(&other);
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, many_held_continuations_all_run_after_start)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    enum { N = 500 };
    static atomic_int per[N];
    for (int i = 0; i < N; i++) {
        atomic_store(&per[i], 0);
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &per[i], 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&per[i]), 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&per[i]), 1, "continuation %d ran %d times", i,
                     atomic_load(&per[i]));
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ engine */

Test(invoke, progress_thread_runs_callbacks_nobody_tests_for)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 0);
    send_self(4, 1, tag);
    cr_assert_eq(wait_atomic(&p.runs, 1, 10000), 1, "the progress thread never ran it");
    cr_assert(!pthread_equal(p.thread, pthread_self()), "ran in the application thread");
    cr_assert_eq(buf, 4);
    /* the CR completes once the engine has accounted for the callback */
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    MPI_Request_free(&cr);
}

Test(invoke_nopt, without_progress_thread_callbacks_run_only_in_test_on_the_cr)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(4, 1, tag);
    sleep_ms(30);
    cr_assert_eq(atomic_load(&p.runs), 0, "ran with nobody testing the CR");
    int flag = 0;
    while (!flag)
        cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

Test(invoke_nopt, without_progress_thread_wait_runs_the_callback_in_the_waiting_thread)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(4, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

Test(invoke, immediate_flag_runs_on_progress_thread)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, MPIX_CONT_IMMEDIATE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    send_self(4, 1, tag);
    cr_assert_eq(wait_atomic(&p.runs, 1, 10000), 1);
    cr_assert(!pthread_equal(p.thread, pthread_self()));
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ exactly once */

TEST_BOTH(invoke, every_continuation_runs_exactly_once_whatever_the_order)
{
    enum { N = 400 };
    static atomic_int per[N];
    static int bufs[N];
    int tags[N];
    MPI_Request cr = new_cr(0, 0);
    for (int i = 0; i < N; i++) {
        atomic_store(&per[i], 0);
        tags[i] = new_tag();
        MPI_Request r;
        post_recv(&bufs[i], 1, tags[i], &r);
        if (i % 3 == 0)   /* some complete before registration */
            send_self(i, 1, tags[i]);
        cr_assert_eq(MPIX_Continue(&r, cb_count, &per[i], i % 5 == 0 ? MPIX_CONT_DEFER_COMPLETE : 0,
                                   MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
        cr_assert_eq(r, MPI_REQUEST_NULL);
    }
    /* the rest complete afterwards, in a scrambled order */
    for (int k = 0; k < N; k++) {
        int i = (k * 7919) % N;
        if (i % 3 != 0)
            send_self(i, 1, tags[i]);
    }
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(atomic_load(&per[i]), 1, "continuation %d ran %d times", i,
                     atomic_load(&per[i]));
        cr_assert_eq(bufs[i], i);
    }
    MPI_Request_free(&cr);
}

TEST_BOTH(invoke, continuations_on_several_crs_complete_their_own_cr)
{
    MPI_Request a = new_cr(0, 0), b = new_cr(0, 0);
    int ta = new_tag(), tb = new_tag(), ba = 0, bb = 0;
    MPI_Request ra, rb;
    post_recv(&ba, 1, ta, &ra);
    post_recv(&bb, 1, tb, &rb);
    atomic_int na = 0, nb = 0;
    cr_assert_eq(MPIX_Continue(&ra, cb_count, &na, 0, MPI_STATUS_IGNORE, a), MPI_SUCCESS);
    cr_assert_eq(MPIX_Continue(&rb, cb_count, &nb, 0, MPI_STATUS_IGNORE, b), MPI_SUCCESS);
    send_self(1, 1, tb);
    cr_assert_eq(MPI_Wait(&b, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&nb), 1);
    cr_assert_eq(atomic_load(&na), 0);
    cr_assert_eq(test_cr(&a), 0, "CR a completed with its continuation pending");
    send_self(2, 1, ta);
    cr_assert_eq(MPI_Wait(&a, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&na), 1);
    MPI_Request_free(&a);
    MPI_Request_free(&b);
}

TEST_BOTH(invoke, nonblocking_collectives_are_operations_too)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r[2];
    int v = 5, sum = 0;
    cr_assert_eq(MPI_Ibarrier(MPI_COMM_WORLD, &r[0]), MPI_SUCCESS);
    cr_assert_eq(MPI_Iallreduce(&v, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &r[1]), MPI_SUCCESS);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continueall(2, r, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(sum, 5);
    MPI_Request_free(&cr);
}

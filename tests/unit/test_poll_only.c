/* POLL_ONLY continuation requests: callbacks run only inside
 * MPI_Test / MPI_Wait (any form) on that CR, by the testing thread, at most max_poll per
 * call; IMMEDIATE lets the engine run one anyway. */
#include "common.h"

TestSuite(poll_only, .init = init_pt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(poll_only_nopt, .init = init_nopt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* Register n continuations on pending receives, complete the receives, and
 * make sure the engine has seen them complete (without testing the CR). */
static void register_completed_ops(MPI_Request cr, int n, atomic_int *count, probe_t *probes)
{
    static int bufs[64];
    int tags[64];
    cr_assert(n <= 64);
    for (int i = 0; i < n; i++) {
        MPI_Request r;
        tags[i] = new_tag();
        post_recv(&bufs[i], 1, tags[i], &r);
        if (probes)
            cr_assert_eq(MPIX_Continue(&r, cb_probe, &probes[i], 0, MPI_STATUS_IGNORE, cr),
                         MPI_SUCCESS);
        else
            cr_assert_eq(MPIX_Continue(&r, cb_count, count, 0, MPI_STATUS_IGNORE, cr),
                         MPI_SUCCESS);
    }
    cont_stats_t s0 = stats_now();
    for (int i = 0; i < n; i++)
        send_self(i, 1, tags[i]);
    if (cont_has_progress_thread()) {
        POLL_WHILE(stats_now().ops_completed - s0.ops_completed < (unsigned)n)
            usleep(100);
        cr_assert_eq(stats_now().ops_completed - s0.ops_completed, (unsigned long long)n,
                     "the progress thread did not complete the operations");
    }
}

Test(poll_only, callbacks_do_not_run_without_a_test_even_with_a_progress_thread)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    atomic_int n = 0;
    register_completed_ops(cr, 5, &n, NULL);
    sleep_ms(30);
    cr_assert_eq(atomic_load(&n), 0, "a POLL_ONLY callback ran with nobody testing the CR");
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 5);
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, callbacks_run_in_the_testing_thread)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    probe_t p[4] = {0};
    register_completed_ops(cr, 4, NULL, p);
    int flag = 0;
    while (!flag)
        cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(atomic_load(&p[i].runs), 1);
        cr_assert(pthread_equal(p[i].thread, pthread_self()), "callback %d ran elsewhere", i);
    }
    MPI_Request_free(&cr);
}

typedef struct {
    MPI_Request cr;
    pthread_t self;
    int ok;
} tester_t;

static void *tester_main(void *arg)
{
    tester_t *t = arg;
    t->self = pthread_self();
    t->ok = MPI_Wait(&t->cr, MPI_STATUS_IGNORE) == MPI_SUCCESS;
    return NULL;
}

TEST_BOTH(poll_only, callbacks_run_in_another_thread_that_waits_on_the_cr)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    probe_t p[3] = {0};
    register_completed_ops(cr, 3, NULL, p);
    tester_t t = {.cr = cr};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, tester_main, &t), 0);
    pthread_join(th, NULL);
    cr_assert(t.ok);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(atomic_load(&p[i].runs), 1);
        cr_assert(pthread_equal(p[i].thread, t.self), "callback %d not run by the waiter", i);
    }
    MPI_Request_free(&cr);
}

static void check_max_poll_steps(MPI_Request cr, atomic_int *n)
{
    const int expect[4] = {3, 6, 9, 10};
    const int expect_flag[4] = {0, 0, 0, 1};
    for (int k = 0; k < 4; k++) {
        int flag = -1;
        cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(atomic_load(n), expect[k], "after test %d: %d run, expected %d", k + 1,
                     atomic_load(n), expect[k]);
        cr_assert_eq(flag, expect_flag[k], "test %d: flag %d", k + 1, flag);
    }
}

TEST_BOTH(poll_only, max_poll_bounds_callbacks_per_test_deferred)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 3);
    atomic_int n = 0;
    for (int i = 0; i < 10; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    cr_assert_eq(atomic_load(&n), 0);
    check_max_poll_steps(cr, &n);
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, max_poll_bounds_callbacks_per_test_completed_ops)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 3);
    atomic_int n = 0;
    register_completed_ops(cr, 10, &n, NULL);
    cr_assert_eq(atomic_load(&n), 0);
    check_max_poll_steps(cr, &n);
    MPI_Request_free(&cr);
}

static void check_no_limit(int max_poll)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, max_poll);
    atomic_int n = 0;
    for (int i = 0; i < 25; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    int flag = 0;
    cr_assert_eq(MPI_Test(&cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 25, "max_poll %d: one test ran %d of 25", max_poll,
                 atomic_load(&n));
    cr_assert_eq(flag, 1);
    MPI_Request_free(&cr);
}

Test(poll_only, max_poll_zero_means_no_limit) { check_no_limit(0); }
Test(poll_only, max_poll_negative_means_no_limit) { check_no_limit(-4); }
Test(poll_only, max_poll_undefined_means_no_limit) { check_no_limit(MPI_UNDEFINED); }

Test(poll_only, max_poll_one_runs_one_per_test)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 1);
    atomic_int n = 0;
    for (int i = 0; i < 5; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    for (int k = 1; k <= 5; k++) {
        int flag = test_cr(&cr);
        cr_assert_eq(atomic_load(&n), k);
        cr_assert_eq(flag, k == 5);
    }
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, wait_runs_everything_despite_max_poll)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 2);
    atomic_int n = 0;
    register_completed_ops(cr, 9, &n, NULL);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 9);
    MPI_Request_free(&cr);
}

Test(poll_only, immediate_flag_lets_the_progress_thread_run_it)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, MPIX_CONT_IMMEDIATE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    send_self(1, 1, tag);
    cr_assert_eq(wait_atomic(&p.runs, 1, 10000), 1,
                 "an IMMEDIATE continuation on a POLL_ONLY CR waited for a test");
    cr_assert(!pthread_equal(p.thread, pthread_self()));
    /* the CR completes once the engine has accounted for the callback */
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&cr);
}

Test(poll_only, immediate_and_plain_continuations_mixed)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    int t1 = new_tag(), t2 = new_tag(), b1 = 0, b2 = 0;
    MPI_Request r1, r2;
    post_recv(&b1, 1, t1, &r1);
    post_recv(&b2, 1, t2, &r2);
    probe_t imm = {0}, plain = {0};
    cr_assert_eq(MPIX_Continue(&r1, cb_probe, &imm, MPIX_CONT_IMMEDIATE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    cr_assert_eq(MPIX_Continue(&r2, cb_probe, &plain, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(1, 1, t1);
    send_self(2, 1, t2);
    cr_assert_eq(wait_atomic(&imm.runs, 1, 10000), 1);
    sleep_ms(20);
    cr_assert_eq(atomic_load(&plain.runs), 0, "the plain one ran without a test");
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&plain.runs), 1);
    cr_assert(pthread_equal(plain.thread, pthread_self()));
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, complete_ops_still_run_inside_continue)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    probe_t p = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_probe, &p, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    cr_assert(pthread_equal(p.thread, pthread_self()));
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, testing_another_cr_does_not_run_poll_only_callbacks)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    MPI_Request other = new_cr(0, 0);
    atomic_int n = 0;
    for (int i = 0; i < 3; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    for (int i = 0; i < 50; i++) {
        if (test_cr(&other))
            cr_assert_eq(MPI_Start(&other), MPI_SUCCESS);
    }
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 3);
    MPI_Wait(&other, MPI_STATUS_IGNORE);
    MPI_Request_free(&other);
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, testsome_on_a_poll_only_cr_runs_its_callbacks)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 2);
    atomic_int n = 0;
    for (int i = 0; i < 4; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   cr), MPI_SUCCESS);
    }
    MPI_Request arr[1] = {cr};
    int out = -1, idx[1];
    cr_assert_eq(MPI_Testsome(1, arr, &out, idx, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 2);
    cr_assert_eq(out, 0);
    cr_assert_eq(MPI_Testsome(1, arr, &out, idx, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 4);
    cr_assert_eq(out, 1);
    cr_assert_eq(idx[0], 0);
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, testany_and_testall_on_a_poll_only_cr_run_its_callbacks)
{
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    int idx = -1, flag = 0;
    MPI_Request arr[1] = {cr};
    cr_assert_eq(MPI_Testany(1, arr, &idx, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(flag, 1);
    cr_assert_eq(idx, 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    arr[0] = cr;
    cr_assert_eq(MPI_Testall(1, arr, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 2);
    cr_assert_eq(flag, 1);
    MPI_Request_free(&cr);
}

TEST_BOTH(poll_only, held_continuations_run_after_start_at_max_poll_per_test)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(MPIX_CONT_POLL_ONLY, 2, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    atomic_int n = 0;
    for (int i = 0; i < 5; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    sleep_ms(10);
    cr_assert_eq(atomic_load(&n), 0, "POLL_ONLY continuations ran at MPI_Start, untested");
    const int expect[3] = {2, 4, 5};
    for (int k = 0; k < 3; k++) {
        int flag = test_cr(&cr);
        cr_assert_eq(atomic_load(&n), expect[k], "test %d", k + 1);
        cr_assert_eq(flag, k == 2);
    }
    MPI_Request_free(&cr);
}

/* Freeing an active CR lets its continuations still run (the object goes
 * away with the last of them).  A POLL_ONLY CR's continuations run only in
 * tests on it, which a freed handle cannot get: the free must either be
 * refused or the continuations must still run, never be silently lost. */
Test(poll_only, freeing_an_active_poll_only_cr_does_not_lose_its_continuations)
{
    errors_return();
    MPI_Request cr = new_cr(MPIX_CONT_POLL_ONLY, 0);
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    MPI_Request h = cr;
    int rc = MPI_Request_free(&h);
    if (rc != MPI_SUCCESS) {   /* refused: consistent */
        cr_assert_eq(error_class(rc), MPI_ERR_REQUEST);
        cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(atomic_load(&n), 1);
        MPI_Request_free(&cr);
        return;
    }
    cr_assert_eq(wait_atomic(&n, 1, 500), 1,
                 "the continuation of a freed POLL_ONLY CR never ran and nothing reported it");
}

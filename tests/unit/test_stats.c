/* cont_get_stats: the counters agree with what the test did. */
#include "common.h"

TestSuite(stats, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(stats_nopt, .init = init_nopt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

#define DELTA(field) (s1.field - s0.field)

TEST_BOTH(stats, counters_start_at_zero)
{
    cont_stats_t s = stats_now();
    cr_assert_eq(s.registered, 0);
    cr_assert_eq(s.run_inline, 0);
    cr_assert_eq(s.run_engine, 0);
    cr_assert_eq(s.failed, 0);
    cr_assert_eq(s.ops_completed, 0);
    cr_assert_geq(s.progress_thread_cpu_s, 0.0);
}

TEST_BOTH(stats, inline_runs_are_counted_as_inline)
{
    MPI_Request cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    atomic_int n = 0;
    for (int i = 0; i < 3; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    cont_stats_t s1 = stats_now();
    cr_assert_eq(DELTA(registered), 3);
    cr_assert_eq(DELTA(run_inline), 3);
    cr_assert_eq(DELTA(run_engine), 0);
    cr_assert_eq(DELTA(failed), 0);
    MPI_Request_free(&cr);
}

TEST_BOTH(stats, deferred_and_pending_runs_are_counted_as_engine_runs)
{
    MPI_Request cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, cr),
                 MPI_SUCCESS);
    int tags[2] = {new_tag(), new_tag()}, b[2];
    MPI_Request rr[2];
    post_recv(&b[0], 1, tags[0], &rr[0]);
    post_recv(&b[1], 1, tags[1], &rr[1]);
    cr_assert_eq(MPIX_Continueall(2, rr, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr), MPI_SUCCESS);
    send_self(0, 1, tags[0]);
    send_self(0, 1, tags[1]);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(atomic_load(&n), 2);
    cr_assert_eq(DELTA(registered), 2);
    cr_assert_eq(DELTA(run_inline), 0);
    cr_assert_eq(DELTA(run_engine), 2);
    cr_assert_eq(DELTA(ops_completed), 2, "two operations completed, counted %llu",
                 DELTA(ops_completed));
    MPI_Request_free(&cr);
}

TEST_BOTH(stats, held_continuations_are_registered_but_not_run_until_start)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    cont_stats_t s0 = stats_now();
    atomic_int n = 0;
    for (int i = 0; i < 4; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    cont_stats_t s1 = stats_now();
    cr_assert_eq(DELTA(registered), 4);
    cr_assert_eq(DELTA(run_inline) + DELTA(run_engine), 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    s1 = stats_now();
    cr_assert_eq(DELTA(run_inline) + DELTA(run_engine), 4);
    cr_assert_eq(atomic_load(&n), 4);
    MPI_Request_free(&cr);
}

static int cb_err(int rc, void *d)
{
    return MPI_ERR_OTHER;
}

TEST_BOTH(stats, failures_are_counted)
{
    MPI_Request cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_err, NULL, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    int tag = new_tag(), b;
    post_recv(&b, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(0, 4, tag);   /* truncation: the callback is skipped */
    MPI_Wait(&cr, MPI_STATUS_IGNORE);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(DELTA(registered), 2);
    cr_assert_eq(DELTA(failed), 2);
    cr_assert_eq(DELTA(run_inline), 1, "the failing callback ran inline");
    cr_assert_eq(DELTA(run_engine), 0, "a skipped callback was counted as run");
    cr_assert_eq(atomic_load(&n), 0);
    MPI_Request_free(&cr);
}

/* Counters are kept per thread (libcont/stats.c): what threads counted
 * stays in the totals after they exit, whether their block was read before
 * (live) or only after (folded at exit), and concurrent counting loses
 * nothing. */
typedef struct {
    MPI_Request cr;
    atomic_int *n, *refused;   /* asserted by the main thread */
    int k;
} reg_job_t;

static void *register_k(void *arg)
{
    reg_job_t *j = arg;
    for (int i = 0; i < j->k; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        if (MPIX_Continue(&r, cb_count, j->n, 0, MPI_STATUS_IGNORE, j->cr) != MPI_SUCCESS)
            atomic_fetch_add(j->refused, 1);
    }
    return NULL;
}

TEST_BOTH(stats, counts_of_exited_threads_stay_in_the_totals)
{
    MPI_Request cr = new_cr(0, 0);
    enum { T = 4, K = 1000, ROUNDS = 3 };
    atomic_int n = 0, refused = 0;
    cont_stats_t s0 = stats_now();
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t th[T];
        reg_job_t j = {cr, &n, &refused, K};
        for (int t = 0; t < T; t++)
            cr_assert_eq(pthread_create(&th[t], NULL, register_k, &j), 0);
        if (round == 1)
            (void)stats_now();   /* read while the blocks are live */
        for (int t = 0; t < T; t++)
            pthread_join(th[t], NULL);
        cont_stats_t s1 = stats_now();
        unsigned long long expect = (unsigned long long)(round + 1) * T * K;
        cr_assert_eq(DELTA(registered), expect, "round %d: %llu registrations counted, %llu made",
                     round, DELTA(registered), expect);
        cr_assert_eq(DELTA(run_inline) + DELTA(run_engine), expect);
    }
    cr_assert_eq(atomic_load(&refused), 0);
    cr_assert_eq(atomic_load(&n), ROUNDS * T * K);
    MPI_Request_free(&cr);
}

Test(stats, refused_registrations_are_not_counted)
{
    MPI_Request cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_neq(MPIX_Continue(&r, NULL, NULL, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_neq(MPIX_Continue(&r, cb_count, NULL, 1 << 9, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_neq(MPIX_Continueall(-1, &r, cb_count, NULL, 0, MPI_STATUSES_IGNORE, cr), MPI_SUCCESS);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(DELTA(registered), 0);
    cr_assert_eq(DELTA(run_inline) + DELTA(run_engine), 0);
    MPI_Request_free(&cr);
}

Test(stats_nopt, max_outstanding_sees_the_tracked_operations)
{
    MPI_Request cr = new_cr(0, 0);
    enum { N = 12 };
    int tags[N], b[N];
    atomic_int n = 0;
    for (int i = 0; i < N; i++) {
        MPI_Request r;
        post_recv(&b[i], 1, tags[i] = new_tag(), &r);
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    cont_stats_t s0 = stats_now();
    cr_assert_eq(test_cr(&cr), 0);   /* the engine takes them in and sweeps */
    cont_stats_t s1 = stats_now();
    cr_assert_geq(s1.max_outstanding, N);
    cr_assert_geq(DELTA(sweeps), 1);
    for (int i = 0; i < N; i++)
        send_self(i, 1, tags[i]);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), N);
    cr_assert_eq(stats_now().ops_completed - s0.ops_completed, N);
    cr_assert_eq(stats_now().progress_thread_cpu_s, 0.0);
    MPI_Request_free(&cr);
}

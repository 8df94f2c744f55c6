/* Graphs of continuations: a CR used as an operation of another CR's
 * continuation counts as complete once its own continuations have all run
 * (an inactive one at once); while attached it belongs to libcont. */
#include "common.h"

TestSuite(graph, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(graph_nopt, .init = init_nopt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* Records the order in which callbacks ran. */
static atomic_int seq;
typedef struct {
    atomic_int runs;
    int order;
} ord_t;

static int cb_order(int rc, void *d)
{
    ord_t *o = d;
    o->order = atomic_fetch_add(&seq, 1);
    atomic_fetch_add(&o->runs, 1);
    return MPI_SUCCESS;
}

TEST_BOTH(graph, attached_cr_fires_its_parent_after_its_continuations_ran)
{
    atomic_store(&seq, 0);
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    int t1 = new_tag(), t2 = new_tag(), b1, b2;
    MPI_Request r1, r2;
    post_recv(&b1, 1, t1, &r1);
    post_recv(&b2, 1, t2, &r2);
    ord_t i1 = {0}, i2 = {0}, o = {0};
    cr_assert_eq(MPIX_Continue(&r1, cb_order, &i1, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    cr_assert_eq(MPIX_Continue(&r2, cb_order, &i2, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_order, &o, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&o.runs), 0);
    send_self(1, 1, t1);
    for (int i = 0; i < 200; i++)
        cr_assert_eq(test_cr(&outer), 0, "outer completed with an inner continuation pending");
    cr_assert_eq(atomic_load(&o.runs), 0);
    send_self(2, 1, t2);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&i1.runs), 1);
    cr_assert_eq(atomic_load(&i2.runs), 1);
    cr_assert_eq(atomic_load(&o.runs), 1);
    cr_assert_gt(o.order, i1.order);
    cr_assert_gt(o.order, i2.order);
    /* detached and completed: inactive, usable again */
    cr_assert_eq(test_cr(&inner), 1);
    cr_assert_eq(MPI_Start(&inner), MPI_SUCCESS);
    cr_assert_eq(test_cr(&inner), 1);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

TEST_BOTH(graph, cr_handle_used_as_an_operation_keeps_its_value)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    MPI_Request op = inner;
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&op, cb_count, &n, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    cr_assert_eq(op, inner, "a CR used as an operation is not taken over");
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

TEST_BOTH(graph, inactive_cr_operation_counts_as_complete)
{
    MPI_Request inner, outer = new_cr(0, 0);
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &inner), MPI_SUCCESS);
    probe_t p = {0};
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_probe, &p, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1, "an inactive CR operation did not count as complete");
    cr_assert(pthread_equal(p.thread, pthread_self()));
    /* not attached: it can be started and freed */
    cr_assert_eq(MPI_Start(&inner), MPI_SUCCESS);
    cr_assert_eq(test_cr(&inner), 1);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

TEST_BOTH(graph, active_empty_cr_operation_counts_as_complete_and_is_completed)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    probe_t p = {0};
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_probe, &p, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&p.runs), 1);
    /* the inner CR was completed by libcont: inactive, so it can start */
    cr_assert_eq(MPI_Start(&inner), MPI_SUCCESS);
    cr_assert_eq(test_cr(&inner), 1);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

TEST_BOTH(graph, attached_cr_cannot_be_tested_waited_started_or_freed)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int ni = 0, no = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &ni, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_count, &no, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    MPI_Request h = inner;
    int flag = -1;
    assert_libcont_error(MPI_Test(&h, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Wait(&h, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Start(&h), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Request_free(&h), MPI_ERR_REQUEST);
    cr_assert_eq(h, inner, "a refused free changed the handle");
    MPI_Request arr[2] = {inner, MPI_REQUEST_NULL};
    assert_libcont_error(MPI_Testall(2, arr, &flag, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Waitall(2, arr, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    int idx;
    assert_libcont_error(MPI_Testany(2, arr, &idx, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    int out, idxs[2];
    assert_libcont_error(MPI_Testsome(2, arr, &out, idxs, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Startall(1, arr), MPI_ERR_REQUEST);
    /* attaching it a second time is refused too */
    MPI_Request other = new_cr(0, 0);
    atomic_int nx = 0;
    op = inner;
    cont_stats_t s0 = stats_now();
    assert_libcont_error(MPIX_Continue(&op, cb_count, &nx, 0, MPI_STATUS_IGNORE, other),
                         MPI_ERR_REQUEST);
    cr_assert_eq(stats_now().registered, s0.registered);
    /* nothing was disturbed: everything completes normally */
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&ni), 1);
    cr_assert_eq(atomic_load(&no), 1);
    cr_assert_eq(atomic_load(&nx), 0);
    cr_assert_eq(test_cr(&other), 1);
    cr_assert_eq(MPI_Request_free(&inner), MPI_SUCCESS, "detached: it can be freed");
    MPI_Request_free(&other);
    MPI_Request_free(&outer);
}

Test(graph, attaching_a_cr_to_itself_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request op = cr;
    atomic_int n = 0;
    cont_stats_t s0 = stats_now();
    assert_libcont_error(MPIX_Continue(&op, cb_count, &n, 0, MPI_STATUS_IGNORE, cr),
                         MPI_ERR_REQUEST);
    cr_assert_eq(stats_now().registered, s0.registered);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&cr), 1, "the CR was changed by the refused call");
    MPI_Request_free(&cr);
}

Test(graph, same_cr_twice_in_one_continueall_is_err_request)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    MPI_Request ops[2] = {inner, inner};
    atomic_int n = 0;
    cont_stats_t s0 = stats_now();
    assert_libcont_error(MPIX_Continueall(2, ops, cb_count, &n, 0, MPI_STATUSES_IGNORE, outer),
                         MPI_ERR_REQUEST);
    cr_assert_eq(stats_now().registered, s0.registered);
    cr_assert_eq(atomic_load(&n), 0);
    /* inner is not attached */
    cr_assert_eq(test_cr(&inner), 1);
    cr_assert_eq(MPI_Request_free(&inner), MPI_SUCCESS);
    cr_assert_eq(test_cr(&outer), 1);
    MPI_Request_free(&outer);
}

Test(graph, freed_cr_as_an_operation_is_err_request)
{
    MPI_Request inner, outer = new_cr(0, 0);
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &inner), MPI_SUCCESS);
    MPI_Request stale = inner;
    MPI_Request_free(&inner);
    atomic_int n = 0;
    assert_libcont_error(MPIX_Continue(&stale, cb_count, &n, 0, MPI_STATUS_IGNORE, outer),
                         MPI_ERR_REQUEST);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&outer), 1);
    MPI_Request_free(&outer);
}

TEST_BOTH(graph, tree_of_crs_fires_the_root_after_every_leaf)
{
    atomic_store(&seq, 0);
    enum { K = 3 };
    MPI_Request leaves[K], root = new_cr(0, 0);
    int tags[K], bufs[K];
    ord_t lo[K] = {0}, ro = {0};
    for (int i = 0; i < K; i++) {
        leaves[i] = new_cr(0, 0);
        MPI_Request r;
        post_recv(&bufs[i], 1, tags[i] = new_tag(), &r);
        cr_assert_eq(MPIX_Continue(&r, cb_order, &lo[i], 0, MPI_STATUS_IGNORE, leaves[i]),
                     MPI_SUCCESS);
    }
    MPI_Request ops[K];
    memcpy(ops, leaves, sizeof ops);
    cr_assert_eq(MPIX_Continueall(K, ops, cb_order, &ro, 0, MPI_STATUSES_IGNORE, root),
                 MPI_SUCCESS);
    for (int i = K - 1; i >= 0; i--) {
        cr_assert_eq(atomic_load(&ro.runs), 0);
        send_self(i, 1, tags[i]);
    }
    cr_assert_eq(MPI_Wait(&root, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&ro.runs), 1);
    for (int i = 0; i < K; i++) {
        cr_assert_eq(atomic_load(&lo[i].runs), 1);
        cr_assert_gt(ro.order, lo[i].order);
        cr_assert_eq(MPI_Request_free(&leaves[i]), MPI_SUCCESS);
    }
    MPI_Request_free(&root);
}

/* A chain of CRs, each attached to the next: a -> b -> c. */
TEST_BOTH(graph, nested_graph_two_levels)
{
    atomic_store(&seq, 0);
    MPI_Request a = new_cr(0, 0), b = new_cr(0, 0), c = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    ord_t oa = {0}, ob = {0}, oc = {0};
    cr_assert_eq(MPIX_Continue(&r, cb_order, &oa, 0, MPI_STATUS_IGNORE, a), MPI_SUCCESS);
    MPI_Request op = a;
    cr_assert_eq(MPIX_Continue(&op, cb_order, &ob, 0, MPI_STATUS_IGNORE, b), MPI_SUCCESS);
    op = b;
    cr_assert_eq(MPIX_Continue(&op, cb_order, &oc, 0, MPI_STATUS_IGNORE, c), MPI_SUCCESS);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&c, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&oa.runs), 1);
    cr_assert_eq(atomic_load(&ob.runs), 1);
    cr_assert_eq(atomic_load(&oc.runs), 1);
    cr_assert_lt(oa.order, ob.order);
    cr_assert_lt(ob.order, oc.order);
    MPI_Request_free(&a);
    MPI_Request_free(&b);
    MPI_Request_free(&c);
}

TEST_BOTH(graph, attached_inactive_parent_holds_until_started)
{
    MPI_Request inner = new_cr(0, 0), outer;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &outer), MPI_SUCCESS);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int ni = 0, no = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &ni, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_count, &no, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    send_self(0, 1, tag);
    /* wait for the inner continuation (it runs: inner is active) */
    MPI_Request drv = new_cr(0, 0);
    POLL_WHILE(atomic_load(&ni) == 0) {
        MPI_Request d = MPI_REQUEST_NULL;
        atomic_int dn = 0;
        MPIX_Continue(&d, cb_count, &dn, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE, drv);
        MPI_Wait(&drv, MPI_STATUS_IGNORE);
        MPI_Start(&drv);
    }
    cr_assert_eq(atomic_load(&ni), 1);
    sleep_ms(10);
    cr_assert_eq(atomic_load(&no), 0, "the outer continuation ran on an inactive CR");
    cr_assert_eq(MPI_Start(&outer), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&no), 1);
    MPI_Wait(&drv, MPI_STATUS_IGNORE);
    MPI_Request_free(&drv);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

static MPI_Request link_cr;
static atomic_int links;

static int cb_link(int rc, void *d)
{
    intptr_t left = (intptr_t)d;
    atomic_fetch_add(&links, 1);
    if (left > 0) {
        MPI_Request r = MPI_REQUEST_NULL;
        MPIX_Continue(&r, cb_link, (void *)(left - 1), MPIX_CONT_DEFER_COMPLETE,
                      MPI_STATUS_IGNORE, link_cr);
    }
    return MPI_SUCCESS;
}

/* The inner CR keeps getting new continuations from its own callbacks:
 * the outer one waits for the whole chain. */
TEST_BOTH(graph, parent_waits_for_a_chain_inside_the_attached_cr)
{
    atomic_store(&links, 0);
    link_cr = new_cr(0, 0);
    MPI_Request outer = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, cb_link, (void *)(intptr_t)99, 0, MPI_STATUS_IGNORE, link_cr),
                 MPI_SUCCESS);
    MPI_Request op = link_cr;
    ord_t o = {0};
    cr_assert_eq(MPIX_Continue(&op, cb_order, &o, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&links), 100, "the parent ran after %d of 100 links",
                 atomic_load(&links));
    cr_assert_eq(atomic_load(&o.runs), 1);
    MPI_Request_free(&link_cr);
    MPI_Request_free(&outer);
}

/* ------------------------------------------------------------ failures */

TEST_BOTH(graph, inner_failure_fails_the_outer_continuation)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int ni = 0, no = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &ni, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request op = inner;
    cr_assert_eq(MPIX_Continue(&op, cb_count, &no, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    send_self(0, 4, tag);   /* truncation */
    MPI_Status st;
    int rc = MPI_Wait(&outer, &st);
    assert_error(rc, MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE);
    cr_assert_eq(atomic_load(&ni), 0);
    cr_assert_eq(atomic_load(&no), 0);
    void *got[2];
    int count = 2;
    cr_assert_eq(MPIX_Continue_get_failed(outer, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &no);
    count = 2;
    cr_assert_eq(MPIX_Continue_get_failed(inner, &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    cr_assert_eq(got[0], &ni);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

static atomic_int invoked_rc;

static int cb_rc(int rc, void *d)
{
    atomic_store(&invoked_rc, rc);
    atomic_fetch_add((atomic_int *)d, 1);
    return MPI_SUCCESS;
}

TEST_BOTH(graph, inner_failure_with_invoke_failed_passes_the_error)
{
    MPI_Request inner = new_cr(0, 0), outer = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int ni = 0, no = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &ni, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request op = inner;
    MPI_Status ost;
    cr_assert_eq(MPIX_Continue(&op, cb_rc, &no, MPIX_CONT_INVOKE_FAILED, &ost, outer), MPI_SUCCESS);
    send_self(0, 4, tag);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&no), 1);
    cr_assert_eq(error_class(atomic_load(&invoked_rc)), MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(ost.MPI_ERROR), MPI_ERR_TRUNCATE);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

/* ------------------------------------------------------------ POLL_ONLY inner */

/* A POLL_ONLY CR attached as an operation: its continuations run only in
 * MPI_Test/Wait on it, which libcont refuses while it is attached.  Either
 * the attachment is refused, or testing the outer CR must eventually run
 * them; a silent deadlock is a bug. */
TEST_BOTH(graph, attached_poll_only_cr_does_not_deadlock_its_parent)
{
    MPI_Request inner = new_cr(MPIX_CONT_POLL_ONLY, 0), outer = new_cr(0, 0);
    atomic_int ni = 0, no = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &ni, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                               inner), MPI_SUCCESS);
    MPI_Request op = inner;
    int rc = MPIX_Continue(&op, cb_count, &no, 0, MPI_STATUS_IGNORE, outer);
    if (rc != MPI_SUCCESS) {   /* refusing it is a consistent answer */
        cr_assert_eq(error_class(rc), MPI_ERR_REQUEST);
        cr_assert_eq(MPI_Wait(&inner, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(atomic_load(&ni), 1);
        MPI_Request_free(&inner);
        MPI_Request_free(&outer);
        return;
    }
    int flag = 0;
    for (int i = 0; i < 1000 && !flag; i++) {
        cr_assert_eq(MPI_Test(&outer, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
        if (!flag)
            usleep(1000);
    }
    cr_assert_eq(flag, 1,
                 "the outer CR never completes: the attached POLL_ONLY CR's continuation "
                 "(ran %d) can only run in a test on it, which is refused while attached",
                 atomic_load(&ni));
    cr_assert_eq(atomic_load(&ni), 1);
    cr_assert_eq(atomic_load(&no), 1);
    MPI_Request_free(&inner);
    MPI_Request_free(&outer);
}

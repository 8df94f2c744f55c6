/* Chains: callbacks that call MPI and register further continuations.  The
 * CR completes only after the last link; deep chains of already-complete
 * registrations do not overflow the stack (libcont defers beyond
 * CONT_MAX_INLINE_DEPTH) and run every callback exactly once. */
#include "common.h"

TestSuite(chains, .init = init_pt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(chains_nopt, .init = init_nopt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* ------------------------------------------------------------ message chain */

typedef struct {
    MPI_Request cr;
    int n, step;          /* links wanted, links run */
    int tag;
    int buf, out;
    int bad;              /* first link that went wrong, or -1 */
    int send_first;       /* Isend before Irecv (both in the continuation) */
} chain_t;

static int chain_cb(int rc, void *d)
{
    chain_t *c = d;
    if (rc != MPI_SUCCESS || c->buf != c->step) {
        if (c->bad < 0)
            c->bad = c->step;
        return MPI_SUCCESS;
    }
    c->step++;
    if (c->step == c->n)
        return MPI_SUCCESS;
    MPI_Request r[2];
    int err = 0;
    c->out = c->step;
    if (c->send_first) {
        err |= MPI_Isend(&c->out, 1, MPI_INT, ME, c->tag, MPI_COMM_WORLD, &r[1]);
        err |= MPI_Irecv(&c->buf, 1, MPI_INT, ME, c->tag, MPI_COMM_WORLD, &r[0]);
        err |= MPIX_Continueall(2, r, chain_cb, c, 0, MPI_STATUSES_IGNORE, c->cr);
    } else {
        err |= MPI_Irecv(&c->buf, 1, MPI_INT, ME, c->tag, MPI_COMM_WORLD, &r[0]);
        err |= MPIX_Continue(&r[0], chain_cb, c, 0, MPI_STATUS_IGNORE, c->cr);
        err |= MPI_Send(&c->out, 1, MPI_INT, ME, c->tag, MPI_COMM_WORLD);
    }
    if (err && c->bad < 0)
        c->bad = c->step;
    return MPI_SUCCESS;
}

static void run_chain(int n, int send_first, int poll_only)
{
    static chain_t c;
    memset(&c, 0, sizeof c);
    c.cr = new_cr(poll_only ? MPIX_CONT_POLL_ONLY : 0, 0);
    c.n = n;
    c.bad = -1;
    c.tag = new_tag();
    c.buf = -1;
    c.send_first = send_first;
    cont_stats_t s0 = stats_now();
    MPI_Request r;
    post_recv(&c.buf, 1, c.tag, &r);
    cr_assert_eq(MPIX_Continue(&r, chain_cb, &c, 0, MPI_STATUS_IGNORE, c.cr), MPI_SUCCESS);
    send_self(0, 1, c.tag);
    int flag = 0;
    while (!flag)
        cr_assert_eq(MPI_Test(&c.cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(c.bad, -1, "link %d went wrong", c.bad);
    cr_assert_eq(c.step, n, "the CR completed after %d of %d links", c.step, n);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(s1.registered - s0.registered, (unsigned long long)n);
    cr_assert_eq((s1.run_inline - s0.run_inline) + (s1.run_engine - s0.run_engine),
                 (unsigned long long)n);
    MPI_Request_free(&c.cr);
}

TEST_BOTH(chains, chain_of_1000_receives_completes_the_cr_after_the_last)
{
    run_chain(1000, 0, 0);
}

TEST_BOTH(chains, chain_of_1000_send_recv_pairs)
{
    run_chain(1000, 1, 0);
}

TEST_BOTH(chains, chain_on_a_poll_only_cr)
{
    run_chain(500, 0, 1);
}

/* ------------------------------------------------------------ deep chain */

enum { DEEP = 100000 };
static unsigned char deep_runs[DEEP];
static atomic_int deep_next;
static MPI_Request deep_cr;
static uintptr_t deep_base, deep_span;
static atomic_int deep_err;

static int deep_cb(int rc, void *d)
{
    int i = (int)(intptr_t)d;
    char here;
    uintptr_t a = (uintptr_t)&here;
    uintptr_t span = a > deep_base ? a - deep_base : deep_base - a;
    if (span > deep_span && span < ((uintptr_t)1 << 30))   /* ignore other threads' stacks */
        deep_span = span;
    deep_runs[i]++;
    int next = atomic_fetch_add(&deep_next, 1);
    if (next < DEEP) {
        MPI_Request r = MPI_REQUEST_NULL;   /* already complete */
        if (MPIX_Continue(&r, deep_cb, (void *)(intptr_t)next, 0, MPI_STATUS_IGNORE, deep_cr))
            atomic_fetch_add(&deep_err, 1);
    }
    return MPI_SUCCESS;
}

static void run_deep(int first_pending)
{
    memset(deep_runs, 0, sizeof deep_runs);
    atomic_store(&deep_next, 1);
    atomic_store(&deep_err, 0);
    deep_span = 0;
    char base;
    deep_base = (uintptr_t)&base;
    deep_cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    int tag = new_tag(), buf;
    MPI_Request r = MPI_REQUEST_NULL;
    if (first_pending)
        post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, deep_cb, (void *)(intptr_t)0, 0, MPI_STATUS_IGNORE, deep_cr),
                 MPI_SUCCESS);
    if (first_pending)
        send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&deep_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&deep_err), 0);
    for (int i = 0; i < DEEP; i++)
        cr_assert_eq(deep_runs[i], 1, "callback %d ran %d times", i, deep_runs[i]);
    cont_stats_t s1 = stats_now();
    cr_assert_eq(s1.registered - s0.registered, (unsigned long long)DEEP);
    cr_assert_eq((s1.run_inline - s0.run_inline) + (s1.run_engine - s0.run_engine),
                 (unsigned long long)DEEP);
    if (!first_pending)   /* the whole chain ran in this thread's stack */
        cr_assert_lt(deep_span, (uintptr_t)1 << 20, "the stack grew by %lu bytes",
                     (unsigned long)deep_span);
    MPI_Request_free(&deep_cr);
}

TEST_BOTH(chains, deep_chain_of_complete_registrations_does_not_overflow_the_stack)
{
    run_deep(0);
}

TEST_BOTH(chains, deep_chain_started_by_the_engine)
{
    run_deep(1);
}

/* ------------------------------------------------------------ fan-out */

static MPI_Request fan_cr;
static atomic_int fan_runs;

static int fan_leaf(int rc, void *d)
{
    atomic_fetch_add(&fan_runs, 1);
    return MPI_SUCCESS;
}

static int fan_root(int rc, void *d)
{
    /* register 50 continuations from inside one callback, half deferred */
    for (int i = 0; i < 50; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        MPIX_Continue(&r, fan_leaf, NULL, i % 2 ? MPIX_CONT_DEFER_COMPLETE : 0, MPI_STATUS_IGNORE,
                      fan_cr);
    }
    atomic_fetch_add(&fan_runs, 1);
    return MPI_SUCCESS;
}

TEST_BOTH(chains, callback_registering_many_continuations_keeps_the_cr_open)
{
    fan_cr = new_cr(0, 0);
    atomic_store(&fan_runs, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, fan_root, NULL, 0, MPI_STATUS_IGNORE, fan_cr), MPI_SUCCESS);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&fan_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&fan_runs), 51);
    MPI_Request_free(&fan_cr);
}

/* ------------------------------------------------------------ MPI in callbacks */

typedef struct {
    MPI_Request other;
    int waited;
    atomic_int done;
} nested_t;

static int cb_wait_other(int rc, void *d)
{
    nested_t *n = d;
    n->waited = MPI_Wait(&n->other, MPI_STATUS_IGNORE) == MPI_SUCCESS;
    atomic_fetch_add(&n->done, 1);
    return MPI_SUCCESS;
}

/* A callback may wait on another CR whose continuation only needs an
 * operation that is already complete: no lock of libcont is held. */
TEST_BOTH(chains, callback_may_wait_on_another_cr)
{
    MPI_Request outer = new_cr(0, 0);
    nested_t n = {.other = new_cr(0, 0)};
    int t1 = new_tag(), t2 = new_tag(), b1, b2;
    MPI_Request r1, r2;
    post_recv(&b2, 1, t2, &r2);
    atomic_int inner = 0;
    cr_assert_eq(MPIX_Continue(&r2, cb_count, &inner, 0, MPI_STATUS_IGNORE, n.other), MPI_SUCCESS);
    post_recv(&b1, 1, t1, &r1);
    cr_assert_eq(MPIX_Continue(&r1, cb_wait_other, &n, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    send_self(2, 1, t2);
    send_self(1, 1, t1);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n.done), 1);
    cr_assert_eq(n.waited, 1);
    cr_assert_eq(atomic_load(&inner), 1);
    MPI_Request_free(&n.other);
    MPI_Request_free(&outer);
}

typedef struct {
    MPI_Request cr;
    int count;
    atomic_int runs;
} restart_t;

static int cb_starts_other(int rc, void *d)
{
    restart_t *x = d;
    /* register on an inactive CR, then start it, from inside a callback */
    MPI_Request r = MPI_REQUEST_NULL;
    MPIX_Continue(&r, cb_count, &x->runs, 0, MPI_STATUS_IGNORE, x->cr);
    MPI_Start(&x->cr);
    x->count++;
    return MPI_SUCCESS;
}

TEST_BOTH(chains, callback_may_start_a_cr_with_held_continuations)
{
    MPI_Request outer = new_cr(0, 0);
    restart_t x = {0};
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &x.cr), MPI_SUCCESS);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, cb_starts_other, &x, 0, MPI_STATUS_IGNORE, outer), MPI_SUCCESS);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&outer, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(x.count, 1);
    cr_assert_eq(MPI_Wait(&x.cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&x.runs), 1);
    MPI_Request_free(&x.cr);
    MPI_Request_free(&outer);
}

typedef struct {
    MPI_Request cr;
    int flag;
    int rc;
    atomic_int runs;
} selftest_t;

static int cb_tests_own_cr(int rc, void *d)
{
    selftest_t *s = d;
    s->rc = MPI_Test(&s->cr, &s->flag, MPI_STATUS_IGNORE);
    atomic_fetch_add(&s->runs, 1);
    return MPI_SUCCESS;
}

/* While its callback runs, a continuation is not done: its CR is not
 * complete, and testing it from inside neither deadlocks nor completes it. */
TEST_BOTH(chains, a_callback_testing_its_own_cr_sees_it_incomplete)
{
    selftest_t s = {.cr = new_cr(0, 0), .flag = -1};
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, cb_tests_own_cr, &s, 0, MPI_STATUS_IGNORE, s.cr), MPI_SUCCESS);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&s.cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&s.runs), 1);
    cr_assert_eq(s.rc, MPI_SUCCESS);
    cr_assert_eq(s.flag, 0, "the CR was complete while its continuation was running");
    MPI_Request_free(&s.cr);
}

/* ------------------------------------------------------------ depth setting */

static void init_depth1(void)
{
    setenv("CONT_MAX_INLINE_DEPTH", "1", 1);
    init_pt();
}

TestSuite(chains_depth1, .init = init_depth1, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

static atomic_int nest_level, nest_max;

static int nest_cb(int rc, void *d)
{
    int lvl = atomic_fetch_add(&nest_level, 1) + 1;
    if (lvl > atomic_load(&nest_max))
        atomic_store(&nest_max, lvl);
    intptr_t left = (intptr_t)d;
    if (left > 0) {
        MPI_Request r = MPI_REQUEST_NULL;
        MPIX_Continue(&r, nest_cb, (void *)(left - 1), 0, MPI_STATUS_IGNORE, deep_cr);
    }
    atomic_fetch_sub(&nest_level, 1);
    return MPI_SUCCESS;
}

Test(chains_depth1, max_inline_depth_1_never_nests_callbacks)
{
    deep_cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, nest_cb, (void *)(intptr_t)20, 0, MPI_STATUS_IGNORE, deep_cr),
                 MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&deep_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&nest_max), 1, "callbacks nested %d deep", atomic_load(&nest_max));
    MPI_Request_free(&deep_cr);
}

Test(chains, default_inline_depth_nests_a_few_callbacks)
{
    atomic_store(&nest_max, 0);
    deep_cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, nest_cb, (void *)(intptr_t)100, 0, MPI_STATUS_IGNORE, deep_cr),
                 MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&deep_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_gt(atomic_load(&nest_max), 1);
    cr_assert_leq(atomic_load(&nest_max), 16, "callbacks nested %d deep", atomic_load(&nest_max));
    MPI_Request_free(&deep_cr);
}

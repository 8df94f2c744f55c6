/* The progress engine's windowed sweeps (libcont/engine.c): each sweep tests
 * the oldest window of requests and, unless the oldest window just completed
 * something, a window that rotates over the rest (at least every few sweeps
 * even then).  Whatever the order in which many operations complete, every
 * continuation runs exactly once with its own data, and a completion far
 * behind the oldest window is found even while the oldest window keeps
 * completing (in-order traffic must not starve it). */
#include "common.h"

TestSuite(engine, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(engine_nopt, .init = init_nopt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

enum { N = 1000 };   /* many windows' worth */

typedef struct {
    int buf, expect, tag;
    atomic_int ran;
    int bad;
} slot_t;

static int cb_slot(int rc, void *d)
{
    slot_t *s = d;
    if (rc != MPI_SUCCESS || s->buf != s->expect)
        s->bad = 1;
    atomic_fetch_add(&s->ran, 1);
    return MPI_SUCCESS;
}

static slot_t *post_slots(MPI_Request cr, int n)
{
    slot_t *s = calloc((size_t)n, sizeof *s);
    cr_assert_not_null(s);
    for (int i = 0; i < n; i++) {
        MPI_Request r;
        s[i].tag = new_tag();
        s[i].expect = 1000 + i;
        post_recv(&s[i].buf, 1, s[i].tag, &r);
        cr_assert_eq(MPIX_Continue(&r, cb_slot, &s[i], 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    }
    return s;
}

static void assert_all_ran_once(slot_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        cr_assert_eq(atomic_load(&s[i].ran), 1, "slot %d: callback ran %d times", i,
                     atomic_load(&s[i].ran));
        cr_assert_eq(s[i].bad, 0, "slot %d: wrong payload %d (expected %d)", i, s[i].buf,
                     s[i].expect);
    }
}

/* Orders: posting order, reverse, and a fixed permutation (stride 7 over N,
 * coprime with 1000). */
static void complete_in_order(int order)
{
    MPI_Request cr = new_cr(0, 0);
    slot_t *s = post_slots(cr, N);
    for (int k = 0; k < N; k++) {
        int i = order == 0 ? k : order == 1 ? N - 1 - k : (int)((7L * k) % N);
        send_self(s[i].expect, 1, s[i].tag);
    }
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    assert_all_ran_once(s, N);
    free(s);
    MPI_Request_free(&cr);
}

TEST_BOTH(engine, many_completing_in_posting_order_all_run_once)
{
    complete_in_order(0);
}

TEST_BOTH(engine, many_completing_in_reverse_order_all_run_once)
{
    complete_in_order(1);
}

TEST_BOTH(engine, many_completing_in_a_scattered_order_all_run_once)
{
    complete_in_order(2);
}

/* Without a progress thread every cont_progress_poll is one sweep by this
 * thread, so the bound can be counted in polls: the last of N receives
 * completes first, then the oldest ones complete one per poll (so the
 * oldest window is productive on every sweep).  The rotating window reaches
 * the last entry within N / 64 of its turns, and it takes a turn at least
 * every 4 sweeps: the far callback must have run within 4 * N / 64 + a few
 * polls (~70 for N = 1000), long before the N - 1 in-order ones are done. */
Test(engine_nopt, a_far_completion_is_found_while_the_oldest_keep_completing)
{
    MPI_Request cr = new_cr(0, 0);
    slot_t *s = post_slots(cr, N);
    cr_assert_eq(test_cr(&cr), 0);   /* the engine takes them in */
    send_self(s[N - 1].expect, 1, s[N - 1].tag);
    int polls = 0;
    for (int k = 0; k < N / 2 && !atomic_load(&s[N - 1].ran); k++) {
        send_self(s[k].expect, 1, s[k].tag);
        cont_progress_poll();
        polls++;
    }
    cr_assert_eq(atomic_load(&s[N - 1].ran), 1,
                 "the far completion was not found in %d sweeps while the oldest kept "
                 "completing", polls);
    cr_assert_leq(polls, 4 * N / 64 + 8, "found only after %d sweeps", polls);
    for (int k = polls; k < N - 1; k++)
        send_self(s[k].expect, 1, s[k].tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    assert_all_ran_once(s, N);
    free(s);
    MPI_Request_free(&cr);
}

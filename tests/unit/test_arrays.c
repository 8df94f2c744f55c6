/* The array forms (Testall/any/some, Waitall/any/some, Startall) with CRs
 * and ordinary requests mixed in one array. */
#include "common.h"

TestSuite(arrays, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);
TestSuite(arrays_nopt, .init = init_nopt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* A started CR with one continuation on a pending receive (tag *tag). */
static MPI_Request pending_cr(int *tag, int *buf, atomic_int *n)
{
    MPI_Request cr = new_cr(0, 0), r;
    *tag = new_tag();
    post_recv(buf, 1, *tag, &r);
    cr_assert_eq(MPIX_Continue(&r, cb_count, n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    return cr;
}

static int start_rc(MPI_Request cr)
{
    return MPI_Start(&cr);
}

/* ------------------------------------------------------------ Testall */

TEST_BOTH(arrays, testall_completes_a_complete_cr_and_a_complete_recv)
{
    MPI_Request a[2];
    a[0] = new_cr(0, 0);
    const MPI_Request cr = a[0];
    int tag = new_tag(), buf;
    complete_recv(&buf, tag, &a[1]);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int flag = 0;
    cr_assert_eq(MPI_Testall(2, a, &flag, st), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(a[0], cr, "the CR handle is persistent");
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    cr_assert_eq(st[0].MPI_ERROR, MPI_SUCCESS);
    cr_assert_eq(st[1].MPI_SOURCE, ME);
    cr_assert_eq(st[1].MPI_TAG, tag);
    cr_assert_eq(start_rc(cr), MPI_SUCCESS, "the CR was not made inactive");
    MPI_Request h = cr;
    cr_assert_eq(test_cr(&h), 1);
    MPI_Request_free(&h);
}

TEST_BOTH(arrays, testall_is_all_or_nothing_when_the_recv_is_pending)
{
    MPI_Request a[2];
    a[0] = new_cr(0, 0);
    const MPI_Request cr = a[0];
    int tag = new_tag(), buf = 0;
    post_recv(&buf, 1, tag, &a[1]);
    const MPI_Request rh = a[1];
    int flag = -1;
    cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    cr_assert_eq(a[1], rh);
    assert_libcont_error(start_rc(cr), MPI_ERR_REQUEST);   /* still active */
    send_self(6, 1, tag);
    POLL_WHILE(!flag)
        cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(buf, 6);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    cr_assert_eq(start_rc(cr), MPI_SUCCESS);   /* completed: inactive */
    MPI_Request h = cr;
    cr_assert_eq(test_cr(&h), 1);
    MPI_Request_free(&h);
}

TEST_BOTH(arrays, testall_is_all_or_nothing_when_the_cr_is_pending)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    int tag = new_tag(), buf;
    complete_recv(&buf, tag, &a[1]);
    const MPI_Request rh = a[1];
    int flag = -1;
    cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    cr_assert_eq(a[1], rh, "Testall with flag 0 completed the receive");
    send_self(1, 1, ctag);
    POLL_WHILE(!flag)
        cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testall_of_inactive_and_null_entries_is_complete)
{
    MPI_Request a[3] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a[0]), MPI_SUCCESS);
    int flag = 0;
    cr_assert_eq(MPI_Testall(3, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testall_of_crs_only)
{
    enum { N = 40 };
    MPI_Request a[N];
    atomic_int n = 0;
    for (int i = 0; i < N; i++) {
        a[i] = new_cr(0, 0);
        MPI_Request r = MPI_REQUEST_NULL;
        cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE, MPI_STATUS_IGNORE,
                                   a[i]), MPI_SUCCESS);
    }
    int flag = 0;
    POLL_WHILE(!flag)
        cr_assert_eq(MPI_Testall(N, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(atomic_load(&n), N);
    for (int i = 0; i < N; i++)
        MPI_Request_free(&a[i]);
}

/* ------------------------------------------------------------ Waitall */

TEST_BOTH(arrays, waitall_completes_crs_and_recvs)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[3];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    const MPI_Request cr = a[0];
    int tag = new_tag(), buf[2];
    post_recv(buf, 2, tag, &a[1]);
    a[2] = new_cr(0, 0);
    send_self(1, 1, ctag);
    send_self(5, 2, tag);
    MPI_Status st[3];
    memset(st, 0x5a, sizeof st);
    cr_assert_eq(MPI_Waitall(3, a, st), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(a[0], cr);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    cr_assert_eq(st[1].MPI_SOURCE, ME);
    cr_assert_eq(st[1].MPI_TAG, tag);
    int cnt = -1;
    MPI_Get_count(&st[1], MPI_INT, &cnt);
    cr_assert_eq(cnt, 2);
    cr_assert_eq(buf[1], 6);
    cr_assert_eq(start_rc(a[0]), MPI_SUCCESS);
    cr_assert_eq(test_cr(&a[0]), 1);
    MPI_Request_free(&a[0]);
    MPI_Request_free(&a[2]);
}

TEST_BOTH(arrays, waitall_reports_a_failed_cr_in_its_status)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    int tag = new_tag(), buf;
    post_recv(&buf, 1, tag, &a[1]);
    send_self(1, 4, ctag);   /* the CR's operation fails */
    send_self(2, 1, tag);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int rc = MPI_Waitall(2, a, st);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS);
    cr_assert_eq(error_class(st[0].MPI_ERROR), MPI_ERR_TRUNCATE);
    cr_assert_eq(st[1].MPI_ERROR, MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    int count = 1;
    void *got[1];
    cr_assert_eq(MPIX_Continue_get_failed(a[0], &count, got), MPI_SUCCESS);
    cr_assert_eq(count, 1);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testall_reports_a_failed_cr_in_its_status)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    a[1] = MPI_REQUEST_NULL;
    send_self(1, 4, ctag);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int flag = 0, rc = MPI_SUCCESS;
    POLL_WHILE(!flag)
        rc = MPI_Testall(2, a, &flag, st);
    cr_assert_eq(flag, 1);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS);
    cr_assert_eq(error_class(st[0].MPI_ERROR), MPI_ERR_TRUNCATE);
    MPI_Request_free(&a[0]);
}

/* ------------------------------------------------------------ Testany / Waitany */

TEST_BOTH(arrays, testany_finds_the_complete_cr)
{
    MPI_Request a[2];
    int tag = new_tag(), buf;
    post_recv(&buf, 1, tag, &a[0]);
    a[1] = new_cr(0, 0);
    int idx = -1, flag = -1;
    cr_assert_eq(MPI_Testany(2, a, &idx, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(idx, 1);
    cr_assert_eq(start_rc(a[1]), MPI_SUCCESS, "Testany did not complete the CR");
    cr_assert_eq(test_cr(&a[1]), 1);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&a[0], MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&a[1]);
}

TEST_BOTH(arrays, testany_finds_the_complete_recv)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    int tag = new_tag(), buf;
    complete_recv(&buf, tag, &a[1]);
    MPI_Status st;
    memset(&st, 0x5a, sizeof st);
    int idx = -1, flag = -1;
    cr_assert_eq(MPI_Testany(2, a, &idx, &flag, &st), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(idx, 1);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    cr_assert_eq(st.MPI_TAG, tag);
    send_self(0, 1, ctag);
    cr_assert_eq(MPI_Wait(&a[0], MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testany_with_nothing_active_gives_undefined)
{
    MPI_Request a[3] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a[0]), MPI_SUCCESS);
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a[2]), MPI_SUCCESS);
    int idx = -1, flag = -1;
    cr_assert_eq(MPI_Testany(3, a, &idx, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(idx, MPI_UNDEFINED);
    MPI_Request_free(&a[0]);
    MPI_Request_free(&a[2]);
}

TEST_BOTH(arrays, testany_with_only_pending_entries_gives_flag_0)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[3];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    a[1] = MPI_REQUEST_NULL;
    int tag = new_tag(), buf;
    post_recv(&buf, 1, tag, &a[2]);
    int idx = -1, flag = -1;
    cr_assert_eq(MPI_Testany(3, a, &idx, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    cr_assert_eq(idx, MPI_UNDEFINED);
    /* only the CR pending, beside a null: still flag 0 */
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Wait(&a[2], MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(MPI_Testany(3, a, &idx, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    cr_assert_eq(idx, MPI_UNDEFINED);
    send_self(0, 1, ctag);
    cr_assert_eq(MPI_Wait(&a[0], MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, waitany_returns_each_in_turn_then_undefined)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    int tag = new_tag(), buf = 0;
    post_recv(&buf, 1, tag, &a[1]);
    send_self(3, 1, tag);
    int idx = -1;
    MPI_Status st;
    cr_assert_eq(MPI_Waitany(2, a, &idx, &st), MPI_SUCCESS);
    cr_assert_eq(idx, 1);
    cr_assert_eq(st.MPI_TAG, tag);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    cr_assert_eq(atomic_load(&n), 0);
    send_self(4, 1, ctag);
    cr_assert_eq(MPI_Waitany(2, a, &idx, &st), MPI_SUCCESS);
    cr_assert_eq(idx, 0);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(MPI_Waitany(2, a, &idx, &st), MPI_SUCCESS);
    cr_assert_eq(idx, MPI_UNDEFINED);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testany_returns_the_error_of_a_failed_cr)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[1];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    send_self(1, 4, ctag);
    int idx = -1, flag = 0, rc = MPI_SUCCESS;
    MPI_Status st;
    POLL_WHILE(!flag)
        rc = MPI_Testany(1, a, &idx, &flag, &st);
    cr_assert_eq(flag, 1);
    cr_assert_eq(idx, 0);
    assert_error(rc, MPI_ERR_TRUNCATE);
    cr_assert_eq(error_class(st.MPI_ERROR), MPI_ERR_TRUNCATE);
    MPI_Request_free(&a[0]);
}

/* ------------------------------------------------------------ Testsome / Waitsome */

static int has(const int *idx, int n, int v)
{
    for (int i = 0; i < n; i++)
        if (idx[i] == v)
            return 1;
    return 0;
}

TEST_BOTH(arrays, testsome_reports_every_complete_entry)
{
    int ctag, cbuf, t1 = new_tag(), t3 = new_tag(), b1, b3;
    atomic_int n = 0;
    MPI_Request a[4];
    a[0] = new_cr(0, 0);                      /* complete */
    post_recv(&b1, 1, t1, &a[1]);             /* pending */
    a[2] = pending_cr(&ctag, &cbuf, &n);      /* pending */
    complete_recv(&b3, t3, &a[3]);            /* complete */
    int out = -1, idx[4] = {-1, -1, -1, -1};
    MPI_Status st[4];
    cr_assert_eq(MPI_Testsome(4, a, &out, idx, st), MPI_SUCCESS);
    cr_assert_eq(out, 2);
    cr_assert(has(idx, out, 0) && has(idx, out, 3), "indices %d %d", idx[0], idx[1]);
    for (int k = 0; k < out; k++)
        if (idx[k] == 3)
            cr_assert_eq(st[k].MPI_TAG, t3, "the status does not follow its index");
    cr_assert_eq(a[3], MPI_REQUEST_NULL);
    /* nothing new complete: outcount 0 */
    cr_assert_eq(MPI_Testsome(4, a, &out, idx, st), MPI_SUCCESS);
    cr_assert_eq(out, 0);
    send_self(0, 1, t1);
    send_self(0, 1, ctag);
    int seen1 = 0, seen2 = 0;
    POLL_WHILE(!(seen1 && seen2)) {
        cr_assert_eq(MPI_Testsome(4, a, &out, idx, st), MPI_SUCCESS);
        cr_assert_neq(out, MPI_UNDEFINED);
        seen1 |= has(idx, out, 1);
        seen2 |= has(idx, out, 2);
        cr_assert(!has(idx, out, 0) && !has(idx, out, 3), "an inactive entry reported again");
    }
    cr_assert(seen1 && seen2);
    cr_assert_eq(atomic_load(&n), 1);
    /* now everything is inactive or null */
    cr_assert_eq(MPI_Testsome(4, a, &out, idx, st), MPI_SUCCESS);
    cr_assert_eq(out, MPI_UNDEFINED);
    MPI_Request_free(&a[0]);
    MPI_Request_free(&a[2]);
}

TEST_BOTH(arrays, waitsome_waits_for_at_least_one)
{
    int ctag, cbuf, tag = new_tag(), buf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = pending_cr(&ctag, &cbuf, &n);
    post_recv(&buf, 1, tag, &a[1]);
    send_self(0, 1, ctag);
    int out = -1, idx[2];
    cr_assert_eq(MPI_Waitsome(2, a, &out, idx, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(out, 1);
    cr_assert_eq(idx[0], 0);
    cr_assert_eq(atomic_load(&n), 1);
    send_self(0, 1, tag);
    cr_assert_eq(MPI_Waitsome(2, a, &out, idx, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(out, 1);
    cr_assert_eq(idx[0], 1);
    cr_assert_eq(MPI_Waitsome(2, a, &out, idx, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(out, MPI_UNDEFINED);
    MPI_Request_free(&a[0]);
}

TEST_BOTH(arrays, testsome_reports_a_failed_cr_in_its_status)
{
    int ctag, cbuf;
    atomic_int n = 0;
    MPI_Request a[2];
    a[0] = MPI_REQUEST_NULL;
    a[1] = pending_cr(&ctag, &cbuf, &n);
    send_self(1, 4, ctag);
    int out = 0, idx[2], rc = MPI_SUCCESS;
    MPI_Status st[2];
    POLL_WHILE(out == 0)
        rc = MPI_Testsome(2, a, &out, idx, st);
    cr_assert_eq(out, 1);
    cr_assert_eq(idx[0], 1);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS);
    cr_assert_eq(error_class(st[0].MPI_ERROR), MPI_ERR_TRUNCATE);
    MPI_Request_free(&a[1]);
}

/* More entries than libcont's on-stack arrays hold (32). */
TEST_BOTH(arrays, large_mixed_arrays)
{
    enum { N = 48 };
    MPI_Request a[N];
    int tags[N], bufs[N];
    atomic_int n = 0;
    for (int i = 0; i < N; i++) {
        if (i % 3 == 0) {
            a[i] = new_cr(0, 0);
            MPI_Request r = MPI_REQUEST_NULL;
            cr_assert_eq(MPIX_Continue(&r, cb_count, &n, MPIX_CONT_DEFER_COMPLETE,
                                       MPI_STATUS_IGNORE, a[i]), MPI_SUCCESS);
        } else {
            post_recv(&bufs[i], 1, tags[i] = new_tag(), &a[i]);
        }
    }
    int flag = -1;
    cr_assert_eq(MPI_Testall(N, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    for (int i = 0; i < N; i++)
        if (i % 3)
            send_self(i, 1, tags[i]);
    static MPI_Status st[N];
    int out = 0, idx[N], seen[N] = {0}, total = 0;
    POLL_WHILE(total < N) {
        cr_assert_eq(MPI_Testsome(N, a, &out, idx, st), MPI_SUCCESS);
        cr_assert_neq(out, MPI_UNDEFINED);
        for (int j = 0; j < out; j++) {
            cr_assert(idx[j] >= 0 && idx[j] < N);
            cr_assert_eq(seen[idx[j]], 0, "index %d reported twice", idx[j]);
            seen[idx[j]] = 1;
            total++;
            if (idx[j] % 3)
                cr_assert_eq(st[j].MPI_TAG, tags[idx[j]]);
        }
    }
    cr_assert_eq(total, N);
    cr_assert_eq(atomic_load(&n), N / 3);
    cr_assert_eq(MPI_Testsome(N, a, &out, idx, st), MPI_SUCCESS);
    cr_assert_eq(out, MPI_UNDEFINED);
    for (int i = 0; i < N; i++) {
        if (i % 3 == 0)
            MPI_Request_free(&a[i]);
        else
            cr_assert_eq(bufs[i], i);
    }
}

/* ------------------------------------------------------------ Startall */

TEST_BOTH(arrays, startall_starts_crs_and_persistent_requests)
{
    MPI_Request a[2];
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a[0]), MPI_SUCCESS);
    int tag = new_tag(), buf = 0;
    cr_assert_eq(MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &a[1]), MPI_SUCCESS);
    const MPI_Request p = a[1];
    /* a continuation held on the inactive CR */
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, a[0]), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(MPI_Startall(2, a), MPI_SUCCESS);
    assert_libcont_error(start_rc(a[0]), MPI_ERR_REQUEST);
    send_self(8, 1, tag);
    MPI_Status st[2];
    cr_assert_eq(MPI_Waitall(2, a, st), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(buf, 8);
    cr_assert_eq(a[1], p, "the persistent request stays");
    cr_assert_eq(st[1].MPI_TAG, tag);
    MPI_Request_free(&a[1]);
    MPI_Request_free(&a[0]);
}

Test(arrays, startall_with_an_active_cr_starts_nothing)
{
    MPI_Request a[2];
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a[0]), MPI_SUCCESS);
    a[1] = new_cr(0, 0);
    assert_libcont_error(MPI_Startall(2, a), MPI_ERR_REQUEST);
    cr_assert_eq(start_rc(a[0]), MPI_SUCCESS, "a refused Startall started the first CR");
    cr_assert_eq(MPI_Waitall(2, a, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    MPI_Request_free(&a[0]);
    MPI_Request_free(&a[1]);
}

/* ------------------------------------------------------------ plain arrays */

TEST_BOTH(arrays, arrays_without_crs_behave_as_mpi)
{
    int t[2] = {new_tag(), new_tag()}, b[2];
    MPI_Request a[2];
    post_recv(&b[0], 1, t[0], &a[0]);
    post_recv(&b[1], 1, t[1], &a[1]);
    int flag = -1;
    cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 0);
    send_self(1, 1, t[1]);
    int idx = -1;
    cr_assert_eq(MPI_Waitany(2, a, &idx, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(idx, 1);
    send_self(0, 1, t[0]);
    cr_assert_eq(MPI_Waitall(2, a, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(b[0], 0);
    cr_assert_eq(b[1], 1);
}

/* ------------------------------------------------------------ failed ordinary requests */

/* MPI_Testall on [failed receive, pending receive] returns
 * MPI_ERR_IN_STATUS with flag 0, frees the failed one and says which failed
 * in the statuses (MPI_ERR_PENDING for the pending one).  A CR in the same
 * array must not make those statuses disappear. */
TEST_BOTH(arrays, testall_with_a_failed_and_a_pending_recv_fills_their_statuses)
{
    int tf = new_tag(), tp = new_tag(), bf, bp;
    MPI_Request a[3];
    a[0] = new_cr(0, 0);
    post_recv(&bf, 1, tf, &a[1]);
    post_recv(&bp, 1, tp, &a[2]);
    send_self(0, 4, tf);   /* a[1] fails: truncation */
    MPI_Status st[3];
    for (int i = 0; i < 3; i++) {
        memset(&st[i], 0x5a, sizeof st[i]);
    }
    int flag = -1;
    int rc = MPI_Testall(3, a, &flag, st);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS, "rc %d", rc);
    cr_assert_eq(flag, 0);
    cr_assert_eq(error_class(st[1].MPI_ERROR), MPI_ERR_TRUNCATE,
                 "status of the failed receive: MPI_ERROR %d", st[1].MPI_ERROR);
    cr_assert_eq(st[2].MPI_ERROR, MPI_ERR_PENDING,
                 "status of the pending receive: MPI_ERROR %d", st[2].MPI_ERROR);
    send_self(0, 1, tp);
    if (a[2] != MPI_REQUEST_NULL)
        MPI_Wait(&a[2], MPI_STATUS_IGNORE);
    if (a[1] != MPI_REQUEST_NULL)
        MPI_Wait(&a[1], MPI_STATUS_IGNORE);
    MPI_Wait(&a[0], MPI_STATUS_IGNORE);
    MPI_Request_free(&a[0]);
}

/* The reference: the same array without a CR, straight to MPI. */
TEST_BOTH(arrays, testall_reference_without_cr_fills_the_statuses)
{
    int tf = new_tag(), tp = new_tag(), bf, bp;
    MPI_Request a[2];
    post_recv(&bf, 1, tf, &a[0]);
    post_recv(&bp, 1, tp, &a[1]);
    send_self(0, 4, tf);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int flag = -1;
    int rc = MPI_Testall(2, a, &flag, st);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS);
    cr_assert_eq(flag, 0);
    cr_assert_eq(error_class(st[0].MPI_ERROR), MPI_ERR_TRUNCATE);
    cr_assert_eq(st[1].MPI_ERROR, MPI_ERR_PENDING);
    send_self(0, 1, tp);
    MPI_Wait(&a[1], MPI_STATUS_IGNORE);
}

TEST_BOTH(arrays, waitall_with_a_failed_recv_and_a_cr_reports_the_recv_error)
{
    int tf = new_tag(), bf;
    MPI_Request a[2];
    a[0] = new_cr(0, 0);
    post_recv(&bf, 1, tf, &a[1]);
    send_self(0, 4, tf);
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int rc = MPI_Waitall(2, a, st);
    cr_assert_eq(rc, MPI_ERR_IN_STATUS);
    cr_assert_eq(st[0].MPI_ERROR, MPI_SUCCESS);
    cr_assert_eq(error_class(st[1].MPI_ERROR), MPI_ERR_TRUNCATE);
    cr_assert_eq(a[1], MPI_REQUEST_NULL);
    MPI_Request_free(&a[0]);
}

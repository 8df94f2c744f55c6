/* Bad input: every erroneous call returns an MPI error of the documented
 * class through MPI_COMM_WORLD's error handler, leaves a message in
 * cont_last_error(), registers nothing, changes nothing, and the library
 * keeps working.  The default handler (MPI_ERRORS_ARE_FATAL) aborts. */
#include "common.h"

TestSuite(errors, .init = init_pt_return, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

/* A pending receive that was refused by a registration is untouched: the
 * application still owns it and completes it with plain MPI. */
static void recv_still_ours(MPI_Request *r, int tag, int *buf)
{
    cr_assert_neq(*r, MPI_REQUEST_NULL, "a refused registration took the handle");
    send_self(23, 1, tag);
    cr_assert_eq(MPI_Wait(r, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(*buf, 23);
}

#define assert_message_names(fn)                                                     \
    cr_assert(strstr(cont_last_error(), fn) != NULL, "message %s does not name %s", \
              cont_last_error(), fn)

/* ------------------------------------------------------------ Continue_init */

Test(errors, init_with_null_cont_req_is_err_arg)
{
    assert_libcont_error(MPIX_Continue_init(0, 0, MPI_INFO_NULL, NULL), MPI_ERR_ARG);
    assert_message_names("MPIX_Continue_init");
    assert_continuations_work();
}

Test(errors, init_with_unknown_flag_bits_is_err_arg)
{
    MPI_Request cr = (MPI_Request)0x1234;
    assert_libcont_error(MPIX_Continue_init(1 << 10, 0, MPI_INFO_NULL, &cr), MPI_ERR_ARG);
    cr_assert_eq(cr, (MPI_Request)0x1234, "a refused init wrote the handle");
    assert_continuations_work();
}

Test(errors, init_with_a_continue_flag_is_err_arg)
{
    const int flags[] = {MPIX_CONT_DEFER_COMPLETE, MPIX_CONT_INVOKE_FAILED, MPIX_CONT_IMMEDIATE,
                         MPIX_CONT_REQUESTS_FREE, MPIX_CONT_POLL_ONLY | MPIX_CONT_DEFER_COMPLETE};
    for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        MPI_Request cr = (MPI_Request)0x1234;
        assert_libcont_error(MPIX_Continue_init(flags[i], 0, MPI_INFO_NULL, &cr), MPI_ERR_ARG);
        cr_assert_eq(cr, (MPI_Request)0x1234);
    }
    assert_continuations_work();
}

/* ------------------------------------------------------------ Continue[all] arguments */

/* Try a registration that must fail with class cls on a pending receive:
 * nothing is registered, the receive stays the application's. */
#define REFUSED(cls, call)                                                   \
    do {                                                                     \
        cont_stats_t s0_ = stats_now();                                      \
        assert_libcont_error((call), (cls));                                 \
        cr_assert_eq(stats_now().registered, s0_.registered,                 \
                     "a refused call registered something");                 \
    } while (0)

Test(errors, poll_only_given_to_continue_is_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    REFUSED(MPI_ERR_ARG, MPIX_Continue(&r, cb_count, &n, MPIX_CONT_POLL_ONLY, MPI_STATUS_IGNORE, cr));
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, unknown_continue_flag_bits_are_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    REFUSED(MPI_ERR_ARG, MPIX_Continue(&r, cb_count, &n, 1 << 10, MPI_STATUS_IGNORE, cr));
    REFUSED(MPI_ERR_ARG, MPIX_Continueall(1, &r, cb_count, &n, 1 << 7, MPI_STATUSES_IGNORE, cr));
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(atomic_load(&n), 0);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, null_callback_is_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    REFUSED(MPI_ERR_ARG, MPIX_Continue(&r, NULL, NULL, 0, MPI_STATUS_IGNORE, cr));
    REFUSED(MPI_ERR_ARG, MPIX_Continueall(1, &r, NULL, NULL, 0, MPI_STATUSES_IGNORE, cr));
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, null_op_request_pointer_is_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    REFUSED(MPI_ERR_ARG, MPIX_Continue(NULL, cb_count, &n, 0, MPI_STATUS_IGNORE, cr));
    assert_message_names("MPIX_Continue");
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, null_array_with_positive_count_is_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    REFUSED(MPI_ERR_ARG, MPIX_Continueall(2, NULL, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr));
    assert_message_names("MPIX_Continueall");
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, negative_count_is_err_count)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r[1] = {MPI_REQUEST_NULL};
    atomic_int n = 0;
    REFUSED(MPI_ERR_COUNT, MPIX_Continueall(-1, r, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr));
    cr_assert_eq(atomic_load(&n), 0);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, null_statuses_pointer_is_err_arg)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    REFUSED(MPI_ERR_ARG, MPIX_Continue(&r, cb_count, &n, 0, NULL, cr));
    REFUSED(MPI_ERR_ARG, MPIX_Continueall(1, &r, cb_count, &n, 0, NULL, cr));
    recv_still_ours(&r, tag, &buf);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

/* ------------------------------------------------------------ cont_req */

Test(errors, cont_req_null_is_err_request)
{
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, MPI_REQUEST_NULL));
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(atomic_load(&n), 0);
    assert_continuations_work();
}

Test(errors, cont_req_an_ordinary_request_is_err_request)
{
    int tag = new_tag(), buf, otag = new_tag(), obuf;
    MPI_Request r, ord;
    post_recv(&buf, 1, tag, &r);
    post_recv(&obuf, 1, otag, &ord);
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, ord));
    recv_still_ours(&r, tag, &buf);
    recv_still_ours(&ord, otag, &obuf);
    cr_assert_eq(atomic_load(&n), 0);
    assert_continuations_work();
}

Test(errors, cont_req_freed_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request stale = cr;
    cr_assert_eq(test_cr(&cr), 1);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, stale));
    recv_still_ours(&r, tag, &buf);
    int flag;
    assert_libcont_error(MPI_Test(&stale, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Wait(&stale, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Start(&stale), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Request_get_status(stale, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    MPI_Request arr[1] = {stale};
    assert_libcont_error(MPI_Waitall(1, arr, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_continuations_work();
}

Test(errors, a_forged_cr_handle_is_err_request)
{
    /* MPICH never hands out request handles of the "invalid" kind that
     * libcont uses for CRs; one that libcont never made is refused. */
    MPI_Request forged = (MPI_Request)0x2c03ffff;
    int flag;
    assert_libcont_error(MPI_Test(&forged, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Start(&forged), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Request_free(&forged), MPI_ERR_REQUEST);
    MPI_Request r = MPI_REQUEST_NULL;
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, forged));
    cr_assert_eq(atomic_load(&n), 0);
    assert_continuations_work();
}

Test(errors, freeing_a_cr_twice_is_err_request)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    MPI_Request copy = cr;
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    assert_libcont_error(MPI_Request_free(&copy), MPI_ERR_REQUEST);
    assert_continuations_work();
}

Test(errors, freeing_an_inactive_cr_with_held_continuations_is_err_request)
{
    MPI_Request cr;
    cr_assert_eq(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    const MPI_Request h = cr;
    atomic_int n = 0;
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    assert_libcont_error(MPI_Request_free(&cr), MPI_ERR_REQUEST);
    cr_assert_eq(cr, h, "a refused free changed the handle");
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
    assert_continuations_work();
}

Test(errors, cancel_on_a_cr_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request h = cr;
    assert_libcont_error(MPI_Cancel(&h), MPI_ERR_REQUEST);
    cr_assert_eq(h, cr);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

/* ------------------------------------------------------------ one continuation per op */

Test(errors, registering_a_persistent_op_twice_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request p;
    cr_assert_eq(MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &p), MPI_SUCCESS);
    cr_assert_eq(MPI_Start(&p), MPI_SUCCESS);
    atomic_int n1 = 0, n2 = 0;
    cr_assert_eq(MPIX_Continue(&p, cb_count, &n1, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Request copy = p;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&copy, cb_count, &n2, 0, MPI_STATUS_IGNORE, cr));
    cr_assert_eq(copy, p);
    MPI_Request other = new_cr(0, 0);
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&copy, cb_count, &n2, 0, MPI_STATUS_IGNORE, other));
    send_self(5, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n1), 1);
    cr_assert_eq(atomic_load(&n2), 0);
    cr_assert_eq(test_cr(&other), 1);
    MPI_Request_free(&other);
    MPI_Request_free(&p);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, same_request_twice_in_one_continueall_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    MPI_Request arr[3] = {r, MPI_REQUEST_NULL, r};
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continueall(3, arr, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr));
    cr_assert_eq(arr[0], r);
    cr_assert_eq(arr[2], r);
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(atomic_load(&n), 0);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, a_bad_entry_in_continueall_leaves_the_good_ones_alone)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    MPI_Request arr[2] = {r, cr};   /* the second is cont_req itself */
    atomic_int n = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continueall(2, arr, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr));
    cr_assert_eq(arr[0], r, "a refused Continueall took a handle");
    recv_still_ours(&r, tag, &buf);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, start_on_an_op_with_a_continuation_is_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request p;
    cr_assert_eq(MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &p), MPI_SUCCESS);
    cr_assert_eq(MPI_Start(&p), MPI_SUCCESS);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&p, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Request h = p;
    assert_libcont_error(MPI_Start(&h), MPI_ERR_REQUEST);
    assert_message_names("MPI_Start");
    assert_libcont_error(MPI_Startall(1, &h), MPI_ERR_REQUEST);
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    /* complete now: it is the application's again */
    cr_assert_eq(MPI_Start(&p), MPI_SUCCESS);
    send_self(2, 1, tag);
    cr_assert_eq(MPI_Wait(&p, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(buf, 2);
    MPI_Request_free(&p);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, test_wait_free_on_an_op_with_a_continuation_are_err_request)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request p;
    cr_assert_eq(MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &p), MPI_SUCCESS);
    cr_assert_eq(MPI_Start(&p), MPI_SUCCESS);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&p, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Request h = p;
    int flag = -1;
    assert_libcont_error(MPI_Test(&h, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Wait(&h, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Request_free(&h), MPI_ERR_REQUEST);
    cr_assert_eq(h, p, "a refused free changed the handle");
    assert_libcont_error(MPI_Request_get_status(h, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    MPI_Request arr[2] = {h, MPI_REQUEST_NULL};
    int idx, out, idxs[2];
    assert_libcont_error(MPI_Testall(2, arr, &flag, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Waitall(2, arr, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Testany(2, arr, &idx, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Waitany(2, arr, &idx, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Testsome(2, arr, &out, idxs, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Waitsome(2, arr, &out, idxs, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
    cr_assert_eq(atomic_load(&n), 0);
    send_self(4, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1, "the continuation did not survive the refused calls");
    cr_assert_eq(buf, 4);
    cr_assert_eq(MPI_Request_free(&p), MPI_SUCCESS);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, a_copy_of_a_taken_over_handle_is_refused_while_pending)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    MPI_Request copy = r;
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    cr_assert_eq(r, MPI_REQUEST_NULL);
    int flag;
    assert_libcont_error(MPI_Wait(&copy, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Test(&copy, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    assert_libcont_error(MPI_Request_free(&copy), MPI_ERR_REQUEST);
    atomic_int n2 = 0;
    REFUSED(MPI_ERR_REQUEST, MPIX_Continue(&copy, cb_count, &n2, 0, MPI_STATUS_IGNORE, cr));
    send_self(3, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(atomic_load(&n2), 0);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

/* ------------------------------------------------------------ get_failed */

Test(errors, get_failed_argument_errors)
{
    MPI_Request cr = new_cr(0, 0);
    void *buf[2];
    assert_libcont_error(MPIX_Continue_get_failed(cr, NULL, buf), MPI_ERR_ARG);
    int count = -1;
    assert_libcont_error(MPIX_Continue_get_failed(cr, &count, buf), MPI_ERR_COUNT);
    count = 2;
    assert_libcont_error(MPIX_Continue_get_failed(cr, &count, NULL), MPI_ERR_ARG);
    count = 2;
    assert_libcont_error(MPIX_Continue_get_failed(MPI_REQUEST_NULL, &count, buf), MPI_ERR_REQUEST);
    int tag = new_tag(), b;
    MPI_Request r;
    post_recv(&b, 1, tag, &r);
    count = 2;
    assert_libcont_error(MPIX_Continue_get_failed(r, &count, buf), MPI_ERR_REQUEST);
    recv_still_ours(&r, tag, &b);
    cr_assert_eq(test_cr(&cr), 1);
    MPI_Request_free(&cr);
    assert_continuations_work();
}

Test(errors, get_stats_null_is_err_arg)
{
    assert_libcont_error(cont_get_stats(NULL), MPI_ERR_ARG);
    assert_continuations_work();
}

/* ------------------------------------------------------------ error handlers */

static atomic_int handler_calls, handler_code;

static void record_handler(MPI_Comm *comm, int *code, ...)
{
    atomic_fetch_add(&handler_calls, 1);
    atomic_store(&handler_code, *code);
}

Test(errors, errors_go_through_the_world_error_handler)
{
    MPI_Errhandler eh;
    cr_assert_eq(MPI_Comm_create_errhandler(record_handler, &eh), MPI_SUCCESS);
    cr_assert_eq(MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh), MPI_SUCCESS);
    MPI_Request cr;
    int rc = MPIX_Continue_init(1 << 12, 0, MPI_INFO_NULL, &cr);
    cr_assert_eq(error_class(rc), MPI_ERR_ARG);
    cr_assert_eq(atomic_load(&handler_calls), 1);
    cr_assert_eq(error_class(atomic_load(&handler_code)), MPI_ERR_ARG);
    rc = MPIX_Continueall(-3, NULL, cb_count, NULL, 0, MPI_STATUSES_IGNORE, MPI_REQUEST_NULL);
    cr_assert_eq(error_class(rc), MPI_ERR_COUNT);
    cr_assert_eq(atomic_load(&handler_calls), 2);
    cr_assert_eq(error_class(atomic_load(&handler_code)), MPI_ERR_COUNT);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Errhandler_free(&eh);
    assert_continuations_work();
}

static void *last_error_in_thread(void *arg)
{
    const char *m = cont_last_error();
    *(int *)arg = m != NULL && m[0] == 0;
    return NULL;
}

Test(errors, last_error_is_per_thread)
{
    assert_libcont_error(MPIX_Continue_init(1 << 10, 0, MPI_INFO_NULL, NULL), MPI_ERR_ARG);
    int empty = 0;
    pthread_t t;
    pthread_create(&t, NULL, last_error_in_thread, &empty);
    pthread_join(t, NULL);
    cr_assert_eq(empty, 1, "another thread sees this thread's error text");
    cr_assert(cont_last_error()[0] != 0);
}

/* ------------------------------------------------------------ fatal */

static int cb_fail_other(int rc, void *d)
{
    return MPI_ERR_OTHER;
}

/* MPI_ERRORS_ARE_FATAL (the default): the job aborts; MPICH's singleton
 * exits with the error class as its status. */
TestSuite(errors_fatal, .init = init_pt, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);

Test(errors_fatal, bad_flags_abort_by_default, .exit_code = MPI_ERR_ARG)
{
    MPI_Request cr;
    MPIX_Continue_init(1 << 10, 0, MPI_INFO_NULL, &cr);
    cr_assert_fail("MPIX_Continue_init returned under MPI_ERRORS_ARE_FATAL");
}

Test(errors_fatal, bad_cont_req_aborts_by_default, .exit_code = MPI_ERR_REQUEST)
{
    MPI_Request r = MPI_REQUEST_NULL;
    atomic_int n = 0;
    MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, MPI_REQUEST_NULL);
    cr_assert_fail("MPIX_Continue returned under MPI_ERRORS_ARE_FATAL");
}

Test(errors_fatal, negative_count_aborts_by_default, .exit_code = MPI_ERR_COUNT)
{
    MPI_Request cr = new_cr(0, 0);
    atomic_int n = 0;
    MPIX_Continueall(-1, NULL, cb_count, &n, 0, MPI_STATUSES_IGNORE, cr);
    cr_assert_fail("MPIX_Continueall returned under MPI_ERRORS_ARE_FATAL");
}

Test(errors_fatal, failed_cr_aborts_the_wait_by_default, .exit_code = MPI_ERR_OTHER)
{
    MPI_Request cr = new_cr(0, 0);
    MPI_Request r = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue(&r, cb_fail_other, NULL, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    MPI_Wait(&cr, MPI_STATUS_IGNORE);
    cr_assert_fail("MPI_Wait on a failed CR returned under MPI_ERRORS_ARE_FATAL");
}

/* ------------------------------------------------------------ configuration */

/* CONT_* variables are validated at MPI_Init: a wrong one aborts (status 2). */
TestSuite(errors_config, .timeout = SUITE_TIMEOUT);

Test(errors_config, unknown_cont_variable_aborts_init, .exit_code = 2)
{
    setenv("CONT_VERBOSE", "0", 1);
    setenv("CONT_NO_SUCH_SETTING", "1", 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    cr_assert_fail("MPI_Init accepted an unknown CONT_* variable");
}

Test(errors_config, bad_value_aborts_init, .exit_code = 2)
{
    setenv("CONT_VERBOSE", "0", 1);
    setenv("CONT_PROGRESS_THREAD", "sometimes", 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    cr_assert_fail("MPI_Init accepted CONT_PROGRESS_THREAD=sometimes");
}

Test(errors_config, out_of_range_value_aborts_init, .exit_code = 2)
{
    setenv("CONT_VERBOSE", "7", 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    cr_assert_fail("MPI_Init accepted CONT_VERBOSE=7");
}

Test(errors_config, progress_thread_on_without_thread_multiple_aborts_init, .exit_code = 2)
{
    setenv("CONT_VERBOSE", "0", 1);
    setenv("CONT_PROGRESS_THREAD", "on", 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_SINGLE, &provided);
    cr_assert_fail("MPI_Init accepted CONT_PROGRESS_THREAD=on with MPI_THREAD_SINGLE");
}

Test(errors_config, valid_settings_are_accepted)
{
    setenv("CONT_VERBOSE", "0", 1);
    setenv("CONT_PROGRESS_THREAD", "yes", 1);
    setenv("CONT_POLL_SPIN", "10", 1);
    setenv("CONT_POLL_MAX_SLEEP_US", "100", 1);
    setenv("CONT_MAX_INLINE_DEPTH", "4", 1);
    int provided;
    cr_assert_eq(MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided), MPI_SUCCESS);
    cr_assert_eq(cont_has_progress_thread(), 1);
    assert_continuations_work();
    MPI_Finalize();
}

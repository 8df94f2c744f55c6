/* Bad input, table-driven: every invalid call of the API and of omp-glue.
 *
 * One row per invalid call: the call, and the MPI error class it must
 * return.  For every row the harness checks that
 *   - the call returned an error of that class,
 *   - MPI_COMM_WORLD's error handler was called exactly once, with that code,
 *     and cont_last_error() names the function (libcont's own checks);
 *   - nothing was registered (libcont's counter) and no callback ran;
 *   - no omp-glue binding is left pending;
 *   - the library still works afterwards: a continuation on a pending
 *     receive runs once and its CR completes, and a detached task bound to a
 *     receive completes once the message arrives.
 * A few rows are the valid edge cases next to the invalid ones (class
 * MPI_SUCCESS): MPI_REQUEST_NULL arrays, count 0, a zero-size get_failed.
 * Rows run with the progress thread; the whole table runs again without it
 * (suite bad_input_nopt).
 */
#include "common.h"

#include <criterion/parameterized.h>
#include <limits.h>
#include <omp-continue.h>

/* ------------------------------------------------------------ harness state */

static atomic_int handler_calls, handler_code;
static atomic_int ran;          /* callbacks of the row's refused calls */
static int good;                /* valid registrations a row makes around its bad call */
static MPI_Request cr;          /* a started CR, fresh for every row */

static void record_error(MPI_Comm *comm, int *code, ...)
{
    atomic_fetch_add(&handler_calls, 1);
    atomic_store(&handler_code, *code);
}

static int cb_row(int rc, void *d)
{
    atomic_fetch_add(&ran, 1);
    return MPI_SUCCESS;
}

static void setup_row(void)
{
    MPI_Errhandler eh;
    cr_assert_eq(MPI_Comm_create_errhandler(record_error, &eh), MPI_SUCCESS);
    cr_assert_eq(MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh), MPI_SUCCESS);
    MPI_Errhandler_free(&eh);
    cr = new_cr(0, 0);
}

/* ------------------------------------------------------------ rows: the API */

static int init_null_cr(void) { return MPIX_Continue_init(0, 0, MPI_INFO_NULL, NULL); }

static int init_unknown_flag(void)
{
    MPI_Request r;
    return MPIX_Continue_init(1 << 20, 0, MPI_INFO_NULL, &r);
}

static int init_continue_flag(void)
{
    MPI_Request r;
    return MPIX_Continue_init(MPIX_CONT_DEFER_COMPLETE, 0, MPI_INFO_NULL, &r);
}

static int init_negative_flags(void)
{
    MPI_Request r;
    return MPIX_Continue_init(-1, 0, MPI_INFO_NULL, &r);
}

static int cont_null_op(void)
{
    return MPIX_Continue(NULL, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr);
}

static int cont_null_cb(void)
{
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, NULL, NULL, 0, MPI_STATUS_IGNORE, cr);
}

static int cont_unknown_flag(void)
{
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, cb_row, NULL, 1 << 17, MPI_STATUS_IGNORE, cr);
}

static int cont_poll_only_flag(void)
{
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, cb_row, NULL, MPIX_CONT_POLL_ONLY, MPI_STATUS_IGNORE, cr);
}

static int all_negative_count(void)
{
    MPI_Request r[1] = {MPI_REQUEST_NULL};
    return MPIX_Continueall(-1, r, cb_row, NULL, 0, MPI_STATUSES_IGNORE, cr);
}

static int all_int_min_count(void)
{
    MPI_Request r[1] = {MPI_REQUEST_NULL};
    return MPIX_Continueall(INT_MIN, r, cb_row, NULL, 0, MPI_STATUSES_IGNORE, cr);
}

static int all_huge_count_null_array(void)
{
    return MPIX_Continueall(INT_MAX, NULL, cb_row, NULL, 0, MPI_STATUSES_IGNORE, cr);
}

static int all_null_statuses(void)
{
    MPI_Request r[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    return MPIX_Continueall(2, r, cb_row, NULL, 0, NULL, cr);
}

static int cont_on_request_null_cr(void)
{
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, cb_row, NULL, 0, MPI_STATUS_IGNORE, MPI_REQUEST_NULL);
}

static int cont_on_ordinary_request(void)
{
    int buf, tag = new_tag();
    MPI_Request op = MPI_REQUEST_NULL, other;
    post_recv(&buf, 1, tag, &other);
    int rc = MPIX_Continue(&op, cb_row, NULL, 0, MPI_STATUS_IGNORE, other);
    send_self(1, 1, tag);
    MPI_Wait(&other, MPI_STATUS_IGNORE);
    return rc;
}

static int cont_after_free(void)
{
    MPI_Request dead;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &dead);
    MPI_Request copy = dead;
    MPI_Request_free(&dead);
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, cb_row, NULL, 0, MPI_STATUS_IGNORE, copy);
}

static int cont_forged_cr(void)
{
    MPI_Request forged = (MPI_Request)0x2c03ffff;   /* CR-kind handle libcont never made */
    MPI_Request r = MPI_REQUEST_NULL;
    return MPIX_Continue(&r, cb_row, NULL, 0, MPI_STATUS_IGNORE, forged);
}

static int cont_cr_on_itself(void)
{
    MPI_Request self = cr;
    return MPIX_Continue(&self, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr);
}

static int all_same_request_twice(void)
{
    int buf, tag = new_tag();
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    MPI_Request two[2] = {r, r};
    int rc = MPIX_Continueall(2, two, cb_row, NULL, 0, MPI_STATUSES_IGNORE, cr);
    send_self(1, 1, tag);
    MPI_Wait(&r, MPI_STATUS_IGNORE);   /* still ours: the call was refused */
    return rc;
}

static int persistent_registered_twice(void)
{
    int buf, tag = new_tag();
    MPI_Request p;
    MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &p);
    MPI_Start(&p);
    atomic_int first = 0;
    cr_assert_eq(MPIX_Continue(&p, cb_count, &first, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    good++;
    int rc = MPIX_Continue(&p, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr);
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&first), 1, "the first registration must still run once");
    MPI_Request_free(&p);
    MPI_Start(&cr);
    return rc;
}

static int cr_attached_to_two_crs(void)
{
    /* inner stays incomplete (a pending receive) while attached to other */
    int buf, tag = new_tag();
    MPI_Request inner = new_cr(0, 0), other = new_cr(0, 0), r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n_inner = 0, first = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n_inner, 0, MPI_STATUS_IGNORE, inner), MPI_SUCCESS);
    MPI_Request h = inner;
    cr_assert_eq(MPIX_Continue(&h, cb_count, &first, 0, MPI_STATUS_IGNORE, other), MPI_SUCCESS);
    good += 2;
    h = inner;
    int rc = MPIX_Continue(&h, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr);
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&other, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n_inner), 1);
    cr_assert_eq(atomic_load(&first), 1);
    MPI_Request_free(&other);
    MPI_Request_free(&inner);
    return rc;
}

static int start_active_cr(void)
{
    int buf, tag = new_tag();
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    good++;
    int rc = MPI_Start(&cr);
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    MPI_Start(&cr);
    return rc;
}

static int free_cr_twice(void)
{
    MPI_Request a;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a);
    MPI_Request copy = a;
    MPI_Request_free(&a);
    return MPI_Request_free(&copy);
}

static int test_freed_cr(void)
{
    MPI_Request a;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a);
    MPI_Request copy = a;
    MPI_Request_free(&a);
    int flag;
    return MPI_Test(&copy, &flag, MPI_STATUS_IGNORE);
}

static int start_freed_cr(void)
{
    MPI_Request a;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &a);
    MPI_Request copy = a;
    MPI_Request_free(&a);
    return MPI_Start(&copy);
}

static int cancel_cr(void)
{
    MPI_Request h = cr;
    return MPI_Cancel(&h);
}

static int free_inactive_cr_holding_work(void)
{
    MPI_Request held;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &held);
    MPI_Request r = MPI_REQUEST_NULL;
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, held), MPI_SUCCESS);
    good++;
    int rc = MPI_Request_free(&held);
    cr_assert_eq(atomic_load(&n), 0);
    MPI_Start(&held);
    cr_assert_eq(MPI_Wait(&held, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1, "the held continuation must still run once");
    MPI_Request_free(&held);
    return rc;
}

/* Test / Wait / Start / free on an operation libcont has taken over. */
static int op_touch(int which)
{
    int buf, tag = new_tag();
    MPI_Request p;
    MPI_Recv_init(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &p);
    MPI_Start(&p);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&p, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    good++;
    MPI_Request h = p;
    int flag, rc = which == 0 ? MPI_Test(&h, &flag, MPI_STATUS_IGNORE)
                 : which == 1 ? MPI_Start(&h)
                              : MPI_Request_free(&h);
    send_self(1, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    MPI_Request_free(&p);
    MPI_Start(&cr);
    return rc;
}
static int test_op_with_continuation(void) { return op_touch(0); }
static int start_op_with_continuation(void) { return op_touch(1); }
static int free_op_with_continuation(void) { return op_touch(2); }

static int get_failed_null_count(void)
{
    void *buf[1];
    return MPIX_Continue_get_failed(cr, NULL, buf);
}

static int get_failed_negative_count(void)
{
    void *buf[1];
    int n = -1;
    return MPIX_Continue_get_failed(cr, &n, buf);
}

static int get_failed_null_buffer(void)
{
    int n = 4;
    return MPIX_Continue_get_failed(cr, &n, NULL);
}

static int get_failed_not_a_cr(void)
{
    int n = 0;
    return MPIX_Continue_get_failed(MPI_REQUEST_NULL, &n, NULL);
}

static int stats_null(void) { return cont_get_stats(NULL); }

/* ------------------------------------------------------------ rows: valid edges */

static int cont_on_request_null(void)
{
    MPI_Request r = MPI_REQUEST_NULL;
    int rc = MPIX_Continue(&r, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr);
    cr_assert_eq(atomic_load(&ran), 1, "a continuation on MPI_REQUEST_NULL runs at once");
    return rc;
}

static int all_request_null_array(void)
{
    MPI_Request r[3] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    MPI_Status st[3];
    int rc = MPIX_Continueall(3, r, cb_row, NULL, 0, st, cr);
    cr_assert_eq(atomic_load(&ran), 1);
    return rc;
}

static int all_count_zero(void)
{
    int rc = MPIX_Continueall(0, NULL, cb_row, NULL, 0, MPI_STATUSES_IGNORE, cr);
    cr_assert_eq(atomic_load(&ran), 1);
    return rc;
}

static int get_failed_zero_size(void)
{
    int buf, tag = new_tag();
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    cr_assert_eq(MPIX_Continue(&r, cb_row, NULL, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    int big[4] = {1, 2, 3, 4};
    cr_assert_eq(MPI_Send(big, 4, MPI_INT, ME, tag, MPI_COMM_WORLD), MPI_SUCCESS);   /* truncates */
    int flag = 0;
    POLL_WHILE(!flag) MPI_Test(&cr, &flag, MPI_STATUS_IGNORE);
    atomic_store(&handler_calls, 0);   /* the failed CR raised its error: not this row's */
    int n = 0, rc = MPIX_Continue_get_failed(cr, &n, NULL);
    cr_assert_eq(n, 0, "a zero-size buffer takes nothing");
    void *taken[2];
    n = 2;
    cr_assert_eq(MPIX_Continue_get_failed(cr, &n, taken), MPI_SUCCESS);
    cr_assert_eq(n, 1, "the failed continuation is still there to take");
    MPI_Start(&cr);
    atomic_store(&ran, 0);
    return rc;
}

/* ------------------------------------------------------------ rows: omp-glue */

/* Run a glue call inside a detached task; on error the event is not
 * fulfilled, so the task fulfils it itself, as an application would.
 * cont_last_error() is per thread: the task runs on this (the primary)
 * thread, at once (masked + if(0); no depend clause, so if(0) is safe). */
typedef int (*glue_call_t)(omp_event_handle_t ev);

static int in_detached_task(glue_call_t call)
{
    int rc = MPI_SUCCESS;
#pragma omp parallel num_threads(2)
#pragma omp masked
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) shared(rc) if(0)
        {
            rc = call(ev);
            if (rc != MPI_SUCCESS)
                omp_fulfill_event(ev);
        }
    }
    return rc;
}

static int bind_null(omp_event_handle_t ev) { return ompc_bind(NULL, ev); }

static int bind_status_null(omp_event_handle_t ev)
{
    static MPI_Status st;
    return ompc_bind_status(NULL, &st, ev);
}

static int bindall_negative(omp_event_handle_t ev)
{
    MPI_Request r[1] = {MPI_REQUEST_NULL};
    return ompc_bindall(-3, r, MPI_STATUSES_IGNORE, ev);
}

static int bindall_null_array(omp_event_handle_t ev)
{
    return ompc_bindall(2, NULL, MPI_STATUSES_IGNORE, ev);
}

static int bindall_null_statuses(omp_event_handle_t ev)
{
    MPI_Request r[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    return ompc_bindall(2, r, NULL, ev);
}

static int irecv_negative_count(omp_event_handle_t ev)
{
    static int buf;
    return ompc_irecv(&buf, -1, MPI_INT, ME, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
}

static int isend_bad_rank(omp_event_handle_t ev)
{
    static int buf;
    return ompc_isend(&buf, 1, MPI_INT, 99, 1, MPI_COMM_WORLD, ev);
}

static int bindall_request_null(omp_event_handle_t ev)
{
    MPI_Request r[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    return ompc_bindall(2, r, MPI_STATUSES_IGNORE, ev);   /* fulfils at once */
}

/* ompc_drive_end / ompc_drive_step on a thread that never began to drive;
 * and an end after the pair has ended. */
static int glue_drive_end_not_driving(void) { return ompc_drive_end(); }
static int glue_drive_step_not_driving(void) { return ompc_drive_step(); }
static int glue_drive_end_twice(void)
{
    int rc = ompc_drive_begin();
    if (rc == MPI_SUCCESS)
        rc = ompc_drive_end();
    return rc == MPI_SUCCESS ? ompc_drive_end() : rc;
}

static int glue_bind_null(void) { return in_detached_task(bind_null); }
static int glue_bind_status_null(void) { return in_detached_task(bind_status_null); }
static int glue_bindall_negative(void) { return in_detached_task(bindall_negative); }
static int glue_bindall_null_array(void) { return in_detached_task(bindall_null_array); }
static int glue_bindall_null_statuses(void) { return in_detached_task(bindall_null_statuses); }
static int glue_irecv_negative_count(void) { return in_detached_task(irecv_negative_count); }
static int glue_isend_bad_rank(void) { return in_detached_task(isend_bad_rank); }
static int glue_bindall_request_null(void) { return in_detached_task(bindall_request_null); }

/* ------------------------------------------------------------ the table */

typedef struct {
    const char *name;
    int (*call)(void);
    int cls;            /* expected error class; MPI_SUCCESS for valid edges */
    const char *fn;     /* the function libcont's message must name (NULL: MPI's own check) */
} row_t;

static const row_t rows[] = {
    {"init_null_cont_req", init_null_cr, MPI_ERR_ARG, "MPIX_Continue_init"},
    {"init_unknown_flag_bits", init_unknown_flag, MPI_ERR_ARG, "MPIX_Continue_init"},
    {"init_a_continue_only_flag", init_continue_flag, MPI_ERR_ARG, "MPIX_Continue_init"},
    {"init_negative_flags", init_negative_flags, MPI_ERR_ARG, "MPIX_Continue_init"},
    {"continue_null_op_request", cont_null_op, MPI_ERR_ARG, "MPIX_Continue"},
    {"continue_null_callback", cont_null_cb, MPI_ERR_ARG, "MPIX_Continue"},
    {"continue_unknown_flag_bits", cont_unknown_flag, MPI_ERR_ARG, "MPIX_Continue"},
    {"continue_poll_only_flag", cont_poll_only_flag, MPI_ERR_ARG, "MPIX_Continue"},
    {"continueall_negative_count", all_negative_count, MPI_ERR_COUNT, "MPIX_Continueall"},
    {"continueall_int_min_count", all_int_min_count, MPI_ERR_COUNT, "MPIX_Continueall"},
    {"continueall_huge_count_null_array", all_huge_count_null_array, MPI_ERR_ARG, "MPIX_Continueall"},
    {"continueall_null_statuses", all_null_statuses, MPI_ERR_ARG, "MPIX_Continueall"},
    {"continue_cont_req_request_null", cont_on_request_null_cr, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continue_cont_req_ordinary_request", cont_on_ordinary_request, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continue_registered_after_free", cont_after_free, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continue_forged_cont_req", cont_forged_cr, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continue_cr_on_itself", cont_cr_on_itself, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continueall_same_request_twice", all_same_request_twice, MPI_ERR_REQUEST, "MPIX_Continueall"},
    {"continue_persistent_op_twice", persistent_registered_twice, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"continue_cr_attached_to_two_crs", cr_attached_to_two_crs, MPI_ERR_REQUEST, "MPIX_Continue"},
    {"start_an_active_cr", start_active_cr, MPI_ERR_REQUEST, "MPI_Start"},
    {"free_a_cr_twice", free_cr_twice, MPI_ERR_REQUEST, "MPI_Request_free"},
    {"test_a_freed_cr", test_freed_cr, MPI_ERR_REQUEST, "MPI_Test"},
    {"start_a_freed_cr", start_freed_cr, MPI_ERR_REQUEST, "MPI_Start"},
    {"cancel_a_cr", cancel_cr, MPI_ERR_REQUEST, "MPI_Cancel"},
    {"free_an_inactive_cr_holding_work", free_inactive_cr_holding_work, MPI_ERR_REQUEST, "MPI_Request_free"},
    {"test_an_op_with_a_continuation", test_op_with_continuation, MPI_ERR_REQUEST, "MPI_Test"},
    {"start_an_op_with_a_continuation", start_op_with_continuation, MPI_ERR_REQUEST, "MPI_Start"},
    {"free_an_op_with_a_continuation", free_op_with_continuation, MPI_ERR_REQUEST, "MPI_Request_free"},
    {"get_failed_null_count", get_failed_null_count, MPI_ERR_ARG, "MPIX_Continue_get_failed"},
    {"get_failed_negative_count", get_failed_negative_count, MPI_ERR_COUNT, "MPIX_Continue_get_failed"},
    {"get_failed_null_buffer", get_failed_null_buffer, MPI_ERR_ARG, "MPIX_Continue_get_failed"},
    {"get_failed_not_a_cr", get_failed_not_a_cr, MPI_ERR_REQUEST, "MPIX_Continue_get_failed"},
    {"get_stats_null", stats_null, MPI_ERR_ARG, "cont_get_stats"},
    {"ompc_bind_null_request", glue_bind_null, MPI_ERR_ARG, "MPIX_Continue"},
    {"ompc_bind_status_null_request", glue_bind_status_null, MPI_ERR_ARG, "MPIX_Continue"},
    {"ompc_bindall_negative_count", glue_bindall_negative, MPI_ERR_COUNT, "MPIX_Continueall"},
    {"ompc_bindall_null_array", glue_bindall_null_array, MPI_ERR_ARG, "MPIX_Continueall"},
    {"ompc_bindall_null_statuses", glue_bindall_null_statuses, MPI_ERR_ARG, "MPIX_Continueall"},
    {"ompc_irecv_negative_count", glue_irecv_negative_count, MPI_ERR_COUNT, NULL},
    {"ompc_isend_bad_rank", glue_isend_bad_rank, MPI_ERR_RANK, NULL},
    {"ompc_drive_end_not_driving", glue_drive_end_not_driving, MPI_ERR_OTHER, "ompc_drive_end"},
    {"ompc_drive_step_not_driving", glue_drive_step_not_driving, MPI_ERR_OTHER, "ompc_drive_step"},
    {"ompc_drive_end_after_the_pair", glue_drive_end_twice, MPI_ERR_OTHER, "ompc_drive_end"},
    /* valid edges */
    {"valid_continue_on_request_null", cont_on_request_null, MPI_SUCCESS, NULL},
    {"valid_continueall_request_null_array", all_request_null_array, MPI_SUCCESS, NULL},
    {"valid_continueall_count_zero", all_count_zero, MPI_SUCCESS, NULL},
    {"valid_get_failed_zero_size_buffer", get_failed_zero_size, MPI_SUCCESS, NULL},
    {"valid_ompc_bindall_request_null", glue_bindall_request_null, MPI_SUCCESS, NULL},
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

/* ------------------------------------------------------------ still works */

static void still_works(void)
{
    assert_continuations_work();

    /* omp-glue: a detached receive task completes when the message comes. */
    int got = 0, seen = -1, tag = new_tag();
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: got) shared(got)
        ompc_irecv(&got, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task depend(in: got) shared(got, seen)
        seen = got;
#pragma omp task shared(tag)
        {
            int v = 29;
            MPI_Send(&v, 1, MPI_INT, ME, tag, MPI_COMM_WORLD);
        }
    }
    cr_assert_eq(seen, 29, "the task after the detached receive saw %d", seen);
    cr_assert_eq(ompc_pending(), 0);
}

/* ------------------------------------------------------------ the tests */

static void run_row(int i)
{
    const row_t *row = &rows[i];
    setup_row();
    cont_stats_t before = stats_now();
    int rc = row->call();
    cont_stats_t after = stats_now();
    if (row->cls == MPI_SUCCESS) {
        cr_assert_eq(rc, MPI_SUCCESS, "%s: returned %d (%s)", row->name, rc, cont_last_error());
        cr_assert_eq(atomic_load(&handler_calls), 0, "%s: the error handler was called", row->name);
    } else {
        cr_assert_neq(rc, MPI_SUCCESS, "%s: returned MPI_SUCCESS", row->name);
        cr_assert_eq(error_class(rc), row->cls, "%s: error class %d, expected %d (%s)", row->name,
                     error_class(rc), row->cls, cont_last_error());
        cr_assert_eq(atomic_load(&handler_calls), 1, "%s: the error handler was called %d times",
                     row->name, atomic_load(&handler_calls));
        cr_assert_eq(atomic_load(&handler_code), rc, "%s: the handler saw %d, the call returned %d",
                     row->name, atomic_load(&handler_code), rc);
        if (row->fn)
            cr_assert(strstr(cont_last_error(), row->fn) && strstr(cont_last_error(), "libcont"),
                      "%s: message '%s' does not name %s", row->name, cont_last_error(), row->fn);
        cr_assert_eq(atomic_load(&ran), 0, "%s: a callback of a refused call ran", row->name);
        cr_assert_eq(after.registered - before.registered, (unsigned long long)good,
                     "%s: %llu registered, the row's valid calls account for %d", row->name,
                     after.registered - before.registered, good);
    }
    cr_assert_eq(ompc_pending(), 0, "%s: %ld omp-glue bindings left pending", row->name,
                 ompc_pending());
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS, "%s: the row's CR", row->name);
    MPI_Request_free(&cr);
    still_works();
}

static int *row_indices(void)
{
    static int idx[NROWS];
    for (int i = 0; i < NROWS; i++)
        idx[i] = i;
    return idx;
}

#define ROW_SUITE(suite, initfn)                                                        \
    TestSuite(suite, .init = initfn, .fini = fini_mpi, .timeout = SUITE_TIMEOUT);       \
    ParameterizedTestParameters(suite, row) { return cr_make_param_array(int, row_indices(), NROWS); } \
    ParameterizedTest(int *i, suite, row) { run_row(*i); }

ROW_SUITE(bad_input, init_pt)
ROW_SUITE(bad_input_nopt, init_nopt)

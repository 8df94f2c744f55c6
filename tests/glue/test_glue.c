/* omp-glue unit tests (MPI singleton mode, self messages): detached tasks
 * fulfilled on completion, early and late, 1/2/4 threads, thousands
 * outstanding, taskwait/taskgroup/barrier, statuses and the error path.
 * Each suite runs with and without libcont's progress thread. */
#include "omp-continue.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void init_common(const char *pt)
{
    setenv("CONT_VERBOSE", "0", 1);
    setenv("CONT_PROGRESS_THREAD", pt, 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    cr_assert_eq(provided, MPI_THREAD_MULTIPLE);
}
static void init_pt(void) { init_common("auto"); }
static void init_nopt(void) { init_common("off"); }
static void fini(void) { MPI_Finalize(); }

TestSuite(glue, .init = init_pt, .fini = fini, .timeout = 60);
TestSuite(glue_nopt, .init = init_nopt, .fini = fini, .timeout = 60);

#define NMSG 2000

/* Receives posted first (late fulfilment: nothing has arrived), sends come
 * from later tasks; each consumer checks its own payload.  driven: the
 * creating thread drives progress (ompc_drive_begin/end); with one thread
 * nothing may be pending when ompc_drive_end returns. */
static void late_fulfilment_run(int nthreads, int driven)
{
    static int inbox[NMSG], outbox[NMSG], seen[NMSG];
    memset(seen, 0, sizeof seen);
    int bad = 0, rc_begin = MPI_SUCCESS, rc_end = MPI_SUCCESS;
    long left = 0;
#pragma omp parallel num_threads(nthreads)
#pragma omp single
    {
        if (driven)
            rc_begin = ompc_drive_begin();
        for (int i = 0; i < NMSG; i++) {
            omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: inbox[i]) firstprivate(i)
            ompc_irecv(&inbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task depend(in: inbox[i]) firstprivate(i) shared(bad)
            {
                if (inbox[i] != 7 * i + 1) {
#pragma omp atomic
                    bad++;
                }
                seen[i]++;
            }
        }
        for (int i = NMSG - 1; i >= 0; i--) {
            omp_event_handle_t ev;
            outbox[i] = 7 * i + 1;
#pragma omp task detach(ev) firstprivate(i)
            ompc_isend(&outbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, ev);
        }
        if (driven) {
            rc_end = ompc_drive_end();
            left = nthreads == 1 ? ompc_pending() : 0;
        }
#pragma omp taskwait
    }
    cr_assert_eq(rc_begin, MPI_SUCCESS);
    cr_assert_eq(rc_end, MPI_SUCCESS);
    cr_assert_eq(left, 0, "%ld bindings pending when ompc_drive_end returned", left);
    cr_assert_eq(bad, 0, "%d consumers saw a wrong payload", bad);
    for (int i = 0; i < NMSG; i++)
        cr_assert_eq(seen[i], 1, "consumer %d ran %d times", i, seen[i]);
    cr_assert_eq(ompc_pending(), 0);
}

static void late_fulfilment(int nthreads) { late_fulfilment_run(nthreads, 0); }
static void driven_late_fulfilment(int nthreads) { late_fulfilment_run(nthreads, 1); }

Test(glue, late_fulfilment_1_thread) { late_fulfilment(1); }
Test(glue, late_fulfilment_2_threads) { late_fulfilment(2); }
Test(glue, late_fulfilment_4_threads) { late_fulfilment(4); }
Test(glue_nopt, late_fulfilment_1_thread) { late_fulfilment(1); }
Test(glue_nopt, late_fulfilment_2_threads) { late_fulfilment(2); }
Test(glue_nopt, late_fulfilment_4_threads) { late_fulfilment(4); }

Test(glue, driven_late_fulfilment_1_thread) { driven_late_fulfilment(1); }
Test(glue, driven_late_fulfilment_4_threads) { driven_late_fulfilment(4); }
Test(glue_nopt, driven_late_fulfilment_1_thread) { driven_late_fulfilment(1); }
Test(glue_nopt, driven_late_fulfilment_2_threads) { driven_late_fulfilment(2); }

/* Pairs nest on a thread: only the outermost end waits. */
Test(glue, drive_pairs_nest)
{
    int rcs[4];
    long left = -1;
    static int box, out = 42;
#pragma omp parallel num_threads(1)
    {
        rcs[0] = ompc_drive_begin();
        rcs[1] = ompc_drive_begin();
        omp_event_handle_t ev, sev;
#pragma omp task detach(ev) depend(out: box)
        ompc_irecv(&box, 1, MPI_INT, 0, 77, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task detach(sev)
        ompc_isend(&out, 1, MPI_INT, 0, 77, MPI_COMM_WORLD, sev);
        rcs[2] = ompc_drive_end();   /* inner: does not wait */
        rcs[3] = ompc_drive_end();
        left = ompc_pending();
    }
    for (int i = 0; i < 4; i++)
        cr_assert_eq(rcs[i], MPI_SUCCESS, "call %d returned %d", i, rcs[i]);
    cr_assert_eq(left, 0);
    cr_assert_eq(box, 42);
}

/* ompc_drive_end / ompc_drive_step on a thread that is not driving:
 * MPI_ERR_OTHER through the error handler, nothing else changes. */
Test(glue, drive_end_without_begin_is_an_error)
{
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rc = ompc_drive_end(), cls = -1;
    MPI_Error_class(rc, &cls);
    cr_assert_eq(cls, MPI_ERR_OTHER, "class %d", cls);
    cr_assert(strstr(cont_last_error(), "ompc_drive_end") != NULL, "message: %s",
              cont_last_error());
    rc = ompc_drive_step();
    MPI_Error_class(rc, &cls);
    cr_assert_eq(cls, MPI_ERR_OTHER, "ompc_drive_step outside a drive: class %d", cls);
    cr_assert(strstr(cont_last_error(), "ompc_drive_step") != NULL, "message: %s",
              cont_last_error());
    cr_assert_eq(ompc_drive_begin(), MPI_SUCCESS);
    cr_assert_eq(ompc_drive_step(), MPI_SUCCESS);
    cr_assert_eq(ompc_drive_end(), MPI_SUCCESS);
    cr_assert_eq(ompc_drive_end() != MPI_SUCCESS, 1, "the pair ended; a third end is an error again");
}

/* The message is there before the detached task binds its receive: the
 * event is fulfilled inside the task body. */
static void early_fulfilment(int nthreads)
{
    static int inbox[NMSG], outbox[NMSG];
    static MPI_Request sends[NMSG];
    /* (MPICH 4.0.2 loses self messages whose Isend request was freed, and
     * its MPI_Iprobe sees only one queued self message: keep the requests.) */
    for (int i = 0; i < NMSG; i++) {
        outbox[i] = i * 3;
        MPI_Isend(&outbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, &sends[i]);
    }
    int sum = 0;
#pragma omp parallel num_threads(nthreads)
#pragma omp single
    for (int i = 0; i < NMSG; i++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: inbox[i]) firstprivate(i)
        ompc_irecv(&inbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task depend(in: inbox[i]) firstprivate(i) shared(sum)
        {
#pragma omp atomic
            sum += inbox[i] == i * 3;
        }
    }
    MPI_Waitall(NMSG, sends, MPI_STATUSES_IGNORE);
    cr_assert_eq(sum, NMSG);
}

Test(glue, early_fulfilment_1_thread) { early_fulfilment(1); }
Test(glue, early_fulfilment_4_threads) { early_fulfilment(4); }
Test(glue_nopt, early_fulfilment_2_threads) { early_fulfilment(2); }

/* A chain: the consumer of message i sends message i+1 to self. */
static void chain(int nthreads, int hops)
{
    static int box[2];
    int value = 0, steps = 0;
#pragma omp parallel num_threads(nthreads)
#pragma omp single
    {
        for (int i = 0; i < hops; i++) {
            omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: box[i % 2]) firstprivate(i)
            ompc_irecv(&box[i % 2], 1, MPI_INT, 0, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task depend(in: box[i % 2]) depend(inout: value) firstprivate(i) shared(value, steps)
            {
                value = box[i % 2];
                steps++;
                if (i + 1 < hops) {
                    int next = value + 1;
                    MPI_Send(&next, 1, MPI_INT, 0, i + 1, MPI_COMM_WORLD);
                }
            }
        }
        int first = 0;
        MPI_Send(&first, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    cr_assert_eq(steps, hops);
    cr_assert_eq(value, hops - 1);
}

Test(glue, chain_5000_hops_2_threads) { chain(2, 5000); }
Test(glue_nopt, chain_5000_hops_2_threads) { chain(2, 5000); }
Test(glue_nopt, chain_2000_hops_1_thread) { chain(1, 2000); }

/* taskgroup and barrier wait for detached tasks too. */
Test(glue, taskgroup_and_barrier_wait_for_detached_tasks)
{
    static int inbox[64], outbox[64];
    int arrived = 0;
#pragma omp parallel num_threads(2) shared(arrived)
    {
#pragma omp single
        {
#pragma omp taskgroup
            {
                for (int i = 0; i < 32; i++) {
                    omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(i)
                    ompc_irecv(&inbox[i], 1, MPI_INT, 0, 100 + i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
                }
                for (int i = 0; i < 32; i++) {
                    outbox[i] = i;
                    MPI_Send(&outbox[i], 1, MPI_INT, 0, 100 + i, MPI_COMM_WORLD);
                }
            }
            for (int i = 0; i < 32; i++)
                arrived += inbox[i] == i;
            for (int i = 32; i < 64; i++) {
                omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(i)
                ompc_irecv(&inbox[i], 1, MPI_INT, 0, 100 + i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
            }
            for (int i = 32; i < 64; i++) {
                outbox[i] = i;
                MPI_Send(&outbox[i], 1, MPI_INT, 0, 100 + i, MPI_COMM_WORLD);
            }
        }   /* implicit barrier of single: waits for the detached tasks */
#pragma omp single
        for (int i = 32; i < 64; i++)
            arrived += inbox[i] == i;
    }
    cr_assert_eq(arrived, 64);
}

/* Statuses are filled before the dependents run. */
Test(glue, status_is_filled_before_dependents_run)
{
    int buf[4] = {0}, out[3] = {5, 6, 7}, count = -1, src = -1, tag = -1;
    MPI_Status st;
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: buf) shared(buf, st)
        ompc_irecv(buf, 4, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st, ev);
#pragma omp task depend(in: buf) shared(st, count, src, tag)
        {
            MPI_Get_count(&st, MPI_INT, &count);
            src = st.MPI_SOURCE;
            tag = st.MPI_TAG;
        }
        MPI_Send(out, 3, MPI_INT, 0, 42, MPI_COMM_WORLD);
    }
    cr_assert_eq(count, 3);
    cr_assert_eq(src, 0);
    cr_assert_eq(tag, 42);
    cr_assert_eq(buf[2], 7);
}

/* ompc_bindall over several requests, with a null entry. */
Test(glue, bindall_fulfils_after_the_last_request)
{
    int in[3] = {0}, out[3] = {1, 2, 3}, total = 0;
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: in) shared(in)
        {
            MPI_Request r[4];
            for (int i = 0; i < 3; i++)
                MPI_Irecv(&in[i], 1, MPI_INT, 0, 200 + i, MPI_COMM_WORLD, &r[i]);
            r[3] = MPI_REQUEST_NULL;
            ompc_bindall(4, r, MPI_STATUSES_IGNORE, ev);
            cr_assert_eq(r[0], MPI_REQUEST_NULL);
        }
#pragma omp task depend(in: in) shared(in, total)
        total = in[0] + in[1] + in[2];
        for (int i = 2; i >= 0; i--)
            MPI_Send(&out[i], 1, MPI_INT, 0, 200 + i, MPI_COMM_WORLD);
    }
    cr_assert_eq(total, 6);
}

/* Error path, with a status: the event is fulfilled (no hang), the status
 * holds the error, and the failure is counted. */
Test(glue, failed_receive_with_status_reports_the_error)
{
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int small = 0, big[4] = {1, 2, 3, 4}, err = MPI_SUCCESS, cls = MPI_SUCCESS;
    MPI_Status st;
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: small) shared(small, st)
        ompc_irecv(&small, 1, MPI_INT, 0, 300, MPI_COMM_WORLD, &st, ev);
#pragma omp task depend(in: small) shared(st, err)
        err = st.MPI_ERROR;
        MPI_Send(big, 4, MPI_INT, 0, 300, MPI_COMM_WORLD);
    }
    MPI_Error_class(err, &cls);
    cr_assert_eq(cls, MPI_ERR_TRUNCATE, "status error class %d", cls);
    cr_assert_eq(ompc_failures(), 1);
}

/* Error path, without a status: nobody could check, so omp-glue raises the
 * error through MPI_COMM_WORLD's handler (the default one aborts).  A
 * counting handler tells the calls apart: MPICH raises the truncation once
 * itself; the strict binding raises it once more, the checked one does not. */
static int handler_calls;
static void count_calls(MPI_Comm *comm, int *code, ...)
{
    (void)comm, (void)code;
    handler_calls++;
}

static int truncated_receive(int with_status)
{
    int small = 0, big[4] = {1, 2, 3, 4}, before = handler_calls;
    MPI_Status st;
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) shared(small, st)
        ompc_irecv(&small, 1, MPI_INT, 0, 301, MPI_COMM_WORLD, with_status ? &st : MPI_STATUS_IGNORE, ev);
        MPI_Send(big, 4, MPI_INT, 0, 301, MPI_COMM_WORLD);
    }
    return handler_calls - before;
}

Test(glue, failed_receive_without_status_raises_the_error_handler)
{
    MPI_Errhandler eh;
    MPI_Comm_create_errhandler(count_calls, &eh);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh);
    int checked = truncated_receive(1), strict = truncated_receive(0);
    cr_assert_eq(strict, checked + 1, "handler calls: checked %d, strict %d", checked, strict);
    cr_assert_eq(ompc_failures(), 2);
}

/* Bad arguments: the error of the call, the event untouched, nothing left
 * pending. */
Test(glue, bad_arguments_register_nothing)
{
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int cls, rc;
    MPI_Request r[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
#pragma omp parallel num_threads(2)
#pragma omp single
    {
        omp_event_handle_t ev;
#pragma omp task detach(ev) shared(rc, r)
        {
            rc = ompc_bindall(-1, r, MPI_STATUSES_IGNORE, ev);
            omp_fulfill_event(ev);   /* the application's own clean-up */
        }
    }
    MPI_Error_class(rc, &cls);
    cr_assert_eq(cls, MPI_ERR_COUNT);
    cr_assert_eq(ompc_pending(), 0);
}

/* Below MPI_THREAD_MULTIPLE nothing else may call MPI: a bind completes its
 * operations before it returns (the message must already be on its way). */
static void init_serialized(void)
{
    setenv("CONT_VERBOSE", "0", 1);
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    cr_assert_lt(provided, MPI_THREAD_MULTIPLE);
    cr_assert_eq(cont_has_progress_thread(), 0);
}
TestSuite(glue_serialized, .init = init_serialized, .fini = fini, .timeout = 60);

Test(glue_serialized, bind_completes_before_returning)
{
    enum { N = 500 };
    static int inbox[N], outbox[N];
    static MPI_Request sends[N];
    for (int i = 0; i < N; i++) {
        outbox[i] = i + 11;
        MPI_Isend(&outbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, &sends[i]);
    }
    int sum = 0, left_pending = 0;
#pragma omp parallel num_threads(2)
#pragma omp single
    for (int i = 0; i < N; i++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: inbox[i]) firstprivate(i) shared(left_pending)
        {
#pragma omp critical(mpi)   /* the application serialises MPI calls */
            {
                ompc_irecv(&inbox[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
                left_pending += ompc_pending() != 0;
            }
        }
#pragma omp task depend(in: inbox[i]) firstprivate(i) shared(sum)
        {
#pragma omp atomic
            sum += inbox[i] == i + 11;
        }
    }
    MPI_Waitall(N, sends, MPI_STATUSES_IGNORE);
    cr_assert_eq(sum, N);
    cr_assert_eq(left_pending, 0);
}

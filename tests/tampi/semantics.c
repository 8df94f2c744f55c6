/* Each TAMPI call's semantics on libcont (TAMPI.h), 2 ranks, checked on
 * rank 0; rank 1 sends only when told, so what rank 0 observes is ordered:
 *  - binding: a task's body returns before its receive can complete (rank
 *    1 sends only after a message that rank 0 sends once that body ended),
 *    and the task's dependent runs only after it completed, with the data
 *    and the status (source, tag) in place;
 *  - several bindings in one task (TAMPI_Irecv x2 + TAMPI_Iwaitall of 2)
 *    add up: the dependent sees all four;
 *  - TAMPI_Iwait sets the caller's handle to MPI_REQUEST_NULL at once;
 *  - outside a task a call waits (the data is there when it returns);
 *  - collectives bound to tasks (TAMPI 4's TAMPI_Ibcast / TAMPI_Iallreduce,
 *    TAMPI 3's wrappers of them): the dependent sees the result;
 *  - bad arguments return the MPI error class (MPI_ERRORS_RETURN): NULL
 *    request, negative count, a request libcont already owns;
 *  - properties: the modes, read-only ones refused, AUTO_INIT refused
 *    after MPI_Init, unknown ones refused, THREAD_TASKAWARE per thread;
 *  - the level told: MPI_THREAD_MULTIPLE asked and told; with
 *    `semantics task-multiple` MPI_TASK_MULTIPLE is asked and the program
 *    is told MPI_TASK_MULTIPLE exactly when it runs under contrun (the
 *    blocking mode), MPI_Query_thread agreeing.
 * Prints "tampi-semantics: OK (N checks)" or each failed check; exit 0/1.
 * Usage: semantics [task-multiple] (2 ranks; any number of threads). */
#include <TAMPI.h>
#include <mpi-continue.h>
#include <mpi.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int checks, failures;   /* CHECK runs in tasks on any thread */

#define CHECK(cond, ...)                                         \
    do {                                                         \
        checks++;                                                \
        if (!(cond)) {                                           \
            failures++;                                          \
            printf("tampi-semantics: FAIL: " __VA_ARGS__);       \
            printf("\n");                                        \
        }                                                        \
    } while (0)

enum { T_GO = 1, T_DATA = 2, T_MANY = 10, T_OUT = 20, T_GO2 = 30, T_OWNED = 40 };

static int noop(int rc, void *data)
{
    (void)data;
    return rc;
}

static void recv_int(int *v, int src, int tag, MPI_Status *st)
{
#if TAMPI_VERSION_MAJOR == 3
    MPI_Request r;
    MPI_Irecv(v, 1, MPI_INT, src, tag, MPI_COMM_WORLD, &r);
    TAMPI_Iwait(&r, st);
    CHECK(r == MPI_REQUEST_NULL, "TAMPI_Iwait left the request handle set");
#else
    TAMPI_Irecv(v, 1, MPI_INT, src, tag, MPI_COMM_WORLD, st);
#endif
}

/* Rank 0: the body of the receiving task ends, then (another task) tells
 * rank 1 to send; the dependent checks what arrived. */
static void binding(void)
{
    static int x, many[4];
    static MPI_Status st, sts[4];
    atomic_int body_done = 0;
    int seen_x = -1, seen_src = -1, seen_tag = -1, seen_many[4] = {-1, -1, -1, -1};
#pragma omp parallel
#pragma omp single
    {
#pragma omp task depend(out: x) shared(body_done)
        {
            recv_int(&x, 1, T_DATA, &st);
            atomic_fetch_add(&body_done, 1);
        }
#pragma omp task depend(out: many) shared(body_done)
        {
            recv_int(&many[0], 1, T_MANY + 0, &sts[0]);
            recv_int(&many[1], 1, T_MANY + 1, &sts[1]);
            MPI_Request r[2];
            MPI_Irecv(&many[2], 1, MPI_INT, 1, T_MANY + 2, MPI_COMM_WORLD, &r[0]);
            MPI_Irecv(&many[3], 1, MPI_INT, 1, T_MANY + 3, MPI_COMM_WORLD, &r[1]);
            TAMPI_Iwaitall(2, r, &sts[2]);
            CHECK(r[0] == MPI_REQUEST_NULL && r[1] == MPI_REQUEST_NULL,
                  "TAMPI_Iwaitall left request handles set");
            atomic_fetch_add(&body_done, 1);
        }
        /* No dependence: runs while the receives are pending, and only
         * then lets rank 1 send.  A body that waited would never end. */
#pragma omp task shared(body_done)
        {
            while (atomic_load(&body_done) < 2) {
#pragma omp taskyield
            }
            int go = 1;
            MPI_Send(&go, 1, MPI_INT, 1, T_GO, MPI_COMM_WORLD);
        }
#pragma omp task depend(in: x) shared(seen_x, seen_src, seen_tag)
        {
            seen_x = x;
            seen_src = st.MPI_SOURCE;
            seen_tag = st.MPI_TAG;
        }
#pragma omp task depend(in: many) shared(seen_many)
        memcpy(seen_many, many, sizeof many);
    }
    CHECK(seen_x == 42, "the dependent ran before the bound receive completed (saw %d)", seen_x);
    CHECK(seen_src == 1 && seen_tag == T_DATA, "status not filled before the dependent ran "
          "(source %d tag %d)", seen_src, seen_tag);
    for (int i = 0; i < 4; i++)
        CHECK(seen_many[i] == 100 + i, "binding %d of 4 in one task: dependent saw %d", i,
              seen_many[i]);
    for (int i = 0; i < 4; i++)
        CHECK(sts[i].MPI_TAG == T_MANY + i, "status %d of 4: tag %d", i, sts[i].MPI_TAG);
}

/* Outside any task the call waits: the data is there on return. */
static void outside(void)
{
    int go = 1, v = -1;
    MPI_Send(&go, 1, MPI_INT, 1, T_GO2, MPI_COMM_WORLD);
    MPI_Status st;
    recv_int(&v, 1, T_OUT, &st);
    CHECK(v == 7 && st.MPI_TAG == T_OUT, "outside a task the call did not wait (v %d)", v);
}

static void bad_arguments(void)
{
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int cls;
    MPI_Error_class(TAMPI_Iwait(NULL, MPI_STATUS_IGNORE), &cls);
    CHECK(cls == MPI_ERR_ARG, "TAMPI_Iwait(NULL): class %d", cls);
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_Error_class(TAMPI_Iwaitall(-1, &r, MPI_STATUSES_IGNORE), &cls);
    CHECK(cls == MPI_ERR_COUNT, "TAMPI_Iwaitall(-1): class %d", cls);
    MPI_Error_class(TAMPI_Iwaitall(1, NULL, MPI_STATUSES_IGNORE), &cls);
    CHECK(cls == MPI_ERR_ARG, "TAMPI_Iwaitall(1, NULL): class %d", cls);
    CHECK(TAMPI_Iwait(&r, MPI_STATUS_IGNORE) == MPI_SUCCESS, "TAMPI_Iwait(MPI_REQUEST_NULL)");
    CHECK(TAMPI_Iwaitall(0, NULL, MPI_STATUSES_IGNORE) == MPI_SUCCESS, "TAMPI_Iwaitall(0)");
    /* a persistent request libcont already has a continuation on (rank 1
     * sends its message last; no self-message: MPICH 4.0.2 can lose one) */
    int v = 0;
    MPI_Request p;
    MPI_Recv_init(&v, 1, MPI_INT, 1, T_OWNED, MPI_COMM_WORLD, &p);
    MPI_Start(&p);
    MPI_Request cr;
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr);
    MPI_Start(&cr);
    MPIX_Continue(&p, noop, NULL, 0, MPI_STATUS_IGNORE, cr);
    int got = -1;
#pragma omp parallel num_threads(1)
#pragma omp single
#pragma omp task shared(got, p)
    got = TAMPI_Iwait(&p, MPI_STATUS_IGNORE);
    MPI_Error_class(got, &cls);
    CHECK(cls == MPI_ERR_REQUEST, "TAMPI_Iwait on a request libcont owns: class %d", cls);
    int go = 1;
    MPI_Send(&go, 1, MPI_INT, 1, T_GO2 + 1, MPI_COMM_WORLD);
    MPI_Wait(&cr, MPI_STATUS_IGNORE);
    CHECK(v == 8, "the owned request's message: %d", v);
    MPI_Request_free(&cr);
    MPI_Request_free(&p);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

static void properties(int expect_blocking)
{
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int v = -1, cls;
    TAMPI_Property_get(TAMPI_PROPERTY_NONBLOCKING_MODE, &v);
    CHECK(v == 1, "non-blocking mode %d, expected on", v);
    TAMPI_Nonblocking_enabled(&v);
    CHECK(v == 1, "TAMPI_Nonblocking_enabled %d", v);
    TAMPI_Blocking_enabled(&v);
    CHECK(v == expect_blocking, "blocking mode %d, expected %d", v, expect_blocking);
    TAMPI_Property_get(TAMPI_PROPERTY_AUTO_INIT, &v);
    CHECK(v == 1, "AUTO_INIT %d", v);
    MPI_Error_class(TAMPI_Property_set(TAMPI_PROPERTY_BLOCKING_MODE, 1), &cls);
    CHECK(cls == MPI_ERR_ARG, "setting BLOCKING_MODE: class %d", cls);
    MPI_Error_class(TAMPI_Property_set(TAMPI_PROPERTY_NONBLOCKING_MODE, 0), &cls);
    CHECK(cls == MPI_ERR_ARG, "setting NONBLOCKING_MODE: class %d", cls);
    MPI_Error_class(TAMPI_Property_set(TAMPI_PROPERTY_AUTO_INIT, 0), &cls);
    CHECK(cls == MPI_ERR_ARG, "setting AUTO_INIT after MPI_Init: class %d", cls);
    MPI_Error_class(TAMPI_Property_set(0x77, 1), &cls);
    CHECK(cls == MPI_ERR_ARG, "setting an unknown property: class %d", cls);
    MPI_Error_class(TAMPI_Property_get(0x77, &v), &cls);
    CHECK(cls == MPI_ERR_ARG, "getting an unknown property: class %d", cls);
    MPI_Error_class(TAMPI_Property_get(TAMPI_PROPERTY_AUTO_INIT, NULL), &cls);
    CHECK(cls == MPI_ERR_ARG, "getting into NULL: class %d", cls);
    TAMPI_Property_get(TAMPI_PROPERTY_THREAD_TASKAWARE, &v);
    CHECK(v == 1, "THREAD_TASKAWARE default %d", v);
    TAMPI_Property_set(TAMPI_PROPERTY_THREAD_TASKAWARE, 0);
    int other = -1;
#pragma omp parallel num_threads(2) shared(other)
    if (omp_get_thread_num() == 1)
        TAMPI_Property_get(TAMPI_PROPERTY_THREAD_TASKAWARE, &other);
    TAMPI_Property_get(TAMPI_PROPERTY_THREAD_TASKAWARE, &v);
    CHECK(v == 0 && (other == 1 || omp_get_max_threads() < 2),
          "THREAD_TASKAWARE is per thread (here %d, another thread %d)", v, other);
    TAMPI_Property_set(TAMPI_PROPERTY_THREAD_TASKAWARE, 1);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

/* Both ranks: a broadcast and an allreduce, each bound to its task; the
 * dependent checks the result (both ranks enter them after the
 * point-to-point part, in the same order). */
static void collectives(int rank)
{
    static int b, sum;
    int seen_b = -1, seen_sum = -1;
#pragma omp parallel
#pragma omp single
    {
#pragma omp task depend(out: b)
        {
            b = rank == 0 ? 77 : 0;
#if TAMPI_VERSION_MAJOR == 3
            MPI_Request r;
            TAMPI_Ibcast(&b, 1, MPI_INT, 0, MPI_COMM_WORLD, &r);
#else
            TAMPI_Ibcast(&b, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
        }
        /* after the broadcast (its task completes when it did): collectives
         * must be started in the same order on every rank */
#pragma omp task depend(out: sum) depend(in: b)
        {
            static int mine;
            mine = rank + 1;
#if TAMPI_VERSION_MAJOR == 3
            MPI_Request r;
            TAMPI_Iallreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &r);
#else
            TAMPI_Iallreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
#endif
        }
#pragma omp task depend(in: b, sum) shared(seen_b, seen_sum)
        {
            seen_b = b;
            seen_sum = sum;
        }
    }
    /* on rank 1 the broadcast's buffer changes only when it completes; the
     * job fails if a check fails there (exit status) */
    CHECK(seen_b == 77, "rank %d: the broadcast's dependent saw %d", rank, seen_b);
    CHECK(seen_sum == 3, "rank %d: the allreduce's dependent saw %d", rank, seen_sum);
}

/* Rank 1: each send only once rank 0 says so. */
static void sender(void)
{
    int go;
    MPI_Recv(&go, 1, MPI_INT, 0, T_GO, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int x = 42;
    MPI_Send(&x, 1, MPI_INT, 0, T_DATA, MPI_COMM_WORLD);
    for (int i = 0; i < 4; i++) {
        int v = 100 + i;
        MPI_Send(&v, 1, MPI_INT, 0, T_MANY + i, MPI_COMM_WORLD);
    }
    MPI_Recv(&go, 1, MPI_INT, 0, T_GO2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int v = 7;
    MPI_Send(&v, 1, MPI_INT, 0, T_OUT, MPI_COMM_WORLD);
    MPI_Recv(&go, 1, MPI_INT, 0, T_GO2 + 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    v = 8;
    MPI_Send(&v, 1, MPI_INT, 0, T_OWNED, MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    int task_multiple = argc > 1 && !strcmp(argv[1], "task-multiple");
    int required = task_multiple ? MPI_TASK_MULTIPLE : MPI_THREAD_MULTIPLE, provided = -1;
    MPI_Init_thread(&argc, &argv, required, &provided);
    int rank, size, queried = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Query_thread(&queried);
    const char *pre = getenv("LD_PRELOAD");
    int under_contrun = pre && strstr(pre, "libcontrun");
    int expect_blocking = task_multiple && under_contrun;
    int expect = expect_blocking ? MPI_TASK_MULTIPLE : MPI_THREAD_MULTIPLE;
    CHECK(provided == expect, "asked %d, told %d, expected %d", required, provided, expect);
    CHECK(queried == provided, "MPI_Query_thread says %d, MPI_Init_thread said %d", queried,
          provided);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "tampi-semantics: run with 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == 0) {
        binding();
        outside();
        bad_arguments();
        collectives(rank);
        properties(expect_blocking);
        if (failures)
            printf("tampi-semantics: FAIL: %d of %d checks\n", failures, checks);
        else
            printf("tampi-semantics: OK (%d checks, TAMPI %d calls, %d threads, %s)\n", checks,
                   TAMPI_VERSION_MAJOR, omp_get_max_threads(),
                   under_contrun ? "contrun" : "linked");
    } else {
        sender();
        collectives(rank);
    }
    MPI_Finalize();
    return failures != 0;
}

/* MPI_THREAD_MULTIPLE: several application threads register continuations
 * on self-messages at once (each on its own CR, or all on one), with and
 * without a progress thread.  Every callback runs exactly once and every CR
 * completes. */
#include "common.h"

TestSuite(threads, .init = init_pt, .fini = fini_mpi, .timeout = 90);
TestSuite(threads_nopt, .init = init_nopt, .fini = fini_mpi, .timeout = 90);

enum { NT = 4, PER = 20000, TOTAL = NT * PER };

static atomic_int runs[TOTAL];
static atomic_int wrong_thread, api_errors;
static MPI_Request shared_cr;
static pthread_barrier_t go;

typedef struct {
    int t;
    int tag;
    MPI_Request cr;       /* this thread's CR, or shared_cr */
    int own_cr;
    int poll_only;
    pthread_t self;
} worker_t;

typedef struct {
    atomic_int *slot;
    pthread_t owner;      /* set for POLL_ONLY CRs: who must run it */
    int check_owner;
} item_t;

static item_t items[TOTAL];

static int cb_item(int rc, void *d)
{
    item_t *it = d;
    if (rc != MPI_SUCCESS)
        atomic_fetch_add(&api_errors, 1);
    if (it->check_owner && !pthread_equal(it->owner, pthread_self()))
        atomic_fetch_add(&wrong_thread, 1);
    atomic_fetch_add(it->slot, 1);
    return MPI_SUCCESS;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    w->self = pthread_self();
    if (w->own_cr) {
        if (MPIX_Continue_init(w->poll_only ? MPIX_CONT_POLL_ONLY : 0, 0, MPI_INFO_NULL, &w->cr) ||
            MPI_Start(&w->cr))
            atomic_fetch_add(&api_errors, 1);
    } else {
        w->cr = shared_cr;
    }
    pthread_barrier_wait(&go);
    int buf[8];
    for (int i = 0; i < PER; i++) {
        int id = w->t * PER + i;
        item_t *it = &items[id];
        it->slot = &runs[id];
        it->owner = w->self;
        it->check_owner = w->poll_only;
        MPI_Request r;
        int err = MPI_Irecv(&buf[i % 8], 1, MPI_INT, ME, w->tag, MPI_COMM_WORLD, &r);
        if (i % 4 == 0) {   /* complete before registration */
            err |= MPI_Send(&id, 1, MPI_INT, ME, w->tag, MPI_COMM_WORLD);
            err |= MPIX_Continue(&r, cb_item, it, 0, MPI_STATUS_IGNORE, w->cr);
        } else {            /* complete after registration, racing the engine */
            err |= MPIX_Continue(&r, cb_item, it, 0, MPI_STATUS_IGNORE, w->cr);
            err |= MPI_Send(&id, 1, MPI_INT, ME, w->tag, MPI_COMM_WORLD);
        }
        if (err || r != MPI_REQUEST_NULL)
            atomic_fetch_add(&api_errors, 1);
        if (w->poll_only && i % 64 == 0) {   /* keep the ready list short */
            int flag;
            if (MPI_Test(&w->cr, &flag, MPI_STATUS_IGNORE))
                atomic_fetch_add(&api_errors, 1);
            if (flag && MPI_Start(&w->cr))
                atomic_fetch_add(&api_errors, 1);
        }
    }
    if (w->own_cr) {
        if (MPI_Wait(&w->cr, MPI_STATUS_IGNORE) || MPI_Request_free(&w->cr))
            atomic_fetch_add(&api_errors, 1);
    }
    return NULL;
}

static void run_workers(int own_cr, int poll_only)
{
    for (int i = 0; i < TOTAL; i++)
        atomic_store(&runs[i], 0);
    atomic_store(&wrong_thread, 0);
    atomic_store(&api_errors, 0);
    if (!own_cr)
        shared_cr = new_cr(0, 0);
    cont_stats_t s0 = stats_now();
    pthread_barrier_init(&go, NULL, NT);
    worker_t w[NT];
    pthread_t th[NT];
    for (int t = 0; t < NT; t++) {
        w[t] = (worker_t){.t = t, .tag = new_tag(), .own_cr = own_cr, .poll_only = poll_only};
        cr_assert_eq(pthread_create(&th[t], NULL, worker_main, &w[t]), 0);
    }
    for (int t = 0; t < NT; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&go);
    if (!own_cr) {
        cr_assert_eq(MPI_Wait(&shared_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
        cr_assert_eq(MPI_Request_free(&shared_cr), MPI_SUCCESS);
    }
    cr_assert_eq(atomic_load(&api_errors), 0, "%d MPI calls failed", atomic_load(&api_errors));
    int missing = 0, twice = 0, first_bad = -1;
    for (int i = 0; i < TOTAL; i++) {
        int n = atomic_load(&runs[i]);
        missing += n == 0;
        twice += n > 1;
        if (n != 1 && first_bad < 0)
            first_bad = i;
    }
    cr_assert_eq(missing + twice, 0, "%d callbacks never ran, %d ran more than once (first: %d)",
                 missing, twice, first_bad);
    cr_assert_eq(atomic_load(&wrong_thread), 0,
                 "%d POLL_ONLY callbacks ran outside their CR's testing thread",
                 atomic_load(&wrong_thread));
    cont_stats_t s1 = stats_now();
    cr_assert_eq(s1.registered - s0.registered, (unsigned long long)TOTAL);
    cr_assert_eq((s1.run_inline - s0.run_inline) + (s1.run_engine - s0.run_engine),
                 (unsigned long long)TOTAL);
    cr_assert_eq(s1.failed - s0.failed, 0);
}

TEST_BOTH(threads, four_threads_each_with_its_own_cr)
{
    run_workers(1, 0);
}

TEST_BOTH(threads, four_threads_sharing_one_cr)
{
    run_workers(0, 0);
}

TEST_BOTH(threads, four_threads_with_poll_only_crs_run_only_their_own_callbacks)
{
    run_workers(1, 1);
}

/* ------------------------------------------------------------ registration vs completion */

enum { RACE = 5000 };
static int race_bufs[RACE];
static int race_tags[RACE];
static atomic_int race_registered;

static void *race_sender(void *arg)
{
    /* send each message as soon as (or slightly before) its receive is
     * registered: completion races registration */
    for (int i = 0; i < RACE; i++) {
        while (atomic_load(&race_registered) < i - 1)
            ;
        MPI_Send(&i, 1, MPI_INT, ME, race_tags[i], MPI_COMM_WORLD);
    }
    return NULL;
}

TEST_BOTH(threads, completion_racing_registration_runs_each_once)
{
    for (int i = 0; i < RACE; i++) {
        atomic_store(&runs[i], 0);
        race_tags[i] = new_tag();
        race_bufs[i] = -1;
    }
    atomic_store(&race_registered, 0);
    MPI_Request cr = new_cr(0, 0);
    MPI_Request recvs[RACE];
    for (int i = 0; i < RACE; i++)
        post_recv(&race_bufs[i], 1, race_tags[i], &recvs[i]);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, race_sender, NULL), 0);
    for (int i = 0; i < RACE; i++) {
        cr_assert_eq(MPIX_Continue(&recvs[i], cb_count, &runs[i], 0, MPI_STATUS_IGNORE, cr),
                     MPI_SUCCESS);
        atomic_store(&race_registered, i + 1);
    }
    pthread_join(th, NULL);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    for (int i = 0; i < RACE; i++) {
        cr_assert_eq(atomic_load(&runs[i]), 1, "continuation %d ran %d times", i,
                     atomic_load(&runs[i]));
        cr_assert_eq(race_bufs[i], i);
    }
    MPI_Request_free(&cr);
}

/* ------------------------------------------------------------ threads testing CRs */

typedef struct {
    MPI_Request cr;
    int tag;
    atomic_int n;
    int ok;
} tester_t;

static void *test_loop(void *arg)
{
    tester_t *t = arg;
    int flag = 0;
    t->ok = 1;
    while (!flag)
        if (MPI_Test(&t->cr, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            t->ok = 0;
    return NULL;
}

TEST_BOTH(threads, threads_testing_different_crs_each_see_their_own_complete)
{
    enum { K = 4, M = 200 };
    tester_t t[K];
    static int bufs[K][M];
    for (int k = 0; k < K; k++) {
        t[k].cr = new_cr(0, 0);
        t[k].tag = new_tag();
        atomic_store(&t[k].n, 0);
        for (int i = 0; i < M; i++) {
            MPI_Request r;
            post_recv(&bufs[k][i], 1, t[k].tag, &r);
            cr_assert_eq(MPIX_Continue(&r, cb_count, &t[k].n, 0, MPI_STATUS_IGNORE, t[k].cr),
                         MPI_SUCCESS);
        }
    }
    pthread_t th[K];
    for (int k = 0; k < K; k++)
        cr_assert_eq(pthread_create(&th[k], NULL, test_loop, &t[k]), 0);
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++)
            send_self(i, 1, t[k].tag);
    for (int k = 0; k < K; k++) {
        pthread_join(th[k], NULL);
        cr_assert(t[k].ok);
        cr_assert_eq(atomic_load(&t[k].n), M, "CR %d completed after %d of %d", k,
                     atomic_load(&t[k].n), M);
        MPI_Request_free(&t[k].cr);
    }
}

/* ------------------------------------------------------------ registering while the owner tests */

enum { REG = 20000 };
static atomic_int reg_done;
static MPI_Request reg_cr;

static void *registrar(void *arg)
{
    int tag = *(int *)arg;
    int buf;
    for (int i = 0; i < REG; i++) {
        MPI_Request r = MPI_REQUEST_NULL;
        int err = 0;
        if (i % 8 == 0) {   /* some on a receive completed a moment later */
            err |= MPI_Irecv(&buf, 1, MPI_INT, ME, tag, MPI_COMM_WORLD, &r);
            err |= MPIX_Continue(&r, cb_count, &runs[i], 0, MPI_STATUS_IGNORE, reg_cr);
            err |= MPI_Send(&i, 1, MPI_INT, ME, tag, MPI_COMM_WORLD);
        } else {
            err |= MPIX_Continue(&r, cb_count, &runs[i], i % 3 ? 0 : MPIX_CONT_DEFER_COMPLETE,
                                 MPI_STATUS_IGNORE, reg_cr);
        }
        if (err)
            atomic_fetch_add(&api_errors, 1);
    }
    atomic_store(&reg_done, 1);
    return NULL;
}

static void check_reg_runs(void)
{
    int bad = 0, first = -1;
    for (int i = 0; i < REG; i++)
        if (atomic_load(&runs[i]) != 1) {
            bad++;
            if (first < 0)
                first = i;
        }
    cr_assert_eq(bad, 0, "%d continuations did not run exactly once (first %d ran %d times)", bad,
                 first, first >= 0 ? atomic_load(&runs[first]) : 0);
}

/* Registration is allowed at any time, also while the CR is inactive
 * between a completion and the next MPI_Start by its owner. */
TEST_BOTH(threads, registering_while_the_owner_tests_and_restarts_the_cr)
{
    for (int i = 0; i < REG; i++)
        atomic_store(&runs[i], 0);
    atomic_store(&reg_done, 0);
    atomic_store(&api_errors, 0);
    reg_cr = new_cr(0, 0);
    int tag = new_tag();
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, registrar, &tag), 0);
    while (!atomic_load(&reg_done)) {
        int flag = 0;
        cr_assert_eq(MPI_Test(&reg_cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
        if (flag)
            cr_assert_eq(MPI_Start(&reg_cr), MPI_SUCCESS);
    }
    pthread_join(th, NULL);
    cr_assert_eq(MPI_Wait(&reg_cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&api_errors), 0);
    check_reg_runs();
    cr_assert_eq(MPI_Request_free(&reg_cr), MPI_SUCCESS);
}

/* MPI_Testall with a CR and a pending receive completes the CR and gives it
 * back (all or nothing) on every call; registrations from another thread in
 * that window must neither be lost nor run twice. */
TEST_BOTH(threads, registering_while_the_owner_runs_testall_on_the_cr)
{
    for (int i = 0; i < REG; i++)
        atomic_store(&runs[i], 0);
    atomic_store(&reg_done, 0);
    atomic_store(&api_errors, 0);
    reg_cr = new_cr(0, 0);
    int tag = new_tag(), ptag = new_tag(), pbuf = 0;
    MPI_Request a[2] = {reg_cr, MPI_REQUEST_NULL};
    post_recv(&pbuf, 1, ptag, &a[1]);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, registrar, &tag), 0);
    while (!atomic_load(&reg_done)) {
        int flag = -1;
        cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
        cr_assert_eq(flag, 0);
    }
    pthread_join(th, NULL);
    send_self(1, 1, ptag);
    int flag = 0;
    POLL_WHILE(!flag)
        cr_assert_eq(MPI_Testall(2, a, &flag, MPI_STATUSES_IGNORE), MPI_SUCCESS);
    cr_assert_eq(flag, 1);
    cr_assert_eq(atomic_load(&api_errors), 0);
    check_reg_runs();
    cr_assert_eq(MPI_Request_free(&reg_cr), MPI_SUCCESS);
}

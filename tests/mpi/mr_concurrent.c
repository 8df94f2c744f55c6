/* mr_concurrent: many application threads registering continuations at once
 * while the progress thread completes them (MPI_THREAD_MULTIPLE).
 *
 * Each rank runs T threads.  Thread t sends N messages (tag t) to the right
 * neighbour and receives N messages (tag t) from the left neighbour, slot by
 * slot; slot i's receive carries the value ENC(left, t, i), which the
 * receiving callback checks (MPI's non-overtaking order makes slot i of the
 * receiver match slot i of the sender).  Per slot the thread picks one of
 * four registration patterns:
 *   0: MPIX_Continue on the receive (with a status) + MPIX_Continue on the send
 *   1: MPIX_Continueall {recv, MPI_REQUEST_NULL, send} with statuses
 *   2: MPIX_Continue on the send first, then on the receive (MPI_STATUS_IGNORE)
 *   3: MPIX_Continueall {MPI_REQUEST_NULL, send, recv} with MPI_STATUSES_IGNORE
 * with MPIX_CONT_DEFER_COMPLETE on every third slot, MPIX_CONT_IMMEDIATE or
 * MPIX_CONT_REQUESTS_FREE on some, registered with the thread's own CR (even
 * slots) or with one CR shared by all threads (odd slots).  At most W slots
 * per thread are in flight (the thread waits, without calling MPI, for the
 * callbacks of slot i-W: only the progress thread completes operations
 * during that phase).  The slots are split into R rounds; after each round
 * the thread waits on its own CR and restarts it.
 *
 * Every continuation has a unique id and its callback increments counts[id]
 * (atomically, as its last action).  Checks: rc and statuses (source, tag,
 * error) in every callback, payloads, DEFER_COMPLETE callbacks never run
 * inside their own MPIX_Continue[all], the operation handles are set to
 * MPI_REQUEST_NULL, after MPI_Wait on a thread's CR every continuation of
 * that round registered with it has run and returned, after MPI_Wait on the
 * shared CR every counts[id] == expected[id] exactly (1, or 0 for ids a
 * pattern does not use), libcont's counters agree, and no error is pending.
 *
 * Usage: mr_concurrent [-T threads] [-N slots per thread] [-W window] [-R rounds]
 */
#include "mr_common.h"

#include <unistd.h>

#define ENC(rank, t, i) (((rank) << 24) | ((t) << 20) | (i))

enum { K_RECV = 0, K_SEND = 1 };

struct thr;
typedef struct slot {
    struct thr *th;
    int i, pattern, flags;
    int sendval, recvval;
    MPI_Status st[3];
    atomic_int done;            /* callbacks of this slot that returned */
    int nconts;                 /* continuations of this slot */
} slot_t;

typedef struct thr {
    int t;
    pthread_t tid;
    MPI_Request cr;             /* this thread's own CR */
    slot_t *slots;
} thr_t;

static int rank, size, left, right, T = 4, N = 25000, W = 128, R = 2;
static MPI_Comm comm;
static MPI_Request shared_cr;
static atomic_int *counts;      /* per continuation id */
static unsigned char *expected; /* per continuation id: 0 or 1 */
static atomic_ullong n_registered;
static _Thread_local slot_t *registering;   /* slot whose MPIX_Continue* we are inside */

static int cid(int t, int i, int k)
{
    return (t * N + i) * 2 + k;
}

static void check_recv(slot_t *s, const MPI_Status *st)
{
    int want = ENC(left, s->th->t, s->i);
    CHECK(s->recvval == want, "thread %d slot %d: received 0x%x, expected 0x%x", s->th->t, s->i,
          s->recvval, want);
    if (st) {
        CHECK(st->MPI_SOURCE == left && st->MPI_TAG == s->th->t && st->MPI_ERROR == MPI_SUCCESS,
              "thread %d slot %d: recv status source %d tag %d error %d", s->th->t, s->i,
              st->MPI_SOURCE, st->MPI_TAG, st->MPI_ERROR);
        int n = -1;
        MPI_Get_count(st, MPI_INT, &n);
        CHECK(n == 1, "thread %d slot %d: recv count %d", s->th->t, s->i, n);
    }
}

static void common(slot_t *s, int rc, int k)
{
    CHECK(rc == MPI_SUCCESS, "thread %d slot %d: callback rc %d", s->th->t, s->i, rc);
    if (s->flags & MPIX_CONT_DEFER_COMPLETE)
        CHECK(registering != s, "thread %d slot %d: DEFER_COMPLETE callback ran inside its own "
              "MPIX_Continue", s->th->t, s->i);
    int id = cid(s->th->t, s->i, k);
    int old = atomic_fetch_add(&counts[id], 1);
    CHECK(old == 0, "thread %d slot %d kind %d: callback ran %d times", s->th->t, s->i, k,
          old + 1);
    atomic_fetch_add(&s->done, 1);
}

static int cb_recv(int rc, void *d)
{
    slot_t *s = d;
    check_recv(s, s->pattern == 0 ? &s->st[0] : NULL);
    common(s, rc, K_RECV);
    return MPI_SUCCESS;
}

static int cb_send(int rc, void *d)
{
    slot_t *s = d;
    if (s->pattern == 0)
        CHECK(s->st[2].MPI_ERROR == MPI_SUCCESS, "thread %d slot %d: send status error %d",
              s->th->t, s->i, s->st[2].MPI_ERROR);
    common(s, rc, K_SEND);
    return MPI_SUCCESS;
}

static int cb_all(int rc, void *d)
{
    slot_t *s = d;
    if (s->pattern == 1) {
        check_recv(s, &s->st[0]);
        CHECK(s->st[2].MPI_ERROR == MPI_SUCCESS, "thread %d slot %d: send status error %d",
              s->th->t, s->i, s->st[2].MPI_ERROR);
    } else {
        check_recv(s, NULL);
    }
    common(s, rc, K_RECV);
    return MPI_SUCCESS;
}

static void reg(slot_t *s, int count, MPI_Request *reqs, MPIX_Continue_cb_function *cb,
                MPI_Status *st, int single)
{
    int id_k = cb == cb_send ? K_SEND : K_RECV;
    expected[cid(s->th->t, s->i, id_k)] = 1;
    MPI_Request cr = s->i % 2 ? shared_cr : s->th->cr;
    registering = s;
    int rc = single ? MPIX_Continue(reqs, cb, s, s->flags, st, cr)
                    : MPIX_Continueall(count, reqs, cb, s, s->flags, st, cr);
    registering = NULL;
    CHECK(rc == MPI_SUCCESS, "thread %d slot %d: MPIX_Continue%s returned %d (%s)", s->th->t,
          s->i, single ? "" : "all", rc, cont_last_error());
    for (int j = 0; j < count; j++)
        CHECK(reqs[j] == MPI_REQUEST_NULL, "thread %d slot %d: request %d not nulled", s->th->t,
              s->i, j);
    atomic_fetch_add(&n_registered, 1);
}

static void post_slot(thr_t *th, slot_t *s)
{
    int t = th->t, i = s->i;
    MPI_Request rq, sq;
    s->sendval = ENC(rank, t, i);
    s->recvval = -1;
    for (int j = 0; j < 3; j++) {
        s->st[j].MPI_SOURCE = s->st[j].MPI_TAG = -777;
        s->st[j].MPI_ERROR = -777;
    }
    s->pattern = i % 4;
    s->flags = 0;
    if (i % 3 == 0)
        s->flags |= MPIX_CONT_DEFER_COMPLETE;
    if (i % 5 == 1)
        s->flags |= MPIX_CONT_REQUESTS_FREE;
    if (i % 7 == 2)
        s->flags |= MPIX_CONT_IMMEDIATE;
    s->nconts = s->pattern == 0 || s->pattern == 2 ? 2 : 1;
    MPI_OK(MPI_Irecv(&s->recvval, 1, MPI_INT, left, t, comm, &rq));
    MPI_OK(MPI_Isend(&s->sendval, 1, MPI_INT, right, t, comm, &sq));
    switch (s->pattern) {
    case 0:
        reg(s, 1, &rq, cb_recv, &s->st[0], 1);
        reg(s, 1, &sq, cb_send, &s->st[2], 1);
        break;
    case 1: {
        MPI_Request a[3] = {rq, MPI_REQUEST_NULL, sq};
        reg(s, 3, a, cb_all, s->st, 0);
        break;
    }
    case 2:
        reg(s, 1, &sq, cb_send, MPI_STATUS_IGNORE, 1);
        reg(s, 1, &rq, cb_recv, MPI_STATUS_IGNORE, 1);
        break;
    default: {
        MPI_Request a[3] = {MPI_REQUEST_NULL, sq, rq};
        reg(s, 3, a, cb_all, MPI_STATUSES_IGNORE, 0);
        break;
    }
    }
}

static void *worker(void *arg)
{
    thr_t *th = arg;
    int per_round = (N + R - 1) / R;
    for (int round = 0, i = 0; round < R; round++) {
        MPI_OK(MPI_Start(&th->cr));
        int end = i + per_round < N ? i + per_round : N;
        for (; i < end; i++) {
            if (i >= W) {   /* flow control: slot i-W must be finished */
                slot_t *o = &th->slots[i - W];
                int n = 0;
                while (atomic_load(&o->done) < o->nconts)
                    mr_pause(&n);
            }
            th->slots[i].th = th;
            th->slots[i].i = i;
            post_slot(th, &th->slots[i]);
        }
        MPI_Status st;
        st.MPI_ERROR = -1;
        MPI_OK(MPI_Wait(&th->cr, &st));
        CHECK(st.MPI_ERROR == MPI_SUCCESS, "thread %d round %d: CR status error %d", th->t,
              round, st.MPI_ERROR);
        /* Completion of the CR: every continuation registered with it has run
         * and returned (counts[] is incremented last in each callback). */
        for (int j = end - per_round < 0 ? 0 : end - per_round; j < end; j++) {
            if (j % 2)
                continue;   /* registered with the shared CR */
            for (int k = 0; k < 2; k++) {
                int id = cid(th->t, j, k);
                CHECK(atomic_load(&counts[id]) == expected[id],
                      "thread %d round %d: after MPI_Wait on its CR, slot %d kind %d ran %d "
                      "times, expected %d", th->t, round, j, k, atomic_load(&counts[id]),
                      expected[id]);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "T:N:W:R:")) != -1) {
        switch (opt) {
        case 'T': T = atoi(optarg); break;
        case 'N': N = atoi(optarg); break;
        case 'W': W = atoi(optarg); break;
        case 'R': R = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: mr_concurrent [-T threads] [-N slots] [-W window] [-R rounds]\n");
            return 2;
        }
    }
    size = mr_init(&argc, &argv, 1);
    rank = mr_rank;
    if (size < 2 || T < 1 || T > 15 || N < 1 || N >= (1 << 20) || W < 1 || R < 1 || size > 127)
        DIE("bad parameters (size %d, T %d, N %d, W %d, R %d)", size, T, N, W, R);
    CHECK(cont_has_progress_thread(), "no progress thread with MPI_THREAD_MULTIPLE");
    left = (rank + size - 1) % size;
    right = (rank + 1) % size;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);

    size_t nid = (size_t)T * N * 2;
    counts = calloc(nid, sizeof *counts);
    expected = calloc(nid, 1);
    thr_t *th = calloc((size_t)T, sizeof *th);
    if (!counts || !expected || !th)
        DIE("out of memory");
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &shared_cr));
    MPI_OK(MPI_Start(&shared_cr));
    for (int t = 0; t < T; t++) {
        th[t].t = t;
        th[t].slots = calloc((size_t)N, sizeof(slot_t));
        if (!th[t].slots)
            DIE("out of memory");
        MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &th[t].cr));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int t = 0; t < T; t++)
        if (pthread_create(&th[t].tid, NULL, worker, &th[t]))
            DIE("pthread_create failed");
    for (int t = 0; t < T; t++)
        pthread_join(th[t].tid, NULL);
    MPI_Status st;
    st.MPI_ERROR = -1;
    MPI_OK(MPI_Wait(&shared_cr, &st));
    CHECK(st.MPI_ERROR == MPI_SUCCESS, "shared CR status error %d", st.MPI_ERROR);
    double elapsed = MPI_Wtime() - t0;

    /* Exactly once, for every continuation of every thread. */
    unsigned long long nexp = 0;
    long bad = 0;
    for (size_t id = 0; id < nid; id++) {
        nexp += expected[id];
        int c = atomic_load(&counts[id]);
        if (c != expected[id] && bad++ < 10)
            FAIL("continuation id %zu (thread %zu slot %zu kind %zu) ran %d times, expected %d",
                 id, id / 2 / N, id / 2 % N, id % 2, c, expected[id]);
    }
    CHECK(bad == 0, "%ld continuation(s) did not run exactly as often as expected", bad);
    CHECK(nexp == atomic_load(&n_registered), "%llu expected ids, %llu registrations", nexp,
          atomic_load(&n_registered));
    for (int t = 0; t < T; t++)
        for (int i = 0; i < N; i++)
            CHECK(atomic_load(&th[t].slots[i].done) == th[t].slots[i].nconts,
                  "thread %d slot %d: %d of %d callbacks done", t, i,
                  atomic_load(&th[t].slots[i].done), th[t].slots[i].nconts);
    mr_check_stats(atomic_load(&n_registered), 0);
    for (int t = 0; t < T; t++) {
        int n = 0;
        MPI_OK(MPIX_Continue_get_failed(th[t].cr, &n, NULL));
        CHECK(n == 0, "thread %d: %d failed continuations", t, n);
        MPI_OK(MPI_Request_free(&th[t].cr));
        free(th[t].slots);
    }
    MPI_OK(MPI_Request_free(&shared_cr));

    cont_stats_t s;
    cont_get_stats(&s);
    int rc = mr_finish("mr_concurrent");
    if (rank == 0)
        printf("mr_concurrent: %d ranks x %d threads x %d slots (window %d, %d rounds): %llu "
               "continuations on rank 0 (%llu inline, %llu by the engine), %.2f s\n",
               size, T, N, W, R, s.registered, s.run_inline, s.run_engine, elapsed);
    MPI_Comm_free(&comm);
    free(counts);
    free(expected);
    free(th);
    MPI_Finalize();
    return rc;
}

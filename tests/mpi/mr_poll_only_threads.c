/* mr_poll_only_threads: POLL_ONLY continuation requests, one per thread.
 *
 * Each rank runs T threads (MPI_THREAD_MULTIPLE, so the progress thread runs
 * too).  Thread t owns a POLL_ONLY CR with max_poll MP(t) (1, 3, no limit,
 * ...), exchanges messages (tag t) with the neighbours, and registers its
 * continuations (on the receives and on the sends) with its own CR only.
 * Every callback records pthread_self(); a callback of a POLL_ONLY CR must
 * run in the thread that owns (tests) the CR, and only inside that thread's
 * MPI_Test / MPI_Wait / array call on the CR or inline inside its
 * MPIX_Continue[all] call (never for DEFER_COMPLETE), whatever the progress
 * thread and the other threads (which drive the engine while they test their
 * own CRs) do.  Continuations with MPIX_CONT_IMMEDIATE may run in any thread
 * and are only checked to run exactly once.
 *
 * Per round: (0) continuations registered while the CR is inactive (on
 * MPI_REQUEST_NULL, so they are ready at once) must not run before
 * MPI_Start; then K slots are registered and the CR is completed by
 *   round 0: an MPI_Test loop, checking that no single MPI_Test runs more than
 *            max_poll callbacks of the CR,
 *   round 1: MPI_Wait,
 *   round 2: MPI_Waitall on {CR, an ordinary receive},
 *   round 3: an MPI_Testsome loop on {ordinary receive, CR}.
 * After completion every continuation of the round ran exactly once, with
 * the right payload, and MPI_Test on the inactive CR reports it complete.
 *
 * Usage: mr_poll_only_threads [-T threads] [-K slots per round]
 */
#include "mr_common.h"

#include <unistd.h>

#define ROUNDS 4
#define HELD 5
#define ENC(rank, t, round, i) (((rank) << 24) | ((t) << 20) | ((round) << 16) | (i))

typedef struct thr thr_t;
typedef struct {
    thr_t *th;
    int round, i, kind, flags;  /* kind: 0 recv, 1 send, 2 held (null request) */
    int sendval, recvval;
    atomic_int runs;
} cdata_t;

struct thr {
    int t, max_poll;
    pthread_t tid, self;        /* self: set by the thread itself */
    MPI_Request cr;
    cdata_t *d;                 /* [ROUNDS][K*2 + HELD] */
};

static int rank, size, left, right, T = 3, K = 1500;
static MPI_Comm comm;

/* What the calling thread is doing right now (for the callbacks' checks). */
static _Thread_local thr_t *testing;       /* inside MPI_Test/Wait* on this thread's CR */
static _Thread_local cdata_t *registering; /* inside MPIX_Continue for this continuation */
static _Thread_local int ran_here;         /* non-IMMEDIATE callbacks run by this thread */

static int per_round(void)
{
    return 2 * K + HELD;
}

static int cb(int rc, void *p)
{
    cdata_t *d = p;
    thr_t *th = d->th;
    CHECK(rc == MPI_SUCCESS, "thread %d round %d #%d: rc %d", th->t, d->round, d->i, rc);
    if (!(d->flags & MPIX_CONT_IMMEDIATE)) {
        CHECK(pthread_equal(pthread_self(), th->self),
              "thread %d round %d #%d (kind %d): POLL_ONLY callback ran in a thread that is "
              "not the CR's tester", th->t, d->round, d->i, d->kind);
        int inl = registering == d && !(d->flags & MPIX_CONT_DEFER_COMPLETE);
        CHECK(testing == th || inl,
              "thread %d round %d #%d (kind %d, flags 0x%x): POLL_ONLY callback ran outside "
              "MPI_Test/MPI_Wait on its CR (testing %p, registering %p)", th->t, d->round, d->i,
              d->kind, (unsigned)d->flags, (void *)testing, (void *)registering);
        if (testing == th)
            ran_here++;
    }
    if (d->kind == 0) {
        int want = ENC(left, th->t, d->round, d->i);
        CHECK(d->recvval == want, "thread %d round %d #%d: received 0x%x, expected 0x%x", th->t,
              d->round, d->i, d->recvval, want);
    }
    int old = atomic_fetch_add(&d->runs, 1);
    CHECK(old == 0, "thread %d round %d #%d (kind %d): ran %d times", th->t, d->round, d->i,
          d->kind, old + 1);
    return MPI_SUCCESS;
}

static void reg(cdata_t *d, MPI_Request *req, MPI_Request cr)
{
    registering = d;
    int rc = MPIX_Continue(req, cb, d, d->flags, MPI_STATUS_IGNORE, cr);
    registering = NULL;
    CHECK(rc == MPI_SUCCESS, "MPIX_Continue returned %d (%s)", rc, cont_last_error());
}

static void *worker(void *arg)
{
    thr_t *th = arg;
    int t = th->t;
    th->self = pthread_self();
    for (int round = 0; round < ROUNDS; round++) {
        cdata_t *d = &th->d[round * per_round()];
        /* (0) Held: ready before the CR is started; must wait for MPI_Start. */
        for (int h = 0; h < HELD; h++) {
            cdata_t *x = &d[2 * K + h];
            *x = (cdata_t){.th = th, .round = round, .i = h, .kind = 2};
            MPI_Request null = MPI_REQUEST_NULL;
            reg(x, &null, th->cr);
        }
        int n = 0;
        for (int h = 0; h < HELD; h++)
            n += atomic_load(&d[2 * K + h].runs);
        CHECK(n == 0, "thread %d round %d: %d continuation(s) of an inactive CR ran", t, round,
              n);
        /* Something for the array-call rounds to complete besides the CR. */
        MPI_Request extra = MPI_REQUEST_NULL;
        int extra_in = -1, extra_out = ENC(rank, t, round, 0xfff);
        MPI_Request extra_s = MPI_REQUEST_NULL;
        if (round >= 2) {
            MPI_OK(MPI_Irecv(&extra_in, 1, MPI_INT, left, 100 + t, comm, &extra));
            MPI_OK(MPI_Isend(&extra_out, 1, MPI_INT, right, 100 + t, comm, &extra_s));
        }
        MPI_OK(MPI_Start(&th->cr));
        for (int i = 0; i < K; i++) {
            cdata_t *r = &d[2 * i], *s = &d[2 * i + 1];
            int fl = i % 3 == 0 ? MPIX_CONT_DEFER_COMPLETE : 0;
            if (i % 10 == 7)
                fl |= MPIX_CONT_IMMEDIATE;
            *r = (cdata_t){.th = th, .round = round, .i = i, .kind = 0, .flags = fl,
                           .recvval = -1};
            *s = (cdata_t){.th = th, .round = round, .i = i, .kind = 1,
                           .flags = i % 2 ? MPIX_CONT_DEFER_COMPLETE : 0,
                           .sendval = ENC(rank, t, round, i)};
            MPI_Request rq, sq;
            MPI_OK(MPI_Irecv(&r->recvval, 1, MPI_INT, left, t, comm, &rq));
            MPI_OK(MPI_Isend(&s->sendval, 1, MPI_INT, right, t, comm, &sq));
            reg(s, &sq, th->cr);
            reg(r, &rq, th->cr);
        }
        int flag = 0, calls = 0, full = 0, nb = 0;
        MPI_Status st;
        switch (round) {
        case 0:   /* MPI_Test loop, at most max_poll callbacks per call */
            while (!flag) {
                int before = ran_here;
                testing = th;
                MPI_OK(MPI_Test(&th->cr, &flag, &st));
                testing = NULL;
                int ran = ran_here - before;
                calls++;
                if (th->max_poll > 0) {
                    CHECK(ran <= th->max_poll,
                          "thread %d: one MPI_Test ran %d callbacks, max_poll is %d", t, ran,
                          th->max_poll);
                    full += ran == th->max_poll;
                }
                if (!flag && !ran)
                    mr_pause(&nb);
            }
            break;
        case 1:
            testing = th;
            MPI_OK(MPI_Wait(&th->cr, &st));
            testing = NULL;
            break;
        case 2: {
            MPI_Request a[2] = {th->cr, extra};
            MPI_Status sts[2];
            testing = th;
            MPI_OK(MPI_Waitall(2, a, sts));
            testing = NULL;
            CHECK(a[0] == th->cr, "MPI_Waitall changed the CR handle");
            CHECK(a[1] == MPI_REQUEST_NULL, "MPI_Waitall did not free the receive");
            CHECK(sts[1].MPI_SOURCE == left && sts[1].MPI_TAG == 100 + t,
                  "MPI_Waitall: receive status source %d tag %d", sts[1].MPI_SOURCE,
                  sts[1].MPI_TAG);
            break;
        }
        default: {   /* MPI_Testsome loop over {receive, CR} */
            MPI_Request a[2] = {extra, th->cr};
            int got_cr = 0, got_recv = 0;
            while (!got_cr || !got_recv) {
                int out = 0, idx[2];
                testing = th;
                MPI_OK(MPI_Testsome(2, a, &out, idx, MPI_STATUSES_IGNORE));
                testing = NULL;
                CHECK(out != MPI_UNDEFINED || (got_cr && got_recv),
                      "MPI_Testsome: MPI_UNDEFINED with an active CR");
                if (out == MPI_UNDEFINED)
                    break;
                for (int k = 0; k < out; k++) {
                    if (idx[k] == 1) {
                        CHECK(!got_cr, "MPI_Testsome completed the CR twice");
                        got_cr = 1;
                    } else {
                        CHECK(idx[k] == 0 && !got_recv, "MPI_Testsome: bad index %d", idx[k]);
                        got_recv = 1;
                    }
                }
                if (!out)
                    mr_pause(&nb);
            }
            CHECK(a[0] == MPI_REQUEST_NULL, "MPI_Testsome did not free the receive");
            break;
        }
        }
        if (round >= 2) {
            MPI_OK(MPI_Wait(&extra_s, MPI_STATUS_IGNORE));
            CHECK(extra_in == ENC(left, t, round, 0xfff), "thread %d round %d: extra message "
                  "0x%x", t, round, extra_in);
        }
        /* Completion: every continuation of the round ran exactly once. */
        for (int j = 0; j < per_round(); j++)
            CHECK(atomic_load(&d[j].runs) == 1, "thread %d round %d: continuation %d (kind %d) "
                  "ran %d times after its CR completed", t, round, d[j].i, d[j].kind,
                  atomic_load(&d[j].runs));
        flag = 0;
        MPI_OK(MPI_Test(&th->cr, &flag, MPI_STATUS_IGNORE));
        CHECK(flag, "thread %d: MPI_Test on the completed CR gave flag 0", t);
        if (round == 0 && rank == 0 && t == 0)
            printf("mr_poll_only_threads: thread 0 (max_poll %d): %d MPI_Test calls, %d ran "
                   "max_poll callbacks\n", th->max_poll, calls, full);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "T:K:")) != -1) {
        switch (opt) {
        case 'T': T = atoi(optarg); break;
        case 'K': K = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: mr_poll_only_threads [-T threads] [-K slots]\n");
            return 2;
        }
    }
    size = mr_init(&argc, &argv, 1);
    rank = mr_rank;
    if (size < 2 || T < 1 || T > 15 || K < 1 || K >= 0xfff || size > 127)
        DIE("bad parameters");
    left = (rank + size - 1) % size;
    right = (rank + 1) % size;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    static const int polls[] = {1, 3, 0, 7, MPI_UNDEFINED, 2};
    thr_t *th = calloc((size_t)T, sizeof *th);
    for (int t = 0; t < T; t++) {
        th[t].t = t;
        th[t].max_poll = polls[t % 6];
        th[t].d = calloc((size_t)ROUNDS * per_round(), sizeof(cdata_t));
        if (!th[t].d)
            DIE("out of memory");
        MPI_OK(MPIX_Continue_init(MPIX_CONT_POLL_ONLY, th[t].max_poll, MPI_INFO_NULL, &th[t].cr));
        if (th[t].max_poll == MPI_UNDEFINED)
            th[t].max_poll = 0;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    for (int t = 0; t < T; t++)
        if (pthread_create(&th[t].tid, NULL, worker, &th[t]))
            DIE("pthread_create failed");
    for (int t = 0; t < T; t++)
        pthread_join(th[t].tid, NULL);
    unsigned long long nreg = (unsigned long long)T * ROUNDS * per_round();
    mr_check_stats(nreg, 0);
    for (int t = 0; t < T; t++) {
        MPI_OK(MPI_Request_free(&th[t].cr));
        free(th[t].d);
    }
    free(th);
    int rc = mr_finish("mr_poll_only_threads");
    MPI_Comm_free(&comm);
    MPI_Finalize();
    return rc;
}

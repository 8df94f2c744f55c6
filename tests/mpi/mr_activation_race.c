/* mr_activation_race: activation of a CR racing with the completion of its
 * continuations' operations (MPI_THREAD_MULTIPLE, progress thread).
 *
 * Phase 1 (T threads per rank, R rounds each): with the thread's CR
 * inactive, register B continuations on receives whose messages the peer is
 * sending at that very moment (and on the matching sends), then MPI_Start
 * the CR while the progress thread completes the operations (continuations
 * that fire on the inactive CR are held; the start releases them), then
 * MPI_Wait.  Checks: no callback ran before its CR was started, each ran
 * exactly once, payloads, and the CR completed only after all of them.
 *
 * Phase 2 ("the usual loop"): C chains per rank: each chain's receive
 * callback (registered with chain_cr) checks the value, sends the next one
 * and posts the next receive, for L links; the continuations of the sends
 * are registered with shared_cr, which the main thread meanwhile completes
 * and restarts:
 *   MPI_Test(&cr, &flag); if (flag) MPI_Start(&cr);
 * so they land on an active CR, a completed (inactive) one -- held until the
 * restart -- or one being restarted.  At the end, MPI_Wait on both; every
 * link's receive and send continuations ran exactly once.
 *
 * Usage: mr_activation_race [-T threads] [-R rounds] [-B batch] [-C chains] [-L links]
 */
#include "mr_common.h"

#include <unistd.h>

static int rank, size, peer, T = 2, R = 150, B = 40, C = 8, L = 400;
static MPI_Comm comm;

/* ---------------------------------------------------------------- phase 1 */
typedef struct thr thr_t;
typedef struct {
    thr_t *th;
    int round, i, kind;
    int sendval, recvval;
    atomic_int runs;
} ent_t;

struct thr {
    int t;
    pthread_t tid;
    MPI_Request cr;
    atomic_int started;         /* MPI_Start of this round has been called */
    ent_t *e;                   /* [2*B] for the current round */
};

static int cb1(int rc, void *d)
{
    ent_t *e = d;
    thr_t *th = e->th;
    CHECK(rc == MPI_SUCCESS, "rc %d", rc);
    CHECK(atomic_load(&th->started), "thread %d round %d #%d: callback ran before MPI_Start of "
          "its (inactive) CR", th->t, e->round, e->i);
    if (e->kind == 0) {
        int want = (peer << 24) | (th->t << 20) | ((e->round & 0xff) << 12) | e->i;
        CHECK(e->recvval == want, "thread %d round %d #%d: received 0x%x, expected 0x%x", th->t,
              e->round, e->i, e->recvval, want);
    }
    int old = atomic_fetch_add(&e->runs, 1);
    CHECK(old == 0, "thread %d round %d #%d kind %d: ran %d times", th->t, e->round, e->i,
          e->kind, old + 1);
    return MPI_SUCCESS;
}

static void *worker(void *arg)
{
    thr_t *th = arg;
    int t = th->t;
    for (int round = 0; round < R; round++) {
        atomic_store(&th->started, 0);
        for (int i = 0; i < B; i++) {
            ent_t *r = &th->e[2 * i], *s = &th->e[2 * i + 1];
            *r = (ent_t){.th = th, .round = round, .i = i, .kind = 0, .recvval = -1};
            *s = (ent_t){.th = th, .round = round, .i = i, .kind = 1,
                         .sendval = (rank << 24) | (t << 20) | ((round & 0xff) << 12) | i};
            MPI_Request rq, sq;
            MPI_OK(MPI_Irecv(&r->recvval, 1, MPI_INT, peer, t, comm, &rq));
            MPI_OK(MPI_Isend(&s->sendval, 1, MPI_INT, peer, t, comm, &sq));
            int fl = (i + round) % 3 == 0 ? MPIX_CONT_DEFER_COMPLETE : 0;
            MPI_OK(MPIX_Continue(&rq, cb1, r, fl, MPI_STATUS_IGNORE, th->cr));
            MPI_OK(MPIX_Continue(&sq, cb1, s, 0, MPI_STATUS_IGNORE, th->cr));
        }
        /* Vary the moment of the start relative to the completions. */
        for (volatile int spin = 0; spin < (round % 7) * 500; spin++)
            ;
        atomic_store(&th->started, 1);
        MPI_OK(MPI_Start(&th->cr));
        MPI_OK(MPI_Wait(&th->cr, MPI_STATUS_IGNORE));
        for (int j = 0; j < 2 * B; j++)
            CHECK(atomic_load(&th->e[j].runs) == 1, "thread %d round %d: #%d kind %d ran %d "
                  "times after MPI_Wait on its CR", t, round, th->e[j].i, th->e[j].kind,
                  atomic_load(&th->e[j].runs));
    }
    return NULL;
}

/* ---------------------------------------------------------------- phase 2 */
typedef struct chain chain_t;
typedef struct {
    chain_t *ch;
    int k;
    atomic_int runs;
} link_t;

struct chain {
    int c, link;
    int inbox;
    int *outbox;                /* [L] */
    atomic_int *runs;           /* [L]: receive callbacks per link */
    link_t *sl;                 /* [L]: send continuations per link */
};

static MPI_Request shared_cr, chain_cr;
static chain_t *chains;
static atomic_int chains_done;

static int cb_send(int rc, void *d)
{
    link_t *l = d;
    CHECK(rc == MPI_SUCCESS, "chain send rc %d", rc);
    int old = atomic_fetch_add(&l->runs, 1);
    CHECK(old == 0, "chain %d link %d: send continuation ran %d times", l->ch->c, l->k, old + 1);
    return MPI_SUCCESS;
}

static int cb_recv(int rc, void *d);

static void post_link(chain_t *ch)
{
    MPI_Request q, s;
    int k = ch->link;
    ch->inbox = -1;
    MPI_OK(MPI_Irecv(&ch->inbox, 1, MPI_INT, peer, 1000 + ch->c, comm, &q));
    ch->outbox[k] = (rank << 20) | k;
    ch->sl[k] = (link_t){.ch = ch, .k = k};
    MPI_OK(MPI_Isend(&ch->outbox[k], 1, MPI_INT, peer, 1000 + ch->c, comm, &s));
    /* The send's continuation goes to the CR the main thread completes and
     * restarts; the chain itself lives on chain_cr. */
    MPI_OK(MPIX_Continue(&s, cb_send, &ch->sl[k], k % 2 ? MPIX_CONT_DEFER_COMPLETE : 0,
                         MPI_STATUS_IGNORE, shared_cr));
    MPI_OK(MPIX_Continue(&q, cb_recv, ch, 0, MPI_STATUS_IGNORE, chain_cr));
}

static int cb_recv(int rc, void *d)
{
    chain_t *ch = d;
    CHECK(rc == MPI_SUCCESS, "chain recv rc %d", rc);
    int k = ch->link;
    CHECK(ch->inbox == ((peer << 20) | k), "chain %d link %d: received 0x%x", ch->c, k,
          ch->inbox);
    int old = atomic_fetch_add(&ch->runs[k], 1);
    CHECK(old == 0, "chain %d link %d ran %d times", ch->c, k, old + 1);
    if (++ch->link < L)
        post_link(ch);
    else
        atomic_fetch_add(&chains_done, 1);
    return MPI_SUCCESS;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "T:R:B:C:L:")) != -1) {
        switch (opt) {
        case 'T': T = atoi(optarg); break;
        case 'R': R = atoi(optarg); break;
        case 'B': B = atoi(optarg); break;
        case 'C': C = atoi(optarg); break;
        case 'L': L = atoi(optarg); break;
        default: return 2;
        }
    }
    size = mr_init(&argc, &argv, 1);
    rank = mr_rank;
    if (size % 2 || T < 1 || T > 15 || B < 1 || B >= 4096 || R < 1 || C < 1 || L < 1 ||
        L >= (1 << 20))
        DIE("bad parameters (even number of ranks needed)");
    peer = rank ^ 1;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);

    /* Phase 1 */
    thr_t *th = calloc((size_t)T, sizeof *th);
    for (int t = 0; t < T; t++) {
        th[t].t = t;
        th[t].e = calloc((size_t)2 * B, sizeof(ent_t));
        MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &th[t].cr));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    for (int t = 0; t < T; t++)
        pthread_create(&th[t].tid, NULL, worker, &th[t]);
    for (int t = 0; t < T; t++)
        pthread_join(th[t].tid, NULL);
    for (int t = 0; t < T; t++) {
        MPI_OK(MPI_Request_free(&th[t].cr));
        free(th[t].e);
    }
    free(th);
    unsigned long long nreg = 2ull * T * R * B;

    /* Phase 2 */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &shared_cr));
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &chain_cr));
    MPI_OK(MPI_Start(&chain_cr));
    chains = calloc((size_t)C, sizeof *chains);
    for (int c = 0; c < C; c++) {
        chains[c].c = c;
        chains[c].outbox = calloc((size_t)L, sizeof(int));
        chains[c].runs = calloc((size_t)L, sizeof(atomic_int));
        chains[c].sl = calloc((size_t)L, sizeof(link_t));
    }
    /* Half the chains start while shared_cr is inactive (held until the
     * first start). */
    for (int c = 0; c < C / 2; c++)
        post_link(&chains[c]);
    MPI_OK(MPI_Start(&shared_cr));
    for (int c = C / 2; c < C; c++)
        post_link(&chains[c]);
    long completions = 0;
    int n = 0;
    while (atomic_load(&chains_done) < C) {
        int flag = 0;
        MPI_OK(MPI_Test(&shared_cr, &flag, MPI_STATUS_IGNORE));
        if (flag) {
            completions++;
            MPI_OK(MPI_Start(&shared_cr));
        } else {
            mr_pause(&n);
        }
    }
    MPI_OK(MPI_Wait(&chain_cr, MPI_STATUS_IGNORE));
    MPI_OK(MPI_Wait(&shared_cr, MPI_STATUS_IGNORE));
    for (int c = 0; c < C; c++) {
        CHECK(chains[c].link == L, "chain %d ended at link %d of %d", c, chains[c].link, L);
        for (int k = 0; k < L; k++) {
            CHECK(atomic_load(&chains[c].runs[k]) == 1, "chain %d link %d ran %d times", c, k,
                  atomic_load(&chains[c].runs[k]));
            CHECK(atomic_load(&chains[c].sl[k].runs) == 1, "chain %d link %d: send "
                  "continuation ran %d times by the end", c, k,
                  atomic_load(&chains[c].sl[k].runs));
        }
        free(chains[c].outbox);
        free(chains[c].runs);
        free(chains[c].sl);
    }
    free(chains);
    nreg += 2ull * C * L;
    mr_check_stats(nreg, 0);
    MPI_OK(MPI_Request_free(&shared_cr));
    MPI_OK(MPI_Request_free(&chain_cr));
    int rc = mr_finish("mr_activation_race");
    if (rank == 0)
        printf("mr_activation_race: %d ranks; phase 1: %d threads x %d rounds x %d; phase 2: %d "
               "chains x %d links, shared CR completed %ld times on rank 0 while chains ran\n",
               size, T, R, B, C, L, completions);
    MPI_Comm_free(&comm);
    MPI_Finalize();
    return rc;
}

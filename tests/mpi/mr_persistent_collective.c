/* mr_persistent_collective: persistent operations restarted from their own
 * continuations, across ranks.
 *
 * Three chains run at once, each with its own CR, each N iterations a round:
 *  - p2p: MPI_Send_init to the right + MPI_Recv_init from the left.  Even
 *    iterations attach one MPIX_Continueall to both (with statuses), odd
 *    iterations one MPIX_Continue per request, joined by a counter.  The
 *    callback checks the received value ENC(left, k) and the status, writes
 *    the next value and restarts both with MPI_Startall.
 *  - allreduce: MPI_Allreduce_init (sum of (rank+1)*(k+1)) on its own
 *    communicator; the callback checks the sum and restarts it (MPI_Start).
 *  - bcast: MPI_Bcast_init from rank 0 on its own communicator; the callback
 *    checks the value 7000+k and restarts it.
 * Round 0 waits through a graph: once the chains run, a continuation
 * registered with a top CR on the three chain CRs (CRs as operations) checks
 * that every chain finished; the main thread waits on the top CR only.  Round 1 waits with MPI_Waitall
 * on the three chain CRs.  Afterwards the persistent handles are unchanged,
 * inactive and freed normally; libcont's counters match.
 * (Without MPI-4 persistent collectives only the p2p chain runs.)
 *
 * Usage: mr_persistent_collective [-n iterations per round]
 */
#include "mr_common.h"

#include <unistd.h>

#define ROUNDS 2
#define ENC(rank, k) ((rank) * 1000003 + (k))

#if defined(MPI_VERSION) && MPI_VERSION >= 4
#define HAVE_PCOLL 1
#else
#define HAVE_PCOLL 0
#endif

static int rank, size, left, right, N = 300;
static atomic_ullong nreg;

/* ---------------------------------------------------------------- p2p */
typedef struct {
    MPI_Request req[2], orig[2];   /* [0] recv, [1] send */
    MPI_Request cr;
    int k, end, inbox, outbox;
    MPI_Status st[2], st1;
    atomic_int join;
    atomic_int runs;
} p2p_t;
static p2p_t P;

static int p2p_cb_all(int rc, void *d);
static int p2p_cb_one(int rc, void *d);

static void p2p_register(void)
{
    p2p_t *p = &P;
    if (p->k % 2 == 0) {
        p->st[0].MPI_SOURCE = p->st[0].MPI_TAG = -1;
        MPI_OK(MPIX_Continueall(2, p->req, p2p_cb_all, p, 0, p->st, p->cr));
        atomic_fetch_add(&nreg, 1);
    } else {
        atomic_store(&p->join, 0);
        p->st1.MPI_SOURCE = p->st1.MPI_TAG = -1;
        MPI_OK(MPIX_Continue(&p->req[0], p2p_cb_one, p, MPIX_CONT_DEFER_COMPLETE, &p->st1, p->cr));
        MPI_OK(MPIX_Continue(&p->req[1], p2p_cb_one, p, 0, MPI_STATUS_IGNORE, p->cr));
        atomic_fetch_add(&nreg, 2);
    }
    CHECK(p->req[0] == p->orig[0] && p->req[1] == p->orig[1],
          "p2p: MPIX_Continue changed a persistent request handle");
}

static void p2p_start(void)
{
    P.outbox = ENC(rank, P.k);
    P.inbox = -1;
    MPI_OK(MPI_Startall(2, P.req));
    p2p_register();
}

static void p2p_step(const MPI_Status *st)
{
    p2p_t *p = &P;
    atomic_fetch_add(&p->runs, 1);
    CHECK(p->inbox == ENC(left, p->k), "p2p iteration %d: received %d, expected %d", p->k,
          p->inbox, ENC(left, p->k));
    CHECK(st->MPI_SOURCE == left && st->MPI_TAG == 10, "p2p iteration %d: status source %d "
          "tag %d", p->k, st->MPI_SOURCE, st->MPI_TAG);
    if (++p->k < p->end)
        p2p_start();
}

static int p2p_cb_all(int rc, void *d)
{
    p2p_t *p = d;
    CHECK(rc == MPI_SUCCESS, "p2p: rc %d", rc);
    CHECK(p->st[0].MPI_ERROR == MPI_SUCCESS && p->st[1].MPI_ERROR == MPI_SUCCESS,
          "p2p: status errors %d %d", p->st[0].MPI_ERROR, p->st[1].MPI_ERROR);
    p2p_step(&p->st[0]);
    return MPI_SUCCESS;
}

static int p2p_cb_one(int rc, void *d)
{
    p2p_t *p = d;
    CHECK(rc == MPI_SUCCESS, "p2p: rc %d", rc);
    if (atomic_fetch_add(&p->join, 1) == 1)   /* the second of the two proceeds */
        p2p_step(&p->st1);
    return MPI_SUCCESS;
}

/* ---------------------------------------------------------------- collectives */
#if HAVE_PCOLL
typedef struct {
    MPI_Request req, orig, cr;
    MPI_Comm comm;
    int k, end;
    long sbuf, rbuf;
    int bbuf;
    atomic_int runs;
} coll_t;
static coll_t AR, BC;

static int ar_cb(int rc, void *d);
static int bc_cb(int rc, void *d);

static void ar_start(void)
{
    AR.sbuf = (long)(rank + 1) * (AR.k + 1);
    AR.rbuf = -1;
    MPI_OK(MPI_Start(&AR.req));
    MPI_OK(MPIX_Continue(&AR.req, ar_cb, &AR, 0, MPI_STATUS_IGNORE, AR.cr));
    atomic_fetch_add(&nreg, 1);
    CHECK(AR.req == AR.orig, "allreduce: MPIX_Continue changed the persistent handle");
}

static int ar_cb(int rc, void *d)
{
    coll_t *c = d;
    CHECK(rc == MPI_SUCCESS, "allreduce: rc %d", rc);
    atomic_fetch_add(&c->runs, 1);
    long want = (long)(c->k + 1) * size * (size + 1) / 2;
    CHECK(c->rbuf == want, "allreduce iteration %d: %ld, expected %ld", c->k, c->rbuf, want);
    if (++c->k < c->end)
        ar_start();
    return MPI_SUCCESS;
}

static void bc_start(void)
{
    BC.bbuf = rank == 0 ? 7000 + BC.k : -1;
    MPI_OK(MPI_Start(&BC.req));
    /* DEFER_COMPLETE on odd iterations: the restart then never nests. */
    MPI_OK(MPIX_Continue(&BC.req, bc_cb, &BC, BC.k % 2 ? MPIX_CONT_DEFER_COMPLETE : 0,
                         MPI_STATUS_IGNORE, BC.cr));
    atomic_fetch_add(&nreg, 1);
    CHECK(BC.req == BC.orig, "bcast: MPIX_Continue changed the persistent handle");
}

static int bc_cb(int rc, void *d)
{
    coll_t *c = d;
    CHECK(rc == MPI_SUCCESS, "bcast: rc %d", rc);
    atomic_fetch_add(&c->runs, 1);
    CHECK(c->bbuf == 7000 + c->k, "bcast iteration %d: %d, expected %d", c->k, c->bbuf,
          7000 + c->k);
    if (++c->k < c->end)
        bc_start();
    return MPI_SUCCESS;
}
#endif

/* ---------------------------------------------------------------- graph */
static atomic_int top_runs;

static int top_cb(int rc, void *d)
{
    int end = *(int *)d;
    CHECK(rc == MPI_SUCCESS, "graph: rc %d", rc);
    CHECK(P.k == end, "graph: ran before the p2p chain finished (k %d of %d)", P.k, end);
#if HAVE_PCOLL
    CHECK(AR.k == end, "graph: ran before the allreduce chain finished (k %d of %d)", AR.k, end);
    CHECK(BC.k == end, "graph: ran before the bcast chain finished (k %d of %d)", BC.k, end);
#endif
    atomic_fetch_add(&top_runs, 1);
    return MPI_SUCCESS;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt == 'n')
            N = atoi(optarg);
        else
            return 2;
    }
    size = mr_init(&argc, &argv, 0);
    rank = mr_rank;
    if (size < 2 || N < 1)
        DIE("needs >= 2 ranks and -n >= 1");
    left = (rank + size - 1) % size;
    right = (rank + 1) % size;

    MPI_OK(MPI_Recv_init(&P.inbox, 1, MPI_INT, left, 10, MPI_COMM_WORLD, &P.req[0]));
    MPI_OK(MPI_Send_init(&P.outbox, 1, MPI_INT, right, 10, MPI_COMM_WORLD, &P.req[1]));
    P.orig[0] = P.req[0];
    P.orig[1] = P.req[1];
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &P.cr));
    int nchains = 1;
#if HAVE_PCOLL
    nchains = 3;
    MPI_Comm_dup(MPI_COMM_WORLD, &AR.comm);
    MPI_Comm_dup(MPI_COMM_WORLD, &BC.comm);
    MPI_OK(MPI_Allreduce_init(&AR.sbuf, &AR.rbuf, 1, MPI_LONG, MPI_SUM, AR.comm, MPI_INFO_NULL,
                              &AR.req));
    MPI_OK(MPI_Bcast_init(&BC.bbuf, 1, MPI_INT, 0, BC.comm, MPI_INFO_NULL, &BC.req));
    AR.orig = AR.req;
    BC.orig = BC.req;
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &AR.cr));
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &BC.cr));
#endif
    MPI_Request top;
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &top));

    for (int round = 0; round < ROUNDS; round++) {
        int end = (round + 1) * N;
        MPI_Request crs[3] = {P.cr};
        MPI_OK(MPI_Start(&P.cr));
        P.end = end;
#if HAVE_PCOLL
        crs[1] = AR.cr;
        crs[2] = BC.cr;
        MPI_OK(MPI_Start(&AR.cr));
        MPI_OK(MPI_Start(&BC.cr));
        AR.end = BC.end = end;
#endif
        MPI_Barrier(MPI_COMM_WORLD);
        p2p_start();
#if HAVE_PCOLL
        ar_start();
        bc_start();
#endif
        if (round == 0) {
            /* Attach the chain CRs to a continuation of the top CR once each
             * has a continuation registered (an active CR with nothing
             * registered is complete; a chain keeps its CR busy until its
             * last step, or has already finished). */
            MPI_OK(MPI_Start(&top));
            MPI_Request ops[3] = {crs[0], crs[1], crs[2]};
            MPI_OK(MPIX_Continueall(nchains, ops, top_cb, &end, 0, MPI_STATUSES_IGNORE, top));
            atomic_fetch_add(&nreg, 1);
            for (int j = 0; j < nchains; j++)
                CHECK(ops[j] == crs[j], "MPIX_Continueall changed the handle of a CR operation");
        }
        if (round == 0) {
            MPI_OK(MPI_Wait(&top, MPI_STATUS_IGNORE));
            CHECK(atomic_load(&top_runs) == 1, "graph: top continuation ran %d times",
                  atomic_load(&top_runs));
        } else {
            MPI_Status sts[3];
            MPI_OK(MPI_Waitall(nchains, crs, sts));
            for (int j = 0; j < nchains; j++)
                CHECK(sts[j].MPI_ERROR == MPI_SUCCESS, "chain %d: CR status error %d", j,
                      sts[j].MPI_ERROR);
        }
        /* Every chain CR is complete (inactive) now. */
        for (int j = 0; j < nchains; j++) {
            int flag = 0;
            MPI_OK(MPI_Test(&crs[j], &flag, MPI_STATUS_IGNORE));
            CHECK(flag, "round %d: chain CR %d not complete", round, j);
        }
        CHECK(P.k == end, "round %d: p2p chain at %d, expected %d", round, P.k, end);
        CHECK(atomic_load(&P.runs) == end, "p2p: %d steps, expected %d", atomic_load(&P.runs),
              end);
#if HAVE_PCOLL
        CHECK(AR.k == end && atomic_load(&AR.runs) == end, "allreduce: k %d runs %d, expected "
              "%d", AR.k, atomic_load(&AR.runs), end);
        CHECK(BC.k == end && atomic_load(&BC.runs) == end, "bcast: k %d runs %d, expected %d",
              BC.k, atomic_load(&BC.runs), end);
#endif
    }
    mr_check_stats(atomic_load(&nreg), 0);

    /* The persistent requests are inactive and ordinary again. */
    for (int j = 0; j < 2; j++) {
        int flag = 0;
        CHECK(P.req[j] == P.orig[j], "p2p handle %d changed", j);
        MPI_OK(MPI_Request_get_status(P.req[j], &flag, MPI_STATUS_IGNORE));
        CHECK(flag, "p2p request %d: MPI_Request_get_status says active", j);
        MPI_OK(MPI_Request_free(&P.req[j]));
    }
    MPI_OK(MPI_Request_free(&P.cr));
#if HAVE_PCOLL
    MPI_OK(MPI_Request_free(&AR.req));
    MPI_OK(MPI_Request_free(&BC.req));
    MPI_OK(MPI_Request_free(&AR.cr));
    MPI_OK(MPI_Request_free(&BC.cr));
    MPI_Comm_free(&AR.comm);
    MPI_Comm_free(&BC.comm);
#endif
    MPI_OK(MPI_Request_free(&top));
    int rc = mr_finish("mr_persistent_collective");
    if (rank == 0)
        printf("mr_persistent_collective: %d ranks, %d chains x %d iterations x %d rounds%s\n",
               size, nchains, N, ROUNDS, HAVE_PCOLL ? "" : " (no MPI-4 persistent collectives)");
    MPI_Finalize();
    return rc;
}

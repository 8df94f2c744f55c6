/* mr_ring: a token ring driven entirely by continuation chains.
 *
 * Each receive's callback checks the token, forwards token+1 to the right
 * neighbour (Isend + MPIX_Continue) and posts the next receive (Irecv +
 * MPIX_Continue); the main thread only waits on the continuation request.
 * The ring runs ROUNDS times on the same (persistent) CR.
 *
 * Checks, per rank and round: every token value received (rank 0 gets
 * k*size on lap k, rank r>0 gets (k-1)*size + r), the status of every
 * receive (source, tag = round), exactly `laps` receive and `laps` send
 * callbacks, all of them run before MPI_Wait on the CR returns, the CR is
 * inactive afterwards and restartable, libcont's counters (registered =
 * run = 2*laps*rounds, none failed), whether a progress thread runs (-p),
 * and, without a progress thread, that every callback ran in the main thread
 * (inside MPI_Wait on the CR, or inline in MPIX_Continue).
 *
 * Usage: mr_ring [-l laps] [-r rounds] [-t init|single|funneled|serialized|multiple]
 *                [-p 0|1]   (expected cont_has_progress_thread(); default: not checked)
 */
#include "mr_common.h"

#include <unistd.h>

typedef struct {
    int rank, size, left, right, laps, round;
    int received;               /* receive callbacks this round */
    atomic_int sent;            /* send callbacks this round */
    int inbox;
    int *outbox;                /* one send buffer per lap: never reused while in flight */
    MPI_Status rst;
    MPI_Request cr;
    int need_main_thread;
    pthread_t main_thread;
    atomic_int in_callback;     /* recv callbacks must not overlap (a chain) */
} ring_t;

static int on_sent(int rc, void *data)
{
    ring_t *r = data;
    CHECK(rc == MPI_SUCCESS, "send callback: rc %d", rc);
    if (r->need_main_thread)
        CHECK(pthread_equal(pthread_self(), r->main_thread),
              "send callback ran outside the main thread without a progress thread");
    atomic_fetch_add(&r->sent, 1);
    return MPI_SUCCESS;
}

static int post_recv(ring_t *r);

/* Receive callbacks of a chain never run concurrently up to the point where
 * one registers the next receive: from then on the next callback may run in
 * any thread that progresses libcont (the progress thread, or the main
 * thread polling inside MPI_Wait on the CR), so a callback leaves its
 * exclusive section before it posts the next receive.  They may nest in one
 * thread (a receive already complete when registered runs inline). */
static _Thread_local int my_depth;

static int on_recv(int rc, void *data)
{
    ring_t *r = data;
    CHECK(atomic_fetch_add(&r->in_callback, 1) == my_depth,
          "two receive callbacks ran at once in different threads");
    my_depth++;
    CHECK(rc == MPI_SUCCESS, "recv callback: rc %d", rc);
    if (r->need_main_thread)
        CHECK(pthread_equal(pthread_self(), r->main_thread),
              "recv callback ran outside the main thread without a progress thread");
    int k = ++r->received;   /* lap number, 1-based */
    int expect = r->rank == 0 ? k * r->size : (k - 1) * r->size + r->rank;
    CHECK(r->inbox == expect, "round %d lap %d: token %d, expected %d", r->round, k, r->inbox,
          expect);
    CHECK(r->rst.MPI_SOURCE == r->left && r->rst.MPI_TAG == r->round,
          "round %d lap %d: status source %d tag %d, expected %d %d", r->round, k,
          r->rst.MPI_SOURCE, r->rst.MPI_TAG, r->left, r->round);
    int last = k == r->laps;
    int err = MPI_SUCCESS;
    if (!(last && r->rank == 0)) {   /* rank 0 ends the journey */
        MPI_Request s;
        int n = r->rank == 0 ? k : k - 1;   /* index of this rank's send */
        r->outbox[n] = r->inbox + 1;
        MPI_OK(MPI_Isend(&r->outbox[n], 1, MPI_INT, r->right, r->round, MPI_COMM_WORLD, &s));
        MPI_OK(MPIX_Continue(&s, on_sent, r, 0, MPI_STATUS_IGNORE, r->cr));
        CHECK(s == MPI_REQUEST_NULL, "MPIX_Continue left the Isend handle set");
    }
    my_depth--;
    atomic_fetch_sub(&r->in_callback, 1);
    if (!last)
        err = post_recv(r);   /* touches nothing of r's after the registration */
    return err;
}

static int post_recv(ring_t *r)
{
    MPI_Request q;
    r->rst.MPI_SOURCE = r->rst.MPI_TAG = -12345;
    MPI_OK(MPI_Irecv(&r->inbox, 1, MPI_INT, r->left, r->round, MPI_COMM_WORLD, &q));
    int rc = MPIX_Continue(&q, on_recv, r, 0, &r->rst, r->cr);
    CHECK(rc == MPI_SUCCESS, "MPIX_Continue(recv) returned %d", rc);
    CHECK(q == MPI_REQUEST_NULL, "MPIX_Continue left the Irecv handle set");
    return rc;
}

static int parse_level(const char *s)
{
    if (!strcmp(s, "init")) return -1;
    if (!strcmp(s, "single")) return MPI_THREAD_SINGLE;
    if (!strcmp(s, "funneled")) return MPI_THREAD_FUNNELED;
    if (!strcmp(s, "serialized")) return MPI_THREAD_SERIALIZED;
    if (!strcmp(s, "multiple")) return MPI_THREAD_MULTIPLE;
    fprintf(stderr, "mr_ring: bad thread level '%s'\n", s);
    exit(2);
}

int main(int argc, char **argv)
{
    int laps = 500, rounds = 2, level = MPI_THREAD_MULTIPLE, expect_pt = -1, opt;
    while ((opt = getopt(argc, argv, "l:r:t:p:")) != -1) {
        switch (opt) {
        case 'l': laps = atoi(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        case 't': level = parse_level(optarg); break;
        case 'p': expect_pt = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: mr_ring [-l laps] [-r rounds] [-t level] [-p 0|1]\n");
            return 2;
        }
    }
    int provided = MPI_THREAD_SINGLE;
    if (level < 0)
        MPI_Init(&argc, &argv);
    else
        MPI_Init_thread(&argc, &argv, level, &provided);
    MPI_Query_thread(&provided);

    ring_t r = {.laps = laps, .main_thread = pthread_self()};
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);
    mr_rank = r.rank;
    if (r.size < 2 || laps < 1 || rounds < 1)
        DIE("needs >= 2 ranks, laps >= 1, rounds >= 1");
    r.left = (r.rank + r.size - 1) % r.size;
    r.right = (r.rank + 1) % r.size;
    r.outbox = calloc((size_t)laps, sizeof *r.outbox);

    int pt = cont_has_progress_thread();
    if (expect_pt >= 0)
        CHECK(pt == expect_pt, "cont_has_progress_thread() = %d, expected %d", pt, expect_pt);
    if (provided != MPI_THREAD_MULTIPLE)
        CHECK(!pt, "a progress thread runs although MPI provided level %d", provided);
    r.need_main_thread = !pt;

    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &r.cr));
    for (int round = 0; round < rounds; round++) {
        r.round = round;
        r.received = 0;
        atomic_store(&r.sent, 0);
        MPI_OK(MPI_Start(&r.cr));
        post_recv(&r);
        if (r.rank == 0) {
            MPI_Request s;
            r.outbox[0] = 1;
            MPI_OK(MPI_Isend(&r.outbox[0], 1, MPI_INT, r.right, round, MPI_COMM_WORLD, &s));
            MPI_OK(MPIX_Continue(&s, on_sent, &r, 0, MPI_STATUS_IGNORE, r.cr));
        }
        MPI_Status st;
        st.MPI_ERROR = -1;
        MPI_OK(MPI_Wait(&r.cr, &st));   /* every callback of this rank ran */
        CHECK(st.MPI_ERROR == MPI_SUCCESS, "round %d: CR status error %d", round, st.MPI_ERROR);
        CHECK(r.received == laps, "round %d: %d receive callbacks, expected %d", round,
              r.received, laps);
        CHECK(atomic_load(&r.sent) == laps, "round %d: %d send callbacks, expected %d", round,
              atomic_load(&r.sent), laps);
        int expect_last = r.rank == 0 ? laps * r.size : (laps - 1) * r.size + r.rank;
        CHECK(r.inbox == expect_last, "round %d: final token %d, expected %d", round, r.inbox,
              expect_last);
        CHECK(r.cr != MPI_REQUEST_NULL, "MPI_Wait freed the persistent CR");
        int flag = 0;
        MPI_OK(MPI_Test(&r.cr, &flag, MPI_STATUS_IGNORE));
        CHECK(flag == 1, "round %d: MPI_Test on the completed (inactive) CR gave flag 0", round);
    }
    mr_check_stats(2ull * laps * rounds, 0);
    MPI_OK(MPI_Request_free(&r.cr));
    CHECK(r.cr == MPI_REQUEST_NULL, "MPI_Request_free did not null the CR handle");

    int rc = mr_finish("mr_ring");
    if (r.rank == 0)
        printf("mr_ring: %d ranks, %d laps x %d rounds, thread level %d, progress thread %s\n",
               r.size, laps, rounds, provided, pt ? "yes" : "no");
    free(r.outbox);
    MPI_Finalize();
    return rc;
}

/* mr_faults: what happens when things go wrong around continuations.
 *
 *   -m kill     every rank runs a ring of continuation chains (each callback
 *               posts the next send and receive); rank K (-k, default 1)
 *               kills itself with SIGKILL after -n hops.  The job must end
 *               with a non-zero status, quickly, with no process left (the
 *               script checks both; the survivors sit in MPI_Wait on a CR
 *               with the progress thread polling).
 *   -m abort    as kill, but on rank K a callback calls
 *               MPI_Abort(MPI_COMM_WORLD, 7) after -n hops (on the progress
 *               thread, or inside MPI_Wait without one).  The job must end
 *               with status 7 (the script checks it).
 *   -m blocked  one rank, four threads.  Thread A's continuation blocks in
 *               its callback until released.  While it is blocked, thread B
 *               (POLL_ONLY CR) and thread C (ordinary CR) each register and
 *               complete 1000 continuations on self messages: both must finish,
 *               B's callbacks all in B, while A's callback is still blocked;
 *               then A is released and completes.  With and without a
 *               progress thread (whichever thread runs A's callback is stuck
 *               in it; nobody else may be).
 *
 * Usage: mr_faults -m kill|abort|blocked [-k rank] [-n hops] [-t token]
 */
#include "../mpi/mr_common.h"

#include <signal.h>
#include <unistd.h>

static int size, victim = 1;
static long hops = 2000;
static char mode[16];

/* ------------------------------------------------------------ kill, abort */

typedef struct {
    MPI_Request cr;
    int out, in;
    long n;
} ring_t;

static int ring_step(int rc, void *d);

static void ring_post(ring_t *r)
{
    MPI_Request q[2];
    r->out = (int)r->n;
    MPI_OK(MPI_Irecv(&r->in, 1, MPI_INT, (mr_rank + size - 1) % size, 0, MPI_COMM_WORLD, &q[0]));
    MPI_OK(MPI_Isend(&r->out, 1, MPI_INT, (mr_rank + 1) % size, 0, MPI_COMM_WORLD, &q[1]));
    MPI_OK(MPIX_Continueall(2, q, ring_step, r, MPIX_CONT_DEFER_COMPLETE, MPI_STATUSES_IGNORE, r->cr));
}

static int ring_step(int rc, void *d)
{
    ring_t *r = d;
    CHECK(rc == MPI_SUCCESS && r->in == (int)r->n, "hop %ld: rc %d, got %d", r->n, rc, r->in);
    if (++r->n == hops && mr_rank == victim) {
        if (!strcmp(mode, "kill")) {
            printf("mr_faults: rank %d: SIGKILL after %ld hops\n", mr_rank, r->n);
            fflush(stdout);
            raise(SIGKILL);
        }
        printf("mr_faults: rank %d: MPI_Abort(MPI_COMM_WORLD, 7) from a callback after %ld hops\n",
               mr_rank, r->n);
        fflush(stdout);
        MPI_Abort(MPI_COMM_WORLD, 7);
    }
    ring_post(r);   /* forever: only the fault ends the job */
    return MPI_SUCCESS;
}

static int run_ring(void)
{
    ring_t r = {.n = 0};
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &r.cr));
    MPI_OK(MPI_Start(&r.cr));
    ring_post(&r);
    MPI_Wait(&r.cr, MPI_STATUS_IGNORE);   /* never returns */
    FAIL("MPI_Wait on the ring's CR returned");
    return 1;
}

/* ------------------------------------------------------------ blocked */

#define NSELF 1000

static atomic_int a_blocked, a_release, a_ran;
static atomic_int b_wrong_thread;
static MPI_Comm self_a;

static int cb_block(int rc, void *d)
{
    atomic_fetch_add(&a_ran, 1);
    atomic_store(&a_blocked, 1);
    int spins = 0;
    while (!atomic_load(&a_release))
        mr_pause(&spins);
    atomic_store(&a_blocked, 0);
    return MPI_SUCCESS;
}

static void *thread_a(void *arg)
{
    MPI_Request cr, q[2];
    static int out = 1, in;
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr));
    MPI_OK(MPI_Start(&cr));
    MPI_OK(MPI_Irecv(&in, 1, MPI_INT, 0, 1, self_a, &q[0]));
    MPI_OK(MPI_Isend(&out, 1, MPI_INT, 0, 1, self_a, &q[1]));
    MPI_OK(MPIX_Continueall(2, q, cb_block, NULL, MPIX_CONT_DEFER_COMPLETE, MPI_STATUSES_IGNORE, cr));
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    MPI_OK(MPI_Request_free(&cr));
    return NULL;
}

typedef struct {
    int poll_only;
    pthread_t self;
    atomic_int ran;
    int blocked_at_end;   /* A still blocked when this thread finished */
    int out[NSELF], in[NSELF];
} other_t;

static int cb_count(int rc, void *d)
{
    other_t *o = d;
    atomic_fetch_add(&o->ran, 1);
    if (o->poll_only && !pthread_equal(pthread_self(), o->self))
        atomic_fetch_add(&b_wrong_thread, 1);
    return rc;
}

static void *thread_other(void *arg)
{
    other_t *o = arg;
    MPI_Comm comm;
    MPI_Request cr, q[2];
    o->self = pthread_self();
    MPI_OK(MPI_Comm_dup(MPI_COMM_SELF, &comm));
    MPI_OK(MPIX_Continue_init(o->poll_only ? MPIX_CONT_POLL_ONLY : 0, 0, MPI_INFO_NULL, &cr));
    MPI_OK(MPI_Start(&cr));
    for (int i = 0; i < NSELF; i++) {
        o->out[i] = i;
        MPI_OK(MPI_Irecv(&o->in[i], 1, MPI_INT, 0, i, comm, &q[0]));
        MPI_OK(MPI_Isend(&o->out[i], 1, MPI_INT, 0, i, comm, &q[1]));
        MPI_OK(MPIX_Continueall(2, q, cb_count, o, MPIX_CONT_DEFER_COMPLETE, MPI_STATUSES_IGNORE, cr));
    }
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    o->blocked_at_end = atomic_load(&a_blocked);
    for (int i = 0; i < NSELF; i++)
        CHECK(o->in[i] == i, "message %d carried %d", i, o->in[i]);
    MPI_OK(MPI_Request_free(&cr));
    MPI_OK(MPI_Comm_free(&comm));
    return NULL;
}

static int run_blocked(void)
{
    pthread_t a, b, c;
    static other_t ob = {.poll_only = 1}, oc = {.poll_only = 0};
    MPI_OK(MPI_Comm_dup(MPI_COMM_SELF, &self_a));
    pthread_create(&a, NULL, thread_a, NULL);
    int spins = 0;
    while (!atomic_load(&a_blocked))
        mr_pause(&spins);
    pthread_create(&b, NULL, thread_other, &ob);
    pthread_create(&c, NULL, thread_other, &oc);
    pthread_join(b, NULL);
    pthread_join(c, NULL);
    CHECK(ob.blocked_at_end && oc.blocked_at_end,
          "a thread finished only after the blocked callback was released (B %d, C %d)",
          ob.blocked_at_end, oc.blocked_at_end);
    CHECK(atomic_load(&ob.ran) == NSELF && atomic_load(&oc.ran) == NSELF,
          "B ran %d, C ran %d callbacks, expected %d each", atomic_load(&ob.ran),
          atomic_load(&oc.ran), NSELF);
    CHECK(atomic_load(&b_wrong_thread) == 0, "%d POLL_ONLY callbacks of B ran in another thread",
          atomic_load(&b_wrong_thread));
    atomic_store(&a_release, 1);
    pthread_join(a, NULL);
    CHECK(atomic_load(&a_ran) == 1, "A's callback ran %d times", atomic_load(&a_ran));
    MPI_OK(MPI_Comm_free(&self_a));
    if (mr_rank == 0)
        printf("mr_faults: blocked: progress thread %s; B (POLL_ONLY) and C each completed %d "
               "continuations while A's callback was blocked\n",
               cont_has_progress_thread() ? "on" : "off", NSELF);
    return 0;
}

int main(int argc, char **argv)
{
    size = mr_init(&argc, &argv, 1);
    int opt;
    while ((opt = getopt(argc, argv, "m:k:n:t:")) != -1) {
        if (opt == 'm')
            snprintf(mode, sizeof mode, "%s", optarg);
        else if (opt == 'k')
            victim = atoi(optarg);
        else if (opt == 'n')
            hops = atol(optarg);
        else if (opt == 't')
            ;   /* a token that lets the script find leftover processes */
        else
            DIE("usage: mr_faults -m kill|abort|blocked [-k rank] [-n hops]");
    }
    if (!strcmp(mode, "kill") || !strcmp(mode, "abort")) {
        if (victim < 0 || victim >= size)
            DIE("-k %d: no such rank", victim);
        run_ring();
    } else if (!strcmp(mode, "blocked")) {
        run_blocked();
    } else {
        DIE("unknown mode '%s'", mode);
    }
    int status = mr_finish("mr_faults");
    MPI_Finalize();
    return status;
}

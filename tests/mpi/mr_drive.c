/* A thread that drives progress itself (omp-glue's ompc_drive_begin/end):
 * two ranks exchange a value every step through detached receive and send
 * tasks, compute tasks combine them, timesteps overlap four deep (slot
 * reuse ordered by depend clauses only).  Every value is checked against a
 * serial replay of both ranks; with one thread ompc_drive_end must return
 * with no binding pending, before the barrier.  Run with 1 and 2 threads, with and without
 * the progress thread (-p: a foreign thread also polls libcont the whole
 * time, so events complete on a thread outside the team and must be
 * handed to the driver: a team of one thread would otherwise never
 * complete them while it drives, and the run would hang).  No task body
 * may start inside a binding call (a receive keeps its request in
 * per-thread storage across the call, as real codes do).
 *
 * -w N: create step t only once step t - N is done, waiting with
 * ompc_drive_step (a bounded creation window, as halo2d does).
 *
 *   mr_drive [-n steps] [-t threads] [-p] [-w window]          (2 ranks) */
#include "mr_common.h"
#include "omp-continue.h"

#include <omp.h>
#include <unistd.h>

#define SLOTS 4
#define MOD 1000003L

static long step(long mine, long other, long t)
{
    return (mine * 3 + other + t) % MOD;
}

static atomic_int stop_polling;
static atomic_long steps_done;
static _Thread_local int in_bind;   /* this thread is inside ompc_bindall */
static atomic_int nested_in_bind;   /* task bodies that started inside one */

/* Every task body starts here: binding functions never run other tasks. */
static void task_starts(void)
{
    if (in_bind)
        atomic_fetch_add(&nested_in_bind, 1);
}

/* Post the receive into a per-thread request, as code that keeps state
 * across the bind would. */
static void post_receive(long *buf, int peer, int t, omp_event_handle_t ev)
{
    static _Thread_local MPI_Request req;
    task_starts();
    MPI_OK(MPI_Irecv(buf, 1, MPI_LONG, peer, t, MPI_COMM_WORLD, &req));
    in_bind = 1;
    MPI_OK(ompc_bindall(1, &req, MPI_STATUSES_IGNORE, ev));
    in_bind = 0;
}

static void *foreign_poller(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_polling))
        cont_progress_poll();
    return NULL;
}

int main(int argc, char **argv)
{
    int size = mr_init(&argc, &argv, 1);
    int steps = 3000, threads = 1, opt, foreign = 0, window = 0;
    while ((opt = getopt(argc, argv, "n:t:pw:")) != -1) {
        if (opt == 'n')
            steps = atoi(optarg);
        else if (opt == 't')
            threads = atoi(optarg);
        else if (opt == 'p')
            foreign = 1;
        else if (opt == 'w')
            window = atoi(optarg);
        else
            DIE("usage: mr_drive [-n steps] [-t threads] [-p] [-w window]");
    }
    if (size != 2)
        DIE("run on 2 ranks");
    int peer = 1 - mr_rank;
    static long rbuf[SLOTS], sbuf[SLOTS], *history;
    history = calloc((size_t)steps + 1, sizeof *history);
    long v = 1 + mr_rank;
    sbuf[0] = v;
    history[0] = v;
    long pending_after_end = -1;
    int rc_begin = -1, rc_end = -1;

    pthread_t poller;
    if (foreign && pthread_create(&poller, NULL, foreign_poller, NULL) != 0)
        DIE("pthread_create");

#pragma omp parallel num_threads(threads)
#pragma omp single
    {
        rc_begin = ompc_drive_begin();
        for (int t = 0; t < steps; t++) {
            if (window > 0) {   /* create step t once step t - window is done */
                while (atomic_load(&steps_done) < t - window)
                    if (ompc_drive_step() != MPI_SUCCESS)
                        DIE("ompc_drive_step failed");
                CHECK(atomic_load(&steps_done) >= t - window, "window");
            }
            omp_event_handle_t rev, sev;
#pragma omp task detach(rev) depend(out: rbuf[t % SLOTS]) firstprivate(t)
            post_receive(&rbuf[t % SLOTS], peer, t, rev);
#pragma omp task detach(sev) depend(in: sbuf[t % SLOTS]) firstprivate(t)
            {
                task_starts();
                in_bind = 1;
                ompc_isend(&sbuf[t % SLOTS], 1, MPI_LONG, peer, t, MPI_COMM_WORLD, sev);
                in_bind = 0;
            }
#pragma omp task depend(in: rbuf[t % SLOTS]) depend(inout: v) \
    depend(out: sbuf[(t + 1) % SLOTS]) firstprivate(t)
            {
                task_starts();
                v = step(v, rbuf[t % SLOTS], t);
                sbuf[(t + 1) % SLOTS] = v;
                history[t + 1] = v;
                atomic_fetch_add(&steps_done, 1);
            }
        }
        rc_end = ompc_drive_end();
        pending_after_end = ompc_pending();
    }

    if (foreign) {
        atomic_store(&stop_polling, 1);
        pthread_join(poller, NULL);
    }
    CHECK(rc_begin == MPI_SUCCESS && rc_end == MPI_SUCCESS, "drive begin %d, end %d",
          rc_begin, rc_end);
    /* With one thread nothing else can bind once the driver has seen none
     * pending; with more, a task running elsewhere may bind later, and the
     * barrier waits for it. */
    if (threads == 1)
        CHECK(pending_after_end == 0, "%ld bindings pending when ompc_drive_end returned",
              pending_after_end);
    CHECK(ompc_pending() == 0, "%ld bindings pending after the parallel region", ompc_pending());
    long a = 1, b = 2;   /* both ranks replayed serially */
    int bad = 0;
    for (long t = 0; t < steps; t++) {
        long na = step(a, b, t), nb = step(b, a, t);
        a = na, b = nb;
        long want = mr_rank == 0 ? a : b;
        if (history[t + 1] != want && bad++ < 5)
            FAIL("step %ld: value %ld, expected %ld", t, history[t + 1], want);
    }
    CHECK(ompc_failures() == 0, "%ld failed bindings", ompc_failures());
    CHECK(atomic_load(&nested_in_bind) == 0, "%d task bodies ran inside ompc_bindall",
          atomic_load(&nested_in_bind));
    free(history);
    int rc = mr_finish("mr_drive");
    MPI_Finalize();
    return rc;
}

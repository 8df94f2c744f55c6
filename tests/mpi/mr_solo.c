/* mr_solo: detached tasks in OpenMP teams of one thread, their events
 * fulfilled by threads outside the team (libcont's progress thread,
 * omp-glue's poller, a thread of this program), in every construct that
 * waits for tasks.  The task hook hands such fulfilments to the team's own
 * thread (CONT_TH_HOME, taskhook.h): libomp 19 aborts now and then on
 * "children >= 0" when a thread outside a one-thread team fulfils its
 * events itself.
 *
 * Checks values (every receive delivered before its dependent ran, every
 * sum), counts (the hook's statistics: every detach-clause task of the
 * team completed at home, every fulfilment of this program's own thread
 * handed home, none fulfilled outside the team except where the team's
 * thread waits inside libomp), never timings.
 * Usage: mpiexec -n N mr_solo [-r rounds] */
#include "mr_common.h"
#include "omp-continue.h"
#include "taskhook.h"

#include <unistd.h>

static int size, left, right, rounds = 60;

/* ------------------------------------------------------------ a fulfiller
 * A thread of the program's own that fulfils the events given to it, in
 * order, after the task that gave it returned (the events of tasks that
 * stay detached). */
#define QMAX 4096
static atomic_uintptr_t queue[QMAX];   /* 0: not given yet (an event is never 0) */
static atomic_int q_in, q_stop;
static atomic_long fulfilled_by_me;

static void give(omp_event_handle_t ev)
{
    int i = atomic_fetch_add(&q_in, 1);
    if (i >= QMAX)
        DIE("fulfiller queue full");
    atomic_store_explicit(&queue[i], (uintptr_t)ev, memory_order_release);
}

static void *fulfiller(void *arg)
{
    (void)arg;
    int n = 0;
    for (int i = 0;;) {
        uintptr_t ev = i < QMAX ? atomic_load_explicit(&queue[i], memory_order_acquire) : 0;
        if (ev) {
            struct timespec ts = {0, 200000};   /* let the body return first (not a check) */
            nanosleep(&ts, NULL);
            omp_fulfill_event((omp_event_handle_t)ev);
            atomic_fetch_add(&fulfilled_by_me, 1);
            i++;
            n = 0;
        } else if (atomic_load(&q_stop)) {
            return NULL;
        } else {
            mr_pause(&n);
        }
    }
}

/* ------------------------------------------------------------ patterns */

/* A ring step: receive from the left, send to the right, a dependent task
 * adds what came; the creator waits with wait(). */
static void ring_round(int r, int *in, int *out, int *sum)
{
    omp_event_handle_t rev = (omp_event_handle_t)0, sev = (omp_event_handle_t)0;   /* (set by detach) */
    *out = mr_rank * 1000 + r;
#pragma omp task detach(rev) depend(out: in[0]) firstprivate(r)
    ompc_irecv(in, 1, MPI_INT, left, r, MPI_COMM_WORLD, MPI_STATUS_IGNORE, rev);
#pragma omp task detach(sev) depend(in: out[0]) firstprivate(r)
    ompc_isend(out, 1, MPI_INT, right, r, MPI_COMM_WORLD, sev);
#pragma omp task depend(in: in[0]) firstprivate(r)
    {
        CHECK(*in == left * 1000 + r, "round %d: received %d, expected %d", r, *in,
              left * 1000 + r);
        *sum += *in;
    }
}

static int expected_sum(int n)
{
    int s = 0;
    for (int r = 0; r < n; r++)
        s += left * 1000 + r;
    return s;
}

/* taskwait after each round */
static void by_taskwait(void)
{
    int in = -1, out = 0, sum = 0;
#pragma omp parallel num_threads(1)
#pragma omp single
    for (int r = 0; r < rounds; r++) {
        ring_round(r, &in, &out, &sum);
#pragma omp taskwait
    }
    CHECK(sum == expected_sum(rounds), "taskwait: sum %d, expected %d", sum,
          expected_sum(rounds));
}

/* a taskgroup per round */
static void by_taskgroup(void)
{
    int in = -1, out = 0, sum = 0;
#pragma omp parallel num_threads(1)
#pragma omp single
    for (int r = 0; r < rounds; r++) {
#pragma omp taskgroup
        ring_round(r, &in, &out, &sum);
    }
    CHECK(sum == expected_sum(rounds), "taskgroup: sum %d, expected %d", sum,
          expected_sum(rounds));
}

/* rounds chained by dependences only, one barrier (the region's end) */
static void by_barrier(void)
{
    int n = rounds < 100 ? rounds : 100;
    int in[100], out[100], sum = 0;
#pragma omp parallel num_threads(1)
    {
#pragma omp single nowait
        for (int r = 0; r < n; r++)
            ring_round(r, &in[r], &out[r], &sum);
    }
    CHECK(sum == expected_sum(n), "barrier: sum %d, expected %d", sum, expected_sum(n));
}

/* Detached tasks created by explicit tasks that end before them, two
 * levels down (a detached task outlives its parent, whose parent is an
 * explicit task too), then a reduction's end (a barrier inside libomp). */
static void nested_then_reduction(void)
{
    int in[64], out[64], sum = 0, n = rounds < 64 ? rounds : 64;
    long red = 0;
#pragma omp parallel num_threads(1) shared(red)
    {
#pragma omp single
#pragma omp task
        for (int r = 0; r < n; r++) {
#pragma omp task firstprivate(r)
            ring_round(r, &in[r], &out[r], &sum);
        }
#pragma omp for reduction(+: red)
        for (int i = 0; i < 10; i++)
            red += i;
    }
    CHECK(sum == expected_sum(n), "nested: sum %d, expected %d", sum, expected_sum(n));
    CHECK(red == 45, "reduction: %ld, expected 45", red);
}

/* Events this program's own thread fulfils: each must be handed home.
 * A task's dependent sees what the fulfiller's side wrote before it
 * fulfilled (the flag), checked per round. */
static void by_own_thread(unsigned long long *given)
{
    int flags[64] = {0}, seen = 0, n = rounds < 64 ? rounds : 64;
#pragma omp parallel num_threads(1)
#pragma omp single
    for (int r = 0; r < n; r++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: flags[r]) firstprivate(r) shared(flags)
        {
            flags[r] = r + 1;
            give(ev);
        }
#pragma omp task depend(in: flags[r]) firstprivate(r) shared(flags, seen)
        {
            CHECK(flags[r] == r + 1, "own thread: round %d flag %d", r, flags[r]);
            seen++;
        }
        if (r % 8 == 7) {
#pragma omp taskwait
        }
    }
    *given += (unsigned long long)n;
    CHECK(seen == n, "own thread: %d dependents ran, expected %d", seen, n);
}

/* taskwait depend: the one wait the hook cannot follow (the thread waits
 * inside libomp; fulfilments meanwhile go to libomp directly). */
static void by_taskwait_depend(void)
{
    int in = -1, out = 0, sum = 0;
#pragma omp parallel num_threads(1)
#pragma omp single
    for (int r = 0; r < 8; r++) {
        ring_round(r, &in, &out, &sum);
#pragma omp taskwait depend(in: in)
#pragma omp taskwait
    }
    CHECK(sum == expected_sum(8), "taskwait depend: sum %d, expected %d", sum,
          expected_sum(8));
}

int main(int argc, char **argv)
{
    size = mr_init(&argc, &argv, 1);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            rounds = atoi(argv[++i]);
    left = (mr_rank + size - 1) % size;
    right = (mr_rank + 1) % size;
    pthread_t t;
    if (pthread_create(&t, NULL, fulfiller, NULL))
        DIE("pthread_create");

    cont_th_stats_t before, after;
    cont_th_get_stats(&before);
    unsigned long long given = 0;
    by_taskwait();
    by_taskgroup();
    by_barrier();
    nested_then_reduction();
    by_own_thread(&given);
    cont_th_get_stats(&after);

    /* every detach-clause task above: 3 per ring round, 1 per own round */
    int nb = rounds < 100 ? rounds : 100, n64 = rounds < 64 ? rounds : 64;
    unsigned long long home = 2ull * (2 * rounds + nb + n64) + n64;
    CHECK(after.home_tasks - before.home_tasks == home,
          "hook: %llu detach-clause tasks completed at home, expected %llu",
          after.home_tasks - before.home_tasks, home);
    CHECK(after.handed - before.handed >= given,
          "hook: %llu fulfilments handed home, expected at least %llu (this program's thread)",
          after.handed - before.handed, given);
    CHECK(after.stranded == before.stranded,
          "hook: %llu fulfilments from outside a one-thread team reached libomp",
          after.stranded - before.stranded);
    CHECK(atomic_load(&fulfilled_by_me) == (long)given, "fulfiller: %ld of %llu",
          atomic_load(&fulfilled_by_me), given);

    by_taskwait_depend();   /* last: may strand fulfilments (counted, not checked) */
    CHECK(ompc_pending() == 0, "%ld bindings still pending", ompc_pending());

    atomic_store(&q_stop, 1);
    pthread_join(t, NULL);
    int rc = mr_finish("mr_solo");
    MPI_Finalize();
    return rc;
}

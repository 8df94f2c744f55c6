/* What the devreal/npb3.3 BT-MZ detach port exercises, in our own code, with
 * the 202005 API: a `master` makes a poll task (MPI_Test on the CR while
 * continuations are pending, then taskyield) and a compute task that makes,
 * for every step and zone, a copy-out task (with nested tasks and a
 * taskwait), a detached task that posts Isend right + Irecv left and hands
 * both to MPI_Continueall (fulfilling its event itself when *flag says they
 * are already complete), a copy-in task that checks the received value, and
 * a solve task with nested tasks.  The callback counts in a thread-local
 * variable of the polling thread, as BT-MZ's does.  Linked as
 * `pkg-config --libs libcont` links it: the task hook first.
 *
 *   lg_detach_poll [-s steps] [-z zones] [-n]
 *
 * -n (nested): the other threads start 0.3 s late, so the master thread runs
 * the compute task and, with libomp's task scheduling constraint lifted,
 * picks the poll task up inside the compute task's taskwait: without a pause
 * of its own (the hook's CONT_TH_YIELD) the poll task, which loops until the
 * compute task ends, holds it under it for good (BT-MZ hung so in 1 of 20
 * runs at 2 ranks x 2 threads on 2 cores).  Checks that the poll task did
 * start there and that its yields suspended it.
 *
 * Prints "detach-poll: OK (...)" on rank 0; checks every received value,
 * every zone's final value and the number of continuations. */
#include "../mpi/mr_common.h"
#include "taskhook.h"

#include <omp.h>
#include <unistd.h>

enum { MAX_ZONES = 64 };

static MPI_Request cont_req = MPI_REQUEST_NULL;
static atomic_int active_reqs, callbacks, dropped, bad_values;
static _Thread_local int complete_reqs;

static void request_completion_cb(void *data)
{
    omp_event_handle_t *ev = data;
    atomic_fetch_sub(&active_reqs, 1);
    ++complete_reqs;
    atomic_fetch_add(&callbacks, 1);
    omp_fulfill_event(*ev);
    free(ev);
}

static void poll_service(void)
{
    if (atomic_load(&active_reqs) > 0) {
        do {
            int flag;
            complete_reqs = 0;
            MPI_OK(MPI_Test(&cont_req, &flag, MPI_STATUS_IGNORE));
        } while (complete_reqs > 0 && atomic_load(&active_reqs) > 0);
    }
}

static void wait_for_reqs(omp_event_handle_t event, MPI_Request *reqs)
{
    int flag = 0;
    omp_event_handle_t *ev = malloc(sizeof *ev);
    *ev = event;
    MPI_OK(MPI_Continueall(2, reqs, &flag, request_completion_cb, ev, MPI_STATUSES_IGNORE,
                           cont_req));
    if (!flag) {
        atomic_fetch_add(&active_reqs, 1);
    } else {
        atomic_fetch_add(&dropped, 1);
        omp_fulfill_event(event);
        free(ev);
    }
}

static int expected(int rank, int step, int zone) { return rank * 1000000 + step * 100 + zone; }

int main(int argc, char **argv)
{
    int size = mr_init(&argc, &argv, 1);
    int steps = 40, zones = 8, nested = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n"))
            nested = 1;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-z") && i + 1 < argc)
            zones = atoi(argv[++i]);
        else
            DIE("usage: lg_detach_poll [-s steps] [-z zones] [-n]");
    }
    if (zones < 1 || zones > MAX_ZONES || steps < 1)
        DIE("bad -s/-z");
    MPI_OK(MPI_Continue_init(&cont_req));
    int right = (mr_rank + 1) % size, left = (mr_rank + size - 1) % size;
    static int outb[MAX_ZONES][4], inb[MAX_ZONES][4];
    static double u[MAX_ZONES];
    int threads = 0;
    atomic_int compute_thread = -1, poll_nested = 0;

#pragma omp parallel shared(threads)
    {
    if (nested && omp_get_thread_num() != 0)
        usleep(300000);
#pragma omp master
    {
        threads = omp_get_num_threads();
        /* BT-MZ's are volatile ints; atomics here, so that TSan sees no race */
        atomic_int do_progress = 1, in_compute = 0;
#pragma omp task shared(do_progress, in_compute)
        {
            /* started on the compute task's thread while it runs: inside it */
            if (in_compute && atomic_load(&compute_thread) == omp_get_thread_num())
                atomic_store(&poll_nested, 1);
            while (do_progress) {
                poll_service();
                if (in_compute) {
#pragma omp taskyield
                } else {
                    usleep(1);
                }
            }
        }
#pragma omp task shared(do_progress, in_compute, outb, inb, u)
        {
            atomic_store(&compute_thread, omp_get_thread_num());
            in_compute = 1;
            for (int s = 0; s < steps; s++) {
                for (int z = 0; z < zones; z++) {
                    int *ob = outb[z], *ib = inb[z];
                    double *uz = &u[z];
#pragma omp task depend(in : uz[0]) depend(out : ob[0]) firstprivate(s, z, ob)
                    {
                        for (int k = 0; k < 4; k++) {
#pragma omp task firstprivate(k)
                            ob[k] = expected(mr_rank, s, z) + k;
                        }
#pragma omp taskwait
                    }
                    omp_event_handle_t ev;
#pragma omp task depend(in : ob[0]) depend(out : ib[0]) detach(ev) firstprivate(z, ob, ib)
                    {
                        MPI_Request reqs[2];
                        MPI_OK(MPI_Isend(ob, 4, MPI_INT, right, z, MPI_COMM_WORLD, &reqs[0]));
                        MPI_OK(MPI_Irecv(ib, 4, MPI_INT, left, z, MPI_COMM_WORLD, &reqs[1]));
                        wait_for_reqs(ev, reqs);
                    }
#pragma omp task depend(in : ib[0]) depend(inout : uz[0]) firstprivate(s, z, ib)
                    {
                        for (int k = 0; k < 4; k++)
                            if (ib[k] != expected(left, s, z) + k)
                                atomic_fetch_add(&bad_values, 1);
                    }
#pragma omp task depend(inout : uz[0]) firstprivate(uz)
                    {
                        double part[2] = {0, 0};
                        for (int k = 0; k < 2; k++) {
#pragma omp task shared(part) firstprivate(k)
                            part[k] = 0.5;
                        }
#pragma omp taskwait
                        *uz += part[0] + part[1];
                    }
                }
            }
#pragma omp taskwait
            do_progress = 0;
        }
        /* do_progress and in_compute live in this block's frame: wait here
         * (as BT-MZ does) so that the tasks never see a dead frame */
#pragma omp taskwait
    }
    }

    cont_th_stats_t hs;
    cont_th_get_stats(&hs);
    if (nested) {
        CHECK(atomic_load(&poll_nested), "-n: the poll task did not start inside the compute "
              "task (the scenario was not reached)");
        CHECK(hs.yielded > 0, "-n: no taskyield suspended the poll task (is the task hook "
              "linked first?)");
    }
    CHECK(threads > 1, "needs 2 threads or more (OMP_NUM_THREADS), got %d", threads);
    CHECK(atomic_load(&bad_values) == 0, "%d received values wrong", atomic_load(&bad_values));
    for (int z = 0; z < zones; z++)
        CHECK(u[z] == (double)steps, "zone %d: %g, expected %d", z, u[z], steps);
    int n = atomic_load(&callbacks) + atomic_load(&dropped);
    CHECK(n == steps * zones, "%d callbacks + %d complete at registration, expected %d",
          atomic_load(&callbacks), atomic_load(&dropped), steps * zones);
    CHECK(atomic_load(&active_reqs) == 0, "%d continuations left", atomic_load(&active_reqs));
    int flag = 0;
    MPI_OK(MPI_Test(&cont_req, &flag, MPI_STATUS_IGNORE));
    CHECK(flag == 1, "the CR is not complete at the end");
    MPI_OK(MPI_Request_free(&cont_req));
    int rc = mr_finish("detach-poll");
    if (mr_rank == 0 && rc == 0)
        printf("detach-poll: OK (%d ranks x %d threads, %d steps x %d zones, progress thread "
               "%s%s; rank 0: %llu yields paused)\n", size, threads, steps, zones,
               cont_has_progress_thread() ? "on" : "off", nested ? ", nested poll task" : "",
               hs.yielded);
    MPI_Finalize();
    return rc;
}

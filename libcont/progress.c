/* The progress thread: polls the engine while operations are pending,
 * pacing its sweeps so that it holds MPICH's lock about a fifth of the time
 * at most, backing off spin -> yield -> short bounded sleeps; blocks (0% CPU)
 * when nothing is pending and wakes at once on the next registration.  While
 * application threads poll the engine themselves (waiting on a CR, or
 * drivers: cont_progress_driver_begin) this thread steps back, so the two
 * do not compete for a core: it blocks, waking every POLLER_WATCH_NS to
 * poll only if no one polled meanwhile, and at once when the last poller
 * leaves with work pending or a registration comes after it left.
 * (Measured on 2 cores: the 50 us naps this replaced cost 40% of a Task
 * Bench run at 2 ranks x 1 thread, and cont-chain 1 MiB 82 -> 67 us.) */
#include "cont-internal.h"

#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <time.h>

/* While threads poll themselves, how often this one checks they still do. */
#define POLLER_WATCH_NS 1000000L   /* 1 ms */

/* Pacing.  A sweep holds MPICH's global lock (at MPI_THREAD_MULTIPLE) while
 * it tests, and an application thread that calls MPI meanwhile sleeps on
 * the lock and must be woken; back-to-back sweeps over many requests kept
 * it nearly always held, so the application's own MPI calls (posting the
 * sends that complete those requests) waited microseconds each.  So after
 * a sweep this thread stays out of MPI for CONT_PROGRESS_PACE (default 4)
 * times the time the sweep spent testing: what it measured, but at most
 * PACE_TEST_NS per request tested (a sweep that also moved a large message
 * is longer for a reason that does not call for a pause: a pause of 4x its
 * 50 us cost 1 MiB ping-pongs through this thread +50%), and at most
 * PACE_MAX_NS.  Measured on 2 cores, bench-scale cont-together with 65536
 * outstanding: 0.9-1.8 us per continuation -> 0.17-0.30 us (0.11 us
 * without a progress thread); one completion at a time among 65536,
 * 39-109 -> 10-11 us.  A sweep of a few requests takes ~0.1 us, so the
 * pause costs a lone message well under a microsecond. */
#define PACE_TEST_NS 200L
#define PACE_MAX_NS 50000L

static pthread_t thread;
static int running;
static atomic_int stop, idle, stepped_back;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static hwloc_topology_t topo;
static hwloc_cpuset_t bind_set;
static double final_cpu;

static void signal_thread(void)
{
    pthread_mutex_lock(&mtx);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mtx);
}

/* Wake the thread if it blocks idle, or stepped back for pollers that
 * have all left. */
void cont_progress_wake(void)
{
    if (atomic_load(&idle) ||
        (atomic_load(&stepped_back) && atomic_load(&cont_engine.pollers) == 0))
        signal_thread();
}

void cont_pollers_enter(void)
{
    atomic_fetch_add(&cont_engine.pollers, 1);
}

/* The last poller wakes the thread at once if work is pending; else it
 * sleeps on until a registration (cont_progress_wake) or its watch. */
void cont_pollers_leave(void)
{
    if (atomic_fetch_sub(&cont_engine.pollers, 1) == 1 && atomic_load(&stepped_back) &&
        cont_engine_has_work())
        signal_thread();
}

void cont_progress_driver_begin(void)
{
    cont_pollers_enter();
}

void cont_progress_driver_end(void)
{
    cont_pollers_leave();
}

/* Pollers poll: block until the last one leaves, but poll once per
 * POLLER_WATCH_NS in which none did (a driver busy in a long task). */
static void step_back(void)
{
    unsigned long long seen = atomic_load(&cont_g.sweeps);   /* moves while pollers poll */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += POLLER_WATCH_NS;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&mtx);
    atomic_store(&stepped_back, 1);
    if (!atomic_load(&stop) && atomic_load(&cont_engine.pollers) > 0)
        pthread_cond_timedwait(&cv, &mtx, &until);
    atomic_store(&stepped_back, 0);
    pthread_mutex_unlock(&mtx);
    if (atomic_load(&cont_engine.pollers) > 0 && atomic_load(&cont_g.sweeps) == seen &&
        cont_engine_has_work())
        cont_progress();
}

/* Nothing pending: poll for new work through the spin and yield phases
 * before blocking, so that a registration that comes soon after (the next
 * hop of a task chain, the next message of a ping-pong) is picked up without
 * a wake-up through the condition variable, which costs both threads a
 * system call and this one a scheduling delay (measured on 2 cores,
 * bench-hop: 17-22 -> 2.5 us per hop).  None where the node is
 * oversubscribed (spin and yield are 0 there).  Returns 1 if work came. */
static int linger(void)
{
    cont_backoff_t l = {.pt = 1};
    while (l.n < cont_pt_poll_spin + cont_pt_poll_yield) {
        if (cont_engine_has_work())
            return 1;
        if (atomic_load(&stop) || atomic_load(&cont_engine.pollers) > 0)
            return 0;
        cont_backoff(&l);
    }
    return cont_engine_has_work();
}

/* Stay out of MPI for CONT_PROGRESS_PACE times what the last sweep spent
 * testing requests, yielding the core meanwhile; pollers arriving or a stop
 * end the pause.  Yield: spinning would keep a thread that shares this core
 * under load (the one waiting for this thread's callbacks) off it
 * (cont-in-order at N=16: 1.3 us in some runs, 185-206 us in others), and
 * the VM's short sleeps overrun (128 us there).  The factor is
 * cont_pt_pace: CONT_PROGRESS_PACE, 0 on an oversubscribed node (oversub.c). */
static void pace(uint64_t mpi_ns, int tested)
{
    uint64_t testing = (uint64_t)tested * PACE_TEST_NS;
    uint64_t gap = (uint64_t)cont_pt_pace * (mpi_ns < testing ? mpi_ns : testing);
    if (gap == 0)
        return;   /* no sweep (another thread owned the engine), or CONT_PROGRESS_PACE=0 */
    uint64_t until = cont_now_ns() + (gap < PACE_MAX_NS ? gap : PACE_MAX_NS);
    while (cont_now_ns() < until && !atomic_load(&stop) && !atomic_load(&cont_engine.pollers))
        sched_yield();
}

_Thread_local int cont_tls_is_progress_thread;

static void *progress_main(void *arg)
{
    cont_tls_is_progress_thread = 1;
    (void)arg;
    if (bind_set && hwloc_set_cpubind(topo, bind_set, HWLOC_CPUBIND_THREAD) != 0)
        fprintf(stderr, "libcont: warning: could not bind the progress thread\n");
    /* Linux lets a sleep overrun by the thread's timer slack (50 us by
     * default): the backoff's 1..CONT_POLL_MAX_SLEEP_US sleeps would all be
     * 50 us or more, which is then the latency of every message that
     * arrives while this thread sleeps.  1 ns: sleeps last what they ask. */
    if (!cont_oversubscribed)   /* else a core's computing thread pays for it */
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    cont_backoff_t b = {.pt = 1};
    while (!atomic_load(&stop)) {
        if (atomic_load(&cont_engine.pollers) > 0) {
            step_back();
            continue;
        }
        if (cont_engine_has_work()) {
            uint64_t mpi_ns;
            int tested;
            if (cont_progress_timed(&mpi_ns, &tested) > 0)
                b.n = 0;
            else
                cont_backoff(&b);
            pace(mpi_ns, tested);
            continue;
        }
        if (linger())
            continue;
        pthread_mutex_lock(&mtx);
        atomic_store(&idle, 1);
        while (!atomic_load(&stop) && !cont_engine_has_work())
            pthread_cond_wait(&cv, &mtx);
        atomic_store(&idle, 0);
        pthread_mutex_unlock(&mtx);
        b.n = 0;
    }
    return NULL;
}

/* CONT_PROGRESS_CPU: a core index of the machine (it must lie inside the
 * binding the process inherited), or auto: the last core of that binding. */
static int choose_cpuset(void)
{
    if (cont_cfg.progress_cpu == -2)
        return 0;
    if (hwloc_topology_init(&topo) || hwloc_topology_load(topo)) {
        fprintf(stderr, "libcont: CONT_PROGRESS_CPU: hwloc cannot read the topology\n");
        return 1;
    }
    hwloc_cpuset_t proc = hwloc_bitmap_alloc();
    if (hwloc_get_cpubind(topo, proc, HWLOC_CPUBIND_PROCESS) != 0 || hwloc_bitmap_iszero(proc))
        hwloc_bitmap_copy(proc, hwloc_topology_get_allowed_cpuset(topo));
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    hwloc_obj_t core = NULL;
    if (cont_cfg.progress_cpu == -1) {
        for (int i = ncores - 1; i >= 0 && !core; i--) {
            hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)i);
            if (hwloc_bitmap_intersects(o->cpuset, proc))
                core = o;
        }
    } else {
        if (cont_cfg.progress_cpu >= ncores) {
            fprintf(stderr, "libcont: CONT_PROGRESS_CPU=%d: this machine has %d cores (0..%d)\n",
                    cont_cfg.progress_cpu, ncores, ncores - 1);
            hwloc_bitmap_free(proc);
            return 1;
        }
        core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)cont_cfg.progress_cpu);
        if (!hwloc_bitmap_intersects(core->cpuset, proc)) {
            char *s;
            hwloc_bitmap_list_asprintf(&s, proc);
            fprintf(stderr, "libcont: CONT_PROGRESS_CPU=%d: core %d is outside this process's "
                    "binding (PUs %s)\n", cont_cfg.progress_cpu, cont_cfg.progress_cpu, s);
            free(s);
            hwloc_bitmap_free(proc);
            return 1;
        }
    }
    if (!core) {
        hwloc_bitmap_free(proc);
        return 0;
    }
    bind_set = hwloc_bitmap_alloc();
    hwloc_bitmap_and(bind_set, core->cpuset, proc);
    hwloc_bitmap_free(proc);
    if (cont_cfg.verbose >= 2) {
        char *s;
        hwloc_bitmap_list_asprintf(&s, bind_set);
        fprintf(stderr, "libcont: progress thread bound to core %u (PUs %s)\n", core->logical_index, s);
        free(s);
    }
    return 0;
}

int cont_progress_cpu_check(void)
{
    return choose_cpuset();
}

int cont_progress_thread_start(void)
{
    atomic_store(&stop, 0);
    if (pthread_create(&thread, NULL, progress_main, NULL) != 0) {
        fprintf(stderr, "libcont: cannot create the progress thread\n");
        return 1;
    }
    running = 1;
    return 0;
}

double cont_progress_thread_cpu(void)
{
    if (!running)
        return final_cpu;
    clockid_t cid;
    struct timespec ts;
    if (pthread_getcpuclockid(thread, &cid) || clock_gettime(cid, &ts))
        return 0;
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cont_progress_thread_running(void)
{
    return running;
}

int cont_progress_thread_is_self(void)
{
    return running && pthread_equal(thread, pthread_self());
}

static void release_cpuset(void)
{
    if (bind_set) {
        hwloc_bitmap_free(bind_set);
        bind_set = NULL;
    }
    if (topo) {
        hwloc_topology_destroy(topo);
        topo = NULL;
    }
}

void cont_progress_cpu_release(void)
{
    release_cpuset();
}

void cont_progress_thread_stop(void)
{
    if (!running)
        return;
    final_cpu = cont_progress_thread_cpu();
    pthread_mutex_lock(&mtx);
    atomic_store(&stop, 1);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mtx);
    pthread_join(thread, NULL);
    running = 0;
    release_cpuset();
}

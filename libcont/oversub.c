/* Is there a core for the progress thread?  When this node's ranks, each
 * with its OpenMP threads, fit its cores but not with a progress thread
 * each, the progress thread shares a core with a computing
 * thread: spinning and sched_yield then take that thread's time slices (a
 * yield under load gives the core away for milliseconds), and a 1 ns timer
 * slack makes its short sleeps wake it far more often.  Measured on 2
 * cores, Task Bench stencil 2 ranks x 1 thread: METG 2348 us with the
 * default polling, 706 us without spin and yield.  So on an oversubscribed
 * node the progress thread polls with no spin, no yield, no pacing (its
 * pause yields: 1 MiB omp-detach ping-pongs at 2 ranks x 1 thread
 * 150-210 -> 250-3500 us; it sleeps after every empty poll anyway) and the
 * kernel's timer slack.  A thread waiting in MPI_Wait on a CR keeps the
 * configured polling: it has nothing else to do, and its spin is what makes a
 * ping-pong fast.  Explicit CONT_POLL_SPIN / CONT_POLL_YIELD always win.
 *
 * Without a collective (this runs inside MPI_Init, and lazily elsewhere):
 * ranks on this node from MPICH's launcher (MPI_LOCALNRANKS), threads from
 * OMP_NUM_THREADS when an OpenMP runtime is loaded (else its default: one
 * per core), cores from this process's CPU affinity. */
#define _GNU_SOURCE
#include "cont-internal.h"

#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

/* Set by cont_oversub_adjust before the progress thread starts. */
int cont_oversubscribed, cont_pt_poll_spin, cont_pt_poll_yield, cont_pt_pace;

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    return v && end != v && x > 0 ? x : dflt;   /* OMP_NUM_THREADS may be a list: its first */
}

int cont_oversub_adjust(void)
{
    cont_pt_poll_spin = cont_cfg.poll_spin;
    cont_pt_poll_yield = cont_cfg.poll_yield;
    cont_pt_pace = cont_cfg.progress_pace;
    cpu_set_t set;
    long cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    if (cores <= 0)
        return 0;
    long ranks = env_long("MPI_LOCALNRANKS", 1);
    long threads = dlsym(RTLD_DEFAULT, "omp_get_max_threads")
                       ? env_long("OMP_NUM_THREADS", cores) : 1;
    /* Only when the progress threads are what oversubscribes the node: if
     * the application's own threads already outnumber the cores, the
     * scheduler time-slices them anyway and a polite progress thread only
     * answers later (measured: halo2d detach at 2 ranks x 2 threads on 2
     * cores lost 30% with it). */
    cont_oversubscribed = ranks * threads <= cores && ranks * (threads + 1) > cores;
    if (!cont_oversubscribed)
        return 0;
    if (!(cont_cfg.poll_set & 1))
        cont_pt_poll_spin = 0;
    if (!(cont_cfg.poll_set & 2))
        cont_pt_poll_yield = 0;
    cont_pt_pace = 0;
    if (cont_cfg.verbose >= 2 && cont_g.rank == 0)
        fprintf(stderr, "libcont: %ld rank(s) x (%ld thread(s) + a progress thread) on %ld "
                "core(s): oversubscribed; the progress thread polls with spin %d, yield %d\n",
                ranks, threads, cores, cont_pt_poll_spin, cont_pt_poll_yield);
    return 1;
}

/* contrun's start and end: plugs into libcont (cont_wrapper) from a
 * constructor, asks MPI for MPI_THREAD_MULTIPLE when the program runs
 * OpenMP, checks the configuration and the output files at MPI_Init, and
 * writes the profile and the trace at MPI_Finalize. */
#define _GNU_SOURCE
#include "contrun-internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ctr_rank, ctr_size = 1;
uint64_t ctr_t_base;
int ctr_asked_level = MPI_THREAD_SINGLE, ctr_provided_level = MPI_THREAD_SINGLE;
static int options_bad;

const char *ctr_level_name(int l)
{
    switch (l) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    default: return "MPI_THREAD_MULTIPLE";
    }
}

void *ctr_omp_symbol(const char *name)
{
    return dlsym(RTLD_DEFAULT, name);
}

/* Blocking MPI in OpenMP tasks needs MULTIPLE: ask for it when the program
 * has an OpenMP runtime and task awareness is on. */
static int init_level(int required)
{
    ctr_next_resolve();
    ctr_omp_resolve();
    options_bad = ctr_options_load();
    if (ctr_opt.task_aware && ctr_omp_present() && required < MPI_THREAD_MULTIPLE)
        return MPI_THREAD_MULTIPLE;
    return required;
}

/* Open (create or truncate) a file the job will write at the end, so an
 * unwritable path stops it now rather than after hours. */
static int check_writable(const char *what, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "contrun: cannot write the %s to %s: %s\n", what, path, strerror(errno));
        return 1;
    }
    fclose(f);
    return 0;
}

static void after_init(int required, int provided)
{
    PMPI_Comm_rank(MPI_COMM_WORLD, &ctr_rank);
    PMPI_Comm_size(MPI_COMM_WORLD, &ctr_size);
    ctr_asked_level = required;
    ctr_provided_level = provided;
    int bad = options_bad;
    if (ctr_rank == 0) {
        if (ctr_opt.profile_file) {
            bad |= check_writable("profile", ctr_opt.profile_file);
            char *json = ctr_profile_json_path();
            bad |= !json || check_writable("JSON profile", json);
            free(json);
        }
        if (ctr_opt.trace_file)
            bad |= check_writable("trace", ctr_opt.trace_file);
    }
    if (bad) {
        fprintf(stderr, "contrun: rank %d: invalid configuration, aborting (contrun --help)\n",
                ctr_rank);
        PMPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (ctr_rank == 0 && ctr_opt.task_aware && ctr_omp_present() &&
        provided < MPI_THREAD_MULTIPLE)
        fprintf(stderr, "contrun: asked MPI for MPI_THREAD_MULTIPLE, got %s: blocking MPI calls "
                "in OpenMP tasks stay blocking (safe mode; the program must call MPI as %s "
                "allows)\n", ctr_level_name(provided), ctr_level_name(provided));
    ctr_taskwait_init(provided);
    ctr_stall_init();
    ctr_trace_init();
    ctr_prof_init();
    PMPI_Barrier(MPI_COMM_WORLD);
    ctr_t_base = cont_now_ns();
}

static void before_finalize(void)
{
    /* Stop the progress thread first: the trace buffers and counters are
     * read below without locks. */
    ctr_stall_fini();
    cont_progress_thread_stop();
    ctr_taskwait_fini();
    ctr_prof_report();
    ctr_trace_write();
}

static cont_wrapper_t ops = {
    .init_level = init_level,
    .after_init = after_init,
    .before_finalize = before_finalize,
    .wait = ctr_wait,
    .waitall = ctr_waitall,
    .waitany = ctr_waitany,
    .waitsome = ctr_waitsome,
    .task_aware = ctr_task_aware_ok,
};

/* libomp lets a tied task that yields run only its own descendants (the
 * task scheduling constraint, KMP_TASK_STEALING_CONSTRAINT=1), so a task
 * blocked in MPI_Recv could not run the sibling task that sends what
 * another rank waits for.  Lift it unless the user set it: libomp reads its
 * environment at its first use, after this constructor.  Tied tasks keep
 * their thread; what changes is that a yielding task may run any ready task
 * of its team (a program holding a lock across a blocking MPI call in a
 * task could then deadlock on it: set KMP_TASK_STEALING_CONSTRAINT=1). */
__attribute__((constructor)) static void contrun_plug_in(void)
{
    cont_wrapper = &ops;
    const char *v = getenv("CONT_TASK_AWARE");
    if (!(v && (!strcmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no"))))
        setenv("KMP_TASK_STEALING_CONSTRAINT", "0", 0);
}

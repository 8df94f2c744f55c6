/* Start-up and shut-down: MPI_Init[_thread] and MPI_Finalize. */
#include "cont-internal.h"

#include <stdio.h>
#include <time.h>

cont_global_t cont_g;
static pthread_mutex_t init_mtx = PTHREAD_MUTEX_INITIALIZER;

static const char *level_name(int l)
{
    switch (l) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    default: return "MPI_THREAD_MULTIPLE";
    }
}

/* Called once MPI is up.  A configuration error aborts the job: a wrong
 * setting must never be silently replaced by a default. */
static void lib_init(void)
{
    pthread_mutex_lock(&init_mtx);
    if (atomic_load(&cont_g.initialized)) {
        pthread_mutex_unlock(&init_mtx);
        return;
    }
    PMPI_Comm_rank(MPI_COMM_WORLD, &cont_g.rank);
    PMPI_Query_thread(&cont_g.thread_level);
    cont_g.told_level = cont_g.thread_level;   /* MPI_Init[_thread] may say less */
    if (cont_config_load()) {
        fprintf(stderr, "libcont: rank %d: invalid CONT_* configuration, aborting (see "
                "docs/reference-config.md)\n", cont_g.rank);
        PMPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (cont_reqmap_init()) {
        fprintf(stderr, "libcont: cannot map the request tables\n");
        PMPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (cont_progress_cpu_check())   /* validated even when no thread will run */
        PMPI_Abort(MPI_COMM_WORLD, 2);
    int multiple = cont_g.thread_level == MPI_THREAD_MULTIPLE;
    if (cont_cfg.progress_thread == CONT_PT_ON && !multiple) {
        fprintf(stderr, "libcont: CONT_PROGRESS_THREAD=on needs MPI_THREAD_MULTIPLE, but MPI "
                "provided %s (call MPI_Init_thread with MPI_THREAD_MULTIPLE)\n",
                level_name(cont_g.thread_level));
        PMPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (multiple && cont_cfg.progress_thread != CONT_PT_OFF) {
        cont_oversub_adjust();
        if (cont_progress_thread_start())
            PMPI_Abort(MPI_COMM_WORLD, 2);
    } else {
        cont_progress_cpu_release();
        if (cont_g.rank == 0 && cont_cfg.verbose >= 1 && cont_cfg.progress_thread != CONT_PT_OFF)
            fprintf(stderr, "libcont: %s provided, not MPI_THREAD_MULTIPLE: no progress thread; "
                    "continuations run inside MPI_Test/MPI_Wait on continuation requests%s\n",
                    level_name(cont_g.thread_level),
                    cont_cfg.progress_cpu != -2 ? " (CONT_PROGRESS_CPU has no effect)" : "");
    }
    cont_legacy_notice();
    atomic_store_explicit(&cont_g.initialized, 1, memory_order_release);
    pthread_mutex_unlock(&init_mtx);
}

int cont_ensure_init(void)
{
    int up = 0, down = 0;
    PMPI_Initialized(&up);
    if (up)
        PMPI_Finalized(&down);
    if (!up || down)
        return 1;
    lib_init();
    return 0;
}

/* The level a program that asked for `required` is told when a wrapper
 * asked MPI for more: what it asked for whenever MPI gives at least that
 * (the extra is the wrapper's, not the program's, and a program that checks
 * provided != required must start), the truth when MPI gives less.  Safe:
 * the program keeps to the rules of the level it asked for, which the level
 * MPI really runs allows too. */
static int level_to_tell(int required, int provided)
{
    return provided >= required ? required : provided;
}

int MPI_Init(int *argc, char ***argv)
{
    cont_wrapper_t *w = cont_wrapper;
    int want = w && w->init_level ? w->init_level(MPI_THREAD_SINGLE) : MPI_THREAD_SINGLE;
    int provided = MPI_THREAD_SINGLE;
    int rc = want > MPI_THREAD_SINGLE ? PMPI_Init_thread(argc, argv, want, &provided)
                                      : PMPI_Init(argc, argv);
    if (rc == MPI_SUCCESS) {
        lib_init();
        PMPI_Query_thread(&provided);
        int told = want > MPI_THREAD_SINGLE ? level_to_tell(MPI_THREAD_SINGLE, provided) : provided;
        if (w && w->after_init)
            w->after_init(MPI_THREAD_SINGLE, provided);
        cont_layers_after_init(MPI_THREAD_SINGLE, provided, &told);
        cont_g.told_level = told;
    }
    return rc;
}

/* Without a wrapper *provided is what MPI gave (which may exceed what was
 * asked, as MPI allows); with one, level_to_tell. */
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    cont_wrapper_t *w = cont_wrapper;
    int level = cont_layers_level(required);   /* a level MPI knows */
    int want = w && w->init_level ? w->init_level(level) : level;
    int real = MPI_THREAD_SINGLE;
    int rc = PMPI_Init_thread(argc, argv, want, &real);
    if (rc == MPI_SUCCESS) {
        lib_init();
        int told = want != level ? level_to_tell(level, real) : real;
        if (w && w->after_init)
            w->after_init(level, real);
        cont_layers_after_init(required, real, &told);
        cont_g.told_level = told;
        if (provided)
            *provided = told;
    } else if (provided) {
        *provided = real;
    }
    return rc;
}

/* The level the program was told at initialisation (MPI_Init_thread), so
 * both answers agree.  Before MPI_Init, MPI's own answer (an error). */
int MPI_Query_thread(int *provided)
{
    if (!provided || !atomic_load_explicit(&cont_g.initialized, memory_order_acquire))
        return PMPI_Query_thread(provided);
    *provided = cont_g.told_level;
    return MPI_SUCCESS;
}

/* ---------------------------------------------------------------- finalize */

typedef struct {
    unsigned long long total, held, poll_ready, waiting;
    int ncr, printed;
} report_t;

static void count_cr(cr_t *cr, void *arg)
{
    report_t *r = arg;
    uint64_t s = atomic_load(&cr->state);
    unsigned long long n = CR_COUNT(s);
    if (!n)
        return;
    r->total += n;
    r->ncr++;
    const char *why;
    if (!(s & CR_ACTIVE)) {
        r->held += n;
        why = "the request was never started";
    } else if (cr->poll_only && (!lf_empty(&cr->ready) || cr->ready_local.head)) {
        r->poll_ready += n;
        why = "POLL_ONLY and not tested again";
    } else {
        r->waiting += n;
        why = "operations still pending";
    }
    if (r->printed++ >= 8)
        return;
    if (cr->forget)
        fprintf(stderr, "libcont: rank %d:   without a continuation request (MPIX_CONT_FORGET): "
                "%llu (%s)\n", cont_g.rank, n, why);
    else
        fprintf(stderr, "libcont: rank %d:   continuation request 0x%x: %llu (%s)\n",
                cont_g.rank, (unsigned)cr->handle, n, why);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Stop the progress thread, run what can still run (within
 * CONT_FINALIZE_TIMEOUT_MS), then report what never can.  Never blocks
 * without bound. */
static void lib_finalize(void)
{
    if (!atomic_load(&cont_g.initialized))
        return;
    cont_progress_thread_stop();
    double deadline = now_s() + cont_cfg.finalize_timeout_ms * 1e-3;
    cont_backoff_t b = {0};
    while ((cont_engine_has_work() || !lf_empty(&cont_engine.app_q)) && now_s() < deadline) {
        if (cont_progress() + cont_app_run() > 0)
            b.n = 0;
        else
            cont_backoff(&b);
    }
    report_t r = {0};
    cont_cr_for_each(count_cr, &r);
    if (r.total)
        fprintf(stderr, "libcont: rank %d: MPI_Finalize: %llu continuation(s) on %d continuation "
                "request(s) could not run (%llu never started, %llu ready on POLL_ONLY requests "
                "not tested, %llu waiting for operations)\n",
                cont_g.rank, r.total, r.ncr, r.held, r.poll_ready, r.waiting);
    atomic_store(&cont_g.initialized, 0);
}

int MPI_Finalize(void)
{
    cont_wrapper_t *w = cont_wrapper;
    if (atomic_load(&cont_g.initialized))
        cont_layers_before_finalize();
    if (w && w->before_finalize && atomic_load(&cont_g.initialized))
        w->before_finalize();
    lib_finalize();
    return PMPI_Finalize();
}

/* ---------------------------------------------------------------- extensions */

int cont_get_stats(cont_stats_t *s)
{
    if (!s)
        return cont_error(MPI_ERR_ARG, "cont_get_stats: stats is NULL");
    unsigned long long v[CONT_NSTATS];
    cont_stats_sum(v);
    s->registered = v[CONT_ST_registered];
    s->run_inline = v[CONT_ST_run_inline];
    s->run_engine = v[CONT_ST_run_engine];
    s->failed = v[CONT_ST_failed];
    s->ops_completed = v[CONT_ST_ops_completed];
    s->sweeps = atomic_load(&cont_g.sweeps);
    s->max_outstanding = atomic_load(&cont_g.max_outstanding);
    s->progress_thread_cpu_s = cont_progress_thread_cpu();
    return MPI_SUCCESS;
}

int cont_progress_poll(void)
{
    if (!atomic_load_explicit(&cont_g.initialized, memory_order_acquire))
        return 0;
    return cont_progress();
}

int cont_has_progress_thread(void)
{
    return cont_progress_thread_running();
}

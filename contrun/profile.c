/* The profile: per-rank counters and latency histograms, reduced over ranks
 * at MPI_Finalize (min / mean / max / total) and printed on rank 0 as one
 * table; with CONT_PROFILE_FILE also written there, and as JSON to
 * FILE.json.  Counting costs nothing unless profiling or tracing is on. */
#include "contrun-internal.h"
#include "taskhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctr_prof_on;

const char *const ctr_kind_name[K_NKINDS] = {
    "MPI_Wait", "MPI_Waitall", "MPI_Waitany", "MPI_Waitsome",
    "MPI_Recv", "MPI_Mrecv", "MPI_Send", "MPI_Ssend", "MPI_Bsend", "MPI_Rsend", "MPI_Sendrecv",
    "MPI_Probe", "MPI_Mprobe",
    "MPI_Barrier", "MPI_Bcast", "MPI_Reduce", "MPI_Allreduce", "MPI_Gather", "MPI_Scatter",
    "MPI_Allgather", "MPI_Alltoall",
};

/* Histogram buckets in microseconds: [0,1) [1,2) [2,4) ... [2^(NB-2),inf). */
#define NB 24
enum { H_CALLBACK, H_RESUME, NH };
static const char *const hist_name[NH] = {"completion_to_callback_us", "completion_to_resume_us"};
static const char *const hist_title[NH] = {
    "completion -> callback (us)", "completion -> task resumed (us)"};

static struct {
    atomic_ullong calls[K_NKINDS][2];   /* [kind][in task] */
    atomic_ullong ns[K_NKINDS][2];
    atomic_ullong hist[NH][NB];
} P;

static int bucket(uint64_t ns)
{
    uint64_t us = ns / 1000;
    int b = 0;
    while (us && b < NB - 1) {
        us >>= 1;
        b++;
    }
    return b;
}

static double bucket_lo(int b)
{
    return b == 0 ? 0 : (double)(1ull << (b - 1));
}

void ctr_prof_call(ctr_kind_t kind, int in_task, uint64_t t0)
{
    uint64_t t1 = cont_now_ns();
    atomic_fetch_add_explicit(&P.calls[kind][in_task], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&P.ns[kind][in_task], t1 - t0, memory_order_relaxed);
    if (ctr_trace_on)
        ctr_trace_event(in_task ? CAT_TASK_WAIT : CAT_BLOCKED, kind, t0, t1, 0);
}

void ctr_prof_resume(uint64_t t_done, uint64_t t_resume)
{
    if (t_done && t_resume >= t_done)
        atomic_fetch_add_explicit(&P.hist[H_RESUME][bucket(t_resume - t_done)], 1,
                                  memory_order_relaxed);
}

static void on_sweep(uint64_t t0, uint64_t t1, int completed)
{
    if (ctr_trace_on)
        ctr_trace_event(CAT_PROGRESS, -1, t0, t1, completed);
}

static void on_callbacks(uint64_t t_seen, uint64_t t0, uint64_t t1, int ran)
{
    if (ran <= 0)
        return;
    atomic_fetch_add_explicit(&P.hist[H_CALLBACK][bucket(t0 - t_seen)], (unsigned)ran,
                              memory_order_relaxed);
    if (ctr_trace_on)
        ctr_trace_event(CAT_CALLBACK, -1, t0, t1, ran);
}

void ctr_prof_init(void)
{
    ctr_prof_on = ctr_opt.profile || ctr_opt.trace_file;
    if (ctr_prof_on) {
        cont_wrapper->on_sweep = on_sweep;
        cont_wrapper->on_callbacks = on_callbacks;
    }
}

/* ------------------------------------------------------------ report */

char *ctr_profile_json_path(void)
{
    size_t len = strlen(ctr_opt.profile_file);
    char *p = malloc(len + sizeof ".json");
    if (p) {
        memcpy(p, ctr_opt.profile_file, len);
        memcpy(p + len, ".json", sizeof ".json");
    }
    return p;
}

typedef struct {
    char name[64];
    int integer;
} metric_t;

enum { M_WALL, M_IN_S, M_OUT_S, M_REG, M_RUN, M_FAILED, M_OPS, M_SWEEPS, M_MAXOUT, M_PTCPU,
       M_BODIES, M_SUSP, M_INPLACE, M_STACKS, M_FIXED };
#define NM (M_FIXED + 4 * K_NKINDS)

static void describe(metric_t m[NM])
{
    static const struct { const char *n; int i; } fixed[M_FIXED] = {
        {"wall time (s)", 0},
        {"blocked in tasks (s)", 0},
        {"blocked outside tasks (s)", 0},
        {"continuations registered", 1},
        {"continuations run", 1},
        {"continuations failed", 1},
        {"operations completed", 1},
        {"progress sweeps", 1},
        {"most operations pending", 1},
        {"progress thread CPU (s)", 0},
        {"task bodies on own stacks", 1},
        {"task waits suspended", 1},
        {"task waits in place", 1},
        {"task stacks mapped", 1},
    };
    for (int i = 0; i < M_FIXED; i++) {
        snprintf(m[i].name, sizeof m[i].name, "%s", fixed[i].n);
        m[i].integer = fixed[i].i;
    }
    for (int k = 0; k < K_NKINDS; k++) {
        metric_t *x = &m[M_FIXED + 4 * k];
        snprintf(x[0].name, sizeof x[0].name, "%s calls in tasks", ctr_kind_name[k]);
        snprintf(x[1].name, sizeof x[1].name, "%s calls outside tasks", ctr_kind_name[k]);
        snprintf(x[2].name, sizeof x[2].name, "%s time in tasks (s)", ctr_kind_name[k]);
        snprintf(x[3].name, sizeof x[3].name, "%s time outside tasks (s)", ctr_kind_name[k]);
        x[0].integer = x[1].integer = 1;
        x[2].integer = x[3].integer = 0;
    }
}

static void collect(double v[NM])
{
    cont_stats_t st;
    cont_get_stats(&st);
    memset(v, 0, NM * sizeof *v);
    v[M_WALL] = (cont_now_ns() - ctr_t_base) * 1e-9;
    for (int k = 0; k < K_NKINDS; k++) {
        double *x = &v[M_FIXED + 4 * k];
        x[0] = (double)atomic_load(&P.calls[k][1]);
        x[1] = (double)atomic_load(&P.calls[k][0]);
        x[2] = atomic_load(&P.ns[k][1]) * 1e-9;
        x[3] = atomic_load(&P.ns[k][0]) * 1e-9;
        v[M_IN_S] += x[2];
        v[M_OUT_S] += x[3];
    }
    v[M_REG] = (double)st.registered;
    v[M_RUN] = (double)(st.run_inline + st.run_engine);
    v[M_FAILED] = (double)st.failed;
    v[M_OPS] = (double)st.ops_completed;
    v[M_SWEEPS] = (double)st.sweeps;
    v[M_MAXOUT] = (double)st.max_outstanding;
    v[M_PTCPU] = st.progress_thread_cpu_s;
    cont_th_stats_t th;
    cont_th_get_stats(&th);
    v[M_BODIES] = (double)th.hooked;
    v[M_SUSP] = (double)th.suspended;
    v[M_INPLACE] = (double)th.in_place;
    v[M_STACKS] = (double)th.stacks;
}

/* Upper bound (us) of the bucket holding quantile q of h. */
static double quantile(const unsigned long long h[NB], double q)
{
    unsigned long long n = 0, acc = 0;
    for (int b = 0; b < NB; b++)
        n += h[b];
    if (!n)
        return 0;
    for (int b = 0; b < NB; b++) {
        acc += h[b];
        if (acc >= q * n)
            return b == NB - 1 ? bucket_lo(b) : (double)(1ull << b);
    }
    return bucket_lo(NB - 1);
}

static void fmt_value(char *buf, size_t len, double x, int integer)
{
    if (integer)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%.4g", x);
}

static void print_table(FILE *f, const metric_t m[NM], const double mn[NM], const double sum[NM],
                        const double mx[NM], unsigned long long h[NH][NB])
{
    int threads = 0;
    int (*get_max_threads)(void) = NULL;
    get_max_threads = (int (*)(void))ctr_omp_symbol("omp_get_max_threads");
    if (get_max_threads)
        threads = get_max_threads();
    fprintf(f, "contrun profile: %d rank%s x %d OpenMP thread%s, %s (program asked %s), "
            "task-aware blocking MPI in tasks: %s\n",
            ctr_size, ctr_size == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
            ctr_level_name(ctr_provided_level), ctr_level_name(ctr_asked_level),
            ctr_task_aware_ok() ? "on" : "off");
    fprintf(f, "%-40s %12s %12s %12s %12s\n", "metric (per rank)", "min", "mean", "max", "total");
    for (int i = 0; i < NM; i++) {
        if (i >= M_FIXED && sum[i] == 0)
            continue;   /* calls the program never made */
        char a[32], b[32], c[32], d[32];
        fmt_value(a, sizeof a, mn[i], m[i].integer);
        fmt_value(b, sizeof b, sum[i] / ctr_size, m[i].integer && (long long)sum[i] % ctr_size == 0);
        fmt_value(c, sizeof c, mx[i], m[i].integer);
        fmt_value(d, sizeof d, sum[i], m[i].integer);
        fprintf(f, "%-40s %12s %12s %12s %12s\n", m[i].name, a, b, c, d);
    }
    for (int k = 0; k < NH; k++) {
        unsigned long long n = 0;
        for (int b = 0; b < NB; b++)
            n += h[k][b];
        fprintf(f, "%s, all ranks: %llu", hist_title[k], n);
        if (n)
            fprintf(f, ", p50 < %g, p90 < %g, p99 < %g", quantile(h[k], 0.5),
                    quantile(h[k], 0.9), quantile(h[k], 0.99));
        fprintf(f, "\n");
        for (int b = 0; b < NB; b++)
            if (h[k][b]) {
                if (b == NB - 1)
                    fprintf(f, "  [%g, inf) %llu\n", bucket_lo(b), h[k][b]);
                else
                    fprintf(f, "  [%g, %g) %llu\n", bucket_lo(b), (double)(1ull << b), h[k][b]);
            }
    }
}

static void write_json(FILE *f, const metric_t m[NM], const double mn[NM], const double sum[NM],
                       const double mx[NM], unsigned long long h[NH][NB])
{
    fprintf(f, "{\"tool\":\"contrun\",\"ranks\":%d,\"thread_level\":\"%s\",\"asked_level\":\"%s\","
            "\"task_aware\":%s,\n \"metrics\":[\n", ctr_size, ctr_level_name(ctr_provided_level),
            ctr_level_name(ctr_asked_level), ctr_task_aware_ok() ? "true" : "false");
    for (int i = 0; i < NM; i++)
        fprintf(f, "  {\"name\":\"%s\",\"min\":%.9g,\"mean\":%.9g,\"max\":%.9g,\"total\":%.9g}%s\n",
                m[i].name, mn[i], sum[i] / ctr_size, mx[i], sum[i], i == NM - 1 ? "" : ",");
    fprintf(f, " ],\n \"histograms\":{\n");
    for (int k = 0; k < NH; k++) {
        fprintf(f, "  \"%s\":{\"lower_bounds\":[", hist_name[k]);
        for (int b = 0; b < NB; b++)
            fprintf(f, "%s%g", b ? "," : "", bucket_lo(b));
        fprintf(f, "],\"counts\":[");
        for (int b = 0; b < NB; b++)
            fprintf(f, "%s%llu", b ? "," : "", h[k][b]);
        fprintf(f, "]}%s\n", k == NH - 1 ? "" : ",");
    }
    fprintf(f, " }\n}\n");
}

void ctr_prof_report(void)
{
    if (!ctr_opt.profile)
        return;
    static metric_t m[NM];
    double v[NM], mn[NM], mx[NM], sum[NM];
    unsigned long long h[NH][NB], hs[NH][NB];
    describe(m);
    collect(v);
    for (int k = 0; k < NH; k++)
        for (int b = 0; b < NB; b++)
            h[k][b] = atomic_load(&P.hist[k][b]);
    PMPI_Reduce(v, mn, NM, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    PMPI_Reduce(v, mx, NM, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    PMPI_Reduce(v, sum, NM, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    PMPI_Reduce(h, hs, NH * NB, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (ctr_rank != 0)
        return;
    print_table(stderr, m, mn, sum, mx, hs);
    if (!ctr_opt.profile_file)
        return;
    FILE *f = fopen(ctr_opt.profile_file, "w");
    char *jname = ctr_profile_json_path();
    FILE *j = jname ? fopen(jname, "w") : NULL;
    if (f) {
        print_table(f, m, mn, sum, mx, hs);
        fclose(f);
    }
    if (j) {
        write_json(j, m, mn, sum, mx, hs);
        fclose(j);
    }
    if (!f || !j)
        fprintf(stderr, "contrun: could not write the profile to %s%s\n", ctr_opt.profile_file,
                f ? ".json" : "");
    free(jname);
}

/* Shared helpers of the benchmarks: see bench.h. */
#include "bench.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--quick] [--reps R] [--iters N] [--threads T] "
            "[--label PREFIX] [--variants a,b,...]\n", prog);
    exit(2);
}

void bench_init(int *argc, char ***argvp, bench_opts_t *o)
{
    int provided;
    MPI_Init_thread(argc, argvp, MPI_THREAD_MULTIPLE, &provided);
    int ac = *argc;
    char **argv = *argvp;
    *o = (bench_opts_t){.reps = 5, .threads = 4};
    for (int a = 1; a < ac; a++) {
        const char *v = a + 1 < ac ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--quick"))
            o->quick = 1;
        else if (!strcmp(argv[a], "--reps") && v)
            o->reps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--iters") && v)
            o->iters = atol(argv[++a]);
        else if (!strcmp(argv[a], "--threads") && v)
            o->threads = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--label") && v)
            o->label = argv[++a];
        else if (!strcmp(argv[a], "--variants") && v)
            o->variants = argv[++a];
        else
            usage(argv[0]);
    }
    if (o->reps < 1 || o->iters < 0 || o->threads < 1)
        usage(argv[0]);
}

int bench_selected(const bench_opts_t *o, const char *variant)
{
    if (!o->variants)
        return 1;
    size_t n = strlen(variant);
    for (const char *p = o->variants; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, variant, n))
            return 1;
        p += len + (end != NULL);
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

void bench_record(const bench_opts_t *o, const char *bench, const char *variant,
                  const char *param, double value, const char *unit,
                  double *samples, int n)
{
    int rank = 0, init = 0;
    MPI_Initialized(&init);
    if (init)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0 || n < 1)
        return;
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    double med = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
    printf("{\"bench\": \"%s\", \"variant\": \"%s%s\", \"param\": \"%s\", \"value\": %.17g, "
           "\"unit\": \"%s\", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"reps\": %d, "
           "\"load\": %.2f}\n", bench, o->label ? o->label : "", variant, param, value, unit,
           med, samples[0], samples[n - 1], n, load1());
    fflush(stdout);
}

void bench_series(const bench_opts_t *o, const char *bench, const char *const names[], int nv,
                  const char *param, double value, const char *unit, bench_fn fn, void *ctx)
{
    double *s = malloc((size_t)nv * (size_t)o->reps * sizeof *s);
    for (int v = 0; v < nv; v++)
        if (bench_selected(o, names[v]))
            fn(v, 1, ctx);
    for (int rep = 0; rep < o->reps; rep++)
        for (int v = 0; v < nv; v++)
            if (bench_selected(o, names[v]))
                s[v * o->reps + rep] = fn(v, 0, ctx);
    for (int v = 0; v < nv; v++)
        if (bench_selected(o, names[v]))
            bench_record(o, bench, names[v], param, value, unit, &s[v * o->reps], o->reps);
    free(s);
}

/* bench.h -- shared helpers of the libcont benchmarks: a monotonic clock,
 * common options, and JSON result records (one per line on stdout, rank 0).
 * A record: {"bench","variant","param","value","unit","median","min","max",
 * "reps","load"}: `param` names the swept parameter and `value` is its
 * value; median/min/max are over `reps` timed repetitions (after warm-up). */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>

typedef struct {
    int reps;      /* timed repetitions per point (--reps, default 5) */
    int quick;     /* --quick: fewer iterations and points */
    long iters;    /* iterations per repetition (--iters; 0: the bench's default) */
    int threads;   /* --threads: largest thread count (bench-register) */
    const char *label;    /* --label: prefix of variant names ("contrun-", ...) */
    const char *variants; /* --variants a,b,c: run only these (NULL: all) */
} bench_opts_t;

/* Seconds from a monotonic clock. */
double bench_now(void);

/* MPI_Init_thread (MPI_THREAD_MULTIPLE), then the common options; exits
 * with a usage message on a bad one. */
void bench_init(int *argc, char ***argv, bench_opts_t *o);

/* 1 if `variant` is selected by --variants (or no --variants given). */
int bench_selected(const bench_opts_t *o, const char *variant);

/* Print one record (samples[0..n) are sorted in place).  The variant name is
 * prefixed with o->label when set.  Prints nothing unless rank 0 calls it. */
void bench_record(const bench_opts_t *o, const char *bench, const char *variant,
                  const char *param, double value, const char *unit,
                  double *samples, int n);

/* One sample of `variant` (a warm-up one when `warmup` is set). */
typedef double (*bench_fn)(int variant, int warmup, void *ctx);

/* Every selected variant of names[0..nv): a warm-up each, then o->reps
 * samples interleaved variant by variant (so drift hits them alike), then
 * one record per variant at (param, value). */
void bench_series(const bench_opts_t *o, const char *bench, const char *const names[], int nv,
                  const char *param, double value, const char *unit, bench_fn fn, void *ctx);

#endif

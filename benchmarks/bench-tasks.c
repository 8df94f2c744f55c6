/* bench-tasks: what a task costs when no task calls MPI, to show the price
 * of contrun's task hook (every task body on a fiber of its own) on a
 * task-heavy program.  One thread creates N tasks in a `single`; kinds:
 *   empty   independent tasks with an empty body;
 *   chain   each task depends on the previous one (inout on one word);
 *   work    independent tasks of ~1 us of arithmetic each.
 * Prints one line per kind: ns per task (median of 5 rounds).  An MPI
 * program (MPI_Init_thread, MPI_THREAD_SINGLE) linked to MPI only, so it
 * runs unmodified with and without contrun.  Built a second time as
 * bench-tasks-tampi: linked as a TAMPI program (-lcont-tampi
 * -lompcont-hook -lcont) asking MPI_THREAD_MULTIPLE, so the TAMPI layer
 * turns the task hook on (every task detachable, no fibers): the price of
 * that interposition.
 * Usage: bench-tasks [N] (default 200000) */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static double sink;

static void work(int i)
{
    double x = i;
    for (int k = 0; k < 300; k++)
        x = x * 1.0000001 + 0.5;
    if (x == 42.0)
        sink += x;
}

static double run(int kind, long n)
{
    long dep = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel
#pragma omp single
    for (long i = 0; i < n; i++) {
        if (kind == 0) {
#pragma omp task
            { }
        } else if (kind == 1) {
#pragma omp task depend(inout: dep) shared(dep)
            dep++;
        } else {
#pragma omp task firstprivate(i)
            work((int)i);
        }
    }
    return (omp_get_wtime() - t0) * 1e9 / n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int provided;
#ifdef BENCH_TASKS_TAMPI
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
#else
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
#endif
    long n = argc > 1 ? atol(argv[1]) : 200000;
    static const char *names[] = {"empty", "chain", "work"};
    for (int kind = 0; kind < 3; kind++) {
        double r[5];
        run(kind, n / 10);   /* warm-up: threads, task pools, stacks */
        for (int k = 0; k < 5; k++)
            r[k] = run(kind, n);
        qsort(r, 5, sizeof r[0], cmp);
        printf("bench-tasks: %s %d threads %.1f ns per task\n", names[kind],
               omp_get_max_threads(), r[2]);
    }
    MPI_Finalize();
    return 0;
}

/*
 * main.c -- Task Bench on libcont: every graph point is an OpenMP task with
 * depend clauses, every remote dependency a detached task fulfilled by
 * omp-glue when its MPI operations complete (see spawn.c).
 *
 * Usage as Task Bench's other backends (its flags; -and for more graphs),
 * plus -worker N: OpenMP threads per rank (default: OMP_NUM_THREADS).
 * Reports with Task Bench's own app_report_timing, so the "Elapsed Time"
 * and "FLOP/s" lines read as those of every other backend.
 */
#include "tb.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "omp-continue.h"

/* Create every task of every graph from one thread, which then drives
 * progress itself (omp-glue's ompc_drive_begin/end: with one thread per
 * core there is no core for libcont's progress thread); the implicit
 * barrier at the end of `single` waits for whatever is left. */
static void run_graphs(const tb_graph_t *graphs, long ngraphs)
{
#pragma omp parallel
#pragma omp single
    {
        ompc_drive_begin();
        for (long k = 0; k < ngraphs; k++)
            for (long t = 0; t < graphs[k].g.timesteps; t++)
                tb_spawn_step(&graphs[k], t);
        ompc_drive_end();
    }
}

static int workers(int argc, char **argv)
{
    for (int k = 1; k + 1 < argc; k++)
        if (!strcmp(argv[k], "-worker"))
            return atoi(argv[k + 1]);
    return omp_get_max_threads();
}

int main(int argc, char **argv)
{
    int provided, rank;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (provided < MPI_THREAD_MULTIPLE) {
        if (rank == 0)
            fprintf(stderr, "taskbench-libcont: MPI_THREAD_MULTIPLE is required\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    int nthreads = workers(argc, argv);
    if (nthreads < 1) {
        if (rank == 0)
            fprintf(stderr, "taskbench-libcont: -worker must be at least 1\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    omp_set_num_threads(nthreads);

    app_t app = app_create(argc, argv);
    if (rank == 0)
        app_display(app);
    task_graph_list_t list = app_task_graphs(app);
    long ngraphs = task_graph_list_num_task_graphs(list);
    tb_graph_t *graphs = calloc((size_t)ngraphs, sizeof *graphs);
    long most = 1;
    size_t scratch = 0;
    int bad = graphs == NULL;
    for (long k = 0; !bad && k < ngraphs; k++) {
        task_graph_t g = task_graph_list_task_graph(list, k);
        bad = tb_graph_init(&graphs[k], g, MPI_COMM_WORLD);
        if (graphs[k].max_deps > most)
            most = graphs[k].max_deps;
        if (graphs[k].max_rev > most)
            most = graphs[k].max_rev;
        if (g.scratch_bytes_per_task > scratch)
            scratch = g.scratch_bytes_per_task;
    }
    if (bad || tb_threads_init(nthreads, most, scratch))
        MPI_Abort(MPI_COMM_WORLD, 1);

    /* As Task Bench's MPI backends: the second of two runs is reported. */
    double elapsed = 0.0;
    for (int iter = 0; iter < 2; iter++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        run_graphs(graphs, ngraphs);
        MPI_Barrier(MPI_COMM_WORLD);
        elapsed = MPI_Wtime() - start;
    }
    if (ompc_failures() > 0)   /* failures abort by default; never report them as a result */
        MPI_Abort(MPI_COMM_WORLD, 1);
    if (rank == 0)
        app_report_timing(app, elapsed);

    tb_threads_free();
    for (long k = 0; k < ngraphs; k++)
        tb_graph_free(&graphs[k]);
    free(graphs);
    task_graph_list_destroy(list);
    app_destroy(app);
    MPI_Finalize();
    return 0;
}

/* A blocked 2D Gauss-Seidel heat solver across ranks, written the way
 * task-parallel MPI codes are (bench6's heat solver among them): one OpenMP
 * task per block, blocking MPI_Send / MPI_Recv in the tasks of the boundary
 * blocks, the block column as the tag, MPI_THREAD_SINGLE asked for and
 * provided != required treated as fatal.  No libcont header, linked to MPI
 * only: it runs unmodified under contrun.
 *
 * Rows are split across ranks; in every step a rank receives its halos,
 * computes its blocks in place (the dependences give the wavefront) and
 * sends its boundary rows (solve_tasks).  A receive task can wait for data
 * that the neighbour sends only after tasks that depend on another, earlier
 * receive have run: a task-aware wait that nests (taskyield) deadlocks
 * there.
 *
 *   wavefront [--plain] ROWS COLS BLOCK STEPS
 * ROWS divisible by ranks x BLOCK, COLS by BLOCK.  --plain: the same
 * computation without tasks (rows in order, blocking MPI between steps), the
 * speed reference.  Rank 0 compares the gathered result bit for bit with a
 * serial sweep and prints "wavefront: OK ..." (exit 0) or FAIL (exit 1);
 * it also prints the updates per second. */
#include "../wavefront-common.h"

#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int plain;

/* Local matrix: halo row 0, rows 1..local, halo row local+1; columns
 * 0..cols+1 with fixed boundaries.  Step t of a rank needs the upper
 * neighbour's last row of step t and the lower neighbour's first row of
 * step t-1, as a serial sweep over all rows would: each step receives the
 * lower halo (from step 1 on) and the upper halo, computes, and sends its
 * last row down and its first row up (but after the last step). */
static void solve_tasks(double *m, int local, int rank, int size)
{
    size_t w = (size_t)cols + 2;
    int nrb = local / bs + 2, ncb = cols / bs + 2;   /* block rows/cols incl. halos */
    char (*reps)[ncb] = calloc((size_t)nrb * ncb, 1);
#pragma omp parallel
#pragma omp single
    for (int t = 0; t < steps; t++) {
        for (int C = 1; C < ncb - 1; C++) {
            size_t c0 = (size_t)(C - 1) * bs + 1;
            double *up = &m[c0], *down = &m[(size_t)(local + 1) * w + c0];
            if (rank < size - 1 && t > 0)
#pragma omp task depend(out: reps[nrb - 1][C]) firstprivate(down, C)
                MPI_Recv(down, bs, MPI_DOUBLE, rank + 1, C, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (rank > 0)
#pragma omp task depend(out: reps[0][C]) firstprivate(up, C)
                MPI_Recv(up, bs, MPI_DOUBLE, rank - 1, C, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        for (int R = 1; R < nrb - 1; R++)
            for (int C = 1; C < ncb - 1; C++) {
#pragma omp task depend(in: reps[R - 1][C], reps[R + 1][C], reps[R][C - 1], reps[R][C + 1]) \
    depend(inout: reps[R][C]) firstprivate(R, C)
                block(m, (R - 1) * bs + 1, R * bs, (C - 1) * bs + 1, C * bs);
            }
        for (int C = 1; C < ncb - 1; C++) {
            size_t c0 = (size_t)(C - 1) * bs + 1;
            double *first = &m[w + c0], *last = &m[(size_t)local * w + c0];
            if (rank < size - 1)
#pragma omp task depend(in: reps[nrb - 2][C]) firstprivate(last, C)
                MPI_Send(last, bs, MPI_DOUBLE, rank + 1, C, MPI_COMM_WORLD);
            if (rank > 0 && t < steps - 1)
#pragma omp task depend(in: reps[1][C]) firstprivate(first, C)
                MPI_Send(first, bs, MPI_DOUBLE, rank - 1, C, MPI_COMM_WORLD);
        }
    }
    free(reps);
}

/* The same computation without tasks, whole rows at a time. */
static void solve_plain(double *m, int local, int rank, int size)
{
    size_t w = (size_t)cols + 2;
    for (int t = 0; t < steps; t++) {
        if (rank < size - 1 && t > 0)
            MPI_Recv(&m[(size_t)(local + 1) * w + 1], cols, MPI_DOUBLE, rank + 1, 0,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (rank > 0)
            MPI_Recv(&m[1], cols, MPI_DOUBLE, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        block(m, 1, local, 1, cols);
        if (rank < size - 1)
            MPI_Send(&m[(size_t)local * w + 1], cols, MPI_DOUBLE, rank + 1, 0, MPI_COMM_WORLD);
        if (rank > 0 && t < steps - 1)
            MPI_Send(&m[w + 1], cols, MPI_DOUBLE, rank - 1, 0, MPI_COMM_WORLD);
    }
}

int main(int argc, char **argv)
{
    int required = MPI_THREAD_SINGLE, provided;
    MPI_Init_thread(&argc, &argv, required, &provided);
    if (provided != required) {
        fprintf(stderr, "Error: MPI threading level not supported!\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int a = 1;
    if (argc > 1 && !strcmp(argv[1], "--plain"))
        plain = 1, a = 2;
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    wavefront_args(argc, argv, a, "wavefront [--plain] ROWS COLS BLOCK STEPS", rank, size);
    int local;
    double *m = wavefront_matrix(rank, size, &local);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    if (plain)
        solve_plain(m, local, rank, size);
    else
        solve_tasks(m, local, rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    double dt = MPI_Wtime() - t0;

    long bad = wavefront_check(m, local, rank);
    int status = 0;
    if (rank == 0) {
        int threads = plain ? 1 : omp_get_max_threads();
        printf("wavefront: %s: %s, %d ranks x %d threads, %dx%d block %d, %d steps, %ld cells "
               "differ from the serial sweep, %.3e updates/s\n",
               bad ? "FAIL" : "OK", plain ? "plain" : "tasks", size, threads, rows, cols, bs,
               steps, bad, (double)rows * cols * steps / dt);
        status = bad != 0;
    }
    free(m);
    MPI_Finalize();
    return status;
}

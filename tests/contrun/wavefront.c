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
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rows, cols, bs, steps, plain;

/* The heat source: fixed boundary values, zero inside. */
static void init(double *m, int nrows, int first_row)
{
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < cols + 2; j++) {
            int gi = first_row + i;   /* global row, 0 = top boundary */
            double v = 0.0;
            if (gi == 0)
                v = 1000.0 * (j % 7 + 1);
            else if (gi == rows + 1)
                v = 250.0;
            else if (j == 0)
                v = 500.0;
            else if (j == cols + 1)
                v = 10.0 * (gi % 5);
            m[(size_t)i * (cols + 2) + j] = v;
        }
}

/* Rows r0..r1, columns c0..c1 (inclusive), in place, row-major. */
static void block(double *m, int r0, int r1, int c0, int c1)
{
    size_t w = (size_t)cols + 2;
    for (int i = r0; i <= r1; i++)
        for (int j = c0; j <= c1; j++)
            m[i * w + j] = 0.25 * (m[(i - 1) * w + j] + m[(i + 1) * w + j] + m[i * w + j - 1] +
                                   m[i * w + j + 1]);
}

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
    if (argc != a + 4) {
        if (rank == 0)
            fprintf(stderr, "usage: wavefront [--plain] ROWS COLS BLOCK STEPS\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    rows = atoi(argv[a]);
    cols = atoi(argv[a + 1]);
    bs = atoi(argv[a + 2]);
    steps = atoi(argv[a + 3]);
    if (rows <= 0 || cols <= 0 || bs <= 0 || steps < 0 || rows % (size * bs) || cols % bs) {
        if (rank == 0)
            fprintf(stderr, "wavefront: ROWS must divide by ranks x BLOCK, COLS by BLOCK\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    int local = rows / size;
    size_t w = (size_t)cols + 2;
    double *m = malloc((size_t)(local + 2) * w * sizeof *m);
    init(m, local + 2, rank * local);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    if (plain)
        solve_plain(m, local, rank, size);
    else
        solve_tasks(m, local, rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    double dt = MPI_Wtime() - t0;

    double *all = rank == 0 ? malloc((size_t)(rows + 2) * w * sizeof *all) : NULL;
    MPI_Gather(&m[w], (int)(local * w), MPI_DOUBLE, rank == 0 ? &all[w] : NULL, (int)(local * w),
               MPI_DOUBLE, 0, MPI_COMM_WORLD);
    int status = 0;
    if (rank == 0) {
        double *ref = malloc((size_t)(rows + 2) * w * sizeof *ref);
        init(ref, rows + 2, 0);
        for (int t = 0; t < steps; t++)
            block(ref, 1, rows, 1, cols);
        size_t bad = 0;
        for (size_t i = w; i < (size_t)(rows + 1) * w; i++)
            bad += memcmp(&all[i], &ref[i], sizeof *ref) != 0;
        int threads = plain ? 1 : omp_get_max_threads();
        printf("wavefront: %s: %s, %d ranks x %d threads, %dx%d block %d, %d steps, %zu cells "
               "differ from the serial sweep, %.3e updates/s\n",
               bad ? "FAIL" : "OK", plain ? "plain" : "tasks", size, threads, rows, cols, bs,
               steps, bad, (double)rows * cols * steps / dt);
        status = bad != 0;
        free(ref);
        free(all);
    }
    free(m);
    MPI_Finalize();
    return status;
}

/* What the wavefront tests share (tests/contrun/wavefront.c,
 * tests/tampi/wavefront-tampi.c): the problem, the block update, the
 * argument checks and the bit-for-bit comparison with a serial sweep. */
#ifndef WAVEFRONT_COMMON_H
#define WAVEFRONT_COMMON_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rows, cols, bs, steps;

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

/* ROWS COLS BLOCK STEPS from argv[a..a+3]; aborts the job on bad ones. */
static void wavefront_args(int argc, char **argv, int a, const char *usage, int rank, int size)
{
    if (argc != a + 4) {
        if (rank == 0)
            fprintf(stderr, "usage: %s\n", usage);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    rows = atoi(argv[a]);
    cols = atoi(argv[a + 1]);
    bs = atoi(argv[a + 2]);
    steps = atoi(argv[a + 3]);
    if (rows <= 0 || cols <= 0 || bs <= 0 || steps < 0 || rows % (size * bs) || cols % bs) {
        if (rank == 0)
            fprintf(stderr, "%s: ROWS must divide by ranks x BLOCK, COLS by BLOCK\n", usage);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

/* This rank's rows with their halos, initialised; *local: how many rows. */
static double *wavefront_matrix(int rank, int size, int *local)
{
    *local = rows / size;
    double *m = malloc((size_t)(*local + 2) * ((size_t)cols + 2) * sizeof *m);
    init(m, *local + 2, rank * *local);
    return m;
}

/* Gather the rows of every rank on rank 0 and count the cells that differ
 * from a serial sweep (-1 on the other ranks). */
static long wavefront_check(const double *m, int local, int rank)
{
    size_t w = (size_t)cols + 2;
    double *all = rank == 0 ? malloc((size_t)(rows + 2) * w * sizeof *all) : NULL;
    MPI_Gather(&m[w], (int)(local * w), MPI_DOUBLE, rank == 0 ? &all[w] : NULL, (int)(local * w),
               MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank != 0)
        return -1;
    double *ref = malloc((size_t)(rows + 2) * w * sizeof *ref);
    init(ref, rows + 2, 0);
    for (int t = 0; t < steps; t++)
        block(ref, 1, rows, 1, cols);
    long bad = 0;
    for (size_t i = w; i < (size_t)(rows + 1) * w; i++)
        bad += memcmp(&all[i], &ref[i], sizeof *ref) != 0;
    free(ref);
    free(all);
    return bad;
}

#endif

/* The blocked 2D Gauss-Seidel wavefront of tests/contrun/wavefront.c
 * written for TAMPI, as TAMPI codes are (bench6's TAMPI heat solver among
 * them): receives and sends are tasks with depend and priority(1) that
 * bind their completion to the operation (TAMPI_VERSION_MAJOR 4:
 * TAMPI_Irecv / TAMPI_Isend; 3: MPI_Irecv / MPI_Isend + TAMPI_Iwait), the
 * block column as the tag, MPI_THREAD_MULTIPLE asked for and
 * provided != required fatal.  Built twice, with CONT_TAMPI_API=3 and 4.
 * A dependent block runs only once the receive it needs has completed, and
 * a boundary row is overwritten only after its send completed: a binding
 * that released a task early gives a wrong result (or a deadlock), which
 * the bit-for-bit comparison with a serial sweep on rank 0 catches.
 *
 *   wavefront-tampi [--glue | --glue-hooked] ROWS COLS BLOCK STEPS
 * prints "wavefront-tampi: OK ..." (exit 0) or FAIL (exit 1), and the
 * updates per second.  --glue: the same solver written with omp-glue's
 * detached tasks instead (detach(ev) + ompc_irecv / ompc_isend), for the
 * benchmarks' side-by-side; --glue-hooked: that with the TAMPI layer on
 * too (every task hooked). */
#include "../wavefront-common.h"

#include <TAMPI.h>
#include <mpi.h>
#include <omp-continue.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int glue;


#if TAMPI_VERSION_MAJOR == 3
static void recv_block(double *buf, int src, int tag)
{
    MPI_Request r;
    MPI_Irecv(buf, bs, MPI_DOUBLE, src, tag, MPI_COMM_WORLD, &r);
    TAMPI_Iwait(&r, MPI_STATUS_IGNORE);
}
static void send_block(const double *buf, int dst, int tag)
{
    MPI_Request r;
    MPI_Isend(buf, bs, MPI_DOUBLE, dst, tag, MPI_COMM_WORLD, &r);
    TAMPI_Iwait(&r, MPI_STATUS_IGNORE);
}
#else
static void recv_block(double *buf, int src, int tag)
{
    TAMPI_Irecv(buf, bs, MPI_DOUBLE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}
static void send_block(const double *buf, int dst, int tag)
{
    TAMPI_Isend(buf, bs, MPI_DOUBLE, dst, tag, MPI_COMM_WORLD);
}
#endif

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
            omp_event_handle_t ev;
            if (rank < size - 1 && t > 0 && glue)
#pragma omp task depend(out: reps[nrb - 1][C]) firstprivate(down, C) priority(1) detach(ev)
                ompc_irecv(down, bs, MPI_DOUBLE, rank + 1, C, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
            else if (rank < size - 1 && t > 0)
#pragma omp task depend(out: reps[nrb - 1][C]) firstprivate(down, C) priority(1)
                recv_block(down, rank + 1, C);
            if (rank > 0 && glue)
#pragma omp task depend(out: reps[0][C]) firstprivate(up, C) priority(1) detach(ev)
                ompc_irecv(up, bs, MPI_DOUBLE, rank - 1, C, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
            else if (rank > 0)
#pragma omp task depend(out: reps[0][C]) firstprivate(up, C) priority(1)
                recv_block(up, rank - 1, C);
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
            omp_event_handle_t ev;
            if (rank < size - 1 && glue)
#pragma omp task depend(in: reps[nrb - 2][C]) firstprivate(last, C) priority(1) detach(ev)
                ompc_isend(last, bs, MPI_DOUBLE, rank + 1, C, MPI_COMM_WORLD, ev);
            else if (rank < size - 1)
#pragma omp task depend(in: reps[nrb - 2][C]) firstprivate(last, C) priority(1)
                send_block(last, rank + 1, C);
            if (rank > 0 && t < steps - 1 && glue)
#pragma omp task depend(in: reps[1][C]) firstprivate(first, C) priority(1) detach(ev)
                ompc_isend(first, bs, MPI_DOUBLE, rank - 1, C, MPI_COMM_WORLD, ev);
            else if (rank > 0 && t < steps - 1)
#pragma omp task depend(in: reps[1][C]) firstprivate(first, C) priority(1)
                send_block(first, rank - 1, C);
        }
    }
    free(reps);
}

int main(int argc, char **argv)
{
    int required = MPI_THREAD_MULTIPLE, provided;
    int a = 1;
    int hooked = 0;
    if (argc > 1 && !strcmp(argv[1], "--glue"))
        glue = 1, a = 2;
    if (argc > 1 && !strcmp(argv[1], "--glue-hooked"))
        glue = hooked = 1, a = 2;
    /* --glue: TAMPI stays off (the task hook only completes one-thread
     * teams' detached tasks at home), as in a program without TAMPI;
     * --glue-hooked: on (every task hooked), as in a program that mixes
     * both: one-thread teams then hung at their barrier before detach-clause
     * tasks were completed at home too */
    if (glue && !hooked)
        TAMPI_Property_set(TAMPI_PROPERTY_AUTO_INIT, 0);
    MPI_Init_thread(&argc, &argv, required, &provided);
    if (provided != required) {
        fprintf(stderr, "Error: MPI threading level not supported!\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    wavefront_args(argc, argv, a, "wavefront-tampi [--glue] ROWS COLS BLOCK STEPS", rank, size);
    int local;
    double *m = wavefront_matrix(rank, size, &local);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    solve_tasks(m, local, rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    double dt = MPI_Wtime() - t0;

    long bad = wavefront_check(m, local, rank);
    int status = 0;
    if (rank == 0) {
        char calls[32];
        snprintf(calls, sizeof calls, glue ? "omp-glue" : "TAMPI %d", TAMPI_VERSION_MAJOR);
        printf("wavefront-tampi: %s: %s calls, %d ranks x %d threads, %dx%d block %d, %d steps, "
               "%ld cells differ from the serial sweep, %.3e updates/s\n",
               bad ? "FAIL" : "OK", calls, size, omp_get_max_threads(), rows, cols, bs, steps, bad,
               (double)rows * cols * steps / dt);
        status = bad != 0;
    }
    free(m);
    MPI_Finalize();
    return status;
}

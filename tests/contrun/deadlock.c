/* An unmodified MPI+OpenMP program (no libcont header, linked to MPI only)
 * that calls blocking MPI_Recv and MPI_Send from concurrent OpenMP tasks.
 * Receives are posted first, as MPI codes like to: with
 * OMP_MAX_TASK_PRIORITY=1 every receive task (priority 1) is scheduled
 * before any send task, so every worker of every rank blocks in MPI_Recv
 * while the sends that would release them wait in the task queues: a
 * deadlock, unless blocking MPI in tasks is task-aware (contrun).
 * Ring: NMSG messages from left to right; payload checked.
 * Usage: deadlock [NMSG]; exit 0 and "deadlock: OK ..." on success. */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_MULTIPLE) {
        fprintf(stderr, "deadlock: MPI_THREAD_MULTIPLE not provided\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int nmsg = argc > 1 ? atoi(argv[1]) : 16;
    int left = (rank + size - 1) % size, right = (rank + 1) % size;
    long *in = calloc((size_t)nmsg, sizeof *in), *out = calloc((size_t)nmsg, sizeof *out);
    int threads = 0;
#pragma omp parallel
#pragma omp single
    {
        threads = omp_get_num_threads();
        for (int i = 0; i < nmsg; i++) {
#pragma omp task priority(1) firstprivate(i)
            MPI_Recv(&in[i], 1, MPI_LONG, left, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        for (int i = 0; i < nmsg; i++) {
#pragma omp task priority(0) firstprivate(i)
            {
                out[i] = 1000L * rank + i;
                MPI_Send(&out[i], 1, MPI_LONG, right, i, MPI_COMM_WORLD);
            }
        }
    }
    int bad = 0;
    for (int i = 0; i < nmsg; i++)
        if (in[i] != 1000L * left + i) {
            if (bad++ < 5)
                fprintf(stderr, "deadlock: rank %d: message %d: got %ld, expected %ld\n", rank, i,
                        in[i], 1000L * left + i);
        }
    int allbad = 0;
    MPI_Allreduce(&bad, &allbad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("deadlock: %s: %d ranks x %d threads, %d messages per rank, %d wrong\n",
               allbad ? "FAIL" : "OK", size, threads, nmsg, allbad);
    free(in);
    free(out);
    MPI_Finalize();
    return allbad != 0;
}

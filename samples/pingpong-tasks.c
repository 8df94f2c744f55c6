/* pingpong-tasks: the smallest complete omp-glue program.  Two ranks pass a
 * token back and forth; every receive is a detached OpenMP task that
 * completes when the message arrives, and the task that increments the
 * token depends on it.  No thread ever blocks in MPI.
 * Usage: mpiexec -n 2 ./pingpong-tasks [messages] */
#include "omp-continue.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    if (size != 2 || n < 1) {
        if (rank == 0)
            fprintf(stderr, "usage: mpiexec -n 2 %s [messages>=1]\n", argv[0]);
        MPI_Finalize();
        return 1;
    }
    int token = 0, other = 1 - rank;
    double t0 = MPI_Wtime();
#pragma omp parallel
#pragma omp single
    for (int i = 0; i < n; i++) {
        omp_event_handle_t ev;
        if (i % 2 == rank) {   /* my turn to send message i */
#pragma omp task detach(ev) depend(in: token) firstprivate(i) shared(token)
            ompc_isend(&token, 1, MPI_INT, other, i, MPI_COMM_WORLD, ev);
        } else {               /* receive message i, then increment */
#pragma omp task detach(ev) depend(out: token) firstprivate(i) shared(token)
            ompc_irecv(&token, 1, MPI_INT, other, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ev);
#pragma omp task depend(inout: token) shared(token)
            token++;
        }
    }   /* the implicit barrier waits for every task, detached ones included */
    double t = MPI_Wtime() - t0;
    /* The rank that received message n-1 holds n; the other n-1. */
    int expect = (n - 1) % 2 == rank ? n - 1 : n, ok = token == expect, all_ok;
    MPI_Reduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, 0, MPI_COMM_WORLD);
    if (rank == 0)
        printf("pingpong-tasks: %d messages, %d threads, token %d (expected %d), %.3f s, "
               "%.2f us per message: %s\n", n, omp_get_max_threads(), token, expect, t,
               t / n * 1e6, all_ok ? "OK" : "FAILED");
    MPI_Finalize();
    return rank == 0 && !all_ok;
}

/* The stall detector's two sides, on 2 ranks (no libcont header):
 *   stall never  each rank receives, in a task, a message (tag 99) that no
 *                one sends; contrun must name that receive and end the job
 *                (CONT_STALL_TIMEOUT, set small by the test);
 *   stall slow   rank 1 sends 8 messages half a second apart (sleeping
 *                between them, outside any task); rank 0 receives them in
 *                tasks: the whole wait (4 s) is longer than the timeout the
 *                test sets (3 s), but messages keep arriving, so the run
 *                must finish ("stall: OK"). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int provided, rank;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int never = argc > 1 && !strcmp(argv[1], "never");
    long got[8] = {0};
    if (never) {
        long x = 0;
#pragma omp parallel
#pragma omp single
#pragma omp task shared(x)
        MPI_Recv(&x, 1, MPI_LONG, 1 - rank, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("stall: FAIL: a receive that no send matches completed\n");
        MPI_Finalize();
        return 1;
    }
    if (rank == 1) {
        for (long i = 0; i < 8; i++) {
            usleep(500000);
            MPI_Send(&i, 1, MPI_LONG, 0, 5, MPI_COMM_WORLD);
        }
    } else {
#pragma omp parallel
#pragma omp single
        for (int i = 0; i < 8; i++) {
#pragma omp task depend(inout: got[0]) firstprivate(i) shared(got)
            MPI_Recv(&got[i], 1, MPI_LONG, 1, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    int bad = 0;
    for (int i = 0; rank == 0 && i < 8; i++)
        bad |= got[i] != i;
    if (rank == 0)
        printf("stall: %s: 8 slow messages received in order\n", bad ? "FAIL" : "OK");
    MPI_Finalize();
    return bad;
}

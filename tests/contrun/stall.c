/* The stall detector's two sides, on 2 ranks (no libcont header):
 *   stall never  each rank receives, in a task, a message (tag 99) that no
 *                one sends; contrun must name that receive and end the job
 *                (CONT_STALL_TIMEOUT, set small by the test);
 *   stall slow   rank 1 sends 4 messages one second apart (sleeping between
 *                them, outside any task); rank 0 receives them in tasks:
 *                each receive waits longer than a timeout of 2 s would
 *                allow in total, but messages keep arriving, so the run must
 *                finish ("stall: OK"). */
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
    long got[4] = {0};
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
        for (long i = 0; i < 4; i++) {
            sleep(1);
            MPI_Send(&i, 1, MPI_LONG, 0, 5, MPI_COMM_WORLD);
        }
    } else {
#pragma omp parallel
#pragma omp single
        for (int i = 0; i < 4; i++) {
#pragma omp task depend(inout: got[0]) firstprivate(i) shared(got)
            MPI_Recv(&got[i], 1, MPI_LONG, 1, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    int bad = rank == 0 && (got[0] != 0 || got[1] != 1 || got[2] != 2 || got[3] != 3);
    if (rank == 0)
        printf("stall: %s: 4 slow messages received in order\n", bad ? "FAIL" : "OK");
    MPI_Finalize();
    return bad;
}

/* What a task body resumed after a task-aware blocking call may rely on
 * (contrun's task pause), on 2 ranks: each rank runs NT receive tasks whose
 * messages the neighbour sends only later (after 0.1 s), so they suspend; after its
 * receive each body checks it is on the thread it started on, creates
 * child tasks (with dependences among them) and waits for them with
 * taskwait, then inside a taskgroup, and uses the results.  Prints
 * "resumed: OK ..." and exits 0 when every value is right. */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <unistd.h>

#define NT 16

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size;
    long in[NT], out[NT], sum[NT], grp[NT];
    int moved = 0;
#pragma omp parallel
#pragma omp single
    {
        for (int i = 0; i < NT; i++) {
#pragma omp task firstprivate(i) shared(in, sum, grp, moved)
            {
                int me = omp_get_thread_num();
                MPI_Recv(&in[i], 1, MPI_LONG, peer, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (omp_get_thread_num() != me) {
#pragma omp atomic
                    moved++;
                }
                long a = 0, b = 0;
#pragma omp task shared(a) depend(out: a)
                a = in[i] * 2;
#pragma omp task shared(a, b) depend(in: a)
                b = a + 1;
#pragma omp taskwait
                sum[i] = b;
                long g = 0;
#pragma omp taskgroup
                {
                    for (int k = 0; k < 4; k++) {
#pragma omp task shared(g) firstprivate(k)
                        {
#pragma omp atomic
                            g += k;
                        }
                    }
                }
                grp[i] = g;
            }
        }
        /* the sends come after every receive task exists, and wait 0.1 s
         * (time for the other threads to start receives that must suspend) */
        for (int i = 0; i < NT; i++) {
            out[i] = 100L * rank + i;
#pragma omp task firstprivate(i) shared(out)
            {
                if (i == 0)
                    usleep(100000);
                MPI_Send(&out[i], 1, MPI_LONG, (rank + size - 1) % size, i, MPI_COMM_WORLD);
            }
        }
    }
    int bad = moved;
    for (int i = 0; i < NT; i++)
        bad += in[i] != 100L * peer + i || sum[i] != 2 * in[i] + 1 || grp[i] != 6;
    int allbad = 0;
    MPI_Allreduce(&bad, &allbad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("resumed: %s: %d ranks x %d threads, %d tasks each, %d wrong\n",
               allbad ? "FAIL" : "OK", size, omp_get_max_threads(), NT, allbad);
    MPI_Finalize();
    return allbad != 0;
}

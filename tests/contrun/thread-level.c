/* An unmodified program that asks MPI for one thread level and checks what
 * it is told, as many codes do (provided != required is fatal to them):
 *   thread-level init|single|funneled|serialized|multiple
 * "init" calls MPI_Init.  Under contrun, whatever was asked is what
 * MPI_Init_thread's provided and MPI_Query_thread say (MPICH provides
 * MPI_THREAD_MULTIPLE, contrun runs that underneath), and blocking MPI in
 * OpenMP tasks still works: two tasks per rank, a blocking MPI_Recv created
 * first and the MPI_Send that feeds the neighbour's after it, on every
 * thread count.  Prints "thread-level: OK ..." and exits 0 on success. */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

static const char *names[] = {"single", "funneled", "serialized", "multiple"};
static const int levels[] = {MPI_THREAD_SINGLE, MPI_THREAD_FUNNELED, MPI_THREAD_SERIALIZED,
                             MPI_THREAD_MULTIPLE};

int main(int argc, char **argv)
{
    const char *ask = argc > 1 ? argv[1] : "init";
    int required = -1, provided = -1, queried = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(ask, names[i]))
            required = levels[i];
    if (!strcmp(ask, "init")) {
        MPI_Init(&argc, &argv);
        required = provided = MPI_THREAD_SINGLE;
    } else if (required < 0) {
        fprintf(stderr, "usage: thread-level init|single|funneled|serialized|multiple\n");
        return 2;
    } else {
        MPI_Init_thread(&argc, &argv, required, &provided);
    }
    MPI_Query_thread(&queried);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided != required || queried != required) {
        fprintf(stderr, "thread-level: rank %d: asked %d, provided %d, MPI_Query_thread %d\n",
                rank, required, provided, queried);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    int left = (rank + size - 1) % size, right = (rank + 1) % size;
    long in = -1, out = 100L + rank;
    int threads = 1;
#pragma omp parallel
#pragma omp single
    {
        threads = omp_get_num_threads();
#pragma omp task shared(in)
        MPI_Recv(&in, 1, MPI_LONG, left, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#pragma omp task shared(out)
        MPI_Send(&out, 1, MPI_LONG, right, 7, MPI_COMM_WORLD);
    }
    int bad = in != 100L + left, allbad = 0;
    MPI_Allreduce(&bad, &allbad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("thread-level: %s: asked %s, told %d by both, %d ranks x %d threads, %d wrong\n",
               allbad ? "FAIL" : "OK", ask, provided, size, threads, allbad);
    MPI_Finalize();
    return allbad != 0;
}

/* A program written only against MPI and the MPIX_Continue API (as for
 * Open MPI's continuations extension), linked to the MPI library alone: the
 * MPIX_* symbols come from contrun's preload at run time.  Every rank sends
 * NMSG messages to its right neighbour and receives NMSG from its left; each
 * receive has a continuation that checks the payload and counts; the main
 * thread waits on the continuation request.  Exit 0 and
 * "mpix-only: OK ..." when every callback ran exactly once with the right
 * payload. */
#include <mpi-continue.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { NMSG = 200 };
static long in[NMSG];
static int left;
/* Callbacks run in whichever thread progresses (the progress thread, the
 * main thread inline or in MPI_Wait), several at once: counters are atomic. */
static atomic_int ran[NMSG], bad;

static int on_recv(int rc, void *data)
{
    int i = (int)(long)data;
    atomic_fetch_add(&ran[i], 1);
    if (rc != MPI_SUCCESS || in[i] != 1000L * left + i)
        atomic_fetch_add(&bad, 1);
    return MPI_SUCCESS;
}

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    left = (rank + size - 1) % size;
    int right = (rank + 1) % size;
    MPI_Request cr, send[NMSG];
    long out[NMSG];
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &cr);
    MPI_Start(&cr);
    for (int i = 0; i < NMSG; i++) {
        MPI_Request r;
        MPI_Irecv(&in[i], 1, MPI_LONG, left, i, MPI_COMM_WORLD, &r);
        MPIX_Continue(&r, on_recv, (void *)(long)i, 0, MPI_STATUS_IGNORE, cr);
    }
    for (int i = 0; i < NMSG; i++) {
        out[i] = 1000L * rank + i;
        MPI_Isend(&out[i], 1, MPI_LONG, right, i, MPI_COMM_WORLD, &send[i]);
    }
    MPI_Waitall(NMSG, send, MPI_STATUSES_IGNORE);
    MPI_Wait(&cr, MPI_STATUS_IGNORE);   /* all continuations have run */
    for (int i = 0; i < NMSG; i++)
        if (atomic_load(&ran[i]) != 1)
            atomic_fetch_add(&bad, 1);
    MPI_Request_free(&cr);
    int mine = atomic_load(&bad), allbad;
    MPI_Allreduce(&mine, &allbad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("mpix-only: %s: %d ranks, %d continuations per rank, %d wrong\n",
               allbad ? "FAIL" : "OK", size, NMSG, allbad);
    MPI_Finalize();
    return allbad != 0;
}

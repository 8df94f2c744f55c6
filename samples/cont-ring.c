/* cont-ring: a token travels around a ring of ranks, driven entirely by
 * continuations.  Each receive's callback forwards the token to the right
 * neighbour and posts the next receive; the main thread only waits on the
 * continuation request.  Usage: mpiexec -n 2 ./cont-ring [laps] */
#include "mpi-continue.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int rank, size, laps, received;
    int inbox;
    int *outbox;   /* one per lap: a send buffer is never reused while in flight */
    MPI_Request cr;
} ring_t;

static int on_sent(int rc, void *data)
{
    (void)data;
    return rc;
}

static int post_recv(ring_t *r);

static int on_recv(int rc, void *data)
{
    ring_t *r = data;
    if (rc != MPI_SUCCESS)
        return rc;
    r->received++;
    int last = r->received == r->laps;
    if (!(last && r->rank == 0)) {   /* rank 0 ends the journey */
        MPI_Request s;
        int *o = &r->outbox[r->received];   /* received: 1..laps */
        *o = r->inbox + 1;
        MPI_Isend(o, 1, MPI_INT, (r->rank + 1) % r->size, 0, MPI_COMM_WORLD, &s);
        MPIX_Continue(&s, on_sent, r, 0, MPI_STATUS_IGNORE, r->cr);
    }
    return last ? MPI_SUCCESS : post_recv(r);
}

static int post_recv(ring_t *r)
{
    MPI_Request q;
    MPI_Irecv(&r->inbox, 1, MPI_INT, (r->rank + r->size - 1) % r->size, 0, MPI_COMM_WORLD, &q);
    return MPIX_Continue(&q, on_recv, r, 0, MPI_STATUS_IGNORE, r->cr);
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    ring_t r = {.laps = argc > 1 ? atoi(argv[1]) : 10000};
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);
    if (r.size < 2 || r.laps < 1) {
        if (r.rank == 0)
            fprintf(stderr, "usage: mpiexec -n N(>=2) %s [laps>=1]\n", argv[0]);
        MPI_Finalize();
        return 1;
    }
    r.outbox = calloc((size_t)r.laps + 1, sizeof *r.outbox);
    if (!r.outbox)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPIX_Continue_init(0, 0, MPI_INFO_NULL, &r.cr);
    MPI_Start(&r.cr);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    post_recv(&r);
    if (r.rank == 0) {
        MPI_Request s;
        r.outbox[0] = 1;
        MPI_Isend(&r.outbox[0], 1, MPI_INT, 1, 0, MPI_COMM_WORLD, &s);
        MPIX_Continue(&s, on_sent, &r, 0, MPI_STATUS_IGNORE, r.cr);
    }
    MPI_Wait(&r.cr, MPI_STATUS_IGNORE);   /* every callback of this rank ran */
    double t = MPI_Wtime() - t0;
    MPI_Request_free(&r.cr);
    free(r.outbox);

    int ok = r.received == r.laps && (r.rank != 0 || r.inbox == r.laps * r.size), all_ok;
    MPI_Reduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, 0, MPI_COMM_WORLD);
    if (r.rank == 0) {
        long hops = (long)r.laps * r.size;
        printf("cont-ring: %d ranks, %d laps, %ld hops, token %d (expected %ld), %.3f s, "
               "%.2f us/hop, progress thread %s: %s\n",
               r.size, r.laps, hops, r.inbox, hops, t, t / hops * 1e6,
               cont_has_progress_thread() ? "yes" : "no", all_ok ? "OK" : "FAILED");
    }
    MPI_Finalize();
    return all_ok || r.rank ? 0 : 1;
}

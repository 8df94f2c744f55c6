/* Blocking point-to-point and collective calls.  Inside an OpenMP task
 * (task-aware mode) each becomes its nonblocking form plus a task-aware wait
 * (taskwait.c); anywhere else it goes to the next definition unchanged. */
#include "contrun-internal.h"

/* Post with `post` (a PMPI_I* call filling r), then wait task-aware. */
#define TASK_AWARE(kind, comm, status, peer, tag, post)                        \
    do {                                                                       \
        if (!ctr_in_task())                                                    \
            break;                                                             \
        MPI_Request r_ = MPI_REQUEST_NULL, *r = &r_;                           \
        int rc_ = (post);                                                      \
        if (rc_ != MPI_SUCCESS)                                                \
            return rc_;   /* MPI raised it */                                  \
        return ctr_task_waitall((kind), 1, r,                                  \
                                (status) == MPI_STATUS_IGNORE ? MPI_STATUSES_IGNORE \
                                                              : (status),      \
                                (comm), 0, (peer), (tag));                     \
    } while (0)

int MPI_Recv(void *buf, int count, MPI_Datatype dt, int src, int tag, MPI_Comm comm,
             MPI_Status *status)
{
    TASK_AWARE(K_RECV, comm, status, src, tag, PMPI_Irecv(buf, count, dt, src, tag, comm, r));
    return CTR_PASS(K_RECV, ctr_next.Recv(buf, count, dt, src, tag, comm, status));
}

int MPI_Mrecv(void *buf, int count, MPI_Datatype dt, MPI_Message *msg, MPI_Status *status)
{
    TASK_AWARE(K_MRECV, MPI_COMM_WORLD, status, CTR_NO_PEER, CTR_NO_PEER, PMPI_Imrecv(buf, count, dt, msg, r));
    return CTR_PASS(K_MRECV, ctr_next.Mrecv(buf, count, dt, msg, status));
}

/* The four send modes differ only in the calls they map to. */
#define SEND_MODE(Name, kind, IName)                                                   \
    int MPI_##Name(const void *buf, int count, MPI_Datatype dt, int dest, int tag,     \
                   MPI_Comm comm)                                                      \
    {                                                                                  \
        TASK_AWARE(kind, comm, MPI_STATUS_IGNORE, dest, tag,                           \
                   PMPI_##IName(buf, count, dt, dest, tag, comm, r));                  \
        return CTR_PASS(kind, ctr_next.Name(buf, count, dt, dest, tag, comm));         \
    }
SEND_MODE(Send, K_SEND, Isend)
SEND_MODE(Ssend, K_SSEND, Issend)
SEND_MODE(Bsend, K_BSEND, Ibsend)
SEND_MODE(Rsend, K_RSEND, Irsend)

int MPI_Sendrecv(const void *sbuf, int scount, MPI_Datatype sdt, int dest, int stag, void *rbuf,
                 int rcount, MPI_Datatype rdt, int src, int rtag, MPI_Comm comm,
                 MPI_Status *status)
{
    if (ctr_in_task()) {
        MPI_Request r[2];
        MPI_Status st[2];
        int rc = PMPI_Irecv(rbuf, rcount, rdt, src, rtag, comm, &r[0]);
        if (rc != MPI_SUCCESS)
            return rc;
        rc = PMPI_Isend(sbuf, scount, sdt, dest, stag, comm, &r[1]);
        if (rc != MPI_SUCCESS) {
            PMPI_Cancel(&r[0]);
            PMPI_Wait(&r[0], MPI_STATUS_IGNORE);
            return rc;
        }
        rc = ctr_task_waitall(K_SENDRECV, 2, r, st, comm, 0, src, rtag);
        if (status != MPI_STATUS_IGNORE)
            *status = st[0];
        return rc;
    }
    return CTR_PASS(K_SENDRECV, ctr_next.Sendrecv(sbuf, scount, sdt, dest, stag, rbuf, rcount,
                                                  rdt, src, rtag, comm, status));
}

/* Probes have no request: the task polls the nonblocking probe itself. */
int MPI_Probe(int src, int tag, MPI_Comm comm, MPI_Status *status)
{
    if (!ctr_in_task())
        return CTR_PASS(K_PROBE, ctr_next.Probe(src, tag, comm, status));
    uint64_t t0 = ctr_t0();
    int flag = 0, rc;
    while ((rc = PMPI_Iprobe(src, tag, comm, &flag, status)) == MPI_SUCCESS && !flag)
        ctr_task_yield();
    if (t0)
        ctr_prof_call(K_PROBE, 1, t0);
    return rc;
}

int MPI_Mprobe(int src, int tag, MPI_Comm comm, MPI_Message *msg, MPI_Status *status)
{
    if (!ctr_in_task())
        return CTR_PASS(K_MPROBE, ctr_next.Mprobe(src, tag, comm, msg, status));
    uint64_t t0 = ctr_t0();
    int flag = 0, rc;
    while ((rc = PMPI_Improbe(src, tag, comm, &flag, msg, status)) == MPI_SUCCESS && !flag)
        ctr_task_yield();
    if (t0)
        ctr_prof_call(K_MPROBE, 1, t0);
    return rc;
}

/* ------------------------------------------------------------ collectives */

int MPI_Barrier(MPI_Comm comm)
{
    TASK_AWARE(K_BARRIER, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER, PMPI_Ibarrier(comm, r));
    return CTR_PASS(K_BARRIER, ctr_next.Barrier(comm));
}

int MPI_Bcast(void *buf, int count, MPI_Datatype dt, int root, MPI_Comm comm)
{
    TASK_AWARE(K_BCAST, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER, PMPI_Ibcast(buf, count, dt, root, comm, r));
    return CTR_PASS(K_BCAST, ctr_next.Bcast(buf, count, dt, root, comm));
}

int MPI_Reduce(const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op, int root,
               MPI_Comm comm)
{
    TASK_AWARE(K_REDUCE, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Ireduce(sbuf, rbuf, count, dt, op, root, comm, r));
    return CTR_PASS(K_REDUCE, ctr_next.Reduce(sbuf, rbuf, count, dt, op, root, comm));
}

int MPI_Allreduce(const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
                  MPI_Comm comm)
{
    TASK_AWARE(K_ALLREDUCE, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Iallreduce(sbuf, rbuf, count, dt, op, comm, r));
    return CTR_PASS(K_ALLREDUCE, ctr_next.Allreduce(sbuf, rbuf, count, dt, op, comm));
}

int MPI_Gather(const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
               MPI_Datatype rdt, int root, MPI_Comm comm)
{
    TASK_AWARE(K_GATHER, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Igather(sbuf, scount, sdt, rbuf, rcount, rdt, root, comm, r));
    return CTR_PASS(K_GATHER, ctr_next.Gather(sbuf, scount, sdt, rbuf, rcount, rdt, root, comm));
}

int MPI_Scatter(const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
                MPI_Datatype rdt, int root, MPI_Comm comm)
{
    TASK_AWARE(K_SCATTER, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Iscatter(sbuf, scount, sdt, rbuf, rcount, rdt, root, comm, r));
    return CTR_PASS(K_SCATTER,
                    ctr_next.Scatter(sbuf, scount, sdt, rbuf, rcount, rdt, root, comm));
}

int MPI_Allgather(const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
                  MPI_Datatype rdt, MPI_Comm comm)
{
    TASK_AWARE(K_ALLGATHER, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Iallgather(sbuf, scount, sdt, rbuf, rcount, rdt, comm, r));
    return CTR_PASS(K_ALLGATHER, ctr_next.Allgather(sbuf, scount, sdt, rbuf, rcount, rdt, comm));
}

int MPI_Alltoall(const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
                 MPI_Datatype rdt, MPI_Comm comm)
{
    TASK_AWARE(K_ALLTOALL, comm, MPI_STATUS_IGNORE, CTR_NO_PEER, CTR_NO_PEER,
               PMPI_Ialltoall(sbuf, scount, sdt, rbuf, rcount, rdt, comm, r));
    return CTR_PASS(K_ALLTOALL, ctr_next.Alltoall(sbuf, scount, sdt, rbuf, rcount, rdt, comm));
}

/* TAMPI 4's calls without a request (TAMPI.h): the MPI operation, started
 * at once, then the calling task bound to it (bind.c).  Built against the
 * TAMPI 4 declarations. */
#include "tampi-internal.h"

int TAMPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                MPI_Status *status)
{
    MPI_Request r;
    int err = MPI_Irecv(buf, count, datatype, source, tag, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Irecv", &r, status) : err;
}

int TAMPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ibsend(buf, count, datatype, dest, tag, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ibsend", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Irsend(buf, count, datatype, dest, tag, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Irsend", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Isend(buf, count, datatype, dest, tag, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Isend", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Issend(buf, count, datatype, dest, tag, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Issend", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                     int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iallgather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iallgather", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                      const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                      MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iallgatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype,
                              comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iallgatherv", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                     MPI_Op op, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iallreduce(sendbuf, recvbuf, count, datatype, op, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iallreduce", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                    int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ialltoall(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ialltoall", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ialltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                     MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                     const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ialltoallv(sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls,
                             recvtype, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ialltoallv", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ialltoallw(const void *sendbuf, const int sendcounts[], const int sdispls[],
                     const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[],
                     const int rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ialltoallw(sendbuf, sendcounts, sdispls, sendtypes, recvbuf, recvcounts, rdispls,
                             recvtypes, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ialltoallw", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ibarrier(MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ibarrier(comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ibarrier", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ibcast(void *buf, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ibcast(buf, count, datatype, root, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ibcast", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Igather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm,
                          &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Igather", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                   MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Igatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype,
                           root, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Igatherv", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ireduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                  int root, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ireduce(sendbuf, recvbuf, count, datatype, op, root, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ireduce", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ireduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[],
                          MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ireduce_scatter(sendbuf, recvbuf, recvcounts, datatype, op, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ireduce_scatter", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Ireduce_scatter_block(sendbuf, recvbuf, recvcount, datatype, op, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Ireduce_scatter_block", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iscatter(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm,
                           &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iscatter", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iscatterv(const void *sendbuf, const int sendcounts[], const int displs[],
                    MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                    int root, MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iscatterv(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype,
                            root, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iscatterv", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iscan(sendbuf, recvbuf, count, datatype, op, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iscan", &r, MPI_STATUS_IGNORE) : err;
}

int TAMPI_Iexscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                  MPI_Comm comm)
{
    MPI_Request r;
    int err = MPI_Iexscan(sendbuf, recvbuf, count, datatype, op, comm, &r);
    return err == MPI_SUCCESS ? tampi_bind_one("TAMPI_Iexscan", &r, MPI_STATUS_IGNORE) : err;
}

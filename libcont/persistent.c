/* Persistent-request constructors: remembered so that MPIX_Continue knows
 * which operation handles stay valid (persistent) and which it takes over.
 * MPI has no query for that, so every *_init of MPI-4 is wrapped. */
#include "cont-internal.h"

#define PERSISTENT(name, params, args)           \
    int MPI_##name params                        \
    {                                            \
        int rc = PMPI_##name args;               \
        if (rc == MPI_SUCCESS)                   \
            cont_req_set_persistent(*request);   \
        return rc;                               \
    }

PERSISTENT(Send_init, (const void *buf, int count, MPI_Datatype dt, int dest, int tag,
           MPI_Comm comm, MPI_Request *request), (buf, count, dt, dest, tag, comm, request))
PERSISTENT(Bsend_init, (const void *buf, int count, MPI_Datatype dt, int dest, int tag,
           MPI_Comm comm, MPI_Request *request), (buf, count, dt, dest, tag, comm, request))
PERSISTENT(Ssend_init, (const void *buf, int count, MPI_Datatype dt, int dest, int tag,
           MPI_Comm comm, MPI_Request *request), (buf, count, dt, dest, tag, comm, request))
PERSISTENT(Rsend_init, (const void *buf, int count, MPI_Datatype dt, int dest, int tag,
           MPI_Comm comm, MPI_Request *request), (buf, count, dt, dest, tag, comm, request))
PERSISTENT(Recv_init, (void *buf, int count, MPI_Datatype dt, int source, int tag,
           MPI_Comm comm, MPI_Request *request), (buf, count, dt, source, tag, comm, request))

#ifdef HAVE_PMPI_PSEND_INIT
PERSISTENT(Psend_init, (const void *buf, int partitions, MPI_Count count, MPI_Datatype dt,
           int dest, int tag, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (buf, partitions, count, dt, dest, tag, comm, info, request))
PERSISTENT(Precv_init, (void *buf, int partitions, MPI_Count count, MPI_Datatype dt,
           int source, int tag, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (buf, partitions, count, dt, source, tag, comm, info, request))
#endif

#ifdef HAVE_PMPI_BCAST_INIT
PERSISTENT(Barrier_init, (MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (comm, info, request))
PERSISTENT(Bcast_init, (void *buf, int count, MPI_Datatype dt, int root, MPI_Comm comm,
           MPI_Info info, MPI_Request *request), (buf, count, dt, root, comm, info, request))
PERSISTENT(Reduce_init, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
           int root, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, count, dt, op, root, comm, info, request))
PERSISTENT(Allreduce_init, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
           MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, count, dt, op, comm, info, request))
PERSISTENT(Reduce_scatter_block_init, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt,
           MPI_Op op, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, count, dt, op, comm, info, request))
PERSISTENT(Reduce_scatter_init, (const void *sbuf, void *rbuf, const int rcounts[],
           MPI_Datatype dt, MPI_Op op, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, rcounts, dt, op, comm, info, request))
PERSISTENT(Scan_init, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
           MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, count, dt, op, comm, info, request))
PERSISTENT(Exscan_init, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
           MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, rbuf, count, dt, op, comm, info, request))
PERSISTENT(Gather_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
           MPI_Datatype rdt, int root, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, root, comm, info, request))
PERSISTENT(Gatherv_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           const int rcounts[], const int displs[], MPI_Datatype rdt, int root, MPI_Comm comm,
           MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcounts, displs, rdt, root, comm, info, request))
PERSISTENT(Scatter_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf, int rcount,
           MPI_Datatype rdt, int root, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, root, comm, info, request))
PERSISTENT(Scatterv_init, (const void *sbuf, const int scounts[], const int displs[],
           MPI_Datatype sdt, void *rbuf, int rcount, MPI_Datatype rdt, int root, MPI_Comm comm,
           MPI_Info info, MPI_Request *request),
           (sbuf, scounts, displs, sdt, rbuf, rcount, rdt, root, comm, info, request))
PERSISTENT(Allgather_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           int rcount, MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, comm, info, request))
PERSISTENT(Allgatherv_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           const int rcounts[], const int displs[], MPI_Datatype rdt, MPI_Comm comm,
           MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcounts, displs, rdt, comm, info, request))
PERSISTENT(Alltoall_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           int rcount, MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, comm, info, request))
PERSISTENT(Alltoallv_init, (const void *sbuf, const int scounts[], const int sdispls[],
           MPI_Datatype sdt, void *rbuf, const int rcounts[], const int rdispls[],
           MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scounts, sdispls, sdt, rbuf, rcounts, rdispls, rdt, comm, info, request))
PERSISTENT(Alltoallw_init, (const void *sbuf, const int scounts[], const int sdispls[],
           const MPI_Datatype sdts[], void *rbuf, const int rcounts[], const int rdispls[],
           const MPI_Datatype rdts[], MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scounts, sdispls, sdts, rbuf, rcounts, rdispls, rdts, comm, info, request))
PERSISTENT(Neighbor_allgather_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           int rcount, MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, comm, info, request))
PERSISTENT(Neighbor_allgatherv_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           const int rcounts[], const int displs[], MPI_Datatype rdt, MPI_Comm comm,
           MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcounts, displs, rdt, comm, info, request))
PERSISTENT(Neighbor_alltoall_init, (const void *sbuf, int scount, MPI_Datatype sdt, void *rbuf,
           int rcount, MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scount, sdt, rbuf, rcount, rdt, comm, info, request))
PERSISTENT(Neighbor_alltoallv_init, (const void *sbuf, const int scounts[], const int sdispls[],
           MPI_Datatype sdt, void *rbuf, const int rcounts[], const int rdispls[],
           MPI_Datatype rdt, MPI_Comm comm, MPI_Info info, MPI_Request *request),
           (sbuf, scounts, sdispls, sdt, rbuf, rcounts, rdispls, rdt, comm, info, request))
PERSISTENT(Neighbor_alltoallw_init, (const void *sbuf, const int scounts[],
           const MPI_Aint sdispls[], const MPI_Datatype sdts[], void *rbuf, const int rcounts[],
           const MPI_Aint rdispls[], const MPI_Datatype rdts[], MPI_Comm comm, MPI_Info info,
           MPI_Request *request),
           (sbuf, scounts, sdispls, sdts, rbuf, rcounts, rdispls, rdts, comm, info, request))
#endif

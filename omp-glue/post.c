/* Post-and-bind convenience forms for the common point-to-point cases. */
#include "config.h"
#include "omp-continue.h"

int ompc_irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
               MPI_Status *status, omp_event_handle_t ev)
{
    MPI_Request r;
    int rc = MPI_Irecv(buf, count, datatype, source, tag, comm, &r);
    return rc != MPI_SUCCESS ? rc : ompc_bind_status(&r, status, ev);
}

int ompc_isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, omp_event_handle_t ev)
{
    MPI_Request r;
    int rc = MPI_Isend(buf, count, datatype, dest, tag, comm, &r);
    return rc != MPI_SUCCESS ? rc : ompc_bind(&r, ev);
}

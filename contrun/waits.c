/* MPI_Wait, MPI_Waitall, MPI_Waitany, MPI_Waitsome on ordinary requests
 * (libcont hands them over through cont_wrapper): task-aware inside an
 * OpenMP task, forwarded to the next definition otherwise. */
#include "contrun-internal.h"

int ctr_wait(MPI_Request *req, MPI_Status *status)
{
    if (!ctr_in_task() || *req == MPI_REQUEST_NULL)
        return CTR_PASS(K_WAIT, ctr_next.Wait(req, status));
    /* Request errors go to MPI_COMM_WORLD's handler, as MPICH does. */
    return ctr_task_waitall(K_WAIT, 1, req,
                            status == MPI_STATUS_IGNORE ? MPI_STATUSES_IGNORE : status,
                            MPI_COMM_WORLD, 0, CTR_NO_PEER, CTR_NO_PEER);
}

int ctr_waitall(int count, MPI_Request reqs[], MPI_Status statuses[])
{
    if (count <= 0 || !reqs || !ctr_in_task())
        return CTR_PASS(K_WAITALL, ctr_next.Waitall(count, reqs, statuses));
    return ctr_task_waitall(K_WAITALL, count, reqs, statuses, MPI_COMM_WORLD,
                            statuses != MPI_STATUSES_IGNORE, CTR_NO_PEER, CTR_NO_PEER);
}

/* Waitany / Waitsome: the caller keeps the requests it does not get back,
 * so they cannot be handed to libcont; the task tests them itself (it is the
 * only thread that does) and yields between tests. */
int ctr_waitany(int count, MPI_Request reqs[], int *index, MPI_Status *status)
{
    if (count <= 0 || !reqs || !ctr_in_task())
        return CTR_PASS(K_WAITANY, ctr_next.Waitany(count, reqs, index, status));
    uint64_t t0 = ctr_t0();
    int flag = 0, rc;
    while ((rc = PMPI_Testany(count, reqs, index, &flag, status)) == MPI_SUCCESS && !flag)
        ctr_task_yield();
    if (t0)
        ctr_prof_call(K_WAITANY, 1, t0);
    return rc;
}

int ctr_waitsome(int count, MPI_Request reqs[], int *outcount, int indices[],
                 MPI_Status statuses[])
{
    if (count <= 0 || !reqs || !ctr_in_task())
        return CTR_PASS(K_WAITSOME,
                        ctr_next.Waitsome(count, reqs, outcount, indices, statuses));
    uint64_t t0 = ctr_t0();
    int rc;
    while ((rc = PMPI_Testsome(count, reqs, outcount, indices, statuses)) == MPI_SUCCESS &&
           *outcount == 0)
        ctr_task_yield();
    if (t0)
        ctr_prof_call(K_WAITSOME, 1, t0);
    return rc;
}

/* Binding a task's completion to requests: TAMPI_Iwait, TAMPI_Iwaitall and
 * the helper behind the 4.x calls.
 *
 * The task hook (omp-glue/taskhook.h) gives the calling task's completion
 * a count: cont_th_bind adds to it, each bound operation's continuation
 * (libcont, on tampi_cr) takes one off; when the body has also ended, the
 * hook completes the task on its own thread.  Statuses are written by
 * libcont before the continuation runs, so before the dependents do. */
#include "tampi-internal.h"

#include "cont-layer.h"
#include "mpi-continue.h"
#include "taskhook.h"

/* A bound operation completed (or failed: reported, and the task is
 * released all the same, its status holding the error). */
static int done(int rc, void *task)
{
    if (rc != MPI_SUCCESS)
        cont_error(rc, "TAMPI: an operation bound to a task failed");
    cont_th_unbind(task);
    return MPI_SUCCESS;
}

/* The calling task, bound to one more operation; NULL: wait instead. */
static void *bind_task(void)
{
    return tampi_nonblocking ? cont_th_bind(1) : NULL;
}

int tampi_bind_one(const char *fn, MPI_Request *request, MPI_Status *status)
{
    if (!request)
        return cont_error(MPI_ERR_ARG, "%s: request is NULL", fn);
    if (*request == MPI_REQUEST_NULL)
        return status == MPI_STATUS_IGNORE ? MPI_SUCCESS : MPI_Wait(request, status);
    void *task = bind_task();
    if (!task)
        return MPI_Wait(request, status);
    int rc = MPIX_Continue(request, done, task, MPIX_CONT_INVOKE_FAILED, status, tampi_cr);
    if (rc != MPI_SUCCESS)
        cont_th_unbind(task);   /* nothing was registered: take the binding back */
    return rc;
}

int TAMPI_Iwait(MPI_Request *request, MPI_Status *status)
{
    return tampi_bind_one("TAMPI_Iwait", request, status);
}

int TAMPI_Iwaitall(int count, MPI_Request requests[], MPI_Status statuses[])
{
    if (count < 0)
        return cont_error(MPI_ERR_COUNT, "TAMPI_Iwaitall: count %d < 0", count);
    if (count == 0)
        return MPI_SUCCESS;
    if (!requests)
        return cont_error(MPI_ERR_ARG, "TAMPI_Iwaitall: requests is NULL");
    void *task = bind_task();
    if (!task)
        return MPI_Waitall(count, requests, statuses);
    int rc = MPIX_Continueall(count, requests, done, task, MPIX_CONT_INVOKE_FAILED, statuses,
                              tampi_cr);
    if (rc != MPI_SUCCESS)
        cont_th_unbind(task);
    return rc;
}

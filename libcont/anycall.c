/* Waits on ordinary requests that also drive the engine, for the revisions
 * whose continuations run from the progress of any MPI call (see
 * cont_any_call in cont-internal.h).  Each polls MPI and the engine (or the
 * continuations the progress thread left to application threads) in turn,
 * with the waiting back-off of MPI_Wait on a CR. */
#include "cont-internal.h"

#define POLL_UNTIL(test, done)                      \
    do {                                            \
        cont_backoff_t b_ = {.wait = 1};            \
        for (;;) {                                  \
            int rc_ = (test);                       \
            if (rc_ != MPI_SUCCESS || (done))       \
                return rc_;                         \
            if (cont_any_call_step() > 0)           \
                b_.n = 0;                           \
            else                                    \
                cont_backoff(&b_);                  \
        }                                           \
    } while (0)

int cont_any_call_wait(MPI_Request *req, MPI_Status *status)
{
    int flag = 0;
    POLL_UNTIL(PMPI_Test(req, &flag, status), flag);
}

int cont_any_call_waitall(int count, MPI_Request reqs[], MPI_Status statuses[])
{
    int flag = 0;
    POLL_UNTIL(PMPI_Testall(count, reqs, &flag, statuses), flag);
}

int cont_any_call_waitany(int count, MPI_Request reqs[], int *index, MPI_Status *status)
{
    int flag = 0;
    POLL_UNTIL(PMPI_Testany(count, reqs, index, &flag, status), flag);
}

int cont_any_call_waitsome(int count, MPI_Request reqs[], int *outcount, int indices[],
                           MPI_Status statuses[])
{
    POLL_UNTIL(PMPI_Testsome(count, reqs, outcount, indices, statuses), *outcount != 0);
}

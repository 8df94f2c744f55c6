/* Raising errors the MPI way: through MPI_COMM_WORLD's error handler. */
#include "cont-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[512];

const char *cont_last_error(void)
{
    return last_error;
}

/* MPICH's own text for an error class (for the message line). */
static const char *class_name(int errclass)
{
    switch (errclass) {
    case MPI_ERR_ARG: return "MPI_ERR_ARG";
    case MPI_ERR_COUNT: return "MPI_ERR_COUNT";
    case MPI_ERR_REQUEST: return "MPI_ERR_REQUEST";
    case MPI_ERR_IN_STATUS: return "MPI_ERR_IN_STATUS";
    case MPI_ERR_OTHER: return "MPI_ERR_OTHER";
    default: return "MPI error";
    }
}

/* Is MPI_COMM_WORLD's handler one that ends the job?  Only then does
 * libcont print its message: an application with its own handler or
 * MPI_ERRORS_RETURN deals with errors itself. */
static int world_errors_fatal(void)
{
    MPI_Errhandler eh;
    if (PMPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh) != MPI_SUCCESS)
        return 1;
    int fatal = eh == MPI_ERRORS_ARE_FATAL;
#ifdef MPI_ERRORS_ABORT
    fatal |= eh == MPI_ERRORS_ABORT;
#endif
    PMPI_Errhandler_free(&eh);
    return fatal;
}

static int raise_error(int code)
{
    int errclass = code;
    int up = 0;
    if (PMPI_Initialized(&up) != MPI_SUCCESS || !up)
        return code;
    int down = 0;
    PMPI_Finalized(&down);
    if (down)
        return code;
    if (world_errors_fatal() || cont_cfg.verbose >= 2)
        fprintf(stderr, "%s\n", last_error);
    /* A callback may have returned a value that is no MPI error code: the
     * handler gets MPI_ERR_OTHER then, the caller the value itself. */
    if (errclass <= MPI_SUCCESS || errclass > MPI_ERR_LASTCODE)
        errclass = MPI_ERR_OTHER;
    PMPI_Comm_call_errhandler(MPI_COMM_WORLD, errclass);
    return code;
}

int cont_error(int errclass, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(last_error, sizeof last_error, "libcont: ");
    va_start(ap, fmt);
    n += vsnprintf(last_error + n, sizeof last_error - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof last_error)
        snprintf(last_error + n, sizeof last_error - (size_t)n, " (%s)", class_name(errclass));
    return raise_error(errclass);
}

int cont_error_in_status(const char *fn)
{
    snprintf(last_error, sizeof last_error,
             "libcont: %s: one or more requests failed, see the statuses (MPI_ERR_IN_STATUS)", fn);
    return raise_error(MPI_ERR_IN_STATUS);
}

void cont_empty_status(MPI_Status *st, int err)
{
    if (st == MPI_STATUS_IGNORE)
        return;
    st->MPI_SOURCE = MPI_ANY_SOURCE;
    st->MPI_TAG = MPI_ANY_TAG;
    st->MPI_ERROR = err;
    PMPI_Status_set_elements(st, MPI_BYTE, 0);
    PMPI_Status_set_cancelled(st, 0);
}

/* Stands in, at link time, for an MPI library that has the MPIX_Continue
 * extension (Open MPI's): contrun_mpix_only links against it so that its
 * MPIX_* calls are dynamic symbols.  Under contrun the preloaded library
 * comes first in the lookup order and these are never called. */
#include <mpi-continue.h>
#include <stdio.h>

static int absent(const char *fn)
{
    fprintf(stderr, "mpix-stub: %s called: MPIX_Continue not provided (run under contrun)\n", fn);
    MPI_Abort(MPI_COMM_WORLD, 3);
    return MPI_ERR_OTHER;
}

int MPIX_Continue_init(int flags, int max_poll, MPI_Info info, MPI_Request *cr)
{
    (void)flags, (void)max_poll, (void)info, (void)cr;
    return absent("MPIX_Continue_init");
}

int MPIX_Continue(MPI_Request *op, MPIX_Continue_cb_function *cb, void *data, int flags,
                  MPI_Status *status, MPI_Request cr)
{
    (void)op, (void)cb, (void)data, (void)flags, (void)status, (void)cr;
    return absent("MPIX_Continue");
}

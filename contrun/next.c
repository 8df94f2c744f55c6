/* The next definitions of the MPI functions contrun defines: dlsym with
 * RTLD_NEXT finds the one that follows this library in the lookup order (a
 * PMPI tool's, or the MPI library's), so tools stack.  PMPI_* otherwise
 * (static link, or nothing follows). */
#define _GNU_SOURCE
#include "contrun-internal.h"

#include <dlfcn.h>

ctr_next_t ctr_next;

/* A program linked with -lcont and run under contrun carries a second copy
 * of libcont: RTLD_NEXT finds its MPI_Wait*, which hands ordinary requests
 * back to contrun's hooks (cont_wrapper resolves to this library's), and
 * the two call each other for ever.  That copy is skipped for PMPI_*: this
 * library's own libcont has already dealt with continuation requests. */
static int in_libcont(void *fn)
{
    Dl_info info;
    if (!dladdr(fn, &info) || !info.dli_fname)
        return 0;
    void *h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    int yes = h && dlsym(h, "MPIX_Continue_init") != NULL;
    if (h)
        dlclose(h);
    return yes;
}

#define RESOLVE(name)                                                           \
    do {                                                                        \
        void *p_ = dlsym(RTLD_NEXT, "MPI_" #name);                              \
        ctr_next.name = p_ && !in_libcont(p_) ? (__typeof__(ctr_next.name))p_    \
                                              : PMPI_##name;                   \
    } while (0)

void ctr_next_resolve(void)
{
    RESOLVE(Wait);
    RESOLVE(Waitall);
    RESOLVE(Waitany);
    RESOLVE(Waitsome);
    RESOLVE(Recv);
    RESOLVE(Mrecv);
    RESOLVE(Send);
    RESOLVE(Ssend);
    RESOLVE(Bsend);
    RESOLVE(Rsend);
    RESOLVE(Sendrecv);
    RESOLVE(Probe);
    RESOLVE(Mprobe);
    RESOLVE(Barrier);
    RESOLVE(Bcast);
    RESOLVE(Reduce);
    RESOLVE(Allreduce);
    RESOLVE(Gather);
    RESOLVE(Scatter);
    RESOLVE(Allgather);
    RESOLVE(Alltoall);
}

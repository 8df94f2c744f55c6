/* MPI request functions on single handles: CRs are handled here, requests
 * that carry a continuation are refused (libcont alone tests them), every
 * other request goes straight to PMPI. */
#include "cont-internal.h"

/* A request with a continuation belongs to libcont until it completes. */
static int owned_error(const char *fn, MPI_Request h)
{
    return cont_error(MPI_ERR_REQUEST,
                      "%s: request 0x%x has a continuation attached; libcont completes it (use "
                      "the continuation, or wait on its continuation request)", fn, (unsigned)h);
}

/* Look up a CR that the application may test, start or free. */
static int usable_cr(MPI_Request h, const char *fn, cr_t **cr)
{
    int rc = cont_cr_lookup_or_error(h, fn, "request", cr);
    if (rc == MPI_SUCCESS && atomic_load(&(*cr)->parent))
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x is an operation of another "
                          "continuation; it is completed by libcont", fn, (unsigned)h);
    return rc;
}

/* A CR completed with failed continuations: MPI's way is an error code. */
static int cr_result(const char *fn, cr_t *cr, int rc)
{
    if (rc == MPI_SUCCESS)
        return rc;
    return cont_error(rc, "%s: continuation request 0x%x completed with failed continuations "
                      "(MPIX_Continue_get_failed lists them)", fn, (unsigned)cr->handle);
}

int MPI_Start(MPI_Request *req)
{
    if (req && cont_is_cr_handle(*req)) {
        CONT_CHECK_INIT("MPI_Start");
        cr_t *cr;
        int rc = cont_cr_lookup_or_error(*req, "MPI_Start", "request", &cr);
        return rc ? rc : cont_cr_start(cr, "MPI_Start");
    }
    if (req && cont_req_owned_stable(*req))
        return owned_error("MPI_Start", *req);
    cont_any_call_poll();
    return PMPI_Start(req);
}

int MPI_Test(MPI_Request *req, int *flag, MPI_Status *status)
{
    if (req && flag && cont_is_cr_handle(*req)) {
        CONT_CHECK_INIT("MPI_Test");
        cr_t *cr;
        int rc = usable_cr(*req, "MPI_Test", &cr);
        if (rc)
            return rc;
        return cr_result("MPI_Test", cr, cont_cr_test(cr, flag, status));
    }
    if (req && cont_req_owned_stable(*req))
        return owned_error("MPI_Test", *req);
    cont_any_call_poll();
    return PMPI_Test(req, flag, status);
}

int MPI_Wait(MPI_Request *req, MPI_Status *status)
{
    if (req && cont_is_cr_handle(*req)) {
        CONT_CHECK_INIT("MPI_Wait");
        cr_t *cr;
        int rc = usable_cr(*req, "MPI_Wait", &cr);
        if (rc)
            return rc;
        return cr_result("MPI_Wait", cr, cont_cr_wait(cr, status));
    }
    if (req && cont_req_owned_stable(*req))
        return owned_error("MPI_Wait", *req);
    if (cont_any_call())
        return cont_any_call_wait(req, status);
    if (cont_wrapper && cont_wrapper->wait)
        return cont_wrapper->wait(req, status);
    return PMPI_Wait(req, status);
}

int MPI_Request_free(MPI_Request *req)
{
    if (req && cont_is_cr_handle(*req)) {
        CONT_CHECK_INIT("MPI_Request_free");
        cr_t *cr;
        int rc = cont_cr_lookup_or_error(*req, "MPI_Request_free", "request", &cr);
        return rc ? rc : cont_cr_free(req, "MPI_Request_free");
    }
    if (!req)
        return PMPI_Request_free(req);
    MPI_Request h = *req;
    if (cont_req_owned_stable(h))
        return owned_error("MPI_Request_free", h);
    int rc = PMPI_Request_free(req);
    if (rc == MPI_SUCCESS)
        cont_req_clear_persistent(h);
    return rc;
}

int MPI_Request_get_status(MPI_Request req, int *flag, MPI_Status *status)
{
    if (flag && cont_is_cr_handle(req)) {
        CONT_CHECK_INIT("MPI_Request_get_status");
        cr_t *cr;
        int rc = cont_cr_lookup_or_error(req, "MPI_Request_get_status", "request", &cr);
        if (rc)
            return rc;
        return cr_result("MPI_Request_get_status", cr, cont_cr_get_status(cr, flag, status));
    }
    if (cont_req_owned_stable(req))
        return owned_error("MPI_Request_get_status", req);
    cont_any_call_poll();
    return PMPI_Request_get_status(req, flag, status);
}

int MPI_Cancel(MPI_Request *req)
{
    if (req && cont_is_cr_handle(*req)) {
        CONT_CHECK_INIT("MPI_Cancel");
        return cont_error(MPI_ERR_REQUEST, "MPI_Cancel: 0x%x is a continuation request, which "
                          "cannot be cancelled", (unsigned)*req);
    }
    /* Cancelling an operation that has a continuation is allowed: the
     * continuation then sees it complete as cancelled. */
    return PMPI_Cancel(req);
}

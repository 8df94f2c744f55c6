/* The array forms (Startall, Testall/any/some, Waitall/any/some) with CRs
 * and ordinary requests mixed.  Arrays without CRs go straight to PMPI after
 * one cheap scan; mixed arrays complete CRs here and pass the ordinary
 * requests, compacted, to PMPI. */
#include "cont-internal.h"

#include <stdlib.h>
#include <string.h>

#define SMALL 32

/* Scan an array: count CRs, refuse invalid CRs, CRs that are operations of
 * another continuation, and requests that carry a continuation. */
static int scan(const char *fn, int count, MPI_Request reqs[], int *ncr)
{
    *ncr = 0;
    if (count <= 0 || !reqs)
        return MPI_SUCCESS;   /* PMPI reports bad arguments */
    for (int i = 0; i < count; i++) {
        MPI_Request h = reqs[i];
        if (cont_is_cr_handle(h)) {
            if (!*ncr && !atomic_load_explicit(&cont_g.initialized, memory_order_acquire) &&
                cont_ensure_init())
                return cont_error(MPI_ERR_OTHER, "%s: MPI is not initialized", fn);
            cr_t *cr = cont_crtable_lookup(h);
            if (!cr)
                return cont_error(MPI_ERR_REQUEST,
                                  "%s: request %d (0x%x) is a freed or invalid continuation "
                                  "request", fn, i, (unsigned)h);
            if (atomic_load(&cr->parent))
                return cont_error(MPI_ERR_REQUEST,
                                  "%s: request %d (0x%x) is a continuation request that is an "
                                  "operation of another continuation", fn, i, (unsigned)h);
            (*ncr)++;
        } else if (cont_req_owned_stable(h)) {
            return cont_error(MPI_ERR_REQUEST,
                              "%s: request %d (0x%x) has a continuation attached; libcont "
                              "completes it", fn, i, (unsigned)h);
        }
    }
    return MPI_SUCCESS;
}

/* The ordinary requests of a mixed array, compacted for PMPI. */
typedef struct {
    int n;
    MPI_Request *req, req_s[SMALL];
    MPI_Status *st, st_s[SMALL];
    int *map, map_s[SMALL];
    int *idx, idx_s[SMALL];
} subset_t;

static int subset_make(subset_t *s, int count, MPI_Request reqs[])
{
    s->n = 0;
    s->req = s->req_s, s->st = s->st_s, s->map = s->map_s, s->idx = s->idx_s;
    if (count > SMALL) {
        s->req = malloc((size_t)count * sizeof *s->req);
        s->st = malloc((size_t)count * sizeof *s->st);
        s->map = malloc((size_t)count * sizeof *s->map);
        s->idx = malloc((size_t)count * sizeof *s->idx);
        if (!s->req || !s->st || !s->map || !s->idx)
            return 1;
    }
    for (int i = 0; i < count; i++)
        if (!cont_is_cr_handle(reqs[i])) {
            s->req[s->n] = reqs[i];
            s->map[s->n++] = i;
        }
    return 0;
}

static void subset_writeback(subset_t *s, MPI_Request reqs[])
{
    for (int k = 0; k < s->n; k++)
        reqs[s->map[k]] = s->req[k];
}

static void subset_free(subset_t *s)
{
    if (s->req != s->req_s) {
        free(s->req);
        free(s->st);
        free(s->map);
        free(s->idx);
    }
}

static int oom(const char *fn, subset_t *s)
{
    subset_free(s);
    return cont_error(MPI_ERR_OTHER, "%s: out of memory", fn);
}

static MPI_Status *status_at(MPI_Status statuses[], int i)
{
    return statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE : &statuses[i];
}

/* Drive progress for the CRs of an array (runs POLL_ONLY continuations). */
static void drive(int count, MPI_Request reqs[])
{
    cont_progress();
    for (int i = 0; i < count; i++)
        if (cont_is_cr_handle(reqs[i])) {
            cr_t *cr = cont_crtable_lookup(reqs[i]);
            if (cr && cr->poll_only && (atomic_load(&cr->state) & CR_ACTIVE))
                cont_cr_run_ready(cr);
        }
}

/* ------------------------------------------------------------------ Startall */

int MPI_Startall(int count, MPI_Request reqs[])
{
    int ncr, rc = scan("MPI_Startall", count, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr) {
        cont_any_call_poll();
        return PMPI_Startall(count, reqs);
    }
    for (int i = 0; i < count; i++) {
        if (cont_is_cr_handle(reqs[i])) {
            cr_t *cr = cont_crtable_lookup(reqs[i]);
            if (atomic_load(&cr->state) & CR_ACTIVE)
                return cont_error(MPI_ERR_REQUEST, "MPI_Startall: request %d (0x%x) is an "
                                  "active continuation request", i, (unsigned)reqs[i]);
        }
    }
    for (int i = 0; i < count; i++) {
        if (cont_is_cr_handle(reqs[i]))
            rc = cont_cr_start(cont_crtable_lookup(reqs[i]), "MPI_Startall");
        else
            rc = PMPI_Start(&reqs[i]);
        if (rc)
            return rc;
    }
    return MPI_SUCCESS;
}

/* ------------------------------------------------------------------ Testall */

static void unclaim(int count, MPI_Request reqs[], const char *claimed)
{
    for (int i = 0; i < count; i++)
        if (claimed[i])
            cont_cr_reactivate(cont_crtable_lookup(reqs[i]));
}

/* All or nothing: claim (complete) every active CR, then test the ordinary
 * requests; if any is not complete, give the CRs back (reactivate). */
static int mixed_testall(int count, MPI_Request reqs[], int *flag, MPI_Status statuses[])
{
    static const char fn[] = "MPI_Testall";
    subset_t s;
    if (subset_make(&s, count, reqs))
        return oom(fn, &s);
    char claimed_s[SMALL] = {0}, *claimed = count > SMALL ? calloc((size_t)count, 1) : claimed_s;
    if (!claimed)
        return oom(fn, &s);
    drive(count, reqs);
    int rc = MPI_SUCCESS, any_err = 0;
    *flag = 0;
    for (int i = 0; i < count; i++) {
        if (!cont_is_cr_handle(reqs[i]))
            continue;
        cr_t *cr = cont_crtable_lookup(reqs[i]);
        if (!(atomic_load(&cr->state) & CR_ACTIVE))
            continue;
        if (!cont_cr_try_complete(cr)) {
            unclaim(count, reqs, claimed);
            goto out;
        }
        claimed[i] = 1;
    }
    int f = 1;
    if (s.n > 0) {
        rc = PMPI_Testall(s.n, s.req, &f, statuses == MPI_STATUSES_IGNORE ? MPI_STATUSES_IGNORE : s.st);
        subset_writeback(&s, reqs);
        if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
            unclaim(count, reqs, claimed);
            goto out;
        }
        if (rc == MPI_ERR_IN_STATUS)
            any_err = 1;
    }
    if (!f) {
        unclaim(count, reqs, claimed);
        if (rc == MPI_ERR_IN_STATUS) {
            /* MPI completed (and freed) the failed requests: report them, and
             * the CRs as not complete. */
            if (statuses != MPI_STATUSES_IGNORE) {
                for (int k = 0; k < s.n; k++)
                    statuses[s.map[k]] = s.st[k];
                for (int i = 0; i < count; i++)
                    if (cont_is_cr_handle(reqs[i]))
                        cont_empty_status(&statuses[i], MPI_ERR_PENDING);
            }
            rc = cont_error_in_status(fn);
        }
        goto out;
    }
    *flag = 1;
    if (statuses != MPI_STATUSES_IGNORE)
        for (int k = 0; k < s.n; k++) {
            statuses[s.map[k]] = s.st[k];
            if (rc == MPI_SUCCESS)
                statuses[s.map[k]].MPI_ERROR = MPI_SUCCESS;
        }
    for (int i = 0; i < count; i++) {
        if (!cont_is_cr_handle(reqs[i]))
            continue;
        cr_t *cr = cont_crtable_lookup(reqs[i]);
        int err = claimed[i] ? atomic_load(&cr->first_err) : MPI_SUCCESS;
        any_err |= err != MPI_SUCCESS;
        cont_empty_status(status_at(statuses, i), err);
    }
    rc = any_err ? cont_error_in_status(fn) : MPI_SUCCESS;
out:
    if (claimed != claimed_s)
        free(claimed);
    subset_free(&s);
    return rc;
}

int MPI_Testall(int count, MPI_Request reqs[], int *flag, MPI_Status statuses[])
{
    int ncr, rc = scan("MPI_Testall", count, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr || !flag) {
        cont_any_call_poll();
        return PMPI_Testall(count, reqs, flag, statuses);
    }
    return mixed_testall(count, reqs, flag, statuses);
}

/* ------------------------------------------------------------------ Waitall */

/* No atomicity needed: complete each request as it becomes complete. */
static int mixed_waitall(int count, MPI_Request reqs[], MPI_Status statuses[])
{
    static const char fn[] = "MPI_Waitall";
    int *errs = calloc((size_t)count, sizeof *errs);
    char *done = calloc((size_t)count, 1);
    if (!errs || !done) {
        free(errs);
        free(done);
        return cont_error(MPI_ERR_OTHER, "%s: out of memory", fn);
    }
    cont_backoff_t b = {.wait = 1};
    int any_err = 0;
    cont_pollers_enter();
    for (;;) {
        int left = 0, work = 0;
        for (int i = 0; i < count; i++) {
            if (done[i])
                continue;
            int f = 0;
            MPI_Status *st = status_at(statuses, i);
            if (cont_is_cr_handle(reqs[i]))
                errs[i] = cont_cr_test(cont_crtable_lookup(reqs[i]), &f, st);
            else {
                errs[i] = PMPI_Test(&reqs[i], &f, st);
                f |= errs[i] != MPI_SUCCESS;   /* completed with an error */
            }
            if (f) {
                done[i] = 1;
                work = 1;
                any_err |= errs[i] != MPI_SUCCESS;
            } else {
                left++;
            }
        }
        if (!left)
            break;
        if (work)
            b.n = 0;
        else
            cont_backoff(&b);
    }
    cont_pollers_leave();
    if (any_err && statuses != MPI_STATUSES_IGNORE)
        for (int i = 0; i < count; i++)
            statuses[i].MPI_ERROR = errs[i];
    free(errs);
    free(done);
    return any_err ? cont_error_in_status(fn) : MPI_SUCCESS;
}

int MPI_Waitall(int count, MPI_Request reqs[], MPI_Status statuses[])
{
    int ncr, rc = scan("MPI_Waitall", count, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr && cont_any_call())
        return cont_any_call_waitall(count, reqs, statuses);
    if (!ncr)
        return cont_wrapper && cont_wrapper->waitall ? cont_wrapper->waitall(count, reqs, statuses)
                                                     : PMPI_Waitall(count, reqs, statuses);
    return mixed_waitall(count, reqs, statuses);
}

/* ------------------------------------------------------------------ Testany */

static int mixed_testany(int count, MPI_Request reqs[], int *index, int *flag, MPI_Status *status)
{
    static const char fn[] = "MPI_Testany";
    subset_t s;
    if (subset_make(&s, count, reqs))
        return oom(fn, &s);
    drive(count, reqs);
    int any_active = 0, rc = MPI_SUCCESS;
    *flag = 0;
    *index = MPI_UNDEFINED;
    for (int i = 0; i < count; i++) {
        if (!cont_is_cr_handle(reqs[i]))
            continue;
        cr_t *cr = cont_crtable_lookup(reqs[i]);
        if (!(atomic_load(&cr->state) & CR_ACTIVE))
            continue;
        any_active = 1;
        if (cont_cr_try_complete(cr)) {
            int err = atomic_load(&cr->first_err);
            cont_empty_status(status, err);
            *flag = 1;
            *index = i;
            subset_free(&s);
            return err ? cont_error(err, "%s: continuation request 0x%x completed with failed "
                                    "continuations", fn, (unsigned)cr->handle) : MPI_SUCCESS;
        }
    }
    int idx = MPI_UNDEFINED, f = 1;
    if (s.n > 0) {
        rc = PMPI_Testany(s.n, s.req, &idx, &f, status);
        subset_writeback(&s, reqs);
    }
    if (f && idx != MPI_UNDEFINED) {
        *flag = 1;
        *index = s.map[idx];
    } else if (f && !any_active) {
        *flag = 1;   /* nothing active at all */
        cont_empty_status(status, MPI_SUCCESS);
    }
    subset_free(&s);
    return rc;
}

int MPI_Testany(int count, MPI_Request reqs[], int *index, int *flag, MPI_Status *status)
{
    int ncr, rc = scan("MPI_Testany", count, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr || !index || !flag) {
        cont_any_call_poll();
        return PMPI_Testany(count, reqs, index, flag, status);
    }
    return mixed_testany(count, reqs, index, flag, status);
}

int MPI_Waitany(int count, MPI_Request reqs[], int *index, MPI_Status *status)
{
    int ncr, rc = scan("MPI_Waitany", count, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr && index && cont_any_call())
        return cont_any_call_waitany(count, reqs, index, status);
    if (!ncr || !index)
        return cont_wrapper && cont_wrapper->waitany && index
                   ? cont_wrapper->waitany(count, reqs, index, status)
                   : PMPI_Waitany(count, reqs, index, status);
    cont_backoff_t b = {.wait = 1};
    int flag = 0;
    cont_pollers_enter();
    while (!flag) {
        rc = mixed_testany(count, reqs, index, &flag, status);
        if (!flag)
            cont_backoff(&b);
    }
    cont_pollers_leave();
    return rc;
}

/* ------------------------------------------------------------------ Testsome */

static int mixed_testsome(int count, MPI_Request reqs[], int *outcount, int indices[],
                          MPI_Status statuses[])
{
    static const char fn[] = "MPI_Testsome";
    subset_t s;
    if (subset_make(&s, count, reqs))
        return oom(fn, &s);
    drive(count, reqs);
    int any_active = 0, out = 0, any_err = 0, rc = MPI_SUCCESS;
    int *errs = calloc((size_t)count, sizeof *errs);
    if (!errs)
        return oom(fn, &s);
    for (int i = 0; i < count; i++) {
        if (!cont_is_cr_handle(reqs[i]))
            continue;
        cr_t *cr = cont_crtable_lookup(reqs[i]);
        if (!(atomic_load(&cr->state) & CR_ACTIVE))
            continue;
        any_active = 1;
        if (cont_cr_try_complete(cr)) {
            errs[out] = atomic_load(&cr->first_err);
            any_err |= errs[out] != MPI_SUCCESS;
            cont_empty_status(status_at(statuses, out), errs[out]);
            indices[out++] = i;
        }
    }
    int o = MPI_UNDEFINED;
    if (s.n > 0) {
        rc = PMPI_Testsome(s.n, s.req, &o, s.idx,
                           statuses == MPI_STATUSES_IGNORE ? MPI_STATUSES_IGNORE : s.st);
        subset_writeback(&s, reqs);
        if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
            free(errs);
            subset_free(&s);
            return rc;
        }
        any_err |= rc == MPI_ERR_IN_STATUS;
        for (int k = 0; o != MPI_UNDEFINED && k < o; k++) {
            if (statuses != MPI_STATUSES_IGNORE)
                statuses[out] = s.st[k];
            errs[out] = rc == MPI_ERR_IN_STATUS && statuses != MPI_STATUSES_IGNORE
                            ? s.st[k].MPI_ERROR : MPI_SUCCESS;
            indices[out++] = s.map[s.idx[k]];
        }
    }
    *outcount = out == 0 && !any_active && o == MPI_UNDEFINED ? MPI_UNDEFINED : out;
    if (any_err && statuses != MPI_STATUSES_IGNORE)
        for (int k = 0; k < out; k++)
            statuses[k].MPI_ERROR = errs[k];
    free(errs);
    subset_free(&s);
    return any_err ? cont_error_in_status(fn) : MPI_SUCCESS;
}

int MPI_Testsome(int incount, MPI_Request reqs[], int *outcount, int indices[],
                 MPI_Status statuses[])
{
    int ncr, rc = scan("MPI_Testsome", incount, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr || !outcount || !indices) {
        cont_any_call_poll();
        return PMPI_Testsome(incount, reqs, outcount, indices, statuses);
    }
    return mixed_testsome(incount, reqs, outcount, indices, statuses);
}

int MPI_Waitsome(int incount, MPI_Request reqs[], int *outcount, int indices[],
                 MPI_Status statuses[])
{
    int ncr, rc = scan("MPI_Waitsome", incount, reqs, &ncr);
    if (rc)
        return rc;
    if (!ncr && outcount && indices && cont_any_call())
        return cont_any_call_waitsome(incount, reqs, outcount, indices, statuses);
    if (!ncr || !outcount || !indices)
        return cont_wrapper && cont_wrapper->waitsome && outcount && indices
                   ? cont_wrapper->waitsome(incount, reqs, outcount, indices, statuses)
                   : PMPI_Waitsome(incount, reqs, outcount, indices, statuses);
    cont_backoff_t b = {.wait = 1};
    cont_pollers_enter();
    do {
        rc = mixed_testsome(incount, reqs, outcount, indices, statuses);
        if (*outcount == 0)
            cont_backoff(&b);
    } while (*outcount == 0);
    cont_pollers_leave();
    return rc;
}

/* Continuations: registration (MPIX_Continue[all]), accounting of their
 * operations, firing exactly once, and running. */
#include "cont-internal.h"

#include <stdlib.h>
#include <string.h>

_Thread_local int cont_tls_depth;

void cont_unref(cont_t *c)
{
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
        free(c);
}

static void record_err(cont_t *c, int err)
{
    int expect = MPI_SUCCESS;
    atomic_compare_exchange_strong(&c->err, &expect, err);
}

/* Accounting an operation takes two steps, so that a batch of completions
 * (one PMPI_Testsome, one first test) is recorded whole before any failure
 * in it abandons the rest:
 *  mark:   whoever moves the slot out of PENDING writes its status (an op
 *          abandoned earlier keeps the MPI_ERR_PENDING status it was given);
 *  settle: drop the op from `pending`; a failed op first abandons the ops
 *          still PENDING (their completion, when it comes, only drops a
 *          reference).  Whoever takes `pending` to zero fires c: exactly once. */
int cont_op_mark(cont_t *c, int idx, const MPI_Status *st, int err)
{
    uint8_t expect = OP_PENDING;
    if (!atomic_compare_exchange_strong(&c->ops[idx].state, &expect, OP_DONE))
        return 0;
    if (c->statuses) {
        c->statuses[idx] = *st;
        c->statuses[idx].MPI_ERROR = err;
    }
    if (err != MPI_SUCCESS)
        record_err(c, err);
    return 1;
}

void cont_op_settle(cont_t *c, int idx, int marked, int err, cont_ctx_t ctx)
{
    if (marked) {
        int drop = 1;
        if (err != MPI_SUCCESS)
            for (int j = 0; j < c->count; j++) {
                uint8_t e = OP_PENDING;
                if (j != idx && atomic_compare_exchange_strong(&c->ops[j].state, &e, OP_ABANDONED)) {
                    if (c->statuses)
                        c->statuses[j].MPI_ERROR = MPI_ERR_PENDING;
                    drop++;
                }
            }
        if (atomic_fetch_sub(&c->pending, drop) == drop)
            cont_fire(c, ctx);
    }
    cont_unref(c);   /* the operation's reference */
}

void cont_op_complete(cont_t *c, int idx, const MPI_Status *st, int err, cont_ctx_t ctx)
{
    cont_op_settle(c, idx, cont_op_mark(c, idx, st, err), err, ctx);
}

static void cont_run_inline(cont_t *c);

/* c is ready: decide who runs it. */
void cont_fire(cont_t *c, cont_ctx_t ctx)
{
    cr_t *cr = c->cr;
    if (!(atomic_load(&cr->state) & CR_ACTIVE)) {
        cont_cr_hold(cr, c);   /* registered on an inactive CR */
        return;
    }
    if (ctx == CTX_REGISTER && !(c->flags & MPIX_CONT_DEFER_COMPLETE)) {
        if (cont_tls_depth < cont_cfg.max_inline_depth) {
            cont_run_inline(c);
            if (cont_tls_depth == 0)
                cont_run_local();
        } else {
            cont_local_append(c);   /* run by the enclosing callback loop */
        }
        return;
    }
    if (cr->poll_only && !(c->flags & MPIX_CONT_IMMEDIATE)) {
        lf_push(&cr->ready, &c->node);
        return;
    }
    if (ctx == CTX_REGISTER || ctx == CTX_START)
        cont_engine_submit_ready(c);   /* deferred: the engine runs it */
    else
        cont_local_append(c);          /* this thread runs it, no lock held */
}

static void run(cont_t *c, int inl)
{
    cr_t *cr = c->cr;
    int err = atomic_load(&c->err), rc = err;
    if (err == MPI_SUCCESS || (c->flags & MPIX_CONT_INVOKE_FAILED)) {
        cont_tls_depth++;
        rc = cont_invoke(c->kind, c->cb, err, c->cb_data,
                         c->statuses ? c->statuses : MPI_STATUSES_IGNORE);
        cont_tls_depth--;
        if (inl)
            CONT_STAT_ADD(run_inline, 1);
        else
            CONT_STAT_ADD(run_engine, 1);
    }
    if (rc != MPI_SUCCESS)
        cont_cr_record_failure(cr, c->cb_data, rc);
    cont_unref(c);   /* the run reference */
    cont_cr_continuation_done(cr);
}

void cont_run(cont_t *c)
{
    run(c, 0);
}

static void cont_run_inline(cont_t *c)
{
    run(c, 1);
}

/* Wait out a sweep that may still hold a stale claim on h (see reqmap.c). */
int cont_req_owned_stable(MPI_Request h)
{
    cont_backoff_t b = {0};
    while (cont_req_owned(h)) {
        if (!(atomic_load(&cont_engine.release_seq) & 1))
            return cont_req_owned(h);
        cont_backoff(&b);
    }
    return 0;
}

static int reg_error(cont_t *c, int rc)
{
    free(c);
    return rc;
}

#define SMALL 16

/* The result of the first test, when fast_path made it. */
typedef struct {
    int rc, flag;
    MPI_Status st[SMALL];
} first_test_t;

/* The common case with nothing to wait for: up to SMALL distinct ordinary
 * operations, all already complete and successful, on an active CR, the
 * callback to run here and now.  It runs on this stack with no
 * continuation object: one test, one CAS on the CR (taken only while the
 * CR is active, so it cannot complete under the callback), the callback,
 * one atomic to give the CR back.  Returns 1 when done; 0 when the general
 * path must take over, with *tested set when the operations were tested
 * (their result is then in *pre: an operation is never tested twice). */
static int fast_path(int count, MPI_Request reqs[], MPIX_Continue_cb_function *cb, int kind,
                     void *cb_data, MPI_Status statuses[], cr_t *cr, first_test_t *pre,
                     int *tested)
{
    MPI_Request tmp[SMALL];
    *tested = 0;
    if (count < 1 || count > SMALL)
        return 0;
    for (int i = 0; i < count; i++) {
        MPI_Request h = reqs[i];
        if (h == MPI_REQUEST_NULL || cont_is_cr_handle(h) || cont_req_owned_stable(h))
            return 0;   /* the general path handles (or reports) these */
        for (int j = 0; j < i; j++)
            if (reqs[j] == h)
                return 0;
        tmp[i] = h;
    }
    pre->flag = 0;
    if (count == 1) {
        pre->rc = PMPI_Test(&tmp[0], &pre->flag, &pre->st[0]);
    } else {
        pre->rc = PMPI_Testall(count, tmp, &pre->flag, pre->st);
    }
    *tested = 1;   /* complete or not, the general path uses this test's result */
    if (pre->rc != MPI_SUCCESS || !pre->flag)
        return 0;
    uint64_t s = atomic_load(&cr->state);
    do {
        if (!(s & CR_ACTIVE))
            return 0;   /* held until MPI_Start: the general path */
    } while (!atomic_compare_exchange_weak(&cr->state, &s, s + CR_ONE));
    cont_cr_ref(cr);   /* given back by cont_cr_continuation_done */
    for (int i = 0; i < count; i++) {
        pre->st[i].MPI_ERROR = MPI_SUCCESS;
        if (statuses != MPI_STATUSES_IGNORE)
            statuses[i] = pre->st[i];
        if (!cont_req_is_persistent(reqs[i]))
            reqs[i] = MPI_REQUEST_NULL;
    }
    CONT_STAT_ADD(registered, 1);
    CONT_STAT_ADD(ops_completed, (unsigned long long)count);
    cont_tls_depth++;
    int rc = cont_invoke(kind, cb, MPI_SUCCESS, cb_data, statuses);
    cont_tls_depth--;
    CONT_STAT_ADD(run_inline, 1);
    if (rc != MPI_SUCCESS)
        cont_cr_record_failure(cr, cb_data, rc);
    cont_cr_continuation_done(cr);
    if (cont_tls_depth == 0)
        cont_run_local();   /* what the callback's own registrations deferred */
    return 1;
}

int cont_check_register_args(const char *fn, int count, MPI_Request reqs[],
                             MPIX_Continue_cb_function *cb, MPI_Status statuses[])
{
    CONT_CHECK_INIT(fn);
    if (count < 0)
        return cont_error(MPI_ERR_COUNT, "%s: count %d is negative", fn, count);
    if (count > 0 && !reqs)
        return cont_error(MPI_ERR_ARG, "%s: the request array is NULL", fn);
    if (!cb)
        return cont_error(MPI_ERR_ARG, "%s: the callback is NULL", fn);
    if (!statuses)
        return cont_error(MPI_ERR_ARG, "%s: statuses is NULL (use MPI_STATUS[ES]_IGNORE)", fn);
    return MPI_SUCCESS;
}

int cont_register_as(const char *fn, int count, MPI_Request reqs[],
                     MPIX_Continue_cb_function *cb, int kind, void *cb_data, int flags,
                     int options, MPI_Status statuses[], MPI_Request cont_req)
{
    int rc = cont_check_register_args(fn, count, reqs, cb, statuses);
    if (rc)
        return rc;
    if (flags & MPIX_CONT_POLL_ONLY)
        return cont_error(MPI_ERR_ARG,
                          "%s: MPIX_CONT_POLL_ONLY is a flag of MPIX_Continue_init, not of %s",
                          fn, fn);
    if (flags & ~CONT_CONTINUE_FLAGS)
        return cont_error(MPI_ERR_ARG, "%s: unknown flag bits 0x%x", fn,
                          (unsigned)(flags & ~CONT_ALL_FLAGS));
    cr_t *cr;
    if (flags & MPIX_CONT_FORGET) {
        if (!(cr = cont_forget_cr(options & CONT_REG_APP_THREADS)))
            return cont_error(MPI_ERR_OTHER, "%s: out of memory", fn);
    } else if ((rc = cont_cr_lookup_or_error(cont_req, fn, "cont_req", &cr))) {
        return rc;
    }
    if (cr->enqueue_complete)
        flags |= MPIX_CONT_DEFER_COMPLETE;

    first_test_t pre;
    int tested = 0;
    if (!(flags & MPIX_CONT_DEFER_COMPLETE) && cont_tls_depth < cont_cfg.max_inline_depth &&
        fast_path(count, reqs, cb, kind, cb_data, statuses, cr, &pre, &tested))
        return MPI_SUCCESS;

    cont_t *c = malloc(sizeof *c + (size_t)count * sizeof(cont_op_t));
    if (!c)
        return cont_error(MPI_ERR_OTHER, "%s: out of memory", fn);
    c->cr = cr;
    c->cb = cb;
    c->cb_data = cb_data;
    c->flags = flags;
    c->count = count;
    c->kind = (uint8_t)kind;
    c->statuses = statuses == MPI_STATUSES_IGNORE ? NULL : statuses;
    atomic_init(&c->err, MPI_SUCCESS);

    /* 1. Validate every operation; nothing is changed until all are valid. */
    int n_live = 0, n_ord = 0;
    for (int i = 0; i < count; i++) {
        cont_op_t *op = &c->ops[i];
        MPI_Request h = reqs[i];
        op->req = MPI_REQUEST_NULL;
        op->cr_op = NULL;
        op->tracked = 0;
        atomic_init(&op->state, OP_PENDING);
        if (h == MPI_REQUEST_NULL) {
            atomic_init(&op->state, OP_DONE);
            continue;
        }
        n_live++;
        if (cont_is_cr_handle(h)) {
            cr_t *a = cont_crtable_lookup(h);
            if (!a)
                return reg_error(c, cont_error(MPI_ERR_REQUEST,
                    "%s: request %d (0x%x) is a freed or invalid continuation request", fn, i,
                    (unsigned)h));
            if (a == cr)
                return reg_error(c, cont_error(MPI_ERR_REQUEST,
                    "%s: request %d is cont_req itself", fn, i));
            if (atomic_load(&a->parent))
                return reg_error(c, cont_error(MPI_ERR_REQUEST,
                    "%s: request %d (0x%x) is a continuation request that already has a "
                    "continuation", fn, i, (unsigned)h));
            if (a->poll_only)
                return reg_error(c, cont_error(MPI_ERR_REQUEST,
                    "%s: request %d (0x%x) is a POLL_ONLY continuation request: only a test "
                    "on it runs its continuations, and an attached request cannot be tested",
                    fn, i, (unsigned)h));
            for (int j = 0; j < i; j++)
                if (c->ops[j].cr_op == a)
                    return reg_error(c, cont_error(MPI_ERR_REQUEST,
                        "%s: requests %d and %d are the same continuation request", fn, j, i));
            op->cr_op = a;
            continue;
        }
        for (int j = 0; j < i; j++)
            if (c->ops[j].req == h && (unsigned)h >> 30 >= 2)
                return reg_error(c, cont_error(MPI_ERR_REQUEST,
                    "%s: requests %d and %d are the same request 0x%x", fn, j, i, (unsigned)h));
        /* (Not after fast_path tested it: it checked this just before, and
         * MPI may since have freed the handle and given it out again.) */
        if (!tested && cont_req_owned_stable(h))
            return reg_error(c, cont_error(MPI_ERR_REQUEST,
                "%s: request %d (0x%x) already has a continuation", fn, i, (unsigned)h));
        op->req = h;
        n_ord++;
    }

    /* 2. First test of the ordinary operations (before anyone else may test
     *    them): complete ones are accounted below, the rest go to the engine. */
    MPI_Request tmp_s[SMALL], *tmp = tmp_s;
    MPI_Status st_s[SMALL], *st = st_s;
    int map_s[SMALL], *map = map_s;
    if (n_ord > SMALL) {
        tmp = malloc((size_t)n_ord * sizeof *tmp);
        st = malloc((size_t)n_ord * sizeof *st);
        map = malloc((size_t)n_ord * sizeof *map);
        if (!tmp || !st || !map) {
            free(tmp), free(st), free(map);
            return reg_error(c, cont_error(MPI_ERR_OTHER, "%s: out of memory", fn));
        }
    }
    int flag = 1;
    if (n_ord > 0) {
        for (int i = 0, k = 0; i < count; i++)
            if (c->ops[i].req != MPI_REQUEST_NULL) {
                tmp[k] = c->ops[i].req;
                map[k++] = i;
            }
        if (tested) {   /* fast_path tested them already, in this order */
            rc = pre.rc;
            flag = pre.flag;
            for (int k = 0; k < n_ord; k++)
                st[k] = pre.st[k];
        }
        if (n_ord == 1) {
            if (!tested)
                rc = PMPI_Test(&tmp[0], &flag, &st[0]);
            if (rc != MPI_SUCCESS) {
                int cls = MPI_ERR_OTHER;
                PMPI_Error_class(rc, &cls);
                if (cls == MPI_ERR_REQUEST)
                    goto bad_request;   /* an invalid handle: MPI raised it */
                flag = 1;               /* the operation completed with an error */
                st[0].MPI_ERROR = rc;
            } else {
                st[0].MPI_ERROR = MPI_SUCCESS;
            }
        } else {
            if (!tested)
                rc = PMPI_Testall(n_ord, tmp, &flag, st);
            if (rc == MPI_ERR_IN_STATUS)
                flag = 0;   /* per-operation below */
            else if (rc != MPI_SUCCESS)
                goto bad_request;
            else if (flag)
                for (int k = 0; k < n_ord; k++)
                    st[k].MPI_ERROR = MPI_SUCCESS;
        }
    }

    /* 3. Commit: from here on the registration cannot fail. */
    for (int i = 0; c->statuses && !(options & CONT_REG_NULL_UNTOUCHED) && i < count; i++)
        if (reqs[i] == MPI_REQUEST_NULL)
            cont_empty_status(&c->statuses[i], MPI_SUCCESS);   /* as MPI_Waitall does */
    atomic_init(&c->pending, n_live + 1);   /* + the registration guard */
    atomic_init(&c->refs, n_live + 1);      /* + the run reference */
    int n_engine = 0;
    for (int k = 0; k < n_ord; k++) {
        int i = map[k];
        int done = flag || (rc == MPI_ERR_IN_STATUS && st[k].MPI_ERROR != MPI_ERR_PENDING);
        if (!done) {
            if (!cont_req_claim(c->ops[i].req)) {
                /* Lost a race with another thread registering the same
                 * handle: fail this operation rather than test it twice. */
                MPI_Status es;
                cont_empty_status(&es, MPI_ERR_REQUEST);
                c->ops[i].req = MPI_REQUEST_NULL;
                cont_op_complete(c, i, &es, MPI_ERR_REQUEST, CTX_REGISTER);
                continue;
            }
            c->ops[i].tracked = 1;
            n_engine++;
        }
        if (!cont_req_is_persistent(reqs[i]))
            reqs[i] = MPI_REQUEST_NULL;   /* libcont owns it now */
    }
    if (tmp != tmp_s)
        free(tmp);
    cont_cr_ref(cr);
    atomic_fetch_add(&cr->state, CR_ONE);
    CONT_STAT_ADD(registered, 1);

    /* Operations complete at the first test: one batch (see cont_op_mark). */
    char marked_s[SMALL], *marked = n_ord > SMALL ? malloc((size_t)n_ord) : marked_s;
    for (int k = 0; k < n_ord; k++) {
        int i = map[k];
        if (!c->ops[i].tracked && c->ops[i].req != MPI_REQUEST_NULL) {
            CONT_STAT_ADD(ops_completed, 1);
            if (marked)
                marked[k] = (char)cont_op_mark(c, i, &st[k], st[k].MPI_ERROR);
            else   /* out of memory: account one by one */
                cont_op_complete(c, i, &st[k], st[k].MPI_ERROR, CTX_REGISTER);
        }
    }
    for (int k = 0; marked && k < n_ord; k++) {
        int i = map[k];
        if (!c->ops[i].tracked && c->ops[i].req != MPI_REQUEST_NULL)
            cont_op_settle(c, i, marked[k], st[k].MPI_ERROR, CTX_REGISTER);
    }
    if (marked != marked_s)
        free(marked);
    if (st != st_s)
        free(st);
    if (map != map_s)
        free(map);

    /* CRs used as operations: inactive ones are complete; active ones get
     * c as their parent and complete into it. */
    for (int i = 0; i < count; i++) {
        cr_t *a = c->ops[i].cr_op;
        if (!a)
            continue;
        cont_cr_ref(a);
        a->parent_idx = i;
        cont_t *none = NULL;
        if (!(atomic_load(&a->state) & CR_ACTIVE)) {
            MPI_Status es;
            cont_empty_status(&es, MPI_SUCCESS);
            cont_op_complete(c, i, &es, MPI_SUCCESS, CTX_REGISTER);
        } else if (atomic_compare_exchange_strong(&a->parent, &none, c)) {
            cont_cr_complete_to_parent(a);
        } else {
            MPI_Status es;
            cont_empty_status(&es, MPI_ERR_REQUEST);
            cont_op_complete(c, i, &es, MPI_ERR_REQUEST, CTX_REGISTER);
        }
        cont_cr_unref(a);
    }

    if (n_engine > 0)
        cont_engine_submit(c);
    if (atomic_fetch_sub(&c->pending, 1) == 1)   /* drop the guard */
        cont_fire(c, CTX_REGISTER);
    return MPI_SUCCESS;

bad_request:
    if (tmp != tmp_s)
        free(tmp), free(st), free(map);
    return reg_error(c, rc);
}

int MPIX_Continueall(int count, MPI_Request op_requests[], MPIX_Continue_cb_function *cb,
                     void *cb_data, int flags, MPI_Status statuses[], MPI_Request cont_req)
{
    return cont_register_as("MPIX_Continueall", count, op_requests, cb, CONT_CB_RC, cb_data,
                            flags, 0, statuses, cont_req);
}

int MPIX_Continue(MPI_Request *op_request, MPIX_Continue_cb_function *cb, void *cb_data,
                  int flags, MPI_Status *status, MPI_Request cont_req)
{
    if (!op_request) {
        CONT_CHECK_INIT("MPIX_Continue");
        return cont_error(MPI_ERR_ARG, "MPIX_Continue: op_request is NULL");
    }
    return cont_register_as("MPIX_Continue", 1, op_request, cb, CONT_CB_RC, cb_data, flags, 0,
                            status, cont_req);
}

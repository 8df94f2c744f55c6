/* Continuation requests: creation, start, completion, free, failures. */
#include "cont-internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t all_mtx = PTHREAD_MUTEX_INITIALIZER;
static cr_t *all_head;

int cont_cr_lookup_or_error(MPI_Request h, const char *fn, const char *what, cr_t **out)
{
    *out = cont_crtable_lookup(h);
    if (*out)
        return MPI_SUCCESS;
    if (h == MPI_REQUEST_NULL)
        return cont_error(MPI_ERR_REQUEST, "%s: %s is MPI_REQUEST_NULL, not a continuation request",
                          fn, what);
    if (cont_is_cr_handle(h))
        return cont_error(MPI_ERR_REQUEST,
                          "%s: %s 0x%x is a freed or invalid continuation request", fn, what,
                          (unsigned)h);
    return cont_error(MPI_ERR_REQUEST,
                      "%s: %s 0x%x is not a continuation request (make one with "
                      "MPIX_Continue_init)", fn, what, (unsigned)h);
}

int cont_cr_create(const char *fn, int poll_only, int max_poll, cr_t **out)
{
    cr_t *cr = calloc(1, sizeof *cr);
    if (!cr)
        return cont_error(MPI_ERR_OTHER, "%s: out of memory", fn);
    atomic_init(&cr->state, 0);
    atomic_init(&cr->refs, 1);
    atomic_init(&cr->first_err, MPI_SUCCESS);
    cr->poll_only = !!poll_only;
    cr->max_poll = max_poll > 0 && max_poll != MPI_UNDEFINED ? max_poll : 0;
    pthread_mutex_init(&cr->fail_mtx, NULL);
    if (cont_crtable_alloc(cr)) {
        pthread_mutex_destroy(&cr->fail_mtx);
        free(cr);
        return cont_error(MPI_ERR_OTHER, "%s: too many continuation requests alive", fn);
    }
    pthread_mutex_lock(&all_mtx);
    cr->all_next = all_head;
    if (all_head)
        all_head->all_prev = cr;
    all_head = cr;
    pthread_mutex_unlock(&all_mtx);
    *out = cr;
    return MPI_SUCCESS;
}

int MPIX_Continue_init(int flags, int max_poll, MPI_Info info, MPI_Request *cont_req)
{
    static const char fn[] = "MPIX_Continue_init";
    CONT_CHECK_INIT(fn);
    if (!cont_req)
        return cont_error(MPI_ERR_ARG, "%s: cont_req is NULL", fn);
    if (flags & CONT_CONTINUE_FLAGS)
        return cont_error(MPI_ERR_ARG,
                          "%s: flag bits 0x%x belong to MPIX_Continue[all], not to %s", fn,
                          (unsigned)(flags & CONT_CONTINUE_FLAGS), fn);
    if (flags & ~MPIX_CONT_POLL_ONLY)
        return cont_error(MPI_ERR_ARG, "%s: unknown flag bits 0x%x", fn,
                          (unsigned)(flags & ~CONT_ALL_FLAGS));
    if (info != MPI_INFO_NULL) {
        int nkeys, rc = PMPI_Info_get_nkeys(info, &nkeys);
        if (rc != MPI_SUCCESS)
            return rc;   /* MPI raised it */
    }
    cr_t *cr;
    int rc = cont_cr_create(fn, flags & MPIX_CONT_POLL_ONLY, max_poll, &cr);
    if (rc == MPI_SUCCESS)
        *cont_req = cr->handle;
    return rc;
}

/* MPIX_CONT_FORGET continuations belong to one of these CRs: active for
 * good, never complete while any is pending, invisible to the application
 * (their handles are never given out); [1] runs its callbacks only in
 * application threads.  Made on first use; the losers of a race free theirs. */
static _Atomic(cr_t *) forget_cr[2];

cr_t *cont_forget_cr(int app_threads)
{
    _Atomic(cr_t *) *slot = &forget_cr[app_threads ? 1 : 0];
    cr_t *cr = atomic_load_explicit(slot, memory_order_acquire);
    if (cr)
        return cr;
    cr_t *mine;
    if (cont_cr_create("MPIX_Continue", 0, 0, &mine))
        return NULL;
    mine->always_active = 1;
    mine->forget = 1;
    mine->app_threads = (uint8_t)(app_threads != 0);
    atomic_store(&mine->state, CR_ACTIVE);
    cr_t *none = NULL;
    if (atomic_compare_exchange_strong(slot, &none, mine))
        return mine;
    cont_crtable_release(mine->handle);
    cont_cr_unref(mine);
    return none;
}

void cont_cr_ref(cr_t *cr)
{
    atomic_fetch_add_explicit(&cr->refs, 1, memory_order_relaxed);
}

static void cr_destroy(cr_t *cr)
{
    pthread_mutex_lock(&all_mtx);
    if (cr->all_prev)
        cr->all_prev->all_next = cr->all_next;
    else
        all_head = cr->all_next;
    if (cr->all_next)
        cr->all_next->all_prev = cr->all_prev;
    pthread_mutex_unlock(&all_mtx);
    pthread_mutex_destroy(&cr->fail_mtx);
    free(cr->failed);
    free(cr);
}

void cont_cr_unref(cr_t *cr)
{
    if (atomic_fetch_sub_explicit(&cr->refs, 1, memory_order_acq_rel) == 1)
        cr_destroy(cr);
}

/* Hand the continuations held while the CR was inactive to the engine. */
static void release_held(cr_t *cr)
{
    lf_node_t *n = lf_take_all_fifo(&cr->held);
    while (n) {
        lf_node_t *next = n->next;
        cont_fire((cont_t *)n, CTX_START);
        n = next;
    }
}

/* A continuation fired on an inactive CR waits for MPI_Start.  Re-checking
 * after the push closes the race with a concurrent start: whoever takes the
 * list (start or us) hands each continuation on exactly once. */
void cont_cr_hold(cr_t *cr, cont_t *c)
{
    lf_push(&cr->held, &c->node);
    if (atomic_load(&cr->state) & CR_ACTIVE)
        release_held(cr);
}

int cont_cr_start(cr_t *cr, const char *fn)
{
    if (atomic_load_explicit(&cr->parent, memory_order_acquire))
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x is attached to a continuation", fn,
                          (unsigned)cr->handle);
    if (cr->always_active)
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x is of an API revision (before 202206) "
                          "whose continuation requests are always active: it is never started",
                          fn, (unsigned)cr->handle);
    uint64_t old = atomic_fetch_or(&cr->state, CR_ACTIVE);
    if (old & CR_ACTIVE)
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x is already active (started twice?)", fn,
                          (unsigned)cr->handle);
    release_held(cr);
    return MPI_SUCCESS;
}

void cont_cr_reactivate(cr_t *cr)
{
    atomic_fetch_or(&cr->state, CR_ACTIVE);
    release_held(cr);
}

/* Completion makes a CR inactive, except an always-active one (earlier
 * revisions), which is complete whenever nothing is left and stays active. */
int cont_cr_try_complete(cr_t *cr)
{
    if (cr->always_active)
        return atomic_load(&cr->state) == CR_ACTIVE;
    uint64_t expect = CR_ACTIVE;
    return atomic_compare_exchange_strong(&cr->state, &expect, 0);
}

int cont_cr_is_complete(cr_t *cr)
{
    uint64_t s = atomic_load(&cr->state);
    return s == CR_ACTIVE || !(s & CR_ACTIVE);
}

/* Run up to max_poll ready continuations of a POLL_ONLY CR. */
int cont_cr_run_ready(cr_t *cr)
{
    int limit = cr->max_poll > 0 ? cr->max_poll : INT_MAX, ran = 0;
    while (ran < limit) {
        lf_node_t *n = fifo_pop(&cr->ready_local);
        if (!n) {
            lf_node_t *list = lf_take_all_fifo(&cr->ready);
            if (!list)
                break;
            fifo_append_list(&cr->ready_local, list);
            continue;
        }
        cont_run((cont_t *)n);
        ran++;
    }
    return ran + cont_run_local();
}

static int complete_status(cr_t *cr, MPI_Status *status)
{
    int err = atomic_load(&cr->first_err);
    cont_empty_status(status, err);
    return err;
}

/* One non-blocking step; *work tells whether anything happened.  Progress
 * is driven first, whatever the CR's state: without a progress thread a
 * program looping on MPI_Test/MPI_Start of one CR is what moves the others. */
static int cr_step(cr_t *cr, int *flag, MPI_Status *status, int *work)
{
    *work = cont_progress() + cont_app_run();
    if (!(atomic_load(&cr->state) & CR_ACTIVE)) {
        *flag = 1;
        cont_empty_status(status, MPI_SUCCESS);
        return MPI_SUCCESS;
    }
    if (cr->poll_only)
        *work += cont_cr_run_ready(cr);
    if (!cont_cr_try_complete(cr)) {
        *flag = 0;
        return MPI_SUCCESS;
    }
    *flag = 1;
    return complete_status(cr, status);
}

int cont_cr_test(cr_t *cr, int *flag, MPI_Status *status)
{
    int work;
    return cr_step(cr, flag, status, &work);
}

int cont_cr_wait(cr_t *cr, MPI_Status *status)
{
    cont_backoff_t b = {.wait = 1};
    int flag = 0, rc = MPI_SUCCESS, work;
    cont_pollers_enter();
    for (;;) {
        rc = cr_step(cr, &flag, status, &work);
        if (flag)
            break;
        if (work)
            b.n = 0;
        else
            cont_backoff(&b);
    }
    cont_pollers_leave();
    return rc;
}

int cont_cr_get_status(cr_t *cr, int *flag, MPI_Status *status)
{
    if (atomic_load(&cr->state) & CR_ACTIVE)
        cont_progress();
    uint64_t s = atomic_load(&cr->state);
    *flag = s == CR_ACTIVE || !(s & CR_ACTIVE);
    if (*flag)
        return complete_status(cr, status);
    return MPI_SUCCESS;
}

int cont_cr_free(MPI_Request *req, const char *fn)
{
    cr_t *cr = cont_crtable_lookup(*req);
    if (atomic_load_explicit(&cr->parent, memory_order_acquire))
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x is attached to a continuation; free it "
                          "after that continuation ran", fn, (unsigned)cr->handle);
    uint64_t s = atomic_load(&cr->state);
    if (!(s & CR_ACTIVE) && CR_COUNT(s) > 0)
        return cont_error(MPI_ERR_REQUEST,
                          "%s: continuation request 0x%x has %llu continuation(s) registered but "
                          "was never started: start it, or they can never run", fn,
                          (unsigned)cr->handle, (unsigned long long)CR_COUNT(s));
    if (cr->poll_only && CR_COUNT(s) > 0)
        return cont_error(MPI_ERR_REQUEST,
                          "%s: POLL_ONLY continuation request 0x%x still has %llu continuation(s) "
                          "that only a test on it can run: complete it before freeing it", fn,
                          (unsigned)cr->handle, (unsigned long long)CR_COUNT(s));
    /* An active CR may be freed: its continuations still run, and the object
     * goes away with the last of them. */
    cont_crtable_release(cr->handle);
    *req = MPI_REQUEST_NULL;
    cont_cr_unref(cr);
    return MPI_SUCCESS;
}

void cont_cr_record_failure(cr_t *cr, void *cb_data, int err)
{
    if (cr->forget) {   /* nobody can ask: count it only */
        CONT_STAT_ADD(failed, 1);
        return;
    }
    pthread_mutex_lock(&cr->fail_mtx);
    if (cr->nfailed == cr->failcap) {
        int ncap = cr->failcap ? 2 * cr->failcap : 8;
        void **n = realloc(cr->failed, (size_t)ncap * sizeof *n);
        if (n) {
            cr->failed = n;
            cr->failcap = ncap;
        }
    }
    if (cr->nfailed < cr->failcap)
        cr->failed[cr->nfailed++] = cb_data;
    int expect = MPI_SUCCESS;
    atomic_compare_exchange_strong(&cr->first_err, &expect, err);
    pthread_mutex_unlock(&cr->fail_mtx);
    CONT_STAT_ADD(failed, 1);
}

int MPIX_Continue_get_failed(MPI_Request cont_req, int *count, void **cb_data)
{
    static const char fn[] = "MPIX_Continue_get_failed";
    CONT_CHECK_INIT(fn);
    if (!count)
        return cont_error(MPI_ERR_ARG, "%s: count is NULL", fn);
    if (*count < 0)
        return cont_error(MPI_ERR_COUNT, "%s: *count %d is negative", fn, *count);
    if (*count > 0 && !cb_data)
        return cont_error(MPI_ERR_ARG, "%s: cb_data is NULL with *count %d", fn, *count);
    cr_t *cr;
    int rc = cont_cr_lookup_or_error(cont_req, fn, "cont_req", &cr);
    if (rc)
        return rc;
    pthread_mutex_lock(&cr->fail_mtx);
    int n = *count < cr->nfailed ? *count : cr->nfailed;
    if (n) {
        memcpy(cb_data, cr->failed, (size_t)n * sizeof(void *));
        memmove(cr->failed, cr->failed + n, (size_t)(cr->nfailed - n) * sizeof(void *));
        cr->nfailed -= n;
    }
    if (cr->nfailed == 0)
        atomic_store(&cr->first_err, MPI_SUCCESS);
    pthread_mutex_unlock(&cr->fail_mtx);
    *count = n;
    return MPI_SUCCESS;
}

/* The CR is an operation of another continuation: when it becomes complete
 * (active, nothing left), complete it and account the operation.  Called by
 * the registrant after attaching and by whoever finishes the CR's last
 * continuation; the compare-and-swap lets exactly one of them do it. */
void cont_cr_complete_to_parent(cr_t *cr)
{
    if (!atomic_load(&cr->parent) || !cont_cr_try_complete(cr))
        return;
    cont_t *p = atomic_exchange(&cr->parent, NULL);
    if (!p)
        return;   /* an always-active CR: the other caller took it */
    int idx = cr->parent_idx, err = atomic_load(&cr->first_err);
    MPI_Status st;
    cont_empty_status(&st, err);
    cont_op_complete(p, idx, &st, err, CTX_CALLBACK);
}

void cont_cr_continuation_done(cr_t *cr)
{
    uint64_t s = atomic_fetch_sub(&cr->state, CR_ONE) - CR_ONE;
    if (s == CR_ACTIVE)
        cont_cr_complete_to_parent(cr);
    cont_cr_unref(cr);
}

void cont_cr_for_each(void (*fn)(cr_t *, void *), void *arg)
{
    pthread_mutex_lock(&all_mtx);
    for (cr_t *cr = all_head; cr; cr = cr->all_next)
        fn(cr, arg);
    pthread_mutex_unlock(&all_mtx);
}

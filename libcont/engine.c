/* The progress engine: one owner at a time (a try-lock) drains the
 * registration queue into a compact array of operation requests, sweeps it
 * with one PMPI_Testsome, accounts what completed and compacts.  Callbacks
 * that became ready are run by the same thread after it gave the engine up,
 * so no libcont lock is held while user code runs. */
#include "cont-internal.h"

#include <sched.h>
#include <stdlib.h>
#include <time.h>

cont_engine_t cont_engine = {.owner = ATOMIC_FLAG_INIT};

typedef struct {
    cont_t *c;          /* NULL once completed in this sweep */
    int idx;
    MPI_Request orig;   /* the handle as claimed (Testsome may null it) */
} ent_t;

/* Owner-only state. */
static struct {
    MPI_Request *reqs;
    ent_t *ents;
    MPI_Status *st;
    int *idx;
    int n, cap;
} A;

static _Thread_local fifo_t local_q;

void cont_local_append(cont_t *c)
{
    fifo_append(&local_q, &c->node);
}

int cont_run_local(void)
{
    int n = 0;
    lf_node_t *node;
    while ((node = fifo_pop(&local_q))) {
        cont_run((cont_t *)node);
        n++;
    }
    return n;
}

int cont_engine_has_work(void)
{
    return atomic_load(&cont_engine.n_active) > 0 || !lf_empty(&cont_engine.reg_q) ||
           !lf_empty(&cont_engine.ready_q);
}

void cont_engine_submit(cont_t *c)
{
    lf_push(&cont_engine.reg_q, &c->node);
    cont_progress_wake();
}

void cont_engine_submit_ready(cont_t *c)
{
    lf_push(&cont_engine.ready_q, &c->node);
    cont_progress_wake();
}

static int grow(int need)
{
    if (need <= A.cap)
        return 0;
    int cap = A.cap ? A.cap : 64;
    while (cap < need)
        cap *= 2;
    MPI_Request *r = realloc(A.reqs, (size_t)cap * sizeof *r);
    if (r)
        A.reqs = r;
    ent_t *e = realloc(A.ents, (size_t)cap * sizeof *e);
    if (e)
        A.ents = e;
    MPI_Status *s = realloc(A.st, (size_t)cap * sizeof *s);
    if (s)
        A.st = s;
    int *x = realloc(A.idx, (size_t)cap * sizeof *x);
    if (x)
        A.idx = x;
    if (!r || !e || !s || !x)
        return 1;
    A.cap = cap;
    return 0;
}

static void track(cont_t *c)
{
    for (int i = 0; i < c->count; i++) {
        if (!c->ops[i].tracked)
            continue;
        while (grow(A.n + 1))
            sched_yield();   /* out of memory: nothing sane to drop */
        A.reqs[A.n] = c->ops[i].req;
        A.ents[A.n] = (ent_t){c, i, c->ops[i].req};
        A.n++;
    }
}

/* Testsome failed as a whole (not MPI_ERR_IN_STATUS): find the culprits one
 * by one so that one bad operation does not stall the others forever. */
static int isolate(void)
{
    int done = 0;
    for (int i = 0; i < A.n; i++) {
        int flag = 0;
        MPI_Status st;
        int rc = PMPI_Test(&A.reqs[i], &flag, &st);
        if (rc != MPI_SUCCESS || flag) {
            ent_t e = A.ents[i];
            A.ents[i].c = NULL;
            cont_req_release(e.orig);
            cont_op_complete(e.c, e.idx, &st, rc, CTX_ENGINE);
            done++;
        }
    }
    return done;
}

static void compact(void)
{
    int j = 0;
    for (int i = 0; i < A.n; i++)
        if (A.ents[i].c) {
            A.reqs[j] = A.reqs[i];
            A.ents[j] = A.ents[i];
            j++;
        }
    A.n = j;
}

static int sweep(void)
{
    int out = 0;
    atomic_fetch_add(&cont_engine.release_seq, 1);   /* odd: claims may be stale */
    int rc = PMPI_Testsome(A.n, A.reqs, &out, A.idx, A.st);
    CONT_STAT_ADD(sweeps, 1);
    if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
        out = isolate();
        atomic_fetch_add(&cont_engine.release_seq, 1);
        compact();
        return out;
    }
    if (out == MPI_UNDEFINED) {   /* every entry inactive: all complete */
        out = A.n;
        for (int k = 0; k < out; k++) {
            A.idx[k] = k;
            cont_empty_status(&A.st[k], MPI_SUCCESS);
        }
    }
    for (int k = 0; k < out; k++)
        cont_req_release(A.ents[A.idx[k]].orig);
    atomic_fetch_add(&cont_engine.release_seq, 1);   /* even again */
    /* The sweep is one batch: mark all, then settle (see cont_op_mark).
     * A.idx[k] is replaced by the mark result once read. */
    for (int k = 0; k < out; k++) {
        ent_t *e = &A.ents[A.idx[k]];
        int err = rc == MPI_ERR_IN_STATUS ? A.st[k].MPI_ERROR : MPI_SUCCESS;
        A.st[k].MPI_ERROR = err;
        int i = A.idx[k];
        A.idx[k] = cont_op_mark(e->c, e->idx, &A.st[k], err) ? i : -1 - i;
    }
    for (int k = 0; k < out; k++) {
        int marked = A.idx[k] >= 0, i = marked ? A.idx[k] : -1 - A.idx[k];
        ent_t *e = &A.ents[i];
        cont_op_settle(e->c, e->idx, marked, A.st[k].MPI_ERROR, CTX_ENGINE);
        e->c = NULL;
    }
    if (out > 0)
        compact();
    CONT_STAT_ADD(ops_completed, (unsigned long long)out);
    return out;
}

int cont_progress(void)
{
    if (atomic_flag_test_and_set_explicit(&cont_engine.owner, memory_order_acquire))
        return 0;
    int work = 0;
    for (lf_node_t *n = lf_take_all_fifo(&cont_engine.reg_q), *next; n; n = next) {
        next = n->next;
        track((cont_t *)n);
        work++;
    }
    for (lf_node_t *n = lf_take_all_fifo(&cont_engine.ready_q), *next; n; n = next) {
        next = n->next;
        cont_local_append((cont_t *)n);
    }
    cont_wrapper_t *w = cont_wrapper;
    uint64_t t_seen = 0;
    if (A.n > 0) {
        if (w && w->on_sweep) {
            uint64_t t0 = cont_now_ns();
            int done = sweep();
            t_seen = cont_now_ns();
            if (done)
                w->on_sweep(t0, t_seen, done);
            work += done;
        } else {
            work += sweep();
        }
    }
    if ((unsigned long long)A.n > atomic_load_explicit(&cont_g.max_outstanding, memory_order_relaxed))
        atomic_store_explicit(&cont_g.max_outstanding, (unsigned long long)A.n, memory_order_relaxed);
    atomic_store(&cont_engine.n_active, A.n);
    atomic_flag_clear_explicit(&cont_engine.owner, memory_order_release);
    if (w && w->on_callbacks && local_q.head) {
        uint64_t t0 = cont_now_ns();
        int ran = cont_run_local();
        w->on_callbacks(t_seen ? t_seen : t0, t0, cont_now_ns(), ran);
        return work + ran;
    }
    return work + cont_run_local();
}

int cont_engine_pending_ops(void)
{
    return atomic_load(&cont_engine.n_active);
}

void cont_engine_fini(void)
{
    free(A.reqs);
    free(A.ents);
    free(A.st);
    free(A.idx);
    A.reqs = NULL;
    A.ents = NULL;
    A.st = NULL;
    A.idx = NULL;
    A.n = A.cap = 0;
    atomic_store(&cont_engine.n_active, 0);
}

void cont_backoff(cont_backoff_t *b)
{
    int n = b->n++;
    if (n < cont_cfg.poll_spin) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        return;
    }
    n -= cont_cfg.poll_spin;
    if (n < cont_cfg.poll_yield) {
        sched_yield();
        return;
    }
    n -= cont_cfg.poll_yield;
    long us = n < 20 ? 1L << n : cont_cfg.poll_max_sleep_us;
    if (us > cont_cfg.poll_max_sleep_us)
        us = cont_cfg.poll_max_sleep_us;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

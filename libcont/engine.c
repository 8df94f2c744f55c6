/* The progress engine: one owner at a time (a try-lock) drains the
 * registration queue into an array of operation requests (oldest first),
 * tests them in bounded windows with PMPI_Testsome and accounts what
 * completed.  Callbacks that became ready are run by the same thread after
 * it gave the engine up, so no libcont lock is held while user code runs.
 *
 * Why windows: PMPI_Testsome costs about 40 ns per request on MPICH 4.0
 * (150 ns at 64k, cache misses) and holds MPICH's global lock meanwhile, so
 * one sweep over every outstanding request made a lone completion among
 * 4096 wait 170 us and stalled every other thread's MPI call as long.  Each
 * progress call now tests the WINDOW oldest requests (MPI completes
 * receives from one peer and tag in posting order, so the next completion
 * is most often there) and one more window that rotates over the rest, so
 * a call costs O(WINDOW) and nothing waits more than N / WINDOW calls
 * (ROTATE_EVERY times that while the oldest window keeps completing: the
 * rotating window then takes only every ROTATE_EVERY-th turn).
 * Completed entries become MPI_REQUEST_NULL (Testsome skips them); the
 * array is compacted when half of it is dead: O(1) per completion. */
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

enum { WINDOW = 64, ROTATE_EVERY = 4 };

/* Owner-only state.  Entries [0, head) are all dead (completed); `dead`
 * counts the dead ones in [head, n); `cursor` is where the rotating window
 * starts next. */
static struct {
    MPI_Request *reqs;
    ent_t *ents;
    MPI_Status *st;
    int *idx;
    int n, cap, head, dead, cursor;
    int rotation_skipped;   /* sweeps in a row that skipped the rotating window */
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
        cont_t *c = (cont_t *)node;
        if (c->cr->app_threads && cont_tls_is_progress_thread) {
            lf_push(&cont_engine.app_q, &c->node);   /* cont_app_run's */
            continue;
        }
        cont_run(c);
        n++;
    }
    return n;
}

int cont_app_run(void)
{
    if (lf_empty(&cont_engine.app_q))
        return 0;
    int n = 0;
    for (lf_node_t *node = lf_take_all_fifo(&cont_engine.app_q), *next; node; node = next) {
        next = node->next;
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

/* Entry i completed (or failed): it leaves the array's live set. */
static void retire(int i)
{
    A.ents[i].c = NULL;
    A.reqs[i] = MPI_REQUEST_NULL;
    A.dead++;
}

/* Testsome failed as a whole (not MPI_ERR_IN_STATUS): find the culprits one
 * by one so that one bad operation does not stall the others forever. */
static int isolate(int start, int len)
{
    int done = 0;
    for (int i = start; i < start + len; i++) {
        if (!A.ents[i].c)
            continue;
        int flag = 0;
        MPI_Status st;
        int rc = PMPI_Test(&A.reqs[i], &flag, &st);
        if (rc != MPI_SUCCESS || flag) {
            ent_t e = A.ents[i];
            retire(i);
            cont_req_release(e.orig);
            cont_op_complete(e.c, e.idx, &st, rc, CTX_ENGINE);
            done++;
        }
    }
    return done;
}

/* Drop the dead entries; the rotating window restarts at the front. */
static void compact(void)
{
    int j = 0;
    for (int i = A.head; i < A.n; i++)
        if (A.ents[i].c) {
            A.reqs[j] = A.reqs[i];
            A.ents[j] = A.ents[i];
            j++;
        }
    A.n = j;
    A.head = A.dead = A.cursor = 0;
}

/* One PMPI_Testsome over entries [start, start + len). */
static int sweep_window(int start, int len)
{
    int out = 0;
    atomic_fetch_add(&cont_engine.release_seq, 1);   /* odd: claims may be stale */
    int rc = PMPI_Testsome(len, A.reqs + start, &out, A.idx, A.st);
    atomic_fetch_add_explicit(&cont_g.sweeps, 1, memory_order_relaxed);
    if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
        out = isolate(start, len);
        atomic_fetch_add(&cont_engine.release_seq, 1);
        return out;
    }
    if (out == MPI_UNDEFINED) {   /* no active request: the live ones are complete */
        out = 0;
        for (int i = 0; i < len; i++)
            if (A.ents[start + i].c) {
                A.idx[out] = i;
                cont_empty_status(&A.st[out], MPI_SUCCESS);
                out++;
            }
    }
    for (int k = 0; k < out; k++) {
        A.idx[k] += start;
        cont_req_release(A.ents[A.idx[k]].orig);
    }
    atomic_fetch_add(&cont_engine.release_seq, 1);   /* even again */
    /* The window is one batch: mark all, then settle (see cont_op_mark).
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
        retire(i);
    }
    return out;
}

/* The oldest WINDOW live entries, then the rotating window over the rest.
 * *tested: how many requests the sweep handed to MPI. */
static int sweep(int *tested)
{
    while (A.head < A.n && !A.ents[A.head].c) {
        A.head++;
        A.dead--;
    }
    int done = 0, front = A.n - A.head < WINDOW ? A.n - A.head : WINDOW;
    *tested = front;
    if (front > 0)
        done += sweep_window(A.head, front);
    int rest = A.head + front;
    /* When the oldest window completed something (in-order traffic), the
     * rest is tested only every ROTATE_EVERY-th sweep: half the time in
     * MPI, and a completion out of order still waits a bounded number. */
    if (rest < A.n && (done == 0 || ++A.rotation_skipped >= ROTATE_EVERY)) {
        A.rotation_skipped = 0;
        if (A.cursor < rest || A.cursor >= A.n)
            A.cursor = rest;
        int len = A.n - A.cursor < WINDOW ? A.n - A.cursor : WINDOW;
        done += sweep_window(A.cursor, len);
        *tested += len;
        A.cursor += len;
    }
    if (2 * A.dead >= A.n - A.head || A.head > A.n / 2)
        compact();
    CONT_STAT_ADD(ops_completed, (unsigned long long)done);
    return done;
}

static int live(void)
{
    return A.n - A.head - A.dead;
}

int cont_progress(void)
{
    return cont_progress_timed(NULL, NULL);
}

int cont_progress_timed(uint64_t *sweep_ns, int *tested)
{
    if (sweep_ns)
        *sweep_ns = 0, *tested = 0;
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
        int timed = (w && w->on_sweep) || sweep_ns, n_tested;
        uint64_t t0 = timed ? cont_now_ns() : 0;
        int done = sweep(&n_tested);
        if (timed) {
            t_seen = cont_now_ns();
            if (done && w && w->on_sweep)
                w->on_sweep(t0, t_seen, done);
        }
        if (sweep_ns)
            *sweep_ns = t_seen - t0, *tested = n_tested;
        work += done;
    }
    if ((unsigned long long)live() >
        atomic_load_explicit(&cont_g.max_outstanding, memory_order_relaxed))
        atomic_store_explicit(&cont_g.max_outstanding, (unsigned long long)live(),
                              memory_order_relaxed);
    atomic_store(&cont_engine.n_active, live());
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
    A.n = A.cap = A.head = A.dead = A.cursor = 0;
    atomic_store(&cont_engine.n_active, 0);
}

void cont_backoff(cont_backoff_t *b)
{
    int n = b->n++;
    int spin = b->pt ? cont_pt_poll_spin : cont_cfg.poll_spin;
    int yield = b->pt ? cont_pt_poll_yield : cont_cfg.poll_yield;
    if (n < spin) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        return;
    }
    n -= spin;
    if (n < yield || b->wait) {
        sched_yield();
        return;
    }
    n -= yield;
    long us = n < 20 ? 1L << n : cont_cfg.poll_max_sleep_us;
    if (us > cont_cfg.poll_max_sleep_us)
        us = cont_cfg.poll_max_sleep_us;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

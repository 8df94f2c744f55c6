/* mr_stress: exactly once under load, for a million continuations.
 *
 * Every rank runs T worker threads (MPI_THREAD_MULTIPLE; the progress thread
 * runs unless CONT_PROGRESS_THREAD=off).  Worker t exchanges messages with
 * worker t of the neighbouring ranks (ring: receive from the left, send to
 * the right, on its own duplicate of MPI_COMM_WORLD) and registers
 * continuations on them with two CRs of its own: `cr` (ordinary) and `crp`
 * (POLL_ONLY, max_poll 1, 4, 7, ... or no limit).  It works in batches of B
 * iterations: start both CRs, post B iterations, test both CRs until they
 * complete, collect the failed continuations, check every continuation of
 * the batch.  Each iteration draws its kind from a schedule that depends on
 * (seed, thread, iteration) only, so every rank draws the same and sends
 * match receives:
 *
 *   pair       Continueall {recv, send}, random REQUESTS_FREE / statuses
 *   split      one Continue on the recv, one on the send
 *   nulls      Continueall {NULL, recv, NULL, send}
 *   defer      Continueall with DEFER_COMPLETE (never inline)
 *   immediate  Continueall on crp with IMMEDIATE (any thread may run it)
 *   poll       Continueall on crp: must run in this worker, inside its
 *              MPI_Test on crp or inline in its own MPIX_Continueall
 *   persistent persistent recv + send of the slot, restarted each use
 *   chain      Continueall {recv, send}; the callback posts a self message
 *              pair and registers the next link from inside the callback,
 *              1 to 4 links
 *   cb-error   the callback returns MPI_ERR_OTHER: it runs and is reported
 *              failed by MPIX_Continue_get_failed
 *   trunc      the sender sends one element more than the receive holds
 *              (MPI_ERR_TRUNCATE, MPI_ERRORS_RETURN): the recv's
 *              continuation does not run and is reported failed
 *   trunc-inv  the same with INVOKE_FAILED: the callback runs with
 *              rc of class MPI_ERR_TRUNCATE
 *
 * Every continuation has an id and a record; a callback that runs twice, or
 * runs without being registered, fails at once (atomic exchange of its
 * `armed` flag).  After each batch each record must have run exactly as
 * often as expected (0 or 1) and been reported failed exactly as often as
 * expected (0 or 1); payloads and statuses are checked in the callbacks.
 * At the end libcont's counters must match what was registered, run and
 * failed, and the resident set must not have grown by more than -M MiB
 * between 20% of the run and its end.
 *
 * Size: STRESS_CONTINUATIONS continuations over the whole job (default
 * 1000000); STRESS_SEED fixes the schedule (default: from the clock, printed
 * so that a failing run can be replayed); STRESS_MAX_RSS_MIB sets the
 * default of -M (the sanitizer runs raise it: shadow memory grows the RSS).
 *
 * Usage: mr_stress [-T threads] [-B batch] [-M max RSS growth MiB]
 */
#include "../mpi/mr_common.h"

#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

enum kind {
    K_PAIR, K_SPLIT, K_NULLS, K_DEFER, K_IMMEDIATE, K_POLL, K_PERSIST,
    K_CHAIN, K_CB_ERROR, K_TRUNC, K_TRUNC_INVOKE, NKINDS
};
static const char *const kind_name[NKINDS] = {
    "pair", "split", "nulls", "defer", "immediate", "poll", "persistent",
    "chain", "cb-error", "trunc", "trunc-inv",
};
/* Weights out of 64. */
static const int kind_weight[NKINDS] = {10, 6, 6, 6, 6, 8, 6, 6, 3, 3, 4};

#define MAXN 4097        /* largest message (int64 elements), truncation included */
#define PN 8             /* elements of the persistent messages */
#define PTAG 32000       /* tag of the persistent messages */
#define MAXLINKS 4       /* records per slot: chain links, or split / trunc halves */

struct worker;
struct slot;

typedef struct rec {
    atomic_int armed;    /* 1 from registration until the callback runs */
    atomic_int ran;
    int failed_seen;
    int exp_run, exp_fail, used;
    int link, role;      /* role: what the callback checks */
    uint64_t id;
    struct slot *slot;
    MPI_Status st[4];
    int64_t self_out, self_in;   /* chain: the self message of this link */
} rec_t;

enum role { R_BOTH, R_RECV, R_SEND, R_SELF };

typedef struct slot {
    struct worker *w;
    uint64_t iter;
    int kind, n, tag, depth, flags, statuses;
    int64_t sbuf[MAXN], rbuf[MAXN];
    int64_t psbuf[PN], prbuf[PN];
    MPI_Request psend, precv;    /* persistent pair of the slot */
    rec_t rec[MAXLINKS];
} slot_t;

typedef struct worker {
    int t;
    pthread_t tid;              /* set by pthread_create in main */
    pthread_t thread;           /* set by the worker itself: POLL_ONLY callbacks check it */
    MPI_Comm comm, self;
    MPI_Request cr, crp;
    slot_t *slots;
    atomic_long registered;     /* MPIX_Continue[all] calls that succeeded */
    atomic_long cb_ran;
    long planned, exp_failed;
    long per_kind[NKINDS];
} worker_t;

static int size, left, right, nthreads = 4, batch = 64, max_rss_mib = 4;
static uint64_t seed;
static long quota;           /* continuations per worker */
static atomic_long rss_warm_kib;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int64_t payload(uint64_t iter, int from, int k)
{
    return (int64_t)(iter * 1000003u) + from * 31 + k;
}

/* Continuations an iteration of this kind registers (same on every rank). */
static int conts_of(int kind, int depth)
{
    switch (kind) {
    case K_SPLIT: case K_TRUNC: case K_TRUNC_INVOKE: return 2;
    case K_CHAIN: return depth;
    default: return 1;
    }
}

static void draw(worker_t *w, slot_t *s, uint64_t iter)
{
    uint64_t h = mix(seed ^ ((uint64_t)w->t << 48) ^ iter);
    int r = (int)(h % 64), k = 0;
    while (r >= kind_weight[k])
        r -= kind_weight[k++];
    s->kind = k;
    s->iter = iter;
    s->n = 1 + (int)((h >> 8) % 8);
    if ((h >> 16) % 64 == 0)
        s->n = MAXN - 1;          /* beyond the eager limit */
    s->tag = (int)(iter % 30000);
    s->depth = 1 + (int)((h >> 24) % MAXLINKS);
    s->flags = (h >> 32) & 1 ? MPIX_CONT_REQUESTS_FREE : 0;
    s->statuses = (h >> 33) & 1;
}

static void check_recv(rec_t *r, const MPI_Status *st)
{
    slot_t *s = r->slot;
    for (int k = 0; k < s->n; k++)
        if (s->rbuf[k] != payload(s->iter, left, k)) {
            FAIL("id %" PRIu64 " (%s): element %d is %" PRId64 ", expected %" PRId64, r->id,
                 kind_name[s->kind], k, s->rbuf[k], payload(s->iter, left, k));
            break;
        }
    if (st) {
        int count = -1;
        MPI_Get_count(st, MPI_INT64_T, &count);
        CHECK(st->MPI_SOURCE == left && st->MPI_TAG == s->tag && count == s->n,
              "id %" PRIu64 ": status source %d tag %d count %d, expected %d %d %d", r->id,
              st->MPI_SOURCE, st->MPI_TAG, count, left, s->tag, s->n);
    }
}

static int post_chain_link(slot_t *s, int link);

static int cb(int rc, void *data)
{
    rec_t *r = data;
    slot_t *s = r->slot;
    worker_t *w = s->w;
    if (atomic_exchange(&r->armed, 0) != 1)
        FAIL("id %" PRIu64 " (%s): callback ran twice or before it was registered", r->id,
             kind_name[s->kind]);
    atomic_fetch_add(&r->ran, 1);
    atomic_fetch_add(&w->cb_ran, 1);
    if (s->kind == K_POLL && !pthread_equal(pthread_self(), w->thread))
        FAIL("id %" PRIu64 ": POLL_ONLY continuation ran in another thread", r->id);
    if (s->kind == K_TRUNC_INVOKE && r->role == R_RECV) {
        int cls = -1;
        MPI_Error_class(rc, &cls);
        CHECK(cls == MPI_ERR_TRUNCATE, "id %" PRIu64 ": rc %d (class %d), expected "
              "MPI_ERR_TRUNCATE", r->id, rc, cls);
        return MPI_SUCCESS;
    }
    CHECK(rc == MPI_SUCCESS, "id %" PRIu64 " (%s): rc %d", r->id, kind_name[s->kind], rc);
    const MPI_Status *st = s->statuses ? r->st : NULL;
    switch (r->role) {
    case R_BOTH:
        if (s->kind == K_PERSIST) {
            for (int k = 0; k < PN; k++)
                CHECK(s->prbuf[k] == payload(s->iter, left, k),
                      "id %" PRIu64 ": persistent element %d wrong", r->id, k);
        } else {
            check_recv(r, st ? &st[s->kind == K_NULLS ? 1 : 0] : NULL);
        }
        break;
    case R_RECV:
        check_recv(r, st);
        break;
    case R_SELF:
        CHECK(r->self_in == (int64_t)r->id, "id %" PRIu64 ": self message %" PRId64, r->id,
              r->self_in);
        break;
    default:
        break;
    }
    if (s->kind == K_CHAIN && r->link + 1 < s->depth && post_chain_link(s, r->link + 1))
        FAIL("id %" PRIu64 ": could not register chain link %d", r->id, r->link + 1);
    return s->kind == K_CB_ERROR ? MPI_ERR_OTHER : MPI_SUCCESS;
}

static rec_t *arm(slot_t *s, int link, int role, int exp_run, int exp_fail)
{
    rec_t *r = &s->rec[link];
    r->link = link;
    r->role = role;
    r->id = (((uint64_t)mr_rank * 64 + (uint64_t)s->w->t) << 40) | (s->iter << 2) | (uint64_t)link;
    r->slot = s;
    r->exp_run = exp_run;
    r->exp_fail = exp_fail;
    r->used = 1;
    atomic_store(&r->armed, 1);
    return r;
}

static int reg(worker_t *w, int count, MPI_Request *reqs, rec_t *r, int flags, MPI_Request cr)
{
    int rc = MPIX_Continueall(count, reqs, cb, r, flags,
                              r->slot->statuses ? r->st : MPI_STATUSES_IGNORE, cr);
    if (rc == MPI_SUCCESS)
        atomic_fetch_add(&w->registered, 1);
    else
        FAIL("id %" PRIu64 ": MPIX_Continueall returned %d (%s)", r->id, rc, cont_last_error());
    return rc;
}

/* A chain link beyond the first: a self message, registered from inside the
 * previous link's callback (on the progress thread, usually). */
static int post_chain_link(slot_t *s, int link)
{
    worker_t *w = s->w;
    rec_t *r = arm(s, link, R_SELF, 1, 0);
    r->self_out = (int64_t)r->id;
    r->self_in = -1;
    int tag = (int)(s - w->slots) * MAXLINKS + link;
    MPI_Request q[2];
    if (MPI_Irecv(&r->self_in, 1, MPI_INT64_T, 0, tag, w->self, &q[0]) ||
        MPI_Isend(&r->self_out, 1, MPI_INT64_T, 0, tag, w->self, &q[1]))
        return 1;
    return reg(w, 2, q, r, 0, w->cr) != MPI_SUCCESS;
}

static void post(worker_t *w, slot_t *s)
{
    int kind = s->kind, sn = s->n + (kind == K_TRUNC || kind == K_TRUNC_INVOKE);
    MPI_Request q[4];
    w->per_kind[kind]++;
    w->planned += conts_of(kind, s->depth);
    if (kind == K_PERSIST) {
        for (int k = 0; k < PN; k++) {
            s->psbuf[k] = payload(s->iter, mr_rank, k);
            s->prbuf[k] = -1;
        }
        q[0] = s->precv;
        q[1] = s->psend;
        MPI_OK(MPI_Startall(2, q));
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 0), s->flags, w->cr);
        return;
    }
    for (int k = 0; k < sn; k++)
        s->sbuf[k] = payload(s->iter, mr_rank, k);
    s->rbuf[0] = -1;
    MPI_OK(MPI_Irecv(s->rbuf, s->n, MPI_INT64_T, left, s->tag, w->comm, &q[0]));
    MPI_OK(MPI_Isend(s->sbuf, sn, MPI_INT64_T, right, s->tag, w->comm, &q[1]));
    switch (kind) {
    case K_PAIR:
    case K_CHAIN:
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 0), s->flags, w->cr);
        break;
    case K_CB_ERROR:
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 1), s->flags, w->cr);
        break;
    case K_DEFER:
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 0), s->flags | MPIX_CONT_DEFER_COMPLETE, w->cr);
        break;
    case K_IMMEDIATE:
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 0), s->flags | MPIX_CONT_IMMEDIATE, w->crp);
        break;
    case K_POLL:
        reg(w, 2, q, arm(s, 0, R_BOTH, 1, 0), s->flags, w->crp);
        break;
    case K_NULLS: {
        MPI_Request n4[4] = {MPI_REQUEST_NULL, q[0], MPI_REQUEST_NULL, q[1]};
        reg(w, 4, n4, arm(s, 0, R_BOTH, 1, 0), s->flags, w->cr);
        break;
    }
    case K_SPLIT:
    case K_TRUNC:
    case K_TRUNC_INVOKE: {
        int inv = kind == K_TRUNC_INVOKE ? MPIX_CONT_INVOKE_FAILED : 0;
        rec_t *rr = arm(s, 0, R_RECV, kind != K_TRUNC, kind == K_TRUNC);
        if (kind != K_SPLIT)
            s->statuses = 0;   /* the recv's status carries the error */
        reg(w, 1, &q[0], rr, s->flags | inv, w->cr);
        reg(w, 1, &q[1], arm(s, 1, R_SEND, 1, 0), s->flags, w->cr);
        break;
    }
    default:
        break;
    }
}

static void take_failed(worker_t *w, MPI_Request cr)
{
    void *buf[256];
    for (;;) {
        int count = 256;
        MPI_OK(MPIX_Continue_get_failed(cr, &count, buf));
        for (int i = 0; i < count; i++) {
            rec_t *r = buf[i];
            if (r->slot < w->slots || r->slot >= w->slots + batch || !r->used)
                FAIL("MPIX_Continue_get_failed returned %p, not a continuation of this batch", buf[i]);
            else
                r->failed_seen++;
        }
        if (count < 256)
            return;
    }
}

/* Test both CRs until both completed; returns how often MPI_Test on `cr`
 * reported an error (the failed continuations). */
static void complete_batch(worker_t *w, long exp_failed)
{
    int done = 0, donep = 0, spins = 0, rc;
    MPI_Status st;
    while (!done || !donep) {
        if (!donep) {
            rc = MPI_Test(&w->crp, &donep, &st);
            CHECK(rc == MPI_SUCCESS, "MPI_Test on the POLL_ONLY CR returned %d (%s)", rc,
                  cont_last_error());
        }
        if (!done) {
            rc = MPI_Test(&w->cr, &done, &st);
            if (done)
                CHECK((rc != MPI_SUCCESS) == (exp_failed > 0),
                      "MPI_Test on the CR returned %d with %ld failed continuation(s) expected",
                      rc, exp_failed);
            else
                CHECK(rc == MPI_SUCCESS, "MPI_Test on an incomplete CR returned %d", rc);
        }
        if (!done || !donep)
            mr_pause(&spins);
    }
    take_failed(w, w->cr);
    take_failed(w, w->crp);
}

static void verify_batch(worker_t *w, int nslots)
{
    for (int i = 0; i < nslots; i++)
        for (int l = 0; l < MAXLINKS; l++) {
            rec_t *r = &w->slots[i].rec[l];
            if (!r->used)
                continue;
            int ran = atomic_load(&r->ran);
            CHECK(ran == r->exp_run && r->failed_seen == r->exp_fail,
                  "id %" PRIu64 " (%s, link %d): ran %d time(s), reported failed %d time(s); "
                  "expected %d and %d", r->id, kind_name[w->slots[i].kind], l, ran,
                  r->failed_seen, r->exp_run, r->exp_fail);
            atomic_store(&r->ran, 0);
            atomic_store(&r->armed, 0);
            r->failed_seen = 0;
            r->used = 0;
        }
}

static void *work(void *arg)
{
    worker_t *w = arg;
    w->thread = pthread_self();
    uint64_t iter = 0;
    while (w->planned < quota) {
        long exp_failed = 0;
        MPI_OK(MPI_Start(&w->cr));
        MPI_OK(MPI_Start(&w->crp));
        int s;
        for (s = 0; s < batch && w->planned < quota; s++) {
            slot_t *sl = &w->slots[s];
            draw(w, sl, iter++);
            exp_failed += sl->kind == K_TRUNC || sl->kind == K_CB_ERROR;
            post(w, sl);
        }
        complete_batch(w, exp_failed);
        verify_batch(w, s);
        w->exp_failed += exp_failed;
        if (w->t == 0 && atomic_load(&rss_warm_kib) == 0 && w->planned >= quota / 5)
            atomic_store(&rss_warm_kib, rss_kib());
    }
    return NULL;
}

static void setup(worker_t *w, int t)
{
    w->t = t;
    MPI_OK(MPI_Comm_dup(MPI_COMM_WORLD, &w->comm));
    MPI_OK(MPI_Comm_dup(MPI_COMM_SELF, &w->self));
    MPI_OK(MPI_Comm_set_errhandler(w->comm, MPI_ERRORS_RETURN));
    MPI_OK(MPI_Comm_set_errhandler(w->self, MPI_ERRORS_RETURN));
    MPI_OK(MPIX_Continue_init(0, 0, MPI_INFO_NULL, &w->cr));
    int max_poll = t == 0 ? MPI_UNDEFINED : 1 + 3 * (t - 1);
    MPI_OK(MPIX_Continue_init(MPIX_CONT_POLL_ONLY, max_poll, MPI_INFO_NULL, &w->crp));
    /* Everything the test itself uses is allocated and touched here, so that
     * the resident set measured later is libcont's and MPI's. */
    w->slots = malloc((size_t)batch * sizeof *w->slots);
    if (!w->slots)
        DIE("out of memory");
    memset(w->slots, 0, (size_t)batch * sizeof *w->slots);
    for (int i = 0; i < batch; i++) {
        slot_t *s = &w->slots[i];
        s->w = w;
        MPI_OK(MPI_Recv_init(s->prbuf, PN, MPI_INT64_T, left, PTAG, w->comm, &s->precv));
        MPI_OK(MPI_Send_init(s->psbuf, PN, MPI_INT64_T, right, PTAG, w->comm, &s->psend));
    }
}

static void teardown(worker_t *w)
{
    for (int i = 0; i < batch; i++) {
        MPI_OK(MPI_Request_free(&w->slots[i].precv));
        MPI_OK(MPI_Request_free(&w->slots[i].psend));
    }
    free(w->slots);
    MPI_OK(MPI_Request_free(&w->cr));
    MPI_OK(MPI_Request_free(&w->crp));
    MPI_OK(MPI_Comm_free(&w->comm));
    MPI_OK(MPI_Comm_free(&w->self));
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
    size = mr_init(&argc, &argv, 1);
    max_rss_mib = (int)env_long("STRESS_MAX_RSS_MIB", max_rss_mib);
    int opt;
    while ((opt = getopt(argc, argv, "T:B:M:")) != -1) {
        if (opt == 'T')
            nthreads = atoi(optarg);
        else if (opt == 'B')
            batch = atoi(optarg);
        else if (opt == 'M')
            max_rss_mib = atoi(optarg);
        else
            DIE("usage: stress [-T threads] [-B batch] [-M max RSS growth MiB]");
    }
    if (nthreads < 1 || nthreads > 64 || batch < 1 || batch > 4096)
        DIE("bad -T or -B");
    long total = env_long("STRESS_CONTINUATIONS", 1000000);
    unsigned long long s0 = (unsigned long long)env_long("STRESS_SEED", 0);
    if (!s0)
        s0 = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
    MPI_Bcast(&s0, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    seed = s0;
    quota = total / ((long)size * nthreads);
    if (quota < 1)
        quota = 1;
    left = (mr_rank + size - 1) % size;
    right = (mr_rank + 1) % size;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (mr_rank == 0) {
        printf("stress: %d ranks x %d threads, %ld continuations, batch %d, progress thread %s, "
               "STRESS_SEED=%llu\n", size, nthreads, quota * size * nthreads, batch,
               cont_has_progress_thread() ? "on" : "off", s0);
        fflush(stdout);
    }

    worker_t *w = calloc((size_t)nthreads, sizeof *w);
    if (!w)
        DIE("out of memory");
    for (int t = 0; t < nthreads; t++)
        setup(&w[t], t);
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&w[t].tid, NULL, work, &w[t]))
            DIE("pthread_create failed");
    for (int t = 0; t < nthreads; t++)
        pthread_join(w[t].tid, NULL);
    long rss_end = rss_kib(), rss_warm = atomic_load(&rss_warm_kib);

    long reg = 0, planned = 0, ran = 0, failed = 0, per_kind[NKINDS] = {0};
    for (int t = 0; t < nthreads; t++) {
        reg += atomic_load(&w[t].registered);
        ran += atomic_load(&w[t].cb_ran);
        planned += w[t].planned;
        failed += w[t].exp_failed;
        for (int k = 0; k < NKINDS; k++)
            per_kind[k] += w[t].per_kind[k];
        teardown(&w[t]);
    }
    CHECK(reg == planned, "registered %ld continuations, planned %ld", reg, planned);
    cont_stats_t st;
    MPI_OK(cont_get_stats(&st));
    CHECK(st.registered == (unsigned long long)reg, "cont_get_stats: registered %llu, expected %ld",
          st.registered, reg);
    CHECK(st.run_inline + st.run_engine == (unsigned long long)ran,
          "cont_get_stats: %llu callbacks run, the program counted %ld", st.run_inline + st.run_engine,
          ran);
    CHECK(st.failed == (unsigned long long)failed, "cont_get_stats: failed %llu, expected %ld",
          st.failed, failed);
    CHECK(rss_warm > 0 && rss_end - rss_warm <= max_rss_mib * 1024L,
          "resident set grew from %ld KiB (at 20%%) to %ld KiB (end): more than %d MiB",
          rss_warm, rss_end, max_rss_mib);

    long all[NKINDS + 4], mine[NKINDS + 4] = {reg, ran, failed, rss_end - rss_warm};
    for (int k = 0; k < NKINDS; k++)
        mine[4 + k] = per_kind[k];
    MPI_Reduce(mine, all, NKINDS + 4, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    long inl = (long)st.run_inline, inl_all = 0;
    MPI_Reduce(&inl, &inl_all, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (mr_rank == 0) {
        printf("stress: %ld registered, %ld callbacks run (%ld inline), %ld reported failed; "
               "RSS growth %ld KiB summed over ranks\nstress: iterations by kind:", all[0], all[1],
               inl_all, all[2], all[3]);
        for (int k = 0; k < NKINDS; k++)
            printf(" %s %ld", kind_name[k], all[4 + k]);
        printf("\n");
        fflush(stdout);
    }
    free(w);
    int status = mr_finish("stress");
    MPI_Finalize();
    return status;
}

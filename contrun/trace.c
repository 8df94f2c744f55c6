/* The trace: per-thread event buffers (no lock on the hot path), written at
 * MPI_Finalize as one Chrome trace JSON file (chrome://tracing, Perfetto):
 * rank 0 writes its events and then those of every other rank, received in
 * chunks, so the file needs no shared file system.  pid = rank, tid = a
 * small per-rank thread index (99: the progress thread), ts/dur in us from
 * a barrier in MPI_Init.  One event per line (contrun-timeline relies on
 * it).  At most CONT_TRACE_MAX_EVENTS events per rank; more are counted. */
#include "contrun-internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_TID 99
#define CHUNK (4 << 20)

typedef struct {
    uint64_t t0, t1;
    long arg;
    int8_t cat, kind;
} ev_t;

typedef struct tbuf {
    struct tbuf *next;
    int tid;
    size_t n, cap;
    ev_t *ev;
} tbuf_t;

int ctr_trace_on;
static _Thread_local tbuf_t *mine;
static pthread_mutex_t reg_mtx = PTHREAD_MUTEX_INITIALIZER;
static tbuf_t *all;
static atomic_int next_tid;
static atomic_long recorded, dropped;
static MPI_Comm trace_comm = MPI_COMM_NULL;
static const char *const cat_name[] = {"task-wait", "blocked", "callback", "progress"};

static tbuf_t *my_buf(void)
{
    if (mine)
        return mine;
    tbuf_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->tid = cont_progress_thread_is_self() ? PT_TID : atomic_fetch_add(&next_tid, 1);
    pthread_mutex_lock(&reg_mtx);
    b->next = all;
    all = b;
    pthread_mutex_unlock(&reg_mtx);
    return mine = b;
}

int ctr_thread_index(void)
{
    tbuf_t *b = my_buf();
    return b ? b->tid : -1;
}

void ctr_trace_event(ctr_cat_t cat, int kind, uint64_t t0, uint64_t t1, long arg)
{
    tbuf_t *b = my_buf();
    if (!b || atomic_fetch_add_explicit(&recorded, 1, memory_order_relaxed) >=
                  ctr_opt.trace_max_events) {
        atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
        return;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        ev_t *e = realloc(b->ev, cap * sizeof *e);
        if (!e) {
            atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
            return;
        }
        b->ev = e;
        b->cap = cap;
    }
    b->ev[b->n++] = (ev_t){t0, t1, arg, (int8_t)cat, (int8_t)kind};
}

void ctr_trace_init(void)
{
    ctr_trace_on = ctr_opt.trace_file != NULL;
    if (ctr_trace_on)
        PMPI_Comm_dup(MPI_COMM_WORLD, &trace_comm);
    ctr_thread_index();   /* the thread calling MPI_Init is thread 0 */
}

/* ------------------------------------------------------------ output */

typedef struct {
    char *p;
    size_t n, cap;
} text_t;

static void put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (t->p && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        size_t cap = t->cap ? t->cap : 1 << 16;
        while (cap <= t->n + (size_t)k)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return;
        t->p = p;
        t->cap = cap;
    }
}

static double us(uint64_t t)
{
    return t >= ctr_t_base ? (t - ctr_t_base) * 1e-3 : -((ctr_t_base - t) * 1e-3);
}

/* This rank's lines, each ending in ",\n". */
static void format_rank(text_t *t)
{
    put(t, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"rank %d\"}},\n",
        ctr_rank, ctr_rank);
    for (tbuf_t *b = all; b; b = b->next) {
        if (b->tid == PT_TID)
            put(t, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":"
                "\"progress thread\"}},\n", ctr_rank, b->tid);
        else
            put(t, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":"
                "\"thread %d\"}},\n", ctr_rank, b->tid, b->tid);
        for (size_t i = 0; i < b->n; i++) {
            const ev_t *e = &b->ev[i];
            const char *name = e->kind >= 0 ? ctr_kind_name[e->kind]
                               : e->cat == CAT_CALLBACK ? "continuations" : "sweep";
            put(t, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":%d,\"tid\":%d,"
                "\"ts\":%.3f,\"dur\":%.3f,\"args\":{",
                name, cat_name[e->cat], ctr_rank, b->tid, us(e->t0), (e->t1 - e->t0) * 1e-3);
            if (e->cat == CAT_CALLBACK)
                put(t, "\"count\":%ld}},\n", e->arg);
            else if (e->cat == CAT_PROGRESS)
                put(t, "\"completed\":%ld}},\n", e->arg);
            else
                put(t, "}},\n");
        }
    }
}

void ctr_trace_write(void)
{
    if (!ctr_trace_on)
        return;
    ctr_trace_on = 0;   /* the progress thread is stopped; app threads are done */
    text_t t = {0};
    format_rank(&t);
    long drop = atomic_load(&dropped), total_drop = 0;
    PMPI_Reduce(&drop, &total_drop, 1, MPI_LONG, MPI_SUM, 0, trace_comm);
    if (ctr_rank != 0) {
        long long len = (long long)t.n;
        PMPI_Send(&len, 1, MPI_LONG_LONG, 0, 0, trace_comm);
        for (size_t off = 0; off < t.n; off += CHUNK) {
            int k = t.n - off < CHUNK ? (int)(t.n - off) : CHUNK;
            PMPI_Send(t.p + off, k, MPI_CHAR, 0, 1, trace_comm);
        }
    } else {
        FILE *f = fopen(ctr_opt.trace_file, "w");
        if (!f)
            fprintf(stderr, "contrun: cannot write the trace to %s\n", ctr_opt.trace_file);
        if (f) {
            fputs("{\"traceEvents\":[\n", f);
            fwrite(t.p, 1, t.n, f);
        }
        char *buf = malloc(CHUNK);
        for (int r = 1; r < ctr_size; r++) {
            long long len;
            PMPI_Recv(&len, 1, MPI_LONG_LONG, r, 0, trace_comm, MPI_STATUS_IGNORE);
            for (long long off = 0; off < len; off += CHUNK) {
                int k = len - off < CHUNK ? (int)(len - off) : CHUNK;
                PMPI_Recv(buf, k, MPI_CHAR, r, 1, trace_comm, MPI_STATUS_IGNORE);
                if (f)
                    fwrite(buf, 1, (size_t)k, f);
            }
        }
        free(buf);
        if (f) {
            fprintf(f, "{\"name\":\"trace_end\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":"
                    "{\"dropped\":%ld}}\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":"
                    "\"contrun\",\"ranks\":%d,\"dropped_events\":%ld}}\n",
                    total_drop, ctr_size, total_drop);
            fclose(f);
        }
        if (total_drop)
            fprintf(stderr, "contrun: trace: %ld events dropped (CONT_TRACE_MAX_EVENTS=%ld per "
                    "rank)\n", total_drop, ctr_opt.trace_max_events);
    }
    free(t.p);
    PMPI_Comm_free(&trace_comm);
}

/* The stall detector.  Every task-aware wait is listed while pending (kind,
 * peer, tag, communicator, thread, nesting).  A watchdog thread looks four
 * times a second: when waits are pending and nothing has moved for
 * CONT_STALL_TIMEOUT seconds (no task-aware wait ended, no task body
 * started or ended, no operation completed in libcont), it prints the
 * pending calls and a likely cause and ends the job (MPI_Abort, status 3).
 * A long computation in one task while others wait is progress it cannot
 * see: the default (600 s) is far above any task's length. */
#define _GNU_SOURCE
#include "contrun-internal.h"
#include "taskhook.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static ctr_pending_t *head;
static int npending;
static atomic_ullong ended_waits;
static __thread int depth;   /* pending waits of this thread (nested or suspended) */
static pthread_t watchdog;
static atomic_int running;

void ctr_stall_enter(ctr_pending_t *p, ctr_kind_t kind, int peer, int tag, MPI_Comm comm)
{
    if (!atomic_load_explicit(&running, memory_order_relaxed))
        return;
    p->kind = kind;
    p->peer = peer;
    p->tag = tag;
    p->comm = comm;
    p->thread = ctr_thread_index();
    p->depth = ++depth;
    p->t0 = cont_now_ns();
    pthread_mutex_lock(&mtx);
    p->prev = NULL;
    p->next = head;
    if (head)
        head->prev = p;
    head = p;
    npending++;
    pthread_mutex_unlock(&mtx);
    p->listed = 1;
}

void ctr_stall_leave(ctr_pending_t *p)
{
    if (!p->listed)
        return;
    depth--;
    pthread_mutex_lock(&mtx);
    if (p->prev)
        p->prev->next = p->next;
    else
        head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    npending--;
    pthread_mutex_unlock(&mtx);
    atomic_fetch_add_explicit(&ended_waits, 1, memory_order_relaxed);
}

/* Everything that shows the rank is moving. */
static unsigned long long progress_count(void)
{
    unsigned long long v[CONT_NSTATS];
    cont_th_stats_t h;
    cont_stats_sum(v);
    cont_th_get_stats(&h);
    return atomic_load(&ended_waits) + v[CONT_ST_ops_completed] + v[CONT_ST_run_engine] +
           v[CONT_ST_run_inline] + h.hooked + h.ended;
}

static const char *comm_name(MPI_Comm comm, char *buf)
{
    int len = 0;
    if (PMPI_Comm_get_name(comm, buf, &len) != MPI_SUCCESS || !len)
        snprintf(buf, MPI_MAX_OBJECT_NAME, "communicator 0x%lx", (unsigned long)comm);
    return buf;
}

static int is_recv(ctr_kind_t k)
{
    return k == K_RECV || k == K_MRECV || k == K_PROBE || k == K_MPROBE;
}

static int is_send(ctr_kind_t k)
{
    return k == K_SEND || k == K_SSEND || k == K_BSEND || k == K_RSEND;
}

static void report(double idle_s)
{
    pthread_mutex_lock(&mtx);
    fprintf(stderr, "contrun: rank %d: no progress for %.0f s with %d task-aware MPI call(s) "
            "pending (CONT_STALL_TIMEOUT=%ld):\n", ctr_rank, idle_s, npending,
            ctr_opt.stall_timeout);
    int recvs = 0, sends = 0, colls = 0, shown = 0;
    uint64_t now = cont_now_ns();
    for (ctr_pending_t *p = head; p; p = p->next) {
        recvs += is_recv(p->kind);
        sends += is_send(p->kind);
        colls += p->kind >= K_BARRIER;
        if (shown++ >= 32)
            continue;
        char name[MPI_MAX_OBJECT_NAME], peer[48] = "", tag[32] = "";
        if (p->peer != CTR_NO_PEER)
            snprintf(peer, sizeof peer, p->peer == MPI_ANY_SOURCE ? " %s any source"
                                                                  : " %s rank %d",
                     is_send(p->kind) ? "to" : "from", p->peer);
        if (p->tag != CTR_NO_PEER)
            snprintf(tag, sizeof tag, p->tag == MPI_ANY_TAG ? ", any tag" : ", tag %d", p->tag);
        fprintf(stderr, "contrun: rank %d:   thread %d: %s%s%s on %s, nesting %d, pending "
                "%.1f s\n", ctr_rank, p->thread, ctr_kind_name[p->kind], peer, tag,
                comm_name(p->comm, name), p->depth, (now - p->t0) * 1e-9);
    }
    if (shown > 32)
        fprintf(stderr, "contrun: rank %d:   ... and %d more\n", ctr_rank, shown - 32);
    const char *cause =
        recvs && !sends && !colls
            ? "receives that no send matches: a wrong source, tag or communicator, or sends "
              "that are never posted (a task dependence that waits for one of these receives)"
        : sends && !recvs && !colls
            ? "sends that no receive matches (a large send waits for its receive): a wrong "
              "destination, tag or communicator, or a receive that is never posted"
        : colls && !recvs && !sends
            ? "a collective that another rank never enters, or enters in another order"
            : "a cycle of blocking calls between ranks, or calls no other rank matches";
    fprintf(stderr, "contrun: rank %d: likely cause: %s; ending the job\n", ctr_rank, cause);
    pthread_mutex_unlock(&mtx);
}

static void *watch(void *arg)
{
    (void)arg;
    unsigned long long last = progress_count();
    uint64_t since = cont_now_ns(), limit = (uint64_t)ctr_opt.stall_timeout * 1000000000ull;
    struct timespec tick = {0, 250000000};
    while (atomic_load(&running)) {
        nanosleep(&tick, NULL);
        unsigned long long now_count = progress_count();
        uint64_t now = cont_now_ns();
        pthread_mutex_lock(&mtx);
        int pending = npending;
        pthread_mutex_unlock(&mtx);
        if (!pending || now_count != last) {
            last = now_count;
            since = now;
            continue;
        }
        if (now - since >= limit && atomic_load(&running)) {
            report((now - since) * 1e-9);
            /* Hydra's proxy kills the job on the abort without forwarding
             * what is still in its pipes (on a loaded machine the whole
             * report was lost): give it time to pass the report on first. */
            fflush(stderr);
            struct timespec drain = {0, 300000000};
            nanosleep(&drain, NULL);
            PMPI_Abort(MPI_COMM_WORLD, 3);
        }
    }
    return NULL;
}

void ctr_stall_init(void)
{
    if (ctr_opt.stall_timeout <= 0 || !ctr_task_aware_ok())
        return;
    atomic_store(&running, 1);
    if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
        atomic_store(&running, 0);
}

void ctr_stall_fini(void)
{
    if (!atomic_exchange(&running, 0))
        return;
    pthread_join(watchdog, NULL);
}

/* Statistics counters, one block per thread.
 *
 * Every registration and every callback counts itself.  Shared atomic
 * counters cost the fast path a locked read-modify-write each and, with
 * several threads registering at once, a cache line that bounces between
 * their cores.  Here each thread bumps the counters of its own block with a
 * plain load and store (atomic, relaxed: only the owner writes, anyone may
 * read), and cont_stats_sum adds the blocks up.  A thread's block is made
 * on its first count (if that fails, it counts into the shared totals);
 * when the thread exits its counts fold into `retired` and the block is
 * freed.  The list of blocks is guarded by a mutex taken only on a thread's
 * first count, at its exit, and by readers.
 *
 * Visibility: a count made before a release (a continuation's CR
 * completing, say) is seen by a reader that acquired it, as with the shared
 * atomics this replaces. */
#include "cont-internal.h"

#include <stdlib.h>

_Thread_local cont_tstats_t *cont_tls_stats;

static pthread_mutex_t list_mtx = PTHREAD_MUTEX_INITIALIZER;
static cont_tstats_t *head;
static atomic_ullong retired[CONT_NSTATS];
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok;

/* Thread exit: fold the block into `retired`, unlink and free it. */
static void thread_exit(void *arg)
{
    cont_tstats_t *t = arg;
    pthread_mutex_lock(&list_mtx);
    for (int i = 0; i < CONT_NSTATS; i++)
        atomic_fetch_add_explicit(&retired[i], atomic_load_explicit(&t->v[i], memory_order_relaxed),
                                  memory_order_relaxed);
    if (t->prev)
        t->prev->next = t->next;
    else
        head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&list_mtx);
    cont_tls_stats = NULL;
    free(t);
}

static void make_key(void)
{
    key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
}

/* A library unloaded (dlclose) must not leave threads a destructor to call
 * into unmapped code. */
__attribute__((destructor)) static void drop_key(void)
{
    if (key_ok)
        pthread_key_delete(exit_key);
    key_ok = 0;
}

/* The calling thread's block, made now; NULL if out of memory. */
static cont_tstats_t *attach(void)
{
    pthread_once(&key_once, make_key);
    cont_tstats_t *t = key_ok ? calloc(1, sizeof *t) : NULL;
    if (!t)
        return NULL;
    pthread_mutex_lock(&list_mtx);
    t->next = head;
    if (head)
        head->prev = t;
    head = t;
    pthread_mutex_unlock(&list_mtx);
    pthread_setspecific(exit_key, t);
    cont_tls_stats = t;
    return t;
}

void cont_stat_add_slow(int i, unsigned long long v)
{
    cont_tstats_t *t = attach();
    if (t)
        cont_stat_add(i, v);
    else   /* no block: count into the shared totals */
        atomic_fetch_add_explicit(&retired[i], v, memory_order_relaxed);
}

void cont_stats_sum(unsigned long long out[CONT_NSTATS])
{
    pthread_mutex_lock(&list_mtx);
    for (int i = 0; i < CONT_NSTATS; i++)
        out[i] = atomic_load_explicit(&retired[i], memory_order_acquire);
    for (cont_tstats_t *t = head; t; t = t->next)
        for (int i = 0; i < CONT_NSTATS; i++)
            out[i] += atomic_load_explicit(&t->v[i], memory_order_acquire);
    pthread_mutex_unlock(&list_mtx);
}

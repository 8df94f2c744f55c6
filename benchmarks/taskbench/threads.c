/* threads.c -- per-thread work arrays, allocated once per run so that no
 * task body allocates. */
#include "tb.h"

#include <omp.h>
#include <stdlib.h>

static tb_thread_t *threads;
static int count;   /* OpenMP threads; threads[count] is the creator's */

int tb_threads_init(int nthreads, long most, size_t scratch)
{
    size_t n = (size_t)(most > 0 ? most : 1);
    count = nthreads;
    threads = calloc((size_t)nthreads + 1, sizeof *threads);
    if (!threads)
        return 1;
    for (int k = 0; k <= nthreads; k++) {
        tb_thread_t *t = &threads[k];
        t->in = malloc(n * sizeof *t->in);
        t->in_bytes = malloc(n * sizeof *t->in_bytes);
        t->peer = malloc(n * sizeof *t->peer);
        t->dep = malloc(n * sizeof *t->dep);
        t->reqs = malloc(n * sizeof *t->reqs);
        if (!t->in || !t->in_bytes || !t->peer || !t->dep || !t->reqs)
            return 1;
        if (scratch > 0) {
            t->scratch = aligned_alloc(64, (scratch + 63) & ~(size_t)63);
            if (!t->scratch)
                return 1;
            task_graph_prepare_scratch(t->scratch, scratch);
        }
    }
    return 0;
}

void tb_threads_free(void)
{
    for (int k = 0; threads && k <= count; k++) {
        free(threads[k].scratch);
        free(threads[k].in);
        free(threads[k].in_bytes);
        free(threads[k].peer);
        free(threads[k].dep);
        free(threads[k].reqs);
    }
    free(threads);
    threads = NULL;
}

tb_thread_t *tb_thread(void)
{
    return &threads[omp_get_thread_num()];
}

tb_thread_t *tb_creator(void)
{
    return &threads[count];
}

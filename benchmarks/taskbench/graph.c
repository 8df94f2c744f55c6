/* graph.c -- per-rank layout of one task graph: ownership, cached
 * dependencies, buffers and the tag space. */
#include "tb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "taskbench-libcont: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return p;
}

/* Expand the interval lists of every (dset, local point) into flat arrays. */
static long cache_deps(const tb_graph_t *gr, int reverse, long **off, long **pts)
{
    long nsets = gr->ndsets, total = 0, most = 0;
    *off = xcalloc((size_t)(nsets * gr->n + 1), sizeof(long));
    for (int pass = 0; pass < 2; pass++) {
        long k = 0;
        for (long d = 0; d < nsets; d++) {
            for (long i = 0; i < gr->n; i++) {
                interval_list_t l = reverse
                    ? task_graph_reverse_dependencies(gr->g, d, gr->first + i)
                    : task_graph_dependencies(gr->g, d, gr->first + i);
                long start = k;
                for (long s = 0; s < interval_list_num_intervals(l); s++) {
                    interval_t iv = interval_list_interval(l, s);
                    for (long p = iv.start; p <= iv.end; p++, k++)
                        if (pass)
                            (*pts)[k] = p;
                }
                interval_list_destroy(l);
                (*off)[d * gr->n + i + 1] = k;
                if (k - start > most)
                    most = k - start;
            }
        }
        total = k;
        if (!pass)
            *pts = xcalloc((size_t)total, sizeof(long));
    }
    return most;
}

static int bits_for(long n)
{
    int b = 0;
    while ((1L << b) < n)
        b++;
    return b;
}

int tb_graph_init(tb_graph_t *gr, task_graph_t g, MPI_Comm parent)
{
    memset(gr, 0, sizeof *gr);
    gr->g = g;
    MPI_Comm_dup(parent, &gr->comm);
    MPI_Comm_rank(gr->comm, &gr->rank);
    MPI_Comm_size(gr->comm, &gr->nranks);

    long w = g.max_width, r = gr->rank, nr = gr->nranks, most = 0;
    gr->first = r * w / nr;
    gr->n = (r + 1) * w / nr - gr->first;
    gr->owner = xcalloc((size_t)w, sizeof(int));
    gr->index = xcalloc((size_t)w, sizeof(long));
    for (long q = 0; q < nr; q++) {
        long f = q * w / nr, l = (q + 1) * w / nr;
        for (long p = f; p < l; p++) {
            gr->owner[p] = (int)q;
            gr->index[p] = p - f;
        }
        if (l - f > most)
            most = l - f;
    }

    gr->offset = xcalloc((size_t)g.timesteps + 1, sizeof(long));
    gr->width = xcalloc((size_t)g.timesteps + 1, sizeof(long));
    gr->dset = xcalloc((size_t)g.timesteps, sizeof(long));
    for (long t = -1; t < g.timesteps; t++) {
        gr->offset[t + 1] = task_graph_offset_at_timestep(g, t);
        gr->width[t + 1] = task_graph_width_at_timestep(g, t);
        if (t >= 0)
            gr->dset[t] = task_graph_dependence_set_at_timestep(g, t);
    }
    gr->ndsets = task_graph_max_dependence_sets(g);
    gr->max_deps = cache_deps(gr, 0, &gr->dep_off, &gr->dep_pts);
    gr->max_rev = cache_deps(gr, 1, &gr->rev_off, &gr->rev_pts);

    /* Tags carry (timestep, from, to) in full: no two messages of a graph
     * between two ranks ever share a tag. */
    gr->point_bits = bits_for(most);
    int *tag_ub, flag;
    MPI_Comm_get_attr(gr->comm, MPI_TAG_UB, &tag_ub, &flag);
    if (!flag || (long)g.timesteps > ((long)*tag_ub >> (2 * gr->point_bits))) {
        if (gr->rank == 0)
            fprintf(stderr, "taskbench-libcont: %ld timesteps x %ld points per rank do not fit in "
                    "MPI tags (MPI_TAG_UB %d); use fewer steps or more ranks\n",
                    (long)g.timesteps, most, flag ? *tag_ub : 0);
        return 1;
    }

    gr->bytes = g.output_bytes_per_task;
    gr->stride = (gr->bytes + 63) & ~(size_t)63;   /* no false sharing between buffers */
    gr->out = aligned_alloc(64, gr->stride * (size_t)(gr->n * TB_SLOTS) + 64);
    gr->rin = aligned_alloc(64, gr->stride * (size_t)(gr->n * gr->max_deps * TB_SLOTS) + 64);
    if (!gr->out || !gr->rin) {
        fprintf(stderr, "taskbench-libcont: out of memory for buffers\n");
        return 1;
    }
    return 0;
}

void tb_graph_free(tb_graph_t *gr)
{
    MPI_Comm_free(&gr->comm);
    free(gr->owner);
    free(gr->index);
    free(gr->offset);
    free(gr->width);
    free(gr->dset);
    free(gr->dep_off);
    free(gr->dep_pts);
    free(gr->rev_off);
    free(gr->rev_pts);
    free(gr->out);
    free(gr->rin);
}

long tb_inputs(const tb_graph_t *gr, long i, long t, const char **in, long *peer)
{
    long lo = tb_offset(gr, t - 1), hi = lo + tb_width(gr, t - 1);
    const long *off = gr->dep_off + gr->dset[t] * gr->n + i;
    long n = 0;
    for (long k = off[0]; k < off[1]; k++) {
        long p = gr->dep_pts[k];
        if (p < lo || p >= hi)
            continue;
        if (gr->owner[p] == gr->rank)
            in[n] = tb_out(gr, p - gr->first, t - 1);
        else
            in[n] = tb_rin(gr, i, n, t);
        peer[n++] = p;
    }
    return n;
}

long tb_consumers(const tb_graph_t *gr, long i, long t, long *peer)
{
    if (t + 1 >= gr->g.timesteps)
        return 0;
    long lo = tb_offset(gr, t + 1), hi = lo + tb_width(gr, t + 1);
    const long *off = gr->rev_off + gr->dset[t + 1] * gr->n + i;
    long n = 0;
    for (long k = off[0]; k < off[1]; k++) {
        long p = gr->rev_pts[k];
        if (p >= lo && p < hi && gr->owner[p] != gr->rank)
            peer[n++] = p;
    }
    return n;
}

/*
 * tb.h -- libcont backend of Task Bench: one graph's layout on this rank.
 *
 * Points are distributed in blocks over the ranks, as in Task Bench's MPI
 * backends.  Each local point keeps TB_SLOTS output buffers (timestep t
 * writes slot t % TB_SLOTS) and, for every input position, TB_SLOTS receive
 * buffers, so up to TB_SLOTS timesteps can be in flight: OpenMP's depend
 * clauses on these buffer addresses order writers after earlier readers.
 */
#ifndef TB_H
#define TB_H

#include <stddef.h>
#include <mpi.h>
#include "core_c.h"

/* Timesteps a point may run ahead of its slowest reader (more slots, more overlap). */
#define TB_SLOTS 4

typedef struct tb_graph {
    task_graph_t g;
    MPI_Comm comm;              /* one per graph: -and graphs never match each other */
    int rank, nranks;
    long first, n;              /* local points first .. first + n - 1 */
    int *owner;                 /* rank of each point */
    long *index;                /* index of each point within its owner's block */
    long *offset, *width;       /* per timestep, shifted by one: [0] is timestep -1 */
    long *dset;                 /* dependence set per timestep */
    long ndsets;
    long *dep_off, *dep_pts;    /* dependencies of (dset, local point), expanded */
    long *rev_off, *rev_pts;    /* reverse dependencies, likewise */
    long max_deps, max_rev;
    int point_bits;             /* tag bits for a point index within a rank */
    size_t bytes, stride;       /* output bytes; distance between buffers */
    char *out;                  /* n * TB_SLOTS buffers */
    char *rin;                  /* n * max_deps * TB_SLOTS buffers */
} tb_graph_t;

/* Work arrays of one OpenMP thread (tasks are tied and never yield inside a
 * body, so a body may use its thread's arrays), plus one for the creator. */
typedef struct tb_thread {
    char *scratch;              /* Task Bench kernel scratch */
    const char **in;            /* input buffers */
    size_t *in_bytes;
    long *peer;                 /* producing or consuming points */
    char **dep;                 /* depend-clause addresses (creator only) */
    MPI_Request *reqs;
} tb_thread_t;

/* Allocate the arrays of `nthreads` OpenMP threads and of the creator for up
 * to `most` inputs or consumers and `scratch` bytes of kernel scratch. */
int tb_threads_init(int nthreads, long most, size_t scratch);
void tb_threads_free(void);
/* The calling OpenMP thread's arrays. */
tb_thread_t *tb_thread(void);
/* The task creator's arrays (distinct: a task it creates may run at once). */
tb_thread_t *tb_creator(void);

int tb_graph_init(tb_graph_t *gr, task_graph_t g, MPI_Comm parent);
void tb_graph_free(tb_graph_t *gr);

static inline long tb_offset(const tb_graph_t *gr, long t) { return gr->offset[t + 1]; }
static inline long tb_width(const tb_graph_t *gr, long t) { return gr->width[t + 1]; }

static inline char *tb_out(const tb_graph_t *gr, long i, long t)
{
    return gr->out + (size_t)(i * TB_SLOTS + t % TB_SLOTS) * gr->stride;
}

static inline char *tb_rin(const tb_graph_t *gr, long i, long j, long t)
{
    return gr->rin + (size_t)((i * gr->max_deps + j) * TB_SLOTS + t % TB_SLOTS) * gr->stride;
}

/* Tag of the message from point index `from` to point index `to` feeding timestep t. */
static inline int tb_tag(const tb_graph_t *gr, long t, long from, long to)
{
    return (int)((t << (2 * gr->point_bits)) | (from << gr->point_bits) | to);
}

/* Inputs of local point i at timestep t, in Task Bench's order: in[j] is the
 * buffer to read (the producer's output slot, or a receive buffer), peer[j]
 * the producing point.  Returns their number. */
long tb_inputs(const tb_graph_t *gr, long i, long t, const char **in, long *peer);

/* Remote consumers at timestep t + 1 of local point i's output at t. */
long tb_consumers(const tb_graph_t *gr, long i, long t, long *peer);

/* Create the tasks of every local point of timestep t. */
void tb_spawn_step(const tb_graph_t *gr, long t);

#endif /* TB_H */

/* halo2d: 2D heat diffusion (explicit 5-point stencil) on a Cartesian grid
 * of ranks, the local block split into tiles, in three variants with the
 * same numerics:
 *   bsp     fork-join: exchange all halos (Waitall), then a parallel loop;
 *   tasks   one task per tile and one exchange task per iteration that
 *           posts every halo message and blocks in MPI_Waitall (naive);
 *   detach  one task per tile, one detached task per halo piece (omp-glue):
 *           a receive completes when its message arrives, a send when its
 *           buffer may be reused, and only the tiles along a block edge wait
 *           for them, so interior tiles overlap with communication.
 * Halo pieces follow the tiles (one message per tile along each block edge).
 * --check compares the global grid with a serial computation bit for bit.
 *
 * Usage: mpiexec -n R ./halo2d [--variant bsp|tasks|detach] [--n N]
 *        [--iters I] [--tile T] [--check]                               */
#include "omp-continue.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NORTH, SOUTH, WEST, EAST };
enum { BSP, TASKS, DETACH };
static const char *variant_names[] = {"bsp", "tasks", "detach"};
#define ALPHA 0.2
#define HOT 1.0

typedef struct {
    int n, iters, tile, variant, check;
    int rank, size, dims[2], coords[2], nbr[4];
    MPI_Comm comm;
    int lx, ly, gx0, gy0;   /* interior rows/cols of this block, global offset */
    int tx, ty;             /* tiles along rows/cols */
    int ld;                 /* leading dimension: ly + 2 */
    double *buf[2];
    char *tile_dep[2];      /* dependence sentinels: one per tile per buffer */
    char *halo_dep[2][4];   /* one per halo piece per direction per buffer */
    MPI_Datatype *col;      /* column piece of tile row k (W/E halos) */
    atomic_long tiles_done; /* tile updates finished (detach: creation window) */
} grid_t;

#define AT(g, b, i, j) ((g)->buf[b][(size_t)(i) * (g)->ld + (j)])

static int opposite(int d) { return d ^ 1; }
static int min(int a, int b) { return a < b ? a : b; }

/* ------------------------------------------------------------ set-up */

static void split(int n, int parts, int c, int *len, int *off)
{
    *len = n / parts + (c < n % parts);
    *off = c * (n / parts) + min(c, n % parts);
}

static void setup(grid_t *g)
{
    MPI_Comm_size(MPI_COMM_WORLD, &g->size);
    MPI_Dims_create(g->size, 2, g->dims);
    int periods[2] = {0, 0};
    MPI_Cart_create(MPI_COMM_WORLD, 2, g->dims, periods, 0, &g->comm);
    MPI_Comm_rank(g->comm, &g->rank);
    MPI_Cart_coords(g->comm, g->rank, 2, g->coords);
    MPI_Cart_shift(g->comm, 0, 1, &g->nbr[NORTH], &g->nbr[SOUTH]);
    MPI_Cart_shift(g->comm, 1, 1, &g->nbr[WEST], &g->nbr[EAST]);
    split(g->n, g->dims[0], g->coords[0], &g->lx, &g->gx0);
    split(g->n, g->dims[1], g->coords[1], &g->ly, &g->gy0);
    g->tx = (g->lx + g->tile - 1) / g->tile;
    g->ty = (g->ly + g->tile - 1) / g->tile;
    g->ld = g->ly + 2;
    for (int b = 0; b < 2; b++) {
        g->buf[b] = calloc((size_t)(g->lx + 2) * g->ld, sizeof(double));
        g->tile_dep[b] = calloc((size_t)g->tx * g->ty, 1);
        for (int d = 0; d < 4; d++)
            g->halo_dep[b][d] = calloc((size_t)(d < WEST ? g->ty : g->tx), 1);
        /* Dirichlet boundary: the global north edge is hot, the rest cold. */
        if (g->nbr[NORTH] == MPI_PROC_NULL)
            for (int j = 0; j < g->ld; j++)
                AT(g, b, 0, j) = HOT;
    }
    g->col = malloc((size_t)g->tx * sizeof *g->col);
    for (int k = 0; k < g->tx; k++) {
        MPI_Type_vector(min(g->tile, g->lx - k * g->tile), 1, g->ld, MPI_DOUBLE, &g->col[k]);
        MPI_Type_commit(&g->col[k]);
    }
}

/* ------------------------------------------------------------ halo pieces */

typedef struct {
    double *send, *recv;
    int count;
    MPI_Datatype type;
} piece_t;

/* Piece k of edge d of buffer b: what we send there and where its halo
 * lands.  N/S pieces follow tile columns, W/E pieces tile rows. */
static piece_t piece(grid_t *g, int b, int d, int k)
{
    piece_t p;
    if (d == NORTH || d == SOUTH) {
        int c0 = k * g->tile, w = min(g->tile, g->ly - c0);
        int edge = d == NORTH ? 1 : g->lx, halo = d == NORTH ? 0 : g->lx + 1;
        p = (piece_t){&AT(g, b, edge, 1 + c0), &AT(g, b, halo, 1 + c0), w, MPI_DOUBLE};
    } else {
        int r0 = k * g->tile;
        int edge = d == WEST ? 1 : g->ly, halo = d == WEST ? 0 : g->ly + 1;
        p = (piece_t){&AT(g, b, 1 + r0, edge), &AT(g, b, 1 + r0, halo), 1, g->col[k]};
    }
    return p;
}

static int npieces(grid_t *g, int d) { return d < WEST ? g->ty : g->tx; }

/* The tile whose cells piece k of edge d sends. */
static int edge_tile(grid_t *g, int d, int k)
{
    switch (d) {
    case NORTH: return k;
    case SOUTH: return (g->tx - 1) * g->ty + k;
    case WEST: return k * g->ty;
    default: return k * g->ty + g->ty - 1;
    }
}

/* Tags carry the iteration (mod 8), the sender's edge and the piece. */
static int tag(grid_t *g, int it, int sender_edge, int k)
{
    int maxp = g->tx > g->ty ? g->tx : g->ty;
    return ((it & 7) * 4 + sender_edge) * maxp + k;
}

/* Post every halo message of iteration it (buffer b holds the current
 * values); returns the number of requests. */
static int post_exchange(grid_t *g, int it, int b, MPI_Request *reqs)
{
    int n = 0;
    for (int d = 0; d < 4; d++) {
        if (g->nbr[d] == MPI_PROC_NULL)
            continue;
        for (int k = 0; k < npieces(g, d); k++) {
            piece_t p = piece(g, b, d, k);
            MPI_Irecv(p.recv, p.count, p.type, g->nbr[d], tag(g, it, opposite(d), k), g->comm,
                      &reqs[n++]);
            MPI_Isend(p.send, p.count, p.type, g->nbr[d], tag(g, it, d, k), g->comm, &reqs[n++]);
        }
    }
    return n;
}

/* ------------------------------------------------------------ compute */

static void update_tile(grid_t *g, int src, int t)
{
    int ti = t / g->ty, tj = t % g->ty;
    int r0 = 1 + ti * g->tile, r1 = 1 + min((ti + 1) * g->tile, g->lx);
    int c0 = 1 + tj * g->tile, c1 = 1 + min((tj + 1) * g->tile, g->ly);
    const double *u = g->buf[src];
    double *v = g->buf[!src];
    int ld = g->ld;
    for (int i = r0; i < r1; i++)
        for (int j = c0; j < c1; j++) {
            size_t x = (size_t)i * ld + j;
            v[x] = u[x] + ALPHA * (u[x - ld] + u[x + ld] + u[x - 1] + u[x + 1] - 4.0 * u[x]);
        }
}

/* Dependence sentinels a tile task reads: itself, its four neighbours
 * inside the block, and the halo pieces along the block edges it touches
 * (the tile's own sentinel stands in where there is none). */
static void tile_inputs(grid_t *g, int src, int t, char *in[9])
{
    int ti = t / g->ty, tj = t % g->ty;
    char *self = &g->tile_dep[src][t];
    in[0] = self;
    in[1] = ti > 0 ? self - g->ty : self;
    in[2] = ti < g->tx - 1 ? self + g->ty : self;
    in[3] = tj > 0 ? self - 1 : self;
    in[4] = tj < g->ty - 1 ? self + 1 : self;
    in[5] = ti == 0 ? &g->halo_dep[src][NORTH][tj] : self;
    in[6] = ti == g->tx - 1 ? &g->halo_dep[src][SOUTH][tj] : self;
    in[7] = tj == 0 ? &g->halo_dep[src][WEST][ti] : self;
    in[8] = tj == g->ty - 1 ? &g->halo_dep[src][EAST][ti] : self;
}

static void spawn_tiles(grid_t *g, int src)
{
    for (int t = 0; t < g->tx * g->ty; t++) {
        char *in[9], *out = &g->tile_dep[!src][t];
        tile_inputs(g, src, t, in);
#pragma omp task depend(in: *in[0], *in[1], *in[2], *in[3], *in[4], *in[5], *in[6], *in[7], \
                            *in[8]) depend(out: *out) firstprivate(t, src, g)
        {
            update_tile(g, src, t);
            atomic_fetch_add_explicit(&g->tiles_done, 1, memory_order_relaxed);
        }
    }
}

static void run_bsp(grid_t *g, MPI_Request *reqs)
{
    for (int it = 0; it < g->iters; it++) {
        int src = it & 1, n = post_exchange(g, it, src, reqs);
        MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
#pragma omp parallel for schedule(static)
        for (int t = 0; t < g->tx * g->ty; t++)
            update_tile(g, src, t);
    }
}

/* Naive tasks: the exchange is one task that blocks a worker in Waitall. */
static void run_tasks(grid_t *g, MPI_Request *reqs)
{
    int nedge = 0, nhalo = 0, maxp = 2 * (g->tx + g->ty);
    char **edge = malloc(2 * (size_t)maxp * sizeof *edge), **halo = edge + maxp;
#pragma omp parallel
#pragma omp single
    for (int it = 0; it < g->iters; it++) {
        int src = it & 1;
        nedge = nhalo = 0;
        for (int d = 0; d < 4; d++)
            if (g->nbr[d] != MPI_PROC_NULL)
                for (int k = 0; k < npieces(g, d); k++) {
                    edge[nedge++] = &g->tile_dep[src][edge_tile(g, d, k)];
                    halo[nhalo++] = &g->halo_dep[src][d][k];
                }
        /* No neighbour (one rank): no exchange task; an empty iterator
         * range would also be a zero-length array in clang's lowering. */
        if (nedge > 0) {
#pragma omp task depend(iterator(k = 0:nedge), in: *edge[k]) \
                 depend(iterator(k = 0:nhalo), out: *halo[k]) firstprivate(it, src) shared(g, reqs)
            {
                int n = post_exchange(g, it, src, reqs);
                MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
            }
        }
        spawn_tiles(g, src);
    }
    free(edge);
}

/* One iteration's halo pieces, each its own detached receive and send task. */
static void spawn_halo_tasks(grid_t *g, int it)
{
    int src = it & 1;
    for (int d = 0; d < 4; d++) {
        if (g->nbr[d] == MPI_PROC_NULL)
            continue;
        for (int k = 0; k < npieces(g, d); k++) {
            piece_t p = piece(g, src, d, k);
            char *halo = &g->halo_dep[src][d][k], *edge = &g->tile_dep[src][edge_tile(g, d, k)];
            int peer = g->nbr[d], rtag = tag(g, it, opposite(d), k), stag = tag(g, it, d, k);
            MPI_Comm comm = g->comm;
            /* (set by detach; initialised for clang's orphaned-task warning) */
            omp_event_handle_t rev = (omp_event_handle_t)0, sev = (omp_event_handle_t)0;
#pragma omp task detach(rev) depend(out: *halo) firstprivate(p, peer, rtag, comm)
            ompc_irecv(p.recv, p.count, p.type, peer, rtag, comm, MPI_STATUS_IGNORE, rev);
#pragma omp task detach(sev) depend(in: *edge) firstprivate(p, peer, stag, comm)
            ompc_isend(p.send, p.count, p.type, peer, stag, comm, sev);
        }
    }
}

/* Detached halo tasks.  The creating thread drives progress
 * (ompc_drive_begin/end): completions are noticed between tasks and
 * fulfilled on that thread, so no core is needed for the progress thread.
 * It creates iteration it only once iteration it - AHEAD - 1 has finished:
 * libomp's cost per task grows with the tasks waiting on dependences
 * (creating all iterations up front made creation itself the bottleneck;
 * 2 ranks x 1 thread, n 256, tile 16: 6.8e7 updates/s with no window,
 * 2.2e8 with AHEAD 4, 3.1-3.8e8 with 2, 3.3-3.4e8 with 1, which is also
 * best at 2 ranks x 2 threads). */
#define AHEAD 1
static void run_detach(grid_t *g)
{
    long ntiles = (long)g->tx * g->ty;
    atomic_store(&g->tiles_done, 0);
#pragma omp parallel
#pragma omp single
    {
        ompc_drive_begin();
        for (int it = 0; it < g->iters; it++) {
            while (atomic_load_explicit(&g->tiles_done, memory_order_relaxed) <
                   (it - AHEAD) * ntiles)
                ompc_drive_step();
            spawn_halo_tasks(g, it);
            spawn_tiles(g, it & 1);
        }
        ompc_drive_end();
    }
}

/* ------------------------------------------------------------ results */

static double residual(grid_t *g)
{
    int last = g->iters & 1;   /* buffer holding the final values */
    double s = 0, all;
    for (int i = 1; i <= g->lx; i++)
        for (int j = 1; j <= g->ly; j++) {
            double d = AT(g, last, i, j) - AT(g, !last, i, j);
            s += d * d;
        }
    MPI_Allreduce(&s, &all, 1, MPI_DOUBLE, MPI_SUM, g->comm);
    return sqrt(all);
}

/* Gather the global grid on rank 0 and compare with a serial run. */
static int check(grid_t *g)
{
    int last = g->iters & 1, meta[4] = {g->gx0, g->gy0, g->lx, g->ly};
    double *mine = malloc((size_t)g->lx * g->ly * sizeof(double));
    for (int i = 0; i < g->lx; i++)
        memcpy(&mine[(size_t)i * g->ly], &AT(g, last, i + 1, 1), (size_t)g->ly * sizeof(double));
    int *metas = NULL, *counts = NULL, *displs = NULL;
    double *all = NULL;
    if (g->rank == 0) {
        metas = malloc(4 * (size_t)g->size * sizeof(int));
        counts = malloc((size_t)g->size * sizeof(int));
        displs = malloc((size_t)g->size * sizeof(int));
        all = malloc((size_t)g->n * g->n * sizeof(double));
    }
    MPI_Gather(meta, 4, MPI_INT, metas, 4, MPI_INT, 0, g->comm);
    if (g->rank == 0)
        for (int r = 0, off = 0; r < g->size; r++) {
            counts[r] = metas[4 * r + 2] * metas[4 * r + 3];
            displs[r] = off;
            off += counts[r];
        }
    MPI_Gatherv(mine, g->lx * g->ly, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, g->comm);
    free(mine);
    int ok = 1;
    if (g->rank == 0) {
        grid_t s = {.n = g->n, .iters = g->iters, .tile = g->n, .lx = g->n, .ly = g->n,
                    .tx = 1, .ty = 1, .ld = g->n + 2};
        s.nbr[NORTH] = MPI_PROC_NULL;
        for (int b = 0; b < 2; b++) {
            s.buf[b] = calloc((size_t)(s.lx + 2) * s.ld, sizeof(double));
            for (int j = 0; j < s.ld; j++)
                AT(&s, b, 0, j) = HOT;
        }
        for (int it = 0; it < s.iters; it++)
            update_tile(&s, it & 1, 0);
        double maxdiff = 0;
        for (int r = 0; r < g->size; r++) {
            const int *m = &metas[4 * r];
            const double *blk = &all[displs[r]];
            for (int i = 0; i < m[2]; i++)
                for (int j = 0; j < m[3]; j++) {
                    double d = fabs(blk[(size_t)i * m[3] + j] - AT(&s, last, m[0] + i + 1, m[1] + j + 1));
                    maxdiff = d > maxdiff ? d : maxdiff;
                }
        }
        ok = maxdiff == 0.0;
        printf("halo2d: check against a serial run: max |difference| %.3g: %s\n", maxdiff,
               ok ? "OK" : "MISMATCH");
        free(s.buf[0]);
        free(s.buf[1]);
        free(metas), free(counts), free(displs), free(all);
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, g->comm);
    return ok;
}

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--variant bsp|tasks|detach] [--n N] [--iters I] [--tile T] "
            "[--check]\n", prog);
}

int main(int argc, char **argv)
{
    grid_t g = {.n = 2048, .iters = 100, .tile = 256, .variant = DETACH};
    int provided, bad = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--check"))
            g.check = 1;
        else if (!strcmp(argv[a], "--variant") && v) {
            int k;
            for (k = 0; k < 3 && strcmp(v, variant_names[k]); k++)
                ;
            bad |= k == 3;
            g.variant = k;
            a++;
        } else if (!strcmp(argv[a], "--n") && v)
            g.n = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--iters") && v)
            g.iters = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--tile") && v)
            g.tile = atoi(argv[++a]);
        else
            bad = 1;
    }
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    bad |= g.n < 1 || g.iters < 1 || g.tile < 1;
    if (!bad && g.variant != BSP && provided < MPI_THREAD_MULTIPLE) {
        fprintf(stderr, "halo2d: the %s variant needs MPI_THREAD_MULTIPLE\n", variant_names[g.variant]);
        bad = 1;
    }
    if (bad) {
        int r;
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        if (r == 0)
            usage(argv[0]);
        MPI_Finalize();
        return 2;
    }
    setup(&g);
    if (g.lx < 1 || g.ly < 1) {
        if (g.rank == 0)
            fprintf(stderr, "halo2d: grid %d too small for %d ranks\n", g.n, g.size);
        MPI_Finalize();
        return 2;
    }
    MPI_Request *reqs = malloc(4 * (size_t)(g.tx + g.ty) * sizeof *reqs);
    MPI_Barrier(g.comm);
    double t0 = MPI_Wtime();
    if (g.variant == BSP)
        run_bsp(&g, reqs);
    else if (g.variant == TASKS)
        run_tasks(&g, reqs);
    else
        run_detach(&g);
    MPI_Barrier(g.comm);
    double t = MPI_Wtime() - t0, res = residual(&g);
    if (g.rank == 0)
        printf("halo2d: variant %s, grid %dx%d, %d ranks (%dx%d) x %d threads, tile %d, "
               "%d iterations, %.3f s, %.3e updates/s, residual %.6e\n",
               variant_names[g.variant], g.n, g.n, g.size, g.dims[0], g.dims[1],
               omp_get_max_threads(), g.tile, g.iters, t, (double)g.n * g.n * g.iters / t, res);
    int ok = g.check ? check(&g) : 1;
    for (int k = 0; k < g.tx; k++)
        MPI_Type_free(&g.col[k]);
    MPI_Comm_free(&g.comm);
    for (int b = 0; b < 2; b++) {
        free(g.buf[b]);
        free(g.tile_dep[b]);
        for (int d = 0; d < 4; d++)
            free(g.halo_dep[b][d]);
    }
    free(g.col);
    free(reqs);
    MPI_Finalize();
    return ok ? 0 : 1;
}

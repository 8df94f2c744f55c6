/* halo3d-offload: 3D heat diffusion (explicit 7-point stencil) with the
 * grid in device memory (OpenMP target offload), on a 3D Cartesian grid of
 * ranks, the local block split into z-slabs, in three variants with the same
 * numerics:
 *   bsp     per iteration: pack every halo face on the device, copy the
 *           packed faces to the host, exchange them (Waitall), copy the
 *           received halos to the device, unpack, then one kernel over the
 *           whole block; every step waits for the one before;
 *   tasks   a task graph of `target ... nowait depend` tasks (pack, update
 *           from, update to, unpack, one kernel per slab) around one
 *           exchange task per iteration that posts every message and blocks
 *           in MPI_Waitall (naive);
 *   detach  the same graph with one detached task per halo message
 *           (omp-glue): a receive completes when its message has arrived, a
 *           send when its host buffer may be reused, and only the kernels of
 *           the slabs that read that halo wait for it, so interior slabs
 *           overlap with communication and no thread blocks in MPI.
 * Halos are staged through host buffers (the MPI library need not be
 * CUDA-aware): pack kernel on the device -> target update from -> MPI_Isend;
 * MPI_Irecv -> target update to -> unpack kernel on the device.  Halo pieces
 * follow the slabs: an x or y face is one message per slab, a z face (which
 * only the first or last slab reads) one message.  The Cartesian dimensions
 * are z, y, x (z slowest in memory); --dims and the output give them as XxYxZ.
 *
 * --check gathers the global grid on rank 0 and compares it with a serial
 * host computation bit for bit.  Device and host evaluate the same function
 * (stencil(), declared target) and the build uses -ffp-contract=off: a GPU
 * contracts `u + ALPHA * (...)` into a fused multiply-add otherwise, whose
 * single rounding differs from the host's, and the check could never be exact.
 *
 * Usage: mpiexec -n R ./halo3d-offload [--variant bsp|tasks|detach] [--n N]
 *        [--iters I] [--slabs S | --chunk PLANES] [--dims XxYxZ] [--check] */
#include "omp-continue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { XLO, XHI, YLO, YHI, ZLO, ZHI, NFACES };
enum { BSP, TASKS, DETACH };
static const char *variant_names[] = {"bsp", "tasks", "detach"};
#define ALPHA 0.1   /* stable for ALPHA <= 1/6 */
#define HOT 1.0

#pragma omp declare target
/* One cell of the update; x indexes u, sy and sz are the y and z pitches. */
static inline double stencil(const double *u, size_t x, size_t sy, size_t sz)
{
    return u[x] + ALPHA * (u[x - 1] + u[x + 1] + u[x - sy] + u[x + sy] + u[x - sz] + u[x + sz]
                           - 6.0 * u[x]);
}
#pragma omp end declare target

/* A halo piece: n2 rows of n1 cells (strides st2, st1) at u[send] that go to
 * the neighbour, and the halo cells at u[recv] that come from it; staged at
 * offset off of the host/device staging buffers. */
typedef struct {
    size_t send, recv, st1, st2, off;
    int n1, n2;
    int slab;   /* the slab whose cells it sends and whose kernel reads its halo */
} piece_t;

typedef struct {
    int n, iters, slabs, chunk, variant, check;
    int rank, size, dims[3], coords[3], nbr[NFACES];   /* dims, coords: z, y, x */
    MPI_Comm comm;
    int lx, ly, lz, gx0, gy0, gz0;   /* interior cells of this block, global offset */
    int ns;                          /* slabs of this block */
    int *k0;                         /* slab s covers planes k0[s] .. k0[s+1]-1 */
    size_t sy, sz, len;              /* pitches and cells of a buffer, halo included */
    double *u[2];                    /* the grid, twice (iteration parity) */
    double *sbuf[2], *rbuf[2];       /* staging buffers, per parity */
    size_t nstage;                   /* cells of a staging buffer */
    int np[NFACES], maxp, tagp;      /* pieces per face, local max, global max */
    int nreq;                        /* requests of one exchange, at most */
    piece_t *pc[NFACES];
    int dev, ndev;
    /* dependence sentinels, per parity: slab values, halo piece unpacked,
     * send staging ready, receive staging ready */
    char *slab_dep[2], *halo_dep[2], *sdep[2], *rdep[2];
} grid_t;

static int min(int a, int b) { return a < b ? a : b; }

#define PIECE_DEP(g, arr, b, d, p) (&(g)->arr[b][(d) * (g)->maxp + (p)])

/* ------------------------------------------------------------ set-up */

static void split(int n, int parts, int c, int *len, int *off)
{
    *len = n / parts + (c < n % parts);
    *off = c * (n / parts) + min(c, n % parts);
}

static void set_piece(grid_t *g, int d, int p, size_t *off)
{
    piece_t *q = &g->pc[d][p];
    int lo = !(d & 1), k0 = g->k0[p], k1 = g->k0[p + 1];
    size_t sy = g->sy, sz = g->sz, edge, halo;
    switch (d / 2) {
    case 0:   /* x face: j fast, k slow, one piece per slab */
        edge = lo ? 1 : (size_t)g->lx, halo = lo ? 0 : (size_t)g->lx + 1;
        *q = (piece_t){.send = k0 * sz + sy + edge, .recv = k0 * sz + sy + halo, .st1 = sy,
                       .st2 = sz, .n1 = g->ly, .n2 = k1 - k0, .slab = p};
        break;
    case 1:   /* y face: i fast, k slow, one piece per slab */
        edge = lo ? 1 : (size_t)g->ly, halo = lo ? 0 : (size_t)g->ly + 1;
        *q = (piece_t){.send = k0 * sz + edge * sy + 1, .recv = k0 * sz + halo * sy + 1,
                       .st1 = 1, .st2 = sz, .n1 = g->lx, .n2 = k1 - k0, .slab = p};
        break;
    default:  /* z face: i fast, j slow, one piece */
        edge = lo ? 1 : (size_t)g->lz, halo = lo ? 0 : (size_t)g->lz + 1;
        *q = (piece_t){.send = edge * sz + sy + 1, .recv = halo * sz + sy + 1, .st1 = 1,
                       .st2 = sy, .n1 = g->lx, .n2 = g->ly, .slab = lo ? 0 : g->ns - 1};
        break;
    }
    q->off = *off;
    *off += (size_t)q->n1 * q->n2;
}

static void setup(grid_t *g)
{
    MPI_Comm_size(MPI_COMM_WORLD, &g->size);
    MPI_Dims_create(g->size, 3, g->dims);
    int periods[3] = {0, 0, 0};
    MPI_Cart_create(MPI_COMM_WORLD, 3, g->dims, periods, 0, &g->comm);
    MPI_Comm_rank(g->comm, &g->rank);
    MPI_Cart_coords(g->comm, g->rank, 3, g->coords);
    MPI_Cart_shift(g->comm, 0, 1, &g->nbr[ZLO], &g->nbr[ZHI]);
    MPI_Cart_shift(g->comm, 1, 1, &g->nbr[YLO], &g->nbr[YHI]);
    MPI_Cart_shift(g->comm, 2, 1, &g->nbr[XLO], &g->nbr[XHI]);
    split(g->n, g->dims[0], g->coords[0], &g->lz, &g->gz0);
    split(g->n, g->dims[1], g->coords[1], &g->ly, &g->gy0);
    split(g->n, g->dims[2], g->coords[2], &g->lx, &g->gx0);

    /* Slabs depend on lz alone, so x and y neighbours (same lz) agree. */
    g->ns = g->chunk > 0 ? (g->lz + g->chunk - 1) / g->chunk : min(g->slabs, g->lz);
    if (g->ns < 1)
        g->ns = 1;
    g->k0 = malloc((size_t)(g->ns + 1) * sizeof *g->k0);
    for (int s = 0; s <= g->ns; s++)
        g->k0[s] = 1 + s * (g->lz / g->ns) + min(s, g->lz % g->ns);
    g->sy = (size_t)g->lx + 2;
    g->sz = g->sy * ((size_t)g->ly + 2);
    g->len = g->sz * ((size_t)g->lz + 2);

    size_t off = 0;
    for (int d = 0; d < NFACES; d++) {
        g->np[d] = d < ZLO ? g->ns : 1;
        g->pc[d] = malloc((size_t)g->np[d] * sizeof(piece_t));
        for (int p = 0; p < g->np[d]; p++)
            set_piece(g, d, p, &off);
    }
    g->nstage = off;
    g->nreq = 0;
    for (int d = 0; d < NFACES; d++)
        g->nreq += 2 * g->np[d];
    g->maxp = g->ns;
    MPI_Allreduce(&g->maxp, &g->tagp, 1, MPI_INT, MPI_MAX, g->comm);

    for (int b = 0; b < 2; b++) {
        g->u[b] = calloc(g->len, sizeof(double));
        g->sbuf[b] = calloc(g->nstage, sizeof(double));
        g->rbuf[b] = calloc(g->nstage, sizeof(double));
        g->slab_dep[b] = calloc((size_t)g->ns, 1);
        g->halo_dep[b] = calloc((size_t)NFACES * g->maxp, 1);
        g->sdep[b] = calloc((size_t)NFACES * g->maxp, 1);
        g->rdep[b] = calloc((size_t)NFACES * g->maxp, 1);
        /* Dirichlet boundary: the global z = 0 face is hot, the rest cold. */
        if (g->nbr[ZLO] == MPI_PROC_NULL)
            for (size_t x = 0; x < g->sz; x++)
                g->u[b][x] = HOT;
    }

    /* One device per rank on a node, round robin (0 devices: host fallback). */
    MPI_Comm node;
    int local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &local);
    MPI_Comm_free(&node);
    g->ndev = omp_get_num_devices();
    g->dev = g->ndev > 0 ? local % g->ndev : omp_get_default_device();

    double *u0 = g->u[0], *u1 = g->u[1], *s0 = g->sbuf[0], *s1 = g->sbuf[1];
    double *r0 = g->rbuf[0], *r1 = g->rbuf[1];
    size_t len = g->len, ns = g->nstage;
#pragma omp target enter data device(g->dev) map(to: u0[0:len], u1[0:len], s0[0:ns], s1[0:ns], \
                                                     r0[0:ns], r1[0:ns])
}

static void teardown(grid_t *g)
{
    double *u0 = g->u[0], *u1 = g->u[1], *s0 = g->sbuf[0], *s1 = g->sbuf[1];
    double *r0 = g->rbuf[0], *r1 = g->rbuf[1];
    size_t len = g->len, ns = g->nstage;
#pragma omp target exit data device(g->dev) map(delete: u0[0:len], u1[0:len], s0[0:ns], \
                                                        s1[0:ns], r0[0:ns], r1[0:ns])
    for (int b = 0; b < 2; b++) {
        free(g->u[b]), free(g->sbuf[b]), free(g->rbuf[b]);
        free(g->slab_dep[b]), free(g->halo_dep[b]), free(g->sdep[b]), free(g->rdep[b]);
    }
    for (int d = 0; d < NFACES; d++)
        free(g->pc[d]);
    free(g->k0);
    MPI_Comm_free(&g->comm);
}

/* Tags carry the iteration (mod 8), the sender's face and the piece. */
static int tag(grid_t *g, int it, int sender_face, int p)
{
    return ((it & 7) * NFACES + sender_face) * g->tagp + p;
}

/* ------------------------------------------------------------ bsp */

static void run_bsp(grid_t *g, MPI_Request *reqs)
{
    int dev = g->dev, lx = g->lx, ly = g->ly, lz = g->lz;
    size_t sy = g->sy, sz = g->sz, nst = g->nstage;
    for (int it = 0; it < g->iters; it++) {
        int src = it & 1;
        double *u = g->u[src], *v = g->u[!src], *sb = g->sbuf[src], *rb = g->rbuf[src];
        for (int d = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++) {
                piece_t *q = &g->pc[d][p];   /* scalars in target regions: see spawn_pack */
                int n1 = q->n1, n2 = q->n2;
                size_t off = q->off, base = q->send, st1 = q->st1, st2 = q->st2;
#pragma omp target teams distribute parallel for collapse(2) device(dev)
                for (int a = 0; a < n2; a++)
                    for (int c = 0; c < n1; c++)
                        sb[off + (size_t)a * n1 + c] = u[base + a * st2 + c * st1];
            }
#pragma omp target update device(dev) from(sb[0:nst])
        int n = 0;
        for (int d = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++) {
                piece_t q = g->pc[d][p];
                int cnt = q.n1 * q.n2;
                MPI_Irecv(rb + q.off, cnt, MPI_DOUBLE, g->nbr[d], tag(g, it, d ^ 1, p), g->comm,
                          &reqs[n++]);
                MPI_Isend(sb + q.off, cnt, MPI_DOUBLE, g->nbr[d], tag(g, it, d, p), g->comm,
                          &reqs[n++]);
            }
        MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
#pragma omp target update device(dev) to(rb[0:nst])
        for (int d = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++) {
                piece_t *q = &g->pc[d][p];
                int n1 = q->n1, n2 = q->n2;
                size_t off = q->off, base = q->recv, st1 = q->st1, st2 = q->st2;
#pragma omp target teams distribute parallel for collapse(2) device(dev)
                for (int a = 0; a < n2; a++)
                    for (int c = 0; c < n1; c++)
                        u[base + a * st2 + c * st1] = rb[off + (size_t)a * n1 + c];
            }
#pragma omp target teams distribute parallel for collapse(3) device(dev)
        for (int k = 1; k <= lz; k++)
            for (int j = 1; j <= ly; j++)
                for (int i = 1; i <= lx; i++) {
                    size_t x = k * sz + j * sy + i;
                    v[x] = stencil(u, x, sy, sz);
                }
    }
}

/* ------------------------------------------------------------ task graph */

/* Pack piece q of buffer src on the device and copy it to the host staging
 * buffer: ready (*sd) once the slab it reads (*ed) is computed. */
static void spawn_pack(grid_t *g, int src, piece_t q, char *ed, char *sd)
{
    /* Scalars only: clang-19 reads a struct firstprivate of a deferred
     * (nowait) target region from this frame when the target task runs, not
     * when it is created (wrong values, crashes). */
    int dev = g->dev, n1 = q.n1, n2 = q.n2;
    size_t off = q.off, base = q.send, st1 = q.st1, st2 = q.st2, cnt = (size_t)n1 * n2;
    double *u = g->u[src], *sb = g->sbuf[src];
#pragma omp target teams distribute parallel for collapse(2) device(dev) nowait \
            depend(in: *ed) depend(out: *sd)
    for (int a = 0; a < n2; a++)
        for (int c = 0; c < n1; c++)
            sb[off + (size_t)a * n1 + c] = u[base + a * st2 + c * st1];
#pragma omp target update device(dev) from(sb[off:cnt]) nowait depend(inout: *sd)
}

/* Copy received piece q to the device once it is in the host staging buffer
 * (*rd), and unpack it into the halo of buffer src (*hd). */
static void spawn_unpack(grid_t *g, int src, piece_t q, char *rd, char *hd)
{
    int dev = g->dev, n1 = q.n1, n2 = q.n2;
    size_t off = q.off, base = q.recv, st1 = q.st1, st2 = q.st2, cnt = (size_t)n1 * n2;
    double *u = g->u[src], *rb = g->rbuf[src];
#pragma omp target update device(dev) to(rb[off:cnt]) nowait depend(inout: *rd)
#pragma omp target teams distribute parallel for collapse(2) device(dev) nowait \
            depend(in: *rd) depend(out: *hd)
    for (int a = 0; a < n2; a++)
        for (int c = 0; c < n1; c++)
            u[base + a * st2 + c * st1] = rb[off + (size_t)a * n1 + c];
}

/* One kernel per slab: it reads its own slab and its two neighbours (the z
 * halo for the first and last slab) and the x/y halo pieces of its planes. */
static void spawn_slabs(grid_t *g, int src)
{
    int dev = g->dev, lx = g->lx, ly = g->ly;
    size_t sy = g->sy, sz = g->sz;
    double *u = g->u[src], *v = g->u[!src];
    for (int s = 0; s < g->ns; s++) {
        char *self = &g->slab_dep[src][s], *in[9], *out = &g->slab_dep[!src][s];
        in[0] = self;
        in[1] = s > 0 ? self - 1 : self;
        in[2] = s < g->ns - 1 ? self + 1 : self;
        for (int d = XLO; d <= YHI; d++)
            in[3 + d] = g->nbr[d] != MPI_PROC_NULL ? PIECE_DEP(g, halo_dep, src, d, s) : self;
        in[7] = s == 0 && g->nbr[ZLO] != MPI_PROC_NULL ? PIECE_DEP(g, halo_dep, src, ZLO, 0) : self;
        in[8] = s == g->ns - 1 && g->nbr[ZHI] != MPI_PROC_NULL ? PIECE_DEP(g, halo_dep, src, ZHI, 0)
                                                               : self;
        int k0 = g->k0[s], k1 = g->k0[s + 1];
#pragma omp target teams distribute parallel for collapse(3) device(dev) nowait \
            depend(in: *in[0], *in[1], *in[2], *in[3], *in[4], *in[5], *in[6], *in[7], *in[8]) \
            depend(out: *out)
        for (int k = k0; k < k1; k++)
            for (int j = 1; j <= ly; j++)
                for (int i = 1; i <= lx; i++) {
                    size_t x = k * sz + j * sy + i;
                    v[x] = stencil(u, x, sy, sz);
                }
    }
}

/* tasks: one exchange task per iteration, blocking a thread in MPI_Waitall
 * until every message of the iteration is in. */
static void spawn_exchange(grid_t *g, int it, char **sd, int nsd, char **rd, int nrd,
                           MPI_Request *reqs)
{
#pragma omp task depend(iterator(k = 0:nsd), in: *sd[k]) depend(iterator(k = 0:nrd), out: *rd[k]) \
                 firstprivate(it, g, reqs)
    {
        int src = it & 1, n = 0;
        MPI_Request *r = reqs + src * g->nreq;
        for (int d = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++) {
                piece_t q = g->pc[d][p];
                int cnt = q.n1 * q.n2;
                MPI_Irecv(g->rbuf[src] + q.off, cnt, MPI_DOUBLE, g->nbr[d], tag(g, it, d ^ 1, p),
                          g->comm, &r[n++]);
                MPI_Isend(g->sbuf[src] + q.off, cnt, MPI_DOUBLE, g->nbr[d], tag(g, it, d, p),
                          g->comm, &r[n++]);
            }
        MPI_Waitall(n, r, MPI_STATUSES_IGNORE);
    }
}

static void run_graph(grid_t *g, MPI_Request *reqs)
{
    int maxm = NFACES * g->maxp;
    char **sd = malloc(2 * (size_t)maxm * sizeof *sd), **rd = sd + maxm;
#pragma omp parallel
#pragma omp single
    for (int it = 0; it < g->iters; it++) {
        int src = it & 1, nm = 0;
        for (int d = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++, nm++) {
                piece_t q = g->pc[d][p];
                sd[nm] = PIECE_DEP(g, sdep, src, d, p);
                rd[nm] = PIECE_DEP(g, rdep, src, d, p);
                spawn_pack(g, src, q, &g->slab_dep[src][q.slab], sd[nm]);
                if (g->variant != DETACH)
                    continue;
                double *sb = g->sbuf[src] + q.off, *rb = g->rbuf[src] + q.off;
                int cnt = q.n1 * q.n2, peer = g->nbr[d];
                int rtag = tag(g, it, d ^ 1, p), stag = tag(g, it, d, p);
                MPI_Comm comm = g->comm;
                char *s = sd[nm], *r = rd[nm];
                omp_event_handle_t ev;
#pragma omp task detach(ev) depend(in: *s) firstprivate(sb, cnt, peer, stag, comm)
                ompc_isend(sb, cnt, MPI_DOUBLE, peer, stag, comm, ev);
#pragma omp task detach(ev) depend(out: *r) firstprivate(rb, cnt, peer, rtag, comm)
                ompc_irecv(rb, cnt, MPI_DOUBLE, peer, rtag, comm, MPI_STATUS_IGNORE, ev);
            }
        if (g->variant == TASKS)
            spawn_exchange(g, it, sd, nm, rd, nm, reqs);
        for (int d = 0, m = 0; d < NFACES; d++)
            for (int p = 0; p < g->np[d] && g->nbr[d] != MPI_PROC_NULL; p++, m++)
                spawn_unpack(g, src, g->pc[d][p], rd[m], PIECE_DEP(g, halo_dep, src, d, p));
        spawn_slabs(g, src);
    }
    free(sd);
}

/* ------------------------------------------------------------ results */

static void fetch(grid_t *g)
{
    int dev = g->dev;
    double *u0 = g->u[0], *u1 = g->u[1];
    size_t len = g->len;
#pragma omp target update device(dev) from(u0[0:len], u1[0:len])
}

static double residual(grid_t *g)
{
    int last = g->iters & 1;   /* buffer holding the final values */
    double s = 0, all;
    for (int k = 1; k <= g->lz; k++)
        for (int j = 1; j <= g->ly; j++)
            for (int i = 1; i <= g->lx; i++) {
                size_t x = k * g->sz + j * g->sy + i;
                double d = g->u[last][x] - g->u[!last][x];
                s += d * d;
            }
    MPI_Allreduce(&s, &all, 1, MPI_DOUBLE, MPI_SUM, g->comm);
    return sqrt(all);
}

/* Gather the global grid on rank 0 and compare with a serial host run. */
static int check(grid_t *g)
{
    int last = g->iters & 1, meta[6] = {g->gx0, g->gy0, g->gz0, g->lx, g->ly, g->lz};
    size_t mycount = (size_t)g->lx * g->ly * g->lz;
    double *mine = malloc(mycount * sizeof(double)), *w = mine;
    for (int k = 1; k <= g->lz; k++)
        for (int j = 1; j <= g->ly; j++, w += g->lx)
            memcpy(w, &g->u[last][k * g->sz + j * g->sy + 1], (size_t)g->lx * sizeof(double));
    int *metas = NULL, *counts = NULL, *displs = NULL;
    double *all = NULL;
    if (g->rank == 0) {
        metas = malloc(6 * (size_t)g->size * sizeof(int));
        counts = malloc((size_t)g->size * sizeof(int));
        displs = malloc((size_t)g->size * sizeof(int));
        all = malloc((size_t)g->n * g->n * g->n * sizeof(double));
    }
    MPI_Gather(meta, 6, MPI_INT, metas, 6, MPI_INT, 0, g->comm);
    if (g->rank == 0)
        for (int r = 0, off = 0; r < g->size; r++) {
            counts[r] = metas[6 * r + 3] * metas[6 * r + 4] * metas[6 * r + 5];
            displs[r] = off;
            off += counts[r];
        }
    MPI_Gatherv(mine, (int)mycount, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, g->comm);
    free(mine);
    int ok = 1;
    if (g->rank == 0) {
        int n = g->n;
        size_t sy = (size_t)n + 2, sz = sy * sy, len = sz * sy;
        double *s[2];
        for (int b = 0; b < 2; b++) {
            s[b] = calloc(len, sizeof(double));
            for (size_t x = 0; x < sz; x++)
                s[b][x] = HOT;
        }
        for (int it = 0; it < g->iters; it++) {
            const double *u = s[it & 1];
            double *v = s[!(it & 1)];
            for (int k = 1; k <= n; k++)
                for (int j = 1; j <= n; j++)
                    for (int i = 1; i <= n; i++) {
                        size_t x = k * sz + j * sy + i;
                        v[x] = stencil(u, x, sy, sz);
                    }
        }
        double maxdiff = 0;
        for (int r = 0; r < g->size; r++) {
            const int *m = &metas[6 * r];
            const double *blk = &all[displs[r]];
            for (int k = 0; k < m[5]; k++)
                for (int j = 0; j < m[4]; j++)
                    for (int i = 0; i < m[3]; i++) {
                        size_t x = (m[2] + k + 1) * sz + (m[1] + j + 1) * sy + m[0] + i + 1;
                        double d = fabs(blk[((size_t)k * m[4] + j) * m[3] + i] - s[last][x]);
                        maxdiff = d > maxdiff ? d : maxdiff;
                    }
        }
        ok = maxdiff == 0.0;
        printf("halo3d-offload: check against a serial run: max |difference| %.3g: %s\n", maxdiff,
               ok ? "OK" : "MISMATCH");
        free(s[0]), free(s[1]);
        free(metas), free(counts), free(displs), free(all);
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, g->comm);
    return ok;
}

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--variant bsp|tasks|detach] [--n N] [--iters I] "
            "[--slabs S | --chunk PLANES] [--dims XxYxZ] [--check]\n", prog);
}

int main(int argc, char **argv)
{
    grid_t g = {.n = 256, .iters = 50, .slabs = 8, .variant = DETACH};
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
        else if (!strcmp(argv[a], "--slabs") && v)
            g.slabs = atoi(argv[++a]), g.chunk = 0;
        else if (!strcmp(argv[a], "--chunk") && v)
            g.chunk = atoi(argv[++a]), bad |= g.chunk < 1;
        else if (!strcmp(argv[a], "--dims") && v) {
            /* XxYxZ; 0 lets MPI_Dims_create choose */
            bad |= sscanf(argv[++a], "%dx%dx%d", &g.dims[2], &g.dims[1], &g.dims[0]) != 3;
        } else
            bad = 1;
    }
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    bad |= g.n < 1 || g.iters < 1 || g.slabs < 1 || g.dims[0] < 0 || g.dims[1] < 0 || g.dims[2] < 0;
    if (!bad) {
        int fixed = 1;
        for (int d = 0; d < 3; d++)
            fixed *= g.dims[d] ? g.dims[d] : 1;
        if (size % fixed) {
            if (rank == 0)
                fprintf(stderr, "halo3d-offload: --dims does not divide %d ranks\n", size);
            bad = 1;
        }
    }
    if (!bad && g.variant != BSP && provided < MPI_THREAD_MULTIPLE) {
        fprintf(stderr, "halo3d-offload: the %s variant needs MPI_THREAD_MULTIPLE\n",
                variant_names[g.variant]);
        bad = 1;
    }
    if (bad) {
        if (rank == 0)
            usage(argv[0]);
        MPI_Finalize();
        return 2;
    }
    /* A block may not be empty: check before building anything. */
    int dims[3] = {g.dims[0], g.dims[1], g.dims[2]};
    MPI_Dims_create(size, 3, dims);
    if (dims[0] > g.n || dims[1] > g.n || dims[2] > g.n) {
        if (rank == 0)
            fprintf(stderr, "halo3d-offload: grid %d too small for %d ranks (%dx%dx%d)\n", g.n,
                    size, dims[2], dims[1], dims[0]);
        MPI_Finalize();
        return 2;
    }
    setup(&g);
    /* requests of one iteration's exchange, twice (parity: tasks variant) */
    MPI_Request *reqs = malloc(2 * (size_t)g.nreq * sizeof *reqs);
    MPI_Barrier(g.comm);
    double t0 = MPI_Wtime();
    if (g.variant == BSP)
        run_bsp(&g, reqs);
    else
        run_graph(&g, reqs);
    MPI_Barrier(g.comm);
    double t = MPI_Wtime() - t0;
    fetch(&g);
    double res = residual(&g);
    if (g.rank == 0) {
        char devs[64];
        if (g.ndev > 0)
            snprintf(devs, sizeof devs, "%d offload device%s", g.ndev, g.ndev > 1 ? "s" : "");
        else
            snprintf(devs, sizeof devs, "host (no offload device)");
        printf("halo3d-offload: variant %s, grid %dx%dx%d, %d ranks (%dx%dx%d) x %d threads, %s, "
               "%d slabs, %d iterations, %.3f s, %.3e updates/s, residual %.6e\n",
               variant_names[g.variant], g.n, g.n, g.n, g.size, g.dims[2], g.dims[1], g.dims[0],
               omp_get_max_threads(), devs, g.ns, g.iters, t, (double)g.n * g.n * g.n * g.iters / t,
               res);
    }
    int ok = g.check ? check(&g) : 1;
    teardown(&g);
    free(reqs);
    MPI_Finalize();
    return ok ? 0 : 1;
}

/* spawn.c -- the tasks of one graph point at one timestep:
 *   receive  (detached): posts the receives of the remote inputs; completes
 *            when they have arrived (omp-glue fulfils its event);
 *   compute:  Task Bench's execute_point, after its inputs, local or received;
 *   send     (detached): posts the sends to remote consumers; completes when
 *            the output slot may be overwritten, which its next writer waits for.
 * Every ordering is a depend clause on a buffer address: no waits, no
 * barriers, so timesteps overlap up to TB_SLOTS deep. */
#include "tb.h"

#include <omp.h>
#include <stdio.h>
#include "omp-continue.h"

static void check(int rc, const char *what)
{
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "taskbench-libcont: %s failed (%d)\n", what, rc);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

static void post_receives(const tb_graph_t *gr, long i, long t, omp_event_handle_t ev)
{
    tb_thread_t *me = tb_thread();
    long n = tb_inputs(gr, i, t, me->in, me->peer);
    int nr = 0;
    for (long j = 0; j < n; j++) {
        long p = me->peer[j];
        if (gr->owner[p] == gr->rank)
            continue;
        check(MPI_Irecv((char *)me->in[j], (int)gr->bytes, MPI_BYTE, gr->owner[p],
                        tb_tag(gr, t, gr->index[p], i), gr->comm, &me->reqs[nr++]),
              "MPI_Irecv");
    }
    check(ompc_bindall(nr, me->reqs, MPI_STATUSES_IGNORE, ev), "ompc_bindall");
}

static void post_sends(const tb_graph_t *gr, long i, long t, omp_event_handle_t ev)
{
    tb_thread_t *me = tb_thread();
    long n = tb_consumers(gr, i, t, me->peer);
    for (long k = 0; k < n; k++) {
        long p = me->peer[k];
        check(MPI_Isend(tb_out(gr, i, t), (int)gr->bytes, MPI_BYTE, gr->owner[p],
                        tb_tag(gr, t + 1, i, gr->index[p]), gr->comm, &me->reqs[k]),
              "MPI_Isend");
    }
    check(ompc_bindall((int)n, me->reqs, MPI_STATUSES_IGNORE, ev), "ompc_bindall");
}

static void compute(const tb_graph_t *gr, long i, long t)
{
    tb_thread_t *me = tb_thread();
    long n = tb_inputs(gr, i, t, me->in, me->peer);
    for (long j = 0; j < n; j++)
        me->in_bytes[j] = gr->bytes;
    task_graph_execute_point_scratch(gr->g, t, gr->first + i, tb_out(gr, i, t), gr->bytes,
                                     me->in, me->in_bytes, (size_t)n, me->scratch,
                                     gr->g.scratch_bytes_per_task);
}

/* clang warns that ev is used uninitialised: detach(ev) is what sets it. */
#pragma clang diagnostic ignored "-Wuninitialized"

void tb_spawn_step(const tb_graph_t *gr, long t)
{
    tb_thread_t *creator = tb_creator();
    long lo = tb_offset(gr, t) - gr->first, hi = lo + tb_width(gr, t);
    if (lo < 0)
        lo = 0;
    if (hi > gr->n)
        hi = gr->n;
    for (long i = lo; i < hi; i++) {
        const char **in = creator->in;
        long n = tb_inputs(gr, i, t, in, creator->peer);
        char *out = tb_out(gr, i, t);

        /* Remote inputs' buffers, gathered for the receive task's depend clause. */
        char **rdep = creator->dep;
        int nr = 0;
        for (long j = 0; j < n; j++)
            if (gr->owner[creator->peer[j]] != gr->rank)
                rdep[nr++] = (char *)in[j];
        if (nr > 0) {
            omp_event_handle_t ev;
            /* in on this point's output slot: posted only once the slot's
             * previous writer is done, so receives of a point are posted
             * at most TB_SLOTS timesteps ahead. */
#pragma omp task detach(ev) depend(iterator(k = 0:nr), out: *rdep[k]) depend(in: *out) \
            firstprivate(gr, i, t)
            post_receives(gr, i, t, ev);
        }

        if (n > 0) {
#pragma omp task depend(iterator(k = 0:n), in: *in[k]) depend(out: *out) firstprivate(gr, i, t)
            compute(gr, i, t);
        } else {   /* an empty iterator range is a zero-length array in clang's lowering */
#pragma omp task depend(out: *out) firstprivate(gr, i, t)
            compute(gr, i, t);
        }

        if (tb_consumers(gr, i, t, creator->peer) > 0) {
            omp_event_handle_t ev;
#pragma omp task detach(ev) depend(in: *out) firstprivate(gr, i, t)
            post_sends(gr, i, t, ev);
        }
    }
}

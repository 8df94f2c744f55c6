/* MPICH 4.0.2 loses a self-message under MPI_THREAD_MULTIPLE: plain MPI, no
 * libcont.  This is the pattern of Open MPI's continuation test basic_mt.c:
 *
 *   a second thread blocks in MPI_Wait on a receive from this same rank;
 *   meanwhile the main thread sends itself `-n` messages (Irecv + Isend) and
 *   completes them with an MPI_Testsome loop (-m testsome) or MPI_Waitall
 *   (-m waitall); then it sends the message the second thread waits for and
 *   joins it.
 *
 * On a correct MPI every round ends.  On MPICH 4.0.2 (ch4:ucx) a round now
 * and then never does: the released receive does not match the send, which
 * completed (eager), and the program hangs in pthread_join.  Run it through
 * mpich-self-message-loss.sh, which counts hangs over many runs.
 *
 * Usage: self-message-loss [-r rounds] [-n messages] [-m testsome|waitall]
 */
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAG_RELEASE 1
#define TAG_TRAFFIC 2

static int me;

static void *blocked_receiver(void *arg)
{
    int *got = arg;
    MPI_Request r;
    MPI_Irecv(got, 1, MPI_INT, me, TAG_RELEASE, MPI_COMM_WORLD, &r);
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds = 100, n = 16, use_waitall = 0, opt, provided;
    while ((opt = getopt(argc, argv, "r:n:m:")) != -1) {
        if (opt == 'r')
            rounds = atoi(optarg);
        else if (opt == 'n')
            n = atoi(optarg);
        else if (opt == 'm' && (!strcmp(optarg, "testsome") || !strcmp(optarg, "waitall")))
            use_waitall = !strcmp(optarg, "waitall");
        else {
            fprintf(stderr, "usage: %s [-r rounds] [-n messages] [-m testsome|waitall]\n",
                    argv[0]);
            return 2;
        }
    }
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    if (provided != MPI_THREAD_MULTIPLE) {
        fprintf(stderr, "MPI_THREAD_MULTIPLE not provided\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    int *in = calloc((size_t)n, sizeof *in), *out = calloc((size_t)n, sizeof *out);
    MPI_Request *req = malloc(2 * (size_t)n * sizeof *req);
    int *idx = malloc(2 * (size_t)n * sizeof *idx);
    for (int round = 0; round < rounds; round++) {
        int got = -1, release = round;
        pthread_t t;
        pthread_create(&t, NULL, blocked_receiver, &got);
        for (int i = 0; i < n; i++) {
            out[i] = round * n + i;
            MPI_Irecv(&in[i], 1, MPI_INT, me, TAG_TRAFFIC, MPI_COMM_WORLD, &req[2 * i]);
            MPI_Isend(&out[i], 1, MPI_INT, me, TAG_TRAFFIC, MPI_COMM_WORLD, &req[2 * i + 1]);
        }
        if (use_waitall) {
            MPI_Waitall(2 * n, req, MPI_STATUSES_IGNORE);
        } else {
            int left = 2 * n, k;
            while (left > 0) {
                MPI_Testsome(2 * n, req, &k, idx, MPI_STATUSES_IGNORE);
                if (k != MPI_UNDEFINED)
                    left -= k;
            }
        }
        for (int i = 0; i < n; i++)
            if (in[i] != round * n + i) {
                fprintf(stderr, "rank %d round %d: message %d is %d, expected %d\n", me, round,
                        i, in[i], round * n + i);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
        MPI_Send(&release, 1, MPI_INT, me, TAG_RELEASE, MPI_COMM_WORLD);
        pthread_join(t, NULL);   /* hangs here when the release was lost */
        if (got != round) {
            fprintf(stderr, "rank %d round %d: released with %d\n", me, round, got);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0)
        printf("%d rounds completed\n", rounds);
    free(in), free(out), free(req), free(idx);
    MPI_Finalize();
    return 0;
}

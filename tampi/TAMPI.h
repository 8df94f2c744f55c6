/* TAMPI.h: the API of TAMPI (Task-Aware MPI, bsc-pm/tampi), generations 3
 * and 4, on libcont and a stock LLVM OpenMP runtime (libomp).
 *
 * Build a TAMPI program as for TAMPI, with TAMPI's flags replaced:
 *     mpicc -fopenmp $(pkg-config --cflags cont-tampi) app.c $(pkg-config --libs cont-tampi)
 * (installed in its own include directory, include/cont-tampi/, so it never
 * shadows a real TAMPI's TAMPI.h).
 *
 * Which generation: TAMPI_VERSION_MAJOR is 4 unless the program defines
 * CONT_TAMPI_API=3 before including this header (then it is 3, the 3.x
 * request-based wrappers are declared instead of the 4.x calls).  Codes pick
 * their calls by TAMPI_VERSION_MAJOR, as bench6 does.  TAMPI 3 itself
 * defines no version macro; code that tests `!defined(TAMPI_VERSION_MAJOR)`
 * for 3 needs CONT_TAMPI_API=3.
 *
 * Modes.  Non-blocking (TAMPI_Iwait[all], the 4.x TAMPI_I<op> calls): on when
 * the program asked MPI_Init_thread for MPI_THREAD_MULTIPLE or
 * MPI_TASK_MULTIPLE and MPI provides MPI_THREAD_MULTIPLE.  Blocking (blocking
 * MPI calls inside tasks pause the task, not the thread): on when the program
 * asked for MPI_TASK_MULTIPLE and runs under `contrun`, whose task-aware
 * calls provide it; `provided` (and MPI_Query_thread) is MPI_TASK_MULTIPLE
 * exactly when it is on.
 *
 * Semantics of a binding (TAMPI's): the calling task's body goes on at
 * once; the task completes (its dependents run) when its body has ended
 * and every operation it bound has completed; statuses are written before
 * that; several calls in one task add up; buffers and status locations must
 * stay valid until the task completes.  A call outside a task (or in a task
 * the hook cannot bind: untied, taskloop, nested parallel, detach clause),
 * or with the non-blocking mode off, waits for the operations before it
 * returns.  Where this differs from TAMPI: TAMPI 4 aborts in
 * TAMPI_Iwait[all] (it dropped them) and in its calls with the mode off,
 * TAMPI 3 ignores calls with the mode off and aborts outside a task: here
 * all of these work (wait or bind).  The 4.x calls start the MPI operation
 * at once (TAMPI 4 queues it for its polling task).
 *
 * Errors: bad arguments (NULL request, negative count, a request libcont
 * already has a continuation on) return the MPI error class through
 * MPI_COMM_WORLD's error handler; an MPI call's own error goes through its
 * communicator's handler and is returned; a bound operation that fails
 * later is reported through MPI_COMM_WORLD's handler (its status holds the
 * error).  TAMPI itself aborts in all these cases.
 *
 * Threading: every function may be called from any thread once MPI is
 * initialised with MPI_THREAD_MULTIPLE; TAMPI_Property_set of
 * TAMPI_PROPERTY_AUTO_INIT only before MPI_Init. */
#ifndef TAMPI_H
#define TAMPI_H

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CONT_TAMPI_API) && CONT_TAMPI_API == 3
#define TAMPI_VERSION_MAJOR 3
#elif !defined(CONT_TAMPI_API) || CONT_TAMPI_API == 4
#define TAMPI_VERSION_MAJOR 4
#else
#error "CONT_TAMPI_API must be 3 or 4"
#endif
#define TAMPI_VERSION_MINOR 0

/* The thread level that asks for the task-aware blocking mode. */
#define MPI_TASK_MULTIPLE (MPI_THREAD_MULTIPLE + 1)

/* Properties (TAMPI_Property_get/set). */
#define TAMPI_PROPERTY_BLOCKING_MODE 0x1     /* read only: the blocking mode is on */
#define TAMPI_PROPERTY_NONBLOCKING_MODE 0x2  /* read only: the non-blocking mode is on */
#define TAMPI_PROPERTY_AUTO_INIT 0x3         /* start with MPI_Init (default 1); set before it */
#define TAMPI_PROPERTY_THREAD_TASKAWARE 0x4  /* this thread's blocking calls are task-aware
                                                (default 1; blocking mode only) */

/* Read a property into *value.  MPI_ERR_ARG: unknown property, value NULL. */
int TAMPI_Property_get(int property, int *value);
/* Set a property.  MPI_ERR_ARG: unknown or read-only property, AUTO_INIT
 * after MPI_Init. */
int TAMPI_Property_set(int property, int value);

/* Explicit start and stop, with TAMPI_PROPERTY_AUTO_INIT set to 0 before
 * MPI_Init: TAMPI_Init after MPI_Init[_thread] (required as for
 * MPI_Init_thread; *provided: the level the modes give, as above),
 * TAMPI_Finalize before MPI_Finalize.  MPI_ERR_OTHER: auto-init on, MPI not
 * initialised, TAMPI not started (TAMPI_Finalize). */
int TAMPI_Init(int required, int *provided);
int TAMPI_Finalize(void);

/* *flag = 1 if the blocking (resp. non-blocking) mode is on.  MPI_ERR_ARG:
 * flag NULL. */
int TAMPI_Blocking_enabled(int *flag);
int TAMPI_Nonblocking_enabled(int *flag);

/* Bind the calling task's completion to *request (resp. the count requests;
 * MPI_REQUEST_NULL entries are skipped) and return at once; the handles are
 * set to MPI_REQUEST_NULL; status / statuses (or MPI_STATUS[ES]_IGNORE) are
 * written when the operations complete.  Errors: MPI_ERR_ARG (request /
 * requests NULL), MPI_ERR_COUNT (count < 0), MPI_ERR_REQUEST (a request that
 * already has a continuation). */
int TAMPI_Iwait(MPI_Request *request, MPI_Status *status);
int TAMPI_Iwaitall(int count, MPI_Request requests[], MPI_Status statuses[]);

#if TAMPI_VERSION_MAJOR == 3
/* TAMPI 3's wrappers: the MPI call, then (built with OpenMP) TAMPI_Iwait on
 * its request; the request is MPI_REQUEST_NULL after a binding. */
#if defined(_OPENMP)
#define CONT_TAMPI_BIND_(err, request, status) \
    ((err) == MPI_SUCCESS ? TAMPI_Iwait((request), (status)) : (err))
#else
#define CONT_TAMPI_BIND_(err, request, status) (err)
#endif

static inline int TAMPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest,
                               int tag, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ibsend(buf, count, datatype, dest, tag, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
                              MPI_Comm comm, MPI_Request *request, MPI_Status *status)
{
    int err = MPI_Irecv(buf, count, datatype, source, tag, comm, request);
    (void)status;
    return CONT_TAMPI_BIND_(err, request, status);
}
static inline int TAMPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest,
                               int tag, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Irsend(buf, count, datatype, dest, tag, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest,
                              int tag, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Isend(buf, count, datatype, dest, tag, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest,
                               int tag, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Issend(buf, count, datatype, dest, tag, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                   void *recvbuf, int recvcount, MPI_Datatype recvtype,
                                   MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Iallgather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm,
                             request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                    void *recvbuf, const int recvcounts[], const int displs[],
                                    MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Iallgatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs,
                              recvtype, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iallreduce(const void *sendbuf, void *recvbuf, int count,
                                   MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                                   MPI_Request *request)
{
    int err = MPI_Iallreduce(sendbuf, recvbuf, count, datatype, op, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                  void *recvbuf, int recvcount, MPI_Datatype recvtype,
                                  MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ialltoall(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm,
                            request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ialltoallv(const void *sendbuf, const int sendcounts[],
                                   const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
                                   const int recvcounts[], const int rdispls[],
                                   MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ialltoallv(sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts,
                             rdispls, recvtype, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ialltoallw(const void *sendbuf, const int sendcounts[],
                                   const int sdispls[], const MPI_Datatype sendtypes[],
                                   void *recvbuf, const int recvcounts[], const int rdispls[],
                                   const MPI_Datatype recvtypes[], MPI_Comm comm,
                                   MPI_Request *request)
{
    int err = MPI_Ialltoallw(sendbuf, sendcounts, sdispls, sendtypes, recvbuf, recvcounts,
                             rdispls, recvtypes, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ibarrier(MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ibarrier(comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ibcast(void *buf, int count, MPI_Datatype datatype, int root,
                               MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ibcast(buf, count, datatype, root, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                                MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Igather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm,
                          request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                 void *recvbuf, const int recvcounts[], const int displs[],
                                 MPI_Datatype recvtype, int root, MPI_Comm comm,
                                 MPI_Request *request)
{
    int err = MPI_Igatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype,
                           root, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ireduce(const void *sendbuf, void *recvbuf, int count,
                                MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm,
                                MPI_Request *request)
{
    int err = MPI_Ireduce(sendbuf, recvbuf, count, datatype, op, root, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ireduce_scatter(const void *sendbuf, void *recvbuf,
                                        const int recvcounts[], MPI_Datatype datatype,
                                        MPI_Op op, MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Ireduce_scatter(sendbuf, recvbuf, recvcounts, datatype, op, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                                              MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                                              MPI_Request *request)
{
    int err = MPI_Ireduce_scatter_block(sendbuf, recvbuf, recvcount, datatype, op, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                                 void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                                 MPI_Comm comm, MPI_Request *request)
{
    int err = MPI_Iscatter(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root,
                           comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iscatterv(const void *sendbuf, const int sendcounts[], const int displs[],
                                  MPI_Datatype sendtype, void *recvbuf, int recvcount,
                                  MPI_Datatype recvtype, int root, MPI_Comm comm,
                                  MPI_Request *request)
{
    int err = MPI_Iscatterv(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype,
                            root, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iscan(const void *sendbuf, void *recvbuf, int count,
                              MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                              MPI_Request *request)
{
    int err = MPI_Iscan(sendbuf, recvbuf, count, datatype, op, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}
static inline int TAMPI_Iexscan(const void *sendbuf, void *recvbuf, int count,
                                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                                MPI_Request *request)
{
    int err = MPI_Iexscan(sendbuf, recvbuf, count, datatype, op, comm, request);
    return CONT_TAMPI_BIND_(err, request, MPI_STATUS_IGNORE);
}

/* TAMPI 3's waits for its wrappers: nothing to do with the non-blocking
 * mode on (the wrapper bound the request), MPI_Wait[all] otherwise. */
static inline int TAMPI_Wait(MPI_Request *request, MPI_Status *status)
{
    int on = 0;
#if defined(_OPENMP)
    TAMPI_Nonblocking_enabled(&on);
#endif
    return on ? MPI_SUCCESS : MPI_Wait(request, status);
}
static inline int TAMPI_Waitall(int count, MPI_Request requests[], MPI_Status statuses[])
{
    int on = 0;
#if defined(_OPENMP)
    TAMPI_Nonblocking_enabled(&on);
#endif
    return on ? MPI_SUCCESS : MPI_Waitall(count, requests, statuses);
}
#else
/* TAMPI 4's calls: start the operation and bind the calling task's
 * completion to it (no request is handed back).  TAMPI_Irecv's status (or
 * MPI_STATUS_IGNORE) is written when the receive completes.  Errors: the
 * MPI call's (through the communicator's handler), or TAMPI_Iwait's. */
int TAMPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm);
int TAMPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                MPI_Status *status);
int TAMPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm);
int TAMPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                MPI_Comm comm);
int TAMPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm);
int TAMPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                     int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
int TAMPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                      const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                      MPI_Comm comm);
int TAMPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                     MPI_Op op, MPI_Comm comm);
int TAMPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                    int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
int TAMPI_Ialltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                     MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                     const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm);
int TAMPI_Ialltoallw(const void *sendbuf, const int sendcounts[], const int sdispls[],
                     const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[],
                     const int rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm);
int TAMPI_Ibarrier(MPI_Comm comm);
int TAMPI_Ibcast(void *buf, int count, MPI_Datatype datatype, int root, MPI_Comm comm);
int TAMPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
int TAMPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                   MPI_Comm comm);
int TAMPI_Ireduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                  MPI_Op op, int root, MPI_Comm comm);
int TAMPI_Ireduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[],
                          MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int TAMPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int TAMPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
int TAMPI_Iscatterv(const void *sendbuf, const int sendcounts[], const int displs[],
                    MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                    int root, MPI_Comm comm);
int TAMPI_Iscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                MPI_Comm comm);
int TAMPI_Iexscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                  MPI_Op op, MPI_Comm comm);
#endif

#ifdef __cplusplus
}
#endif

#endif

/*
 * omp-continue.h -- OpenMP detached tasks that complete with MPI operations.
 *
 * omp-glue binds MPI requests to an OpenMP 5.0 detach event: when all the
 * requests are complete, libcont's progress engine fulfils the event, so
 * the detached task completes and the tasks that depend on it run.  The
 * pattern (three lines per halo):
 *
 *     omp_event_handle_t ev;
 *     #pragma omp task detach(ev) depend(out: halo[0:n])
 *     ompc_irecv(halo, n, MPI_DOUBLE, left, tag, comm, MPI_STATUS_IGNORE, ev);
 *
 *     #pragma omp task depend(in: halo[0:n])
 *     use(halo);                       // runs only once the data is there
 *
 * Pitfalls: never put if(0) on a task with detach and depend (clang drops
 * the dependence, llvm-project issue 192276); with default(none) add
 * firstprivate(ev).  Supported OpenMP: clang-19 + libomp 19 (configure
 * refuses runtimes that cannot run detached tasks).
 *
 * Progress.  With libcont's progress thread (MPI_THREAD_MULTIPLE), that
 * thread fulfils events.  OpenMP threads waiting in taskwait, taskgroup or a
 * barrier spin inside the OpenMP runtime and never call MPI, so without it:
 *  - under MPI_THREAD_MULTIPLE (CONT_PROGRESS_THREAD=off), omp-glue runs a
 *    poller thread of its own, only while bindings are pending (bounded
 *    back-off, at most 50 us between polls; it sleeps, 0% CPU, otherwise);
 *  - below MPI_THREAD_MULTIPLE no other thread may call MPI, so a bind
 *    completes its operations before it returns, as MPI_Wait would: correct
 *    but without overlap, and a receive whose matching send this rank posts
 *    only later waits for ever.  Use MPI_THREAD_MULTIPLE.
 * Below MPI_THREAD_MULTIPLE the application must serialise its own MPI calls
 * with those of omp-glue.
 * With one OpenMP thread per core there is no core for the progress thread:
 * every completion then waits for the scheduler to switch threads (up to
 * milliseconds).  Let the thread that creates the tasks drive progress
 * itself instead (ompc_drive_begin / ompc_drive_end, below).
 *
 * Failures.  An operation that fails (possible only with MPI_ERRORS_RETURN on
 * its communicator) still fulfils its event: a detached task that never
 * completes would hang the program.  Its dependents must not use the data
 * as if it had arrived, so the failure is never silent:
 *  - bound with a status (ompc_bind_status, ompc_bindall with statuses,
 *    ompc_irecv with a status): the status holds the error (MPI_ERROR) and
 *    the consumer checks it;
 *  - bound without one: nobody could check, so omp-glue raises the error
 *    through MPI_COMM_WORLD's error handler (the default aborts the job
 *    with a message) and, if that handler returns, prints a warning.
 * ompc_failures() counts failed bindings in both cases.
 *
 * Errors of the calls themselves (bad arguments) are those of
 * MPIX_Continueall and MPI_Isend/MPI_Irecv, raised through the error
 * handler; on error the event is NOT fulfilled and nothing is registered.
 *
 * All functions are thread safe under MPI_THREAD_MULTIPLE and may be called
 * from any task or thread after MPI_Init.
 */
#ifndef OMP_CONTINUE_H
#define OMP_CONTINUE_H

#include <omp.h>
#include "mpi-continue.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Fulfil ev once *request completes.  *request is taken over as by
 *  MPIX_Continue (set to MPI_REQUEST_NULL unless persistent).  A request
 *  that is already complete fulfils ev before the call returns (correct
 *  inside the detached task's own body). */
int ompc_bind(MPI_Request *request, omp_event_handle_t ev);

/** As ompc_bind, and fill *status (which must stay valid until the event's
 *  dependents read it) before fulfilling ev.  MPI_STATUS_IGNORE allowed. */
int ompc_bind_status(MPI_Request *request, MPI_Status *status, omp_event_handle_t ev);

/** Fulfil ev once all `count` requests complete (MPI_REQUEST_NULL entries
 *  count as complete; count 0 fulfils at once).  statuses: `count` statuses
 *  or MPI_STATUSES_IGNORE. */
int ompc_bindall(int count, MPI_Request requests[], MPI_Status statuses[],
                 omp_event_handle_t ev);

/** MPI_Irecv + ompc_bind_status in one call: the detached task that calls
 *  it completes when the message has arrived. */
int ompc_irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
               MPI_Comm comm, MPI_Status *status, omp_event_handle_t ev);

/** MPI_Isend + ompc_bind in one call: the detached task completes when the
 *  send buffer may be reused. */
int ompc_isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, omp_event_handle_t ev);

/** Drive progress once from the calling thread (useful without a progress
 *  thread when waiting outside OpenMP).  Returns what cont_progress_poll
 *  returns. */
int ompc_progress(void);

/** Make the calling OpenMP thread drive progress: from now until
 *  ompc_drive_end, detach events are fulfilled on this thread (the other
 *  threads that see operations complete hand their events to it), and
 *  ompc_drive_end waits for the bindings while polling libcont, fulfilling
 *  events and running ready tasks between polls.  Use it around the code
 *  that creates the tasks, before its first binding:
 *
 *      #pragma omp parallel
 *      #pragma omp single
 *      {
 *          ompc_drive_begin();
 *          ...create tasks (detached ones bind with ompc_irecv & co.)...
 *          ompc_drive_end();   // returns when no binding is pending
 *      }                       // the barrier then finds little or nothing left
 *
 *  Worth it when the team has no spare core for libcont's progress thread
 *  (ranks x threads = cores; it steps back from begin to end, polling only
 *  after a millisecond in which no thread did), and
 *  in a team of one thread, where libomp 19 can fail when another thread
 *  fulfils events (see ompc_bindall's warning).  Not needed otherwise.
 *  Pairs nest on a thread; several threads may drive at once.
 *  Rules: events that complete on other threads wait for this thread to
 *  reach ompc_drive_end, so between the two calls it must not wait for them
 *  anywhere else: no taskwait, taskgroup end or barrier on the driving
 *  thread, nor in the tasks it runs inside ompc_drive_end (it would wait
 *  for ever; wait with ompc_drive_step instead), and no long computation
 *  of its own.
 *  Bindings made before ompc_drive_begin in the same team may be fulfilled
 *  only at its barrier: begin first.  Binding functions never run other
 *  tasks; ompc_drive_step and ompc_drive_end do (task scheduling points).
 *  Errors: those of MPIX_Continue_init on the first call (MPI not
 *  initialised). */
int ompc_drive_begin(void);

/** On a driving thread (between ompc_drive_begin and ompc_drive_end): one
 *  round of what ompc_drive_end does (fulfil the events handed to this
 *  thread, poll libcont once, run at most one ready task), then return.  A
 *  task scheduling point.  Use it to wait, while driving, for a condition
 *  of your own, e.g. to keep task creation a bounded distance ahead:
 *
 *      while (atomic_load(&steps_done) < step - 2)
 *          ompc_drive_step();
 *
 *  Errors: MPI_ERR_OTHER, through MPI_COMM_WORLD's error handler, when the
 *  calling thread is not driving. */
int ompc_drive_step(void);

/** Drive progress until no binding is pending and none was made in the
 *  last polls, then end what ompc_drive_begin began (the outermost pair
 *  only waits).  Bindings made afterwards by tasks still to run elsewhere
 *  in the team are progressed as usual.  Errors: MPI_ERR_OTHER, through
 *  MPI_COMM_WORLD's error handler, when the calling thread did not call
 *  ompc_drive_begin. */
int ompc_drive_end(void);

/** Number of bindings whose operations were not all fulfilled yet. */
long ompc_pending(void);

/** Number of bindings fulfilled with a failed operation since MPI_Init. */
long ompc_failures(void);

#ifdef __cplusplus
}
#endif
#endif /* OMP_CONTINUE_H */

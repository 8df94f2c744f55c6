/* contrun's preload library (libcontrun): the pieces its source files share.
 *
 * libcontrun = every object of libcont + this layer, plugged into libcont
 * through cont_wrapper (libcont/cont-internal.h).  It makes blocking MPI
 * calls made inside OpenMP tasks task-aware (the thread runs other ready
 * tasks while the operation is pending), asks MPI for
 * MPI_THREAD_MULTIPLE, and keeps the profile and the trace. */
#ifndef CONTRUN_INTERNAL_H
#define CONTRUN_INTERNAL_H

#include "cont-internal.h"

#include <stdint.h>

/* ------------------------------------------------------------ kinds */
/* Every intercepted blocking call. */
typedef enum {
    K_WAIT, K_WAITALL, K_WAITANY, K_WAITSOME,
    K_RECV, K_MRECV, K_SEND, K_SSEND, K_BSEND, K_RSEND, K_SENDRECV,
    K_PROBE, K_MPROBE,
    K_BARRIER, K_BCAST, K_REDUCE, K_ALLREDUCE, K_GATHER, K_SCATTER, K_ALLGATHER, K_ALLTOALL,
    K_NKINDS
} ctr_kind_t;
extern const char *const ctr_kind_name[K_NKINDS];

/* ------------------------------------------------------------ options.c */
typedef struct {
    int profile;           /* print the table at MPI_Finalize */
    char *profile_file;    /* also write it (and FILE.json) here; NULL: no */
    char *trace_file;      /* Chrome trace JSON; NULL: no trace */
    long trace_max_events; /* per rank; more are counted as dropped */
    int task_aware;        /* CONT_TASK_AWARE (default on) */
    int task_pause;        /* CONT_TASK_PAUSE (default on): suspend blocked task bodies */
    long stall_timeout;    /* CONT_STALL_TIMEOUT, s (default 600; 0: off) */
} ctr_options_t;
extern ctr_options_t ctr_opt;
/* Read and validate contrun's CONT_* variables; prints why and returns
 * non-zero on a bad value. */
int ctr_options_load(void);
/* Their names, NULL-terminated. */
extern const char *const ctr_option_names[];
/* Apply one (name, value); names not in ctr_option_names are ignored.
 * Prints why and returns non-zero on a bad value. */
int ctr_option_set(const char *name, const char *value);
/* Back to the defaults, freeing the file names (tests, fuzzers). */
void ctr_options_reset(void);

/* ------------------------------------------------------------ next.c */
/* The next definition of each MPI function we define (dlsym RTLD_NEXT, so a
 * PMPI tool loaded after us still sees the calls), PMPI_* if none. */
typedef struct {
    int (*Wait)(MPI_Request *, MPI_Status *);
    int (*Waitall)(int, MPI_Request[], MPI_Status[]);
    int (*Waitany)(int, MPI_Request[], int *, MPI_Status *);
    int (*Waitsome)(int, MPI_Request[], int *, int[], MPI_Status[]);
    int (*Recv)(void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Status *);
    int (*Mrecv)(void *, int, MPI_Datatype, MPI_Message *, MPI_Status *);
    int (*Send)(const void *, int, MPI_Datatype, int, int, MPI_Comm);
    int (*Ssend)(const void *, int, MPI_Datatype, int, int, MPI_Comm);
    int (*Bsend)(const void *, int, MPI_Datatype, int, int, MPI_Comm);
    int (*Rsend)(const void *, int, MPI_Datatype, int, int, MPI_Comm);
    int (*Sendrecv)(const void *, int, MPI_Datatype, int, int, void *, int, MPI_Datatype, int,
                    int, MPI_Comm, MPI_Status *);
    int (*Probe)(int, int, MPI_Comm, MPI_Status *);
    int (*Mprobe)(int, int, MPI_Comm, MPI_Message *, MPI_Status *);
    int (*Barrier)(MPI_Comm);
    int (*Bcast)(void *, int, MPI_Datatype, int, MPI_Comm);
    int (*Reduce)(const void *, void *, int, MPI_Datatype, MPI_Op, int, MPI_Comm);
    int (*Allreduce)(const void *, void *, int, MPI_Datatype, MPI_Op, MPI_Comm);
    int (*Gather)(const void *, int, MPI_Datatype, void *, int, MPI_Datatype, int, MPI_Comm);
    int (*Scatter)(const void *, int, MPI_Datatype, void *, int, MPI_Datatype, int, MPI_Comm);
    int (*Allgather)(const void *, int, MPI_Datatype, void *, int, MPI_Datatype, MPI_Comm);
    int (*Alltoall)(const void *, int, MPI_Datatype, void *, int, MPI_Datatype, MPI_Comm);
} ctr_next_t;
extern ctr_next_t ctr_next;
void ctr_next_resolve(void);

/* ------------------------------------------------------------ taskwait.c */
/* 1 if blocking calls of the calling thread should be task-aware: inside an
 * OpenMP explicit task, MPI_THREAD_MULTIPLE, CONT_TASK_AWARE on. */
int ctr_in_task(void);
/* Resolve the OpenMP entry points (none if the program has no libomp). */
void ctr_omp_resolve(void);
int ctr_omp_present(void);
void *ctr_omp_symbol(const char *name);   /* dlsym(RTLD_DEFAULT) */
/* Wait for n requests from inside a task, running other tasks meanwhile:
 * the requests get a continuation (libcont's engine tests them) and the
 * task yields until it ran.  MPI_Waitall semantics for handles and
 * statuses; a failed operation invokes comm's error handler with its error
 * (MPI_ERR_IN_STATUS if in_status) and returns that code.  Registration
 * errors come from libcont (handler already invoked). */
int ctr_task_waitall(ctr_kind_t kind, int n, MPI_Request reqs[], MPI_Status statuses[],
                     MPI_Comm comm, int in_status, int peer, int tag);
/* Let the OpenMP runtime run another ready task (taskyield). */
void ctr_task_yield(void);
/* waits.c: the cont_wrapper wait hooks. */
int ctr_wait(MPI_Request *req, MPI_Status *status);
int ctr_waitall(int count, MPI_Request reqs[], MPI_Status statuses[]);
int ctr_waitany(int count, MPI_Request reqs[], int *index, MPI_Status *status);
int ctr_waitsome(int count, MPI_Request reqs[], int *outcount, int indices[],
                 MPI_Status statuses[]);
int ctr_task_aware_ok(void);   /* thread level allows it (set at init) */
void ctr_taskwait_init(int provided);
void ctr_taskwait_fini(void);

/* ------------------------------------------------------------ stall.c */
#define CTR_NO_PEER (-99999)   /* peer / tag of a call that has none */
typedef struct ctr_pending {
    struct ctr_pending *prev, *next;
    ctr_kind_t kind;
    int peer, tag, thread, depth, listed;
    MPI_Comm comm;
    uint64_t t0;
} ctr_pending_t;
/* A task-aware wait starts / ends (p lives on the waiter's stack; `listed`
 * must be 0 before enter).  Any thread. */
void ctr_stall_enter(ctr_pending_t *p, ctr_kind_t kind, int peer, int tag, MPI_Comm comm);
void ctr_stall_leave(ctr_pending_t *p);
void ctr_stall_init(void);   /* after ctr_taskwait_init: starts the watchdog */
void ctr_stall_fini(void);

/* ------------------------------------------------------------ profile.c */
extern int ctr_prof_on;   /* profile or trace on: count and time calls */
static inline uint64_t ctr_t0(void)
{
    return ctr_prof_on ? cont_now_ns() : 0;
}
/* A blocking call of kind ended; t0 from ctr_t0(); in_task as decided. */
void ctr_prof_call(ctr_kind_t kind, int in_task, uint64_t t0);
/* A task resumed t_resume - t_done after its operations completed. */
void ctr_prof_resume(uint64_t t_done, uint64_t t_resume);
void ctr_prof_init(void);
void ctr_prof_report(void);   /* collective: reduce, print, write */
/* ctr_opt.profile_file + ".json", malloc'd (NULL if out of memory). */
char *ctr_profile_json_path(void);

/* ------------------------------------------------------------ trace.c */
typedef enum { CAT_TASK_WAIT, CAT_BLOCKED, CAT_CALLBACK, CAT_PROGRESS } ctr_cat_t;
extern int ctr_trace_on;
void ctr_trace_event(ctr_cat_t cat, int kind, uint64_t t0, uint64_t t1, long arg);
void ctr_trace_init(void);
void ctr_trace_write(void);   /* collective */
int ctr_thread_index(void);   /* small per-rank index of the calling thread; 99: progress */

/* ------------------------------------------------------------ init.c */
extern int ctr_rank, ctr_size;
extern uint64_t ctr_t_base;   /* cont_now_ns() just after a barrier in MPI_Init */
extern int ctr_asked_level, ctr_provided_level;
const char *ctr_level_name(int level);

/* Time a blocking call made outside a task (or not task-aware). */
#define CTR_PASS(kind, call)                                        \
    ({                                                              \
        uint64_t t0_ = ctr_t0();                                    \
        int rc_ = (call);                                           \
        if (t0_)                                                    \
            ctr_prof_call((kind), 0, t0_);                          \
        rc_;                                                        \
    })

#endif

#ifndef OMP_GLUE_INTERNAL_H
#define OMP_GLUE_INTERNAL_H
#include <stdatomic.h>
#include <omp.h>

/* Bindings not yet fulfilled; bindings made since MPI_Init. */
extern atomic_long ompc_pending_count, ompc_bound_count;

/* Create omp-glue's CR on first use (bind.c). */
int ompc_glue_init(void);

/* Without libcont's progress thread: make sure something progresses the
 * pending bindings (see poller.c). */
void ompc_poller_ensure(int thread_multiple);

/* Fulfil ev here, or hand it to the threads driving progress (drive.c). */
void ompc_fulfil_or_hand_off(omp_event_handle_t ev);

/* libcont's error raiser (cont-internal.h): message into cont_last_error(),
 * printed when the handler is fatal, then MPI_COMM_WORLD's handler. */
int cont_error(int errclass, const char *fmt, ...);

/* 1 if the calling thread is between ompc_drive_begin and ompc_drive_end. */
int ompc_driving(void);

#endif

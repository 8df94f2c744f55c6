#ifndef OMP_GLUE_INTERNAL_H
#define OMP_GLUE_INTERNAL_H
#include <stdatomic.h>

/* Bindings not yet fulfilled. */
extern atomic_long ompc_pending_count;

/* Without libcont's progress thread: make sure something progresses the
 * pending bindings (see poller.c). */
void ompc_poller_ensure(int thread_multiple);

#endif

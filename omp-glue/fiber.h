/* Fibers: task bodies on stacks of their own, switched in user space.
 *
 * A fiber is a stack plus a saved stack pointer.  cont_fiber_switch saves
 * the running context (callee-saved registers, FP control words) on the
 * current stack and continues the target one where it last switched away.
 * Stacks come from a per-thread pool and are never freed while the thread
 * lives (a task-heavy program reuses a handful).  Threading: a fiber runs on
 * one thread at a time; each thread owns its pool. */
#ifndef CONT_FIBER_H
#define CONT_FIBER_H

#include <stddef.h>

typedef struct cont_ctx {
    void *sp;            /* saved stack pointer while switched away */
    void *stack_lo;      /* lowest usable byte; NULL: the thread's own stack */
    size_t stack_size;
    void *tsan;          /* ThreadSanitizer's fiber, when built with it */
} cont_ctx_t;

/* Make ctx run entry(arg) on a fresh stack of `size` bytes (a guard page
 * below it) the first time it is switched to.  entry must never return (the
 * task hook's loops forever, one body per turn).  0 on success, -1 if no
 * memory could be mapped.  Stacks live as long as the process. */
int cont_fiber_make(cont_ctx_t *ctx, size_t size, void (*entry)(void *), void *arg);
/* Save the running context into `from`, continue `to`. */
void cont_fiber_switch(cont_ctx_t *from, cont_ctx_t *to);

#endif

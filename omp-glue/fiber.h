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
 * below it) the first time it is switched to.  entry must never return: it
 * ends by switching away for good (cont_fiber_exit).  0 on success, -1 if no
 * memory could be mapped. */
int cont_fiber_make(cont_ctx_t *ctx, size_t size, void (*entry)(void *), void *arg);
/* Re-arm a made context (its stack kept) to run entry(arg) from the top. */
void cont_fiber_rearm(cont_ctx_t *ctx, void (*entry)(void *), void *arg);
/* Give the stack back to the system. */
void cont_fiber_unmake(cont_ctx_t *ctx);
/* Save the running context into `from`, continue `to`. */
void cont_fiber_switch(cont_ctx_t *from, cont_ctx_t *to);
/* Switch to `to` from a fiber that is done (its stack may be reused at
 * once; sanitizers are told it is gone). */
void cont_fiber_exit(cont_ctx_t *from, cont_ctx_t *to) __attribute__((noreturn));

#endif

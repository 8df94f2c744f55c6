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
__attribute__((visibility("hidden"))) int cont_fiber_make(cont_ctx_t *ctx, size_t size,
                                                        void (*entry)(void *), void *arg);
#if defined(__x86_64__) && !defined(CONT_FIBER_UCONTEXT)
/* The x86-64 switch, inline at each call site.  It jumps instead of
 * returning: a `ret` onto another stack always misses the return-address
 * predictor (and leaves it out of step for the returns that follow), while
 * an indirect jump from a given site usually goes where it went last time.
 * What the ABI keeps across a call (rbp, the FP control words) travels on
 * the stack; every other register is declared clobbered, so the compiler
 * keeps nothing live in one across the switch.  The 128-byte red zone
 * below rsp is stepped over first.  Values the compiler keeps across the
 * switch include the TLS base: a fiber must resume on the thread it left. */
static inline __attribute__((always_inline)) void cont_fiber_jump(void **save_sp, void *new_sp)
{
    __asm__ volatile("leaq -128(%%rsp), %%rsp\n\t"
                     "pushq %%rbp\n\t"
                     "subq $8, %%rsp\n\t"
                     "stmxcsr (%%rsp)\n\t"
                     "fnstcw 4(%%rsp)\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "movq %%rsp, (%0)\n\t"
                     "movq %1, %%rsp\n\t"
                     "popq %%rax\n\t"
                     "jmpq *%%rax\n"
                     "1:\n\t"
                     "ldmxcsr (%%rsp)\n\t"
                     "fldcw 4(%%rsp)\n\t"
                     "addq $8, %%rsp\n\t"
                     "popq %%rbp\n\t"
                     "leaq 128(%%rsp), %%rsp"
                     : "+D"(save_sp), "+S"(new_sp)
                     :
                     : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
                       "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
                       "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)",
                       "memory", "cc");
}
#define CONT_FIBER_JUMP 1
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CONT_FIBER_NOTED 1   /* the sanitizers are told of each switch */
#endif
#endif

/* Save the running context into `from`, continue `to`. */
#if defined(CONT_FIBER_JUMP) && !defined(CONT_FIBER_NOTED)
static inline __attribute__((always_inline)) void cont_fiber_switch(cont_ctx_t *from,
                                                                    cont_ctx_t *to)
{
    cont_fiber_jump(&from->sp, to->sp);
}
#else
__attribute__((visibility("hidden"))) void cont_fiber_switch(cont_ctx_t *from, cont_ctx_t *to);
#endif

#endif

/* Fibers (fiber.h): the stack switch, stacks with guard pages, and the
 * notes the sanitizers need to follow a switch.  x86-64 switches with a few
 * instructions of its own (fiber.h's cont_fiber_jump; no system call:
 * swapcontext saves the signal mask with one); other machines use ucontext. */
#define _GNU_SOURCE
#include "fiber.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN 1
#endif
#endif
#ifdef FIBER_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
#endif
#ifdef FIBER_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif

/* What a fresh fiber runs first, kept at the top of its stack. */
typedef struct {
    void (*entry)(void *);
    void *arg;
} boot_t;

static void boot_c(boot_t *b)
{
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    b->entry(b->arg);
    __builtin_trap();   /* entry never returns: it switches away for good */
}

static size_t page_size(void)
{
    static _Atomic size_t ps;   /* set by whichever thread asks first; same value */
    size_t v = atomic_load_explicit(&ps, memory_order_relaxed);
    if (!v) {
        v = (size_t)sysconf(_SC_PAGESIZE);
        atomic_store_explicit(&ps, v, memory_order_relaxed);
    }
    return v;
}

#if defined(__x86_64__) && !defined(CONT_FIBER_UCONTEXT)
/* A fresh stack is entered by cont_fiber_jump's pop-and-jump: the resume
 * address is cont_boot, above it the boot record and boot_c. */
__asm__(".text\n"
        ".p2align 4\n"
        ".type cont_boot,@function\n"
        "cont_boot:\n"
        "    popq %rdi\n"
        "    popq %rax\n"
        "    andq $-16, %rsp\n"
        "    callq *%rax\n"
        "    ud2\n"
        ".size cont_boot,.-cont_boot\n");
void cont_boot(void) __attribute__((visibility("hidden")));

static void arm(cont_ctx_t *ctx, void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)ctx->stack_lo + ctx->stack_size) & ~(uintptr_t)15;
    boot_t *b = (boot_t *)(top - 16);
    b->entry = entry;
    b->arg = arg;
    uint64_t *r = (uint64_t *)(top - 16 - 3 * 8);
    r[0] = (uint64_t)(uintptr_t)cont_boot;
    r[1] = (uint64_t)(uintptr_t)b;
    r[2] = (uint64_t)(uintptr_t)boot_c;
    ctx->sp = r;
}
#define swap(from, to) cont_fiber_jump(&(from)->sp, (to)->sp)
#else
#include <ucontext.h>
/* ucontext: ctx->sp points to a ucontext_t kept at the top of the stack
 * (the thread's own context gets one of its own on first use). */
typedef struct {
    ucontext_t uc;
    boot_t boot;
} uctx_t;
static __thread uctx_t native_uc;

static void uc_boot(unsigned hi, unsigned lo)
{
    boot_c((boot_t *)(((uintptr_t)hi << 32) | lo));
}

static void arm(cont_ctx_t *ctx, void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)ctx->stack_lo + ctx->stack_size - sizeof(uctx_t)) & ~(uintptr_t)63;
    uctx_t *u = (uctx_t *)top;
    u->boot.entry = entry;
    u->boot.arg = arg;
    getcontext(&u->uc);
    u->uc.uc_stack.ss_sp = ctx->stack_lo;
    u->uc.uc_stack.ss_size = top - (uintptr_t)ctx->stack_lo;
    u->uc.uc_link = NULL;
    uintptr_t p = (uintptr_t)&u->boot;
    makecontext(&u->uc, (void (*)(void))uc_boot, 2, (unsigned)(p >> 32), (unsigned)p);
    ctx->sp = u;
}

static void swap(cont_ctx_t *from, cont_ctx_t *to)
{
    if (!from->stack_lo)
        from->sp = &native_uc;
    swapcontext(&((uctx_t *)from->sp)->uc, &((uctx_t *)to->sp)->uc);
}
#endif

int cont_fiber_make(cont_ctx_t *ctx, size_t size, void (*entry)(void *), void *arg)
{
    size_t ps = page_size();
    size = (size + ps - 1) / ps * ps;
    char *m = mmap(NULL, size + ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                   -1, 0);
    if (m == MAP_FAILED)
        return -1;
    mprotect(m, ps, PROT_NONE);   /* an overflow faults instead of corrupting */
    memset(ctx, 0, sizeof *ctx);
    ctx->stack_lo = m + ps;
    ctx->stack_size = size;
#ifdef FIBER_TSAN
    ctx->tsan = __tsan_create_fiber(0);
#endif
    arm(ctx, entry, arg);
    return 0;
}

/* Out of line where the sanitizers are told of each switch (and where
 * there is no inline switch). */
#if !defined(CONT_FIBER_JUMP) || defined(CONT_FIBER_NOTED)
#ifdef FIBER_ASAN
/* The thread's own stack, for the sanitizer's note of where a switch goes. */
static void native_bounds(const void **lo, size_t *size)
{
    static __thread const void *nlo;
    static __thread size_t nsize;
    if (!nlo) {
        pthread_attr_t a;
        void *addr = NULL;
        size_t sz = 0;
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            pthread_attr_getstack(&a, &addr, &sz);
            pthread_attr_destroy(&a);
        }
        nlo = addr;
        nsize = sz;
    }
    *lo = nlo;
    *size = nsize;
}
#endif

static void note_switch(cont_ctx_t *to, void **fake)
{
#ifdef FIBER_ASAN
    const void *lo = to->stack_lo;
    size_t size = to->stack_size;
    if (!lo)
        native_bounds(&lo, &size);
    __sanitizer_start_switch_fiber(fake, lo, size);
#else
    (void)fake;
#endif
#ifdef FIBER_TSAN
    if (!to->tsan)
        to->tsan = __tsan_get_current_fiber();   /* only the thread's own stack */
    __tsan_switch_to_fiber(to->tsan, 0);
#else
    (void)to;
#endif
}

void cont_fiber_switch(cont_ctx_t *from, cont_ctx_t *to)
{
    void *fake = NULL;
#ifdef FIBER_TSAN
    if (!from->tsan)
        from->tsan = __tsan_get_current_fiber();
#endif
    note_switch(to, &fake);
    swap(from, to);
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}
#endif

/* The fiber switch (omp-glue/fiber.[ch]) the task hook runs task bodies
 * on: every value the compiler keeps across a switch survives it (integers
 * and doubles live in registers on both sides), each side keeps its own
 * FP control words (rounding mode), a fresh stack starts 16-byte aligned,
 * and a long run of switches between several fibers and the thread's own
 * stack ends where it should.  No MPI. */
#include "../../omp-glue/fiber.h"

#include <criterion/criterion.h>
#include <fenv.h>
#include <stdint.h>

TestSuite(fiber, .timeout = 30);

static cont_ctx_t native;

typedef struct {
    cont_ctx_t ctx;
    cont_ctx_t *back;
    long turns;      /* switches back to `back` so far */
    unsigned long sum;
    double dsum;
    int round_seen;  /* the rounding mode the fiber saw when resumed */
    int misaligned;
} fib_t;

/* Many live integers and doubles across each switch: a register the
 * switch fails to keep, or a clobber it fails to declare, changes a sum. */
static void churn(void *arg)
{
    fib_t *f = arg;
    unsigned long a = 1, b = 2, c = 3, d = 5, e = 7, g = 11;
    double x = 0.5, y = 0.25, z = 0.125, w = 1.5;
    for (;;) {
        a += b; b += c; c += d; d += e; e += g; g += 1;
        x += y; y += z; z += w; w += 0.5;
        f->sum = a ^ b ^ c ^ d ^ e ^ g;
        f->dsum = x + y + z + w;
        f->turns++;
        cont_fiber_switch(&f->ctx, f->back);
    }
}

/* The same arithmetic on one stack, for the expected values. */
static void churn_expected(long turns, unsigned long *sum, double *dsum)
{
    unsigned long a = 1, b = 2, c = 3, d = 5, e = 7, g = 11;
    double x = 0.5, y = 0.25, z = 0.125, w = 1.5;
    for (long i = 0; i < turns; i++) {
        a += b; b += c; c += d; d += e; e += g; g += 1;
        x += y; y += z; z += w; w += 0.5;
    }
    *sum = a ^ b ^ c ^ d ^ e ^ g;
    *dsum = x + y + z + w;
}

Test(fiber, values_survive_switches)
{
    fib_t f = {.back = &native};
    cr_assert_eq(cont_fiber_make(&f.ctx, 64 << 10, churn, &f), 0);
    long mine = 0;
    double dmine = 0;
    for (long i = 1; i <= 100000; i++) {
        mine += i;
        dmine += 0.5;
        cont_fiber_switch(&native, &f.ctx);
        cr_assert_eq(f.turns, i);
    }
    unsigned long sum;
    double dsum;
    churn_expected(100000, &sum, &dsum);
    cr_assert_eq(f.sum, sum);
    cr_assert_eq(f.dsum, dsum);
    cr_assert_eq(mine, 100000L * 100001 / 2);
    cr_assert_eq(dmine, 50000.0);
}

static void rounding(void *arg)
{
    fib_t *f = arg;
    fesetround(FE_UPWARD);
    for (;;) {
        cont_fiber_switch(&f->ctx, f->back);
        f->round_seen = fegetround();
    }
}

Test(fiber, each_side_keeps_its_rounding_mode)
{
    fesetround(FE_TONEAREST);
    fib_t f = {.back = &native};
    cr_assert_eq(cont_fiber_make(&f.ctx, 64 << 10, rounding, &f), 0);
    cont_fiber_switch(&native, &f.ctx);   /* it set FE_UPWARD and came back */
    cr_assert_eq(fegetround(), FE_TONEAREST);
    fesetround(FE_DOWNWARD);
    cont_fiber_switch(&native, &f.ctx);
    cr_assert_eq(f.round_seen, FE_UPWARD);
    cr_assert_eq(fegetround(), FE_DOWNWARD);
    fesetround(FE_TONEAREST);
}

static void aligned(void *arg)
{
    fib_t *f = arg;
    for (;;) {
        /* the compiler assumes rsp is 16-byte aligned at a call: this
         * local is aligned only if that held */
        _Alignas(16) volatile double slot[2] = {0, 0};
        f->misaligned |= (int)((uintptr_t)slot & 15);
        cont_fiber_switch(&f->ctx, f->back);
    }
}

Test(fiber, fresh_stack_is_aligned)
{
    fib_t f = {.back = &native};
    cr_assert_eq(cont_fiber_make(&f.ctx, 64 << 10, aligned, &f), 0);
    for (int i = 0; i < 3; i++)
        cont_fiber_switch(&native, &f.ctx);
    cr_assert_eq(f.misaligned, 0);
}

/* Fibers switch to each other, not only back to the thread's stack: fiber
 * k hands over to fiber k+1, the last one back to the thread. */
enum { NF = 8 };
static fib_t ring[NF];

static void relay(void *arg)
{
    fib_t *f = arg;
    for (;;) {
        f->turns++;
        cont_fiber_switch(&f->ctx, f->back);
    }
}

Test(fiber, fibers_switch_to_each_other)
{
    for (int k = 0; k < NF; k++) {
        ring[k] = (fib_t){.back = k + 1 < NF ? &ring[k + 1].ctx : &native};
        cr_assert_eq(cont_fiber_make(&ring[k].ctx, 64 << 10, relay, &ring[k]), 0);
    }
    for (int i = 0; i < 10000; i++)
        cont_fiber_switch(&native, &ring[0].ctx);
    for (int k = 0; k < NF; k++)
        cr_assert_eq(ring[k].turns, 10000, "fiber %d ran %ld turns", k, ring[k].turns);
}

/* A body may use much of its stack: pages are committed as touched. */
static long deep(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    return n == 0 ? pad[0] : deep(n - 1) + 1 + pad[0] - (char)n;
}

static void recurse(void *arg)
{
    fib_t *f = arg;
    for (;;) {
        f->sum = deep(2000);   /* ~2 MiB of frames */
        cont_fiber_switch(&f->ctx, f->back);
    }
}

Test(fiber, deep_stack)
{
    fib_t f = {.back = &native};
    cr_assert_eq(cont_fiber_make(&f.ctx, 4 << 20, recurse, &f), 0);
    cont_fiber_switch(&native, &f.ctx);
    cr_assert_eq(f.sum, 2000UL);
}
